"""Read the two vendors' webhook envelopes (already verified) into `ReceivedEvent`s, or refuse them whole.

Telnyx sends one event per delivery:

    {"data": {"record_type": "event", "id": "<uuid>", "event_type": "whatsapp.waba_added", "occurred_at": "...",
              "payload": {"record_type": "waba_account_added", "waba_id": "...", "status": "SUCCESS", ...}}}

`data.id` names the event, and a redelivery carries the same id: that id is the key to deduplicate on.

Meta batches: one POST holds one or more entries (one per WABA), each with one or more changes:

    {"object": "whatsapp_business_account",
     "entry": [{"id": "<waba id>", "time": 1700000000,
                "changes": [{"field": "account_update", "value": {"event": "PARTNER_APP_INSTALLED", ...}}]}]}

Meta gives no event id, and a redelivery is the same raw body byte for byte, so the key to deduplicate on is a
digest of the raw body. Each change becomes one event, numbered `<digest>/<n>` in the order of the body.

A malformed envelope is refused whole (`Refused`, kind `bad_envelope`): nothing of it is processed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from .webhook_verify import Refused

TELNYX, META = "telnyx", "meta"
META_OBJECT = "whatsapp_business_account"


@dataclass(frozen=True)
class ReceivedEvent:
    """One processed event.

    `event_type`: Telnyx's `data.event_type` (`whatsapp.waba_added`), Meta's change `field` (`account_update`).
    `status`: Telnyx's `payload.status` (`SUCCESS`, `FAILURE`), Meta's `value.event` (`PARTNER_APP_INSTALLED`).
    `waba_id`: Telnyx's `payload.waba_id`, Meta's `value.waba_info.waba_id` or else the entry's id.
    `payload`: Telnyx's `data.payload`, Meta's change `value`. `received_at`: the receiver's clock, unix seconds.
    `seq`: the receiver's running count of processed events, 1 for the first."""

    vendor: str
    event_type: str
    id: str
    waba_id: str | None
    status: str | None
    payload: dict[str, Any]
    received_at: float
    seq: int = 0


def _bad(message: str) -> Refused:
    return Refused("bad_envelope", 400, message)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_telnyx(document: Any, received_at: float) -> ReceivedEvent:
    """The one event of a Telnyx delivery; `Refused` when `data.id`, `data.event_type` or `data.payload` is wrong."""
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        raise _bad("a Telnyx webhook is an object with a data object")
    event_id, event_type, payload = _text(data.get("id")), _text(data.get("event_type")), data.get("payload")
    if event_id is None or event_type is None:
        raise _bad("a Telnyx event needs data.id and data.event_type, non-empty strings")
    if not isinstance(payload, dict):
        raise _bad("a Telnyx event needs a data.payload object")
    return ReceivedEvent(
        TELNYX, event_type, event_id, _text(payload.get("waba_id")), _text(payload.get("status")), payload, received_at
    )


def meta_body_digest(body: bytes) -> str:
    """The key a Meta delivery is deduplicated on: its raw body's SHA-256, hex (redeliveries repeat the bytes)."""
    return hashlib.sha256(body).hexdigest()


def parse_meta(document: Any, digest: str, received_at: float) -> list[ReceivedEvent]:
    """Every change of a Meta delivery, in body order; `Refused` if the object or any entry or change is wrong."""
    if not isinstance(document, dict) or document.get("object") != META_OBJECT:
        raise _bad(f'a Meta WhatsApp webhook is an object with "object": "{META_OBJECT}"')
    entries = document.get("entry")
    if not isinstance(entries, list) or not entries:
        raise _bad("a Meta webhook needs a non-empty entry list")
    events: list[ReceivedEvent] = []
    for entry in entries:
        if not isinstance(entry, dict) or _text(entry.get("id")) is None:
            raise _bad("each Meta entry is an object with an id string")
        changes = entry.get("changes")
        if not isinstance(changes, list) or not changes:
            raise _bad("each Meta entry needs a non-empty changes list")
        for change in changes:
            events.append(_meta_change(change, entry["id"], f"{digest}/{len(events)}", received_at))
    return events


def _meta_change(change: Any, entry_id: str, event_id: str, received_at: float) -> ReceivedEvent:
    if not isinstance(change, dict) or _text(change.get("field")) is None or not isinstance(change.get("value"), dict):
        raise _bad("each Meta change is an object with a field string and a value object")
    value: dict[str, Any] = change["value"]
    info = value.get("waba_info")
    waba_id = _text(info.get("waba_id")) if isinstance(info, dict) else None
    return ReceivedEvent(
        META, change["field"], event_id, waba_id or entry_id, _text(value.get("event")), value, received_at
    )
