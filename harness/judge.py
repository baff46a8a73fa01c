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
    # Requests to routes no spec operation matches (journal entries with operation None, e.g. `/v2/v2/...`).
    unknown_requests: list[dict[str, Any]] = field(default_factory=list)
    # The signup's Telnyx session as the world holds it ({status, state, errors}), None when none started.
    session: dict[str, Any] | None = None
    # What the reference webhook receiver saw (partner_endpoint.PartnerEndpoint.summary), None without one.
    webhooks: dict[str, Any] | None = None
    learned_via: str | None = None  # how the reference client learned the session's outcome


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


# What a partner learns only after the 200 (from whatsapp.waba_added, or by polling the session): a backend
# command whose job ends at the registration reports success there, and that is right. verify judges that half
# at the partner's webhook endpoint (--webhook-url), not in the command's verdict.
ASYNCHRONOUS_ERRORS = frozenset({"SignupSessionFailed", "SignupSessionTimedOut"})
# How the reference client learns the outcome when no webhook came; a partner may learn it from its webhook instead.
POLLING_CALLS = frozenset({"telnyx.getSignupStatus", "telnyx.listSignups"})


def judge(scenario: Scenario, seen: Observation, strict_client: bool = True, partner: bool = False) -> list[str]:
    """Reasons the scenario failed; empty when it passed. `strict_client`: the driven side's own requests
    must satisfy the vendor specs (always true for the reference client; `verify` reports them too).

    `partner=True` judges a partner's own backend (`signup-harness verify`): the outcome is only success or
    failure (`expect.error`, vendor codes and `resolved_via` describe the reference client and are not judged),
    the expected calls must appear as an ordered subsequence with each retry count read as a minimum (status
    polling left out: a partner may learn the session's end from its webhook), a failure learned after the 200
    (`ASYNCHRONOUS_ERRORS`) is not asked of the command, and violations a scenario expects of the reference
    client are allowed rather than required."""
    expect = scenario.expect
    reasons: list[str] = []
    reasons += _partner_outcome_reasons(expect, seen) if partner else _outcome_reasons(expect, seen)
    if "calls" in expect:
        wanted = parse_calls(expect["calls"])
        if partner:
            wanted = [(call, n) for call, n in wanted if call not in POLLING_CALLS]
            reasons += _subsequence_reasons(wanted, seen.calls)
        else:
            got = collapse(seen.calls)
            if wanted != got:
                reasons.append(f"calls: expected {_fmt(wanted)}; observed {_fmt(got)}{_first_difference(wanted, got)}")
    for forbidden in expect.get("forbidden", []):
        if forbidden in seen.calls:
            reasons.append(f"calls: {forbidden} must not be called, but was ({seen.calls.count(forbidden)}x)")
    reasons += _world_reasons(expect, seen)
    if not partner:
        reasons += _session_reasons(expect.get("session"), seen)
        reasons += _webhook_reasons(expect.get("webhooks"), seen.webhooks)
    expected_violations = set(expect.get("violations", []))
    committed = {f"{v['operation']}: {v['rule']}" for v in seen.request_violations}
    if not partner:
        for missing in sorted(expected_violations - committed):
            reasons.append(f"contract: expected the violation {missing}, but the requests obeyed the spec")
    if strict_client:
        for v in seen.request_violations:
            if f"{v['operation']}: {v['rule']}" in expected_violations:
                continue
            if partner:
                reasons.append(f"contract: {violation_label(v)} ({v['message']})")
                continue
            reasons.append(
                f"contract: {v['operation']} request broke the spec at {v['location']} {v['pointer']}: "
                f"{v['rule']} ({v['message']})"
            )
    for u in seen.unknown_requests:
        reasons.append(f"contract: {unknown_request_label(u)}")
    for v in seen.response_violations:
        reasons.append(f"fake drifted from its spec: {v['operation']} response {v['pointer']}: {v['message']}")
    return reasons


def violation_label(v: dict[str, Any]) -> str:
    """`telnyx.registerTechProvider body /app_id: required`, as Prism's validation proxy names a violation."""
    return f"{v['operation']} {v['location']} {v['pointer']}: {v['rule']}"


def unknown_request_label(u: dict[str, Any]) -> str:
    """`telnyx POST /v2/v2/whatsapp/...: unknown route (HTTP 404)`: no spec operation matches the request."""
    return f"{u['vendor']} {u['method']} {u['path']}: unknown route (HTTP {u['status']}), no operation in the spec"


