"""The portal's asynchronous half, in-process: connect answers "pending", GET /api/whatsapp/status follows the
signup session from the webhooks (mounted at /webhooks/telnyx and /webhooks/meta), with status polling as the
fallback; forged webhooks are refused. The world's clock starts now, so the receiver's freshness check (real
time) accepts what the fakes sign."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from fakes.core.clock import ManualClock
from fakes.harness import Harness
from harness.demo_portal import demo_portal_settings, load_portal

PORTAL = "http://portal.localhost"
VERIFY_TOKEN = "portal-verify-token"
STAGES_SECONDS = 6  # six stages of 1 s each (docs/webhooks.md)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def later(h: Harness, clock: FakeMonotonic, seconds: float) -> None:
    """World time and the portal's clock move together (the portal polls Telnyx at most every 0.5 s)."""
    h.advance_clock(seconds)
    clock.now += seconds


def make_harness(**telnyx_seed: Any) -> Harness:
    h = Harness(seed="portal-session", clock=ManualClock(time.time()), check_responses=True)
    h.seed_demo()
    if telnyx_seed:
        h.seed({"telnyx": telnyx_seed})
    return h


def make_portal(h: Harness, *, webhooks: bool = True, wire: bool = True, monotonic: Any = None) -> Any:
    app = load_portal().create_portal_app(
        graph_url=h.graph_url,
        telnyx_url=h.telnyx_url,
        session=h.session(),
        telnyx_public_key=h.telnyx_public_key if webhooks else None,
        meta_verify_token=VERIFY_TOKEN if webhooks else None,
        monotonic=monotonic or FakeMonotonic(),
        **demo_portal_settings(h),
    )
    h.deliver_to(PORTAL, app)
    if wire:
        settings = demo_portal_settings(h)
        http = h.session()
        patched = http.patch(
            f"{h.telnyx_url}/whatsapp/user_data",
            json={"webhook_url": f"{PORTAL}/webhooks/telnyx"},
            headers={"Authorization": f"Bearer {settings['telnyx_api_key']}"},
        )
        assert patched.status_code == 200, patched.text
        subscribed = http.post(
            f"{h.graph_url}/v19.0/{settings['app_id']}/subscriptions",
            data={
                "object": "whatsapp_business_account",
                "callback_url": f"{PORTAL}/webhooks/meta",
                "fields": "account_update",
                "verify_token": VERIFY_TOKEN,
                "access_token": f"{settings['app_id']}|{settings['app_secret']}",
            },
        )
        assert subscribed.status_code == 200, subscribed.text  # the portal answered Meta's challenge
    return app.test_client()


def connect(h: Harness, client: Any) -> dict[str, Any]:
    signup = h.complete_signup(app_id=demo_portal_settings(h)["app_id"])
    response = client.post("/api/whatsapp/connect", json={"code": signup["code"], "event": json.dumps(signup["event"])})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["pending"] is True and body["connected"] is False and body["session_id"]
    assert body["waba_id"] == signup["waba_id"]
    return body


def status(client: Any, session_id: str) -> dict[str, Any]:
    response = client.get(f"/api/whatsapp/status?session={session_id}")
    assert response.status_code == 200, response.json
    return response.json


def test_the_session_moves_from_pending_to_connected_as_the_webhook_arrives() -> None:
    h = make_harness()
    clock = FakeMonotonic()
    client = make_portal(h, monotonic=clock)
    body = connect(h, client)

    first = status(client, body["session_id"])
    assert (first["status"], first["connected"], first["learned_via"]) == ("PENDING", False, None)
    assert first["state"] == "SUBSCRIBE_WEBHOOKS" and first["stages"][0] == "SUBSCRIBE_WEBHOOKS"
    assert first["meta_events"] == ["PARTNER_ADDED", "PARTNER_APP_INSTALLED"]  # Meta's signed account_update

    later(h, clock, 2)
    assert status(client, body["session_id"])["state"] == "SHARE_CREDIT_LINE"
    later(h, clock, STAGES_SECONDS)
    done = status(client, body["session_id"])
    assert (done["status"], done["connected"], done["learned_via"]) == ("SUCCESS", True, "webhook")
    assert done["state"] == "COMPLETE"
    assert done["waba_id"] == body["waba_id"] and "error" not in done
    receiver = client.application.extensions["portal_webhooks"]
    assert receiver.refusals() == []


