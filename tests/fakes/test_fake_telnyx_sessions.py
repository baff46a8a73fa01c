"""Telnyx's asynchronous half: signup sessions, user_data, hosted signups and the signed whatsapp.waba_added.

Every test runs in process and over sockets (tests/fakes/conftest.py). The sessions move on the world's
ManualClock: `fakes.advance(seconds)` is the only way time passes.
"""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from fakes.core.world import Tenant
from fakes.harness import Harness
from fakes.telnyx import signup_sessions

PARTNER_HOOK = "http://partner.localhost/telnyx"
STAGES = ["SUBSCRIBE_WEBHOOKS", "ASSIGNED_USERS", "SHARE_CREDIT_LINE", "REGISTER_PHONE_NUMBER"]
STAGES += ["ADD_WABA_TO_DB", "ADD_PHONE_NUMBERS_TO_DB"]


def start(fakes, **signup):
    created = fakes.signup(**signup)
    response = fakes.register(created["waba_id"], created["phone_number_id"], customer_id="acme-42")
    assert response.status_code == 200, response.text
    return created, response.json()["data"]["session_id"]


def status(fakes, session_id):
    response = fakes.tx("GET", f"/whatsapp/signup/{session_id}/status")
    assert response.status_code == 200, response.text
    return response.json()["data"]


def set_webhook(fakes, url=PARTNER_HOOK, failover=None):
    body = {"webhook_url": url}
    if failover is not None:
        body["webhook_failover_url"] = failover
    response = fakes.tx("PATCH", "/whatsapp/user_data", json=body)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def verify(public_key: str, post) -> dict:
    """What a partner does with Python's `cryptography`: Ed25519 over "timestamp|body"."""
    stamp = post["headers"]["Telnyx-Timestamp"]
    signature = base64.b64decode(post["headers"]["Telnyx-Signature-Ed25519"])
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
    key.verify(signature, stamp.encode() + b"|" + post["body"])  # raises InvalidSignature
    return json.loads(post["body"])


def test_a_session_walks_every_stage_then_succeeds(fakes):
    created, session_id = start(fakes)
    seen = []
    for _ in STAGES:
        data = status(fakes, session_id)
        assert data["status"] == "PENDING" and data["errors"] == []
        seen.append(data["state"])
        fakes.advance(signup_sessions.STAGE_SECONDS)
    assert seen == STAGES
    data = status(fakes, session_id)
    assert (data["status"], data["state"]) == ("SUCCESS", "COMPLETE")
    assert data["waba_id"] == created["waba_id"] and data["customer_id"] == "acme-42"
    assert data["record_type"] == "whatsapp_session_id" and data["session_id"] == session_id
    assert data["updated_at"] > data["created_at"]


def test_each_stage_does_its_part_on_meta_s_side(fakes):
    created, _ = start(fakes)
    tenant = fakes.h.world.tenant("default")
    waba = tenant.meta.wabas[created["waba_id"]]
    phone = tenant.meta.phone_numbers[created["phone_number_id"]]
    assert (phone.status, waba.subscribed_apps) == ("PENDING", ())
    fakes.advance(1)
    assert waba.subscribed_apps == (tenant.telnyx.meta_app_id,)
    fakes.advance(1)
    assert waba.assigned_users == (tenant.telnyx.system_user_id,)
    fakes.advance(1)
    assert waba.credit_line_shared_with == "Telnyx"
    fakes.advance(1)
    assert (phone.status, phone.registered) == ("CONNECTED", True)


def test_a_coexistence_number_skips_registration(fakes):
    created, session_id = start(fakes, outcome="FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING")
    states = []
    for _ in range(5):
        states.append(status(fakes, session_id)["state"])
        fakes.advance(1)
    assert "REGISTER_PHONE_NUMBER" not in states
    assert status(fakes, session_id)["status"] == "SUCCESS"
    assert fakes.h.world.tenant("default").meta.phone_numbers[created["phone_number_id"]].is_on_biz_app


def test_a_number_with_a_two_step_pin_fails_registration_with_meta_s_error(fakes):
    created, session_id = start(fakes)
    fakes.h.world.tenant("default").meta.phone_numbers[created["phone_number_id"]].pin = "111111"
    fakes.advance(10)
    data = status(fakes, session_id)
    assert (data["status"], data["state"]) == ("FAILURE", "REGISTER_PHONE_NUMBER")
    assert data["errors"] and "133005" in data["errors"][0]


