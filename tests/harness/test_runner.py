"""The main job: the whole catalogue, end to end, judged; and a wrong expectation says what differed."""

from __future__ import annotations

import dataclasses
import json

import pytest

from harness.runner import Runner
from harness.scenarios import find, load_catalogue


@pytest.fixture(scope="module", params=["inprocess", "socket"])
def results(request: pytest.FixtureRequest):
    with Runner(seed=7, transport=request.param) as runner:
        yield runner.run_all(load_catalogue())


def test_every_scenario_passes(results) -> None:
    failed = {r.scenario.id: r.reasons for r in results if not r.passed}
    assert not failed


def test_calls_are_recorded_per_scenario(results) -> None:
    by_id = {r.scenario.id: r for r in results}
    assert by_id["success"].observation.calls == ["graph.exchangeCode", "telnyx.registerTechProvider"]
    assert by_id["telnyx-429-then-success"].observation.calls.count("telnyx.registerTechProvider") == 2
    assert by_id["cancel-at-phone-number-verification"].observation.calls == []


def _with_expect(scenario_id: str, **expect: object):
    scenario = find(scenario_id)
    return dataclasses.replace(scenario, expect={**scenario.expect, **expect})


@pytest.mark.parametrize("transport", ["inprocess", "socket"])
def test_a_wrong_call_expectation_fails_and_names_the_step(transport: str) -> None:
    wrong = _with_expect("success", calls=["graph.exchangeCode", "graph.debugToken", "telnyx.registerTechProvider"])
    with Runner(transport=transport) as runner:
        result = runner.run(wrong)
    assert not result.passed
    assert any(
        "step 2 differs: expected graph.debugToken, observed telnyx.registerTechProvider" in r for r in result.reasons
    )


def test_a_wrong_error_expectation_names_both_errors() -> None:
    wrong = _with_expect("missing-waba", error="PhoneNumberNotInWaba")
    with Runner(transport="inprocess") as runner:
        result = runner.run(wrong)
    assert len(result.reasons) == 1
    assert result.reasons[0].startswith("error: expected PhoneNumberNotInWaba; got WabaNotFound")


def test_a_wrong_world_expectation_says_what_the_world_holds() -> None:
    wrong = _with_expect("telnyx-revoked-key", registered=True)
    with Runner(transport="inprocess") as runner:
        result = runner.run(wrong)
    assert "world: expected the WABA registered; it is not registered" in result.reasons


def test_expected_success_that_fails_reports_the_vendor_error() -> None:
    wrong = dataclasses.replace(find("telnyx-revoked-key"), expect={"outcome": "success"})
    with Runner(transport="inprocess") as runner:
        result = runner.run(wrong)
    assert result.reasons[0].startswith("outcome: expected success; got TelnyxAuthenticationFailed")
    assert "10009" in result.reasons[0]


def _stable(records: list[dict]) -> str:
    for record in records:
        record.pop("duration_ms")
    return json.dumps(records, sort_keys=True)


def test_the_same_seed_gives_the_same_report() -> None:
    scenarios = load_catalogue()
    runs = []
    for _ in range(2):
        with Runner(seed=42, transport="inprocess") as runner:
            runs.append(_stable([r.to_dict() for r in runner.run_all(scenarios)]))
    assert runs[0] == runs[1]
    with Runner(seed=43, transport="inprocess") as runner:
        other = _stable([r.to_dict() for r in runner.run_all(scenarios)])
    assert other != runs[0]


def test_reports_hold_no_secret(results) -> None:
    from harness.arming import APP_SECRET, TELNYX_KEY

    text = json.dumps([r.to_dict() for r in results])
    assert APP_SECRET not in text and TELNYX_KEY not in text
    for result in results:
        if result.signup.get("code"):
            assert result.signup["code"] not in text
