"""The order deliveries to one target go out in: which pending delivery heads each target's queue.

Deliveries to one URL go out in creation order, a later one waiting while an earlier one is retried; the one
exception is an `out_of_order` fault's delivery, held back while a later delivery to the same target is still
pending. `queue_heads` is what the engine asks each time it looks for due work.
"""

from __future__ import annotations

from .delivery_records import Delivery


def queue_heads(pending: list[Delivery]) -> dict[str, Delivery]:
    """Target URL -> the delivery that goes out next to it (`pending` in creation order)."""
    heads: dict[str, Delivery] = {}
    for delivery in pending:
        if delivery.url in heads or held_back(delivery, pending):
            continue
        heads[delivery.url] = delivery
    return heads


def held_back(delivery: Delivery, pending: list[Delivery]) -> bool:
    """An out-of-order delivery waits while a later one to the same target is still pending."""
    if delivery.held_for is None:
        return False
    later = [d for d in pending if d.url == delivery.url and d.seq > delivery.seq]
    if later:
        return True
    delivery.held_for = None
    return False
