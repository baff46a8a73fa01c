"""Every limit the fakes enforce, in one place (documented in docs/limits.md).

A request past a limit gets the vendor's own JSON error (Telnyx `errors[]`, Graph `error{}`) on a vendor route and
the control plane's `{"harness_error": ...}` on `/__admin`: never HTML, a traceback or a hang. The socket server
(`fakes.core.server`, its gateway `fakes.core.rsgi_bridge`) enforces the read limits and timeouts; the pipeline
enforces the rest, in both transports.
"""

from __future__ import annotations

from typing import Any

# -- the request line and head -------------------------------------------------------------------------------
MAX_TARGET_BYTES = 8 * 1024  # path + query string; past it: 414
MAX_HEADER_BYTES = 32 * 1024  # all header names and values together; past it: 431
MAX_HEADER_COUNT = 64  # past it: 431
# The HTTP parser's own ceilings, above the limits above: a head past one (or malformed: a control character
# in a header, a broken request line) is refused by the parser itself with a bare 400/414/431 and no body.
PARSER_BUFFER_BYTES = 1024 * 1024  # the whole head
PARSER_MAX_HEADERS = 100  # fixed by the parser
PARSER_MAX_TARGET_BYTES = 65534  # fixed by the parser

# -- the body --------------------------------------------------------------------------------------------------
MAX_BODY_BYTES = 1024 * 1024  # Content-Length or the sum of chunks; past it: 413 (the admin seed too)
MAX_JSON_DEPTH = 32  # nesting of objects and arrays in a JSON body; past it: 400 before validation
MAX_JSON_VALUE_BYTES = 16 * 1024  # any single string (or key) in a JSON body; past it: 400 before validation

# -- time ------------------------------------------------------------------------------------------------------
HEADER_READ_TIMEOUT_S = 10.0  # from the connection's first byte (or the previous response) to a full head
BODY_READ_TIMEOUT_S = 10.0  # the whole body, once the head is in; past it: 408, and the connection closes
KEEP_ALIVE = True

# -- what the fakes echo back ------------------------------------------------------------------------------
MAX_VIOLATIONS_HEADER_BYTES = 4096  # X-Harness-Violations; longer lists end with VIOLATIONS_TRUNCATED
VIOLATIONS_TRUNCATED = {"truncated": True}  # the last item of a truncated X-Harness-Violations list
MAX_ECHO_CHARS = 200  # any request value quoted back in an error message or header
ECHO_MARKER = "...(truncated)"

# -- state -----------------------------------------------------------------------------------------------------
# Webhook deliveries kept per tenant (the oldest settled go first), and pending at once (past it the oldest
# pending one is given up as failed: a partner that never answers cannot grow the world without end).
MAX_DELIVERIES_PER_TENANT = 500
MAX_PENDING_DELIVERIES_PER_TENANT = 200
MAX_TENANTS = 1000  # past it, the least recently used idle tenant is evicted (never one a scenario holds)


def echo(value: Any) -> str:
    """A request value as it may be quoted back: at most MAX_ECHO_CHARS characters, marked when cut."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= MAX_ECHO_CHARS:
        return text
    return text[:MAX_ECHO_CHARS] + ECHO_MARKER


def json_text_within_shape(text: bytes) -> bool:
    """Whether a JSON text is too short to break MAX_JSON_DEPTH or MAX_JSON_VALUE_BYTES once parsed (no string
    can be longer than the text, no nesting deeper than its brackets): the common case, without a walk."""
    return len(text) <= MAX_JSON_VALUE_BYTES and text.count(b"{") + text.count(b"[") <= MAX_JSON_DEPTH


def json_shape_error(value: Any) -> str | None:
    """Why a parsed JSON body is past MAX_JSON_DEPTH or MAX_JSON_VALUE_BYTES; None when it is within both.

    Iterative, so a deep document cannot exhaust the Python stack while it is being checked."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth > MAX_JSON_DEPTH:
                return f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels"
            for key, child in item.items():
                if len(key) > MAX_JSON_VALUE_BYTES:
                    return f"a JSON key is longer than {MAX_JSON_VALUE_BYTES} characters"
                if isinstance(child, dict | list):
                    stack.append((child, depth + 1))
                elif isinstance(child, str) and len(child) > MAX_JSON_VALUE_BYTES:
                    return f"a JSON value is longer than {MAX_JSON_VALUE_BYTES} characters"
        elif isinstance(item, list):
            if depth > MAX_JSON_DEPTH:
                return f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels"
            for child in item:
                if isinstance(child, dict | list):
                    stack.append((child, depth + 1))
                elif isinstance(child, str) and len(child) > MAX_JSON_VALUE_BYTES:
                    return f"a JSON value is longer than {MAX_JSON_VALUE_BYTES} characters"
        elif isinstance(item, str) and len(item) > MAX_JSON_VALUE_BYTES:
            return f"a JSON value is longer than {MAX_JSON_VALUE_BYTES} characters"
    return None
