"""The request pipeline every vendor app shares: tenant -> spec check -> fault -> view -> headers -> journal.

A vendor plugs in through `VendorAdapter` (how it finds credentials, renders errors, decorates responses);
views stay thin and rules never see Flask.

This module is the per-request control flow (`VendorPipeline`) and `install_pipeline`. Its parts, whose public
names are importable from here too: wsgi_environ.py (environ keys, head limits, headers), exchange.py (the request
in flight), responses.py (JSON answers), journal_entry.py, fault_answers.py, vendor_errors.py (errors in the
vendor's envelope), vendor_app.py (the adapter protocol, the Flask app) and access.py's `KnownHostGuard`.
"""

from __future__ import annotations

import io
import time
from typing import Any

from flask import Flask, Response
from flask.ctx import AppContext
from werkzeug.exceptions import HTTPException, NotFound

from .access import KnownHostGuard
from .errors import HarnessError, VendorError
from .exchange import Exchange, RequestScope, current_exchange
from .fault_answers import MALFORMED_BODY, apply_fault
from .flask_context import app_context, request_context
from .journal_entry import journal_entry as _journal_entry  # the name bench/profile_pipeline.py stubs out
from .openapi import RequestParts, Violation
from .responses import VIOLATIONS_HEADER, admin_error, json_response, violations_header
from .vendor_app import LazyBuildRule, VendorAdapter, refuse_app_hooks, vendor_flask
from .vendor_errors import VendorErrorHandlers
from .world import DEFAULT_TENANT, World
from .wsgi_environ import (
    BODY,
    DROPPED,
    HEAD_CHECKED,
    HEADERS,
    LIMIT,
    PATH_TENANT,
    TENANT_HEADER,
    check_head,
    request_headers,
    wsgi_text,
)

# What `fakes.core.pipeline` has always offered, wherever it now lives.
__all__ = [
    "BODY",
    "DROPPED",
    "HEADERS",
    "HEAD_CHECKED",
    "LIMIT",
    "MALFORMED_BODY",
    "TENANT_HEADER",
    "TENANT_PREFIX",
    "VIOLATIONS_HEADER",
    "Exchange",
    "LazyBuildRule",
    "VendorAdapter",
    "VendorPipeline",
    "admin_error",
    "check_head",
    "current_exchange",
    "install_pipeline",
    "json_response",
    "vendor_flask",
    "violations_header",
]

TENANT_PREFIX = "/_t/"


