"""Telnyx's asynchronous onboarding state: signup sessions, hosted signups and the account's user data.

Plain data, like the rest of the world (fakes/core/world.py holds it in `TelnyxState`); the rules that move
it are in fakes/telnyx/signup_sessions.py, hosted_signups.py and user_data.py.
"""

from __future__ import annotations

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
    """Sessions by id in creation order, indexed by WABA (the newest session of each)."""

    def __init__(self) -> None:
        super().__init__()
        self.by_waba: dict[str, str] = {}
        # Sessions still moving (not ended, not waiting for a hosted signup's customer), in creation order: the
        # ticker visits only these, so a tenant with 100,000 finished sessions ticks as fast as an empty one.
        self.running: dict[str, None] = {}

    def add(self, session: SignupSession) -> None:
        self[session.id] = session
        self.by_waba[session.waba_id] = session.id
        if not session.waiting_for_code and not session.notified:
            self.running[session.id] = None

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
