"""`signup-harness`: serve the fakes, play the scenario catalogue, verify a partner's integration.

Each command lives in its own module, imported only when that command runs (or for `--help`), so that
`signup-harness serve` is ready in a fraction of a second.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

# command -> (module, parser builder, runner); `run` also builds `list` and `show`.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "serve": ("harness.serve", "add_serve_parser", "run_serve"),
    "run": ("harness.run_command", "add_run_parsers", "run_run"),
    "list": ("harness.run_command", "add_run_parsers", "run_list"),
    "show": ("harness.run_command", "add_run_parsers", "run_show"),
    "verify": ("harness.verify_command", "add_verify_parser", "run_verify"),
    "onboard": ("harness.client.cli", "add_onboard_parser", "run_onboard"),
    "demo": ("harness.demo", "add_demo_parser", "run_demo"),
}
# The commands that end their own start-up once their servers listen (`args.end_start_up`: `cli_support.start_up_ends`
# for the process's own command line, a no-op for an in-process `main(argv)`); every other command's start-up ends
# once its module is imported, before it runs.
SERVERS = frozenset({"serve", "demo"})
SUMMARIES = {
    "serve": "run the Graph and Telnyx fakes on loopback",
    "run": "play the scenario catalogue end to end with the reference client",
    "list": "list the scenario catalogue",
    "show": "describe one scenario",
    "verify": "run your own integration against every scenario and judge it",
    "onboard": "exchange a signup code and register the WABA with Telnyx (reference client)",
    "demo": "start the fakes and an example partner portal to click through in a browser",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or (when `only` names a command) one whose other commands are one-line stubs."""
    parser = argparse.ArgumentParser(
        prog="signup-harness",
        description="Offline simulator and contract-testing kit for WhatsApp Tech Provider Embedded Signup.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    built: set[str] = set()
    for name, (module, builder, _) in COMMANDS.items():
        if name in built:
            continue
        if only is None or only == name or (module, builder) == COMMANDS[only][:2]:
            getattr(importlib.import_module(module), builder)(subparsers)
            built.update(n for n, spec in COMMANDS.items() if spec[:2] == (module, builder))
        else:
            subparsers.add_parser(name, help=SUMMARIES[name], add_help=False)
            built.add(name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Exit codes (docs/cli.md): 0 passed, 1 scenarios failed, 2 usage or environment error, 130 interrupted."""
    from .cli_support import start_up_begins, start_up_ends

    managed = argv is None  # the process's own command line (not a caller's in-process run): its start-up
    if managed:
        start_up_begins()
    try:
        return _dispatch(argv, managed)
    finally:
        if managed:
            start_up_ends()


def _dispatch(argv: Sequence[str] | None, managed: bool) -> int:
    from .cli_support import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, CliError, start_up_ends

    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    args = build_parser(command if command in COMMANDS else None).parse_args(argv)
    module, _, runner = COMMANDS[args.command]
    try:
        run = getattr(importlib.import_module(module), runner)
        if managed and args.command not in SERVERS:
            start_up_ends()
        elif managed:
            args.end_start_up = start_up_ends  # the server ends it once it listens
        return int(run(args))
    except CliError as exc:
        print(f"signup-harness {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"signup-harness {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`signup-harness list | head`): not an error of ours. Point stdout at /dev/null so
        # that the interpreter's final flush does not complain either.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        if os.environ.get("SIGNUP_HARNESS_TRACEBACK"):
            raise
        from fakes.core.redaction import redact_text

        print(
            f"signup-harness {args.command}: unexpected {type(exc).__name__}: {redact_text(str(exc))[:300]} "
            "(a bug: please report it; SIGNUP_HARNESS_TRACEBACK=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_USAGE


def entry() -> None:
    """The `signup-harness` program: `main`, then leave without the interpreter's finalization.

    The socket server (granian) runs native threads that may still be winding down when the process ends; letting
    the interpreter finalize under them can abort the process (SIGABRT) after a clean stop. By now every report is
    written and closed, so flush what is buffered and exit with main's code."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
