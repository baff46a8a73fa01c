"""The whole flow: what is sent to each vendor, how the ids are resolved, what comes back."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from harness.client import (
    ClientConfig,
    InvalidAccessToken,
    NoWabaIdReturned,
    OnboardingClient,
    OnboardingResult,
    SignupOutcome,
)
from harness.client.config import DEFAULT_GRAPH_VERSION
from harness.client.errors import TS_NO_WABA_ID


def query(call):
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def test_finish_event_registers_with_the_ids_from_the_event(client, vendors, event_factory):
    vendors.exchange_ok()
    vendors.register_ok(customer_id="acme-corp-42")
    outcome = SignupOutcome.from_browser(code=vendors.CODE, event=json.dumps(event_factory()))

    result = client.onboard(outcome, customer_id="acme-corp-42")

    assert result == OnboardingResult(
        waba_id=vendors.WABA,
        phone_number_id=vendors.PHONE,
        status="registered",
        customer_id="acme-corp-42",
        resolved_via="event",
        registration={
            "waba_id": vendors.WABA,
            "phone_number_id": vendors.PHONE,
            "status": "registered",
            "customer_id": "acme-corp-42",
        },
    )
    exchange, register = vendors.mock.calls
    assert exchange.request.method == "GET"
    assert query(exchange) == {"client_id": vendors.APP_ID, "client_secret": vendors.APP_SECRET, "code": vendors.CODE}
    assert register.request.method == "POST"
    assert register.request.url == vendors.REGISTER_URL
    assert register.request.headers["Authorization"] == f"Bearer {vendors.API_KEY}"
    assert register.request.headers["Content-Type"] == "application/json"
    assert json.loads(register.request.body) == {
        "waba_id": vendors.WABA,
        "phone_number_id": vendors.PHONE,
        "app_id": vendors.APP_ID,
        "customer_id": "acme-corp-42",
    }


def test_customer_id_is_omitted_when_not_given(client, vendors, event_factory):
    vendors.exchange_ok()
    vendors.register_ok()
    result = client.onboard(SignupOutcome.from_browser(code=vendors.CODE, event=event_factory()))
    assert "customer_id" not in vendors.register_body()
    assert result.customer_id is None
    assert result.to_dict()["resolved_via"] == "event"


def test_redirect_uri_is_sent_only_when_configured(config, vendors, event_factory):
    vendors.exchange_ok()
    vendors.register_ok()
    uri = "https://portal.localhost/whatsapp/callback"
    with OnboardingClient(ClientConfig(**{**_fields(config), "redirect_uri": uri})) as client:
        client.onboard(SignupOutcome.from_browser(code=vendors.CODE, event=event_factory()))
    assert query(vendors.mock.calls[0])["redirect_uri"] == uri


@pytest.mark.parametrize("event_name", ["FINISH_ONLY_WABA", "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING"])
def test_waba_only_events_resolve_the_phone_number_through_graph(client, vendors, event_factory, event_name):
    vendors.exchange_ok()
    vendors.phones_ok(ids=[vendors.PHONE, "222222222222222"])
    vendors.register_ok()
    event = event_factory(event_name, waba_id=vendors.WABA)

    result = client.onboard(SignupOutcome.from_browser(code=vendors.CODE, event=event))

    assert (result.waba_id, result.phone_number_id, result.resolved_via) == (vendors.WABA, vendors.PHONE, "graph")
    assert len(vendors.calls_to(vendors.DEBUG_URL)) == 0  # the event named the WABA
    phones = vendors.calls_to(vendors.phones_url())[0]
    assert phones.request.headers["Authorization"] == f"Bearer {vendors.TOKEN}"
    assert vendors.register_body()["phone_number_id"] == vendors.PHONE


@pytest.mark.parametrize(
    "event", [None, {"type": "WA_EMBEDDED_SIGNUP", "event": "FINISH_ONLY_WABA", "data": {}, "version": "3"}]
)
def test_without_a_waba_id_debug_token_names_the_newest_waba(client, vendors, event):
    vendors.exchange_ok()
    vendors.debug_ok(waba_ids=[vendors.WABA, "111111111111111"])
    vendors.phones_ok()
    vendors.register_ok()

    result = client.onboard(SignupOutcome.from_browser(code=vendors.CODE, event=event))

    assert (result.waba_id, result.phone_number_id, result.resolved_via) == (vendors.WABA, vendors.PHONE, "graph")
    debug = vendors.calls_to(vendors.DEBUG_URL)[0]
    assert query(debug) == {"input_token": vendors.TOKEN, "access_token": f"{vendors.APP_ID}|{vendors.APP_SECRET}"}
    assert [c.request.url.split("?")[0] for c in vendors.mock.calls] == [
        vendors.EXCHANGE_URL,
        vendors.DEBUG_URL,
        vendors.phones_url(),
        vendors.REGISTER_URL,
    ]


def test_unknown_event_falls_back_to_graph(client, vendors, caplog):
    vendors.exchange_ok()
    vendors.debug_ok()
    vendors.phones_ok()
    vendors.register_ok()
    event = {"type": "WA_EMBEDDED_SIGNUP", "event": "SOMETHING_NEW", "data": {}}
    with caplog.at_level(logging.WARNING, logger="harness.client"):
        result = client.onboard(SignupOutcome.from_browser(code=vendors.CODE, event=event))
    assert result.resolved_via == "graph"
    assert "SOMETHING_NEW" in caplog.text


@pytest.mark.parametrize(
    "debug_data",
    [
        {"granular_scopes": [{"scope": "whatsapp_business_messaging", "target_ids": ["1"]}]},
        {"granular_scopes": [{"scope": "whatsapp_business_management"}]},
        {"granular_scopes": [{"scope": "whatsapp_business_management", "target_ids": []}]},
        {"granular_scopes": None},
    ],
)
def test_no_waba_anywhere_raises_before_telnyx(client, vendors, debug_data):
    vendors.exchange_ok()
    vendors.debug_ok(**debug_data)
    vendors.register_ok()
    with pytest.raises(NoWabaIdReturned) as caught:
        client.onboard(SignupOutcome.from_browser(code=vendors.CODE, event=None))
    assert caught.value.troubleshooting == TS_NO_WABA_ID
    assert caught.value.operation == "debugToken"
    assert vendors.telnyx_calls() == []


def test_no_phone_number_anywhere_raises_before_telnyx(client, vendors, event_factory):
    vendors.exchange_ok()
    vendors.phones_ok(ids=[])
    vendors.register_ok()
    event = event_factory("FINISH_ONLY_WABA", waba_id=vendors.WABA)
    with pytest.raises(NoWabaIdReturned) as caught:
        client.onboard(SignupOutcome.from_browser(code=vendors.CODE, event=event))
    assert caught.value.operation == "listWabaPhoneNumbers"
    assert vendors.telnyx_calls() == []


def test_invalid_input_token_in_debug_token_is_an_invalid_access_token(client, vendors):
    vendors.exchange_ok()
    vendors.mock.get(
        vendors.DEBUG_URL,
        json={
            "data": {
                "is_valid": False,
                "scopes": [],
                "error": {"code": 190, "subcode": 463, "message": "Error validating access token: Session has expired"},
            }
        },
    )
    with pytest.raises(InvalidAccessToken) as caught:
        client.onboard(SignupOutcome.from_browser(code=vendors.CODE))
    error = caught.value
    assert (error.http_status, error.vendor_code, error.vendor_subcode) == (200, "190", "463")
    assert vendors.telnyx_calls() == []


def test_a_token_of_another_app_is_refused(client, vendors):
    vendors.exchange_ok()
    vendors.debug_ok(app_id="999")
    with pytest.raises(InvalidAccessToken, match="another app"):
        client.onboard(SignupOutcome.from_browser(code=vendors.CODE))
    assert vendors.telnyx_calls() == []


def test_graph_path_prefix_selects_a_tenant(config, vendors, event_factory):
    base = f"{vendors.GRAPH}/_t/tenant-1"
    vendors.exchange_ok(url=f"{base}/{vendors.VERSION}/oauth/access_token")
    vendors.mock.get(f"{base}/{vendors.VERSION}/{vendors.WABA}/phone_numbers", json={"data": [{"id": vendors.PHONE}]})
    vendors.register_ok()
    with OnboardingClient(ClientConfig(**{**_fields(config), "graph_base_url": base})) as client:
        event = event_factory("FINISH_ONLY_WABA", waba_id=vendors.WABA)
        result = client.onboard(SignupOutcome.from_browser(code=vendors.CODE, event=event))
    assert result.phone_number_id == vendors.PHONE


def test_extra_headers_go_to_every_vendor(config, vendors, event_factory):
    vendors.exchange_ok()
    vendors.register_ok()
    headers = {"X-Harness-Tenant": "tenant-7"}
    with OnboardingClient(ClientConfig(**{**_fields(config), "extra_headers": headers})) as client:
        client.onboard(SignupOutcome.from_browser(code=vendors.CODE, event=event_factory()))
    for call in vendors.mock.calls:
        assert call.request.headers["X-Harness-Tenant"] == "tenant-7"
    assert vendors.telnyx_calls()[0].request.headers["Authorization"] == f"Bearer {vendors.API_KEY}"
    assert "Authorization" not in vendors.mock.calls[0].request.headers  # the exchange carries no token


@pytest.mark.parametrize("name", ["Authorization", "content-type", "Host"])
def test_extra_headers_cannot_set_what_the_client_sets(config, name):
    with pytest.raises(ValueError, match="must not set"):
        ClientConfig(**{**_fields(config), "extra_headers": {name: "x"}})


def test_without_an_api_key_no_authorization_header_is_sent(config, vendors):
    vendors.register_ok()
    with OnboardingClient(ClientConfig(**{**_fields(config), "telnyx_api_key": ""})) as client:
        client.register(vendors.WABA, vendors.PHONE)
    assert "Authorization" not in vendors.telnyx_calls()[0].request.headers


def test_steps_are_usable_one_by_one(client, vendors):
    vendors.exchange_ok()
    vendors.debug_ok()
    vendors.phones_ok(ids=[vendors.PHONE, 333333333333333])
    vendors.register_ok(customer_id="c-1")
    token = client.exchange_code(vendors.CODE)
    assert token == vendors.TOKEN
    assert client.debug_token(token)["is_valid"] is True
    numbers = client.list_phone_numbers(token, vendors.WABA)
    assert [n["id"] for n in numbers] == [vendors.PHONE, "333333333333333"]
    assert client.register(vendors.WABA, vendors.PHONE, "c-1")["status"] == "registered"
    assert vendors.register_body()["customer_id"] == "c-1"


def test_step_methods_check_their_arguments(client):
    with pytest.raises(ValueError):
        client.register("", "1")
    with pytest.raises(ValueError):
        client.list_phone_numbers("token", "")


def test_success_is_logged_without_secrets(client, vendors, event_factory, caplog):
    vendors.exchange_ok()
    vendors.register_ok()
    with caplog.at_level(logging.DEBUG):
        client.onboard(SignupOutcome.from_browser(code=vendors.CODE, event=event_factory()))
    assert "onboarded WABA" in caplog.text
    assert "oauth/access_token" in caplog.text
    for secret in vendors.SECRETS:
        assert secret not in caplog.text


class CannedAdapter(requests.adapters.BaseAdapter):
    """A transport adapter answering in-process, as the harness mounts one: nothing is patched."""

    def __init__(self, answers):
        super().__init__()
        self.answers = answers
        self.seen = []

    def send(self, request, **kwargs):
        self.seen.append((request.method, request.url, kwargs.get("timeout")))
        status, body = self.answers[urlsplit(request.url).path]
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


def test_an_injected_session_is_used_as_is(config, event_factory):
    adapter = CannedAdapter(
        {
            f"/{DEFAULT_GRAPH_VERSION}/oauth/access_token": (200, {"access_token": "EAAinprocess"}),
            "/v2/whatsapp/business_accounts/tech_provider": (
                200,
                {"data": {"waba_id": "1", "phone_number_id": "2", "status": "registered", "customer_id": None}},
            ),
        }
    )
    session = requests.Session()
    session.mount("http://127.0.0.1:8010", adapter)
    session.mount("http://127.0.0.1:8020", adapter)
    client = OnboardingClient(config, session=session)
    result = client.onboard(
        SignupOutcome.from_browser(code="AQx", event=event_factory(waba_id="1", phone_number_id="2"))
    )
    client.close()  # not ours: must stay usable
    assert result.status == "registered"
    assert [m for m, _, _ in adapter.seen] == ["GET", "POST"]
    assert all(timeout == config.timeout for _, _, timeout in adapter.seen)
    assert session.adapters  # still mounted


def test_own_session_ignores_proxy_environment(config):
    with OnboardingClient(config) as client:
        assert client.session.trust_env is False


def _fields(config):
    return {name: getattr(config, name) for name in config.__dataclass_fields__}
