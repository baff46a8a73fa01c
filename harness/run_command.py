"""`signup-harness run`, `list` and `show`: the scenario catalogue from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from fakes.core.errors import HarnessError

from .cli_support import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, check_scenarios_dir, check_writable
from .reports import Interrupted, play_with_console, write_json, write_junit
from .runner import Runner
from .scenarios import load_catalogue, select


def _catalogue_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenarios", type=Path, help="a scenario directory (default: the bundled catalogue)")
    parser.add_argument("--id", dest="ids", action="append", help="only this scenario (repeatable)")
    parser.add_argument("--tag", dest="tags", action="append", help="only scenarios with this tag (repeatable)")


def add_run_parsers(subparsers: Any) -> None:
    run = subparsers.add_parser(
        "run",
        help="play the scenario catalogue end to end with the reference client",
        description="Play every scenario (or a selection) against fresh fakes and judge the outcome.",
    )
    _catalogue_args(run)
    run.add_argument("--seed", default="0", help="seed of the random source (same seed, same output)")
    run.add_argument("--in-process", action="store_true", help="call the fakes in-process instead of over sockets")
    run.add_argument("--junit", type=Path, help="write a JUnit XML report here")
    run.add_argument("--json", type=Path, help="write a JSON report here")
    run.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    listing = subparsers.add_parser("list", help="list the scenario catalogue")
    _catalogue_args(listing)
    listing.add_argument("--format", choices=("table", "json"), default="table")

    show = subparsers.add_parser("show", help="describe one scenario")
    show.add_argument("scenario_id")
    show.add_argument("--scenarios", type=Path)


def run_run(args: argparse.Namespace) -> int:
    check_writable(args.json, "--json")
    check_writable(args.junit, "--junit")
    check_scenarios_dir(args.scenarios)
    try:
        scenarios = select(load_catalogue(args.scenarios), args.ids, args.tags)
    except HarnessError as exc:
        print(f"signup-harness run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not scenarios:
        print("signup-harness run: no scenario matches the selection", file=sys.stderr)
        return EXIT_USAGE
    meta: dict[str, Any] = {"seed": str(args.seed), "transport": "inprocess" if args.in_process else "socket"}
    try:
        with Runner(seed=args.seed, transport="inprocess" if args.in_process else "socket") as runner:
            results, records, _ = play_with_console(scenarios, runner.run_all, args.color)
    except Interrupted as stopped:
        meta.update(incomplete=True, selected=stopped.total)
        write_reports(args, stopped.records, meta)
        print(f"signup-harness run: {stopped}; reports hold what finished, marked incomplete", file=sys.stderr)
        return EXIT_INTERRUPTED
    write_reports(args, records, meta)
    return EXIT_OK if all(r.passed for r in results) else EXIT_FAILED


def write_reports(args: argparse.Namespace, records: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    from .cli_support import CliError

    for option, path in (("--json", args.json), ("--junit", args.junit)):
        if path is None:
            continue
        try:
            if option == "--json":
                write_json(records, path, meta)
            else:
                write_junit(records, path, incomplete=bool(meta.get("incomplete")))
        except OSError as exc:
            raise CliError(f"{option} {path}: cannot write it ({exc.strerror or exc})") from None


def run_list(args: argparse.Namespace) -> int:
    check_scenarios_dir(args.scenarios)
    try:
        scenarios = select(load_catalogue(args.scenarios), args.ids, args.tags)
    except HarnessError as exc:
        print(f"signup-harness list: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps([{"id": s.id, "title": s.title, "tags": list(s.tags)} for s in scenarios], indent=2))
        return 0
    width = max(len(s.id) for s in scenarios)
    for s in scenarios:
        print(f"{s.id:<{width}}  {s.title}  [{', '.join(s.tags)}]")
    print(f"\n{len(scenarios)} scenarios")
    return 0


def run_show(args: argparse.Namespace) -> int:
    check_scenarios_dir(args.scenarios)
    try:
        scenario = select(load_catalogue(args.scenarios), [args.scenario_id])[0]
    except HarnessError as exc:
        print(f"signup-harness show: {exc}", file=sys.stderr)
        return 2
    print(f"{scenario.id}: {scenario.title}\n")
    print(scenario.description + "\n")
    if scenario.troubleshooting:
        print(f"Troubleshooting section: {scenario.troubleshooting}\n")
    document = {k: v for k, v in scenario.to_dict().items() if k not in ("id", "title", "description")}
    print(yaml.safe_dump(document, sort_keys=False).rstrip())
    print(f"\nReproduce by hand: signup-harness serve --scenario {scenario.id}")
    return 0
