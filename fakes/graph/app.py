"""Thin Flask views of the Graph fake: parse, one call into `GraphRules`, serialize.

Routes accept `/vNN.N/...` and, for the OAuth and debug endpoints, unversioned paths, as Graph does; the
`facebook-api-version` header echoes the version used (unversioned calls report DEFAULT_VERSION).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.routing import BaseConverter

from fakes.core.errors import VendorError
from fakes.core.faults import Fault
from fakes.core.openapi import CompiledSpec, Violation
from fakes.core.pipeline import current_exchange, json_response
from fakes.core.world import Tenant, World

from . import errors
from .errors import GraphError
from .rules import GraphRules

DEFAULT_VERSION = "v19.0"
JSON_UTF8 = "application/json; charset=UTF-8"


class VersionConverter(BaseConverter):
    regex = r"v\d+\.\d+"


class NodeIdConverter(BaseConverter):
    regex = r"\d+"


class GraphAdapter:
    """How the shared pipeline talks Graph: credentials, error envelope, vendor headers."""

    name = "graph"
    content_type = JSON_UTF8

    def __init__(self, spec: CompiledSpec) -> None:
        self.spec = spec

    def credential(self, headers: dict[str, str], query: dict[str, str]) -> str | None:
        auth = headers.get("authorization", "")
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else query.get("access_token")
        if not token and request.mimetype == "application/x-www-form-urlencoded":
            token = request.form.get("access_token")
        if token and "|" in token:
            return token.split("|", 1)[0]
        return token or query.get("code") or query.get("client_id")

    def violations_error(self, operation_id: str, violations: list[Violation]) -> GraphError:
        first = violations[0]
        name = first.pointer.strip("/") or "body"
        if first.location == "security":
            return GraphError("An access token is required to request this resource.", 104)
        if first.rule == "required":
            return errors.missing_parameter(name)
        if first.location == "content-type":
            return errors.invalid_parameter("content-type", f"must be one of: {first.message[9:]}")
        if first.rule == "json":
            return errors.invalid_parameter("body", "must be valid JSON")
        if first.location == "body" and name == "pin":  # the catalogue's wording for a malformed register PIN
            return errors.invalid_parameter("pin", "must be 6 digits")
        return errors.invalid_parameter(name, _short_reason(first))

    def fault_error(self, fault: Fault) -> GraphError:
        return errors.for_status(fault.status or 500, fault.error)

    def not_found(self) -> GraphError:
        return errors.unknown_path()

    def method_not_allowed(self) -> GraphError:
        return errors.method_not_allowed()

    def limit_error(self, status: int, reason: str) -> GraphError:
        """Past a limit of fakes.core.limits: Graph's envelope, code 100 (docs/limits.md)."""
        return errors.GraphError(f"(#100) Invalid request: {reason}", 100, status=status)

    def prepare(self, error: VendorError, tenant: Tenant) -> None:
        if isinstance(error, GraphError):
            error.fbtrace_id = trace_id(tenant)

    def response_headers(self, tenant: Tenant) -> dict[str, str]:
        version = (request.view_args or {}).get("version") or DEFAULT_VERSION
        return {
            "x-fb-trace-id": trace_id(tenant),
            "x-fb-request-id": tenant.ids.fb_request_id(),
            "facebook-api-version": version,
            "Cache-Control": "private, no-cache, no-store, must-revalidate",
            "Pragma": "no-cache",
            "Expires": "Sat, 01 Jan 2000 00:00:00 GMT",
            "Access-Control-Allow-Origin": "*",
        }


def trace_id(tenant: Tenant) -> str:
    """One fbtrace id per request, shared by the header and any error body."""
    if "fbtrace_id" not in g:
        g.fbtrace_id = tenant.ids.fbtrace_id()
    return g.fbtrace_id  # type: ignore[no-any-return]


def bearer_or_query_token() -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    token = request.args.get("access_token")
    if token:
        return token
    if request.mimetype == "application/x-www-form-urlencoded":
        return request.form.get("access_token")
    return None


def _short_reason(violation: Violation) -> str:
    return {
        "pattern": "is not in the expected format",
        "type": "must be of the expected type",
        "enum": "must be one of the allowed values",
        "minLength": "must not be empty",
        "minimum": "is below the minimum",
        "maximum": "is above the maximum",
    }.get(violation.rule, "is invalid")


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return json_response(body, status, JSON_UTF8)


