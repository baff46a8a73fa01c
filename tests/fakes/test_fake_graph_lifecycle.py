"""A number's lifecycle (register, deregister, two-step PIN), subscribed_apps and call budgets
(fakes/graph/phone_numbers.py, subscriptions.py, limits.py)."""

from __future__ import annotations

import json

import pytest

from fakes.graph import phone_numbers

V = "v22.0"


def _register(fakes, token, phone_id, pin="123456", **extra):
    body = {"messaging_product": "whatsapp", "pin": pin, **extra}
    return fakes.graph_post(f"/{V}/{phone_id}/register", json=body, headers=fakes.bearer(token))


def _status(fakes, token, phone_id):
    return fakes.graph_get(f"/{V}/{phone_id}", params={"fields": "status,platform_type"}, headers=fakes.bearer(token))


def test_register_moves_pending_to_connected_and_deregister_back(fakes):
    token, created = fakes.token()
    phone = created["phone_number_id"]
    assert _status(fakes, token, phone).json() == {"status": "PENDING", "platform_type": "NOT_APPLICABLE", "id": phone}
    assert _register(fakes, token, phone, data_localization_region="DE").json() == {"success": True}
    assert _status(fakes, token, phone).json() == {"status": "CONNECTED", "platform_type": "CLOUD_API", "id": phone}
    number = fakes.h.world.tenant().meta.phone_numbers[phone]
    assert number.data_localization_region == "DE" and number.pin == "123456"
    out = fakes.graph_post(f"/{V}/{phone}/deregister", headers=fakes.bearer(token))
    assert out.json() == {"success": True}
    assert _status(fakes, token, phone).json()["status"] == "DISCONNECTED"


def test_two_step_pin_then_mismatch_then_too_fast_then_too_many(fakes):
    token, created = fakes.token()
    phone = created["phone_number_id"]
    assert fakes.graph_post(f"/{V}/{phone}", json={"pin": "654321"}, headers=fakes.bearer(token)).json() == {
        "success": True
    }
    mismatch = _register(fakes, token, phone, pin="111111")
    error = mismatch.json()["error"]
    assert mismatch.status_code == 400 and error["code"] == 133005
    assert error["error_data"]["messaging_product"] == "whatsapp"
    assert _register(fakes, token, phone, pin="222222").json()["error"]["code"] == 133009  # within 5 s
    for _ in range(3):
        fakes.h.advance_clock(10)
        assert _register(fakes, token, phone, pin="333333").json()["error"]["code"] == 133005
    fakes.h.advance_clock(10)
    assert _register(fakes, token, phone, pin="654321").json()["error"]["code"] == 133008  # even the right one
    fakes.h.advance_clock(24 * 3600)
    assert _register(fakes, token, phone, pin="654321").json() == {"success": True}


def test_register_refusals(fakes):
    token, created = fakes.token()
    number = fakes.h.world.tenant().meta.phone_numbers[created["phone_number_id"]]
    number.needs_reverification = True
    assert _register(fakes, token, number.id).json()["error"]["code"] == 133006
    number.needs_reverification, number.deleted_at = False, fakes.h.world.clock.now()
    assert _register(fakes, token, number.id).json()["error"]["code"] == 133015
    fakes.h.advance_clock(301)
    for _ in range(10):
        assert _register(fakes, token, number.id).status_code == 200
    assert _register(fakes, token, number.id).json()["error"]["code"] == 133016


def test_coexistence_number_cannot_be_registered(fakes):
    token, created = fakes.token(outcome="FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING")
    response = _register(fakes, token, created["phone_number_id"])
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "(#100) Register endpoint is not available for SMB businesses"


def test_register_function_for_other_fakes(fakes):
    created = fakes.signup()
    tenant = fakes.h.world.tenant()
    phone = phone_numbers.register_phone_number(tenant, created["phone_number_id"], "246810")
    assert phone.status == "CONNECTED" and phone.registered
    with pytest.raises(Exception) as refused:
        phone_numbers.register_phone_number(tenant, created["phone_number_id"], "000000")
    assert getattr(refused.value, "code", None) == 133005


def test_subscribed_apps_override_stored_shown_and_deleted(fakes):
    fakes.receiver("https://p.example.com", verify_token="v")  # answers Meta's verification request
    token, created = fakes.token()
    path, auth = f"/{V}/{created['waba_id']}/subscribed_apps", fakes.bearer(token)
    early = fakes.graph_post(
        path, json={"override_callback_uri": "https://p.example.com/h", "verify_token": "v"}, headers=auth
    )
    assert early.status_code == 400 and "must be subscribed" in early.json()["error"]["message"]
    assert fakes.graph_post(path, headers=auth).json() == {"success": True}
    fakes.graph_post(path, json={"override_callback_uri": "https://p.example.com/h", "verify_token": "v"}, headers=auth)
    [entry] = fakes.graph_get(path, headers=auth).json()["data"]
    assert entry["override_callback_uri"] == "https://p.example.com/h" and "verify_token" not in entry
    waba = fakes.h.world.tenant().meta.wabas[created["waba_id"]]
    assert waba.subscription_overrides[fakes.APP_ID]["verify_token"] == "v"
    assert fakes.http.delete(f"{fakes.graph}{path}", headers=auth, timeout=10).json() == {"success": True}
    assert fakes.graph_get(path, headers=auth).json() == {"data": []}


def test_usage_headers_on_every_response_and_the_app_budget(fakes):
    token, created = fakes.token()
    fakes.h.world.tenant().meta.apps[fakes.APP_ID].call_budget = 4
    path = f"/{V}/{created['waba_id']}/phone_numbers"
    first = fakes.graph_get(path, headers=fakes.bearer(token))
    assert json.loads(first.headers["x-app-usage"])["call_count"] > 0
    usage = json.loads(first.headers["x-business-use-case-usage"])[created["waba_id"]][0]
    assert usage["type"] == "whatsapp_business_management"
    for _ in range(4):
        last = fakes.graph_get(path, headers=fakes.bearer(token))
    error = last.json()["error"]
    assert last.status_code == 400 and error["code"] == 4 and error["is_transient"] is True
    assert json.loads(last.headers["x-app-usage"])["call_count"] == 100
    fakes.h.advance_clock(3600)
    assert fakes.graph_get(path, headers=fakes.bearer(token)).status_code == 200


def test_the_waba_budget_is_80008_with_time_to_regain_access(fakes):
    token, created = fakes.token()
    fakes.h.world.tenant().meta.wabas[created["waba_id"]].call_budget = 2
    path = f"/{V}/{created['waba_id']}/phone_numbers"
    for _ in range(3):
        response = fakes.graph_get(path, headers=fakes.bearer(token))
    error = response.json()["error"]
    assert error["code"] == 80008 and error["is_transient"] is True
    assert error["error_data"]["messaging_product"] == "whatsapp"
    usage = json.loads(response.headers["x-business-use-case-usage"])[created["waba_id"]][0]
    assert usage["estimated_time_to_regain_access"] > 0
