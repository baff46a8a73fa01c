"""The asynchronous half of the journey in Chromium: from FB.login to Telnyx's signed "number ready" webhook.

The portal answers "pending" at Telnyx's 200, then the page polls the portal's own backend, which learns the
session's end from the signed `whatsapp.waba_added` webhook (polling Telnyx's status for the current stage).
Playwright's expect waits for each state the page shows: no sleeps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
Demo = Any  # the `world` fixture's object (tests/browser/conftest.py)

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
PENDING = "Connecting WhatsApp: pending"
CONNECTED = "WhatsApp connected: number ready"
NOT_CONNECTED = "WhatsApp not connected"
FROM_WEBHOOK = "the signed whatsapp.waba_added webhook"
SESSION_TIMEOUT_MS = 30_000  # six stages of 1 s of real time, then the delivery
STAGES = 7


def expect(locator: Any, **options: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator, **options)


def click_connect(page: Any, url: str) -> Any:
    page.goto(url)
    with page.expect_popup() as popup_info:
        page.get_by_role("button", name="Connect WhatsApp").click()
    return popup_info.value


def finish_by_hand(popup: Any) -> None:
    popup.wait_for_load_state()
    for _ in range(8):
        if popup.locator("section.step:not([hidden])").get_attribute("data-step") == "PERMISSIONS":
            break
        popup.get_by_role("button", name="Continue").click()
    popup.get_by_label("Finish", exact=True).check()
    popup.get_by_role("button", name="Finish").click()


def test_the_page_goes_from_pending_to_number_ready_as_the_webhook_arrives(world: Demo, page: Any) -> None:
    finish_by_hand(click_connect(page, world.portal.url))

    title = page.locator("#result-title")
    expect(title).to_have_text(PENDING)
    expect(page.locator("#session-status")).to_contain_text("pending: ")  # a stage from Telnyx's status
    expect(page.locator("#session-stages li.current")).to_have_count(1)
    expect(page.locator("#learned-via")).to_have_text("not yet")

    expect(title).to_have_text(CONNECTED, timeout=SESSION_TIMEOUT_MS)
    expect(page.locator("#learned-via")).to_have_text(FROM_WEBHOOK)
    expect(page.locator("#session-status")).to_have_text("SUCCESS at COMPLETE")
    expect(page.locator("#session-stages li.done")).to_have_count(STAGES)
    expect(page.locator("#meta-events")).to_contain_text("PARTNER_APP_INSTALLED")  # Meta's signed account_update
    expect(page.locator("#result-message")).to_have_text("Your number is ready for messaging through Telnyx.")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "number-ready.png"), full_page=True)

    operations = world.operations()
    assert operations[:2] == ["exchangeCode", "registerTechProvider"] and "getSignupStatus" in operations[2:]
    sent = {(d["vendor"], d["event"], d["url"].rsplit("/", 2)[-2:][0]) for d in world.harness.webhooks()["deliveries"]}
    assert {("telnyx", "whatsapp.waba_added", "webhooks"), ("graph", "account_update", "webhooks")} <= sent


def test_a_session_failing_at_share_credit_line_shows_the_stage_and_the_advice(
    browser: Any, demo_launcher: Any
) -> None:
    process, banner = demo_launcher.start("--scenario", "signup-session-fails-at-share-credit-line")
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        click_connect(page, demo_launcher.url("portal", banner))  # the armed scenario plays the popup
        expect(page.locator("#result-title")).to_have_text(PENDING)

        expect(page.locator("#result-title")).to_have_text(NOT_CONNECTED, timeout=SESSION_TIMEOUT_MS)
        expect(page.locator("#session-status")).to_have_text("FAILURE at SHARE_CREDIT_LINE")
        expect(page.locator('#session-stages li.failed[data-stage="SHARE_CREDIT_LINE"]')).to_have_count(1)
        expect(page.locator("#session-stages li.done")).to_have_count(2)
        expect(page.locator("#learned-via")).to_have_text(FROM_WEBHOOK)
        expect(page.locator("#result-message")).to_contain_text(
            "The credit line could not be shared with the WhatsApp Business Account"
        )
        expect(page.locator("#guidance")).to_be_visible()
        expect(page.locator("#result-ids")).to_be_visible()  # registered; its provisioning failed
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "session-failed-share-credit-line.png"), full_page=True)
    finally:
        context.close()
        process.terminate()
        assert process.wait(timeout=10) == 0
