"""Every user mistake gets one line that says what to do, and the documented exit code (docs/cli.md)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.cli import main
from harness.cli_support import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

CLI = [sys.executable, "-m", "harness.cli"]
ROOT = Path(__file__).resolve().parents[2]


def one_line_error(capsys: pytest.CaptureFixture[str], command: str) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"signup-harness {command}: "), err
    return err


@pytest.mark.parametrize("option", ["--json", "--junit"])
def test_an_unwritable_report_path_is_a_usage_error_before_anything_runs(tmp_path, capsys, option):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    status = main(["run", "--in-process", "--id", "success", option, str(blocker / "report.out")])
    assert status == EXIT_USAGE
    assert "is a file, not a folder" in one_line_error(capsys, "run")


def test_a_report_path_that_is_a_folder_is_refused(tmp_path, capsys):
    assert main(["run", "--in-process", "--id", "success", "--json", str(tmp_path)]) == EXIT_USAGE
    assert "is a directory" in one_line_error(capsys, "run")


def test_verify_checks_its_report_paths_too(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    status = main(["verify", "--cmd", "true", "--id", "success", "--html", str(blocker / "r.html")])
    assert status == EXIT_USAGE
    one_line_error(capsys, "verify")


@pytest.mark.parametrize("value", ["-1", "70000", "65536", "http"])
@pytest.mark.parametrize("option", ["--graph-port", "--telnyx-port"])
def test_ports_are_checked_to_be_0_to_65535(capsys, option, value):
    with pytest.raises(SystemExit) as exited:
        main(["serve", option, value])
    assert exited.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "is not a port number (0-65535; 0 picks a free port)" in err and "Traceback" not in err


def test_demo_ports_are_checked_too(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["demo", "--port", "99999"])
    assert exited.value.code == EXIT_USAGE


def test_a_port_in_use_names_the_fake_and_the_option(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status = main(["serve", "--graph-port", "0", "--telnyx-port", str(port)])
    assert status == EXIT_USAGE
    err = one_line_error(capsys, "serve")
    assert f"port {port} for the Telnyx fake (--telnyx-port) is in use" in err


@pytest.mark.parametrize("command", [["run"], ["list"], ["show", "success"], ["verify", "--cmd", "true"]])
def test_a_missing_scenarios_folder_is_named(tmp_path, capsys, command):
    missing = tmp_path / "no-such-folder"
    assert main([*command, "--scenarios", str(missing)]) == EXIT_USAGE
    assert f"--scenarios {missing}: no such folder" in one_line_error(capsys, command[0])


def test_a_missing_world_file_is_one_line(tmp_path, capsys):
    status = main(["serve", "--graph-port", "0", "--telnyx-port", "0", "--world", str(tmp_path / "nope.yaml")])
    assert status == EXIT_USAGE
    assert "--world" in one_line_error(capsys, "serve")


def test_a_bad_world_file_is_one_line(tmp_path, capsys):
    world = tmp_path / "world.yaml"
    world.write_text("apps: [{id: [1, 2]}]\n")
    status = main(["serve", "--graph-port", "0", "--telnyx-port", "0", "--world", str(world)])
    assert status == EXIT_USAGE
    assert "/apps/0/id" in one_line_error(capsys, "serve")


def test_a_short_admin_token_is_refused(capsys):
    assert main(["serve", "--graph-port", "0", "--telnyx-port", "0", "--admin-token", "short"]) == EXIT_USAGE
    assert "at least 16 characters" in one_line_error(capsys, "serve")


def test_a_closed_pipe_is_not_a_traceback():
    child = subprocess.Popen([*CLI, "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader is gone before the first line is written (`| head` that already exited)
    err = child.stderr.read().decode()
    assert child.wait(timeout=60) == EXIT_OK
    assert "Traceback" not in err and "BrokenPipe" not in err


def _wait_for(path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text().strip().endswith("}"):
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_urls_json_into_a_missing_folder_is_created_with_the_admin_token(tmp_path):
    urls = tmp_path / "new" / "folder" / "urls.json"
    env = {**os.environ, "SIGNUP_HARNESS_ADMIN_TOKEN": "token-from-the-environment-0001"}
    serve = [*CLI, "serve", "--graph-port", "0", "--telnyx-port", "0", "--urls-json", str(urls)]
    child = subprocess.Popen(serve, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env, text=True)
    try:
        _wait_for(urls)
        written = json.loads(urls.read_text())
        assert set(written) == {"graph", "telnyx", "admin_token", "telnyx_public_key"}
        assert written["admin_token"] == "token-from-the-environment-0001"
        assert len(base64.b64decode(written["telnyx_public_key"])) == 32  # what Telnyx's portal shows
    finally:
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
    assert child.returncode == EXIT_OK, err
    assert "admin token:      token-from-the-environment-0001" in out


SLOW = """\
id: slow-telnyx
title: Telnyx takes a long time
description: A delay long enough to be interrupted.
faults:
  - operation: telnyx.registerTechProvider
    delay: 20
