"""What Meta's Embedded Signup popup leaves behind: a WABA, a number, a single-use code, and the
`WA_EMBEDDED_SIGNUP` message event posted to the partner's page.

Shared by the fake browser SDK (a person clicks through the popup) and the scenario runner (no browser), so both
produce the same world and the same event shapes (meta-graph-facts §1.3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fakes.core.errors import HarnessError
from fakes.core.world import AuthCode, Business, PhoneNumber, Tenant, Waba

from . import limits, webhooks
from .tokens import CODE_TTL_SECONDS

FINISH_OUTCOMES = ("FINISH", "FINISH_ONLY_WABA", "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING")
# NO_WABA: the flow finishes but shares no WABA and posts no session info (the guide's "no WABA ID" case).
# NOT_OPENED: the dialog never opens (bad config_id, SDK not loaded): no code, no event.
OUTCOMES = (*FINISH_OUTCOMES, "CANCEL", "ERROR", "NO_WABA", "NOT_OPENED")
# What becomes of the code before the partner's backend exchanges it.
CODE_FATES = ("fresh", "used", "expired", "garbage")
CANCEL_STEPS = (
    "BUSINESS_ACCOUNT_SELECTION",
    "WABA_PHONE_PROFILE_PICKER",
    "WHATSAPP_BUSINESS_PROFILE_SETUP",
    "PHONE_NUMBER_SETUP",
    "PHONE_NUMBER_VERIFICATION",
    "PERMISSIONS",
)
DEFAULT_ERROR_MESSAGE = "Your verified name violates WhatsApp guidelines. Please edit your verified name and try again."


@dataclass
class SignupRequest:
    """How the popup ends. `session_info_version` None means the page did not ask for session info."""

    app_id: str
    outcome: str = "FINISH"
    current_step: str = "PHONE_NUMBER_VERIFICATION"
    error_message: str = DEFAULT_ERROR_MESSAGE
    error_code: str | int = "524126"
    error_style: str = "CANCEL"  # current docs report user errors as CANCEL; v2-era traffic as ERROR
    session_info_version: str | int | None = "3"
    event_version: str | int | None = 3  # the `version` field of the event (absent, 2, 3 or "3")
    business_name: str = "Acme Corp"
    display_phone_number: str | None = None
    redirect_uri: str | None = None
    share_with_app: bool = True
    extra_wabas: int = 0  # the customer shares this many more WABAs (a multi-WABA signup: waba_ids in the event)
    code_fate: str = "fresh"  # used: someone exchanged it already; expired: the clock moves past its 30 s
    event_data_overrides: dict[str, Any] = field(default_factory=dict)  # e.g. a phone_number_id of another WABA
    two_step_pin: str | None = None  # the number already has this two-step PIN (a registration must send it)
    # The number's history on Meta: registered or deregistered this many times in the last 72 h (133016 at
    # phone_numbers.REGISTER_LIMIT), or deleted this many seconds before the signup (133015 for a few minutes).
    register_calls: int = 0
    deleted_seconds_ago: float | None = None
    # The popup WABA's hourly budget on its edges (0: limits.DEFAULT_WABA_BUDGET), and the calls another
    # integration of the customer's already made on them this hour (80008 once past the budget).
    waba_call_budget: int = 0
    waba_calls_used: int = 0
    business_id: str | None = None  # the popup's WABA goes under this seeded business (its other WABAs: not granted)

    def __post_init__(self) -> None:
        if self.code_fate not in CODE_FATES:
            raise HarnessError(f"unknown code_fate {self.code_fate!r}; expected one of {', '.join(CODE_FATES)}")
        if self.outcome not in OUTCOMES:
            raise HarnessError(f"unknown signup outcome {self.outcome!r}; expected one of {', '.join(OUTCOMES)}")
        if not isinstance(self.extra_wabas, int) or not 0 <= self.extra_wabas <= 20:
            raise HarnessError("extra_wabas must be an integer from 0 to 20")
        for name, top in (("register_calls", 100), ("waba_call_budget", 1_000_000), ("waba_calls_used", 1_000_000)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
                raise HarnessError(f"{name} must be an integer from 0 to {top}")
        ago = self.deleted_seconds_ago
        if ago is not None and (isinstance(ago, bool) or not isinstance(ago, int | float) or not 0 <= ago <= 1e7):
            raise HarnessError("deleted_seconds_ago must be a number of seconds from 0 to 10000000, or null")
        if self.outcome == "CANCEL" and self.current_step not in CANCEL_STEPS:
            raise HarnessError(f"unknown current_step {self.current_step!r}; expected one of {', '.join(CANCEL_STEPS)}")


@dataclass
class SignupResult:
    """What the partner page receives: the FB.login callback's authResponse and the message event."""

    code: str | None
    event: dict[str, Any] | None
    business_id: str | None = None
    waba_id: str | None = None
    phone_number_id: str | None = None
    status: str = "connected"
    extra: dict[str, Any] = field(default_factory=dict)

    def login_response(self) -> dict[str, Any]:
        if self.code is None:
            return {"authResponse": None, "status": "unknown"}
        return {"authResponse": {"userID": None, "expiresIn": None, "code": self.code}, "status": "connected"}

    def to_dict(self) -> dict[str, Any]:
        """For the control plane: includes the code, which only the caller who asked for it sees."""
        return {
            "code": self.code,
            "event": self.event,
            "login_response": self.login_response(),
            "business_id": self.business_id,
            "waba_id": self.waba_id,
            "phone_number_id": self.phone_number_id,
        }


