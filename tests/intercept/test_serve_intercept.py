"""`signup-harness serve --intercept`: the proxy next to the fakes, the CA kept in its folder, the variables
printed for a backend's shell."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM semantics")
DEMO = "client_id=100000000000001&client_secret=local-app-secret-not-real&code=AQDEMO-seeded-code-0001"


def _serve(tmp_path: Path, ca_dir: Path) -> tuple[subprocess.Popen[str], list[str], dict[str, str]]:
    urls_file = tmp_path / "urls.json"
    urls_file.unlink(missing_ok=True)
    ports = ["--graph-port", "0", "--telnyx-port", "0", "--proxy-port", "0"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "serve", *ports, "--intercept", "--ca-dir", str(ca_dir)]
        + ["--urls-json", str(urls_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:  # until readiness is announced; the watchdog bounds it
        lines.append(line.rstrip("\n"))
        if line.startswith("ready in"):
            break
    watchdog.cancel()
    if not urls_file.exists():
        proc.kill()
        pytest.fail("serve --intercept did not start:\n" + "\n".join(lines))
    return proc, lines, json.loads(urls_file.read_text())


def _stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=10)
    return proc.returncode


def test_serve_intercept_prints_what_a_shell_needs_and_keeps_its_ca(tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    ca_dir = tmp_path / "ca"
    proc, lines, urls = _serve(tmp_path, ca_dir)
    try:
        assert urls["proxy"].startswith("http://127.0.0.1:") and urls["ca"] == str(ca_dir / "ca.pem")
        exports = dict(line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export "))
        assert exports["HTTPS_PROXY"] == urls["proxy"] and exports["CURL_CA_BUNDLE"] == str(ca_dir / "ca.pem")
        env = {
            "PATH": "/usr/bin:/bin",
            "HTTPS_PROXY": exports["HTTPS_PROXY"],
            "CURL_CA_BUNDLE": exports["CURL_CA_BUNDLE"],
        }
        answer = subprocess.run(
            ["curl", "-sS", f"https://graph.facebook.com/v19.0/oauth/access_token?{DEMO}"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert answer.returncode == 0, answer.stderr
        assert json.loads(answer.stdout)["access_token"].startswith("EAA")
    finally:
        assert _stop(proc) == 0
    first_ca = (ca_dir / "ca.pem").read_bytes()
    proc, _, _ = _serve(tmp_path, ca_dir)
    assert _stop(proc) == 0
    assert (ca_dir / "ca.pem").read_bytes() == first_ca  # trusted once, kept across runs
