"""The signup options that give the popup's number and WABA a past (fakes/graph/signup.py): the number's
register history and deletion, the WABA's call budget already spent, an existing business. Each is checked
through what Graph and Telnyx's session then answer, in both transports."""

from __future__ import annotations

import json

import pytest

from fakes.core.errors import HarnessError
from fakes.graph import phone_numbers
from fakes.graph.signup import SignupRequest

V = "v22.0"
ACME_BUSINESS, ACME_WABA = "200000000000001", "300000000000001"


def _register(fakes, token, phone_id):
    body = {"messaging_product": "whatsapp", "pin": "123456"}
    return fakes.graph_post(f"/{V}/{phone_id}/register", json=body, headers=fakes.bearer(token))


def _session_errors(fakes, created):
    response = fakes.register(created["waba_id"], created["phone_number_id"])
    assert response.status_code == 200, response.text
    fakes.advance(10)
    status = fakes.tx("GET", f"/whatsapp/signup/{response.json()['data']['session_id']}/status").json()["data"]
    assert (status["status"], status["state"]) == ("FAILURE", "REGISTER_PHONE_NUMBER")
    return status["errors"]


def test_register_calls_at_the_limit_make_meta_answer_133016(fakes):
    token, created = fakes.token(register_calls=phone_numbers.REGISTER_LIMIT)
    refused = _register(fakes, token, created["phone_number_id"])
    assert refused.json()["error"]["code"] == 133016


def test_register_calls_below_the_limit_still_register(fakes):
    token, created = fakes.token(register_calls=phone_numbers.REGISTER_LIMIT - 1)
    assert _register(fakes, token, created["phone_number_id"]).json() == {"success": True}


def test_telnyx_s_session_fails_with_meta_s_133016(fakes):
    created = fakes.signup(register_calls=phone_numbers.REGISTER_LIMIT)
    assert any(e.startswith("Meta error 133016:") for e in _session_errors(fakes, created))


def test_a_recently_deleted_number_is_133015_until_the_wait_is_over(fakes):
    token, created = fakes.token(deleted_seconds_ago=60)
    assert _register(fakes, token, created["phone_number_id"]).json()["error"]["code"] == 133015
    fakes.h.advance_clock(phone_numbers.RECENTLY_DELETED_SECONDS)
    assert _register(fakes, token, created["phone_number_id"]).json() == {"success": True}


def test_telnyx_s_session_fails_with_meta_s_133015(fakes):
    created = fakes.signup(deleted_seconds_ago=0)
    assert any(e.startswith("Meta error 133015:") for e in _session_errors(fakes, created))


def test_a_spent_waba_budget_is_80008_on_the_first_call(fakes):
    token, created = fakes.token(waba_call_budget=3, waba_calls_used=3)
    response = fakes.graph_get(f"/{V}/{created['waba_id']}/phone_numbers", headers=fakes.bearer(token))
    assert response.status_code == 400 and response.json()["error"]["code"] == 80008
    usage = json.loads(response.headers["x-business-use-case-usage"])[created["waba_id"]][0]
    assert usage["call_count"] == 100 and usage["estimated_time_to_regain_access"] > 0


def test_a_waba_budget_with_room_left_answers(fakes):
    token, created = fakes.token(waba_call_budget=3, waba_calls_used=2)
    response = fakes.graph_get(f"/{V}/{created['waba_id']}/phone_numbers", headers=fakes.bearer(token))
    assert response.status_code == 200, response.text


def test_an_existing_business_s_other_waba_is_not_granted_code_200(fakes):
    token, created = fakes.token(business_id=ACME_BUSINESS)
    assert created["business_id"] == ACME_BUSINESS
    mine = fakes.graph_get(f"/{V}/{created['waba_id']}/phone_numbers", headers=fakes.bearer(token))
    assert mine.status_code == 200, mine.text
    other = fakes.graph_get(f"/{V}/{ACME_WABA}/phone_numbers", headers=fakes.bearer(token))
    assert other.status_code == 403 and other.json()["error"]["code"] == 200


def test_an_unknown_business_is_a_harness_error(fakes):
    with pytest.raises(HarnessError, match="no business"):
        fakes.signup(business_id="299999999999999")


@pytest.mark.parametrize(
    "bad",
    [{"register_calls": -1}, {"register_calls": True}, {"waba_calls_used": 1.5}, {"deleted_seconds_ago": -1}],
)
def test_bad_values_are_refused(bad):
    with pytest.raises(HarnessError):
        SignupRequest(app_id="100000000000001", **bad)


def test_the_admin_spec_knows_every_signup_option():
    import dataclasses

    from fakes.core.admin_spec import admin_spec

    schema = admin_spec().document["components"]["schemas"]["SignupRequest"]["properties"]
    assert {f.name for f in dataclasses.fields(SignupRequest)} <= set(schema)
