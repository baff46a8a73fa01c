"""Every vendor error the contract documents lands on its class, with every field filled in."""

from __future__ import annotations

import json
import pickle

import pytest

import harness.client as client_pkg
from harness.client import errors as e
from harness.client.mapping import RULES, VendorFault, classify, describe, error_from_fault

G_EXCHANGE, G_DEBUG, G_PHONES = "exchangeCode", "debugToken", "listWabaPhoneNumbers"

# (operation, HTTP status, code, subcode, WWW-Authenticate kind, message, expected class)
GRAPH_CASES = [
    (G_EXCHANGE, 400, 101, None, None, "Error validating application. Invalid application ID.", e.UnknownApp),
    (G_EXCHANGE, 400, 1, None, None, "Error validating client secret.", e.WrongAppSecret),
    (G_EXCHANGE, 400, 100, None, "invalid_code", "Invalid verification code format.", e.InvalidAuthorizationCode),
    (G_EXCHANGE, 400, 100, 36009, "invalid_code", "This authorization code has been used.", e.InvalidAuthorizationCode),
    (G_EXCHANGE, 400, 100, 36007, "invalid_code", "This authorization code has expired.", e.ExpiredAuthorizationCode),
    (
        G_EXCHANGE,
        400,
        100,
        36008,
        "invalid_code",
        "Error validating verification code. Please make sure your "
        "redirect_uri is identical to the one you used in the OAuth dialog request",
        e.RedirectUriMismatch,
    ),
    (
        G_EXCHANGE,
        400,
        100,
        None,
        "invalid_request",
        "(#100) The parameter client_secret is required",
        e.RequestValidationFailed,
    ),
    (G_EXCHANGE, 400, 4, None, None, "(#4) Application request limit reached", e.RateLimited),
    (G_EXCHANGE, 400, "80007", None, None, "(#80007) There have been too many calls", e.RateLimited),
    (G_EXCHANGE, 400, 2500, None, None, "Unknown path components: /foo", e.VendorError),
    (
        G_DEBUG,
        400,
        190,
        None,
        "invalid_token",
        "Invalid OAuth access token - Debug only access token",
        e.InvalidAccessToken,
    ),
    (G_DEBUG, 400, 100, None, None, "(#100) You must provide an app access token", e.RequestValidationFailed),
    (G_DEBUG, 400, 100, 33, "invalid_request", "Unsupported get request.", e.RequestValidationFailed),
    (
        G_PHONES,
        400,
        100,
        33,
        "invalid_request",
        "Unsupported get request. Object with ID '1' does not exist",
        e.WabaNotFound,
    ),
    (
        G_PHONES,
        401,
        190,
        None,
        "invalid_token",
        "Invalid OAuth access token - Cannot parse access token",
        e.InvalidAccessToken,
    ),
    (G_PHONES, 401, 190, 463, "invalid_token", "Session has expired", e.InvalidAccessToken),
    (G_PHONES, 403, 200, None, None, "(#200) Permissions error", e.AssetNotGranted),
    (G_PHONES, 400, 100, None, None, "(#100) Tried accessing nonexisting field", e.RequestValidationFailed),
]

# (HTTP status, code, title, pointer, parameter, expected class)
TELNYX_CASES = [
    (401, "10009", "Authentication failed", None, None, e.TelnyxAuthenticationFailed),
    (403, "10038", "Feature not permitted", "/app_id", None, e.AppNotLinkedToTelnyx),
    (422, "10017", "Associated resource does not exist", "/waba_id", None, e.WabaNotFound),
    (422, "10017", "Associated resource does not exist", "/phone_number_id", None, e.PhoneNumberNotInWaba),
    (422, "10017", "Associated resource does not exist", "/app_id", None, e.RequestValidationFailed),
    (409, "10012", "Duplicate resource", "/waba_id", None, e.RegistrationConflict),
    (422, "10004", "Missing required parameter", "/phone_number_id", None, e.RequestValidationFailed),
    (422, "10026", "Invalid parameter type", "/customer_id", None, e.RequestValidationFailed),
    (422, "10015", "Bad Request", None, "page[size]", e.RequestValidationFailed),
    (400, "10023", "Invalid JSON", None, None, e.RequestValidationFailed),
    (415, "10029", "Expected JSON Content-Type", None, None, e.RequestValidationFailed),
    (404, "10005", "Resource not found", None, None, e.VendorError),
    (405, "10030", "Method not allowed", None, None, e.VendorError),
    (403, "10010", "Authorization failed", None, None, e.VendorError),
    (409, "10036", "Resource is being processed", None, None, e.VendorError),
]


