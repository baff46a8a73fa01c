"""The Telnyx call of the onboarding: register the customer's WABA under our Tech Provider app.

    POST /v2/whatsapp/business_accounts/tech_provider   registerTechProvider
    GET  /v2/whatsapp/signup/{session_id}/status         getSignupStatus (the session the 200 started)

Registering the same WABA, number, app and customer again returns the stored registration, so the retry policy
may safely repeat this POST after a 5xx or a connection failure.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .config import ClientConfig
from .mapping import VendorFault, error_from_fault
from .redaction import Redactor
from .transport import Call, Reply, Transport
from .values import as_code, as_object, as_text

VENDOR = "telnyx"
REGISTER_PATH = "whatsapp/business_accounts/tech_provider"
STATUS_PATH = "whatsapp/signup/{session_id}/status"


class TelnyxApi:
    def __init__(self, config: ClientConfig, transport: Transport, redactor: Redactor) -> None:
        self._config = config
        self._transport = transport
        self._redactor = redactor

    def register(self, waba_id: str, phone_number_id: str, customer_id: str | None = None) -> dict[str, Any]:
        """Register the WABA; returns the response's `data` object (with at least a string `status`)."""
        if not waba_id or not phone_number_id:
            raise ValueError("waba_id and phone_number_id are required")
        body: dict[str, Any] = {
            "waba_id": waba_id,
            "phone_number_id": phone_number_id,
            "app_id": self._config.app_id,
        }
        if customer_id is not None:
            body["customer_id"] = customer_id
        headers = {"Content-Type": "application/json", **self._auth()}
        call = Call(
            vendor=VENDOR,
            operation="registerTechProvider",
            method="POST",
            url=f"{self._config.telnyx_base_url}/{REGISTER_PATH}",
            json=body,
            headers=headers,
            redactor=self._redactor,
        )
        reply = self._transport.send(call)
        if not reply.ok:
            raise error_from_fault(fault_from_reply(reply), call.redactor)
        payload = reply.json()
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict):
            raise reply.malformed("'data' is not an object")
        if not as_text(data.get("status")):
            raise reply.malformed("'data.status' is not a string")
        return data

    def signup_status(self, session_id: str) -> dict[str, Any]:
        """The signup session's `data` (`status`, `state`, `errors`, ...); retried like every call."""
        call = Call(
            vendor=VENDOR,
            operation="getSignupStatus",
            method="GET",
            url=f"{self._config.telnyx_base_url}/{STATUS_PATH.format(session_id=quote(session_id, safe=''))}",
            headers=self._auth(),
            redactor=self._redactor,
        )
        reply = self._transport.send(call)
        if not reply.ok:
            raise error_from_fault(fault_from_reply(reply), call.redactor)
        payload = reply.json()
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict) or not as_text(data.get("status")):
            raise reply.malformed("'data.status' is not a string")
        return data

    def _auth(self) -> dict[str, str]:
        # No key: send no header at all (Telnyx answers 401 10009).
        key = self._config.telnyx_api_key
        return {"Authorization": f"Bearer {key}"} if key else {}


def fault_from_reply(reply: Reply) -> VendorFault:
    """Read Telnyx's envelope `{"errors":[{"code","title","detail","source":{"pointer"|"parameter"}}]}`."""
    try:
        body = reply.response.json()
    except ValueError:
        body = None
    return fault_from_body(body, reply.call.operation, reply.status, reply.trace_id, reply.attempts)


def fault_from_body(
    body: Any, operation: str, http_status: int | None, trace_id: str | None = None, attempts: int = 1
) -> VendorFault:
    """A Telnyx error envelope (already parsed) as a `VendorFault`; anything else as a bare one."""
    entries = body.get("errors") if isinstance(body, dict) else None
    entries = [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []
    if not entries:
        return VendorFault(
            vendor=VENDOR,
            operation=operation,
            http_status=http_status,
            message="error body is not a Telnyx error",
            trace_id=trace_id,
            attempts=attempts,
        )
    summaries = [_summary(entry) for entry in entries]
    first = summaries[0]
    details: dict[str, Any] = {}
    if len(summaries) > 1:
        details["errors"] = summaries
    if first.get("parameter"):
        details["parameter"] = first["parameter"]
    return VendorFault(
        vendor=VENDOR,
        operation=operation,
        http_status=http_status,
        code=first["code"],
        pointer=first["pointer"],
        title=first["title"],
        message="; ".join(s["detail"] for s in summaries if s["detail"]) or None,
        trace_id=trace_id,
        attempts=attempts,
        details=details,
    )


def _summary(entry: dict[str, Any]) -> dict[str, Any]:
    source = as_object(entry.get("source"))
    return {
        "code": as_code(entry.get("code")),
        "title": as_text(entry.get("title")),
        "detail": as_text(entry.get("detail")),
        "pointer": as_text(source.get("pointer")),
        "parameter": as_text(source.get("parameter")),
    }
