"""One tenant's outbox: its webhook deliveries, bounded, and the delivery faults armed for them.

The deliveries are kept in creation order; past `limits.MAX_DELIVERIES_PER_TENANT` the oldest settled ones go
first (pending ones stay: the engine's cap on enqueue bounds those). An armed fault is taken, and counted, by
each delivery it matches.
"""

from __future__ import annotations

from collections import OrderedDict

from . import limits
from .delivery_faults import DeliveryFault
from .delivery_records import PENDING, Delivery


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
