"""Thin Flask views of the Telnyx fake: parse, one call into `TelnyxRules`, serialize."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask, Response, request
from werkzeug.routing import BaseConverter

from fakes.core.errors import VendorError
from fakes.core.faults import Fault
from fakes.core.openapi import CompiledSpec, Violation
from fakes.core.pipeline import current_exchange, json_response
from fakes.core.world import Tenant, World

from . import errors, hosted_signups, signup_sessions, user_data
from .errors import TelnyxError
from .hosted_page import hosted_page_blueprint
from .rules import TelnyxRules
from .serializers import page, registration_body
from .webhooks import public_key

RATE_LIMIT = 100  # requests per window reported in x-ratelimit-* (informational; 429s come from faults)
RATE_WINDOW_SECONDS = 60


class TelnyxAdapter:
    """How the shared pipeline talks Telnyx: credentials, errors[] envelope, vendor headers."""

    name = "telnyx"
    content_type = "application/json"

    def __init__(self, spec: CompiledSpec) -> None:
        self.spec = spec

    def credential(self, headers: dict[str, str], query: dict[str, str]) -> str | None:
        auth = headers.get("authorization", "")
        return auth[7:].strip() if auth[:7].lower() == "bearer " else None

    def violations_error(self, operation_id: str, violations: list[Violation]) -> TelnyxError:
        # Authentication first: a request without a valid key learns nothing about its body.
        if any(v.location == "security" for v in violations):
            return errors.authentication_failed()
        TelnyxRules(current_exchange().tenant).authenticate(request.headers.get("Authorization"))
        if any(v.location == "content-type" for v in violations):
            return errors.expected_json_content_type()
        if any(v.rule == "json" for v in violations):
            return errors.invalid_json()
        if any(v.location == "path" for v in violations):
            return errors.not_found()
        items = [_error_item(v) for v in violations]
        # An empty field is missing (10004), not also malformed: drop its pattern/type entries.
        missing = {item["source"]["pointer"] for item in items if item["code"] == "10004"}
        items = [i for i in items if i["code"] == "10004" or i.get("source", {}).get("pointer") not in missing]
        return TelnyxError(422, _dedupe(items))

    def fault_error(self, fault: Fault) -> TelnyxError:
        return errors.for_status(fault.status or 500, fault.error, fault.headers)

    def not_found(self) -> TelnyxError:
        return errors.not_found()

    def method_not_allowed(self) -> TelnyxError:
        return errors.method_not_allowed()

    def limit_error(self, status: int, reason: str) -> TelnyxError:
        """Past a limit of fakes.core.limits: Telnyx's envelope, code 10015 (docs/limits.md)."""
        return TelnyxError(status, [errors.entry("10015", f"The request failed because {reason}.")])

    def prepare(self, error: VendorError, tenant: Tenant) -> None:
        return None

    def response_headers(self, tenant: Tenant) -> dict[str, str]:
        now = tenant.clock.now()
        window = int(now // RATE_WINDOW_SECONDS)
        counter = tenant.telnyx.rate_window
        if counter[0] != window:
            counter[:] = [window, 0]
        counter[1] += 1
        request_id = tenant.ids.uuid4()
        return {
            "x-ratelimit-limit": str(RATE_LIMIT),
            "x-ratelimit-remaining": str(max(0, RATE_LIMIT - counter[1])),
            "x-ratelimit-reset": str(int((window + 1) * RATE_WINDOW_SECONDS - now) or RATE_WINDOW_SECONDS),
            "x-request-id": request_id,
            "request-id": request_id,
        }


class WabaIdConverter(BaseConverter):
    """A Telnyx WABA id segment. Not `tech_provider`: as in OpenAPI, the concrete path wins over `{id}`, so
    GET /business_accounts/tech_provider is a 405 on that path, not getWaba with id "tech_provider"."""

    regex = r"(?!tech_provider(?:/|$))[^/]+"


def _error_item(violation: Violation) -> dict[str, Any]:
    if violation.location == "query":
        return errors.bad_query_parameter(violation.pointer, "is invalid: " + violation.message)
    blank = violation.rule == "minLength" or violation.rule == "required"
    if blank:
        return errors.missing_parameter(violation.pointer.strip("/"))
    reasons = {
        "type": "has the wrong type",
        "pattern": "is not in the expected format",
        "maxLength": "is too long",
    }
    return errors.invalid_parameter_type(violation.pointer, reasons.get(violation.rule, "is invalid"))


def _dedupe(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, unique = set(), []
    for item in items:
        key = (item["code"], json.dumps(item.get("source"), sort_keys=True))
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _epoch(value: str | None) -> float | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _json(body: Any, status: int = 200) -> Response:
    return json_response(body, status)


def register_views(app: Flask, world: World) -> None:
    def rules() -> TelnyxRules:
        exchange = current_exchange()
        found = TelnyxRules(exchange.tenant)
        found.authenticate(exchange.headers.get("authorization"))
        return found

    def paging() -> tuple[int, int]:
        q = current_exchange().query
        return q.get("page[number]", 1), q.get("page[size]", 20)

    def register_tech_provider() -> Response:
        body = current_exchange().body
        with world.lock:
            registration = rules().register_tech_provider(
                body["waba_id"], body["phone_number_id"], body["app_id"], body.get("customer_id")
            )
        return _json(registration_body(registration))

    def list_wabas() -> Response:
        with world.lock:
            return _json(page(rules().list_wabas(), *paging()))

    def get_waba(id: str) -> Response:
        with world.lock:
            return _json({"data": rules().get_waba(id)})

    def delete_waba(id: str) -> Response:
        with world.lock:
            rules().delete_waba(id)
        return Response(status=204)

    def list_waba_phone_numbers(id: str) -> Response:
        with world.lock:
            return _json(page(rules().list_waba_phone_numbers(id), *paging()))

    def list_phone_numbers() -> Response:
        with world.lock:
            return _json(page(rules().list_phone_numbers(), *paging()))

    def base_url() -> str:
        """The caller's own view of this fake (host and tenant prefix), for a hosted signup's URL."""
        return request.url_root.rstrip("/")

    def get_signup_status(id: str) -> Response:
        with world.lock:
            tenant = rules().tenant
            return _json({"data": signup_sessions.session_resource(tenant, signup_sessions.get_session(tenant, id))})

    def list_signups() -> Response:
        q = current_exchange().query
        filters = {
            "waba_id": q.get("filter[waba_id]"),
            "customer_id": q.get("filter[customer_id]"),
            "gte": _epoch(q.get("filter[created_at][gte]")),
            "lte": _epoch(q.get("filter[created_at][lte]")),
        }
        with world.lock:
            tenant = rules().tenant
            found = signup_sessions.list_finished(tenant, filters)
            return _json(page([signup_sessions.session_resource(tenant, s) for s in found], *paging()))

    def create_hosted_signup() -> Response:
        with world.lock:
            tenant = rules().tenant
            hosted = hosted_signups.create_hosted_signup(tenant, current_exchange().body)
            return _json({"data": hosted_signups.hosted_resource(hosted, base_url(), created=True)})

    def list_hosted_signups() -> Response:
        with world.lock:
            tenant = rules().tenant
            items = [
                hosted_signups.hosted_resource(h, base_url()) for h in reversed(tenant.telnyx.hosted_signups.values())
            ]
            return _json(page(items, *paging()))

    def get_hosted_signup(id: str) -> Response:
        with world.lock:
            tenant = rules().tenant
            hosted = hosted_signups.get_hosted_signup(tenant, id)
            return _json({"data": hosted_signups.hosted_resource(hosted, base_url())})

    def get_user_data() -> Response:
        with world.lock:
            return _json({"data": user_data.user_data_resource(rules().tenant)})

    def update_user_data() -> Response:
        with world.lock:
            return _json({"data": user_data.update_user_data(rules().tenant, current_exchange().body)})

    base = "/v2/whatsapp"
    routes: list[tuple[str, str, Callable[..., Response], str]] = [
        (f"{base}/signup/<id>/status", "getSignupStatus", get_signup_status, "GET"),
        (f"{base}/signup", "listSignups", list_signups, "GET"),
        (f"{base}/hosted_signups", "createHostedSignup", create_hosted_signup, "POST"),
        (f"{base}/hosted_signups", "listHostedSignups", list_hosted_signups, "GET"),
        (f"{base}/hosted_signups/<id>", "getHostedSignup", get_hosted_signup, "GET"),
        (f"{base}/user_data", "getUserData", get_user_data, "GET"),
        (f"{base}/user_data", "updateUserData", update_user_data, "PATCH"),
        (f"{base}/business_accounts/tech_provider", "registerTechProvider", register_tech_provider, "POST"),
        (f"{base}/business_accounts", "listWabas", list_wabas, "GET"),
        (f"{base}/business_accounts/<waba:id>", "getWaba", get_waba, "GET"),
        (f"{base}/business_accounts/<waba:id>", "deleteWaba", delete_waba, "DELETE"),
        (
            f"{base}/business_accounts/<waba:id>/phone_numbers",
            "listWabaPhoneNumbers",
            list_waba_phone_numbers,
            "GET",
        ),
        (f"{base}/phone_numbers", "listPhoneNumbers", list_phone_numbers, "GET"),
    ]
    for rule, endpoint, view, method in routes:
        # No automatic OPTIONS: the spec declares none, so OPTIONS is an undeclared method like any other
        # (not a silent 200 journalled as a call of the operation).
        app.add_url_rule(rule, endpoint=endpoint, view_func=view, methods=[method], provide_automatic_options=False)


def create_telnyx_app(world: World, spec: CompiledSpec, check_responses: bool = False) -> Flask:
    from fakes.core.admin import admin_blueprint
    from fakes.core.pipeline import install_pipeline, vendor_flask
    from fakes.ui import ui_blueprint

    app = vendor_flask("fakes.telnyx")  # URL builders compiled on first use: a faster start
    app.url_map.strict_slashes = False
    app.url_map.converters["waba"] = WabaIdConverter
    register_views(app, world)
    world.add_ticker(signup_sessions.advance_sessions)
    world.published_keys["telnyx_public_key"] = lambda: public_key(world)
    app.register_blueprint(hosted_page_blueprint(world))
    app.register_blueprint(admin_blueprint(world, vendor="telnyx"))
    app.register_blueprint(ui_blueprint())  # the live view, /__admin/ui (also on the Graph fake's port)
    install_pipeline(app, TelnyxAdapter(spec), world, check_responses=check_responses)
    return app
