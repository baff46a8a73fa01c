"""The /__admin control plane (both fakes serve it) and its Python twin on `Harness`."""

from __future__ import annotations

import json

import pytest

from fakes.core.clock import DEFAULT_EPOCH
from fakes.core.errors import HarnessError
from fakes.core.faults import Fault

VENDORS = ("graph", "telnyx")

SEED_JSON = {
    "apps": [{"id": "110000000000001", "secret": "seeded-secret", "name": "Seeded App"}],
    "wabas": [{"id": "330000000000001", "phone_numbers": [{"id": "530000000000001"}]}],
    "codes": [{"value": "AQseeded-json-code", "app_id": "110000000000001", "wabas": ["330000000000001"]}],
    "telnyx": {"api_keys": [{"value": "KEYSEEDEDJSON_x"}]},
}
SEED_YAML = """
apps:
  - id: "120000000000001"
    secret: yaml-secret
wabas:
  - id: "340000000000001"
    phone_numbers:
      - id: "540000000000001"
        phone_number: "+15550109999"
codes:
  - value: AQseeded-yaml-code
    app_id: "120000000000001"
    wabas: ["340000000000001"]
telnyx:
  api_keys:
    - value: KEYSEEDEDYAML_x
"""


def harness_error(response, status=400):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"harness_error"}
    assert body["harness_error"]["message"]
    return body["harness_error"]


@pytest.mark.parametrize("vendor", VENDORS)
def test_health_and_ready(fakes, vendor):
    health = fakes.admin("GET", "/health", vendor=vendor)
    assert health.status_code == 200 and health.json() == {"status": "ok", "vendor": vendor}
    ready = fakes.admin("GET", "/ready", vendor=vendor)
    assert ready.status_code == 200 and ready.json() == {"ready": True, "vendor": vendor}


def test_not_ready_is_503(fakes):
    fakes.h.world.ready = False
    try:
        assert fakes.admin("GET", "/ready").status_code == 503
    finally:
        fakes.h.world.ready = True


def test_control_plane_is_not_journalled(fakes):
    for vendor in VENDORS:
        fakes.admin("GET", "/health", vendor=vendor)
        fakes.admin("GET", "/journal", vendor=vendor)
    assert fakes.h.journal() == []


@pytest.mark.parametrize("vendor", VENDORS)
def test_seed_json_body(fakes, vendor):
    response = fakes.admin("POST", "/seed", vendor=vendor, json=SEED_JSON)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tenant"] == "default"
    assert body["created"]["apps"] == ["110000000000001"]
    assert body["created"]["wabas"] == ["330000000000001"]
    assert body["created"]["phone_numbers"] == ["530000000000001"]
    assert body["created"]["codes"] == ["AQseeded-json-code"]
    assert body["created"]["api_keys"] == ["KEYSEEDEDJSON_x"]
    exchanged = fakes.graph_get(
        "/v19.0/oauth/access_token",
        params={"client_id": "110000000000001", "client_secret": "seeded-secret", "code": "AQseeded-json-code"},
    )
    assert exchanged.status_code == 200
    assert fakes.tx("GET", "/whatsapp/phone_numbers", key="KEYSEEDEDJSON_x").status_code == 200


