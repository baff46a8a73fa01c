"""`Harness`: one world, the Graph and Telnyx fakes (and the browser SDK) over it, in-process or on sockets.

from fakes.harness import Harness
h = Harness(seed=7)
h.seed_demo()
session = h.session()                      # in-process, no sockets
session.get(f"{h.graph_url}/v19.0/oauth/access_token", params=...)
with h.serve() as server:                  # real sockets on 127.0.0.1 (same world, same process)
    print(server.graph_url, server.telnyx_url)
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask

from .core import inspection
from .core.access import ADMIN_TOKEN_HEADER
from .core.clock import Clock
from .core.control import Control
from .core.delivery import DeliveryFault
from .core.faults import Fault
from .core.openapi import CompiledSpec
from .core.resources import spec_path
from .core.server import ServedPort, serve_wsgi
from .core.world import DEFAULT_TENANT, World
from .graph.app import create_graph_app
from .telnyx.app import create_telnyx_app

if TYPE_CHECKING:
    import requests

DEFAULT_HOST = "127.0.0.1"
DEFAULT_GRAPH_PORT = 8010
DEFAULT_TELNYX_PORT = 8020
INPROCESS_GRAPH_URL = "http://graph.localhost"
INPROCESS_TELNYX_URL = "http://telnyx.localhost/v2"


@cache
def compiled_spec(vendor: str, path: Path | None = None) -> CompiledSpec:
    """Specs are immutable: compile each once per process, however many harnesses a test suite builds."""
    return CompiledSpec.from_file(path or spec_path(vendor), vendor)


class Harness:
    def __init__(
        self,
        seed: str | int = 0,
        clock: Clock | None = None,
        check_responses: bool = False,
        journal_limit: int = 2000,
        admin_token: str | None = None,
    ) -> None:
        self.world = World(seed=seed, clock=clock, journal_limit=journal_limit)
        if admin_token:  # else the world's own, from `secrets` (never derived from the seed)
            self.world.access.admin_token = admin_token
        self.control = Control(self.world)
        self.graph_app: Flask = create_graph_app(self.world, compiled_spec("graph"), check_responses)
        self.telnyx_app: Flask = create_telnyx_app(self.world, compiled_spec("telnyx"), check_responses)
        self.world.known_operations = {
            f"{vendor}.{operation}" for vendor in ("graph", "telnyx") for operation in compiled_spec(vendor).operations
        }
        self.world.ready = True
        self.graph_url = INPROCESS_GRAPH_URL
        self.telnyx_url = INPROCESS_TELNYX_URL

    # -- the control plane, from Python (same operations as /__admin) -----------------------------------
    @property
    def admin_token(self) -> str:
        """The per-run token of the root control plane (docs/admin.md)."""
        return self.world.access.admin_token

    def admin_headers(self) -> dict[str, str]:
        """Headers that open the root control plane: `requests.post(url, headers=h.admin_headers())`."""
        return {ADMIN_TOKEN_HEADER: self.world.access.admin_token}

    def reset(self, tenant: str | None = None) -> None:
        self.control.reset(tenant)

    def seed(self, document: dict[str, Any] | str | bytes, tenant: str = DEFAULT_TENANT) -> dict[str, Any]:
        return self.control.seed(document, tenant)

    def seed_demo(self, tenant: str = DEFAULT_TENANT) -> dict[str, Any]:
        return self.control.seed_demo(tenant)

    def advance_clock(self, seconds: float) -> float:
        return self.control.advance_clock(seconds)

    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        return self.control.journal(**filters)

    def clear_journal(self, tenant: str | None = None) -> None:
        self.control.clear_journal(tenant)

    def webhooks(self, tenant: str = DEFAULT_TENANT) -> dict[str, Any]:
        """Telnyx's public key (`telnyx_public_key`), the tenant's deliveries and delivery faults."""
        return self.control.webhooks(tenant)

    @property
    def telnyx_public_key(self) -> str:
        """The world's Telnyx webhook public key, base64 (what Telnyx's portal shows; pass it to unwrap)."""
        return self.world.published_keys["telnyx_public_key"]()

    def arm_delivery_fault(self, fault: DeliveryFault | dict[str, Any], tenant: str = DEFAULT_TENANT) -> DeliveryFault:
        return self.control.arm_delivery_fault(fault, tenant)

    def deliver_to(self, origin: str, wsgi_app: Any) -> None:
        """Deliver webhooks for `origin` (scheme://host[:port]) to this WSGI app in-process, without sockets."""
        self.world.outbound.mount(origin, wsgi_app)

    def tick(self) -> None:
        """Do now what is due: sessions' stages, webhook attempts (in-process; served, it happens by itself)."""
        self.world.tick()

    def arm_fault(self, fault: Fault | dict[str, Any], tenant: str = DEFAULT_TENANT) -> Fault:
        return self.control.arm_fault(fault, tenant)

    def complete_signup(self, tenant: str = DEFAULT_TENANT, **request: Any) -> dict[str, Any]:
        return self.control.complete_signup(request, tenant)

    # -- what the live view (/__admin/ui) reads: fakes/core/inspection.py -------------------------------
    def world_snapshot(self, tenant: str = DEFAULT_TENANT) -> dict[str, Any]:
        return inspection.world_snapshot(self.world, tenant)

    def tenants(self) -> list[dict[str, Any]]:
        return inspection.tenants(self.world)

    def scenarios(self) -> list[dict[str, Any]]:
        return inspection.scenarios(self.world)

    def arm_scenario(self, scenario_id: str, tenant: str = DEFAULT_TENANT) -> dict[str, Any]:
        """POST /__admin/scenarios/<id>: needs the catalogue (harness.arming.enable_scenario_arming)."""
        return inspection.arm_scenario(self.world, scenario_id, tenant)

    def timeline(self, tenant: str = DEFAULT_TENANT, since: int = 0) -> list[dict[str, Any]]:
        return inspection.timeline(self.world, tenant, since)

    # -- transports --------------------------------------------------------------------------------------
    def session(self) -> requests.Session:
        """A requests session wired to the fakes in-process (base URLs: graph_url, telnyx_url)."""
        import requests  # only here: `serve` starts faster without it

        from .transport import WSGIAdapter

        session = requests.Session()
        session.mount(INPROCESS_GRAPH_URL, WSGIAdapter(self.graph_app))
        session.mount(INPROCESS_TELNYX_URL.rsplit("/v2", 1)[0], WSGIAdapter(self.telnyx_app))
        return session

    def serve(
        self,
        host: str = DEFAULT_HOST,
        graph_port: int = DEFAULT_GRAPH_PORT,
        telnyx_port: int = DEFAULT_TELNYX_PORT,
        allow_remote: bool = False,
        access_log: bool = False,
    ) -> Server:
        """Serve both fakes on real sockets, each on its own port (0 picks a free one), in this process.

        The server is `fakes.core.server.serve_wsgi` (granian, embedded): the world stays this harness's."""
        check_bind_address(host, allow_remote)
        self.world.access.allow_host(host)
        if allow_remote and not is_loopback(host):
            self.world.access.expose(host)
        if allow_remote:
            self.world.outbound.allow_remote = True  # webhooks may then go beyond loopback too
        ports: dict[str, ServedPort] = {}
        try:
            for name, app, port in (("graph", self.graph_app, graph_port), ("telnyx", self.telnyx_app, telnyx_port)):
                ports[name] = serve_wsgi(app, host, port, name, self.world.delays_armed, access_log)
        except BaseException:
            for served in ports.values():
                served.stop()
            raise
        # Served: sessions and webhook deliveries move on their own thread, never on a request's.
        self.world.timekeeper.start()
        return Server(ports, self.world)


READY_TIMEOUT_SECONDS = 10.0
READY_POLL_SECONDS = 0.02


def wait_ready(url: str, timeout: float = READY_TIMEOUT_SECONDS) -> None:
    """Poll `url` (a readiness endpoint) until it answers 200; TimeoutError after `timeout` seconds.

    The pause between two polls is not a guess at start-up time: readiness is what decides."""
    import requests

    deadline = time.monotonic() + timeout
    last = "no answer"
    with requests.Session() as session:
        session.trust_env = False  # loopback: no proxies
        while time.monotonic() < deadline:
            try:
                response = session.get(url, timeout=1.0)
                if response.status_code == 200:
                    return
                last = f"HTTP {response.status_code}"
            except requests.RequestException as exc:
                last = type(exc).__name__
            time.sleep(READY_POLL_SECONDS)
    raise TimeoutError(f"{url} not ready after {timeout:.0f} s ({last})")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind_address(host: str, allow_remote: bool) -> None:
    if allow_remote or is_loopback(host):
        return
    raise PermissionError(
        f"refusing to bind {host}: anyone who reaches it could drive the fakes and read their journal; "
        "pass allow_remote=True (--allow-remote) to bind a non-loopback address (the admin token then guards "
        "every control operation)"
    )


@dataclass
class Server:
    """Running fakes; a context manager that stops them on exit."""

    servers: dict[str, ServedPort]
    world: World | None = None

    def url(self, name: str) -> str:
        server = self.servers[name]
        host = server.host if ":" not in server.host else f"[{server.host}]"
        return f"http://{host}:{server.port}"

    @property
    def graph_url(self) -> str:
        return self.url("graph")

    @property
    def telnyx_url(self) -> str:
        """Like the Telnyx SDKs' base URL, this includes /v2."""
        return self.url("telnyx") + "/v2"

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Poll both fakes' /__admin/ready until they answer 200."""
        for name in self.servers:
            wait_ready(f"{self.url(name)}/__admin/ready", timeout)

    def urls(self) -> dict[str, str]:
        return {"graph": self.graph_url, "telnyx": self.telnyx_url}

    def stop(self) -> None:
        if self.world is not None:
            self.world.timekeeper.stop()
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
