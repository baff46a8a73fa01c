"""Retries: only 429, 5xx and connection failures; bounded by attempts and by the time budget; never waiting."""

from __future__ import annotations

import pytest
import requests

from harness.client import (
    ClientConfig,
    OnboardingClient,
    RateLimited,
    RetryPolicy,
    TelnyxAuthenticationFailed,
    VendorTimeout,
    VendorUnavailable,
    WabaNotFound,
)
from harness.client.retry import is_retryable_status, retry_hint


def make_client(config, clock, **policy):
    retry = RetryPolicy(sleep=clock.sleep, monotonic=clock.monotonic, **policy)
    fields = {name: getattr(config, name) for name in config.__dataclass_fields__}
    return OnboardingClient(ClientConfig(**{**fields, "retry": retry}))


def test_429_with_retry_after_is_honoured(client, vendors, clock):
    vendors.telnyx_error(429, "10011", "Too many requests", headers={"Retry-After": "2"})
    vendors.register_ok()
    assert client.register(vendors.WABA, vendors.PHONE)["status"] == "registered"
    assert clock.sleeps == [2.0]
    assert len(vendors.mock.calls) == 2


def test_429_with_telnyx_ratelimit_reset_is_honoured(client, vendors, clock):
    vendors.telnyx_error(429, "10011", "Too many requests", headers={"x-ratelimit-reset": "1.5"})
    vendors.register_ok()
    client.register(vendors.WABA, vendors.PHONE)
    assert clock.sleeps == [1.5]


def test_retry_after_wins_over_ratelimit_reset_and_is_capped_by_max_delay(client, vendors, clock):
    vendors.telnyx_error(429, "10011", headers={"Retry-After": "60", "x-ratelimit-reset": "1"})
    vendors.register_ok()
    client.register(vendors.WABA, vendors.PHONE)
    assert clock.sleeps == [5.0]


def test_ratelimit_reset_is_not_a_hint_on_a_5xx(client, vendors, clock):
    vendors.telnyx_error(503, "10037", headers={"x-ratelimit-reset": "4"})
    vendors.register_ok()
    client.register(vendors.WABA, vendors.PHONE)
    assert clock.sleeps == [0.2]


def test_persistent_429_raises_rate_limited_after_max_attempts(client, vendors, clock):
    vendors.telnyx_error(429, "10011", "Too many requests")
    with pytest.raises(RateLimited) as caught:
        client.register(vendors.WABA, vendors.PHONE)
    assert caught.value.attempts == 3
    assert caught.value.http_status == 429
    assert clock.sleeps == [0.2, 0.4]  # exponential, no jitter
    assert len(vendors.mock.calls) == 3


def test_503_then_success(client, vendors, clock):
    vendors.graph_error(vendors.EXCHANGE_URL, 503, 2, message="Service temporarily unavailable")
    vendors.exchange_ok()
    assert client.exchange_code(vendors.CODE) == vendors.TOKEN
    assert clock.sleeps == [0.2]


def test_connection_error_then_success(client, vendors, clock, connection_error):
    vendors.mock.get(vendors.EXCHANGE_URL, body=connection_error())
    vendors.exchange_ok()
    assert client.exchange_code(vendors.CODE) == vendors.TOKEN
    assert len(vendors.mock.calls) == 2
    assert clock.sleeps == [0.2]


def test_connect_timeout_is_a_connection_failure_and_is_retried(client, vendors, clock):
    vendors.mock.post(vendors.REGISTER_URL, body=requests.ConnectTimeout("connect timed out"))
    vendors.register_ok()
    assert client.register(vendors.WABA, vendors.PHONE)["status"] == "registered"
    assert len(vendors.mock.calls) == 2


def test_persistent_connection_failures_raise_vendor_unavailable(client, vendors, clock, connection_error):
    vendors.mock.get(vendors.EXCHANGE_URL, body=connection_error())
    with pytest.raises(VendorUnavailable) as caught:
        client.exchange_code(vendors.CODE)
    error = caught.value
    assert (error.attempts, error.http_status, error.vendor, error.operation) == (3, None, "graph", "exchangeCode")
    assert "ConnectionError" in str(error)
    assert error.__cause__ is None and error.__context__ is None  # no secret-bearing chain
    assert clock.sleeps == [0.2, 0.4]


@pytest.mark.parametrize(
    "status, code, expected", [(401, "10009", TelnyxAuthenticationFailed), (422, "10017", WabaNotFound)]
)
def test_4xx_is_never_retried(client, vendors, clock, status, code, expected):
    vendors.telnyx_error(status, code, pointer="/waba_id", headers={"Retry-After": "1"})
    vendors.register_ok()
    with pytest.raises(expected) as caught:
        client.register(vendors.WABA, vendors.PHONE)
    assert caught.value.attempts == 1
    assert len(vendors.mock.calls) == 1
    assert clock.sleeps == []


