"""`/__admin/...`: the control plane every fake serves (the HTTP twin of `fakes.harness.Harness`).

Its contract is `specs/admin.yaml`. Before any view runs, `admit` checks the request against its operation with
the same compiled validators as the vendors' requests, and decides what it may act on:

- a cross-origin browser request is refused (403), whatever the operation;
- in a tenant's context (`/_t/<tenant>` prefix or `X-Harness-Tenant`) an operation acts on that tenant only:
  a `tenant` parameter naming another is refused (403), and world-wide (`root`) operations are not available;
- on the root control plane (no context) every operation but the public ones needs the per-run admin token in
  `X-Harness-Admin-Token`; with `--allow-remote`, tenant contexts need it too.

Views read `g.admin` (an `AdminRequest`) and never look at the raw request. Misuse answers with the control
plane's own error (`{"harness_error": {...}}`), never a vendor envelope, never a traceback.

To add an operation: describe it in specs/admin.yaml (operationId, x-harness-scope, parameters, body), then
register a view with `endpoint="<operationId>"` on a blueprint passed through `guard_blueprint`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Request, Response, current_app, g, jsonify, request

from .access import ADMIN_TOKEN_HEADER, cross_origin_problem
from .admin_spec import admin_spec
from .control import Control
from .errors import HarnessError
from .inspection import register_inspection_routes
from .openapi import RequestParts
from .world import DEFAULT_TENANT, World
from .wsgi_environ import BODY, PATH_TENANT, TENANT_HEADER


class AdminAccessError(HarnessError):
    """The caller may not do this here: another origin, another tenant, or no (or a wrong) admin token."""

    status = 403


class AdminRequestError(HarnessError):
    """The request breaks its operation in specs/admin.yaml."""


@dataclass
class AdminRequest:
    operation: str
    tenant: str | None  # the tenant acted on; None: every tenant (root, none named, where the operation says so)
    context: str | None  # the tenant context the request came in (prefix or header), None on the root
    body: Any = None
    query: dict[str, Any] = field(default_factory=dict)

    @property
    def one_tenant(self) -> str:
        return self.tenant or DEFAULT_TENANT


def admit(world: World, req: Request) -> AdminRequest:
    """Origin, scope, token and spec checks of one control-plane request, in that order."""
    spec = admin_spec()
    operation_id = (req.endpoint or "").rsplit(".", 1)[-1]
    op = spec.operations.get(operation_id)
    if op is None:  # fail closed: a view nobody described in the spec is not served
        raise HarnessError(f"{req.path} is not described in specs/admin.yaml", status=500)
    problem = cross_origin_problem(req.environ)
    if problem:
        raise AdminAccessError(f"{problem}: the control plane answers only its own origin")
    scope = op.extensions.get("x-harness-scope", "root")
    prefix, header = req.environ.get(PATH_TENANT), req.headers.get(TENANT_HEADER)
    if prefix and header and prefix != header:
        raise AdminAccessError(f"the /_t/{prefix} prefix and {TENANT_HEADER}: {header} name different tenants")
    context = prefix or header or None
    if scope != "public":
        _check_token(world, req, context)
        if context and scope == "root":
            raise AdminAccessError(
                f"{op.method} /__admin{op.path.removeprefix('/__admin')} acts on every tenant: it is only available "
                f"on the root control plane (no /_t/ prefix, no {TENANT_HEADER}) with {ADMIN_TOKEN_HEADER}"
            )
    body = req.environ.get(BODY)
    if body is None:
        body = req.get_data(cache=True)
    if body and not op.body_media:
        raise AdminRequestError(f"{op.method} {req.path} takes no body (the control plane reads JSON bodies only)")
    validated = spec.validate_request(
        operation_id,
        RequestParts(
            path_params={k: str(v) for k, v in (req.view_args or {}).items()},
            query=req.args.to_dict(),
            headers={k.lower(): v for k, v in req.headers.items()},
            content_type=req.content_type,
            body=body,
        ),
    )
    if validated.violations:
        first = validated.violations[0]
        raise AdminRequestError(
            f"{first.location} {first.pointer}: {first.message}", [v.to_dict() for v in validated.violations]
        )
    named = validated.query.get("tenant")
    if isinstance(validated.body, dict) and "tenant" in validated.body:
        if named and named != validated.body["tenant"]:
            raise AdminRequestError("?tenant= and the body's tenant name different tenants")
        named = validated.body["tenant"]
    if context:
        if named and named != context:
            raise AdminAccessError(
                f"this control plane is scoped to tenant {context!r}: it cannot act on tenant {named!r} "
                f"(operations on other tenants need the root control plane and {ADMIN_TOKEN_HEADER})"
            )
        tenant: str | None = context
    else:
        every = op.extensions.get("x-harness-root-default") == "all"
        tenant = named or (None if every else DEFAULT_TENANT)
    return AdminRequest(operation_id, tenant, context, validated.body, validated.query)


def _check_token(world: World, req: Request, context: str | None) -> None:
    if context and not world.access.remote:
        return
    sent = req.headers.get(ADMIN_TOKEN_HEADER)
    if world.access.token_matches(sent):
        return
    where = (
        "this harness is exposed beyond loopback (--allow-remote): every control operation needs"
        if world.access.remote
        else "the root control plane (no /_t/<tenant> prefix) needs"
    )
    hint = "; or act on one tenant under /_t/<tenant>/__admin" if not world.access.remote else ""
    message = (
        f"{where} the admin token in {ADMIN_TOKEN_HEADER} (printed by `signup-harness serve` and written to "
        f"--urls-json as admin_token){hint}"
    )
    raise AdminAccessError(
        message if sent is None else "wrong admin token: " + message, status=401 if not sent else 403
    )


def guard_blueprint(blueprint: Blueprint, world: World) -> Blueprint:
    """Put a control-plane blueprint behind `admit` and the control plane's own JSON errors."""

    @blueprint.before_request
    def check() -> None:
        g.admin = admit(world, request)

    @blueprint.errorhandler(HarnessError)
    def misuse(error: HarnessError) -> tuple[Response, int]:
        return jsonify(error.to_dict()), error.status

    @blueprint.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response, int]:
        current_app.logger.error("unexpected error in the control plane: %s", type(error).__name__)
        body = {"harness_error": {"message": "the control plane failed unexpectedly", "type": type(error).__name__}}
        return jsonify(body), 500

    return blueprint


