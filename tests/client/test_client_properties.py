"""Properties: any spec-shaped Telnyx (and Graph) error lands on the right class, and never shows a secret."""

from __future__ import annotations

import json
import string

import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.client import ClientConfig, OnboardingClient, RetryPolicy
from harness.client import errors as e
from harness.client.config import DEFAULT_GRAPH_VERSION

GRAPH = "http://127.0.0.1:8010"
TELNYX = "http://127.0.0.1:8020/v2"
REGISTER_URL = f"{TELNYX}/whatsapp/business_accounts/tech_provider"
EXCHANGE_URL = f"{GRAPH}/{DEFAULT_GRAPH_VERSION}/oauth/access_token"

# The Telnyx catalogue of docs/vendor-contract.md: (HTTP, code, title, source) -> class.
TELNYX_CATALOGUE = [
    (401, "10009", "Authentication failed", None, e.TelnyxAuthenticationFailed),
    (422, "10004", "Missing required parameter", {"pointer": "/waba_id"}, e.RequestValidationFailed),
    (422, "10026", "Invalid parameter type", {"pointer": "/phone_number_id"}, e.RequestValidationFailed),
    (422, "10015", "Bad Request", {"parameter": "page[size]"}, e.RequestValidationFailed),
    (400, "10023", "Invalid JSON", None, e.RequestValidationFailed),
    (415, "10029", "Expected JSON Content-Type", None, e.RequestValidationFailed),
    (404, "10005", "Resource not found", None, e.VendorError),
    (405, "10030", "Method not allowed", None, e.VendorError),
    (403, "10038", "Feature not permitted", {"pointer": "/app_id"}, e.AppNotLinkedToTelnyx),
    (422, "10017", "Associated resource does not exist", {"pointer": "/waba_id"}, e.WabaNotFound),
    (422, "10017", "Associated resource does not exist", {"pointer": "/phone_number_id"}, e.PhoneNumberNotInWaba),
    (409, "10012", "Duplicate resource", {"pointer": "/waba_id"}, e.RegistrationConflict),
    (429, "10011", "Too many requests", None, e.RateLimited),
    (500, "10007", "Unexpected error", None, e.VendorUnavailable),
    (503, "10037", "Service unavailable", None, e.VendorUnavailable),
]

# Graph exchange errors: (code, subcode, WWW-Authenticate kind) -> class.
GRAPH_CATALOGUE = [
    (101, None, None, e.UnknownApp),
    (1, None, None, e.WrongAppSecret),
    (100, None, "invalid_code", e.InvalidAuthorizationCode),
    (100, 36009, "invalid_code", e.InvalidAuthorizationCode),
    (100, 36007, "invalid_code", e.ExpiredAuthorizationCode),
    (100, 36008, "invalid_code", e.RedirectUriMismatch),
    (100, None, "invalid_request", e.RequestValidationFailed),
    (4, None, None, e.RateLimited),
]

# Shaped like real keys, so no key can hide inside the client's own words or the "[redacted]" mask.
api_keys = st.builds(
    lambda body: "KEY" + body, st.text(string.ascii_uppercase + string.digits, min_size=12, max_size=40)
)
free_text = st.text(max_size=80)


def make_client(api_key: str, app_secret: str = "614fc2afde15eee07a26b2fe3eaee9b9") -> OnboardingClient:
    retry = RetryPolicy(sleep=lambda _s: None, monotonic=lambda: 0.0)
    config = ClientConfig(
        graph_base_url=GRAPH,
        telnyx_base_url=TELNYX,
        app_id="236484624622562",
        app_secret=app_secret,
        telnyx_api_key=api_key,
        retry=retry,
    )
    return OnboardingClient(config)


def texts_of(error: e.OnboardingError) -> str:
    return " ".join([str(error), repr(error), json.dumps(error.to_dict()), str(error.args)])


@settings(max_examples=150, deadline=None, database=None)
@given(
    entry=st.sampled_from(TELNYX_CATALOGUE),
    api_key=api_keys,
    before=free_text,
    after=free_text,
    echo_key=st.booleans(),
    with_meta=st.booleans(),
    code_as_number=st.booleans(),
)
def test_telnyx_errors_map_and_never_leak(entry, api_key, before, after, echo_key, with_meta, code_as_number):
    status, code, title, source, expected = entry
    detail = before + (api_key if echo_key else "") + after
    error_entry = {"code": int(code) if code_as_number else code, "title": title, "detail": detail}
    if source:
        error_entry["source"] = source
    if with_meta:
        error_entry["meta"] = {"url": f"https://developers.telnyx.com/docs/overview/errors/{code}"}
    client = make_client(api_key)
    with responses.RequestsMock() as mock:
        mock.post(
            REGISTER_URL,
            status=status,
            json={"errors": [error_entry]},
            headers={"x-request-id": "req-1", "Retry-After": "0"},
        )
        try:
            client.register("524126980791429", "106540352242922", "acme-42")
        except e.OnboardingError as error:
            raised = error
        else:  # pragma: no cover - the assertion below explains
            raised = None
    assert type(raised) is expected
    assert raised.vendor_code == code
    assert raised.pointer == (source or {}).get("pointer")
    assert api_key not in texts_of(raised)
    assert title in str(raised)


@settings(max_examples=100, deadline=None, database=None)
@given(
    entry=st.sampled_from(GRAPH_CATALOGUE),
    secret=st.text(string.hexdigits.lower(), min_size=16, max_size=32),
    code_text=st.text(string.ascii_letters + string.digits + "-_", min_size=12, max_size=60),
    before=free_text,
    code_as_string=st.booleans(),
)
def test_graph_errors_map_and_never_leak(entry, secret, code_text, before, code_as_string):
    code, subcode, challenge, expected = entry
    auth_code = "AQ" + code_text
    error = {
        "message": f"{before} {secret} {auth_code}",
        "type": "OAuthException",
        "code": str(code) if code_as_string else code,
        "fbtrace_id": "Atrace",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    headers = {"WWW-Authenticate": f'OAuth "Facebook Platform" "{challenge}" "x"'} if challenge else {}
    client = make_client("KEYFIXEDTESTKEY0001", app_secret=secret)
    with responses.RequestsMock() as mock:
        mock.get(EXCHANGE_URL, status=400, json={"error": error}, headers=headers)
        try:
            client.exchange_code(auth_code)
        except e.OnboardingError as caught:
            raised = caught
        else:  # pragma: no cover
            raised = None
    assert type(raised) is expected
    assert raised.vendor_code == str(code)
    text = texts_of(raised)
    assert secret not in text and auth_code not in text