@pytest.mark.parametrize("stage", STAGES)
def test_a_seeded_failure_stops_the_session_at_that_stage(mode, make_fakes, stage):
    h = Harness(check_responses=True)
    h.seed_demo()
    h.seed({"telnyx": {"signup_sessions": {"fail_at": stage, "errors": [f"{stage} refused by Meta"]}}})
    fakes = make_fakes(h)
    _, session_id = start(fakes)
    fakes.advance(10)
    data = status(fakes, session_id)
    assert (data["status"], data["state"], data["errors"]) == ("FAILURE", stage, [f"{stage} refused by Meta"])


def test_stage_times_come_from_the_seed(mode, make_fakes):
    h = Harness(check_responses=True)
    h.seed_demo()
    h.seed({"telnyx": {"signup_sessions": {"stage_seconds": {"SUBSCRIBE_WEBHOOKS": 30}}}})
    fakes = make_fakes(h)
    _, session_id = start(fakes)
    fakes.advance(29)
    assert status(fakes, session_id)["state"] == "SUBSCRIBE_WEBHOOKS"
    fakes.advance(1)
    assert status(fakes, session_id)["state"] == "ASSIGNED_USERS"


def test_sessions_move_in_the_order_their_stages_end_not_the_order_they_started(mode, make_fakes):
    h = Harness(check_responses=True)
    h.seed_demo()
    h.seed({"telnyx": {"signup_sessions": {"stage_seconds": {"SUBSCRIBE_WEBHOOKS": 30}}}})
    fakes = make_fakes(h)
    _, slow = start(fakes)
    h.seed({"telnyx": {"signup_sessions": {"stage_seconds": {"SUBSCRIBE_WEBHOOKS": 1}}}})
    _, quick = start(fakes)
    fakes.advance(1)
    assert (status(fakes, slow)["state"], status(fakes, quick)["state"]) == ("SUBSCRIBE_WEBHOOKS", "ASSIGNED_USERS")
    fakes.advance(29)
    assert status(fakes, slow)["state"] == "ASSIGNED_USERS"


def test_a_tick_visits_only_the_sessions_that_are_due():
    from fakes.core.telnyx_state import SessionBook

    book = SessionBook()
    for n, due in enumerate([5.0, 1.0, 3.0, 1.0]):
        book.schedule(f"s{n}", due)
    assert book.pop_due(0.5) == []
    assert book.pop_due(3.0) == ["s1", "s3", "s2"]  # by due time, then creation order
    assert book.next_due() == 5.0


def test_unknown_session_is_telnyx_s_404(fakes):
    response = fakes.tx("GET", "/whatsapp/signup/019b0000-0000-7000-8000-000000000000/status")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "10005"