def current() -> AdminRequest:
    return g.admin  # type: ignore[no-any-return]


def admin_blueprint(world: World, vendor: str, extra: Any = None) -> Blueprint:
    control = Control(world)
    admin = guard_blueprint(Blueprint("admin", __name__, url_prefix="/__admin"), world)

    @admin.get("/health", endpoint="getHealth")
    def health() -> Response:
        return jsonify(status="ok", vendor=vendor)

    @admin.get("/ready", endpoint="getReady")
    def ready() -> tuple[Response, int]:
        return jsonify(ready=world.ready, vendor=vendor), 200 if world.ready else 503

    @admin.get("/clock", endpoint="getClock")
    def clock() -> Response:
        return jsonify(now=world.clock.now(), iso=world.clock.iso())

    @admin.post("/clock/advance", endpoint="advanceClock")
    def advance() -> Response:
        now = control.advance_clock(current().body["seconds"])
        return jsonify(now=now, iso=world.clock.iso())

    @admin.post("/reset", endpoint="resetWorld")
    def reset() -> Response:
        tenant = current().tenant
        control.reset(tenant)
        return jsonify(reset=tenant or "all")

    @admin.post("/seed", endpoint="seedTenant")
    def seed() -> Response:
        tenant = current().one_tenant
        return jsonify(tenant=tenant, created=control.seed(current().body, tenant))

    @admin.get("/journal", endpoint="getJournal")
    def journal() -> Response:
        query = current().query
        filters: dict[str, Any] = {k: query[k] for k in ("vendor", "operation", "since", "direction") if k in query}
        if current().tenant is not None:
            filters["tenant"] = current().tenant
        return jsonify(entries=control.journal(**filters), limit=world.journal.limit)

    @admin.delete("/journal", endpoint="clearJournal")
    def clear_journal() -> Response:
        control.clear_journal(current().tenant)
        return jsonify(cleared=True)

    @admin.get("/faults", endpoint="listFaults")
    def faults() -> Response:
        return jsonify(faults=control.faults(current().one_tenant))

    @admin.post("/faults", endpoint="armFault")
    def arm_fault() -> tuple[Response, int]:
        return jsonify(armed=control.arm_fault(current().body, current().one_tenant).to_dict()), 201

    @admin.delete("/faults", endpoint="clearFaults")
    def clear_faults() -> Response:
        control.clear_faults(current().one_tenant)
        return jsonify(cleared=True)

    @admin.get("/webhooks", endpoint="getWebhooks")
    def webhooks() -> Response:
        return jsonify(control.webhooks(current().one_tenant))

    @admin.post("/webhooks/faults", endpoint="armDeliveryFault")
    def arm_delivery_fault() -> tuple[Response, int]:
        return jsonify(armed=control.arm_delivery_fault(current().body, current().one_tenant).to_dict()), 201

    @admin.delete("/webhooks/faults", endpoint="clearDeliveryFaults")
    def clear_delivery_faults() -> Response:
        control.clear_delivery_faults(current().one_tenant)
        return jsonify(cleared=True)

    @admin.post("/signups", endpoint="completeSignup")
    def signup() -> tuple[Response, int]:
        return jsonify(control.complete_signup(current().body, current().one_tenant)), 201

    @admin.post("/scenarios/<scenario_id>", endpoint="armScenario")
    def arm_scenario(scenario_id: str) -> tuple[Response, int]:
        if world.scenario_armer is None:
            raise HarnessError("this harness was started without the scenario catalogue")
        return jsonify(world.scenario_armer(scenario_id, current().one_tenant)), 201

    register_inspection_routes(admin, world, current)  # world, tenants, scenarios, timeline (the live view's)
    if extra is not None:
        extra(admin, control)
    return admin
