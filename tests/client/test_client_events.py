"""The WA_EMBEDDED_SIGNUP message shapes, and how onboard() treats them before any network call."""

from __future__ import annotations

import json

import pytest

from harness.client import (
    MalformedVendorResponse,
    MissingAuthorizationCode,
    SignupCancelled,
    SignupError,
    SignupOutcome,
)
from harness.client.errors import TS_FB_LOGIN, TS_NO_WABA_ID, TS_VERIFICATION_CODE
from harness.client.events import parse_event

WABA, PHONE, BUSINESS = "524126980791429", "106540352242922", "2729063490586005"


def message(event, data=None, version=3, **extra):
    body = {"type": "WA_EMBEDDED_SIGNUP", "event": event, "data": data if data is not None else {}, **extra}
    if version is not None:
        body["version"] = version
    return body


@pytest.mark.parametrize("version, parsed", [(None, None), (2, 2), (3, 3), ("3", 3), ("v3", 3), ("x", None)])
@pytest.mark.parametrize("as_json", [False, True])
def test_finish_carries_both_ids_in_every_version(version, parsed, as_json):
    raw = message("FINISH", {"waba_id": WABA, "phone_number_id": PHONE, "business_id": BUSINESS}, version)
    event = parse_event(json.dumps(raw) if as_json else raw)
    assert (event.kind, event.event) == ("finish", "FINISH")
    assert (event.waba_id, event.phone_number_id, event.business_id) == (WABA, PHONE, BUSINESS)
    assert event.version == parsed


@pytest.mark.parametrize("name", ["FINISH_ONLY_WABA", "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING"])
def test_waba_only_finishes(name):
    event = parse_event(json.dumps(message(name, {"waba_id": WABA})))
    assert (event.kind, event.waba_id, event.phone_number_id) == ("finish", WABA, None)


@pytest.mark.parametrize("name", ["FINISH_OBO_MIGRATION", "FINISH_GRANT_ONLY_API_ACCESS", "FINISH_SOMETHING_NEW"])
def test_other_finishes_are_successes(name):
    assert parse_event(message(name, {})).kind == "finish"


def test_numeric_ids_are_read_as_strings_and_blank_ids_as_missing():
    event = parse_event(message("FINISH", {"waba_id": int(WABA), "phone_number_id": "  "}))
    assert (event.waba_id, event.phone_number_id) == (WABA, None)


def test_multi_waba_flows_fall_back_to_the_first_of_waba_ids():
    assert parse_event(message("FINISH", {"waba_ids": [WABA, "1"]})).waba_id == WABA


def test_cancel_with_current_step():
    event = parse_event(message("CANCEL", {"current_step": "PHONE_NUMBER_SETUP"}, version=None))
    assert (event.kind, event.current_step) == ("cancel", "PHONE_NUMBER_SETUP")


@pytest.mark.parametrize(
    "raw, code",
    [
        (
            message(
                "CANCEL",
                {
                    "error_message": "Your verified name violates WhatsApp guidelines.",
                    "error_code": "524126",
                    "session_id": "f34b51dab5e0498",
                    "timestamp": "1746041036",
                },
            ),
            "524126",
        ),
        (message("CANCEL", {"error_message": "Name rejected", "error_id": 524126, "session_id": "s1"}), "524126"),
        (
            message(
                "ERROR",
                {
                    "error_code": 1690130,
                    "error_message": "non e' un ID business valido",
                    "session_id": "01a0c8a7",
                    "timestamp": "1790072801680",
                },
                version=None,
            ),
            "1690130",
        ),
        (message("ERROR", {"error_message": "Something went wrong"}, version=2), None),
    ],
)
def test_user_reported_errors(raw, code):
    event = parse_event(json.dumps(raw))
    assert event.kind == "error"
    assert event.error_code == code
    assert event.error_message


def test_no_event():
    assert parse_event(None) is None
    assert parse_event("  ") is None


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1, 2]",
        json.dumps({"type": "SOMETHING_ELSE", "event": "FINISH", "data": {}}),
        json.dumps({"type": "WA_EMBEDDED_SIGNUP", "data": {}}),
        json.dumps({"type": "WA_EMBEDDED_SIGNUP", "event": "FINISH", "data": [1]}),
        json.dumps({"type": "WA_EMBEDDED_SIGNUP", "event": "FINISH", "data": {"waba_id": ["1"]}}),
        json.dumps({"type": "WA_EMBEDDED_SIGNUP", "event": "FINISH", "data": {"phone_number_id": True}}),
    ],
)
def test_malformed_events(raw):
    with pytest.raises(ValueError):
        parse_event(raw)


