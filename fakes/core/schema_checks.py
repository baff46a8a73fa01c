"""JSON Schema as the spec checks use it: local `$ref`s inlined, schemas compiled, errors made into violations.

`resolve` inlines a document's local references, `compile_schema` makes a `jsonschema_rs` validator (formats
checked), and `schema_errors` turns what a validator finds in a value into `Violation`s with JSON pointers and
bounded messages that never echo a secret.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from .spec_records import Violation

MESSAGE_LIMIT = 200  # characters of a violation message (a schema message may quote a huge value)


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


def compile_schema(schema: dict[str, Any]) -> Any:
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def schema_errors(validator: Any, instance: Any, location: str, base: str = "") -> list[Violation]:
    """The violations of `instance` against a compiled validator: pointers into it (or `base`, a parameter's
    name), messages cut at `MESSAGE_LIMIT`, a secret's value withheld."""
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
