"""`verify --intercept`: unmodified partners that hard-code the real vendor hosts pass the whole catalogue.

Three partners, none of which reads a harness base URL: a shell script with curl and jq, a Python script with
requests, and the Node example (plain fetch) with its base-URL variables removed, so its hard-coded defaults
(https://graph.facebook.com, https://api.telnyx.com/v2) are what it calls.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.scenarios import load_catalogue

PARTNERS = Path(__file__).resolve().parent / "partners"
NODE_MISHANDLED = "telnyx-429-then-success"  # the Node example's deliberate bug (see its header)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{name} is not installed, but CI=true: .ci/run installs it")
        pytest.skip(f"{name} is not installed")
    return found


def _assert_through_the_proxy(run: Any) -> None:
    assert run.document["transport"] == "intercept"
    success = run.by_id["success"]
    assert success["calls"] == ["graph.exchangeCode", "telnyx.registerTechProvider"]
    assert success["registrations"] and success["violations"] == []


def test_a_curl_script_passes_the_catalogue(verify_module: Callable[..., Any]) -> None:
    _tool("curl"), _tool("jq")
    run = verify_module(f"sh {shlex.quote(str(PARTNERS / 'curl_partner.sh'))}", "--intercept")
    failed = {r["id"]: r["reasons"] for r in run.document["scenarios"] if r["verdict"] != "pass"}
    assert failed == {} and run.status == 0
    assert len(run.document["scenarios"]) == len([s for s in load_catalogue() if not s.hosted])  # hosted: not run
    _assert_through_the_proxy(run)


def test_a_python_requests_script_passes_the_catalogue(verify_module: Callable[..., Any]) -> None:
    run = verify_module(
        f"{shlex.quote(sys.executable)} {shlex.quote(str(PARTNERS / 'requests_partner.py'))}", "--intercept"
    )
    failed = {r["id"]: r["reasons"] for r in run.document["scenarios"] if r["verdict"] != "pass"}
    assert failed == {} and run.status == 0
    _assert_through_the_proxy(run)
    # The fakes saw the real hosts' requests in the scenario's tenant: the journal is the tenant's own.
    assert all(r["tenant"].startswith(r["id"]) for r in run.document["scenarios"])


def test_a_node_script_with_hard_coded_hosts_passes_all_but_its_deliberate_bug(
    verify_module: Callable[..., Any], node: str, node_example: Path
) -> None:
    unset = "-u SIGNUP_GRAPH_BASE_URL -u SIGNUP_TELNYX_BASE_URL -u TELNYX_BASE_URL"
    run = verify_module(f"env {unset} {shlex.quote(node)} {shlex.quote(str(node_example))}", "--intercept")
    failed = [r["id"] for r in run.document["scenarios"] if r["verdict"] != "pass"]
    assert failed == [NODE_MISHANDLED]
    _assert_through_the_proxy(run)
    # The report reads the same as without interception: the partner gave up on a 429 it should have waited out.
    assert run.document["causes"][0]["scenarios"] == [NODE_MISHANDLED]


def test_another_host_is_refused_and_named(verify: Callable[..., Any], python_partner: Callable[[str], str]) -> None:
    body = """
    import urllib.request
    try:
        urllib.request.urlopen("https://api.example.com/v1/customers", timeout=5)
    except OSError as exc:
        print("refused:", exc, file=sys.stderr)
    sys.exit(1)
    """
    run = verify(python_partner(body), "--intercept", "--id", "cancel-at-phone-number-setup")
    record = run.by_id["cancel-at-phone-number-setup"]
    assert record["reasons"][0] == (
        "network: the partner tried to reach api.example.com:443, which the interception proxy refused"
    )
    assert "403" in record["partner"]["stderr"]
    assert run.document["causes"][0]["reason"] == record["reasons"][0]


def test_a_client_that_does_not_trust_the_ca_is_told_so(
    verify: Callable[..., Any], python_partner: Callable[[str], str]
) -> None:
    body = """
    import ssl, urllib.request
    import certifi
    context = ssl.create_default_context(cafile=certifi.where())  # ignores SSL_CERT_FILE: public roots only
    try:
        urllib.request.urlopen("https://graph.facebook.com/v19.0/debug_token", timeout=5, context=context)
    except OSError as exc:
        print("failed:", exc, file=sys.stderr)
    sys.exit(1)
    """
    run = verify(python_partner(body), "--intercept", "--id", "cancel-at-phone-number-setup")
    first = run.by_id["cancel-at-phone-number-setup"]["reasons"][0]
    assert first.startswith("network: the TLS handshake for graph.facebook.com failed")
    assert "does not trust the harness CA" in first


def test_the_intercept_environment(
    verify: Callable[..., Any], python_partner: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = tmp_path / "env.json"
    monkeypatch.setenv("DUMP", str(dump))
    monkeypatch.setenv("HTTPS_PROXY", "http://corporate-proxy.example:3128")  # replaced, never mixed in
    monkeypatch.setenv("NODE_OPTIONS", "--max-old-space-size=512")  # kept, with the preload added
    names = [
        "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "NO_PROXY", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "NODE_OPTIONS", "SIGNUP_GRAPH_BASE_URL", "SIGNUP_TELNYX_BASE_URL",
    ]  # fmt: skip
    body = f"""
    with open(ENV["DUMP"], "w") as f:
        json.dump({{n: ENV.get(n) for n in {names!r}}}, f)
    sys.exit(1)
    """
    verify(python_partner(body), "--intercept", "--id", "cancel-at-phone-number-setup")
    seen = json.loads(dump.read_text())
    assert seen["HTTPS_PROXY"] == seen["https_proxy"] == seen["HTTP_PROXY"]
    assert seen["HTTPS_PROXY"].startswith("http://cancel-at-phone-number-setup-1:intercept@127.0.0.1:")
    assert "127.0.0.1" in seen["NO_PROXY"] and "localhost" in seen["NO_PROXY"]
    assert Path(seen["SSL_CERT_FILE"]).name == "ca.pem"
    assert seen["REQUESTS_CA_BUNDLE"] == seen["CURL_CA_BUNDLE"] == seen["NODE_EXTRA_CA_CERTS"] == seen["SSL_CERT_FILE"]
    assert seen["NODE_OPTIONS"].startswith("--max-old-space-size=512 --require ")
    assert seen["NODE_OPTIONS"].endswith("proxy-preload.cjs")
    assert seen["SIGNUP_GRAPH_BASE_URL"] == "https://graph.facebook.com"
    assert seen["SIGNUP_TELNYX_BASE_URL"] == "https://api.telnyx.com/v2"
    assert not Path(seen["SSL_CERT_FILE"]).exists()  # the per-run CA is gone with the run
