"""The Graph fake's Flask app: its adapter to the shared pipeline, URL converters, and the views' registration.

Every view goes through `_versioned`: the version that serves the call (`versions.py`), then for calls with a token:
who is calling (`view_support.caller`: `tokens.py`, `appsecret_proof`, the app's call budget in `limits.py`, the
app's permissions). The views are thin, by resource: token_views.py, node_views.py, waba_views.py,
phone_number_views.py and webhook_views.py (the app's webhook subscriptions); the rules live in `tokens.py`,
`nodes.py`, `phone_numbers_edge.py`, `phone_numbers.py`, `subscriptions.py` and `app_subscriptions.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.routing import BaseConverter

from fakes.core.errors import VendorError
from fakes.core.faults import Fault
from fakes.core.openapi import CompiledSpec, Violation
from fakes.core.world import Tenant, World

from . import errors, limits, versions
from .errors import GraphError
from .node_views import node_routes
from .phone_number_views import phone_number_routes
from .token_views import token_routes
from .view_support import JSON_UTF8, Route, bearer_or_query_token
from .waba_views import waba_routes
from .webhook_views import webhook_routes

__all__ = [
    "DEFAULT_VERSION",
    "JSON_UTF8",
    "GraphAdapter",
    "NodeIdConverter",
    "VersionConverter",
    "bearer_or_query_token",
    "create_graph_app",
    "register_views",
    "trace_id",
]
DEFAULT_VERSION = versions.OLDEST  # what an unversioned call is served by


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
            token = request.form.get("access_token") or request.form.get("client_id")
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
        headers = {
            "x-fb-trace-id": trace_id(tenant),
            "x-fb-request-id": tenant.ids.fb_request_id(),
            "facebook-api-version": g.get("graph_version") or _served((request.view_args or {}).get("version")),
            "x-app-usage": limits.IDLE_APP_USAGE,
            "Cache-Control": "private, no-cache, no-store, must-revalidate",
            "Pragma": "no-cache",
            "Expires": "Sat, 01 Jan 2000 00:00:00 GMT",
            "Access-Control-Allow-Origin": "*",
        }
        headers.update(g.get("graph_usage") or {})
        return headers


def _served(version: str | None) -> str:
    try:
        return versions.serving(version)
    except GraphError:
        return versions.NEWEST


def trace_id(tenant: Tenant) -> str:
    """One fbtrace id per request, shared by the header and any error body."""
    if "fbtrace_id" not in g:
        g.fbtrace_id = tenant.ids.fbtrace_id()
    return g.fbtrace_id  # type: ignore[no-any-return]


def _short_reason(violation: Violation) -> str:
    return {
        "pattern": "is not in the expected format",
        "type": "must be of the expected type",
        "enum": "must be one of the allowed values",
        "minLength": "must not be empty",
        "minimum": "is below the minimum",
        "maximum": "is above the maximum",
    }.get(violation.rule, "is invalid")


def register_views(app: Flask, world: World) -> None:
    routes: list[Route] = [
        *token_routes(world),  # /oauth/access_token, /debug_token (token_views.py)
        *node_routes(world),  # /me, /me/permissions, /{id} (node_views.py)
        *waba_routes(world),  # /{waba-id}/phone_numbers, /{waba-id}/subscribed_apps (waba_views.py)
        *phone_number_routes(world),  # /{phone-number-id}/register and /deregister (phone_number_views.py)
        *webhook_routes(world),  # /{app-id}/subscriptions (webhook_views.py)
    ]
    for rule, endpoint, view, method in routes:
        # No automatic OPTIONS: the spec declares none, so OPTIONS is an undeclared method like any other
        # (not a silent 200 journalled as a call of the operation).
        app.add_url_rule(
            rule, endpoint=endpoint, view_func=_versioned(view), methods=[method], provide_automatic_options=False
        )


def _versioned(view: Callable[..., Response]) -> Callable[..., Response]:
    """Serve the call with the version Meta would (or refuse a future one) before the view runs."""

    def serve(**kwargs: Any) -> Response:
        g.graph_version = versions.serving(kwargs.get("version"))
        return view(**kwargs)

    serve.__name__ = view.__name__
    return serve


def create_graph_app(world: World, spec: CompiledSpec, check_responses: bool = False) -> Flask:
    from fakes.core.admin import admin_blueprint
    from fakes.core.pipeline import install_pipeline, vendor_flask
    from fakes.sdk import sdk_blueprint
    from fakes.ui import ui_blueprint

    app = vendor_flask("fakes.graph")  # URL builders compiled on first use: a faster start
    app.url_map.converters["version"] = VersionConverter
    app.url_map.converters["node"] = NodeIdConverter
    app.url_map.strict_slashes = False
    register_views(app, world)
    app.register_blueprint(admin_blueprint(world, vendor="graph"))
    app.register_blueprint(sdk_blueprint(world))  # the fake JS SDK and signup popup share Graph's host
    app.register_blueprint(ui_blueprint())  # the live view, /__admin/ui
    install_pipeline(app, GraphAdapter(spec), world, check_responses=check_responses)
    return app
