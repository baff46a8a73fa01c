"""The journal entry of one delivery attempt: direction "outbound", what was sent and what the partner answered.

Each attempt is journalled like an inbound exchange (raw values, redacted when they leave the journal): the
target as its path, the signed headers and body sent, the partner's status and body (or the error, when there
was no answer), the delivery's faults, and the delivery id and attempt number as response headers.
"""

from __future__ import annotations

import json
from typing import Any

from .delivery_records import Attempt, Delivery
from .journal import Journal, JournalEntry
from .outbound import OutboundResult


def journal_attempt(
    journal: Journal,
    tenant_name: str,
    delivery: Delivery,
    raw: bytes,
    attempt: Attempt,
    headers: dict[str, str],
    result: OutboundResult,
) -> None:
    try:
        body: Any = json.loads(raw)
    except ValueError:
        body = raw
    journal.record(
        JournalEntry(
            seq=0,
            time=attempt.at,
            tenant=tenant_name,
            vendor=delivery.vendor,
            operation=f"webhook:{delivery.event}",
            method="POST",
            path=attempt.url,
            query={},
            request_headers=headers,
            request_body=body,
            status=attempt.status or 0,
            response_body=result.body if result.status is not None else (attempt.error or "").encode(),
            duration_ms=attempt.latency_ms,
            direction="outbound",
            fault=",".join(delivery.faults) or None,
            response_headers={"X-Harness-Delivery": delivery.id, "X-Harness-Attempt": str(attempt.number)},
        )
    )