def test_seed_yaml_body(fakes):
    headers = {"Content-Type": "application/yaml"}
    response = fakes.admin("POST", "/seed", vendor="telnyx", data=SEED_YAML.encode(), headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["created"]["codes"] == ["AQseeded-yaml-code"]
    register = fakes.register("340000000000001", "540000000000001", app_id="120000000000001", key="KEYSEEDEDYAML_x")
    assert register.status_code == 200
    number = fakes.tx("GET", "/whatsapp/phone_numbers", key="KEYSEEDEDYAML_x").json()["data"][0]
    assert number["phone_number"] == "+15550109999"


@pytest.mark.parametrize("how", ["query", "header"])
def test_seed_into_a_tenant(fakes, how):
    kwargs = {"params": {"tenant": "acme"}} if how == "query" else {"headers": {"X-Harness-Tenant": "acme"}}
    response = fakes.admin("POST", "/seed", json=SEED_JSON, **kwargs)
    assert response.json()["tenant"] == "acme"
    assert "110000000000001" in fakes.h.world.tenant("acme").meta.apps
    assert "110000000000001" not in fakes.h.world.tenant("default").meta.apps


@pytest.mark.parametrize(
    "document",
    [
        "apps: [unclosed",
        "- just\n- a list\n",
        json.dumps({"bogus": []}),
        json.dumps({"apps": [{"id": "1", "mode": "sideways"}]}),
        json.dumps({"codes": [{"value": "AQx"}]}),
        json.dumps({"codes": [{"app_id": "424242"}]}),
        json.dumps({"apps": [{"id": "130000000000001"}], "wabas": "not a list"}),
        json.dumps({"wabas": [{"id": "350000000000001", "phone_numbers": ["not a mapping"]}]}),
        json.dumps({"telnyx": {"api_keys": [{"status": "paused"}]}}),
        json.dumps({"telnyx": {"registrations": [{"waba_id": "1", "phone_number_id": "2", "app_id": "3"}]}}),
        json.dumps({"telnyx": ["not", "a", "mapping"]}),
        json.dumps({"apps": [{"id": "130000000000001", "config_ids": 5}]}),
        json.dumps({"wabas": [{"id": "350000000000001", "shared_with": 5}]}),
        json.dumps({"codes": [{"app_id": "100000000000001", "age_seconds": "old"}]}),
        json.dumps({"tokens": [{"app_id": "100000000000001", "expires_in": "never"}]}),
    ],
)
def test_bad_seed_is_400_and_loses_nothing(fakes, document):
    before = fakes.signup()
    response = fakes.admin("POST", "/seed", data=document.encode(), headers={"Content-Type": "application/json"})
    error = harness_error(response)
    assert error["type"] in ("SeedError", "AdminRequestError")
    # What was stored before is all still there.
    assert fakes.exchange(before["code"]).status_code == 200
    assert fakes.exchange(fakes.DEMO_CODE).status_code == 200
    assert fakes.tx("GET", "/whatsapp/business_accounts").status_code == 200
    # And the bad document left nothing half-applied.
    meta = fakes.h.world.tenant().meta
    assert "130000000000001" not in meta.apps and "350000000000001" not in meta.wabas


def test_seed_from_python(fakes):
    created = fakes.h.seed(SEED_YAML)
    assert created["apps"] == ["120000000000001"]
    assert fakes.h.seed(SEED_YAML.encode())["apps"] == ["120000000000001"]
    with pytest.raises(HarnessError):
        fakes.h.seed({"nope": 1})


def test_seed_mints_what_it_is_not_given(fakes):
    created = fakes.h.seed({"apps": [{}], "wabas": [{"phone_numbers": [{}]}], "telnyx": {"api_keys": [{}]}})
    [app_id], [waba_id], [phone_id], [key] = (
        created["apps"],
        created["wabas"],
        created["phone_numbers"],
        created["api_keys"],
    )
    assert app_id.isdigit() and waba_id.isdigit() and phone_id.isdigit()
    assert key.startswith("KEY")
    waba = fakes.h.world.tenant().meta.wabas[waba_id]
    assert waba.phone_number_ids == (phone_id,)
    assert app_id in waba.shared_with


def test_clock(fakes):
    clock = fakes.admin("GET", "/clock").json()
    assert clock == {"now": DEFAULT_EPOCH, "iso": "2026-01-01T00:00:00.000Z"}
    advanced = fakes.admin("POST", "/clock/advance", vendor="telnyx", json={"seconds": 90.5})
    assert advanced.status_code == 200
    assert advanced.json() == {"now": DEFAULT_EPOCH + 90.5, "iso": "2026-01-01T00:01:30.500Z"}
    assert fakes.h.advance_clock(9.5) == DEFAULT_EPOCH + 100
    assert fakes.admin("GET", "/clock", vendor="telnyx").json()["now"] == DEFAULT_EPOCH + 100


@pytest.mark.parametrize("body", [{}, {"seconds": "ten"}, {"seconds": -1}, ["seconds"]])
def test_bad_clock_advance_is_400(fakes, body):
    harness_error(fakes.admin("POST", "/clock/advance", json=body))
    assert fakes.admin("GET", "/clock").json()["now"] == DEFAULT_EPOCH


def test_admin_body_that_is_not_json_is_400(fakes):
    response = fakes.admin("POST", "/clock/advance", data=b"seconds=3", headers={"Content-Type": "application/json"})
    harness_error(response)


def _traffic(fakes):
    fakes.h.seed({"telnyx": {"api_keys": [{"value": "KEYACME_x"}]}}, tenant="acme")
    fakes.exchange(fakes.DEMO_CODE)
    fakes.tx("GET", "/whatsapp/business_accounts")
    fakes.tx("GET", "/whatsapp/phone_numbers", key="KEYACME_x")
    fakes.tx("GET", "/whatsapp/business_accounts", key="KEYACME_x")


def test_journal_filters_over_http(fakes):
    _traffic(fakes)
    everything = fakes.admin("GET", "/journal").json()
    assert everything["limit"] == 2000
    entries = everything["entries"]
    assert [e["operation"] for e in entries] == ["exchangeCode", "listWabas", "listPhoneNumbers", "listWabas"]
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)

    def ops(**params):
        return [
            e["operation"] for e in fakes.admin("GET", "/journal", vendor="telnyx", params=params).json()["entries"]
        ]

    assert ops(tenant="acme") == ["listPhoneNumbers", "listWabas"]
    assert ops(vendor="graph") == ["exchangeCode"]
    assert ops(vendor="telnyx", tenant="default") == ["listWabas"]
    assert ops(operation="listWabas") == ["listWabas", "listWabas"]
    assert ops(since=entries[1]["seq"]) == ["listPhoneNumbers", "listWabas"]
    assert ops(tenant="nobody") == []
    by_header = fakes.admin("GET", "/journal", headers={"X-Harness-Tenant": "acme"}).json()["entries"]
    by_prefix = fakes.http.get(f"{fakes.tenant_graph('acme')}/__admin/journal", timeout=10).json()["entries"]
    assert [e["operation"] for e in by_header] == [e["operation"] for e in by_prefix] == ops(tenant="acme")
    harness_error(fakes.admin("GET", "/journal", params={"since": "yesterday"}))


