"""assert_called / assert_not_called / assert_call_order: passing, and failing with the calls that were made."""

from __future__ import annotations

from harness.client.config import DEFAULT_GRAPH_VERSION as V

ONBOARD = """
import pytest
from harness.client import SignupOutcome

@pytest.fixture
def onboarded(signup_harness):
    signup = signup_harness.complete_signup(session_info_version=None)  # no event: ids come from Graph
    with signup_harness.onboarding_client() as client:
        client.onboard(SignupOutcome.from_browser(code=signup["code"], event=signup["event"]))
    return signup_harness
"""


def test_the_helpers_pass_on_what_was_called(run_inner):
    result = run_inner(
        ONBOARD
        + """
def test_pass(onboarded):
    onboarded.assert_called("graph.exchangeCode", times=1)
    onboarded.assert_called("telnyx.registerTechProvider")
    onboarded.assert_not_called("telnyx.listWabas")
    onboarded.assert_call_order(["graph.exchangeCode", "telnyx.registerTechProvider"])
    onboarded.assert_call_order([
        "graph.exchangeCode", "graph.debugToken", "graph.listWabaPhoneNumbers", "telnyx.registerTechProvider",
    ], strict=True)
"""
    )
    result.assert_outcomes(passed=1)


def test_assert_called_lists_the_calls_that_were_made(run_inner):
    result = run_inner(
        ONBOARD
        + """
def test_fail(onboarded):
    onboarded.assert_called("telnyx.registerTechProvider", times=2)
"""
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expected telnyx.registerTechProvider to be called 2 times, but it was called 1 time.",
            "*Calls the fakes saw (tenant '*'):",
            f"*1. graph.exchangeCode*GET /{V}/oauth/access_token -> 200",
            f"*2. graph.debugToken*GET /{V}/debug_token -> 200",
            f"*3. graph.listWabaPhoneNumbers*GET /{V}/*/phone_numbers -> 200",
            "*4. telnyx.registerTechProvider*POST /v2/whatsapp/business_accounts/tech_provider -> 200",
        ]
    )


def test_assert_called_with_nothing_called(run_inner):
    result = run_inner(
        """
def test_fail(signup_harness):
    signup_harness.assert_called("telnyx.registerTechProvider")
"""
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expected telnyx.registerTechProvider to be called at least once, but it was called 0 times.",
            "*(no calls reached the fakes)",
        ]
    )


def test_assert_not_called_lists_the_calls(run_inner):
    result = run_inner(
        ONBOARD
        + """
def test_fail(onboarded):
    onboarded.assert_not_called("graph.debugToken")
"""
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*expected graph.debugToken not to be called, but it was called 1 time.", "*2. graph.debugToken*"]
    )


def test_assert_call_order_shows_the_actual_order(run_inner):
    result = run_inner(
        ONBOARD
        + """
def test_fail(onboarded):
    onboarded.assert_call_order(["telnyx.registerTechProvider", "graph.exchangeCode"])
"""
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expected the calls in this order: telnyx.registerTechProvider, graph.exchangeCode.",
            "*1. graph.exchangeCode*",
            "*4. telnyx.registerTechProvider*",
        ]
    )


def test_a_misspelt_operation_is_not_read_as_not_called(run_inner):
    result = run_inner(
        """
def test_typo(signup_harness):
    signup_harness.assert_not_called("telnyx.registerTechprovider")
"""
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*unknown operation 'telnyx.registerTechprovider'*Did you mean telnyx.registerTechProvider?"]
    )
