"""The whole Embedded Signup in a real browser: portal page -> fake SDK -> popup -> portal backend -> fakes.

Each test checks what the person sees on the portal AND what the fakes recorded (journal, world).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.browser
Demo = Any  # the `world` fixture's object (tests/browser/conftest.py)

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
SDK_TAG = "[fake FB SDK]"


# -- helpers -------------------------------------------------------------------------------------------------


def open_popup(page: Any, url: str) -> Any:
    page.goto(url)
    with page.expect_popup() as popup_info:
        page.get_by_role("button", name="Connect WhatsApp").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    return popup


def current_step(popup: Any) -> str:
    return popup.locator("section.step:not([hidden])").get_attribute("data-step")


def continue_to(popup: Any, step: str) -> None:
    """Click Continue until the popup shows `step`."""
    for _ in range(6):
        if current_step(popup) == step:
            return
        popup.get_by_role("button", name="Continue").click()
    assert current_step(popup) == step


def finish(popup: Any, ending: str = "Finish") -> None:
    continue_to(popup, "PERMISSIONS")
    popup.get_by_label(ending, exact=True).check()
    popup.get_by_role("button", name="Finish").click()


CONNECTED = "WhatsApp connected: number ready"
SESSION_TIMEOUT_MS = 30_000  # Telnyx's signup session: six stages of 1 s, then the signed webhook


def result_title(page: Any, expected: str) -> None:
    """Wait for the portal's verdict; the ids are on show only when registered. "WhatsApp connected" waits for
    the end of Telnyx's signup session (the page shows "pending" until then)."""
    from playwright.sync_api import expect

    if expected == "WhatsApp connected":
        expect(page.locator("#result-title")).to_have_text(CONNECTED, timeout=SESSION_TIMEOUT_MS)
    else:
        expect(page.locator("#result-title")).to_have_text(expected)
    if expected == "WhatsApp connected":
        expect(page.locator("#result-ids")).to_be_visible()
    else:
        expect(page.locator("#result-ids")).to_be_hidden()


def text(page: Any, selector: str) -> str:
    return page.locator(selector).inner_text()


def operations_in_order(demo: Demo, *wanted: str, tenant: str = "default") -> list[dict[str, Any]]:
    """The journal entries of `wanted`, asserting they happened in this order."""
    entries = [e for e in demo.journal(tenant) if e["operation"] in wanted]
    assert [e["operation"] for e in entries] == list(wanted), demo.operations(tenant)
    return entries


def sdk_errors(page: Any) -> list[str]:
    return [m for m in page.console if m.startswith(SDK_TAG)]


# -- the happy path ------------------------------------------------------------------------------------------


def test_person_completes_signup_and_whatsapp_is_connected(world: Demo, page: Any) -> None:
    popup = open_popup(page, world.portal.url)
    finish(popup)

    result_title(page, "WhatsApp connected")
    waba_id, phone_id = text(page, "#waba-id"), text(page, "#phone-number-id")
    assert text(page, "#registration-status") == "registered"
    assert text(page, "#resolved-via") == "the signup event"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "success.png"), full_page=True)

    exchange, register = operations_in_order(world, "exchangeCode", "registerTechProvider")
    assert exchange["status"] == 200 and register["status"] == 200
    assert register["request_body"]["waba_id"] == waba_id
    assert register["request_body"]["phone_number_id"] == phone_id
    assert register["request_body"]["customer_id"] == "acme-corp-42"
    tenant = world.harness.world.tenant()
    assert tenant.meta.phone_numbers[phone_id].waba_id == waba_id  # the popup created both in the world

    key = tenant.telnyx.api_keys and next(k for k in tenant.telnyx.api_keys.values() if k.status == "active")
    listed = requests.get(
        f"{world.fakes.telnyx_url}/whatsapp/business_accounts",
        headers={"Authorization": f"Bearer {key.value}"},
        timeout=5,
    )
    assert listed.status_code == 200
    assert waba_id in [item["waba_id"] for item in listed.json()["data"]]
    assert sdk_errors(page) == []
    assert '"event": "FINISH"' in page.locator("#details-text").text_content()  # the message event arrived


# -- the customer leaves -------------------------------------------------------------------------------------


def test_cancel_at_phone_number_verification(world: Demo, page: Any) -> None:
    popup = open_popup(page, world.portal.url)
    continue_to(popup, "PHONE_NUMBER_VERIFICATION")
    popup.get_by_role("button", name="Cancel").click()

    result_title(page, "Signup cancelled")
    assert "PHONE_NUMBER_VERIFICATION" in text(page, "#result-message")
    assert "phone number verification" in text(page, "#guidance")
    assert "verification code never arrives" in text(page, "#troubleshooting")
    assert world.operations() == []  # the backend stopped before calling anyone: no code, no Telnyx


def test_closing_the_popup_counts_as_cancel_at_that_step(world: Demo, page: Any) -> None:
    popup = open_popup(page, world.portal.url)
    continue_to(popup, "PHONE_NUMBER_SETUP")
    popup.close()

    result_title(page, "Signup cancelled")
    assert "PHONE_NUMBER_SETUP" in text(page, "#result-message")
    assert world.operations() == []


