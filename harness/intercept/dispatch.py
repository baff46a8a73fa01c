"""The WSGI side of the interception proxy: a request that came out of a tunnel goes to its vendor's fake with the
tenant attached; one sent to the proxy in the clear is served (`GET https://...`) or refused in plain text."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fakes.core.wsgi_environ import DROPPED, TENANT_ENVIRON_KEY

from .hosts import ENV_HOST, ENV_TENANT, VENDOR_HOSTS, ProxyEvent, refusal_message, tenant_of

if TYPE_CHECKING:
    from .proxy import InterceptProxy


def dispatch(proxy: InterceptProxy, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The proxy's WSGI app: requests that came out of a tunnel, or refusals."""
    host = environ.get(ENV_HOST)
    if host is None:
        return _not_tunnelled(proxy, environ, start_response)
    tenant = environ.get(ENV_TENANT)
    if tenant and TENANT_ENVIRON_KEY not in environ:
        environ[TENANT_ENVIRON_KEY] = tenant
    result = proxy.apps[VENDOR_HOSTS[host]](environ, start_response)
    if environ.get(DROPPED):  # a dropped-connection fault: the client sees the tunnel close, unanswered
        with contextlib.suppress(OSError):
            environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
        return []
    return result


def _not_tunnelled(
    proxy: InterceptProxy, environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes]:
    target = urlsplit(environ.get("REQUEST_URI", ""))
    if not target.scheme:  # someone asked the proxy itself for a page
        message = "this is signup-harness's interception proxy: use it as HTTPS_PROXY, not as a server"
        return _text(start_response, "400 Bad Request", message)
    host, port = (target.hostname or "").lower(), target.port or (443 if target.scheme == "https" else 80)
    tenant = tenant_of(environ.get("HTTP_PROXY_AUTHORIZATION")) or proxy.default_tenant
    if target.scheme == "https" and host in VENDOR_HOSTS and port == 443:
        # `GET https://host/...` sent to the proxy in the clear (axios does this instead of CONNECT): the
        # request is already readable, so serve it as if it had come through a tunnel.
        environ["wsgi.url_scheme"] = "https"
        environ[ENV_HOST] = host
        if tenant:
            environ[ENV_TENANT] = tenant
        environ.pop("HTTP_PROXY_AUTHORIZATION", None)
        return dispatch(proxy, environ, start_response)
    if host in VENDOR_HOSTS:
        proxy.record(ProxyEvent("plain-http", host, port, tenant, "absolute-form http:// request"))
        message = f"signup-harness intercept serves {host} over HTTPS only: call https://{host}"
    else:
        proxy.record(ProxyEvent("refused", host, port, tenant, "http:// request"))
        message = refusal_message(host, port)
    return _text(start_response, "403 Forbidden", message)


def _text(start_response: Callable[..., Any], status: str, message: str) -> list[bytes]:
    body = (message + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
