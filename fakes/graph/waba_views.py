"""Thin views of a WABA's edges: `GET /{waba-id}/phone_numbers` and `/{waba-id}/subscribed_apps` (GET, POST,
DELETE). The rules are in phone_numbers_edge.py and subscriptions.py."""

from __future__ import annotations

from flask import Response, request

from fakes.core.pipeline import current_exchange
from fakes.core.world import World

from . import subscriptions
from .nodes import Nodes
from .phone_numbers_edge import list_phone_numbers
from .tokens import AppToken
from .view_support import Route, caller, count_waba, edge_on, json_answer, param, tenant


def waba_routes(world: World) -> list[Route]:
    def list_waba_phone_numbers(version: str, waba_id: str) -> Response:
        q = current_exchange().query
        with world.lock:
            nodes = Nodes(tenant())
            who = caller()
            edge_on(nodes, waba_id, "phone_numbers")
            waba = nodes.waba(who, waba_id)
            count_waba(waba_id)
            keep = {name: param(name) or "" for name in ("access_token", "fields", "limit", "filtering")}
            page_url = f"{request.host_url.rstrip('/')}{request.script_root}/{version}/{waba_id}/phone_numbers"
            body = list_phone_numbers(
                nodes.meta,
                waba,
                q.get("fields"),
                q.get("limit"),
                q.get("after"),
                q.get("before"),
                q.get("filtering"),
                page_url,
                keep,
            )
        return json_answer(body)

    def list_subscribed_apps(version: str, waba_id: str) -> Response:
        with world.lock:
            nodes = Nodes(tenant())
            who = caller()
            edge_on(nodes, waba_id, "subscribed_apps")
            waba = nodes.waba(who, waba_id)
            count_waba(waba_id)
            return json_answer({"data": subscriptions.subscribed_app_entries(tenant().meta, waba)})

    def subscribe_app(version: str, waba_id: str) -> Response:
        body = current_exchange().body if isinstance(current_exchange().body, dict) else {}
        with world.lock:
            nodes = Nodes(tenant())
            who = caller()
            waba = nodes.waba(who, waba_id, "post")
            count_waba(waba_id)
            app_id = who.app.id if isinstance(who, AppToken) else who.app_id
            override = body.get("override_callback_uri") or param("override_callback_uri")
            verify = body.get("verify_token") or param("verify_token")
            return json_answer(subscriptions.subscribe(tenant(), waba, app_id, override, verify))

    def unsubscribe_app(version: str, waba_id: str) -> Response:
        with world.lock:
            nodes = Nodes(tenant())
            who = caller()
            waba = nodes.waba(who, waba_id, "delete")
            count_waba(waba_id)
            app_id = who.app.id if isinstance(who, AppToken) else who.app_id
            return json_answer(subscriptions.unsubscribe(waba, app_id))

    return [
        ("/<version:version>/<node:waba_id>/phone_numbers", "listWabaPhoneNumbers", list_waba_phone_numbers, "GET"),
        ("/<version:version>/<node:waba_id>/subscribed_apps", "listSubscribedApps", list_subscribed_apps, "GET"),
        ("/<version:version>/<node:waba_id>/subscribed_apps", "subscribeApp", subscribe_app, "POST"),
        ("/<version:version>/<node:waba_id>/subscribed_apps", "unsubscribeApp", unsubscribe_app, "DELETE"),
    ]
