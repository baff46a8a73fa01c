"""`signup-harness demo`: the fakes and the example partner portal in one process, for a person with a browser.

    signup-harness demo                         # portal on http://127.0.0.1:8030/
    signup-harness demo --port 0                # any free port for the portal
    signup-harness demo --signup-outcome CANCEL --cancel-step PHONE_NUMBER_VERIFICATION   # the popup auto-plays

The fakes run with a LiveClock (codes really expire after 30 s) over the demo world (fakes/data/demo_world.yaml).
The portal receives both vendors' webhooks: the demo tenant's Telnyx `user_data.webhook_url` is set to its
/webhooks/telnyx (PATCH /v2/whatsapp/user_data) and the app is subscribed to its /webhooks/meta
(POST /{app-id}/subscriptions with the app token, which makes the Graph fake send Meta's challenge to the portal).
The portal is examples/portal/app.py, which is not a Python package: it is imported by file location, from the
wheel's bundled copy (fakes/_bundled/examples/portal) or else from the source checkout.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import logging
import secrets
import signal
import sys
import threading
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import requests
from flask import Flask

import fakes
from fakes.core.access import AccessPolicy, HostGuard
from fakes.core.clock import LiveClock
from fakes.core.errors import HarnessError
from fakes.core.redaction import redact_text
from fakes.core.server import serve_wsgi
from fakes.graph.signup import CANCEL_STEPS, OUTCOMES
from fakes.harness import DEFAULT_GRAPH_PORT, DEFAULT_TELNYX_PORT, Harness, Server, wait_ready
from harness.arming import TELNYX_KEY, arm_scenario, enable_scenario_arming
from harness.cli_support import EXIT_USAGE, CliError, check_ports_free, port

HOST = "127.0.0.1"
DEFAULT_PORTAL_PORT = 8030
PORTAL_MODULE = "signup_harness_example_portal"
_FAKES_DIR = Path(fakes.__file__).resolve().parent
WIRING_TIMEOUT = 10.0


class RedactQueryFilter(logging.Filter):
    """Mask credentials in werkzeug's request lines (`GET /v19.0/oauth/access_token?code=...&client_secret=...`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_text(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        return True


def quiet_secrets_in_request_logs() -> None:
    """Install `RedactQueryFilter` on werkzeug's logger (once): the demo's console shows no code or secret."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactQueryFilter) for f in logger.filters):
        logger.addFilter(RedactQueryFilter())


def portal_dir() -> Path:
    """examples/portal: the wheel's bundled copy first, then the source checkout's."""
    candidates = (_FAKES_DIR / "_bundled" / "examples" / "portal", _FAKES_DIR.parent / "examples" / "portal")
    for candidate in candidates:
        if (candidate / "app.py").is_file():
            return candidate
    looked = " and ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"cannot find the example portal (looked in {looked})")


def load_portal(directory: Path | None = None) -> ModuleType:
    """Import examples/portal/app.py by location (once per process)."""
    loaded = sys.modules.get(PORTAL_MODULE)
    if loaded is not None and directory is None:
        return loaded
    path = (directory or portal_dir()) / "app.py"
    spec = importlib.util.spec_from_file_location(PORTAL_MODULE, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the example portal from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[PORTAL_MODULE] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(PORTAL_MODULE, None)
        raise
    return module


def demo_portal_settings(harness: Harness, revoked_key: bool = False) -> dict[str, str]:
    """App id, secret, config id and a Telnyx key for the portal, read from the harness's default tenant."""
    tenant = harness.world.tenant()
    with harness.world.lock:
        app = next(iter(tenant.meta.apps.values()))
        wanted = "revoked" if revoked_key else "active"
        # An armed scenario may have revoked the backend's key: the portal keeps using it, as a real backend would.
        key = next((k.value for k in tenant.telnyx.api_keys.values() if k.status == wanted), TELNYX_KEY)
        return {
            "app_id": app.id,
            "app_secret": app.secret,
            "config_id": app.config_ids[0],
            "telnyx_api_key": key,
        }


