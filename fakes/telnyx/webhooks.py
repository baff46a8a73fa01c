"""Telnyx's webhooks to the partner: the `whatsapp.waba_added` event, signed as Telnyx signs.

- **Signature**: Ed25519 over the bytes of `"{telnyx-timestamp}|{raw body}"`, base64 in
  `telnyx-signature-ed25519`, with `telnyx-timestamp` (unix seconds). The official SDKs' `webhooks.unwrap`
  verify exactly this, and refuse a timestamp more than 300 s from their machine's time.
- **Key**: one key pair per world, derived from the world's seed (a run is reproducible); the public key is
  what Telnyx's portal shows (base64 of the 32 raw bytes): `public_key(world)`, `GET /__admin/webhooks`,
  `serve`'s banner and `--urls-json` under `telnyx_public_key`.
- **Retries**: Telnyx documents a primary and a failover URL but not its retry timing. OUR CHOICE, in one place
  (`RETRY_POLICY`): three attempts on `webhook_url` one and two seconds of world time apart, then two on
  `webhook_failover_url` (when set) two seconds apart. Short, so a catalogue stays fast; see specs/telnyx.yaml.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import TYPE_CHECKING, Any

from fakes.core import ed25519
from fakes.core.delivery import Delivery, RetryPolicy
from fakes.core.telnyx_state import SignupSession
from fakes.core.world import Tenant, World

from .serializers import iso

RETRY_POLICY = RetryPolicy(retry_seconds=(1.0, 2.0), failover_retry_seconds=(2.0,), timeout_seconds=5.0)
WABA_ADDED = "whatsapp.waba_added"

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def _seed(world: World) -> bytes:
    return hashlib.sha256(f"telnyx-webhook-signing-key:{world.seed}".encode()).digest()


def _private_key(world: World) -> Ed25519PrivateKey:
    key = world.vendor_keys.get("telnyx")
    if key is None:
        # cryptography loads with the first signature, not at start-up (6 MB of resident memory)
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key = world.vendor_keys["telnyx"] = Ed25519PrivateKey.from_private_bytes(_seed(world))
    return key  # type: ignore[no-any-return]


def public_key(world: World) -> str:
    """The world's Telnyx webhook public key, base64 of the 32 raw bytes (as Telnyx's portal shows it)."""
    key = world.vendor_keys.get("telnyx")
    if key is not None:  # the signing key is made already
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    else:  # printed at start-up: derived without loading cryptography
        raw = ed25519.public_key(_seed(world))
    return base64.b64encode(raw).decode()


def signer(world: World) -> Any:
    key = _private_key(world)

    def sign(body: bytes, unix_time: float) -> dict[str, str]:
        stamp = str(int(unix_time))
        signature = key.sign(stamp.encode() + b"|" + body)
        return {"telnyx-signature-ed25519": base64.b64encode(signature).decode(), "telnyx-timestamp": stamp}

    return sign


def waba_added_body(tenant: Tenant, session: SignupSession) -> dict[str, Any]:
    """The event as Telnyx sends it (SDK type WhatsappWabaAddedWebhookEvent). `phone_numbers` is omitted: a
    tech_provider session starts from a phone_number_id, and Telnyx omits it then."""
    payload: dict[str, Any] = {
        "record_type": "waba_account_added",
        "waba_id": session.waba_id,
        "status": session.status,
        "event_id": session.id,
    }
    if session.progress.errors:
        payload["errors"] = list(session.progress.errors)
    return {
        "data": {
            "record_type": "event",
            "id": tenant.ids.uuid4(),
            "event_type": WABA_ADDED,
            "occurred_at": iso(session.updated_at),
            "payload": payload,
        }
    }


def send_waba_added(tenant: Tenant, session: SignupSession) -> Delivery | None:
    """Queue the session's outcome to the account's webhook URL (nothing when none is set, as Telnyx)."""
    user_data = tenant.telnyx.user_data
    if not user_data.webhook_url:
        return None
    body = json.dumps(waba_added_body(tenant, session), separators=(",", ":")).encode()
    return tenant.world.deliveries.enqueue(
        tenant,
        "telnyx",
        WABA_ADDED,
        user_data.webhook_url,
        body,
        signer(tenant.world),
        RETRY_POLICY,
        failover_url=user_data.webhook_failover_url,
    )
