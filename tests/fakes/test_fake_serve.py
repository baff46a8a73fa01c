"""`signup-harness serve` as a subprocess: start on free ports, answer, stop on SIGTERM, refuse remote binds,
and keep secrets out of the access log."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

APP_ID = "100000000000001"  # the demo world's (fakes/data/demo_world.yaml)
APP_SECRET = "local-app-secret-not-real"
API_KEY = "KEYLOCALTEST0001_notarealtelnyxkey"
DEMO_CODE = "AQDEMO-seeded-code-0001"
STARTUP_TIMEOUT_SECONDS = 20

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM semantics")


def command() -> list[str]:
    script = Path(sys.executable).with_name("signup-harness")
    if script.exists():
        return [str(script)]
    found = shutil.which("signup-harness")
    return [found] if found else [sys.executable, "-m", "harness.cli"]


@contextmanager
def serve(tmp_path: Path, *extra: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    urls_file = tmp_path / "urls.json"
    proc = subprocess.Popen(
        [*command(), "serve", "--graph-port", "0", "--telnyx-port", "0", "--urls-json", str(urls_file), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    watchdog = threading.Timer(STARTUP_TIMEOUT_SECONDS * 3, proc.kill)
    watchdog.start()
    try:
        lines = []
        for line in proc.stdout:  # blocks until the server prints; the watchdog bounds it
            lines.append(line)
            if line.startswith("ready in"):
                break
        if not urls_file.exists():
            proc.kill()
            pytest.fail("serve did not start:\n" + "".join(lines) + proc.stderr.read())
        urls = json.loads(urls_file.read_text())
        proc.banner = "".join(lines)  # type: ignore[attr-defined]  # what serve printed up to "ready in"
        yield proc, urls
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        watchdog.cancel()


def wait_ready(urls: dict[str, str]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    for root in (urls["graph"], urls["telnyx"].removesuffix("/v2")):
        while True:
            try:
                if requests.get(f"{root}/__admin/ready", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, f"{root} never became ready"


def stop(proc: subprocess.Popen[str]) -> tuple[int, str, str, float]:
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    return proc.returncode, out, err, time.monotonic() - started


def test_serve_answers_and_stops_on_sigterm(tmp_path):
    with serve(tmp_path) as (proc, urls):
        assert urls["graph"].startswith("http://127.0.0.1:")
        assert urls["telnyx"].startswith("http://127.0.0.1:") and urls["telnyx"].endswith("/v2")
        wait_ready(urls)
        exchanged = requests.get(
            f"{urls['graph']}/v19.0/oauth/access_token",
            params={"client_id": APP_ID, "client_secret": APP_SECRET, "code": DEMO_CODE},
            timeout=5,
        )
        assert exchanged.status_code == 200 and exchanged.json()["access_token"].startswith("EAA")
        listed = requests.get(
            f"{urls['telnyx']}/whatsapp/business_accounts", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5
        )
        assert listed.status_code == 200
        returncode, out, _, elapsed = stop(proc)
    assert returncode == 0
    assert elapsed < 3, f"SIGTERM took {elapsed:.1f} s"
    assert "stopped" in out


def test_remote_bind_needs_allow_remote(tmp_path):
    result = subprocess.run(
        [*command(), "serve", "--host", "0.0.0.0", "--graph-port", "0", "--telnyx-port", "0"],
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT_SECONDS,
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "refusing to bind 0.0.0.0" in result.stderr
    assert "--allow-remote" in result.stderr
    assert "Traceback" not in result.stderr


def test_access_log_never_prints_a_secret(tmp_path):
    with serve(tmp_path, "--access-log") as (proc, urls):
        wait_ready(urls)
        graph, telnyx = urls["graph"], urls["telnyx"]
        token = requests.get(
            f"{graph}/v19.0/oauth/access_token",
            params={"client_id": APP_ID, "client_secret": APP_SECRET, "code": DEMO_CODE},
            timeout=5,
        ).json()["access_token"]
        requests.get(
            f"{graph}/oauth/access_token",
            params={"client_id": APP_ID, "client_secret": APP_SECRET, "code": DEMO_CODE},
            timeout=5,
        )
        requests.get(
            f"{graph}/v19.0/debug_token",
            params={"input_token": token, "access_token": f"{APP_ID}|{APP_SECRET}"},
            timeout=5,
        )
        requests.get(f"{graph}/v19.0/300000000000001", params={"access_token": token}, timeout=5)
        requests.get(f"{graph}/v19.0/300000000000001", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        requests.get(f"{telnyx}/whatsapp/business_accounts", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5)
        requests.get(f"{telnyx}/whatsapp/nope", params={"api_key": API_KEY}, timeout=5)
        returncode, out, err, _ = stop(proc)
    log = out + err
    assert returncode == 0
    assert "/v19.0/oauth/access_token" in log and "/whatsapp/business_accounts" in log, log
    assert "[REDACTED]" in log
    for name, secret in {"client_secret": APP_SECRET, "code": DEMO_CODE, "token": token, "API key": API_KEY}.items():
        assert secret not in log, f"the {name} leaked into the access log"


def test_serve_prints_the_live_view_whose_operations_know_the_catalogue(tmp_path):
    with serve(tmp_path, "--scenario", "telnyx-revoked-key") as (proc, urls):
        wait_ready(urls)
        requests.post(
            f"{urls['telnyx']}/whatsapp/business_accounts/tech_provider",
            json={"waba_id": "300000000000001", "phone_number_id": "400000000000001", "app_id": APP_ID},
            headers={"Authorization": f"Bearer {API_KEY}"},
            timeout=5,
        )
        page = requests.get(f"{urls['graph']}/__admin/ui", timeout=5)
        assert page.status_code == 200 and "ui.js" in page.text
        catalogue = requests.get(f"{urls['graph']}/__admin/scenarios", timeout=5).json()["scenarios"]
        assert "telnyx-revoked-key" in [s["id"] for s in catalogue]
        [entry] = requests.get(f"{urls['graph']}/_t/default/__admin/timeline", timeout=5).json()["entries"]
        assert entry["explanation"]["vendor_code"] == "10009"  # the revoked key, read by the client's table
        assert f"live view:        {urls['graph']}/__admin/ui#token={urls['admin_token']}\n" in proc.banner
