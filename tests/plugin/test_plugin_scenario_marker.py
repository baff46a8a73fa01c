"""`@pytest.mark.signup_scenario("<id>")` and the `signup_scenario` fixture."""

from __future__ import annotations


def test_the_marker_arms_the_scenario_and_plays_the_signup(run_inner):
    result = run_inner(
        """
        import pytest
        from harness.client import TelnyxAuthenticationFailed

        @pytest.mark.signup_scenario("telnyx-revoked-key")
        def test_revoked_key(signup_scenario, signup_harness):
            assert signup_scenario.id == "telnyx-revoked-key"
            assert signup_scenario.code and signup_scenario.event["event"] == "FINISH"
            assert signup_scenario.signup["waba_id"] == signup_scenario.event["data"]["waba_id"]
            assert signup_harness.world.telnyx.api_keys[signup_harness.telnyx_api_key].status == "revoked"
            assert signup_harness.journal() == []  # playing the popup is not a call of the backend
            with pytest.raises(TelnyxAuthenticationFailed) as caught:
                signup_scenario.onboard()
            assert caught.value.vendor_code == signup_scenario.expect["vendor_code"] == "10009"
            signup_harness.assert_call_order(signup_scenario.expect["calls"], strict=True)
        """
    )
    result.assert_outcomes(passed=1)


def test_the_scenario_configures_the_client(run_inner):
    result = run_inner(
        """
        import pytest
        from harness.client import WrongAppSecret

        @pytest.mark.signup_scenario("wrong-app-secret")
        def test_wrong_secret(signup_scenario, signup_harness):
            assert signup_scenario.credentials.app_secret != signup_harness.app_secret
            assert signup_scenario.client_config().app_secret == signup_scenario.credentials.app_secret
            with pytest.raises(WrongAppSecret):
                signup_scenario.onboard()

        @pytest.mark.signup_scenario("success-with-customer-id")
        def test_customer(signup_scenario, signup_harness):
            result = signup_scenario.onboard()
            assert result.customer_id == signup_scenario.customer_id == "acme-corp-42"
            assert signup_harness.registrations[0]["customer_id"] == "acme-corp-42"
        """
    )
    result.assert_outcomes(passed=2)


def test_the_scenario_runs_over_sockets_too(run_inner):
    result = run_inner(
        """
        import pytest
        from harness.client import OnboardingClient

        @pytest.mark.signup_scenario("telnyx-503-then-success")
        def test_retry_over_sockets(signup_scenario, signup_server):
            with OnboardingClient(signup_server.client_config()) as client:
                result = client.onboard(signup_scenario.outcome)
            assert result.status == "registered"
            signup_server.assert_called("telnyx.registerTechProvider", times=2)
        """
    )
    result.assert_outcomes(passed=1)


def test_violations_the_scenario_expects_do_not_fail_the_test(run_inner):
    """telnyx-without-key expects the client's missing Authorization header (a security violation)."""
    result = run_inner(
        """
        import pytest
        from harness.client import TelnyxAuthenticationFailed

        @pytest.mark.signup_scenario("telnyx-without-key")
        def test_without_key(signup_scenario, signup_harness):
            with pytest.raises(TelnyxAuthenticationFailed):
                signup_scenario.onboard()
            assert [p.rule for p in signup_harness.problems()] == []
            assert signup_harness.journal()[-1]["violations"][0]["location"] == "security"
        """
    )
    result.assert_outcomes(passed=1)


def test_the_marker_arms_even_without_the_fixture(run_inner):
    result = run_inner(
        """
        import pytest

        @pytest.mark.signup_scenario("telnyx-503-persistent")
        def test_faults_armed(signup_server):
            assert [f.operation for f in signup_server.world.faults.armed()] == ["telnyx.registerTechProvider"]
            assert signup_server.scenario.id == "telnyx-503-persistent"
        """
    )
    result.assert_outcomes(passed=1)


def test_the_fixture_without_the_marker_is_a_usage_error(run_inner):
    result = run_inner(
        """
        def test_no_marker(signup_scenario):
            pass
        """
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*needs @pytest.mark.signup_scenario('<scenario id>')*"])


def test_an_unknown_scenario_id_is_reported(run_inner):
    result = run_inner(
        """
        import pytest

        @pytest.mark.signup_scenario("telnyx-revokd-key")
        def test_typo(signup_scenario):
            pass
        """
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown scenario id(s): telnyx-revokd-key*"])
    # One line that names the mistake: no traceback through the plugin (any module of harness/pytest_plugin/) or
    # the catalogue loader.
    assert "pytest_plugin" not in result.stdout.str()
    assert "scenarios.py" not in result.stdout.str()
