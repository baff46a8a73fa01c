"""The shared state of both vendors, partitioned by tenant. Plain dataclasses: no Flask, no HTTP.

A `World` is the whole simulated universe of one harness; each `Tenant` is an independent copy of Meta's and
Telnyx's state (apps, WABAs, numbers, codes, tokens, API keys, registrations) with its own seeded id source and
armed faults. Rules live in `fakes/graph/` (by resource) and `fakes/telnyx/rules.py`; this module only holds data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .access import AccessPolicy
from .clock import Clock, ManualClock
from .faults import FaultBook
from .ids import IdSource
from .journal import Journal

DEFAULT_TENANT = "default"


@dataclass
class MetaApp:
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


@dataclass
class Business:
    id: str
    name: str


@dataclass
class PhoneNumber:
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
    pin_failures: list[float] = field(default_factory=list)
    register_calls: list[float] = field(default_factory=list)


@dataclass
class Waba:
    id: str
    name: str
    business_id: str
    created_at: float
    shared_with: set[str] = field(default_factory=set)  # app ids the customer shared this WABA with
    currency: str = "USD"
    timezone_id: str = "1"
    message_template_namespace: str = ""
    account_review_status: str = "APPROVED"
    business_verification_status: str = "verified"
    country: str = "US"
    subscribed_apps: list[str] = field(default_factory=list)
    # app id -> {"override_callback_uri", "verify_token"} for subscriptions that override the app's callback
    subscription_overrides: dict[str, dict[str, str]] = field(default_factory=dict)
    phone_number_ids: list[str] = field(default_factory=list)
    call_budget: int = 0  # calls per hour on this WABA's edges before 80008 (0: limits.DEFAULT_WABA_BUDGET)


@dataclass
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


@dataclass
class AccessToken:
    value: str
    app_id: str
    user_id: str
    type: str  # USER | SYSTEM_USER | APP
    granular_scopes: dict[str, list[str]]  # scope -> target ids (newest first)
    issued_at: float
    expires_at: float = 0.0  # 0 = never
    valid: bool = True
    invalid_subcode: int | None = None  # why it stopped being valid: 458 app removed, 460 password, 467 session
    business_ids: list[str] = field(default_factory=list)  # businesses granted (business_management)


@dataclass
class TelnyxApiKey:
    value: str
    status: str = "active"  # "active" | "revoked"


@dataclass
class Registration:
    """A WABA registered with Telnyx through the tech_provider endpoint."""

    id: str  # Telnyx UUID
    waba_id: str
    phone_number_id: str
    app_id: str
    customer_id: str | None
    created_at: float
    status: str = "registered"


@dataclass
class MetaState:
    apps: dict[str, MetaApp] = field(default_factory=dict)
    businesses: dict[str, Business] = field(default_factory=dict)
    wabas: dict[str, Waba] = field(default_factory=dict)
    phone_numbers: dict[str, PhoneNumber] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    tokens: dict[str, AccessToken] = field(default_factory=dict)
    user_id: str = ""
    usage: dict[str, list[float]] = field(default_factory=dict)  # "app:<id>"/"waba:<id>" -> [window, calls]


@dataclass
class TelnyxState:
    api_keys: dict[str, TelnyxApiKey] = field(default_factory=dict)
    registrations: dict[str, Registration] = field(default_factory=dict)  # by Telnyx id, insertion ordered
    user_id: str = ""
    rate_window: list[int] = field(default_factory=lambda: [0, 0])  # [window number, requests in it]

    def registration_for_waba(self, waba_id: str) -> Registration | None:
        return next((r for r in self.registrations.values() if r.waba_id == waba_id), None)


class Tenant:
    """One partition of the world: both vendors' state, an id source and armed faults."""

    def __init__(self, name: str, world_seed: str | int, world: World) -> None:
        self.name = name
        self.world = world
        self.ids = IdSource(f"{world_seed}:{name}")
        self.meta = MetaState(user_id=self.ids.digits(17))
        self.telnyx = TelnyxState(user_id=self.ids.uuid4())
        self.faults = FaultBook()
        # How the signup popup ends when a scenario is armed (fields of fakes.graph.signup.SignupRequest);
        # None lets a person choose in the popup.
        self.signup_plan: dict[str, object] | None = None

    @property
    def clock(self) -> Clock:
        return self.world.clock

    def remember_credential(self, value: str) -> None:
        """Let requests that carry only this credential find this tenant."""
        self.world.credentials[value] = self.name


class World:
    """The simulated universe shared by the Graph, Telnyx and SDK fakes of one harness."""

    def __init__(self, seed: str | int = 0, clock: Clock | None = None, journal_limit: int = 2000) -> None:
        self.seed = seed
        self.clock: Clock = clock if clock is not None else ManualClock()
        self.lock = threading.RLock()
        self.tenants: dict[str, Tenant] = {}
        self.credentials: dict[str, str] = {}  # credential value -> tenant name
        self.journal = Journal(limit=journal_limit)
        self.ready = False
        self.access = AccessPolicy()  # the per-run admin token and the Host names served (fakes/core/access.py)
        # Set by the composition root (the CLI) so POST /__admin/scenarios/<id> can arm catalogue scenarios;
        # fakes/ knows nothing of the catalogue itself. Signature: (scenario_id, tenant) -> description dict.
        self.known_operations: set[str] = set()  # "vendor.operationId" of the loaded specs (for fault checks)
        self._idle = threading.Condition()
        self._in_flight: dict[str, int] = {}
        self.scenario_armer: Callable[[str, str], dict[str, Any]] | None = None

    def tenant(self, name: str = DEFAULT_TENANT) -> Tenant:
        with self.lock:
            found = self.tenants.get(name)
            if found is None:
                found = self.tenants[name] = Tenant(name, self.seed, self)
            return found

    def request_started(self, tenant: str) -> None:
        with self._idle:
            self._in_flight[tenant] = self._in_flight.get(tenant, 0) + 1

    def request_finished(self, tenant: str) -> None:
        with self._idle:
            self._in_flight[tenant] -= 1
            self._idle.notify_all()

    def wait_idle(self, tenant: str, timeout: float = 30.0) -> bool:
        """Block until no request of this tenant is in flight (a client that timed out leaves one behind)."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._in_flight.get(tenant), timeout)

    def tenant_for_credential(self, value: str | None) -> str | None:
        return self.credentials.get(value) if value else None

    def reset(self, tenant: str | None = None) -> None:
        """Forget everything (or one tenant): its state, faults, credentials and journal entries."""
        with self.lock:
            if tenant is None:
                self.tenants.clear()
                self.credentials.clear()
                self.journal.clear()
                return
            self.tenants.pop(tenant, None)
            for value in [v for v, owner in self.credentials.items() if owner == tenant]:
                del self.credentials[value]
            self.journal.clear(tenant=tenant)
