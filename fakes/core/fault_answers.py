"""What an armed fault makes of a vendor answer: a delay, a dropped connection, a malformed body, an error."""

from __future__ import annotations

import time

from flask import Response, request

from .faults import Fault
from .vendor_app import VendorAdapter
from .wsgi_environ import DROPPED

# The truncated body a "malformed_body" fault sends: valid start, cut mid-string.
MALFORMED_BODY = b'{"data": {"waba_id": "12345'


def apply_fault(fault: Fault, vendor: VendorAdapter) -> Response | None:
    """The fault's answer (a vendor error is raised), or None when the view should answer (after any delay)."""
    if fault.delay:
        time.sleep(fault.delay)  # a deliberate fault: the vendor is slow
    if fault.drop_connection:
        # The socket server closes the connection unanswered; the in-process transport raises ConnectionError.
        request.environ[DROPPED] = True
        return Response(b"", status=500)
    if fault.malformed_body:
        response = Response(MALFORMED_BODY, status=fault.status or 200, mimetype="application/json")
        response.headers.update(fault.headers)
        return response
    if fault.status is not None:
        raise vendor.fault_error(fault)
    return None
