"""What the vendor pipeline keeps for the request in flight: the `Exchange` (on `flask.g`) and a lean request scope.

`RequestScope` stands in for Flask's request context on a vendor route: what `flask.request` (and
`flask.session`, `url_for`) read, made per request for a fraction of Flask's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Request

from .faults import Fault
from .flask_context import app_context
from .openapi import Violation
from .world import Tenant


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


def current_exchange() -> Exchange:
    return app_context.get().g.exchange  # type: ignore[no-any-return]  # what flask.g.exchange reads, directly


class RequestScope:
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
