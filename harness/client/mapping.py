"""From a vendor's error answer to the error class a partner handles: one table, read top to bottom.

The first row whose every stated field matches wins; a field left as None matches anything. Rows key on
(vendor, HTTP status, vendor code, subcode, Telnyx source.pointer) and, where the vendors need it, on the
operation or Graph's `WWW-Authenticate` error kind. Anything no row names becomes `VendorError`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from . import errors as e
from .redaction import Redactor

SERVER_ERRORS = range(500, 600)
_UNSET: Any = object()


@dataclass(frozen=True)
class VendorFault:
    """A vendor's error answer, reduced to the fields the table needs plus what a report shows."""

    vendor: str
    operation: str
    http_status: int | None
    code: str | None = None
    subcode: str | None = None
    pointer: str | None = None
    challenge: str | None = None  # Graph: first token of WWW-Authenticate, e.g. "invalid_code"
    title: str | None = None  # Telnyx title, Graph error type
    message: str | None = None  # Telnyx detail, Graph message
    trace_id: str | None = None
    attempts: int = 1
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    error: type[e.OnboardingError]
    vendor: str
    status: int | Collection[int] | None = None
    code: str | None = None
    subcode: str | None = None
    pointer: str | None = None
    operation: str | None = None
    challenge: str | None = None
    guidance: str | None = None
    troubleshooting: str | None = _UNSET

    def matches(self, fault: VendorFault) -> bool:
        if self.vendor != fault.vendor:
            return False
        if isinstance(self.status, int):
            if fault.http_status != self.status:
                return False
        elif self.status is not None and fault.http_status not in self.status:
            return False
        wanted = (self.code, self.subcode, self.pointer, self.operation, self.challenge)
        actual = (fault.code, fault.subcode, fault.pointer, fault.operation, fault.challenge)
        return all(w is None or w == a for w, a in zip(wanted, actual, strict=True))


R = Rule
_PERMISSION = "The app lacks a permission (whatsapp_business_management / _messaging need Advanced Access)."
_TELNYX_ROUTE = "Telnyx does not know this route: check that the Telnyx base URL ends in /v2."
_SESSION = "signupSession"
_PIN_SET = (
    "The number already has a two-step verification PIN (Meta 133005), so Telnyx could not register it: the "
    "customer must turn two-step verification off in WhatsApp Manager, then register again."
)
_SUBSCRIBE = "Telnyx could not subscribe its app to the WABA: check the WABA is still shared with your app."
_ASSIGN = "Telnyx's system user could not be assigned to the WABA: the customer must keep the WABA shared."
_CREDIT_LINE = (
    "Telnyx could not share its credit line with the WABA ('Credit line is applied' in the guide's 'What happens "
    "after registration'): check the customer's business and contact Telnyx support."
)
_WABA_LIMIT = (
    "Meta is throttling calls on this WhatsApp Business Account (80008, transient): retry after "
    "details.estimated_time_to_regain_access minutes (from x-business-use-case-usage), not at once."
)
_REGISTER_LIMIT = (
    "The number was registered or deregistered too often in the last 72 hours (Meta 133016), so Telnyx could "
    "not register it ('Number is ready for messaging' in the guide): wait, then register again."
)
_RECENTLY_DELETED = (
    "The number was deleted from a WhatsApp Business Account minutes ago (Meta 133015), so Telnyx could not "
    "register it ('Number is ready for messaging' in the guide): wait about five minutes, then register again."
)
_REGISTER = (
    "The phone number could not be registered on the Cloud API ('Number is ready for messaging' in the guide): "
    "see Meta's error in the message."
)

