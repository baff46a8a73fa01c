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
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import socket
import ssl
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from fakes.core.wsgi_environ import DROPPED, TENANT_ENVIRON_KEY

from .ca import LocalCA

if TYPE_CHECKING:
    from fakes.harness import Harness

WSGIApp = Callable[..., Iterable[bytes]]

VENDOR_HOSTS: dict[str, str] = {
    "graph.facebook.com": "graph",
    "connect.facebook.net": "graph",
    "www.facebook.com": "graph",
    "api.telnyx.com": "telnyx",
}
PROXY_PASSWORD = "intercept"  # clients need a password next to the user name; it is not checked
EVENT_LIMIT = 1000
HANDSHAKE_TIMEOUT = 10.0
ENV_HOST = "harness.intercept.host"
ENV_TENANT = "harness.intercept.tenant"


@dataclass(frozen=True)
class ProxyEvent:
    """Something the proxy refused or could not do: `refused` (a host it does not serve), `plain-http` (a vendor
    host over http://), `tls-failed` (the client broke off the handshake: it does not trust the harness CA)."""

    kind: str
    host: str
    port: int
    tenant: str | None
    detail: str

    def reason(self) -> str:
        """The judge's wording, most specific first in a report."""
        if self.kind == "tls-failed":
            return (
                f"network: the TLS handshake for {self.host} failed ({self.detail}): the partner's HTTP client does "
                "not trust the harness CA (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS...)"
            )
        if self.kind == "plain-http":
            return f"network: plain http://{self.host} is not intercepted; the vendors' APIs are https://"
        return f"network: the partner tried to reach {self.host}:{self.port}, which the interception proxy refused"


def intercept(harness: Harness, ca: LocalCA, host: str = "127.0.0.1", port: int = 0) -> InterceptProxy:
    """The proxy in front of `harness`'s fakes. The vendor hosts become Host names the fakes answer (their guard
    against DNS rebinding refuses any name it was not told of; nobody can rebind graph.facebook.com to us)."""
    for name in VENDOR_HOSTS:
        harness.world.access.allow_host(name)
    return InterceptProxy({"graph": harness.graph_app, "telnyx": harness.telnyx_app}, ca, host=host, port=port)


