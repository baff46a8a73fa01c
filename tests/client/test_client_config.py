"""ClientConfig and RetryPolicy: loopback-only by default, secrets masked, environment variables."""

from __future__ import annotations

import dataclasses

import pytest

from harness.client import ClientConfig, RetryPolicy
from harness.client.config import DEFAULT_GRAPH_VERSION, REAL_GRAPH_BASE_URL, REAL_TELNYX_BASE_URL, is_loopback_host

SECRET = "614fc2afde15eee07a26b2fe3eaee9b9"
KEY = "KEY01HZX8Q3TESTSECRET_abc"


def make(**changes):
    values = dict(
        graph_base_url="http://127.0.0.1:8010",
        telnyx_base_url="http://127.0.0.1:8020/v2",
        app_id="1234",
        app_secret=SECRET,
        telnyx_api_key=KEY,
    )
    values.update(changes)
    return ClientConfig(**values)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8010",
        "http://127.4.5.6",
        "http://localhost:8010",
        "http://LOCALHOST",
        "http://graph.localhost:8010",
        "http://[::1]:8010",
        "https://127.0.0.1",
        "http://[::ffff:127.0.0.1]:8010",
    ],
)
def test_loopback_urls_are_accepted(url):
    assert make(graph_base_url=url, telnyx_base_url=url + "/v2").graph_base_url == url


@pytest.mark.parametrize(
    "url",
    [
        "https://graph.facebook.com",
        "https://api.telnyx.com/v2",
        "http://10.0.0.1:8010",
        "http://0.0.0.0:8010",
        "http://192.168.1.10",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
    ],
)
def test_remote_urls_are_refused_without_allow_remote(url):
    with pytest.raises(ValueError, match="allow_remote"):
        make(graph_base_url=url)
    with pytest.raises(ValueError, match="allow_remote"):
        make(telnyx_base_url=url)


def test_allow_remote_accepts_remote_hosts_and_defaults_to_the_real_vendors():
    config = ClientConfig(app_id="1", app_secret=SECRET, telnyx_api_key=KEY, allow_remote=True)
    assert config.graph_base_url == REAL_GRAPH_BASE_URL
    assert config.telnyx_base_url == REAL_TELNYX_BASE_URL
    assert make(graph_base_url="https://graph.example.net", allow_remote=True).graph_base_url


def test_urls_are_required_without_allow_remote():
    with pytest.raises(ValueError, match="graph_base_url is required"):
        ClientConfig(telnyx_base_url="http://127.0.0.1:8020/v2")
    with pytest.raises(ValueError, match="telnyx_base_url is required"):
        ClientConfig(graph_base_url="http://127.0.0.1:8010")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1",
        "127.0.0.1:8010",
        "http://user:pw@127.0.0.1",
        "http://127.0.0.1/?a=b",
        "http://127.0.0.1:99999",
        "http://127.0.0.1/#x",
    ],
)
def test_malformed_urls_are_refused(url):
    with pytest.raises(ValueError):
        make(graph_base_url=url)


def test_path_prefix_and_trailing_slash():
    config = make(graph_base_url="http://127.0.0.1:8010/_t/tenant-1/", telnyx_base_url="http://localhost:1/v2/")
    assert config.graph_base_url == "http://127.0.0.1:8010/_t/tenant-1"
    assert config.graph_root == f"http://127.0.0.1:8010/_t/tenant-1/{DEFAULT_GRAPH_VERSION}"
    assert config.telnyx_base_url == "http://localhost:1/v2"
    with pytest.raises(ValueError, match="pins its Graph version"):
        make(graph_version="")


@pytest.mark.parametrize(
    "changes",
    [
        {"graph_version": "19.0"},
        {"graph_version": "v19"},
        {"timeout": 0},
        {"timeout": -1},
        {"retry": 3},
        {"extra_headers": {"X-A": 1}},
        {"app_id": 1234},
    ],
)
def test_invalid_values_are_refused(changes):
    with pytest.raises(ValueError):
        make(**changes)


def test_defaults():
    config = make()
    assert config.graph_version == DEFAULT_GRAPH_VERSION
    assert config.redirect_uri is None
    assert config.timeout == 10
    assert config.allow_remote is False
    assert dict(config.extra_headers) == {}
    assert config.retry == RetryPolicy()
    assert config.app_token == f"1234|{SECRET}"


