"""Who may talk to a harness: the per-run admin token, the Host names it answers, and same-origin checks.

- `AccessPolicy` (one per world): the admin token (from `secrets`, never from the world seed, so knowing the seed
  of a run does not give its token), the Host names every port accepts, and whether the harness is exposed
  beyond loopback (`--allow-remote`: then every control operation but the public ones needs the token).
- `HostGuard`: WSGI middleware on every port refusing a `Host` that is not a loopback name or a configured host
  (DNS rebinding: a page on attacker.example resolving to 127.0.0.1 sends `Host: attacker.example`);
  `KnownHostGuard`, the same remembering its answer per Host value (the guard in front of a vendor port).
- `cross_origin_problem`: why a browser request comes from another origin (the control plane and the popup's
  `/__sdk/complete` answer only their own origin), or None.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

ADMIN_TOKEN_HEADER = "X-Harness-Admin-Token"
ADMIN_TOKEN_ENV = "SIGNUP_HARNESS_ADMIN_TOKEN"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def new_admin_token() -> str:
    return "hat_" + secrets.token_urlsafe(24)


@dataclass
class AccessPolicy:
    """Who may use the control plane (the per-run admin token) and which Host names the fakes answer."""

    admin_token: str = field(default_factory=new_admin_token)
    allowed_hosts: set[str] = field(default_factory=set)  # beyond the loopback names, lower case, no port
    remote: bool = False  # bound beyond loopback: any IP literal is a fine Host, tenants need the token too

    def token_matches(self, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(str(sent).encode(), self.admin_token.encode())

    def allow_host(self, host: str) -> None:
        self.allowed_hosts.add(host.strip("[]").lower())

    def expose(self, host: str) -> None:
        """Serving on `host` beyond loopback: accept it, this machine's names, and IP literals as Host."""
        self.remote = True
        self.allow_host(host)
        for name in {socket.gethostname(), socket.getfqdn()}:
            if name:
                self.allow_host(name)

    def host_allowed(self, host_header: str | None) -> bool:
        if not host_header:
            return True  # HTTP/1.0 clients send none; browsers always do
        name = host_name(host_header)
        if name in LOOPBACK_NAMES or name.endswith(".localhost") or name in self.allowed_hosts:
            return True
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            return False
        return address.is_loopback or self.remote


def host_name(host_header: str) -> str:
    """The name of a Host header, without its port ("[::1]:8010" -> "::1")."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


def own_origin(environ: dict[str, Any]) -> str:
    scheme = environ.get("wsgi.url_scheme", "http")
    return f"{scheme}://{environ.get('HTTP_HOST', '')}".lower()


def cross_origin_problem(environ: dict[str, Any]) -> str | None:
    """Why this is a request from another web origin, or None (no Origin at all: curl, SDKs, tests)."""
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None:
        if origin.strip().lower() == "null":
            return "requests from an opaque origin (Origin: null) are refused"
        if origin.strip().lower().rstrip("/") != own_origin(environ):
            return f"requests from another origin ({origin}) are refused"
    site = environ.get("HTTP_SEC_FETCH_SITE")
    if site is not None and site.lower() not in ("same-origin", "none"):
        return f"cross-site requests are refused (Sec-Fetch-Site: {site})"
    return None


def refusal(start_response: Any, status: str, message: str, kind: str) -> Iterable[bytes]:
    body = json.dumps({"harness_error": {"message": message, "type": kind}}).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class HostGuard:
    """Refuse requests whose Host is not a loopback name or a configured host, on every port."""

    def __init__(self, wsgi_app: Any, policy: AccessPolicy) -> None:
        self.wsgi_app = wsgi_app
        self.policy = policy

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        host = environ.get("HTTP_HOST")
        if not self.policy.host_allowed(host):
            name = host_name(host or "")[:100]
            message = (
                f"Host {name!r} is not served here (a guard against DNS rebinding): use 127.0.0.1 or localhost, "
                "or start the harness with --host set to that name"
            )
            return refusal(start_response, "403 Forbidden", message, "HostRefused")
        return self.wsgi_app(environ, start_response)


class KnownHostGuard(HostGuard):
    """HostGuard that remembers its answer per Host value (a port sees one or two): the policy's own check
    parses the name and tries it as an IP address on every request. Asked again when the policy changes."""

    def __init__(self, wsgi_app: Any, policy: Any) -> None:
        super().__init__(wsgi_app, policy)
        self._allowed: dict[tuple[str | None, int, bool], bool] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        policy = self.policy
        key = (environ.get("HTTP_HOST"), len(policy.allowed_hosts), policy.remote)
        allowed = self._allowed.get(key)
        if allowed is None:
            allowed = policy.host_allowed(key[0])
            if len(self._allowed) >= 256:  # Host is the client's to choose: keep few
                self._allowed.clear()
            self._allowed[key] = allowed
        if allowed:
            return self.wsgi_app(environ, start_response)
        return super().__call__(environ, start_response)  # the refusal, as HostGuard words it
