"""`signup-harness verify --cmd "<partner command>"`: judge a partner's own backend against the catalogue.

Exit status: 0 every scenario passed; 1 at least one failed; 2 bad arguments, an empty selection, or a command
that cannot start (checked once, before the catalogue runs).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from fakes.core.errors import HarnessError

from .cli_support import EXIT_INTERRUPTED, EXIT_USAGE, CliError, check_scenarios_dir, check_writable
from .diagnosis import roll_up
from .html_report import write_html
from .reports import Interrupted, play_with_console, write_json, write_junit
from .scenarios import Scenario, load_catalogue, select
from .verify import DEFAULT_OUTPUT_LIMIT, DEFAULT_TIMEOUT, GUIDE_URL, HANDED_OVER, Scrubber, Verifier
from .verify_webhooks import WebhookOptions, check_scenarios

SUITE = "signup-harness-verify"


def add_verify_parser(subparsers: Any) -> argparse.ArgumentParser:
    env = "\n".join(f"  {name:<26} {text}" for name, text in HANDED_OVER.items())
    parser = subparsers.add_parser(
        "verify",
        help="run your own onboarding backend (any language) against every scenario and judge it",
        description="Run --cmd once per scenario against fresh fakes on real sockets, handing everything over "
        "in environment variables, and judge what it reported and what the fakes saw. See docs/verify.md.",
        epilog=f"Environment of the command:\n{env}\n\nVerdict: exit status 0 = onboarding succeeded, non-zero = "
        "it handled a failure (or the result file's 'outcome').",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--cmd", required=True, help="the partner command, run with a shell once per scenario")
    parser.add_argument("--cwd", type=Path, help="working directory of the command (default: the current one)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds one scenario's command may run before it is stopped and fails (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--scenarios", type=Path, help="a scenario directory (default: the bundled catalogue)")
    parser.add_argument("--id", dest="ids", action="append", help="only this scenario (repeatable)")
    parser.add_argument("--tag", dest="tags", action="append", help="only scenarios with this tag (repeatable)")
    parser.add_argument("--exclude", action="append", default=[], help="skip this scenario id (repeatable)")
    parser.add_argument("--seed", default="0", help="seed of the fakes' random source")
    parser.add_argument("--junit", type=Path, help="write a JUnit XML report here")
    parser.add_argument("--json", type=Path, help="write a JSON report here")
    parser.add_argument("--html", type=Path, help="write a self-contained HTML report here")
    parser.add_argument(
        "--output-limit",
        type=int,
        default=DEFAULT_OUTPUT_LIMIT,
        help="characters of the partner's stdout and of its stderr kept per scenario, 0 for all "
        f"(default {DEFAULT_OUTPUT_LIMIT})",
    )
    parser.add_argument(
        "--intercept",
        action="store_true",
        help="serve the real vendor hosts (https://graph.facebook.com, https://api.telnyx.com, ...) from the fakes "
        "through an HTTPS proxy: your code keeps its hard-coded URLs (HTTPS_PROXY and the CA variables are set)",
    )
    parser.add_argument(
        "--ca-dir",
        type=Path,
        help="with --intercept: keep the local CA in this folder (reused when present) instead of a new one per run",
    )
    hooks = parser.add_argument_group(
        "webhooks", "judge how your endpoint answers the vendors' signed webhooks (docs/verify.md#webhooks)"
    )
    hooks.add_argument(
        "--webhook-url",
        metavar="URL",
        help="your endpoint for Telnyx's whatsapp.waba_added (set as each scenario's user_data webhook_url)",
    )
    hooks.add_argument("--meta-webhook-url", metavar="URL", help="your endpoint for Meta's app webhooks")
    hooks.add_argument("--meta-verify-token", metavar="TOKEN", help="the verify token of --meta-webhook-url")
    hooks.add_argument(
        "--webhooks",
        action="store_true",
        help="judge webhooks to the URL your command sets itself (PATCH /v2/whatsapp/user_data), as in production",
    )
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    return parser


def webhook_checks(directory: Path | None, selected: list[Scenario]) -> list[Scenario]:
    """The webhook checks, built on the catalogue's `success` scenario (the bundled one if `directory` lacks it)."""
    base = next((s for s in selected if s.id == "success"), None)
    if base is None:
        catalogue = {s.id: s for s in load_catalogue(directory)}
        base = catalogue.get("success") or {s.id: s for s in load_catalogue(None)}["success"]
    return check_scenarios(base, selected)


