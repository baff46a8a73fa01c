"""How the fakes reach a partner: one outbound HTTP call (a webhook delivery, Meta's verification request).

Two ways, chosen per URL:
- **in-process**: a WSGI app mounted for a URL's origin (`mount("http://partner.localhost", app)`) is called
  directly, no sockets: what the scenario runner and tests do with the reference webhook receiver;
- **HTTP**: `http.client` to the URL, with a timeout. Only loopback targets unless the world allows remote
  ones (`--allow-remote`): a fake must never be turned into a way to reach other machines by a seed or a scenario.

Every call answers an `OutboundResult` (status, body, latency, or the error that kept it from an answer); it never
raises for a network problem, because the delivery engine records the attempt and retries.
"""

from __future__ import annotations

import http.client
import ipaddress
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .access import LOOPBACK_NAMES

# What a partner's answer may weigh before the rest is dropped (an answer is only ever logged, never used).
MAX_ANSWER_BYTES = 64 * 1024
DEFAULT_TIMEOUT_SECONDS = 5.0


@dataclass
class OutboundResult:
    """What one outbound call to a partner got: its status and body, or why it got nothing."""

    status: int | None  # None: no HTTP answer (refused, timed out, target not allowed)
    body: bytes = b""
    error: str | None = None
    latency_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def is_loopback_host(host: str) -> bool:
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Outbound:
    """The world's one way out. `allow_remote` mirrors `--allow-remote`; mounts are the in-process targets."""

    def __init__(self, allow_remote: bool = False, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.allow_remote = allow_remote
        self.timeout = timeout
        self.mounts: dict[str, Any] = {}

    def mount(self, origin: str, wsgi_app: Any) -> None:
        """Deliver to `wsgi_app` in-process for every URL of `origin` (scheme://host[:port])."""
        self.mounts[_origin(origin)] = wsgi_app

    def unmount(self, origin: str) -> None:
        self.mounts.pop(_origin(origin), None)

    def target_problem(self, url: str) -> str | None:
        """Why this URL may not be called, or None."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return "not a URL"
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "only http and https URLs can receive webhooks"
        if _origin(url) in self.mounts:
            return None
        if not self.allow_remote and not is_loopback_host(parts.hostname):
            return f"{parts.hostname} is not a loopback address (serve with --allow-remote to deliver there)"
        return None

    def request(
        self, method: str, url: str, headers: dict[str, str], body: bytes = b"", timeout: float | None = None
    ) -> OutboundResult:
        started = time.perf_counter()
        problem = self.target_problem(url)
        if problem is not None:
            return OutboundResult(None, error=problem)
        app = self.mounts.get(_origin(url))
        try:
            if app is not None:
                status, answer = _call_wsgi(app, method, url, headers, body)
            else:
                status, answer = _call_http(method, url, headers, body, timeout or self.timeout)
        except (OSError, http.client.HTTPException) as exc:
            return OutboundResult(None, error=_describe(exc), latency_ms=_ms(started))
        return OutboundResult(status, answer, latency_ms=_ms(started))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return f"{type(exc).__name__}: {exc}"[:200]


def _call_http(method: str, url: str, headers: dict[str, str], body: bytes, timeout: float) -> tuple[int, bytes]:
    parts = urlsplit(url)
    connection_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_type(parts.hostname or "", parts.port, timeout=timeout)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    try:
        connection.request(method, target, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(MAX_ANSWER_BYTES)
    finally:
        connection.close()


def _call_wsgi(app: Any, method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """Call an in-process target the way fakes/transport.py calls the fakes: werkzeug builds the environ."""
    from werkzeug.test import EnvironBuilder, run_wsgi_app  # only when a target is mounted in-process

    parts = urlsplit(url)
    environ = EnvironBuilder(
        path=parts.path or "/",
        base_url=f"{parts.scheme}://{parts.netloc}",
        query_string=parts.query,
        method=method,
        headers=list(headers.items()),
        data=body,
    ).get_environ()
    app_iter, status, _headers = run_wsgi_app(app, environ, buffered=True)
    return int(status.split(" ", 1)[0]), b"".join(app_iter)[:MAX_ANSWER_BYTES]
