"""The live view (`/__admin/ui`) in real Chromium, next to the example portal, as QA and developers use it.

One harness with the scenario catalogue (as `signup-harness demo` builds it) serves the fakes and the portal for
this module; each test starts from the demo world. The last test runs the `demo` command itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from fakes.core.clock import LiveClock
from fakes.harness import Harness, Server
from harness.arming import enable_scenario_arming
from harness.demo import quiet_secrets_in_request_logs
from harness.demo_portal import PortalServer, start_demo

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
RED = "rgb(198, 40, 40)"  # --bad in ui.css
TS_401 = "The Telnyx API returns a 401 Unauthorized error"
API_KEY = "KEYLOCALTEST0001_notarealtelnyxkey"
PENDING = "Connecting WhatsApp: pending"
# The onboarding's calls, without the portal's polling of the signup session's status while the page waits.
CALLS = 'tr.entry:not([data-operation="telnyx.getSignupStatus"])'
# What the demo journals when it points the webhooks at the portal (at start, and again after each arming).
WIRING = ["telnyx.updateUserData", "graph.webhook:verification", "graph.createAppSubscription"]
ONBOARDING = CALLS + "".join(f':not([data-operation="{operation}"])' for operation in WIRING)


@dataclass
class Live:
    harness: Harness
    fakes: Server
    portal: PortalServer

    @property
    def ui_url(self) -> str:
        """The root live view, as `serve` and `demo` print it: the admin token in the fragment."""
        return f"{self.fakes.graph_url}/__admin/ui#token={self.harness.admin_token}"


@pytest.fixture(scope="module")
def live(browser: Any) -> Iterator[Live]:
    quiet_secrets_in_request_logs()
    harness = Harness(seed="live-view-tests", clock=LiveClock(), check_responses=True)
    harness.seed_demo()
    enable_scenario_arming(harness)
    fakes, portal = start_demo(harness, portal_port=0, graph_port=0, telnyx_port=0)
    try:
        yield Live(harness, fakes, portal)
    finally:
        portal.stop()
        fakes.stop()


@pytest.fixture
def fresh(live: Live) -> Live:
    """The demo world again in the default tenant: nothing armed, an empty journal."""
    live.harness.reset("default")
    live.harness.seed_demo()
    return live


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def connect_through_portal(page: Any, portal_url: str, by_hand: bool = True) -> None:
    """Click Connect WhatsApp, then through the popup to Finish as a person does; with a scenario armed the
    popup plays its ending by itself (`by_hand=False`)."""
    page.goto(portal_url)
    with page.expect_popup() as popup_info:
        page.get_by_role("button", name="Connect WhatsApp").click()
    popup = popup_info.value
    if not by_hand:
        return
    popup.wait_for_load_state()
    for _ in range(8):
        if popup.locator("section.step:not([hidden])").get_attribute("data-step") == "PERMISSIONS":
            break
        popup.get_by_role("button", name="Continue").click()
    popup.get_by_label("Finish", exact=True).check()
    popup.get_by_role("button", name="Finish").click()


def color(locator: Any) -> str:
    return str(locator.evaluate("node => getComputedStyle(node).color"))


def test_the_timeline_grows_while_the_reference_client_onboards(fresh: Live, page: Any) -> None:
    # Telnyx takes 1.5 s, so the page must show the code exchange before the registration has even answered.
    fresh.harness.arm_fault({"operation": "telnyx.registerTechProvider", "delay": 1.5})
    page.goto(fresh.ui_url)
    expect(page.locator("#timeline-empty")).to_be_visible()
    expect(page.locator("#connection")).to_have_text("live")
    page.evaluate("window.notReloaded = true")
    portal = page.context.new_page()
    connect_through_portal(portal, fresh.portal.url)

    rows = page.locator(CALLS)
    expect(rows).to_have_count(1)
    assert rows.first.get_attribute("data-operation") == "graph.exchangeCode"
    assert portal.locator("#result").is_hidden()  # the client is still waiting for Telnyx
    expect(page.locator('[data-step="exchange"]')).to_have_attribute("data-state", "done")

    expect(rows).to_have_count(2)
    expect(portal.locator("#result-title")).to_have_text(PENDING)  # Telnyx's 200; the session follows
    operations = [r.get_attribute("data-operation") for r in rows.all()]
    assert operations == ["graph.exchangeCode", "telnyx.registerTechProvider"]
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator('[data-step="telnyx"]')).to_have_attribute("data-state", "done")
    expect(page.locator('[data-step="resolve"]')).to_have_attribute("data-state", "skipped")  # the event had ids
    expect(page.locator('[data-table="registrations"] tbody tr')).to_have_count(1)

    rows.nth(1).click()  # the redacted request and response
    detail = page.locator("tr.detail:not([hidden])")
    expect(detail).to_have_count(1)
    assert "authorization: Bearer [REDACTED]" in detail.locator(".headers").inner_text()
    assert API_KEY not in detail.inner_text()
    assert '"status": "registered"' in detail.locator(".response-body").inner_text()
    assert "x-request-id:" in detail.locator(".response-headers").inner_text()  # Telnyx's own headers


def test_a_spec_violation_shows_in_red_with_its_pointer(fresh: Live, page: Any) -> None:
    page.goto(fresh.ui_url)
    expect(page.locator("#connection")).to_have_text("live")
    answered = requests.post(
        f"{fresh.fakes.telnyx_url}/whatsapp/business_accounts/tech_provider",
        json={"waba_id": "300000000000001", "phone_number_id": "400000000000001"},
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=5,
    )
    assert answered.status_code == 422

    row = page.locator("tr.entry.violated")
    expect(row).to_have_count(1)
    violation = row.locator(".violation")
    expect(violation.locator(".pointer")).to_have_text("body /app_id")
    expect(violation.locator(".rule")).to_have_text("required")
    assert color(violation) == RED and color(row.locator(".status")) == RED
    expect(row.locator(".vendor-code")).to_have_text("code 10004")
    expect(row.locator(".explanation .pointer")).to_have_text("at /app_id")


def test_arming_a_scenario_from_the_page_changes_what_the_next_onboarding_gets(fresh: Live, page: Any) -> None:
    page.goto(fresh.ui_url)
    search = page.get_by_label("Arm a scenario")
    expect(page.locator("li.scenario")).to_have_count(len(fresh.harness.scenarios()))
    search.fill("revoked")
    expect(page.locator("li.scenario")).to_have_count(1)
    expect(page.locator("li.scenario .scenario-title")).to_have_text("Telnyx refuses a revoked API key")
    page.get_by_role("button", name="Arm telnyx-revoked-key").click()
    expect(page.locator("#action-result")).to_contain_text("armed telnyx-revoked-key on default")
    expect(page.locator("#armed-scenario")).to_contain_text("telnyx-revoked-key")
    expect(page.locator('[data-table="api_keys"] td.state.revoked')).to_have_count(2)  # the backend's key too
    # Arming resets the tenant, its journal too; the demo then wires the portal's webhooks again, and the
    # revoked key is refused there already (Meta's subscription, with the app token, still goes through).
    expect(page.locator("tr.entry")).to_have_count(len(WIRING))
    assert [r.get_attribute("data-operation") for r in page.locator("tr.entry").all()] == WIRING
    expect(page.locator('tr.entry.failed[data-operation="telnyx.updateUserData"]')).to_have_count(1)

    portal = page.context.new_page()
    connect_through_portal(portal, fresh.portal.url, by_hand=False)
    expect(portal.locator("#result-title")).to_have_text("WhatsApp not connected")
    expect(portal.locator("#troubleshooting")).to_contain_text(TS_401)
    expect(page.locator('tr.entry.failed[data-operation="telnyx.registerTechProvider"]')).to_have_count(1)
    expect(page.locator(ONBOARDING.replace("tr.entry", "tr.entry.failed"))).to_have_count(1)

    search.fill("success")
    page.get_by_role("button", name="Arm success", exact=True).click()
    expect(page.locator("#armed-scenario")).to_contain_text("success: ")
    expect(page.locator("tr.entry.ok")).to_have_count(len(WIRING))  # the journal again: only the wiring, all ok
    expect(page.locator("tr.entry")).to_have_count(len(WIRING))
    connect_through_portal(portal, fresh.portal.url, by_hand=False)
    expect(portal.locator("#result-title")).to_have_text(PENDING)
    # The onboarding's two calls, and Meta's signed account_update: the re-wired subscription reached the portal.
    onboarding = page.locator(ONBOARDING.replace("tr.entry", "tr.entry.ok"))
    expect(onboarding).to_have_count(3)
    operations = sorted(str(r.get_attribute("data-operation")) for r in onboarding.all())
    assert operations == ["graph.exchangeCode", "graph.webhook:account_update", "telnyx.registerTechProvider"]


def test_the_actions_are_the_control_operations(fresh: Live, page: Any) -> None:
    page.goto(f"{fresh.ui_url}&tenant=default")
    fresh.harness.complete_signup(app_id="100000000000001")
    requests.get(f"{fresh.fakes.graph_url}/v19.0/oauth/access_token", timeout=5)  # 400: no parameters
    expect(page.locator("tr.entry")).to_have_count(1)
    before = fresh.harness.world.clock.now()
    page.get_by_label("Advance the clock by").fill("45")
    page.get_by_role("button", name="Advance").click()
    expect(page.locator("#action-result")).to_contain_text("the clock is now")
    assert fresh.harness.world.clock.now() - before >= 45

    page.get_by_role("button", name="Clear journal").click()
    expect(page.locator("tr.entry")).to_have_count(0)
    assert fresh.harness.journal(tenant="default") == []

    page.get_by_role("button", name="Reset tenant").click()
    expect(page.locator("#world")).to_contain_text("empty: nothing seeded or called yet")
    assert "default" not in fresh.harness.world.tenants


def test_the_tenant_picker_lists_the_default_first_and_follows_the_fragment(fresh: Live, page: Any) -> None:
    fresh.harness.seed_demo("qa-run-2")
    fresh.harness.seed_demo()  # the default tenant owns the shared demo credentials again
    requests.get(f"{fresh.fakes.graph_url}/_t/qa-run-2/v19.0/oauth/access_token", timeout=5)
    page.goto(fresh.ui_url)
    expect(page.locator("#tenant option")).to_have_count(2)
    assert page.locator("#tenant option").all_inner_texts() == ["default", "qa-run-2"]
    expect(page.locator("tr.entry")).to_have_count(0)
    page.locator("#tenant").select_option("qa-run-2")
    expect(page.locator("tr.entry")).to_have_count(1)
    assert page.evaluate("location.hash") == f"#token={fresh.harness.admin_token}&tenant=qa-run-2"
    page.reload()
    expect(page.locator("#tenant")).to_have_value("qa-run-2")


# -- the "done when": signup-harness demo --scenario telnyx-revoked-key ------------------------------


def test_qa_sees_the_revoked_key_failure_in_the_live_view(browser: Any, demo_launcher: Any) -> None:
    banner_url = demo_launcher.url
    process, banner = demo_launcher.start("--scenario", "telnyx-revoked-key")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(10_000)
    try:
        ui_url, portal_url = banner_url("live view", banner), banner_url("portal", banner)
        ui = context.new_page()
        ui.goto(ui_url)
        expect(ui.locator("#armed-scenario")).to_contain_text("telnyx-revoked-key: Telnyx refuses a revoked API key")
        portal = context.new_page()
        connect_through_portal(portal, portal_url, by_hand=False)  # the armed scenario plays the popup
        expect(portal.locator("#result-title")).to_have_text("WhatsApp not connected")
        graph = banner_url("Graph fake", banner)
        assert ui_url.startswith(f"{graph}/__admin/ui#token=")
        assert portal.locator("#live-view-link").get_attribute("href") == f"{graph}/_t/default/__admin/ui"

        failing = ui.locator('tr.entry.failed[data-operation="telnyx.registerTechProvider"]')
        expect(failing).to_have_count(1)
        expect(failing.locator(".status")).to_have_text("401")
        expect(failing.locator(".vendor-code")).to_have_text("code 10009")
        expect(failing.locator(".troubleshooting")).to_have_text(f"Troubleshooting: \u201c{TS_401}\u201d")
        assert color(failing.locator(".status")) == RED and color(failing.locator(".op-name")) == RED
        expect(ui.locator('tr.entry.ok[data-operation="graph.exchangeCode"]')).to_have_count(1)
        expect(ui.locator('[data-step="telnyx"]')).to_have_attribute("data-state", "failed")
        ARTIFACTS.mkdir(exist_ok=True)
        ui.screenshot(path=str(ARTIFACTS / "live-view-telnyx-revoked-key.png"), full_page=True)

        with context.expect_page() as opened:  # the result card's link: the tenant's view, no token needed
            portal.locator("#live-view-link").click()
        scoped = opened.value
        expect(
            scoped.locator('tr.entry.failed[data-operation="telnyx.registerTechProvider"] .vendor-code')
        ).to_have_text("code 10009")
        expect(scoped.locator("#advance")).to_be_disabled()  # the clock is world-wide: root only
    finally:
        context.close()
        process.terminate()
        assert process.wait(timeout=10) == 0
