"""The command line's start-up: no cyclic collection while a command starts, collection back on before it runs
(or, for a server, once it listens), so a long run or a long-lived server never runs without the collector."""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

import harness.run_command
from harness.cli import main
from harness.cli_support import start_up_begins, start_up_ends


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    gc.enable()
    gc.unfreeze()  # what a test's start-up froze goes back to the collector of the test process


def test_a_command_runs_with_the_collector_on(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    seen: list[bool] = []
    real = harness.run_command.run_list
    monkeypatch.setattr(harness.run_command, "run_list", lambda args: seen.append(gc.isenabled()) or real(args))
    monkeypatch.setattr(sys, "argv", ["signup-harness", "list"])
    assert main() == 0
    assert "success" in capsys.readouterr().out
    assert seen == [True] and gc.isenabled()


def test_a_failing_start_still_turns_the_collector_back_on(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(sys, "argv", ["signup-harness", "show", "no-such-scenario"])
    assert main() != 0
    assert gc.isenabled()


def test_an_in_process_caller_keeps_its_own_collector_settings(capsys) -> None:
    gc.disable()
    assert main(["list"]) == 0
    assert not gc.isenabled()  # main(argv) is a caller's run, not the process's start-up: left as it was


def _serve_until_ready(urls_json: Path, run_serve: Callable[[], int]) -> dict[str, object]:
    """Run serve (in this process), note the collector and the ready answer once --urls-json appears, stop it."""
    observed: dict[str, object] = {}

    def once_ready() -> None:
        deadline = time.monotonic() + 30
        while not urls_json.exists() and time.monotonic() < deadline:
            time.sleep(0.01)  # polling for the file serve writes (whole, by a rename) once it listens
        try:
            urls = json.loads(urls_json.read_text())
            observed["collector_on"] = gc.isenabled()
            observed["status"] = requests.get(
                urls["telnyx"].removesuffix("/v2") + "/__admin/ready", timeout=5
            ).status_code
        finally:
            os.kill(os.getpid(), signal.SIGTERM)  # serve's own handler: it stops and exits 0

    watcher = threading.Thread(target=once_ready)
    watcher.start()
    observed["exit"] = run_serve()
    watcher.join(10)
    return observed


def test_serve_turns_the_collector_on_once_it_listens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    urls_json = tmp_path / "urls.json"
    argv = ["signup-harness", "serve", "--graph-port", "0", "--telnyx-port", "0", "--urls-json", str(urls_json)]
    monkeypatch.setattr(sys, "argv", argv)
    assert _serve_until_ready(urls_json, main) == {"exit": 0, "collector_on": True, "status": 200}


def test_an_in_process_serve_leaves_the_callers_collector_off(tmp_path: Path) -> None:
    urls_json = tmp_path / "urls.json"
    argv = ["serve", "--graph-port", "0", "--telnyx-port", "0", "--urls-json", str(urls_json)]
    gc.disable()  # the caller's own choice (a benchmark, an embedding test runner)
    frozen = gc.get_freeze_count()
    observed = _serve_until_ready(urls_json, lambda: main(argv))
    assert observed == {"exit": 0, "collector_on": False, "status": 200}
    assert not gc.isenabled() and gc.get_freeze_count() <= frozen  # nothing of the caller's frozen either


def test_start_up_end_is_idempotent_and_freezes_what_start_up_built() -> None:
    start_up_begins()
    assert not gc.isenabled()
    start_up_ends()
    frozen = gc.get_freeze_count()
    built_after = [[index] for index in range(1000)]  # tracked containers made once the command runs
    start_up_ends()  # a second end (serve's own, then main's) freezes nothing more
    # Frozen objects that die (another thread's, the interpreter's) lower the count, so it is bounded, not pinned.
    assert gc.isenabled() and frozen > 0 and gc.get_freeze_count() < frozen + len(built_after)
