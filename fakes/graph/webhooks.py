"""Meta's webhook deliveries to the partner's app: envelope, signature, targets, batching, retries.

    {"object": "whatsapp_business_account",
     "entry": [{"id": "<WABA id>", "time": <unix seconds>, "changes": [{"value": {...}, "field": "account_update"}]}]}

signed `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>` (and the older `X-Hub-Signature:
sha1=...`, which Meta still sends), `Content-Type: application/json`, `User-Agent: facebookexternalua`.

Who gets a change: each app subscribed to the WABA (`POST /{waba}/subscribed_apps`) whose app subscription
(`POST /{app}/subscriptions`, object whatsapp_business_account) covers the change's field; for the partner events
of account_update (PARTNER_ADDED, PARTNER_APP_INSTALLED, PARTNER_APP_UNINSTALLED) the app the customer shared the
WABA with, which is not subscribed to it yet when the signup ends. Where: the WABA's `override_callback_uri` for
that app when it has one, else the app's `callback_url`. No subscription for the field: nothing is sent.

Batching: the changes of one call to `notify` for one app and URL are one POST (one entry per WABA). A change for
an app and URL whose earlier POST is still queued behind another delivery to that URL (the partner is failing
and being retried) joins that waiting POST instead, up to Meta's 1000 changes per POST.

Retries: see `DEFAULT_RETRY_SECONDS`. The delivery engine (fakes/core/delivery.py) runs the attempts.

Call it from any rule: `notify(tenant, [Change(waba_id, field, value)])`, or the named events below
(`partner_installed`, `partner_uninstalled`, `phone_number_name_update`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from fakes.core.delivery import Delivery, RetryPolicy
from fakes.core.world import MetaApp, PhoneNumber, Tenant

from . import subscriptions
from .app_subscriptions import WABA_OBJECT, subscribed_to

VENDOR = "graph"
USER_AGENT = "facebookexternalua"
MAX_CHANGES_PER_POST = 1000  # Meta: "aggregated and sent in a batch with a maximum of 1000 updates"
# DELIBERATE DEPARTURE (the one place it is decided): Meta retries a failed delivery (no answer, or not 2xx)
# "immediately", then with decreasing frequency for up to 36 hours (Graph webhooks guide; the WhatsApp guide says
# up to 7 days). The fake waits these many seconds of world time between attempts instead, so a run that meets a
# failing partner stays fast: 4 attempts over 7 s. A seed sets another schedule per app
# (`webhooks.retry_seconds`); docs/webhooks.md and specs/graph.yaml (createAppSubscription) say the same.
DEFAULT_RETRY_SECONDS: tuple[float, ...] = (1.0, 2.0, 4.0)
PARTNER_EVENTS = ("PARTNER_ADDED", "PARTNER_APP_INSTALLED", "PARTNER_APP_UNINSTALLED", "PARTNER_REMOVED")


@dataclass(frozen=True)
class HubSigner:
    """The delivery engine's signer for one app: Meta's headers over the raw body."""

    app_id: str
    secret: str = field(repr=False)

    def __call__(self, body: bytes, unix_time: float) -> dict[str, str]:
        key = self.secret.encode()
        return {
            "X-Hub-Signature-256": "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest(),
            "X-Hub-Signature": "sha1=" + hmac.new(key, body, hashlib.sha1).hexdigest(),
            "User-Agent": USER_AGENT,
        }


def signature(app_secret: str, body: bytes) -> str:
    """What a receiver computes to check `X-Hub-Signature-256` (the value after `sha256=`)."""
    return hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Change:
    """One change of one WABA. `app_ids` None: the apps subscribed to the WABA."""

    waba_id: str
    field: str
    value: dict[str, Any]
    app_ids: list[str] | None = None


def retry_policy(app: MetaApp) -> RetryPolicy:
    seconds = app.webhook_retry_seconds if app.webhook_retry_seconds is not None else DEFAULT_RETRY_SECONDS
    return RetryPolicy(retry_seconds=tuple(seconds))


def target_url(tenant: Tenant, app: MetaApp, waba_id: str, field_name: str) -> str | None:
    """Where Meta sends `field_name` of this WABA for this app, or None when the app is not subscribed to it."""
    sub = subscribed_to(app, field_name, WABA_OBJECT)
    if sub is None:
        return None
    waba = tenant.meta.wabas.get(waba_id)
    override = waba.subscription_overrides.get(app.id) if waba is not None else None
    return override["override_callback_uri"] if override else sub.callback_url


def notify(tenant: Tenant, changes: list[Change]) -> list[Delivery]:
    """Send these changes to every app that gets them (see the module docstring); returns the deliveries made
    or extended. Apps without a subscription for a change's field get nothing."""
    now = int(tenant.clock.now())
    batches: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for change in changes:
        waba = tenant.meta.wabas.get(change.waba_id)
        app_ids = change.app_ids if change.app_ids is not None else (waba.subscribed_apps if waba else [])
        for app_id in app_ids:
            app = tenant.meta.apps.get(app_id)
            url = target_url(tenant, app, change.waba_id, change.field) if app is not None else None
            if app is None or url is None:
                continue
            sub = app.webhooks[WABA_OBJECT]
            item: dict[str, Any] = {"value": change.value, "field": change.field}
            if not sub.include_values:
                item = {"field": change.field}
            entries = batches.setdefault((app_id, url), [])
            if entries and entries[-1]["id"] == change.waba_id:
                entries[-1]["changes"].append(item)
            else:
                entries.append({"id": change.waba_id, "time": now, "changes": [item]})
    made = []
    for (app_id, url), entries in batches.items():
        app = tenant.meta.apps[app_id]
        joined = _join_waiting(tenant, app_id, url, entries)
        if joined is not None:
            made.append(joined)
            continue
        body = _dump({"object": WABA_OBJECT, "entry": entries})
        event = entries[0]["changes"][0]["field"]
        signer = HubSigner(app.id, app.secret)
        made.append(tenant.world.deliveries.enqueue(tenant, VENDOR, event, url, body, signer, retry_policy(app)))
    return made


