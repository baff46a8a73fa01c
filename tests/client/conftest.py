"""Fixtures for the reference client tests: a loopback config, a fake clock, and canned vendor answers.

Helpers are exposed as fixtures (no helper module to import), so the tests run under any pytest import mode.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import responses

from harness.client import ClientConfig, OnboardingClient, RetryPolicy
from harness.client.config import DEFAULT_GRAPH_VERSION

GRAPH = "http://127.0.0.1:8010"
TELNYX = "http://127.0.0.1:8020/v2"
VERSION = DEFAULT_GRAPH_VERSION
APP_ID = "236484624622562"
APP_SECRET = "614fc2afde15eee07a26b2fe3eaee9b9"
API_KEY = "KEY01HZX8Q3TESTSECRETVALUE_u7Jd9s2LmQpRtVxYz0AbCd"
CODE = "AQBhlXsctTESTCODE-a1b2c3d4e5f6g7h8_i9j0"
TOKEN = "EAAN6tcBzAUBOTESTTOKENwtDtTfmZCJ9n3F0123456789"
WABA = "524126980791429"
PHONE = "106540352242922"
BUSINESS = "2729063490586005"
SECRETS = (APP_SECRET, API_KEY, CODE, TOKEN)


@dataclass
class FakeClock:
    """Stands in for time.sleep / time.monotonic: sleeping only moves the clock."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


class Vendors:
    """Canned Graph and Telnyx answers on a `responses` mock, in the vendors' documented envelopes."""

    GRAPH, TELNYX, VERSION = GRAPH, TELNYX, VERSION
    APP_ID, APP_SECRET, API_KEY, CODE, TOKEN = APP_ID, APP_SECRET, API_KEY, CODE, TOKEN
    WABA, PHONE, BUSINESS, SECRETS = WABA, PHONE, BUSINESS, SECRETS
    EXCHANGE_URL = f"{GRAPH}/{VERSION}/oauth/access_token"
    DEBUG_URL = f"{GRAPH}/{VERSION}/debug_token"
    REGISTER_URL = f"{TELNYX}/whatsapp/business_accounts/tech_provider"

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock

    @staticmethod
    def phones_url(waba: str = WABA) -> str:
        return f"{GRAPH}/{VERSION}/{waba}/phone_numbers"

    # --- Graph ---
    def exchange_ok(self, token: str = TOKEN, url: str | None = None) -> None:
        self.mock.get(url or self.EXCHANGE_URL, json={"access_token": token, "token_type": "bearer"})

    def debug_ok(self, waba_ids: list[str] | None = None, **data: Any) -> None:
        ids = [WABA] if waba_ids is None else waba_ids
        body = {
            "app_id": APP_ID,
            "type": "USER",
            "is_valid": True,
            "scopes": ["whatsapp_business_management", "whatsapp_business_messaging"],
            "granular_scopes": [
                {"scope": "whatsapp_business_messaging", "target_ids": ["999999999999999"]},
                {"scope": "whatsapp_business_management", "target_ids": ids},
            ],
        }
        body.update(data)
        self.mock.get(self.DEBUG_URL, json={"data": body})

    def phones_ok(self, ids: list[str] | None = None, waba: str = WABA) -> None:
        entries = [
            {"id": i, "display_phone_number": "+1 555-0100", "verified_name": "Acme"}
            for i in ([PHONE] if ids is None else ids)
        ]
        self.mock.get(self.phones_url(waba), json={"data": entries})

    def graph_error(
        self,
        url: str,
        status: int,
        code: int | str,
        subcode: int | None = None,
        *,
        message: str = "An error",
        kind: str = "OAuthException",
        challenge: str | None = None,
        trace: str = "AtraceGRAPH0000000000001",
        headers: dict[str, str] | None = None,
    ) -> None:
        error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": trace}
        if subcode is not None:
            error["error_subcode"] = subcode
        all_headers = {"x-fb-trace-id": "AheaderTRACE00000000000"}
        if challenge:
            all_headers["WWW-Authenticate"] = f'OAuth "Facebook Platform" "{challenge}" "{message}"'
        all_headers.update(headers or {})
        self.mock.get(url, status=status, json={"error": error}, headers=all_headers)

    # --- Telnyx ---
    def register_ok(self, customer_id: str | None = None, status: str = "registered") -> None:
        data = {"waba_id": WABA, "phone_number_id": PHONE, "status": status, "customer_id": customer_id}
        self.mock.post(self.REGISTER_URL, json={"data": data}, headers={"x-request-id": "req-ok-1"})

    def telnyx_error(
        self,
        status: int,
        code: str,
        title: str = "Error",
        detail: str = "Something failed",
        *,
        pointer: str | None = None,
        parameter: str | None = None,
        headers: dict[str, str] | None = None,
        request_id: str = "req-0001",
    ) -> None:
        entry: dict[str, Any] = {
            "code": code,
            "title": title,
            "detail": detail,
            "meta": {"url": f"https://developers.telnyx.com/docs/overview/errors/{code}"},
        }
        if pointer:
            entry["source"] = {"pointer": pointer}
        if parameter:
            entry["source"] = {"parameter": parameter}
        all_headers = {"x-request-id": request_id, "request-id": request_id}
        all_headers.update(headers or {})
        self.mock.post(self.REGISTER_URL, status=status, json={"errors": [entry]}, headers=all_headers)

    # --- what was sent ---
    def calls_to(self, url_prefix: str) -> list[Any]:
        return [c for c in self.mock.calls if c.request.url.startswith(url_prefix)]

    def telnyx_calls(self) -> list[Any]:
        return self.calls_to(TELNYX)

    def register_body(self, index: int = 0) -> dict[str, Any]:
        return json.loads(self.calls_to(self.REGISTER_URL)[index].request.body)


def finish_event(event: str = "FINISH", version: Any = 3, **data: Any) -> dict[str, Any]:
    if not data and event == "FINISH":
        data = {"waba_id": WABA, "phone_number_id": PHONE, "business_id": BUSINESS}
    message: dict[str, Any] = {"type": "WA_EMBEDDED_SIGNUP", "event": event, "data": data}
    if version is not None:
        message["version"] = version
    return message


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def retry(clock: FakeClock) -> RetryPolicy:
    return RetryPolicy(sleep=clock.sleep, monotonic=clock.monotonic)


@pytest.fixture
def config(retry: RetryPolicy) -> ClientConfig:
    return ClientConfig(
        graph_base_url=GRAPH,
        graph_version=VERSION,
        telnyx_base_url=TELNYX,
        app_id=APP_ID,
        app_secret=APP_SECRET,
        telnyx_api_key=API_KEY,
        retry=retry,
    )


@pytest.fixture
def client(config: ClientConfig) -> OnboardingClient:
    with OnboardingClient(config) as client:
        yield client


@pytest.fixture
def vendors() -> Vendors:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield Vendors(mock)


@pytest.fixture
def event_factory():
    return finish_event


@pytest.fixture
def connection_error():
    """A requests ConnectionError whose text carries the full URL, secrets included, as real ones do."""

    def make(url: str = Vendors.EXCHANGE_URL) -> requests.ConnectionError:
        return requests.ConnectionError(
            f"HTTPConnectionPool(host='127.0.0.1', port=8010): Max retries exceeded with url: "
            f"{url}?client_id={APP_ID}&client_secret={APP_SECRET}&code={CODE}"
        )

    return make
