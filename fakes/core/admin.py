"""`/__admin/...`: the control plane every fake serves (the HTTP twin of `fakes.harness.Harness`).

Not part of the simulated vendor API: no spec check, no journal entry. Misuse answers with a harness error
(`{"harness_error": {...}}`), never with a vendor envelope.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from .control import Control
from .errors import HarnessError
from .inspection import register_inspection_routes
from .world import DEFAULT_TENANT, World


def _tenant() -> str:
    return (
        request.args.get("tenant")
        or request.headers.get("X-Harness-Tenant")
        or request.environ.get("harness.tenant")
        or DEFAULT_TENANT
    )


def _named_tenant(fallback: Any = None) -> str | None:
    """The tenant a request names (?tenant=, `fallback`, X-Harness-Tenant, /_t/<tenant>); None: all tenants."""
    return (
        request.args.get("tenant")
        or fallback
        or request.headers.get("X-Harness-Tenant")
        or request.environ.get("harness.tenant")
        or None
    )


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if request.data and body is None:
        raise HarnessError("the body must be JSON")
    if body is not None and not isinstance(body, dict):
        raise HarnessError("the body must be a JSON object")
    return body or {}


def admin_blueprint(world: World, vendor: str, extra: Any = None) -> Blueprint:
    control = Control(world)
    admin = Blueprint("admin", __name__, url_prefix="/__admin")

    @admin.errorhandler(HarnessError)
    def misuse(error: HarnessError) -> tuple[Response, int]:
        return jsonify(error.to_dict()), error.status

    @admin.get("/health")
    def health() -> Response:
        return jsonify(status="ok", vendor=vendor)

    @admin.get("/ready")
    def ready() -> tuple[Response, int]:
        return jsonify(ready=world.ready, vendor=vendor), 200 if world.ready else 503

    @admin.post("/reset")
    def reset() -> Response:
        tenant = _named_tenant(_json_body().get("tenant"))
        control.reset(tenant)
        return jsonify(reset=tenant or "all")

    @admin.post("/seed")
    def seed() -> Response:
        return jsonify(tenant=_tenant(), created=control.seed(request.get_data(), _tenant()))

    @admin.get("/clock")
    def clock() -> Response:
        return jsonify(now=world.clock.now(), iso=world.clock.iso())

    @admin.post("/clock/advance")
    def advance() -> Response:
        seconds = _json_body().get("seconds")
        if not isinstance(seconds, int | float):
            raise HarnessError('send {"seconds": <number>}')
        now = control.advance_clock(float(seconds))
        return jsonify(now=now, iso=world.clock.iso())

    @admin.get("/journal")
    def journal() -> Response:
        filters: dict[str, Any] = {k: request.args[k] for k in ("vendor", "operation") if k in request.args}
        if _named_tenant():
            filters["tenant"] = _named_tenant()
        if "since" in request.args:
            try:
                filters["since"] = int(request.args["since"])
            except ValueError as exc:
                raise HarnessError("'since' must be an integer sequence number") from exc
        return jsonify(entries=control.journal(**filters), limit=world.journal.limit)

    @admin.delete("/journal")
    def clear_journal() -> Response:
        control.clear_journal(_named_tenant())
        return jsonify(cleared=True)

    @admin.get("/faults")
    def faults() -> Response:
        return jsonify(faults=control.faults(_tenant()))

    @admin.post("/faults")
    def arm_fault() -> tuple[Response, int]:
        return jsonify(armed=control.arm_fault(_json_body(), _tenant()).to_dict()), 201

    @admin.delete("/faults")
    def clear_faults() -> Response:
        control.clear_faults(_tenant())
        return jsonify(cleared=True)

    @admin.post("/signups")
    def signup() -> tuple[Response, int]:
        return jsonify(control.complete_signup(_json_body(), _tenant())), 201

    @admin.post("/scenarios/<scenario_id>")
    def arm_scenario(scenario_id: str) -> tuple[Response, int]:
        if world.scenario_armer is None:
            raise HarnessError("this harness was started without the scenario catalogue")
        return jsonify(world.scenario_armer(scenario_id, _tenant())), 201

    register_inspection_routes(admin, world, _tenant)  # world, tenants, scenarios, timeline (the live view's)
    if extra is not None:
        extra(admin, control)
    return admin
