"""The plugin's two markers: their names, the kinds of problem the allow marker takes, and their registration
(`pytest_configure`), so that `--strict-markers` accepts them and `pytest --markers` lists them."""

from __future__ import annotations

import pytest

SCENARIO_MARKER = "signup_scenario"
ALLOW_MARKER = "signup_allow_violations"
# What the fakes collect that fails a test at teardown: calls to routes no spec operation matches, requests
# that break the spec, responses that break it (a fake drifting from its contract).
PROBLEM_KINDS = ("unmatched", "request", "response")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{SCENARIO_MARKER}(scenario_id): arm this catalogue scenario (scenarios/<id>.yaml) on the test's tenant "
        "of the signup harness and play its signup popup; the `signup_scenario` fixture gives the result.",
    )
    config.addinivalue_line(
        "markers",
        f"{ALLOW_MARKER}(*kinds): do not fail the test at teardown for what the signup harness fakes collected: "
        f"kinds among {', '.join(PROBLEM_KINDS)} (none given: all of them).",
    )
