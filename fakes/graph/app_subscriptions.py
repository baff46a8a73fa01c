"""`/{app-id}/subscriptions`: an app's webhook subscriptions (Graph API reference, app/subscriptions).

POST subscribes the app to `fields` of an `object` (for WhatsApp, `whatsapp_business_account`) at
`callback_url`. Meta first sends its verification request (fakes/graph/verification.py) and stores nothing unless
the callback echoes the challenge. Fields add to the ones already subscribed; a POST without `callback_url`
changes the fields of an existing subscription without a new verification. GET lists the subscriptions, DELETE
removes all of them, one object's, or some fields of one object. Only the app's own app token
(`APP_ID|APP_SECRET` or one from `client_credentials`) may call it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fakes.core.world import AppSubscription, MetaApp, Tenant

from . import errors
from .errors import GraphError
from .tokens import AppToken, Tokens

WABA_OBJECT = "whatsapp_business_account"
# The objects Graph's app subscriptions take (the reference's list); only WhatsApp's ever deliver here.
OBJECTS = (
    "user",
    "page",
    "permissions",
    "payments",
    "application",
    "instagram",
    "certificate_transparency",
    WABA_OBJECT,
)
# The whatsapp_business_account webhook fields Meta documents (webhooks reference, "Fields").
WABA_FIELDS = frozenset(
    {
        "account_alerts",
        "account_review_update",
        "account_settings_update",
        "account_update",
        "automatic_events",
        "business_capability_update",
        "business_status_update",
        "calls",
        "flows",
        "history",
        "message_echoes",
        "message_template_components_update",
        "message_template_quality_update",
        "message_template_status_update",
        "messages",
        "messaging_handovers",
        "partner_solutions",
        "payment_configuration_update",
        "phone_number_name_update",
        "phone_number_quality_update",
        "security",
        "smb_app_state_sync",
        "smb_message_echoes",
        "template_category_update",
        "tracking_events",
        "user_preferences",
    }
)


def app_token_only() -> GraphError:
    """A user or system-user token on an app-token edge (Graph's code 15)."""
    return GraphError("(#15) This method must be called with an app access_token.", 15)


def subscribing_app(tenant: Tenant, app_id: str, token: str | None, method: str) -> MetaApp:
    """The app whose subscriptions `token` may manage: its own app token, nothing else."""
    app = tenant.meta.apps.get(app_id)
    caller = Tokens(tenant).find(token)
    if caller is None:
        raise errors.invalid_token(status=400)
    problem = Tokens(tenant).problem(caller)
    if problem is not None:
        problem.status = 400
        raise problem
    if not isinstance(caller, AppToken):
        raise app_token_only()
    if app is None or caller.app.id != app_id:
        raise errors.unknown_object(app_id, method)
    return app


def parse_fields(raw: Any) -> list[str]:
    """`fields` as Graph reads it: a comma list, or a JSON array (as a string or a JSON body's list)."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str) and raw.strip().startswith("["):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise errors.invalid_parameter("fields", "must be a list of field names") from exc
    items = raw if isinstance(raw, list) else str(raw).split(",")
    names = [str(item).strip() for item in items if str(item).strip()]
    return list(dict.fromkeys(names))


def _flag(raw: Any, default: bool) -> bool:
    if raw is None or raw == "":
        return default
    return raw is True or str(raw).lower() in ("true", "1")


@dataclass
class Plan:
    """A POST, checked: what to store, and whether Meta verifies the callback first."""

    object: str
    callback_url: str
    verify_token: str
    fields: list[str]
    include_values: bool
    verify: bool


def plan(app: MetaApp, params: dict[str, Any]) -> Plan:
    """Check a POST's parameters against Graph's rules (no outbound call yet)."""
    obj = str(params.get("object") or "")
    if not obj:
        raise errors.missing_parameter("object")
    if obj not in OBJECTS:
        raise errors.invalid_parameter("object", f"must be one of {{{', '.join(OBJECTS)}}}")
    fields = parse_fields(params.get("fields"))
    unknown = [f for f in fields if obj == WABA_OBJECT and f not in WABA_FIELDS]
    if unknown:
        raise errors.invalid_parameter("fields", f"has a field {WABA_OBJECT} does not have: {unknown[0][:64]}")
    existing = app.webhooks.get(obj)
    callback_url = str(params.get("callback_url") or "")
    verify_token = str(params.get("verify_token") or "")
    if not callback_url and existing is None:
        raise errors.missing_parameter("callback_url")
    if callback_url and not verify_token:
        raise errors.missing_parameter("verify_token")
    if not fields and existing is None:
        raise errors.missing_parameter("fields")
    include = _flag(params.get("include_values"), existing.include_values if existing else True)
    if not callback_url:
        assert existing is not None
        return Plan(obj, existing.callback_url, existing.verify_token, fields, include, verify=False)
    return Plan(obj, callback_url, verify_token, fields, include, verify=True)


def store(app: MetaApp, planned: Plan, version: str) -> dict[str, Any]:
    """Keep a subscription whose callback passed verification (or needed none)."""
    existing = app.webhooks.get(planned.object)
    fields = dict(existing.fields) if existing else {}
    for name in planned.fields:
        fields.setdefault(name, version)
    app.webhooks[planned.object] = AppSubscription(
        object=planned.object,
        callback_url=planned.callback_url,
        verify_token=planned.verify_token,
        fields=fields,
        include_values=planned.include_values,
    )
    return {"success": True}


def listing(app: MetaApp) -> dict[str, Any]:
    """The GET body: each object's callback, whether it is active, and its fields with their versions."""
    return {
        "data": [
            {
                "object": sub.object,
                "callback_url": sub.callback_url,
                "active": sub.active,
                "fields": [{"name": name, "version": version} for name, version in sub.fields.items()],
            }
            for sub in app.webhooks.values()
        ]
    }


def delete(app: MetaApp, obj: str | None, raw_fields: Any) -> dict[str, Any]:
    """Remove every subscription, one object's, or some of its fields (the object goes with its last field)."""
    if not obj:
        app.webhooks.clear()
        return {"success": True}
    if obj not in OBJECTS:
        raise errors.invalid_parameter("object", f"must be one of {{{', '.join(OBJECTS)}}}")
    fields = parse_fields(raw_fields)
    existing = app.webhooks.get(obj)
    if existing is None:
        return {"success": True}
    if not fields:
        del app.webhooks[obj]
        return {"success": True}
    for name in fields:
        existing.fields.pop(name, None)
    if not existing.fields:
        del app.webhooks[obj]
    return {"success": True}


def subscribed_to(app: MetaApp, field: str, obj: str = WABA_OBJECT) -> AppSubscription | None:
    """The app's active subscription that covers `field` of `obj`, or None (then Meta sends it nothing)."""
    sub = app.webhooks.get(obj)
    if sub is None or not sub.active or field not in sub.fields:
        return None
    return sub
