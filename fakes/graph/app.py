"""Thin Flask views of the Graph fake: parse, one call into the Graph rules, serialize.

Every view goes through `_serve`: the version that serves the call (`versions.py`), then for calls with a token:
who is calling (`tokens.py`), `appsecret_proof`, the app's call budget (`limits.py`) and the app's permissions.
The rules live in `tokens.py`, `nodes.py`, `phone_numbers.py` and `subscriptions.py`; the app's webhook
subscriptions have their views in `webhook_views.py`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.routing import BaseConverter

from fakes.core.errors import VendorError
from fakes.core.faults import Fault
from fakes.core.openapi import CompiledSpec, Violation
from fakes.core.pipeline import current_exchange, json_response
from fakes.core.world import Tenant, World

from . import errors, limits, phone_numbers, subscriptions, versions
from .errors import GraphError
from .nodes import PHONE_TYPE, WABA_TYPE, Nodes
from .tokens import MANAGEMENT, AppToken, Caller, Tokens
from .webhook_views import webhook_routes

JSON_UTF8 = "application/json; charset=UTF-8"
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


def _param(name: str) -> str | None:
    """A parameter from the query or a form body, as Graph reads either."""
    value = request.args.get(name)
    if value is None and request.mimetype == "application/x-www-form-urlencoded":
        value = request.form.get(name)
    return value


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


def _usage() -> dict[str, str]:
    if "graph_usage" not in g:
        g.graph_usage = {}
    return g.graph_usage  # type: ignore[no-any-return]


def _basic_client() -> dict[str, str]:
    """client_id/client_secret from `Authorization: Basic` (how requests-oauthlib's fetch_token sends them)."""
    auth = request.headers.get("Authorization", "")
    if auth[:6].lower() != "basic ":
        return {}
    try:
        client_id, _, secret = base64.b64decode(auth[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return {}
    return {"client_id": client_id, "client_secret": secret}


def register_views(app: Flask, world: World) -> None:
    def tenant() -> Tenant:
        return current_exchange().tenant

    def caller(permission: str | None = MANAGEMENT) -> Caller:
        """Who calls, checked: token (190), appsecret_proof (100), the app's budget (4), App Review (10)."""
        tokens = Tokens(tenant())
        value = bearer_or_query_token()
        found = tokens.authenticate(value)
        if permission and isinstance(found, AppToken):
            raise errors.invalid_token()  # WhatsApp nodes take a user or system-user token, not an app token
        tokens.check_proof(found, value or "", _param("appsecret_proof"))
        meta_app = found.app if isinstance(found, AppToken) else tenant().meta.apps.get(found.app_id)
        if meta_app is not None:
            limits.count_app_call(tenant(), meta_app, _usage())
            if permission and permission in meta_app.denied_permissions:
                raise errors.app_lacks_permission(permission)
        return found

    def count_waba(waba_id: str) -> None:
        waba = tenant().meta.wabas.get(waba_id)
        if waba is not None:
            limits.count_waba_call(tenant(), waba, _usage())

    def access_token(version: str | None = None) -> Response:
        params: dict[str, Any] = {**_basic_client(), **current_exchange().raw_query}
        body = current_exchange().body
        if isinstance(body, dict):
            params.update({k: v for k, v in body.items() if isinstance(v, str)})
        with world.lock:
            meta_app = tenant().meta.apps.get(str(params.get("client_id") or ""))
            if meta_app is not None:
                limits.count_app_call(tenant(), meta_app, _usage())
            return _json(Tokens(tenant()).access_token(params))

    def debug_token(version: str | None = None) -> Response:
        with world.lock:
            body = Tokens(tenant()).debug_token(bearer_or_query_token() or "", current_exchange().query["input_token"])
        return _json(body)

    def get_me(version: str) -> Response:
        with world.lock:
            who = caller(permission=None)
            return _json(Nodes(tenant()).me(who, current_exchange().query.get("fields")))

    def list_my_permissions(version: str) -> Response:
        with world.lock:
            return _json(Nodes(tenant()).permissions(caller(permission=None)))

    def get_node(version: str, node_id: str) -> Response:
        with world.lock:
            nodes = Nodes(tenant())
            kind = nodes.type_of(node_id)
            who = caller(permission=MANAGEMENT if kind in (WABA_TYPE, PHONE_TYPE) else None)
            if kind == WABA_TYPE:
                count_waba(node_id)
            return _json(nodes.get(who, node_id, current_exchange().query.get("fields")))

    def update_phone_number(version: str, node_id: str) -> Response:
        body = current_exchange().body or {}
        with world.lock:
            nodes = Nodes(tenant())
            who = caller()
            if nodes.type_of(node_id) != PHONE_TYPE:
                raise errors.unknown_object(node_id, "post")
            phone = nodes.phone(who, node_id, "post")
            count_waba(phone.waba_id)
            if "pin" not in body:
                raise errors.missing_parameter("pin")
            phone_numbers.set_two_step_pin(tenant(), node_id, str(body["pin"]))
            return _json({"success": True})

    def list_waba_phone_numbers(version: str, waba_id: str) -> Response:
        q = current_exchange().query
        with world.lock:
            nodes = Nodes(tenant())
            who = caller()
            _edge_on(nodes, waba_id, "phone_numbers")
            waba = nodes.waba(who, waba_id)
            count_waba(waba_id)
            keep = {name: _param(name) or "" for name in ("access_token", "fields", "limit", "filtering")}
            page_url = f"{request.host_url.rstrip('/')}{request.script_root}/{version}/{waba_id}/phone_numbers"
            body = nodes.list_phone_numbers(
                waba,
                q.get("fields"),
                q.get("limit"),
                q.get("after"),
                q.get("before"),
                q.get("filtering"),
                page_url,
                keep,
            )
        return _json(body)

    def list_subscribed_apps(version: str, waba_id: str) -> Response:
        with world.lock:
            nodes = Nodes(tenant())
            who = caller()
            _edge_on(nodes, waba_id, "subscribed_apps")
            waba = nodes.waba(who, waba_id)
            count_waba(waba_id)
            return _json({"data": subscriptions.subscribed_app_entries(tenant().meta, waba)})

    def subscribe_app(version: str, waba_id: str) -> Response:
        body = current_exchange().body if isinstance(current_exchange().body, dict) else {}
        with world.lock:
            nodes = Nodes(tenant())
            who = caller()
            waba = nodes.waba(who, waba_id, "post")
            count_waba(waba_id)
            app_id = who.app.id if isinstance(who, AppToken) else who.app_id
            override = body.get("override_callback_uri") or _param("override_callback_uri")
            verify = body.get("verify_token") or _param("verify_token")
            return _json(subscriptions.subscribe(tenant(), waba, app_id, override, verify))

    def unsubscribe_app(version: str, waba_id: str) -> Response:
        with world.lock:
            nodes = Nodes(tenant())
            who = caller()
            waba = nodes.waba(who, waba_id, "delete")
            count_waba(waba_id)
            app_id = who.app.id if isinstance(who, AppToken) else who.app_id
            return _json(subscriptions.unsubscribe(waba, app_id))

    def register_phone_number(version: str, phone_number_id: str) -> Response:
        body = current_exchange().body or {}
        with world.lock:
            nodes = Nodes(tenant())
            who = caller()
            phone = nodes.phone(who, phone_number_id, "post")
            count_waba(phone.waba_id)
            phone_numbers.register_phone_number(
                tenant(), phone_number_id, str(body["pin"]), body.get("data_localization_region")
            )
            return _json({"success": True})

    def deregister_phone_number(version: str, phone_number_id: str) -> Response:
        with world.lock:
            nodes = Nodes(tenant())
            who = caller()
            phone = nodes.phone(who, phone_number_id, "post")
            count_waba(phone.waba_id)
            phone_numbers.deregister_phone_number(tenant(), phone_number_id)
            return _json({"success": True})

    routes: list[tuple[str, str, Callable[..., Response], str]] = [
        ("/<version:version>/oauth/access_token", "exchangeCode", access_token, "GET"),
        ("/oauth/access_token", "exchangeCodeUnversioned", access_token, "GET"),
        ("/<version:version>/oauth/access_token", "postAccessToken", access_token, "POST"),
        ("/oauth/access_token", "postAccessTokenUnversioned", access_token, "POST"),
        ("/<version:version>/debug_token", "debugToken", debug_token, "GET"),
        ("/debug_token", "debugTokenUnversioned", debug_token, "GET"),
        ("/<version:version>/me", "getMe", get_me, "GET"),
        ("/<version:version>/me/permissions", "listMyPermissions", list_my_permissions, "GET"),
        ("/<version:version>/<node:node_id>", "getNode", get_node, "GET"),
        ("/<version:version>/<node:node_id>", "updatePhoneNumber", update_phone_number, "POST"),
        ("/<version:version>/<node:waba_id>/phone_numbers", "listWabaPhoneNumbers", list_waba_phone_numbers, "GET"),
        ("/<version:version>/<node:waba_id>/subscribed_apps", "listSubscribedApps", list_subscribed_apps, "GET"),
        ("/<version:version>/<node:waba_id>/subscribed_apps", "subscribeApp", subscribe_app, "POST"),
        ("/<version:version>/<node:waba_id>/subscribed_apps", "unsubscribeApp", unsubscribe_app, "DELETE"),
        ("/<version:version>/<node:phone_number_id>/register", "registerPhoneNumber", register_phone_number, "POST"),
        (
            "/<version:version>/<node:phone_number_id>/deregister",
            "deregisterPhoneNumber",
            deregister_phone_number,
            "POST",
        ),
    ]
    routes += webhook_routes(world)  # /{app-id}/subscriptions (fakes/graph/webhook_views.py)
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


def _edge_on(nodes: Nodes, node_id: str, edge: str) -> None:
    """An edge of the WABA asked of another node type: Graph's nonexisting-field error for that type."""
    kind = nodes.type_of(node_id)
    if kind is not None and kind != WABA_TYPE:
        raise errors.nonexisting_field(edge, kind)


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
