"""The live view's reading of a failed exchange is the reference client's: same error, code and troubleshooting.

Every catalogue scenario is played; wherever the client failed on a vendor's answer, the timeline's explanation
of the last failed exchange must name exactly what the client raised. A second table would drift; this fails.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.arming import catalogue_summary
from harness.explain import explain_entry
from harness.runner import Runner
from harness.scenarios import load_catalogue


@pytest.fixture(scope="module")
def played() -> Any:
    with Runner(seed=13, transport="inprocess") as runner:
        yield runner, runner.run_all(load_catalogue())


def test_the_timeline_explains_each_failure_as_the_client_does(played: Any) -> None:
    runner, results = played
    compared = 0
    for result in results:
        error = result.observation.error
        if not error or error.get("http_status") is None:
            continue  # no vendor answer to read: cancels, timeouts, errors the browser reported
        explained = [e["explanation"] for e in runner.harness.timeline(result.tenant) if e["explanation"]]
        assert explained, result.scenario.id
        last = explained[-1]
        fields = ("vendor_code", "vendor_subcode", "pointer", "troubleshooting", "guidance")
        assert (last["error"], *(last[f] for f in fields)) == (
            result.observation.error_type,
            *(error[f] for f in fields),
        ), result.scenario.id
        compared += 1
    assert compared >= 15


def test_revoked_key_reads_as_the_guides_401_section(played: Any) -> None:
    runner, results = played
    result = next(r for r in results if r.scenario.id == "telnyx-revoked-key")
    failed = [e for e in runner.harness.timeline(result.tenant) if e["explanation"]]
    assert [(e["operation"], e["status"]) for e in failed] == [("registerTechProvider", 401)]
    explanation = failed[0]["explanation"]
    assert explanation["vendor_code"] == "10009"
    assert explanation["troubleshooting"] == "The Telnyx API returns a 401 Unauthorized error"


def test_successes_and_unknown_vendors_have_no_reading() -> None:
    ok = {"vendor": "telnyx", "operation": "registerTechProvider", "status": 200, "response_body": {"data": {}}}
    assert explain_entry(ok) is None
    assert explain_entry({**ok, "vendor": "sdk", "status": 500}) is None


def test_a_2xx_that_is_not_json_reads_as_a_malformed_response() -> None:
    entry = {"vendor": "graph", "operation": "exchangeCode", "status": 200, "response_body": '{"access_tok'}
    assert explain_entry(entry)["error"] == "MalformedVendorResponse"  # type: ignore[index]


def test_the_catalogue_summary_lists_every_scenario_with_its_title() -> None:
    summary = catalogue_summary()
    assert [s["id"] for s in summary] == [s.id for s in load_catalogue()]
    assert all(s["title"] for s in summary)
    assert next(s for s in summary if s["id"] == "telnyx-revoked-key")["tags"] == ["telnyx", "auth", "troubleshooting"]
