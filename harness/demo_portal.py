"""The example partner portal beside the fakes, as `signup-harness demo` runs it: loaded, served, wired.

The portal is examples/portal/app.py, which is not a Python package: `load_portal` imports it by file location,
from the wheel's bundled copy (fakes/_bundled/examples/portal) or else from the source checkout.
`demo_portal_settings` reads its credentials from the default tenant, `PortalServer` serves it on a real socket
and `start_demo` serves the fakes and the portal, then `wire_webhooks` points both vendors' webhooks at it: the
default tenant's Telnyx `user_data.webhook_url` at its /webhooks/telnyx (PATCH /v2/whatsapp/user_data) and the
app's subscription at its /webhooks/meta (POST /{app-id}/subscriptions with the app token, which makes the Graph
fake send Meta's challenge to the portal). Arming a scenario on the default tenant resets it, so the demo wires
it again after each arming (`rewire_after_arming`), in-process: the arming runs on the fakes' own loop thread.
"""

from __future__ import annotations

import importlib.util
import logging
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import requests
from flask import Flask

import fakes
from fakes.core.access import AccessPolicy, HostGuard
from fakes.core.server import serve_wsgi
from fakes.core.world import DEFAULT_TENANT
from fakes.core.wsgi_environ import TENANT_HEADER
from fakes.harness import DEFAULT_GRAPH_PORT, DEFAULT_TELNYX_PORT, Harness, Server, wait_ready
from harness.arming import TELNYX_KEY

HOST = "127.0.0.1"
DEFAULT_PORTAL_PORT = 8030
PORTAL_MODULE = "signup_harness_example_portal"
_FAKES_DIR = Path(fakes.__file__).resolve().parent
WIRING_TIMEOUT = 10.0

log = logging.getLogger("harness.demo")


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
    both vendors' webhooks at the portal (`wire_webhooks`), and again after each arming of the default tenant
    (`rewire_after_arming`: arming resets the tenant, which forgets the wiring). Arm through the catalogue
    (`enable_scenario_arming`) before this, as `run_demo` does, for the re-wiring to follow the arming."""
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

    def wire() -> list[str]:
        portal.webhook_problems = wire_webhooks(harness, portal.url, verify_token)
        return portal.webhook_problems

    try:
        wait_ready(portal.url + "healthz")
        wire()
    except BaseException:
        portal.stop()
        fakes_server.stop()
        raise
    rewire_after_arming(harness, wire)
    return fakes_server, portal


def wire_webhooks(harness: Harness, portal_url: str, verify_token: str) -> list[str]:
    """Point the default tenant's webhooks at the portal, through the vendors' own APIs: Telnyx's `user_data`
    (with an active API key) and the app's Meta subscription (with its app token; the Graph fake sends Meta's
    challenge to the portal first). Returns what could not be wired (an armed scenario may refuse a call): the
    portal then learns the outcome by polling Telnyx's status.

    The calls go in-process (`Harness.session()`: the same pipeline, journalled like any call), never to the
    fakes' own ports: re-wiring runs inside an arming request, on the loop thread that serves those ports."""
    settings = demo_portal_settings(harness)
    calls: list[tuple[str, str, str, dict[str, Any]]] = [
        (
            "Telnyx user_data",
            "PATCH",
            f"{harness.telnyx_url}/whatsapp/user_data",
            {
                "json": {"webhook_url": f"{portal_url}webhooks/telnyx"},
                "headers": {"Authorization": f"Bearer {settings['telnyx_api_key']}"},
            },
        ),
        (
            "Meta app subscription",
            "POST",
            f"{harness.graph_url}/v19.0/{settings['app_id']}/subscriptions",
            {
                "data": {
                    "object": "whatsapp_business_account",
                    "callback_url": f"{portal_url}webhooks/meta",
                    "fields": "account_update",
                    "verify_token": verify_token,
                    "access_token": f"{settings['app_id']}|{settings['app_secret']}",
                }
            },
        ),
    ]
    problems: list[str] = []
    with harness.session() as session:
        session.headers[TENANT_HEADER] = DEFAULT_TENANT
        for name, method, url, options in calls:
            try:
                answer = session.request(method, url, timeout=WIRING_TIMEOUT, **options)
            except requests.RequestException as exc:  # an armed dropped-connection or delay fault
                problems.append(f"{name}: {exc}")
                continue
            if not answer.ok:
                problems.append(f"{name}: HTTP {answer.status_code}")
    return problems


def rewire_after_arming(harness: Harness, wire: Callable[[], list[str]]) -> None:
    """Run `wire` after each arming of the default tenant through the catalogue (the live view's Arm, POST
    /__admin/scenarios/<id>, `Harness.arm_scenario`), by wrapping `world.scenario_armer`. It runs inside that
    request, on the fakes' loop thread: `wire` must not call the fakes' own ports. What it cannot wire it
    records (`PortalServer.webhook_problems`) and says on the console, as the banner does at start; the arming
    itself never fails for it."""
    armer = harness.world.scenario_armer
    if armer is None:  # no catalogue: nothing arms the tenant
        return

    def arm_then_wire(scenario_id: str, tenant: str) -> dict[str, Any]:
        armed = armer(scenario_id, tenant)
        if tenant == DEFAULT_TENANT:
            try:
                problems = wire()
            except Exception:  # a fault of ours: say so on the console, keep the arming
                log.exception("signup-harness demo: the webhooks could not be wired again after arming %s", scenario_id)
                problems = []
            if problems:
                print(
                    f"webhooks:         not wired again after arming {scenario_id} ({'; '.join(problems)}): "
                    "the portal polls Telnyx's status",
                    flush=True,
                )
        return armed

    harness.world.scenario_armer = arm_then_wire