def test_the_listing_holds_finished_sessions_newest_first_with_filters(fakes):
    first, first_id = start(fakes)
    fakes.advance(10)
    _, running_id = start(fakes)
    listed = fakes.tx("GET", "/whatsapp/signup").json()
    assert [s["session_id"] for s in listed["data"]] == [first_id]  # the running one is not finished
    fakes.advance(10)
    listed = fakes.tx("GET", "/whatsapp/signup").json()
    assert [s["session_id"] for s in listed["data"]] == [running_id, first_id]
    assert listed["meta"]["total_results"] == 2
    by_waba = fakes.tx("GET", "/whatsapp/signup", params={"filter[waba_id]": first["waba_id"]}).json()
    assert [s["session_id"] for s in by_waba["data"]] == [first_id]
    none = fakes.tx("GET", "/whatsapp/signup", params={"filter[customer_id]": "someone-else"}).json()
    assert none["data"] == []
    bad = fakes.tx("GET", "/whatsapp/signup", params={"page[size]": "0"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "10015"


def test_a_retried_registration_keeps_its_session(fakes):
    created, session_id = start(fakes)
    again = fakes.register(created["waba_id"], created["phone_number_id"], customer_id="acme-42")
    assert again.json()["data"]["session_id"] == session_id


def test_user_data_round_trip_and_refusals(fakes):
    empty = fakes.tx("GET", "/whatsapp/user_data").json()["data"]
    assert empty["record_type"] == "whatsapp_user_data" and empty["webhook_url"] is None
    data = set_webhook(fakes, failover="http://127.0.0.1:9/fallback")
    assert data["webhook_url"] == PARTNER_HOOK and data["webhook_failover_url"] == "http://127.0.0.1:9/fallback"
    cleared = fakes.tx("PATCH", "/whatsapp/user_data", json={"webhook_failover_url": ""}).json()["data"]
    assert cleared["webhook_url"] == PARTNER_HOOK and cleared["webhook_failover_url"] is None
    remote = fakes.tx("PATCH", "/whatsapp/user_data", json={"webhook_url": "https://partner.example/hook"})
    assert remote.status_code == 422 and remote.json()["errors"][0]["source"] == {"pointer": "/webhook_url"}
    not_url = fakes.tx("PATCH", "/whatsapp/user_data", json={"webhook_url": "ftp://x"})
    assert not_url.status_code == 422
    assert fakes.tx("GET", "/whatsapp/user_data", key=None).status_code == 401


def test_waba_added_is_signed_as_telnyx_signs_and_verifies_with_the_published_key(fakes):
    receiver = fakes.receiver()
    set_webhook(fakes)
    created, session_id = start(fakes)
    fakes.advance(5)
    assert receiver.posts == []  # nothing before the session ends
    fakes.advance(1)
    (post,) = receiver.posts
    published = fakes.admin("GET", "/webhooks").json()["telnyx_public_key"]
    assert published == fakes.h.telnyx_public_key
    event = verify(published, post)
    assert event["data"]["event_type"] == "whatsapp.waba_added" and event["data"]["record_type"] == "event"
    assert event["data"]["payload"] == {
        "record_type": "waba_account_added",
        "waba_id": created["waba_id"],
        "status": "SUCCESS",
        "event_id": session_id,
    }
    assert post["headers"]["Content-Type"] == "application/json"
    assert int(post["headers"]["Telnyx-Timestamp"]) == int(fakes.h.world.clock.now())


def test_a_failed_session_sends_failure_with_errors(mode, make_fakes):
    h = Harness(check_responses=True)
    h.seed_demo()
    h.seed(
        {
            "telnyx": {
                "user_data": {"webhook_url": PARTNER_HOOK},
                "signup_sessions": {"fail_at": "SHARE_CREDIT_LINE", "errors": ["credit line unavailable"]},
            }
        }
    )
    fakes = make_fakes(h)
    receiver = fakes.receiver()
    start(fakes)
    fakes.advance(10)
    (post,) = receiver.posts
    payload = verify(h.telnyx_public_key, post)["data"]["payload"]
    assert (payload["status"], payload["errors"]) == ("FAILURE", ["credit line unavailable"])


def test_official_sdk_unwraps_our_delivery(mode, make_fakes):
    telnyx = pytest.importorskip("telnyx")  # pip install 'telnyx[webhooks]' (the clients extra)
    pytest.importorskip("nacl")
    import time

    from fakes.core.clock import ManualClock

    h = Harness(clock=ManualClock(time.time()), check_responses=True)  # the SDK checks its machine's time
    h.seed_demo()
    fakes = make_fakes(h)
    receiver = fakes.receiver()
    set_webhook(fakes)
    created, session_id = start(fakes)
    fakes.advance(6)
    (post,) = receiver.posts
    client = telnyx.Telnyx(
        api_key="KEY-not-used", public_key=fakes.admin("GET", "/webhooks").json()["telnyx_public_key"]
    )
    event = client.webhooks.unwrap(post["body"].decode(), headers=post["headers"])
    assert event.data.event_type == "whatsapp.waba_added"
    assert event.data.payload.event_id == session_id and event.data.payload.waba_id == created["waba_id"]
    assert event.data.payload.status == "SUCCESS"
    forged = dict(post["headers"], **{"Telnyx-Timestamp": str(int(post["headers"]["Telnyx-Timestamp"]) + 1)})
    with pytest.raises(ValueError):
        client.webhooks.unwrap(post["body"].decode(), headers=forged)


def test_no_webhook_url_no_delivery(fakes):
    receiver = fakes.receiver()
    start(fakes)
    fakes.advance(10)
    assert receiver.posts == [] and fakes.h.webhooks()["deliveries"] == []


def test_a_failing_endpoint_is_retried_then_the_failover_gets_it(fakes):
    primary = fakes.receiver(status=500)
    backup = fakes.receiver("http://backup.localhost")
    set_webhook(fakes, failover="http://backup.localhost/telnyx")
    start(fakes)
    fakes.advance(6)
    assert len(primary.posts) == 1
    fakes.advance(1)
    assert len(primary.posts) == 2
    fakes.advance(2)
    assert len(primary.posts) == 3 and len(backup.posts) == 1
    (delivery,) = fakes.h.webhooks()["deliveries"]
    assert delivery["state"] == "delivered"
    assert [a["status"] for a in delivery["attempts"]] == [500, 500, 500, 200]
    assert delivery["attempts"][-1]["failover"] is True
    attempts = fakes.h.journal(direction="outbound")
    assert [e["status"] for e in attempts] == [500, 500, 500, 200]
    assert all(e["operation"] == "webhook:whatsapp.waba_added" for e in attempts)


@pytest.mark.parametrize("kind", ["bad_signature", "stale_timestamp"])
def test_delivery_faults_make_deliveries_a_partner_must_refuse(fakes, kind):
    receiver = fakes.receiver()
    set_webhook(fakes)
    armed = fakes.admin("POST", "/webhooks/faults", json={"kind": kind, "vendor": "telnyx"})
    assert armed.status_code == 201, armed.text
    start(fakes)
    fakes.advance(6)
    (post,) = receiver.posts
    public = fakes.h.telnyx_public_key
    if kind == "bad_signature":
        with pytest.raises(Exception):  # noqa: B017  (cryptography's InvalidSignature)
            verify(public, post)
    else:
        verify(public, post)  # genuine, but signed ten minutes ago
        assert fakes.h.world.clock.now() - int(post["headers"]["Telnyx-Timestamp"]) >= 600


def test_duplicate_fault_delivers_the_same_event_twice(fakes):
    receiver = fakes.receiver()
    set_webhook(fakes)
    fakes.h.arm_delivery_fault({"kind": "duplicate"})
    start(fakes)
    fakes.advance(6)
    first, second = receiver.posts
    assert first["body"] == second["body"]


def test_hosted_signup_create_complete_and_expire(fakes):
    created = fakes.tx("POST", "/whatsapp/hosted_signups", json={"app_id": "100000000000001"})
    assert created.status_code == 200, created.text
    hosted = created.json()["data"]
    assert hosted["record_type"] == "whatsapp_jwt" and hosted["solution_id"]
    assert hosted["url"].endswith(f"/__hosted/{hosted['id']}?jwt={hosted['jwt']}")
    fetched = fakes.tx("GET", f"/whatsapp/hosted_signups/{hosted['id']}").json()["data"]
    assert "solution_id" not in fetched and fetched["id"] == hosted["id"]
    listed = fakes.tx("GET", "/whatsapp/hosted_signups").json()
    assert [h["id"] for h in listed["data"]] == [hosted["id"]]
    page_path = hosted["url"].split("/__hosted/", 1)[1]
    page = fakes.http.get(f"{fakes.telnyx.removesuffix('/v2')}/__hosted/{page_path}", timeout=10)
    assert page.status_code == 200 and "Continue with Facebook" in page.text
    forged = fakes.http.get(f"{fakes.telnyx.removesuffix('/v2')}/__hosted/{hosted['id']}?jwt=wrong", timeout=10)
    assert forged.status_code == 404
    done = fakes.http.post(
        f"{fakes.telnyx.removesuffix('/v2')}/__hosted/{hosted['id']}/complete", data={"jwt": hosted["jwt"]}, timeout=10
    )
    assert done.status_code == 200, done.text
    tenant: Tenant = fakes.h.world.tenant("default")
    session = tenant.telnyx.sessions[tenant.telnyx.hosted_signups[hosted["id"]].session_id or ""]
    assert status(fakes, session.id)["status"] == "PENDING"
    fakes.advance(25 * 3600)
    gone = fakes.http.get(f"{fakes.telnyx.removesuffix('/v2')}/__hosted/{page_path}", timeout=10)
    assert gone.status_code == 410


def test_hosted_signup_refusals(fakes):
    unlinked = fakes.tx("POST", "/whatsapp/hosted_signups", json={"app_id": "999999999999999"})
    assert unlinked.status_code == 403 and unlinked.json()["errors"][0]["code"] == "10038"
    too_far = fakes.tx(
        "POST", "/whatsapp/hosted_signups", json={"app_id": "100000000000001", "expires_at": "2026-01-09T00:00:00Z"}
    )
    assert too_far.status_code == 422 and too_far.json()["errors"][0]["source"] == {"pointer": "/expires_at"}
    past = fakes.tx(
        "POST", "/whatsapp/hosted_signups", json={"app_id": "100000000000001", "expires_at": "2025-01-01T00:00:00Z"}
    )
    assert past.status_code == 422
    missing = fakes.tx("POST", "/whatsapp/hosted_signups", json={})
    assert missing.status_code == 422 and missing.json()["errors"][0]["code"] == "10004"
