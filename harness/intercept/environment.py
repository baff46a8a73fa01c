"""The environment that sends a partner's unmodified HTTP clients through the interception proxy.

Set for the partner's command by `verify --intercept` and printed by `serve --intercept` (docs/verify.md lists
what each ecosystem reads, and what a client without proxy support needs).
"""

from __future__ import annotations

import shlex
from pathlib import Path

from .ca import LocalCA

NODE_PRELOAD = Path(__file__).resolve().parent / "node" / "proxy-preload.cjs"
LOOPBACK = "127.0.0.1,localhost,::1"
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")
NO_PROXY_VARIABLES = ("NO_PROXY", "no_proxy")
CA_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "SIGNUP_HARNESS_CA")
# Everything `intercept_environment` sets, so that inherited values are replaced, never mixed in.
INTERCEPT_VARIABLES = (*PROXY_VARIABLES, *NO_PROXY_VARIABLES, *CA_VARIABLES, "ALL_PROXY", "all_proxy")


def node_require(inherited: str = "") -> str:
    """NODE_OPTIONS with the proxy preload added (Node 20's fetch and https ignore HTTPS_PROXY)."""
    preload = str(NODE_PRELOAD)
    quoted = f'"{preload}"' if any(c.isspace() for c in preload) else preload
    return f"{inherited} --require {quoted}".strip()


def intercept_environment(proxy_url: str, ca: LocalCA, node_options: str = "") -> dict[str, str]:
    """Proxy, CA bundle and Node preload variables for a child process."""
    env = {name: proxy_url for name in PROXY_VARIABLES}
    env.update({name: LOOPBACK for name in NO_PROXY_VARIABLES})
    # The CA alone, not ca-bundle.pem: loading ~150 public roots costs each client process 30 ms (250 ms on a
    # busy machine) per connection, and the proxy refuses every host those roots would be for.
    cert = str(ca.cert_path)
    env.update(
        {
            "SSL_CERT_FILE": cert,  # OpenSSL-based clients: Python's ssl/urllib/httpx, Ruby, PHP, Go, curl
            "REQUESTS_CA_BUNDLE": cert,  # Python requests (it ignores SSL_CERT_FILE)
            "CURL_CA_BUNDLE": cert,  # curl, and requests again
            "NODE_EXTRA_CA_CERTS": cert,  # Node: added to its bundled roots
            "SIGNUP_HARNESS_CA": cert,  # for stores you import it into (Java...)
            "NODE_OPTIONS": node_require(node_options),
        }
    )
    return env


def shell_exports(env: dict[str, str]) -> str:
    """`export NAME=value` lines, for `serve --intercept` to print."""
    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in env.items())
