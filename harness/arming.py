"""Put a tenant of a running harness into a scenario's starting state: world, faults, signup plan.

Used by the runner (then the runner plays the popup itself) and by `serve --scenario` / POST
`/__admin/scenarios/<id>` (then a person plays the popup in a browser, auto-driven by the plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fakes.core.world import DEFAULT_TENANT
from fakes.harness import Harness

from .scenarios import Scenario, find, load_catalogue

# The standard world every scenario starts from: fakes/data/demo_world.yaml (one live app linked to Telnyx,
# one active and one revoked Telnyx key). These are its ids and credentials.
APP_ID = "100000000000001"
APP_SECRET = "local-app-secret-not-real"
TELNYX_KEY = "KEYLOCALTEST0001_notarealtelnyxkey"
UNKNOWN_APP_ID = "199999999999999"
WRONG_APP_SECRET = "not-the-app-secret"
UNKNOWN_TELNYX_KEY = "KEYUNKNOWN0000_notarealtelnyxkey"


@dataclass(frozen=True)
class Credentials:
    """What the partner's backend is configured with for this scenario."""

    app_id: str
    app_secret: str
    telnyx_api_key: str


def arm(harness: Harness, scenario: Scenario, tenant: str = DEFAULT_TENANT) -> Credentials:
    """Reset the tenant to the scenario's `given` world, arm its faults and its signup plan."""
    harness.reset(tenant)
    harness.seed_demo(tenant)
    world_tenant = harness.world.tenant(tenant)
    given = scenario.given
    app = world_tenant.meta.apps[APP_ID]
    for key, value in (given.get("app") or {}).items():
        setattr(app, key, value)
    if given.get("telnyx_key") == "revoked":
        world_tenant.telnyx.api_keys[TELNYX_KEY].status = "revoked"
    if given.get("seed"):
        harness.seed(given["seed"], tenant)
    for fault in scenario.faults:
        harness.arm_fault(dict(fault), tenant)
    for delivery_fault in scenario.delivery_faults:
        harness.arm_delivery_fault(dict(delivery_fault), tenant)
    world_tenant.signup_plan = {"app_id": APP_ID, **scenario.signup}
    world_tenant.scenario = {"id": scenario.id, "title": scenario.title}
    return credentials_for(scenario)


def credentials_for(scenario: Scenario) -> Credentials:
    client = scenario.client
    app_id = client.get("app_id", APP_ID)
    secret = client.get("app_secret", APP_SECRET)
    key = {"default": TELNYX_KEY, "none": "", "unknown": UNKNOWN_TELNYX_KEY}[client.get("telnyx_api_key", "default")]
    return Credentials(
        app_id=UNKNOWN_APP_ID if app_id == "unknown" else app_id,
        app_secret=WRONG_APP_SECRET if secret == "wrong" else secret,
        telnyx_api_key=key,
    )


def preregister(harness: Harness, scenario: Scenario, signup: dict[str, Any], tenant: str) -> None:
    """`given.preregistered`: the signup's WABA is already registered with Telnyx before the client runs."""
    mode = scenario.given.get("preregistered")
    if not mode or not signup.get("waba_id"):
        return
    customer = scenario.client.get("customer_id") if mode == "same" else "someone-else-7"
    registration = {
        "waba_id": signup["waba_id"],
        "phone_number_id": signup["phone_number_id"],
        "app_id": APP_ID,
        "customer_id": customer,
    }
    harness.seed({"telnyx": {"registrations": [registration]}}, tenant)


def arm_scenario(harness: Harness, scenario_id: str, tenant: str = DEFAULT_TENANT) -> dict[str, Any]:
    """Arm a catalogue scenario by id (for `serve --scenario` and POST /__admin/scenarios/<id>)."""
    scenario = find(scenario_id)
    credentials = arm(harness, scenario, tenant)
    return {
        "armed": scenario.id,
        "tenant": tenant,
        "title": scenario.title,
        "signup_plan": harness.world.tenant(tenant).signup_plan,
        "faults": [dict(f) for f in scenario.faults],
        "delivery_faults": [dict(f) for f in scenario.delivery_faults],
        "backend_app_id": credentials.app_id,
    }


def catalogue_summary() -> list[dict[str, Any]]:
    """The catalogue as GET /__admin/scenarios lists it: what a person picks a scenario by."""
    return [
        {"id": s.id, "title": s.title, "tags": list(s.tags), "troubleshooting": s.troubleshooting}
        for s in load_catalogue()
    ]


def enable_scenario_arming(harness: Harness) -> None:
    """Let the control plane arm catalogue scenarios on this harness, list the catalogue, and read journal
    entries through the reference client's error mapping table (the live view's troubleshooting column)."""
    harness.world.scenario_armer = lambda scenario_id, tenant: arm_scenario(harness, scenario_id, tenant)
    harness.world.scenario_catalogue = catalogue_summary
    harness.world.error_explainer = _explain_entry


def _explain_entry(entry: dict[str, Any]) -> dict[str, Any] | None:
    from .explain import explain_entry  # imports the client and requests: only once someone looks

    return explain_entry(entry)
