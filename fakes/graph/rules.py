"""Meta Graph's rules over the world: code exchange, token debugging and the WhatsApp nodes.

Plain Python (no Flask): each method takes already-validated arguments and returns the JSON body Graph would
send, or raises a `GraphError` from `errors.py`.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from fakes.core.world import AccessToken, MetaApp, PhoneNumber, Tenant, Waba

from . import errors

CODE_TTL_SECONDS = 30.0  # Meta: "The exchangeable token code has a time-to-live of 30 seconds"
TOKEN_LIFETIME_SECONDS = 5_184_000  # business tokens from Embedded Signup: 60 days
DEFAULT_PAGE_LIMIT = 25
WHATSAPP_SCOPES = ("whatsapp_business_management", "whatsapp_business_messaging")
WABA_FIELDS = {
    "id",
    "name",
    "currency",
    "timezone_id",
    "message_template_namespace",
    "account_review_status",
    "business_verification_status",
    "country",
    "ownership_type",
}
WABA_DEFAULT_FIELDS = ("id", "name", "currency", "timezone_id", "message_template_namespace")
PHONE_FIELDS = {
    "id",
    "display_phone_number",
    "verified_name",
    "code_verification_status",
    "quality_rating",
    "platform_type",
    "status",
    "throughput",
}
PHONE_DEFAULT_FIELDS = (
    "verified_name",
    "code_verification_status",
    "display_phone_number",
    "quality_rating",
    "platform_type",
    "throughput",
    "id",
)


class AppToken:
    """`APP_ID|APP_SECRET`: what partners pass to debug_token."""

    def __init__(self, app: MetaApp) -> None:
        self.app = app


class GraphRules:
    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.meta = tenant.meta

    @property
    def now(self) -> float:
        return self.tenant.clock.now()

    # -- OAuth --------------------------------------------------------------------------------------------
    def exchange_code(
        self, client_id: str, client_secret: str, code: str, redirect_uri: str | None = None
    ) -> dict[str, Any]:
        app = self.meta.apps.get(client_id)
        if app is None:
            raise errors.unknown_app()
        if client_secret != app.secret:
            raise errors.wrong_secret()
        grant = self.meta.codes.get(code)
        if grant is None or grant.app_id != app.id:
            raise errors.invalid_code()
        if grant.used_at is not None:
            raise errors.code_used()
        if self.now > grant.issued_at + grant.ttl:
            raise errors.code_expired()
        if (redirect_uri or None) != grant.redirect_uri:
            raise errors.redirect_uri_mismatch()
        grant.used_at = self.now
        token = self.mint_token(app.id, grant.waba_ids, user_id=grant.user_id)
        return {
            "access_token": token.value,
            "token_type": "bearer",
            "expires_in": int(token.expires_at - self.now),
        }

    def mint_token(self, app_id: str, waba_ids: list[str], user_id: str | None = None) -> AccessToken:
        token = AccessToken(
            value=self.tenant.ids.access_token(),
            app_id=app_id,
            user_id=user_id or self.meta.user_id,
            type="USER",
            granular_scopes={scope: list(waba_ids) for scope in WHATSAPP_SCOPES},
            issued_at=self.now,
            expires_at=self.now + TOKEN_LIFETIME_SECONDS,
        )
        self.meta.tokens[token.value] = token
        self.tenant.remember_credential(token.value)
        return token

    def debug_token(self, caller: str, input_token: str) -> dict[str, Any]:
        try:
            caller_token = self.authenticate(caller)
        except errors.GraphError as exc:  # an expired caller token: debug_token answers caller errors with 400
            exc.status = 400
            raise
        if caller_token is None:
            raise errors.invalid_token(status=400)
        caller_app = caller_token.app.id if isinstance(caller_token, AppToken) else caller_token.app_id
        subject = self.authenticate(input_token, allow_expired=True)
        if subject is None:
            return {
                "data": {
                    "error": {
                        "code": 190,
                        "message": "Invalid OAuth access token - Cannot parse access token",
                    },
                    "is_valid": False,
                    "scopes": [],
                }
            }
        if isinstance(subject, AppToken):
            return {
                "data": {
                    "app_id": subject.app.id,
                    "type": "APP",
                    "application": subject.app.name,
                    "is_valid": True,
                    "scopes": [],
                }
            }
        if subject.app_id != caller_app:
            raise errors.app_token_required()
        app = self.meta.apps[subject.app_id]
        data: dict[str, Any] = {
            "app_id": subject.app_id,
            "type": subject.type,
            "application": app.name,
            "data_access_expires_at": int(subject.expires_at),
            "expires_at": int(subject.expires_at),
            "issued_at": int(subject.issued_at),
            "is_valid": subject.valid and not self._expired(subject),
            "scopes": [*subject.granular_scopes, "public_profile"],
            "granular_scopes": [
                {"scope": scope, "target_ids": list(ids)} if ids else {"scope": scope}
                for scope, ids in subject.granular_scopes.items()
            ],
            "user_id": subject.user_id,
        }
        if self._expired(subject):
            data["error"] = {
                "code": 190,
                "message": f"Error validating access token: Session has expired on {_graph_time(subject.expires_at)}.",
                "subcode": 463,
            }
        return {"data": data}

    def authenticate(self, value: str | None, allow_expired: bool = False) -> AccessToken | AppToken | None:
        if not value:
            return None
        if "|" in value:
            app_id, _, secret = value.partition("|")
            app = self.meta.apps.get(app_id)
            return AppToken(app) if app is not None and app.secret == secret else None
        token = self.meta.tokens.get(value)
        if token is None or not token.valid:
            return None
        if self._expired(token) and not allow_expired:
            raise errors.invalid_token(expired_at=_graph_time(token.expires_at))
        return token

    def _expired(self, token: AccessToken) -> bool:
        return bool(token.expires_at) and self.now >= token.expires_at

    def _user_token(self, value: str | None) -> AccessToken:
        token = self.authenticate(value)
        if not isinstance(token, AccessToken):
            raise errors.invalid_token()
        return token

    # -- WhatsApp Business Account nodes -------------------------------------------------------------------
    def _waba_for(self, token_value: str | None, waba_id: str, method: str = "get") -> Waba:
        token = self._user_token(token_value)
        waba = self.meta.wabas.get(waba_id)
        visible = any(waba_id in ids for ids in token.granular_scopes.values())
        if waba is None or not visible:
            raise errors.unknown_object(waba_id, method)
        return waba

    def get_waba(self, token: str | None, waba_id: str, fields: str | None) -> dict[str, Any]:
        waba = self._waba_for(token, waba_id)
        wanted = _fields(fields, WABA_FIELDS, WABA_DEFAULT_FIELDS, "WhatsAppBusinessAccount")
        node = {
            "id": waba.id,
            "name": waba.name,
            "currency": waba.currency,
            "timezone_id": waba.timezone_id,
            "message_template_namespace": waba.message_template_namespace,
            "account_review_status": waba.account_review_status,
            "business_verification_status": waba.business_verification_status,
            "country": waba.country,
            "ownership_type": "CLIENT_OWNED",
        }
        return {key: node[key] for key in wanted}

    def list_phone_numbers(
        self,
        token: str | None,
        waba_id: str,
        fields: str | None = None,
        limit: int | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> dict[str, Any]:
        waba = self._waba_for(token, waba_id)
        wanted = _fields(fields, PHONE_FIELDS, PHONE_DEFAULT_FIELDS, "WhatsAppBusinessPhoneNumber")
        numbers = [self.meta.phone_numbers[pid] for pid in waba.phone_number_ids]
        limit = limit or DEFAULT_PAGE_LIMIT
        start = _cursor_index(after) + 1 if after else 0
        if before:
            start = max(0, _cursor_index(before) - limit)
        page = numbers[start : start + limit]
        body: dict[str, Any] = {"data": [_phone_node(n, wanted) for n in page]}
        if page:
            paging: dict[str, Any] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(page) - 1)}}
            if start + len(page) < len(numbers):
                paging["next"] = f"/{waba_id}/phone_numbers?limit={limit}&after={_cursor(start + len(page) - 1)}"
            if start > 0:
                paging["previous"] = f"/{waba_id}/phone_numbers?limit={limit}&before={_cursor(start)}"
            body["paging"] = paging
        return body

    def list_subscribed_apps(self, token: str | None, waba_id: str) -> dict[str, Any]:
        waba = self._waba_for(token, waba_id)
        return {
            "data": [
                {
                    "whatsapp_business_api_data": {
                        "id": app_id,
                        "name": self.meta.apps[app_id].name,
                        "link": f"https://www.facebook.com/games/?app_id={app_id}",
                    }
                }
                for app_id in waba.subscribed_apps
                if app_id in self.meta.apps
            ]
        }

    def subscribe_app(self, token_value: str | None, waba_id: str) -> dict[str, Any]:
        token = self._user_token(token_value)
        waba = self._waba_for(token_value, waba_id, method="post")
        if token.app_id not in waba.subscribed_apps:
            waba.subscribed_apps.append(token.app_id)
        return {"success": True}

    def register_phone_number(self, token_value: str | None, phone_id: str, pin: str) -> dict[str, Any]:
        token = self._user_token(token_value)
        phone = self.meta.phone_numbers.get(phone_id)
        visible = phone is not None and any(phone.waba_id in ids for ids in token.granular_scopes.values())
        if phone is None or not visible:
            raise errors.unknown_object(phone_id, "post")
        if phone.registered and phone.pin not in (None, pin):
            raise errors.pin_mismatch()
        phone.registered, phone.pin = True, pin
        return {"success": True}


def _fields(raw: str | None, known: set[str], default: tuple[str, ...], node_type: str) -> list[str]:
    if not raw:
        return list(default)
    wanted = [f.strip() for f in raw.split(",") if f.strip()]
    for name in wanted:
        if name.split("{", 1)[0] not in known:
            raise errors.nonexisting_field(name, node_type)
    names = list(dict.fromkeys(name.split("{", 1)[0] for name in wanted))
    return names if "id" in names else [*names, "id"]  # Graph returns a node's id whatever fields asks for


def _phone_node(phone: PhoneNumber, wanted: list[str]) -> dict[str, Any]:
    node = {
        "id": phone.id,
        "display_phone_number": phone.display_phone_number,
        "verified_name": phone.verified_name,
        "code_verification_status": phone.code_verification_status,
        "quality_rating": phone.quality_rating,
        "platform_type": phone.platform_type,
        "status": phone.status,
        "throughput": {"level": "STANDARD" if phone.platform_type == "CLOUD_API" else "NOT_APPLICABLE"},
    }
    return {key: node[key] for key in wanted}


def _cursor(index: int) -> str:
    return base64.b64encode(str(index).encode()).decode()


def _cursor_index(cursor: str) -> int:
    try:
        return int(base64.b64decode(cursor.encode(), validate=True).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.invalid_parameter("after", "is not a valid cursor") from exc


def _graph_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%A, %d-%b-%y %H:%M:%S UTC")
