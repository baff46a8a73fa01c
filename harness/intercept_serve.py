"""`signup-harness serve --intercept`: the interception proxy next to the fakes, for local development.

The CA is kept (default `~/.local/share/signup-harness/ca`, or `$XDG_DATA_HOME/signup-harness/ca`) so that a
browser or a shell profile trusts it once; `serve` prints the variables a backend's shell needs.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the proxy and its CA (trustme, cryptography) load only with --intercept: `serve` starts faster
    from fakes.harness import Harness

    from .intercept import InterceptProxy

DEFAULT_PROXY_PORT = 8030


def default_ca_dir() -> Path:
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "signup-harness" / "ca"


def add_intercept_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--intercept",
        action="store_true",
        help="also serve https://graph.facebook.com, api.telnyx.com, connect.facebook.net and www.facebook.com "
        "from the fakes through an HTTPS proxy (prints the HTTPS_PROXY and CA variables to export)",
    )
    parser.add_argument(
        "--proxy-port", type=int, default=DEFAULT_PROXY_PORT, help="port of the proxy (default 8030; 0 picks one)"
    )
    parser.add_argument("--ca-dir", type=Path, help=f"where the local CA is kept (default {default_ca_dir()})")


def start_intercept(harness: Harness, args: argparse.Namespace) -> InterceptProxy:
    from .intercept import LocalCA, intercept

    ca = LocalCA(args.ca_dir or default_ca_dir())
    return intercept(harness, ca, host=args.host if args.host != "localhost" else "127.0.0.1", port=args.proxy_port)


def announce(proxy: InterceptProxy) -> None:
    from .intercept import VENDOR_HOSTS
    from .intercept.environment import intercept_environment, shell_exports

    print(f"intercepting:     {', '.join(VENDOR_HOSTS)} (every other host refused)", flush=True)
    print(f"proxy:            {proxy.url}", flush=True)
    print(f"CA certificate:   {proxy.ca.cert_path}", flush=True)
    print("in your backend's shell:", flush=True)
    print(shell_exports(intercept_environment(proxy.url, proxy.ca)), flush=True)
