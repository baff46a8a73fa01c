"""Telnyx's asynchronous onboarding state: signup sessions, hosted signups and the account's user data.

Plain data, like the rest of the world (fakes/core/world.py holds it in `TelnyxState`); the rules that move
it are in fakes/telnyx/signup_sessions.py, hosted_signups.py and user_data.py.
"""

from __future__ import annotations

import heapq
import itertools
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from .lifecycle import FAILED, SUCCEEDED, Progress


@dataclass(slots=True)
class SignupSession:
    """What `tech_provider` (or a completed hosted signup) starts: Telnyx provisioning one WABA."""

    id: str  # session_id (UUIDv7)
    waba_id: str
    phone_number_id: str | None
    app_id: str
    customer_id: str | None
    created_at: float
    updated_at: float
    progress: Progress
    coexistence: bool = False
    waiting_for_code: bool = False  # a hosted signup not yet completed by the customer: INCOMPLETE
    notified: bool = False  # whatsapp.waba_added has been queued

    @property
    def status(self) -> str:
        if self.waiting_for_code:
            return "INCOMPLETE"
        if self.progress.outcome == SUCCEEDED:
            return "SUCCESS"
        if self.progress.outcome == FAILED:
            return "FAILURE"
        return "PENDING"


@dataclass
class HostedSignup:
    """A Telnyx-hosted onboarding URL for one customer (POST /v2/whatsapp/hosted_signups)."""

    id: str
    app_id: str
    created_at: float
    expires_at: float
    signup_type: str  # standard | coexistence
    jwt: str
    solution_id: str
    session_id: str | None = None  # set once the customer completed it


@dataclass
class UserData:
    """GET/PATCH /v2/whatsapp/user_data: where Telnyx sends signup events."""

    webhook_url: str | None = None
    webhook_failover_url: str | None = None
    created_at: float | None = None
    updated_at: float | None = None


class SessionBook(OrderedDict[str, SignupSession]):
    """Sessions by id in creation order, indexed by WABA (the newest session of each), with the running ones
    on a heap by the time their current stage ends: a tick visits only the sessions that are due, so it costs
    the same with 10 or 10,000 sessions in flight (and 100,000 finished ones)."""

    def __init__(self) -> None:
        super().__init__()
        self.by_waba: dict[str, str] = {}
        self._due: list[tuple[float, int, str]] = []  # (due time, creation order, session id)
        self._order = itertools.count()

    def add(self, session: SignupSession, due: float | None) -> None:
        self[session.id] = session
        self.by_waba[session.waba_id] = session.id
        if due is not None:
            self.schedule(session.id, due)

    def schedule(self, session_id: str, due: float) -> None:
        """The session's current stage ends at `due`: visit it then."""
        heapq.heappush(self._due, (due, next(self._order), session_id))

    def pop_due(self, now: float) -> list[str]:
        """The ids of the sessions whose stage has ended by `now`, earliest first (they leave the heap)."""
        due = []
        while self._due and self._due[0][0] <= now:
            due.append(heapq.heappop(self._due)[2])
        return due

    def next_due(self) -> float | None:
        return self._due[0][0] if self._due else None

    def clear(self) -> None:
        super().clear()
        self.by_waba.clear()
        self._due.clear()

    def for_waba(self, waba_id: str) -> SignupSession | None:
        found = self.by_waba.get(waba_id)
        return self.get(found) if found is not None else None


@dataclass
class SessionPlan:
    """How the next sessions go, from a seed or a scenario: a stage that fails (with Telnyx's errors) and the
    seconds each stage takes on the world's clock (defaults: fakes/telnyx/signup_sessions.STAGE_SECONDS)."""

    fail_at: str | None = None
    errors: list[str] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"fail_at": self.fail_at, "errors": list(self.errors), "stage_seconds": dict(self.stage_seconds)}
