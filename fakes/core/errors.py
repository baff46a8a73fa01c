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
    """The harness was used wrongly (bad seed document, unknown scenario id, bad fault)."""

    status = 400

    def to_dict(self) -> dict[str, Any]:
        return {"harness_error": {"message": str(self), "type": type(self).__name__}}
