"""The request pipeline every vendor app shares: tenant -> spec check -> fault -> view -> headers -> journal.

A vendor plugs in through `VendorAdapter` (how it finds credentials, renders errors, decorates responses);
views stay thin and rules never see Flask.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any, Protocol

from flask import Flask, Request, Response, g, request
from flask.ctx import AppContext
from flask.globals import _cv_app, _cv_request  # Flask's context variables: what `request` and `g` read
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import RoutingException, Rule

from . import limits
from .access import HostGuard
from .errors import HarnessError, VendorError
from .faults import Fault
from .journal import JournalEntry
from .openapi import CompiledSpec, RequestParts, Violation
from .world import DEFAULT_TENANT, Tenant, World

TENANT_HEADER = "X-Harness-Tenant"
TENANT_PREFIX = "/_t/"
VIOLATIONS_HEADER = "X-Harness-Violations"
BODY = "harness.body"  # environ key: the request body, read once (by the server, or the pipeline in-process)
LIMIT = "harness.limit"  # environ key: (status, reason) of a request past a limit of fakes.core.limits
DROPPED = "harness.dropped"  # environ key: a dropped-connection fault (the server closes, the adapter raises)
HEAD_CHECKED = "harness.head_checked"  # environ key: the socket server checked the header limits
HEADERS = "harness.headers"  # environ key: the request headers, lower-cased names (the socket server's)
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
    def limit_error(self, status: int, reason: str) -> VendorError: ...
    def prepare(self, error: VendorError, tenant: Tenant) -> None: ...
    def response_headers(self, tenant: Tenant) -> dict[str, str]: ...


@dataclass(slots=True)
class Exchange:
    """What the pipeline knows about the request in flight (kept on `flask.g`)."""

    tenant: Tenant
    operation: str | None
    started: float
    raw_query: dict[str, str]
    headers: dict[str, str]  # lower-cased names, read once from the environ
    violations: list[Violation] = field(default_factory=list)
    fault: Fault | None = None
    body: Any = None
    query: dict[str, Any] = field(default_factory=dict)
    vendor_headers: dict[str, str] | None = None  # appended to the answer as they are
    answer_headers: list[tuple[str, str]] | None = None  # the response's own, as WSGI lists them


def check_head(environ: dict[str, Any]) -> None:
    """The head limits of `fakes.core.limits`, in both transports: mark a request past one with LIMIT."""
    if len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) > limits.MAX_TARGET_BYTES:
        environ[LIMIT] = (414, f"the request target is longer than {limits.MAX_TARGET_BYTES} bytes")
        return
    if not environ.get(HEAD_CHECKED):  # the socket server counted the headers already
        size = count = 0
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                size += len(key) + len(value)
                count += 1
        if size > limits.MAX_HEADER_BYTES or count > limits.MAX_HEADER_COUNT:
            environ[LIMIT] = (431, "the request headers are too large")
            return
    length = environ.get("CONTENT_LENGTH")
    if length and (not length.isdigit() or int(length) > limits.MAX_BODY_BYTES):
        environ["CONTENT_LENGTH"] = "0"
        if length.isdigit():
            environ[LIMIT] = (413, f"the request body is larger than {limits.MAX_BODY_BYTES} bytes")
        else:
            environ[LIMIT] = (400, "the Content-Length header is not a number")


def admin_error(status: int, message: str) -> Response:
    """The control plane's JSON error (`{"harness_error": ...}`) for any status."""
    error = HarnessError(message)
    error.status = status
    return Response(json.dumps(error.to_dict()), status=status, mimetype="application/json")


def violations_header(violations: list[Violation]) -> str:
    """X-Harness-Violations: the JSON list, cut to MAX_VIOLATIONS_HEADER_BYTES with a marker item when long."""
    items = [v.to_dict() for v in violations]
    text = json.dumps(items)
    if len(text) <= limits.MAX_VIOLATIONS_HEADER_BYTES:
        return text
    marker = json.dumps(limits.VIOLATIONS_TRUNCATED)
    kept: list[str] = []
    size = 2 + len(marker)
    for item in items:
        item = {k: limits.echo(v) if isinstance(v, str) else v for k, v in item.items()}
        encoded = json.dumps(item)
        if size + len(encoded) + 2 > limits.MAX_VIOLATIONS_HEADER_BYTES:
            break
        kept.append(encoded)
        size += len(encoded) + 2
    return "[" + ", ".join([*kept, marker]) + "]"


