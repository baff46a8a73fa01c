"""`signup-harness demo`: the fakes and the example partner portal in one process, for a person with a browser.

    signup-harness demo                         # portal on http://127.0.0.1:8030/
    signup-harness demo --port 0                # any free port for the portal
    signup-harness demo --signup-outcome CANCEL --cancel-step PHONE_NUMBER_VERIFICATION   # the popup auto-plays

The fakes run with a LiveClock (codes really expire after 30 s) over the demo world (fakes/data/demo_world.yaml).
This module is the command: its parser, `run_demo` (arm, start, print the banner, wait for a stop signal) and the
console's redaction of request lines. The portal, and how both vendors' webhooks are pointed at it, is
`harness.demo_portal`.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from types import FrameType
from typing import Any

from fakes.core.clock import LiveClock
from fakes.core.errors import HarnessError
from fakes.core.redaction import redact_text
from fakes.graph.signup import CANCEL_STEPS, OUTCOMES
from fakes.harness import DEFAULT_GRAPH_PORT, DEFAULT_TELNYX_PORT, Harness, Server
from harness.arming import arm_scenario, enable_scenario_arming
from harness.cli_support import EXIT_USAGE, CliError, check_ports_free, port, start_up_not_managed
from harness.demo_portal import DEFAULT_PORTAL_PORT, PortalServer, start_demo


class RedactQueryFilter(logging.Filter):
    """Mask credentials in werkzeug's request lines (`GET /v19.0/oauth/access_token?code=...&client_secret=...`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_text(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        return True


def quiet_secrets_in_request_logs() -> None:
    """Install `RedactQueryFilter` on werkzeug's logger (once): the demo's console shows no code or secret."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactQueryFilter) for f in logger.filters):
        logger.addFilter(RedactQueryFilter())


def add_demo_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="run the fakes and the example partner portal for a browser",
        description="Serve the Graph fake (with the fake Facebook SDK), the Telnyx fake and the example partner "
        "portal on 127.0.0.1, then wait for Ctrl+C. Open the portal URL and click Connect WhatsApp.",
    )
    parser.add_argument("--port", type=port, default=DEFAULT_PORTAL_PORT, help="portal port (0: any free port)")
    parser.add_argument("--graph-port", type=port, default=DEFAULT_GRAPH_PORT, help="Graph fake port (0: any)")
    parser.add_argument("--telnyx-port", type=port, default=DEFAULT_TELNYX_PORT, help="Telnyx fake port (0: any)")
    parser.add_argument("--seed", default="demo", help="world seed (same seed, same ids)")
    parser.add_argument(
        "--signup-outcome",
        choices=OUTCOMES,
        help="make the signup popup play this ending by itself (default: a person clicks through it)",
    )
    parser.add_argument(
        "--cancel-step",
        choices=CANCEL_STEPS,
        default="PHONE_NUMBER_VERIFICATION",
        help="with --signup-outcome CANCEL: the step the customer leaves at",
    )
    parser.add_argument(
        "--scenario",
        help="arm a catalogue scenario (world, faults, popup ending) for QA: see `signup-harness list`",
    )
    parser.add_argument(
        "--revoked-telnyx-key",
        action="store_true",
        help="give the portal the demo world's revoked Telnyx key (shows the 401 troubleshooting)",
    )
    parser.set_defaults(end_start_up=start_up_not_managed)  # cli.main hands start_up_ends for its own process
    return parser


def run_demo(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """Serve until SIGINT/SIGTERM (or until `stop` is set, for callers outside the main thread)."""
    quiet_secrets_in_request_logs()
    harness = Harness(seed=args.seed, clock=LiveClock())
    harness.seed_demo()
    enable_scenario_arming(harness)
    if args.scenario:
        try:
            plan = arm_scenario(harness, args.scenario)["signup_plan"]
        except HarnessError as exc:
            print(f"signup-harness demo: {exc}", file=sys.stderr)
            return 2
    else:
        plan = signup_plan(args.signup_outcome, args.cancel_step)
        harness.world.tenant().signup_plan = plan
    ports = [
        ("example portal", "--port", args.port),
        ("Meta Graph fake", "--graph-port", args.graph_port),
        ("Telnyx fake", "--telnyx-port", args.telnyx_port),
    ]
    try:
        check_ports_free("127.0.0.1", ports)
    except CliError as exc:
        print(f"signup-harness demo: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        fakes_server, portal = start_demo(
            harness, args.port, args.graph_port, args.telnyx_port, revoked_key=args.revoked_telnyx_key
        )
    except (OSError, TimeoutError, SystemExit) as exc:  # werkzeug exits on a bind error
        print(f"signup-harness demo: cannot start: {exc}", file=sys.stderr)
        return EXIT_USAGE
    args.end_start_up()  # listening: collection resumes (cli.main's own start-up only)
    stop = stop or threading.Event()
    previous = _install_stop_handlers(stop)
    try:
        _print_banner(fakes_server, portal, plan, harness.admin_token)
        while not stop.wait(0.5):
            pass
    finally:
        _restore_handlers(previous)
        portal.stop()
        fakes_server.stop()
    print("signup-harness demo: stopped", flush=True)
    return 0


def signup_plan(outcome: str | None, cancel_step: str) -> dict[str, object] | None:
    if outcome is None:
        return None
    plan: dict[str, object] = {"outcome": outcome}
    if outcome == "CANCEL":
        plan["current_step"] = cancel_step
    return plan


def _print_banner(fakes_server: Server, portal: PortalServer, plan: dict[str, object] | None, admin_token: str) -> None:
    graph = fakes_server.graph_url
    popup = f"auto-plays {plan}" if plan else "a person clicks through it"
    webhooks = (
        f"Telnyx -> {portal.url}webhooks/telnyx (Ed25519), Meta -> {portal.url}webhooks/meta (HMAC)"
        if not portal.webhook_problems
        else "not wired (" + "; ".join(portal.webhook_problems) + "): the portal polls Telnyx's status"
    )
    lines = [
        "signup-harness demo",
        f"  portal       {portal.url}   <- open this, click Connect WhatsApp",
        f"  Graph fake   {graph}   (fake SDK: {graph}/en_US/sdk.js)",
        f"  Telnyx fake  {fakes_server.telnyx_url}",
        f"  live view    {graph}/__admin/ui#token={admin_token}   <- the timeline, the flow and the world",
        f"  journal      {graph}/_t/default/__admin/journal",
        f"  popup        {popup}",
        f"  webhooks     {webhooks}",
        "Press Ctrl+C to stop.",
    ]
    print("\n".join(lines), flush=True)


def _install_stop_handlers(stop: threading.Event) -> dict[int, Any]:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):  # not the main thread: the caller sets `stop` instead
            previous[sig] = signal.signal(sig, handler)
    return previous


def _restore_handlers(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
