"""Meta's verification request: before it accepts a callback URL, Meta calls it and expects the challenge back.

    GET <callback_url>?hub.mode=subscribe&hub.challenge=<random>&hub.verify_token=<the partner's token>

The answer must be HTTP 200 with exactly the challenge as its body. Used for an app's `callback_url`
(`POST /{app-id}/subscriptions`) and for a WABA's `override_callback_uri` (`POST /{waba-id}/subscribed_apps`).
When it fails Graph answers the 2200 family (messages as Meta words them in real traffic):

- 2200 "(#2200) Callback verification failed with the following errors: HTTP Status Code = 404; HTTP Message =
  Not Found" when the answer is not 200, or "... curl_errno = 7; curl_error = ...; HTTP Status Code = 0" when
  nothing answered (refused, timed out, or a target the harness may not call);
- 2201 "(#2201) response does not match challenge, expected value=\"...\", received=\"...\"" for a 200 whose body
  is not the challenge.

The request goes through `world.outbound` (loopback only unless allowed; in-process mounts) and is journalled as
an outbound entry (operation `webhook:verification`); the verify token is redacted there like every secret.
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlencode, urlsplit, urlunsplit

from fakes.core.journal import JournalEntry
from fakes.core.limits import echo
from fakes.core.outbound import OutboundResult
from fakes.core.world import Tenant

from .errors import GraphError

USER_AGENT = "facebookplatform/1.0 (+http://developers.facebook.com)"
TIMEOUT_SECONDS = 5.0  # our choice: Meta documents no timeout for the verification request
RECEIVED_CHARS = 64  # how much of a wrong answer the 2201 message quotes (our choice)


def callback_failed(detail: str) -> GraphError:
    return GraphError(f"(#2200) Callback verification failed with the following errors: {detail}", 2200)


def challenge_mismatch(expected: str, received: str) -> GraphError:
    quoted = received[:RECEIVED_CHARS].replace('"', '\\"')
    return GraphError(
        f'(#2201) response does not match challenge, expected value="{expected}", received="{quoted}"', 2201
    )


def verification_url(callback_url: str, challenge: str, verify_token: str) -> str:
    parts = urlsplit(callback_url)
    query = urlencode({"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token})
    return urlunsplit(parts._replace(query=f"{parts.query}&{query}" if parts.query else query))


def verify_callback(tenant: Tenant, callback_url: str, verify_token: str) -> None:
    """Meta's verification request to `callback_url`; returns when it passed, raises the 2200 family otherwise.

    Call it without holding the world's lock when possible: it waits for the partner's answer."""
    challenge = tenant.ids.digits(10)  # Meta sends an integer
    url = verification_url(callback_url, challenge, verify_token)
    result = tenant.world.outbound.request("GET", url, {"User-Agent": USER_AGENT}, timeout=TIMEOUT_SECONDS)
    _journal(tenant, callback_url, challenge, verify_token, result)
    if result.status is None:
        reason = echo(result.error or "no answer")
        raise callback_failed(f"curl_errno = 7; curl_error = {reason}; HTTP Status Code = 0")
    if result.status != 200:
        try:
            phrase = HTTPStatus(result.status).phrase
        except ValueError:
            phrase = "Unknown Response Code"
        raise callback_failed(f"HTTP Status Code = {result.status}; HTTP Message = {phrase}")
    answer = result.body.decode("utf-8", "replace")
    if answer != challenge:
        raise challenge_mismatch(challenge, answer)


def _journal(tenant: Tenant, callback_url: str, challenge: str, verify_token: str, result: OutboundResult) -> None:
    answer = result.body if result.status is not None else (result.error or "").encode()
    tenant.world.journal.record(
        JournalEntry(
            seq=0,
            time=tenant.clock.now(),
            tenant=tenant.name,
            vendor="graph",
            operation="webhook:verification",
            method="GET",
            path=callback_url,
            query={"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token},
            request_headers={"User-Agent": USER_AGENT},
            request_body=None,
            status=result.status or 0,
            response_body=answer,
            duration_ms=result.latency_ms,
            direction="outbound",
        )
    )
