"""Compare what happened in a scenario with what it expected; every difference becomes a readable reason."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .scenarios import Scenario

_CALL = re.compile(r"^(?P<op>\S+?)(?: x(?P<times>\d+))?$")


@dataclass
class Observation:
    """What the driven side did and what the fakes recorded, for one scenario."""

    error: dict[str, Any] | None  # OnboardingError.to_dict() (or a partner failure), None on success
    error_type: str | None
    result: dict[str, Any] | None
    calls: list[str]  # "vendor.operationId" in the order the fakes saw them
    request_violations: list[dict[str, Any]] = field(default_factory=list)
    response_violations: list[dict[str, Any]] = field(default_factory=list)
    registrations: list[dict[str, Any]] = field(default_factory=list)
    signup_waba_id: str | None = None


def collapse(calls: list[str]) -> list[tuple[str, int]]:
    """[a, a, b] -> [(a, 2), (b, 1)]: retries read as one step called several times."""
    runs: list[tuple[str, int]] = []
    for call in calls:
        if runs and runs[-1][0] == call:
            runs[-1] = (call, runs[-1][1] + 1)
        else:
            runs.append((call, 1))
    return runs


def parse_calls(expected: list[str]) -> list[tuple[str, int]]:
    parsed = []
    for item in expected:
        match = _CALL.match(item.strip())
        if match is None:  # the schema forbids this; keep the judge total anyway
            parsed.append((item, 1))
        else:
            parsed.append((match["op"], int(match["times"] or 1)))
    return parsed


def _fmt(runs: list[tuple[str, int]]) -> str:
    return ", ".join(op if n == 1 else f"{op} x{n}" for op, n in runs) or "(no calls)"


def judge(scenario: Scenario, seen: Observation, strict_client: bool = True) -> list[str]:
    """Reasons the scenario failed; empty when it passed. `strict_client`: the driven side's own requests
    must satisfy the vendor specs (always true for the reference client; `verify` reports them too)."""
    expect = scenario.expect
    reasons: list[str] = []
    reasons += _outcome_reasons(expect, seen)
    if "calls" in expect:
        wanted, got = parse_calls(expect["calls"]), collapse(seen.calls)
        if wanted != got:
            reasons.append(f"calls: expected {_fmt(wanted)}; observed {_fmt(got)}{_first_difference(wanted, got)}")
    for forbidden in expect.get("forbidden", []):
        if forbidden in seen.calls:
            reasons.append(f"calls: {forbidden} must not be called, but was ({seen.calls.count(forbidden)}x)")
    reasons += _world_reasons(expect, seen)
    expected_violations = set(expect.get("violations", []))
    committed = {f"{v['operation']}: {v['rule']}" for v in seen.request_violations}
    for missing in sorted(expected_violations - committed):
        reasons.append(f"contract: expected the violation {missing}, but the requests obeyed the spec")
    if strict_client:
        for v in seen.request_violations:
            if f"{v['operation']}: {v['rule']}" in expected_violations:
                continue
            reasons.append(
                f"contract: {v['operation']} request broke the spec at {v['location']} {v['pointer']}: "
                f"{v['rule']} ({v['message']})"
            )
    for v in seen.response_violations:
        reasons.append(f"fake drifted from its spec: {v['operation']} response {v['pointer']}: {v['message']}")
    return reasons


def _outcome_reasons(expect: dict[str, Any], seen: Observation) -> list[str]:
    if expect["outcome"] == "success":
        if seen.error is not None:
            return [f"outcome: expected success; got {seen.error_type}: {_describe(seen.error)}"]
        return (
            [f"resolved_via: expected {expect['resolved_via']}; got {seen.result.get('resolved_via')}"]
            if ("resolved_via" in expect and seen.result and seen.result.get("resolved_via") != expect["resolved_via"])
            else []
        )
    if seen.error is None:
        return [f"outcome: expected {expect['error']}; the onboarding succeeded"]
    reasons = []
    if seen.error_type != expect["error"]:
        reasons.append(f"error: expected {expect['error']}; got {seen.error_type}: {_describe(seen.error)}")
    for key, field_name in (("vendor_code", "vendor_code"), ("vendor_subcode", "vendor_subcode")):
        if key in expect and str(seen.error.get(field_name)) != str(expect[key]):
            reasons.append(f"{key}: expected {expect[key]}; got {seen.error.get(field_name)}")
    if "http_status" in expect and seen.error.get("http_status") != expect["http_status"]:
        reasons.append(f"http_status: expected {expect['http_status']}; got {seen.error.get('http_status')}")
    return reasons


def _world_reasons(expect: dict[str, Any], seen: Observation) -> list[str]:
    reasons = []
    mine = [r for r in seen.registrations if r["waba_id"] == seen.signup_waba_id]
    if "registered" in expect and bool(mine) != expect["registered"]:
        state = "registered" if mine else "not registered"
        reasons.append(f"world: expected the WABA {'' if expect['registered'] else 'not '}registered; it is {state}")
    if "registrations" in expect and len(seen.registrations) != expect["registrations"]:
        reasons.append(f"world: expected {expect['registrations']} registration(s); found {len(seen.registrations)}")
    if "customer_id" in expect and mine and mine[0]["customer_id"] != expect["customer_id"]:
        reasons.append(f"world: expected customer_id {expect['customer_id']!r}; got {mine[0]['customer_id']!r}")
    return reasons


def _first_difference(wanted: list[tuple[str, int]], got: list[tuple[str, int]]) -> str:
    for index, (w, g) in enumerate(zip(wanted, got, strict=False), start=1):
        if w != g:
            return f" (step {index} differs: expected {_fmt([w])}, observed {_fmt([g])})"
    if len(wanted) != len(got):
        index = min(len(wanted), len(got)) + 1
        extra = got[index - 1 :] if len(got) > len(wanted) else wanted[index - 1 :]
        kind = "unexpected" if len(got) > len(wanted) else "missing"
        return f" (from step {index}, {kind}: {_fmt(extra)})"
    return ""


def _describe(error: dict[str, Any]) -> str:
    parts = [str(error.get("message", ""))]
    if error.get("vendor_code"):
        code = error["vendor_code"] + (f"/{error['vendor_subcode']}" if error.get("vendor_subcode") else "")
        parts.append(f"[{error.get('vendor')} {error.get('http_status')} {code}]")
    return " ".join(p for p in parts if p)