def test_journal_filters_from_python(fakes):
    _traffic(fakes)
    assert [e["operation"] for e in fakes.h.journal(tenant="acme")] == ["listPhoneNumbers", "listWabas"]
    assert [e["vendor"] for e in fakes.h.journal(operation="exchangeCode")] == ["graph"]
    last = fakes.h.journal()[-1]["seq"]
    assert fakes.h.journal(since=last) == []


def test_journal_clear(fakes):
    _traffic(fakes)
    assert fakes.admin("DELETE", "/journal", params={"tenant": "acme"}).json() == {"cleared": True}
    assert {e["tenant"] for e in fakes.h.journal()} == {"default"}
    fakes.tx("GET", "/whatsapp/business_accounts", key="KEYACME_x")
    assert fakes.admin("DELETE", "/journal", headers={"X-Harness-Tenant": "acme"}).json() == {"cleared": True}
    assert {e["tenant"] for e in fakes.h.journal()} == {"default"}
    assert fakes.admin("DELETE", "/journal", vendor="telnyx").json() == {"cleared": True}
    assert fakes.h.journal() == []
    # Sequence numbers keep counting after a clear.
    fakes.tx("GET", "/whatsapp/business_accounts")
    assert fakes.h.journal()[0]["seq"] == 6
    fakes.h.clear_journal()
    assert fakes.h.journal() == []


