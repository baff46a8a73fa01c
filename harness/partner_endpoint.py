"""The partner's webhook endpoint in a scenario run: one reference receiver per scenario, wired into its tenant.

What the runner does with it (unless the scenario's `receiver:` says otherwise):

- a fresh `WebhookReceiver` (Telnyx's published key, the demo app's secret, a verify token), on the world's
  clock, so a stale-timestamp fault is judged against world time;
- in-process: mounted at `http://partner.localhost` (and `http://partner-failover.localhost` for the failover
  URL) with `Harness.deliver_to`; over sockets: served with `serve_receiver` on loopback ports;
- the tenant's `telnyx.user_data.webhook_url` set to `<endpoint>/telnyx` (`webhook_failover_url` too, with
  `receiver.failover`), and the demo app subscribed to `account_update` at `<endpoint>/meta`: seeded (no
  verification request), or through `POST /{app-id}/subscriptions` (`receiver.meta_subscription: graph`), which
  makes Graph's verification request to the receiver; `receiver.meta_verify_token: other` configures the receiver
  with another token, so the challenge fails and Graph answers 2200;
- `webhook_outcome(waba_id)`: what the reference client is given to read the verified `whatsapp.waba_added`;
- `summary()`: what the judge compares with `expect.webhooks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from fakes.core.world import AppSubscription
from fakes.harness import Harness

from .arming import APP_ID, APP_SECRET
from .webhook_receiver import ServedReceiver, WebhookReceiver, serve_receiver

PARTNER_ORIGIN = "http://partner.localhost"
FAILOVER_ORIGIN = "http://partner-failover.localhost"
VERIFY_TOKEN = "partner-verify-token-not-secret"
OTHER_VERIFY_TOKEN = "another-verify-token-not-ours"
SUBSCRIPTION_VERSION = "v22.0"
DRAIN_STEP_SECONDS = 1.0
DRAIN_LIMIT_SECONDS = 60.0


@dataclass
class PartnerEndpoint:
    """One scenario's receiver and where the vendors reach it."""

    receiver: WebhookReceiver
    root: str
    failover_root: str
    served: list[ServedReceiver] = field(default_factory=list)
    subscription: dict[str, Any] = field(default_factory=dict)  # how the Meta subscription went

    def webhook_outcome(self, waba_id: str) -> dict[str, Any] | None:
        """The verified `whatsapp.waba_added` payload for the WABA (status, errors, event_id), or None."""
        event = self.receiver.telnyx_outcome(waba_id)
        return dict(event.payload) if event is not None else None

    def summary(self, deliveries: list[dict[str, Any]]) -> dict[str, Any]:
        """What the receiver saw and how the fakes delivered, for the judge."""
        return {
            "accepted": [f"{e.event_type}/{e.status}" if e.status else e.event_type for e in self.receiver.events()],
            "refused": [r.kind for r in self.receiver.refusals()],
            "duplicates": len(self.receiver.duplicates()),
            "failover": [
                d["event"]
                for d in deliveries
                if d["state"] == "delivered" and d["attempts"] and d["attempts"][-1]["failover"]
            ],
            "meta_subscription": self.subscription.get("state", "none"),
        }

    def close(self) -> None:
        for served in self.served:
            served.stop()
        self.served.clear()


def open_endpoint(harness: Harness, now: Callable[[], float], options: dict[str, Any], socket: bool) -> PartnerEndpoint:
    """A receiver for one scenario, reachable in-process or on loopback ports."""
    token = OTHER_VERIFY_TOKEN if options.get("meta_verify_token") == "other" else VERIFY_TOKEN
    receiver = WebhookReceiver(
        telnyx_public_key=harness.telnyx_public_key, meta_app_secret=APP_SECRET, meta_verify_token=token, now=now
    )
    if not socket:
        harness.deliver_to(PARTNER_ORIGIN, receiver)
        harness.deliver_to(FAILOVER_ORIGIN, receiver)
        return PartnerEndpoint(receiver, PARTNER_ORIGIN, FAILOVER_ORIGIN)
    primary = serve_receiver(receiver)
    try:
        failover = serve_receiver(receiver)
    except BaseException:
        primary.stop()
        raise
    return PartnerEndpoint(receiver, primary.url, failover.url, [primary, failover])


def wire(
    harness: Harness, endpoint: PartnerEndpoint, tenant: str, options: dict[str, Any], graph_url: str, session: Any
) -> None:
    """Point the tenant's Telnyx account and the demo app's Meta subscription at the endpoint."""
    user_data = {"webhook_url": f"{endpoint.root}/telnyx"}
    if options.get("failover"):
        user_data["webhook_failover_url"] = f"{endpoint.failover_root}/telnyx"
    harness.seed({"telnyx": {"user_data": user_data}}, tenant)
    how = options.get("meta_subscription", "seeded")
    callback = f"{endpoint.root}/meta"
    if how == "seeded":
        with harness.world.lock:
            app = harness.world.tenant(tenant).meta.apps[APP_ID]
            app.webhooks["whatsapp_business_account"] = AppSubscription(
                object="whatsapp_business_account",
                callback_url=callback,
                verify_token=VERIFY_TOKEN,
                fields={"account_update": SUBSCRIPTION_VERSION},
            )
        endpoint.subscription = {"state": "active"}
    elif how == "graph":
        endpoint.subscription = subscribe_through_graph(session, graph_url, callback)


def subscribe_through_graph(session: requests.Session, graph_url: str, callback: str) -> dict[str, Any]:
    """`POST /{app-id}/subscriptions` as a partner's set-up script sends it; Graph verifies the callback first."""
    response = session.post(
        f"{graph_url}/{SUBSCRIPTION_VERSION}/{APP_ID}/subscriptions",
        data={
            "object": "whatsapp_business_account",
            "callback_url": callback,
            "fields": "account_update",
            "verify_token": VERIFY_TOKEN,
            "access_token": f"{APP_ID}|{APP_SECRET}",
        },
        timeout=10,
    )
    if response.ok:
        return {"state": "active"}
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = None
    return {"state": "refused", "http_status": response.status_code, "code": code}


def drain(harness: Harness, tenant: str, advance: Callable[[float], None]) -> None:
    """Let the tenant's deliveries still being retried finish (bounded, in world time), so every attempt is
    judged and none reaches the next scenario's receiver."""
    waited = 0.0
    while waited < DRAIN_LIMIT_SECONDS:
        with harness.world.lock:
            pending = harness.world.tenant(tenant).outbox.pending()
        if not pending:
            return
        advance(DRAIN_STEP_SECONDS)
        waited += DRAIN_STEP_SECONDS
