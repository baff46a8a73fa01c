"""A scenario's hosted signup (`hosted:`), played by the runner in place of the tech_provider registration.

Telnyx's hosted signup is the path where Telnyx, not the partner, registers the WABA: the partner creates one,
sends the customer its URL, and the customer completes Meta's signup on Telnyx's page; that starts the same
signup session a tech_provider registration does. The runner plays the customer with the popup's WABA and
number (`fakes.telnyx.hosted_signups`), after letting the link expire when `hosted.expired` says so; then the
reference client waits for the session (`OnboardingClient.await_session`) exactly as after a registration.
An expired link is Telnyx's 422 10015, read through the client's mapping table (`HostedSignupExpired`).
"""

from __future__ import annotations

from typing import Any

from fakes.core.clock import ManualClock
from fakes.core.errors import VendorError
from fakes.harness import Harness
from fakes.telnyx import hosted_signups

from .arming import APP_ID
from .client import OnboardingClient
from .client.mapping import error_from_fault
from .client.telnyx import fault_from_body

OPERATION = "completeHostedSignup"


def play_hosted(
    harness: Harness,
    clock: ManualClock,
    client: OnboardingClient,
    tenant: str,
    signup: dict[str, Any],
    hosted: dict[str, Any],
) -> dict[str, Any]:
    """Create, (expire,) complete, wait: the result the runner reports, or an OnboardingError raised."""
    world_tenant = harness.world.tenant(tenant)
    with harness.world.lock:
        record = hosted_signups.create_hosted_signup(world_tenant, {"app_id": APP_ID})
    if hosted.get("expired"):
        clock.advance(record.expires_at - clock.now() + 1)
    try:
        with harness.world.lock:
            session = hosted_signups.complete_hosted_signup(
                world_tenant, record, signup["waba_id"], signup["phone_number_id"]
            )
    except VendorError as exc:
        # The customer's page failed, not a call of the backend's: no HTTP status of the client's to report.
        fault = fault_from_body(exc.body(), OPERATION, None, trace_id=record.id)
        raise error_from_fault(fault) from None
    outcome = client.await_session(signup["waba_id"], session.id)
    return {
        "waba_id": signup["waba_id"],
        "phone_number_id": signup["phone_number_id"],
        "status": outcome.status,
        "customer_id": None,
        "resolved_via": "hosted",
        "session": outcome.to_dict(),
    }
