"""Graph nodes by type: WhatsApp Business Account, phone number, app, business, user; who may see which.

`GET /{id}` resolves the id's type and answers that node, with Meta's field sets (node_fields.py; `fields.py`
projects them), `/me` and `/me/permissions` answer the token's user. The WABA and phone number bodies, derived from
the world, are in node_bodies.py; the `phone_numbers` edge in phone_numbers_edge.py. The field sets and the
edge's paging constants stay importable from here.
"""

from __future__ import annotations

from typing import Any

from fakes.core.world import MetaApp, PhoneNumber, Tenant, Waba

from . import errors, fields
from .node_bodies import phone_node, waba_node
from .node_fields import (
    APP_DEFAULT_FIELDS,
    APP_FIELDS,
    BUSINESS_DEFAULT_FIELDS,
    BUSINESS_FIELDS,
    PHONE_DEFAULT_FIELDS,
    PHONE_FIELDS,
    PHONE_TYPE,
    USER_DEFAULT_FIELDS,
    USER_FIELDS,
    WABA_DEFAULT_FIELDS,
    WABA_FIELDS,
    WABA_TYPE,
)
from .phone_numbers_edge import DEFAULT_PAGE_LIMIT, PHONE_FILTER_OPERATORS
from .tokens import AppToken, Caller, token_wabas

__all__ = [
    "APP_DEFAULT_FIELDS",
    "APP_FIELDS",
    "BUSINESS_DEFAULT_FIELDS",
    "BUSINESS_FIELDS",
    "DEFAULT_PAGE_LIMIT",
    "PHONE_DEFAULT_FIELDS",
    "PHONE_FIELDS",
    "PHONE_FILTER_OPERATORS",
    "PHONE_TYPE",
    "USER_DEFAULT_FIELDS",
    "USER_FIELDS",
    "WABA_DEFAULT_FIELDS",
    "WABA_FIELDS",
    "WABA_TYPE",
    "Nodes",
    "system_user_name",
]


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
            return fields.project(waba_node(self.meta, waba), raw_fields, WABA_FIELDS, WABA_DEFAULT_FIELDS, WABA_TYPE)
        if kind == PHONE_TYPE:
            phone = self.phone(caller, node_id)
            return fields.project(
                phone_node(self.meta, phone), raw_fields, PHONE_FIELDS, PHONE_DEFAULT_FIELDS, PHONE_TYPE
            )
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


def _app_link(app_id: str) -> str:
    return f"https://www.facebook.com/games/?app_id={app_id}"
