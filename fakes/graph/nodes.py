"""Graph nodes by type: WhatsApp Business Account, phone number, app, business, user; the `phone_numbers` edge.

`GET /{id}` resolves the id's type and answers that node, with Meta's field sets (`fields.py` projects them).
Values are derived from the world so they stay coherent: `health_status` from the app, WABA, business and number,
`status`/`platform_type`/`throughput` from the number's registration, `is_on_biz_app` for coexistence numbers.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from fakes.core.world import MetaApp, PhoneNumber, Tenant, Waba

from . import errors, fields
from .subscriptions import subscribed_app_entries
from .tokens import AppToken, Caller, token_wabas

DEFAULT_PAGE_LIMIT = 25
WABA_TYPE, PHONE_TYPE = "WhatsAppBusinessAccount", "WhatsAppBusinessPhoneNumber"
# Meta's WhatsAppBusinessAccount fields (Graph reference; facebook-business's adobject; pywa's requests).
WABA_FIELDS = frozenset(
    [
        "id",
        "name",
        "currency",
        "timezone_id",
        "message_template_namespace",
        "account_review_status",
        "business_verification_status",
        "country",
        "ownership_type",
        "status",
        "health_status",
        "owner_business_info",
        "on_behalf_of_business_info",
        "owner_business",
        "is_enabled_for_insights",
        "creation_time",
        "primary_business_location",
        "primary_funding_id",
        "purchase_order_number",
        "subscribed_apps",
        "marketing_messages_lite_api_status",
        "marketing_messages_onboarding_status",
        "disable_marketing_messages_on_cloud_api",
        "is_shared_with_partners",
        "linked_commerce_account",
        "analytics",
        "auth_international_rate_eligibility",
        "marketing_messages_ad_account",
        "service_pricing_policy",
        "template_auto_archival_enabled",
        "whatsapp_business_manager_messaging_limit",
        "whatsapp_manager_marketing_messages_max_price_enroll_status",
    ]
)
WABA_DEFAULT_FIELDS = ("id", "name", "currency", "timezone_id", "message_template_namespace")
PHONE_FIELDS = frozenset(
    [
        "id",
        "display_phone_number",
        "verified_name",
        "code_verification_status",
        "quality_rating",
        "quality_score",
        "platform_type",
        "status",
        "throughput",
        "name_status",
        "new_name_status",
        "account_mode",
        "is_on_biz_app",
        "is_official_business_account",
        "official_business_account",
        "is_pin_enabled",
        "is_preverified_number",
        "search_visibility",
        "conversational_automation",
        "webhook_configuration",
        "health_status",
        "certificate",
        "new_certificate",
        "last_onboarded_time",
        "country_code",
        "country_dial_code",
        "messaging_limit_tier",
        "whatsapp_business_manager_messaging_limit",
        "eligibility_for_api_business_global_search",
        "new_display_name",
    ]
)
PHONE_DEFAULT_FIELDS = (
    "verified_name",
    "code_verification_status",
    "display_phone_number",
    "quality_rating",
    "platform_type",
    "throughput",
    "id",
)
APP_FIELDS = frozenset({"id", "name", "link", "category", "namespace"})
APP_DEFAULT_FIELDS = ("link", "name", "id")
BUSINESS_FIELDS = frozenset({"id", "name", "verification_status", "link", "timezone_id"})
BUSINESS_DEFAULT_FIELDS = ("id", "name")
USER_FIELDS = frozenset({"id", "name"})
USER_DEFAULT_FIELDS = ("name", "id")
PHONE_FILTER_OPERATORS = ("EQUAL", "NOT_EQUAL", "IN", "NOT_IN")


def system_user_name(app: MetaApp | None) -> str:
    """The name of an app's business-integration system user (our choice: Meta does not document it)."""
    return f"{app.name if app else 'App'} System User"


