"""A report that reads as a diagnosis: the most specific reason first, repeats folded, and a roll-up of causes
at the top of every format, so that a partner with one bug reads that bug first."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from harness.diagnosis import diagnose, reason_key, roll_up, vendor_advice

APP_ID = "contract: telnyx.registerTechProvider body /app_id: required"
VIOLATION = f'{APP_ID} ("app_id" is a required property)'
OUTCOME = "outcome: expected success; the partner reported a failure (exit status 1)"
WORLD = "world: expected the WABA registered; it is not registered"
STEP = (
    "calls: expected, in order, graph.exchangeCode, telnyx.registerTechProvider at least x2; observed "
    "graph.exchangeCode, telnyx.registerTechProvider (step 2: expected telnyx.registerTechProvider at least x2, "
    "found 1 after the earlier steps)"
)

# The partner of the issue: it never sends app_id, and retries 429 and 5xx (so the violation repeats).
NO_APP_ID = """
if not ENV["SIGNUP_CODE"] or not EVENT or EVENT.get("event") != "FINISH":
    sys.exit(1)
status, body = exchange()
if status != 200:
    sys.exit(1)
data = EVENT["data"]
for attempt in range(3):
    status, body = register({"waba_id": data["waba_id"], "phone_number_id": data["phone_number_id"]})
    if status != 429 and status < 500:
        break
sys.exit(0 if status == 200 else 1)
"""
SCENARIOS = ["success", "telnyx-503-then-success", "success-with-customer-id", "cancel-at-phone-number-setup"]


def test_the_most_specific_reason_comes_first_and_repeats_fold() -> None:
    assert diagnose([OUTCOME, WORLD, VIOLATION, VIOLATION, STEP, VIOLATION]) == [
        f"{VIOLATION} (x3)",
        STEP,
        WORLD,
        OUTCOME,
    ]
    start = "command: could not start (the shell exited 127: command not found)"
    assert diagnose([OUTCOME, start])[0] == start
    network = "network: the partner tried to reach api.example.com:443, which the interception proxy refused"
    assert diagnose([VIOLATION, network]) == [network, VIOLATION]


def test_reason_keys_are_the_same_across_scenarios() -> None:
    assert reason_key(f"{VIOLATION} (x3)") == APP_ID
    assert reason_key(STEP) == "calls: expected telnyx.registerTechProvider at least x2; found 1"
    assert reason_key(OUTCOME) == "outcome: expected success; the partner reported a failure"
    assert reason_key("calls: graph.debugToken must not be called, but was (2x)") == (
        "calls: graph.debugToken must not be called"
    )


def test_the_roll_up_counts_causes_and_orders_them_by_how_many_they_broke() -> None:
    records = [
        {"id": "a", "verdict": "fail", "reasons": [f"{VIOLATION} (x2)", WORLD, OUTCOME], "troubleshooting": "T401"},
        {"id": "b", "verdict": "fail", "reasons": [VIOLATION, OUTCOME]},
        {"id": "c", "verdict": "fail", "reasons": [STEP, VIOLATION]},
        {"id": "d", "verdict": "fail", "reasons": [OUTCOME], "troubleshooting": "No WABA"},
        {"id": "e", "verdict": "pass", "reasons": []},
    ]
    entries = roll_up(records)
    assert [(e["reason"], e["count"], e["scenarios"]) for e in entries] == [
        (APP_ID, 3, ["a", "b", "c"]),
        ("calls: expected telnyx.registerTechProvider at least x2; found 1", 1, ["c"]),
        # A generic outcome counts only where nothing more specific was seen.
        ("outcome: expected success; the partner reported a failure", 1, ["d"]),
    ]
    # A violation is not given a scenario's section (scenario a is about 401s, not about app_id).
    assert entries[0]["troubleshooting"] is None
    assert entries[2]["troubleshooting"] == "No WABA"


def test_the_guides_section_comes_from_the_clients_error_table() -> None:
    advice = vendor_advice("telnyx", "registerTechProvider", 401, {"errors": [{"code": "10009"}]})
    assert advice["error"] == "TelnyxAuthenticationFailed"
    assert advice["troubleshooting"] == "The Telnyx API returns a 401 Unauthorized error"
    graph = vendor_advice("graph", "exchangeCode", 400, {"error": {"code": 100, "error_subcode": 36008}})
    assert graph["error"] == "RedirectUriMismatch"


@pytest.fixture
def one_bug(verify: Callable[..., Any], python_partner: Callable[[str], str]) -> Any:
    return verify(python_partner(NO_APP_ID), *[a for s in SCENARIOS for a in ("--id", s)])


def test_a_single_bug_is_the_first_line_of_every_report(capsys: pytest.CaptureFixture[str], one_bug: Any) -> None:
    run = one_bug
    assert run.status == 1
    # JSON: the roll-up first, each failed scenario's first reason the violation, folded where it repeated.
    causes = run.document["causes"]
    assert causes[0]["reason"] == APP_ID and causes[0]["count"] == 3
    assert sorted(causes[0]["scenarios"]) == sorted(["success", "telnyx-503-then-success", "success-with-customer-id"])
    assert all(c["count"] < 3 for c in causes[1:])
    assert run.by_id["telnyx-503-then-success"]["reasons"][0] == f"{VIOLATION} (x2)"
    for scenario in ("success", "success-with-customer-id"):
        assert run.by_id[scenario]["reasons"][0] == VIOLATION
        assert run.by_id[scenario]["reasons"][-1].startswith("outcome:")
    # Console: the roll-up is printed before the table, its first line the violation.
    out = capsys.readouterr().out
    rollup = out[out.index("What broke") :]
    assert rollup.splitlines()[1] == f" 1. {APP_ID}"
    assert "broke 3 scenarios: " in rollup.splitlines()[2]
    assert out.index("What broke") < out.index("scenario  ")
    # JUnit: the causes lead the suite as properties; each failure's message is its most specific reason.
    suite = run.junit().find("testsuite")
    assert suite is not None
    first = suite.find("properties/property")
    assert first is not None and first.get("name") == "cause.1" and first.get("value", "").startswith(APP_ID)
    failure = suite.find("testcase[@name='success']/failure")
    assert failure is not None and failure.get("message") == VIOLATION
    assert APP_ID in (suite.findtext("system-out") or "")
    # HTML: the causes section precedes the overview, whose reason column shows the violation.
    html = run.html
    assert html.index('class="causes"') < html.index('class="overview"')
    first_cause = re.search(r'<li><span class="reason">([^<]*)</span>', html)
    assert first_cause is not None and first_cause.group(1) == APP_ID
    assert "most specific reason" in html
    row = re.search(r'<a href="#s-success">success</a></td><td>[^<]*</td><td>([^<]*)</td>', html)
    assert row is not None and row.group(1) == VIOLATION.replace('"', "&quot;")
