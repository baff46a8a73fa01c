"""`verify` with tiny inline Python partners: contract violations, unknown routes, secrets, timeouts, verdicts."""

from __future__ import annotations

import json
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# Omits app_id from the registration (a contract violation) and prints every secret it holds, everywhere.
LEAKY = """
leaked = [ENV["META_APP_SECRET"], ENV["TELNYX_API_KEY"], ENV["SIGNUP_CODE"]]
status, body = exchange()
token = body["access_token"]
leaked.append(token)
print("secrets:", *leaked, "app token", ENV["META_APP_ID"] + "|" + ENV["META_APP_SECRET"])
print("token in a URL: https://x.example/?access_token=" + token, file=sys.stderr)
with open(ENV["LEAK_FILE"], "w") as f:
    json.dump(leaked, f)
data = EVENT["data"]
status, body = register({"waba_id": data["waba_id"], "phone_number_id": data["phone_number_id"]})
with open(ENV["SIGNUP_RESULT_FILE"], "w") as f:
    json.dump({"outcome": "error", "error": f"telnyx {status} with key {ENV['TELNYX_API_KEY']}"}, f)
sys.exit(0 if status == 200 else 1)
"""

# A Telnyx SDK bug: TELNYX_BASE_URL already ends in /v2, and the client adds /v2 again.
DOUBLE_V2 = """
status, body = exchange()
data = EVENT["data"]
body = {"waba_id": data["waba_id"], "phone_number_id": data["phone_number_id"], "app_id": ENV["META_APP_ID"]}
status, _ = register(body, base=ENV["TELNYX_BASE_URL"] + "/v2")
sys.exit(0 if status == 200 else 1)
"""


