"""What the fakes recorded, read for tests: journal entries as `vendor.operationId` call names, the problems
that fail a test at teardown, and the texts of the failures (the numbered call list, the problems message, the
check that an operation name exists)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .markers import ALLOW_MARKER


@dataclass(frozen=True)
class Problem:
    """One thing the fakes collected during a test that fails it at teardown (unless allowed)."""

    kind: str  # unmatched | request | response
    call: str  # "telnyx.registerTechProvider" or "telnyx (unknown route)"
    request: str  # "POST /v2/whatsapp/business_accounts/tech_provider -> 422"
    detail: str = ""
    rule: str = ""

    def __str__(self) -> str:
        what = {
            "unmatched": "no spec operation matches",
            "request": "request breaks the spec",
            "response": "response breaks the spec (the fake drifted from its contract)",
        }[self.kind]
        return f"{self.call} {self.request}: {what}" + (f": {self.detail}" if self.detail else "")


def call_name(entry: dict[str, Any]) -> str:
    """`vendor.operationId` of a journal entry; `vendor (unknown route)` when no operation matched."""
    if entry["operation"] is None:
        return f"{entry['vendor']} (unknown route)"
    return f"{entry['vendor']}.{entry['operation']}"


def _request_line(entry: dict[str, Any]) -> str:
    return f"{entry['method']} {entry['path']} -> {entry['status']}"


def problems_in(entries: Sequence[dict[str, Any]]) -> list[Problem]:
    """Unknown routes, request violations and response violations of journal entries, in journal order."""
    found: list[Problem] = []
    for entry in entries:
        name, line = call_name(entry), _request_line(entry)
        if entry["operation"] is None:
            found.append(Problem("unmatched", name, line))
        for v in entry["violations"]:
            detail = f"{v['location']} {v['pointer']}: {v['rule']} ({v['message']})"
            found.append(Problem("request", name, line, detail, v["rule"]))
        for v in entry["response_violations"]:
            found.append(Problem("response", name, line, f"{v['pointer']}: {v['rule']} ({v['message']})", v["rule"]))
    return found


def describe_calls(entries: Sequence[dict[str, Any]]) -> str:
    """The journal as a numbered list, for failure messages (like `responses`' "Available matches")."""
    if not entries:
        return "  (no calls reached the fakes)"
    return "\n".join(f"  {i}. {call_name(e):<36} {_request_line(e)}" for i, e in enumerate(entries, start=1))


def problems_message(found: Sequence[Problem], tenant: str) -> str:
    lines = [f"the signup harness fakes recorded {len(found)} problem(s) in this test (tenant {tenant!r}):"]
    lines += [f"  - [{p.kind}] {p}" for p in found]
    lines.append(
        f"Fix the requests (or the fake), or mark the test @pytest.mark.{ALLOW_MARKER}"
        f"({', '.join(repr(k) for k in sorted({p.kind for p in found}))}) if they are intended."
    )
    return "\n".join(lines)


def check_operation_name(operation: str) -> None:
    """A typo in an operation name must not read as "not called": name the known operations instead."""
    known = known_operations()
    if operation not in known:
        close = difflib.get_close_matches(operation, sorted(known), n=3)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        raise ValueError(
            f"unknown operation {operation!r}: use 'vendor.operationId' as in specs/ "
            f"(e.g. telnyx.registerTechProvider, graph.exchangeCode).{hint}"
        )


def known_operations() -> set[str]:
    from fakes.harness import compiled_spec

    return {f"{vendor}.{op}" for vendor in ("graph", "telnyx") for op in compiled_spec(vendor).operations} | {
        f"{vendor} (unknown route)" for vendor in ("graph", "telnyx")
    }
