"""A request body read as its operation documents it: media type, parser, strict JSON, limits, then its schema.

`validate_body` is the body half of a request check: the Content-Type must be one the operation documents; a
form is parsed as such, a vendor's own media type by the vendor's `BodyParser`, anything else as JSON the way
RFC 8259 has it (`loads_json`: no NaN, Infinity or overflowing numbers); JSON nested too deep or with values too
large is refused (`limits`) before the schema is asked.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from . import limits
from .schema_checks import MESSAGE_LIMIT, schema_errors
from .spec_records import Operation, RequestParts, Violation

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# A body parser for a media type other than JSON and forms: bytes -> value, raising ValueError when unreadable.
BodyParser = Callable[[bytes], Any]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


# One decoder, made once: json.loads with hooks builds a new JSONDecoder per call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def loads_json(data: bytes | str) -> Any:
    """JSON as RFC 8259 has it: NaN, Infinity and numbers that overflow a double are refused, not parsed.

    Exactly `json.loads(data, parse_constant=..., parse_float=...)`: bytes in UTF-8, -16 or -32 (a BOM
    allowed), a str without a BOM."""
    if isinstance(data, str):
        if data.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", data, 0)
    else:
        data = data.decode(json.detect_encoding(data), "surrogatepass")
    return _DECODER.decode(data)


def validate_body(op: Operation, parts: RequestParts, parsers: dict[str, BodyParser]) -> tuple[Any, list[Violation]]:
    """The body read (None when there is none or it is unreadable) and its violations."""
    if not op.body_media:
        return None, []
    if not parts.body:
        if op.body_required:
            return None, [Violation("body", "/", "required", "a request body is required")]
        return None, []
    media = (parts.content_type or "").split(";", 1)[0].strip().lower()
    validator = op.body_media.get(media)
    if validator is None:
        allowed = ", ".join(op.body_media)
        return None, [Violation("content-type", media or "(none)", "media-type", f"expected {allowed}")]
    if media == FORM:
        from urllib.parse import parse_qsl

        body: Any = dict(parse_qsl(parts.body.decode("utf-8", "replace"), keep_blank_values=True))
    elif media in parsers:
        try:
            body = parsers[media](parts.body)
        except ValueError as exc:
            return None, [Violation("body", "/", "parse", str(exc)[:MESSAGE_LIMIT])]
    else:
        try:
            body = loads_json(parts.body)
        except RecursionError:
            reason = f"the JSON body is nested deeper than {limits.MAX_JSON_DEPTH} levels"
            return None, [Violation("body", "/", "limit", reason)]
        except (ValueError, UnicodeDecodeError) as exc:
            return None, [Violation("body", "/", "json", f"the body is not valid JSON: {exc}"[:MESSAGE_LIMIT])]
        if isinstance(parts.body, bytes) and limits.json_text_within_shape(parts.body):
            return body, schema_errors(validator, body, "body")  # too short to be too deep or too long
    too_big = limits.json_shape_error(body)
    if too_big is not None:
        return None, [Violation("body", "/", "limit", too_big)]
    return body, schema_errors(validator, body, "body")
