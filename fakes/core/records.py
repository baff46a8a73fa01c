"""The records of Meta's and Telnyx's state: apps, businesses, WABAs, numbers, codes, tokens, keys, registrations.

Plain data (the rules are in fakes/graph/ and fakes/telnyx/). The records every signup adds (business, WABA,
number, code, token, registration) are slotted dataclasses, and their small collections are tuples (the empty
one is shared) or one shared empty mapping, replaced whole on change: a signup then leaves about half the memory
it would with a dict per record and a list per collection (the soak figure, bench/README.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .frozen import EMPTY

NO_OVERRIDES: Mapping[str, dict[str, str]] = EMPTY


@dataclass
class AppSubscription:
    """One object of an app's webhook subscriptions (`POST /{app-id}/subscriptions`): where Meta sends that
    object's fields, and the verify token Meta echoes in its verification request (kept, never shown)."""

    object: str
    callback_url: str
    verify_token: str
    fields: dict[str, str] = field(default_factory=dict)  # field name -> Graph version it was subscribed with
    include_values: bool = True
    active: bool = True


@dataclass
class MetaApp:
    """A Meta app: its secret, settings, App Review refusals and webhook subscriptions."""

    id: str
    secret: str
    name: str = "Tech Provider App"
    mode: str = "live"  # "live" | "development"
    linked_to_telnyx: bool = True
    config_ids: list[str] = field(default_factory=list)
    scope_naming: str = "current"  # "current" (Meta since June 2026) | "legacy": how debug_token names scopes
    appsecret_proof_required: bool = False  # the app's "Require App Secret" setting
    denied_permissions: list[str] = field(default_factory=list)  # refused by App Review: calls needing one get 10
    call_budget: int = 0  # calls per hour before code 4 (0: fakes.graph.limits.DEFAULT_APP_BUDGET)
    installed: bool = True  # False once the customer removed the app: its tokens get 190/458
    webhooks: dict[str, AppSubscription] = field(default_factory=dict)  # by object (whatsapp_business_account...)
    # Seconds between webhook attempts for this app (None: fakes.graph.webhooks.DEFAULT_RETRY_SECONDS)
    webhook_retry_seconds: tuple[float, ...] | None = None


@dataclass(slots=True)
class Business:
    """A customer's business portfolio on Meta."""

    id: str
    name: str


@dataclass(slots=True)
class PhoneNumber:
    """A WABA's phone number: its Cloud API state, two-step PIN and register history."""

    id: str
    waba_id: str
    e164: str
    display_phone_number: str
    verified_name: str
    code_verification_status: str = "VERIFIED"
    quality_rating: str = "GREEN"
    platform_type: str = "CLOUD_API"
    status: str = "CONNECTED"
    registered: bool = False
    pin: str | None = None  # two-step verification PIN (set by the first /register or POST /{phone} with pin)
    is_on_biz_app: bool = False  # a coexistence number, also in the WhatsApp Business app
    account_mode: str = "LIVE"  # LIVE | SANDBOX
    name_status: str = "APPROVED"
    needs_reverification: bool = False  # Meta wants the number verified again before it registers (133006)
    deleted_at: float | None = None  # recently deleted: registering is refused for a while (133015)
    data_localization_region: str | None = None
    last_onboarded_time: float | None = None
    # Bounded histories the register rules read (timestamps): PIN failures and register/deregister calls.
    pin_failures: tuple[float, ...] = ()
    register_calls: tuple[float, ...] = ()


@dataclass(slots=True)
class Waba:
    """A WhatsApp Business Account: who it is shared with, its subscribed apps, numbers and credit line."""

    id: str
    name: str
    business_id: str
    created_at: float
    shared_with: tuple[str, ...] = ()  # app ids the customer shared this WABA with
    currency: str = "USD"
    timezone_id: str = "1"
    message_template_namespace: str = ""
    account_review_status: str = "APPROVED"
    business_verification_status: str = "verified"
    country: str = "US"
    subscribed_apps: tuple[str, ...] = ()
    # app id -> {"override_callback_uri", "verify_token"} for subscriptions that override the app's callback
    subscription_overrides: Mapping[str, dict[str, str]] = field(default_factory=lambda: NO_OVERRIDES)
    phone_number_ids: tuple[str, ...] = ()  # newest first
    call_budget: int = 0  # calls per hour on this WABA's edges before 80008 (0: limits.DEFAULT_WABA_BUDGET)
    assigned_users: tuple[str, ...] = ()  # system users given access (Telnyx's, by its session)
    credit_line_shared_with: str | None = None  # who pays for messages: Telnyx once its session shared its line


@dataclass(slots=True)
class AuthCode:
    """A single-use Embedded Signup authorization code (Meta: 30 s time-to-live)."""

    value: str
    app_id: str
    user_id: str
    waba_ids: list[str]
    issued_at: float
    ttl: float = 30.0
    redirect_uri: str | None = None
    used_at: float | None = None


@dataclass(slots=True)
class AccessToken:
    """A Graph access token (user, system user or app) and what it was granted."""

    value: str
    app_id: str
    user_id: str
    type: str  # USER | SYSTEM_USER | APP
    # The WABAs granted, in the order debug_token's granular_scopes lists them (fakes/graph/tokens.py names the
    # scopes the way the app's Meta does, from these and `business_ids`).
    waba_ids: tuple[str, ...]
    issued_at: float
    expires_at: float = 0.0  # 0 = never
    valid: bool = True
    invalid_subcode: int | None = None  # why it stopped being valid: 458 app removed, 460 password, 467 session
    business_ids: tuple[str, ...] = ()  # businesses granted (business_management)


@dataclass
class TelnyxApiKey:
    """A Telnyx API key of the account."""

    value: str
    status: str = "active"  # "active" | "revoked"


@dataclass(slots=True)
class Registration:
    """A WABA registered with Telnyx through the tech_provider endpoint."""

    id: str  # Telnyx UUID
    waba_id: str
    phone_number_id: str
    app_id: str
    customer_id: str | None
    created_at: float
    status: str = "registered"
    session_id: str = ""  # the signup session this registration started (fakes/telnyx/signup_sessions.py)
