"""GET/PATCH /v2/whatsapp/user_data: the account's webhook URL and failover URL for signup events."""

from __future__ import annotations

from typing import Any

from fakes.core.world import Tenant

from . import errors
from .serializers import iso


def user_data_resource(tenant: Tenant) -> dict[str, Any]:
    data = tenant.telnyx.user_data
    return {
        "record_type": "whatsapp_user_data",
        "webhook_url": data.webhook_url,
        "webhook_failover_url": data.webhook_failover_url,
        "created_at": iso(data.created_at) if data.created_at is not None else None,
        "updated_at": iso(data.updated_at) if data.updated_at is not None else None,
    }


def update_user_data(tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    """Set the URLs given (an empty string clears one). A target the harness may not call is refused here,
    where the partner can see it, rather than failing silently at delivery time."""
    data = tenant.telnyx.user_data
    changes: dict[str, str | None] = {}
    for name in ("webhook_url", "webhook_failover_url"):
        if name in body:
            value = body[name] or None
            if value is not None:
                problem = tenant.world.outbound.target_problem(value)
                if problem is not None:
                    raise errors.invalid_parameter(f"/{name}", f"can not receive webhooks: {problem}")
            changes[name] = value
    now = tenant.clock.now()
    for name, value in changes.items():
        setattr(data, name, value)
    data.created_at = data.created_at if data.created_at is not None else now
    data.updated_at = now
    return user_data_resource(tenant)
