"""Step 5 of the onboarding: wait for Telnyx's signup session to end, the way a careful partner does.

Telnyx's 200 to tech_provider means "accepted", not "number ready": Telnyx then provisions the WABA through a
signup session (subscribe webhooks, assign users, share the credit line, register the number, ...) and says how
it ended with a signed `whatsapp.waba_added` webhook. A careful partner:

1. **waits for the webhook** for its WABA (`webhook_outcome(waba_id)`: a callable the client is given, that reads
   what the partner's own webhook receiver verified; the client never reads webhooks itself), checking every
   `check_every` seconds;
2. **polls as the fallback**: webhooks can be lost, refused (a rotated key, a clock that drifted) or late, so
   once `webhook_grace` seconds pass without one it asks `GET /v2/whatsapp/signup/{session_id}/status` every
   `poll_every` seconds (from the start when it has no webhook receiver at all);
3. **stays bounded**: after `budget` seconds of the client's clock (`RetryPolicy.sleep` / `monotonic`: the
   world's clock in the harness) a session still PENDING raises `SignupSessionTimedOut`;
4. **reads FAILURE as an error**: `SignupSessionFailed`, naming the stage and Telnyx's errors through the mapping
   table (`mapping.py`). The webhook does not carry the stage, so one status call names it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from . import errors as e
from .mapping import VendorFault, error_from_fault
from .redaction import Redactor

WebhookOutcome = Callable[[str], "dict[str, Any] | None"]
StatusFetcher = Callable[[str], "dict[str, Any]"]
FINISHED = ("SUCCESS", "FAILURE")
SESSION_OPERATION = "signupSession"
_META_CODE = re.compile(r"\bMeta error (\d+)\b")


@dataclass(frozen=True)
class OutcomeWait:
    """How long and how often to wait for a session's outcome, in seconds of the client's clock.

    Defaults: a 60 s budget, the webhook checked every second, polling every 5 s once 10 s passed without one.
    (Telnyx's real sessions take minutes: against the real API, raise `budget`.)"""

    budget: float = 60.0
    check_every: float = 1.0
    webhook_grace: float = 10.0
    poll_every: float = 5.0

    def __post_init__(self) -> None:
        for name in ("budget", "check_every", "webhook_grace", "poll_every"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise ValueError(f"OutcomeWait.{name} must be a finite number >= 0")
        if self.check_every == 0 or self.poll_every == 0:
            raise ValueError("OutcomeWait.check_every and poll_every must be above 0")


@dataclass(frozen=True)
class SessionOutcome:
    """How the signup session ended and how the client learned it (`learned_via`: "webhook" or "polling")."""

    session_id: str | None
    status: str
    state: str | None
    errors: list[str] = field(default_factory=list)
    learned_via: str = "polling"
    waited_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class OutcomeWaiter:
    """One wait: `wait(waba_id, session_id)` returns a SUCCESS `SessionOutcome` or raises."""

    def __init__(
        self,
        policy: OutcomeWait,
        fetch_status: StatusFetcher,
        sleep: Callable[[float], None],
        monotonic: Callable[[], float],
        webhook_outcome: WebhookOutcome | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.policy = policy
        self._fetch = fetch_status
        self._sleep = sleep
        self._now = monotonic
        self._webhook = webhook_outcome
        self._redactor = redactor

    def wait(self, waba_id: str, session_id: str | None) -> SessionOutcome:
        started = self._now()
        next_poll = started + (self.policy.webhook_grace if self._webhook else self.policy.poll_every)
        while True:
            outcome = self._from_webhook(waba_id, session_id, started)
            if outcome is None and session_id is not None and self._now() >= next_poll:
                outcome = self._poll(session_id, started)
                next_poll = self._now() + self.policy.poll_every
            if outcome is not None:
                return self._finish(outcome)
            now = self._now()
            elapsed = now - started
            if elapsed >= self.policy.budget:
                raise self._timeout(waba_id, session_id, elapsed)
            step = self.policy.check_every if self._webhook else self.policy.poll_every
            if session_id is not None and next_poll > now:
                step = min(step, next_poll - now)
            self._sleep(min(step, self.policy.budget - elapsed))

    def _from_webhook(self, waba_id: str, session_id: str | None, started: float) -> SessionOutcome | None:
        if self._webhook is None:
            return None
        payload = self._webhook(waba_id)
        if not payload or payload.get("status") not in FINISHED:
            return None
        if session_id and payload.get("event_id") not in (None, session_id):
            return None  # an earlier session's outcome for the same WABA
        outcome = SessionOutcome(
            session_id=session_id or payload.get("event_id"),
            status=str(payload["status"]),
            state=None,
            errors=[str(x) for x in payload.get("errors") or []],
            learned_via="webhook",
            waited_seconds=self._now() - started,
        )
        if outcome.status == "FAILURE" and outcome.session_id:  # the webhook has no stage: ask once
            state = self._fetch(outcome.session_id).get("state")
            outcome = SessionOutcome(**{**outcome.to_dict(), "state": state})
        return outcome

    def _poll(self, session_id: str, started: float) -> SessionOutcome | None:
        data = self._fetch(session_id)
        if data.get("status") not in FINISHED:
            return None
        return SessionOutcome(
            session_id=session_id,
            status=str(data["status"]),
            state=data.get("state"),
            errors=[str(x) for x in data.get("errors") or []],
            learned_via="polling",
            waited_seconds=self._now() - started,
        )

    def _finish(self, outcome: SessionOutcome) -> SessionOutcome:
        if outcome.status == "SUCCESS":
            return outcome
        raise session_failed(outcome, self._redactor)

    def _timeout(self, waba_id: str, session_id: str | None, elapsed: float) -> e.OnboardingError:
        return e.SignupSessionTimedOut(
            f"telnyx {SESSION_OPERATION}: the signup session for WABA {waba_id} was still PENDING after "
            f"{elapsed:g} s (no whatsapp.waba_added webhook, status polling did not see it end)",
            vendor="telnyx",
            operation=SESSION_OPERATION,
            trace_id=session_id,
            details={"waba_id": waba_id, "waited_seconds": elapsed},
            redactor=self._redactor,
        )


def session_failed(outcome: SessionOutcome, redactor: Redactor | None = None) -> e.OnboardingError:
    """A FAILURE session as the client error the mapping table names: `vendor_code` is the stage it failed at,
    `vendor_subcode` Meta's error code when Telnyx reports one (e.g. 133005, a two-step PIN already set)."""
    meta_code = next((m.group(1) for text in outcome.errors if (m := _META_CODE.search(text))), None)
    fault = VendorFault(
        vendor="telnyx",
        operation=SESSION_OPERATION,
        http_status=None,
        code=outcome.state,
        subcode=meta_code,
        title=f"signup session FAILURE at {outcome.state or 'an unknown stage'}",
        message="; ".join(outcome.errors) or None,
        trace_id=outcome.session_id,
        details={"session": outcome.to_dict()},
    )
    return error_from_fault(fault, redactor)
