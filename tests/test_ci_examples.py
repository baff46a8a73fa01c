"""The CI examples of the README and docs/verify.md run as written in a shell on a fresh virtualenv, with the one
line they ask you to adapt (`SIGNUP_HARNESS_SOURCE`) pointed at a local clone of this repository, and the partner
command swapped for a script that exists here."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
PARTNER = REPO / "tests" / "verify" / "partners" / "curl_partner.sh"
EXAMPLE_CMD = '--cmd "node backend/onboard.mjs"'
BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)


def _blocks(doc: str) -> list[Any]:
    text = (REPO / doc).read_text(encoding="utf-8")
    return [yaml.safe_load(textwrap.dedent(b)) for b in BLOCK.findall(text) if "SIGNUP_HARNESS_SOURCE" in b]


def _source() -> str:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout of this repository")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True)
    return f"git+file://{REPO}@{head.stdout.strip()}"  # a commit: pip builds the wheel once and caches it


def _partner_cmd() -> str:
    for tool in ("curl", "jq"):
        if shutil.which(tool) is None:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"{tool} is not installed, but CI=true: .ci/run installs it")
            pytest.skip(f"{tool} is not installed")
    return f"--cmd {shlex.quote('sh ' + str(PARTNER))} --id success --id telnyx-503-then-success"


def _run(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    assert EXAMPLE_CMD in script
    script = script.replace(EXAMPLE_CMD, _partner_cmd())
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script],
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _check_reports(workspace: Path) -> None:
    assert (workspace / "reports" / "signup.xml").is_file() and (workspace / "reports" / "signup.html").is_file()


def test_the_readme_github_step_runs_as_written(tmp_path: Path) -> None:
    [[step]] = _blocks("README.md")
    docs_steps = [b for b in _blocks("docs/verify.md") if isinstance(b, list)]
    assert docs_steps and all(s[0]["run"] == step["run"] for s in docs_steps)  # one snippet, told twice
    runner_temp, workspace = tmp_path / "runner-temp", tmp_path / "workspace"
    runner_temp.mkdir(), workspace.mkdir()
    env = {**{k: str(v) for k, v in step["env"].items()}, "SIGNUP_HARNESS_SOURCE": _source()}
    result = _run(step["run"], {**env, "RUNNER_TEMP": str(runner_temp)}, workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed, 0 failed" in result.stdout
    _check_reports(workspace)


def test_the_gitlab_job_runs_as_written(tmp_path: Path) -> None:
    [job] = [b["embedded-signup"] for b in _blocks("docs/verify.md") if isinstance(b, dict) and "embedded-signup" in b]
    assert job["artifacts"]["reports"]["junit"] == "reports/signup.xml"
    venv = tmp_path / "venv"
    script = "\n".join(job["script"]).replace("/tmp/signup-harness", str(venv))  # the job's /tmp, kept apart
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    env = {**{k: str(v) for k, v in job["variables"].items()}, "SIGNUP_HARNESS_SOURCE": _source()}
    result = _run(script, env, workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    _check_reports(workspace)