def test_faults_arm_list_clear_over_http(fakes):
    fault = {"operation": "telnyx.listWabas", "status": 503, "times": 2}
    armed = fakes.admin("POST", "/faults", vendor="telnyx", json=fault)
    assert armed.status_code == 201
    assert armed.json()["armed"] == {
        "operation": "telnyx.listWabas",
        "status": 503,
        "error": {},
        "headers": {},
        "delay": 0.0,
        "drop_connection": False,
        "malformed_body": False,
        "times": 2,
        "hits": 0,
    }
    assert fakes.tx("GET", "/whatsapp/business_accounts").status_code == 503
    [listed] = fakes.admin("GET", "/faults").json()["faults"]
    assert listed["hits"] == 1
    assert fakes.admin("DELETE", "/faults").json() == {"cleared": True}
    assert fakes.admin("GET", "/faults", vendor="telnyx").json() == {"faults": []}
    assert fakes.tx("GET", "/whatsapp/business_accounts").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"status": 500},
        {"operation": "telnyx.listWabas", "colour": "red"},
        {"operation": "telnyx.listWabas", "times": 0},
        ["telnyx.listWabas"],
    ],
)
def test_bad_fault_is_400(fakes, body):
    harness_error(fakes.admin("POST", "/faults", json=body))
    assert fakes.admin("GET", "/faults").json() == {"faults": []}


def test_bad_fault_from_python(fakes):
    with pytest.raises(HarnessError):
        fakes.h.arm_fault({"operation": "telnyx.listWabas", "times": -1})
    armed = fakes.h.arm_fault(Fault(operation="graph.getNode", status=500))
    assert fakes.h.control.faults() == [armed.to_dict()]


def test_signups_over_http(fakes):
    response = fakes.admin("POST", "/signups", json={"app_id": fakes.APP_ID})
    assert response.status_code == 201
    body = response.json()
    assert body["code"].startswith("AQ")
    assert body["login_response"] == {
        "authResponse": {"userID": None, "expiresIn": None, "code": body["code"]},
        "status": "connected",
    }
    assert body["event"] == {
        "data": {
            "phone_number_id": body["phone_number_id"],
            "waba_id": body["waba_id"],
            "business_id": body["business_id"],
        },
        "type": "WA_EMBEDDED_SIGNUP",
        "event": "FINISH",
        "version": 3,
    }
    exchanged = fakes.exchange(body["code"])
    assert exchanged.status_code == 200
    assert fakes.register(body["waba_id"], body["phone_number_id"]).status_code == 200


def test_signup_into_a_tenant_over_http(fakes):
    fakes.h.seed({"apps": [{"id": fakes.APP_ID, "secret": fakes.APP_SECRET}]}, tenant="acme")
    body = fakes.admin("POST", "/signups", vendor="telnyx", params={"tenant": "acme"}, json={"app_id": fakes.APP_ID})
    assert body.status_code == 201
    assert body.json()["waba_id"] in fakes.h.world.tenant("acme").meta.wabas
    assert body.json()["waba_id"] not in fakes.h.world.tenant("default").meta.wabas


def test_cancelled_signup_mints_no_code(fakes):
    body = fakes.admin(
        "POST", "/signups", json={"app_id": fakes.APP_ID, "outcome": "CANCEL", "current_step": "PERMISSIONS"}
    ).json()
    assert body["code"] is None and body["waba_id"] is None
    assert body["event"]["event"] == "CANCEL"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"app_id": "999"},
        {"app_id": "100000000000001", "colour": "red"},
        {"app_id": "100000000000001", "outcome": "X"},
    ],
)
def test_bad_signup_is_400(fakes, body):
    harness_error(fakes.admin("POST", "/signups", json=body))