def run_verify(args: argparse.Namespace) -> int:
    def fail(message: str) -> int:
        print(f"signup-harness verify: {message}", file=sys.stderr)
        return EXIT_USAGE

    if not args.cmd.strip():
        return fail("--cmd is empty")
    if args.timeout <= 0:
        return fail("--timeout must be positive")
    if args.cwd is not None and not args.cwd.is_dir():
        return fail(f"--cwd {args.cwd} is not a directory")
    for option in ("json", "junit", "html"):
        check_writable(getattr(args, option), f"--{option}")
    check_scenarios_dir(args.scenarios)
    try:
        scenarios = select(load_catalogue(args.scenarios), args.ids, args.tags)
    except HarnessError as exc:
        return fail(str(exc))
    scenarios = [s for s in scenarios if s.id not in set(args.exclude)]
    hosted = [s.id for s in scenarios if s.hosted]
    if hosted:  # Telnyx's hosted page signs the customer up: a partner's backend takes no part to judge
        print(f"not run (hosted signups: Telnyx's page does the onboarding): {', '.join(hosted)}", flush=True)
        scenarios = [s for s in scenarios if not s.hosted]
    if not scenarios:
        return fail("no scenario matches the selection")
    if args.ca_dir is not None and not args.intercept:
        return fail("--ca-dir needs --intercept")
    if args.meta_verify_token and not args.meta_webhook_url:
        return fail("--meta-verify-token needs --meta-webhook-url")
    for option in ("webhook_url", "meta_webhook_url"):
        value = getattr(args, option)
        if value is not None and not value.startswith(("http://", "https://")):
            return fail(f"--{option.replace('_', '-')} must be an http:// or https:// URL, not {value!r}")
    webhooks = WebhookOptions(args.webhook_url, args.meta_webhook_url, args.meta_verify_token, args.webhooks)
    if webhooks.enabled:
        scenarios += webhook_checks(args.scenarios, scenarios)
    interrupted: Interrupted | None = None
    try:
        with Verifier(
            args.cmd,
            cwd=args.cwd,
            timeout=args.timeout,
            seed=args.seed,
            output_limit=args.output_limit,
            intercept=args.intercept,
            ca_dir=args.ca_dir,
            webhooks=webhooks,
        ) as v:
            problem = v.preflight()
            if problem:
                return fail(f"the command cannot start: {problem}")
            if webhooks.enabled:
                print(f"Telnyx webhook public key (seed {args.seed}): {v.runner.harness.telnyx_public_key}")
            results, records, _ = play_with_console(scenarios, v.verify_all, args.color, roll_up)
    except Interrupted as stopped:
        interrupted, results, records = stopped, stopped.results, stopped.records
    # The command line is the partner's own; scrub it anyway in case a secret was typed into it.
    scrub = Scrubber.union(r.scrubber for r in results)
    meta = {
        "command": scrub.text(args.cmd),
        "cwd": str(args.cwd) if args.cwd else None,
        "seed": str(args.seed),
        "transport": "intercept" if args.intercept else "socket",
        "timeout_s": args.timeout,
        "guide": GUIDE_URL,
        "webhooks": webhooks.enabled,
    }
    if interrupted is not None:
        meta.update(incomplete=True, selected=interrupted.total)
    causes = roll_up(records)
    try:
        if args.json:
            write_json(records, args.json, {**meta, "causes": causes})
        if args.junit:
            write_junit(records, args.junit, suite_name=SUITE, incomplete=interrupted is not None, causes=causes)
        if args.html:
            write_html(records, args.html, meta, causes)
    except OSError as exc:
        raise CliError(f"cannot write a report ({exc.filename or ''}: {exc.strerror or exc})") from None
    if interrupted is not None:
        print(f"signup-harness verify: {interrupted}; reports hold what finished, marked incomplete", file=sys.stderr)
        return EXIT_INTERRUPTED
    failed = [r for r in results if not r.passed]
    if failed and not args.html:
        print("Details (calls, violations, the partner's output): add --html report.html or --json report.json")
    return 0 if not failed else 1
