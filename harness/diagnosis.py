"""Reasons read as a diagnosis: the most specific first, repeats folded, and a roll-up across scenarios.

A reason is one line `kind: text` (see `harness/judge.py`). `KINDS` is the one table of reason kinds, read top to
bottom: the first whose prefix starts the reason gives its rank (lower is more specific, shown first), whether it
names a cause by itself (`cause`: it counts in the roll-up even when it is not a scenario's first reason), and how
to reduce it to a key shared across scenarios (the same `/app_id` violation, whatever scenario it broke). A new
kind of reason (webhooks, say) is one more row.

    ordered = diagnose(reasons)               # per scenario: sorted by rank, identical lines folded "(x3)"
    entries = roll_up(records)                # across scenarios: each cause, how many it broke, which
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .client.mapping import VendorFault, error_from_fault
from .webhook_verdicts import webhook_key


def _same(text: str) -> str:
    return text


_VIOLATION = re.compile(r"^contract: \S+\.\S+ \S+ \S*: \S+")
_STEP = re.compile(r"\(step \d+: expected (?P<need>.+?), found (?P<got>\S+) after the earlier steps\)$")
_FORBIDDEN = re.compile(r"^(calls: \S+ must not be called)")
_FOLDED = re.compile(r" \(x\d+\)$")


def _contract_key(text: str) -> str:
    """`contract: telnyx.registerTechProvider body /app_id: required ("app_id" is ...)` -> the label alone."""
    match = _VIOLATION.match(text)
    return match.group(0) if match else text


def _calls_key(text: str) -> str:
    if match := _FORBIDDEN.match(text):
        return match.group(1)
    if match := _STEP.search(text):
        found = "none" if match["got"] == "none" else match["got"]
        return f"calls: expected {match['need']}; found {found}"
    if text.startswith("calls: expected no vendor call"):
        return "calls: expected no vendor call; the partner called a vendor"
    return text


def _outcome_key(text: str) -> str:
    if text.startswith("outcome: expected success"):
        return "outcome: expected success; the partner reported a failure"
    if text.startswith("outcome: expected a failure"):
        return "outcome: expected a failure; the partner reported success"
    return text


def _result_key(text: str) -> str:
    return re.sub(r"\d{6,}", "<id>", text)


@dataclass(frozen=True)
class ReasonKind:
    prefix: str
    rank: int
    cause: bool
    key: Callable[[str], str] = _same


KINDS: tuple[ReasonKind, ...] = (
    ReasonKind("command: could not start", 0, True),  # nothing else could have happened
    ReasonKind("network:", 1, True),  # a host the proxy refused, a CA the client does not trust
    ReasonKind("contract:", 2, True, _contract_key),  # a request that broke the vendor's spec
    ReasonKind("calls:", 3, True, _calls_key),  # a call missing, too few, or forbidden
    ReasonKind("webhook:", 3, True, webhook_key),  # a webhook answered wrongly: a forgery accepted, ...
    ReasonKind("command:", 4, True),  # timed out, killed by a signal
    ReasonKind("result file:", 5, True),
    ReasonKind("verdict:", 5, True),
    ReasonKind("result:", 5, False, _result_key),
    ReasonKind("world:", 6, False),
    ReasonKind("fake drifted", 7, True),
    ReasonKind("outcome:", 9, False, _outcome_key),  # the most generic: what the partner said in the end
)
_OTHER = ReasonKind("", 8, False)


def kind_of(reason: str) -> ReasonKind:
    return next((kind for kind in KINDS if reason.startswith(kind.prefix)), _OTHER)


def reason_key(reason: str) -> str:
    """The scenario-independent form of a reason (folding counts removed)."""
    text = _FOLDED.sub("", reason)
    return kind_of(text).key(text)


def diagnose(reasons: Sequence[str]) -> list[str]:
    """Most specific first (stable within a kind); identical lines folded into one with `(xN)`."""
    counts = Counter(reasons)
    seen: set[str] = set()
    ordered = []
    for reason in sorted(reasons, key=lambda r: kind_of(r).rank):
        if reason in seen:
            continue
        seen.add(reason)
        ordered.append(reason if counts[reason] == 1 else f"{reason} (x{counts[reason]})")
    return ordered


def causes(reasons: Sequence[str]) -> list[str]:
    """The keys one failed scenario contributes to the roll-up: every cause it shows, else its first reason."""
    keys: list[str] = []
    for reason in reasons:
        key = reason_key(reason)
        if kind_of(key).cause and key not in keys:
            keys.append(key)
    if not keys and reasons:
        keys.append(reason_key(reasons[0]))
    return keys


def roll_up(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each distinct cause across the failed scenarios: how many it broke, which, and the guide's section.

    Ordered by how many scenarios it broke, then by specificity. `records` are report records (`reasons` already
    diagnosed; optional `advice`: {reason key: {"guidance", "troubleshooting"}} from the vendors' answers)."""
    entries: dict[str, dict[str, Any]] = {}
    for record in records:
        if record.get("verdict") == "pass":
            continue
        advice = record.get("advice") or {}
        for key in causes(record.get("reasons") or []):
            entry = entries.setdefault(
                key,
                {"reason": key, "kind": kind_of(key).prefix.rstrip(":") or "other", "scenarios": [], "_sections": []},
            )
            entry["scenarios"].append(record["id"])
            hint = advice.get(key) or {}
            # A request's fault has the section of the vendor's answer to it (or none); a call or an outcome
            # that went wrong has the section of the scenario it broke.
            own = kind_of(key).prefix in ("contract:", "network:")
            section = hint.get("troubleshooting") if own else record.get("troubleshooting")
            if section:
                entry["_sections"].append(section)
            if hint.get("guidance") and "guidance" not in entry:
                entry["guidance"] = hint["guidance"]
    ordered = sorted(entries.values(), key=lambda e: (-len(e["scenarios"]), kind_of(e["reason"]).rank))
    rolled = []
    for entry in ordered:
        sections = Counter(entry.pop("_sections"))
        entry["count"] = len(entry["scenarios"])
        entry["troubleshooting"] = sections.most_common(1)[0][0] if sections else None
        entry.setdefault("guidance", None)
        rolled.append(entry)
    return rolled


def vendor_advice(vendor: str, operation: str, status: int, body: Any) -> dict[str, Any]:
    """What the reference client's error table says of a vendor's error answer: guidance and the guide's
    troubleshooting section (`harness/client/mapping.py`, the one table)."""
    fault = _fault(vendor, operation, status, body)
    error = error_from_fault(fault)
    return {"guidance": error.guidance, "troubleshooting": error.troubleshooting, "error": type(error).__name__}


def _fault(vendor: str, operation: str, status: int, body: Any) -> VendorFault:
    body = body if isinstance(body, dict) else {}
    if vendor == "telnyx":
        errors = body.get("errors")
        first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
        source: dict[str, Any] = first["source"] if isinstance(first.get("source"), dict) else {}
        return VendorFault(
            vendor=vendor,
            operation=operation,
            http_status=status,
            code=_text(first.get("code")),
            pointer=_text(source.get("pointer")),
        )
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    return VendorFault(
        vendor=vendor,
        operation=operation,
        http_status=status,
        code=_text(error.get("code")),
        subcode=_text(error.get("error_subcode")),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
