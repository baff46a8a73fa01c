"""`/{waba-id}/subscribed_apps`: which apps get a WABA's webhooks, and where (an override callback).

POST subscribes the token's app (again is harmless); with `override_callback_uri` + `verify_token` it sends that
WABA's webhooks to the override instead, which needs the app subscribed first; POST without an override removes
it. DELETE unsubscribes. The override URL is verified first (Meta's hub.challenge, the 2200-family errors:
`verify_override`, fakes/graph/verification.py).
"""

from __future__ import annotations

from typing import Any

from fakes.core.world import MetaState, Tenant, Waba

from . import errors, verification


def verify_override(tenant: Tenant, app_id: str, uri: str, verify_token: str) -> None:
    """Meta calls the override URL with a hub.challenge before accepting it (fakes/graph/verification.py):
    the 2200-family errors when it does not answer 200 with the challenge."""
    verification.verify_callback(tenant, uri, verify_token)


def subscribed_app_entries(meta: MetaState, waba: Waba) -> list[dict[str, Any]]:
    """The GET body's `data`: each subscribed app, with its override callback when it has one."""
    entries = []
    for app_id in waba.subscribed_apps:
        app = meta.apps.get(app_id)
        if app is None:
            continue
        entry: dict[str, Any] = {
            "whatsapp_business_api_data": {
                "id": app_id,
                "name": app.name,
                "link": f"https://www.facebook.com/games/?app_id={app_id}",
            }
        }
        override = waba.subscription_overrides.get(app_id)
        if override:
            entry["override_callback_uri"] = override["override_callback_uri"]
        entries.append(entry)
    return entries


def subscribe(
    tenant: Tenant, waba: Waba, app_id: str, override_callback_uri: str | None, verify_token: str | None
) -> dict[str, Any]:
    if override_callback_uri:
        if app_id not in waba.subscribed_apps:
            raise errors.override_before_subscribe()
        if not verify_token:
            raise errors.missing_parameter("verify_token")
        verify_override(tenant, app_id, override_callback_uri, verify_token)
        waba.subscription_overrides = {
            **waba.subscription_overrides,
            app_id: {"override_callback_uri": override_callback_uri, "verify_token": verify_token},
        }
        mine = [e for e in subscribed_app_entries(tenant.meta, waba) if e["whatsapp_business_api_data"]["id"] == app_id]
        return {"success": True, "data": mine}
    if app_id not in waba.subscribed_apps:
        waba.subscribed_apps = tenant.appended(waba.subscribed_apps, app_id)
    drop_override(waba, app_id)
    return {"success": True}


def unsubscribe(waba: Waba, app_id: str) -> dict[str, Any]:
    waba.subscribed_apps = tuple(a for a in waba.subscribed_apps if a != app_id)
    drop_override(waba, app_id)
    return {"success": True}


def drop_override(waba: Waba, app_id: str) -> None:
    if app_id in waba.subscription_overrides:
        waba.subscription_overrides = {k: v for k, v in waba.subscription_overrides.items() if k != app_id}
