"""Compile an OpenAPI 3.1 document into per-operation validators, each once, on its first use.

Generic OpenAPI unmarshalling per request costs about a millisecond; here an operation's schemas are resolved
and compiled to `jsonschema_rs` validators the first time the operation is asked for (start-up pays for none:
a process serves a handful of operations), so a request check is a few microseconds. Violations are plain
records; each vendor renders them as its own error (see `fakes/*/errors.py`).

A spec document is YAML; parsing it is most of a start-up's cost, so the parsed document is kept as JSON by
`fakes.core.kept_documents.load_document` and the next process reads that instead.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs

from . import limits
from .kept_documents import CACHE_DIR_ENV, load_document

__all__ = ["CACHE_DIR_ENV", "CompiledSpec", "load_document"]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MESSAGE_LIMIT = 200  # characters of a violation message (a schema message may quote a huge value)
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


@dataclass(frozen=True)
class Violation:
    """One way a request or response strays from the spec."""

    location: str  # path | query | header | body | content-type | security | response
    pointer: str  # JSON pointer into the body ("/app_id"), or a parameter / header name
    rule: str  # required | type | pattern | minLength | enum | json | media-type | status | ...
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"location": self.location, "pointer": self.pointer, "rule": self.rule, "message": self.message}


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
    credential_checks: tuple[tuple[Callable[[RequestParts, Any], bool], ...], ...] = ()


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


def resolve(node: Any, root: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """Inline every local `$ref` (our specs have no recursive schemas)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in seen:
                raise ValueError(f"recursive $ref {ref}")
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return resolve(target, root, (*seen, ref))
        return {key: resolve(value, root, seen) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item, root, seen) for item in node]
    return node


def _compile(schema: dict[str, Any]) -> Any:
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def compile_schema(schema: dict[str, Any]) -> Any:
    return _compile(schema)


def _schema_errors(validator: Any, instance: Any, location: str, base: str = "") -> list[Violation]:
    if validator.is_valid(instance):
        return []
    from .redaction import is_secret_name, scrub_values, secret_values

    secrets = secret_values(instance) if base == "" else ()
    violations = []
    for error in validator.iter_errors(instance):
        parts = [str(part) for part in error.instance_path]
        path = "".join(f"/{part}" for part in parts)
        rule = type(error.kind).__name__
        rule = rule[0].lower() + rule[1:]
        if rule == "required":
            path = f"{path}/{error.kind.property}"
        pointer = base or path or "/"
        leaf = base or (parts[-1] if parts else "")
        if is_secret_name(leaf):
            # Never echo a secret's value (a malformed PIN is still a PIN): say what is wrong, not what was sent.
            message = f"the value of {leaf!r} breaks the rule {rule!r} (value withheld: it is a secret)"
        else:
            message = scrub_values(error.message, secrets)
        if len(message) > MESSAGE_LIMIT:
            message = message[: MESSAGE_LIMIT - 3] + "..."
        violations.append(Violation(location, pointer, rule, message))
    return violations


class _Operations(Mapping[str, "Operation"]):
    """operationId -> Operation; an operation is compiled when it is first looked up (membership is free)."""

    def __init__(self, spec: CompiledSpec) -> None:
        self._spec = spec

    def __getitem__(self, operation_id: str) -> Operation:
        return self._spec.operation(operation_id)

    def __contains__(self, operation_id: object) -> bool:
        return operation_id in self._spec._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._spec._index)

    def __len__(self) -> int:
        return len(self._spec._index)


