"""Reports of a run: the console (live progress, table, summary), JUnit XML and JSON.

Every report is built from `ScenarioResult.to_dict()`-style records, which never hold secrets: the journal is
redacted at the source and client errors are scrubbed by the client.
"""

from __future__ import annotations

import json
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

GREEN, RED, DIM, BOLD, RESET = "\033[32m", "\033[31m", "\033[2m", "\033[1m", "\033[0m"


class ConsoleReport:
    """A live progress line while scenarios run, then a table and the summary line."""

    def __init__(self, total: int, stream: TextIO | None = None, color: bool | None = None) -> None:
        self.total = total
        self.stream = stream = stream or sys.stdout
        self.live = stream.isatty() if color is None else color
        self.width = len(str(total))

    def _paint(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.live else text

    def started(self, index: int, scenario_id: str) -> None:
        if self.live:
            self.stream.write(f"\r\033[K[{index:>{self.width}}/{self.total}] running {scenario_id} ...")
            self.stream.flush()

    def finished(self, index: int, record: dict[str, Any]) -> None:
        mark = self._paint(GREEN, "PASS") if record["verdict"] == "pass" else self._paint(RED, "FAIL")
        prefix = "\r\033[K" if self.live else ""
        timing = self._paint(DIM, f"{record['duration_ms']:.0f} ms")
        self.stream.write(f"{prefix}[{index:>{self.width}}/{self.total}] {mark} {record['id']} {timing}\n")
        self.stream.flush()

    def table(self, records: Sequence[dict[str, Any]]) -> None:
        id_width = max([len("scenario"), *(len(r["id"]) for r in records)])
        self.stream.write("\n" + self._paint(BOLD, f"{'scenario':<{id_width}}  verdict  {'time':>8}  reason") + "\n")
        for r in records:
            verdict = r["verdict"].upper()
            painted = self._paint(GREEN if r["verdict"] == "pass" else RED, f"{verdict:<7}")
            reason = r["reasons"][0] if r["reasons"] else ""
            self.stream.write(f"{r['id']:<{id_width}}  {painted}  {r['duration_ms']:>6.0f}ms  {reason}\n")
            for extra in r["reasons"][1:]:
                self.stream.write(f"{'':<{id_width}}  {'':<7}  {'':>8}  {extra}\n")

    def summary(self, records: Sequence[dict[str, Any]], seconds: float) -> str:
        passed = sum(r["verdict"] == "pass" for r in records)
        failed = len(records) - passed
        line = f"{passed} passed, {failed} failed"
        self.stream.write("\n" + self._paint(RED if failed else GREEN, line) + f" in {seconds:.2f}s\n")
        return line


class Interrupted(Exception):
    """Ctrl-C during a run: what finished before it (results, records, seconds), for the reports."""

    def __init__(self, results: list[Any], records: list[dict[str, Any]], seconds: float, total: int) -> None:
        super().__init__(f"interrupted after {len(results)} of {total} scenarios")
        self.results, self.records, self.seconds, self.total = results, records, seconds, total


def play_with_console(
    scenarios: Sequence[Any], play_all: Any, color: str = "auto"
) -> tuple[list[Any], list[dict[str, Any]], float]:
    """Play scenarios with the live console, then print the table and the summary line (`run` and `verify`).

    `play_all(scenarios, on_start=..., on_result=...)` is Runner.run_all or Verifier.verify_all; returns the
    results, their records and the wall time. Ctrl-C raises `Interrupted` with the scenarios that finished."""
    console = ConsoleReport(len(scenarios), color=None if color == "auto" else color == "always")
    started = time.perf_counter()
    finished: list[Any] = []

    def on_result(index: int, result: Any) -> None:
        finished.append(result)
        console.finished(index, result.to_dict())

    try:
        results = play_all(scenarios, on_start=lambda i, s: console.started(i, s.id), on_result=on_result)
    except KeyboardInterrupt:
        seconds = time.perf_counter() - started
        records = [r.to_dict() for r in finished]
        console.stream.write("\n")
        if records:
            console.table(records)
        raise Interrupted(finished, records, seconds, len(scenarios)) from None
    seconds = time.perf_counter() - started
    records = [r.to_dict() for r in results]
    console.table(records)
    console.summary(records, seconds)
    return results, records, seconds


def write_json(records: Sequence[dict[str, Any]], path: Path, meta: dict[str, Any]) -> None:
    """`meta["incomplete"]` (set when a run was interrupted) says that `scenarios` holds only what finished."""
    passed = sum(r["verdict"] == "pass" for r in records)
    document = {**meta, "summary": {"passed": passed, "failed": len(records) - passed}, "scenarios": list(records)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


def write_junit(
    records: Sequence[dict[str, Any]], path: Path, suite_name: str = "signup-harness", incomplete: bool = False
) -> None:
    """JUnit XML as CI servers read it: one testcase per scenario, failures carry every reason. An interrupted
    run (`incomplete`) is an error of the suite, so that no CI server reads it as passed."""
    failures = sum(r["verdict"] != "pass" for r in records)
    total_time = sum(r["duration_ms"] for r in records) / 1000
    suite = ET.Element(
        "testsuite",
        name=suite_name,
        tests=str(len(records)),
        failures=str(failures),
        errors="1" if incomplete else "0",
        skipped="0",
        time=f"{total_time:.3f}",
    )
    for r in records:
        case = ET.SubElement(
            suite, "testcase", classname=suite_name, name=r["id"], time=f"{r['duration_ms'] / 1000:.3f}"
        )
        if r["verdict"] != "pass":
            message = _xml_safe(r["reasons"][0]) if r["reasons"] else "failed"
            failure = ET.SubElement(case, "failure", message=message)
            failure.text = _xml_safe("\n".join(r["reasons"]))
        out = ET.SubElement(case, "system-out")
        out.text = "calls: " + (", ".join(r.get("calls", [])) or "(none)")
        if r.get("output"):  # `verify` records carry the partner's (scrubbed, truncated) output
            out.text += "\n\n" + _xml_safe(r["output"])
    if incomplete:
        properties = ET.Element("properties")
        ET.SubElement(properties, "property", name="incomplete", value="true: the run was interrupted")
        suite.insert(0, properties)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = ET.Element("testsuites", name=suite_name, tests=str(len(records)), failures=str(failures))
    root.append(suite)
    ET.indent(root)
    path.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _xml_safe(text: str) -> str:
    """Drop the control characters XML 1.0 cannot carry (a partner's output may hold ANSI escapes)."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)