def register_views(app: Flask, world: World) -> None:
    def rules() -> GraphRules:
        return GraphRules(current_exchange().tenant)

    def exchange_code(version: str | None = None) -> Response:
        q = current_exchange().query
        with world.lock:
            body = rules().exchange_code(q["client_id"], q["client_secret"], q["code"], q.get("redirect_uri"))
        return _json(body)

    def debug_token(version: str | None = None) -> Response:
        with world.lock:
            body = rules().debug_token(bearer_or_query_token() or "", current_exchange().query["input_token"])
        return _json(body)

    def get_waba(version: str, waba_id: str) -> Response:
        with world.lock:
            return _json(rules().get_waba(bearer_or_query_token(), waba_id, current_exchange().query.get("fields")))

    def list_waba_phone_numbers(version: str, waba_id: str) -> Response:
        q = current_exchange().query
        with world.lock:
            body = rules().list_phone_numbers(
                bearer_or_query_token(),
                waba_id,
                q.get("fields"),
                q.get("limit"),
                q.get("after"),
                q.get("before"),
            )
        paging = body.get("paging", {})
        for key in ("next", "previous"):  # Graph pages by absolute URL (the spec's `format: uri`)
            if key in paging:
                paging[key] = f"{request.url_root.rstrip('/')}/{version}{paging[key]}"
        return _json(body)

    def list_subscribed_apps(version: str, waba_id: str) -> Response:
        with world.lock:
            return _json(rules().list_subscribed_apps(bearer_or_query_token(), waba_id))

    def subscribe_app(version: str, waba_id: str) -> Response:
        with world.lock:
            return _json(rules().subscribe_app(bearer_or_query_token(), waba_id))

    def register_phone_number(version: str, phone_number_id: str) -> Response:
        body = current_exchange().body or {}
        with world.lock:
            return _json(rules().register_phone_number(bearer_or_query_token(), phone_number_id, body["pin"]))

    routes: list[tuple[str, str, Callable[..., Response], str]] = [
        ("/<version:version>/oauth/access_token", "exchangeCode", exchange_code, "GET"),
        ("/oauth/access_token", "exchangeCodeUnversioned", exchange_code, "GET"),
        ("/<version:version>/debug_token", "debugToken", debug_token, "GET"),
        ("/debug_token", "debugTokenUnversioned", debug_token, "GET"),
        ("/<version:version>/<node:waba_id>", "getWaba", get_waba, "GET"),
        (
            "/<version:version>/<node:waba_id>/phone_numbers",
            "listWabaPhoneNumbers",
            list_waba_phone_numbers,
            "GET",
        ),
        (
            "/<version:version>/<node:waba_id>/subscribed_apps",
            "listSubscribedApps",
            list_subscribed_apps,
            "GET",
        ),
        ("/<version:version>/<node:waba_id>/subscribed_apps", "subscribeApp", subscribe_app, "POST"),
        (
            "/<version:version>/<node:phone_number_id>/register",
            "registerPhoneNumber",
            register_phone_number,
            "POST",
        ),
    ]
    for rule, endpoint, view, method in routes:
        # No automatic OPTIONS: the spec declares none, so OPTIONS is an undeclared method like any other
        # (not a silent 200 journalled as a call of the operation).
        app.add_url_rule(rule, endpoint=endpoint, view_func=view, methods=[method], provide_automatic_options=False)


def create_graph_app(world: World, spec: CompiledSpec, check_responses: bool = False) -> Flask:
    from fakes.core.admin import admin_blueprint
    from fakes.core.pipeline import install_pipeline
    from fakes.sdk import sdk_blueprint
    from fakes.ui import ui_blueprint

    app = Flask("fakes.graph")
    app.url_map.converters["version"] = VersionConverter
    app.url_map.converters["node"] = NodeIdConverter
    app.url_map.strict_slashes = False
    register_views(app, world)
    app.register_blueprint(admin_blueprint(world, vendor="graph"))
    app.register_blueprint(sdk_blueprint(world))  # the fake JS SDK and signup popup share Graph's host
    app.register_blueprint(ui_blueprint())  # the live view, /__admin/ui
    install_pipeline(app, GraphAdapter(spec), world, check_responses=check_responses)
    return app
