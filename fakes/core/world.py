"""The shared state of both vendors, partitioned by tenant. Plain data: no Flask, no HTTP.

A `World` is the whole simulated universe of one harness; each `Tenant` is an independent copy of Meta's and
Telnyx's state (apps, WABAs, numbers, codes, tokens, API keys, registrations) with its own seeded id source and
armed faults. The records are in `records.py`, the collections that stay fast at any size in `books.py` (both
also importable from here, as they always were). Rules live in `fakes/graph/` (by resource) and
`fakes/telnyx/rules.py`; this module only holds data.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import limits
from .access import AccessPolicy
from .books import CodeBook, NewestFirst, RegistrationBook  # noqa: F401
from .clock import Clock, ManualClock
from .delivery import DeliveryEngine, Outbox
from .faults import FaultBook
from .ids import IdSource
from .journal import Journal
from .outbound import Outbound
from .records import (  # noqa: F401
    NO_OVERRIDES,
    AccessToken,
    AppSubscription,
    AuthCode,
    Business,
    MetaApp,
    PhoneNumber,
    Registration,
    TelnyxApiKey,
    Waba,
)
from .telnyx_state import HostedSignup, SessionBook, SessionPlan, UserData
from .timekeeper import Ticker, Timekeeper

# Expired codes and tokens are pruned once a tenant holds more than this many, so pruning costs O(1) per request
# on average and a scenario's few expired grants keep their exact errors. Codes go as soon as they expire (a heap
# by expiry: CodeBook); tokens, most of which never expire, once their count has doubled.
PRUNE_FLOOR = 64
MAX_SHARED_SINGLES = 256  # one-id tuples a tenant shares between its records (Tenant.appended)

DEFAULT_TENANT = "default"


@dataclass
class MetaState:
    """Meta's side of one tenant: apps, businesses, WABAs, numbers, codes, tokens and call counts."""

    apps: dict[str, MetaApp] = field(default_factory=dict)
    businesses: dict[str, Business] = field(default_factory=dict)
    wabas: dict[str, Waba] = field(default_factory=dict)
    phone_numbers: dict[str, PhoneNumber] = field(default_factory=dict)
    codes: CodeBook = field(default_factory=CodeBook)
    tokens: dict[str, AccessToken] = field(default_factory=dict)
    user_id: str = ""
    usage: dict[str, list[float]] = field(default_factory=dict)  # "app:<id>"/"waba:<id>" -> [window, calls]


@dataclass
class TelnyxState:
    """Telnyx's side of one tenant: API keys, registrations, signup sessions and hosted signups."""

    api_keys: dict[str, TelnyxApiKey] = field(default_factory=dict)
    registrations: RegistrationBook = field(default_factory=RegistrationBook)  # by Telnyx id, creation order
    user_id: str = ""
    rate_window: list[int] = field(default_factory=lambda: [0, 0])  # [window number, requests in it]
    # The asynchronous half (fakes/core/telnyx_state.py): signup sessions, hosted signups, where events go,
    # and how the next sessions go (a scenario's failing stage, stage times).
    sessions: SessionBook = field(default_factory=SessionBook)
    hosted_signups: dict[str, HostedSignup] = field(default_factory=dict)
    user_data: UserData = field(default_factory=UserData)
    session_plan: SessionPlan = field(default_factory=SessionPlan)
    # Telnyx's own presence on Meta's side (its app subscribes to the WABA, its system user is assigned).
    meta_app_id: str = ""
    system_user_id: str = ""

    def registration_for_waba(self, waba_id: str) -> Registration | None:
        return self.registrations.for_waba(waba_id)


