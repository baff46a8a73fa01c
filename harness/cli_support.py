"""What every `signup-harness` command shares: its exit codes, argument types, and one-line answers to mistakes.

Exit codes (docs/cli.md): 0 every scenario passed (or the command did its job), 1 at least one scenario failed,
2 a usage or environment error (bad option, unwritable path, port in use...), 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import os
import socket
from collections.abc import Iterable
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A mistake of the user or of the environment: printed as one line, exit status 2."""


def port(text: str) -> int:
    """argparse type of a TCP port: 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535; 0 picks a free port)") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0-65535; 0 picks a free port)")
    return value


def start_up_begins() -> None:
    """No cyclic garbage collection while a command starts: start-up builds only what lives as long as the
    process (modules, apps, compiled specs, the world), so collecting it is wasted work (about a tenth of a start)."""
    gc.disable()


def start_up_ends() -> None:
    """The command is ready (a server listens) or about to run: what start-up built moves out of the collector's
    sight for good (`gc.freeze`, so later full collections skip it), and collection resumes. Idempotent."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def start_up_not_managed() -> None:
    """What a server command calls once it listens when `main(argv)` runs in a caller's process: the caller's
    collector settings are theirs, so nothing changes (`cli.main` hands serve/demo `start_up_ends` only for the
    process's own command line)."""


def check_writable(path: Path | None, option: str) -> None:
    """Refuse, before any work, an output path that cannot be written (missing folders are created later)."""
    if path is None:
        return
    if path.is_dir():
        raise CliError(f"{option} {path}: is a directory; give a file name")
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise CliError(f"{option} {path}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CliError(f"{option} {path}: not writable (permission denied)")


def write_text(path: Path, text: str, option: str) -> None:
    """Write an output file, creating its folder; an OS error is a one-line CliError. A regular file appears
    whole or not at all (written beside it, then renamed over it), so a reader polling for it (a script waiting
    for `--urls-json`) never reads half of it; anything else (`/dev/stdout`, a pipe) is written in place."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and not path.is_file():
            path.write_text(text)
            return
        partial.write_text(text)
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise CliError(f"{option} {path}: cannot write it ({exc.strerror or exc})") from None


def check_scenarios_dir(path: Path | None) -> None:
    if path is not None and not path.is_dir():
        what = "is a file, not a folder" if path.exists() else "no such folder"
        raise CliError(f"--scenarios {path}: {what} (it takes a folder of scenario YAML files)")


def check_ports_free(host: str, ports: Iterable[tuple[str, str, int]]) -> None:
    """Before serving, say which fake's port (label, option, number) is taken, rather than a server's traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for label, option, number in ports:
        if number == 0:
            continue
        probe = socket.socket(family, socket.SOCK_STREAM)
        try:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, number))
        except OSError as failure:
            if failure.errno == errno.EADDRINUSE:
                reason = "is in use"
            elif failure.errno == errno.EACCES:
                reason = "needs privileges (ports below 1024)"
            else:
                raise CliError(f"cannot bind {host}:{number} for the {label} ({option}): {failure.strerror}") from None
            raise CliError(
                f"port {number} for the {label} ({option}) {reason}: "
                f"pass {option} with another port, or 0 for a free one"
            ) from None
        finally:
            probe.close()