def test_graph_rate_limit_code_on_a_400_is_not_retried(client, vendors, clock):
    vendors.graph_error(vendors.EXCHANGE_URL, 400, 4, message="(#4) Application request limit reached")
    with pytest.raises(RateLimited) as caught:
        client.exchange_code(vendors.CODE)
    assert caught.value.attempts == 1 and clock.sleeps == []


@pytest.mark.parametrize("timeout", [requests.ReadTimeout("read timed out"), requests.Timeout("timed out")])
def test_read_timeout_raises_vendor_timeout_without_retry(client, vendors, clock, timeout):
    vendors.mock.post(vendors.REGISTER_URL, body=timeout)
    vendors.register_ok()
    with pytest.raises(VendorTimeout) as caught:
        client.register(vendors.WABA, vendors.PHONE)
    assert (caught.value.attempts, caught.value.vendor) == (1, "telnyx")
    assert caught.value.__context__ is None
    assert len(vendors.mock.calls) == 1
    assert clock.sleeps == []


def test_other_transport_failures_are_vendor_errors(client, vendors):
    from harness.client import VendorError

    vendors.mock.get(vendors.EXCHANGE_URL, body=requests.exceptions.ChunkedEncodingError("cut"))
    with pytest.raises(VendorError, match="ChunkedEncodingError"):
        client.exchange_code(vendors.CODE)
    assert len(vendors.mock.calls) == 1


def test_budget_stops_a_retry_whose_wait_would_overrun_it(config, vendors, clock):
    client = make_client(config, clock, max_attempts=10, total_budget=1.0)
    vendors.telnyx_error(429, "10011", headers={"Retry-After": "0.8"})
    with pytest.raises(RateLimited) as caught:
        client.register(vendors.WABA, vendors.PHONE)
    assert clock.sleeps == [0.8]  # a second 0.8 s wait would end at 1.6 s > 1.0 s
    assert caught.value.attempts == 2
    assert sum(clock.sleeps) <= 1.0


def test_budget_counts_time_spent_in_requests(config, vendors, clock):
    client = make_client(config, clock, max_attempts=10, total_budget=5.0)

    def slow_503(request):
        clock.now += 4.9
        return 503, {}, '{"errors": [{"code": "10037", "title": "Service unavailable"}]}'

    vendors.mock.add_callback("POST", vendors.REGISTER_URL, callback=slow_503)
    with pytest.raises(VendorUnavailable) as caught:
        client.register(vendors.WABA, vendors.PHONE)
    assert caught.value.attempts == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("max_attempts", [1, 2, 5])
def test_attempts_are_bounded(config, vendors, clock, max_attempts):
    client = make_client(config, clock, max_attempts=max_attempts, total_budget=1000)
    vendors.telnyx_error(500, "10007", "Unexpected error")
    with pytest.raises(VendorUnavailable) as caught:
        client.register(vendors.WABA, vendors.PHONE)
    assert caught.value.attempts == max_attempts
    assert len(vendors.mock.calls) == max_attempts
    assert len(clock.sleeps) == max_attempts - 1


def test_backoff_is_capped_by_max_delay(config, vendors, clock):
    client = make_client(config, clock, max_attempts=6, base_delay=1.0, max_delay=3.0, total_budget=1000)
    vendors.telnyx_error(500, "10007")
    with pytest.raises(VendorUnavailable):
        client.register(vendors.WABA, vendors.PHONE)
    assert clock.sleeps == [1.0, 2.0, 3.0, 3.0, 3.0]


def test_retries_are_logged(client, vendors, caplog):
    vendors.telnyx_error(503, "10037")
    vendors.register_ok()
    with caplog.at_level("WARNING", logger="harness.client"):
        client.register(vendors.WABA, vendors.PHONE)
    assert "retrying in 0.20s" in caplog.text


def test_delay_before_next():
    policy = RetryPolicy(base_delay=0.5, max_delay=3)
    assert [policy.delay_before_next(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]
    assert policy.delay_before_next(1, hint=2.5) == 2.5
    assert policy.delay_before_next(1, hint=10) == 3
    assert policy.delay_before_next(1, hint=0) == 0


@pytest.mark.parametrize(
    "status, headers, hint",
    [
        (429, {"Retry-After": "3"}, 3.0),
        (503, {"Retry-After": "1.5"}, 1.5),
        (429, {"Retry-After": "-4"}, 0.0),
        (429, {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}, None),
        (429, {"Retry-After": "nan"}, None),
        (429, {"x-ratelimit-reset": "7"}, 7.0),
        (500, {"x-ratelimit-reset": "7"}, None),
        (429, {}, None),
    ],
)
def test_retry_hint(status, headers, hint):
    assert retry_hint(status, requests.structures.CaseInsensitiveDict(headers)) == hint


def test_retryable_statuses():
    assert [s for s in (200, 400, 401, 404, 409, 422, 429, 500, 502, 503, 599, 600) if is_retryable_status(s)] == [
        429,
        500,
        502,
        503,
        599,
    ]
