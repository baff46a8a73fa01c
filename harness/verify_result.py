"""One scenario's verification as a report record: verdict, reasons, calls, exchanges, violations, the
partner's output, what the vendors' errors mean; every string scrubbed of the secrets.

`exchange_record` and `violation_advice` read the tenant's journal entries into the record's exchanges and
advice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .diagnosis import reason_key, vendor_advice
from .judge import Observation, unknown_request_label, violation_label
from .partner_command import PartnerRun
from .scenarios import Scenario
from .scrubbing import DEFAULT_OUTPUT_LIMIT, Scrubber, truncate
from .webhook_verdicts import DeliveryVerdict

GUIDE_URL = "https://developers.telnyx.com/docs/messaging/whatsapp/embedded-signup/tech-provider"
TROUBLESHOOTING_URL = f"{GUIDE_URL}#troubleshooting"


@dataclass
class VerifyResult:
    scenario: Scenario
    passed: bool
    reasons: list[str]
    duration: float
    observation: Observation
    tenant: str
    run: PartnerRun
    partner_outcome: str | None
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    scrubber: Scrubber = field(default_factory=Scrubber, repr=False)
    output_limit: int = DEFAULT_OUTPUT_LIMIT
    # reason key -> {"guidance", "troubleshooting", "error"}: what the vendor's answer to a violation means
    advice: dict[str, dict[str, Any]] = field(default_factory=dict)
    webhooks: list[DeliveryVerdict] | None = None  # None: webhooks were not judged

    @property
    def verdict(self) -> str:
        return "pass" if self.passed else "fail"

    def to_dict(self) -> dict[str, Any]:
        """The report record (every string scrubbed of the secrets)."""
        scenario, seen, run = self.scenario, self.observation, self.run
        expected_violations = set(scenario.expect.get("violations", []))
        violations = [
            {
                "label": violation_label(v),
                **{k: v[k] for k in ("operation", "location", "pointer", "rule", "message")},
                "allowed": f"{v['operation']}: {v['rule']}" in expected_violations,
            }
            for v in seen.request_violations
        ] + [
            {
                "label": unknown_request_label(u),
                "operation": None,
                "location": "route",
                "pointer": u["path"],
                "rule": "unknown-route",
                "message": f"{u['method']} {u['path']} matches no operation of the {u['vendor']} spec",
                "allowed": False,
            }
            for u in seen.unknown_requests
        ]
        stdout = truncate(self.scrubber.text(run.stdout), self.output_limit)
        stderr = truncate(self.scrubber.text(run.stderr), self.output_limit)
        record = {
            "id": scenario.id,
            "title": scenario.title,
            "description": scenario.description,
            "tags": list(scenario.tags),
            "troubleshooting": scenario.troubleshooting,
            "troubleshooting_url": TROUBLESHOOTING_URL if scenario.troubleshooting else None,
            "verdict": self.verdict,
            "reasons": self.reasons,
            "advice": self.advice,
            "duration_ms": round(self.duration * 1000, 1),
            "tenant": self.tenant,
            "expected": {
                "outcome": scenario.expect["outcome"],
                # Context only: the reference client's error class is not judged for partners.
                "reference_error": scenario.expect.get("error"),
                "calls": scenario.expect.get("calls"),
                "forbidden": scenario.expect.get("forbidden", []),
            },
            "calls": seen.calls,
            "exchanges": self.exchanges,
            "violations": violations,
            "registrations": seen.registrations,
            "partner": {
                "outcome": self.partner_outcome,
                "exit_status": run.exit_status,
                "timed_out": run.timed_out,
                "start_error": run.start_error,
                "seconds": round(run.seconds, 3),
                "result": run.result,
                "result_problem": run.result_problem,
                "stdout": stdout,
                "stderr": stderr,
            },
            "output": _junit_output(stdout, stderr),
            "webhooks": None if self.webhooks is None else [v.to_dict() for v in self.webhooks],
        }
        return self.scrubber.deep(record)  # type: ignore[no-any-return]


def _junit_output(stdout: str, stderr: str) -> str:
    parts = []
    if stdout.strip():
        parts.append("partner stdout:\n" + stdout.rstrip())
    if stderr.strip():
        parts.append("partner stderr:\n" + stderr.rstrip())
    return "\n\n".join(parts)


def exchange_record(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": entry["seq"],
        "operation": f"{entry['vendor']}.{entry['operation']}" if entry["operation"] else None,
        "vendor": entry["vendor"],
        "method": entry["method"],
        "path": entry["path"],
        "query": entry["query"],
        "request_body": entry["request_body"],
        "status": entry["status"],
        "response_body": _short(entry["response_body"]) if entry["status"] >= 400 else None,
        "fault": entry["fault"],
        "violations": [
            violation_label({**v, "operation": f"{entry['vendor']}.{entry['operation']}"}) for v in entry["violations"]
        ],
    }


def _short(body: Any, limit: int = 600) -> str | None:
    if body is None:
        return None
    text = body if isinstance(body, str) else json.dumps(body, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + " ..."


def violation_advice(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """For each violation the vendor answered with an error: what the client's error table makes of it."""
    advice: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if not entry["operation"] or entry["status"] < 400 or entry["fault"]:
            continue
        operation = f"{entry['vendor']}.{entry['operation']}"
        for v in entry["violations"]:
            key = reason_key("contract: " + violation_label({**v, "operation": operation}))
            if key not in advice:
                body = entry["response_body"]
                advice[key] = vendor_advice(entry["vendor"], entry["operation"], entry["status"], body)
    return advice
