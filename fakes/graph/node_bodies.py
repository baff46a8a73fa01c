"""The bodies of the WABA and phone number nodes, every value derived from the world so they stay coherent.

`health_status` from the app, WABA, business and number; `status`/`platform_type`/`throughput` from the number's
registration; `is_on_biz_app` and the messaging tier for coexistence numbers; the certificate once the display name
is approved; `webhook_configuration` from an override callback. nodes.py and phone_numbers_edge.py project them.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from fakes.core.world import MetaState, PhoneNumber, Waba

from .subscriptions import subscribed_app_entries


def waba_node(meta: MetaState, waba: Waba) -> dict[str, Any]:
    business = meta.businesses.get(waba.business_id)
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
        "health_status": waba_health(meta, waba),
        "owner_business_info": {"id": waba.business_id, "name": business.name if business else waba.name},
        "is_enabled_for_insights": True,
        "creation_time": int(waba.created_at),
        "subscribed_apps": {"data": subscribed_app_entries(meta, waba)},
        "marketing_messages_lite_api_status": "INELIGIBLE",
        "marketing_messages_onboarding_status": "INELIGIBLE_COUNTRY_NOT_SUPPORTED",
        "disable_marketing_messages_on_cloud_api": False,
        "is_shared_with_partners": bool(waba.shared_with),
        "template_auto_archival_enabled": False,
    }


def phone_node(meta: MetaState, phone: PhoneNumber) -> dict[str, Any]:
    waba = meta.wabas.get(phone.waba_id)
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
        "health_status": phone_health(meta, phone, waba),
        "certificate": _certificate(phone) if connected and phone.name_status == "APPROVED" else None,
        "last_onboarded_time": _iso(phone.last_onboarded_time),
        "country_code": country,
        "country_dial_code": dial_code,
        "messaging_limit_tier": tier,
        "whatsapp_business_manager_messaging_limit": tier,
    }


# -- health --------------------------------------------------------------------------------------------------
def _entities(meta: MetaState, waba: Waba | None) -> list[dict[str, Any]]:
    entities = []
    if waba is not None:
        entities.append(_entity("WABA", waba.id, waba.account_review_status == "APPROVED"))
        business = meta.businesses.get(waba.business_id)
        if business is not None:
            entities.append(_entity("BUSINESS", business.id, True))
        for app_id in sorted(waba.shared_with):
            app = meta.apps.get(app_id)
            if app is not None:
                limited = app.mode != "live" or not app.installed
                entities.append(_entity("APP", app.id, not limited, limited_only=True))
    return entities


def waba_health(meta: MetaState, waba: Waba) -> dict[str, Any]:
    entities = _entities(meta, waba)
    return {"can_send_message": _worst(entities), "entities": entities}


def phone_health(meta: MetaState, phone: PhoneNumber, waba: Waba | None) -> dict[str, Any]:
    mine = _entity("PHONE_NUMBER", phone.id, phone.registered and phone.status == "CONNECTED")
    if mine["can_send_message"] == "BLOCKED":
        mine["errors"] = [
            {
                "error_code": 141000,
                "error_description": "The phone number is not registered with the Cloud API.",
                "possible_solution": "Register the phone number: POST /{phone-number-id}/register.",
            }
        ]
    entities = [mine, *_entities(meta, waba)]
    return {"can_send_message": _worst(entities), "entities": entities}


def _entity(kind: str, entity_id: str, ok: bool, limited_only: bool = False) -> dict[str, Any]:
    state = "AVAILABLE" if ok else ("LIMITED" if limited_only else "BLOCKED")
    return {"entity_type": kind, "id": entity_id, "can_send_message": state}


def _worst(entities: list[dict[str, Any]]) -> str:
    states = {e["can_send_message"] for e in entities}
    return "BLOCKED" if "BLOCKED" in states else "LIMITED" if "LIMITED" in states else "AVAILABLE"


# -- derived values ------------------------------------------------------------------------------------------
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
