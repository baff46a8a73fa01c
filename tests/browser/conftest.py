"""Real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against the fakes and the portal.

The fakes and the example portal run once per session on free loopback ports; each test gets a fresh browser
context, an empty journal and no armed signup plan. Without Chromium or Playwright the tests are skipped, unless
the CI environment variable is true: then they fail, so a CI image without a browser cannot pass silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fakes.core.clock import LiveClock
from fakes.harness import Harness, Server
from harness.demo import quiet_secrets_in_request_logs
from harness.demo_portal import PortalServer, demo_portal_settings, load_portal, start_demo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--headless",
]
PREFIXED_TENANT = "browser-tenant"


def _cannot_run(reason: str) -> None:
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(f"browser tests must run in CI but cannot: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _cannot_run("the playwright package is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        _cannot_run(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Demo:
    harness: Harness
    fakes: Server
    portal: PortalServer
    revoked_portal: PortalServer  # holds the demo world's revoked Telnyx key
    prefixed_portal: PortalServer  # talks to tenant `prefixed_tenant` through /_t/<tenant> URLs
    prefixed_tenant: str = PREFIXED_TENANT

    def journal(self, tenant: str = "default") -> list[dict[str, Any]]:
        return self.harness.journal(tenant=tenant)

    def operations(self, tenant: str = "default") -> list[str]:
        return [entry["operation"] for entry in self.journal(tenant)]


@pytest.fixture(scope="session")
def demo(browser: Any) -> Iterator[Demo]:
    quiet_secrets_in_request_logs()
    harness = Harness(seed="browser-tests", clock=LiveClock(), check_responses=True)
    # Both tenants hold the demo world's app id and keys; a request without a prefix finds its tenant by the
    # credential it carries, and the tenant seeded last owns a shared credential: "default" must be last.
    harness.seed_demo(PREFIXED_TENANT)
    harness.seed_demo()
    fakes, portal = start_demo(harness, portal_port=0, graph_port=0, telnyx_port=0)
    portal_module = load_portal()
    extra: list[PortalServer] = []
    try:
        revoked = portal_module.create_portal_app(
            graph_url=fakes.graph_url, telnyx_url=fakes.telnyx_url, **demo_portal_settings(harness, revoked_key=True)
        )
        extra.append(PortalServer(revoked, 0))
        prefix = f"/_t/{PREFIXED_TENANT}"
        prefixed = portal_module.create_portal_app(
            graph_url=fakes.graph_url + prefix,
            telnyx_url=fakes.url("telnyx") + prefix + "/v2",
            **demo_portal_settings(harness),
        )
        extra.append(PortalServer(prefixed, 0))
        yield Demo(harness, fakes, portal, extra[0], extra[1])
    finally:
        for server in extra:
            server.stop()
        portal.stop()
        fakes.stop()


@pytest.fixture
def world(demo: Demo) -> Iterator[Demo]:
    """The running demo with an empty journal and no armed plan, in every tenant."""
    for name in ("default", PREFIXED_TENANT):
        demo.harness.world.tenant(name).signup_plan = None
    demo.harness.clear_journal()
    yield demo
    for name in ("default", PREFIXED_TENANT):
        demo.harness.world.tenant(name).signup_plan = None


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; `page.console` collects every console message text of the page."""
    context = browser.new_context(viewport={"width": 1000, "height": 860})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    messages: list[str] = []
    opened.on("console", lambda message: messages.append(message.text))
    opened.console = messages
    yield opened
    context.close()
