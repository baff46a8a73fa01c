"""The control plane cannot be abused: a tenant cannot reach another, the root needs the admin token, and no web
page can drive it (cross-origin, non-JSON bodies, DNS rebinding)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from fakes.core.access import ADMIN_TOKEN_HEADER
from fakes.core.admin_spec import admin_spec
from fakes.harness import Harness
from harness.arming import enable_scenario_arming

APP_ID = "100000000000001"
OTHER_APP = "110000000000009"

# One valid request per control-plane operation: (method, path, json body). Adding an operation to
# specs/admin.yaml without a line here fails `test_every_operation_is_covered`.
REQUESTS: dict[str, tuple[str, str, Any]] = {
    "getHealth": ("GET", "/health", None),
    "getReady": ("GET", "/ready", None),
    "getClock": ("GET", "/clock", None),
    "advanceClock": ("POST", "/clock/advance", {"seconds": 31}),
    "resetWorld": ("POST", "/reset", None),
    "seedTenant": ("POST", "/seed", {"apps": [{"id": OTHER_APP, "secret": "planted-secret-000"}]}),
    "getJournal": ("GET", "/journal", None),
    "clearJournal": ("DELETE", "/journal", None),
    "listFaults": ("GET", "/faults", None),
    "armFault": ("POST", "/faults", {"operation": "graph.exchangeCode", "status": 500}),
    "clearFaults": ("DELETE", "/faults", None),
    "getWebhooks": ("GET", "/webhooks", None),
    "armDeliveryFault": ("POST", "/webhooks/faults", {"kind": "duplicate"}),
    "clearDeliveryFaults": ("DELETE", "/webhooks/faults", None),
    "completeSignup": ("POST", "/signups", {"app_id": APP_ID}),
    "armScenario": ("POST", "/scenarios/telnyx-revoked-key", None),
    "getWorld": ("GET", "/world", None),
    "getTimeline": ("GET", "/timeline", None),
    "listTenants": ("GET", "/tenants", None),
    "listScenarios": ("GET", "/scenarios", None),
    "getLiveView": ("GET", "/ui", None),
    "getLiveViewAsset": ("GET", "/ui/static/ui.js", None),
}
PUBLIC = {"getHealth", "getReady", "getClock", "listScenarios", "getLiveView", "getLiveViewAsset"}
ROOT_ONLY = {"advanceClock", "listTenants"}


@pytest.fixture(scope="module")
def built() -> Harness:
    h = Harness(seed=11)
    enable_scenario_arming(h)
    return h


@pytest.fixture
def harness(built: Harness) -> Harness:
    """The module's harness with a fresh world: tenants alpha and bravo, each seeded, faulted and signed up."""
    h = built
    h.reset()
    h.world.access.remote = False
    for tenant in ("alpha", "bravo"):
        h.seed_demo(tenant)
        h.arm_fault({"operation": "telnyx.listWabas", "status": 503, "times": None}, tenant)
        h.complete_signup(tenant, app_id=APP_ID)
    client = h.telnyx_app.test_client()
    client.get("/_t/bravo/v2/whatsapp/business_accounts")  # a journal entry of bravo's
    return h


def snapshot(h: Harness, tenant: str) -> dict[str, Any]:
    """Everything a neighbour could read or change about a tenant."""
    if tenant not in h.world.tenants:
        return {"exists": False}
    t = h.world.tenants[tenant]
    return {
        "apps": {k: vars(v).copy() for k, v in t.meta.apps.items()},
        "wabas": sorted(t.meta.wabas),
        "codes": sorted(t.meta.codes),
        "tokens": sorted(t.meta.tokens),
        "keys": sorted(t.telnyx.api_keys),
        "registrations": sorted(t.telnyx.registrations),
        "faults": [f.to_dict() for f in t.faults.armed()],
        "plan": t.signup_plan,
        "journal": [e.seq for e in h.world.journal.entries(tenant=tenant)],
        "clock": h.world.clock.now(),
    }


def call(h: Harness, operation: str, prefix: str = "", vendor: str = "graph", **kwargs: Any):
    method, path, body = REQUESTS[operation]
    app = h.graph_app if vendor == "graph" else h.telnyx_app
    if body is not None:
        kwargs.setdefault("json", body)
    return app.test_client().open(f"{prefix}/__admin{path}", method=method, **kwargs)


def test_every_operation_is_covered() -> None:
    assert set(REQUESTS) == set(admin_spec().operations)
    scopes = {op_id: op.extensions["x-harness-scope"] for op_id, op in admin_spec().operations.items()}
    assert {k for k, v in scopes.items() if v == "public"} == PUBLIC
    assert {k for k, v in scopes.items() if v == "root"} == ROOT_ONLY


# -- a tenant cannot reach another tenant by any route --------------------------------------------------------

