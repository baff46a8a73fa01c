"""A played scenario as a report record: `ScenarioResult` (verdict, reasons, what was observed, the client's log),
and `to_dict()`, the shape every report (console, JUnit, JSON) is built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .judge import Observation
from .scenarios import Scenario


@dataclass
class ScenarioResult:
    scenario: Scenario
    passed: bool
    reasons: list[str]
    duration: float
    observation: Observation
    tenant: str
    signup: dict[str, Any] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "pass" if self.passed else "fail"

    def to_dict(self) -> dict[str, Any]:
        seen = self.observation
        return {
            "id": self.scenario.id,
            "title": self.scenario.title,
            "tags": list(self.scenario.tags),
            "troubleshooting": self.scenario.troubleshooting,
            "verdict": self.verdict,
            "reasons": self.reasons,
            "duration_ms": round(self.duration * 1000, 1),
            "tenant": self.tenant,
            "calls": seen.calls,
            "error": seen.error,
            "result": seen.result,
            "request_violations": seen.request_violations,
            "client_log": self.log,
        }
