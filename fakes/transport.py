"""An in-process `requests` transport: a session whose requests go straight into the fakes' WSGI apps.

No sockets, no threads, same pipeline, same journal. A dropped-connection fault surfaces as
`requests.ConnectionError`, and a response slower than the request's read timeout as `requests.ReadTimeout`,
exactly as over a real socket.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import EnvironBuilder, run_wsgi_app

from fakes.core.wsgi_environ import DROPPED


class WSGIAdapter(BaseAdapter):
    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app

    def send(  # type: ignore[override]  # requests spells out every keyword; the rest are ignored here
        self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None, **_: Any
    ) -> Any:
        url = urlsplit(request.url or "")
        body = request.body.encode() if isinstance(request.body, str) else (request.body or b"")
        builder = EnvironBuilder(
            path=url.path or "/",
            base_url=f"{url.scheme}://{url.netloc}",
            query_string=url.query,
            method=request.method or "GET",
            headers=list(request.headers.items()),
            data=body,
        )
        environ = builder.get_environ()
        seen: dict[str, Any] = {}

        def app(wsgi_environ: dict[str, Any], start_response: Any) -> Any:
            seen["environ"] = wsgi_environ  # run_wsgi_app copies the environ: keep the one the app marks
            return self.app(wsgi_environ, start_response)

        started = time.monotonic()
        app_iter, status, headers = run_wsgi_app(app, environ, buffered=True)
        content = b"".join(app_iter)
        if seen.get("environ", environ).get(DROPPED):
            raise requests.ConnectionError("connection dropped by the fake (armed fault)", request=request)
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        if read_timeout is not None and time.monotonic() - started > read_timeout:
            raise requests.ReadTimeout(f"read timed out (timeout={read_timeout})", request=request)
        response = requests.Response()
        response.status_code = int(status.split(" ", 1)[0])
        response.reason = status.split(" ", 1)[1] if " " in status else ""
        response.headers = CaseInsensitiveDict(headers.to_wsgi_list())
        response._content = content
        response.url = request.url or ""
        response.request = request
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        return response

    def close(self) -> None:
        return None
