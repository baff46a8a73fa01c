"""`signup-harness`: serve the fakes, play the scenario catalogue, verify a partner's integration."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .serve import add_serve_parser, run_serve


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signup-harness",
        description="Offline simulator and contract-testing kit for WhatsApp Tech Provider Embedded Signup.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_serve_parser(subparsers)
    return parser


COMMANDS = {"serve": run_serve}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
