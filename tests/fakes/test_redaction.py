"""One redaction everywhere: names in any case and after percent-decoding, every credential either vendor accepts,
tokens in paths, and never a secret's value in a violation (message, journal, X-Harness-Violations)."""

from __future__ import annotations

import json

import pytest

from fakes.core.redaction import REDACTED, redact_fields, redact_headers, redact_path, redact_text
from fakes.harness import Harness

SECRET = "s3cr3t-value-xyz"


@pytest.mark.parametrize(
    "name",
    [
        "client_secret",
        "client%5Fsecret",
        "client%5fsecret",
        "%63ode",
        "code",
        "Access_Token",
        "ACCESS_TOKEN",
        "access-token",
        "input_token",
        "fb_exchange_token",
        "appsecret_proof",
        "apiKey",
        "api_key",
        "pin",
        "hub.verify_token",
        "client%255Fsecret",  # encoded twice
    ],
)
def test_secret_names_in_query_strings(name):
    line = f"GET /v19.0/oauth/access_token?client_id=1&{name}={SECRET}&x=1 HTTP/1.1"
    redacted = redact_text(line)
    assert SECRET not in redacted and REDACTED in redacted
    assert "client_id=1" in redacted


def test_a_secret_inside_an_encoded_url_is_found():
    text = "redirect_uri=https%3A%2F%2Fexample.com%2Fcb%3Fcode%3D" + SECRET
    assert SECRET not in redact_text(text)


@pytest.mark.parametrize(
    "text",
    [
        f'{{"client_secret": "{SECRET}"}}',
        f"{{'Access_Token': '{SECRET}'}}",
        f'{{"pin": 123456, "code": "{SECRET}"}}',
        f"x-telnyx-key: {SECRET}",
        f"Authorization: Bearer {SECRET}",
        f"X-Harness-Admin-Token: {SECRET}",
        f"calling with Bearer {SECRET}",
    ],
)
def test_secrets_in_free_text(text):
    assert SECRET not in redact_text(text) and "123456" not in redact_text(text)


@pytest.mark.parametrize(
    "path",
    [
        "/v19.0/EAAGm0PX4ZCpsBO3qT8ZBvLw2mN7cR5kY1hJ9dF6gS4aE0uI",
        "/v19.0/AQDx7Rk2pL9vQe4Ws1NhZc3bTy8Ua5Mf0Gj6Ko2Pi7Ld/x",
        "/v2/KEY01HZX8Q3ACMEKEY_u7Jd9s2LmQpRtVxYz0AbCd",
        "/v19.0/100000000000001%7Clocal-app-secret-not-real",
    ],
)
def test_token_looking_path_segments(path):
    assert REDACTED in redact_path(path)
    assert REDACTED in redact_text(f"GET {path} HTTP/1.1")
    assert redact_path("/v19.0/300000000000001/phone_numbers") == "/v19.0/300000000000001/phone_numbers"


def test_headers_and_fields_any_case():
    headers = redact_headers(
        {"X-Telnyx-Key": SECRET, "x-api-key": SECRET, "AUTHORIZATION": f"Bearer {SECRET}", "Cookie": SECRET}
    )
    assert SECRET not in json.dumps(headers) and headers["AUTHORIZATION"] == f"Bearer {REDACTED}"
    fields = redact_fields({"PIN": 123456, "Client_Secret": SECRET, "nested": [{"apiKey": SECRET}], "code": None})
    assert SECRET not in json.dumps(fields) and "123456" not in json.dumps(fields) and fields["code"] is None


@pytest.fixture
def harness() -> Harness:
    h = Harness(check_responses=True)
    h.seed_demo()
    return h


def test_a_malformed_pin_is_never_echoed(harness):
    signup = harness.complete_signup(app_id="100000000000001")
    exchange = harness.session().get(
        f"{harness.graph_url}/v19.0/oauth/access_token",
        params={"client_id": "100000000000001", "client_secret": "local-app-secret-not-real", "code": signup["code"]},
    )
    token = exchange.json()["access_token"]
    pin = "9a8b7c"
    response = harness.session().post(
        f"{harness.graph_url}/v19.0/{signup['phone_number_id']}/register",
        json={"messaging_product": "whatsapp", "pin": pin},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert pin not in response.text
    assert pin not in response.headers["X-Harness-Violations"]
    entry = harness.journal(operation="registerPhoneNumber")[-1]
    assert pin not in json.dumps(entry) and token not in json.dumps(entry)
    assert "withheld" in entry["violations"][0]["message"]


def test_the_journal_masks_percent_encoded_and_mixed_case_names(harness):
    harness.session().get(
        f"{harness.graph_url}/v19.0/oauth/access_token?client_id=100000000000001&client%5Fsecret={SECRET}&Code={SECRET}"
    )
    harness.session().get(f"{harness.telnyx_url}/whatsapp/business_accounts", headers={"x-telnyx-key": SECRET})
    harness.session().get(f"{harness.graph_url}/v19.0/EAAGm0PX4ZCpsBO3qT8ZBvLw2mN7cR5kY1hJ9dF6gS4aE0uI")
    dumped = json.dumps(harness.journal())
    assert SECRET not in dumped and "EAAGm0PX4ZCpsBO3qT8ZBvLw2mN7cR5kY1hJ9dF6gS4aE0uI" not in dumped


def test_vendor_error_codes_in_json_text_stay_readable():
    graph = '{"error": {"code": 190, "error_subcode": 463, "message": "x"}}'
    telnyx = '{"errors": [{"code": "10009", "title": "Authentication failed"}]}'
    assert redact_text(graph) == graph and redact_text(telnyx) == telnyx
    assert SECRET not in redact_text(f'{{"code": "{SECRET}"}}')
