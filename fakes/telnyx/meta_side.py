"""What Telnyx's signup session does on Meta's side of the same world, stage by stage.

Each function is one stage's action: it changes the tenant's Meta state the way Telnyx's real provisioning
does through Graph, and returns None, or the errors Telnyx reports when Meta refuses. The number's
registration goes through the Graph fake's own lifecycle rule (fakes/graph/phone_numbers.py), so a number
Meta would refuse (a PIN already set, recently deleted, rate-limited) fails the session with Meta's error.
"""

from __future__ import annotations

from fakes.core.errors import VendorError
from fakes.core.telnyx_state import SignupSession
from fakes.core.world import MetaApp, Tenant
from fakes.graph.phone_numbers import register_phone_number

TELNYX_APP_NAME = "Telnyx"


def _telnyx_app(tenant: Tenant) -> MetaApp:
    """Telnyx's own Meta app (a Solution Partner's), made on first use."""
    telnyx, meta = tenant.telnyx, tenant.meta
    if not telnyx.meta_app_id:
        telnyx.meta_app_id = tenant.ids.meta_id()
        telnyx.system_user_id = tenant.ids.meta_id()
    app = meta.apps.get(telnyx.meta_app_id)
    if app is None:
        app = meta.apps[telnyx.meta_app_id] = MetaApp(
            id=telnyx.meta_app_id, secret=tenant.ids.text("0123456789abcdef", 32), name=TELNYX_APP_NAME
        )
        app.linked_to_telnyx = False
    return app


def _waba_gone(tenant: Tenant, session: SignupSession) -> list[str] | None:
    if session.waba_id not in tenant.meta.wabas:
        return [f"WhatsApp Business Account {session.waba_id} is no longer shared with Telnyx"]
    return None


def subscribe_webhooks(tenant: Tenant, session: SignupSession) -> list[str] | None:
    gone = _waba_gone(tenant, session)
    if gone:
        return gone
    waba = tenant.meta.wabas[session.waba_id]
    app = _telnyx_app(tenant)
    if app.id not in waba.subscribed_apps:
        waba.subscribed_apps = tenant.appended(waba.subscribed_apps, app.id)
    return None


def assign_users(tenant: Tenant, session: SignupSession) -> list[str] | None:
    gone = _waba_gone(tenant, session)
    if gone:
        return gone
    waba = tenant.meta.wabas[session.waba_id]
    _telnyx_app(tenant)
    if tenant.telnyx.system_user_id not in waba.assigned_users:
        waba.assigned_users = tenant.appended(waba.assigned_users, tenant.telnyx.system_user_id)
    return None


def share_credit_line(tenant: Tenant, session: SignupSession) -> list[str] | None:
    gone = _waba_gone(tenant, session)
    if gone:
        return gone
    tenant.meta.wabas[session.waba_id].credit_line_shared_with = TELNYX_APP_NAME
    return None


def register_number(tenant: Tenant, session: SignupSession) -> list[str] | None:
    """Register the number with the Cloud API under Telnyx's two-step PIN (one per session, seeded)."""
    if session.phone_number_id is None:
        return None
    phone = tenant.meta.phone_numbers.get(session.phone_number_id)
    if phone is None:
        return [f"Phone number {session.phone_number_id} was not found on Meta"]
    if phone.registered:
        return None  # already on the Cloud API (the partner or an earlier session registered it)
    try:
        register_phone_number(tenant, phone.id, tenant.ids.digits(6))
    except VendorError as error:
        return [_meta_message(error)]
    return None


def _meta_message(error: VendorError) -> str:
    """Meta's refusal as Telnyx reports it: Meta's own message, with its code."""
    envelope = error.body()
    body = envelope.get("error", {}) if isinstance(envelope.get("error"), dict) else {}
    message = body.get("message") or "Meta refused the request"
    code = body.get("code")
    return f"Meta error {code}: {message}" if code else str(message)


def customer_signup(tenant: Tenant, app_id: str, coexistence: bool) -> tuple[str, str]:
    """The customer completes Meta's signup on Telnyx's hosted page: the same popup ending as Embedded
    Signup (fakes/graph/signup.py). Returns the new WABA and phone number ids."""
    from fakes.graph.signup import SignupRequest, complete_signup

    outcome = "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING" if coexistence else "FINISH"
    result = complete_signup(tenant, SignupRequest(app_id=app_id, outcome=outcome))
    if result.waba_id is None or result.phone_number_id is None:
        raise ValueError("the hosted signup ended without a WABA")
    return result.waba_id, result.phone_number_id
