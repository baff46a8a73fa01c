"""Two error families, never mixed: simulated vendor errors (rendered in the vendor's envelope, part of the
simulation) and harness errors (misuse of the harness itself: a bad seed, an unknown scenario)."""

from __future__ import annotations

from typing import Any


class VendorError(Exception):
    """An error the simulated vendor returns. Subclasses render the vendor's exact envelope."""

    status: int = 400

    def body(self) -> dict[str, Any]:
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        return {}


class HarnessError(Exception):
    """The harness was used wrongly (bad seed document, unknown scenario id, bad fault).

    `violations` (dicts with location, pointer, rule, message) say where a document broke its schema."""

    status = 400

    def __init__(self, message: str = "", violations: list[dict[str, str]] | None = None, status: int | None = None):
        super().__init__(message)
        self.violations = list(violations or [])
        if status is not None:
            self.status = status

    def to_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": str(self), "type": type(self).__name__}
        if self.violations:
            error["violations"] = self.violations
        return {"harness_error": error}
