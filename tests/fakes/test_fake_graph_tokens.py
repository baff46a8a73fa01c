"""Graph token grants, debug_token fields and scope naming, 190 subcodes, appsecret_proof, App Review (code 10),
versions (fakes/graph/tokens.py, versions.py)."""

from __future__ import annotations

import base64

import pytest

from fakes.graph.tokens import appsecret_proof

V = "v22.0"


def _grant(fakes, method: str = "GET", version: str | None = V, **params):
    params.setdefault("client_id", fakes.APP_ID)
    params.setdefault("client_secret", fakes.APP_SECRET)
    path = f"/{version}/oauth/access_token" if version else "/oauth/access_token"
    if method == "GET":
        return fakes.graph_get(path, params=params)
    return fakes.graph_post(path, data=params)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_client_credentials_gives_an_app_token(fakes, method):
    response = _grant(fakes, method, grant_type="client_credentials")
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert token.startswith(f"{fakes.APP_ID}|") and response.json()["token_type"] == "bearer"
    debug = fakes.graph_get(f"/{V}/debug_token", params={"input_token": token, "access_token": token}).json()
    assert debug["data"] == {
        "app_id": fakes.APP_ID,
        "type": "APP",
        "application": "Your Portal (Tech Provider)",
        "is_valid": True,
        "scopes": [],
    }


def test_code_grant_by_form_post_and_basic_auth(fakes):
    code = fakes.signup()["code"]
    basic = base64.b64encode(f"{fakes.APP_ID}:{fakes.APP_SECRET}".encode()).decode()
    response = fakes.graph_post(
        "/oauth/access_token",
        data={"grant_type": "authorization_code", "code": code},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["access_token"].startswith("EAA")


def test_fb_exchange_token_gives_a_60_day_user_token(fakes):
    token, created = fakes.long_lived_token()
    debug = fakes.graph_get(f"/{V}/debug_token", params={"input_token": token, "access_token": fakes.APP_TOKEN})
    data = debug.json()["data"]
    assert data["type"] == "USER" and data["expires_at"] == data["issued_at"] + 60 * 24 * 3600
    bad = _grant(fakes, grant_type="fb_exchange_token", fb_exchange_token="EAAnot-a-token")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 190


def test_unknown_grant_type_is_100(fakes):
    response = _grant(fakes, grant_type="password")
    assert response.status_code == 400 and response.json()["error"]["code"] == 100


def test_legacy_scope_naming_is_a_seed_option(fakes):
    fakes.h.world.tenant().meta.apps[fakes.APP_ID].scope_naming = "legacy"
    token, created = fakes.token()
    data = fakes.graph_get(f"/{V}/debug_token", params={"input_token": token, "access_token": fakes.APP_TOKEN}).json()[
        "data"
    ]
    assert data["scopes"] == ["whatsapp_business_management", "whatsapp_business_messaging", "public_profile"]
    assert {s["scope"]: s["target_ids"] for s in data["granular_scopes"]} == {
        "whatsapp_business_management": [created["waba_id"]],
        "whatsapp_business_messaging": [created["waba_id"]],
    }


def test_multi_waba_signup_grants_every_waba(fakes):
    token, created = fakes.token(extra_wabas=2)
    assert len(created["event"]["data"]["waba_ids"]) == 3
    data = fakes.graph_get(f"/{V}/debug_token", params={"input_token": token, "access_token": fakes.APP_TOKEN}).json()[
        "data"
    ]
    [events] = [s for s in data["granular_scopes"] if s["scope"] == "whatsapp_business_manage_events"]
    assert sorted(events["target_ids"]) == sorted(created["event"]["data"]["waba_ids"])


@pytest.mark.parametrize("subcode", [458, 460, 467])
def test_invalidated_tokens_get_190_with_metas_subcode(fakes, subcode):
    token, created = fakes.token()
    meta = fakes.h.world.tenant().meta
    if subcode == 458:
        meta.apps[fakes.APP_ID].installed = False
    else:
        meta.tokens[token].valid, meta.tokens[token].invalid_subcode = False, subcode
    response = fakes.graph_get(f"/{V}/{created['waba_id']}", headers=fakes.bearer(token))
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == 190 and error["error_subcode"] == subcode
    assert error["message"].startswith("Error validating access token: ")
    if subcode != 458:
        debug = fakes.graph_get(f"/{V}/debug_token", params={"input_token": token, "access_token": fakes.APP_TOKEN})
        data = debug.json()["data"]
        assert data["is_valid"] is False and data["error"]["subcode"] == subcode


def test_appsecret_proof_checked_when_sent_and_required_when_the_app_says(fakes):
    token, created = fakes.token()
    path = f"/{V}/{created['waba_id']}"
    good = appsecret_proof(fakes.APP_SECRET, token)
    assert fakes.graph_get(path, params={"access_token": token, "appsecret_proof": good}).status_code == 200
    wrong = fakes.graph_get(path, params={"access_token": token, "appsecret_proof": "0" * 64})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["message"] == "Invalid appsecret_proof provided in the API argument"
    fakes.h.world.tenant().meta.apps[fakes.APP_ID].appsecret_proof_required = True
    missing = fakes.graph_get(path, headers=fakes.bearer(token))
    assert missing.json()["error"]["message"] == "API calls from the server require an appsecret_proof argument"
    assert fakes.graph_get(path, params={"access_token": token, "appsecret_proof": good}).status_code == 200


def test_app_review_denied_is_code_10(fakes):
    token, created = fakes.token()
    fakes.h.world.tenant().meta.apps[fakes.APP_ID].denied_permissions = ["whatsapp_business_management"]
    response = fakes.graph_get(f"/{V}/{created['waba_id']}/phone_numbers", headers=fakes.bearer(token))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == 10


@pytest.mark.parametrize(
    ("requested", "served"), [("v26.0", "v26.0"), ("v23.0", "v23.0"), ("v19.0", "v21.0"), ("v2.5", "v21.0")]
)
def test_the_version_that_served_the_call(fakes, requested, served):
    response = fakes.graph_get(
        f"/{requested}/debug_token", params={"input_token": "x", "access_token": fakes.APP_TOKEN}
    )
    assert response.status_code == 200
    assert response.headers["facebook-api-version"] == served


def test_a_version_newer_than_the_newest_is_refused(fakes):
    response = fakes.graph_get("/v99.0/debug_token", params={"input_token": "x", "access_token": fakes.APP_TOKEN})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 2500
    assert response.headers["facebook-api-version"] == "v26.0"


def test_hostile_proof_and_app_token_get_graph_errors_not_500(fakes):
    token, created = fakes.token()
    proof = fakes.graph_get(f"/{V}/{created['waba_id']}", params={"access_token": token, "appsecret_proof": "é" * 64})
    assert proof.status_code == 400 and proof.json()["error"]["code"] == 100
    app_token = fakes.graph_get(
        f"/{V}/debug_token", params={"input_token": token, "access_token": f"{fakes.APP_ID}|sécret"}
    )
    assert app_token.status_code == 400 and app_token.json()["error"]["code"] == 190
    deep = fakes.graph_get(f"/{V}/{created['waba_id']}", params={"fields": "a{" * 50}, headers=fakes.bearer(token))
    assert deep.status_code == 400 and deep.json()["error"]["code"] == 100