def test_error_reported_by_the_popup(world: Demo, page: Any) -> None:
    world.harness.world.tenant().signup_plan = {"outcome": "ERROR"}  # the popup plays it by itself
    open_popup(page, world.portal.url)

    result_title(page, "WhatsApp not connected")
    assert "verified name violates WhatsApp guidelines" in text(page, "#result-message")
    assert "Meta's signup popup reported an error" in text(page, "#guidance")
    assert world.operations() == []


# -- ids resolved through Graph ------------------------------------------------------------------------------


def test_finish_only_waba_resolves_the_number_through_graph(world: Demo, page: Any) -> None:
    popup = open_popup(page, world.portal.url)
    finish(popup, "Finish with only a WhatsApp Business account (no phone number)")

    result_title(page, "WhatsApp connected")
    assert text(page, "#resolved-via") == "Meta Graph"
    waba_id, phone_id = text(page, "#waba-id"), text(page, "#phone-number-id")
    entries = operations_in_order(world, "exchangeCode", "listWabaPhoneNumbers", "registerTechProvider")
    assert waba_id in entries[1]["path"]
    assert phone_id in [n["id"] for n in entries[1]["response_body"]["data"]]
    assert entries[2]["request_body"]["phone_number_id"] == phone_id


def test_without_session_info_the_backend_resolves_both_ids_through_graph(world: Demo, page: Any) -> None:
    world.harness.world.tenant().signup_plan = {"outcome": "FINISH"}
    open_popup(page, world.portal.url + "?broken=session_info")

    result_title(page, "WhatsApp connected")
    assert text(page, "#resolved-via") == "Meta Graph"
    assert any("sessionInfoVersion is missing" in m for m in sdk_errors(page)), page.console
    assert "(no message event)" in page.locator("#details-text").text_content()
    waba_id = text(page, "#waba-id")
    entries = operations_in_order(world, "exchangeCode", "debugToken", "listWabaPhoneNumbers", "registerTechProvider")
    assert waba_id in entries[2]["path"]
    assert entries[3]["request_body"]["waba_id"] == waba_id


def test_telnyx_refusing_the_key_shows_the_401_guidance(world: Demo, page: Any) -> None:
    world.harness.world.tenant().signup_plan = {"outcome": "FINISH"}
    open_popup(page, world.revoked_portal.url)

    result_title(page, "WhatsApp not connected")
    assert "401 Unauthorized" in text(page, "#troubleshooting")
    assert text(page, "#guidance")
    exchange, register = operations_in_order(world, "exchangeCode", "registerTechProvider")
    assert exchange["status"] == 200
    assert register["status"] == 401
    assert "KEYREVOKED" not in page.content()  # no secret reaches the page


# -- a broken partner page -----------------------------------------------------------------------------------


def test_wrong_response_type_completes_signup_but_no_code_comes_back(world: Demo, page: Any) -> None:
    wabas_before = len(world.harness.world.tenant().meta.wabas)
    world.harness.world.tenant().signup_plan = {"outcome": "FINISH"}
    popup = open_popup(page, world.portal.url + "?broken=response_type")
    assert "response_type is 'token'" in popup.locator(".dev-note").inner_text()

    result_title(page, "WhatsApp not connected")
    assert "no authResponse.code" in text(page, "#guidance")
    assert "no WABA ID is returned" in text(page, "#troubleshooting")
    assert any("response_type" in m and "not 'code'" in m for m in sdk_errors(page)), page.console
    assert len(world.harness.world.tenant().meta.wabas) == wabas_before + 1  # the signup itself completed
    assert world.operations() == []  # without a code the backend never reaches Graph or Telnyx


@pytest.mark.parametrize(
    ("broken", "why"),
    [
        ("config_id", "FB.login() was called without config_id"),
        ("unknown_config", "config_id 999999999999999 is not a configuration of app 100000000000001"),
        ("init", "FB.login() called before FB.init()"),
    ],
)
def test_a_page_that_cannot_open_the_dialog(world: Demo, page: Any, broken: str, why: str) -> None:
    page.goto(world.portal.url + f"?broken={broken}")
    if broken != "init":
        page.wait_for_function("FB.__fake.app() !== null")  # FB.init() has looked the app up
    with page.expect_console_message(lambda m: m.text.startswith(SDK_TAG)) as message:
        page.get_by_role("button", name="Connect WhatsApp").click()
    assert why in message.value.text
    assert "doesn't open the embedded signup dialog" in message.value.text
    assert len(page.context.pages) == 1  # no popup
    assert world.operations() == []


# -- tenant prefix -------------------------------------------------------------------------------------------


def test_sdk_loaded_under_a_tenant_prefix_works_on_that_tenant(world: Demo, page: Any) -> None:
    tenant = world.prefixed_tenant
    world.harness.world.tenant(tenant).signup_plan = {"outcome": "FINISH"}
    popup = open_popup(page, world.prefixed_portal.url)
    assert f"/_t/{tenant}/__sdk/dialog" in popup.url

    result_title(page, "WhatsApp connected")
    waba_id = text(page, "#waba-id")
    assert waba_id in world.harness.world.tenant(tenant).meta.wabas
    assert waba_id not in world.harness.world.tenant().meta.wabas
    operations_in_order(world, "exchangeCode", "registerTechProvider", tenant=tenant)
    assert world.operations() == []
