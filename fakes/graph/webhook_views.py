"""Thin views of the app's webhook subscriptions (`/{version}/{app-id}/subscriptions`), added to the Graph fake's
routes by fakes/graph/app.py. The rules are in app_subscriptions.py and verification.py.

Meta's verification request runs between two holds of the world's lock, so a partner's callback that calls the
fakes back while it answers the challenge does not wait on the request that verifies it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, g, request

from fakes.core.pipeline import current_exchange, json_response
from fakes.core.world import Tenant, World

from . import app_subscriptions, limits, verification

JSON_UTF8 = "application/json; charset=UTF-8"
PARAMS = ("object", "callback_url", "fields", "verify_token", "include_values")


def _token() -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    body = current_exchange().body
    from_body = body.get("access_token") if isinstance(body, dict) else None
    return current_exchange().raw_query.get("access_token") or (str(from_body) if from_body else None)


def _params() -> dict[str, Any]:
    """The parameters from the query, a form body or a JSON body, as Graph reads any of them."""
    params: dict[str, Any] = {k: v for k, v in current_exchange().raw_query.items() if k in PARAMS}
    body = current_exchange().body
    if isinstance(body, dict):
        params.update({k: v for k, v in body.items() if k in PARAMS})
    return params


def webhook_routes(world: World) -> list[tuple[str, str, Callable[..., Response], str]]:
    def tenant() -> Tenant:
        return current_exchange().tenant

    def subscribing_app(app_id: str, method: str) -> Any:
        app = app_subscriptions.subscribing_app(tenant(), app_id, _token(), method)
        usage = g.graph_usage = g.get("graph_usage") or {}
        limits.count_app_call(tenant(), app, usage)
        return app

    def create_app_subscription(version: str, app_id: str) -> Response:
        with world.lock:
            app = subscribing_app(app_id, "post")
            planned = app_subscriptions.plan(app, _params())
        if planned.verify:
            verification.verify_callback(tenant(), planned.callback_url, planned.verify_token)
        with world.lock:
            body = app_subscriptions.store(app, planned, g.graph_version)
        return json_response(body, 200, JSON_UTF8)

    def list_app_subscriptions(version: str, app_id: str) -> Response:
        with world.lock:
            body = app_subscriptions.listing(subscribing_app(app_id, "get"))
        return json_response(body, 200, JSON_UTF8)

    def delete_app_subscriptions(version: str, app_id: str) -> Response:
        params = _params()
        with world.lock:
            app = subscribing_app(app_id, "delete")
            body = app_subscriptions.delete(app, params.get("object"), params.get("fields"))
        return json_response(body, 200, JSON_UTF8)

    rule = "/<version:version>/<node:app_id>/subscriptions"
    return [
        (rule, "createAppSubscription", create_app_subscription, "POST"),
        (rule, "listAppSubscriptions", list_app_subscriptions, "GET"),
        (rule, "deleteAppSubscriptions", delete_app_subscriptions, "DELETE"),
    ]
