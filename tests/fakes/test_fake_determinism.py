"""Same seed and a ManualClock: the same requests give byte-identical journals; another seed gives other ids."""

from __future__ import annotations

import json

from fakes.core.clock import ManualClock
from fakes.harness import Harness

V = "v19.0"


def play(fakes) -> dict:
    """A fixed sequence touching every operation, the clock, errors and both vendors."""
    created = fakes.signup()
    token = fakes.exchange(created["code"]).json()["access_token"]
    auth = fakes.bearer(token)
    fakes.exchange(created["code"])  # used
    fakes.graph_get(f"/{V}/debug_token", params={"input_token": token, "access_token": fakes.APP_TOKEN})
    fakes.graph_get(f"/{V}/{created['waba_id']}", headers=auth)
    fakes.graph_get(f"/{V}/{created['waba_id']}/phone_numbers", headers=auth)
    fakes.graph_post(f"/{V}/{created['waba_id']}/subscribed_apps", headers=auth)
    fakes.graph_post(
        f"/{V}/{created['phone_number_id']}/register",
        headers=auth,
        json={"messaging_product": "whatsapp", "pin": "123456"},
    )
    fakes.h.advance_clock(12.5)
    fakes.register(created["waba_id"], created["phone_number_id"], customer_id="c-1")
    fakes.tx("POST", "/whatsapp/business_accounts/tech_provider", json={})
    listed = fakes.tx("GET", "/whatsapp/business_accounts").json()
    fakes.tx("GET", f"/whatsapp/business_accounts/{listed['data'][0]['id']}/phone_numbers")
    late = fakes.signup()
    fakes.h.advance_clock(31)
    fakes.exchange(late["code"])  # expired
    fakes.tx("GET", "/v2/whatsapp/phone_numbers")
    return {"created": created, "late": late, "token": token, "listed": listed}


def journal_without_durations(h: Harness) -> str:
    entries = h.journal()
    for entry in entries:
        entry.pop("duration_ms")
    return json.dumps(entries, sort_keys=True)


def test_same_seed_same_journal(make_fakes):
    one = make_fakes(Harness(seed=42, clock=ManualClock(), check_responses=True))
    two = make_fakes(Harness(seed=42, clock=ManualClock(), check_responses=True))
    for fakes in (one, two):
        fakes.h.seed_demo()
    first, second = play(one), play(two)
    assert first == second
    assert len(one.h.journal()) == 13
    assert journal_without_durations(one.h) == journal_without_durations(two.h)


def test_different_seeds_differ(make_fakes):
    one = make_fakes(Harness(seed=1, clock=ManualClock(), check_responses=True))
    two = make_fakes(Harness(seed=2, clock=ManualClock(), check_responses=True))
    for fakes in (one, two):
        fakes.h.seed_demo()
    first, second = play(one), play(two)
    assert first["created"]["waba_id"] != second["created"]["waba_id"]
    assert first["token"] != second["token"]
    assert journal_without_durations(one.h) != journal_without_durations(two.h)


def test_tenants_of_one_world_draw_different_ids():
    h = Harness(seed=42)
    h.seed_demo()
    h.seed_demo(tenant="acme")
    assert (
        h.complete_signup(app_id="100000000000001")["waba_id"]
        != h.complete_signup(tenant="acme", app_id="100000000000001")["waba_id"]
    )
