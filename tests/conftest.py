"""Fixtures shared across test folders (exposed as fixtures, so tests run under any pytest import mode)."""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

DEMO_START_TIMEOUT = 30.0


class DemoLauncher:
    """`signup-harness demo ...` as a user starts it, on free ports; kills whatever it started at teardown."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, *options: str) -> tuple[subprocess.Popen[bytes], str]:
        """The process and its banner (everything printed up to "Press Ctrl+C")."""
        script = shutil.which("signup-harness", path=str(Path(sys.executable).parent))
        command = [script] if script else [sys.executable, "-c", "from harness.cli import entry; entry()"]
        process = subprocess.Popen(
            [*command, "demo", "--port", "0", "--graph-port", "0", "--telnyx-port", "0", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.started.append(process)
        assert process.stdout is not None
        output = b""
        deadline = time.monotonic() + DEMO_START_TIMEOUT
        while b"Press Ctrl+C" not in output:
            ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(process.stdout.fileno(), 4096) if ready else b""
            if not chunk:
                process.kill()
                pytest.fail(f"the demo did not start; it printed: {output!r}")
            output += chunk
        return process, output.decode()

    @staticmethod
    def url(label: str, banner: str) -> str:
        """The URL the banner prints after `label`."""
        found = re.search(rf"^\s+{label}\s+(\S+)", banner, re.MULTILINE)
        assert found, banner
        return found.group(1)


@pytest.fixture
def demo_launcher() -> Iterator[DemoLauncher]:
    launcher = DemoLauncher()
    yield launcher
    for process in launcher.started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
