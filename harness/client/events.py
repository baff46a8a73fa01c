"""What the browser hands the backend: the FB.login() code and the WA_EMBEDDED_SIGNUP message event.

Event shapes (Meta's Embedded Signup docs, sessionInfoVersion 2 and 3, ES v2-v4):

    FINISH                                   data {waba_id, phone_number_id, business_id}
    FINISH_ONLY_WABA                         data {waba_id}
    FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING  data {waba_id}                   (coexistence)
    FINISH_OBO_MIGRATION / FINISH_GRANT_ONLY_API_ACCESS and any other FINISH*: ids when present
    CANCEL                                   data {current_step}              (customer left)
    CANCEL                                   data {error_message, error_code|error_id, session_id, timestamp}
    ERROR                                    data {error_message, error_code, session_id, timestamp}

`version` may be absent, 2, 3 or "3"; `error_code` a number or a string. The popup posts the message as a JSON
string, so `event` may be that string or the parsed object.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .values import as_code, as_id, as_text

MESSAGE_TYPE = "WA_EMBEDDED_SIGNUP"
FINISH_EVENTS = frozenset(
    {
        "FINISH",
        "FINISH_ONLY_WABA",
        "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING",
        "FINISH_OBO_MIGRATION",
        "FINISH_GRANT_ONLY_API_ACCESS",
    }
)
_VERSION = re.compile(r"^v?(\d+)$")


@dataclass(frozen=True)
class SignupEvent:
    """A parsed WA_EMBEDDED_SIGNUP message. `kind` is "finish", "cancel", "error" or "unknown"."""

    event: str
    kind: str
    waba_id: str | None = None
    phone_number_id: str | None = None
    business_id: str | None = None
    current_step: str | None = None
    error_message: str | None = None
    error_code: str | None = None
    session_id: str | None = None
    timestamp: str | None = None
    version: int | None = None
    data: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_event(raw: dict[str, Any] | str | None) -> SignupEvent | None:
    """Parse the message; None when there is none. ValueError (fixed, secret-free text) when malformed."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    message = _load(raw)
    if message.get("type", MESSAGE_TYPE) != MESSAGE_TYPE:
        raise ValueError("event is not a WA_EMBEDDED_SIGNUP message")
    name = message.get("event")
    if not isinstance(name, str) or not name:
        raise ValueError("event has no 'event' name")
    data = message.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError("event 'data' is not an object")
    error_code = as_code(data.get("error_code")) or as_code(data.get("error_id"))
    error_message = as_text(data.get("error_message"))
    return SignupEvent(
        event=name,
        kind=_kind(name, has_error=bool(error_code or error_message)),
        waba_id=_optional_id(data, "waba_id") or _first_of(data, "waba_ids"),
        phone_number_id=_optional_id(data, "phone_number_id"),
        business_id=_optional_id(data, "business_id"),
        current_step=as_text(data.get("current_step")),
        error_message=error_message,
        error_code=error_code,
        session_id=as_code(data.get("session_id")),
        timestamp=as_code(data.get("timestamp")),
        version=_version(message.get("version")),
        data=data,
    )


@dataclass(frozen=True)
class SignupOutcome:
    """What the browser handed the backend: the authorization `code`, the raw `event` (dict or JSON text)."""

    code: str | None = None
    event: dict[str, Any] | str | None = None

    def __post_init__(self) -> None:
        if self.code is not None and not isinstance(self.code, str):
            raise TypeError("code must be a string or None")
        if self.event is not None and not isinstance(self.event, dict | str):
            raise TypeError("event must be a dict, a JSON string or None")

    @classmethod
    def from_browser(cls, code: str | None = None, event: dict[str, Any] | str | None = None) -> SignupOutcome:
        """Normalise what the frontend posted: a blank code counts as no code."""
        if isinstance(code, str):
            code = code.strip() or None
        return cls(code=code, event=event)

    def parsed_event(self) -> SignupEvent | None:
        return parse_event(self.event)


def _load(raw: dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ValueError("event is not JSON") from None
    if not isinstance(raw, dict):
        raise ValueError("event is not a JSON object")
    return raw


def _kind(name: str, *, has_error: bool) -> str:
    if name in FINISH_EVENTS or name.startswith("FINISH"):
        return "finish"
    if name == "CANCEL":
        return "error" if has_error else "cancel"
    if name == "ERROR":
        return "error"
    return "unknown"


def _optional_id(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed = as_id(value)
    if parsed is None:
        raise ValueError(f"event data.{key} is not an id")
    return parsed


def _first_of(data: dict[str, Any], key: str) -> str | None:
    values = data.get(key)
    if isinstance(values, list) and values:
        return as_id(values[0])
    return None


def _version(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and (match := _VERSION.match(value.strip())):
        return int(match.group(1))
    return None
