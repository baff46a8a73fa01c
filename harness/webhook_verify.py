"""Check that a webhook delivery comes from its vendor, over the raw bytes and before anything parses them.

Two vendors, two schemes:

- **Telnyx** signs with Ed25519 over the bytes of `f"{telnyx-timestamp}|{raw body}"`. The signature arrives base64
  in `telnyx-signature-ed25519`, the timestamp (unix seconds, a decimal string) in `telnyx-timestamp`, and the
  public key is the base64 of its 32 raw bytes, as the Telnyx portal shows it. A delivery signed more than the
  tolerance (Telnyx's SDK: 300 s) before or after now is refused even when the signature holds, so a captured
  delivery cannot be replayed later.
- **Meta** signs with HMAC-SHA256 of the raw body keyed by the app secret, hex, in
  `X-Hub-Signature-256: sha256=<hex>`. There is no timestamp to check.

Every failure is a `Refused` naming a reason kind and the HTTP status to answer. Its message is fixed text: no
header value, signature or secret is ever quoted back.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TELNYX_SIGNATURE_HEADER = "telnyx-signature-ed25519"
TELNYX_TIMESTAMP_HEADER = "telnyx-timestamp"
META_SIGNATURE_HEADER = "X-Hub-Signature-256"
DEFAULT_TOLERANCE_SECONDS = 300.0  # Telnyx's SDK refuses a timestamp further than this from now

_DIGITS = re.compile(r"[0-9]{1,12}")  # unix seconds; twelve digits reach the year 33658
_META_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")


class Refused(Exception):
    """A delivery the receiver will not process: `kind` (stable, for tests), `status` to answer, `message`."""

    def __init__(self, kind: str, status: int, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.message = message


def load_telnyx_public_key(encoded: str) -> Ed25519PublicKey:
    """The public key from the base64 of its 32 raw bytes; ValueError (without the value) when it is not one."""
    try:
        raw = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the Telnyx public key is not base64") from None
    if len(raw) != 32:
        raise ValueError(f"the Telnyx public key must be 32 bytes once decoded, not {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def verify_telnyx(
    key: Ed25519PublicKey,
    signature: str | None,
    timestamp: str | None,
    body: bytes,
    now: float,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raise `Refused` unless `signature` is the key's over `timestamp|body` and `timestamp` is within tolerance.

    The signature is checked first: a `stale_timestamp` or `future_timestamp` refusal therefore means the
    delivery was genuine but signed at the wrong time (a replay, or a clock off on one side)."""
    if not signature:
        raise Refused("missing_signature", 401, f"the {TELNYX_SIGNATURE_HEADER} header is missing")
    if not timestamp:
        raise Refused("missing_timestamp", 401, f"the {TELNYX_TIMESTAMP_HEADER} header is missing")
    if not _DIGITS.fullmatch(timestamp):
        raise Refused("malformed_timestamp", 400, f"the {TELNYX_TIMESTAMP_HEADER} header is not unix seconds")
    try:
        raw_signature = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw_signature = b""
    if len(raw_signature) != 64:
        raise Refused("malformed_signature", 400, f"the {TELNYX_SIGNATURE_HEADER} header is not a base64 signature")
    try:
        key.verify(raw_signature, timestamp.encode("ascii") + b"|" + body)
    except InvalidSignature:
        raise Refused("bad_signature", 401, "the Telnyx signature does not match the timestamp and body") from None
    skew = int(timestamp) - now
    if skew < -tolerance_seconds:
        raise Refused("stale_timestamp", 401, f"the delivery was signed more than {tolerance_seconds:g} s ago")
    if skew > tolerance_seconds:
        raise Refused("future_timestamp", 401, f"the delivery is signed more than {tolerance_seconds:g} s ahead")


def verify_meta(app_secret: bytes, signature: str | None, body: bytes) -> None:
    """Raise `Refused` unless `signature` is `sha256=` and the hex HMAC-SHA256 of `body` keyed by the app secret."""
    if not signature:
        raise Refused("missing_signature", 401, f"the {META_SIGNATURE_HEADER} header is missing")
    match = _META_SIGNATURE.fullmatch(signature.strip())
    if match is None:
        raise Refused("malformed_signature", 400, f"the {META_SIGNATURE_HEADER} header is not sha256=<64 hex digits>")
    expected = hmac.new(app_secret, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode("ascii"), match.group(1).lower().encode("ascii")):
        raise Refused("bad_signature", 401, "the Meta signature does not match the body and app secret")


def verify_token_matches(expected: str, sent: str | None) -> bool:
    """Whether a Meta verification request's `hub.verify_token` is ours (compared in constant time)."""
    return sent is not None and hmac.compare_digest(expected.encode("utf-8"), sent.encode("utf-8"))