def _graph_url(vendors, operation):
    return {G_EXCHANGE: vendors.EXCHANGE_URL, G_DEBUG: vendors.DEBUG_URL, G_PHONES: vendors.phones_url()}[operation]


def _run_graph(client, vendors, operation):
    if operation == G_EXCHANGE:
        return client.exchange_code(vendors.CODE)
    if operation == G_DEBUG:
        return client.debug_token(vendors.TOKEN)
    return client.list_phone_numbers(vendors.TOKEN, vendors.WABA)


@pytest.mark.parametrize("operation, status, code, subcode, challenge, message, expected", GRAPH_CASES)
def test_graph_errors(client, vendors, operation, status, code, subcode, challenge, message, expected):
    vendors.graph_error(
        _graph_url(vendors, operation),
        status,
        code,
        subcode,
        message=message,
        challenge=challenge,
        trace="AbodyTRACE000000000000",
    )
    with pytest.raises(expected) as caught:
        _run_graph(client, vendors, operation)
    error = caught.value
    assert type(error) is expected
    assert (error.vendor, error.operation, error.http_status) == ("graph", operation, status)
    assert error.vendor_code == str(code)
    assert error.vendor_subcode == (str(subcode) if subcode else None)
    assert error.trace_id == "AbodyTRACE000000000000"
    assert error.attempts == 1
    assert message in str(error)
    assert len(vendors.mock.calls) == 1  # 4xx is never retried
    record = error.to_dict()
    assert record["error"] == expected.__name__ and record["guidance"] == error.guidance


@pytest.mark.parametrize("status, code, title, pointer, parameter, expected", TELNYX_CASES)
def test_telnyx_errors(client, vendors, status, code, title, pointer, parameter, expected):
    vendors.telnyx_error(
        status, code, title, "Detail from Telnyx.", pointer=pointer, parameter=parameter, request_id="req-abc"
    )
    with pytest.raises(expected) as caught:
        client.register(vendors.WABA, vendors.PHONE, "c-1")
    error = caught.value
    assert type(error) is expected
    assert (error.vendor, error.operation, error.http_status) == ("telnyx", "registerTechProvider", status)
    assert (error.vendor_code, error.vendor_subcode, error.pointer) == (code, None, pointer)
    assert error.trace_id == "req-abc"
    assert error.attempts == 1
    assert title in str(error) and "Detail from Telnyx." in str(error)
    assert len(vendors.mock.calls) == 1
    if parameter:
        assert error.details["parameter"] == parameter


@pytest.mark.parametrize(
    "status, code, expected",
    [(429, "10011", e.RateLimited), (500, "10007", e.VendorUnavailable), (503, "10037", e.VendorUnavailable)],
)
def test_telnyx_retryable_errors_after_retries(client, vendors, clock, status, code, expected):
    vendors.telnyx_error(status, code, "Busy", "Try later.")
    with pytest.raises(expected) as caught:
        client.register(vendors.WABA, vendors.PHONE)
    assert caught.value.attempts == 3
    assert caught.value.vendor_code == code
    assert len(vendors.mock.calls) == 3
    assert "(after 3 attempts)" in str(caught.value)


