"""Armed faults: vendor errors in each vendor's envelope, times, delays, dropped connections, malformed bodies."""

from __future__ import annotations

import json
import re
import time

import pytest
import requests

from fakes.core.faults import Fault

V = "v19.0"
LIST_WABAS = "/whatsapp/business_accounts"


def debug_token(fakes, **kwargs):
    return fakes.graph_get(
        f"/{V}/debug_token", params={"input_token": fakes.APP_TOKEN, "access_token": fakes.APP_TOKEN}, **kwargs
    )


@pytest.mark.parametrize(
    ("status", "code", "title"),
    [
        (429, "10011", "Too many requests"),
        (500, "10007", "Unexpected error"),
        (503, "10037", "Service unavailable"),
        (401, "10009", "Authentication failed"),
    ],
)
def test_telnyx_status_faults_use_the_telnyx_envelope(fakes, status, code, title):
    fakes.h.arm_fault({"operation": "telnyx.listWabas", "status": status})
    response = fakes.tx("GET", LIST_WABAS)
    assert response.status_code == status
    [item] = response.json()["errors"]
    assert (item["code"], item["title"]) == (code, title)
    assert item["meta"]["url"].endswith(f"/errors/{code}")
    assert response.headers["x-request-id"]
    if status == 429:
        assert response.headers["Retry-After"] == "1"
    else:
        assert "Retry-After" not in response.headers


def test_telnyx_fault_overrides(fakes):
    fakes.h.arm_fault(
        {
            "operation": "telnyx.registerTechProvider",
            "status": 429,
            "headers": {"Retry-After": "30"},
            "error": {"detail": "slow down"},
        }
    )
    created = fakes.signup()
    response = fakes.register(created["waba_id"], created["phone_number_id"])
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert response.json()["errors"][0]["detail"] == "slow down"


@pytest.mark.parametrize(
    ("status", "code", "transient"),
    [(500, 1, True), (503, 2, True), (400, 4, True)],
)
def test_graph_status_faults_use_the_graph_envelope(fakes, status, code, transient):
    fakes.h.arm_fault({"operation": "graph.debugToken", "status": status})
    response = debug_token(fakes)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["is_transient"] is transient
    assert error["type"] == "OAuthException"
    assert error["fbtrace_id"] == response.headers["x-fb-trace-id"]
    if status == 500:
        assert error["message"] == "An unknown error occurred"


def test_graph_fault_overrides(fakes):
    fakes.h.arm_fault(
        {
            "operation": "graph.exchangeCode",
            "status": 400,
            "error": {"code": 80007, "message": "(#80007) There have been too many calls to this WABA/Phone-Number-ID"},
        }
    )
    response = fakes.exchange(fakes.signup()["code"])
    assert response.json()["error"]["code"] == 80007


@pytest.mark.parametrize("times", [1, 2])
def test_times_is_honoured(fakes, times):
    fakes.h.arm_fault({"operation": "telnyx.listWabas", "status": 503, "times": times})
    statuses = [fakes.tx("GET", LIST_WABAS).status_code for _ in range(times + 2)]
    assert statuses == [503] * times + [200, 200]
    assert fakes.h.control.faults() == []


def test_times_none_hits_every_request_until_cleared(fakes):
    fakes.h.arm_fault({"operation": "graph.debugToken", "status": 500, "times": None})
    assert [debug_token(fakes).status_code for _ in range(3)] == [500, 500, 500]
    [armed] = fakes.h.control.faults()
    assert armed["hits"] == 3
    fakes.h.control.clear_faults()
    assert debug_token(fakes).status_code == 200


def test_a_fault_only_hits_its_operation(fakes):
    fakes.h.arm_fault({"operation": "telnyx.listPhoneNumbers", "status": 503})
    assert fakes.tx("GET", LIST_WABAS).status_code == 200
    assert debug_token(fakes).status_code == 200
    assert fakes.tx("GET", "/whatsapp/phone_numbers").status_code == 503


def test_wildcard_fault_hits_any_operation_of_its_vendor(fakes):
    fakes.h.arm_fault({"operation": "telnyx.*", "status": 503, "times": 2})
    assert debug_token(fakes).status_code == 200
    assert fakes.tx("GET", LIST_WABAS).status_code == 503
    assert fakes.tx("GET", "/whatsapp/phone_numbers").status_code == 503
    assert fakes.tx("GET", LIST_WABAS).status_code == 200


def test_faults_are_consumed_in_the_order_armed(fakes):
    fakes.h.arm_fault(Fault(operation="telnyx.listWabas", status=429))
    fakes.h.arm_fault(Fault(operation="telnyx.listWabas", status=503))
    assert [fakes.tx("GET", LIST_WABAS).status_code for _ in range(3)] == [429, 503, 200]