def refusal_message(host: str, port: int) -> str:
    served = ", ".join(VENDOR_HOSTS)
    return (
        f"signup-harness intercept refused {host}:{port}: only {served} (port 443) are served, from the fakes; "
        "nothing is forwarded. Exempt a host of your own with NO_PROXY."
    )


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
        self.server: BaseWSGIServer = make_server(host, port, self._dispatch, threaded=True, request_handler=_Handler)
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

    # -- the WSGI side: requests that came out of a tunnel, or refusals --------------------------------------
    def _dispatch(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        host = environ.get(ENV_HOST)
        if host is None:
            return self._not_tunnelled(environ, start_response)
        tenant = environ.get(ENV_TENANT)
        if tenant and TENANT_ENVIRON_KEY not in environ:
            environ[TENANT_ENVIRON_KEY] = tenant
        result = self.apps[VENDOR_HOSTS[host]](environ, start_response)
        if environ.get(DROPPED):  # a dropped-connection fault: the client sees the tunnel close, unanswered
            with contextlib.suppress(OSError):
                environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
            return []
        return result

    def _not_tunnelled(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = urlsplit(environ.get("REQUEST_URI", ""))
        if not target.scheme:  # someone asked the proxy itself for a page
            message = "this is signup-harness's interception proxy: use it as HTTPS_PROXY, not as a server"
            return _text(start_response, "400 Bad Request", message)
        host, port = (target.hostname or "").lower(), target.port or (443 if target.scheme == "https" else 80)
        tenant = _tenant_of(environ.get("HTTP_PROXY_AUTHORIZATION")) or self.default_tenant
        if target.scheme == "https" and host in VENDOR_HOSTS and port == 443:
            # `GET https://host/...` sent to the proxy in the clear (axios does this instead of CONNECT): the
            # request is already readable, so serve it as if it had come through a tunnel.
            environ["wsgi.url_scheme"] = "https"
            environ[ENV_HOST] = host
            if tenant:
                environ[ENV_TENANT] = tenant
            environ.pop("HTTP_PROXY_AUTHORIZATION", None)
            return self._dispatch(environ, start_response)
        if host in VENDOR_HOSTS:
            self.record(ProxyEvent("plain-http", host, port, tenant, "absolute-form http:// request"))
            message = f"signup-harness intercept serves {host} over HTTPS only: call https://{host}"
        else:
            self.record(ProxyEvent("refused", host, port, tenant, "http:// request"))
            message = refusal_message(host, port)
        return _text(start_response, "403 Forbidden", message)


def _text(start_response: Callable[..., Any], status: str, message: str) -> list[bytes]:
    body = (message + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def _tenant_of(authorization: str | None) -> str | None:
    """The user name of `Proxy-Authorization: Basic ...`, which is how a proxy URL's user name travels."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user = unquote(decoded.partition(":")[0])
    return user or None


def _authority(target: str) -> tuple[str, int]:
    host, _, port = target.rpartition(":")
    if not host:
        return target.lower(), 443
    try:
        return host.strip("[]").lower(), int(port)
    except ValueError:
        return target.lower(), 0


class _SocketWriter:
    """Unbuffered writes that always write everything (the interface http.server expects of wfile)."""

    closed = False

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def write(self, data: bytes) -> int:
        self._sock.sendall(data)
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def writable(self) -> bool:
        return True


class _Handler(WSGIRequestHandler):
    """werkzeug's handler plus CONNECT: answer 200, terminate TLS, go on serving the decrypted requests."""

    protocol_version = "HTTP/1.1"
    _tunnel: tuple[str, str | None] | None = None

    @property
    def proxy(self) -> InterceptProxy:
        return self.server.intercept  # type: ignore[attr-defined,no-any-return]

    def do_CONNECT(self) -> None:  # noqa: N802 - http.server's naming
        host, port = _authority(self.path)
        tenant = _tenant_of(self.headers.get("Proxy-Authorization")) or self.proxy.default_tenant
        if self._tunnel is not None or host not in VENDOR_HOSTS or port != 443:
            self.proxy.record(ProxyEvent("refused", host, port, tenant, "CONNECT"))
            body = (refusal_message(host, port) + "\n").encode()
            self.send_response(403, f"signup-harness refuses {host}:{port}"[:100])
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return
        self.proxy._handshake(+1)
        try:
            self.send_response(200, "Connection established")
            self.end_headers()
            self.rfile.close()  # nothing is buffered: a client waits for the 200 before its ClientHello
            previous = self.connection.gettimeout()
            self.connection.settimeout(HANDSHAKE_TIMEOUT)
            tls = self.proxy.context.wrap_socket(self.connection, server_side=True)
            tls.settimeout(previous)
        except (ssl.SSLError, OSError) as exc:
            detail = getattr(exc, "reason", None) or type(exc).__name__
            self.proxy.record(ProxyEvent("tls-failed", host, port, tenant, str(detail)))
            self.close_connection = True
            self.rfile = _Empty()  # type: ignore[assignment]
            return
        finally:
            self.proxy._handshake(-1)
        self.connection = self.request = tls
        self.rfile = tls.makefile("rb", self.rbufsize)  # type: ignore[assignment]
        self.wfile = _SocketWriter(tls)  # type: ignore[assignment]
        self._tunnel = (host, tenant)
        self.close_connection = False

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        if self._tunnel is not None:
            environ["wsgi.url_scheme"] = "https"
            environ[ENV_HOST], tenant = self._tunnel
            if tenant:
                environ[ENV_TENANT] = tenant
        return environ

    def handle(self) -> None:
        try:
            super().handle()
        except (OSError, ValueError):  # the client went away mid-request or mid-TLS: nothing to answer
            self.close_connection = True

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        if self._tunnel is not None:
            with contextlib.suppress(OSError):
                self.connection.close()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server answers a malformed request with an HTML page; the proxy answers in plain text."""
        body = f"signup-harness intercept: {message or 'bad request'}\n".encode()
        self.send_response(code, message)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)
        self.close_connection = True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        return None


class _Empty:
    """An rfile that has nothing more to read (after a failed handshake)."""

    def readline(self, *_: Any) -> bytes:
        return b""

    def close(self) -> None:
        return None
