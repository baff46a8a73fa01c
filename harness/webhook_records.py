"""What the webhook receiver keeps: processed events, refusals and duplicates, bounded and thread-safe.

Deliveries arrive on the server's threads while a test or the scenario runner reads from its own, so every
record goes through one `threading.Condition`: readers get copies, and `wait_for` is woken by each new record
instead of polling. Every list keeps at most `max_events` records, the oldest dropped first; so do the dedupe
keys (a redelivery of an event older than the last `max_events` deliveries would be processed again).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from .webhook_envelopes import META, TELNYX, ReceivedEvent

WABA_ADDED = "whatsapp.waba_added"
ACCOUNT_UPDATE = "account_update"


@dataclass(frozen=True)
class Refusal:
    """A request the receiver refused: `kind` (e.g. `bad_signature`), `vendor` (None off the vendors' routes),
    the `status` answered, the `message` sent, the `method` and `path`, and when (`received_at`, unix seconds)."""

    kind: str
    vendor: str | None
    status: int
    message: str
    method: str
    path: str
    received_at: float
    seq: int = 0


@dataclass(frozen=True)
class Duplicate:
    """A genuine redelivery, answered 200 and not processed: `key` is Telnyx's event id or Meta's body digest."""

    vendor: str
    key: str
    received_at: float
    seq: int = 0


R = TypeVar("R", ReceivedEvent, Refusal, Duplicate)


class WebhookRecords:
    """The three bounded lists and the dedupe keys. Every record gets `seq`, one running number over the three
    lists, so they can be put back in arrival order."""

    def __init__(self, max_events: int = 1000) -> None:
        if max_events < 1:
            raise ValueError("max_events must be at least 1")
        self.max_events = max_events
        self._changed = threading.Condition()  # guards everything below; notified on every record
        self._events: deque[ReceivedEvent] = deque(maxlen=max_events)
        self._refusals: deque[Refusal] = deque(maxlen=max_events)
        self._duplicates: deque[Duplicate] = deque(maxlen=max_events)
        self._seen: OrderedDict[str, None] = OrderedDict()  # dedupe keys, oldest first
        self._seq = 0

    # -- recording (the receiver) --------------------------------------------------------------------------
    def record_delivery(self, vendor: str, key: str, events: list[ReceivedEvent], now: float) -> bool:
        """Record `events` unless `key` was seen already (then one `Duplicate`); True when they were processed.

        Check and insert are one step under the lock: two copies arriving together are processed once."""
        dedupe_key = f"{vendor}:{key}"
        with self._changed:
            if dedupe_key in self._seen:
                self._seen.move_to_end(dedupe_key)
                self._duplicates.append(Duplicate(vendor, key, now, self._next_seq()))
                self._changed.notify_all()
                return False
            self._seen[dedupe_key] = None
            while len(self._seen) > self.max_events:
                self._seen.popitem(last=False)
            self._events.extend(replace(event, seq=self._next_seq()) for event in events)
            self._changed.notify_all()
            return True

    def record_refusal(self, refusal: Refusal) -> None:
        with self._changed:
            self._refusals.append(replace(refusal, seq=self._next_seq()))
            self._changed.notify_all()

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # -- reading (tests, the harness) ----------------------------------------------------------------------
    def events(self) -> list[ReceivedEvent]:
        """The processed events, oldest first (a batched Meta delivery gives one per change)."""
        with self._changed:
            return list(self._events)

    def refusals(self) -> list[Refusal]:
        with self._changed:
            return list(self._refusals)

    def duplicates(self) -> list[Duplicate]:
        with self._changed:
            return list(self._duplicates)

    def telnyx_outcome(self, waba_id: str) -> ReceivedEvent | None:
        """The latest Telnyx `whatsapp.waba_added` event for a WABA (its `status`: SUCCESS or FAILURE), or None."""
        found = self._matching(TELNYX, WABA_ADDED, waba_id)
        return found[-1] if found else None

    def meta_account_updates(self, waba_id: str) -> list[ReceivedEvent]:
        """Meta's `account_update` changes for a WABA, oldest first (`status` is the change's `value.event`)."""
        return self._matching(META, ACCOUNT_UPDATE, waba_id)

    def _matching(self, vendor: str, event_type: str, waba_id: str) -> list[ReceivedEvent]:
        return [e for e in self.events() if (e.vendor, e.event_type, e.waba_id) == (vendor, event_type, waba_id)]

    def wait_for(self, predicate: Callable[[ReceivedEvent], bool], timeout: float) -> ReceivedEvent | None:
        """The first processed event (already here or still to come) that satisfies `predicate`, or None once
        `timeout` seconds (real time) pass. Woken by each new record: no polling, no sleep."""
        return self._wait(self._events, predicate, timeout)

    def wait_for_refusal(self, predicate: Callable[[Refusal], bool], timeout: float) -> Refusal | None:
        """As `wait_for`, over the refusals."""
        return self._wait(self._refusals, predicate, timeout)

    def wait_for_duplicate(self, predicate: Callable[[Duplicate], bool], timeout: float) -> Duplicate | None:
        """As `wait_for`, over the duplicates."""
        return self._wait(self._duplicates, predicate, timeout)

    def clear(self) -> None:
        """Forget every record and dedupe key (between two scenarios)."""
        with self._changed:
            self._events.clear()
            self._refusals.clear()
            self._duplicates.clear()
            self._seen.clear()

    def _wait(self, records: deque[R], predicate: Callable[[R], bool], timeout: float) -> R | None:
        deadline = time.monotonic() + timeout
        checked = 0  # records up to this seq were offered to the predicate already
        with self._changed:
            while True:
                for record in records:
                    if record.seq > checked and predicate(record):
                        return record
                checked = self._seq
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)