class VendorPipeline(VendorErrorHandlers):
    """The WSGI app of a vendor port: tenant prefix, head limits and body, then one of two paths.

    A request for a spec operation (or one no route matches) runs the vendor pipeline here, on Flask's URL map
    and view functions but without Flask's per-request dispatch (request context, signals, hooks, session,
    response conversion), which cost more than the pipeline itself: tenant -> spec check -> fault -> view ->
    vendor headers -> journal, with the errors each vendor renders. Everything else (the control plane, the
    live view, the SDK, static files) is Flask's, unchanged."""

    def __init__(self, app: Flask, vendor: VendorAdapter, world: World, check_responses: bool) -> None:
        self.app, self.vendor, self.world, self.check_responses = app, vendor, world, check_responses
        self.spec = vendor.spec
        self.flask_wsgi = app.wsgi_app  # Flask's own dispatch, for what is not a vendor operation
        self.urls = app.url_map.bind("")  # matched by path and method: host and subdomain matching are off
        self._routes: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = {}  # (path, method) -> a match
        self._hooks_checked = False

    # -- WSGI ------------------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith(TENANT_PREFIX):  # a partner's backend pointed at a tenant by base URL alone
            name, _, rest = path[len(TENANT_PREFIX) :].partition("/")
            if name:
                environ[PATH_TENANT] = name
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + TENANT_PREFIX + name
                environ["PATH_INFO"] = path = "/" + rest
        if LIMIT not in environ:
            check_head(environ)
        if BODY not in environ and LIMIT not in environ:  # the socket server reads it; the in-process adapter not
            length = environ.get("CONTENT_LENGTH")
            if length and length.isdigit():
                # Read the body once, plainly, and hand Flask a fresh stream over it: werkzeug's stream wrappers
                # cost more than the read, and the pipeline, the views and the journal all need the bytes.
                body = environ["wsgi.input"].read(int(length))
                environ["wsgi.input"], environ[BODY] = io.BytesIO(body), body
        rule: Any = None
        view_args: Any = {}
        routing: HTTPException | None = None
        if LIMIT not in environ:
            key = (path, environ["REQUEST_METHOD"])
            matched = self._routes.get(key)
            if matched is not None:
                rule, view_args = matched[0], matched[1].copy()
            else:
                try:
                    rule, view_args = self.urls.match(wsgi_text(path), key[1], return_rule=True)
                except HTTPException:  # again as Flask matches, bound to this request (a redirect names its host)
                    request = self.app.request_class(environ)
                    try:
                        rule, view_args = self.app.create_url_adapter(request).match(return_rule=True)  # type: ignore[union-attr]
                    except HTTPException as exc:
                        routing = exc
                else:
                    if len(self._routes) >= _ROUTE_CACHE:
                        self._routes.clear()
                    self._routes[key] = (rule, view_args.copy())
            if rule is not None and rule.endpoint not in self.spec.operations:
                return self.flask_wsgi(environ, start_response)
        if not self._hooks_checked:
            refuse_app_hooks(self.app)
            self._hooks_checked = True
        return self._exchange(environ, start_response, rule, view_args, routing)

    # -- one vendor exchange -------------------------------------------------------------------------------
    def _exchange(self, environ: dict[str, Any], start_response: Any, rule: Any, view_args: Any, routing: Any) -> Any:
        app = self.app
        scope = RequestScope(app, environ, rule, view_args, routing)
        context = AppContext(app)
        app_token = app_context.set(context)
        request_token = request_context.set(scope)  # type: ignore[arg-type]
        exchange: Exchange | None = None
        try:
            limit = environ.get(LIMIT)
            if limit is not None:  # refused before anything else: no tenant, no journal
                if scope.request.path.startswith("/__admin"):
                    response = admin_error(*limit)
                else:
                    response = self.handle(self.vendor.limit_error(*limit))
            else:
                try:
                    exchange = context.g.exchange = self._begin(scope, rule.endpoint if rule is not None else None)
                    self.world.request_started(exchange.tenant.name)
                    exchange.tenant.maybe_prune()
                    response = self._respond(exchange, scope)
                    response = self._finish(exchange, scope, response)
                except Exception as error:  # past the error handlers (a fake's bug): still the vendor's envelope
                    response = self.handle(error)
            return self._answer(environ, start_response, response, exchange)
        finally:
            if exchange is not None:
                self.world.request_finished(exchange.tenant.name)
            request_context.reset(request_token)
            app_context.reset(app_token)

    def _begin(self, scope: RequestScope, endpoint: str | None) -> Exchange:
        # The body is taken before anything reads `request.form` (a credential lookup may), which would
        # otherwise consume the stream and leave the spec check an empty body.
        started = time.perf_counter()
        environ = scope.environ
        if environ.get(BODY) is None:  # no Content-Length (chunked, or no body): let werkzeug read what there is
            environ[BODY] = scope.request.get_data(cache=True)
        headers = environ.get(HEADERS) or request_headers(environ)
        query = scope.request.args.to_dict() if environ.get("QUERY_STRING") else {}
        name = (
            environ.get(PATH_TENANT)
            or headers.get(_TENANT_HEADER)
            or self.world.tenant_for_credential(self.vendor.credential(headers, query))
            or DEFAULT_TENANT
        )
        return Exchange(self.world.tenant(name), endpoint, started, query, headers)

    def _respond(self, exchange: Exchange, scope: RequestScope) -> Response:
        """Spec check, armed fault, violations, view: the answer, errors rendered as Flask's handlers would."""
        vendor, endpoint = self.vendor, exchange.operation
        try:
            if endpoint is None:  # unknown route or method: answered in the vendor's envelope, journalled
                raise scope.routing or NotFound()
            validated = self.spec.validate_request(
                endpoint,
                RequestParts(
                    path_params=scope.view_args,
                    query=exchange.raw_query,
                    headers=exchange.headers,
                    content_type=scope.environ.get("CONTENT_TYPE"),
                    body=scope.environ[BODY],
                ),
            )
            exchange.violations, exchange.query, exchange.body = validated.violations, validated.query, validated.body
            for violation in exchange.violations:
                if violation.rule == "limit":  # too deep or too long to validate: refused before anything else
                    raise vendor.limit_error(400, violation.message)
            fault = exchange.tenant.faults.take(vendor.name, endpoint)
            if fault is not None:
                exchange.fault = fault
                answer = apply_fault(fault, vendor)
                if answer is not None:
                    return answer
            if exchange.violations:
                raise vendor.violations_error(endpoint, exchange.violations)
            returned: Any = self.app.view_functions[endpoint](**scope.view_args)
            return returned if isinstance(returned, Response) else self.app.make_response(returned)
        except Exception as error:
            return self.handle(error)

    def _finish(self, exchange: Exchange, scope: RequestScope, response: Response) -> Response:
        vendor_headers = self.vendor.response_headers(exchange.tenant)
        exchange.vendor_headers = vendor_headers
        if exchange.fault is not None and exchange.fault.headers:
            response.headers.update(exchange.fault.headers)  # whatever the vendor (e.g. Retry-After on a Graph 503)
        if exchange.violations:
            response.headers[VIOLATIONS_HEADER] = violations_header(exchange.violations)
        response_violations: list[Violation] = []
        if self.check_responses and exchange.operation and not (exchange.fault and exchange.fault.replaces_response):
            response_violations = self.spec.check_response(
                exchange.operation,
                response.status_code,
                response.content_type,
                response.get_data(),
                {k.lower(): v for k, v in [*response.headers.items(), *vendor_headers.items()]},
            )
        exchange.answer_headers = answer = response.headers.to_wsgi_list()
        journalled: dict[str, str] = {}
        for name, value in answer:  # as dict(response.headers) has it (the first of a repeated name)
            journalled.setdefault(name, value)
        journalled.update(vendor_headers)
        entry = _journal_entry(self.world, self.vendor.name, exchange, scope, response, response_violations, journalled)
        self.world.journal.record(entry)
        return response

    def _answer(
        self, environ: dict[str, Any], start_response: Any, response: Response, exchange: Exchange | None
    ) -> Any:
        """The response as WSGI, the vendor headers appended as they are (werkzeug's Headers would re-validate
        each one, which was a tenth of the fakes' per-request cost)."""
        extra = exchange.vendor_headers.items() if exchange is not None and exchange.vendor_headers else ()
        answer = exchange.answer_headers if exchange is not None else None
        code = response.status_code
        if not response.is_sequence or code < 200 or code in (204, 304):  # werkzeug's rules for these
            headers = response.get_wsgi_headers(environ).to_wsgi_list()
            headers.extend(extra)
            start_response(response.status, headers)
            return response.get_app_iter(environ)
        headers = answer if answer is not None else response.headers.to_wsgi_list()
        headers.extend(extra)
        start_response(response.status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [response.get_data()]


_TENANT_HEADER = TENANT_HEADER.lower()
_ROUTE_CACHE = 1024  # matches kept per app (paths carry ids: the cache starts over when full)


def install_pipeline(app: Flask, vendor: VendorAdapter, world: World, check_responses: bool = False) -> None:
    """Wire the shared pipeline into a vendor's Flask app; every view endpoint must be a spec operationId."""
    pipeline = VendorPipeline(app, vendor, world, check_responses)
    app.wsgi_app = KnownHostGuard(pipeline, world.access)  # type: ignore[method-assign]
    # Flask's own routes (control plane, live view, SDK, static files) answer their errors through the same
    # handlers; a vendor route's exchange calls them directly.
    app.register_error_handler(VendorError, pipeline.vendor_error)
    app.register_error_handler(HarnessError, pipeline.harness_error)
    app.register_error_handler(HTTPException, pipeline.http_error)
    app.register_error_handler(Exception, pipeline.unexpected)
