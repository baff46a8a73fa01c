"""One redaction for everything the harness writes: journals, violation messages, headers, reports, log lines.

A name is a secret's name whatever its case and after percent-decoding (`Access_Token`, `client%5Fsecret`,
`%63ode` are all secret names), `-` and `_` alike. The names are every credential the two vendors accept:
Graph's `access_token`, `input_token`, `client_secret`, `code`, `fb_exchange_token`, `appsecret_proof`, a
registration `pin`; Telnyx's API key in `Authorization`, `x-api-key`, `x-telnyx-key` or an `apiKey`/`api_key`
field; cookies; and the harness's own admin token. Path segments that look like a vendor credential (a Graph
token `EAA...`, a code `AQ...`, a Telnyx key `KEY..._...`, an app token `<app id>|<secret>`) are masked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

REDACTED = "[REDACTED]"

# Names (normalized: see `normalize`) whose values are secrets, in a request, a form, a query or a header.
SECRET_FIELDS = frozenset(
    {
        "access_token",
        "input_token",
        "client_secret",
        "code",
        "fb_exchange_token",
        "appsecret_proof",
        "secret",
        "app_secret",
        "client_token",
        "api_key",
        "apikey",
        "telnyx_api_key",
        "pin",
        "token",
        "refresh_token",
        "id_token",
        "verify_token",
        "hub.verify_token",
        "signed_request",
        "password",
        "authorization",
        "proxy_authorization",
        "cookie",
        "set_cookie",
        "x_api_key",
        "x_telnyx_key",
        "x_harness_admin_token",
        "admin_token",
        "jwt",
    }
)
# Response fields that carry secrets (error objects reuse "code" for numbers and Telnyx code strings).
SECRET_RESPONSE_FIELDS = frozenset({"access_token", "secret", "app_secret", "api_key", "token", "admin_token", "jwt"})
# Headers whose value keeps its scheme ("Bearer [REDACTED]") so a reader still sees how the caller authenticated.
_SCHEME_HEADERS = frozenset({"authorization", "proxy_authorization"})

# A credential standing alone (a path segment, a word in a log line).
_TOKEN = (
    r"EAA[A-Za-z0-9]{16,}"  # Graph user / system-user / page tokens
    r"|AQ[A-Za-z0-9_-]{30,}"  # Embedded Signup authorization codes (longer than a 23-character fbtrace id)
    r"|KEY[A-Za-z0-9]{8,}_[A-Za-z0-9]{8,}"  # Telnyx API keys
    r"|\d{6,20}\|[A-Za-z0-9_-]{16,}"  # Graph app tokens: <app id>|<app secret>
)
_TOKEN_ALONE = re.compile(rf"(?<![A-Za-z0-9_-])(?:{_TOKEN})(?![A-Za-z0-9_-])")
_TOKEN_SEGMENT = re.compile(rf"(?:{_TOKEN})")
# name=value, as in query strings, form bodies and URLs inside text.
_PAIR = re.compile(r"(?P<key>[A-Za-z0-9_.%\-\[\]]{1,80})=(?P<value>[^&\s\"'<>;,?]*)")
# "name": "value" / 'name': 'value' / "name": 123, as in JSON and Python reprs inside text.
_QUOTED = re.compile(
    r"(?P<q>[\"'])(?P<key>[A-Za-z0-9_.%\-]{1,80})(?P=q)\s*:\s*"
    r"(?:(?P<q2>[\"'])(?P<sval>(?:\\.|(?!(?P=q2)).)*)(?P=q2)|(?P<nval>-?[0-9][0-9.eE+-]*))"
)
# Header lines inside text ("Authorization: Bearer ...", "x-telnyx-key: ...").
_HEADER_LINE = re.compile(
    r"(?i)(?P<key>authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-telnyx-key|x-harness-admin-token)"
    r"(?P<sep>\s*:\s*)(?P<value>[^\r\n]*)"
)
_ERROR_CODE = re.compile(r"[0-9]{1,8}")
_BEARER = re.compile(r"(?i)\b(?P<scheme>bearer|basic)\s+(?P<value>[A-Za-z0-9._~+/=|-]{6,})")


def normalize(name: object) -> str:
    """The comparable form of a field or header name: percent-decoded, lower case, `-` as `_`."""
    text = str(name)
    if "%" in text:
        text = unquote(unquote(text))
    return text.strip().lower().replace("-", "_")


def is_secret_name(name: object, secret_fields: frozenset[str] = SECRET_FIELDS) -> bool:
    return normalize(name) in secret_fields


def redact_fields(value: Any, secret_fields: frozenset[str] = SECRET_FIELDS) -> Any:
    """A copy of a JSON-like value with the values of secret fields replaced and secrets in strings masked."""
    if isinstance(value, Mapping):
        return {
            key: (
                REDACTED
                if _is_scalar_secret(item) and is_secret_name(key, secret_fields)
                else redact_fields(item, secret_fields)
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_fields(item, secret_fields) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bytes):
        return redact_text(value.decode("utf-8", "replace"))
    return value


def _is_scalar_secret(item: Any) -> bool:
    return isinstance(item, str | bytes | int | float) and not isinstance(item, bool)


def _redact_once(text: str) -> str:
    def pair(match: re.Match[str]) -> str:
        if match.group("value") and is_secret_name(match.group("key")):
            return f"{match.group('key')}={REDACTED}"
        return match.group(0)

    def quoted(match: re.Match[str]) -> str:
        if not is_secret_name(match.group("key")):
            return match.group(0)
        if (
            _ERROR_CODE.fullmatch(match.group("sval") or match.group("nval") or "")
            and normalize(match.group("key")) == "code"
        ):
            return match.group(0)  # a vendor error code in a JSON error body (Graph 190, Telnyx "10009"), not a secret
        q = match.group("q")
        return f"{q}{match.group('key')}{q}: {q}{REDACTED}{q}"

    def header(match: re.Match[str]) -> str:
        value = match.group("value")
        scheme = value.split(" ", 1)[0] if match.group("key").lower().endswith("authorization") and " " in value else ""
        return f"{match.group('key')}{match.group('sep')}{(scheme + ' ' + REDACTED).strip()}"

    if "=" in text:
        text = _PAIR.sub(pair, text)
    if ":" in text:
        text = _QUOTED.sub(quoted, text)
        text = _HEADER_LINE.sub(header, text)
    text = _BEARER.sub(lambda m: f"{m.group('scheme')} {REDACTED}", text)
    return _TOKEN_ALONE.sub(REDACTED, text)


def redact_text(text: str) -> str:
    """Mask every secret in free text: URLs and query strings, JSON, header lines, bearer values, bare tokens.

    Percent-encoded text is looked at decoded as well; when the decoded form holds a secret, the decoded, masked
    form is returned (a secret is never kept for the sake of the original spelling)."""
    if not isinstance(text, str):
        text = str(text)
    redacted = _redact_once(text)
    if "%" in redacted:
        decoded = unquote(unquote(redacted))
        masked = _redact_once(decoded)
        if masked != decoded:
            return masked
    return redacted


def redact_path(path: str) -> str:
    """A URL path with every segment that looks like a credential masked (`GET /v19.0/EAA...`)."""
    return "/".join(REDACTED if _TOKEN_SEGMENT.fullmatch(unquote(part)) else part for part in path.split("/"))


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    redacted = {}
    for name, value in headers.items():
        key = normalize(name)
        if key in _SCHEME_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            redacted[name] = f"{scheme} {REDACTED}".strip()
        elif key in SECRET_FIELDS:
            redacted[name] = REDACTED
        else:
            redacted[name] = redact_text(value)
    return redacted


def secret_values(value: Any, secret_fields: frozenset[str] = SECRET_FIELDS) -> set[str]:
    """The values of secret fields anywhere in a JSON-like value (to scrub them from messages that quote it)."""
    found: set[str] = set()
    if isinstance(value, Mapping):
        for key, item in value.items():
            if _is_scalar_secret(item) and is_secret_name(key, secret_fields):
                found.add(str(item))
            else:
                found |= secret_values(item, secret_fields)
    elif isinstance(value, list | tuple):
        for item in value:
            found |= secret_values(item, secret_fields)
    return found


def scrub_values(text: str, values: Iterable[str]) -> str:
    """`text` with each of `values` (known secrets) and anything secret-looking masked."""
    for value in sorted((v for v in values if v), key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return redact_text(text)
