"""The socket server's WSGI gateway, `RsgiBridge`: one RSGI request in, one WSGI call, one answer out.

Granian embeds an app object only through its RSGI interface. For each request the bridge builds the WSGI
environ from granian's scope (the headers also as the pipeline reads them, `HEADERS`), reads the body under the
limits of `fakes.core.limits` (size, chunk framing, read timeout) and marks a request past one (`LIMIT`), runs
the app on the loop thread (or, while `threaded()` says so, on a worker thread, so a deliberately slow answer
never stalls the others), then answers, logs the request line (redacted) or drops the connection for a
dropped-connection fault. The server's lifecycle (ports, threads, shutdown) is `fakes.core.server`.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import socket
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import limits
from .redaction import redact_text
from .wsgi_environ import BODY, DROPPED, HEAD_CHECKED, HEADERS, LIMIT, TENANT_HEADER

__all__ = ["RsgiBridge"]

log = logging.getLogger("fakes.server")  # the request lines; `fakes.core.server.enable_access_log` prints them

_BASE_ENVIRON: dict[str, Any] = {
    "GATEWAY_INTERFACE": "CGI/1.1",
    "SCRIPT_NAME": "",
    "SERVER_SOFTWARE": "signup-harness",
    "wsgi.errors": sys.stderr,
    "wsgi.input_terminated": True,
    "wsgi.multiprocess": False,
    "wsgi.multithread": True,
    "wsgi.run_once": False,
    "wsgi.url_scheme": "http",
    "wsgi.version": (1, 0),
    HEAD_CHECKED: True,
}


def _environ_key(name: str) -> str:
    """The environ key of a header name: CONTENT_TYPE, CONTENT_LENGTH, TRANSFER_ENCODING, else HTTP_<NAME>."""
    key = name.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH", "TRANSFER_ENCODING") else "HTTP_" + key


# The environ keys of header names clients send on every request, worked out once.
_ENVIRON_KEYS = {
    name: _environ_key(name)
    for name in ("host", "user-agent", "accept", "accept-encoding", "connection", "content-type",
                 "content-length", "transfer-encoding", "authorization", TENANT_HEADER.lower())
}  # fmt: skip


class _Reply:
    __slots__ = ("headers", "status")

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[str, str]] = []

    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        self.status = int(status[:3])
        self.headers = headers
        return _no_write


def _no_write(_: bytes) -> None:
    raise RuntimeError("the fakes answer with a body iterable, not write()")


class RsgiBridge:
    """Serve a WSGI app through RSGI, enforcing the read limits and timeouts of `fakes.core.limits`."""

    def __init__(
        self,
        app: Any,
        host: str,
        port: int,
        threaded: Callable[[], bool] = lambda: False,
        access_log: bool = False,
    ) -> None:
        self.app = app
        self.threaded = threaded
        self.access_log = access_log
        self.base = {**_BASE_ENVIRON, "SERVER_NAME": host, "SERVER_PORT": str(port)}
        self.executor: ThreadPoolExecutor | None = None
        # Body reads in flight and when each must end; one timer (at the earliest end) sweeps them: a timer per
        # request (asyncio.timeout) cost 7 us of the request's CPU, and almost every body is there at once.
        self._reads: dict[asyncio.Task[Any], float] = {}
        self._late: set[asyncio.Task[Any]] = set()
        self._sweep_timer: asyncio.TimerHandle | None = None

    async def __call__(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":
            return
        environ = self.base.copy()
        environ["REQUEST_METHOD"] = scope.method
        environ["PATH_INFO"] = scope.path
        environ["QUERY_STRING"] = query = scope.query_string
        environ["SERVER_PROTOCOL"] = f"HTTP/{scope.http_version}"
        environ["REMOTE_ADDR"], _, environ["REMOTE_PORT"] = scope.client.rpartition(":")
        head_bytes = 0  # header names and values, as the pipeline's check_head counts them
        count = 0
        chunked = False
        named: dict[str, str] = {}  # as the pipeline reads them: lower-cased, "_" as "-", repeats joined
        environ[HEADERS] = named
        for name, value in scope.headers.items():
            count += 1
            head_bytes += len(name) + len(value)
            key = _ENVIRON_KEYS.get(name)
            if key is None:
                key = _environ_key(name)
            if key == "CONTENT_TYPE" or key == "CONTENT_LENGTH":
                environ[key] = value
                if key == "CONTENT_TYPE" and value:
                    named["content-type"] = value
            elif key == "TRANSFER_ENCODING":
                chunked = "chunked" in value.lower()
            else:
                if key in environ:
                    environ[key] = value = f"{environ[key]},{value}"
                else:
                    environ[key] = value
                named[key[5:].replace("_", "-").lower()] = value
        close = False
        if head_bytes > limits.MAX_HEADER_BYTES or count > limits.MAX_HEADER_COUNT:
            environ[LIMIT] = (431, "the request headers are too large")
        elif chunked or environ.get("CONTENT_LENGTH", "0") != "0":
            limit, close = await self._read_body(environ, proto, chunked)
            if limit is not None:
                environ[LIMIT] = limit
        environ["wsgi.input"] = io.BytesIO(environ.setdefault(BODY, b""))
        if self.executor is not None and self.threaded():
            loop = asyncio.get_running_loop()
            status, headers, body = await loop.run_in_executor(self.executor, self._call, environ)
        else:
            status, headers, body = self._call(environ)
        if environ.get(DROPPED):
            _drop(scope)
            return
        if close or LIMIT in environ:
            headers.append(("connection", "close"))
        if self.access_log or LIMIT in environ:
            reason = f" ({environ[LIMIT][1]})" if LIMIT in environ else ""
            target = scope.path + ("?" + query if query else "")
            log.info(
                redact_text(f'{scope.client} "{scope.method} {target} HTTP/{scope.http_version}" {status}{reason}')
            )
        proto.response_bytes(status, headers, body)

    async def _read_body(self, environ: dict[str, Any], proto: Any, chunked: bool) -> tuple[Any, bool]:
        """Read the body into environ[BODY]; (a limit to answer, whether the connection must close)."""
        length = environ.get("CONTENT_LENGTH")
        if not chunked:
            if not length.isdigit():  # type: ignore[union-attr]  # a body without a length is chunked
                return (400, "the Content-Length header is not a number"), True
            if int(length) > limits.MAX_BODY_BYTES:  # type: ignore[arg-type]
                environ["CONTENT_LENGTH"] = "0"
                return (413, f"the request body is larger than {limits.MAX_BODY_BYTES} bytes"), True
        task = asyncio.current_task()  # granian runs each request as a task of its loop (TaskImpl.asyncio)
        assert task is not None
        self._watch(task)
        try:
            # The parser stops a Content-Length body at its length (checked above), so it is read whole.
            body = await (_read_capped(proto) if chunked else proto())
        except asyncio.CancelledError:
            if task not in self._late:
                raise
            self._late.discard(task)
            task.uncancel()
            environ["CONTENT_LENGTH"] = "0"
            return (408, f"the request body did not arrive within {limits.BODY_READ_TIMEOUT_S:g} s"), True
        except _TooLarge:
            environ["CONTENT_LENGTH"] = "0"
            return (413, f"the request body is larger than {limits.MAX_BODY_BYTES} bytes"), True
        except Exception:  # the parser's own framing errors (a bad chunk header, a body cut short)
            environ["CONTENT_LENGTH"] = "0"
            return (400, "the request body is not valid HTTP/1.1 framing"), True
        finally:
            self._reads.pop(task, None)
            if self._late:  # cancelled as the body arrived: the read stands
                self._late.discard(task)
        environ[BODY] = body
        environ["CONTENT_LENGTH"] = str(len(body))
        return None, False

    def _watch(self, task: asyncio.Task[Any]) -> None:
        """Give this body read until BODY_READ_TIMEOUT_S from now; the sweep cancels it past that."""
        loop = task.get_loop()
        deadline = loop.time() + limits.BODY_READ_TIMEOUT_S
        self._reads[task] = deadline
        timer = self._sweep_timer
        if timer is None or deadline < timer.when():
            if timer is not None:
                timer.cancel()
            self._sweep_timer = loop.call_at(deadline, self._sweep, loop)

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        self._sweep_timer = None
        now = loop.time()
        for task, deadline in list(self._reads.items()):
            if deadline <= now:
                del self._reads[task]
                self._late.add(task)
                task.cancel()
        if self._reads:
            self._sweep_timer = loop.call_at(min(self._reads.values()), self._sweep, loop)

    def _call(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        reply = _Reply()
        result = self.app(environ, reply)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return reply.status, reply.headers, body


class _TooLarge(Exception):
    pass


async def _read_capped(proto: Any) -> bytes:
    parts: list[bytes] = []
    size = 0
    async for chunk in proto:
        size += len(chunk)
        if size > limits.MAX_BODY_BYTES:
            raise _TooLarge
        parts.append(chunk)
    return b"".join(parts)


def _drop(scope: Any) -> None:
    """A dropped-connection fault: shut the client's socket down without an answer.

    RSGI hands the app no socket, so find this connection's descriptor by its two addresses."""
    client = scope.client.rpartition(":")
    server = scope.server.rpartition(":")
    peer = (client[0].strip("[]"), int(client[2]))
    local_port = int(server[2])
    for name in os.listdir("/proc/self/fd"):
        try:
            duplicate = os.dup(int(name))
        except (OSError, ValueError):
            continue
        try:
            sock = socket.socket(fileno=duplicate)
        except OSError:  # not a socket: close the copy, or it would hold a pipe open (a child never sees EOF)
            os.close(duplicate)
            continue
        try:
            inet = sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM
            if inet and sock.getsockname()[1] == local_port and sock.getpeername()[:2] == peer:
                sock.shutdown(socket.SHUT_RDWR)
                return
        except OSError:
            pass
        finally:
            sock.close()
