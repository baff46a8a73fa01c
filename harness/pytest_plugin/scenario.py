"""Catalogue scenarios in tests: `arm_scenario` arms one on a test's tenant as the runner does (world, faults,
signup plan, the popup played, pre-registration, a clear journal), and `ArmedScenario` is what the
`signup_scenario` fixture hands the test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from .markers import SCENARIO_MARKER

if TYPE_CHECKING:
    from harness.arming import Credentials
    from harness.client import ClientConfig, OnboardingResult, SignupOutcome
    from harness.scenarios import Scenario

    from .handle import SignupFakes


@dataclass
class ArmedScenario:
    """A catalogue scenario armed on the test's tenant, with its signup popup already played."""

    scenario: Scenario
    credentials: Credentials
    signup: dict[str, Any]  # code, event, login_response, business_id, waba_id, phone_number_id
    fakes: SignupFakes

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def code(self) -> str | None:
        return self.signup.get("code")

    @property
    def event(self) -> dict[str, Any] | None:
        return self.signup.get("event")

    @property
    def customer_id(self) -> str | None:
        return self.scenario.client.get("customer_id")

    @property
    def expect(self) -> dict[str, Any]:
        return self.scenario.expect

    @property
    def outcome(self) -> SignupOutcome:
        """What the browser hands the backend, ready for `OnboardingClient.onboard`."""
        from harness.client import SignupOutcome

        return SignupOutcome.from_browser(code=self.code, event=self.event)

    def client_config(self, **overrides: Any) -> ClientConfig:
        """The scenario's backend configuration (its credentials, retry, redirect_uri...) on the in-process URLs;
        `signup_server.client_config()` gives the same over sockets."""
        return self.fakes.client_config(**overrides)

    def onboard(self, **overrides: Any) -> OnboardingResult:
        """Run the reference client on the played signup (raises its `OnboardingError` when the scenario fails)."""
        with self.fakes.onboarding_client(**overrides) as client:
            return client.onboard(self.outcome, customer_id=self.customer_id)


def arm_scenario(fakes: SignupFakes, scenario_id: str) -> ArmedScenario:
    """What the runner does before driving a backend: arm, play the popup, pre-register, clear the journal."""
    from fakes.core.errors import HarnessError
    from harness.arming import arm, preregister
    from harness.scenarios import find

    try:
        scenario = find(scenario_id)
    except HarnessError as exc:  # one line naming the mistake, not a traceback through the plugin
        pytest.fail(f"@pytest.mark.{SCENARIO_MARKER}({scenario_id!r}): {exc}", pytrace=False)
    harness, tenant = fakes.harness, fakes.tenant
    credentials = arm(harness, scenario, tenant)
    plan = dict(harness.world.tenant(tenant).signup_plan or {})
    signup = harness.complete_signup(tenant, **plan)
    preregister(harness, scenario, signup, tenant)
    harness.clear_journal(tenant)
    return ArmedScenario(scenario, credentials, signup, fakes)