NAMING_ANOTHER = {
    "query": lambda: {"query_string": {"tenant": "bravo"}},
    "header-and-query": lambda: {"headers": {"X-Harness-Tenant": "alpha"}, "query_string": {"tenant": "bravo"}},
    "prefix-and-header": lambda: {"headers": {"X-Harness-Tenant": "bravo"}},
}


@pytest.mark.parametrize("vendor", ["graph", "telnyx"])
@pytest.mark.parametrize("how", sorted(NAMING_ANOTHER))
@pytest.mark.parametrize("operation", sorted(set(REQUESTS) - PUBLIC))
def test_a_tenant_context_cannot_name_another_tenant(harness, operation, how, vendor):
    before = snapshot(harness, "bravo")
    prefix = "" if how == "header-and-query" else "/_t/alpha"
    response = call(harness, operation, prefix, vendor, **NAMING_ANOTHER[how]())
    assert response.status_code in (400, 403), response.get_data(as_text=True)
    assert response.json["harness_error"]["type"] == "AdminAccessError"
    assert snapshot(harness, "bravo") == before


def test_a_tenant_body_naming_another_tenant_is_refused(harness):
    before = snapshot(harness, "bravo")
    response = harness.graph_app.test_client().post("/_t/alpha/__admin/reset", json={"tenant": "bravo"})
    assert response.status_code == 403
    assert "scoped to tenant 'alpha'" in response.json["harness_error"]["message"]
    assert snapshot(harness, "bravo") == before


@pytest.mark.parametrize("context", ["prefix", "header"])
@pytest.mark.parametrize("operation", sorted(set(REQUESTS) - PUBLIC - ROOT_ONLY))
def test_in_a_tenant_context_every_operation_acts_on_that_tenant_only(harness, operation, context):
    before = snapshot(harness, "bravo")
    kwargs: dict[str, Any] = {"headers": {"X-Harness-Tenant": "alpha"}} if context == "header" else {}
    response = call(harness, operation, "/_t/alpha" if context == "prefix" else "", **kwargs)
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    assert snapshot(harness, "bravo") == before
    if operation == "getJournal":
        assert {e["tenant"] for e in response.json["entries"]} <= {"alpha"}
    if operation == "seedTenant":
        assert OTHER_APP in harness.world.tenant("alpha").meta.apps


@pytest.mark.parametrize("operation", sorted(ROOT_ONLY))
def test_world_wide_operations_are_not_available_in_a_tenant_context(harness, operation):
    before = snapshot(harness, "bravo")
    response = call(harness, operation, "/_t/alpha", headers={ADMIN_TOKEN_HEADER: harness.admin_token})
    assert response.status_code == 403
    assert "root control plane" in response.json["harness_error"]["message"]
    assert snapshot(harness, "bravo") == before


def test_reset_in_a_tenant_context_keeps_the_other_tenants(harness):
    response = harness.graph_app.test_client().post("/_t/alpha/__admin/reset")
    assert response.json == {"reset": "alpha"}
    assert "alpha" not in harness.world.tenants and "bravo" in harness.world.tenants


# -- the root control plane needs the admin token -------------------------------------------------------------


@pytest.mark.parametrize("operation", sorted(set(REQUESTS) - PUBLIC))
def test_the_root_control_plane_needs_the_admin_token(harness, operation):
    before = {t: snapshot(harness, t) for t in ("alpha", "bravo", "default")}
    missing = call(harness, operation)
    assert missing.status_code == 401
    assert ADMIN_TOKEN_HEADER in missing.json["harness_error"]["message"]
    wrong = call(harness, operation, headers={ADMIN_TOKEN_HEADER: "hat_not-the-token"})
    assert wrong.status_code == 403
    assert {t: snapshot(harness, t) for t in before} == before


def test_with_the_token_the_root_acts_on_any_tenant_or_all(harness):
    token = {ADMIN_TOKEN_HEADER: harness.admin_token}
    client = harness.graph_app.test_client()
    journal = client.get("/__admin/journal", query_string={"tenant": "bravo"}, headers=token)
    assert journal.status_code == 200 and {e["tenant"] for e in journal.json["entries"]} == {"bravo"}
    assert client.post("/__admin/reset", query_string={"tenant": "bravo"}, headers=token).json == {"reset": "bravo"}
    assert "bravo" not in harness.world.tenants and "alpha" in harness.world.tenants
    assert client.post("/__admin/reset", headers=token).json == {"reset": "all"}
    assert harness.world.tenants == {}


@pytest.mark.parametrize("operation", sorted(PUBLIC))
def test_public_operations_need_nothing(harness, operation):
    assert call(harness, operation).status_code == 200


def test_the_token_is_per_run_and_not_derived_from_the_seed():
    one, two = Harness(seed=5), Harness(seed=5)
    assert one.admin_token != two.admin_token
    assert len(one.admin_token) >= 32
    assert Harness(admin_token="my-own-token-0123456789").admin_token == "my-own-token-0123456789"


