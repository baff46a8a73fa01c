"""Graph's `fields` parameter: parse `a,b{c,d},e.limit(5)`, project a node onto it, and say which fields exist.

Meta omits a field that has no value; it refuses only a field the node type does not have
(`(#100) Tried accessing nonexisting field (x) on node type (T)`). A node always carries its `id`.
"""

from __future__ import annotations

from typing import Any

from . import errors

Selection = list[tuple[str, "Selection | None"]]
MAX_FIELDS_LENGTH = 4000  # longer `fields` strings are refused, not parsed


def parse(raw: str) -> Selection:
    """`owner_business_info{id,name},status` -> [("owner_business_info", [("id", None), ("name", None)]), ...]."""
    if len(raw) > MAX_FIELDS_LENGTH:
        raise errors.invalid_parameter("fields", "is too long")
    selection, rest = _parse_list(raw, 0, depth=0)
    if rest != len(raw):
        raise errors.invalid_parameter("fields", "has unbalanced braces")
    return selection


def _parse_list(raw: str, i: int, depth: int) -> tuple[Selection, int]:
    if depth > 5:
        raise errors.invalid_parameter("fields", "is nested too deeply")
    out: Selection = []
    name = ""
    while i < len(raw):
        char = raw[i]
        if char == "{":
            sub, i = _parse_list(raw, i + 1, depth + 1)
            if i >= len(raw) or raw[i] != "}":
                raise errors.invalid_parameter("fields", "has unbalanced braces")
            _add(out, name, sub)
            name = ""
            i += 1
            continue
        if char == "}":
            break
        if char == ",":
            _add(out, name, None)
            name = ""
        else:
            name += char
        i += 1
    _add(out, name, None)
    return out, i


def _add(out: Selection, name: str, sub: Selection | None) -> None:
    name = name.strip().split(".", 1)[0]  # modifiers such as .limit(5) or .summary(true) do not change the value
    if name:
        out.append((name, sub))


def project(
    node: dict[str, Any], raw: str | None, known: frozenset[str], default: tuple[str, ...], node_type: str
) -> dict[str, Any]:
    """The node as Graph answers `fields=raw` (the default set when absent)."""
    selection: Selection = parse(raw) if raw else [(name, None) for name in default]
    for name, _ in selection:
        if name not in known:
            raise errors.nonexisting_field(name, node_type)
    names = dict(selection)
    out: dict[str, Any] = {}
    for name, sub in names.items():
        value = node.get(name)
        if value is None:
            continue  # a field without a value is left out, as Graph does
        out[name] = _select(value, sub) if sub is not None else value
    out["id"] = node["id"]
    return out


def _select(value: Any, sub: Selection) -> Any:
    if isinstance(value, dict) and isinstance(value.get("data"), list):  # an edge read as a field
        return {**value, "data": [_select(item, sub) for item in value["data"]]}
    if isinstance(value, list):
        return [_select(item, sub) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for name, inner in sub:
        if name in value and value[name] is not None:
            out[name] = _select(value[name], inner) if inner is not None else value[name]
    return out
