"""One HTTP call to a vendor: headers, timeout, the retry loop, JSON decoding, logging without secrets.

Vendor-neutral: it knows nothing of envelopes or codes. It returns the final response (success or not) with
the number of attempts it took, and raises only for failures that never produced a response.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from .config import ClientConfig
from .errors import MalformedVendorResponse, VendorError, VendorTimeout, VendorUnavailable
from .redaction import Redactor
from .retry import is_retryable_status, retry_hint

USER_AGENT = "whatsapp-signup-harness-client/0.1"
TRACE_HEADERS = ("x-fb-trace-id", "x-request-id", "request-id")


@dataclass(frozen=True)
class Call:
    """What to send. `redactor` knows every secret the call carries (code, token, app secret, API key)."""

    vendor: str
    operation: str
    method: str
    url: str
    redactor: Redactor
    params: dict[str, str] | None = None
    json: dict[str, Any] | None = None
    headers: dict[str, str] | None = None


@dataclass(frozen=True)
class Reply:
    call: Call
    response: requests.Response
    attempts: int

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def trace_id(self) -> str | None:
        return trace_id_of(self.response)

    def json(self) -> Any:
        """The decoded body; `MalformedVendorResponse` when it is not JSON."""
        try:
            return self.response.json()
        except ValueError:
            raise self.malformed("body is not JSON") from None

    def malformed(self, problem: str) -> MalformedVendorResponse:
        call = self.call
        return MalformedVendorResponse(
            f"{call.vendor} {call.operation}: HTTP {self.status}, {problem}",
            vendor=call.vendor,
            operation=call.operation,
            http_status=self.status,
            trace_id=self.trace_id,
            attempts=self.attempts,
            redactor=call.redactor,
        )


def trace_id_of(response: requests.Response) -> str | None:
    return next((response.headers[h] for h in TRACE_HEADERS if response.headers.get(h)), None)


class Transport:
    def __init__(self, config: ClientConfig, session: requests.Session, logger: logging.Logger) -> None:
        self._config = config
        self._session = session
        self._log = logger

    def send(self, call: Call) -> Reply:
        """Send `call`, retrying 429 / 5xx / connection failures within the policy's attempts and budget."""
        policy = self._config.retry
        started = policy.monotonic()
        path = call.redactor.text(urlsplit(call.url).path)
        attempt = 0
        while True:
            attempt += 1
            response, failure = self._attempt(call, attempt)
            if response is not None:
                self._log.debug(
                    "%s %s %s %s -> HTTP %s (attempt %d, trace %s)",
                    call.vendor,
                    call.operation,
                    call.method,
                    path,
                    response.status_code,
                    attempt,
                    call.redactor.text(trace_id_of(response)),
                )
                if not is_retryable_status(response.status_code):
                    return Reply(call, response, attempt)
                hint = retry_hint(response.status_code, response.headers)
                reason = f"HTTP {response.status_code}"
            else:
                hint, reason = None, failure or "connection failed"
            delay = policy.delay_before_next(attempt, hint)
            remaining = policy.total_budget - (policy.monotonic() - started)
            if attempt >= policy.max_attempts or delay > remaining:
                self._log.warning(
                    "%s %s: giving up after %d attempt(s) (%s)", call.vendor, call.operation, attempt, reason
                )
                if response is not None:
                    return Reply(call, response, attempt)
                raise self._failure(VendorUnavailable, call, attempt, reason)
            self._log.warning(
                "%s %s: %s, retrying in %.2fs (attempt %d of %d)",
                call.vendor,
                call.operation,
                reason,
                delay,
                attempt + 1,
                policy.max_attempts,
            )
            policy.sleep(delay)

    def _attempt(self, call: Call, attempt: int) -> tuple[requests.Response | None, str | None]:
        """One request. Exception texts are never used: requests puts the full URL, query included, in them."""
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        headers.update(self._config.extra_headers)
        headers.update(call.headers or {})
        failure: type[Any] | None = None
        try:
            response = self._session.request(
                call.method,
                call.url,
                params=call.params,
                json=call.json,
                headers=headers,
                timeout=self._config.timeout,
                allow_redirects=False,
            )
        except requests.ConnectionError as exc:  # includes ConnectTimeout. Retrying is safe: the Graph calls
            # are reads and a repeated Telnyx registration with the same data is idempotent.
            return None, f"connection failed ({type(exc).__name__})"
        except requests.RequestException as exc:
            failure = type(exc)
        if failure is None:
            return response, None
        # Raised outside the except block, so the secret-bearing requests exception is not even chained.
        if issubclass(failure, requests.Timeout):
            raise self._failure(VendorTimeout, call, attempt, "no response before the read timeout")
        raise self._failure(VendorError, call, attempt, f"transport error ({failure.__name__})")

    def _failure(self, cls: type[Any], call: Call, attempts: int, what: str) -> Any:
        suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
        return cls(
            f"{call.vendor} {call.operation}: {what}{suffix}",
            vendor=call.vendor,
            operation=call.operation,
            attempts=attempts,
            redactor=call.redactor,
        )
