"""The records of spec checking: an operation compiled from a spec, what a request brings, what a check finds.

Plain dataclasses and nothing else: `Operation` (its `Parameter`s, body validators, security checks and
`ResponseSpec`s), `RequestParts` (the raw request the pipeline hands over), `ValidatedRequest` (the values read)
and `Violation` (one way a request or response strays from the spec). Compiling them is `operation_lookup.py`'s
job, checking with them that of `openapi.py` and the `*_checks.py` modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Violation:
    """One way a request or response strays from the spec."""

    location: str  # path | query | header | body | content-type | security | response
    pointer: str  # JSON pointer into the body ("/app_id"), or a parameter / header name
    rule: str  # required | type | pattern | minLength | enum | json | media-type | status | ...
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"location": self.location, "pointer": self.pointer, "rule": self.rule, "message": self.message}


@dataclass(slots=True)
class RequestParts:
    """What the pipeline hands the validator: raw values, not yet trusted."""

    path_params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    content_type: str | None
    body: bytes


@dataclass(slots=True)
class ValidatedRequest:
    """A request checked against its operation: the violations found and the values read."""

    violations: list[Violation]
    query: dict[str, Any]
    body: Any = None


# Whether a request (its parts and its parsed body) carries the credential of one security scheme.
CredentialCheck = Callable[[RequestParts, Any], bool]


@dataclass
class Parameter:
    """One query or path parameter of an operation, with its compiled validator."""

    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    validator: Any

    def coerce(self, raw: str) -> Any:
        """Query and path values arrive as text; turn them into the schema's type where they fit."""
        kind = self.schema.get("type")
        try:
            if kind == "integer":
                return int(raw)
            if kind == "number":
                return float(raw)
        except ValueError:
            return raw
        if kind == "boolean" and raw in ("true", "false"):
            return raw == "true"
        return raw


@dataclass
class ResponseSpec:
    """What an operation may answer with one status: a body validator per media type, the headers it must carry."""

    media: dict[str, Any]  # media type -> validator
    required_headers: list[str]


@dataclass
class Operation:
    """One operation of a spec, compiled: its parameters, request body, security and responses."""

    operation_id: str
    method: str
    path: str
    parameters: list[Parameter]
    body_required: bool
    body_media: dict[str, Any]  # media type -> validator
    security: list[dict[str, list[str]]]  # alternatives; [] means none needed
    responses: dict[str, ResponseSpec]
    extensions: dict[str, Any] = field(default_factory=dict)
    # `security` made into checks once: per alternative, one presence check per scheme it names
    credential_checks: tuple[tuple[CredentialCheck, ...], ...] = ()
