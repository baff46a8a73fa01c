"""A running demo keeps its webhooks through an arming: arming a scenario on the default tenant (the live view's
Arm, POST /__admin/scenarios/<id>) resets it, and the demo points both vendors' webhooks at the portal again.

The fakes and the portal run on real sockets, as `signup-harness demo` serves them; the scenarios are armed over
HTTP, inside a request on the fakes' own loop thread, as a person arms them from the page."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from fakes.core.access import ADMIN_TOKEN_HEADER
from fakes.core.clock import LiveClock
from fakes.harness import Harness, Server
from harness.arming import APP_ID, enable_scenario_arming
from harness.demo_portal import PortalServer, start_demo

STAGES_SECONDS = 6  # Telnyx's signup session: six stages of 1 s each (docs/webhooks.md)
ARMING_TIMEOUT = 15.0  # over the wiring's own timeout: an arming that waited on its own port would show here
OUTCOME_WAIT = 8.0  # under the portal's 10 s webhook grace: an outcome this early was learned from the webhook


@dataclass
class RunningDemo:
    harness: Harness
    fakes: Server
    portal: PortalServer

    def arm(self, scenario_id: str, port: str = "graph") -> requests.Response:
        return requests.post(
            f"{self.fakes.url(port)}/__admin/scenarios/{scenario_id}",
            headers={ADMIN_TOKEN_HEADER: self.harness.admin_token},
            timeout=ARMING_TIMEOUT,
        )


@pytest.fixture(scope="module")
def demo() -> Iterator[RunningDemo]:
    harness = Harness(seed="demo-rewiring", clock=LiveClock(), check_responses=True)
    harness.seed_demo()
    enable_scenario_arming(harness)  # as run_demo does, before start_demo
    fakes, portal = start_demo(harness, portal_port=0, graph_port=0, telnyx_port=0)
    try:
        yield RunningDemo(harness, fakes, portal)
    finally:
        portal.stop()
        fakes.stop()


def wiring(harness: Harness) -> tuple[str | None, str | None]:
    """Where the default tenant sends Telnyx's and Meta's webhooks."""
    tenant = harness.world.tenant()
    with harness.world.lock:
        subscription = tenant.meta.apps[APP_ID].webhooks.get("whatsapp_business_account")
        return tenant.telnyx.user_data.webhook_url, subscription.callback_url if subscription else None


def test_a_scenario_that_refuses_the_wiring_is_armed_and_the_refusal_recorded(demo: RunningDemo, capsys) -> None:
    armed = demo.arm("telnyx-revoked-key", port="telnyx")  # the live view is on both ports

    assert armed.status_code == 201, armed.text
    assert armed.json()["armed"] == "telnyx-revoked-key"
    assert demo.portal.webhook_problems == ["Telnyx user_data: HTTP 401"]  # the backend's key is revoked
    said = capsys.readouterr().out  # the console says so, as the banner does at start
    assert "not wired again after arming telnyx-revoked-key (Telnyx user_data: HTTP 401)" in said
    assert wiring(demo.harness) == (None, f"{demo.portal.url}webhooks/meta")  # Meta's still reaches the portal


def test_after_arming_the_portal_learns_the_outcome_from_the_webhooks(demo: RunningDemo) -> None:
    armed = demo.arm("success")

    assert armed.status_code == 201, armed.text
    assert demo.portal.webhook_problems == []
    assert wiring(demo.harness) == (f"{demo.portal.url}webhooks/telnyx", f"{demo.portal.url}webhooks/meta")

    # The armed popup ending, then the portal's backend onboards as the page asks it to.
    signup = demo.harness.complete_signup(**dict(demo.harness.world.tenant().signup_plan or {}))
    connected = requests.post(
        f"{demo.portal.url}api/whatsapp/connect",
        json={"code": signup["code"], "event": json.dumps(signup["event"])},
        timeout=10,
    )
    assert connected.status_code == 200, connected.text
    session_id = connected.json()["session_id"]
    demo.harness.advance_clock(STAGES_SECONDS)  # the session ends; Telnyx signs and sends waba_added

    status = wait_for_outcome(demo.portal, session_id)
    assert (status["status"], status["connected"], status["learned_via"]) == ("SUCCESS", True, "webhook")
    assert status["meta_events"] == ["PARTNER_ADDED", "PARTNER_APP_INSTALLED"]  # Meta's signed account_update


def wait_for_outcome(portal: PortalServer, session_id: str) -> dict[str, Any]:
    """GET /api/whatsapp/status as the page polls it, until the session is decided (or OUTCOME_WAIT passes)."""
    deadline = time.monotonic() + OUTCOME_WAIT
    while True:
        answer = requests.get(f"{portal.url}api/whatsapp/status", params={"session": session_id}, timeout=10)
        assert answer.status_code == 200, answer.text
        status: dict[str, Any] = answer.json()
        if status["status"] != "PENDING" or time.monotonic() > deadline:
            return status
        time.sleep(0.1)