class PortalServer:
    """The portal on a real socket, served like the fakes (`fakes.core.server.serve_wsgi`); `stop()` closes it."""

    def __init__(self, app: Flask, port: int = DEFAULT_PORTAL_PORT, host: str = HOST) -> None:
        # The portal's port checks Host like the fakes' (DNS rebinding): loopback names only. On worker threads:
        # the portal calls the fakes synchronously, as a partner's backend does.
        guarded = HostGuard(app, AccessPolicy())
        self.server = serve_wsgi(guarded, host, port, "portal", threaded=lambda: True, access_log=True)
        self.webhook_problems: list[str] = []  # what `wire_webhooks` could not set up

    @property
    def url(self) -> str:
        return f"http://{self.server.host}:{self.server.port}/"

    def stop(self) -> None:
        self.server.stop()


def start_demo(
    harness: Harness,
    portal_port: int = DEFAULT_PORTAL_PORT,
    graph_port: int = DEFAULT_GRAPH_PORT,
    telnyx_port: int = DEFAULT_TELNYX_PORT,
    revoked_key: bool = False,
) -> tuple[Server, PortalServer]:
    """Serve the fakes and the portal (over the harness's default tenant), wait until both answer, then point
    both vendors' webhooks at the portal (`wire_webhooks`)."""
    fakes_server = harness.serve(HOST, graph_port=graph_port, telnyx_port=telnyx_port)
    verify_token = secrets.token_urlsafe(16)
    try:
        fakes_server.wait_ready()
        app = load_portal().create_portal_app(
            graph_url=fakes_server.graph_url,
            telnyx_url=fakes_server.telnyx_url,
            telnyx_public_key=harness.telnyx_public_key,
            meta_verify_token=verify_token,
            **demo_portal_settings(harness, revoked_key),
        )
        portal = PortalServer(app, portal_port)
    except BaseException:
        fakes_server.stop()
        raise
    try:
        wait_ready(portal.url + "healthz")
        portal.webhook_problems = wire_webhooks(harness, fakes_server, portal.url, verify_token)
    except BaseException:
        portal.stop()
        fakes_server.stop()
        raise
    return fakes_server, portal


def wire_webhooks(harness: Harness, fakes_server: Server, portal_url: str, verify_token: str) -> list[str]:
    """Point the default tenant's webhooks at the portal, through the vendors' own APIs: Telnyx's `user_data`
    (with an active API key) and the app's Meta subscription (with its app token; the Graph fake sends Meta's
    challenge to the portal first). Returns what could not be wired (an armed scenario may refuse a call): the
    portal then learns the outcome by polling Telnyx's status."""
    settings = demo_portal_settings(harness)
    problems: list[str] = []
    telnyx = requests.patch(
        f"{fakes_server.telnyx_url}/whatsapp/user_data",
        json={"webhook_url": f"{portal_url}webhooks/telnyx"},
        headers={"Authorization": f"Bearer {settings['telnyx_api_key']}"},
        timeout=WIRING_TIMEOUT,
    )
    if not telnyx.ok:
        problems.append(f"Telnyx user_data: HTTP {telnyx.status_code}")
    meta = requests.post(
        f"{fakes_server.graph_url}/v19.0/{settings['app_id']}/subscriptions",
        data={
            "object": "whatsapp_business_account",
            "callback_url": f"{portal_url}webhooks/meta",
            "fields": "account_update",
            "verify_token": verify_token,
            "access_token": f"{settings['app_id']}|{settings['app_secret']}",
        },
        timeout=WIRING_TIMEOUT,
    )
    if not meta.ok:
        problems.append(f"Meta app subscription: HTTP {meta.status_code}")
    return problems


