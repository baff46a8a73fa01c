"""The journal entry of one vendor exchange, made of what the pipeline saw: request, response, checks, timing."""

from __future__ import annotations

import time
from typing import Any

from flask import Response

from .exchange import Exchange, RequestScope
from .flask_context import app_context
from .journal import JournalEntry
from .openapi import Violation
from .world import World
from .wsgi_environ import BODY, wsgi_text

_UNJOURNALLED_HEADERS = ("host", "accept-encoding", "connection", "content-length")


def journal_entry(
    world: World,
    vendor: str,
    exchange: Exchange,
    scope: RequestScope,
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
        response_body = getattr(app_context.get().g, "response_json", None)  # flask.g, without the proxy
        if response_body is None:
            response_body = response.get_data()
    return JournalEntry(
        seq=0,  # numbered by Journal.record
        time=world.clock.now(),
        tenant=exchange.tenant.name,
        vendor=vendor,
        operation=exchange.operation,
        method=environ["REQUEST_METHOD"].upper(),
        path="/" + wsgi_text(environ.get("PATH_INFO") or "").lstrip("/"),  # werkzeug's Request.path
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
