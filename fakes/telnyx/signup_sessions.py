"""Telnyx's signup session: how a WABA registered through tech_provider (or a hosted signup) gets provisioned.

The lifecycle, as data (fakes/core/lifecycle.py):

    SUBSCRIBE_WEBHOOKS -> ASSIGNED_USERS -> SHARE_CREDIT_LINE -> REGISTER_PHONE_NUMBER -> ADD_WABA_TO_DB
      -> ADD_PHONE_NUMBERS_TO_DB -> COMPLETE          (REGISTER_PHONE_NUMBER skipped for a coexistence number)

`status` is PENDING while it runs, SUCCESS at COMPLETE, FAILURE at the stage that failed (with `errors`), and
INCOMPLETE for a hosted signup the customer has not completed. Each stage takes `STAGE_SECONDS` of world time
(OUR CHOICE: Telnyx takes minutes; a second keeps a catalogue fast, and a seed or scenario can set any stage's
time, `telnyx.signup_sessions.stage_seconds`) and does its part on Meta's side (fakes/telnyx/meta_side.py). A
scenario makes any stage fail by name (`telnyx.signup_sessions.fail_at` and `errors`). When a session ends,
Telnyx sends `whatsapp.waba_added` (fakes/telnyx/webhooks.py).

How a partner finds its session (Telnyx does not document it for tech_provider; OUR CHOICE): the tech_provider
200 body carries `session_id` beside the guide's fields, and `GET /v2/whatsapp/signup?filter[waba_id]=...`
lists finished sessions as Telnyx does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fakes.core import lifecycle
from fakes.core.lifecycle import Lifecycle, Stage
from fakes.core.telnyx_state import SignupSession
from fakes.core.world import Tenant

from . import errors, meta_side
from .serializers import iso
from .webhooks import send_waba_added

STAGE_SECONDS = 1.0
STAGES = (
    "SUBSCRIBE_WEBHOOKS",
    "ASSIGNED_USERS",
    "SHARE_CREDIT_LINE",
    "REGISTER_PHONE_NUMBER",
    "ADD_WABA_TO_DB",
    "ADD_PHONE_NUMBERS_TO_DB",
)
FINAL = "COMPLETE"
Effect = Callable[[Tenant, SignupSession], list[str] | None]
EFFECTS: dict[str, Effect] = {
    "SUBSCRIBE_WEBHOOKS": meta_side.subscribe_webhooks,
    "ASSIGNED_USERS": meta_side.assign_users,
    "SHARE_CREDIT_LINE": meta_side.share_credit_line,
    "REGISTER_PHONE_NUMBER": meta_side.register_number,
}


def _is_coexistence(session: object) -> bool:
    return bool(getattr(session, "coexistence", False))


def _lifecycle(tenant: Tenant) -> Lifecycle:
    """The session lifecycle bound to one tenant (a stage's action needs the tenant's world)."""

    def action(name: str) -> Any:
        effect = EFFECTS.get(name)
        if effect is None:
            return None
        return lambda session: effect(tenant, session)

    return Lifecycle(
        name="telnyx.signup_session",
        stages=[
            Stage(
                name,
                STAGE_SECONDS,
                action(name),
                skip=_is_coexistence if name == "REGISTER_PHONE_NUMBER" else None,
            )
            for name in STAGES
        ],
        final=FINAL,
    )


def start_session(
    tenant: Tenant,
    waba_id: str,
    phone_number_id: str | None,
    app_id: str,
    customer_id: str | None,
    waiting_for_code: bool = False,
) -> SignupSession:
    now = tenant.clock.now()
    plan = tenant.telnyx.session_plan
    phone = tenant.meta.phone_numbers.get(phone_number_id or "")
    session = SignupSession(
        id=tenant.ids.uuid7(now),
        waba_id=waba_id,
        phone_number_id=phone_number_id,
        app_id=app_id,
        customer_id=customer_id,
        created_at=now,
        updated_at=now,
        progress=lifecycle.Progress(STAGES[0], now),
        coexistence=bool(phone is not None and phone.is_on_biz_app),
        waiting_for_code=waiting_for_code,
    )
    machine = _lifecycle(tenant)
    session.progress = lifecycle.start(
        machine,
        session,
        now,
        fail_at=plan.fail_at,
        fail_errors=tuple(plan.errors),
        seconds=dict(plan.stage_seconds) if plan.stage_seconds else lifecycle.NO_SECONDS,
    )
    # A session visits the ticker when its stage ends (one that ended at once: on the next tick, to notify).
    stage_ends = session.progress.due_at(machine)
    due = None if waiting_for_code else (now if stage_ends is None else stage_ends)
    tenant.telnyx.sessions.add(session, due)
    if not waiting_for_code:
        tenant.world.has_work(tenant.name)
    return session


def advance_sessions(tenant: Tenant, now: float) -> float | None:
    """The tenant's ticker: move the sessions whose stage has ended; queue `waba_added` for those that ended.
    Returns when the next stage of any session ends (None: none is running)."""
    machine = _lifecycle(tenant)
    with tenant.world.lock:
        book = tenant.telnyx.sessions
        for session_id in book.pop_due(now):
            session = book.get(session_id)
            if session is None or session.waiting_for_code or session.notified:
                continue
            before = session.progress.stage, session.progress.outcome
            lifecycle.advance(machine, session.progress, session, now)
            if (session.progress.stage, session.progress.outcome) != before:
                session.updated_at = session.progress.entered_at
            if session.progress.done:
                session.notified = True
                send_waba_added(tenant, session)
                continue
            due = session.progress.due_at(machine)
            if due is not None:
                book.schedule(session_id, due)
        return book.next_due()


def get_session(tenant: Tenant, session_id: str) -> SignupSession:
    found = tenant.telnyx.sessions.get(session_id)
    if found is None:
        raise errors.not_found()
    return found


def list_finished(tenant: Tenant, filters: dict[str, Any]) -> list[SignupSession]:
    """GET /v2/whatsapp/signup: finished sessions (SUCCESS or FAILURE), newest first, filtered."""
    chosen = []
    for session in reversed(tenant.telnyx.sessions.values()):
        if session.status not in ("SUCCESS", "FAILURE"):
            continue
        if filters.get("waba_id") not in (None, session.waba_id):
            continue
        if filters.get("customer_id") not in (None, session.customer_id):
            continue
        if filters.get("gte") is not None and session.created_at < filters["gte"]:
            continue
        if filters.get("lte") is not None and session.created_at > filters["lte"]:
            continue
        chosen.append(session)
    return chosen


def session_resource(tenant: Tenant, session: SignupSession) -> dict[str, Any]:
    """The SDK's SignupRetrieveStatusResponse.data (and SignupListResponse)."""
    return {
        "record_type": "whatsapp_session_id",
        "session_id": session.id,
        "waba_id": session.waba_id,
        "customer_id": session.customer_id,
        "user_id": tenant.telnyx.user_id,
        "status": session.status,
        "state": session.progress.stage,
        "errors": list(session.progress.errors),
        "created_at": iso(session.created_at),
        "updated_at": iso(session.updated_at),
    }
