"""A response checked against the operation that gave it: a documented status, its headers, media type and body.

`response_violations` is what `check_responses=True` runs after every vendor answer: the status must be
documented (exactly, as `2XX`, or by `default`), the headers the spec marks required must be there, and a body
must be one the status documents (none where none is), valid JSON of the documented schema.
"""

from __future__ import annotations

import json

from .schema_checks import schema_errors
from .spec_records import Operation, Violation


def response_violations(
    op: Operation, status: int, content_type: str | None, body: bytes, headers: dict[str, str]
) -> list[Violation]:
    spec = op.responses.get(str(status)) or op.responses.get(f"{str(status)[0]}XX") or op.responses.get("default")
    if spec is None:
        documented = ", ".join(op.responses)
        return [Violation("response", "status", "status", f"{status} is not documented ({documented})")]
    violations = [
        Violation("response", name, "header", f"required header {name} missing")
        for name in spec.required_headers
        if name not in headers
    ]
    if not spec.media:
        if body:
            violations.append(Violation("response", "/", "body", "no body is documented for this status"))
        return violations
    media = (content_type or "").split(";", 1)[0].strip().lower()
    validator = spec.media.get(media)
    if validator is None:
        violations.append(Violation("response", "content-type", "media-type", f"undocumented {media!r}"))
        return violations
    try:
        parsed = json.loads(body)
    except ValueError:
        violations.append(Violation("response", "/", "json", "the response body is not valid JSON"))
        return violations
    return violations + [
        Violation("response", v.pointer, v.rule, v.message) for v in schema_errors(validator, parsed, "body")
    ]
