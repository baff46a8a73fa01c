"""`GET /{waba-id}/phone_numbers`: one page of a WABA's numbers, its cursors and `next`/`previous` URLs, and Graph's
`filtering` parameter (a JSON array of `{field, operator, value}`)."""

from __future__ import annotations

import base64
import json
from typing import Any

from fakes.core.world import MetaState, Waba

from . import errors, fields
from .node_bodies import phone_node
from .node_fields import PHONE_DEFAULT_FIELDS, PHONE_FIELDS, PHONE_TYPE

DEFAULT_PAGE_LIMIT = 25
PHONE_FILTER_OPERATORS = ("EQUAL", "NOT_EQUAL", "IN", "NOT_IN")


def list_phone_numbers(
    meta: MetaState,
    waba: Waba,
    raw_fields: str | None,
    limit: int | None,
    after: str | None,
    before: str | None,
    filtering: str | None,
    page_url: str,
    keep: dict[str, str],
) -> dict[str, Any]:
    """One page; `page_url` and `keep` (access_token, fields, limit, filtering) build `next`/`previous`."""
    numbers = [meta.phone_numbers[pid] for pid in waba.phone_number_ids]
    nodes = [phone_node(meta, n) for n in numbers]
    if filtering:
        nodes = [n for n in nodes if _matches(n, _filters(filtering))]
    limit = limit or DEFAULT_PAGE_LIMIT
    start = _cursor_index(after, "after") + 1 if after else 0
    if before:
        start = max(0, _cursor_index(before, "before") - limit)
    page = nodes[start : start + limit]
    data = [fields.project(n, raw_fields, PHONE_FIELDS, PHONE_DEFAULT_FIELDS, PHONE_TYPE) for n in page]
    body: dict[str, Any] = {"data": data}
    if page:
        first, last = _cursor(start), _cursor(start + len(page) - 1)
        paging: dict[str, Any] = {"cursors": {"before": first, "after": last}}
        query = {k: v for k, v in keep.items() if v}
        query.setdefault("limit", str(limit))
        if start + len(page) < len(nodes):
            paging["next"] = _url(page_url, {**query, "after": last})
        if start > 0:
            paging["previous"] = _url(page_url, {**query, "before": first})
        body["paging"] = paging
    return body


def _url(base: str, query: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return f"{base}?{urlencode(query)}"


def _filters(raw: str) -> list[dict[str, Any]]:
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise errors.invalid_parameter("filtering", "must be a JSON array") from None
    if not isinstance(parsed, list) or not all(isinstance(f, dict) for f in parsed):
        raise errors.invalid_parameter("filtering", "must be a JSON array of {field, operator, value}")
    for item in parsed:
        if item.get("field") not in PHONE_FIELDS:
            raise errors.invalid_parameter("filtering", f"names an unknown field {str(item.get('field'))[:40]!r}")
        if item.get("operator") not in PHONE_FILTER_OPERATORS:
            raise errors.invalid_parameter("filtering", f"operator must be one of {', '.join(PHONE_FILTER_OPERATORS)}")
    return parsed


def _matches(node: dict[str, Any], filters: list[dict[str, Any]]) -> bool:
    for item in filters:
        value, wanted, operator = node.get(item["field"]), item.get("value"), item["operator"]
        values = wanted if isinstance(wanted, list) else [wanted]
        hit = str(value) in [str(v) for v in values] if operator in ("IN", "NOT_IN") else str(value) == str(wanted)
        if operator.startswith("NOT") == hit:
            return False
    return True


def _cursor(index: int) -> str:
    return base64.b64encode(str(index).encode()).decode()


def _cursor_index(cursor: str, name: str) -> int:
    try:
        return int(base64.b64decode(cursor.encode(), validate=True).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.invalid_parameter(name, "is not a valid cursor") from exc
