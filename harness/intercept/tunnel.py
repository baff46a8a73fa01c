"""The interception proxy's connections: werkzeug's request handler plus CONNECT, which answers 200, terminates TLS
with the standard library's `ssl` (the harness CA's leaf) and goes on serving the decrypted requests."""

from __future__ import annotations

import contextlib
import socket
import ssl
from typing import TYPE_CHECKING, Any

from werkzeug.serving import WSGIRequestHandler

from .hosts import ENV_HOST, ENV_TENANT, VENDOR_HOSTS, ProxyEvent, refusal_message, tenant_of

if TYPE_CHECKING:
    from .proxy import InterceptProxy

HANDSHAKE_TIMEOUT = 10.0


def authority(target: str) -> tuple[str, int]:
    """Host and port of a CONNECT target (`host:port`, `[v6]:port`; 443 without a port, 0 for a bad one)."""
    host, _, port = target.rpartition(":")
    if not host:
        return target.lower(), 443
    try:
        return host.strip("[]").lower(), int(port)
    except ValueError:
        return target.lower(), 0


class SocketWriter:
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


class TunnelHandler(WSGIRequestHandler):
    """werkzeug's handler plus CONNECT: answer 200, terminate TLS, go on serving the decrypted requests."""

    protocol_version = "HTTP/1.1"
    _tunnel: tuple[str, str | None] | None = None

    @property
    def proxy(self) -> InterceptProxy:
        return self.server.intercept  # type: ignore[attr-defined,no-any-return]

    def do_CONNECT(self) -> None:  # noqa: N802 - http.server's naming
        host, port = authority(self.path)
        tenant = tenant_of(self.headers.get("Proxy-Authorization")) or self.proxy.default_tenant
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
        self.wfile = SocketWriter(tls)  # type: ignore[assignment]
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
