"""What a verify report may show of a text: every known secret scrubbed, long output cut to its head and tail.

Secrets (the app secret, the Telnyx API key, the app token, the code and every token the fakes minted) are only
ever in the partner command's environment; a `Scrubber` holds them and replaces them wherever a report would
show them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from fakes.core.redaction import REDACTED, redact_text

DEFAULT_OUTPUT_LIMIT = 4000  # characters kept of each of stdout and stderr (head and tail)


class Scrubber:
    """Replaces every known secret value (and its URL-encoded forms) with [REDACTED] in any text."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._values: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        for secret in secrets:
            if not secret or len(secret) < 4:  # nothing to hide, and never scrub "" or tiny strings
                continue
            self._values.update({secret, quote(secret, safe=""), quote_plus(secret)})

    @classmethod
    def union(cls, scrubbers: Iterable[Scrubber]) -> Scrubber:
        merged = cls()
        for scrubber in scrubbers:
            merged._values |= scrubber._values
        return merged

    def text(self, value: str) -> str:
        for secret in sorted(self._values, key=len, reverse=True):
            value = value.replace(secret, REDACTED)
        return redact_text(value)

    def deep(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {k: self.deep(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.deep(v) for v in value]
        return value


def truncate(text: str, limit: int = DEFAULT_OUTPUT_LIMIT) -> str:
    """Keep the head and the tail of long output (the error is usually at the end)."""
    if limit <= 0 or len(text) <= limit:
        return text
    head = limit // 2
    tail = limit - head
    return f"{text[:head]}\n... [{len(text) - limit} characters cut] ...\n{text[-tail:]}"
