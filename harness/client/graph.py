"""The three Meta Graph calls of the onboarding, each validating the answer's shape.

GET /{v}/oauth/access_token        exchangeCode           code -> business token
GET /{v}/debug_token               debugToken             token -> granular scopes (WABA ids)
GET /{v}/{waba_id}/phone_numbers   listWabaPhoneNumbers   WABA -> its phone numbers (with appsecret_proof)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from typing import Any
from urllib.parse import quote

from .config import ClientConfig
from .errors import InvalidAccessToken, OnboardingError
from .mapping import VendorFault, error_from_fault
from .redaction import Redactor
from .transport import Call, Reply, Transport
from .values import as_code, as_id, as_object, as_text

VENDOR = "graph"
WABA_SCOPE = "whatsapp_business_management"
# Meta renamed the scopes debug_token reports in June 2026: the WABAs now come under this one.
WABA_SCOPES = (WABA_SCOPE, "whatsapp_business_manage_events")
_QUOTED = re.compile(r'"([^"]*)"')


class GraphApi:
    def __init__(self, config: ClientConfig, transport: Transport, redactor: Redactor) -> None:
        self._config = config
        self._transport = transport
        self._redactor = redactor

    def exchange_code(self, code: str) -> str:
        """Exchange the Embedded Signup code for a business token (no redirect_uri unless configured)."""
        params = {"client_id": self._config.app_id, "client_secret": self._config.app_secret, "code": code}
        if self._config.redirect_uri:
            params["redirect_uri"] = self._config.redirect_uri
        reply = self._get("exchangeCode", "oauth/access_token", params=params, secrets=(code,))
        body = _object(reply)
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise reply.malformed("no access_token string in the body")
        return token

    def debug_token(self, token: str) -> dict[str, Any]:
        """Inspect `token` with the app token; raises when Graph says the token is not valid or not ours."""
        params = {"input_token": token, "access_token": self._config.app_token}
        reply = self._get("debugToken", "debug_token", params=params, secrets=(token,))
        data = _object(reply).get("data")
        if not isinstance(data, dict):
            raise reply.malformed("'data' is not an object")
        if data.get("is_valid") is not True:
            raise self._invalid_token(reply, data)
        app_id = data.get("app_id")
        if app_id is not None and str(app_id) != self._config.app_id:
            raise InvalidAccessToken(
                "graph debugToken: the token was issued to another app",
                vendor=VENDOR,
                operation="debugToken",
                http_status=reply.status,
                trace_id=reply.trace_id,
                attempts=reply.attempts,
                redactor=reply.call.redactor,
            )
        try:
            waba_ids_from_debug(data)
        except ValueError as exc:
            raise reply.malformed(str(exc)) from None
        return data

    def list_phone_numbers(self, token: str, waba_id: str) -> list[dict[str, Any]]:
        """The WABA's phone numbers (first page), each with a string `id`."""
        if not waba_id:
            raise ValueError("waba_id is required")
        path = f"{quote(str(waba_id), safe='')}/phone_numbers"
        headers = {"Authorization": f"Bearer {token}"}
        params = {"appsecret_proof": appsecret_proof(self._config.app_secret, token)}
        reply = self._get(
            "listWabaPhoneNumbers", path, params=params, headers=headers, secrets=(token, params["appsecret_proof"])
        )
        data = _object(reply).get("data")
        if not isinstance(data, list):
            raise reply.malformed("'data' is not a list")
        numbers = []
        for entry in data:
            number_id = as_id(entry.get("id")) if isinstance(entry, dict) else None
            if number_id is None:
                raise reply.malformed("a phone number entry has no id")
            numbers.append({**entry, "id": number_id})
        return numbers

    def _get(
        self,
        operation: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        secrets: tuple[str, ...] = (),
    ) -> Reply:
        call = Call(
            vendor=VENDOR,
            operation=operation,
            method="GET",
            url=f"{self._config.graph_root}/{path}",
            params=params,
            headers=headers,
            redactor=self._redactor.with_secrets(*secrets),
        )
        reply = self._transport.send(call)
        if not reply.ok:
            raise error_from_fault(fault_from_reply(reply), call.redactor)
        return reply

    def _invalid_token(self, reply: Reply, data: dict[str, Any]) -> OnboardingError:
        """debug_token answers 200 for a bad input_token, with data.error{code,message,subcode}."""
        error = as_object(data.get("error"))
        fault = VendorFault(
            vendor=VENDOR,
            operation="debugToken",
            http_status=reply.status,
            code=as_code(error.get("code")) or "190",
            subcode=as_code(error.get("subcode")),
            message=as_text(error.get("message")) or "token is not valid",
            trace_id=reply.trace_id,
            attempts=reply.attempts,
        )
        return error_from_fault(fault, reply.call.redactor)