RULES: tuple[Rule, ...] = (
    # --- Meta Graph: branch on error.code, not on HTTP status (Meta's own advice), except 429 / 5xx.
    R(e.RateLimited, "graph", status=429),
    R(e.VendorUnavailable, "graph", status=SERVER_ERRORS),
    R(e.RateLimited, "graph", code="4"),
    R(e.RateLimited, "graph", code="17"),
    R(e.RateLimited, "graph", code="32"),
    R(e.RateLimited, "graph", code="613"),
    R(e.RateLimited, "graph", code="80007"),
    R(e.RateLimited, "graph", code="80008", guidance=_WABA_LIMIT),
    R(e.WrongAppSecret, "graph", code="1"),
    R(e.UnknownApp, "graph", code="101"),
    R(e.InvalidAccessToken, "graph", code="190"),
    R(e.ExpiredAuthorizationCode, "graph", code="100", subcode="36007"),
    R(e.RedirectUriMismatch, "graph", code="100", subcode="36008"),
    R(e.InvalidAuthorizationCode, "graph", code="100", subcode="36009"),
    R(e.InvalidAuthorizationCode, "graph", code="100", challenge="invalid_code"),
    R(e.WabaNotFound, "graph", code="100", subcode="33", operation="listWabaPhoneNumbers"),
    R(e.RequestValidationFailed, "graph", code="100"),
    R(e.VendorError, "graph", code="10", guidance=_PERMISSION, troubleshooting=e.TS_APP_REVIEW),
    R(e.AssetNotGranted, "graph", code="200"),
    # --- Telnyx: HTTP status and errors[0].code (a string), plus source.pointer for 10017.
    R(e.RateLimited, "telnyx", status=429),
    R(e.VendorUnavailable, "telnyx", status=SERVER_ERRORS),
    R(e.TelnyxAuthenticationFailed, "telnyx", status=401),
    R(e.AppNotLinkedToTelnyx, "telnyx", status=403, code="10038"),
    R(e.WabaNotFound, "telnyx", status=422, code="10017", pointer="/waba_id"),
    R(e.PhoneNumberNotInWaba, "telnyx", status=422, code="10017", pointer="/phone_number_id"),
    R(e.RegistrationConflict, "telnyx", status=409, code="10012"),
    R(e.VendorError, "telnyx", status=404, code="10005", guidance=_TELNYX_ROUTE),
    R(e.HostedSignupExpired, "telnyx", code="10015", pointer="/id"),
    # --- Telnyx's signup session (after a 200): code is the stage it failed at, subcode Meta's error code.
    # The guide's "What happens after registration" lists what these stages deliver.
    R(e.SignupSessionFailed, "telnyx", operation=_SESSION, subcode="133005", guidance=_PIN_SET),
    R(e.SignupSessionFailed, "telnyx", operation=_SESSION, subcode="133016", guidance=_REGISTER_LIMIT),
    R(e.SignupSessionFailed, "telnyx", operation=_SESSION, subcode="133015", guidance=_RECENTLY_DELETED),
    R(e.SignupSessionFailed, "telnyx", operation=_SESSION, code="SUBSCRIBE_WEBHOOKS", guidance=_SUBSCRIBE),
    R(e.SignupSessionFailed, "telnyx", operation=_SESSION, code="ASSIGNED_USERS", guidance=_ASSIGN),
    R(e.SignupSessionFailed, "telnyx", operation=_SESSION, code="SHARE_CREDIT_LINE", guidance=_CREDIT_LINE),
    R(e.SignupSessionFailed, "telnyx", operation=_SESSION, code="REGISTER_PHONE_NUMBER", guidance=_REGISTER),
    R(e.SignupSessionFailed, "telnyx", operation=_SESSION),
    R(e.RequestValidationFailed, "telnyx", status=(400, 415, 422)),
)


def rule_for(fault: VendorFault) -> Rule | None:
    return next((rule for rule in RULES if rule.matches(fault)), None)


def classify(fault: VendorFault) -> type[e.OnboardingError]:
    rule = rule_for(fault)
    return rule.error if rule else e.VendorError


def error_from_fault(fault: VendorFault, redactor: Redactor | None = None) -> e.OnboardingError:
    """The error to raise for `fault`, with every field filled in and secrets scrubbed."""
    rule = rule_for(fault)
    cls = rule.error if rule else e.VendorError
    extra: dict[str, Any] = {}
    if rule and rule.guidance:
        extra["guidance"] = rule.guidance
    if rule and rule.troubleshooting is not _UNSET:
        extra["troubleshooting"] = rule.troubleshooting
    return cls(
        describe(fault),
        vendor=fault.vendor,
        operation=fault.operation,
        http_status=fault.http_status,
        vendor_code=fault.code,
        vendor_subcode=fault.subcode,
        trace_id=fault.trace_id,
        pointer=fault.pointer,
        attempts=fault.attempts,
        details=fault.details,
        redactor=redactor,
        **extra,
    )


def describe(fault: VendorFault) -> str:
    """`telnyx registerTechProvider: HTTP 401, code 10009 (Authentication failed): <detail>` and the like."""
    text = f"{fault.vendor} {fault.operation}:"
    if fault.http_status is not None:
        text += f" HTTP {fault.http_status}"
    if fault.code is not None:
        code = fault.code + (f"/{fault.subcode}" if fault.subcode else "")
        text += f", code {code}"
    if fault.title:
        text += f" ({fault.title})"
    if fault.message:
        text += f": {fault.message}"
    if fault.pointer:
        text += f" [at {fault.pointer}]"
    if fault.attempts > 1:
        text += f" (after {fault.attempts} attempts)"
    return text
