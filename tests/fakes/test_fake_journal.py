"""The request journal: operation ids, redaction of every secret, its bound, and attached spec violations."""

from __future__ import annotations

import json

from fakes.core.journal import DEFAULT_JOURNAL_LIMIT
from fakes.harness import Harness

V = "v19.0"


def test_every_operation_is_recorded_by_its_operation_id(fakes):
    token, created = fakes.token()
    waba, phone, auth = created["waba_id"], created["phone_number_id"], fakes.bearer(token)
    fakes.graph_get("/oauth/access_token", params={"client_id": fakes.APP_ID})
    fakes.graph_get(f"/{V}/debug_token", params={"input_token": token}, headers=auth)
    fakes.graph_get("/debug_token", params={"input_token": token}, headers=auth)
    fakes.graph_get(f"/{V}/{waba}", headers=auth)
    fakes.graph_get(f"/{V}/{waba}/phone_numbers", headers=auth)
    fakes.graph_get(f"/{V}/{waba}/subscribed_apps", headers=auth)
    fakes.graph_post(f"/{V}/{waba}/subscribed_apps", headers=auth)
    fakes.graph_post(f"/{V}/{phone}/register", headers=auth, json={"messaging_product": "whatsapp", "pin": "123456"})
    fakes.register(waba, phone)
    telnyx_id = fakes.tx("GET", "/whatsapp/business_accounts").json()["data"][0]["id"]
    fakes.tx("GET", f"/whatsapp/business_accounts/{telnyx_id}")
    fakes.tx("GET", f"/whatsapp/business_accounts/{telnyx_id}/phone_numbers")
    fakes.tx("GET", "/whatsapp/phone_numbers")
    fakes.tx("DELETE", f"/whatsapp/business_accounts/{telnyx_id}")
    fakes.tx("GET", "/v2/whatsapp/phone_numbers")
    recorded = [(e["vendor"], e["operation"]) for e in fakes.h.journal()]
    assert recorded == [
        ("graph", "exchangeCode"),
        ("graph", "exchangeCodeUnversioned"),
        ("graph", "debugToken"),
        ("graph", "debugTokenUnversioned"),
        ("graph", "getNode"),
        ("graph", "listWabaPhoneNumbers"),
        ("graph", "listSubscribedApps"),
        ("graph", "subscribeApp"),
        ("graph", "registerPhoneNumber"),
        ("telnyx", "registerTechProvider"),
        ("telnyx", "listWabas"),
        ("telnyx", "getWaba"),
        ("telnyx", "listWabaPhoneNumbers"),
        ("telnyx", "listPhoneNumbers"),
        ("telnyx", "deleteWaba"),
        ("telnyx", None),  # an unknown route has no operation
    ]
    entry = fakes.h.journal(operation="registerTechProvider")[0]
    assert entry["method"] == "POST"
    assert entry["path"] == "/v2/whatsapp/business_accounts/tech_provider"
    assert entry["status"] == 200
    assert entry["request_body"] == {"waba_id": waba, "phone_number_id": phone, "app_id": fakes.APP_ID}
    assert entry["response_body"]["data"]["status"] == "registered"
    assert entry["time"] == fakes.h.world.clock.now()
    assert entry["duration_ms"] >= 0
    assert [e["seq"] for e in fakes.h.journal()] == list(range(1, 17))


