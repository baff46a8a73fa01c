"""The control operations of a harness, shared by the Python API and the /__admin HTTP control plane."""

from __future__ import annotations

import copy
import math
from functools import cache
from pathlib import Path
from typing import Any

from .admin_spec import check, limit
from .delivery import DeliveryFault
from .errors import HarnessError
from .faults import Fault
from .kept_documents import load_document
from .seeding import SeedError, parse_seed, seed_tenant
from .world import DEFAULT_TENANT, World

DEMO_WORLD = Path(__file__).resolve().parents[1] / "data" / "demo_world.yaml"


@cache
def _demo_document() -> dict[str, Any]:
    # Parsed once per process (every test tenant and scenario starts from it), and kept parsed between processes.
    return load_document(DEMO_WORLD)


class Control:
    def __init__(self, world: World) -> None:
        self.world = world

    def reset(self, tenant: str | None = None) -> None:
        self.world.reset(tenant)

    def seed(self, document: dict[str, Any] | str | bytes, tenant: str = DEFAULT_TENANT) -> dict[str, Any]:
        if not isinstance(document, dict):
            document = parse_seed(document)
        check("WorldSeed", document, SeedError, "seed")
        with self.world.lock:
            target = self.world.tenant(tenant, hold=True)
            # All or nothing: a bad document must not leave half of itself behind.
            saved = copy.deepcopy((target.meta, target.telnyx, target.ids)), dict(self.world.credentials)
            try:
                return seed_tenant(target, document)
            except (HarnessError, TypeError, ValueError, AttributeError) as exc:
                (target.meta, target.telnyx, target.ids), credentials = saved
                self.world.credentials.clear()
                self.world.credentials.update(credentials)
                if isinstance(exc, HarnessError):
                    raise
                raise SeedError(f"the seed has a value of the wrong type: {exc}") from exc

    def seed_demo(self, tenant: str = DEFAULT_TENANT) -> dict[str, Any]:
        return self.seed(copy.deepcopy(_demo_document()), tenant)

    def advance_clock(self, seconds: float) -> float:
        most = limit("max_clock_advance_seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
            raise HarnessError("'seconds' must be a finite number")
        if not 0 <= seconds <= most:
            raise HarnessError(f"the clock only moves forward, by at most {most} seconds at a time")
        self.world.clock.advance(seconds)
        self.world.tick()  # what the time that passed made due (sessions, webhook attempts)
        return self.world.clock.now()

    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        return [entry.to_dict() for entry in self.world.journal.entries(**filters)]

    def clear_journal(self, tenant: str | None = None) -> None:
        self.world.journal.clear(tenant)

    def arm_fault(self, fault: Fault | dict[str, Any], tenant: str = DEFAULT_TENANT) -> Fault:
        if isinstance(fault, Fault):
            fault = {k: v for k, v in fault.to_dict().items() if k != "hits"}
        check("Fault", fault, HarnessError, "bad fault:")
        fault = Fault.from_dict(fault)
        self._check_fault(fault)
        return self.world.tenant(tenant, hold=True).faults.arm(fault)

    def _check_fault(self, fault: Fault) -> None:
        """Refuse a fault that could never fire, or would fire as a bug, when it is armed rather than when hit."""
        vendor, _, operation = fault.operation.partition(".")
        known = self.world.known_operations
        if known and operation != "*" and fault.operation not in known:
            names = ", ".join(sorted(o for o in known if o.startswith(vendor + "."))) or "none"
            raise HarnessError(f"bad fault: unknown operation {fault.operation!r}; known for {vendor}: {names}")
        if known and operation == "*" and not any(o.startswith(vendor + ".") for o in known):
            raise HarnessError(f"bad fault: unknown vendor {vendor!r}")
        lowest = 200 if fault.malformed_body else 400  # a malformed body may come with any status
        if fault.status is not None and not lowest <= fault.status <= 599:
            raise HarnessError(f"bad fault: 'status' must be between {lowest} and 599")
        if vendor == "telnyx" and "code" in fault.error:
            from fakes.telnyx.errors import TITLES

            if str(fault.error["code"]) not in TITLES:
                raise HarnessError(f"bad fault: unknown Telnyx error code {fault.error['code']!r}")

    def webhooks(self, tenant: str = DEFAULT_TENANT) -> dict[str, Any]:
        """How the fakes sign (what vendors publish: Telnyx's public key), the tenant's deliveries (newest
        last) and its delivery faults."""
        found = self.world.tenant(tenant)
        published = {name: describe() for name, describe in self.world.published_keys.items()}
        return {
            **published,
            "deliveries": [d.to_dict() for d in found.outbox.deliveries.values()],
            "faults": [f.to_dict() for f in found.outbox.faults],
        }

    def arm_delivery_fault(self, fault: DeliveryFault | dict[str, Any], tenant: str = DEFAULT_TENANT) -> DeliveryFault:
        if isinstance(fault, DeliveryFault):
            fault = {k: v for k, v in fault.to_dict().items() if k != "hits"}
        check("DeliveryFault", fault, HarnessError, "bad delivery fault:")
        armed = DeliveryFault(**fault)
        self.world.tenant(tenant, hold=True).outbox.faults.append(armed)
        return armed

    def clear_delivery_faults(self, tenant: str = DEFAULT_TENANT) -> None:
        self.world.tenant(tenant).outbox.faults.clear()

    def faults(self, tenant: str = DEFAULT_TENANT) -> list[dict[str, Any]]:
        return [f.to_dict() for f in self.world.tenant(tenant, hold=True).faults.armed()]

    def clear_faults(self, tenant: str = DEFAULT_TENANT) -> None:
        self.world.tenant(tenant, hold=True).faults.clear()

    def complete_signup(self, request: dict[str, Any], tenant: str = DEFAULT_TENANT) -> dict[str, Any]:
        """Play Meta's popup to its end without a browser (mints a real 30 s code in this tenant)."""
        from fakes.graph.signup import SignupRequest, complete_signup

        check("SignupRequest", request, HarnessError, "bad signup request:")
        try:
            signup = SignupRequest(**{**request, "app_id": str(request["app_id"])})
        except TypeError as exc:
            raise HarnessError(f"bad signup request: {exc}") from exc
        with self.world.lock:
            result = complete_signup(self.world.tenant(tenant, hold=True), signup).to_dict()
        if self.world.timekeeper.pending:  # the webhooks the signup queued go out now, as after a request
            self.world.timekeeper.after_request()
        return result
