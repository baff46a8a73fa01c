"""The reference webhook receiver: how a partner's backend should take the two vendors' webhooks.

`WebhookReceiver` is a plain WSGI app (no framework) with three routes:

    POST /telnyx   Telnyx deliveries (Ed25519 over "timestamp|body", timestamp within the tolerance)
    GET  /meta     Meta's verification request: echo hub.challenge when hub.verify_token is ours
    POST /meta     Meta deliveries (X-Hub-Signature-256, HMAC-SHA256 of the body keyed by the app secret)

The rules it follows, and a partner's backend should too:

1. **Verify before parse.** The signature is checked over the raw bytes as they arrived; JSON is parsed only
   once they are proven to be the vendor's (`harness.webhook_verify`).
2. **Freshness** (Telnyx): a genuine delivery signed more than `tolerance_seconds` away from now is refused, so a
   captured one cannot be replayed. `now` is injectable: the harness runs on a simulated clock.
3. **Idempotency.** Vendors redeliver. A redelivery is answered 200 (or the vendor keeps retrying) but recorded
   as a duplicate and not processed again. Telnyx's key is `data.id`; Meta has no event id and redelivers the
   same bytes, so its key is the raw body's SHA-256 (`harness.webhook_envelopes`).
4. **Bounded memory.** At most `max_events` of each record (events, refusals, duplicates) and of dedupe keys are
   kept, the oldest dropped first; bodies past `max_body_bytes` are refused (413) unread.
5. **Say why.** Every refusal answers 4xx `{"error": "<reason>"}` and is recorded (`refusals()`). No secret,
   signature or verify token appears in an answer, a record or a log line.

Its parts: the signature checks (`harness.webhook_verify`), the envelopes (`harness.webhook_envelopes`) and the
bounded, thread-safe records the harness waits on without sleeping (`harness.webhook_records`); this module is
the HTTP side only.
`serve_receiver` serves it on a real socket with the project's server (`fakes.core.server.serve_wsgi`).
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from fakes.core.access import AccessPolicy, HostGuard
from fakes.core.server import LIMIT, ServedPort, serve_wsgi

from .webhook_envelopes import META, TELNYX, ReceivedEvent, meta_body_digest, parse_meta, parse_telnyx
from .webhook_records import Duplicate, Refusal, WebhookRecords
from .webhook_verify import (
    DEFAULT_TOLERANCE_SECONDS,
    Refused,
    load_telnyx_public_key,
    verify_meta,
    verify_telnyx,
    verify_token_matches,
)

__all__ = ["Duplicate", "ReceivedEvent", "Refusal", "ServedReceiver", "WebhookReceiver", "serve_receiver"]

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
READY_TIMEOUT_SECONDS = 10.0
READY_POLL_SECONDS = 0.01  # between two connection attempts while the server starts

log = logging.getLogger("harness.webhook_receiver")
Reply = tuple[int, list[tuple[str, str]], bytes]


class WebhookReceiver(WebhookRecords):
    """Receive, verify and record both vendors' webhooks; a WSGI app. A vendor left unconfigured is refused (404).

    What it recorded is read with the methods of `WebhookRecords` (`events()`, `refusals()`, `duplicates()`,
    `telnyx_outcome(waba_id)`, `meta_account_updates(waba_id)`, `wait_for(predicate, timeout)`...)."""

    def __init__(
        self,
        telnyx_public_key: str | None = None,
        meta_app_secret: str | None = None,
        meta_verify_token: str | None = None,
        now: Callable[[], float] = time.time,
        tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
        max_events: int = 1000,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        super().__init__(max_events)
        if max_body_bytes < 1 or tolerance_seconds < 0:
            raise ValueError("max_body_bytes must be positive, tolerance_seconds not negative")
        self._telnyx_key = load_telnyx_public_key(telnyx_public_key) if telnyx_public_key else None
        self._meta_secret = meta_app_secret.encode("utf-8") if meta_app_secret else None
        self._verify_token = meta_verify_token or None
        self._now = now
        self.tolerance_seconds = tolerance_seconds
        self.max_body_bytes = max_body_bytes

    def __repr__(self) -> str:  # never the secrets
        vendors = [name for name, on in ((TELNYX, self._telnyx_key), (META, self._meta_secret)) if on]
        return f"<WebhookReceiver vendors={vendors} events={len(self.events())} refusals={len(self.refusals())}>"

    # -- WSGI ----------------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        status, headers, body = self._handle(environ)
        headers.append(("Content-Length", str(len(body))))
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [body]

    def _handle(self, environ: dict[str, Any]) -> Reply:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        vendor = {"/telnyx": TELNYX, "/meta": META}.get(path)
        allowed = {TELNYX: ("POST",), META: ("GET", "POST")}.get(vendor or "", ())
        try:
            if vendor is None:
                raise Refused("not_found", 404, "no such route: deliveries go to POST /telnyx and POST /meta")
            if method not in allowed:
                raise Refused("method_not_allowed", 405, f"{path} answers {' and '.join(allowed)} only")
            if method == "GET":
                return self._meta_challenge(environ)
            body = _read_body(environ, self.max_body_bytes)
            return self._telnyx(environ, body) if vendor == TELNYX else self._meta(environ, body)
        except Refused as refused:
            self._refuse(refused, vendor, method, path)
            reply = _json(refused.status, {"error": refused.message})
            if refused.status == 405:
                reply[1].append(("Allow", ", ".join(allowed)))
            return reply

    def _telnyx(self, environ: dict[str, Any], body: bytes) -> Reply:
        if self._telnyx_key is None:
            raise Refused("not_configured", 404, "this receiver has no Telnyx public key")
        now = self._now()
        signature, timestamp = environ.get("HTTP_TELNYX_SIGNATURE_ED25519"), environ.get("HTTP_TELNYX_TIMESTAMP")
        verify_telnyx(self._telnyx_key, signature, timestamp, body, now, self.tolerance_seconds)
        event = parse_telnyx(_parse_json(body), now)
        return _delivered(self.record_delivery(TELNYX, event.id, [event], now), 1)

    def _meta(self, environ: dict[str, Any], body: bytes) -> Reply:
        if self._meta_secret is None:
            raise Refused("not_configured", 404, "this receiver has no Meta app secret")
        now = self._now()
        verify_meta(self._meta_secret, environ.get("HTTP_X_HUB_SIGNATURE_256"), body)
        digest = meta_body_digest(body)
        events = parse_meta(_parse_json(body), digest, now)
        return _delivered(self.record_delivery(META, digest, events, now), len(events))

    def _meta_challenge(self, environ: dict[str, Any]) -> Reply:
        """Meta's subscription check: 200 with exactly hub.challenge (text/plain) if mode and token hold, else 403."""
        if self._verify_token is None:
            raise Refused("not_configured", 404, "this receiver has no Meta verify token")
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        mode, token, challenge = (
            query.get(name, [None])[0] for name in ("hub.mode", "hub.verify_token", "hub.challenge")
        )
        if mode != "subscribe":
            raise Refused("bad_mode", 403, "hub.mode must be subscribe")
        if not verify_token_matches(self._verify_token, token):
            raise Refused("bad_verify_token", 403, "hub.verify_token is not this receiver's")
        if not challenge:
            raise Refused("missing_challenge", 400, "hub.challenge is missing")
        headers = [("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff")]
        return 200, headers, challenge.encode("utf-8")

    def _refuse(self, refused: Refused, vendor: str | None, method: str, path: str) -> None:
        log.info("refused %s %s (%s): %s %s", method, path[:100], vendor or "no vendor", refused.status, refused.kind)
        message, now = refused.message, self._now()
        self.record_refusal(Refusal(refused.kind, vendor, refused.status, message, method, path[:200], now))