def test_no_secret_ever_reaches_the_journal(fakes):
    fakes.h.seed({"telnyx": {"api_keys": [{"value": "KEYSECRETSECOND_zzzzzzzzzz"}]}})
    created = fakes.signup()
    code = created["code"]
    exchanged = fakes.exchange(code)
    token = exchanged.json()["access_token"]
    waba, phone = created["waba_id"], created["phone_number_id"]
    fakes.exchange(code)  # the used code, in an error path
    fakes.exchange(fakes.DEMO_CODE, version=None, redirect_uri="https://x.example/cb")
    fakes.graph_get(f"/{V}/debug_token", params={"input_token": token, "access_token": fakes.APP_TOKEN})
    fakes.graph_get("/debug_token", params={"input_token": fakes.APP_TOKEN}, headers=fakes.bearer(token))
    fakes.graph_get(f"/{V}/{waba}", params={"access_token": token})
    fakes.graph_get(f"/{V}/{waba}/phone_numbers", params={"access_token": token, "limit": 1})
    fakes.graph_post(f"/{V}/{waba}/subscribed_apps", data={"access_token": token, "verify_token": "vt-secret-1"})
    fakes.graph_post(
        f"/{V}/{phone}/register", data={"access_token": token, "messaging_product": "whatsapp", "pin": "918273"}
    )
    fakes.graph_post(
        f"/{V}/{phone}/register", headers=fakes.bearer(token), json={"messaging_product": "x", "pin": "918273"}
    )
    fakes.register(waba, phone)
    fakes.register(waba, phone, key="KEYSECRETSECOND_zzzzzzzzzz")
    fakes.tx("GET", "/whatsapp/business_accounts", key=fakes.REVOKED_KEY)
    fakes.tx("GET", "/whatsapp/nope", headers={"X-Api-Key": "KEYSECRETSECOND_zzzzzzzzzz"})
    fakes.h.arm_fault({"operation": "graph.exchangeCode", "status": 500})
    fakes.exchange(fakes.DEMO_CODE)
    secrets = {
        "client_secret": fakes.APP_SECRET,
        "code": code,
        "demo code": fakes.DEMO_CODE,
        "access_token": token,
        "API key": fakes.API_KEY,
        "second API key": "KEYSECRETSECOND_zzzzzzzzzz",
        "revoked API key": fakes.REVOKED_KEY,
        "pin": "918273",
        "verify_token": "vt-secret-1",
    }
    texts = {
        "python": json.dumps(fakes.h.journal()),
        "http graph": fakes.admin("GET", "/journal").text,
        "http telnyx": fakes.admin("GET", "/journal", vendor="telnyx").text,
    }
    assert len(fakes.h.journal()) == 15
    for where, text in texts.items():
        assert "[REDACTED]" in text
        for name, value in secrets.items():
            assert value not in text, f"the {name} leaked into the journal ({where})"


def test_journal_is_bounded(make_fakes):
    fakes = make_fakes(Harness(check_responses=True, journal_limit=5))
    fakes.h.seed_demo()
    for _ in range(8):
        fakes.tx("GET", "/whatsapp/business_accounts")
    entries = fakes.h.journal()
    assert len(entries) == 5
    assert [e["seq"] for e in entries] == [4, 5, 6, 7, 8]
    body = fakes.admin("GET", "/journal").json()
    assert body["limit"] == 5 and len(body["entries"]) == 5
    assert DEFAULT_JOURNAL_LIMIT == 2000 and Harness().world.journal.limit == 2000


def test_violations_are_attached_and_surfaced_in_a_header(fakes):
    created = fakes.signup()
    response = fakes.tx("POST", "/whatsapp/business_accounts/tech_provider", json={"waba_id": created["waba_id"]})
    assert response.status_code == 422
    header = json.loads(response.headers["X-Harness-Violations"])
    assert {(v["location"], v["pointer"], v["rule"]) for v in header} == {
        ("body", "/phone_number_id", "required"),
        ("body", "/app_id", "required"),
    }
    [entry] = fakes.h.journal()
    assert entry["violations"] == header
    assert entry["response_violations"] == []

    graph = fakes.graph_get(f"/{V}/oauth/access_token", params={"client_id": "abc", "code": "x"})
    assert graph.status_code == 400
    rules = {(v["pointer"], v["rule"]) for v in json.loads(graph.headers["X-Harness-Violations"])}
    assert rules == {("client_id", "pattern"), ("client_secret", "required")}
    assert fakes.h.journal()[-1]["violations"] == json.loads(graph.headers["X-Harness-Violations"])


def test_conforming_requests_carry_no_violations_header(fakes):
    ok = fakes.tx("GET", "/whatsapp/business_accounts")
    assert "X-Harness-Violations" not in ok.headers
    refused = fakes.exchange("AQunknown")  # a rule error, not a spec violation
    assert refused.status_code == 400 and "X-Harness-Violations" not in refused.headers
    assert all(e["violations"] == [] for e in fakes.h.journal())


def test_response_violations_are_attached(fakes, monkeypatch):
    """The fixture teardown asserts there are none; this shows the check catches a drifting response."""
    import fakes.telnyx.app as telnyx_app

    monkeypatch.setattr(telnyx_app, "page", lambda items, number, size: {"data": "not a list"})
    response = fakes.tx("GET", "/whatsapp/business_accounts")
    assert response.status_code == 200
    [entry] = fakes.h.journal()
    assert {(v["location"], v["pointer"], v["rule"]) for v in entry["response_violations"]} == {
        ("response", "/meta", "required"),
        ("response", "/data", "type"),
    }
    fakes.h.clear_journal()  # the drift was deliberate: keep the teardown check quiet