def test_a_failed_session_shows_the_stage_errors_and_the_guides_advice() -> None:
    h = make_harness(
        signup_sessions={"fail_at": "SHARE_CREDIT_LINE", "errors": ["The credit line could not be shared"]}
    )
    client = make_portal(h)
    body = connect(h, client)
    h.advance_clock(STAGES_SECONDS)

    done = status(client, body["session_id"])
    assert (done["status"], done["state"], done["learned_via"]) == ("FAILURE", "SHARE_CREDIT_LINE", "webhook")
    assert done["errors"] == ["The credit line could not be shared"] and done["connected"] is False
    error = done["error"]
    assert error["error"] == "SignupSessionFailed" and error["vendor_code"] == "SHARE_CREDIT_LINE"
    assert error["guidance"] and "credit line could not be shared" in error["message"]


def test_forged_webhooks_are_refused_and_change_nothing() -> None:
    h = make_harness()
    client = make_portal(h)
    body = connect(h, client)
    forged = json.dumps(
        {
            "data": {
                "record_type": "event",
                "id": "forged-1",
                "event_type": "whatsapp.waba_added",
                "occurred_at": "2026-01-01T00:00:06.000Z",
                "payload": {
                    "record_type": "waba_account_added",
                    "waba_id": body["waba_id"],
                    "status": "SUCCESS",
                    "event_id": body["session_id"],
                },
            }
        }
    )
    telnyx = client.post(
        "/webhooks/telnyx",
        data=forged,
        headers={
            "telnyx-timestamp": str(int(time.time())),
            "telnyx-signature-ed25519": base64.b64encode(bytes(64)).decode(),
            "Content-Type": "application/json",
        },
    )
    meta = client.post(
        "/webhooks/meta",
        data=b'{"object":"whatsapp_business_account","entry":[]}',
        headers={"X-Hub-Signature-256": "sha256=" + "0" * 64, "Content-Type": "application/json"},
    )
    assert telnyx.status_code in (400, 401, 403) and meta.status_code in (400, 401, 403)
    receiver = client.application.extensions["portal_webhooks"]
    assert [r.kind for r in receiver.refusals()] == ["bad_signature", "bad_signature"]
    assert status(client, body["session_id"])["status"] == "PENDING"  # the forged SUCCESS was not believed


def test_meta_challenge_is_answered_only_with_the_verify_token() -> None:
    client = make_portal(make_harness(), wire=False)
    query = "hub.mode=subscribe&hub.challenge=12345&hub.verify_token="
    ok = client.get(f"/webhooks/meta?{query}{VERIFY_TOKEN}")
    assert ok.status_code == 200 and ok.get_data(as_text=True) == "12345"
    assert client.get(f"/webhooks/meta?{query}wrong").status_code == 403


def test_without_a_webhook_the_portal_waits_its_grace_then_trusts_polling() -> None:
    h = make_harness()
    clock = FakeMonotonic()
    client = make_portal(h, wire=False, monotonic=clock)  # Telnyx has no webhook_url: no waba_added comes
    body = connect(h, client)
    h.advance_clock(STAGES_SECONDS)
    waiting = status(client, body["session_id"])
    assert (waiting["status"], waiting["waiting_for_webhook"]) == ("PENDING", True)
    clock.now += 10.0
    done = status(client, body["session_id"])
    assert (done["status"], done["learned_via"], done["connected"]) == ("SUCCESS", "polling", True)


def test_a_portal_without_webhook_keys_learns_by_polling_and_refuses_deliveries() -> None:
    h = make_harness()
    clock = FakeMonotonic()
    client = make_portal(h, webhooks=False, wire=False, monotonic=clock)
    body = connect(h, client)
    assert status(client, body["session_id"])["status"] == "PENDING"
    later(h, clock, STAGES_SECONDS)
    assert status(client, body["session_id"])["learned_via"] == "polling"
    assert client.post("/webhooks/telnyx", data=b"{}").status_code == 404  # no key: nothing is believed


@pytest.mark.parametrize("query", ["", "?session=", "?session=not-a-session-of-this-portal"])
def test_status_of_an_unknown_session_is_404(query: str) -> None:
    client = make_portal(make_harness(), wire=False)
    assert client.get(f"/api/whatsapp/status{query}").status_code == 404
