"""No secret (app secret, API key, authorization code, access token) in any error text, record or log line.

Every vendor below echoes every secret back in its messages, which real vendors should not do: the client must
scrub them anyway.
"""

from __future__ import annotations

import json
import logging
import pickle
from urllib.parse import quote

import pytest
import requests

from harness.client import OnboardingError, SignupOutcome
from harness.client import errors as e
from harness.client.redaction import MASK, Redactor


def echo(v, token=True):
    """Every secret the client holds at that point (before the exchange there is no token to know)."""
    text = f"echo {v.APP_SECRET} {v.API_KEY} {v.CODE} {quote(v.APP_ID + '|' + v.APP_SECRET)} {quote(v.CODE, safe='')}"
    return f"{text} {v.TOKEN}" if token else text


def with_url(v):
    url = f"{v.EXCHANGE_URL}?client_id={v.APP_ID}&client_secret={v.APP_SECRET}&code={v.CODE}"
    return f"HTTPConnectionPool(host='127.0.0.1', port=8010): Max retries exceeded with url: {url} {v.API_KEY}"


def finish(v):
    return {"type": "WA_EMBEDDED_SIGNUP", "event": "FINISH", "data": {"waba_id": v.WABA, "phone_number_id": v.PHONE}}


def only_waba(v):
    return {"type": "WA_EMBEDDED_SIGNUP", "event": "FINISH_ONLY_WABA", "data": {"waba_id": v.WABA}}


def exchange_error(status, code, subcode=None):
    def setup(v):
        v.graph_error(
            v.EXCHANGE_URL,
            status,
            code,
            subcode,
            message=echo(v, token=False),
            trace=v.APP_SECRET,
            challenge="invalid_code",
        )
        return {"event": finish(v)}

    return setup


def exchange_raises(exc_type):
    def setup(v):
        v.mock.get(v.EXCHANGE_URL, body=exc_type(with_url(v)))
        return {"event": finish(v)}

    return setup


def exchange_body(body):
    def setup(v):
        v.mock.get(v.EXCHANGE_URL, body=body(v), content_type="application/json")  # a token never given
        return {"event": finish(v)}

    return setup


def debug_invalid(v):
    v.exchange_ok()
    v.mock.get(v.DEBUG_URL, json={"data": {"is_valid": False, "error": {"code": 190, "message": echo(v)}}})
    return {"event": None}


def debug_error(v):
    v.exchange_ok()
    v.graph_error(v.DEBUG_URL, 400, 100, message=echo(v), headers={"x-fb-trace-id": v.TOKEN})
    return {"event": None}


def debug_foreign_app(v):
    v.exchange_ok()
    v.debug_ok(app_id=v.API_KEY)
    return {"event": None}


def debug_no_waba(v):
    v.exchange_ok()
    v.debug_ok(waba_ids=[])
    return {"event": None}


def phones_error(status, code, subcode=None):
    def setup(v):
        v.exchange_ok()
        v.graph_error(v.phones_url(), status, code, subcode, message=echo(v))
        return {"event": only_waba(v)}

    return setup


def register_error(status, code, pointer=None):
    def setup(v):
        v.exchange_ok()
        v.telnyx_error(status, code, title=f"Title {v.API_KEY}", detail=echo(v), pointer=pointer, request_id=v.API_KEY)
        return {"event": finish(v)}

    return setup


def register_body(status, body):
    def setup(v):
        v.exchange_ok()
        v.mock.post(v.REGISTER_URL, status=status, body=body(v))
        return {"event": finish(v)}

    return setup


def register_many_errors(v):
    v.exchange_ok()
    entries = [
        {"code": "10004", "title": "Missing", "detail": echo(v), "source": {"pointer": f"/{v.TOKEN}"}},
        {"code": "10026", "title": "Type", "detail": echo(v), "source": {"parameter": v.API_KEY}},
    ]
    v.mock.post(v.REGISTER_URL, status=422, json={"errors": entries})
    return {"event": finish(v)}


def register_timeout(v):
    v.exchange_ok()
    v.mock.post(v.REGISTER_URL, body=requests.ReadTimeout(with_url(v)))
    return {"event": finish(v)}


def signup_error(v):
    data = {
        "error_message": echo(v, token=False),
        "error_code": v.APP_SECRET,
        "session_id": v.CODE,
        "timestamp": v.API_KEY,
    }
    return {"event": {"type": "WA_EMBEDDED_SIGNUP", "event": "CANCEL", "data": data}}


def signup_cancel(v):
    data = {"current_step": echo(v, token=False)}
    return {"event": {"type": "WA_EMBEDDED_SIGNUP", "event": "CANCEL", "data": data}}


def signup_malformed(v):
    return {"event": "{" + echo(v, token=False)}


def unknown_event(v):
    v.exchange_ok()
    v.graph_error(v.DEBUG_URL, 400, 190, message=echo(v))
    return {"event": {"type": "WA_EMBEDDED_SIGNUP", "event": echo(v, token=False), "data": {}}}


def missing_code(v):
    return {"event": finish(v), "code": None}


