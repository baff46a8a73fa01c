"""Delivery faults: the ways a scenario makes webhook deliveries misbehave, and what each does to a delivery.

A `DeliveryFault` is armed per tenant (vendor, event, how many deliveries); `apply_fault` marks a delivery with
it when it is enqueued (delay, target down for N attempts, bad signature, stale timestamp, out of order; the
copy a `duplicate` asks for is made by the engine, which owns creation order), and `forge_signature` is how a
bad signature looks: the right shape, the wrong bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .delivery_records import Delivery

FAULT_KINDS = ("delay", "duplicate", "out_of_order", "bad_signature", "stale_timestamp", "target_down")
# How far in the past a `stale_timestamp` fault signs (Telnyx's SDK refuses anything older than 300 s).
STALE_BY_SECONDS = 600.0


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


def apply_fault(fault: DeliveryFault, delivery: Delivery) -> None:
    """Mark a new delivery with what the fault does to it (a `duplicate`'s copy is the engine's to make)."""
    delivery.faults.append(fault.kind)
    if fault.kind == "delay":
        delivery.due_at += fault.seconds
    elif fault.kind == "target_down":
        delivery.down_for = max(delivery.down_for, fault.attempts)
    elif fault.kind == "bad_signature":
        delivery.bad_signature = True
    elif fault.kind == "stale_timestamp":
        delivery.stale = True
    elif fault.kind == "out_of_order":
        delivery.held_for = -1  # the next delivery to the same target goes first (see delivery_order.py)


def forge_signature(name: str, value: str) -> str:
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
