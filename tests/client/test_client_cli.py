"""`signup-harness onboard`: options, secrets from env or files only, JSON out, exit codes."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from harness.client.cli import add_onboard_parser, run_onboard


@pytest.fixture
def parser():
    root = argparse.ArgumentParser(prog="signup-harness")
    add_onboard_parser(root.add_subparsers(dest="command"))
    return root


@pytest.fixture
def env(vendors):
    return {
        "SIGNUP_GRAPH_BASE_URL": vendors.GRAPH,
        "SIGNUP_TELNYX_BASE_URL": vendors.TELNYX,
        "META_APP_ID": vendors.APP_ID,
        "META_APP_SECRET": vendors.APP_SECRET,
        "TELNYX_API_KEY": vendors.API_KEY,
        "SIGNUP_RETRY_MAX_ATTEMPTS": "1",
    }


def run(parser, argv, env):
    out, err = io.StringIO(), io.StringIO()
    args = parser.parse_args(["onboard", *argv])
    status = args.func(args, environ=env, stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_success_prints_the_result(parser, env, vendors, event_factory):
    vendors.exchange_ok()
    vendors.register_ok(customer_id="acme-42")
    status, out, err = run(
        parser, ["--code", vendors.CODE, "--event", json.dumps(event_factory()), "--customer-id", "acme-42"], env
    )
    assert status == 0
    result = json.loads(out)
    assert result["waba_id"] == vendors.WABA and result["status"] == "registered"
    assert result["customer_id"] == "acme-42" and result["resolved_via"] == "event"
    for secret in vendors.SECRETS:
        assert secret not in out + err


def test_error_prints_class_code_status_trace_and_guidance(parser, env, vendors, event_factory):
    vendors.exchange_ok()
    vendors.telnyx_error(401, "10009", "Authentication failed", f"bad key {vendors.API_KEY}", request_id="req-9")
    status, out, err = run(parser, ["--code", vendors.CODE, "--event", json.dumps(event_factory())], env)
    assert status == 1
    record = json.loads(out)
    assert record["error"] == "TelnyxAuthenticationFailed"
    assert (record["vendor_code"], record["http_status"], record["trace_id"]) == ("10009", 401, "req-9")
    assert record["troubleshooting"] == "The Telnyx API returns a 401 Unauthorized error"
    assert "TelnyxAuthenticationFailed" in err and "10009" in err and "req-9" in err
    assert "401 Unauthorized" in err
    for secret in vendors.SECRETS:
        assert secret not in out + err


def test_ids_from_options_build_the_event(parser, env, vendors):
    vendors.exchange_ok()
    vendors.register_ok()
    status, out, _ = run(
        parser, ["--code", vendors.CODE, "--waba-id", vendors.WABA, "--phone-number-id", vendors.PHONE], env
    )
    assert status == 0
    assert json.loads(out)["resolved_via"] == "event"
    assert vendors.register_body()["phone_number_id"] == vendors.PHONE


def test_ids_from_options_complete_a_waba_only_event(parser, env, vendors, event_factory):
    vendors.exchange_ok()
    vendors.register_ok()
    event = json.dumps(event_factory("FINISH_ONLY_WABA", waba_id=vendors.WABA))
    status, _, _ = run(parser, ["--code", vendors.CODE, "--event", event, "--phone-number-id", "777"], env)
    assert status == 0
    assert vendors.register_body()["phone_number_id"] == "777"
    assert vendors.calls_to(vendors.phones_url()) == []


def test_cancel_event_exits_1_without_network(parser, env, vendors):
    event = json.dumps(
        {"type": "WA_EMBEDDED_SIGNUP", "event": "CANCEL", "data": {"current_step": "PHONE_NUMBER_VERIFICATION"}}
    )
    status, out, err = run(parser, ["--event", event], env)
    assert status == 1
    assert json.loads(out)["error"] == "SignupCancelled"
    assert "verification code never arrives" in err
    assert len(vendors.mock.calls) == 0


def test_malformed_event_option_is_reported_by_the_client(parser, env, vendors):
    status, out, _ = run(parser, ["--code", "AQx", "--event", "{nope", "--waba-id", "1"], env)
    assert status == 1
    assert json.loads(out)["error"] == "MalformedVendorResponse"


def test_secrets_from_files_and_url_options(parser, vendors, event_factory, tmp_path):
    vendors.exchange_ok()
    vendors.register_ok()
    (tmp_path / "secret").write_text(vendors.APP_SECRET + "\n")
    (tmp_path / "key").write_text(vendors.API_KEY + "\n")
    argv = [
        "--code",
        vendors.CODE,
        "--event",
        json.dumps(event_factory()),
        "--graph-url",
        vendors.GRAPH,
        "--graph-version",
        vendors.VERSION,
        "--telnyx-url",
        vendors.TELNYX,
        "--app-id",
        vendors.APP_ID,
        "--app-secret-file",
        str(tmp_path / "secret"),
        "--api-key-file",
        str(tmp_path / "key"),
    ]
    status, _, _ = run(parser, argv, {})
    assert status == 0
    assert vendors.telnyx_calls()[0].request.headers["Authorization"] == f"Bearer {vendors.API_KEY}"


def test_remote_urls_need_allow_remote(parser, env):
    status, _, err = run(parser, ["--code", "AQx", "--graph-url", "https://graph.facebook.com"], env)
    assert status == 2
    assert "allow_remote" in err


def test_unreadable_secret_file(parser, env, tmp_path):
    status, _, err = run(parser, ["--code", "AQx", "--app-secret-file", str(tmp_path / "missing")], env)
    assert status == 2
    assert "cannot read --app-secret-file" in err and "missing" not in err


@pytest.mark.parametrize("option", ["--app-secret", "--api-key", "--telnyx-api-key"])
def test_secrets_given_as_options_are_refused_without_echo(parser, env, vendors, option):
    status, out, err = run(parser, ["--code", "AQx", option, "typed-secret-value"], env)
    assert status == 2
    assert "typed-secret-value" not in out + err
    assert len(vendors.mock.calls) == 0


def test_secret_files_from_the_environment_are_read(parser, env, tmp_path):
    status, _, err = run(parser, ["--code", "AQx"], {**env, "META_APP_SECRET_FILE": str(tmp_path / "nope")})
    assert status == 2
    assert "cannot read a secret file" in err and "nope" not in err


def test_verbose_logs_calls_without_secrets(parser, env, vendors, event_factory):
    vendors.exchange_ok()
    vendors.register_ok()
    status, _, err = run(parser, ["-v", "--code", vendors.CODE, "--event", json.dumps(event_factory())], env)
    assert status == 0
    assert f"exchangeCode GET /{vendors.VERSION}/oauth/access_token -> HTTP 200" in err
    for secret in vendors.SECRETS:
        assert secret not in err


def test_run_onboard_is_the_default_func(parser):
    args = parser.parse_args(["onboard", "--code", "AQx"])
    assert args.func is run_onboard
    assert args.allow_remote is None
