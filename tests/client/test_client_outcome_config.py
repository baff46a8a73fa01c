"""The session wait (step 5) from configuration: SIGNUP_OUTCOME_WAIT, `onboard --outcome-wait`, and
`ClientConfig.outcome_wait` turning the wait on for `OnboardingClient.onboard`. Off unless asked for."""

from __future__ import annotations

import argparse

import pytest

from fakes.core.clock import ManualClock
from fakes.harness import Harness
from harness.client import ClientConfig, OnboardingClient, OutcomeWait, RetryPolicy, SignupOutcome
from harness.client.cli import _config, add_onboard_parser

ENV = {"SIGNUP_GRAPH_BASE_URL": "http://127.0.0.1:1", "SIGNUP_TELNYX_BASE_URL": "http://127.0.0.1:2/v2"}


def test_off_by_default():
    assert ClientConfig.from_env(ENV).outcome_wait is None


@pytest.mark.parametrize(("raw", "budget"), [("600", 600.0), ("90.5", 90.5), ("0", None), ("off", None)])
def test_the_env_var_is_the_wait_budget(raw, budget):
    wait = ClientConfig.from_env({**ENV, "SIGNUP_OUTCOME_WAIT": raw}).outcome_wait
    assert (wait.budget if wait else None) == budget
    if wait:
        assert wait == OutcomeWait(budget=budget)  # the other knobs keep their defaults


@pytest.mark.parametrize("raw", ["soon", "-5", "inf"])
def test_a_bad_value_is_a_configuration_error(raw):
    with pytest.raises(ValueError, match="SIGNUP_OUTCOME_WAIT"):
        ClientConfig.from_env({**ENV, "SIGNUP_OUTCOME_WAIT": raw})


def _parse(*argv: str) -> argparse.Namespace:
    root = argparse.ArgumentParser(prog="signup-harness")
    add_onboard_parser(root.add_subparsers(dest="command"))
    return root.parse_args(["onboard", *argv])


def test_the_cli_flag_wins_over_the_environment():
    env = {**ENV, "SIGNUP_OUTCOME_WAIT": "600"}
    assert _config(_parse(), env).outcome_wait == OutcomeWait(budget=600)
    assert _config(_parse("--outcome-wait", "45"), env).outcome_wait == OutcomeWait(budget=45)
    assert _config(_parse("--outcome-wait", "off"), env).outcome_wait is None


def test_a_config_with_outcome_wait_makes_onboard_wait_for_the_session():
    clock = ManualClock()
    harness = Harness(seed=3, clock=clock, check_responses=True)
    harness.seed_demo()
    signup = harness.complete_signup(app_id="100000000000001")
    config = ClientConfig(
        graph_base_url=harness.graph_url,
        telnyx_base_url=harness.telnyx_url,
        app_id="100000000000001",
        app_secret="local-app-secret-not-real",
        telnyx_api_key="KEYLOCALTEST0001_notarealtelnyxkey",
        retry=RetryPolicy(sleep=clock.advance, monotonic=clock.now),
        outcome_wait=OutcomeWait(budget=30),
    )
    result = OnboardingClient(config, session=harness.session()).onboard(
        SignupOutcome.from_browser(code=signup["code"], event=signup["event"])
    )
    assert result.session is not None
    assert (result.session["status"], result.session["learned_via"]) == ("SUCCESS", "polling")