class Tenant:
    """One partition of the world: both vendors' state, an id source and armed faults."""

    def __init__(self, name: str, world_seed: str | int, world: World) -> None:
        self.name = name
        self.world = world
        self.ids = IdSource(f"{world_seed}:{name}")
        self.meta = MetaState(user_id=self.ids.digits(17))
        self.telnyx = TelnyxState(user_id=self.ids.uuid4())
        self.faults = FaultBook(world.count_delays)
        # Held tenants are never evicted: seeded, armed or used through the control plane (a scenario's).
        self.held = False
        self.prune_tokens_at = PRUNE_FLOOR
        # How the signup popup ends when a scenario is armed (fields of fakes.graph.signup.SignupRequest);
        # None lets a person choose in the popup.
        self.signup_plan: dict[str, object] | None = None
        # The catalogue scenario last armed here ({"id", "title"}), set by whoever arms it; shown by /__admin/world.
        self.scenario: dict[str, str] | None = None
        # Webhook deliveries to the partner and the delivery faults armed for them (fakes/core/delivery.py).
        self.outbox = Outbox()
        self._singles: dict[str, tuple[str]] = {}  # see `appended`

    def appended(self, items: tuple[str, ...], item: str) -> tuple[str, ...]:
        """`items` with `item` at the end. Most of a WABA's id tuples hold one id that every WABA holds too (the
        app it was shared with, Telnyx's app and system user): that one-id tuple is kept once per tenant."""
        if items:
            return (*items, item)
        single = self._singles.get(item)
        if single is None:
            single = (item,)
            if len(self._singles) < MAX_SHARED_SINGLES:
                self._singles[item] = single
        return single

    @property
    def clock(self) -> Clock:
        return self.world.clock

    def remember_credential(self, value: str) -> None:
        """Let requests that carry only this credential find this tenant."""
        self.world.credentials[value] = self.name

    def maybe_prune(self) -> None:
        """Prune expired grants when there are many (amortised O(1): call it on every request)."""
        codes = self.meta.codes
        if len(codes) > PRUNE_FLOOR:
            now = self.clock.now()
            with self.world.lock:
                while len(codes) > PRUNE_FLOOR and (value := codes.pop_expired(now)) is not None:
                    self._forget_credential(value)
        if len(self.meta.tokens) > self.prune_tokens_at:
            self.prune_expired()

    def prune_expired(self) -> int:
        """Drop every code past its time-to-live and every token past its expiry (and their credential entries).

        A pruned code then answers as an unknown one; see docs/limits.md."""
        now = self.clock.now()
        pruned = 0
        with self.world.lock:
            while (code := self.meta.codes.pop_expired(now)) is not None:  # through the expiry heap, not a scan
                self._forget_credential(code)
                pruned += 1
            tokens = [t.value for t in self.meta.tokens.values() if t.expires_at and now >= t.expires_at]
            for value in tokens:
                del self.meta.tokens[value]
                self._forget_credential(value)
            self.prune_tokens_at = max(PRUNE_FLOOR, 2 * len(self.meta.tokens))
        return pruned + len(tokens)

    def _forget_credential(self, value: str) -> None:
        if self.world.credentials.get(value) == self.name:
            del self.world.credentials[value]


