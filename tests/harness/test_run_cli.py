"""`signup-harness run/list/show` and scenario arming on running fakes."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import requests

from fakes.core.resources import scenarios_dir
from fakes.harness import Harness
from harness.arming import enable_scenario_arming
from harness.cli import main


def test_run_writes_junit_and_json(tmp_path: Path, capsys) -> None:
    junit, report = tmp_path / "r.xml", tmp_path / "r.json"
    code = main(["run", "--in-process", "--tag", "retry", "--junit", str(junit), "--json", str(report)])
    out = capsys.readouterr().out
    assert code == 0
    document = json.loads(report.read_text())
    assert document["summary"]["failed"] == 0 and document["summary"]["passed"] >= 5
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    assert len(suite.findall("testcase")) == document["summary"]["passed"]
    assert f"{document['summary']['passed']} passed, 0 failed" in out


def test_a_failing_scenario_fails_the_run(tmp_path: Path, capsys) -> None:
    directory = tmp_path / "scenarios"
    shutil.copytree(scenarios_dir(), directory)
    path = directory / "success.yaml"
    path.write_text(path.read_text().replace("registrations: 1", "registrations: 2"))
    junit = tmp_path / "r.xml"
    code = main(["run", "--in-process", "--scenarios", str(directory), "--id", "success", "--junit", str(junit)])
    out = capsys.readouterr().out
    assert code == 1
    assert "expected 2 registration(s); found 1" in out
    failure = ET.parse(junit).getroot().find("testsuite/testcase/failure")
    assert failure is not None and "found 1" in (failure.get("message") or "")


def test_unknown_id_is_a_usage_error(capsys) -> None:
    assert main(["run", "--id", "nope"]) == 2
    assert "unknown scenario id(s): nope" in capsys.readouterr().err


def test_list_and_show(capsys) -> None:
    assert main(["list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {"id": "success", "title": "The happy path, end to end", "tags": ["happy-path", "smoke"]} in listed
    assert main(["show", "telnyx-revoked-key"]) == 0
    shown = capsys.readouterr().out
    assert "The Telnyx API returns a 401 Unauthorized error" in shown
    assert "signup-harness serve --scenario telnyx-revoked-key" in shown


def test_a_scenario_can_be_armed_on_running_fakes() -> None:
    harness = Harness()
    enable_scenario_arming(harness)
    with harness.serve(graph_port=0, telnyx_port=0) as server:
        armed = requests.post(f"{server.graph_url}/_t/default/__admin/scenarios/telnyx-503-then-success", timeout=5)
        assert armed.status_code == 201
        assert armed.json()["faults"][0]["status"] == 503
        unknown = requests.post(f"{server.graph_url}/_t/default/__admin/scenarios/nope", timeout=5)
        assert unknown.status_code == 400 and "nope" in unknown.json()["harness_error"]["message"]
        body = {"waba_id": "300000000000001", "phone_number_id": "400000000000001", "app_id": "100000000000001"}
        headers = {"Authorization": "Bearer KEYLOCALTEST0001_notarealtelnyxkey"}
        url = f"{server.telnyx_url}/whatsapp/business_accounts/tech_provider"
        first = requests.post(url, json=body, headers=headers, timeout=5)
        second = requests.post(url, json=body, headers=headers, timeout=5)
    assert (first.status_code, first.json()["errors"][0]["code"]) == (503, "10037")
    assert second.status_code == 200
