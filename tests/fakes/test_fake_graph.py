"""The Meta Graph fake: code exchange, debug_token and the WhatsApp nodes, pinned to docs/vendor-contract.md."""

from __future__ import annotations

from typing import Any

import pytest
import requests

V = "v19.0"
DEMO_APP_ID = "100000000000001"  # the demo world's app (fakes/data/demo_world.yaml)
DEMO_APP_TOKEN = f"{DEMO_APP_ID}|local-app-secret-not-real"
UNKNOWN_OBJECT = (
    "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded due to missing "
    "permissions, or does not support this operation. Please read the Graph API documentation at "
    "https://developers.facebook.com/docs/graph-api"
)
BAD_TOKEN_MESSAGE = "Invalid OAuth access token - Cannot parse access token"


def graph_error(
    response: requests.Response, status: int, code: int, subcode: int | None = None, type: str = "OAuthException"
) -> dict[str, Any]:
    """Assert the Graph envelope, the status and the codes; return the error object."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["type"] == type
    assert error["code"] == code
    assert error.get("error_subcode") == subcode
    assert error["fbtrace_id"] == response.headers["x-fb-trace-id"]
    return error


def www_authenticate(response: requests.Response) -> str:
    return response.headers.get("WWW-Authenticate", "")


# -- code exchange --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v19.0", "v21.0", None], ids=["v19", "v21", "unversioned"])
def test_exchange_returns_a_business_token(fakes, version):
    created = fakes.signup()
    response = fakes.exchange(created["code"], version=version)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type"}  # a system-user token: it does not expire
    assert body["access_token"].startswith("EAA")
    assert body["token_type"] == "bearer"
    # v19.0 has expired: Meta serves it, and unversioned calls, with its oldest live version
    assert response.headers["facebook-api-version"] == "v21.0"
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert response.headers["x-fb-trace-id"] and response.headers["x-fb-request-id"]
    [entry] = fakes.h.journal(operation="exchangeCode" if version else "exchangeCodeUnversioned")
    assert entry["status"] == 200


def test_error_trace_id_is_the_header_trace_id(fakes):
    response = fakes.exchange("AQnot-a-real-code")
    error = graph_error(response, 400, 100)
    assert error["fbtrace_id"] == response.headers["x-fb-trace-id"]
    assert error["fbtrace_id"].startswith("A") and len(error["fbtrace_id"]) == 23


def test_used_code_is_refused(fakes):
    code = fakes.signup()["code"]
    assert fakes.exchange(code).status_code == 200
    response = fakes.exchange(code)
    error = graph_error(response, 400, 100, 36009)
    assert error["message"] == "This authorization code has been used."
    assert www_authenticate(response).startswith('OAuth "Facebook Platform" "invalid_code"')


@pytest.mark.parametrize("how", ["python", "http"])
def test_code_expires_after_30_seconds(fakes, how):
    code = fakes.signup()["code"]
    if how == "python":
        fakes.h.advance_clock(31)
    else:
        assert fakes.admin("POST", "/clock/advance", json={"seconds": 31}).status_code == 200
    response = fakes.exchange(code)
    error = graph_error(response, 400, 100, 36007)
    assert error["message"] == "This authorization code has expired."
    assert '"invalid_code"' in www_authenticate(response)


def test_code_is_still_good_at_30_seconds(fakes):
    code = fakes.signup()["code"]
    fakes.h.advance_clock(30)
    assert fakes.exchange(code).status_code == 200


def test_redirect_uri_must_match_the_dialog(fakes):
    mismatch = (
        "Error validating verification code. Please make sure your redirect_uri is identical to the one you used "
        "in the OAuth dialog request"
    )
    # Embedded Signup sends no redirect_uri: sending one is the mistake.
    response = fakes.exchange(fakes.signup()["code"], redirect_uri="https://portal.example.com/cb")
    error = graph_error(response, 400, 100, 36008)
    assert error["message"] == mismatch
    assert '"invalid_code"' in www_authenticate(response)
    # A dialog that used one needs the same one back.
    code = fakes.signup(redirect_uri="https://portal.example.com/cb")["code"]
    graph_error(fakes.exchange(code), 400, 100, 36008)
    assert fakes.exchange(code, redirect_uri="https://portal.example.com/cb").status_code == 200


@pytest.mark.parametrize("code", ["garbage", "AQ" + "x" * 300])
def test_garbage_code(fakes, code):
    response = fakes.exchange(code)
    error = graph_error(response, 400, 100)
    assert error["message"] == "Invalid verification code format."
    assert '"invalid_code"' in www_authenticate(response)


def test_code_of_another_app_is_unknown(fakes):
    fakes.h.seed({"apps": [{"id": "100000000000002", "secret": "second-secret"}]})
    code = fakes.signup(app_id="100000000000002")["code"]
    graph_error(fakes.exchange(code), 400, 100)


def test_wrong_secret(fakes):
    response = fakes.exchange(fakes.signup()["code"], client_secret="not-the-secret")
    assert graph_error(response, 400, 1)["message"] == "Error validating client secret."


def test_unknown_app(fakes):
    response = fakes.exchange(fakes.signup()["code"], client_id="999999999999999")
    assert graph_error(response, 400, 101)["message"] == "Error validating application. Invalid application ID."


@pytest.mark.parametrize("missing", ["client_id", "client_secret", "code"])
@pytest.mark.parametrize("version", [V, None], ids=["versioned", "unversioned"])
def test_missing_parameter(fakes, missing, version):
    response = fakes.exchange(fakes.signup()["code"], version=version, **{missing: None})
    error = graph_error(response, 400, 100)
    assert error["message"] == f"(#100) The parameter {missing} is required"
    assert '"invalid_request"' in www_authenticate(response)


def test_seeded_demo_code_exchanges(fakes):
    response = fakes.exchange(fakes.DEMO_CODE)
    assert response.status_code == 200
    token = response.json()["access_token"]
    waba = fakes.graph_get(f"/{V}/{fakes.DEMO_WABA}", headers=fakes.bearer(token))
    assert waba.json()["id"] == fakes.DEMO_WABA


# -- debug_token ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("caller", ["app_token_query", "bearer_user_token", "app_token_bearer"])
def test_debug_token_names_the_shared_waba(fakes, caller):
    token, created = fakes.token()
    if caller == "app_token_query":
        kwargs: dict[str, Any] = {"params": {"input_token": token, "access_token": fakes.APP_TOKEN}}
    elif caller == "bearer_user_token":
        kwargs = {"params": {"input_token": token}, "headers": fakes.bearer(token)}
    else:
        kwargs = {"params": {"input_token": token}, "headers": fakes.bearer(fakes.APP_TOKEN)}
    response = fakes.graph_get(f"/{V}/debug_token", **kwargs)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["is_valid"] is True
    assert data["app_id"] == fakes.APP_ID
    assert data["type"] == "SYSTEM_USER"  # Embedded Signup's business-integration system-user token
    assert "error" not in data
    assert {"whatsapp_business_management", "whatsapp_business_messaging", "business_management"} <= set(data["scopes"])
    targets = {scope["scope"]: scope["target_ids"] for scope in data["granular_scopes"]}
    assert targets == {  # Meta's naming since June 2026 (the demo app's default)
        "business_management": [created["business_id"]],
        "whatsapp_business_manage_events": [created["waba_id"]],
    }
    assert data["expires_at"] == 0 and data["data_access_expires_at"] == 0


def test_debug_token_unversioned(fakes):
    token, _ = fakes.token()
    response = fakes.graph_get("/debug_token", params={"input_token": token, "access_token": fakes.APP_TOKEN})
    assert response.status_code == 200
    assert response.json()["data"]["is_valid"] is True
    assert response.headers["facebook-api-version"] == "v21.0"  # the oldest live version serves unversioned calls


def test_debug_token_of_an_app_token(fakes):
    response = fakes.graph_get(
        f"/{V}/debug_token", params={"input_token": fakes.APP_TOKEN, "access_token": fakes.APP_TOKEN}
    )
    data = response.json()["data"]
    assert (data["type"], data["app_id"], data["is_valid"]) == ("APP", fakes.APP_ID, True)


@pytest.mark.parametrize("input_token", ["EAAnot-a-token", "garbage", f"{DEMO_APP_ID}|wrong-secret", "999|x"])
def test_invalid_input_token_is_200_with_error(fakes, input_token):
    response = fakes.graph_get(
        f"/{V}/debug_token", params={"input_token": input_token, "access_token": fakes.APP_TOKEN}
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["is_valid"] is False
    assert data["error"] == {"code": 190, "message": BAD_TOKEN_MESSAGE}
    assert data["scopes"] == []


def test_expired_input_token_is_200_with_subcode_463(fakes):
    token, _ = fakes.long_lived_token()
    fakes.h.advance_clock(60 * 24 * 3600 + 1)
    response = fakes.graph_get(f"/{V}/debug_token", params={"input_token": token, "access_token": fakes.APP_TOKEN})
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["is_valid"] is False
    assert data["error"]["code"] == 190 and data["error"]["subcode"] == 463
    assert data["error"]["message"].startswith("Error validating access token: Session has expired on ")


@pytest.mark.parametrize("caller", ["EAAnot-a-token", f"{DEMO_APP_ID}|not-the-secret", "999|x"])
def test_bad_caller_token_is_400_190(fakes, caller):
    token, _ = fakes.token()
    response = fakes.graph_get(f"/{V}/debug_token", params={"input_token": token, "access_token": caller})
    error = graph_error(response, 400, 190)
    assert error["message"] == BAD_TOKEN_MESSAGE
    assert '"invalid_token"' in www_authenticate(response)


def test_expired_caller_token_is_400_190(fakes):
    token, _ = fakes.long_lived_token()
    fakes.h.advance_clock(60 * 24 * 3600 + 1)
    response = fakes.graph_get(f"/{V}/debug_token", params={"input_token": token}, headers=fakes.bearer(token))
    graph_error(response, 400, 190, 463)
    assert '"invalid_token"' in www_authenticate(response)


def test_debug_token_of_another_apps_token_needs_that_app(fakes):
    fakes.h.seed({"apps": [{"id": "100000000000002", "secret": "second-secret"}]})
    token, _ = fakes.token()
    response = fakes.graph_get(
        f"/{V}/debug_token", params={"input_token": token, "access_token": "100000000000002|second-secret"}
    )
    error = graph_error(response, 400, 100)
    assert error["message"].startswith("(#100) You must provide an app access token")


def test_debug_token_missing_input_token(fakes):
    response = fakes.graph_get(f"/{V}/debug_token", params={"access_token": fakes.APP_TOKEN})
    assert graph_error(response, 400, 100)["message"] == "(#100) The parameter input_token is required"


# -- the WhatsApp nodes ------------------------------------------------------------------------------------------

WABA_DEFAULT_FIELDS = {"id", "name", "currency", "timezone_id", "message_template_namespace"}


def test_waba_node_default_fields(fakes):
    token, created = fakes.token()
    response = fakes.graph_get(f"/{V}/{created['waba_id']}", headers=fakes.bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == WABA_DEFAULT_FIELDS
    assert body["id"] == created["waba_id"]
    assert body["name"] == "Acme Corp WhatsApp"


def test_waba_node_field_selection(fakes):
    token, created = fakes.token()
    fields = "id,name,account_review_status,business_verification_status,country,ownership_type"
    response = fakes.graph_get(f"/{V}/{created['waba_id']}", params={"fields": fields}, headers=fakes.bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert list(body) == fields.split(",")
    assert body["account_review_status"] == "APPROVED"
    assert body["ownership_type"] == "CLIENT_OWNED"


def test_waba_node_unknown_field(fakes):
    token, created = fakes.token()
    response = fakes.graph_get(f"/{V}/{created['waba_id']}", params={"fields": "id,bogus"}, headers=fakes.bearer(token))
    error = graph_error(response, 400, 100)
    assert error["message"] == "(#100) Tried accessing nonexisting field (bogus) on node type (WhatsAppBusinessAccount)"


def test_phone_numbers_cursor_paging(fakes):
    numbers = [{"id": f"50000000000000{i}", "phone_number": f"+1555010000{i}"} for i in range(1, 4)]
    seeded = fakes.h.seed(
        {
            "wabas": [{"id": "310000000000001", "phone_numbers": numbers}],
            "tokens": [{"app_id": fakes.APP_ID, "value": "EAAseeded-paging-token", "wabas": ["310000000000001"]}],
        }
    )
    assert seeded["phone_numbers"] == [n["id"] for n in numbers]
    auth = fakes.bearer("EAAseeded-paging-token")
    seen, params, pages = [], {"limit": 1}, []
    while True:
        response = fakes.graph_get(f"/{V}/310000000000001/phone_numbers", params=params, headers=auth)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        assert len(page["data"]) == 1
        seen.extend(item["id"] for item in page["data"])
        if "next" not in page["paging"]:
            break
        params = {"limit": 1, "after": page["paging"]["cursors"]["after"]}
        assert len(pages) < 10
    assert seen == [n["id"] for n in numbers]
    assert "previous" not in pages[0]["paging"] and "previous" in pages[-1]["paging"]
    # `before` walks back from the last page.
    back = fakes.graph_get(
        f"/{V}/310000000000001/phone_numbers",
        params={"limit": 1, "before": pages[-1]["paging"]["cursors"]["before"]},
        headers=auth,
    )
    assert [n["id"] for n in back.json()["data"]] == [numbers[1]["id"]]
    # A page as big as the WABA has no next link.
    whole = fakes.graph_get(f"/{V}/310000000000001/phone_numbers", headers=auth).json()
    assert [n["id"] for n in whole["data"]] == seen and "next" not in whole["paging"]


def test_phone_numbers_fields_and_shape(fakes):
    token, created = fakes.token()
    response = fakes.graph_get(f"/{V}/{created['waba_id']}/phone_numbers", headers=fakes.bearer(token))
    [number] = response.json()["data"]
    assert number["id"] == created["phone_number_id"]
    # verified in the popup, not yet registered with the Cloud API
    assert number["code_verification_status"] == "VERIFIED" and number["platform_type"] == "NOT_APPLICABLE"
    selected = fakes.graph_get(
        f"/{V}/{created['waba_id']}/phone_numbers",
        params={"fields": "id,status"},
        headers=fakes.bearer(token),
    ).json()["data"]
    assert selected == [{"id": created["phone_number_id"], "status": "PENDING"}]
    unknown = fakes.graph_get(
        f"/{V}/{created['waba_id']}/phone_numbers", params={"fields": "nope"}, headers=fakes.bearer(token)
    )
    assert "on node type (WhatsAppBusinessPhoneNumber)" in graph_error(unknown, 400, 100)["message"]


def test_phone_numbers_bad_cursor(fakes):
    token, created = fakes.token()
    response = fakes.graph_get(
        f"/{V}/{created['waba_id']}/phone_numbers", params={"after": "%%%"}, headers=fakes.bearer(token)
    )
    graph_error(response, 400, 100)


def test_subscribed_apps(fakes):
    token, created = fakes.token()
    path, auth = f"/{V}/{created['waba_id']}/subscribed_apps", fakes.bearer(token)
    assert fakes.graph_get(path, headers=auth).json() == {"data": []}
    for _ in range(2):  # subscribing again is harmless
        response = fakes.graph_post(path, headers=auth)
        assert response.status_code == 200
        assert response.json() == {"success": True}
    [subscribed] = fakes.graph_get(path, headers=auth).json()["data"]
    assert subscribed["whatsapp_business_api_data"]["id"] == fakes.APP_ID
    assert subscribed["whatsapp_business_api_data"]["name"] == "Your Portal (Tech Provider)"


def test_subscribe_with_json_override_body(fakes):
    fakes.receiver("https://portal.example.com", verify_token="v")  # answers Meta's verification request
    token, created = fakes.token()
    path = f"/{V}/{created['waba_id']}/subscribed_apps"
    assert fakes.graph_post(path, headers=fakes.bearer(token)).json() == {"success": True}
    response = fakes.graph_post(
        f"/{V}/{created['waba_id']}/subscribed_apps",
        json={"override_callback_uri": "https://portal.example.com/hook", "verify_token": "v"},
        headers=fakes.bearer(token),
    )
    body = response.json()
    assert body["success"] is True
    assert body["data"][0]["override_callback_uri"] == "https://portal.example.com/hook"


def test_register_phone_number_pin_rules(fakes):
    token, created = fakes.token()
    path, auth = f"/{V}/{created['phone_number_id']}/register", fakes.bearer(token)
    ok = fakes.graph_post(path, json={"messaging_product": "whatsapp", "pin": "123456"}, headers=auth)
    assert ok.status_code == 200 and ok.json() == {"success": True}
    again = fakes.graph_post(path, json={"messaging_product": "whatsapp", "pin": "123456"}, headers=auth)
    assert again.json() == {"success": True}
    mismatch = fakes.graph_post(path, json={"messaging_product": "whatsapp", "pin": "654321"}, headers=auth)
    assert graph_error(mismatch, 400, 133005)["message"] == "(#133005) Two step verification PIN Mismatch"


@pytest.mark.parametrize("pin", ["12345", "1234567", "12a456", ""])
def test_register_malformed_pin(fakes, pin):
    token, created = fakes.token()
    response = fakes.graph_post(
        f"/{V}/{created['phone_number_id']}/register",
        json={"messaging_product": "whatsapp", "pin": pin},
        headers=fakes.bearer(token),
    )
    assert graph_error(response, 400, 100)["message"] == "(#100) Param pin must be 6 digits"


def test_register_missing_fields(fakes):
    token, created = fakes.token()
    path = f"/{V}/{created['phone_number_id']}/register"
    response = fakes.graph_post(path, json={"pin": "123456"}, headers=fakes.bearer(token))
    assert graph_error(response, 400, 100)["message"] == "(#100) The parameter messaging_product is required"
    response = fakes.graph_post(path, json={"messaging_product": "whatsapp"}, headers=fakes.bearer(token))
    assert graph_error(response, 400, 100)["message"] == "(#100) The parameter pin is required"


NODE_CALLS = [
    ("GET", "/{waba}"),
    ("GET", "/{waba}/phone_numbers"),
    ("GET", "/{waba}/subscribed_apps"),
    ("POST", "/{waba}/subscribed_apps"),
    ("POST", "/{phone}/register"),
]


def _node_call(fakes, method, template, created, **kwargs):
    path = f"/{V}" + template.format(waba=created["waba_id"], phone=created["phone_number_id"])
    if method == "POST" and "register" in template:
        kwargs.setdefault("json", {"messaging_product": "whatsapp", "pin": "123456"})
    return fakes.http.request(method, fakes.graph + path, timeout=10, **kwargs)


@pytest.mark.parametrize(("method", "template"), NODE_CALLS)
@pytest.mark.parametrize("token", ["EAAbogus", DEMO_APP_TOKEN], ids=["bogus", "app_token"])
def test_bad_token_on_a_node_is_401_190(fakes, method, template, token):
    created = fakes.signup()
    response = _node_call(fakes, method, template, created, headers=fakes.bearer(token))
    error = graph_error(response, 401, 190)
    assert error["message"] == BAD_TOKEN_MESSAGE
    assert www_authenticate(response).startswith('OAuth "Facebook Platform" "invalid_token"')


@pytest.mark.parametrize(("method", "template"), NODE_CALLS)
def test_expired_token_on_a_node_is_401_190_463(fakes, method, template):
    token, created = fakes.long_lived_token()
    fakes.h.advance_clock(60 * 24 * 3600)
    response = _node_call(fakes, method, template, created, headers=fakes.bearer(token))
    error = graph_error(response, 401, 190, 463)
    assert error["message"].startswith("Error validating access token: Session has expired on ")
    assert '"invalid_token"' in www_authenticate(response)


@pytest.mark.parametrize(("method", "template"), NODE_CALLS)
def test_no_token_is_104(fakes, method, template):
    response = _node_call(fakes, method, template, fakes.signup())
    assert graph_error(response, 400, 104)["message"] == "An access token is required to request this resource."


@pytest.mark.parametrize(("method", "template"), NODE_CALLS)
@pytest.mark.parametrize("whose", ["unknown", "not_shared"])
def test_unknown_or_foreign_object_is_100_33(fakes, method, template, whose):
    token, _ = fakes.token()
    if whose == "unknown":
        other = {"waba_id": "123456789012345", "phone_number_id": "123456789012346"}
    else:
        other = fakes.signup()  # a second customer's WABA and number, not granted to this token
    response = _node_call(fakes, method, template, other, headers=fakes.bearer(token))
    error = graph_error(response, 400, 100, 33, type="GraphMethodException")
    object_id = other["phone_number_id"] if "register" in template else other["waba_id"]
    assert error["message"] == UNKNOWN_OBJECT.format(method=method.lower(), id=object_id)
    assert '"invalid_request"' in www_authenticate(response)


@pytest.mark.parametrize("where", ["query", "bearer", "form"])
def test_token_accepted_in_query_form_and_header(fakes, where):
    token, created = fakes.token()
    waba, phone = created["waba_id"], created["phone_number_id"]
    if where == "query":
        get = fakes.graph_get(f"/{V}/{waba}", params={"access_token": token})
        post = fakes.graph_post(f"/{V}/{waba}/subscribed_apps", params={"access_token": token})
        reg = fakes.graph_post(
            f"/{V}/{phone}/register",
            params={"access_token": token},
            json={"messaging_product": "whatsapp", "pin": "111111"},
        )
    elif where == "bearer":
        get = fakes.graph_get(f"/{V}/{waba}", headers=fakes.bearer(token))
        post = fakes.graph_post(f"/{V}/{waba}/subscribed_apps", headers=fakes.bearer(token))
        reg = fakes.graph_post(
            f"/{V}/{phone}/register",
            headers=fakes.bearer(token),
            json={"messaging_product": "whatsapp", "pin": "111111"},
        )
    else:  # GET has no body: the form body is for the POSTs
        get = fakes.graph_get(f"/{V}/{waba}", params={"access_token": token})
        post = fakes.graph_post(f"/{V}/{waba}/subscribed_apps", data={"access_token": token})
        reg = fakes.graph_post(
            f"/{V}/{phone}/register", data={"access_token": token, "messaging_product": "whatsapp", "pin": "111111"}
        )
    assert get.status_code == 200 and get.json()["id"] == waba
    assert post.status_code == 200 and post.json() == {"success": True}
    assert reg.status_code == 200 and reg.json() == {"success": True}


def test_unknown_path_and_method_answer_in_graph_envelope(fakes):
    unknown = fakes.graph_get("/v19.0/not/a/graph/path")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == 2500
    assert unknown.json()["error"]["fbtrace_id"] == unknown.headers["x-fb-trace-id"]
    wrong_method = fakes.http.delete(f"{fakes.graph}/{V}/oauth/access_token", timeout=10)
    assert wrong_method.status_code == 400
    assert wrong_method.json()["error"]["message"] == "Unsupported request - method type not allowed"
