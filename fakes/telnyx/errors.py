"""Telnyx's error catalogue: `{"errors": [{code, title, detail, source, meta.url}]}`.

Codes are strings and each code has exactly one title (telnyx-facts §5). The codes chosen for the
tech_provider business rules are ours (Telnyx documents none); see docs/vendor-contract.md.
"""

from __future__ import annotations

from typing import Any

from fakes.core.errors import VendorError

TITLES = {
    "10004": "Missing required parameter",
    "10005": "Resource not found",
    "10007": "Unexpected error",
    "10009": "Authentication failed",
    "10010": "Authorization failed",
    "10011": "Too many requests",
    "10012": "Duplicate resource",
    "10015": "Bad Request",
    "10017": "Associated resource does not exist",
    "10023": "Invalid JSON",
    "10026": "Invalid parameter type",
    "10029": "Expected JSON Content-Type",
    "10030": "Method not allowed",
    "10037": "Service unavailable",
    "10038": "Feature not permitted",
}
DOCS_URL = "https://developers.telnyx.com/docs/overview/errors/{code}"


def entry(code: str, detail: str, pointer: str | None = None, parameter: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"code": code, "title": TITLES[code], "detail": detail}
    if pointer is not None:
        item["source"] = {"pointer": pointer}
    elif parameter is not None:
        item["source"] = {"parameter": parameter}
    item["meta"] = {"url": DOCS_URL.format(code=code)}
    return item


class TelnyxError(VendorError):
    def __init__(self, status: int, items: list[dict[str, Any]], headers: dict[str, str] | None = None) -> None:
        super().__init__(items[0]["detail"] if items else "")
        self.status = status
        self.items = items
        self._headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"errors": self.items}

    def headers(self) -> dict[str, str]:
        return self._headers

    @property
    def codes(self) -> list[str]:
        return [item["code"] for item in self.items]


def single(status: int, code: str, detail: str, **source: str) -> TelnyxError:
    return TelnyxError(status, [entry(code, detail, **source)])


def authentication_failed() -> TelnyxError:
    return single(
        401,
        "10009",
        "The required authentication headers were either invalid or not included in the request.",
    )


def missing_parameter(field: str) -> dict[str, Any]:
    return entry("10004", f"The '{field}' parameter is required and cannot be blank.", pointer=f"/{field}")


def invalid_parameter_type(pointer: str, reason: str) -> dict[str, Any]:
    field = pointer.strip("/") or "body"
    return entry("10026", f"The '{field}' parameter {reason}.", pointer=pointer)


def bad_query_parameter(name: str, reason: str) -> dict[str, Any]:
    return entry("10015", f"The '{name}' parameter {reason}.", parameter=name)


def invalid_json() -> TelnyxError:
    return single(400, "10023", "The request body is not valid JSON.")


def expected_json_content_type() -> TelnyxError:
    return single(415, "10029", "The request must be sent with 'Content-Type: application/json'.")


def not_found() -> TelnyxError:
    return single(404, "10005", "The requested resource or URL could not be found.")


def method_not_allowed() -> TelnyxError:
    return single(405, "10030", "The URL is valid, but the method is not allowed.")


def app_not_linked(app_id: str) -> TelnyxError:
    return single(
        403,
        "10038",
        f"Meta app '{app_id}' is not linked to this Telnyx account as a Tech Provider app. Ask Telnyx support to "
        "send the partner invitation and accept it.",
        pointer="/app_id",
    )


def waba_not_found(waba_id: str) -> TelnyxError:
    return single(
        422,
        "10017",
        f"WhatsApp Business Account '{waba_id}' does not exist or was not shared with the app.",
        pointer="/waba_id",
    )


def phone_number_not_in_waba(phone_number_id: str, waba_id: str) -> TelnyxError:
    return single(
        422,
        "10017",
        f"Phone number '{phone_number_id}' does not belong to WhatsApp Business Account '{waba_id}'.",
        pointer="/phone_number_id",
    )


def duplicate_registration(waba_id: str) -> TelnyxError:
    return single(
        409,
        "10012",
        f"WhatsApp Business Account '{waba_id}' is already registered with different details.",
        pointer="/waba_id",
    )


STATUS_DEFAULTS = {
    400: ("10015", "The request failed because it was not well-formed."),
    401: ("10009", "The required authentication headers were either invalid or not included in the request."),
    403: ("10010", "You do not have permission to perform the requested action on the specified resource."),
    404: ("10005", "The requested resource or URL could not be found."),
    405: ("10030", "The URL is valid, but the method is not allowed."),
    409: ("10012", "The resource already exists."),
    415: ("10029", "The request must be sent with 'Content-Type: application/json'."),
    422: ("10015", "The request failed because it was not well-formed."),
    429: ("10011", "You have exceeded the maximum number of allowed requests."),
    500: ("10007", "An unexpected error occured."),
    502: ("10037", "Service is unavailable."),
    503: ("10037", "Service is unavailable."),
    504: ("10037", "Service is unavailable."),
}


def for_status(status: int, overrides: dict[str, Any], headers: dict[str, str]) -> TelnyxError:
    code, detail = STATUS_DEFAULTS.get(status, ("10007", "An unexpected error occured."))
    code = str(overrides.get("code", code))
    if code not in TITLES:
        raise ValueError(f"unknown Telnyx error code {code!r}; known: {', '.join(sorted(TITLES))}")
    item = entry(code, overrides.get("detail", detail), overrides.get("pointer"), overrides.get("parameter"))
    extra = dict(headers)
    if status == 429 and not any(h.lower() == "retry-after" for h in extra):
        extra["Retry-After"] = "1"
    return TelnyxError(status, [item], extra)


def invalid_parameter(pointer: str, reason: str) -> TelnyxError:
    """A body value in the right type but refused (an expiry out of range, a webhook URL the harness may not
    call): 422 10015 naming the field."""
    return single(422, "10015", f"The '{pointer.strip('/')}' parameter {reason}.", pointer=pointer)


def hosted_signup_expired(hosted_id: str) -> TelnyxError:
    return single(422, "10015", f"Hosted signup '{hosted_id}' has expired; create a new one.", pointer="/id")