def add_demo_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="run the fakes and the example partner portal for a browser",
        description="Serve the Graph fake (with the fake Facebook SDK), the Telnyx fake and the example partner "
        "portal on 127.0.0.1, then wait for Ctrl+C. Open the portal URL and click Connect WhatsApp.",
    )
    parser.add_argument("--port", type=port, default=DEFAULT_PORTAL_PORT, help="portal port (0: any free port)")
    parser.add_argument("--graph-port", type=port, default=DEFAULT_GRAPH_PORT, help="Graph fake port (0: any)")
    parser.add_argument("--telnyx-port", type=port, default=DEFAULT_TELNYX_PORT, help="Telnyx fake port (0: any)")
    parser.add_argument("--seed", default="demo", help="world seed (same seed, same ids)")
    parser.add_argument(
        "--signup-outcome",
        choices=OUTCOMES,
        help="make the signup popup play this ending by itself (default: a person clicks through it)",
    )
    parser.add_argument(
        "--cancel-step",
        choices=CANCEL_STEPS,
        default="PHONE_NUMBER_VERIFICATION",
        help="with --signup-outcome CANCEL: the step the customer leaves at",
    )
    parser.add_argument(
        "--scenario",
        help="arm a catalogue scenario (world, faults, popup ending) for QA: see `signup-harness list`",
    )
    parser.add_argument(
        "--revoked-telnyx-key",
        action="store_true",
        help="give the portal the demo world's revoked Telnyx key (shows the 401 troubleshooting)",
    )
    return parser


def run_demo(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """Serve until SIGINT/SIGTERM (or until `stop` is set, for callers outside the main thread)."""
    quiet_secrets_in_request_logs()
    harness = Harness(seed=args.seed, clock=LiveClock())
    harness.seed_demo()
    enable_scenario_arming(harness)
    if args.scenario:
        try:
            plan = arm_scenario(harness, args.scenario)["signup_plan"]
        except HarnessError as exc:
            print(f"signup-harness demo: {exc}", file=sys.stderr)
            return 2
    else:
        plan = signup_plan(args.signup_outcome, args.cancel_step)
        harness.world.tenant().signup_plan = plan
    ports = [
        ("example portal", "--port", args.port),
        ("Meta Graph fake", "--graph-port", args.graph_port),
        ("Telnyx fake", "--telnyx-port", args.telnyx_port),
    ]
    try:
        check_ports_free("127.0.0.1", ports)
    except CliError as exc:
        print(f"signup-harness demo: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        fakes_server, portal = start_demo(
            harness, args.port, args.graph_port, args.telnyx_port, revoked_key=args.revoked_telnyx_key
        )
    except (OSError, TimeoutError, SystemExit) as exc:  # werkzeug exits on a bind error
        print(f"signup-harness demo: cannot start: {exc}", file=sys.stderr)
        return EXIT_USAGE
    stop = stop or threading.Event()
    previous = _install_stop_handlers(stop)
    try:
        _print_banner(fakes_server, portal, plan, harness.admin_token)
        while not stop.wait(0.5):
            pass
    finally:
        _restore_handlers(previous)
        portal.stop()
        fakes_server.stop()
    print("signup-harness demo: stopped", flush=True)
    return 0


def signup_plan(outcome: str | None, cancel_step: str) -> dict[str, object] | None:
    if outcome is None:
        return None
    plan: dict[str, object] = {"outcome": outcome}
    if outcome == "CANCEL":
        plan["current_step"] = cancel_step
    return plan


def _print_banner(fakes_server: Server, portal: PortalServer, plan: dict[str, object] | None, admin_token: str) -> None:
    graph = fakes_server.graph_url
    popup = f"auto-plays {plan}" if plan else "a person clicks through it"
    webhooks = (
        f"Telnyx -> {portal.url}webhooks/telnyx (Ed25519), Meta -> {portal.url}webhooks/meta (HMAC)"
        if not portal.webhook_problems
        else "not wired (" + "; ".join(portal.webhook_problems) + "): the portal polls Telnyx's status"
    )
    lines = [
        "signup-harness demo",
        f"  portal       {portal.url}   <- open this, click Connect WhatsApp",
        f"  Graph fake   {graph}   (fake SDK: {graph}/en_US/sdk.js)",
        f"  Telnyx fake  {fakes_server.telnyx_url}",
        f"  live view    {graph}/__admin/ui#token={admin_token}   <- the timeline, the flow and the world",
        f"  journal      {graph}/_t/default/__admin/journal",
        f"  popup        {popup}",
        f"  webhooks     {webhooks}",
        "Press Ctrl+C to stop.",
    ]
    print("\n".join(lines), flush=True)


def _install_stop_handlers(stop: threading.Event) -> dict[int, Any]:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):  # not the main thread: the caller sets `stop` instead
            previous[sig] = signal.signal(sig, handler)
    return previous


def _restore_handlers(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
