"""Scrub secret values (app secret, API key, access token, authorization code) out of text.

Messages are built only from vendor codes, titles and messages, never from requests or URLs. A vendor may
still echo something we sent, so every text that reaches an error, a report or a log line passes through
`Redactor`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "[redacted]"


class Redactor:
    """Replaces every known secret value, and its URL-encoded forms, with `[redacted]`."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._values: tuple[str, ...] = ()
        self._add(secrets)

    def with_secrets(self, *secrets: str | None) -> Redactor:
        """A copy that also scrubs `secrets` (empty values are ignored)."""
        copy = Redactor()
        copy._values = self._values
        copy._add(secrets)
        return copy

    def _add(self, secrets: Iterable[str | None]) -> None:
        forms = set(self._values)
        for secret in secrets:
            if not isinstance(secret, str) or not secret:
                continue
            forms.update({secret, quote(secret, safe=""), quote_plus(secret, safe="")})
        # Longest first, so a secret that contains another is replaced whole.
        self._values = tuple(sorted(forms, key=len, reverse=True))

    def text(self, value: str | None) -> str | None:
        if value is None:
            return None
        for secret in self._values:
            if secret in value:
                value = value.replace(secret, MASK)
        return value

    def value(self, value: Any) -> Any:
        """Scrub strings inside nested dicts, lists and tuples; other values are returned unchanged."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.value(v) for v in value)
        return value
