"""The request pipeline every vendor app shares: tenant -> spec check -> fault -> view -> headers -> journal.

A vendor plugs in through `VendorAdapter` (how it finds credentials, renders errors, decorates responses);
views stay thin and rules never see Flask.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .access import HostGuard
from .errors import HarnessError, VendorError
from .faults import Fault
from .journal import JournalEntry
from .openapi import CompiledSpec, RequestParts, Violation
from .world import DEFAULT_TENANT, Tenant, World

TENANT_HEADER = "X-Harness-Tenant"
TENANT_PREFIX = "/_t/"
VIOLATIONS_HEADER = "X-Harness-Violations"
EXTRA_HEADERS = "harness.vendor_headers"  # environ key: vendor headers appended by TenantPrefixMiddleware
BODY = "harness.body"  # environ key: the request body, read once by TenantPrefixMiddleware
# The truncated body a "malformed_body" fault sends: valid start, cut mid-string.
MALFORMED_BODY = b'{"data": {"waba_id": "12345'


class VendorAdapter(Protocol):
    name: str
    spec: CompiledSpec
    content_type: str

    def credential(self, headers: dict[str, str], query: dict[str, str]) -> str | None: ...
    def violations_error(self, operation_id: str, violations: list[Violation]) -> VendorError: ...
    def fault_error(self, fault: Fault) -> VendorError: ...
    def not_found(self) -> VendorError: ...
    def method_not_allowed(self) -> VendorError: ...
    def prepare(self, error: VendorError, tenant: Tenant) -> None: ...
    def response_headers(self, tenant: Tenant) -> dict[str, str]: ...


@dataclass
class Exchange:
    """What the pipeline knows about the request in flight (kept on `flask.g`)."""

    tenant: Tenant
    operation: str | None
    started: float
    violations: list[Violation] = field(default_factory=list)
    fault: Fault | None = None
    body: Any = None
    query: dict[str, Any] = field(default_factory=dict)
    raw_query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names, read once from the environ


class TenantPrefixMiddleware:
    """Strip a `/_t/<tenant>` prefix so a partner's backend can be pointed at a tenant by base URL alone; and
    append the vendor headers the pipeline computed (a plain list append: werkzeug's Headers would re-validate
    each one, which was a tenth of the fakes' per-request cost)."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith(TENANT_PREFIX):
            name, _, rest = path[len(TENANT_PREFIX) :].partition("/")
            if name:
                environ["harness.tenant"] = name
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + TENANT_PREFIX + name
                environ["PATH_INFO"] = "/" + rest
        length = environ.get("CONTENT_LENGTH")
        if length and length.isdigit():
            # Read the body once, plainly, and hand Flask a fresh stream over it: werkzeug's stream wrappers cost
            # more than the read, and the pipeline, the views and the journal all need the bytes.
            body = environ["wsgi.input"].read(int(length))
            environ["wsgi.input"], environ[BODY] = io.BytesIO(body), body

        def start_with_vendor_headers(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            headers.extend(environ.get(EXTRA_HEADERS, ()))
            return start_response(status, headers, *exc_info)

        return self.wsgi_app(environ, start_with_vendor_headers)


def json_response(body: Any, status: int = 200, content_type: str = "application/json") -> Response:
    """Serialize a vendor body, keeping the value for the journal (so it is never parsed back)."""
    g.response_json = body
    return Response(json.dumps(body), status=status, content_type=content_type)


def current_exchange() -> Exchange:
    return g.exchange  # type: ignore[no-any-return]


def install_pipeline(app: Flask, vendor: VendorAdapter, world: World, check_responses: bool = False) -> None:
    """Wire the shared pipeline into a vendor's Flask app; every view endpoint must be a spec operationId."""
    app.wsgi_app = HostGuard(TenantPrefixMiddleware(app.wsgi_app), world.access)  # type: ignore[method-assign]
    spec = vendor.spec

    tenant_header = TENANT_HEADER.lower()

    def resolve_tenant(environ: dict[str, Any], headers: dict[str, str], query: dict[str, str]) -> Tenant:
        name = (
            environ.get("harness.tenant")
            or headers.get(tenant_header)
            or world.tenant_for_credential(vendor.credential(headers, query))
            or DEFAULT_TENANT
        )
        return world.tenant(name)

    @app.before_request
    def begin() -> Response | None:
        endpoint = request.endpoint
        if endpoint is not None and (endpoint.startswith("admin.") or endpoint not in spec.operations):
            return None  # the control plane and static files are not part of the simulated API
        # The body is taken before anything reads `request.form` (a credential lookup may), which would
        # otherwise consume the stream and leave the spec check an empty body.
        req = request._get_current_object()  # type: ignore[attr-defined]  # one proxy lookup, not dozens
        started = time.perf_counter()
        body = req.environ.get(BODY)
        if body is None:  # no Content-Length (chunked, or no body): let werkzeug read whatever there is
            body = req.get_data(cache=True)
        headers = _headers(req.environ)
        query = req.args.to_dict()
        exchange = g.exchange = Exchange(resolve_tenant(req.environ, headers, query), endpoint, started)
        exchange.headers, exchange.raw_query = headers, query
        world.request_started(exchange.tenant.name)
        if endpoint is None:
            return None  # unknown route or method: the error handler answers in the vendor's envelope
        validated = spec.validate_request(
            endpoint,
            RequestParts(
                path_params=req.view_args or {},
                query=exchange.raw_query,
                headers=exchange.headers,
                content_type=req.content_type,
                body=body,
            ),
        )
        exchange.violations, exchange.query, exchange.body = (
            validated.violations,
            validated.query,
            validated.body,
        )
        fault = exchange.tenant.faults.take(vendor.name, endpoint)
        if fault is not None:
            exchange.fault = fault
            response = _apply_fault(fault, vendor)
            if response is not None:
                return response
        if exchange.violations:
            raise vendor.violations_error(endpoint, exchange.violations)
        return None

    @app.teardown_request
    def done(_: BaseException | None) -> None:
        exchange: Exchange | None = g.get("exchange")
        if exchange is not None:
            world.request_finished(exchange.tenant.name)

    @app.errorhandler(VendorError)
    def vendor_error(error: VendorError) -> Response:
        exchange: Exchange | None = g.get("exchange")
        vendor.prepare(error, exchange.tenant if exchange else world.tenant(DEFAULT_TENANT))
        response = json_response(error.body(), error.status, vendor.content_type)
        response.headers.update(error.headers())
        return response

    @app.errorhandler(HarnessError)
    def harness_error(error: HarnessError) -> Response:
        return app.response_class(json.dumps(error.to_dict()), status=error.status, mimetype="application/json")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if request.path.startswith("/__admin"):
            return error.get_response()
        if isinstance(error, MethodNotAllowed):
            response = vendor_error(vendor.method_not_allowed())
            if error.valid_methods:  # RFC 9110: a 405 lists the methods the route does support
                response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
            return response
        if error.code == 404:
            return vendor_error(vendor.not_found())
        return vendor_error(vendor.fault_error(Fault(operation=f"{vendor.name}.*", status=error.code or 500)))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        """A bug in a fake must still answer in the vendor's envelope, never with a traceback."""
        app.logger.error("unexpected error in %s fake: %s", vendor.name, type(error).__name__)
        return vendor_error(vendor.fault_error(Fault(operation=f"{vendor.name}.*", status=500)))

    @app.after_request
    def finish(response: Response) -> Response:
        exchange: Exchange | None = g.get("exchange")
        if exchange is None:
            return response
        vendor_headers = vendor.response_headers(exchange.tenant)
        request.environ[EXTRA_HEADERS] = list(vendor_headers.items())
        if exchange.fault is not None and exchange.fault.headers:
            response.headers.update(exchange.fault.headers)  # whatever the vendor (e.g. Retry-After on a Graph 503)
        if exchange.violations:
            response.headers[VIOLATIONS_HEADER] = json.dumps([v.to_dict() for v in exchange.violations])
        response_violations: list[Violation] = []
        if check_responses and exchange.operation and not (exchange.fault and exchange.fault.replaces_response):
            response_violations = spec.check_response(
                exchange.operation,
                response.status_code,
                response.content_type,
                response.get_data(),
                {k.lower(): v for k, v in [*response.headers.items(), *vendor_headers.items()]},
            )
        world.journal.record(_journal_entry(world, vendor.name, exchange, response, response_violations))
        return response


def _apply_fault(fault: Fault, vendor: VendorAdapter) -> Response | None:
    if fault.delay:
        time.sleep(fault.delay)  # a deliberate fault: the vendor is slow
    if fault.drop_connection:
        sock = request.environ.get("werkzeug.socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # the client may already be gone
                sock.shutdown(socket.SHUT_RDWR)
        request.environ["harness.dropped"] = True  # the in-process transport raises a ConnectionError
        return Response(b"", status=500)
    if fault.malformed_body:
        response = Response(MALFORMED_BODY, status=fault.status or 200, mimetype="application/json")
        response.headers.update(fault.headers)
        return response
    if fault.status is not None:
        raise vendor.fault_error(fault)
    return None


_UNJOURNALLED_HEADERS = ("host", "accept-encoding", "connection", "content-length")


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    """Request headers with lower-cased names, straight from the WSGI environ (cheaper than request.headers)."""
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    return headers


def _journal_entry(
    world: World, vendor: str, exchange: Exchange, response: Response, response_violations: list[Violation]
) -> JournalEntry:
    """Raw values only: redaction happens when the entry leaves the journal (JournalEntry.to_dict)."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    body: Any = exchange.body
    if body is None and req.content_length:
        body = req.get_data(as_text=True)[:2000]
    response_body: Any = None
    if not response.direct_passthrough and response.status_code != 204:
        response_body = g.get("response_json", None)
        if response_body is None:
            response_body = response.get_data()
    return JournalEntry(
        seq=0,  # numbered by Journal.record
        time=world.clock.now(),
        tenant=exchange.tenant.name,
        vendor=vendor,
        operation=exchange.operation,
        method=req.method,
        path=req.path,
        query=exchange.raw_query,
        request_headers={k: v for k, v in exchange.headers.items() if k not in _UNJOURNALLED_HEADERS},
        request_body=body,
        status=response.status_code,
        response_body=response_body,
        violations=[v.to_dict() for v in exchange.violations],
        response_violations=[v.to_dict() for v in response_violations],
        fault=exchange.fault.describe() if exchange.fault else None,
        duration_ms=round((time.perf_counter() - exchange.started) * 1000, 3),
    )