class World:
    """The simulated universe shared by the Graph, Telnyx and SDK fakes of one harness."""

    def __init__(
        self,
        seed: str | int = 0,
        clock: Clock | None = None,
        journal_limit: int = 2000,
        max_tenants: int = limits.MAX_TENANTS,
    ) -> None:
        self.seed = seed
        self.clock: Clock = clock if clock is not None else ManualClock()
        self.lock = threading.RLock()
        self.tenants: OrderedDict[str, Tenant] = OrderedDict()  # least recently used first
        self.max_tenants = max_tenants
        self._delays = 0  # armed faults with a delay, in every tenant (the server runs those on a thread)
        self.credentials: dict[str, str] = {}  # credential value -> tenant name
        self.journal = Journal(limit=journal_limit)
        self.ready = False
        self.access = AccessPolicy()  # the per-run admin token and the Host names served (fakes/core/access.py)
        # Set by the composition root (the CLI) so POST /__admin/scenarios/<id> can arm catalogue scenarios;
        # fakes/ knows nothing of the catalogue itself. Signature: (scenario_id, tenant) -> description dict.
        self.known_operations: set[str] = set()  # "vendor.operationId" of the loaded specs (for fault checks)
        self._idle = threading.Condition()
        self._in_flight: dict[str, int] = {}
        self._waiting = 0  # threads in wait_idle
        self.scenario_armer: Callable[[str, str], dict[str, Any]] | None = None
        # Also set by the composition root, for GET /__admin/scenarios and the timeline: the catalogue as
        # [{"id", "title", ...}], and the error mapping table's reading of one journal entry (or None).
        self.scenario_catalogue: Callable[[], list[dict[str, Any]]] | None = None
        self.error_explainer: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None
        # What happens on its own as time passes: outbound calls to the partner (loopback only unless allowed),
        # the one delivery engine, and the vendors' tickers (signup sessions...), moved by the timekeeper.
        self.outbound = Outbound()
        self.deliveries = DeliveryEngine(self)
        self.timekeeper = Timekeeper(self)
        # Key material a vendor derives once per world from the seed (Telnyx's webhook signing key): by vendor.
        self.vendor_keys: dict[str, Any] = {}
        # What vendors publish for partners to verify their webhooks (name -> how to read it), e.g.
        # "telnyx_public_key"; registered by the vendor's app at start-up, shown by GET /__admin/webhooks.
        self.published_keys: dict[str, Callable[[], str]] = {}
        self.clock.on_advance(self.timekeeper.clock_moved)

    def add_ticker(self, ticker: Ticker) -> None:
        """A vendor's periodic work (called at start-up by the app that owns it; core imports no vendor)."""
        self.timekeeper.add(ticker)

    def has_work(self, tenant: str) -> None:
        """A tenant now has something that happens with time (a running session, a pending delivery)."""
        self.timekeeper.has_work(tenant)

    def wake(self) -> None:
        self.timekeeper.wake()

    def tick(self) -> None:
        """Do now whatever is due (sessions' stages, webhook attempts). In-process this runs on the caller's
        thread; once served, on the timekeeper's own thread (a request thread never calls a partner)."""
        self.timekeeper.tick()

    def tenant(self, name: str = DEFAULT_TENANT, hold: bool = False) -> Tenant:
        """The named tenant, created on first use; past `max_tenants`, the least recently used idle one that
        nothing holds is evicted first. `hold=True` (the control plane) keeps it from eviction."""
        with self.lock:
            found = self.tenants.get(name)
            if found is None:
                if len(self.tenants) >= self.max_tenants:
                    self._evict_one()
                found = self.tenants[name] = Tenant(name, self.seed, self)
            else:
                self.tenants.move_to_end(name)
            if hold:
                found.held = True
            return found

    def _evict_one(self) -> None:
        for name, tenant in self.tenants.items():
            busy = self._in_flight.get(name, 0) > 0
            if name != DEFAULT_TENANT and not tenant.held and tenant.signup_plan is None and not busy:
                self.reset(name)
                self._in_flight.pop(name, None)
                return
        # Every tenant is held (the control plane made them): the cap is the operator's to raise.

    def count_delays(self, delta: int) -> None:
        with self.lock:
            self._delays += delta

    def delays_armed(self) -> bool:
        """Whether any tenant has a delay fault armed (the server then runs requests on worker threads)."""
        return self._delays > 0

    def request_started(self, tenant: str) -> None:
        with self._idle:
            self._in_flight[tenant] = self._in_flight.get(tenant, 0) + 1

    def request_finished(self, tenant: str) -> None:
        with self._idle:
            self._in_flight[tenant] -= 1
            if self._waiting:  # nobody waits on almost every request: skip the wake-up
                self._idle.notify_all()
        if self.timekeeper.pending:  # a request that left work due now (a session started, a webhook queued)
            self.timekeeper.after_request()

    def wait_idle(self, tenant: str, timeout: float = 30.0) -> bool:
        """Block until no request of this tenant is in flight (a client that timed out leaves one behind)."""
        with self._idle:
            self._waiting += 1
            try:
                return self._idle.wait_for(lambda: not self._in_flight.get(tenant), timeout)
            finally:
                self._waiting -= 1

    def tenant_for_credential(self, value: str | None) -> str | None:
        return self.credentials.get(value) if value else None

    def reset(self, tenant: str | None = None) -> None:
        """Forget everything (or one tenant): its state, faults, credentials and journal entries."""
        with self.lock:
            if tenant is None:
                for gone in self.tenants.values():
                    gone.faults.clear()
                self.tenants.clear()
                self.credentials.clear()
                self.journal.clear()
                return
            removed = self.tenants.get(tenant)
            if removed is not None:
                del self.tenants[tenant]
                removed.faults.clear()
            for value in [v for v, owner in self.credentials.items() if owner == tenant]:
                del self.credentials[value]
            self.journal.clear(tenant=tenant)
