"""The partner's command, once: check it can start, run it in its own process group, read what it reported.

`preflight` says why a command cannot start (checked once, so a run does not fail forty times with "command not
found"); `run_command` runs it with a timeout (the whole group is stopped on a timeout or Ctrl-C);
`read_result_file` and `clean_result` read the optional result file; `partner_verdict` turns exit status and
result file into the partner's verdict and the reasons the run itself fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .scrubbing import Scrubber

MAX_LABEL = 500  # characters kept of each field of the result file
_SHELL_WORDS = {"!", "{", "(", "if", "for", "while", "until", "case", "exec", "command", "env", "time", "nohup"}


@dataclass
class PartnerRun:
    """What running the partner's command once gave (texts not yet scrubbed)."""

    exit_status: int | None
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    timed_out: bool = False
    start_error: str | None = None
    result: dict[str, Any] | None = None  # the result file, when written and valid
    result_problem: str | None = None


def run_command(cmd: str, env: Mapping[str, str], cwd: str | os.PathLike[str] | None, timeout: float) -> PartnerRun:
    """Run `cmd` with a shell in its own process group; on timeout the whole group is killed."""
    started = time.perf_counter()
    try:
        process = subprocess.Popen(  # noqa: S602 - running the partner's shell command is the point
            cmd,
            shell=True,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=os.name == "posix",
        )
    except OSError as exc:
        return PartnerRun(None, seconds=time.perf_counter() - started, start_error=f"{type(exc).__name__}: {exc}")
    timed_out = False
    try:
        out, err = process.communicate(timeout=timeout)
    except KeyboardInterrupt:  # its own session does not see the terminal's Ctrl-C: stop it with us
        _kill_group(process)
        process.wait()
        raise
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(process)
        try:
            out, err = process.communicate(timeout=5)
        except subprocess.TimeoutExpired:  # a grandchild that left the group still holds the pipes
            process.kill()
            out, err = b"", b""
    return PartnerRun(
        exit_status=process.returncode,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        seconds=time.perf_counter() - started,
        timed_out=timed_out,
    )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    else:  # pragma: no cover - no process groups
        process.kill()


def read_result_file(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(result, problem): nothing written is fine; a file that is not the documented JSON is a problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"unreadable ({type(exc).__name__})"
    if not text.strip():
        return None, None
    try:
        document = json.loads(text)
    except ValueError:
        return None, "not valid JSON"
    if not isinstance(document, dict):
        return None, "not a JSON object"
    if document.get("outcome") not in ("success", "error"):
        return None, f'\'outcome\' must be "success" or "error", not {document.get("outcome")!r}'
    return document, None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def partner_verdict(run: PartnerRun, timeout: float) -> tuple[list[str], str | None]:
    """(reasons the run itself fails, the partner's verdict "success" / "error" or None when it gave none)."""
    if run.start_error:
        return [f"command: could not start: {run.start_error}"], None
    if run.timed_out:
        return [f"command: timed out after {timeout:g} s and was stopped"], None
    status = run.exit_status if run.exit_status is not None else -1
    if status in (126, 127):
        cause = "command not found" if status == 127 else "not executable"
        return [f"command: could not start (the shell exited {status}: {cause})"], None
    if status < 0:
        return [f"command: killed by {_signal_name(-status)}"], None
    reasons: list[str] = []
    by_exit = "success" if status == 0 else "error"
    if run.result_problem:
        reasons.append(f"result file: {run.result_problem}")
    if run.result is None:
        return reasons, by_exit
    said = run.result["outcome"]
    if said != by_exit:
        reasons.append(f"verdict: the result file says {said!r} but the command exited {status}")
    return reasons, said


def preflight(cmd: str, env: Mapping[str, str], cwd: str | os.PathLike[str] | None) -> str | None:
    """Why `cmd` cannot start, or None. Checks the program its first word names the way the shell will find
    it (`command -v`, with the child's PATH, in its cwd), so a run of forty "command not found" stops early."""
    try:
        words = shlex.split(cmd, comments=True)
    except ValueError as exc:
        return f"the command does not parse as a shell command line ({exc})"
    while words and "=" in words[0] and not words[0].startswith("="):  # leading NAME=value assignments
        words.pop(0)
    if not words or words[0] in _SHELL_WORDS or any(c in words[0] for c in "$`;&|<>()"):
        return None  # shell syntax: let the shell judge it
    program = words[0]
    where = Path(cwd) if cwd is not None else Path.cwd()
    try:
        probe = subprocess.run(  # noqa: S603 - the shell's own lookup, with the child's environment
            ["sh", "-c", 'command -v -- "$1"', "sh", program],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"could not check the command with sh ({type(exc).__name__})"
    if probe.returncode == 0:
        if "/" in program and not os.access(where / program, os.X_OK):
            return f"{program!r} (in cwd {where}) is not executable: chmod +x it, or run it with its interpreter"
        return None
    if "/" in program:
        return f"{program!r} does not exist relative to the command's cwd {where}"
    path = env.get("PATH", "")
    hint = ""
    for candidate in (where / program, where / ".venv" / "bin" / program, Path(sys.executable).parent / program):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            hint = f"; there is one at {candidate}: give that path, or put its folder on PATH"
            break
    return f"{program!r} was not found on PATH (cwd {where}; PATH={path or '(empty)'}){hint}"


def clean_result(result: dict[str, Any], scrubber: Scrubber) -> dict[str, Any]:
    """Keep the documented fields of the partner's result file, scrubbed and bounded."""
    cleaned: dict[str, Any] = {"outcome": result["outcome"]}
    for key in ("error", "waba_id", "phone_number_id"):
        value = result.get(key)
        if value is not None:
            cleaned[key] = scrubber.text(str(value))[:MAX_LABEL]
    return cleaned
