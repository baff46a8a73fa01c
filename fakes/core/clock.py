"""The injectable clock: every timestamp in a world comes from one of these."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

# 2026-01-01T00:00:00Z: the epoch every world starts from unless told otherwise, so runs are reproducible.
DEFAULT_EPOCH = 1767225600.0


class Clock:
    """Seconds since the Unix epoch, movable by `advance` (codes expire, tokens age).

    Whoever moves time on its own account (signup sessions, webhook deliveries) listens with `on_advance`: a
    listener runs after every `advance`, outside the clock's lock."""

    def now(self) -> float:
        raise NotImplementedError

    def advance(self, seconds: float) -> None:
        raise NotImplementedError

    def on_advance(self, listener: Callable[[], None]) -> None:
        listeners = self.__dict__.setdefault("_listeners", [])
        if listener not in listeners:
            listeners.append(listener)

    def _advanced(self) -> None:
        for listener in list(self.__dict__.get("_listeners", ())):
            listener()

    def iso(self) -> str:
        """UTC timestamp with millisecond precision, as Telnyx writes them."""
        stamp = datetime.fromtimestamp(self.now(), UTC)
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


class ManualClock(Clock):
    """Moves only when told: the scenario runner's clock, for byte-identical runs."""

    def __init__(self, start: float = DEFAULT_EPOCH) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += float(seconds)
        self._advanced()


class LiveClock(Clock):
    """A fixed start plus real elapsed time plus manual advances: what a person in a browser expects."""

    def __init__(self, start: float | None = None) -> None:
        self._start = time.time() if start is None else float(start)
        self._origin = time.monotonic()
        self._offset = 0.0

    def now(self) -> float:
        return self._start + (time.monotonic() - self._origin) + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += float(seconds)
        self._advanced()
