"""The records of webhook delivery: a `Delivery` on its way, each `Attempt` of it, and the vendor's `RetryPolicy`.

Plain dataclasses and the states a delivery goes through (`PENDING` until it is `DELIVERED` or `FAILED`), with
the `Signer` type a vendor hands over: (body, unix time) -> signature headers. Moving them on is the engine's
job (`delivery.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Signer = Callable[[bytes, float], dict[str, str]]

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


@dataclass(frozen=True)
class RetryPolicy:
    """The vendor's: seconds to wait after each failed attempt (its length + 1 attempts in all), then the
    failover URL's waits, and how long one attempt may take."""

    retry_seconds: tuple[float, ...] = (1.0, 2.0)
    failover_retry_seconds: tuple[float, ...] = ()
    timeout_seconds: float = 5.0


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
