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

This module is `DeliveryEngine`: enqueueing, what is due, one attempt and what follows it. Its parts, whose
public names are importable from here too: delivery_records.py (`Delivery`, `Attempt`, `RetryPolicy`, the
states, `Signer`), delivery_faults.py (`DeliveryFault`, what each does to a delivery), outbox.py (a tenant's
`Outbox`), delivery_order.py (the head of each target's queue) and delivery_journal.py (an attempt's journal
entry).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import limits
from .delivery_faults import FAULT_KINDS, STALE_BY_SECONDS, DeliveryFault, apply_fault, forge_signature
from .delivery_journal import journal_attempt
from .delivery_order import queue_heads
from .delivery_records import DELIVERED, FAILED, PENDING, Attempt, Delivery, RetryPolicy, Signer
from .outbound import OutboundResult
from .outbox import Outbox

if TYPE_CHECKING:
    from .world import Tenant, World

__all__ = [
    "DELIVERED",
    "FAILED",
    "FAULT_KINDS",
    "PENDING",
    "STALE_BY_SECONDS",
    "Attempt",
    "Delivery",
    "DeliveryEngine",
    "DeliveryFault",
    "Outbox",
    "RetryPolicy",
    "Signer",
]


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
                apply_fault(fault, delivery)
                if fault.kind == "duplicate":
                    self._duplicate(delivery, tenant)
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

    def _duplicate(self, delivery: Delivery, tenant: Tenant) -> None:
        """A `duplicate` fault's copy: the same event, body and targets, sent as a delivery of its own."""
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

    def next_due(self) -> float | None:
        """The earliest time a delivery can next be attempted (None: nothing pending). Only the head of each
        target's queue counts: a later delivery to the same target waits for it, however early it is due."""
        with self.world.lock:
            times = [
                d.due_at
                for name in self.active
                if (tenant := self.world.tenants.get(name)) is not None
                for d in queue_heads(tenant.outbox.pending()).values()
            ]
        return min(times) if times else None

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
                due.extend(d for d in queue_heads(pending).values() if d.due_at <= at)
            return sorted(due, key=lambda d: (d.due_at, d.seq))

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
            headers = {k: forge_signature(k, v) for k, v in headers.items()}
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
        journal_attempt(self.world.journal, tenant.name, delivery, body, attempt, headers, result)
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
