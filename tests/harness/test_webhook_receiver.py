"""The reference webhook receiver, driven in process (werkzeug's test client) and once over a real socket.

The tests sign with their own keys (a fresh Ed25519 key pair, a made-up app secret) and the standard library's
`hmac`, never with the receiver's code: a signing mistake cannot cancel out a verifying one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from werkzeug.test import Client, TestResponse

from harness.webhook_receiver import WebhookReceiver, serve_receiver

NOW = 1_760_000_000.0
APP_SECRET = "test-app-secret-0123456789abcdef"
VERIFY_TOKEN = "test-verify-token-42"
WABA_ID = "104000000000001"


class Clock:
    """The receiver's `now`, moved by hand."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def public_key_b64(key: Ed25519PrivateKey) -> str:
    """The public key as the Telnyx portal shows it: base64 of its 32 raw bytes."""
    return base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def waba_added(waba_id: str = WABA_ID, status: str = "SUCCESS", event_id: str | None = None) -> dict[str, Any]:
    return {
        "data": {
            "record_type": "event",
            "id": event_id or str(uuid.uuid4()),
            "event_type": "whatsapp.waba_added",
            "occurred_at": "2025-10-09T08:53:20.000Z",
            "payload": {
                "record_type": "waba_account_added",
                "waba_id": waba_id,
                "status": status,
                "event_id": "signup-session-1",
            },
        }
    }


def telnyx_headers(key: Ed25519PrivateKey, body: bytes, timestamp: float = NOW) -> dict[str, str]:
    stamp = str(int(timestamp))
    signature = key.sign(stamp.encode() + b"|" + body)
    return {
        "telnyx-signature-ed25519": base64.b64encode(signature).decode(),
        "telnyx-timestamp": stamp,
        "Content-Type": "application/json",
    }


def account_update(waba_id: str = WABA_ID, event: str = "PARTNER_APP_INSTALLED") -> dict[str, Any]:
    return {
        "field": "account_update",
        "value": {"event": event, "waba_info": {"waba_id": waba_id, "owner_business_id": "200000000000001"}},
    }


