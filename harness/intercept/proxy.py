"""An HTTPS interception proxy that serves the vendor hosts from the fakes and forwards nothing anywhere.

A partner backend that hard-codes `https://graph.facebook.com` and `https://api.telnyx.com` reaches the fakes
unchanged when its HTTP client is told `HTTPS_PROXY=<proxy>` and trusts the harness CA:

    client --CONNECT graph.facebook.com:443--> proxy --200--> TLS (harness CA, leaf for the vendor hosts)
           --GET /v19.0/oauth/access_token-->  the Graph fake's WSGI app, in this process, tenant attached

Hosts (`VENDOR_HOSTS`): graph.facebook.com, connect.facebook.net and www.facebook.com go to the Graph fake (API,
JS SDK and signup popup), api.telnyx.com to the Telnyx fake. Every other host, and plain `http://` through the
proxy, gets a 403 whose reason names the host; nothing leaves the machine. Refusals and failed TLS handshakes are
kept (bounded) as `ProxyEvent`s, so that `verify` can say which host a partner tried, or that its client did not
trust the CA.

Tenant: the proxy URL's user name (`http://<tenant>:intercept@127.0.0.1:<port>`, sent by clients as
`Proxy-Authorization` on CONNECT), else `default_tenant`, else the fakes' own resolution (the credential's
tenant, else "default"). It reaches the fakes as the `X-Harness-Tenant` header, so journal and world are the
tenant's.

The seam to the fakes is a mapping from vendor name to WSGI app (`Harness.graph_app`, `Harness.telnyx_app`):
whichever server serves the fakes' own ports, the proxy calls the same apps. The proxy's listener is
werkzeug's threaded server with a request handler that adds CONNECT; TLS is the standard library's `ssl`.

This module is the entry point (`intercept`, `InterceptProxy`: addresses, the events kept, lifecycle) and
re-exports its parts' public names: hosts.py (the vendor hosts, the tenant of a proxy credential, refusals and
`ProxyEvent`), tunnel.py (CONNECT and TLS on a connection), dispatch.py (the WSGI side: a request to its fake).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from werkzeug.serving import BaseWSGIServer, make_server

from .ca import LocalCA
from .dispatch import dispatch
from .hosts import ENV_HOST, ENV_TENANT, VENDOR_HOSTS, ProxyEvent, refusal_message
from .tunnel import HANDSHAKE_TIMEOUT, TunnelHandler

if TYPE_CHECKING:
    from fakes.harness import Harness

__all__ = [
    "ENV_HOST",
    "ENV_TENANT",
    "EVENT_LIMIT",
    "HANDSHAKE_TIMEOUT",
    "PROXY_PASSWORD",
    "VENDOR_HOSTS",
    "InterceptProxy",
    "ProxyEvent",
    "WSGIApp",
    "intercept",
    "refusal_message",
]

WSGIApp = Callable[..., Iterable[bytes]]

PROXY_PASSWORD = "intercept"  # clients need a password next to the user name; it is not checked
EVENT_LIMIT = 1000


def intercept(harness: Harness, ca: LocalCA, host: str = "127.0.0.1", port: int = 0) -> InterceptProxy:
    """The proxy in front of `harness`'s fakes. The vendor hosts become Host names the fakes answer (their guard
    against DNS rebinding refuses any name it was not told of; nobody can rebind graph.facebook.com to us)."""
    for name in VENDOR_HOSTS:
        harness.world.access.allow_host(name)
    return InterceptProxy({"graph": harness.graph_app, "telnyx": harness.telnyx_app}, ca, host=host, port=port)


class InterceptProxy:
    """The proxy on a loopback port, in daemon threads; a context manager that stops it on exit."""

    def __init__(
        self,
        apps: Mapping[str, WSGIApp],
        ca: LocalCA,
        host: str = "127.0.0.1",
        port: int = 0,
        default_tenant: str | None = None,
        event_limit: int = EVENT_LIMIT,
    ) -> None:
        missing = {vendor for vendor in VENDOR_HOSTS.values() if vendor not in apps}
        if missing:
            raise ValueError(f"no app for {', '.join(sorted(missing))}")
        self.apps = dict(apps)
        self.ca = ca
        self.context = ca.server_context(VENDOR_HOSTS)
        self.default_tenant = default_tenant
        self._events: deque[ProxyEvent] = deque(maxlen=event_limit)
        self._lock = threading.Condition()
        self._handshakes = 0
        self.server: BaseWSGIServer = make_server(
            host, port, self._dispatch, threaded=True, request_handler=TunnelHandler
        )
        self.server.intercept = self  # type: ignore[attr-defined]  # the handler reaches the proxy through it
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="intercept-proxy", daemon=True
        )
        self._thread.start()

    # -- addresses ------------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self.server.server_port)

    @property
    def url(self) -> str:
        return f"http://{self.server.host}:{self.port}"

    def proxy_url(self, tenant: str | None = None) -> str:
        """The value of HTTPS_PROXY; with `tenant`, every request through it lands in that tenant."""
        if tenant is None:
            return self.url
        return f"http://{quote(tenant, safe='')}:{PROXY_PASSWORD}@{self.server.host}:{self.port}"

    # -- what it refused -------------------------------------------------------------------------------------
    def record(self, event: ProxyEvent) -> None:
        with self._lock:
            self._events.append(event)

    def events(self, tenant: str | None = None) -> list[ProxyEvent]:
        with self._lock:
            return [e for e in self._events if tenant is None or e.tenant == tenant]

    def clear_events(self) -> None:
        with self._lock:
            self._events.clear()

    def wait_idle(self, timeout: float = HANDSHAKE_TIMEOUT) -> bool:
        """Wait until no TLS handshake is under way (a failed one is recorded when it ends)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._handshakes == 0, timeout)

    def _handshake(self, delta: int) -> None:
        with self._lock:
            self._handshakes += delta
            self._lock.notify_all()

    # -- lifecycle -------------------------------------------------------------------------------------------
    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> InterceptProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the WSGI side (dispatch.py): requests that came out of a tunnel, or refusals ------------------------
    def _dispatch(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return dispatch(self, environ, start_response)
