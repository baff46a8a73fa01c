"""The example portal (in-process, no browser) and the `signup-harness demo` command (in a subprocess)."""

from __future__ import annotations

import argparse
import json
import logging
import signal
from typing import Any

import pytest
import requests

from fakes.harness import Harness
from harness.demo import RedactQueryFilter, add_demo_parser, signup_plan
from harness.demo_portal import demo_portal_settings, load_portal, portal_dir


@pytest.fixture
def harness() -> Harness:
    h = Harness(seed="portal-tests", check_responses=True)
    h.seed_demo()
    return h


def portal_client(harness: Harness, revoked_key: bool = False) -> Any:
    app = load_portal().create_portal_app(
        graph_url=harness.graph_url,
        telnyx_url=harness.telnyx_url,
        session=harness.session(),
        **demo_portal_settings(harness, revoked_key),
    )
    return app.test_client()


def page_config(client: Any, query: str = "") -> dict[str, Any]:
    page = client.get(f"/{query}").get_data(as_text=True)
    return json.loads(page.split('id="portal-config">', 1)[1].split("</script>", 1)[0])


# -- finding and loading the portal --------------------------------------------------------------------------


def test_the_portal_is_found_in_the_checkout() -> None:
    directory = portal_dir()
    assert directory.name == "portal" and directory.parent.name == "examples"
    assert (directory / "templates" / "index.html").is_file()
    assert callable(load_portal().create_portal_app)


# -- the page ------------------------------------------------------------------------------------------------


def test_the_page_loads_the_fake_sdk_with_the_guide_s_options(harness: Harness) -> None:
    client = portal_client(harness)
    page = client.get("/").get_data(as_text=True)
    assert f'src="{harness.graph_url}/en_US/sdk.js"' in page
    assert 'async defer crossorigin="anonymous"' in page
    assert ">Connect WhatsApp<" in page
    config = page_config(client)
    assert config["loginOptions"] == {
        "config_id": "900000000000001",
        "response_type": "code",
        "override_default_response_type": True,
        "extras": {"setup": {}, "featureType": "", "sessionInfoVersion": "3"},
    }
    assert config["appId"] == "100000000000001" and config["graphVersion"] == "v19.0"
    assert config["callInit"] is True
    assert "local-app-secret-not-real" not in page and "KEYLOCALTEST" not in page


def test_broken_pages(harness: Harness) -> None:
    client = portal_client(harness)
    assert page_config(client, "?broken=response_type")["loginOptions"]["response_type"] == "token"
    assert "override_default_response_type" not in page_config(client, "?broken=override")["loginOptions"]
    assert "sessionInfoVersion" not in page_config(client, "?broken=session_info")["loginOptions"]["extras"]
    assert "config_id" not in page_config(client, "?broken=config_id")["loginOptions"]
    assert page_config(client, "?broken=init")["callInit"] is False
    assert client.get("/?broken=nonsense").status_code == 404


# -- the backend endpoint ------------------------------------------------------------------------------------


def test_connect_onboards_with_the_code_and_event(harness: Harness) -> None:
    signup = harness.complete_signup(app_id="100000000000001")
    response = portal_client(harness).post(
        "/api/whatsapp/connect",
        json={"code": signup["code"], "event": json.dumps(signup["event"]), "customer_id": "acme-42"},
    )
    assert response.status_code == 200
    body = response.json
    # Telnyx's 200 is "accepted": the portal answers pending, with the signup session to follow
    assert body["connected"] is False and body["pending"] is True
    assert body["session_id"] == body["registration"]["session_id"]
    assert (body["waba_id"], body["phone_number_id"]) == (signup["waba_id"], signup["phone_number_id"])
    assert body["status"] == "registered" and body["resolved_via"] == "event" and body["customer_id"] == "acme-42"
    assert [e["operation"] for e in harness.journal()] == ["exchangeCode", "registerTechProvider"]


def test_connect_without_a_code_explains_why(harness: Harness) -> None:
    response = portal_client(harness).post("/api/whatsapp/connect", json={"code": None, "event": None})
    assert response.status_code == 422
    error = response.json["error"]
    assert error["error"] == "MissingAuthorizationCode"
    assert error["troubleshooting"] == "The embedded signup completes but no WABA ID is returned"
    assert harness.journal() == []


