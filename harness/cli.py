"""`signup-harness`: serve the fakes, play the scenario catalogue, verify a partner's integration."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .client.cli import add_onboard_parser, run_onboard
from .demo import add_demo_parser, run_demo
from .run_command import add_run_parsers, run_list, run_run, run_show
from .serve import add_serve_parser, run_serve
from .verify_command import add_verify_parser, run_verify


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signup-harness",
        description="Offline simulator and contract-testing kit for WhatsApp Tech Provider Embedded Signup.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_serve_parser(subparsers)
    add_run_parsers(subparsers)
    add_onboard_parser(subparsers)
    add_demo_parser(subparsers)
    add_verify_parser(subparsers)
    return parser


COMMANDS = {
    "serve": run_serve,
    "run": run_run,
    "list": run_list,
    "show": run_show,
    "onboard": run_onboard,
    "verify": run_verify,
    "demo": run_demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