@pytest.mark.parametrize("status, code", [(500, 1), (500, 2), (503, 2)])
def test_graph_server_errors_after_retries(client, vendors, status, code):
    vendors.graph_error(vendors.EXCHANGE_URL, status, code, message="An unknown error occurred")
    with pytest.raises(e.VendorUnavailable) as caught:
        client.exchange_code(vendors.CODE)
    assert (caught.value.attempts, caught.value.vendor_code) == (3, str(code))


def test_guidance_titles(client, vendors):
    vendors.telnyx_error(401, "10009", "Authentication failed")
    with pytest.raises(e.TelnyxAuthenticationFailed) as caught:
        client.register(vendors.WABA, vendors.PHONE)
    assert caught.value.troubleshooting == "The Telnyx API returns a 401 Unauthorized error"
    assert caught.value.to_dict()["troubleshooting"] == "The Telnyx API returns a 401 Unauthorized error"


def test_a_missing_permission_points_at_app_review(client, vendors):
    vendors.graph_error(vendors.phones_url(), 403, 10, message="(#10) Application does not have permission")
    with pytest.raises(e.VendorError) as caught:
        client.list_phone_numbers(vendors.TOKEN, vendors.WABA)
    assert caught.value.troubleshooting == e.TS_APP_REVIEW
    assert "Advanced Access" in caught.value.guidance


def test_an_asset_not_granted_says_the_customer_left_it_out(client, vendors):
    vendors.graph_error(vendors.phones_url(), 403, 200, message="(#200) Permissions error")
    with pytest.raises(e.AssetNotGranted) as caught:
        client.list_phone_numbers(vendors.TOKEN, vendors.WABA)
    assert (caught.value.vendor_code, caught.value.http_status) == ("200", 403)
    assert "did not grant your app this WhatsApp Business Account" in caught.value.guidance
    assert caught.value.troubleshooting == e.TS_NO_WABA_ID


@pytest.mark.parametrize(
    "usage, regain",
    [
        ({"WABA": [{"type": "whatsapp_business_management", "estimated_time_to_regain_access": 42}]}, 42),
        ({"WABA": [{"estimated_time_to_regain_access": 0}]}, None),
        ("not json", None),
    ],
)
def test_waba_rate_limit_is_not_retried_and_says_when_to_retry(client, vendors, usage, regain):
    header = usage if isinstance(usage, str) else json.dumps(usage).replace("WABA", vendors.WABA)
    vendors.graph_error(
        vendors.phones_url(),
        400,
        80008,
        message="(#80008) Too many calls",
        headers={"x-business-use-case-usage": header},
    )
    with pytest.raises(e.RateLimited) as caught:
        client.list_phone_numbers(vendors.TOKEN, vendors.WABA)
    assert caught.value.attempts == 1 and len(vendors.mock.calls) == 1  # minutes away: not retried in the call
    assert caught.value.details.get("estimated_time_to_regain_access") == regain
    assert "estimated_time_to_regain_access" in caught.value.guidance


def test_trace_id_falls_back_to_headers(client, vendors):
    vendors.mock.get(
        vendors.EXCHANGE_URL,
        status=400,
        json={"error": {"message": "x", "code": 1}},
        headers={"x-fb-trace-id": "AheaderONLY"},
    )
    with pytest.raises(e.WrongAppSecret) as caught:
        client.exchange_code(vendors.CODE)
    assert caught.value.trace_id == "AheaderONLY"
    vendors.mock.post(
        vendors.REGISTER_URL, status=401, json={"errors": [{"code": "10009"}]}, headers={"request-id": "req-legacy"}
    )
    with pytest.raises(e.TelnyxAuthenticationFailed) as caught:
        client.register(vendors.WABA, vendors.PHONE)
    assert caught.value.trace_id == "req-legacy"