def test_allow_remote_makes_tenant_contexts_need_the_token_too(harness):
    harness.world.access.expose("192.0.2.10")
    client = harness.graph_app.test_client()
    assert client.post("/_t/alpha/__admin/reset").status_code == 401
    ok = client.post("/_t/alpha/__admin/reset", headers={ADMIN_TOKEN_HEADER: harness.admin_token})
    assert ok.json == {"reset": "alpha"}
    assert client.get("/__admin/ready").status_code == 200


# -- browser safety -------------------------------------------------------------------------------------------

SIMPLE_POSTS = ["/reset", "/seed", "/scenarios/success", "/signups", "/faults"]


@pytest.mark.parametrize("path", SIMPLE_POSTS)
@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:9999"])
def test_cross_site_posts_are_refused(harness, path, origin):
    before = {t: snapshot(harness, t) for t in ("alpha", "default")}
    response = harness.graph_app.test_client().post(
        f"/_t/alpha/__admin{path}",
        data='{"app_id": "100000000000001"}',
        content_type="text/plain",
        headers={"Origin": origin},
    )
    assert response.status_code == 403
    assert "origin" in response.json["harness_error"]["message"]
    assert {t: snapshot(harness, t) for t in before} == before


@pytest.mark.parametrize("path", SIMPLE_POSTS)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_only_json_bodies_reach_a_handler(harness, path, content_type):
    before = snapshot(harness, "alpha")
    response = harness.graph_app.test_client().post(
        f"/_t/alpha/__admin{path}", data='{"app_id": "100000000000001"}', content_type=content_type
    )
    if path in ("/reset", "/scenarios/success"):  # no body is expected: any body is refused
        assert response.status_code == 400
    else:
        assert response.status_code == 400
        assert response.json["harness_error"]["violations"][0]["rule"] == "media-type"
    assert snapshot(harness, "alpha") == before


def test_sec_fetch_site_cross_site_is_refused(harness):
    response = harness.graph_app.test_client().get(
        "/_t/alpha/__admin/journal", headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403


def test_same_origin_requests_are_served(harness):
    client = harness.graph_app.test_client()
    response = client.get(
        "/_t/alpha/__admin/faults", headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("vendor", ["graph", "telnyx"])
@pytest.mark.parametrize("path", ["/__admin/journal", "/_t/alpha/__admin/journal", "/v19.0/debug_token", "/v2/x"])
def test_a_foreign_host_is_refused_on_every_port(harness, vendor, path):
    app = harness.graph_app if vendor == "graph" else harness.telnyx_app
    response = app.test_client().get(path, headers={"Host": "attacker.example"})
    assert response.status_code == 403
    assert response.json["harness_error"]["type"] == "HostRefused"


@pytest.mark.parametrize("host", ["127.0.0.1:8010", "localhost", "[::1]:8010", "graph.localhost", "127.1.2.3"])
def test_loopback_hosts_are_served(harness, host):
    assert harness.graph_app.test_client().get("/__admin/ready", headers={"Host": host}).status_code == 200


def test_the_configured_host_is_served_over_sockets():
    h = Harness()
    with h.serve(graph_port=0, telnyx_port=0) as server:
        server.wait_ready()
        url = f"{server.graph_url}/__admin/ready"
        assert requests.get(url, timeout=5).status_code == 200
        rebound = requests.get(url, headers={"Host": "attacker.example"}, timeout=5)
        assert rebound.status_code == 403
        assert rebound.json()["harness_error"]["type"] == "HostRefused"


def test_sdk_complete_answers_only_the_popups_own_origin(harness):
    client = harness.graph_app.test_client()
    dialog = {
        "app_id": APP_ID,
        "config_id": "900000000000001",
        "response_type": "code",
        "override_default_response_type": "true",
        "extras": '{"setup": {}, "featureType": "", "sessionInfoVersion": "3"}',
    }
    ending = {"dialog": dialog, "ending": {}}
    codes = len(harness.world.tenant("alpha").meta.codes)
    foreign = client.post("/_t/alpha/__sdk/complete", json=ending, headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403
    assert set(foreign.json) == {"harness_error"}
    assert len(harness.world.tenant("alpha").meta.codes) == codes
    own = client.post("/_t/alpha/__sdk/complete", json=ending, headers={"Origin": "http://localhost"})
    assert own.status_code == 200 and own.json["code"]
    # The partner page's sdk.js may still report that the person closed the popup early (mints nothing).
    cancel = {**ending, "ending": {"outcome": "CANCEL", "current_step": "BUSINESS_ACCOUNT_SELECTION"}}
    closed = client.post("/_t/alpha/__sdk/complete", json=cancel, headers={"Origin": "http://127.0.0.1:8030"})
    assert closed.status_code == 200 and closed.json["code"] is None
