"""verify's webhook half: deliver the vendors' webhooks to a partner's endpoint and judge how it answered.

For a scenario whose webhooks are judged (`WebhookOptions.enabled`):

1. `seed_targets`: the tenant's Telnyx `user_data.webhook_url` (`--webhook-url`) and the Meta app's
   subscription (`--meta-webhook-url`, `--meta-verify-token`) are set before the popup ends, and the signup
   session's stages made short (`STAGE_SECONDS` each) so little world time passes;
2. the partner's command runs (on a thread); once the tenant has a signup session (the partner registered) or
   the command exited, `drive` moves the world clock in small steps until every session ended and every
   delivery settled (bounded by `MAX_VIRTUAL_SECONDS`);
3. `judge_deliveries` reads the tenant's deliveries (each attempt's answer, the faults applied) and says, per
   delivery, accepted / refused / unreachable, and what was expected: a genuine delivery answered 2xx, a forged
   one (bad signature, stale timestamp) refused with a 4xx, a duplicate answered 2xx.

The partner's SDK checks a Telnyx timestamp against its machine's clock (the official SDK: within 300 s), so
`sync_clock` moves the world's clock to the wall-clock time before each such scenario (a world clock never runs
back; the virtual advances stay a few seconds per scenario). `CHECKS` are the verify-only webhook scenarios: the
standard success scenario with a delivery fault armed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from fakes.core.clock import Clock
from fakes.core.world import AppSubscription
from fakes.harness import Harness
from fakes.telnyx.signup_sessions import STAGES

from .arming import APP_ID
from .scenarios import Scenario

STAGE_SECONDS = 0.2  # world seconds per signup-session stage while webhooks are judged
STEP_SECONDS = 0.5  # how far `drive` moves the world clock at a time
MAX_VIRTUAL_SECONDS = 30.0  # ... and at most this far per scenario (retries and failover fit in it)
SETTLE_SECONDS = 10.0  # real seconds the partner's endpoint may take to answer one step's deliveries
META_FIELDS = ["account_update", "phone_number_name_update"]


@dataclass(frozen=True)
class WebhookOptions:
    """`--webhook-url`, `--meta-webhook-url`, `--meta-verify-token`, `--webhooks` (URLs the command sets)."""

    telnyx_url: str | None = None
    meta_url: str | None = None
    meta_verify_token: str | None = None
    own_urls: bool = False  # the command sets its URL itself (PATCH /v2/whatsapp/user_data), as in production

    @property
    def enabled(self) -> bool:
        return bool(self.telnyx_url or self.meta_url or self.own_urls)


# The verify-only webhook scenarios: (id, title, delivery fault). Run after the catalogue when webhooks are judged.
CHECKS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    (
        "verify-webhook-forged",
        "A forged webhook (wrong signature) must be refused",
        {"kind": "bad_signature", "vendor": "*", "times": 0},
    ),
    (
        "verify-webhook-stale",
        "A Telnyx webhook signed 600 s ago (a replay) must be refused",
        {"kind": "stale_timestamp", "vendor": "telnyx", "times": 0},
    ),
    (
        "verify-webhook-duplicate",
        "A redelivered webhook must be answered 2xx (and processed once)",
        {"kind": "duplicate", "vendor": "*", "times": 0},
    ),
)


def check_scenarios(base: Scenario, selected: Sequence[Scenario] = ()) -> list[Scenario]:
    """The webhook checks, each the success scenario `base` under another id, with its delivery fault; a kind
    of fault some selected scenario already arms (the catalogue's own webhook scenarios) is not repeated."""
    covered = {f.get("kind") for s in selected for f in s.delivery_faults}
    return [
        replace(
            base,
            id=check_id,
            title=title,
            description=f"{base.description}\nThen: {title.lower()} (a verify webhook check).".strip(),
            tags=(*base.tags, "webhooks"),
            delivery_faults=(fault,),
        )
        for check_id, title, fault in CHECKS
        if fault["kind"] not in covered
    ]


def delivery_faults(scenario: Scenario) -> list[dict[str, Any]]:
    """The delivery faults a scenario arms (`delivery_faults` in its YAML; the webhook checks carry one each)."""
    return [dict(f) for f in scenario.delivery_faults]


def sync_clock(clock: Clock) -> None:
    """Move the world clock forward to the wall-clock time (signatures must be fresh for the partner's SDK)."""
    behind = time.time() - clock.now()
    if behind > 0:
        clock.advance(behind)


def seed_targets(harness: Harness, tenant: str, options: WebhookOptions, scenario: Scenario) -> None:
    """Before the popup ends (after `arm`, which armed the scenario's delivery faults): the webhook URLs and
    short session stages."""
    world_tenant = harness.world.tenant(tenant)
    user_data = world_tenant.telnyx.user_data
    if options.telnyx_url:  # a scenario's failover URL becomes the partner's too (its failover is judged)
        user_data.webhook_url = options.telnyx_url
        wants_failover = user_data.webhook_failover_url or scenario.receiver.get("failover")
        user_data.webhook_failover_url = options.telnyx_url if wants_failover else None
    plan = world_tenant.telnyx.session_plan
    plan.stage_seconds = {stage: STAGE_SECONDS for stage in STAGES} | plan.stage_seconds
    app = world_tenant.meta.apps.get(APP_ID)
    if options.meta_url and app is not None:
        app.webhooks["whatsapp_business_account"] = AppSubscription(
            object="whatsapp_business_account",
            callback_url=options.meta_url,
            verify_token=options.meta_verify_token or "",
            fields=dict.fromkeys(META_FIELDS, "v21.0"),
            include_values=True,
        )


def registered(harness: Harness, tenant: str) -> bool:
    """The partner's registration started a signup session (the moment to move the world's clock)."""
    return bool(harness.world.tenant(tenant).telnyx.sessions)


def _unsettled(harness: Harness, tenant: str) -> bool:
    world_tenant = harness.world.tenant(tenant)
    sessions = world_tenant.telnyx.sessions.values()
    return any(s.status == "PENDING" or not s.notified for s in sessions) or bool(world_tenant.outbox.pending())


def drive(harness: Harness, clock: Clock, tenant: str) -> bool:
    """Move the world clock until the tenant's sessions ended and its deliveries settled (False: gave up).
    After each step the partner's endpoint gets up to `SETTLE_SECONDS` of real time to answer."""
    keeper = harness.world.timekeeper
    moved = 0.0
    keeper.settle(SETTLE_SECONDS)
    while _unsettled(harness, tenant):
        if moved >= MAX_VIRTUAL_SECONDS:
            return False
        clock.advance(STEP_SECONDS)
        moved += STEP_SECONDS
        keeper.settle(SETTLE_SECONDS)
    return True


def run_and_drive(
    start: Callable[[], Any], harness: Harness, clock: Clock, tenant: str, poll_seconds: float = 0.05
) -> tuple[Any, bool]:
    """Run the partner's command (`start`, blocking) on a thread; once it registered or exited, `drive` the
    clock while it may still be up to answer. Returns (what `start` returned, whether everything settled)."""
    box: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            box.append(start())
        except BaseException as exc:  # re-raised on the caller's thread
            errors.append(exc)

    worker = threading.Thread(target=target, name=f"verify-{tenant}", daemon=True)
    worker.start()
    while worker.is_alive() and not registered(harness, tenant):
        worker.join(poll_seconds)  # readiness poll: the command's own call to Telnyx is what we wait for
    settled = drive(harness, clock, tenant)
    worker.join()
    if errors:
        raise errors[0]
    return box[0], settled
