"""The one outbound delivery engine, shared by both vendors: webhooks from the fakes to the partner.

A vendor hands over a finished event (`DeliveryEngine.enqueue`): the tenant, the target URL (and a failover URL),
the raw body, a signer (the vendor's: Ed25519 for Telnyx, HMAC for Meta) and a retry policy (the vendor's). The
engine does the rest, the same way for both:

- every attempt runs on the world's clock: an attempt is due at a time, and `pump(now)` sends what is due, so a
  `ManualClock` run is instant and reproducible and a `LiveClock` run (serve, demo) happens in real time;
- deliveries to one target go out in order: a later one waits while an earlier one is being retried;
- a failed attempt (no answer, or not 2xx) is retried after the policy's next delay; once the primary URL's
  attempts are spent, the failover URL gets its own; then the delivery is `failed`;
- every attempt is journalled (direction "outbound": target, status, latency, headers and body, redacted when
  they leave the journal like every other entry);
- faults a scenario arms per delivery (`DeliveryFault`): delay, duplicate, out of order, bad signature, stale
  timestamp, target down for N attempts.

Core code: it imports no vendor. The signer is a function of (body, unix time) -> headers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import limits
from .journal import JournalEntry
from .outbound import OutboundResult

if TYPE_CHECKING:
    from .world import Tenant, World

Signer = Callable[[bytes, float], dict[str, str]]

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
FAULT_KINDS = ("delay", "duplicate", "out_of_order", "bad_signature", "stale_timestamp", "target_down")
# How far in the past a `stale_timestamp` fault signs (Telnyx's SDK refuses anything older than 300 s).
STALE_BY_SECONDS = 600.0


@dataclass(frozen=True)
class RetryPolicy:
    """The vendor's: seconds to wait after each failed attempt (its length + 1 attempts in all), then the
    failover URL's waits, and how long one attempt may take."""

    retry_seconds: tuple[float, ...] = (1.0, 2.0)
    failover_retry_seconds: tuple[float, ...] = ()
    timeout_seconds: float = 5.0


@dataclass
class DeliveryFault:
    """A scenario's way to make deliveries misbehave. `event` "*" matches every event of `vendor` ("*": both)."""

    kind: str
    vendor: str = "*"
    event: str = "*"
    seconds: float = 0.0  # delay: how long the first attempt waits
    attempts: int = 1  # target_down: how many attempts find the target down
    times: int = 1  # how many deliveries it affects (0: every one)
    hits: int = 0

    def matches(self, vendor: str, event: str) -> bool:
        return (
            self.vendor in ("*", vendor) and self.event in ("*", event) and (self.times == 0 or self.hits < self.times)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "vendor": self.vendor,
            "event": self.event,
            "seconds": self.seconds,
            "attempts": self.attempts,
            "times": self.times,
            "hits": self.hits,
        }


@dataclass
class Attempt:
    """One try of a delivery: when, to which URL, and what the partner answered."""

    number: int
    at: float
    url: str
    status: int | None
    error: str | None
    latency_ms: float
    failover: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "at": self.at,
            "url": self.url,
            "status": self.status,
            "error": self.error,
            "latency_ms": self.latency_ms,
            "failover": self.failover,
        }


@dataclass
class Delivery:
    """One webhook event on its way to a partner: its signed body, retry policy, faults and attempts."""

    id: str
    seq: int  # creation order within the world: the order deliveries to one target go out in
    tenant: str
    vendor: str
    event: str
    url: str
    failover_url: str | None
    body: bytes
    signer: Signer
    policy: RetryPolicy
    created_at: float
    due_at: float
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    state: str = PENDING
    attempts: list[Attempt] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)  # fault kinds applied to this delivery
    down_for: int = 0  # attempts left that find the target down (a target_down fault)
    bad_signature: bool = False
    stale: bool = False
    held_for: int | None = None  # out_of_order: waits until this later delivery to the same target went out
    duplicate_of: str | None = None
    sending: bool = False  # an attempt is on its way: a vendor must not change the body now
    on_settled: Callable[[Delivery], None] | None = field(default=None, repr=False)

    @property
    def target(self) -> str:
        return self.url

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "vendor": self.vendor,
            "event": self.event,
            "url": self.url,
            "failover_url": self.failover_url,
            "state": self.state,
            "created_at": self.created_at,
            "due_at": self.due_at if self.state == PENDING else None,
            "attempts": [a.to_dict() for a in self.attempts],
            "faults": list(self.faults),
            "duplicate_of": self.duplicate_of,
        }