def json_response(body: Any, status: int = 200, content_type: str = "application/json") -> Response:
    """Serialize a vendor body, keeping the value for the journal (so it is never parsed back)."""
    _cv_app.get().g.response_json = body  # flask.g, without the proxy
    return Response(_dumps(body).encode(), status=status, content_type=content_type)


def _json_encoder() -> Callable[[Any], str]:
    """`json.dumps` with its defaults, its C encoder made once instead of per call (2 us of a vendor answer's
    3.4); vendor bodies are trees built per answer, so the circular-reference check has nothing to find."""
    if c_make_encoder is None:  # pragma: no cover - a Python without the _json accelerator
        return json.dumps
    encode = c_make_encoder(
        None, json.JSONEncoder().default, encode_basestring_ascii, None, ": ", ", ", False, False, True
    )

    def dumps(value: Any) -> str:
        return "".join(encode(value, 0))

    return dumps


_dumps = _json_encoder()


def current_exchange() -> Exchange:
    return _cv_app.get().g.exchange  # type: ignore[no-any-return]  # what flask.g.exchange reads, directly


class _RequestScope:
    """What `flask.request` (and `flask.session`, `url_for`) read from the request context, made per request
    for a fraction of Flask's own: the URL was matched once already, a vendor request has no session, and the
    werkzeug Request is made only if something reads it (the pipeline reads the environ)."""

    __slots__ = ("_adapter", "_request", "app", "environ", "routing", "rule", "view_args")

    def __init__(self, app: Flask, environ: dict[str, Any], rule: Any, view_args: Any, routing: Any) -> None:
        self.app, self.environ, self.rule, self.view_args, self.routing = app, environ, rule, view_args, routing
        self._request: Request | None = None
        self._adapter: Any = None

    @property
    def request(self) -> Request:
        found = self._request
        if found is None:
            found = self._request = self.app.request_class(self.environ)
            found.json_module = self.app.json
            found.url_rule, found.view_args = self.rule, self.view_args
            if self.routing is not None:
                found.routing_exception = self.routing
        return found

    @property
    def url_adapter(self) -> Any:
        if self._adapter is None:
            self._adapter = self.app.create_url_adapter(self.request)
        return self._adapter

    @property
    def session(self) -> Any:
        return self.app.session_interface.make_null_session(self.app)

    flashes = None


