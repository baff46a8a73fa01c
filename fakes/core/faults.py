"""Faults armed per tenant and operation: a vendor error, a delay, a dropped connection, a malformed body."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Fault:
    """What the fake does instead of (or before) the real rule for one operation.

    `operation` is "<vendor>.<operationId>" (e.g. "telnyx.registerTechProvider") or "<vendor>.*".
    `times` is how many matching requests it hits (None: every one). A fault with only `delay` delays the
    request and then lets the real rule answer.
    """

    operation: str
    status: int | None = None
    error: dict[str, Any] = field(default_factory=dict)  # vendor error fields overriding the status default
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop_connection: bool = False
    malformed_body: bool = False
    times: int | None = 1
    hits: int = 0

    @property
    def replaces_response(self) -> bool:
        return self.status is not None or self.drop_connection or self.malformed_body

    def matches(self, vendor: str, operation: str | None) -> bool:
        wanted_vendor, _, wanted_op = self.operation.partition(".")
        return wanted_vendor == vendor and wanted_op in ("*", operation)

    def describe(self) -> str:
        parts = [self.operation]
        if self.status is not None:
            parts.append(f"status={self.status}")
        if self.delay:
            parts.append(f"delay={self.delay}s")
        if self.drop_connection:
            parts.append("drop_connection")
        if self.malformed_body:
            parts.append("malformed_body")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        known = {f for f in cls.__dataclass_fields__ if f != "hits"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        if "operation" not in data:
            raise ValueError("a fault needs an 'operation' such as 'telnyx.registerTechProvider'")
        fault = cls(**data)
        if fault.times is not None and fault.times < 1:
            raise ValueError("'times' must be at least 1 (or null for every request)")
        return fault


class FaultBook:
    """The faults armed on one tenant, consumed in the order they were armed."""

    def __init__(self, count_delays: Callable[[int], None] | None = None) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._count_delays = count_delays  # told +1/-1 as delay faults are armed and retired

    def _counted(self, fault: Fault, delta: int) -> None:
        if fault.delay and self._count_delays is not None:
            self._count_delays(delta)

    def arm(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        self._counted(fault, 1)
        return fault

    def take(self, vendor: str, operation: str | None) -> Fault | None:
        """The first live fault for this operation, counting the hit (and retiring it when spent)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(vendor, operation):
                    fault.hits += 1
                    if fault.times is not None and fault.hits >= fault.times:
                        self._faults.remove(fault)
                        self._counted(fault, -1)
                    return fault
        return None

    def armed(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            retired, self._faults = self._faults, []
        for fault in retired:
            self._counted(fault, -1)
