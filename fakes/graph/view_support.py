"""What the Graph fake's views share: who is calling, checked (token, appsecret_proof, the app's budget, App Review),
the WABA's call count, a token or parameter read off the request, and the JSON answer. Plain functions of the
request being served (`current_exchange()`), called by the view modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, g, request

from fakes.core.pipeline import current_exchange, json_response
from fakes.core.world import Tenant

from . import errors, limits
from .nodes import WABA_TYPE, Nodes
from .tokens import MANAGEMENT, AppToken, Caller, Tokens

JSON_UTF8 = "application/json; charset=UTF-8"
Route = tuple[str, str, Callable[..., Response], str]  # rule, endpoint (the operationId), view, method


def tenant() -> Tenant:
    return current_exchange().tenant


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


def param(name: str) -> str | None:
    """A parameter from the query or a form body, as Graph reads either."""
    value = request.args.get(name)
    if value is None and request.mimetype == "application/x-www-form-urlencoded":
        value = request.form.get(name)
    return value


def json_answer(body: dict[str, Any], status: int = 200) -> Response:
    return json_response(body, status, JSON_UTF8)


def usage() -> dict[str, str]:
    if "graph_usage" not in g:
        g.graph_usage = {}
    return g.graph_usage  # type: ignore[no-any-return]


def caller(permission: str | None = MANAGEMENT) -> Caller:
    """Who calls, checked: token (190), appsecret_proof (100), the app's budget (4), App Review (10)."""
    tokens = Tokens(tenant())
    value = bearer_or_query_token()
    found = tokens.authenticate(value)
    if permission and isinstance(found, AppToken):
        raise errors.invalid_token()  # WhatsApp nodes take a user or system-user token, not an app token
    tokens.check_proof(found, value or "", param("appsecret_proof"))
    meta_app = found.app if isinstance(found, AppToken) else tenant().meta.apps.get(found.app_id)
    if meta_app is not None:
        limits.count_app_call(tenant(), meta_app, usage())
        if permission and permission in meta_app.denied_permissions:
            raise errors.app_lacks_permission(permission)
    return found


def count_waba(waba_id: str) -> None:
    waba = tenant().meta.wabas.get(waba_id)
    if waba is not None:
        limits.count_waba_call(tenant(), waba, usage())


def edge_on(nodes: Nodes, node_id: str, edge: str) -> None:
    """An edge of the WABA asked of another node type: Graph's nonexisting-field error for that type."""
    kind = nodes.type_of(node_id)
    if kind is not None and kind != WABA_TYPE:
        raise errors.nonexisting_field(edge, kind)
