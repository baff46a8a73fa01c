"""verify checks once, before the catalogue, that the partner's command can start, and says why not."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from harness.cli import main
from harness.verify import preflight


def _verify(*args: str) -> int:
    return main(["verify", "--color", "never", *args])


def test_a_program_not_on_path_stops_verify_before_any_scenario(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    started = time.perf_counter()
    status = _verify("--cmd", "signup-harness-nowhere onboard", "--cwd", str(tmp_path), "--json", str(tmp_path / "r"))
    assert status == 2
    assert time.perf_counter() - started < 5
    err = capsys.readouterr().err
    assert "the command cannot start: 'signup-harness-nowhere' was not found on PATH" in err
    assert f"cwd {tmp_path}" in err and "PATH=/usr/bin:/bin" in err
    assert not (tmp_path / "r").exists()  # no scenario ran, no report


def test_a_virtualenv_that_is_not_on_path_is_pointed_at(tmp_path: Path) -> None:
    scripts = tmp_path / ".venv" / "bin"
    scripts.mkdir(parents=True)
    tool = scripts / "signup-harness-like"
    tool.write_text("#!/bin/sh\nexit 0\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    problem = preflight("signup-harness-like onboard", {"PATH": "/usr/bin:/bin"}, tmp_path)
    assert problem is not None
    assert f"there is one at {tool}: give that path, or put its folder on PATH" in problem


def test_relative_paths_are_read_from_the_commands_cwd(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    assert (
        preflight("./onboard.sh", env, tmp_path)
        == f"'./onboard.sh' does not exist relative to the command's cwd {tmp_path}"
    )
    script = tmp_path / "onboard.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    assert "is not executable" in (preflight("./onboard.sh --flag", env, tmp_path) or "")
    script.chmod(0o755)
    assert preflight("./onboard.sh --flag", env, tmp_path) is None


def test_what_only_the_shell_can_judge_is_left_to_it() -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for cmd in ("FOO=1 sh -c 'exit 0'", "cd /tmp && ./x", "$RUNNER onboard", "exec sh", "echo hi | cat", "true"):
        assert preflight(cmd, env, None) is None, cmd
    assert "does not parse" in (preflight("sh -c 'unclosed", env, None) or "")
