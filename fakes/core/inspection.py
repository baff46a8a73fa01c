"""Read-only views of a world for people: a tenant's redacted state, the tenants, the catalogue, the timeline.

The control operations behind the live view (`/__admin/ui`), the same from Python (`Harness.world_snapshot()`,
`tenants()`, `scenarios()`, `timeline()`) and over HTTP:

    GET /__admin/world?tenant=       the tenant's state, every vendor table, secrets redacted
    GET /__admin/tenants             the tenants, the default one first
    GET /__admin/scenarios           the scenario catalogue (ids, titles, tags), when the harness has one
    GET /__admin/timeline?since=     the journal, each entry with the error mapping table's reading of it

The snapshot is generic: every dataclass a `Tenant` holds (today `meta` and `telnyx`) becomes a section, every
dict or list of records in it a table, so state added to the world shows without changing this module. A field
is a secret when its name says so (see `is_secret_field`); its string value is replaced whole.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any

from flask import Blueprint, Response, jsonify

from .errors import HarnessError
from .redaction import REDACTED, SECRET_FIELDS, redact_text
from .world import DEFAULT_TENANT, Tenant, World

# `value` is what every credential record of the world calls its secret (codes, tokens, API keys).
_SECRET_NAME = re.compile(r"secret|token|password|passphrase|(^|_)pin$|(^|_)key$|^value$", re.IGNORECASE)


def is_secret_field(name: str) -> bool:
    return name.lower() in SECRET_FIELDS or bool(_SECRET_NAME.search(name))


def _redact(value: Any, name: str = "") -> Any:
    if isinstance(value, str):
        return REDACTED if name and is_secret_field(name) else redact_text(value)
    if is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(_redact(v) for v in value)
    if isinstance(value, list | tuple):
        return [_redact(v, name) for v in value]
    return value


def _is_record(value: Any) -> bool:
    return is_dataclass(value) and not isinstance(value, type)


def _section(state: Any) -> dict[str, Any]:
    """A vendor state dataclass as {"tables": {name: [rows]}, "fields": {name: value}}."""
    tables: dict[str, list[dict[str, Any]]] = {}
    scalars: dict[str, Any] = {}
    for f in fields(state):
        value = getattr(state, f.name)
        items = list(value.values()) if isinstance(value, dict) else value
        # Records keyed by a secret (codes, tokens, API keys) lose their keys: each row names itself.
        if isinstance(items, list | tuple) and all(_is_record(item) for item in items):
            tables[f.name] = [_redact(item) for item in items]
        else:
            scalars[f.name] = _redact(value, f.name)
    return {"tables": tables, "fields": scalars}


def world_snapshot(world: World, tenant: str = DEFAULT_TENANT) -> dict[str, Any]:
    """The tenant's state, redacted: what a person needs to see the world (never a credential's value)."""
    with world.lock:
        exists = tenant in world.tenants
        target = world.tenants.get(tenant) or Tenant(tenant, world.seed, world)  # reading creates nothing
        sections = {
            name: _section(value) for name, value in vars(target).items() if _is_record(value) and name != "world"
        }
        return {
            "tenant": tenant,
            "exists": exists,
            "clock": {"now": world.clock.now(), "iso": world.clock.iso()},
            "sections": sections,
            "faults": [f.to_dict() for f in target.faults.armed()],
            "signup_plan": _redact(target.signup_plan),
            "scenario": target.scenario,
            "journal_entries": len(world.journal.entries(tenant=tenant)),
        }


def tenants(world: World) -> list[dict[str, Any]]:
    """Every tenant the world or its journal knows, the default one first, then by name."""
    counts = Counter(entry.tenant for entry in world.journal.entries())
    with world.lock:
        known = dict(world.tenants)
    names = sorted(set(known) | set(counts) | {DEFAULT_TENANT}, key=lambda n: (n != DEFAULT_TENANT, n))
    return [
        {
            "name": name,
            "exists": name in known,
            "journal_entries": counts.get(name, 0),
            "scenario": known[name].scenario if name in known else None,
        }
        for name in names
    ]


def scenarios(world: World) -> list[dict[str, Any]]:
    if world.scenario_catalogue is None:
        raise HarnessError("this harness was started without the scenario catalogue")
    return world.scenario_catalogue()


def arm_scenario(world: World, scenario_id: str, tenant: str = DEFAULT_TENANT) -> dict[str, Any]:
    if world.scenario_armer is None:
        raise HarnessError("this harness was started without the scenario catalogue")
    return world.scenario_armer(scenario_id, tenant)


def timeline(world: World, tenant: str = DEFAULT_TENANT, since: int = 0) -> list[dict[str, Any]]:
    """The tenant's journal entries after `since`, each with `explanation`: what the error mapping table reads in
    it (error class, vendor code, guidance, the guide's troubleshooting section), or None."""
    return timeline_page(world, tenant, since)["entries"]


def timeline_page(world: World, tenant: str = DEFAULT_TENANT, since: int = 0) -> dict[str, Any]:
    """`timeline()` plus what a poller needs: the last sequence number, and the oldest one the journal still
    holds for the tenant (`first_seq`, None when empty), so that rows cleared, reset or dropped disappear."""
    held = world.journal.entries(tenant=tenant, direction="any")  # calls to the fakes and webhooks they sent
    explain = world.error_explainer
    entries = [entry.to_dict() for entry in held if entry.seq > since]
    for entry in entries:
        entry["explanation"] = explain(entry) if explain is not None else None
    return {
        "tenant": tenant,
        "entries": entries,
        "last_seq": entries[-1]["seq"] if entries else since,
        "first_seq": held[0].seq if held else None,
        "limit": world.journal.limit,
    }


def register_inspection_routes(admin: Blueprint, world: World, current: Any) -> None:
    """Add the read-only operations above to the /__admin blueprint (specs/admin.yaml describes them);
    `current()` is the admitted request (`fakes.core.admin.AdminRequest`: its tenant and checked query)."""

    @admin.get("/world", endpoint="getWorld")
    def world_view() -> Response:
        return jsonify(world_snapshot(world, current().one_tenant))

    @admin.get("/tenants", endpoint="listTenants")
    def tenants_view() -> Response:
        return jsonify(tenants=tenants(world))

    @admin.get("/scenarios", endpoint="listScenarios")
    def scenarios_view() -> Response:
        return jsonify(scenarios=scenarios(world))

    @admin.get("/timeline", endpoint="getTimeline")
    def timeline_view() -> Response:
        return jsonify(timeline_page(world, current().one_tenant, int(current().query.get("since", 0))))
