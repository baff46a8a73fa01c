"""The fake SDK's HTTP side, without a browser: the script, the dialog's checks, the plan, and completion."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from fakes.graph.tokens import token_wabas
from fakes.harness import Harness

APP_ID = "100000000000001"
APP_SECRET = "local-app-secret-not-real"
CONFIG_ID = "900000000000001"
GUIDE_DIALOG = {
    "app_id": APP_ID,
    "config_id": CONFIG_ID,
    "response_type": "code",
    "override_default_response_type": "true",
    "extras": json.dumps({"setup": {}, "featureType": "", "sessionInfoVersion": "3"}),
}


@pytest.fixture
def harness() -> Harness:
    h = Harness(seed="sdk-tests", check_responses=True)
    h.seed_demo()
    return h


@pytest.fixture
def client(harness: Harness) -> Any:
    return harness.graph_app.test_client()


def dialog(client: Any, prefix: str = "", **changes: Any) -> Any:
    params = {**GUIDE_DIALOG, **changes}
    params = {k: v for k, v in params.items() if v is not None}
    return client.get(f"{prefix}/__sdk/dialog?{urlencode(params)}")


def complete(client: Any, prefix: str = "", ending: dict[str, Any] | None = None, **changes: Any) -> Any:
    params = {k: v for k, v in {**GUIDE_DIALOG, **changes}.items() if v is not None}
    return client.post(f"{prefix}/__sdk/complete", json={"dialog": params, "ending": ending or {}})


def exchange(harness: Harness, code: str, prefix: str = "") -> Any:
    return harness.session().get(
        f"{harness.graph_url}{prefix}/v19.0/oauth/access_token",
        params={"client_id": APP_ID, "client_secret": APP_SECRET, "code": code},
    )


# -- the script ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/sdk.js", "/en_US/sdk.js", "/fr_FR/sdk.js", "/en_US/sdk/debug.js"])
def test_sdk_js_is_served_as_javascript_with_cors(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.content_type == "text/javascript; charset=utf-8"
    assert response.headers["Access-Control-Allow-Origin"] == "*"  # <script crossorigin="anonymous">
    body = response.get_data(as_text=True)
    assert "window.FB = {" in body and "fbAsyncInit" in body
    assert "new MessageEvent('message'" in body and "https://www.facebook.com" in body


def test_a_path_that_is_not_a_locale_is_not_the_sdk(client: Any) -> None:
    assert client.get("/english/sdk.js").status_code == 404


def test_sdk_routes_are_not_journaled(harness: Harness, client: Any) -> None:
    client.get("/en_US/sdk.js")
    dialog(client)
    complete(client, ending={"outcome": "CANCEL"})
    assert harness.journal() == []


# -- what FB.init() learns -----------------------------------------------------------------------------------


def test_app_info_lists_the_config_ids(client: Any) -> None:
    response = client.get(f"/__sdk/app?app_id={APP_ID}")
    assert response.status_code == 200
    assert response.json["config_ids"] == [CONFIG_ID]


def test_app_info_for_an_unknown_app_is_404(client: Any) -> None:
    response = client.get("/__sdk/app?app_id=123")
    assert response.status_code == 404
    assert "not a Meta app" in response.json["harness_error"]["message"]


# -- the dialog ----------------------------------------------------------------------------------------------


def test_dialog_with_the_guide_options_opens_at_the_first_step(client: Any) -> None:
    response = dialog(client, login_id="l1", origin="http://127.0.0.1:8030")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Connect your WhatsApp Business account to Your Portal (Tech Provider)" in page
    assert 'data-step="BUSINESS_ACCOUNT_SELECTION"' in page and ">Continue<" in page and ">Cancel<" in page
    assert "dev-note" not in page  # nothing to warn about
    config = json.loads(page.split('id="fake-sdk-dialog">', 1)[1].split("</script>", 1)[0])
    assert config["complete_url"] == "/__sdk/complete"
    assert config["origin"] == "http://127.0.0.1:8030" and config["login_id"] == "l1"
    assert config["finish_outcome"] == "FINISH"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"config_id": None}, "config_id is missing"),
        ({"config_id": "123"}, "config_id 123 is not a configuration of app"),
        ({"app_id": "999"}, "app_id 999 is not a Meta app"),
        ({"app_id": None}, "app_id is missing"),
    ],
)
def test_dialog_refuses_to_open_like_meta(client: Any, changes: dict[str, Any], reason: str) -> None:
    response = dialog(client, **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "It looks like this app isn&#39;t available" in page
    assert reason in page
    assert 'data-step="' not in page  # no signup screens


@pytest.mark.parametrize(
    ("changes", "notice"),
    [
        ({"response_type": "token"}, "response_type is &#39;token&#39;, not &#39;code&#39;"),
        ({"response_type": None}, "response_type is &#39;missing&#39;"),
        ({"override_default_response_type": None}, "override_default_response_type is not true"),
        ({"extras": json.dumps({"setup": {}})}, "extras.sessionInfoVersion is missing"),
    ],
)
def test_dialog_opens_but_warns_about_silent_mistakes(client: Any, changes: dict[str, Any], notice: str) -> None:
    response = dialog(client, **changes)
    assert response.status_code == 200
    assert notice in response.get_data(as_text=True)


def test_dialog_escapes_what_the_page_sent(client: Any) -> None:
    page = dialog(client, config_id="<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in page


def test_dialog_with_bad_extras_is_a_harness_error(client: Any) -> None:
    response = dialog(client, extras="{not json")
    assert response.status_code == 400
    assert response.json["harness_error"]["message"] == "extras is not valid JSON"


@pytest.mark.parametrize(
    ("feature_type", "outcome"),
    [
        ("whatsapp_business_app_onboarding", "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING"),
        ("only_waba_sharing", "FINISH_ONLY_WABA"),
    ],
)
def test_finish_follows_the_feature_type(client: Any, feature_type: str, outcome: str) -> None:
    extras = json.dumps({"setup": {}, "featureType": feature_type, "sessionInfoVersion": "3"})
    assert f'"finish_outcome": "{outcome}"' in dialog(client, extras=extras).get_data(as_text=True)


# -- the plan ------------------------------------------------------------------------------------------------


def test_plan_is_null_until_armed(harness: Harness, client: Any) -> None:
    assert client.get("/__sdk/plan").json == {"plan": None}
    harness.world.tenant().signup_plan = {"outcome": "CANCEL", "current_step": "PHONE_NUMBER_SETUP"}
    assert client.get("/__sdk/plan").json == {"plan": {"outcome": "CANCEL", "current_step": "PHONE_NUMBER_SETUP"}}


def test_plan_is_per_tenant(harness: Harness, client: Any) -> None:
    harness.world.tenant("acme").signup_plan = {"outcome": "ERROR"}
    assert client.get("/_t/acme/__sdk/plan").json == {"plan": {"outcome": "ERROR"}}
    assert client.get("/__sdk/plan", headers={"X-Harness-Tenant": "acme"}).json == {"plan": {"outcome": "ERROR"}}
    assert client.get("/__sdk/plan").json == {"plan": None}


# -- completion ----------------------------------------------------------------------------------------------


def test_complete_mints_a_single_use_code_tied_to_the_new_waba(harness: Harness, client: Any) -> None:
    result = complete(client, ending={"outcome": "FINISH", "business_name": "Globex"}).json
    code = result["code"]
    assert result["login_response"] == {
        "authResponse": {"code": code, "userID": None, "expiresIn": None},
        "status": "connected",
    }
    assert result["event"] == {
        "data": {
            "phone_number_id": result["phone_number_id"],
            "waba_id": result["waba_id"],
            "business_id": result["business_id"],
        },
        "type": "WA_EMBEDDED_SIGNUP",
        "event": "FINISH",
        "version": 3,
    }
    meta = harness.world.tenant().meta
    assert meta.wabas[result["waba_id"]].name == "Globex WhatsApp"
    assert meta.codes[code].waba_ids == [result["waba_id"]]

    first = exchange(harness, code)
    assert first.status_code == 200 and first.json()["access_token"].startswith("EAA")
    again = exchange(harness, code)
    assert again.status_code == 400 and again.json()["error"]["error_subcode"] == 36009


def test_the_code_lives_30_seconds(harness: Harness, client: Any) -> None:
    code = complete(client, ending={"outcome": "FINISH"}).json["code"]
    harness.advance_clock(31)
    assert exchange(harness, code).json()["error"]["error_subcode"] == 36007


def test_cancel_gives_no_code_and_the_cancel_event(client: Any) -> None:
    result = complete(client, ending={"outcome": "CANCEL", "current_step": "PHONE_NUMBER_VERIFICATION"}).json
    assert result["code"] is None
    assert result["login_response"] == {"authResponse": None, "status": "unknown"}
    assert result["event"]["event"] == "CANCEL"
    assert result["event"]["data"] == {"current_step": "PHONE_NUMBER_VERIFICATION"}


@pytest.mark.parametrize(
    ("extras", "version"),
    [
        ({"sessionInfoVersion": "2"}, 2),
        ({"sessionInfoVersion": "3"}, 3),
        ({"sessionInfoVersion": 3}, 3),
        ({"version": "v3"}, 3),
        ({"version": "v4"}, None),
    ],
)
def test_session_info_version_decides_the_event_version(client: Any, extras: dict[str, Any], version: Any) -> None:
    event = complete(client, ending={"outcome": "FINISH"}, extras=json.dumps(extras)).json["event"]
    assert event["event"] == "FINISH"
    assert event.get("version") == version


def test_without_session_info_no_event_is_sent_but_the_code_is(client: Any) -> None:
    result = complete(client, ending={"outcome": "FINISH"}, extras=json.dumps({"setup": {}})).json
    assert result["event"] is None
    assert result["code"]


@pytest.mark.parametrize(
    "changes",
    [{"response_type": "token"}, {"override_default_response_type": None}, {"override_default_response_type": "false"}],
)
def test_without_the_code_response_the_page_gets_a_token_and_no_code(
    harness: Harness, client: Any, changes: dict[str, Any]
) -> None:
    result = complete(client, ending={"outcome": "FINISH"}, **changes).json
    assert result["code"] is None
    auth = result["login_response"]["authResponse"]
    assert result["login_response"]["status"] == "connected"
    assert "code" not in auth
    token = harness.world.tenant().meta.tokens[auth["accessToken"]]
    assert token_wabas(token) == [result["waba_id"]]  # however the app's debug_token names the scopes
    assert result["waba_id"] in harness.world.tenant().meta.wabas  # the signup itself completed


def test_a_plan_s_app_id_is_ignored(client: Any) -> None:
    result = complete(client, ending={"outcome": "FINISH", "app_id": "someone-else"})
    assert result.status_code == 200


@pytest.mark.parametrize(
    ("ending", "message"),
    [
        ({"outcome": "MAYBE"}, "unknown signup outcome"),
        ({"outcome": "CANCEL", "current_step": "NOWHERE"}, "unknown current_step"),
        ({"colour": "blue"}, "unknown ending field(s): colour"),
    ],
)
def test_bad_endings_are_harness_errors(client: Any, ending: dict[str, Any], message: str) -> None:
    response = complete(client, ending=ending)
    assert response.status_code == 400
    assert message in response.json["harness_error"]["message"]


def test_complete_rechecks_the_dialog_options(harness: Harness, client: Any) -> None:
    wabas = len(harness.world.tenant().meta.wabas)
    response = complete(client, ending={"outcome": "FINISH"}, config_id="123")
    assert response.status_code == 400
    assert "not a configuration" in response.json["harness_error"]["message"]
    assert len(harness.world.tenant().meta.wabas) == wabas


def test_complete_needs_a_json_object(client: Any) -> None:
    response = client.post("/__sdk/complete", data="[]", content_type="application/json")
    assert response.status_code == 400
    assert "harness_error" in response.json


def test_complete_answers_cors_preflight(client: Any) -> None:
    response = client.options("/__sdk/complete", headers={"Origin": "http://127.0.0.1:8030"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


# -- tenant prefix -------------------------------------------------------------------------------------------


def test_everything_works_under_a_tenant_prefix(harness: Harness, client: Any) -> None:
    harness.seed_demo("acme")
    prefix = "/_t/acme"
    assert client.get(f"{prefix}/en_US/sdk.js").status_code == 200
    page = dialog(client, prefix).get_data(as_text=True)
    assert '"complete_url": "/_t/acme/__sdk/complete"' in page
    assert '"plan_url": "/_t/acme/__sdk/plan"' in page
    assert "/_t/acme/__sdk/static/popup.js" in page

    result = complete(client, prefix, ending={"outcome": "FINISH"}).json
    assert result["waba_id"] in harness.world.tenant("acme").meta.wabas
    assert result["waba_id"] not in harness.world.tenant().meta.wabas
    assert exchange(harness, result["code"], prefix).status_code == 200
    assert [e["tenant"] for e in harness.journal(operation="exchangeCode")] == ["acme"]


def test_a_tenant_without_the_app_refuses_the_dialog(client: Any) -> None:
    response = dialog(client, "/_t/empty")
    assert response.status_code == 400
    assert "is not a Meta app in tenant &#39;empty&#39;" in response.get_data(as_text=True)
