"""Compile an OpenAPI 3.1 document into per-operation validators, each once, on its first use.

Generic OpenAPI unmarshalling per request costs about a millisecond; here an operation's schemas are resolved
and compiled to `jsonschema_rs` validators the first time the operation is asked for (start-up pays for none:
a process serves a handful of operations), so a request check is a few microseconds. Violations are plain
records; each vendor renders them as its own error (see `fakes/*/errors.py`).

A spec document is YAML; parsing it is most of a start-up's cost, so the parsed document is kept as JSON by
`fakes.core.kept_documents.load_document` and the next process reads that instead.

This module is `CompiledSpec` and the request check's control flow. Its parts, whose public names are importable
from here too: spec_records.py (`Operation`, `RequestParts`, `Violation`, ...), operation_lookup.py (the index by
operationId, compiling an operation), schema_checks.py (`$ref`s, validators, schema errors as violations),
request_body.py (media types, strict JSON, limits), security_checks.py (credential presence) and
response_checks.py.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .kept_documents import CACHE_DIR_ENV, load_document
from .operation_lookup import HTTP_METHODS, LazyOperations, compile_operation, index_operations
from .request_body import FORM, JSON, BodyParser, loads_json, validate_body
from .response_checks import response_violations
from .schema_checks import MESSAGE_LIMIT, compile_schema, resolve, schema_errors
from .security_checks import check_security
from .spec_records import Operation, Parameter, RequestParts, ResponseSpec, ValidatedRequest, Violation

__all__ = [
    "CACHE_DIR_ENV",
    "FORM",
    "HTTP_METHODS",
    "JSON",
    "MESSAGE_LIMIT",
    "BodyParser",
    "CompiledSpec",
    "Operation",
    "Parameter",
    "RequestParts",
    "ResponseSpec",
    "ValidatedRequest",
    "Violation",
    "compile_schema",
    "load_document",
    "loads_json",
    "resolve",
]


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
        self._index: dict[str, tuple[str, str]] = index_operations(document)  # operationId -> (path, method)
        self.operations: Mapping[str, Operation] = LazyOperations(self._index, self.operation)

    def operation(self, operation_id: str) -> Operation:
        """The compiled operation (KeyError for an unknown operationId)."""
        found = self._compiled.get(operation_id)
        if found is None:
            with self._lock:
                found = self._compiled.get(operation_id)
                if found is None:
                    path, method = self._index[operation_id]
                    item = resolve(self.document["paths"][path], self.document)
                    found = self._compiled[operation_id] = compile_operation(
                        path,
                        method,
                        item[method],
                        item.get("parameters", []),
                        self.document.get("security", []),
                        self.security_schemes,
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
            validator = self._named[name] = compile_schema(
                resolve({"$ref": f"#/components/schemas/{name}"}, self.document)
            )
        return validator

    def validate_value(self, name: str, value: Any, location: str = "body") -> list[Violation]:
        """Violations of a plain value against a named component schema, with the request checks' pointers."""
        return schema_errors(self.schema_validator(name), value, location)

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
            violations.extend(schema_errors(param.validator, value, param.location, base=param.name))
            if param.location == "query":
                query[param.name] = value
        body, body_violations = validate_body(op, parts, self.parsers)
        violations.extend(body_violations)
        violations.extend(check_security(op, parts, body))
        return ValidatedRequest(violations, query, body)

    # -- responses --------------------------------------------------------------------------------------
    def check_response(
        self, operation_id: str, status: int, content_type: str | None, body: bytes, headers: dict[str, str]
    ) -> list[Violation]:
        op = self._compiled.get(operation_id) or self.operation(operation_id)
        return response_violations(op, status, content_type, body, headers)
