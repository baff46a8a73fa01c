"""What happens with time on its own: vendors' periodic work (tickers) and the delivery engine, moved by the clock.

A ticker is a vendor's function `(tenant, now) -> next due time | None` (None: that tenant has nothing left
for it), registered once at start-up (`World.add_ticker`). Only tenants marked busy (`has_work`) are visited,
so the cost does not grow with idle tenants.

Two ways to run, chosen by whether the fakes are served:
- **in-process** (the default): due work runs on the caller's thread when the clock moves (`ManualClock.advance`,
  the reference client's virtual sleep), after a request that left work due now, or on `tick()`. A scenario run
  is then instant and reproducible;
- **served** (`start()`, by `Harness.serve`): one daemon thread runs it, woken by the same events and by the
  next due time on a live clock, so a request thread never waits on a partner's webhook endpoint (a partner
  that calls back into the fakes from its handler cannot deadlock them). `settle()` waits until nothing is due.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .world import Tenant, World

Ticker = Callable[["Tenant", float], float | None]
# A live clock's thread wakes at least this often (a clock advanced by hand wakes it at once anyway).
MAX_SLEEP_SECONDS = 0.5


class Timekeeper:
    def __init__(self, world: World) -> None:
        self.world = world
        self.tickers: list[Ticker] = []
        self.busy: set[str] = set()
        self.pending = False  # something may be due now
        self.next_due: float | None = None
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._ticking = False
        self._local = threading.local()

    def add(self, ticker: Ticker) -> None:
        if ticker not in self.tickers:
            self.tickers.append(ticker)

    def has_work(self, tenant: str) -> None:
        with self._cond:
            self.busy.add(tenant)
            self.pending = True
            self._cond.notify_all()

    def wake(self) -> None:
        with self._cond:
            self.pending = True
            self._cond.notify_all()

    @property
    def served(self) -> bool:
        return self._thread is not None

    def clock_moved(self) -> None:
        if self.served:
            self.wake()
        elif self.busy or self.world.deliveries.active:
            self.tick()

    def after_request(self) -> None:
        if self.served:
            self.wake()
        else:
            self.tick()

    def tick(self) -> None:
        """Run what is due now: each busy tenant's tickers, then every due delivery attempt."""
        if getattr(self._local, "inside", False):
            return  # a delivery's in-process receiver moved the clock: the running tick goes on from there
        self._local.inside = True
        with self._cond:
            self._ticking = True
            self.pending = False
        try:
            dues = self._run_tickers()
            self.world.deliveries.pump()
            delivery_due = self.world.deliveries.next_due()
            if delivery_due is not None:
                dues.append(delivery_due)
            with self._cond:
                self.next_due = min(dues) if dues else None
        finally:
            self._local.inside = False
            with self._cond:
                self._ticking = False
                self._cond.notify_all()

    def _run_tickers(self) -> list[float]:
        dues: list[float] = []
        now = self.world.clock.now()
        for name in sorted(self.busy):
            tenant = self.world.tenants.get(name)
            if tenant is None:
                self.busy.discard(name)
                continue
            mine = [due for ticker in self.tickers if (due := ticker(tenant, now)) is not None]
            if mine:
                dues.extend(mine)
            else:
                self.busy.discard(name)
        return dues

    # -- served: one thread ---------------------------------------------------------------------------------
    def start(self) -> None:
        with self._cond:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="harness-timekeeper", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._cond:
            thread, self._thread = self._thread, None
            self._stopping = True
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                if not self.pending:
                    self._cond.wait(self._sleep_seconds())
                if self._stopping:
                    return
            try:
                self.tick()
            except Exception:  # a vendor bug must not stop time for every other tenant
                import traceback

                traceback.print_exc()

    def _sleep_seconds(self) -> float:
        if self.next_due is None:
            return MAX_SLEEP_SECONDS
        return max(0.0, min(MAX_SLEEP_SECONDS, self.next_due - self.world.clock.now()))

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is due at the world's present time (served mode; in-process, tick instead)."""
        if not self.served:
            self.tick()
            return True
        deadline = time.monotonic() + timeout
        with self._cond:
            self.pending = True
            self._cond.notify_all()
            while True:
                quiet = not self.pending and not self._ticking
                if quiet and (self.next_due is None or self.next_due > self.world.clock.now()):
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
