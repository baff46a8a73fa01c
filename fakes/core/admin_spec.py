"""The control plane's contract, `specs/admin.yaml`, compiled once per process by the vendors' machinery."""

from __future__ import annotations

from functools import cache
from typing import Any

from .errors import HarnessError
from .openapi import CompiledSpec
from .resources import spec_path
from .seeding import load_yaml

YAML = "application/yaml"


@cache
def admin_spec() -> CompiledSpec:
    return CompiledSpec.from_file(spec_path("admin"), "admin", parsers={YAML: load_yaml})


def limit(name: str) -> Any:
    """A documented bound of the control plane (`info.x-harness-limits` of specs/admin.yaml)."""
    return admin_spec().document["info"]["x-harness-limits"][name]


def check(schema: str, value: Any, error: type[HarnessError], what: str) -> None:
    """Raise `error` naming the first way `value` breaks `#/components/schemas/<schema>` (all of them attached)."""
    violations = admin_spec().validate_value(schema, value)
    if violations:
        first = violations[0]
        raise error(f"{what} {first.pointer}: {first.message}", [v.to_dict() for v in violations])
