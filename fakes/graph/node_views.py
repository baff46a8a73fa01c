"""Thin views of the node itself: `GET /{id}` (answered by the id's type), `POST /{id}` (a phone number's two-step
PIN), `/me` and `/me/permissions`. The rules are in nodes.py and phone_numbers.py."""

from __future__ import annotations

from flask import Response

from fakes.core.pipeline import current_exchange
from fakes.core.world import World

from . import errors, phone_numbers
from .nodes import PHONE_TYPE, WABA_TYPE, Nodes
from .tokens import MANAGEMENT
from .view_support import Route, caller, count_waba, json_answer, tenant


def node_routes(world: World) -> list[Route]:
    def get_me(version: str) -> Response:
        with world.lock:
            who = caller(permission=None)
            return json_answer(Nodes(tenant()).me(who, current_exchange().query.get("fields")))

    def list_my_permissions(version: str) -> Response:
        with world.lock:
            return json_answer(Nodes(tenant()).permissions(caller(permission=None)))

    def get_node(version: str, node_id: str) -> Response:
        with world.lock:
            nodes = Nodes(tenant())
            kind = nodes.type_of(node_id)
            who = caller(permission=MANAGEMENT if kind in (WABA_TYPE, PHONE_TYPE) else None)
            if kind == WABA_TYPE:
                count_waba(node_id)
            return json_answer(nodes.get(who, node_id, current_exchange().query.get("fields")))

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
            return json_answer({"success": True})

    return [
        ("/<version:version>/me", "getMe", get_me, "GET"),
        ("/<version:version>/me/permissions", "listMyPermissions", list_my_permissions, "GET"),
        ("/<version:version>/<node:node_id>", "getNode", get_node, "GET"),
        ("/<version:version>/<node:node_id>", "updatePhoneNumber", update_phone_number, "POST"),
    ]
