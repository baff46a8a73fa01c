"""How long the whole scenario catalogue takes, in-process and over sockets (floors: 5 s and 10 s).

    .venv/bin/python bench/bench_catalogue.py   # 3 runs per transport; prints a table, writes bench/catalogue.json

Each run is what `signup-harness run` does: one Runner (a fresh harness; over sockets, both fakes served on free
ports), every scenario in a fresh tenant, the reference client driven and judged. The script also sums the
scenarios' own deliberate `delay` faults, so the table shows how much of the time is the harness itself.
Exits 1 if a floor is missed or a scenario fails.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from harness.runner import Runner
from harness.scenarios import load_catalogue

FLOORS = {"inprocess": 5.0, "socket": 10.0}


def deliberate_delay(scenarios: list) -> float:
    """Seconds the catalogue spends in armed `delay` faults (each fires `times` times, 1 when unbounded)."""
    return sum(float(f.get("delay", 0)) * (f.get("times") or 1) for s in scenarios for f in s.faults)


def one_run(transport: str, scenarios: list, seed: str) -> tuple[float, int]:
    started = time.perf_counter()  # includes building the harness and starting the servers
    with Runner(seed=seed, transport=transport) as runner:
        results = runner.run_all(scenarios)
    return time.perf_counter() - started, sum(not r.passed for r in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", default="0")
    parser.add_argument("--output", type=Path, default=Path(__file__).with_name("catalogue.json"))
    args = parser.parse_args()
    scenarios = load_catalogue()
    delay = deliberate_delay(scenarios)
    report: dict[str, object] = {"scenarios": len(scenarios), "deliberate_delay_s": delay}
    misses = []
    print(f"{len(scenarios)} scenarios; their deliberate delays add up to {delay:.2f} s\n")
    print(f"{'transport':<10} {'median s':>9} {'min s':>7} {'max s':>7} {'harness s':>10} {'floor s':>8}  failed")
    for transport, floor in FLOORS.items():
        timings, failures = [], 0
        for _ in range(args.runs):
            seconds, failed = one_run(transport, scenarios, args.seed)
            timings.append(seconds)
            failures += failed
        median = statistics.median(timings)
        report[transport] = {"median_s": median, "runs_s": timings, "floor_s": floor, "failed": failures}
        print(
            f"{transport:<10} {median:>9.2f} {min(timings):>7.2f} {max(timings):>7.2f} "
            f"{median - delay:>10.2f} {floor:>8.1f}  {failures}"
        )
        if median >= floor:
            misses.append(f"{transport}: {median:.2f} s >= {floor} s")
        if failures:
            misses.append(f"{transport}: {failures} scenario failure(s)")
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print("\n" + ("all floors met" if not misses else "MISSED: " + "; ".join(misses)))
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
