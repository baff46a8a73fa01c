"""A few end-to-end runs against the in-process fakes, through the session the harness hands out."""

from __future__ import annotations

import pytest

from harness.client import (
    ClientConfig,
    InvalidAuthorizationCode,
    OnboardingClient,
    RetryPolicy,
    SignupOutcome,
    TelnyxAuthenticationFailed,
)

harness_module = pytest.importorskip("fakes.harness")

APP_ID, APP_SECRET = "100000000000001", "local-app-secret-not-real"  # the demo world's published values
API_KEY, REVOKED_KEY = "KEYLOCALTEST0001_notarealtelnyxkey", "KEYREVOKED0001_notarealtelnyxkey"


@pytest.fixture
def fake():
    harness = harness_module.Harness(seed=1, check_responses=True)
    harness.seed_demo()
    return harness


def onboard(fake, api_key=API_KEY, faults=(), **signup):
    browser = fake.complete_signup(app_id=APP_ID, **signup)
    for fault in faults:
        fake.arm_fault(fault)
    sleeps = []
    config = ClientConfig(
        graph_base_url=fake.graph_url,
        telnyx_base_url=fake.telnyx_url,
        app_id=APP_ID,
        app_secret=APP_SECRET,
        telnyx_api_key=api_key,
        retry=RetryPolicy(sleep=sleeps.append),
    )
    client = OnboardingClient(config, session=fake.session())
    outcome = SignupOutcome.from_browser(code=browser.get("code"), event=browser.get("event"))
    return client.onboard(outcome, customer_id="acme-42"), browser, sleeps


def operations(fake):
    return [entry.get("operation") for entry in fake.journal()]


def test_finish(fake):
    result, browser, _ = onboard(fake)
    assert (result.waba_id, result.phone_number_id) == (browser["waba_id"], browser["phone_number_id"])
    assert (result.status, result.resolved_via) == ("registered", "event")
    assert operations(fake) == ["exchangeCode", "registerTechProvider"]


def test_no_session_info_resolves_through_graph(fake):
    result, browser, _ = onboard(fake, session_info_version=None, event_version=None)
    assert (result.waba_id, result.resolved_via) == (browser["waba_id"], "graph")


def test_a_used_code(fake):
    with pytest.raises(InvalidAuthorizationCode) as caught:
        onboard(fake, code_fate="used")
    assert caught.value.vendor_subcode == "36009"


def test_a_revoked_key(fake):
    with pytest.raises(TelnyxAuthenticationFailed):
        onboard(fake, api_key=REVOKED_KEY)


def test_a_rate_limited_registration_is_retried(fake):
    result, _, sleeps = onboard(fake, faults=[{"operation": "telnyx.registerTechProvider", "status": 429}])
    assert result.status == "registered"
    assert len(sleeps) == 1
    assert operations(fake).count("registerTechProvider") == 2