def meta_document(*entries: tuple[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """A Meta webhook: one entry per (WABA id, changes)."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba, "time": int(NOW), "changes": changes} for waba, changes in entries],
    }


def meta_headers(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def encode(document: Any) -> bytes:
    return json.dumps(document).encode()


# -- fixtures ---------------------------------------------------------------------------------------------------
@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def receiver(key: Ed25519PrivateKey, clock: Clock) -> WebhookReceiver:
    return WebhookReceiver(public_key_b64(key), APP_SECRET, VERIFY_TOKEN, now=clock)


@pytest.fixture
def client(receiver: WebhookReceiver) -> Client:
    return Client(receiver)


def post_telnyx(client: Client, key: Ed25519PrivateKey, document: Any, timestamp: float = NOW) -> TestResponse:
    body = encode(document)
    return client.post("/telnyx", data=body, headers=telnyx_headers(key, body, timestamp))


def post_meta(client: Client, document: Any, secret: str = APP_SECRET) -> TestResponse:
    body = encode(document)
    return client.post("/meta", data=body, headers=meta_headers(body, secret))


def refused_kind(receiver: WebhookReceiver) -> str:
    """The kind of the only refusal; nothing was processed."""
    assert receiver.events() == []
    [refusal] = receiver.refusals()
    return refusal.kind


# -- Telnyx -----------------------------------------------------------------------------------------------------
def test_a_signed_telnyx_delivery_is_processed(client: Client, receiver: WebhookReceiver, key: Any) -> None:
    document = waba_added(status="FAILURE")
    answer = post_telnyx(client, key, document)
    assert answer.status_code == 200
    assert answer.json == {"status": "processed", "events": 1}
    [event] = receiver.events()
    assert (event.vendor, event.event_type, event.id) == ("telnyx", "whatsapp.waba_added", document["data"]["id"])
    assert (event.waba_id, event.status, event.received_at) == (WABA_ID, "FAILURE", NOW)
    assert event.payload == document["data"]["payload"]
    assert receiver.telnyx_outcome(WABA_ID) == event
    assert receiver.telnyx_outcome("someone-else") is None
    assert receiver.refusals() == [] and receiver.duplicates() == []


def test_the_latest_telnyx_outcome_for_a_waba_wins(client: Client, receiver: WebhookReceiver, key: Any) -> None:
    post_telnyx(client, key, waba_added(status="FAILURE"))
    post_telnyx(client, key, waba_added(status="SUCCESS"))
    outcome = receiver.telnyx_outcome(WABA_ID)
    assert outcome is not None and outcome.status == "SUCCESS"


def test_a_forged_telnyx_signature_is_refused(client: Client, receiver: WebhookReceiver, key: Any) -> None:
    body = encode(waba_added())
    headers = telnyx_headers(key, body)
    headers["telnyx-signature-ed25519"] = base64.b64encode(bytes(64)).decode()
    answer = client.post("/telnyx", data=body, headers=headers)
    assert answer.status_code == 401
    assert "signature" in answer.json["error"]
    assert refused_kind(receiver) == "bad_signature"
    [refusal] = receiver.refusals()
    assert (refusal.vendor, refusal.status, refusal.method, refusal.path) == ("telnyx", 401, "POST", "/telnyx")


def test_a_delivery_signed_by_another_key_is_refused(client: Client, receiver: WebhookReceiver) -> None:
    assert post_telnyx(client, Ed25519PrivateKey.generate(), waba_added()).status_code == 401
    assert refused_kind(receiver) == "bad_signature"


def test_a_tampered_body_is_refused(client: Client, receiver: WebhookReceiver, key: Any) -> None:
    body = encode(waba_added(status="FAILURE"))
    headers = telnyx_headers(key, body)
    answer = client.post("/telnyx", data=body.replace(b"FAILURE", b"SUCCESS"), headers=headers)
    assert answer.status_code == 401
    assert refused_kind(receiver) == "bad_signature"


def test_the_signature_covers_the_timestamp(client: Client, receiver: WebhookReceiver, key: Any) -> None:
    body = encode(waba_added())
    headers = telnyx_headers(key, body, NOW - 10)
    headers["telnyx-timestamp"] = str(int(NOW))
    assert client.post("/telnyx", data=body, headers=headers).status_code == 401
    assert refused_kind(receiver) == "bad_signature"


@pytest.mark.parametrize(
    ("offset", "kind"),
    [(-301, "stale_timestamp"), (301, "future_timestamp"), (-3600, "stale_timestamp"), (86400, "future_timestamp")],
)
def test_a_timestamp_beyond_the_tolerance_is_refused(
    client: Client, receiver: WebhookReceiver, key: Any, offset: float, kind: str
) -> None:
    answer = post_telnyx(client, key, waba_added(), NOW + offset)
    assert answer.status_code == 401
    assert "300 s" in answer.json["error"]
    assert refused_kind(receiver) == kind


@pytest.mark.parametrize("offset", [-300, -299, 0, 299, 300])
def test_a_timestamp_within_the_tolerance_is_accepted(client: Client, key: Any, offset: float) -> None:
    assert post_telnyx(client, key, waba_added(), NOW + offset).status_code == 200


def test_freshness_follows_the_injected_clock(
    client: Client, receiver: WebhookReceiver, clock: Clock, key: Any
) -> None:
    clock.now = NOW + 10_000  # the harness's simulated clock moved on: a delivery signed then is stale now
    assert post_telnyx(client, key, waba_added(), NOW).status_code == 401
    assert post_telnyx(client, key, waba_added(), NOW + 10_000).status_code == 200


@pytest.mark.parametrize(
    ("drop", "replace", "status", "kind"),
    [
        ("telnyx-signature-ed25519", None, 401, "missing_signature"),
        ("telnyx-timestamp", None, 401, "missing_timestamp"),
        (None, ("telnyx-timestamp", "yesterday"), 400, "malformed_timestamp"),
        (None, ("telnyx-timestamp", "-1700000000"), 400, "malformed_timestamp"),
        (None, ("telnyx-signature-ed25519", "not base64!"), 400, "malformed_signature"),
        (None, ("telnyx-signature-ed25519", base64.b64encode(bytes(63)).decode()), 400, "malformed_signature"),
    ],
)
def test_missing_or_malformed_telnyx_headers_are_refused(
    client: Client, receiver: WebhookReceiver, key: Any, drop: Any, replace: Any, status: int, kind: str
) -> None:
    body = encode(waba_added())
    headers = telnyx_headers(key, body)
    if drop:
        del headers[drop]
    if replace:
        headers[replace[0]] = replace[1]
    assert client.post("/telnyx", data=body, headers=headers).status_code == status
    assert refused_kind(receiver) == kind


def test_the_signature_is_checked_before_the_body_is_parsed(client: Client, receiver: WebhookReceiver) -> None:
    other = Ed25519PrivateKey.generate()
    body = b"{not json"
    assert client.post("/telnyx", data=body, headers=telnyx_headers(other, body)).status_code == 401
    assert refused_kind(receiver) == "bad_signature"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"{not json", "not_json"),
        (b"\xff\xfe", "not_json"),
        (b'{"data": NaN}', "not_json"),
        (b"[" * 100_000, "not_json"),
        (b"[]", "bad_envelope"),
        (b'{"data": {"id": "x", "event_type": "whatsapp.waba_added"}}', "bad_envelope"),
        (b'{"data": {"id": "", "event_type": "whatsapp.waba_added", "payload": {}}}', "bad_envelope"),
        (b'{"data": {"id": "x", "event_type": 7, "payload": {}}}', "bad_envelope"),
    ],
)
def test_a_signed_body_that_is_no_telnyx_event_is_refused(
    client: Client, receiver: WebhookReceiver, key: Any, body: bytes, kind: str
) -> None:
    answer = client.post("/telnyx", data=body, headers=telnyx_headers(key, body))
    assert answer.status_code == 400
    assert answer.json["error"]
    assert refused_kind(receiver) == kind


def test_a_telnyx_redelivery_is_answered_200_and_processed_once(
    client: Client, receiver: WebhookReceiver, clock: Clock, key: Any
) -> None:
    document = waba_added()
    assert post_telnyx(client, key, document).json == {"status": "processed", "events": 1}
    clock.now = NOW + 60  # Telnyx retries later: a new timestamp and signature, the same data.id
    answer = post_telnyx(client, key, document, NOW + 60)
    assert answer.status_code == 200
    assert answer.json == {"status": "duplicate"}
    assert len(receiver.events()) == 1
    [duplicate] = receiver.duplicates()
    assert (duplicate.vendor, duplicate.key, duplicate.received_at) == ("telnyx", document["data"]["id"], NOW + 60)


def test_an_unknown_telnyx_event_type_is_still_recorded(client: Client, receiver: WebhookReceiver, key: Any) -> None:
    document = {"data": {"id": "e-1", "event_type": "whatsapp.something_new", "payload": {"x": 1}}}
    assert post_telnyx(client, key, document).status_code == 200
    [event] = receiver.events()
    assert (event.event_type, event.waba_id, event.status) == ("whatsapp.something_new", None, None)


# -- Meta verification request ----------------------------------------------------------------------------------
def challenge(client: Client, **query: str) -> TestResponse:
    return client.get("/meta", query_string={f"hub.{name}": value for name, value in query.items()})


def test_the_meta_challenge_is_echoed_exactly(client: Client, receiver: WebhookReceiver) -> None:
    answer = challenge(client, mode="subscribe", challenge="1158201444 <b>&", verify_token=VERIFY_TOKEN)
    assert answer.status_code == 200
    assert answer.get_data() == b"1158201444 <b>&"
    assert answer.mimetype == "text/plain"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert receiver.refusals() == []


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ({"mode": "subscribe", "challenge": "c", "verify_token": "wrong"}, "bad_verify_token"),
        ({"mode": "subscribe", "challenge": "c"}, "bad_verify_token"),
        ({"mode": "unsubscribe", "challenge": "c", "verify_token": VERIFY_TOKEN}, "bad_mode"),
        ({"challenge": "c", "verify_token": VERIFY_TOKEN}, "bad_mode"),
    ],
)
def test_a_meta_challenge_with_the_wrong_token_or_mode_is_403(
    client: Client, receiver: WebhookReceiver, query: dict[str, str], kind: str
) -> None:
    answer = challenge(client, **query)
    assert answer.status_code == 403
    assert answer.get_data() != b"c" and answer.json["error"]
    assert refused_kind(receiver) == kind


# -- Meta deliveries --------------------------------------------------------------------------------------------
def test_a_signed_meta_delivery_is_processed(client: Client, receiver: WebhookReceiver) -> None:
    answer = post_meta(client, meta_document((WABA_ID, [account_update()])))
    assert answer.status_code == 200
    assert answer.json == {"status": "processed", "events": 1}
    [event] = receiver.events()
    assert (event.vendor, event.event_type, event.waba_id, event.status) == (
        "meta",
        "account_update",
        WABA_ID,
        "PARTNER_APP_INSTALLED",
    )
    assert event.payload == account_update()["value"]
    assert receiver.meta_account_updates(WABA_ID) == [event]


def test_a_meta_signature_in_upper_case_hex_is_accepted(client: Client, receiver: WebhookReceiver) -> None:
    body = encode(meta_document((WABA_ID, [account_update()])))
    signature = meta_headers(body)["X-Hub-Signature-256"]
    headers = {"X-Hub-Signature-256": "sha256=" + signature.removeprefix("sha256=").upper()}
    assert client.post("/meta", data=body, headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("signature", "status", "kind"),
    [
        (None, 401, "missing_signature"),
        ("sha256=" + "0" * 64, 401, "bad_signature"),
        ("sha1=" + "0" * 40, 400, "malformed_signature"),
        ("sha256=xyz", 400, "malformed_signature"),
    ],
)
def test_a_bad_or_missing_meta_signature_is_refused(
    client: Client, receiver: WebhookReceiver, signature: str | None, status: int, kind: str
) -> None:
    body = encode(meta_document((WABA_ID, [account_update()])))
    headers = {"X-Hub-Signature-256": signature} if signature else {}
    assert client.post("/meta", data=body, headers=headers).status_code == status
    assert refused_kind(receiver) == kind


def test_a_meta_delivery_signed_with_another_secret_is_refused(client: Client, receiver: WebhookReceiver) -> None:
    assert post_meta(client, meta_document((WABA_ID, [account_update()])), "another-secret").status_code == 401
    assert refused_kind(receiver) == "bad_signature"


def test_every_entry_and_change_of_a_meta_batch_is_processed(client: Client, receiver: WebhookReceiver) -> None:
    other = "104000000000002"
    document = meta_document(
        (WABA_ID, [account_update(), account_update(event="VERIFIED_ACCOUNT")]),
        (other, [{"field": "phone_number_name_update", "value": {"decision": "APPROVED"}}]),
    )
    assert post_meta(client, document).json == {"status": "processed", "events": 3}
    events = receiver.events()
    assert [(e.waba_id, e.event_type, e.status) for e in events] == [
        (WABA_ID, "account_update", "PARTNER_APP_INSTALLED"),
        (WABA_ID, "account_update", "VERIFIED_ACCOUNT"),
        (other, "phone_number_name_update", None),
    ]
    assert len({e.id for e in events}) == 3
    assert [e.status for e in receiver.meta_account_updates(WABA_ID)] == ["PARTNER_APP_INSTALLED", "VERIFIED_ACCOUNT"]
    assert receiver.meta_account_updates(other) == []


def test_a_meta_redelivery_is_processed_once(client: Client, receiver: WebhookReceiver) -> None:
    document = meta_document((WABA_ID, [account_update()]))
    body = encode(document)
    digest = hashlib.sha256(body).hexdigest()
    assert post_meta(client, document).json["status"] == "processed"
    answer = post_meta(client, document)
    assert answer.status_code == 200 and answer.json == {"status": "duplicate"}
    assert len(receiver.events()) == 1
    assert [d.key for d in receiver.duplicates()] == [digest]  # Meta has no event id: the raw body's digest
    assert receiver.events()[0].id == f"{digest}/0"


@pytest.mark.parametrize(
    "document",
    [
        {"object": "page", "entry": [{"id": WABA_ID, "time": 1, "changes": [account_update()]}]},
        {"object": "whatsapp_business_account", "entry": []},
        {"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": []}]},
        {"object": "whatsapp_business_account", "entry": [{"changes": [account_update()]}]},
        {"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [{"field": "account_update"}]}]},
    ],
)
def test_a_signed_meta_body_that_is_no_waba_webhook_is_refused_whole(
    client: Client, receiver: WebhookReceiver, document: dict[str, Any]
) -> None:
    assert post_meta(client, document).status_code == 400
    assert refused_kind(receiver) == "bad_envelope"


def test_a_half_valid_meta_batch_processes_nothing(client: Client, receiver: WebhookReceiver) -> None:
    document = meta_document((WABA_ID, [account_update(), {"field": "account_update", "value": "oops"}]))
    assert post_meta(client, document).status_code == 400
    assert refused_kind(receiver) == "bad_envelope"


# -- routes, limits, secrets ------------------------------------------------------------------------------------
def test_other_routes_are_404_json(client: Client, receiver: WebhookReceiver) -> None:
    answer = client.post("/webhooks/telnyx", data=b"{}")
    assert answer.status_code == 404
    assert answer.json["error"]
    [refusal] = receiver.refusals()
    assert (refusal.kind, refusal.vendor, refusal.path) == ("not_found", None, "/webhooks/telnyx")


def test_a_wrong_method_is_405_with_allow(client: Client, receiver: WebhookReceiver) -> None:
    answer = client.get("/telnyx")
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "POST"
    assert client.put("/meta").headers["Allow"] == "GET, POST"
    assert [r.kind for r in receiver.refusals()] == ["method_not_allowed", "method_not_allowed"]


def test_a_vendor_left_unconfigured_is_refused(key: Any) -> None:
    receiver = WebhookReceiver(telnyx_public_key=public_key_b64(key), now=Clock())
    client = Client(receiver)
    assert post_meta(client, meta_document((WABA_ID, [account_update()]))).status_code == 404
    assert challenge(client, mode="subscribe", challenge="c", verify_token="").status_code == 404
    assert [r.kind for r in receiver.refusals()] == ["not_configured", "not_configured"]
    assert post_telnyx(client, key, waba_added()).status_code == 200


def test_a_public_key_that_is_not_32_bytes_is_rejected_at_construction() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        WebhookReceiver(telnyx_public_key=base64.b64encode(bytes(31)).decode())
    with pytest.raises(ValueError, match="not base64"):
        WebhookReceiver(telnyx_public_key="not base64!")


def test_a_body_past_the_cap_is_413_unread(key: Any) -> None:
    receiver = WebhookReceiver(public_key_b64(key), APP_SECRET, now=Clock(), max_body_bytes=1000)
    client = Client(receiver)
    body = encode(meta_document((WABA_ID, [account_update(event="X" * 2000)])))
    assert client.post("/meta", data=body, headers=meta_headers(body)).status_code == 413
    assert refused_kind(receiver) == "too_large"
    assert post_meta(client, meta_document((WABA_ID, [account_update()]))).status_code == 200


def test_no_secret_leaves_the_receiver(
    client: Client, receiver: WebhookReceiver, key: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = encode(waba_added())
    telnyx = telnyx_headers(key, body, NOW - 1000)
    meta = meta_headers(body, "another-secret")
    sent = [telnyx["telnyx-signature-ed25519"], meta["X-Hub-Signature-256"].removeprefix("sha256=")]
    answers = [
        client.post("/telnyx", data=body, headers=telnyx),
        client.post("/meta", data=body, headers=meta),
        challenge(client, mode="subscribe", challenge="c", verify_token=VERIFY_TOKEN + "x"),
    ]
    assert [a.status_code for a in answers] == [401, 401, 403]
    seen = " ".join(
        [repr(receiver), repr(receiver.refusals()), caplog.text] + [a.get_data(as_text=True) for a in answers]
    )
    for secret in [APP_SECRET, VERIFY_TOKEN, *sent]:
        assert secret not in seen


# -- over a real socket -----------------------------------------------------------------------------------------
def test_served_on_a_real_socket(receiver: WebhookReceiver, key: Any) -> None:
    with serve_receiver(receiver) as served, requests.Session() as session:
        session.trust_env = False  # loopback: no proxies
        assert served.telnyx_url == f"{served.url}/telnyx" and served.meta_url == f"{served.url}/meta"
        body = encode(waba_added())
        answer = session.post(served.telnyx_url, data=body, headers=telnyx_headers(key, body), timeout=10)
        assert answer.status_code == 200
        query = {"hub.mode": "subscribe", "hub.challenge": "abc123", "hub.verify_token": VERIFY_TOKEN}
        assert session.get(served.meta_url, params=query, timeout=10).text == "abc123"
        large = b"x" * (2 * 1024 * 1024)
        assert session.post(served.meta_url, data=large, headers=meta_headers(large), timeout=10).status_code == 413
    assert receiver.telnyx_outcome(WABA_ID) is not None
    assert [r.kind for r in receiver.refusals()] == ["too_large"]
