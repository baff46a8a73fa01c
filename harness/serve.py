"""`signup-harness serve`: both fakes in one process on loopback, sharing one world."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from fakes.core.clock import LiveClock, ManualClock
from fakes.core.errors import HarnessError
from fakes.harness import DEFAULT_GRAPH_PORT, DEFAULT_HOST, DEFAULT_TELNYX_PORT, Harness
from harness.arming import arm_scenario, enable_scenario_arming


def add_serve_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the Graph and Telnyx fakes on loopback",
        description="Start the Meta Graph and Telnyx fakes in one process, sharing one world.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="bind address (default 127.0.0.1)")
    parser.add_argument("--graph-port", type=int, default=DEFAULT_GRAPH_PORT, help="0 picks a free port")
    parser.add_argument("--telnyx-port", type=int, default=DEFAULT_TELNYX_PORT, help="0 picks a free port")
    parser.add_argument("--seed", default="0", help="seed of the random source (ids, tokens, codes)")
    parser.add_argument(
        "--world",
        default="demo",
        help="'demo' (the documented demo world), 'empty', or a JSON/YAML seed file",
    )
    parser.add_argument("--scenario", help="arm a catalogue scenario on the default tenant (see `list`)")
    parser.add_argument(
        "--clock", choices=("live", "manual"), default="live", help="live: real time passes; manual: frozen"
    )
    parser.add_argument("--urls-json", type=Path, help="write the base URLs as JSON to this file")
    parser.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host")
    parser.add_argument("--access-log", action="store_true", help="log each request (secrets redacted)")
    parser.add_argument("--check-responses", action="store_true", help="check every response against the specs")


def build_harness(args: argparse.Namespace) -> Harness:
    clock = LiveClock() if args.clock == "live" else ManualClock()
    harness = Harness(seed=args.seed, clock=clock, check_responses=args.check_responses)
    if args.world == "demo":
        harness.seed_demo()
    elif args.world != "empty":
        harness.seed(Path(args.world).read_bytes())
    enable_scenario_arming(harness)
    if args.scenario:
        armed = arm_scenario(harness, args.scenario)
        print(f"armed scenario {armed['armed']}: {armed['title']}", flush=True)
    return harness


def run_serve(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        harness = build_harness(args)
        server = harness.serve(
            args.host,
            args.graph_port,
            args.telnyx_port,
            allow_remote=args.allow_remote,
            access_log=args.access_log,
        )
    except (PermissionError, OSError, HarnessError) as exc:
        print(f"signup-harness serve: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):  # before announcing readiness: a prompt SIGTERM still exits 0
        signal.signal(sig, lambda *_: stop.set())
    urls = server.urls()
    if args.urls_json:
        args.urls_json.write_text(json.dumps(urls, indent=2) + "\n")
    ready_ms = (time.perf_counter() - started) * 1000
    print(f"Meta Graph fake:  {urls['graph']}", flush=True)
    print(f"Telnyx fake:      {urls['telnyx']}", flush=True)
    print(f"control plane:    {urls['graph']}/__admin  {urls['telnyx'].removesuffix('/v2')}/__admin", flush=True)
    print(f"live view:        {urls['graph']}/__admin/ui", flush=True)
    print(f"ready in {ready_ms:.0f} ms; Ctrl-C to stop", flush=True)
    stop.wait()
    server.stop()
    print("stopped", flush=True)
    return 0