class CompiledSpec:
    """All operations of one OpenAPI document, keyed by operationId (`operations`, compiled on first use)."""

    def __init__(self, document: dict[str, Any], vendor: str, parsers: dict[str, BodyParser] | None = None) -> None:
        self.vendor = vendor
        self.document = document
        self.parsers: dict[str, BodyParser] = dict(parsers or {})
        self._named: dict[str, Any] = {}
        self._compiled: dict[str, Operation] = {}
        self._lock = threading.Lock()
        self.security_schemes: dict[str, dict[str, Any]] = document.get("components", {}).get("securitySchemes", {})
        self._index: dict[str, tuple[str, str]] = {}  # operationId -> (path, method); the last one named wins
        for path, item in document.get("paths", {}).items():
            if "$ref" in item:  # a path item kept elsewhere in the document
                item = resolve(item, document)
            for method in HTTP_METHODS:
                if method in item:
                    self._index[item[method]["operationId"]] = (path, method)
        self.operations: Mapping[str, Operation] = _Operations(self)

    def operation(self, operation_id: str) -> Operation:
        """The compiled operation (KeyError for an unknown operationId)."""
        found = self._compiled.get(operation_id)
        if found is None:
            with self._lock:
                found = self._compiled.get(operation_id)
                if found is None:
                    path, method = self._index[operation_id]
                    item = resolve(self.document["paths"][path], self.document)
                    found = self._compiled[operation_id] = self._compile_operation(
                        path, method, item[method], item.get("parameters", []), self.document.get("security", [])
                    )
        return found

    @classmethod
    def from_file(cls, path: Path, vendor: str, parsers: dict[str, BodyParser] | None = None) -> CompiledSpec:
        return cls(load_document(path), vendor, parsers)

    def schema_validator(self, name: str) -> Any:
        """A compiled validator of `#/components/schemas/<name>` (for documents that do not arrive over HTTP),
        compiled on first use and kept."""
        validator = self._named.get(name)
        if validator is None:
            validator = self._named[name] = _compile(resolve({"$ref": f"#/components/schemas/{name}"}, self.document))
        return validator

    def validate_value(self, name: str, value: Any, location: str = "body") -> list[Violation]:
        """Violations of a plain value against a named component schema, with the request checks' pointers."""
        return _schema_errors(self.schema_validator(name), value, location)

    def _compile_operation(
        self, path: str, method: str, raw: dict[str, Any], shared: list[Any], default_security: list[Any]
    ) -> Operation:
        by_key = {(p["in"], p["name"]): p for p in [*shared, *raw.get("parameters", [])]}
        parameters = [
            Parameter(
                name=p["name"],
                location=p["in"],
                required=bool(p.get("required", p["in"] == "path")),
                schema=p.get("schema", {}),
                validator=_compile(p.get("schema", {})),
            )
            for p in by_key.values()
        ]
        body = raw.get("requestBody", {})
        security = raw.get("security", default_security)
        responses = {
            str(status): ResponseSpec(
                media={
                    media: _compile(content.get("schema", {})) for media, content in spec.get("content", {}).items()
                },
                required_headers=[
                    name.lower() for name, header in spec.get("headers", {}).items() if header.get("required")
                ],
            )
            for status, spec in raw.get("responses", {}).items()
        }
        return Operation(
            operation_id=raw["operationId"],
            method=method.upper(),
            path=path,
            parameters=parameters,
            body_required=bool(body.get("required", False)),
            body_media={media: _compile(c.get("schema", {})) for media, c in body.get("content", {}).items()},
            security=security,
            responses=responses,
            extensions={k: v for k, v in raw.items() if k.startswith("x-")},
            credential_checks=tuple(
                tuple(_credential_check(self.security_schemes.get(name, {})) for name in alternative)
                for alternative in security
            ),
        )

    # -- requests ---------------------------------------------------------------------------------------
    def validate_request(self, operation_id: str, parts: RequestParts) -> ValidatedRequest:
        op = self._compiled.get(operation_id) or self.operation(operation_id)
        violations: list[Violation] = []
        query: dict[str, Any] = {}
        sources = {"path": parts.path_params, "query": parts.query, "header": parts.headers}
        for param in op.parameters:
            values = sources.get(param.location, {})
            key = param.name.lower() if param.location == "header" else param.name
            raw = values.get(key)
            if raw is None or raw == "" and param.location != "query":
                if param.required:
                    violations.append(Violation(param.location, param.name, "required", f"'{param.name}' is required"))
                continue
            value = param.coerce(raw)
            violations.extend(_schema_errors(param.validator, value, param.location, base=param.name))
            if param.location == "query":
                query[param.name] = value
        body, body_violations = self._validate_body(op, parts)
        violations.extend(body_violations)
        violations.extend(self._check_security(op, parts, body))
        return ValidatedRequest(violations, query, body)

    def _validate_body(self, op: Operation, parts: RequestParts) -> tuple[Any, list[Violation]]:
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
        elif media in self.parsers:
            try:
                body = self.parsers[media](parts.body)
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
                return body, _schema_errors(validator, body, "body")  # too short to be too deep or too long
        too_big = limits.json_shape_error(body)
        if too_big is not None:
            return None, [Violation("body", "/", "limit", too_big)]
        return body, _schema_errors(validator, body, "body")

    def _check_security(self, op: Operation, parts: RequestParts, body: Any) -> list[Violation]:
        if not op.credential_checks:
            return []
        for alternative in op.credential_checks:
            for present in alternative:
                if not present(parts, body):
                    break
            else:  # every credential of this alternative is there
                return []
        return [Violation("security", "authorization", "security", "no accepted credential was sent")]

    # -- responses --------------------------------------------------------------------------------------
    def check_response(
        self, operation_id: str, status: int, content_type: str | None, body: bytes, headers: dict[str, str]
    ) -> list[Violation]:
        op = self._compiled.get(operation_id) or self.operation(operation_id)
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
            Violation("response", v.pointer, v.rule, v.message) for v in _schema_errors(validator, parsed, "body")
        ]


def _credential_check(scheme: dict[str, Any]) -> Callable[[RequestParts, Any], bool]:
    """Whether a request carries a credential of this scheme (the spec's `security`, as one function)."""

    def present(parts: RequestParts, body: Any) -> bool:
        return _credential_present(scheme, parts, body)

    if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer":

        def bearer(parts: RequestParts, body: Any) -> bool:
            auth = parts.headers.get("authorization", "")
            return auth[:7].lower() == "bearer " and bool(auth[7:].strip())

        return bearer
    return present


def _credential_present(scheme: dict[str, Any], parts: RequestParts, body: Any) -> bool:
    """Presence only: whether the credential is *valid* is a vendor rule over the world."""
    if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer":
        auth = parts.headers.get("authorization", "")
        return auth[:7].lower() == "bearer " and bool(auth[7:].strip())
    if scheme.get("type") == "apiKey":
        name = scheme.get("name", "")
        if scheme.get("in") == "header":
            return bool(parts.headers.get(name.lower()))
        # A query key; Graph also reads it from a form body, so the body counts too.
        return bool(parts.query.get(name)) or (isinstance(body, dict) and bool(body.get(name)))
    return False
