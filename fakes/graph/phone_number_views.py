"""Thin views of a phone number's registration: `POST /{phone-number-id}/register` and `/deregister`. The rules
(PENDING -> CONNECTED, the 1330xx errors) are in phone_numbers.py."""

from __future__ import annotations

from flask import Response

from fakes.core.pipeline import current_exchange
from fakes.core.world import World

from . import phone_numbers
from .nodes import Nodes
from .view_support import Route, caller, count_waba, json_answer, tenant


def phone_number_routes(world: World) -> list[Route]:
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
            return json_answer({"success": True})

    def deregister_phone_number(version: str, phone_number_id: str) -> Response:
        with world.lock:
            nodes = Nodes(tenant())
            who = caller()
            phone = nodes.phone(who, phone_number_id, "post")
            count_waba(phone.waba_id)
            phone_numbers.deregister_phone_number(tenant(), phone_number_id)
            return json_answer({"success": True})

    return [
        ("/<version:version>/<node:phone_number_id>/register", "registerPhoneNumber", register_phone_number, "POST"),
        (
            "/<version:version>/<node:phone_number_id>/deregister",
            "deregisterPhoneNumber",
            deregister_phone_number,
            "POST",
        ),
    ]