class VendorPipeline:
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
                environ["harness.tenant"] = name
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
                    rule, view_args = self.urls.match(_wsgi_text(path), key[1], return_rule=True)
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
            self._check_hooks()
        return self._exchange(environ, start_response, rule, view_args, routing)

    def _check_hooks(self) -> None:
        """The vendor path runs no Flask hooks: refuse an app-wide one rather than skip it silently."""
        app = self.app
        found = [
            *app.before_request_funcs.get(None, ()),
            *app.after_request_funcs.get(None, ()),
            *app.teardown_request_funcs.get(None, ()),
            *app.url_value_preprocessors.get(None, ()),
            *app.teardown_appcontext_funcs,
        ]
        if found:
            raise RuntimeError(f"{app.name}: app-wide Flask hooks {found} would not run on vendor routes")
        self._hooks_checked = True

    # -- one vendor exchange -------------------------------------------------------------------------------
    def _exchange(self, environ: dict[str, Any], start_response: Any, rule: Any, view_args: Any, routing: Any) -> Any:
        app = self.app
        scope = _RequestScope(app, environ, rule, view_args, routing)
        context = AppContext(app)
        app_token = _cv_app.set(context)
        request_token = _cv_request.set(scope)  # type: ignore[arg-type]
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
            _cv_request.reset(request_token)
            _cv_app.reset(app_token)

    def _begin(self, scope: _RequestScope, endpoint: str | None) -> Exchange:
        # The body is taken before anything reads `request.form` (a credential lookup may), which would
        # otherwise consume the stream and leave the spec check an empty body.
        started = time.perf_counter()
        environ = scope.environ
        if environ.get(BODY) is None:  # no Content-Length (chunked, or no body): let werkzeug read what there is
            environ[BODY] = scope.request.get_data(cache=True)
        headers = environ.get(HEADERS) or _headers(environ)
        query = scope.request.args.to_dict() if environ.get("QUERY_STRING") else {}
        name = (
            environ.get("harness.tenant")
            or headers.get(_TENANT_HEADER)
            or self.world.tenant_for_credential(self.vendor.credential(headers, query))
            or DEFAULT_TENANT
        )
        return Exchange(self.world.tenant(name), endpoint, started, query, headers)

    def _respond(self, exchange: Exchange, scope: _RequestScope) -> Response:
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
                answer = _apply_fault(fault, vendor)
                if answer is not None:
                    return answer
            if exchange.violations:
                raise vendor.violations_error(endpoint, exchange.violations)
            returned: Any = self.app.view_functions[endpoint](**scope.view_args)
            return returned if isinstance(returned, Response) else self.app.make_response(returned)
        except Exception as error:
            return self.handle(error)

    def handle(self, error: Exception) -> Response:
        """An exception as the app's error handlers answer it (Flask's lookup order: most specific first)."""
        if isinstance(error, VendorError):
            return self.vendor_error(error)
        if isinstance(error, HarnessError):
            return self.harness_error(error)
        if isinstance(error, HTTPException):
            if isinstance(error, RoutingException):  # a redirect (a doubled slash): Flask answers it as it is
                return self.app.make_response(error.get_response())
            return self.http_error(error)
        return self.unexpected(error)

    def _finish(self, exchange: Exchange, scope: _RequestScope, response: Response) -> Response:
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

    # -- errors, in the vendor's envelope (also the app's error handlers, for Flask's own routes) -------------
    def vendor_error(self, error: VendorError) -> Response:
        exchange: Exchange | None = g.get("exchange")
        self.vendor.prepare(error, exchange.tenant if exchange else self.world.tenant(DEFAULT_TENANT))
        response = json_response(error.body(), error.status, self.vendor.content_type)
        response.headers.update(error.headers())
        return response

    def harness_error(self, error: HarnessError) -> Response:
        return self.app.response_class(json.dumps(error.to_dict()), status=error.status, mimetype="application/json")

    def http_error(self, error: HTTPException) -> Response:
        vendor = self.vendor
        if request.path.startswith("/__admin"):
            response = admin_error(error.code or 500, error.description or error.name)
            if isinstance(error, MethodNotAllowed) and error.valid_methods:
                response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
            return response
        if isinstance(error, MethodNotAllowed):
            response = self.vendor_error(vendor.method_not_allowed())
            if error.valid_methods:  # RFC 9110: a 405 lists the methods the route does support
                response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
            return response
        if error.code == 404:
            return self.vendor_error(vendor.not_found())
        return self.vendor_error(vendor.fault_error(Fault(operation=f"{vendor.name}.*", status=error.code or 500)))

    def unexpected(self, error: Exception) -> Response:
        """A bug in a fake must still answer in the vendor's envelope, never with a traceback."""
        self.app.logger.error("unexpected error in %s fake: %s", self.vendor.name, type(error).__name__)
        if request.path.startswith("/__admin"):
            return admin_error(500, f"unexpected error in the control plane: {type(error).__name__}")
        return self.vendor_error(self.vendor.fault_error(Fault(operation=f"{self.vendor.name}.*", status=500)))


_TENANT_HEADER = TENANT_HEADER.lower()
_ROUTE_CACHE = 1024  # matches kept per app (paths carry ids: the cache starts over when full)


def _wsgi_text(path: str) -> str:
    """PATH_INFO as werkzeug decodes it for routing (WSGI strings are latin-1 carrying UTF-8 bytes)."""
    return path if path.isascii() else path.encode("latin1").decode(errors="replace")


class LazyBuildRule(Rule):
    """A URL rule whose URL builders (for `url_for`) are compiled on first use, not when the rule is added.

    werkzeug compiles two builder functions per rule (Python source, then `compile`) as it is added: for the
    fakes' ~90 rules that was three quarters of building a harness, and a vendor route is matched, never built.
    If werkzeug stops calling `_compile_builder`, rules are built eagerly again, as plain `Rule`s are."""

    def _compile_builder(self, append_unknown: bool = True) -> Any:
        compiled: Any = None

        def build(rule: Rule, *args: Any, **kwargs: Any) -> Any:
            nonlocal compiled
            if compiled is None:
                compiled = Rule._compile_builder(rule, append_unknown).__get__(rule, None)  # type: ignore[attr-defined]
            return compiled(*args, **kwargs)

        return build


