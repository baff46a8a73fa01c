"""The scenario model and loader: YAML files checked against scenarios/scenario.schema.json.

A loading error names the file, the line and the field, e.g.
`scenarios/telnyx-401.yaml:12: expect.outcome: 'sucess' is not one of ['success', 'error']`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

if TYPE_CHECKING:
    import yaml

from fakes.core.errors import HarnessError
from fakes.core.resources import scenarios_dir

SCHEMA_FILE = "scenario.schema.json"


class ScenarioError(HarnessError):
    """A scenario file is unreadable or breaks the format; the message names file, line and field."""


class UnknownScenario(HarnessError):
    pass


@dataclass(frozen=True)
class Scenario:
    """One catalogue entry: the world it starts from, the faults armed, how the signup goes, what is expected."""

    id: str
    title: str
    description: str
    expect: dict[str, Any]
    tags: tuple[str, ...] = ()
    troubleshooting: str | None = None
    given: dict[str, Any] = field(default_factory=dict)
    signup: dict[str, Any] = field(default_factory=dict)
    faults: tuple[dict[str, Any], ...] = ()
    client: dict[str, Any] = field(default_factory=dict)
    delivery_faults: tuple[dict[str, Any], ...] = ()  # DeliveryFault dicts (fakes/core/delivery.py)
    receiver: dict[str, Any] = field(default_factory=dict)  # the partner's webhook endpoint (partner_endpoint.py)
    hosted: dict[str, Any] = field(default_factory=dict)  # play a hosted signup instead of tech_provider
    path: Path | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: Path | None = None) -> Scenario:
        return cls(
            id=data["id"],
            title=data["title"],
            description=data["description"].strip(),
            expect=data["expect"],
            tags=tuple(data.get("tags", ())),
            troubleshooting=data.get("troubleshooting"),
            given=data.get("given") or {},
            signup=data.get("signup") or {},
            faults=tuple(data.get("faults") or ()),
            client=data.get("client") or {},
            delivery_faults=tuple(data.get("delivery_faults") or ()),
            receiver=data.get("receiver") or {},
            hosted=data.get("hosted") or {},
            path=path,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "tags": list(self.tags),
            "troubleshooting": self.troubleshooting,
            "given": self.given,
            "signup": self.signup,
            "faults": list(self.faults),
            "client": self.client,
            "delivery_faults": list(self.delivery_faults),
            "receiver": self.receiver,
            "hosted": self.hosted,
            "expect": self.expect,
        }


def _schema_validator(directory: Path) -> Any:
    schema_path = directory / SCHEMA_FILE
    if not schema_path.exists():
        schema_path = scenarios_dir() / SCHEMA_FILE
    return jsonschema_rs.validator_for(json.loads(schema_path.read_text()))


def _to_python(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> Any:
    """Build plain Python from a composed YAML node, remembering the line of every value."""
    import yaml

    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _to_python(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def _parse(path: Path, text: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    import yaml  # here, not at import: `serve` without a scenario never parses one

    lines: dict[tuple[Any, ...], int] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"{mark.line + 1}" if mark is not None else "?"
        raise ScenarioError(f"{path}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if node is None:
        raise ScenarioError(f"{path}:1: the file is empty")
    return _to_python(node, (), lines), lines


def _line_of(lines: dict[tuple[Any, ...], int], instance_path: list[Any]) -> int:
    path = tuple(instance_path)
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


def load_file(path: Path, validator: Any | None = None) -> Scenario:
    validator = validator or _schema_validator(path.parent)
    data, lines = _parse(path, path.read_text())
    errors = sorted(validator.iter_errors(data), key=lambda e: _line_of(lines, list(e.instance_path)))
    if errors:
        messages = []
        for error in errors[:5]:
            where = ".".join(str(p) for p in error.instance_path) or "(top level)"
            messages.append(f"{path}:{_line_of(lines, list(error.instance_path))}: {where}: {error.message}")
        raise ScenarioError("\n".join(messages))
    _check_semantics(path, data, lines)
    return Scenario.from_dict(data, path)


def _check_semantics(path: Path, data: dict[str, Any], lines: dict[tuple[Any, ...], int]) -> None:
    """Rules a JSON Schema states badly: the file name matches the id; an error outcome names its error."""
    if path.stem != data["id"]:
        raise ScenarioError(
            f"{path}:{lines.get(('id',), 1)}: id: {data['id']!r} must match the file name {path.stem!r}"
        )
    expect = data["expect"]
    if expect["outcome"] == "error" and "error" not in expect:
        raise ScenarioError(f"{path}:{lines.get(('expect',), 1)}: expect.error: required when outcome is 'error'")
    if expect["outcome"] == "success" and "error" in expect:
        raise ScenarioError(f"{path}:{lines.get(('expect', 'error'), 1)}: expect.error: not allowed on success")


def load_catalogue(directory: Path | None = None) -> list[Scenario]:
    directory = directory or scenarios_dir()
    if not directory.is_dir():
        raise ScenarioError(f"{directory}: no such scenario folder (it takes a folder of scenario YAML files)")
    validator = _schema_validator(directory)
    scenarios = [load_file(p, validator) for p in sorted(directory.glob("*.yaml"))]
    seen: dict[str, Path | None] = {}
    for scenario in scenarios:
        if scenario.id in seen:
            raise ScenarioError(f"{scenario.path}:1: id: {scenario.id!r} is also used by {seen[scenario.id]}")
        seen[scenario.id] = scenario.path
    return scenarios


def select(scenarios: list[Scenario], ids: list[str] | None = None, tags: list[str] | None = None) -> list[Scenario]:
    """Scenarios by id (in the order given) and/or tag; unknown ids are an error, not an empty run."""
    chosen = scenarios
    if ids:
        by_id = {s.id: s for s in scenarios}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise UnknownScenario(f"unknown scenario id(s): {', '.join(missing)} (see `signup-harness list`)")
        chosen = [by_id[i] for i in ids]
    if tags:
        chosen = [s for s in chosen if set(tags) & set(s.tags)]
    return chosen


def find(scenario_id: str, directory: Path | None = None) -> Scenario:
    return select(load_catalogue(directory), ids=[scenario_id])[0]