def appsecret_proof(app_secret: str, token: str) -> str:
    """Meta's proof that a server call comes from the app: HMAC-SHA256(app secret, token), hex. Sent with every
    user-token call, so apps that require it ("Require App Secret") work too."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def fault_from_reply(reply: Reply) -> VendorFault:
    """Read Graph's envelope `{"error":{"message","type","code","error_subcode","fbtrace_id"}}`."""
    try:
        body = reply.response.json()
    except ValueError:
        body = None
    error = as_object(as_object(body).get("error"))
    extra = ("error_user_title", "error_user_msg", "is_transient")
    details: dict[str, Any] = {k: error[k] for k in extra if k in error}
    regain = _regain_minutes(reply.response.headers.get("x-business-use-case-usage"))
    if regain is not None:
        details["estimated_time_to_regain_access"] = regain  # minutes (Meta's unit): when to retry an 80008
    return VendorFault(
        vendor=VENDOR,
        operation=reply.call.operation,
        http_status=reply.status,
        code=as_code(error.get("code")),
        subcode=as_code(error.get("error_subcode")),
        challenge=_challenge(reply.response.headers.get("WWW-Authenticate")),
        title=as_text(error.get("type")),
        message=as_text(error.get("message")) or (None if error else "error body is not a Graph error"),
        trace_id=as_text(error.get("fbtrace_id")) or reply.trace_id,
        attempts=reply.attempts,
        details=details,
    )


def waba_ids_from_debug(data: dict[str, Any]) -> list[str]:
    """WABA ids granted under `whatsapp_business_management` (older naming) or, since Meta renamed the scopes in
    June 2026, `whatsapp_business_manage_events`; in Meta's order (newest first for one WABA).

    Raises ValueError when the scopes are not in the documented shape."""
    scopes = data.get("granular_scopes") or []
    if not isinstance(scopes, list):
        raise ValueError("'granular_scopes' is not a list")
    ids: list[str] = []
    for scope in scopes:
        if not isinstance(scope, dict):
            raise ValueError("a granular scope is not an object")
        if scope.get("scope") not in WABA_SCOPES:
            continue
        targets = scope.get("target_ids") or []  # absent when the grant is not asset-scoped
        if not isinstance(targets, list):
            raise ValueError("'target_ids' is not a list")
        for target in targets:
            target_id = as_id(target)
            if target_id is None:
                raise ValueError("a target id is not an id")
            if target_id not in ids:
                ids.append(target_id)
    return ids


def _object(reply: Reply) -> dict[str, Any]:
    body = reply.json()
    if not isinstance(body, dict):
        raise reply.malformed("body is not a JSON object")
    return body


def _regain_minutes(header: str | None) -> int | None:
    """The longest `estimated_time_to_regain_access` in `x-business-use-case-usage` ({id: [{...}]}), if above 0."""
    try:
        usage = json.loads(header or "null")
    except ValueError:
        return None
    if not isinstance(usage, dict):
        return None
    minutes = [
        entry.get("estimated_time_to_regain_access")
        for entries in usage.values()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]
    found = [
        int(m) for m in minutes if isinstance(m, int | float) and not isinstance(m, bool) and math.isfinite(m) and m > 0
    ]
    return max(found) if found else None


def _challenge(header: str | None) -> str | None:
    """`OAuth "Facebook Platform" "invalid_code" "message"` -> `invalid_code`."""
    quoted = _QUOTED.findall(header or "")
    return quoted[1] if len(quoted) > 1 else None
