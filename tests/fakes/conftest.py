"""Fixtures for the fakes' tests: every HTTP test runs twice, in process and over real sockets.

`fakes` is a harness seeded with the demo world (fakes/data/demo_world.yaml) plus a `requests` session and the
base URLs of both fakes. In "inprocess" mode the session is `Harness.session()` (WSGI, no sockets); in "socket"
mode the harness serves on two free loopback ports and the session is a plain `requests.Session`. After each
test the fixture checks that every journalled response conformed to its spec (no `response_violations`).

Helpers are methods of the `Fakes` object (no helper module to import), so the tests run under any import mode.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests

from fakes.harness import Harness

MODES = ("inprocess", "socket")
VERSION = "v19.0"

# The demo world (fakes/data/demo_world.yaml); every value is fake.
APP_ID = "100000000000001"
APP_SECRET = "local-app-secret-not-real"
APP_TOKEN = f"{APP_ID}|{APP_SECRET}"
API_KEY = "KEYLOCALTEST0001_notarealtelnyxkey"
REVOKED_KEY = "KEYREVOKED0001_notarealtelnyxkey"
DEMO_WABA = "300000000000001"
DEMO_PHONE = "400000000000001"
DEMO_CODE = "AQDEMO-seeded-code-0001"

READY_TIMEOUT_SECONDS = 10.0
PARTNER = "http://partner.localhost"  # where tests mount a partner's webhook endpoint in-process


class Receiver:
    """A partner's webhook endpoint as a WSGI app: answers Meta's verification request (200 and the challenge when
    `hub.verify_token` matches, else 403) and records every request; POSTs get `status` (a list: one per POST,
    the last repeated). Mount it with `Fakes.receiver`, or serve it on a socket."""

    def __init__(self, verify_token: str = "verify-me", status: int | list[int] = 200, echo: str | None = None):
        self.verify_token = verify_token
        self.statuses = status if isinstance(status, list) else [status]
        self.echo = echo  # answer this instead of the challenge
        self.requests: list[dict[str, Any]] = []

    @property
    def posts(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "POST"]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        method = environ["REQUEST_METHOD"]
        self.requests.append(
            {"method": method, "path": environ.get("PATH_INFO"), "query": query, "headers": headers, "body": body}
        )
        if method == "GET":
            if query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == self.verify_token:
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [(self.echo if self.echo is not None else query.get("hub.challenge", "")).encode()]
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"forbidden"]
        status = self.statuses[min(len(self.posts) - 1, len(self.statuses) - 1)]
        start_response(f"{status} X", [("Content-Type", "text/plain")])
        return [b"ok"]


class Fakes:
    """One harness reached through one transport, with shortcuts for the calls the tests repeat."""

    APP_ID, APP_SECRET, APP_TOKEN, API_KEY, REVOKED_KEY = APP_ID, APP_SECRET, APP_TOKEN, API_KEY, REVOKED_KEY
    DEMO_WABA, DEMO_PHONE, DEMO_CODE, VERSION = DEMO_WABA, DEMO_PHONE, DEMO_CODE, VERSION

    def __init__(self, h: Harness, mode: str, http: requests.Session, graph: str, telnyx: str) -> None:
        self.h = h
        self.mode = mode
        self.http = http
        self.graph = graph  # no trailing slash, no version
        self.telnyx = telnyx  # ends with /v2, like the Telnyx SDKs' base URL
        self.telnyx_root = telnyx.removesuffix("/v2")

    # -- URLs -------------------------------------------------------------------------------------------
    def admin_url(self, vendor: str, path: str) -> str:
        root = self.graph if vendor == "graph" else self.telnyx_root
        return f"{root}/__admin{path}"

    def tenant_graph(self, tenant: str) -> str:
        return f"{self.graph}/_t/{tenant}"

    def tenant_telnyx(self, tenant: str) -> str:
        return f"{self.telnyx_root}/_t/{tenant}/v2"

    def wait_ready(self) -> None:
        """Poll both fakes' readiness endpoints until they answer 200 (no sleeping on a guess)."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        for vendor in ("graph", "telnyx"):
            while True:
                try:
                    if self.http.get(self.admin_url(vendor, "/ready"), timeout=1).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the {vendor} fake never became ready")

    # -- control plane ----------------------------------------------------------------------------------
    def admin(self, method: str, path: str, vendor: str = "graph", **kwargs: Any) -> requests.Response:
        """The root control plane, as the harness's operator (the admin token sent)."""
        headers = {**self.h.admin_headers(), **kwargs.pop("headers", {})}
        return self.http.request(method, self.admin_url(vendor, path), timeout=10, headers=headers, **kwargs)

    def signup(self, tenant: str = "default", **request: Any) -> dict[str, Any]:
        request.setdefault("app_id", APP_ID)
        return self.h.complete_signup(tenant=tenant, **request)

    # -- Graph ------------------------------------------------------------------------------------------
    def graph_get(self, path: str, base: str | None = None, **kwargs: Any) -> requests.Response:
        return self.http.get(f"{base or self.graph}{path}", timeout=10, **kwargs)

    def graph_post(self, path: str, base: str | None = None, **kwargs: Any) -> requests.Response:
        return self.http.post(f"{base or self.graph}{path}", timeout=10, **kwargs)

    def exchange(self, code: str, /, base: str | None = None, version: str | None = VERSION, **params: Any):
        query = {"client_id": APP_ID, "client_secret": APP_SECRET, "code": code, **params}
        query = {k: v for k, v in query.items() if v is not None}
        path = f"/{version}/oauth/access_token" if version else "/oauth/access_token"
        return self.graph_get(path, base=base, params=query)

    def token(self, tenant: str = "default", **signup: Any) -> tuple[str, dict[str, Any]]:
        """A business token from a fresh signup (and what the signup created)."""
        created = self.signup(tenant=tenant, **signup)
        base = self.tenant_graph(tenant) if tenant != "default" else None
        response = self.exchange(created["code"], base=base)
        assert response.status_code == 200, response.text
        return response.json()["access_token"], created

    def long_lived_token(self, tenant: str = "default", **signup: Any) -> tuple[str, dict[str, Any]]:
        """A 60-day user token (fb_exchange_token of a signup's system-user token), for expiry tests."""
        system_token, created = self.token(tenant=tenant, **signup)
        base = self.tenant_graph(tenant) if tenant != "default" else self.graph
        params = {
            "grant_type": "fb_exchange_token",
            "client_id": APP_ID,
            "client_secret": APP_SECRET,
            "fb_exchange_token": system_token,
        }
        response = self.graph_get(f"/{VERSION}/oauth/access_token", base=base, params=params)
        assert response.status_code == 200, response.text
        return response.json()["access_token"], created

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    # -- webhooks ---------------------------------------------------------------------------------------
    def receiver(self, origin: str = PARTNER, **kwargs: Any) -> Receiver:
        """A partner endpoint (see Receiver) mounted in-process for `origin` in this harness's world."""
        receiver = Receiver(**kwargs)
        self.h.world.outbound.mount(origin, receiver)
        return receiver

    def settle(self) -> None:
        """Let whatever is due now happen (webhook attempts): at once in-process, on the timekeeper once served."""
        assert self.h.world.timekeeper.settle(), "the timekeeper never settled"

    def advance(self, seconds: float) -> None:
        self.h.advance_clock(seconds)
        self.settle()

    # -- Telnyx -----------------------------------------------------------------------------------------
    def tx(
        self, method: str, path: str, key: str | None = API_KEY, base: str | None = None, **kwargs: Any
    ) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if key is not None:
            headers.setdefault("Authorization", f"Bearer {key}")
        return self.http.request(method, f"{base or self.telnyx}{path}", headers=headers, timeout=10, **kwargs)

    def register(
        self,
        waba_id: str,
        phone_number_id: str,
        app_id: str = APP_ID,
        customer_id: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        body: dict[str, Any] = {"waba_id": waba_id, "phone_number_id": phone_number_id, "app_id": app_id}
        if customer_id is not None:
            body["customer_id"] = customer_id
        return self.tx("POST", "/whatsapp/business_accounts/tech_provider", json=body, **kwargs)

    def register_signup(self, tenant: str = "default", **signup: Any) -> dict[str, Any]:
        created = self.signup(tenant=tenant, **signup)
        response = self.register(created["waba_id"], created["phone_number_id"])
        assert response.status_code == 200, response.text
        return created

    # -- checks -----------------------------------------------------------------------------------------
    def response_violations(self) -> list[tuple[Any, ...]]:
        return [
            (e["vendor"], e["operation"], e["status"], e["response_violations"])
            for e in self.h.journal()
            if e["response_violations"]
        ]


@contextmanager
def open_fakes(h: Harness, mode: str) -> Iterator[Fakes]:
    """The harness's fakes reached in `mode`; stops the servers on exit."""
    if mode == "inprocess":
        with h.session() as session:
            yield Fakes(h, mode, session, h.graph_url, h.telnyx_url)
        return
    with h.serve(graph_port=0, telnyx_port=0) as server, requests.Session() as session:
        fakes = Fakes(h, mode, session, server.graph_url, server.telnyx_url)
        fakes.wait_ready()
        yield fakes


def demo_harness(**kwargs: Any) -> Harness:
    kwargs.setdefault("check_responses", True)
    h = Harness(**kwargs)
    h.seed_demo()
    return h


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_fakes(mode: str) -> Iterator[Callable[..., Fakes]]:
    """Open more harnesses in this test's mode: `make_fakes()` (demo world) or `make_fakes(Harness(...))`.

    At teardown, every response any of them journalled must have conformed to the spec.
    """
    made: list[Fakes] = []
    with ExitStack() as stack:

        def make(h: Harness | None = None) -> Fakes:
            fakes = stack.enter_context(open_fakes(h if h is not None else demo_harness(), mode))
            made.append(fakes)
            return fakes

        yield make
    for fakes in made:
        assert fakes.response_violations() == [], "a fake answered outside its spec"


@pytest.fixture
def fakes(make_fakes: Callable[..., Fakes]) -> Fakes:
    """A demo-world harness in this test's mode (see the module docstring)."""
    return make_fakes()