def test_type_may_be_omitted_and_data_may_be_null():
    assert parse_event({"event": "FINISH", "data": None}).kind == "finish"


def test_unknown_event_names_are_kept():
    assert parse_event(message("SOMETHING", {})).kind == "unknown"


def test_outcome_from_browser_normalises_the_code():
    assert SignupOutcome.from_browser(code="  AQabc ", event=None).code == "AQabc"
    assert SignupOutcome.from_browser(code="   ").code is None
    assert SignupOutcome.from_browser(event='{"event":"FINISH"}').parsed_event().kind == "finish"


@pytest.mark.parametrize("kwargs", [{"code": 123}, {"event": 5}, {"event": ["FINISH"]}])
def test_outcome_rejects_wrong_types(kwargs):
    with pytest.raises(TypeError):
        SignupOutcome(**kwargs)


# --- onboard(): step 1 happens before any network call ----------------------------------------------------------


def test_cancel_raises_signup_cancelled_without_network(client, vendors):
    outcome = SignupOutcome.from_browser(code="AQcode", event=message("CANCEL", {"current_step": "PERMISSIONS"}))
    with pytest.raises(SignupCancelled) as caught:
        client.onboard(outcome)
    error = caught.value
    assert (error.step, error.vendor, error.operation, error.attempts) == ("PERMISSIONS", "signup", "embeddedSignup", 0)
    assert error.troubleshooting is None
    assert error.to_dict()["step"] == "PERMISSIONS"
    assert len(vendors.mock.calls) == 0


def test_cancel_at_phone_verification_points_at_the_verification_accordion(client, vendors):
    raw = json.dumps(message("CANCEL", {"current_step": "PHONE_NUMBER_VERIFICATION"}))
    with pytest.raises(SignupCancelled) as caught:
        client.onboard(SignupOutcome.from_browser(code=None, event=raw))
    assert caught.value.troubleshooting == TS_VERIFICATION_CODE
    assert "PHONE_NUMBER_VERIFICATION" in str(caught.value)
    assert len(vendors.mock.calls) == 0


@pytest.mark.parametrize(
    "name, data",
    [
        (
            "CANCEL",
            {
                "error_message": "Name rejected",
                "error_code": "524126",
                "session_id": "f34b51dab5e0498",
                "timestamp": "1746041036",
            },
        ),
        ("ERROR", {"error_message": "Name rejected", "error_code": 524126, "session_id": "f34b51dab5e0498"}),
        ("CANCEL", {"error_message": "Name rejected", "error_id": "524126", "session_id": "f34b51dab5e0498"}),
    ],
)
def test_user_reported_error_raises_signup_error(client, vendors, name, data):
    outcome = SignupOutcome.from_browser(code="AQcode", event=message(name, data))
    with pytest.raises(SignupError) as caught:
        client.onboard(outcome)
    error = caught.value
    assert (error.vendor, error.vendor_code, error.trace_id) == ("signup", "524126", "f34b51dab5e0498")
    assert "Name rejected" in str(error)
    assert error.troubleshooting == TS_FB_LOGIN
    assert len(vendors.mock.calls) == 0


@pytest.mark.parametrize("code", [None, "", "   "])
def test_missing_code(client, vendors, code):
    outcome = SignupOutcome.from_browser(code=code, event=message("FINISH", {"waba_id": WABA}))
    with pytest.raises(MissingAuthorizationCode) as caught:
        client.onboard(outcome)
    assert caught.value.troubleshooting == TS_NO_WABA_ID
    assert caught.value.operation == "exchangeCode"
    assert len(vendors.mock.calls) == 0


def test_malformed_event_is_reported_as_a_malformed_signup_answer(client, vendors):
    with pytest.raises(MalformedVendorResponse) as caught:
        client.onboard(SignupOutcome.from_browser(code="AQcode", event="{not json"))
    assert (caught.value.vendor, caught.value.operation) == ("signup", "embeddedSignup")
    assert len(vendors.mock.calls) == 0
