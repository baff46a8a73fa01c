"""The Node partner example (examples/partner-node/onboard.mjs) verified over the whole catalogue.

It handles every scenario but one on purpose: it will not wait longer than 1 s for Telnyx's Retry-After, so
`telnyx-429-then-success` (Retry-After: 2) fails, and the report says why.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.scenarios import load_catalogue

MISHANDLED = "telnyx-429-then-success"


@pytest.fixture(scope="module")
def node_run(node: str, node_example: Path, verify_module: Callable[..., Any]) -> Any:
    return verify_module(f"{shlex.quote(node)} {shlex.quote(str(node_example))}", "--timeout", "20")


def test_every_scenario_passes_but_the_deliberately_mishandled_one(node_run: Any) -> None:
    catalogue = [s.id for s in load_catalogue() if not s.hosted]  # hosted signups are not a partner backend's
    assert [r["id"] for r in node_run.document["scenarios"]] == catalogue
    failed = {r["id"]: r["reasons"] for r in node_run.document["scenarios"] if r["verdict"] != "pass"}
    assert list(failed) == [MISHANDLED], failed
    assert node_run.status == 1
    assert node_run.document["summary"] == {"passed": len(catalogue) - 1, "failed": 1}


def test_the_mishandled_scenario_names_what_went_wrong(node_run: Any) -> None:
    record = node_run.by_id[MISHANDLED]
    reasons = "\n".join(record["reasons"])
    # The partner's own verdict and label: it gave up on the 429 because of the Retry-After it would not honour.
    assert "outcome: expected success; the partner reported a failure" in reasons
    assert "rate_limited" in reasons and "Retry-After" in reasons
    # What the fakes saw: one registration attempt where the scenario needs a retry, and nothing registered.
    assert "telnyx.registerTechProvider at least x2" in reasons
    assert "world: expected the WABA registered; it is not registered" in reasons
    assert record["calls"] == ["graph.exchangeCode", "telnyx.registerTechProvider"]
    assert record["exchanges"][-1]["status"] == 429
    assert record["partner"]["exit_status"] == 1
    assert record["partner"]["result"]["outcome"] == "error"


def test_retry_counts_are_minimums_and_error_classes_are_not_judged(node_run: Any) -> None:
    exhausted = node_run.by_id["telnyx-429-exhausted"]
    assert exhausted["verdict"] == "pass"
    assert exhausted["calls"].count("telnyx.registerTechProvider") >= 3
    # The reference client's error class is context only.
    assert exhausted["expected"]["reference_error"] == "RateLimited"
    # An empty TELNYX_API_KEY: the missing credential is the scenario's premise, so it is not held against it.
    without_key = node_run.by_id["telnyx-without-key"]
    assert without_key["verdict"] == "pass"
    assert [v["allowed"] for v in without_key["violations"]] == [True]


def test_reports_are_complete_and_hold_no_secret(node_run: Any, credential_secrets: tuple[str, ...]) -> None:
    root = node_run.junit()
    cases = root.findall(".//testcase")
    assert len(cases) == len(node_run.document["scenarios"])
    assert [c.get("name") for c in cases if c.find("failure") is not None] == [MISHANDLED]
    for name, text in node_run.report_texts().items():
        for secret in credential_secrets:
            assert secret not in text, f"a secret leaked into {name}"


def test_html_report_is_self_contained_and_links_the_guide(
    node_run: Any, self_contained: Callable[[str], None]
) -> None:
    html = node_run.html
    self_contained(html)
    total = len(node_run.document["scenarios"])
    assert f"{total - 1} passed" in html and "1 failed" in html
    # Scenarios that reproduce a troubleshooting accordion link to the guide's section, titled.
    assert "https://developers.telnyx.com/docs/messaging/whatsapp/embedded-signup/tech-provider#troubleshooting" in html
    assert "The Telnyx API returns a 401 Unauthorized error" in html
    assert "rate_limited" in html
