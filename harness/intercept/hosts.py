"""What the interception proxy serves and refuses, in the words all its parts share: the vendor hosts, the environ
keys a tunnel sets, the tenant a proxy credential names, and a refusal's wording and record (`ProxyEvent`)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import unquote

VENDOR_HOSTS: dict[str, str] = {
    "graph.facebook.com": "graph",
    "connect.facebook.net": "graph",
    "www.facebook.com": "graph",
    "api.telnyx.com": "telnyx",
}
ENV_HOST = "harness.intercept.host"
ENV_TENANT = "harness.intercept.tenant"


@dataclass(frozen=True)
class ProxyEvent:
    """Something the proxy refused or could not do: `refused` (a host it does not serve), `plain-http` (a vendor
    host over http://), `tls-failed` (the client broke off the handshake: it does not trust the harness CA)."""

    kind: str
    host: str
    port: int
    tenant: str | None
    detail: str

    def reason(self) -> str:
        """The judge's wording, most specific first in a report."""
        if self.kind == "tls-failed":
            return (
                f"network: the TLS handshake for {self.host} failed ({self.detail}): the partner's HTTP client does "
                "not trust the harness CA (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS...)"
            )
        if self.kind == "plain-http":
            return f"network: plain http://{self.host} is not intercepted; the vendors' APIs are https://"
        return f"network: the partner tried to reach {self.host}:{self.port}, which the interception proxy refused"


def refusal_message(host: str, port: int) -> str:
    served = ", ".join(VENDOR_HOSTS)
    return (
        f"signup-harness intercept refused {host}:{port}: only {served} (port 443) are served, from the fakes; "
        "nothing is forwarded. Exempt a host of your own with NO_PROXY."
    )


def tenant_of(authorization: str | None) -> str | None:
    """The user name of `Proxy-Authorization: Basic ...`, which is how a proxy URL's user name travels."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user = unquote(decoded.partition(":")[0])
    return user or None
