"""A bounded record of every exchange with the fakes, secrets redacted, for judges and people."""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from .redaction import SECRET_RESPONSE_FIELDS, redact_fields, redact_headers, redact_path, redact_text

# The journal keeps the newest DEFAULT_JOURNAL_LIMIT exchanges of a world; older ones are dropped.
DEFAULT_JOURNAL_LIMIT = 2000


@dataclass
class JournalEntry:
    """One exchange. The fields hold what crossed the wire, un-redacted, so recording costs next to nothing on
    the request path; `to_dict()` (the only way an entry leaves the harness: control plane, reports, judges)
    redacts every secret."""

    seq: int
    time: float
    tenant: str
    vendor: str
    operation: str | None  # the spec's operationId; None for an unknown route
    method: str
    path: str
    query: dict[str, Any]
    request_headers: dict[str, str]
    request_body: Any
    status: int
    response_body: Any  # the JSON value sent, or the raw bytes when it was not JSON
    violations: list[dict[str, Any]] = field(default_factory=list)
    response_violations: list[dict[str, Any]] = field(default_factory=list)
    fault: str | None = None
    duration_ms: float = 0.0
    response_headers: dict[str, str] = field(default_factory=dict)  # the vendor's (WWW-Authenticate, trace ids...)
    # "inbound": a call to a fake; "outbound": one attempt of a webhook delivery from a fake (fakes/core/delivery.py),
    # where `path` is the target URL, the request is what the fake sent and the response what the partner answered.
    direction: str = "inbound"

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["path"] = redact_path(self.path)
        record["query"] = redact_fields(self.query)
        record["request_headers"] = redact_headers(self.request_headers)
        record["request_body"] = redact_fields(self.request_body)
        record["response_body"] = _redacted_response(self.response_body)
        record["response_headers"] = redact_headers(self.response_headers)
        return record


def _redacted_response(body: Any) -> Any:
    if isinstance(body, bytes):
        try:
            body = json.loads(body)
        except ValueError:
            return redact_text(body.decode("utf-8", "replace")[:2000])
    return redact_fields(body, SECRET_RESPONSE_FIELDS)


class Journal:
    """Thread-safe ring buffer of `JournalEntry`; entries are already redacted when recorded."""

    def __init__(self, limit: int = DEFAULT_JOURNAL_LIMIT) -> None:
        self.limit = limit
        self._entries: deque[JournalEntry] = deque(maxlen=limit)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def next_seq(self) -> int:
        with self._lock:
            return next(self._seq)

    def record(self, entry: JournalEntry) -> None:
        """Append, numbering the entry in the same critical section (one lock per request, not two)."""
        with self._lock:
            entry.seq = next(self._seq)
            self._entries.append(entry)

    def entries(
        self,
        tenant: str | None = None,
        vendor: str | None = None,
        operation: str | None = None,
        since: int = 0,
        direction: str = "inbound",
    ) -> list[JournalEntry]:
        """Entries after `since`, filtered; `direction` "inbound" (calls to the fakes, the default every judge
        reads), "outbound" (webhook delivery attempts) or "any"."""
        with self._lock:
            snapshot = list(self._entries)
        return [
            e
            for e in snapshot
            if e.seq > since
            and (direction == "any" or e.direction == direction)
            and (tenant is None or e.tenant == tenant)
            and (vendor is None or e.vendor == vendor)
            and (operation is None or e.operation == operation)
        ]

    def clear(self, tenant: str | None = None) -> None:
        with self._lock:
            if tenant is None:
                self._entries.clear()
            else:
                kept = [e for e in self._entries if e.tenant != tenant]
                self._entries.clear()
                self._entries.extend(kept)

    def __len__(self) -> int:
        return len(self._entries)
