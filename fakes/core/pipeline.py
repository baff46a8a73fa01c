"""The request pipeline every vendor app shares: tenant -> spec check -> fault -> view -> headers -> journal.

A vendor plugs in through `VendorAdapter` (how it finds credentials, renders errors, decorates responses);
views stay thin and rules never see Flask.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .errors import HarnessError, VendorError
from .faults import Fault
from .journal import JournalEntry
from .openapi import CompiledSpec, RequestParts, Violation
from .redaction import SECRET_RESPONSE_FIELDS, redact_fields, redact_headers
from .world import DEFAULT_TENANT, Tenant, World

TENANT_HEADER = "X-Harness-Tenant"
TENANT_PREFIX = "/_t/"
VIOLATIONS_HEADER = "X-Harness-Violations"
# The truncated body a "malformed_body" fault sends: valid start, cut mid-string.
MALFORMED_BODY = b'{"data": {"waba_id": "12345'


class VendorAdapter(Protocol):
    name: str
    spec: CompiledSpec

    def credential(self) -> str | None: ...
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


class TenantPrefixMiddleware:
    """Strip a `/_t/<tenant>` prefix so a partner's backend can be pointed at a tenant by base URL alone."""

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
        return self.wsgi_app(environ, start_response)


def current_exchange() -> Exchange:
    return g.exchange  # type: ignore[no-any-return]


def install_pipeline(app: Flask, vendor: VendorAdapter, world: World, check_responses: bool = False) -> None:
    """Wire the shared pipeline into a vendor's Flask app; every view endpoint must be a spec operationId."""
    app.wsgi_app = TenantPrefixMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    spec = vendor.spec

    def resolve_tenant() -> Tenant:
        name = (
            request.environ.get("harness.tenant")
            or request.headers.get(TENANT_HEADER)
            or world.tenant_for_credential(vendor.credential())
            or DEFAULT_TENANT
        )
        return world.tenant(name)

    @app.before_request
    def begin() -> Response | None:
        endpoint = request.endpoint
        if endpoint is not None and (endpoint.startswith("admin.") or endpoint not in spec.operations):
            return None  # the control plane and static files are not part of the simulated API
        # Cache the raw body before anything reads `request.form` (a credential lookup may), which would
        # otherwise consume the stream and leave the spec check an empty body.
        request.get_data(cache=True)
        exchange = g.exchange = Exchange(resolve_tenant(), endpoint, time.perf_counter())
        world.request_started(exchange.tenant.name)
        if endpoint is None:
            return None  # unknown route or method: the error handler answers in the vendor's envelope
        validated = spec.validate_request(
            endpoint,
            RequestParts(
                path_params=request.view_args or {},
                query=request.args.to_dict(),
                headers={k.lower(): v for k, v in request.headers.items()},
                content_type=request.content_type,
                body=request.get_data(cache=True),
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
        response = app.response_class(
            json.dumps(error.body()), status=error.status, mimetype="application/json"
        )
        response.headers.update(error.headers())
        return response

    @app.errorhandler(HarnessError)
    def harness_error(error: HarnessError) -> Response:
        return app.response_class(
            json.dumps(error.to_dict()), status=error.status, mimetype="application/json"
        )

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
        response.headers.update(vendor.response_headers(exchange.tenant))
        if exchange.violations:
            response.headers[VIOLATIONS_HEADER] = json.dumps([v.to_dict() for v in exchange.violations])
        response_violations: list[Violation] = []
        if (
            check_responses
            and exchange.operation
            and not (exchange.fault and exchange.fault.replaces_response)
        ):
            response_violations = spec.check_response(
                exchange.operation,
                response.status_code,
                response.content_type,
                response.get_data(),
                {k.lower(): v for k, v in response.headers.items()},
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


def _journal_entry(
    world: World, vendor: str, exchange: Exchange, response: Response, response_violations: list[Violation]
) -> JournalEntry:
    body: Any = exchange.body
    if body is None and request.content_length:
        body = request.get_data(as_text=True)[:2000]
    response_body: Any = None
    if not response.direct_passthrough and response.status_code != 204:
        raw = response.get_data()
        try:
            response_body = redact_fields(json.loads(raw), SECRET_RESPONSE_FIELDS)
        except ValueError:
            response_body = raw.decode("utf-8", "replace")[:2000]
    return JournalEntry(
        seq=world.journal.next_seq(),
        time=world.clock.now(),
        tenant=exchange.tenant.name,
        vendor=vendor,
        operation=exchange.operation,
        method=request.method,
        path=request.path,
        query=redact_fields(request.args.to_dict()),
        request_headers=redact_headers(
            {k: v for k, v in request.headers.items() if k.lower() not in ("host", "accept-encoding")}
        ),
        request_body=redact_fields(body),
        status=response.status_code,
        response_body=response_body,
        violations=[v.to_dict() for v in exchange.violations],
        response_violations=[v.to_dict() for v in response_violations],
        fault=exchange.fault.describe() if exchange.fault else None,
        duration_ms=round((time.perf_counter() - exchange.started) * 1000, 3),
    )