class Outbox:
    """One tenant's deliveries (bounded: the oldest settled ones go first) and its armed delivery faults."""

    def __init__(self) -> None:
        self.deliveries: OrderedDict[str, Delivery] = OrderedDict()
        self.faults: list[DeliveryFault] = []

    def pending(self) -> list[Delivery]:
        return [d for d in self.deliveries.values() if d.state == PENDING]

    def add(self, delivery: Delivery) -> None:
        self.deliveries[delivery.id] = delivery
        while len(self.deliveries) > limits.MAX_DELIVERIES_PER_TENANT:
            for key, old in self.deliveries.items():
                if old.state != PENDING:
                    del self.deliveries[key]
                    break
            else:
                break  # every one is pending: the cap on enqueue refuses more

    def take_faults(self, vendor: str, event: str) -> list[DeliveryFault]:
        taken = [f for f in self.faults if f.matches(vendor, event)]
        for fault in taken:
            fault.hits += 1
        return taken


class DeliveryEngine:
    """The world's deliveries: `enqueue` from a vendor, `pump` from whoever moves time (see World.tick)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.active: set[str] = set()  # tenants with pending deliveries
        self._seq = 0
        self._sending = threading.Lock()  # one pump at a time: per-target order holds across threads

    def enqueue(
        self,
        tenant: Tenant,
        vendor: str,
        event: str,
        url: str,
        body: bytes,
        signer: Signer,
        policy: RetryPolicy,
        failover_url: str | None = None,
        on_settled: Callable[[Delivery], None] | None = None,
    ) -> Delivery:
        now = tenant.clock.now()
        with self.world.lock:
            outbox = tenant.outbox
            if len(outbox.pending()) >= limits.MAX_PENDING_DELIVERIES_PER_TENANT:
                # Bounded: a partner that never answers must not grow the world without end.
                oldest = outbox.pending()[0]
                self._settle(oldest, FAILED)
            delivery = self._new(tenant, vendor, event, url, body, signer, policy, failover_url, now, on_settled)
            for fault in outbox.take_faults(vendor, event):
                self._apply(fault, delivery, tenant)
            self.active.add(tenant.name)
        self.world.wake()
        return delivery

    def _new(
        self,
        tenant: Tenant,
        vendor: str,
        event: str,
        url: str,
        body: bytes,
        signer: Signer,
        policy: RetryPolicy,
        failover_url: str | None,
        now: float,
        on_settled: Callable[[Delivery], None] | None,
    ) -> Delivery:
        self._seq += 1
        delivery = Delivery(
            id=tenant.ids.uuid4(),
            seq=self._seq,
            tenant=tenant.name,
            vendor=vendor,
            event=event,
            url=url,
            failover_url=failover_url,
            body=body,
            signer=signer,
            policy=policy,
            created_at=now,
            due_at=now,
            on_settled=on_settled,
        )
        tenant.outbox.add(delivery)
        return delivery

    def _apply(self, fault: DeliveryFault, delivery: Delivery, tenant: Tenant) -> None:
        delivery.faults.append(fault.kind)
        if fault.kind == "delay":
            delivery.due_at += fault.seconds
        elif fault.kind == "target_down":
            delivery.down_for = max(delivery.down_for, fault.attempts)
        elif fault.kind == "bad_signature":
            delivery.bad_signature = True
        elif fault.kind == "stale_timestamp":
            delivery.stale = True
        elif fault.kind == "duplicate":
            copy = self._new(
                tenant,
                delivery.vendor,
                delivery.event,
                delivery.url,
                delivery.body,
                delivery.signer,
                delivery.policy,
                delivery.failover_url,
                delivery.created_at,
                None,
            )
            copy.duplicate_of, copy.faults = delivery.id, ["duplicate"]
        elif fault.kind == "out_of_order":
            delivery.held_for = -1  # the next delivery to the same target goes first (see _blocked)

    def next_due(self) -> float | None:
        """The earliest time a delivery can next be attempted (None: nothing pending). Only the head of each
        target's queue counts: a later delivery to the same target waits for it, however early it is due."""
        with self.world.lock:
            times = [
                d.due_at
                for name in self.active
                if (tenant := self.world.tenants.get(name)) is not None
                for d in self._heads(tenant.outbox.pending()).values()
            ]
        return min(times) if times else None

    def _heads(self, pending: list[Delivery]) -> dict[str, Delivery]:
        heads: dict[str, Delivery] = {}
        for delivery in pending:
            if delivery.url in heads or self._blocked(delivery, pending):
                continue
            heads[delivery.url] = delivery
        return heads

    def pump(self, now: float | None = None, tenant_name: str | None = None) -> int:
        """Send every attempt that is due (in order per target). Returns how many attempts were made."""
        made = 0
        with self._sending:
            while True:
                batch = self._due(now, tenant_name)
                if not batch:
                    return made
                for delivery in batch:
                    self._attempt(delivery)
                    made += 1

    def _due(self, now: float | None, tenant_name: str | None) -> list[Delivery]:
        with self.world.lock:
            due: list[Delivery] = []
            for name in list(self.active):
                tenant = self.world.tenants.get(name)
                if tenant is None:
                    self.active.discard(name)
                    continue
                pending = tenant.outbox.pending()
                if not pending:
                    self.active.discard(name)
                    continue
                if tenant_name is not None and name != tenant_name:
                    continue
                at = tenant.clock.now() if now is None else now
                due.extend(d for d in self._heads(pending).values() if d.due_at <= at)
            return sorted(due, key=lambda d: (d.due_at, d.seq))

    @staticmethod
    def _blocked(delivery: Delivery, pending: list[Delivery]) -> bool:
        """An out-of-order delivery waits while a later one to the same target is still pending."""
        if delivery.held_for is None:
            return False
        later = [d for d in pending if d.url == delivery.url and d.seq > delivery.seq]
        if later:
            return True
        delivery.held_for = None
        return False

    def _attempt(self, delivery: Delivery) -> None:
        tenant = self.world.tenants.get(delivery.tenant)
        if tenant is None:
            return
        with self.world.lock:  # one body per attempt: a vendor may still batch into it until it goes out
            now = tenant.clock.now()
            body = delivery.body
            delivery.sending = True
        primary_tries = len(delivery.policy.retry_seconds) + 1
        failover = len(delivery.attempts) >= primary_tries and delivery.failover_url is not None
        url = delivery.failover_url if failover and delivery.failover_url else delivery.url
        signed_at = now - STALE_BY_SECONDS if delivery.stale else now
        headers = dict(delivery.headers)
        headers.update(delivery.signer(body, signed_at))
        if delivery.bad_signature:
            headers = {k: _forge(k, v) for k, v in headers.items()}
        if delivery.down_for > 0:
            delivery.down_for -= 1
            result = OutboundResult(None, error="connection refused (target down: a scenario's fault)")
        else:
            result = self.world.outbound.request("POST", url, headers, body, timeout=delivery.policy.timeout_seconds)
        attempt = Attempt(
            number=len(delivery.attempts) + 1,
            at=now,
            url=url,
            status=result.status,
            error=result.error,
            latency_ms=result.latency_ms,
            failover=failover,
        )
        self._journal(tenant, delivery, body, attempt, headers, result)
        with self.world.lock:
            delivery.sending = False
            delivery.attempts.append(attempt)
            if result.ok:
                self._settle(delivery, DELIVERED)
                return
            waits = delivery.policy.retry_seconds
            tries = len(delivery.attempts)
            if tries < primary_tries:
                delivery.due_at = now + waits[tries - 1]
            elif (
                delivery.failover_url is not None
                and tries - primary_tries < len(delivery.policy.failover_retry_seconds) + 1
            ):
                spent = tries - primary_tries  # failover attempts made so far
                delivery.due_at = now if spent == 0 else now + delivery.policy.failover_retry_seconds[spent - 1]
            else:
                self._settle(delivery, FAILED)

    def _settle(self, delivery: Delivery, state: str) -> None:
        delivery.state = state
        if delivery.on_settled is not None:
            delivery.on_settled(delivery)

    def _journal(
        self,
        tenant: Tenant,
        delivery: Delivery,
        raw: bytes,
        attempt: Attempt,
        headers: dict[str, str],
        result: OutboundResult,
    ) -> None:
        try:
            import json

            body: Any = json.loads(raw)
        except ValueError:
            body = raw
        self.world.journal.record(
            JournalEntry(
                seq=0,
                time=attempt.at,
                tenant=tenant.name,
                vendor=delivery.vendor,
                operation=f"webhook:{delivery.event}",
                method="POST",
                path=attempt.url,
                query={},
                request_headers=headers,
                request_body=body,
                status=attempt.status or 0,
                response_body=result.body if result.status is not None else (attempt.error or "").encode(),
                duration_ms=attempt.latency_ms,
                direction="outbound",
                fault=",".join(delivery.faults) or None,
                response_headers={"X-Harness-Delivery": delivery.id, "X-Harness-Attempt": str(attempt.number)},
            )
        )


def _forge(name: str, value: str) -> str:
    """A signature header made wrong the way a forger's would be: same shape, other bytes."""
    lowered = name.lower()
    scheme, sep, digest = value.partition("=")
    if lowered in ("x-hub-signature-256", "x-hub-signature") and sep and scheme in ("sha256", "sha1"):
        return f"{scheme}=" + "".join("0" if c != "0" else "1" for c in digest)
    if lowered == "telnyx-signature-ed25519":
        import base64

        raw = bytearray(base64.b64decode(value))
        raw[0] ^= 0xFF
        return base64.b64encode(bytes(raw)).decode()
    return value
