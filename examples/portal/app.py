"""The example partner portal: "Your Portal" of the vendor guide, built on the fake SDK and the reference client.

The page loads the Facebook SDK from the Graph fake (in place of connect.facebook.net), launches Embedded Signup
with the guide's exact FB.login() options, listens for the WA_EMBEDDED_SIGNUP message event with Meta's origin
check, waits for both the event and the callback's code, and posts them to POST /api/whatsapp/connect. That
endpoint runs the reference onboarding client (code exchange, ids, Telnyx registration) and tells the page
why not, with the guide's troubleshooting advice.

Telnyx's 200 means "accepted": its signup session then provisions the WABA (SUBSCRIBE_WEBHOOKS ... COMPLETE) and
says how it ended with a signed `whatsapp.waba_added` webhook. So the connect endpoint answers "pending" with the
session id, the page polls GET /api/whatsapp/status?session=<id> every 500 ms, and that endpoint answers from what
the webhooks said (the reference receiver, mounted at POST /webhooks/telnyx and GET+POST /webhooks/meta: Ed25519
with Telnyx's public key, HMAC with the app secret, forged or stale deliveries refused), polling Telnyx's status
endpoint for the current stage and, when no webhook comes within WEBHOOK_GRACE_SECONDS of the end, as the fallback.

`?broken=<variant>` serves a page whose SDK set-up is wrong on purpose (see BROKEN_VARIANTS), to show the guide's
troubleshooting symptoms.

Not a Python package: `signup-harness demo` imports this file by location. To run it alone against running fakes:

    python examples/portal/app.py --graph-url http://127.0.0.1:8010 --telnyx-url http://127.0.0.1:8020/v2 \\
        --app-id 100000000000001 --config-id 900000000000001   # secrets from META_APP_SECRET, TELNYX_API_KEY

Webhooks (optional; without them the portal learns the outcome by polling Telnyx's status):

    --telnyx-public-key KEY   Telnyx's public key, base64 as its portal shows it (env TELNYX_PUBLIC_KEY, the name
                              Telnyx's SDK uses; the fakes print it as telnyx_public_key, GET /__admin/webhooks).
                              Then point Telnyx at it: PATCH /v2/whatsapp/user_data {"webhook_url":
                              "http://127.0.0.1:8030/webhooks/telnyx"}.
    --meta-verify-token TOKEN the verify token Meta's challenge must carry (env META_VERIFY_TOKEN); subscribe the
                              app with callback_url http://127.0.0.1:8030/webhooks/meta. Meta's deliveries are
                              verified with META_APP_SECRET.
"""

from __future__ import annotations

import argparse
import copy
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from flask import Flask, Response, jsonify, render_template, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from harness.client import ClientConfig, OnboardingClient, OnboardingError, SignupOutcome
from harness.client.outcome import SessionOutcome, session_failed
from harness.webhook_receiver import WebhookReceiver

HERE = Path(__file__).resolve().parent
DEFAULT_PORT = 8030
GRAPH_VERSION = "v19.0"
WEBHOOKS_PREFIX = "/webhooks"  # the receiver's POST /telnyx and GET+POST /meta, under this prefix
# Telnyx's signup session states, in order (REGISTER_PHONE_NUMBER is skipped for a coexistence number).
SESSION_STAGES = (
    "SUBSCRIBE_WEBHOOKS",
    "ASSIGNED_USERS",
    "SHARE_CREDIT_LINE",
    "REGISTER_PHONE_NUMBER",
    "ADD_WABA_TO_DB",
    "ADD_PHONE_NUMBERS_TO_DB",
    "COMPLETE",
)
FINISHED = ("SUCCESS", "FAILURE")
WEBHOOK_GRACE_SECONDS = 10.0  # after Telnyx's status shows the end, how long to wait for the signed webhook
STATUS_POLL_SECONDS = 0.5  # at most one status call per session this often, however often pages ask
MAX_SESSIONS = 1000

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