def test_several_telnyx_errors_are_all_reported(client, vendors):
    errors = [
        {
            "code": "10004",
            "title": "Missing required parameter",
            "detail": "waba_id is required",
            "source": {"pointer": "/waba_id"},
        },
        {
            "code": "10004",
            "title": "Missing required parameter",
            "detail": "app_id is required",
            "source": {"pointer": "/app_id"},
        },
    ]
    vendors.mock.post(vendors.REGISTER_URL, status=422, json={"errors": errors})
    with pytest.raises(e.RequestValidationFailed) as caught:
        client.register(vendors.WABA, vendors.PHONE)
    assert caught.value.pointer == "/waba_id"
    assert "app_id is required" in str(caught.value)
    assert [x["pointer"] for x in caught.value.details["errors"]] == ["/waba_id", "/app_id"]


@pytest.mark.parametrize(
    "status, expected",
    [(400, e.RequestValidationFailed), (401, e.TelnyxAuthenticationFailed), (502, e.VendorUnavailable)],
)
def test_non_json_telnyx_errors(client, vendors, status, expected):
    vendors.mock.post(vendors.REGISTER_URL, status=status, body="<html>Bad Gateway</html>")
    with pytest.raises(expected) as caught:
        client.register(vendors.WABA, vendors.PHONE)
    assert caught.value.vendor_code is None


@pytest.mark.parametrize("status, expected", [(400, e.VendorError), (502, e.VendorUnavailable)])
def test_non_json_graph_errors(client, vendors, status, expected):
    vendors.mock.get(vendors.EXCHANGE_URL, status=status, body="<html>oops</html>")
    with pytest.raises(expected):
        client.exchange_code(vendors.CODE)


def test_redirects_are_not_followed(client, vendors):
    vendors.mock.get(vendors.EXCHANGE_URL, status=302, headers={"Location": "http://evil.example/"})
    with pytest.raises(e.VendorError) as caught:
        client.exchange_code(vendors.CODE)
    assert caught.value.http_status == 302
    assert len(vendors.mock.calls) == 1


# --- malformed answers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, kwargs",
    [
        ("not json", {}),
        ("[1, 2]", {"content_type": "application/json"}),
        ('{"token_type": "bearer"}', {"content_type": "application/json"}),
        ('{"access_token": ""}', {"content_type": "application/json"}),
        ('{"access_token": 12}', {"content_type": "application/json"}),
    ],
)
def test_malformed_exchange_answers(client, vendors, body, kwargs):
    vendors.mock.get(vendors.EXCHANGE_URL, body=body, **kwargs)
    with pytest.raises(e.MalformedVendorResponse) as caught:
        client.exchange_code(vendors.CODE)
    assert (caught.value.vendor, caught.value.operation, caught.value.http_status) == ("graph", G_EXCHANGE, 200)


@pytest.mark.parametrize(
    "body",
    [
        {"data": []},
        {"data": "x"},
        {"nodata": {}},
        {"data": {"is_valid": True, "granular_scopes": {"scope": "x"}}},
        {"data": {"is_valid": True, "granular_scopes": ["whatsapp_business_management"]}},
        {"data": {"is_valid": True, "granular_scopes": [{"scope": "whatsapp_business_management", "target_ids": "1"}]}},
        {
            "data": {
                "is_valid": True,
                "granular_scopes": [{"scope": "whatsapp_business_management", "target_ids": [{"id": "1"}]}],
            }
        },
    ],
)
def test_malformed_debug_token_answers(client, vendors, body):
    vendors.mock.get(vendors.DEBUG_URL, json=body)
    with pytest.raises(e.MalformedVendorResponse):
        client.debug_token(vendors.TOKEN)


@pytest.mark.parametrize("body", [{"data": {}}, {"data": [{"name": "x"}]}, {"data": ["1"]}, {"data": [{"id": ""}]}])
def test_malformed_phone_number_answers(client, vendors, body):
    vendors.mock.get(vendors.phones_url(), json=body)
    with pytest.raises(e.MalformedVendorResponse):
        client.list_phone_numbers(vendors.TOKEN, vendors.WABA)


