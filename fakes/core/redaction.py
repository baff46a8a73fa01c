"""Keep secrets (API keys, app secrets, tokens, codes) out of journals, reports and logs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[REDACTED]"

# Request fields whose string values are secrets, whatever the vendor.
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
        "api_key",
        "telnyx_api_key",
        "pin",
        "token",
        "verify_token",
        "authorization",
        "cookie",
        "x-api-key",
    }
)
# Response fields that carry secrets (error objects reuse "code" for numbers and Telnyx code strings).
SECRET_RESPONSE_FIELDS = frozenset({"access_token", "secret", "app_secret", "api_key", "token"})

_SECRET_IN_TEXT = re.compile(
    r"(?P<key>access_token|input_token|client_secret|code|fb_exchange_token|appsecret_proof|api_key)"
    r"=(?P<value>[^&\s\"']+)"
)


def redact_fields(value: Any, secret_fields: frozenset[str] = SECRET_FIELDS) -> Any:
    """A copy of a JSON-like value with the string values of secret fields replaced."""
    if isinstance(value, Mapping):
        return {
            key: (
                REDACTED
                if str(key).lower() in secret_fields and isinstance(item, str)
                else redact_fields(item, secret_fields)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_fields(item, secret_fields) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_text(text: str) -> str:
    """Scrub secrets embedded in URLs and query strings (Graph paging links carry access_token)."""
    if "=" not in text:
        return text
    return _SECRET_IN_TEXT.sub(lambda m: f"{m.group('key')}={REDACTED}", text)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    redacted = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered == "authorization":
            scheme = value.split(" ", 1)[0] if " " in value else ""
            redacted[name] = f"{scheme} {REDACTED}".strip()
        elif lowered in SECRET_FIELDS:
            redacted[name] = REDACTED
        else:
            redacted[name] = value
    return redacted
