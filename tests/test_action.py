"""The composite GitHub Action (`action.yml`) run step by step in a shell, as the runner runs it: it installs the
tool from this repository into a fresh virtualenv and verifies a partner (a curl script, under --intercept)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def _expand(value: str, context: dict[str, str]) -> str:
    def lookup(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in context, f"action.yml uses ${{{{ {name} }}}}, which the runner would not know here"
        return context[name]

    return EXPRESSION.sub(lookup, value)


def _run_action(inputs: dict[str, str], runner_temp: Path, workspace: Path) -> list[subprocess.CompletedProcess[str]]:
    action: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    declared = action["inputs"]
    assert set(inputs) <= set(declared), "an input the action does not declare"
    context = {f"inputs.{name}": str(spec.get("default", "")) for name, spec in declared.items()}
    context.update({f"inputs.{name}": value for name, value in inputs.items()})
    context["runner.temp"] = str(runner_temp)
    done = []
    for step in action["runs"]["steps"]:
        assert step["shell"] == "bash"
        env = {**os.environ, "GITHUB_ACTION_PATH": str(REPO), "RUNNER_TEMP": str(runner_temp)}
        env.update({k: _expand(str(v), context) for k, v in (step.get("env") or {}).items()})
        cwd = workspace / _expand(step.get("working-directory", "."), context)
        script = runner_temp / "step.sh"
        script.write_text(_expand(step["run"], context))
        # As the runner runs a composite step's `shell: bash`.
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        done.append(result)
        if result.returncode != 0:
            break
    return done


def test_the_action_installs_the_tool_and_verifies_a_partner(tmp_path: Path) -> None:
    for tool in ("curl", "jq"):
        if shutil.which(tool) is None:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"{tool} is not installed, but CI=true: .ci/run installs it")
            pytest.skip(f"{tool} is not installed")
    workspace = tmp_path / "workspace"
    (workspace / "backend").mkdir(parents=True)
    shutil.copy(REPO / "tests" / "verify" / "partners" / "curl_partner.sh", workspace / "backend" / "onboard.sh")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    inputs = {
        "command": "sh onboard.sh",
        "working-directory": "backend",
        "intercept": "true",
        "args": "--id success --id telnyx-429-then-success",
        "python": sys.executable,
    }
    steps = _run_action(inputs, runner_temp, workspace)
    last = steps[-1]
    assert len(steps) == 2 and last.returncode == 0, f"{last.stdout}\n{last.stderr}"
    assert "2 passed, 0 failed" in last.stdout
    reports = workspace / "backend" / "signup-harness-reports"
    suite = ET.parse(reports / "junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "0"
    assert (reports / "report.html").is_file() and (reports / "report.json").is_file()
    # The tool went into its own virtualenv, not into the partner's Python.
    assert (runner_temp / "signup-harness" / "bin" / "signup-harness").is_file()