def _read_body(environ: dict[str, Any], cap: int) -> bytes:
    """The raw body, at most `cap` bytes (413 past it, unread when Content-Length says so)."""
    marked = environ.get(LIMIT)  # the project's server read the body already, or found it past its own limits
    if marked is not None:
        raise Refused("too_large" if marked[0] == 413 else "bad_request", marked[0], marked[1])
    length = environ.get("CONTENT_LENGTH") or ""
    if length and not length.isdigit():
        raise Refused("bad_request", 400, "the Content-Length header is not a number")
    if length and int(length) > cap:
        raise Refused("too_large", 413, f"the request body is larger than {cap} bytes")
    stream = environ["wsgi.input"]
    if length:
        body: bytes = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read(cap + 1)
    else:
        body = b""
    if len(body) > cap:
        raise Refused("too_large", 413, f"the request body is larger than {cap} bytes")
    return body


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise Refused("not_json", 400, "the body is not JSON") from None


def _delivered(processed: bool, count: int) -> Reply:
    """200 either way: a redelivery must not be retried by the vendor, only not processed twice."""
    return _json(200, {"status": "processed", "events": count} if processed else {"status": "duplicate"})


def _json(status: int, document: dict[str, Any]) -> Reply:
    return status, [("Content-Type", "application/json")], json.dumps(document).encode("utf-8")


class ServedReceiver:
    """A receiver on a real socket: `url` (its root), `telnyx_url`, `meta_url`; `stop()` closes it."""

    def __init__(self, receiver: WebhookReceiver, port: ServedPort) -> None:
        self.receiver = receiver
        self._port = port

    @property
    def url(self) -> str:
        host = f"[{self._port.host}]" if ":" in self._port.host else self._port.host
        return f"http://{host}:{self._port.port}"

    @property
    def telnyx_url(self) -> str:
        return f"{self.url}/telnyx"

    @property
    def meta_url(self) -> str:
        return f"{self.url}/meta"

    def stop(self) -> None:
        self._port.stop()

    def __enter__(self) -> ServedReceiver:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def serve_receiver(receiver: WebhookReceiver, host: str = "127.0.0.1", port: int = 0) -> ServedReceiver:
    """Serve `receiver` on host:port (0 picks a free port) in this process, behind the Host guard every port of
    the project has (loopback names, or `host` itself). Returns once the port accepts connections."""
    policy = AccessPolicy()
    policy.allow_host(host)
    served = serve_wsgi(HostGuard(receiver, policy), host, port, "receiver")
    try:
        _wait_listening(served.host, served.port)
    except BaseException:
        served.stop()
        raise
    return ServedReceiver(receiver, served)


def _wait_listening(host: str, port: int, timeout: float = READY_TIMEOUT_SECONDS) -> None:
    """Connect until the server listens (TimeoutError after `timeout`). A bare TCP connection, not a request:
    readiness leaves no refusal in the records."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((host, port), timeout=1.0).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the webhook receiver on port {port} did not start within {timeout:g} s") from None
            time.sleep(READY_POLL_SECONDS)