def _dump(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, separators=(",", ":")).encode()


def _count(envelope: dict[str, Any]) -> int:
    return sum(len(entry.get("changes", [])) for entry in envelope.get("entry", []))


def _join_waiting(tenant: Tenant, app_id: str, url: str, entries: list[dict[str, Any]]) -> Delivery | None:
    """Add the entries to this app's POST to `url` that waits, unattempted, behind an earlier delivery to the
    same URL (so no attempt of it can be under way while its body changes). None when there is none."""
    adding = sum(len(entry["changes"]) for entry in entries)
    with tenant.world.lock:
        pending = tenant.outbox.pending()
        for delivery in reversed(pending):
            signer = delivery.signer
            if (
                delivery.vendor != VENDOR
                or delivery.url != url
                or not isinstance(signer, HubSigner)
                or signer.app_id != app_id
                or delivery.attempts
                or delivery.faults
                or delivery.duplicate_of is not None
            ):
                continue
            queued_behind = any(
                other.url == url and other.seq < delivery.seq and other.held_for is None for other in pending
            )
            if not queued_behind:
                continue
            envelope = json.loads(delivery.body)
            if _count(envelope) + adding > MAX_CHANGES_PER_POST:
                continue
            envelope["entry"].extend(entries)
            delivery.body = _dump(envelope)
            return delivery
    return None


# -- the events the lifecycle produces ----------------------------------------------------------------------


def _waba_info(tenant: Tenant, waba_id: str, app_id: str | None) -> dict[str, Any]:
    waba = tenant.meta.wabas.get(waba_id)
    info: dict[str, Any] = {"waba_id": waba_id, "owner_business_id": waba.business_id if waba else ""}
    if app_id is not None:
        info["partner_app_id"] = app_id
    return info


def account_update(tenant: Tenant, waba_id: str, event: str, app_id: str | None = None) -> Change:
    """An account_update change (Meta's account_update reference). A partner event goes to `app_id` alone."""
    value: dict[str, Any] = {"event": event}
    if event in PARTNER_EVENTS:
        with_app = app_id if event in ("PARTNER_APP_INSTALLED", "PARTNER_APP_UNINSTALLED") else None
        value["waba_info"] = _waba_info(tenant, waba_id, with_app)
    return Change(waba_id, "account_update", value, [app_id] if app_id is not None else None)


def partner_installed(tenant: Tenant, waba_ids: list[str], app_id: str) -> list[Delivery]:
    """The customer finished Embedded Signup and shared these WABAs with the app: PARTNER_ADDED and
    PARTNER_APP_INSTALLED for each, in one POST."""
    changes = []
    for waba_id in waba_ids:
        changes += [account_update(tenant, waba_id, e, app_id) for e in ("PARTNER_ADDED", "PARTNER_APP_INSTALLED")]
    return notify(tenant, changes)


def partner_uninstalled(tenant: Tenant, app_id: str) -> list[Delivery]:
    """The customer removed the app: PARTNER_APP_UNINSTALLED for every WABA it had been shared, then the app
    loses them and its tokens answer 190/458 (`MetaApp.installed`)."""
    app = tenant.meta.apps.get(app_id)
    if app is None:
        return []
    shared = [w.id for w in tenant.meta.wabas.values() if app_id in w.shared_with]
    made = notify(tenant, [account_update(tenant, w, "PARTNER_APP_UNINSTALLED", app_id) for w in shared])
    for waba_id in shared:
        waba = tenant.meta.wabas[waba_id]
        waba.shared_with = tuple(a for a in waba.shared_with if a != app_id)
        subscriptions.unsubscribe(waba, app_id)
    app.installed = False
    return made


def phone_number_name_update(tenant: Tenant, phone: PhoneNumber, decision: str = "APPROVED") -> list[Delivery]:
    """The number's display name decision (sent when a number first registers: its name is live on the API)."""
    value = {
        "display_phone_number": phone.e164.lstrip("+"),
        "decision": decision,
        "requested_verified_name": phone.verified_name,
        "rejection_reason": None,
    }
    return notify(tenant, [Change(phone.waba_id, "phone_number_name_update", value)])