class Nodes:
    """Node reads of one tenant, for an already authenticated caller."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.meta = tenant.meta

    # -- access --------------------------------------------------------------------------------------------
    def sees_waba(self, caller: Caller, waba_id: str) -> bool:
        return not isinstance(caller, AppToken) and waba_id in token_wabas(caller)

    def waba(self, caller: Caller, waba_id: str, method: str = "get") -> Waba:
        """The WABA if the token was granted it; else 200 or 100/33 (see `_app_has`)."""
        waba = self.meta.wabas.get(waba_id)
        if waba is None or not self.sees_waba(caller, waba_id):
            if waba is not None and self._app_has(caller, waba):
                raise errors.permission_error(waba_id)
            raise errors.unknown_object(waba_id, method)
        return waba

    def phone(self, caller: Caller, phone_id: str, method: str = "get") -> PhoneNumber:
        phone = self.meta.phone_numbers.get(phone_id)
        if phone is None or not self.sees_waba(caller, phone.waba_id):
            waba = self.meta.wabas.get(phone.waba_id) if phone is not None else None
            if waba is not None and self._app_has(caller, waba):
                raise errors.permission_error(phone_id)
            raise errors.unknown_object(phone_id, method)
        return phone

    def _app_has(self, caller: Caller, waba: Waba) -> bool:
        """The token was granted the WABA's business but not this WABA (the customer left it out): code 200.
        Anything else the token cannot see is 100/33, as Meta answers for another customer's WABA."""
        return not isinstance(caller, AppToken) and waba.business_id in caller.business_ids

    def type_of(self, node_id: str) -> str | None:
        if node_id in self.meta.wabas:
            return WABA_TYPE
        if node_id in self.meta.phone_numbers:
            return PHONE_TYPE
        if node_id in self.meta.apps:
            return "Application"
        if node_id in self.meta.businesses:
            return "Business"
        if node_id == self.meta.user_id or any(t.user_id == node_id for t in self.meta.tokens.values()):
            return "User"
        return None

    # -- GET /{id} -----------------------------------------------------------------------------------------
    def get(self, caller: Caller, node_id: str, raw_fields: str | None) -> dict[str, Any]:
        kind = self.type_of(node_id)
        if kind == WABA_TYPE:
            waba = self.waba(caller, node_id)
            return fields.project(self.waba_node(waba), raw_fields, WABA_FIELDS, WABA_DEFAULT_FIELDS, WABA_TYPE)
        if kind == PHONE_TYPE:
            phone = self.phone(caller, node_id)
            return fields.project(self.phone_node(phone), raw_fields, PHONE_FIELDS, PHONE_DEFAULT_FIELDS, PHONE_TYPE)
        if kind == "Application":
            app = self.meta.apps[node_id]
            node = {"id": app.id, "name": app.name, "link": _app_link(app.id), "category": "Business"}
            return fields.project(node, raw_fields, APP_FIELDS, APP_DEFAULT_FIELDS, "Application")
        if kind == "Business" and self._sees_business(caller, node_id):
            business = self.meta.businesses[node_id]
            node = {
                "id": business.id,
                "name": business.name,
                "link": f"https://business.facebook.com/settings/info?business_id={business.id}",
                "verification_status": self._business_verification(business.id),
            }
            return fields.project(node, raw_fields, BUSINESS_FIELDS, BUSINESS_DEFAULT_FIELDS, "Business")
        if kind == "User" and not isinstance(caller, AppToken) and caller.user_id == node_id:
            return self.me(caller, raw_fields)
        raise errors.unknown_object(node_id, "get")

    def me(self, caller: Caller, raw_fields: str | None) -> dict[str, Any]:
        if isinstance(caller, AppToken):
            raise errors.GraphError(
                "An active access token must be used to query information about the current user.",
                2500,
                www_authenticate="invalid_request",
            )
        app = self.meta.apps.get(caller.app_id)
        name = system_user_name(app) if caller.type == "SYSTEM_USER" else "Customer Admin"
        node = {"id": caller.user_id, "name": name}
        return fields.project(node, raw_fields, USER_FIELDS, USER_DEFAULT_FIELDS, "User")

    def permissions(self, caller: Caller) -> dict[str, Any]:
        if isinstance(caller, AppToken):
            return self.me(caller, None)  # raises Meta's "active access token" error
        from .tokens import scopes

        app = self.meta.apps[caller.app_id]
        return {"data": [{"permission": scope, "status": "granted"} for scope in scopes(app)]}

    def _sees_business(self, caller: Caller, business_id: str) -> bool:
        if isinstance(caller, AppToken):
            return False
        return business_id in caller.business_ids or any(
            self.meta.wabas[w].business_id == business_id for w in token_wabas(caller) if w in self.meta.wabas
        )

    def _business_verification(self, business_id: str) -> str:
        wabas = [w for w in self.meta.wabas.values() if w.business_id == business_id]
        return wabas[0].business_verification_status if wabas else "not_verified"

    # -- node bodies ---------------------------------------------------------------------------------------
    def waba_node(self, waba: Waba) -> dict[str, Any]:
        business = self.meta.businesses.get(waba.business_id)
        return {
            "id": waba.id,
            "name": waba.name,
            "currency": waba.currency,
            "timezone_id": waba.timezone_id,
            "message_template_namespace": waba.message_template_namespace,
            "account_review_status": waba.account_review_status,
            "business_verification_status": waba.business_verification_status,
            "country": waba.country,
            "ownership_type": "CLIENT_OWNED",
            "status": "ACTIVE",
            "health_status": self.waba_health(waba),
            "owner_business_info": {"id": waba.business_id, "name": business.name if business else waba.name},
            "is_enabled_for_insights": True,
            "creation_time": int(waba.created_at),
            "subscribed_apps": {"data": subscribed_app_entries(self.meta, waba)},
            "marketing_messages_lite_api_status": "INELIGIBLE",
            "marketing_messages_onboarding_status": "INELIGIBLE_COUNTRY_NOT_SUPPORTED",
            "disable_marketing_messages_on_cloud_api": False,
            "is_shared_with_partners": bool(waba.shared_with),
            "template_auto_archival_enabled": False,
        }

    def phone_node(self, phone: PhoneNumber) -> dict[str, Any]:
        waba = self.meta.wabas.get(phone.waba_id)
        connected = phone.registered and phone.status == "CONNECTED"
        tier = "TIER_250" if not phone.is_on_biz_app else "TIER_1K"
        dial_code, country = ("1", "US") if phone.e164.startswith("+1") else (None, None)
        override = _waba_override(waba)
        return {
            "id": phone.id,
            "display_phone_number": phone.display_phone_number,
            "verified_name": phone.verified_name,
            "code_verification_status": phone.code_verification_status,
            "quality_rating": phone.quality_rating,
            "quality_score": {"score": phone.quality_rating},
            "platform_type": phone.platform_type,
            "status": phone.status,
            "throughput": {"level": "STANDARD" if phone.platform_type == "CLOUD_API" else "NOT_APPLICABLE"},
            "name_status": phone.name_status,
            "account_mode": phone.account_mode,
            "is_on_biz_app": phone.is_on_biz_app,
            "is_official_business_account": False,
            "official_business_account": {"oba_status": "NOT_STARTED"},
            "is_pin_enabled": phone.pin is not None,
            "is_preverified_number": False,
            "search_visibility": "NON_VISIBLE",
            "conversational_automation": {
                "id": phone.id,
                "enable_welcome_message": False,
                "prompts": [],
                "commands": [],
            },
            "webhook_configuration": {"whatsapp_business_account": override} if override else None,
            "health_status": self.phone_health(phone, waba),
            "certificate": _certificate(phone) if connected and phone.name_status == "APPROVED" else None,
            "last_onboarded_time": _iso(phone.last_onboarded_time),
            "country_code": country,
            "country_dial_code": dial_code,
            "messaging_limit_tier": tier,
            "whatsapp_business_manager_messaging_limit": tier,
        }

    # -- health --------------------------------------------------------------------------------------------
    def _entities(self, waba: Waba | None) -> list[dict[str, Any]]:
        entities = []
        if waba is not None:
            entities.append(_entity("WABA", waba.id, waba.account_review_status == "APPROVED"))
            business = self.meta.businesses.get(waba.business_id)
            if business is not None:
                entities.append(_entity("BUSINESS", business.id, True))
            for app_id in sorted(waba.shared_with):
                app = self.meta.apps.get(app_id)
                if app is not None:
                    limited = app.mode != "live" or not app.installed
                    entities.append(_entity("APP", app.id, not limited, limited_only=True))
        return entities

    def waba_health(self, waba: Waba) -> dict[str, Any]:
        entities = self._entities(waba)
        return {"can_send_message": _worst(entities), "entities": entities}

    def phone_health(self, phone: PhoneNumber, waba: Waba | None) -> dict[str, Any]:
        mine = _entity("PHONE_NUMBER", phone.id, phone.registered and phone.status == "CONNECTED")
        if mine["can_send_message"] == "BLOCKED":
            mine["errors"] = [
                {
                    "error_code": 141000,
                    "error_description": "The phone number is not registered with the Cloud API.",
                    "possible_solution": "Register the phone number: POST /{phone-number-id}/register.",
                }
            ]
        entities = [mine, *self._entities(waba)]
        return {"can_send_message": _worst(entities), "entities": entities}

    # -- GET /{waba}/phone_numbers -------------------------------------------------------------------------
    def list_phone_numbers(
        self,
        waba: Waba,
        raw_fields: str | None,
        limit: int | None,
        after: str | None,
        before: str | None,
        filtering: str | None,
        page_url: str,
        keep: dict[str, str],
    ) -> dict[str, Any]:
        """One page; `page_url` and `keep` (access_token, fields, limit, filtering) build `next`/`previous`."""
        numbers = [self.meta.phone_numbers[pid] for pid in waba.phone_number_ids]
        nodes = [self.phone_node(n) for n in numbers]
        if filtering:
            nodes = [n for n in nodes if _matches(n, _filters(filtering))]
        limit = limit or DEFAULT_PAGE_LIMIT
        start = _cursor_index(after, "after") + 1 if after else 0
        if before:
            start = max(0, _cursor_index(before, "before") - limit)
        page = nodes[start : start + limit]
        data = [fields.project(n, raw_fields, PHONE_FIELDS, PHONE_DEFAULT_FIELDS, PHONE_TYPE) for n in page]
        body: dict[str, Any] = {"data": data}
        if page:
            first, last = _cursor(start), _cursor(start + len(page) - 1)
            paging: dict[str, Any] = {"cursors": {"before": first, "after": last}}
            query = {k: v for k, v in keep.items() if v}
            query.setdefault("limit", str(limit))
            if start + len(page) < len(nodes):
                paging["next"] = _url(page_url, {**query, "after": last})
            if start > 0:
                paging["previous"] = _url(page_url, {**query, "before": first})
            body["paging"] = paging
        return body


