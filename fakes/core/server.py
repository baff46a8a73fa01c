"""The HTTP server of every socket mode (`serve`, `demo`, the pytest plugin, `verify`): `serve_wsgi()`.

Granian (a Rust HTTP/1.1 server, hyper underneath) runs embedded in this process, one event loop thread per
port, so the fakes and the SDK keep one world that tests read directly while the server runs. This module is the
server's lifecycle: a port bound (refused when taken), granian started on its own loop thread with the parser's
limits, stopped on `stop()` or at exit. Granian embeds an app object only through its RSGI interface; the WSGI
gateway each port serves, `RsgiBridge` (the environ, the body read under the limits, the answer), is
`fakes.core.rsgi_bridge`, and its names are importable from here too.

What the parser refuses itself (a request head past `PARSER_BUFFER_BYTES`, a malformed request line) it answers
bare; everything past the documented limits below that reaches the app marked (`LIMIT` in the environ), and the
app answers it in its own envelope (vendor JSON, or the control plane's JSON on /__admin).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import socket
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import limits
from .rsgi_bridge import RsgiBridge, log
from .wsgi_environ import BODY, DROPPED, HEAD_CHECKED, HEADERS, LIMIT  # the environ keys the pipeline shares

__all__ = ["BODY", "DROPPED", "HEAD_CHECKED", "HEADERS", "LIMIT", "RsgiBridge", "ServedPort", "serve_wsgi"]


def _refuse_if_taken(host: str, port: int) -> None:
    """OSError when something listens on host:port already. Granian binds with SO_REUSEPORT, which would let a
    second `serve` share the port (and split requests between two worlds) instead of failing."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


class ServedPort:
    """One port served by granian on its own event-loop thread; `stop()` closes it."""

    def __init__(
        self,
        app: Any,
        host: str,
        port: int,
        name: str,
        threaded: Callable[[], bool] = lambda: False,
        access_log: bool = False,
    ) -> None:
        from granian.constants import HTTPModes, Interfaces
        from granian.http import HTTP1Settings
        from granian.net import SocketSpec
        from granian.server.embed import Server

        if port:
            _refuse_if_taken(host, port)
        holder = SocketSpec(host, port, 1024).build()
        probe = socket.socket(fileno=holder.get_fd())
        try:
            self.host, self.port = host, probe.getsockname()[1]
        finally:
            probe.detach()  # the descriptor stays granian's

        class _Embedded(Server):  # type: ignore[misc]
            def _init_shared_socket(self) -> None:  # listen on the socket bound above (so port 0 is known)
                self._ssp, self._shd = None, holder  # type: ignore[assignment]

        if access_log:
            enable_access_log()
        self.bridge = RsgiBridge(app, host, self.port, threaded, access_log)
        self.bridge.executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix=f"fake-{name}-slow")
        self.server = _Embedded(
            self.bridge,
            address=host,
            port=self.port,
            interface=Interfaces.RSGI,
            http=HTTPModes.http1,
            websockets=False,
            runtime_threads=1,
            backlog=1024,
            http1_settings=HTTP1Settings(
                header_read_timeout=int(limits.HEADER_READ_TIMEOUT_S * 1000),
                keep_alive=limits.KEEP_ALIVE,
                max_buffer_size=limits.PARSER_BUFFER_BYTES,
            ),
            log_enabled=False,
        )
        self.loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=f"fake-{name}", daemon=True)
        self.thread.start()
        _RUNNING.add(self)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.server.serve())
        except BaseException as exc:  # reported by stop(); the thread must not die silently
            self.error = exc
        finally:
            self.loop.close()

    def stop(self, timeout: float = 5.0) -> None:
        _RUNNING.discard(self)
        if self.thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop already closed
                self.loop.call_soon_threadsafe(self.server.stop)
            self.thread.join(timeout)
        if self.bridge.executor is not None:
            self.bridge.executor.shutdown(wait=False, cancel_futures=True)


_RUNNING: set[ServedPort] = set()


def enable_access_log() -> None:
    """Print the server's request lines (already redacted) on stderr, once however many ports ask."""
    if not any(getattr(h, "harness_access_log", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        handler.harness_access_log = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    log.setLevel(logging.INFO)


@atexit.register
def _stop_all() -> None:
    """Stop whatever is still served at exit: granian's threads must not outlive the interpreter."""
    for served in list(_RUNNING):
        served.stop(timeout=2.0)


def serve_wsgi(
    app: Any,
    host: str,
    port: int,
    name: str = "app",
    threaded: Callable[[], bool] = lambda: False,
    access_log: bool = False,
) -> ServedPort:
    """Serve a WSGI app on host:port (0 picks a free port) in this process; the one server of every socket mode."""
    return ServedPort(app, host, port, name, threaded, access_log)
