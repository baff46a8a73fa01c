"""Lenient readers for loosely typed JSON values (Meta sends ids and codes as strings or numbers)."""

from __future__ import annotations

from typing import Any


def as_code(value: Any) -> str | None:
    """A vendor code as a string: 100 -> "100", "36009" -> "36009"; anything else -> None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def as_id(value: Any) -> str | None:
    """A Meta object id as a non-empty string (numbers accepted), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def as_object(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
