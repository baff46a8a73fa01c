"""What the fakes collected fails the test at teardown, without the test asking; the opt-out marker."""

from __future__ import annotations

UNMATCHED = """
def test_doubled_prefix(signup_session, signup_harness):
    # The generated Telnyx SDKs' known bug: a base URL ending in /v2 plus paths starting with /v2.
    response = signup_session.post(
        f"{signup_harness.telnyx_url}/v2/whatsapp/business_accounts/tech_provider",
        json={"waba_id": "1", "phone_number_id": "2", "app_id": signup_harness.app_id},
        headers={"Authorization": f"Bearer {signup_harness.telnyx_api_key}"},
    )
    assert response.status_code == 404
"""

VIOLATION = """
def test_missing_app_id(signup_session, signup_harness):
    signup = signup_harness.complete_signup()
    response = signup_session.post(
        f"{signup_harness.telnyx_url}/whatsapp/business_accounts/tech_provider",
        json={"waba_id": signup["waba_id"], "phone_number_id": signup["phone_number_id"]},
        headers={"Authorization": f"Bearer {signup_harness.telnyx_api_key}"},
    )
    assert response.status_code == 422
"""


def test_a_call_to_an_unknown_route_fails_at_teardown(run_inner):
    result = run_inner(UNMATCHED)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_doubled_prefix*",
            "*the signup harness fakes recorded 1 problem(s) in this test (tenant '*'):",
            "*unmatched] telnyx (unknown route) POST /v2/v2/whatsapp/business_accounts/tech_provider -> 404: "
            "no spec operation matches",
            "*@pytest.mark.signup_allow_violations('unmatched')*",
        ]
    )


def test_a_request_that_breaks_the_spec_fails_at_teardown(run_inner):
    result = run_inner(VIOLATION)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*request] telnyx.registerTechProvider POST /v2/whatsapp/business_accounts/tech_provider -> 422: "
            "request breaks the spec: body /app_id: required*",
        ]
    )


def test_a_response_that_breaks_the_spec_fails_at_teardown(run_inner):
    """A fake drifting from its contract (here a serializer losing `status`) is caught too."""
    result = run_inner(
        """
        import fakes.telnyx.app as telnyx_app
        from fakes.telnyx import serializers
        from harness.client import MalformedVendorResponse, SignupOutcome
        import pytest

        def test_drifted_fake(signup_harness, monkeypatch):
            def without_status(registration):
                body = serializers.registration_body(registration)
                del body["data"]["status"]
                return body

            monkeypatch.setattr(telnyx_app, "registration_body", without_status)
            signup = signup_harness.complete_signup()
            with signup_harness.onboarding_client() as client, pytest.raises(MalformedVendorResponse):
                client.onboard(SignupOutcome.from_browser(code=signup["code"], event=signup["event"]))
        """
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*response] telnyx.registerTechProvider POST * -> 200: response breaks the spec*/data/status: required*"]
    )


def test_the_opt_out_marker_accepts_them(run_inner):
    result = run_inner(
        "import pytest\n\n"
        + UNMATCHED.replace("def test_", "@pytest.mark.signup_allow_violations\ndef test_")
        + VIOLATION.replace("def test_", "@pytest.mark.signup_allow_violations('request')\ndef test_")
    )
    result.assert_outcomes(passed=2)


def test_the_opt_out_marker_only_accepts_the_kinds_it_names(run_inner):
    result = run_inner(
        "import pytest\n\n"
        + UNMATCHED.replace("def test_", "@pytest.mark.signup_allow_violations('request')\ndef test_")
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*unmatched] telnyx (unknown route)*"])


def test_an_unknown_kind_is_a_usage_error(run_inner):
    result = run_inner(
        """
        import pytest

        @pytest.mark.signup_allow_violations("everything")
        def test_kind(signup_harness):
            pass
        """
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown kind(s) everything; use unmatched, request, response*"])


def test_check_raises_on_demand(run_inner):
    result = run_inner(
        "import pytest\n\n"
        + VIOLATION.replace("def test_", "@pytest.mark.signup_allow_violations\ndef test_").replace(
            "    assert response.status_code == 422\n",
            "    assert response.status_code == 422\n"
            "    with pytest.raises(AssertionError, match='body /app_id: required'):\n"
            "        signup_harness.check()\n",
        )
    )
    result.assert_outcomes(passed=1)


def test_the_markers_are_registered_for_strict_markers(pytester):
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.signup_scenario(scenario_id): *", "@pytest.mark.signup_allow_violations(*kinds): *"]
    )


def test_tests_without_the_plugin_fixtures_are_untouched(run_inner):
    result = run_inner(
        """
        import requests

        def test_plain():
            assert True
        """
    )
    result.assert_outcomes(passed=1)
