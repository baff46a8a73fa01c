"""Finding a spec's operations by operationId and compiling one into an `Operation` when it is first needed.

`index_operations` maps each operationId to its path and method without compiling anything (start-up pays for
none); `LazyOperations` is the `Mapping` a spec shows for them (membership is free, a lookup compiles);
`compile_operation` turns one raw operation into its validators: parameters, request body media, responses and
security checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .schema_checks import compile_schema, resolve
from .security_checks import credential_check
from .spec_records import Operation, Parameter, ResponseSpec

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def index_operations(document: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """operationId -> (path, method) of every operation in the document; the last one named wins."""
    index: dict[str, tuple[str, str]] = {}
    for path, item in document.get("paths", {}).items():
        if "$ref" in item:  # a path item kept elsewhere in the document
            item = resolve(item, document)
        for method in HTTP_METHODS:
            if method in item:
                index[item[method]["operationId"]] = (path, method)
    return index


class LazyOperations(Mapping[str, Operation]):
    """operationId -> Operation; an operation is compiled when it is first looked up (membership is free)."""

    def __init__(self, index: dict[str, tuple[str, str]], operation: Callable[[str], Operation]) -> None:
        self._index = index
        self._operation = operation  # the spec's compile-once lookup (KeyError for an unknown operationId)

    def __getitem__(self, operation_id: str) -> Operation:
        return self._operation(operation_id)

    def __contains__(self, operation_id: object) -> bool:
        return operation_id in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def compile_operation(
    path: str,
    method: str,
    raw: dict[str, Any],
    shared: list[Any],
    default_security: list[Any],
    security_schemes: dict[str, dict[str, Any]],
) -> Operation:
    """One operation (refs resolved) compiled; `shared` are its path item's parameters, `default_security` the
    document's."""
    by_key = {(p["in"], p["name"]): p for p in [*shared, *raw.get("parameters", [])]}
    parameters = [
        Parameter(
            name=p["name"],
            location=p["in"],
            required=bool(p.get("required", p["in"] == "path")),
            schema=p.get("schema", {}),
            validator=compile_schema(p.get("schema", {})),
        )
        for p in by_key.values()
    ]
    body = raw.get("requestBody", {})
    security = raw.get("security", default_security)
    responses = {
        str(status): ResponseSpec(
            media={
                media: compile_schema(content.get("schema", {})) for media, content in spec.get("content", {}).items()
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
        body_media={media: compile_schema(c.get("schema", {})) for media, c in body.get("content", {}).items()},
        security=security,
        responses=responses,
        extensions={k: v for k, v in raw.items() if k.startswith("x-")},
        credential_checks=tuple(
            tuple(credential_check(security_schemes.get(name, {})) for name in alternative) for alternative in security
        ),
    )