def test_config_is_frozen_and_extra_headers_are_copied():
    headers = {"X-Harness-Tenant": "t1"}
    config = make(extra_headers=headers)
    headers["X-Harness-Tenant"] = "changed"
    assert config.extra_headers["X-Harness-Tenant"] == "t1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.app_id = "2"  # type: ignore[misc]


def test_repr_masks_secrets():
    config = make(extra_headers={"X-Harness-Tenant": "t1"})
    for text in (repr(config), str(config), f"{config}"):
        assert SECRET not in text
        assert KEY not in text
        assert "app_secret='***'" in text
        assert "telnyx_api_key='***'" in text
        assert "1234" in text
    assert "app_secret=''" in repr(make(app_secret=""))


def test_secrets_lists_what_must_never_be_shown():
    assert set(make().secrets()) == {SECRET, KEY, f"1234|{SECRET}"}
    assert make(app_secret="", telnyx_api_key="").secrets() == ()


def test_from_env_reads_documented_variables():
    env = {
        "SIGNUP_GRAPH_BASE_URL": "http://127.0.0.1:9010/_t/acme",
        "SIGNUP_GRAPH_VERSION": "v21.0",
        "SIGNUP_TELNYX_BASE_URL": "http://127.0.0.1:9020/v2",
        "META_APP_ID": "42",
        "META_APP_SECRET": SECRET,
        "TELNYX_API_KEY": KEY,
        "SIGNUP_TIMEOUT": "2.5",
        "SIGNUP_RETRY_MAX_ATTEMPTS": "5",
        "SIGNUP_RETRY_TOTAL_BUDGET": "3",
    }
    config = ClientConfig.from_env(env)
    assert config.graph_root == "http://127.0.0.1:9010/_t/acme/v21.0"
    assert config.telnyx_base_url == "http://127.0.0.1:9020/v2"
    assert (config.app_id, config.app_secret, config.telnyx_api_key) == ("42", SECRET, KEY)
    assert config.timeout == 2.5
    assert config.retry.max_attempts == 5 and config.retry.total_budget == 3.0


def test_from_env_overrides_win_and_none_overrides_are_ignored():
    env = {
        "SIGNUP_GRAPH_BASE_URL": "http://127.0.0.1:1",
        "SIGNUP_TELNYX_BASE_URL": "http://127.0.0.1:2/v2",
        "META_APP_ID": "42",
    }
    config = ClientConfig.from_env(env, app_id="43", graph_version=None)
    assert config.app_id == "43"
    assert config.graph_version == DEFAULT_GRAPH_VERSION


def test_from_env_allow_remote_and_secret_files(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    key_file = tmp_path / "key"
    key_file.write_text(f"  {KEY}  \n")
    env = {
        "SIGNUP_ALLOW_REMOTE": "true",
        "META_APP_SECRET_FILE": str(secret_file),
        "TELNYX_API_KEY_FILE": str(key_file),
    }
    config = ClientConfig.from_env(env)
    assert config.allow_remote is True
    assert config.graph_base_url == REAL_GRAPH_BASE_URL
    assert (config.app_secret, config.telnyx_api_key) == (SECRET, KEY)


def test_from_env_reports_bad_numbers():
    env = {
        "SIGNUP_GRAPH_BASE_URL": "http://127.0.0.1:1",
        "SIGNUP_TELNYX_BASE_URL": "http://127.0.0.1:2/v2",
        "SIGNUP_TIMEOUT": "soon",
    }
    with pytest.raises(ValueError, match="SIGNUP_TIMEOUT"):
        ClientConfig.from_env(env)


def test_from_env_without_urls_refuses_to_guess():
    with pytest.raises(ValueError, match="required"):
        ClientConfig.from_env({})


def test_is_loopback_host():
    assert is_loopback_host("127.0.0.1") and is_loopback_host("::1") and is_loopback_host("a.b.localhost")
    assert not is_loopback_host("example.com") and not is_loopback_host("128.0.0.1")


@pytest.mark.parametrize(
    "changes",
    [
        {"max_attempts": 0},
        {"max_attempts": 1.5},
        {"base_delay": -1},
        {"max_delay": float("inf")},
        {"total_budget": float("nan")},
    ],
)
def test_retry_policy_validation(changes):
    with pytest.raises(ValueError):
        RetryPolicy(**changes)


def test_retry_policy_defaults_and_never():
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.base_delay, policy.max_delay, policy.total_budget) == (3, 0.2, 5, 15)
    assert RetryPolicy.never().max_attempts == 1
