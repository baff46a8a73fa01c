"""`signup-harness serve`: both fakes in one process on loopback, sharing one world."""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from fakes.core.access import ADMIN_TOKEN_ENV, ADMIN_TOKEN_HEADER
from fakes.core.clock import LiveClock, ManualClock
from fakes.core.errors import HarnessError
from fakes.harness import DEFAULT_GRAPH_PORT, DEFAULT_HOST, DEFAULT_TELNYX_PORT, Harness, is_loopback
from harness.arming import arm_scenario, enable_scenario_arming

from .cli_support import CliError, check_ports_free, check_writable, port, start_up_not_managed, write_text


def add_serve_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the Graph and Telnyx fakes on loopback",
        description="Start the Meta Graph and Telnyx fakes in one process, sharing one world.",
    )
    parser.set_defaults(end_start_up=start_up_not_managed)  # cli.main hands start_up_ends for its own process
    parser.add_argument("--host", default=DEFAULT_HOST, help="bind address (default 127.0.0.1)")
    parser.add_argument("--graph-port", type=port, default=DEFAULT_GRAPH_PORT, help="0 picks a free port")
    parser.add_argument("--telnyx-port", type=port, default=DEFAULT_TELNYX_PORT, help="0 picks a free port")
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
    parser.add_argument("--urls-json", type=Path, help="write the base URLs and the admin token as JSON to this file")
    parser.add_argument(
        "--admin-token",
        default=os.environ.get(ADMIN_TOKEN_ENV) or None,
        help=f"the root control plane's token (default: ${ADMIN_TOKEN_ENV}, else a random one per run)",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (then every control operation needs the admin token)",
    )
    parser.add_argument("--access-log", action="store_true", help="log each request (secrets redacted)")
    parser.add_argument("--check-responses", action="store_true", help="check every response against the specs")
    from .intercept_serve import add_intercept_arguments  # the interception options live with their runner

    add_intercept_arguments(parser)


def build_harness(args: argparse.Namespace) -> Harness:
    clock = LiveClock() if args.clock == "live" else ManualClock()
    token = getattr(args, "admin_token", None)
    harness = Harness(seed=args.seed, clock=clock, check_responses=args.check_responses, admin_token=token)
    if args.world == "demo":
        harness.seed_demo()
    elif args.world != "empty":
        world = Path(args.world)
        try:
            document = world.read_bytes()
        except OSError as exc:
            raise CliError(f"--world {world}: cannot read it ({exc.strerror or exc})") from None
        try:
            harness.seed(document)
        except HarnessError as exc:
            raise CliError(f"--world {world}: {exc}") from None
    enable_scenario_arming(harness)
    if args.scenario:
        armed = arm_scenario(harness, args.scenario)
        print(f"armed scenario {armed['armed']}: {armed['title']}", flush=True)
    return harness


def run_serve(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    check_writable(args.urls_json, "--urls-json")
    if args.admin_token is not None and len(args.admin_token) < 16:
        raise CliError("--admin-token must be at least 16 characters (or leave it out for a random one)")
    ports = [("Meta Graph fake", "--graph-port", args.graph_port), ("Telnyx fake", "--telnyx-port", args.telnyx_port)]
    check_ports_free(args.host, ports)
    harness = build_harness(args)
    try:
        server = harness.serve(
            args.host,
            args.graph_port,
            args.telnyx_port,
            allow_remote=args.allow_remote,
            access_log=args.access_log,
        )
    except (OSError, SystemExit) as exc:  # werkzeug exits on a bind error it cannot recover from
        check_ports_free(args.host, ports)  # taken since the check above: say which
        raise CliError(f"cannot serve on {args.host}: {exc}") from None
    proxy = None
    if args.intercept:
        from .intercept_serve import start_intercept

        try:
            proxy = start_intercept(harness, args)
        except (OSError, ValueError) as exc:
            server.stop()
            raise CliError(f"--intercept: {exc}") from None
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):  # before announcing readiness: a prompt SIGTERM still exits 0
        signal.signal(sig, lambda *_: stop.set())
    urls = server.urls()
    if proxy is not None:
        urls.update({"proxy": proxy.url, "ca": str(proxy.ca.cert_path)})
    args.end_start_up()  # listening: collection resumes (cli.main's own start-up only), before --urls-json says so
    if args.urls_json:
        try:
            write_text(
                args.urls_json,
                json.dumps(
                    {**urls, "admin_token": harness.admin_token, "telnyx_public_key": harness.telnyx_public_key},
                    indent=2,
                )
                + "\n",
                "--urls-json",
            )
        except CliError:
            server.stop()
            raise
    ready_ms = (time.perf_counter() - started) * 1000
    graph_root, telnyx_root = urls["graph"], urls["telnyx"].removesuffix("/v2")
    print(f"Meta Graph fake:  {urls['graph']}", flush=True)
    print(f"Telnyx fake:      {urls['telnyx']}", flush=True)
    print(f"control plane:    {graph_root}/__admin  {telnyx_root}/__admin", flush=True)
    print(f"admin token:      {harness.admin_token}  (send it as {ADMIN_TOKEN_HEADER}; docs/admin.md)", flush=True)
    print(f"live view:        {graph_root}/__admin/ui#token={harness.admin_token}", flush=True)
    print(
        f"telnyx_public_key: {harness.telnyx_public_key}  (verifies whatsapp.waba_added; docs/webhooks.md)", flush=True
    )
    if args.allow_remote and not is_loopback(args.host):
        print(exposure_notice(args.host), flush=True)
    if proxy is not None:
        from .intercept_serve import announce

        announce(proxy)
    print(f"ready in {ready_ms:.0f} ms; Ctrl-C to stop", flush=True)
    stop.wait()
    if proxy is not None:
        proxy.stop()
    server.stop()
    print("stopped", flush=True)
    return 0


def exposure_notice(host: str) -> str:
    return "\n".join(
        [
            f"WARNING: --allow-remote: bound to {host}; anyone who can reach this address can",
            "  - call the fake Graph and Telnyx APIs and the fake SDK and popup (fake credentials, minted codes);",
            "  - with the admin token: reset, seed, arm faults, mint signups and read every tenant's journal",
            "    (every /__admin operation but health, ready and clock needs the token, in a tenant's context too).",
            "  Keep the admin token to yourself; prefer an SSH tunnel to 127.0.0.1.",
        ]
    )
