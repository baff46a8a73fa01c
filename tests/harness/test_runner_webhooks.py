"""The asynchronous half in the runner: a reference receiver per scenario, delivery faults armed, the session
and the webhooks judged (a wrong expectation fails with one readable reason each), in both transports."""

from __future__ import annotations

from dataclasses import replace

import pytest

from harness.arming import arm
from harness.runner import Runner
from harness.scenarios import Scenario, find


@pytest.fixture(scope="module", params=["inprocess", "socket"])
def runner(request: pytest.FixtureRequest) -> Runner:
    with Runner(seed=7, transport=request.param) as played:
        yield played


def test_session_success_is_learned_from_the_signed_webhook(runner: Runner) -> None:
    result = runner.run(find("signup-session-pending-then-success"))
    assert result.passed, result.reasons
    seen = result.observation
    assert seen.session == {"status": "SUCCESS", "state": "COMPLETE", "errors": []}
    assert seen.learned_via == "webhook"
    assert "whatsapp.waba_added/SUCCESS" in seen.webhooks["accepted"]
    assert "account_update/PARTNER_APP_INSTALLED" in seen.webhooks["accepted"]


def test_forged_webhook_is_refused_and_the_client_polls(runner: Runner) -> None:
    result = runner.run(find("webhook-bad-signature"))
    assert result.passed, result.reasons
    assert result.observation.webhooks["refused"] == ["bad_signature"] * 3
    assert not any(a.startswith("whatsapp.waba_added") for a in result.observation.webhooks["accepted"])
    assert result.observation.calls[-1] == "telnyx.getSignupStatus"


def test_failover_and_challenge_scenarios_pass(runner: Runner) -> None:
    for scenario_id in ("webhook-endpoint-down-then-failover", "meta-challenge-failed", "hosted-signup-completed"):
        result = runner.run(find(scenario_id))
        assert result.passed, (scenario_id, result.reasons)


def test_wrong_session_and_webhook_expectations_fail_with_reasons() -> None:
    scenario = find("signup-session-pending-then-success")
    expect = {
        **scenario.expect,
        "session": {"status": "FAILURE", "state": "SHARE_CREDIT_LINE", "learned_via": "polling"},
        "webhooks": {"accepted": ["whatsapp.waba_added/FAILURE"], "refused": ["bad_signature"], "duplicates": 2},
    }
    with Runner(seed=7, transport="inprocess") as played:
        result = played.run(replace(scenario, expect=expect))
    assert not result.passed
    assert result.reasons == [
        "session: expected status FAILURE; got SUCCESS",
        "session: expected state SHARE_CREDIT_LINE; got COMPLETE",
        "session: expected the client to learn the outcome via polling; it learned it via webhook",
        "webhooks: expected whatsapp.waba_added/FAILURE accepted; the receiver processed "
        + ", ".join(result.observation.webhooks["accepted"]),
        "webhooks: expected refusals bad_signature; got (none)",
        "webhooks: expected 2 duplicate(s) recognised; got 0",
    ]


def test_without_a_receiver_webhook_expectations_fail() -> None:
    scenario = replace(find("partner-app-installed-received"), receiver={"enabled": False})
    with Runner(seed=7, transport="inprocess") as played:
        result = played.run(scenario)
    assert result.reasons[-1] == "webhooks: expected the reference webhook receiver, but the scenario ran without one"
    assert result.observation.learned_via == "polling"  # no receiver: the client polled the status
    assert result.observation.calls[-1] == "telnyx.getSignupStatus"


def test_arming_arms_delivery_faults() -> None:
    scenario = Scenario.from_dict(
        {
            "id": "x",
            "title": "t",
            "description": "d",
            "expect": {"outcome": "success"},
            "delivery_faults": [{"kind": "duplicate", "vendor": "telnyx"}],
        }
    )
    with Runner(seed=7, transport="inprocess") as played:
        arm(played.harness, scenario, "armed-1")
        faults = played.harness.webhooks("armed-1")["faults"]
    assert [(f["kind"], f["vendor"]) for f in faults] == [("duplicate", "telnyx")]