def test_connect_after_a_cancel_reports_the_step(harness: Harness) -> None:
    event = {"data": {"current_step": "PHONE_NUMBER_SETUP"}, "type": "WA_EMBEDDED_SIGNUP", "event": "CANCEL"}
    response = portal_client(harness).post("/api/whatsapp/connect", json={"code": None, "event": event})
    assert response.status_code == 422
    assert response.json["error"]["error"] == "SignupCancelled"
    assert response.json["error"]["step"] == "PHONE_NUMBER_SETUP"


def test_connect_with_a_revoked_telnyx_key_is_a_401(harness: Harness) -> None:
    signup = harness.complete_signup(app_id="100000000000001")
    response = portal_client(harness, revoked_key=True).post(
        "/api/whatsapp/connect", json={"code": signup["code"], "event": signup["event"]}
    )
    assert response.status_code == 502
    error = response.json["error"]
    assert error["http_status"] == 401
    assert error["troubleshooting"] == "The Telnyx API returns a 401 Unauthorized error"
    assert "KEYREVOKED" not in response.get_data(as_text=True)


@pytest.mark.parametrize("body", ["not json", [1, 2], {"code": 5}, {"customer_id": 7}])
def test_connect_rejects_bad_bodies(harness: Harness, body: Any) -> None:
    client = portal_client(harness)
    if isinstance(body, str):
        response = client.post("/api/whatsapp/connect", data=body, content_type="text/plain")
    else:
        response = client.post("/api/whatsapp/connect", json=body)
    assert response.status_code == 400
    assert response.json["connected"] is False


# -- the demo command ----------------------------------------------------------------------------------------


def test_demo_parser_defaults_and_plan() -> None:
    parser = argparse.ArgumentParser()
    add_demo_parser(parser.add_subparsers())
    args = parser.parse_args(["demo"])
    assert (args.port, args.graph_port, args.telnyx_port) == (8030, 8010, 8020)
    assert args.signup_outcome is None
    assert signup_plan(None, "PERMISSIONS") is None
    assert signup_plan("CANCEL", "PERMISSIONS") == {"outcome": "CANCEL", "current_step": "PERMISSIONS"}
    assert signup_plan("FINISH", "PERMISSIONS") == {"outcome": "FINISH"}


def test_request_logs_hide_codes_and_secrets() -> None:
    line = "GET /v19.0/oauth/access_token?client_id=1&client_secret=s3cret&code=AQabc HTTP/1.1"
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '"%s" %s', (line, "200"), None)
    RedactQueryFilter().filter(record)
    message = record.getMessage()
    assert "s3cret" not in message and "AQabc" not in message
    assert "client_id=1" in message and "client_secret=[REDACTED]" in message


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_demo_serves_fakes_and_portal_and_stops_cleanly(stop_signal: signal.Signals, demo_launcher: Any) -> None:
    url_after = demo_launcher.url
    process, banner = demo_launcher.start("--signup-outcome", "CANCEL", "--cancel-step", "PERMISSIONS")
    try:
        portal, graph = url_after("portal", banner), url_after("Graph fake", banner)
        page = requests.get(portal, timeout=5)
        assert page.status_code == 200 and f"{graph}/en_US/sdk.js" in page.text
        plan = requests.get(f"{graph}/__sdk/plan", timeout=5).json()
        assert plan == {"plan": {"outcome": "CANCEL", "current_step": "PERMISSIONS"}}
        assert "auto-plays" in banner
        # Every port checks Host (DNS rebinding): the portal's and the fakes'.
        for url in (portal, f"{graph}/__admin/ready"):
            rebound = requests.get(url, headers={"Host": "attacker.example"}, timeout=5)
            assert rebound.status_code == 403 and rebound.json()["harness_error"]["type"] == "HostRefused"
        journal = url_after("journal", banner)
        assert requests.get(journal, timeout=5).status_code == 200  # the banner's journal link needs no token
    finally:
        process.send_signal(stop_signal)
        assert process.wait(timeout=10) == 0
