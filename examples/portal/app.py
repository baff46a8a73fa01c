"""The example partner portal: "Your Portal" of the vendor guide, built on the fake SDK and the reference client.

The page loads the Facebook SDK from the Graph fake (in place of connect.facebook.net), launches Embedded Signup
with the guide's exact FB.login() options, listens for the WA_EMBEDDED_SIGNUP message event with Meta's origin
check, waits for both the event and the callback's code, and posts them to POST /api/whatsapp/connect. That
endpoint runs the reference onboarding client (code exchange, ids, Telnyx registration) and tells the page
"WhatsApp connected" or why not, with the guide's troubleshooting advice.

`?broken=<variant>` serves a page whose SDK set-up is wrong on purpose (see BROKEN_VARIANTS), to show the guide's
troubleshooting symptoms.

Not a Python package: `signup-harness demo` imports this file by location. To run it alone against running fakes:

    python examples/portal/app.py --graph-url http://127.0.0.1:8010 --telnyx-url http://127.0.0.1:8020/v2 \\
        --app-id 100000000000001 --config-id 900000000000001   # secrets from META_APP_SECRET, TELNYX_API_KEY
"""

from __future__ import annotations

import argparse
import copy
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from flask import Flask, Response, jsonify, render_template, request

from harness.client import ClientConfig, OnboardingClient, OnboardingError, SignupOutcome

HERE = Path(__file__).resolve().parent
DEFAULT_PORT = 8030
GRAPH_VERSION = "v19.0"

# Vendor guide, Step 3: "Trigger the embedded signup flow".
GUIDE_LOGIN_OPTIONS: dict[str, Any] = {
    "config_id": "YOUR_CONFIG_ID",
    "response_type": "code",
    "override_default_response_type": True,
    "extras": {"setup": {}, "featureType": "", "sessionInfoVersion": "3"},
}

# ?broken=<name>: what goes wrong, and the symptom the guide's Troubleshooting section lists for it.
BROKEN_VARIANTS: dict[str, str] = {
    "response_type": "response_type 'token' instead of 'code': the signup completes but no code comes back",
    "override": "no override_default_response_type: Meta's default token response, no code",
    "session_info": "no extras.sessionInfoVersion: no message event, so no ids from the browser",
    "config_id": "no config_id: FB.login() does not open the dialog",
    "unknown_config": "a config_id the app does not have: FB.login() does not open the dialog",
    "init": "FB.init() never called: FB.login() does not open the dialog",
}


def login_options(config_id: str, broken: str | None = None) -> dict[str, Any]:
    """The guide's FB.login() options for `config_id`, or a deliberately broken copy."""
    options = copy.deepcopy(GUIDE_LOGIN_OPTIONS)
    options["config_id"] = config_id
    if broken == "response_type":
        options["response_type"] = "token"
    elif broken == "override":
        del options["override_default_response_type"]
    elif broken == "session_info":
        del options["extras"]["sessionInfoVersion"]
    elif broken == "config_id":
        del options["config_id"]
    elif broken == "unknown_config":
        options["config_id"] = "999999999999999"
    return options


def create_portal_app(
    graph_url: str,
    telnyx_url: str,
    app_id: str,
    app_secret: str,
    telnyx_api_key: str,
    config_id: str,
    session: requests.Session | None = None,
    live_view_url: str | None = None,
) -> Flask:
    """The portal: `graph_url` serves both the fake SDK (to the browser) and Graph (to the backend).

    `telnyx_url` includes /v2. `session` routes the backend's calls through your own transport (for example
    `Harness.session()` when the fakes run in-process). The result card links to `live_view_url`, by default
    the harness's live view (`/__admin/ui`) of the tenant `graph_url` names.
    """
    graph_url = graph_url.rstrip("/")
    live_view_url = live_view_url or default_live_view_url(graph_url)
    client = OnboardingClient(
        ClientConfig(
            graph_base_url=graph_url,
            graph_version=GRAPH_VERSION,
            telnyx_base_url=telnyx_url,
            app_id=app_id,
            app_secret=app_secret,
            telnyx_api_key=telnyx_api_key,
        ),
        session=session,
    )
    app = Flask("signup_harness_portal", root_path=str(HERE))
    app.extensions["portal_client"] = client

    @app.get("/")
    def index() -> tuple[str, int]:
        broken = request.args.get("broken") or None
        if broken is not None and broken not in BROKEN_VARIANTS:
            return render_template("unknown_variant.html", broken=broken, variants=BROKEN_VARIANTS), 404
        page = {
            "appId": app_id,
            "graphVersion": GRAPH_VERSION,
            "callInit": broken != "init",
            "loginOptions": login_options(config_id, broken),
            "connectUrl": "api/whatsapp/connect",
            "liveViewUrl": live_view_url,
        }
        return render_template(
            "index.html",
            page=page,
            sdk_url=f"{graph_url}/en_US/sdk.js",
            broken=broken,
            broken_reason=BROKEN_VARIANTS.get(broken or ""),
            variants=BROKEN_VARIANTS,
        ), 200

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @app.post("/api/whatsapp/connect")
    def connect() -> tuple[Response, int]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(connected=False, error={"message": "send a JSON object {code, event}"}), 400
        code, event, customer_id = body.get("code"), body.get("event"), body.get("customer_id")
        if not isinstance(customer_id, str | None):
            return jsonify(connected=False, error={"message": "customer_id must be a string"}), 400
        try:
            outcome = SignupOutcome.from_browser(code=code, event=event)
        except TypeError as exc:
            return jsonify(connected=False, error={"message": str(exc)}), 400
        try:
            result = client.onboard(outcome, customer_id=(customer_id or "").strip() or None)
        except OnboardingError as error:
            status = 422 if error.vendor == "signup" else 502
            return jsonify(connected=False, error=error.to_dict()), status
        return jsonify(connected=True, **result.to_dict()), 200

    return app


def default_live_view_url(graph_url: str) -> str:
    """The harness's live view of the tenant a Graph base URL names (`.../_t/<tenant>`, else "default"), in that
    tenant's context: it needs no admin token, so none is put in this page."""
    base, marker, rest = graph_url.partition("/_t/")
    tenant = rest.split("/", 1)[0] if marker else "default"
    return f"{base}/_t/{quote(tenant, safe='')}/__admin/ui"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The example partner portal, against running fakes.")
    parser.add_argument("--graph-url", required=True, help="the Graph fake (serves the fake SDK too)")
    parser.add_argument("--telnyx-url", required=True, help="the Telnyx fake, including /v2")
    parser.add_argument("--app-id", required=True)
    parser.add_argument("--config-id", required=True)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    app = create_portal_app(
        graph_url=args.graph_url,
        telnyx_url=args.telnyx_url,
        app_id=args.app_id,
        app_secret=os.environ.get("META_APP_SECRET", ""),
        telnyx_api_key=os.environ.get("TELNYX_API_KEY", ""),
        config_id=args.config_id,
    )
    app.run(host="127.0.0.1", port=args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
