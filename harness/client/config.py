"""Client configuration: where the vendors are, who we are, and how patient to be.

The client talks to loopback fakes by default. Pointing it anywhere else (the real Meta Graph and Telnyx APIs
included) needs `allow_remote=True`, so a test set-up never reaches a real vendor by mistake.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .outcome import OutcomeWait
from .retry import RetryPolicy

REAL_GRAPH_BASE_URL = "https://graph.facebook.com"
REAL_TELNYX_BASE_URL = "https://api.telnyx.com/v2"
# The newest version fakes/graph/versions.py lists as live (Meta keeps a version about two years): one place.
DEFAULT_GRAPH_VERSION = "v26.0"

_VERSION = re.compile(r"^v\d+\.\d+$")
_TRUE = {"1", "true", "yes", "on"}
_RESERVED_HEADERS = {"authorization", "content-type", "host"}

# Environment variable -> ClientConfig field. `*_FILE` variants of the two secrets name a file holding it.
ENV_VARS = {
    "SIGNUP_GRAPH_BASE_URL": "graph_base_url",
    "SIGNUP_GRAPH_VERSION": "graph_version",
    "SIGNUP_TELNYX_BASE_URL": "telnyx_base_url",
    "META_APP_ID": "app_id",
    "META_APP_SECRET": "app_secret",
    "TELNYX_API_KEY": "telnyx_api_key",
    "SIGNUP_REDIRECT_URI": "redirect_uri",
    "SIGNUP_TIMEOUT": "timeout",
    "SIGNUP_ALLOW_REMOTE": "allow_remote",
    "SIGNUP_OUTCOME_WAIT": "outcome_wait",
}
SECRET_FILE_ENV_VARS = {"META_APP_SECRET_FILE": "app_secret", "TELNYX_API_KEY_FILE": "telnyx_api_key"}
RETRY_ENV_VARS = {
    "SIGNUP_RETRY_MAX_ATTEMPTS": ("max_attempts", int),
    "SIGNUP_RETRY_BASE_DELAY": ("base_delay", float),
    "SIGNUP_RETRY_MAX_DELAY": ("max_delay", float),
    "SIGNUP_RETRY_TOTAL_BUDGET": ("total_budget", float),
}


def _mask(value: str) -> str:
    return "'***'" if value else "''"


@dataclass(frozen=True, repr=False)
class ClientConfig:
    """Everything the onboarding client needs. URLs lose any trailing slash; `repr()` masks the secrets.

    `telnyx_base_url` includes `/v2`, as in the Telnyx SDKs. `graph_base_url` may carry a path prefix (a
    harness tenant: `http://127.0.0.1:8010/_t/tenant-1`). `graph_version` is always pinned.
    `redirect_uri` stays None for Embedded Signup: sending one makes Graph answer 100/36008.
    """

    graph_base_url: str | None = None
    graph_version: str = DEFAULT_GRAPH_VERSION
    telnyx_base_url: str | None = None
    app_id: str = ""
    app_secret: str = ""
    telnyx_api_key: str = ""
    redirect_uri: str | None = None
    timeout: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    allow_remote: bool = False
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    outcome_wait: OutcomeWait | None = None  # step 5, opt-in: wait for Telnyx's signup session

    def __post_init__(self) -> None:
        graph = self._resolve_url("graph_base_url", self.graph_base_url, REAL_GRAPH_BASE_URL)
        telnyx = self._resolve_url("telnyx_base_url", self.telnyx_base_url, REAL_TELNYX_BASE_URL)
        object.__setattr__(self, "graph_base_url", graph)
        object.__setattr__(self, "telnyx_base_url", telnyx)
        object.__setattr__(self, "extra_headers", dict(self.extra_headers))
        # Pinned, always: Graph serves an unversioned call with its oldest available version, which changes
        # under you as versions expire.
        if not _VERSION.match(self.graph_version or ""):
            raise ValueError("graph_version must look like 'v26.0' (a careful backend pins its Graph version)")
        for name in ("app_id", "app_secret", "telnyx_api_key"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} must be a string")
        if not isinstance(self.timeout, int | float) or not 0 < self.timeout < float("inf"):
            raise ValueError("timeout must be a positive number of seconds")
        if not isinstance(self.retry, RetryPolicy):
            raise ValueError("retry must be a RetryPolicy")
        if self.outcome_wait is not None and not isinstance(self.outcome_wait, OutcomeWait):
            raise ValueError("outcome_wait must be an OutcomeWait or None")
        if self.redirect_uri is not None:
            self._check_url("redirect_uri", self.redirect_uri, loopback_only=False)
        for key, value in self.extra_headers.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise ValueError("extra_headers must map strings to strings")
            if key.lower() in _RESERVED_HEADERS:
                raise ValueError(f"extra_headers must not set {key}: the client sets it per vendor")

    def _resolve_url(self, name: str, value: str | None, real_default: str) -> str:
        if not value:
            if not self.allow_remote:
                var = next(v for v, field_name in ENV_VARS.items() if field_name == name)
                raise ValueError(f"{name} is required (env {var}); only loopback URLs unless allow_remote=True")
            value = real_default
        self._check_url(name, value, loopback_only=not self.allow_remote)
        return value.rstrip("/")

    @staticmethod
    def _check_url(name: str, value: str, *, loopback_only: bool) -> None:
        try:
            parts = urlsplit(value)
            host = parts.hostname
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except (ValueError, AttributeError) as exc:
            raise ValueError(f"{name} is not a valid URL") from exc
        if parts.scheme not in ("http", "https") or not host:
            raise ValueError(f"{name} must be an http(s) URL with a host")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError(f"{name} must not carry credentials, a query or a fragment")
        if loopback_only and not is_loopback_host(host):
            raise ValueError(
                f"{name} host {host!r} is not loopback; pass allow_remote=True (--allow-remote) to call it"
            )

    @property
    def graph_root(self) -> str:
        """Base URL plus version: every Graph path hangs off this."""
        base = str(self.graph_base_url)
        return f"{base}/{self.graph_version}"

    @property
    def app_token(self) -> str:
        """The app access token `APP_ID|APP_SECRET` (a secret: never log it)."""
        return f"{self.app_id}|{self.app_secret}"

    def secrets(self) -> tuple[str, ...]:
        """The values no message, report or log line may contain."""
        values = [self.app_secret, self.telnyx_api_key]
        if self.app_secret:
            values.append(self.app_token)
        return tuple(v for v in values if v)

    def __repr__(self) -> str:
        return (
            f"ClientConfig(graph_base_url={self.graph_base_url!r}, graph_version={self.graph_version!r}, "
            f"telnyx_base_url={self.telnyx_base_url!r}, app_id={self.app_id!r}, "
            f"app_secret={_mask(self.app_secret)}, telnyx_api_key={_mask(self.telnyx_api_key)}, "
            f"redirect_uri={self.redirect_uri!r}, timeout={self.timeout!r}, retry={self.retry!r}, "
            f"allow_remote={self.allow_remote!r}, extra_headers={sorted(self.extra_headers)!r}, "
            f"outcome_wait={self.outcome_wait!r})"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> ClientConfig:
        """Build from environment variables (see `ENV_VARS`); keyword `overrides` win over the environment.

        Overrides whose value is None are ignored, so command-line options can be passed straight through.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for var, name in SECRET_FILE_ENV_VARS.items():
            if env.get(var):
                values[name] = read_secret_file(env[var])
        for var, name in ENV_VARS.items():
            if env.get(var) not in (None, ""):
                values[name] = env[var]
        if "timeout" in values:
            values["timeout"] = _number("SIGNUP_TIMEOUT", values["timeout"], float)
        if "allow_remote" in values:
            values["allow_remote"] = str(values["allow_remote"]).strip().lower() in _TRUE
        retry = {attr: _number(var, env[var], kind) for var, (attr, kind) in RETRY_ENV_VARS.items() if env.get(var)}
        if retry:
            values["retry"] = RetryPolicy(**retry)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values.get("outcome_wait"), str | int | float):  # from the environment or a CLI option
            values["outcome_wait"] = outcome_wait_from(values["outcome_wait"])
        return cls(**values)


def outcome_wait_from(raw: str | int | float) -> OutcomeWait | None:
    """SIGNUP_OUTCOME_WAIT / --outcome-wait: the session wait's budget in seconds (`OutcomeWait`'s other defaults);
    `0` or `off` leaves step 5 off."""
    if isinstance(raw, str) and raw.strip().lower() in ("off", "0", ""):
        return None
    budget = _number("SIGNUP_OUTCOME_WAIT", str(raw), float)
    if budget == 0:
        return None
    try:
        return OutcomeWait(budget=budget)
    except ValueError:
        raise ValueError("SIGNUP_OUTCOME_WAIT must be a finite number of seconds >= 0, or off") from None


def _number(var: str, raw: str, kind: type) -> Any:
    try:
        return kind(raw)
    except ValueError as exc:
        raise ValueError(f"{var} must be a number") from exc


def read_secret_file(path: str | os.PathLike[str]) -> str:
    """A secret kept in a file (first line, surrounding whitespace stripped)."""
    text = Path(path).read_text(encoding="utf-8")
    return text.strip().splitlines()[0].strip() if text.strip() else ""


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 (and IPv4-mapped loopback), `localhost` and `*.localhost`."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)