def test_a_contract_violation_is_named_with_operation_pointer_and_rule(
    verify: Callable[..., Any],
    python_partner: Callable[[str], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    credential_secrets: tuple[str, ...],
    self_contained: Callable[[str], None],
) -> None:
    leak_file = tmp_path / "leaked.json"
    monkeypatch.setenv("LEAK_FILE", str(leak_file))  # inherited by the partner: not one of verify's variables
    run = verify(python_partner(LEAKY), "--id", "success")

    assert run.status == 1
    record = run.by_id["success"]
    label = "telnyx.registerTechProvider body /app_id: required"
    assert [v["label"] for v in record["violations"]] == [label]
    violation = record["violations"][0]
    assert (violation["operation"], violation["location"], violation["pointer"], violation["rule"]) == (
        "telnyx.registerTechProvider",
        "body",
        "/app_id",
        "required",
    )
    assert any(reason.startswith(f"contract: {label}") for reason in record["reasons"])
    assert record["exchanges"][-1]["violations"] == [label]
    assert label in run.html
    self_contained(run.html)

    # Secrets: the handed-over credentials, the code and the token the partner got never reach a report.
    leaked = json.loads(leak_file.read_text())
    assert len(leaked) == 4 and all(leaked)
    for name, text in run.report_texts().items():
        for secret in (*credential_secrets, *leaked):
            assert secret not in text, f"a secret leaked into {name}"
    assert "[REDACTED]" in record["partner"]["stdout"] and "[REDACTED]" in record["partner"]["stderr"]
    assert "[REDACTED]" in record["partner"]["result"]["error"]


def test_a_request_to_an_unknown_route_is_a_violation(
    verify: Callable[..., Any], python_partner: Callable[[str], str]
) -> None:
    run = verify(python_partner(DOUBLE_V2), "--id", "success")
    record = run.by_id["success"]
    assert record["verdict"] == "fail"
    assert record["calls"] == ["graph.exchangeCode"]  # the /v2/v2 request matched no operation
    unknown = [v for v in record["violations"] if v["rule"] == "unknown-route"]
    assert unknown and unknown[0]["pointer"] == "/v2/v2/whatsapp/business_accounts/tech_provider"
    assert any(
        "telnyx POST /v2/v2/whatsapp/business_accounts/tech_provider: unknown route" in r for r in record["reasons"]
    )
    assert record["exchanges"][-1]["operation"] is None and record["exchanges"][-1]["status"] == 404


def test_a_partner_that_hangs_is_stopped_and_fails(
    verify: Callable[..., Any], python_partner: Callable[[str], str]
) -> None:
    started = time.perf_counter()
    run = verify(
        python_partner("import time; time.sleep(30)\n"), "--id", "cancel-at-phone-number-setup", "--timeout", "0.5"
    )
    assert time.perf_counter() - started < 10
    record = run.by_id["cancel-at-phone-number-setup"]
    assert record["verdict"] == "fail"
    assert record["reasons"][0] == "command: timed out after 0.5 s and was stopped"
    assert record["partner"]["timed_out"] is True


def test_a_command_that_cannot_start_fails_even_where_a_failure_is_expected(verify: Callable[..., Any]) -> None:
    # The program exists (so the preflight lets it through) but what it runs does not: the shell exits 127.
    run = verify("sh -c definitely-not-a-partner-command-7", "--id", "garbage-code")
    record = run.by_id["garbage-code"]
    assert record["verdict"] == "fail"
    assert record["reasons"][0].startswith("command: could not start (the shell exited 127")
    assert run.status == 1


def test_verdict_comes_from_exit_status_or_result_file(
    verify: Callable[..., Any], python_partner: Callable[[str], str]
) -> None:
    # Claims success on a cancelled signup: wrong. Exits 0 but writes "error": the file decides, and the
    # disagreement is reported.
    optimist = python_partner("sys.exit(0)\n")
    run = verify(optimist, "--id", "cancel-at-phone-number-setup")
    assert run.by_id["cancel-at-phone-number-setup"]["reasons"] == [
        "outcome: expected a failure (the reference client raises SignupCancelled); the partner reported success"
    ]
    contradictory = python_partner(
        'open(ENV["SIGNUP_RESULT_FILE"], "w").write(json.dumps({"outcome": "error", "error": "cancelled"}))\n'
    )
    run = verify(contradictory, "--id", "cancel-at-phone-number-setup")
    record = run.by_id["cancel-at-phone-number-setup"]
    assert record["partner"]["outcome"] == "error"
    assert record["reasons"] == ["verdict: the result file says 'error' but the command exited 0"]
    broken = python_partner('open(ENV["SIGNUP_RESULT_FILE"], "w").write("{not json"); sys.exit(1)\n')
    run = verify(broken, "--id", "cancel-at-phone-number-setup")
    assert run.by_id["cancel-at-phone-number-setup"]["reasons"] == ["result file: not valid JSON"]


def test_the_handed_over_environment(
    verify: Callable[..., Any], python_partner: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = tmp_path / "env"
    dump.mkdir()
    monkeypatch.setenv("DUMP_DIR", str(dump))
    monkeypatch.setenv("SIGNUP_REDIRECT_URI", "https://inherited.example/cb")  # must not reach the partner
    monkeypatch.setenv("TELNYX_API_KEY", "KEY_FROM_THE_DEVELOPERS_SHELL")
    names = [
        "SIGNUP_GRAPH_BASE_URL",
        "SIGNUP_GRAPH_VERSION",
        "SIGNUP_TELNYX_BASE_URL",
        "TELNYX_BASE_URL",
        "META_APP_ID",
        "SIGNUP_CODE",
        "SIGNUP_EVENT",
        "SIGNUP_CUSTOMER_ID",
        "SIGNUP_SCENARIO_ID",
        "SIGNUP_RESULT_FILE",
        "SIGNUP_TIMEOUT",
        "SIGNUP_REDIRECT_URI",
    ]
    body = f"""
    names = {names!r}
    values = {{n: ENV.get(n) for n in names}}
    values["has_secret"] = bool(ENV.get("META_APP_SECRET"))
    values["telnyx_key_is_the_scenarios"] = ENV.get("TELNYX_API_KEY") != "KEY_FROM_THE_DEVELOPERS_SHELL"
    with open(os.path.join(ENV["DUMP_DIR"], ENV["SIGNUP_SCENARIO_ID"] + ".json"), "w") as f:
        json.dump(values, f)
    sys.exit(1)
    """
    ids = ["success-with-customer-id", "fb-login-dialog-not-opened", "redirect-uri-mismatch", "telnyx-timeout"]
    verify(python_partner(body), *[a for i in ids for a in ("--id", i)])
    seen = {i: json.loads((dump / f"{i}.json").read_text()) for i in ids}

    happy = seen["success-with-customer-id"]
    assert happy["SIGNUP_GRAPH_BASE_URL"].startswith("http://127.0.0.1:") and "/_t/" in happy["SIGNUP_GRAPH_BASE_URL"]
    assert happy["SIGNUP_TELNYX_BASE_URL"].endswith("/v2") and "/_t/" in happy["SIGNUP_TELNYX_BASE_URL"]
    assert happy["TELNYX_BASE_URL"] == happy["SIGNUP_TELNYX_BASE_URL"]
    assert happy["SIGNUP_GRAPH_VERSION"] == "v19.0" and happy["META_APP_ID"] == "100000000000001"
    assert happy["SIGNUP_CODE"] and happy["SIGNUP_CUSTOMER_ID"] == "acme-corp-42"
    event = json.loads(happy["SIGNUP_EVENT"])
    assert event["type"] == "WA_EMBEDDED_SIGNUP" and event["event"] == "FINISH" and event["data"]["waba_id"]
    assert happy["SIGNUP_REDIRECT_URI"] == ""
    assert happy["has_secret"] and happy["telnyx_key_is_the_scenarios"]

    not_opened = seen["fb-login-dialog-not-opened"]
    assert not_opened["SIGNUP_CODE"] == "" and not_opened["SIGNUP_EVENT"] == ""
    assert seen["redirect-uri-mismatch"]["SIGNUP_REDIRECT_URI"] == "https://portal.example.com/whatsapp/callback"
    assert seen["telnyx-timeout"]["SIGNUP_TIMEOUT"] == "0.5"


def test_the_reference_client_passes_as_a_partner(verify: Callable[..., Any]) -> None:
    """The environment contract is the reference client's own: `signup-harness onboard` needs nothing else."""
    cmd = f"{shlex.quote(sys.executable)} -m harness.cli onboard"  # code, event, customer id: all from the env
    ids = [
        "success-with-customer-id",
        "no-session-info-resolved-through-debug-token",
        "redirect-uri-mismatch",
        "telnyx-timeout",
        "telnyx-without-key",
    ]
    run = verify(cmd, *[a for i in ids for a in ("--id", i)])
    assert {r["id"]: r["reasons"] for r in run.document["scenarios"]} == {i: [] for i in ids}
    assert run.status == 0


def test_bad_arguments_exit_2(verify: Callable[..., Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from harness.cli import main

    assert main(["verify", "--cmd", "true", "--id", "no-such-scenario"]) == 2
    assert main(["verify", "--cmd", "true", "--cwd", str(tmp_path / "missing")]) == 2
    assert main(["verify", "--cmd", "true", "--tag", "no-such-tag"]) == 2
    assert "no scenario matches" in capsys.readouterr().err