def complete_signup(tenant: Tenant, request: SignupRequest) -> SignupResult:
    """Run the popup to its end: create what the customer created and mint the code if the flow finished."""
    meta = tenant.meta
    app = meta.apps.get(request.app_id)
    if app is None:
        raise HarnessError(f"no Meta app {request.app_id!r} in tenant {tenant.name!r}; seed it first")
    if request.outcome == "NOT_OPENED":
        return SignupResult(code=None, event=None, status="unknown")
    if request.outcome in ("CANCEL", "ERROR"):
        return SignupResult(code=None, event=_abandon_event(tenant, request), status="unknown")

    now = tenant.clock.now()
    business = _business(tenant, request)
    waba = Waba(
        id=tenant.ids.meta_id(),
        name=f"{request.business_name} WhatsApp",
        business_id=business.id,
        created_at=now,
        shared_with=tenant.appended((), app.id) if request.share_with_app else (),
        message_template_namespace=tenant.ids.uuid4().replace("-", "_"),
    )
    meta.wabas[waba.id] = waba
    coexistence = request.outcome == "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING"
    phone = _add_number(tenant, waba, request.display_phone_number, request.business_name, coexistence)
    phone.pin = request.two_step_pin or phone.pin
    _apply_history(tenant, request, waba, phone)
    others = [_extra_waba(tenant, request, business, n) for n in range(request.extra_wabas)]
    granted = [waba.id, *others] if request.outcome != "NO_WABA" else []
    code = AuthCode(
        value=tenant.ids.auth_code(),
        app_id=app.id,
        user_id=meta.user_id,
        waba_ids=granted,
        issued_at=now,
        ttl=CODE_TTL_SECONDS,
        redirect_uri=request.redirect_uri,
    )
    meta.codes[code.value] = code
    tenant.remember_credential(code.value)
    if request.share_with_app and granted:  # Meta tells the app at once (account_update PARTNER_*)
        webhooks.partner_installed(tenant, granted, app.id)
    handed_over = _apply_code_fate(tenant, code, request.code_fate)
    event = _finish_event(request, business.id, waba.id, phone.id)
    if event is not None and others and request.outcome == "FINISH":
        event["data"]["waba_ids"] = [waba.id, *others]  # multi-WABA flows list every WABA shared
    if event is not None and request.event_data_overrides:
        event["data"].update(request.event_data_overrides)
    return SignupResult(
        code=handed_over,
        event=event,
        business_id=business.id,
        waba_id=waba.id,
        phone_number_id=phone.id,
    )


def _business(tenant: Tenant, request: SignupRequest) -> Business:
    """A new business, or the seeded one the request names (the customer's existing business)."""
    if request.business_id is None:
        business = Business(id=tenant.ids.meta_id(), name=request.business_name)
        tenant.meta.businesses[business.id] = business
        return business
    existing = tenant.meta.businesses.get(request.business_id)
    if existing is None:
        raise HarnessError(f"no business {request.business_id!r} in tenant {tenant.name!r}; seed it first")
    return existing


