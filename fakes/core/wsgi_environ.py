"""The WSGI environ as the vendor pipeline reads it: the harness.* keys, the tenant header, the head limits,
headers and path.

The transports (the socket server's `fakes.core.rsgi_bridge`, the in-process adapter) and the pipeline share these
environ keys; the helpers read the request's head straight from the environ, which is cheaper than werkzeug's
Request.
"""

from __future__ import annotations

from typing import Any

from . import limits

BODY = "harness.body"  # environ key: the request body, read once (by the server, or the pipeline in-process)
LIMIT = "harness.limit"  # environ key: (status, reason) of a request past a limit of fakes.core.limits
DROPPED = "harness.dropped"  # environ key: a dropped-connection fault (the server closes, the adapter raises)
HEAD_CHECKED = "harness.head_checked"  # environ key: the socket server checked the header limits
HEADERS = "harness.headers"  # environ key: the request headers, lower-cased names (the socket server's)
PATH_TENANT = "harness.tenant"  # environ key: the tenant a /_t/<tenant> path prefix named (the pipeline sets it)

# The header that puts a request into a tenant (after a /_t/<tenant> prefix), and its WSGI environ key.
TENANT_HEADER = "X-Harness-Tenant"
TENANT_ENVIRON_KEY = "HTTP_" + TENANT_HEADER.upper().replace("-", "_")  # HTTP_X_HARNESS_TENANT


def check_head(environ: dict[str, Any]) -> None:
    """The head limits of `fakes.core.limits`, in both transports: mark a request past one with LIMIT."""
    if len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) > limits.MAX_TARGET_BYTES:
        environ[LIMIT] = (414, f"the request target is longer than {limits.MAX_TARGET_BYTES} bytes")
        return
    if not environ.get(HEAD_CHECKED):  # the socket server counted the headers already
        size = count = 0
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                size += len(key) + len(value)
                count += 1
        if size > limits.MAX_HEADER_BYTES or count > limits.MAX_HEADER_COUNT:
            environ[LIMIT] = (431, "the request headers are too large")
            return
    length = environ.get("CONTENT_LENGTH")
    if length and (not length.isdigit() or int(length) > limits.MAX_BODY_BYTES):
        environ["CONTENT_LENGTH"] = "0"
        if length.isdigit():
            environ[LIMIT] = (413, f"the request body is larger than {limits.MAX_BODY_BYTES} bytes")
        else:
            environ[LIMIT] = (400, "the Content-Length header is not a number")


def request_headers(environ: dict[str, Any]) -> dict[str, str]:
    """Request headers with lower-cased names, straight from the WSGI environ (cheaper than request.headers)."""
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    return headers


def wsgi_text(path: str) -> str:
    """PATH_INFO as werkzeug decodes it for routing (WSGI strings are latin-1 carrying UTF-8 bytes)."""
    return path if path.isascii() else path.encode("latin1").decode(errors="replace")
