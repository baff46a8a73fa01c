"""One world shared by both fakes, partitioned by tenant; separate harnesses share nothing."""

from __future__ import annotations

import pytest

V = "v19.0"
ACME_KEY = "KEYACME0001_acmetenanttelnyxkey"


def seed_acme(fakes) -> None:
    """Tenant "acme": the demo app again, but its own Telnyx key."""
    fakes.h.seed(
        {
            "apps": [{"id": fakes.APP_ID, "secret": fakes.APP_SECRET}],
            "telnyx": {"api_keys": [{"value": ACME_KEY}]},
        },
        tenant="acme",
    )


def last_entry(fakes):
    return fakes.h.journal()[-1]


def test_graph_signup_is_accepted_by_telnyx(fakes):
    token, created = fakes.token()
    # The Graph side sees the WABA and number the popup created ...
    numbers = fakes.graph_get(f"/{V}/{created['waba_id']}/phone_numbers", headers=fakes.bearer(token)).json()
    assert [n["id"] for n in numbers["data"]] == [created["phone_number_id"]]
    # ... and Telnyx accepts exactly those ids.
    response = fakes.register(created["waba_id"], created["phone_number_id"])
    assert response.status_code == 200
    assert response.json()["data"]["waba_id"] == created["waba_id"]


def test_signup_in_another_tenant_is_refused(fakes):
    seed_acme(fakes)
    elsewhere = fakes.signup(tenant="acme")
    response = fakes.register(elsewhere["waba_id"], elsewhere["phone_number_id"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "10017"
    # Registered in its own tenant, it is accepted.
    accepted = fakes.register(
        elsewhere["waba_id"], elsewhere["phone_number_id"], key=ACME_KEY, base=fakes.tenant_telnyx("acme")
    )
    assert accepted.status_code == 200


def test_tenant_from_the_path_prefix(fakes):
    seed_acme(fakes)
    response = fakes.tx("GET", "/whatsapp/business_accounts", key=ACME_KEY, base=fakes.tenant_telnyx("acme"))
    assert response.status_code == 200
    assert last_entry(fakes)["tenant"] == "acme"
    assert last_entry(fakes)["path"] == "/v2/whatsapp/business_accounts"
    # The demo key lives in "default", so it is unknown under the acme prefix.
    refused = fakes.tx("GET", "/whatsapp/business_accounts", base=fakes.tenant_telnyx("acme"))
    assert refused.status_code == 401
    # Graph too: a code minted in acme exchanges under the acme prefix.
    code = fakes.signup(tenant="acme")["code"]
    assert fakes.exchange(code, base=fakes.tenant_graph("acme")).status_code == 200
    assert last_entry(fakes)["tenant"] == "acme"


def test_tenant_from_the_header(fakes):
    seed_acme(fakes)
    response = fakes.tx("GET", "/whatsapp/business_accounts", key=ACME_KEY, headers={"X-Harness-Tenant": "acme"})
    assert response.status_code == 200
    assert last_entry(fakes)["tenant"] == "acme"
    code = fakes.signup(tenant="acme")["code"]
    graph = fakes.graph_get(
        f"/{V}/oauth/access_token",
        params={"client_id": fakes.APP_ID, "client_secret": fakes.APP_SECRET, "code": code},
        headers={"X-Harness-Tenant": "acme"},
    )
    assert graph.status_code == 200
    assert last_entry(fakes)["tenant"] == "acme"


def test_tenant_from_the_credential(fakes):
    seed_acme(fakes)
    assert fakes.tx("GET", "/whatsapp/business_accounts", key=ACME_KEY).status_code == 200
    assert last_entry(fakes)["tenant"] == "acme"
    assert fakes.tx("GET", "/whatsapp/business_accounts").status_code == 200
    assert last_entry(fakes)["tenant"] == "default"
    # Graph: the code finds its tenant, then the token it was exchanged for does.
    created = fakes.signup(tenant="acme")
    exchanged = fakes.exchange(created["code"])
    assert exchanged.status_code == 200, exchanged.text
    assert last_entry(fakes)["tenant"] == "acme"
    token = exchanged.json()["access_token"]
    waba = fakes.graph_get(f"/{V}/{created['waba_id']}", headers=fakes.bearer(token))
    assert waba.status_code == 200
    assert last_entry(fakes)["tenant"] == "acme"


def test_prefix_beats_header_beats_credential(fakes):
    seed_acme(fakes)
    fakes.h.seed({"telnyx": {"api_keys": [{"value": "KEYBETA_x"}]}}, tenant="beta")
    fakes.tx("GET", "/whatsapp/business_accounts", key=ACME_KEY, headers={"X-Harness-Tenant": "beta"})
    assert last_entry(fakes)["tenant"] == "beta"
    fakes.tx(
        "GET",
        "/whatsapp/business_accounts",
        key=ACME_KEY,
        headers={"X-Harness-Tenant": "beta"},
        base=fakes.tenant_telnyx("gamma"),
    )
    assert last_entry(fakes)["tenant"] == "gamma"


def test_two_harnesses_never_see_each_other(make_fakes):
    one, two = make_fakes(), make_fakes()
    created = one.signup()
    # Same seed, so the second harness would mint the very same ids: it has minted none.
    refused = two.exchange(created["code"])
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "Invalid verification code format."
    assert one.register(created["waba_id"], created["phone_number_id"]).status_code == 200
    assert two.tx("GET", "/whatsapp/business_accounts").json()["data"] == []
    assert one.tx("GET", "/whatsapp/business_accounts").json()["meta"]["total_results"] == 1
    assert [e["operation"] for e in one.h.journal()] == ["registerTechProvider", "listWabas"]
    assert [e["operation"] for e in two.h.journal()] == ["exchangeCode", "listWabas"]
    one.h.arm_fault({"operation": "telnyx.listWabas", "status": 503})
    assert two.tx("GET", "/whatsapp/business_accounts").status_code == 200
    assert one.tx("GET", "/whatsapp/business_accounts").status_code == 503


@pytest.mark.parametrize("how", ["python", "http_query", "http_body", "http_header", "http_prefix"])
def test_reset_of_one_tenant_keeps_the_others(fakes, how):
    seed_acme(fakes)
    kept = fakes.signup()
    lost = fakes.signup(tenant="acme")
    fakes.tx("GET", "/whatsapp/business_accounts", key=ACME_KEY)
    assert {e["tenant"] for e in fakes.h.journal()} == {"acme"}
    fakes.tx("GET", "/whatsapp/business_accounts")
    if how == "python":
        fakes.h.reset("acme")
    elif how == "http_query":
        assert fakes.admin("POST", "/reset", params={"tenant": "acme"}).json() == {"reset": "acme"}
    elif how == "http_body":
        assert fakes.admin("POST", "/reset", vendor="telnyx", json={"tenant": "acme"}).json() == {"reset": "acme"}
    elif how == "http_header":
        assert fakes.admin("POST", "/reset", headers={"X-Harness-Tenant": "acme"}).json() == {"reset": "acme"}
    else:
        response = fakes.http.post(f"{fakes.tenant_graph('acme')}/__admin/reset", timeout=10)
        assert response.json() == {"reset": "acme"}
    assert {e["tenant"] for e in fakes.h.journal()} == {"default"}
    # acme's state and credentials are gone ...
    assert fakes.tx("GET", "/whatsapp/business_accounts", key=ACME_KEY).status_code == 401
    gone = fakes.exchange(lost["code"], base=fakes.tenant_graph("acme"))
    assert gone.json()["error"]["code"] == 101
    # ... and default's are intact.
    assert fakes.exchange(kept["code"]).status_code == 200
    assert fakes.tx("GET", "/whatsapp/business_accounts").status_code == 200


def test_reset_all(fakes):
    created = fakes.signup()
    assert fakes.admin("POST", "/reset").json() == {"reset": "all"}
    assert fakes.h.journal() == []
    assert fakes.exchange(created["code"]).json()["error"]["code"] == 101
    assert fakes.tx("GET", "/whatsapp/business_accounts").status_code == 401