def _apply_history(tenant: Tenant, request: SignupRequest, waba: Waba, phone: PhoneNumber) -> None:
    """What happened to the number and the WABA before this signup, as the request says."""
    now = tenant.clock.now()
    # One register or deregister call a minute, ending a minute ago: all inside the 72 h window.
    phone.register_calls = tuple(now - 60.0 * (request.register_calls - n) for n in range(request.register_calls))
    if request.deleted_seconds_ago is not None:
        phone.deleted_at = now - float(request.deleted_seconds_ago)
    waba.call_budget = request.waba_call_budget
    if request.waba_calls_used:
        limits.spend_waba_calls(tenant, waba, request.waba_calls_used)


def _apply_code_fate(tenant: Tenant, code: AuthCode, fate: str) -> str:
    """The code the partner's page receives, after what the scenario says happened to it."""
    if fate == "used":
        code.used_at = tenant.clock.now()
    elif fate == "expired":
        tenant.clock.advance(code.ttl + 1)  # through the clock, as a slow backend would meet it
    elif fate == "garbage":
        return "AQ" + tenant.ids.text("abcdefghijklmnopqrstuvwxyz", 40)  # never minted: malformed as far as Meta knows
    return code.value


def _extra_waba(tenant: Tenant, request: SignupRequest, business: Business, n: int) -> str:
    waba = Waba(
        id=tenant.ids.meta_id(),
        name=f"{request.business_name} WhatsApp {n + 2}",
        business_id=business.id,
        created_at=tenant.clock.now(),
        shared_with=tenant.appended((), request.app_id) if request.share_with_app else (),
        message_template_namespace=tenant.ids.uuid4().replace("-", "_"),
    )
    tenant.meta.wabas[waba.id] = waba
    _add_number(tenant, waba, None, request.business_name, False)
    return waba.id


def _add_number(tenant: Tenant, waba: Waba, display: str | None, verified_name: str, coexistence: bool) -> PhoneNumber:
    """A number verified in the popup. A Cloud API number still has to be registered (PENDING, platform
    NOT_APPLICABLE); a coexistence number is already live in the WhatsApp Business app and on the API."""
    digits = tenant.ids.digits(7)
    e164 = f"+1555{digits}"
    phone = PhoneNumber(
        id=tenant.ids.meta_id(),
        waba_id=waba.id,
        e164=e164,
        display_phone_number=display or f"+1 555-{digits[:3]}-{digits[3:]}",
        verified_name=verified_name,
        status="CONNECTED" if coexistence else "PENDING",
        platform_type="CLOUD_API" if coexistence else "NOT_APPLICABLE",
        registered=coexistence,
        is_on_biz_app=coexistence,
        last_onboarded_time=tenant.clock.now() if coexistence else None,
    )
    tenant.meta.phone_numbers[phone.id] = phone
    waba.phone_number_ids = (phone.id, *waba.phone_number_ids)
    return phone


def _envelope(request: SignupRequest, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
    if request.session_info_version is None:
        return None  # sessionInfoVersion not requested: Meta posts no session info at all
    message: dict[str, Any] = {"data": data, "type": "WA_EMBEDDED_SIGNUP", "event": event}
    if request.event_version is not None:
        message["version"] = request.event_version
    return message


def _finish_event(request: SignupRequest, business_id: str, waba_id: str, phone_id: str) -> dict[str, Any] | None:
    if request.outcome == "NO_WABA":
        return None
    if request.outcome == "FINISH":
        data = {"phone_number_id": phone_id, "waba_id": waba_id, "business_id": business_id}
    else:
        data = {"waba_id": waba_id}
    return _envelope(request, request.outcome, data)


def _abandon_event(tenant: Tenant, request: SignupRequest) -> dict[str, Any] | None:
    if request.outcome == "CANCEL":
        return _envelope(request, "CANCEL", {"current_step": request.current_step})
    data = {
        "error_message": request.error_message,
        "error_code": request.error_code,
        "session_id": tenant.ids.text("0123456789abcdef", 15),
        "timestamp": str(int(tenant.clock.now())),
    }
    return _envelope(request, request.error_style, data)
