"""The live view's control operations: /__admin/world, /tenants, /scenarios, /timeline and the page itself.

Each runs in process and over real sockets, over HTTP and from Python, and never lets a secret out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fakes.core.inspection import is_secret_field, world_snapshot
from fakes.harness import Harness

SECRETS = ("local-app-secret-not-real", "KEYLOCALTEST0001_notarealtelnyxkey", "AQDEMO-seeded-code-0001")


def test_the_world_snapshot_shows_every_vendor_table_and_no_secret(fakes: Any) -> None:
    token, created = fakes.token()
    registered = fakes.register(created["waba_id"], created["phone_number_id"], customer_id="acme-corp-42")
    assert registered.status_code == 200
    response = fakes.admin("GET", "/world")
    assert response.status_code == 200
    snapshot = response.json()
    assert snapshot == fakes.h.world_snapshot()  # the Python API is the same operation
    text = json.dumps(snapshot)
    for secret in (*SECRETS, token, created["code"]):
        assert secret not in text
    meta, telnyx = snapshot["sections"]["meta"]["tables"], snapshot["sections"]["telnyx"]["tables"]
    assert [a["id"] for a in meta["apps"]] == [fakes.APP_ID] and meta["apps"][0]["secret"] == "[REDACTED]"
    assert {n["id"]: n["status"] for n in meta["phone_numbers"]}[created["phone_number_id"]] == "PENDING"
    assert {c["value"] for c in meta["codes"]} == {"[REDACTED]"} and len(meta["codes"]) >= 2
    assert {t["value"] for t in meta["tokens"]} == {"[REDACTED]"}
    assert sorted(k["status"] for k in telnyx["api_keys"]) == ["active", "revoked"]
    assert [(r["waba_id"], r["customer_id"]) for r in telnyx["registrations"]] == [(created["waba_id"], "acme-corp-42")]
    assert snapshot["exists"] and snapshot["tenant"] == "default" and snapshot["clock"]["iso"].endswith("Z")


def test_the_snapshot_shows_armed_faults_and_the_signup_plan_of_the_named_tenant(fakes: Any) -> None:
    fakes.h.seed_demo("qa")
    fakes.h.arm_fault({"operation": "telnyx.registerTechProvider", "status": 503, "times": 2}, tenant="qa")
    fakes.h.world.tenant("qa").signup_plan = {"app_id": fakes.APP_ID, "outcome": "CANCEL"}
    qa = fakes.admin("GET", "/world?tenant=qa", vendor="telnyx").json()
    assert [(f["operation"], f["status"]) for f in qa["faults"]] == [("telnyx.registerTechProvider", 503)]
    assert qa["signup_plan"]["outcome"] == "CANCEL"
    assert fakes.admin("GET", "/world").json()["faults"] == []  # the default tenant has none


def test_reading_an_unknown_tenant_creates_nothing(fakes: Any) -> None:
    snapshot = fakes.admin("GET", "/world?tenant=nobody-yet").json()
    assert snapshot["exists"] is False and snapshot["sections"]["meta"]["tables"]["apps"] == []
    assert "nobody-yet" not in fakes.h.world.tenants


def test_tenants_list_the_default_first_then_by_name(fakes: Any) -> None:
    fakes.h.seed_demo("zeta")
    fakes.h.seed_demo("alpha")
    fakes.exchange(fakes.DEMO_CODE, base=fakes.tenant_graph("default"))  # the code is alpha's too now
    listed = fakes.admin("GET", "/tenants").json()["tenants"]
    assert [t["name"] for t in listed] == ["default", "alpha", "zeta"]
    assert listed[0]["journal_entries"] == 1 and listed[1]["journal_entries"] == 0
    assert listed == fakes.h.tenants()


def test_without_a_catalogue_scenarios_are_a_harness_error(fakes: Any) -> None:
    response = fakes.admin("GET", "/scenarios")
    assert response.status_code == 400
    assert "without the scenario catalogue" in response.json()["harness_error"]["message"]


def test_the_timeline_is_the_journal_after_a_sequence_number(fakes: Any) -> None:
    fakes.exchange(fakes.DEMO_CODE)
    fakes.exchange(fakes.DEMO_CODE)  # used: 400
    first = fakes.admin("GET", "/timeline").json()
    assert [e["status"] for e in first["entries"]] == [200, 400]
    assert all(e["explanation"] is None for e in first["entries"])  # no explainer injected: no reading
    assert first["last_seq"] == first["entries"][-1]["seq"]
    later = fakes.admin("GET", f"/timeline?since={first['last_seq']}").json()
    assert later["entries"] == [] and later["last_seq"] == first["last_seq"]
    assert fakes.admin("GET", "/timeline?since=x").status_code == 400
    assert [e["seq"] for e in fakes.h.timeline(since=0)] == [e["seq"] for e in first["entries"]]
    assert SECRETS[0] not in json.dumps(first)


def test_the_timeline_reads_entries_through_the_injected_explainer(fakes: Any) -> None:
    seen: list[int] = []

    def explain(entry: dict[str, Any]) -> dict[str, Any] | None:
        seen.append(entry["status"])
        return {"error": "Used"} if entry["status"] >= 400 else None

    fakes.h.world.error_explainer = explain
    fakes.exchange(fakes.DEMO_CODE)
    fakes.exchange(fakes.DEMO_CODE)
    entries = fakes.admin("GET", "/timeline").json()["entries"]
    assert [e["explanation"] for e in entries] == [None, {"error": "Used"}]
    assert seen == [200, 400]


def test_the_page_is_served_on_both_ports_with_its_assets_and_a_strict_policy(fakes: Any) -> None:
    for vendor in ("graph", "telnyx"):
        page = fakes.admin("GET", "/ui", vendor=vendor)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        assert 'data-admin-base="/__admin/"' in page.text
        for asset in ("ui.js", "ui.css"):
            assert f"/__admin/ui/static/{asset}" in page.text
            assert fakes.admin("GET", f"/ui/static/{asset}", vendor=vendor).status_code == 200
    assert fakes.h.journal() == []  # the page is not a vendor call


def test_under_a_tenant_prefix_the_page_opens_on_that_tenant(fakes: Any) -> None:
    page = fakes.http.get(f"{fakes.graph}/_t/qa-7/__admin/ui", timeout=10)
    assert 'data-admin-base="/_t/qa-7/__admin/"' in page.text and 'data-prefix-tenant="qa-7"' in page.text


@dataclass
class _Future:
    """State some later work may add to a tenant: it shows without changes to the snapshot."""

    sessions: dict[str, Any] = field(default_factory=dict)
    webhook_secret: str = "whsec-not-shown"
    notes: list[str] = field(default_factory=list)


@dataclass
class _Session:
    id: str
    state: str
    verify_token: str


def test_the_snapshot_is_generic_over_the_tenants_state() -> None:
    h = Harness()
    tenant = h.world.tenant("default")
    future = _Future(sessions={"s1": _Session("s1", "COMPLETED", "vt-not-shown")}, notes=["a"])
    tenant.future = future  # type: ignore[attr-defined]
    section = world_snapshot(h.world)["sections"]["future"]
    assert section["tables"]["sessions"] == [{"id": "s1", "state": "COMPLETED", "verify_token": "[REDACTED]"}]
    assert section["fields"] == {"webhook_secret": "[REDACTED]", "notes": ["a"]}


def test_secret_field_names() -> None:
    for name in ("value", "secret", "app_secret", "access_token", "api_key", "pin", "verify_token", "code"):
        assert is_secret_field(name), name
    for name in ("id", "status", "waba_id", "code_verification_status", "config_ids", "issued_at", "name"):
        assert not is_secret_field(name), name
