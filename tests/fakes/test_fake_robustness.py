"""Bad input never yields a 5xx or a traceback: only the vendor's documented 4xx answers, in its own envelope."""

from __future__ import annotations

import json
from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REGISTER = "/whatsapp/business_accounts/tech_provider"
TELNYX_4XX = {400, 401, 403, 409, 415, 422}  # registerTechProvider's documented client errors
GRAPH_4XX = {400}  # exchangeCode's documented client errors

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner))
field_values = scalars | st.from_regex(r"\A[0-9]{1,20}\Z") | st.lists(scalars, max_size=2)
registration_like = st.dictionaries(
    st.sampled_from(["waba_id", "phone_number_id", "app_id", "customer_id", "event"]) | st.text(max_size=8),
    field_values,
    max_size=6,
)


def assert_telnyx_client_error(response) -> None:
    assert response.status_code in TELNYX_4XX, (response.status_code, response.text)
    assert "Traceback" not in response.text
    errors = response.json()["errors"]
    assert errors and all(isinstance(item["code"], str) for item in errors)


def assert_graph_client_error(response) -> None:
    assert response.status_code in GRAPH_4XX, (response.status_code, response.text)
    assert "Traceback" not in response.text
    error = response.json()["error"]
    assert isinstance(error["code"], int) and error["fbtrace_id"] == response.headers["x-fb-trace-id"]


@FUZZ
@given(body=st.binary(max_size=200))
def test_random_bytes_to_the_telnyx_post(fakes, body):
    response = fakes.tx("POST", REGISTER, data=body, headers={"Content-Type": "application/json"})
    assert_telnyx_client_error(response)


@FUZZ
@given(body=json_values | registration_like)
def test_random_json_to_the_telnyx_post(fakes, body):
    response = fakes.tx("POST", REGISTER, data=json.dumps(body), headers={"Content-Type": "application/json"})
    assert_telnyx_client_error(response)


# A header value may not hold control characters (RFC 9110 5.5): the socket server's parser refuses those heads
# itself (docs/limits.md), so the fuzzed Content-Type keeps to what HTTP can carry.
header_text = st.text(st.characters(blacklist_categories=["Cc", "Cs"]), max_size=30)


@FUZZ
@given(body=st.binary(max_size=64), content_type=header_text | st.sampled_from(["", "application/json"]))
def test_random_content_types_to_the_telnyx_post(fakes, body, content_type):
    content_type = content_type.strip()
    response = fakes.tx("POST", REGISTER, data=body, headers={"Content-Type": content_type.encode().decode("latin-1")})
    assert_telnyx_client_error(response)


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["client_id", "client_secret", "code", "redirect_uri"]) | st.text(max_size=10),
        st.text(max_size=40),
        max_size=6,
    ),
    version=st.sampled_from(["v19.0", None]),
)
def test_random_query_strings_to_the_graph_exchange(fakes, params, version):
    path = f"/{version}/oauth/access_token" if version else "/oauth/access_token"
    assert_graph_client_error(fakes.graph_get(path, params=params))


@FUZZ
@given(raw=st.binary(max_size=120))
def test_random_raw_query_bytes_to_the_graph_exchange(fakes, raw):
    query = quote_from_bytes(raw, safe="=&")
    assert_graph_client_error(fakes.graph_get(f"/v19.0/oauth/access_token?{query}"))
