"""The local certificate authority of the interception proxy: one CA, one leaf certificate for the vendor hosts.

A CA is generated per run (in a temporary folder) or kept in a folder for browsers and repeated local use
(`--ca-dir`): `ca.pem` is the certificate to trust (what the CA variables point at), `ca-key.pem` its private
key (never leaves the folder), `ca-bundle.pem` the CA followed by the public roots (certifi), for a client that
must also reach a real https host exempted with `NO_PROXY`.

Certificates are made by trustme (the Python Cryptographic Authority's `cryptography` underneath); TLS itself is
the standard library's `ssl` (OpenSSL).
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterable
from pathlib import Path

import trustme

CA_CERT = "ca.pem"
CA_KEY = "ca-key.pem"
CA_BUNDLE = "ca-bundle.pem"
ORGANIZATION = "signup-harness local interception CA"


class LocalCA:
    """A CA in `directory`: loaded when `ca.pem` and `ca-key.pem` are there, generated (and written) otherwise."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        cert, key = self.directory / CA_CERT, self.directory / CA_KEY
        if cert.is_file() and key.is_file():
            self._ca = trustme.CA.from_pem(cert.read_bytes(), key.read_bytes())
            self.generated = False
        else:
            self._ca = trustme.CA(organization_name=ORGANIZATION)
            self._ca.cert_pem.write_to_path(str(cert))
            key.touch(mode=0o600)
            self._ca.private_key_pem.write_to_path(str(key))
            self.generated = True
        self.cert_path = cert
        self.bundle_path = self.directory / CA_BUNDLE
        self.bundle_path.write_bytes(self._ca.cert_pem.bytes() + b"\n" + _public_roots())

    def server_context(self, hostnames: Iterable[str]) -> ssl.SSLContext:
        """A server-side TLS context presenting one fresh leaf certificate for every name in `hostnames`."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_alpn_protocols(["http/1.1"])  # the fakes speak HTTP/1.1; a client offering h2 falls back
        self._ca.issue_cert(*hostnames).configure_cert(context)
        return context


def _public_roots() -> bytes:
    try:
        import certifi
    except ImportError:  # pragma: no cover - requests depends on certifi
        return b""
    return Path(certifi.where()).read_bytes()