PATHS = [
    (exchange_error(400, 100, 36009), e.InvalidAuthorizationCode),
    (exchange_error(400, 100, 36007), e.ExpiredAuthorizationCode),
    (exchange_error(400, 100, 36008), e.RedirectUriMismatch),
    (exchange_error(400, 100), e.InvalidAuthorizationCode),
    (exchange_error(400, 1), e.WrongAppSecret),
    (exchange_error(400, 101), e.UnknownApp),
    (exchange_error(400, 4), e.RateLimited),
    (exchange_error(503, 2), e.VendorUnavailable),
    (exchange_error(400, 9999), e.VendorError),
    (exchange_raises(requests.ConnectionError), e.VendorUnavailable),
    (exchange_raises(requests.ReadTimeout), e.VendorTimeout),
    (exchange_raises(requests.exceptions.ChunkedEncodingError), e.VendorError),
    (exchange_body(lambda v: "<html>" + echo(v)), e.MalformedVendorResponse),
    (exchange_body(lambda v: json.dumps({"token": v.TOKEN})), e.MalformedVendorResponse),
    (debug_invalid, e.InvalidAccessToken),
    (debug_error, e.RequestValidationFailed),
    (debug_foreign_app, e.InvalidAccessToken),
    (debug_no_waba, e.NoWabaIdReturned),
    (phones_error(401, 190), e.InvalidAccessToken),
    (phones_error(400, 100, 33), e.WabaNotFound),
    (register_error(401, "10009"), e.TelnyxAuthenticationFailed),
    (register_error(403, "10038", "/app_id"), e.AppNotLinkedToTelnyx),
    (register_error(422, "10017", "/waba_id"), e.WabaNotFound),
    (register_error(422, "10017", "/phone_number_id"), e.PhoneNumberNotInWaba),
    (register_error(409, "10012", "/waba_id"), e.RegistrationConflict),
    (register_error(415, "10029"), e.RequestValidationFailed),
    (register_error(429, "10011"), e.RateLimited),
    (register_error(500, "10007"), e.VendorUnavailable),
    (register_many_errors, e.RequestValidationFailed),
    (register_body(404, lambda v: "<html>" + echo(v)), e.VendorError),
    (register_body(200, lambda v: json.dumps({"data": {"echo": echo(v)}})), e.MalformedVendorResponse),
    (register_timeout, e.VendorTimeout),
    (signup_error, e.SignupError),
    (signup_cancel, e.SignupCancelled),
    (signup_malformed, e.MalformedVendorResponse),
    (unknown_event, e.InvalidAccessToken),
    (missing_code, e.MissingAuthorizationCode),
]


def assert_clean(text, secrets):
    for secret in secrets:
        assert secret not in text


@pytest.mark.parametrize("setup, expected", PATHS, ids=lambda p: getattr(p, "__name__", None))
def test_no_secret_in_errors_or_logs(client, vendors, caplog, setup, expected):
    secrets = (*vendors.SECRETS, quote(vendors.CODE, safe=""), f"{vendors.APP_ID}%7C{vendors.APP_SECRET}")
    kwargs = setup(vendors)
    outcome = SignupOutcome.from_browser(code=kwargs.get("code", vendors.CODE), event=kwargs["event"])
    with caplog.at_level(logging.DEBUG), pytest.raises(OnboardingError) as caught:
        client.onboard(outcome, customer_id="acme-42")
    error = caught.value
    assert type(error) is expected
    for text in (
        str(error),
        repr(error),
        json.dumps(error.to_dict()),
        str(error.args),
        repr(pickle.loads(pickle.dumps(error)).to_dict()),
    ):
        assert_clean(text, secrets)
    assert error.__cause__ is None
    assert caplog.records, "the failure should be logged"
    for record in caplog.records:
        assert_clean(record.getMessage(), secrets)
        assert_clean(repr(record.args), secrets)
        assert record.exc_info is None
    assert_clean(caplog.text, secrets)


def test_the_vendor_message_survives_scrubbing(client, vendors):
    vendors.exchange_ok()
    vendors.telnyx_error(401, "10009", "Authentication failed", f"Key {vendors.API_KEY} was revoked.")
    with pytest.raises(e.TelnyxAuthenticationFailed) as caught:
        client.onboard(SignupOutcome.from_browser(code=vendors.CODE, event=finish(vendors)))
    assert f"Key {MASK} was revoked." in str(caught.value)


def test_step_methods_scrub_their_own_secrets(client, vendors):
    vendors.graph_error(vendors.phones_url(), 401, 190, message=f"bad token {vendors.TOKEN}")
    with pytest.raises(e.InvalidAccessToken) as caught:
        client.list_phone_numbers(vendors.TOKEN, vendors.WABA)
    assert vendors.TOKEN not in repr(caught.value) and MASK in str(caught.value)


def test_redactor_scrubs_encoded_forms_and_nested_values():
    redactor = Redactor(["s3cr/t+x", None, ""])
    assert redactor.text("a s3cr/t+x b s3cr%2Ft%2Bx c s3cr%2Ft%2Bx") == f"a {MASK} b {MASK} c {MASK}"
    assert redactor.value({"k": ["s3cr/t+x", 1], "s3cr/t+x": ("x",)}) == {"k": [MASK, 1], MASK: ("x",)}
    assert redactor.text(None) is None
    longer = Redactor(["abc", "abcdef"])
    assert longer.text("abcdef abc") == f"{MASK} {MASK}"
    assert redactor.with_secrets("other").text("other s3cr/t+x") == f"{MASK} {MASK}"


def test_error_redact_scrubs_late_known_secrets():
    error = e.VendorError(
        "boom TOKEN123", vendor="graph", operation="x", details={"d": "TOKEN123"}, trace_id="TOKEN123"
    )
    error.redact("TOKEN123")
    assert "TOKEN123" not in repr(error) + json.dumps(error.to_dict()) + str(error.args)