class SessionTracker:
    """The signup sessions this portal started, and what it knows of each: the webhook first, Telnyx's status
    endpoint for the current stage and as the fallback. Thread-safe; bounded (the oldest forgotten first).

    `status(session_id)` is what GET /api/whatsapp/status answers. A finished session is decided once:
    - from the signed `whatsapp.waba_added` for its WABA and session (`learned_via: "webhook"`); a FAILURE
      webhook does not name the stage, so the last status call's (or one more) does;
    - else, once Telnyx's status has shown it finished for `webhook_grace` seconds without a webhook (or at once
      when the portal has no Telnyx key to verify webhooks with), from the status (`learned_via: "polling"`).
    """

    def __init__(
        self,
        client: OnboardingClient,
        receiver: WebhookReceiver,
        webhooks_on: bool,
        monotonic: Callable[[], float] = time.monotonic,
        webhook_grace: float = WEBHOOK_GRACE_SECONDS,
        poll_every: float = STATUS_POLL_SECONDS,
    ) -> None:
        self._client = client
        self._receiver = receiver
        self._webhooks_on = webhooks_on
        self._now = monotonic
        self._grace = webhook_grace
        self._poll_every = poll_every
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def track(self, session_id: str, waba_id: str, phone_number_id: str) -> None:
        with self._lock:
            self._sessions[session_id] = {
                "session_id": session_id,
                "waba_id": waba_id,
                "phone_number_id": phone_number_id,
                "lock": threading.Lock(),  # one caller at a time decides a session: one status call, one verdict
                "polled": None,
                "polled_at": None,
                "finished_at": None,
                "final": None,
            }
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)

    def status(self, session_id: str) -> dict[str, Any] | None:
        """The session as the page shows it, or None for a session this portal did not start."""
        with self._lock:
            record = self._sessions.get(session_id)
        if record is None:
            return None
        with record["lock"]:
            if record["final"] is None:
                record["final"] = self._decide(session_id, record)
            answer = record["final"] or self._pending(session_id, record)
        return {**answer, "meta_events": self._meta_events(record["waba_id"])}

    def _decide(self, session_id: str, record: dict[str, Any]) -> dict[str, Any] | None:
        event = self._receiver.telnyx_outcome(record["waba_id"])
        payload = event.payload if event is not None else {}
        if payload.get("status") in FINISHED and payload.get("event_id") in (None, session_id):
            polled = record["polled"] or {}
            state = polled.get("state") if polled.get("status") == payload["status"] else None
            if payload["status"] == "SUCCESS":
                state = "COMPLETE"  # a session ends SUCCESS only there
            elif state is None:
                state = self._poll(record, force=True).get("state")
            errors = [str(x) for x in payload.get("errors") or []]
            return self._finished(session_id, record, str(payload["status"]), state, errors, "webhook")
        polled = self._poll(record)
        if polled.get("status") not in FINISHED:
            return None
        if record["finished_at"] is None:
            record["finished_at"] = self._now()
        if self._webhooks_on and self._now() - record["finished_at"] < self._grace:
            return None  # Telnyx says it ended; its signed webhook should follow: wait for it a little
        errors = [str(x) for x in polled.get("errors") or []]
        return self._finished(session_id, record, str(polled["status"]), polled.get("state"), errors, "polling")

    def _poll(self, record: dict[str, Any], force: bool = False) -> dict[str, Any]:
        """Telnyx's status of the session, at most once per `poll_every` s; a failed call keeps the last answer."""
        due = record["polled_at"] is None or self._now() - record["polled_at"] >= self._poll_every
        if force or due:
            record["polled_at"] = self._now()
            try:
                record["polled"] = {**self._client.signup_status(record["session_id"]), "poll_error": None}
            except OnboardingError as error:
                record["polled"] = {**(record["polled"] or {}), "poll_error": error.message}
        return record["polled"] or {}

    def _pending(self, session_id: str, record: dict[str, Any]) -> dict[str, Any]:
        polled = record["polled"] or {}
        return {
            **self._base(session_id, record),
            "status": "PENDING",
            "state": polled.get("state"),
            "waiting_for_webhook": record["finished_at"] is not None,
            "poll_error": polled.get("poll_error"),
        }

    def _finished(
        self, session_id: str, record: dict[str, Any], status: str, state: str | None, errors: list[str], via: str
    ) -> dict[str, Any]:
        answer = {
            **self._base(session_id, record),
            "status": status,
            "state": state,
            "errors": errors,
            "learned_via": via,
            "connected": status == "SUCCESS",
        }
        if status == "FAILURE":
            outcome = SessionOutcome(session_id=session_id, status=status, state=state, errors=errors, learned_via=via)
            answer["error"] = session_failed(outcome).to_dict()  # the reference client's mapping table
        return answer

    @staticmethod
    def _base(session_id: str, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "session_id": session_id,
            "waba_id": record["waba_id"],
            "phone_number_id": record["phone_number_id"],
            "stages": list(SESSION_STAGES),
            "connected": False,
            "learned_via": None,
            "errors": [],
        }

    def _meta_events(self, waba_id: str) -> list[str]:
        """Meta's signed account_update events for the WABA (PARTNER_ADDED, PARTNER_APP_INSTALLED, ...)."""
        return [str(e.status) for e in self._receiver.meta_account_updates(waba_id)]


