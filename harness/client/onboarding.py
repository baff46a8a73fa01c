"""The partner backend's onboarding, step by step, as the vendor guide describes it.

1. interpret the browser's event     cancel / error -> raise, before any network call; no code -> raise
2. exchange the code                 GET  graph /{v}/oauth/access_token
3. resolve the ids                   event first; else debug_token (WABA), /{waba}/phone_numbers (number)
4. register with Telnyx              POST telnyx /whatsapp/business_accounts/tech_provider
5. wait for the session (opt-in)     the whatsapp.waba_added webhook, else GET telnyx /whatsapp/signup/{id}/status
                                     (outcome.py: bounded, FAILURE and PENDING become errors)
6. report                            OnboardingResult
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

import requests

from .config import ClientConfig
from .errors import (
    MalformedVendorResponse,
    MissingAuthorizationCode,
    NoWabaIdReturned,
    OnboardingError,
    SignupCancelled,
    SignupError,
)
from .events import SignupEvent, SignupOutcome
from .graph import GraphApi, waba_ids_from_debug
from .outcome import OutcomeWait, OutcomeWaiter, SessionOutcome, WebhookOutcome
from .redaction import Redactor
from .telnyx import TelnyxApi
from .transport import Transport

SIGNUP = "signup"


@dataclass(frozen=True)
class OnboardingResult:
    """A registered WABA. `resolved_via` is "event" when the event carried both ids, else "graph". `session` is
    how Telnyx's signup session ended (`SessionOutcome.to_dict()`, with `learned_via`) when the client waited for
    it, else None."""

    waba_id: str
    phone_number_id: str
    status: str
    customer_id: str | None
    resolved_via: str
    registration: dict[str, Any] = field(default_factory=dict)
    session: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class OnboardingClient:
    """The reference partner backend. Pass `session` to route requests through your own transport adapter.

    `outcome_wait` (else `config.outcome_wait`) turns on step 5: after the registration, wait for Telnyx's signup
    session to end (see `outcome.py`), learning it from `webhook_outcome(waba_id)` (what your webhook receiver
    verified: the `whatsapp.waba_added` payload, or None) and polling the session's status as the fallback.
    Without it `onboard` returns as soon as Telnyx accepts the registration, as before."""

    def __init__(
        self,
        config: ClientConfig,
        session: requests.Session | None = None,
        logger: logging.Logger | None = None,
        outcome_wait: OutcomeWait | None = None,
        webhook_outcome: WebhookOutcome | None = None,
    ) -> None:
        self.config = config
        self.outcome_wait = outcome_wait or config.outcome_wait
        self.webhook_outcome = webhook_outcome
        self._owns_session = session is None
        self.session = session if session is not None else _new_session(config)
        self._log = logger or logging.getLogger("harness.client")
        self._redactor = Redactor(config.secrets())
        transport = Transport(config, self.session, self._log)
        self._graph = GraphApi(config, transport, self._redactor)
        self._telnyx = TelnyxApi(config, transport, self._redactor)

    # --- the steps, usable one by one -----------------------------------------------------------------------

    def exchange_code(self, code: str) -> str:
        """The business token for an Embedded Signup code (a secret: never log it)."""
        return self._graph.exchange_code(code)

    def debug_token(self, token: str) -> dict[str, Any]:
        """debug_token's `data` for `token`, checked valid and issued to our app."""
        return self._graph.debug_token(token)

    def list_phone_numbers(self, token: str, waba_id: str) -> list[dict[str, Any]]:
        return self._graph.list_phone_numbers(token, waba_id)

    def register(self, waba_id: str, phone_number_id: str, customer_id: str | None = None) -> dict[str, Any]:
        """Register the WABA with Telnyx; returns the response's `data`."""
        return self._telnyx.register(waba_id, phone_number_id, customer_id)

    def signup_status(self, session_id: str) -> dict[str, Any]:
        """Telnyx's signup session: `data` of GET /whatsapp/signup/{session_id}/status."""
        return self._telnyx.signup_status(session_id)

    def await_session(self, waba_id: str, session_id: str | None) -> SessionOutcome:
        """Step 5 on its own (a hosted signup's session too): SUCCESS, or SignupSessionFailed /
        SignupSessionTimedOut. Uses `outcome_wait` (its defaults when the client has none)."""
        retry = self.config.retry
        waiter = OutcomeWaiter(
            self.outcome_wait or OutcomeWait(),
            self._telnyx.signup_status,
            retry.sleep,
            retry.monotonic,
            self.webhook_outcome,
            self._redactor,
        )
        outcome = waiter.wait(waba_id, session_id)
        self._log.info(
            "signup session %s for WABA %s: %s (learned via %s after %g s)",
            outcome.session_id,
            waba_id,
            outcome.status,
            outcome.learned_via,
            outcome.waited_seconds,
        )
        return outcome

    # --- the whole flow -------------------------------------------------------------------------------------

    def onboard(self, outcome: SignupOutcome, customer_id: str | None = None) -> OnboardingResult:
        secrets: list[str | None] = [outcome.code]
        try:
            event = self._interpret(outcome, self._redactor.with_secrets(outcome.code))
            code = outcome.code
            if not code:
                raise MissingAuthorizationCode(
                    "signup exchangeCode: the browser handed over no authorization code",
                    vendor=SIGNUP,
                    operation="exchangeCode",
                )
            token = self._graph.exchange_code(code)
            secrets.append(token)
            waba_id, phone_number_id, via = self._resolve(event, token)
            registration = self._telnyx.register(waba_id, phone_number_id, customer_id)
            session = self._wait(waba_id, registration)
        except OnboardingError as error:
            error.redact(*self.config.secrets(), *secrets)
            self._log.warning(
                "onboarding failed: %s (%s %s, HTTP %s, code %s, trace %s)",
                type(error).__name__,
                error.vendor,
                error.operation,
                error.http_status,
                error.vendor_code,
                error.trace_id,
            )
            raise
        result = OnboardingResult(
            waba_id=waba_id,
            phone_number_id=phone_number_id,
            status=str(registration["status"]),
            customer_id=customer_id,
            resolved_via=via,
            registration=registration,
            session=session.to_dict() if session else None,
        )
        self._log.info(
            "onboarded WABA %s, phone number %s: %s (ids from %s)",
            waba_id,
            phone_number_id,
            result.status,
            via,
        )
        return result

    def _wait(self, waba_id: str, registration: dict[str, Any]) -> SessionOutcome | None:
        """Step 5, when asked for. A registration without `session_id` (one Telnyx held already) has no session
        to wait for."""
        if self.outcome_wait is None:
            return None
        session_id = registration.get("session_id")
        if not isinstance(session_id, str) or not session_id:
            self._log.info("registration of WABA %s carries no signup session: nothing to wait for", waba_id)
            return None
        return self.await_session(waba_id, session_id)

    def _interpret(self, outcome: SignupOutcome, redactor: Redactor) -> SignupEvent | None:
        """Step 1: a cancel or an error in the event ends the onboarding before any network call."""
        try:
            event = outcome.parsed_event()
        except ValueError as exc:
            raise MalformedVendorResponse(
                f"signup embeddedSignup: {exc}", vendor=SIGNUP, operation="embeddedSignup"
            ) from None
        if event is None:
            return None
        if event.kind == "cancel":
            details = {"event": event.event, "version": event.version}
            raise SignupCancelled(event.current_step, details=details)
        if event.kind == "error":
            raise SignupError(
                f"signup embeddedSignup: {event.event}, code {event.error_code}: {event.error_message}",
                vendor=SIGNUP,
                operation="embeddedSignup",
                vendor_code=event.error_code,
                trace_id=event.session_id,
                details={"event": event.event, "timestamp": event.timestamp, "version": event.version},
                redactor=redactor,
            )
        if event.kind == "unknown":
            name = redactor.text(event.event)
            self._log.warning("unknown Embedded Signup event %r: resolving ids through Graph", name)
        return event

    def _resolve(self, event: SignupEvent | None, token: str) -> tuple[str, str, str]:
        """Step 3: ids from the event, else from Graph. Raises NoWabaIdReturned before Telnyx is called."""
        waba_id = event.waba_id if event else None
        phone_number_id = event.phone_number_id if event else None
        via = "event"
        if waba_id is None:
            waba_ids = waba_ids_from_debug(self._graph.debug_token(token))
            if not waba_ids:
                raise NoWabaIdReturned(
                    "signup debugToken: no WABA id in the event nor in the token's whatsapp_business_management scope",
                    vendor=SIGNUP,
                    operation="debugToken",
                )
            waba_id, via = waba_ids[0], "graph"
        if phone_number_id is None:
            numbers = self._graph.list_phone_numbers(token, waba_id)
            if not numbers:
                raise NoWabaIdReturned(
                    f"signup listWabaPhoneNumbers: WABA {waba_id} has no phone number, nor did the event",
                    vendor=SIGNUP,
                    operation="listWabaPhoneNumbers",
                )
            phone_number_id, via = numbers[0]["id"], "graph"
        return waba_id, phone_number_id, via

    # --- lifecycle ------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the session if this client created it."""
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> OnboardingClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _new_session(config: ClientConfig) -> requests.Session:
    session = requests.Session()
    # Loopback only: ignore proxy variables and ~/.netrc, which could send our calls elsewhere or add headers.
    session.trust_env = config.allow_remote
    return session
