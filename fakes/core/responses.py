"""The JSON the vendor pipeline writes: vendor bodies, the control plane's errors, the violations header.

`json_response` serializes with `json.dumps`'s defaults through a C encoder made once, and keeps the value on
`flask.g` so the journal never parses the body back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from flask import Response

from . import limits
from .errors import HarnessError
from .flask_context import app_context
from .openapi import Violation

VIOLATIONS_HEADER = "X-Harness-Violations"


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
    app_context.get().g.response_json = body  # flask.g, without the proxy
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