def create_portal_app(
    graph_url: str,
    telnyx_url: str,
    app_id: str,
    app_secret: str,
    telnyx_api_key: str,
    config_id: str,
    session: requests.Session | None = None,
    live_view_url: str | None = None,
    telnyx_public_key: str | None = None,
    meta_verify_token: str | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    webhook_grace: float = WEBHOOK_GRACE_SECONDS,
) -> Flask:
    """The portal: `graph_url` serves both the fake SDK (to the browser) and Graph (to the backend).

    `telnyx_url` includes /v2. `session` routes the backend's calls through your own transport (for example
    `Harness.session()` when the fakes run in-process). The result card links to `live_view_url`, by default
    the harness's live view (`/__admin/ui`) of the tenant `graph_url` names.

    The webhooks: `telnyx_public_key` (base64) verifies Telnyx's at POST /webhooks/telnyx; `app_secret` verifies
    Meta's at POST /webhooks/meta and `meta_verify_token` answers Meta's challenge at GET /webhooks/meta. A vendor
    left without its key is refused there (404) and the portal learns the outcome by polling. `monotonic` and
    `webhook_grace` time the wait for a webhook once Telnyx's status shows the end (tests inject a clock).
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
    receiver = WebhookReceiver(
        telnyx_public_key=telnyx_public_key or None,
        meta_app_secret=(app_secret or None) if meta_verify_token else None,
        meta_verify_token=meta_verify_token or None,
    )
    tracker = SessionTracker(client, receiver, bool(telnyx_public_key), monotonic, webhook_grace)
    app = Flask("signup_harness_portal", root_path=str(HERE))
    app.extensions["portal_client"] = client
    app.extensions["portal_webhooks"] = receiver
    app.extensions["portal_sessions"] = tracker
    # The reference receiver, mounted: POST /webhooks/telnyx, GET and POST /webhooks/meta.
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {WEBHOOKS_PREFIX: receiver})  # type: ignore[method-assign]

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
            "statusUrl": "api/whatsapp/status",
            "pollMs": 500,
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
        session_id = result.registration.get("session_id")
        if not isinstance(session_id, str) or not session_id:  # Telnyx held it already: no session to wait for
            return jsonify(connected=True, pending=False, **result.to_dict()), 200
        tracker.track(session_id, result.waba_id, result.phone_number_id)
        return jsonify(connected=False, pending=True, session_id=session_id, **result.to_dict()), 200

    @app.get("/api/whatsapp/status")
    def session_status() -> tuple[Response, int]:
        session_id = request.args.get("session", "")
        answer = tracker.status(session_id) if session_id else None
        if answer is None:
            return jsonify(error={"message": "no signup session of this portal has that id"}), 404
        return jsonify(answer), 200

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
    parser.add_argument(
        "--telnyx-public-key",
        default=os.environ.get("TELNYX_PUBLIC_KEY"),
        help="Telnyx's webhook public key, base64 (env TELNYX_PUBLIC_KEY); verifies POST /webhooks/telnyx",
    )
    parser.add_argument(
        "--meta-verify-token",
        default=os.environ.get("META_VERIFY_TOKEN"),
        help="the verify token of the app's Meta webhook subscription (env META_VERIFY_TOKEN): /webhooks/meta",
    )
    args = parser.parse_args(argv)
    app = create_portal_app(
        graph_url=args.graph_url,
        telnyx_url=args.telnyx_url,
        app_id=args.app_id,
        app_secret=os.environ.get("META_APP_SECRET", ""),
        telnyx_api_key=os.environ.get("TELNYX_API_KEY", ""),
        config_id=args.config_id,
        telnyx_public_key=args.telnyx_public_key,
        meta_verify_token=args.meta_verify_token,
    )
    app.run(host="127.0.0.1", port=args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