client:
  timeout: 30
expect:
  outcome: success
  calls: [graph.exchangeCode, telnyx.registerTechProvider]
"""


def test_ctrl_c_during_run_writes_reports_marked_incomplete(tmp_path):
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    shutil.copy(ROOT / "scenarios" / "success.yaml", catalogue / "success.yaml")
    (catalogue / "slow-telnyx.yaml").write_text(SLOW)
    report, junit = tmp_path / "out" / "report.json", tmp_path / "out" / "report.xml"
    command = [*CLI, "run", "--in-process", "--scenarios", str(catalogue), "--id", "success", "--id", "slow-telnyx"]
    command += ["--json", str(report), "--junit", str(junit)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True)
    assert child.stdout is not None
    for line in child.stdout:
        if "PASS success" in line:
            break
    time.sleep(0.3)  # into the slow scenario's 20 s delay (a deliberate wait for a signal, not for a server)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == EXIT_INTERRUPTED, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "interrupted after 1 of 2 scenarios" in err
    document = json.loads(report.read_text())
    assert document["incomplete"] is True and document["selected"] == 2
    assert [s["id"] for s in document["scenarios"]] == ["success"]
    assert 'name="incomplete"' in junit.read_text()


def test_allow_remote_prints_what_it_exposes_and_requires_the_token(tmp_path):
    urls = tmp_path / "urls.json"
    serve = [*CLI, "serve", "--host", "0.0.0.0", "--allow-remote", "--graph-port", "0", "--telnyx-port", "0"]
    serve += ["--urls-json", str(urls)]
    child = subprocess.Popen(serve, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True)
    try:
        _wait_for(urls)
        written = json.loads(urls.read_text())
        graph = written["graph"].replace("0.0.0.0", "127.0.0.1")
        import requests

        assert requests.post(f"{graph}/_t/acme/__admin/reset", timeout=5).status_code == 401
        token = {"X-Harness-Admin-Token": written["admin_token"]}
        assert requests.post(f"{graph}/_t/acme/__admin/reset", headers=token, timeout=5).json() == {"reset": "acme"}
        assert requests.get(f"{graph}/__admin/ready", timeout=5).status_code == 200
    finally:
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
    assert child.returncode == EXIT_OK, err
    assert "WARNING: --allow-remote: bound to 0.0.0.0" in out
    assert "with the admin token: reset, seed, arm faults" in out


def test_ctrl_c_during_verify_writes_reports_marked_incomplete(tmp_path):
    partner = tmp_path / "partner.py"
    pid_file = tmp_path / "partner.pid"
    partner.write_text(
        "import os, sys, time\n"
        f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "time.sleep(30 if os.environ['SIGNUP_SCENARIO_ID'] == 'wrong-app-secret' else 0)\n"
        "sys.exit(1)\n"
    )
    report, html = tmp_path / "verify.json", tmp_path / "verify.html"
    command = [*CLI, "verify", "--cmd", f"{sys.executable} {partner}", "--id", "unknown-app-id"]
    command += ["--id", "wrong-app-secret", "--json", str(report), "--html", str(html), "--color", "never"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True)
    assert child.stdout is not None
    for line in child.stdout:
        if "unknown-app-id" in line:
            break
    time.sleep(0.5)  # into the second scenario's 30 s partner (a deliberate wait for a signal, not for a server)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == EXIT_INTERRUPTED, err
    assert "Traceback" not in err and "interrupted after 1 of 2 scenarios" in err
    document = json.loads(report.read_text())
    assert document["incomplete"] is True and [s["id"] for s in document["scenarios"]] == ["unknown-app-id"]
    assert "incomplete" in html.read_text()
    # The partner (in a session of its own, out of the terminal's reach) was stopped with verify.
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "the partner outlived the interrupted verify"
        time.sleep(0.05)
