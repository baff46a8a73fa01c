"""The fixtures: each one in a passing test, the two tiers, and isolation between tests."""

from __future__ import annotations


def test_signup_harness_onboards_in_process(run_inner):
    result = run_inner(
        """
        from harness.client import SignupOutcome

        def test_onboard(signup_harness):
            assert signup_harness.transport == "inprocess"
            assert signup_harness.graph_url == f"http://graph.localhost/_t/{signup_harness.tenant}"
            assert signup_harness.telnyx_url.endswith(f"/_t/{signup_harness.tenant}/v2")
            assert (signup_harness.app_id, signup_harness.telnyx_api_key) == (
                "100000000000001", "KEYLOCALTEST0001_notarealtelnyxkey")
            signup = signup_harness.complete_signup()
            with signup_harness.onboarding_client() as client:
                result = client.onboard(SignupOutcome.from_browser(code=signup["code"], event=signup["event"]))
            assert result.status == "registered"
            assert [r["waba_id"] for r in signup_harness.registrations] == [signup["waba_id"]]
            assert signup_harness.calls == ["graph.exchangeCode", "telnyx.registerTechProvider"]
        """
    )
    result.assert_outcomes(passed=1)


def test_signup_server_serves_the_same_tenant_over_sockets(run_inner):
    result = run_inner(
        """
        import requests
        from harness.client import SignupOutcome

        def test_socket(signup_server, signup_harness):
            assert signup_server.transport == "socket"
            assert signup_server.tenant == signup_harness.tenant
            assert signup_server.graph_url.startswith("http://127.0.0.1:")
            ready = requests.get(signup_server.graph_url.split("/_t/")[0] + "/__admin/ready", timeout=5)
            assert ready.json()["ready"] is True
            signup = signup_server.complete_signup()
            with signup_server.onboarding_client() as client:
                client.onboard(SignupOutcome.from_browser(code=signup["code"], event=signup["event"]))
            # The in-process handle sees what went over the socket: one world, one journal.
            signup_harness.assert_called("telnyx.registerTechProvider", times=1)
            assert len(signup_harness.registrations) == 1
        """
    )
    result.assert_outcomes(passed=1)


def test_signup_session_is_wired_in_process(run_inner):
    result = run_inner(
        """
        def test_session(signup_session, signup_harness):
            response = signup_session.get(
                f"{signup_harness.graph_url}/v19.0/oauth/access_token",
                params={"client_id": signup_harness.app_id, "client_secret": signup_harness.app_secret,
                        "code": signup_harness.demo_code},
            )
            assert response.status_code == 200, response.text
            assert response.json()["access_token"].startswith("EAA")
            listing = signup_session.get(
                f"{signup_harness.telnyx_url}/whatsapp/business_accounts",
                headers={"Authorization": f"Bearer {signup_harness.telnyx_api_key}"},
            )
            assert listing.json()["meta"]["total_results"] == 0
            signup_harness.assert_call_order(["graph.exchangeCode", "telnyx.listWabas"], strict=True)
        """
    )
    result.assert_outcomes(passed=1)


def test_client_config_carries_urls_credentials_and_a_virtual_clock(run_inner):
    result = run_inner(
        """
        def test_config(signup_harness):
            config = signup_harness.client_config(timeout=2.0)
            assert config.graph_base_url == signup_harness.graph_url
            assert config.telnyx_base_url == signup_harness.telnyx_url
            assert (config.app_id, config.app_secret, config.telnyx_api_key) == (
                signup_harness.app_id, signup_harness.app_secret, signup_harness.telnyx_api_key)
            assert config.timeout == 2.0
            before = signup_harness.harness.world.clock.now()
            config.retry.sleep(30)  # retries wait on the world's manual clock: instant
            assert signup_harness.harness.world.clock.now() == before + 30
        """
    )
    result.assert_outcomes(passed=1)


def test_session_tier_is_built_once_and_each_test_gets_a_fresh_tenant(run_inner):
    result = run_inner(
        """
        import pytest

        SEEN = []

        @pytest.mark.parametrize("n", range(3))
        def test_tenant(signup_harness, make_signup_harness, n):
            assert signup_harness.harness is make_signup_harness
            SEEN.append((id(make_signup_harness), signup_harness.tenant))
            # Whatever an earlier test did is gone: no registrations, no faults, an empty journal.
            assert signup_harness.registrations == []
            assert signup_harness.world.faults.armed() == []
            assert signup_harness.journal() == []
            signup = signup_harness.complete_signup()
            signup_harness.arm_fault(operation="telnyx.registerTechProvider", status=503, times=None)
            signup_harness.seed({"telnyx": {"registrations": [
                {"waba_id": signup["waba_id"], "phone_number_id": signup["phone_number_id"],
                 "app_id": signup_harness.app_id}]}})

        def test_distinct():
            assert len({harness for harness, _ in SEEN}) == 1
            assert len({tenant for _, tenant in SEEN}) == 3

        def test_tenants_are_dropped_after_the_test(make_signup_harness):
            assert not any(t in make_signup_harness.world.tenants for _, t in SEEN)
        """
    )
    result.assert_outcomes(passed=5)


def test_state_and_faults_do_not_leak_between_tests(run_inner):
    result = run_inner(
        """
        from harness.client import SignupOutcome, VendorUnavailable
        import pytest

        def test_first_breaks_telnyx(signup_harness):
            signup_harness.arm_fault(operation="telnyx.registerTechProvider", status=503, times=None)
            signup = signup_harness.complete_signup()
            with signup_harness.onboarding_client() as client, pytest.raises(VendorUnavailable):
                client.onboard(SignupOutcome.from_browser(code=signup["code"], event=signup["event"]))

        def test_second_is_unaffected(signup_harness):
            signup = signup_harness.complete_signup()
            with signup_harness.onboarding_client() as client:
                client.onboard(SignupOutcome.from_browser(code=signup["code"], event=signup["event"]))
            signup_harness.assert_called("telnyx.registerTechProvider", times=1)
        """
    )
    result.assert_outcomes(passed=2)


def test_the_seed_is_an_overridable_fixture(run_inner):
    result = run_inner(
        """
        import pytest

        @pytest.fixture(scope="session")
        def signup_harness_seed():
            return "my-seed"

        def test_seed(make_signup_harness):
            assert make_signup_harness.world.seed == "my-seed"
        """
    )
    result.assert_outcomes(passed=1)