def vendor_flask(import_name: str) -> Flask:
    """The Flask app a vendor fake builds its routes on (before `install_pipeline`)."""
    app = Flask(import_name)
    app.url_rule_class = LazyBuildRule
    return app


class _KnownHostGuard(HostGuard):
    """HostGuard that remembers its answer per Host value (a port sees one or two): the policy's own check
    parses the name and tries it as an IP address on every request. Asked again when the policy changes."""

    def __init__(self, wsgi_app: Any, policy: Any) -> None:
        super().__init__(wsgi_app, policy)
        self._allowed: dict[tuple[str | None, int, bool], bool] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        policy = self.policy
        key = (environ.get("HTTP_HOST"), len(policy.allowed_hosts), policy.remote)
        allowed = self._allowed.get(key)
        if allowed is None:
            allowed = policy.host_allowed(key[0])
            if len(self._allowed) >= 256:  # Host is the client's to choose: keep few
                self._allowed.clear()
            self._allowed[key] = allowed
        if allowed:
            return self.wsgi_app(environ, start_response)
        return super().__call__(environ, start_response)  # the refusal, as HostGuard words it


def install_pipeline(app: Flask, vendor: VendorAdapter, world: World, check_responses: bool = False) -> None:
    """Wire the shared pipeline into a vendor's Flask app; every view endpoint must be a spec operationId."""
    pipeline = VendorPipeline(app, vendor, world, check_responses)
    app.wsgi_app = _KnownHostGuard(pipeline, world.access)  # type: ignore[method-assign]
    # Flask's own routes (control plane, live view, SDK, static files) answer their errors through the same
    # handlers; a vendor route's exchange calls them directly.
    app.register_error_handler(VendorError, pipeline.vendor_error)
    app.register_error_handler(HarnessError, pipeline.harness_error)
    app.register_error_handler(HTTPException, pipeline.http_error)
    app.register_error_handler(Exception, pipeline.unexpected)


def _apply_fault(fault: Fault, vendor: VendorAdapter) -> Response | None:
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


_UNJOURNALLED_HEADERS = ("host", "accept-encoding", "connection", "content-length")


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    """Request headers with lower-cased names, straight from the WSGI environ (cheaper than request.headers)."""
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    return headers


def _journal_entry(
    world: World,
    vendor: str,
    exchange: Exchange,
    scope: _RequestScope,
    response: Response,
    response_violations: list[Violation],
    response_headers: dict[str, str],
) -> JournalEntry:
    """Raw values only: redaction happens when the entry leaves the journal (JournalEntry.to_dict)."""
    environ = scope.environ
    body: Any = exchange.body
    if body is None and environ.get(BODY) and scope.request.content_length:  # not parsed: the text, cut
        body = scope.request.get_data(as_text=True)[:2000]
    response_body: Any = None
    if not response.direct_passthrough and response.status_code != 204:
        response_body = getattr(_cv_app.get().g, "response_json", None)  # flask.g, without the proxy
        if response_body is None:
            response_body = response.get_data()
    return JournalEntry(
        seq=0,  # numbered by Journal.record
        time=world.clock.now(),
        tenant=exchange.tenant.name,
        vendor=vendor,
        operation=exchange.operation,
        method=environ["REQUEST_METHOD"].upper(),
        path="/" + _wsgi_text(environ.get("PATH_INFO") or "").lstrip("/"),  # werkzeug's Request.path
        query=exchange.raw_query,
        request_headers={k: v for k, v in exchange.headers.items() if k not in _UNJOURNALLED_HEADERS},
        request_body=body,
        status=response.status_code,
        response_body=response_body,
        violations=[v.to_dict() for v in exchange.violations],
        response_violations=[v.to_dict() for v in response_violations],
        fault=exchange.fault.describe() if exchange.fault else None,
        duration_ms=round((time.perf_counter() - exchange.started) * 1000, 3),
        response_headers=response_headers,
    )
