"""How the reference client waits for Telnyx's signup session: webhook first, status polling as the fallback,
bounded by its budget, FAILURE read through the mapping table. No real sleep: the clock is a FakeClock."""

from __future__ import annotations

from typing import Any

import pytest

from fakes.core.clock import ManualClock
from fakes.harness import Harness
from harness.client import (
    ClientConfig,
    OnboardingClient,
    OutcomeWait,
    RetryPolicy,
    SignupOutcome,
    SignupSessionFailed,
    SignupSessionTimedOut,
)
from harness.client.outcome import OutcomeWaiter

SESSION = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"


class Status:
    """A canned status endpoint: PENDING until `done_at`, then `final`; counts the calls."""

    def __init__(self, clock: Any, done_at: float, final: dict[str, Any]) -> None:
        self.clock, self.done_at, self.final, self.calls = clock, done_at, final, 0

    def __call__(self, session_id: str) -> dict[str, Any]:
        self.calls += 1
        if self.clock.now >= self.done_at:
            return {"session_id": session_id, **self.final}
        return {"session_id": session_id, "status": "PENDING", "state": "SHARE_CREDIT_LINE", "errors": []}


def waiter(clock: Any, status: Status, webhook: Any = None, **policy: float) -> OutcomeWaiter:
    return OutcomeWaiter(OutcomeWait(**policy), status, clock.sleep, clock.monotonic, webhook)


def test_webhook_first_no_polling(clock: Any) -> None:
    status = Status(clock, 6, {"status": "SUCCESS", "state": "COMPLETE"})

    def webhook(waba_id: str) -> dict[str, Any] | None:
        return {"status": "SUCCESS", "event_id": SESSION, "waba_id": waba_id} if clock.now >= 6 else None

    outcome = waiter(clock, status, webhook).wait("111", SESSION)
    assert (outcome.status, outcome.learned_via, status.calls) == ("SUCCESS", "webhook", 0)
    assert outcome.waited_seconds == 6


def test_no_webhook_falls_back_to_polling_after_the_grace(clock: Any) -> None:
    status = Status(clock, 6, {"status": "SUCCESS", "state": "COMPLETE"})
    outcome = waiter(clock, status, lambda waba: None, webhook_grace=10, poll_every=5).wait("111", SESSION)
    assert (outcome.status, outcome.learned_via, status.calls) == ("SUCCESS", "polling", 1)
    assert clock.now == 10


def test_without_receiver_polls_every_few_seconds(clock: Any) -> None:
    status = Status(clock, 12, {"status": "SUCCESS", "state": "COMPLETE"})
    outcome = waiter(clock, status, poll_every=5).wait("111", SESSION)
    assert (outcome.learned_via, status.calls, clock.now) == ("polling", 3, 15)


def test_still_pending_at_the_budget_is_a_timeout(clock: Any) -> None:
    status = Status(clock, 10_000, {"status": "SUCCESS"})
    with pytest.raises(SignupSessionTimedOut) as caught:
        waiter(clock, status, lambda waba: None, budget=30).wait("111", SESSION)
    assert clock.now == 30 and "PENDING" in str(caught.value)
    assert caught.value.trace_id == SESSION


def test_failure_names_the_stage_and_telnyx_errors(clock: Any) -> None:
    final = {"status": "FAILURE", "state": "REGISTER_PHONE_NUMBER", "errors": ["Meta error 133005: PIN mismatch"]}
    status = Status(clock, 0, final)

    def webhook(waba_id: str) -> dict[str, Any]:
        return {"status": "FAILURE", "event_id": SESSION, "errors": final["errors"]}

    with pytest.raises(SignupSessionFailed) as caught:
        waiter(clock, status, webhook).wait("111", SESSION)
    error = caught.value
    assert (error.vendor_code, error.vendor_subcode, status.calls) == ("REGISTER_PHONE_NUMBER", "133005", 1)
    assert "REGISTER_PHONE_NUMBER" in error.message and "133005" in error.message
    assert "two-step" in error.guidance
    assert error.details["session"]["learned_via"] == "webhook"


def test_another_sessions_webhook_is_not_this_outcome(clock: Any) -> None:
    status = Status(clock, 10, {"status": "SUCCESS", "state": "COMPLETE"})
    outcome = waiter(clock, status, lambda waba: {"status": "FAILURE", "event_id": "older"}).wait("1", SESSION)
    assert (outcome.status, outcome.learned_via) == ("SUCCESS", "polling")


@pytest.mark.parametrize("fail_at", [None, "SHARE_CREDIT_LINE"])
def test_onboard_waits_over_http_against_the_fakes(fail_at: str | None) -> None:
    """In-process HTTP: the client polls the Telnyx fake's status route (no receiver) on the world's clock."""
    clock = ManualClock()
    harness = Harness(seed=3, clock=clock, check_responses=True)
    harness.seed_demo()
    if fail_at:
        harness.seed({"telnyx": {"signup_sessions": {"fail_at": fail_at, "errors": ["no credit line"]}}})
    signup = harness.complete_signup(app_id="100000000000001")
    config = ClientConfig(
        graph_base_url=harness.graph_url,
        telnyx_base_url=harness.telnyx_url,
        app_id="100000000000001",
        app_secret="local-app-secret-not-real",
        telnyx_api_key="KEYLOCALTEST0001_notarealtelnyxkey",
        retry=RetryPolicy(sleep=clock.advance, monotonic=clock.now),
    )
    client = OnboardingClient(config, session=harness.session(), outcome_wait=OutcomeWait(budget=30))
    outcome = SignupOutcome.from_browser(code=signup["code"], event=signup["event"])
    if fail_at:
        with pytest.raises(SignupSessionFailed) as caught:
            client.onboard(outcome)
        assert caught.value.vendor_code == fail_at and "no credit line" in caught.value.message
    else:
        result = client.onboard(outcome)
        assert result.session is not None
        assert (result.session["status"], result.session["learned_via"]) == ("SUCCESS", "polling")
    operations = [e["operation"] for e in harness.journal() if e.get("direction") != "outbound"]
    assert "getSignupStatus" in operations


def test_without_outcome_wait_onboard_returns_at_the_200() -> None:
    clock = ManualClock()
    harness = Harness(seed=3, clock=clock)
    harness.seed_demo()
    signup = harness.complete_signup(app_id="100000000000001")
    config = ClientConfig(
        graph_base_url=harness.graph_url,
        telnyx_base_url=harness.telnyx_url,
        app_id="100000000000001",
        app_secret="local-app-secret-not-real",
        telnyx_api_key="KEYLOCALTEST0001_notarealtelnyxkey",
    )
    result = OnboardingClient(config, session=harness.session()).onboard(
        SignupOutcome.from_browser(code=signup["code"], event=signup["event"])
    )
    assert result.session is None
