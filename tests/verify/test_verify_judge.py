"""The judge's partner mode: outcome only, ordered subsequence of calls, retry counts as minimums."""

from __future__ import annotations

from typing import Any

from harness.judge import Observation, judge
from harness.scenarios import Scenario


def scenario(**expect: Any) -> Scenario:
    return Scenario.from_dict({"id": "s", "title": "t", "description": "d", "expect": expect})


def seen(calls: list[str], error: dict[str, Any] | None = None, **extra: Any) -> Observation:
    return Observation(error=error, error_type=None, result=None if error else {}, calls=calls, **extra)


FAILED = {"exit_status": 1, "error": "rate_limited"}


def test_extra_calls_are_allowed_but_order_and_minimum_counts_hold() -> None:
    s = scenario(outcome="success", calls=["graph.exchangeCode", "telnyx.registerTechProvider x2"])
    ok = ["graph.exchangeCode", "graph.debugToken", "telnyx.registerTechProvider"] + ["telnyx.registerTechProvider"] * 2
    assert judge(s, seen(ok), partner=True) == []
    too_few = judge(s, seen(["graph.exchangeCode", "telnyx.registerTechProvider"]), partner=True)
    assert len(too_few) == 1 and "step 2: expected telnyx.registerTechProvider at least x2, found 1" in too_few[0]
    wrong_order = judge(
        s, seen(["telnyx.registerTechProvider", "telnyx.registerTechProvider", "graph.exchangeCode"]), partner=True
    )
    assert wrong_order and wrong_order[0].startswith("calls: expected, in order,")
    # The reference client's judge stays exact.
    assert judge(s, seen(ok)) != []


def test_an_empty_call_list_still_means_no_call() -> None:
    s = scenario(outcome="error", error="SignupCancelled", calls=[])
    assert judge(s, seen([], FAILED), partner=True) == []
    assert judge(s, seen(["graph.exchangeCode"], FAILED), partner=True) == [
        "calls: expected no vendor call; observed graph.exchangeCode"
    ]


def test_only_success_or_failure_is_judged() -> None:
    s = scenario(outcome="error", error="RateLimited", vendor_code="10011", http_status=429)
    assert judge(s, seen([], FAILED), partner=True) == []
    assert judge(s, seen([]), partner=True) == [
        "outcome: expected a failure (the reference client raises RateLimited); the partner reported success"
    ]
    happy = scenario(outcome="success", resolved_via="event")
    assert judge(happy, seen([], FAILED), partner=True) == [
        "outcome: expected success; the partner reported a failure (exit status 1, error 'rate_limited')"
    ]


def test_forbidden_calls_world_and_violations_are_judged() -> None:
    s = scenario(
        outcome="error",
        error="X",
        forbidden=["telnyx.registerTechProvider"],
        registrations=0,
        violations=["telnyx.registerTechProvider: security"],
    )
    violation = {
        "operation": "telnyx.registerTechProvider",
        "location": "body",
        "pointer": "/app_id",
        "rule": "required",
        "message": "'app_id' is a required property",
    }
    allowed = {**violation, "location": "security", "pointer": "authorization", "rule": "security"}
    unknown = {"vendor": "telnyx", "method": "POST", "path": "/v2/v2/x", "status": 404}
    observed = seen(
        ["telnyx.registerTechProvider"],
        FAILED,
        request_violations=[violation, allowed],
        registrations=[{"waba_id": "1", "phone_number_id": "2", "customer_id": None}],
        unknown_requests=[unknown],
    )
    assert judge(s, observed, partner=True) == [
        "calls: telnyx.registerTechProvider must not be called, but was (1x)",
        "world: expected 0 registration(s); found 1",
        "contract: telnyx.registerTechProvider body /app_id: required ('app_id' is a required property)",
        "contract: telnyx POST /v2/v2/x: unknown route (HTTP 404), no operation in the spec",
    ]
