"""Read a journal entry the way the reference client reads the same answer: through its one error mapping table.

The live view (`/__admin/ui`) shows, next to a failed exchange, the error a partner's backend should raise, the
vendor code and the vendor guide's troubleshooting section. That reading is not written a second time here:
the entry's status and body are handed to the client's own envelope parsers (`fault_from_reply`) and its table
(`harness.client.mapping`). `fakes/` cannot import the client, so the composition root injects this function as
`World.error_explainer` (see `harness.arming.enable_scenario_arming`).
"""

from __future__ import annotations

import json
from typing import Any

import requests

from .client import graph, telnyx
from .client.errors import MalformedVendorResponse
from .client.mapping import VendorFault, error_from_fault
from .client.redaction import Redactor
from .client.transport import Call, Reply

_PARSERS = {"graph": graph.fault_from_reply, "telnyx": telnyx.fault_from_reply}


def _reply(entry: dict[str, Any]) -> Reply:
    response = requests.Response()
    response.status_code = int(entry["status"])
    body = entry.get("response_body")
    response._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    response.headers.update(entry.get("response_headers") or {})  # Graph's WWW-Authenticate names the error
    call = Call(entry["vendor"], entry.get("operation") or "", entry.get("method", "GET"), "", Redactor())
    return Reply(call, response, attempts=1)


def _is_json(body: Any) -> bool:
    if not isinstance(body, str):
        return True
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def explain_entry(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The error class, vendor code, guidance and troubleshooting section for a failed exchange; None if it
    did not fail (a 2xx with a JSON body) or its vendor is not one the client talks to."""
    vendor = entry.get("vendor")
    parse = _PARSERS.get(str(vendor))
    if parse is None:
        return None
    status = int(entry.get("status") or 0)
    body = entry.get("response_body")
    if status < 400 and _is_json(body):
        return None
    if status < 400:
        error: Any = MalformedVendorResponse(
            f"{vendor} {entry.get('operation')}: HTTP {status}, body is not JSON",
            vendor=str(vendor),
            operation=str(entry.get("operation")),
            http_status=status,
        )
        fault: VendorFault | None = None
    else:
        fault = parse(_reply(entry))
        error = error_from_fault(fault)
    return {
        "error": type(error).__name__,
        "vendor_code": error.vendor_code,
        "vendor_subcode": error.vendor_subcode,
        "pointer": error.pointer,
        "title": fault.title if fault else None,
        "message": error.message,
        "guidance": error.guidance,
        "troubleshooting": error.troubleshooting,
    }