@pytest.mark.parametrize(
    "body", ["<html>", '{"waba_id": "1"}', '{"data": []}', '{"data": {"waba_id": "1"}}', '{"data": {"status": 3}}']
)
def test_malformed_register_answers(client, vendors, body):
    vendors.mock.post(vendors.REGISTER_URL, body=body, content_type="application/json")
    with pytest.raises(e.MalformedVendorResponse) as caught:
        client.register(vendors.WABA, vendors.PHONE)
    assert caught.value.vendor == "telnyx"


def test_malformed_answer_during_onboard_stops_before_telnyx(client, vendors, event_factory):
    vendors.mock.get(vendors.EXCHANGE_URL, body="<html>")
    vendors.register_ok()
    from harness.client import SignupOutcome

    with pytest.raises(e.MalformedVendorResponse):
        client.onboard(SignupOutcome.from_browser(code=vendors.CODE, event=event_factory()))
    assert vendors.telnyx_calls() == []


# --- the table itself ---------------------------------------------------------------------------------------------


def test_every_error_class_is_reachable():
    from_table = {rule.error for rule in RULES}
    raised_elsewhere = {
        e.SignupCancelled,
        e.SignupError,
        e.MissingAuthorizationCode,
        e.NoWabaIdReturned,
        e.VendorTimeout,
        e.MalformedVendorResponse,
        e.SignupSessionTimedOut,  # outcome.py: a session still PENDING at the budget
        e.VendorError,
    }
    every = {getattr(e, name) for name in e.__all__}
    assert every == from_table | raised_elsewhere | {e.OnboardingError}
    assert all(issubclass(cls, e.OnboardingError) for cls in every)
    assert all(getattr(client_pkg, cls.__name__) is cls for cls in every)


def test_classify_falls_back_to_vendor_error():
    assert classify(VendorFault("telnyx", "registerTechProvider", 418, code="99999")) is e.VendorError
    assert classify(VendorFault("graph", "exchangeCode", 400, code=None)) is e.VendorError


def test_describe():
    fault = VendorFault(
        "graph",
        "exchangeCode",
        400,
        code="100",
        subcode="36009",
        title="OAuthException",
        message="This authorization code has been used.",
        attempts=1,
    )
    assert describe(fault) == (
        "graph exchangeCode: HTTP 400, code 100/36009 (OAuthException): This authorization code has been used."
    )


def test_errors_pickle_and_keep_their_fields():
    error = e.SignupCancelled("PHONE_NUMBER_VERIFICATION")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.step, copy.troubleshooting, str(copy)) == (
        e.SignupCancelled,
        "PHONE_NUMBER_VERIFICATION",
        e.TS_VERIFICATION_CODE,
        str(error),
    )
    waba = e.WabaNotFound("x", vendor="telnyx", operation="registerTechProvider", pointer="/waba_id")
    assert pickle.loads(pickle.dumps(waba)).to_dict() == waba.to_dict()


def test_session_failures_and_expired_hosted_signup_map():
    def session(state, subcode=None):
        return VendorFault("telnyx", "signupSession", None, code=state, subcode=subcode)

    assert classify(session("SHARE_CREDIT_LINE")) is e.SignupSessionFailed
    assert classify(session("REGISTER_PHONE_NUMBER", "133005")) is e.SignupSessionFailed
    assert "two-step" in error_from_fault(session("REGISTER_PHONE_NUMBER", "133005")).guidance
    assert "Credit line" in error_from_fault(session("SHARE_CREDIT_LINE")).guidance
    assert "72 hours" in error_from_fault(session("REGISTER_PHONE_NUMBER", "133016")).guidance
    assert "five minutes" in error_from_fault(session("REGISTER_PHONE_NUMBER", "133015")).guidance
    assert "see Meta's error" in error_from_fault(session("REGISTER_PHONE_NUMBER", "133010")).guidance
    expired = VendorFault("telnyx", "completeHostedSignup", 422, code="10015", pointer="/id")
    assert classify(expired) is e.HostedSignupExpired