def _partner_outcome_reasons(expect: dict[str, Any], seen: Observation) -> list[str]:
    """A partner's verdict is success or failure; `seen.error` holds what it reported about a failure."""
    if expect["outcome"] == "success":
        if seen.error is not None:
            return [f"outcome: expected success; the partner reported a failure ({_describe_partner(seen.error)})"]
        reported = (seen.result or {}).get("waba_id")
        if reported and seen.signup_waba_id and str(reported) != seen.signup_waba_id:
            return [f"result: the partner reported WABA {reported}; the signup created {seen.signup_waba_id}"]
        return []
    if seen.error is None and expect.get("error") not in ASYNCHRONOUS_ERRORS:
        return [
            f"outcome: expected a failure (the reference client raises {expect['error']}); the partner reported success"
        ]
    return []


def _describe_partner(error: dict[str, Any]) -> str:
    parts = []
    if error.get("exit_status") is not None:
        parts.append(f"exit status {error['exit_status']}")
    if error.get("error"):
        parts.append(f"error {error['error']!r}")
    return ", ".join(parts) or str(error.get("message", "failure"))


def _subsequence_reasons(wanted: list[tuple[str, int]], calls: list[str]) -> list[str]:
    """Partner mode: each expected step, in order, at least as many times as expected; other calls may mix in.
    An empty expectation still means no call at all."""
    observed = _fmt(collapse(calls))
    if not wanted:
        return [] if not calls else [f"calls: expected no vendor call; observed {observed}"]
    position = 0
    for index, (op, times) in enumerate(wanted, start=1):
        found = 0
        while position < len(calls) and found < times:
            if calls[position] == op:
                found += 1
            position += 1
        if found < times:
            at_least = ", ".join(o if n == 1 else f"{o} at least x{n}" for o, n in wanted)
            need = op if times == 1 else f"{op} at least x{times}"
            got = "none" if not found else f"{found}"
            return [
                f"calls: expected, in order, {at_least}; observed {observed} "
                f"(step {index}: expected {need}, found {got} after the earlier steps)"
            ]
    return []


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


def _session_reasons(wanted: dict[str, Any] | None, seen: Observation) -> list[str]:
    """`expect.session`: the world's session (status, state, errors_contain) and the client's `learned_via`."""
    if not wanted:
        return []
    got = seen.session
    if got is None:
        return ["session: expected a Telnyx signup session for the signup's WABA; none was started"]
    reasons = []
    for key in ("status", "state"):
        if key in wanted and got.get(key) != wanted[key]:
            reasons.append(f"session: expected {key} {wanted[key]}; got {got.get(key)}")
    text = " | ".join(got.get("errors") or [])
    for fragment in wanted.get("errors_contain", []):
        if fragment not in text:
            reasons.append(f"session: expected an error containing {fragment!r}; errors were {text or '(none)'!r}")
    if "learned_via" in wanted and seen.learned_via != wanted["learned_via"]:
        reasons.append(
            f"session: expected the client to learn the outcome via {wanted['learned_via']}; "
            f"it learned it via {seen.learned_via or 'nothing'}"
        )
    return reasons


def _webhook_reasons(wanted: dict[str, Any] | None, got: dict[str, Any] | None) -> list[str]:
    """`expect.webhooks`, against the reference receiver: each `accepted` event (`type` or `type/status`) was
    processed; `refused` is exactly the refusals' kinds (any order); `duplicates` their count; `failover` the
    events the failover URL delivered; `meta_subscription` how subscribing the app went."""
    if not wanted:
        return []
    if got is None:
        return ["webhooks: expected the reference webhook receiver, but the scenario ran without one"]
    reasons = []
    accepted = got["accepted"]
    for item in wanted.get("accepted", []):
        if not any(a == item or a.split("/", 1)[0] == item for a in accepted):
            reasons.append(f"webhooks: expected {item} accepted; the receiver processed {_list(accepted)}")
    if "refused" in wanted and sorted(wanted["refused"]) != sorted(got["refused"]):
        reasons.append(
            f"webhooks: expected refusals {_list(sorted(wanted['refused']))}; got {_list(sorted(got['refused']))}"
        )
    if "duplicates" in wanted and wanted["duplicates"] != got["duplicates"]:
        reasons.append(f"webhooks: expected {wanted['duplicates']} duplicate(s) recognised; got {got['duplicates']}")
    if "failover" in wanted and sorted(wanted["failover"]) != sorted(got["failover"]):
        reasons.append(
            f"webhooks: expected {_list(wanted['failover'])} by the failover URL; got {_list(got['failover'])}"
        )
    if "meta_subscription" in wanted and wanted["meta_subscription"] != got["meta_subscription"]:
        reasons.append(
            f"webhooks: expected the Meta subscription {wanted['meta_subscription']}; it is {got['meta_subscription']}"
        )
    return reasons


def _list(items: list[str]) -> str:
    return ", ".join(items) or "(none)"


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