def _url(base: str, query: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return f"{base}?{urlencode(query)}"


def _filters(raw: str) -> list[dict[str, Any]]:
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise errors.invalid_parameter("filtering", "must be a JSON array") from None
    if not isinstance(parsed, list) or not all(isinstance(f, dict) for f in parsed):
        raise errors.invalid_parameter("filtering", "must be a JSON array of {field, operator, value}")
    for item in parsed:
        if item.get("field") not in PHONE_FIELDS:
            raise errors.invalid_parameter("filtering", f"names an unknown field {str(item.get('field'))[:40]!r}")
        if item.get("operator") not in PHONE_FILTER_OPERATORS:
            raise errors.invalid_parameter("filtering", f"operator must be one of {', '.join(PHONE_FILTER_OPERATORS)}")
    return parsed


def _matches(node: dict[str, Any], filters: list[dict[str, Any]]) -> bool:
    for item in filters:
        value, wanted, operator = node.get(item["field"]), item.get("value"), item["operator"]
        values = wanted if isinstance(wanted, list) else [wanted]
        hit = str(value) in [str(v) for v in values] if operator in ("IN", "NOT_IN") else str(value) == str(wanted)
        if operator.startswith("NOT") == hit:
            return False
    return True


def _entity(kind: str, entity_id: str, ok: bool, limited_only: bool = False) -> dict[str, Any]:
    state = "AVAILABLE" if ok else ("LIMITED" if limited_only else "BLOCKED")
    return {"entity_type": kind, "id": entity_id, "can_send_message": state}


def _worst(entities: list[dict[str, Any]]) -> str:
    states = {e["can_send_message"] for e in entities}
    return "BLOCKED" if "BLOCKED" in states else "LIMITED" if "LIMITED" in states else "AVAILABLE"


def _waba_override(waba: Waba | None) -> str | None:
    if waba is None:
        return None
    for app_id in waba.subscribed_apps:
        override = waba.subscription_overrides.get(app_id)
        if override:
            return override["override_callback_uri"]
    return None


def _certificate(phone: PhoneNumber) -> str:
    """A stand-in for the base64 certificate Meta issues once the display name is approved."""
    return base64.b64encode(f"harness-certificate:{phone.id}:{phone.verified_name}".encode()).decode()


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _app_link(app_id: str) -> str:
    return f"https://www.facebook.com/games/?app_id={app_id}"


def _cursor(index: int) -> str:
    return base64.b64encode(str(index).encode()).decode()


def _cursor_index(cursor: str, name: str) -> int:
    try:
        return int(base64.b64decode(cursor.encode(), validate=True).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.invalid_parameter(name, "is not a valid cursor") from exc