@pytest.mark.parametrize("vendor", ["telnyx", "graph"])
def test_delay_then_the_real_answer(fakes, vendor):
    delay = 0.3
    operation = "telnyx.listWabas" if vendor == "telnyx" else "graph.debugToken"
    fakes.h.arm_fault({"operation": operation, "delay": delay})
    started = time.monotonic()
    response = fakes.tx("GET", LIST_WABAS) if vendor == "telnyx" else debug_token(fakes)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed >= delay
    assert fakes.h.control.faults() == []  # spent: the next request is not delayed
    [entry] = fakes.h.journal()
    assert entry["fault"] == f"{operation} delay={delay}s"
    assert entry["duration_ms"] >= delay * 1000


def test_delay_longer_than_the_read_timeout(fakes):
    fakes.h.arm_fault({"operation": "telnyx.listWabas", "delay": 0.5})
    with pytest.raises(requests.ReadTimeout):
        fakes.http.get(fakes.telnyx + LIST_WABAS, headers={"Authorization": f"Bearer {fakes.API_KEY}"}, timeout=0.1)


@pytest.mark.parametrize("vendor", ["telnyx", "graph"])
def test_dropped_connection_is_a_connection_error(fakes, vendor):
    operation = "telnyx.listWabas" if vendor == "telnyx" else "graph.debugToken"
    fakes.h.arm_fault({"operation": operation, "drop_connection": True})
    with pytest.raises(requests.ConnectionError):
        fakes.tx("GET", LIST_WABAS) if vendor == "telnyx" else debug_token(fakes)
    # Then the fake answers again (times defaults to 1).
    response = fakes.tx("GET", LIST_WABAS) if vendor == "telnyx" else debug_token(fakes)
    assert response.status_code == 200
    dropped = [e for e in fakes.h.journal() if e["fault"]]
    assert [e["fault"] for e in dropped] == [f"{operation} drop_connection"]


@pytest.mark.parametrize("vendor", ["telnyx", "graph"])
def test_malformed_body_is_invalid_json(fakes, vendor):
    operation = "telnyx.listWabas" if vendor == "telnyx" else "graph.debugToken"
    fakes.h.arm_fault({"operation": operation, "malformed_body": True})
    response = fakes.tx("GET", LIST_WABAS) if vendor == "telnyx" else debug_token(fakes)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        response.json()
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_malformed_body_with_a_status(fakes):
    fakes.h.arm_fault({"operation": "telnyx.listWabas", "malformed_body": True, "status": 502})
    response = fakes.tx("GET", LIST_WABAS)
    assert response.status_code == 502
    with pytest.raises(ValueError):
        response.json()


def test_faults_are_per_tenant(fakes):
    fakes.h.seed({"telnyx": {"api_keys": [{"value": "KEYACME_x"}]}}, tenant="acme")
    fakes.h.arm_fault({"operation": "telnyx.listWabas", "status": 503, "times": None}, tenant="acme")
    assert fakes.tx("GET", LIST_WABAS).status_code == 200
    assert fakes.tx("GET", LIST_WABAS, key="KEYACME_x").status_code == 503
    assert fakes.tx("GET", LIST_WABAS, key="KEYACME_x", base=fakes.tenant_telnyx("acme")).status_code == 503
    assert fakes.h.control.faults("default") == []
    assert len(fakes.h.control.faults("acme")) == 1


def test_faults_over_http_are_per_tenant(fakes):
    armed = fakes.admin(
        "POST", "/faults", params={"tenant": "acme"}, json={"operation": "graph.debugToken", "status": 500}
    )
    assert armed.status_code == 201
    assert debug_token(fakes).status_code == 200
    assert debug_token(fakes, headers={"X-Harness-Tenant": "acme"}).status_code == 500


def test_faulted_exchanges_are_journalled(fakes):
    fakes.h.arm_fault({"operation": "telnyx.listWabas", "status": 429})
    fakes.tx("GET", LIST_WABAS)
    [entry] = fakes.h.journal(operation="listWabas")
    assert entry["status"] == 429
    assert entry["fault"] == "telnyx.listWabas status=429"


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"operation": "telnyx.registerTechProvidr", "status": 503}, "unknown operation 'telnyx.registerTechProvidr'"),
        ({"operation": "stripe.*", "status": 503}, "unknown vendor 'stripe'"),
        ({"operation": "telnyx.registerTechProvider", "status": 200}, "'status' must be between 400 and 599"),
        ({"operation": "telnyx.registerTechProvider", "status": 422, "error": {"code": "99999"}}, "99999"),
    ],
)
def test_a_fault_that_could_never_fire_properly_is_refused_when_armed(fault: dict, message: str) -> None:
    from fakes.core.errors import HarnessError
    from fakes.harness import Harness

    harness = Harness()
    with pytest.raises(HarnessError, match=re.escape(message)):
        harness.arm_fault(fault)
    assert harness.control.faults() == []
