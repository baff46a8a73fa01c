"""Hosted signups: a Telnyx-hosted onboarding URL for one customer (the path Telnyx recommends beside
tech_provider). Creating one gives a URL; the customer completes Meta's signup there (the harness's hosted page
on the Telnyx fake, `/__hosted/<id>`, or `complete_hosted_signup` from a scenario), which starts a signup session
exactly like a tech_provider registration. Past `expires_at` the URL no longer works.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fakes.core.telnyx_state import HostedSignup, SignupSession
from fakes.core.world import Tenant

from . import errors
from .serializers import iso
from .signup_sessions import start_session

DEFAULT_TTL_SECONDS = 24 * 3600.0
MAX_TTL_SECONDS = 3 * 24 * 3600.0
HOSTED_PAGE_PATH = "/__hosted/"


def _parse_time(value: str) -> float:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise errors.invalid_parameter("/expires_at", "is not an RFC 3339 time") from exc


def create_hosted_signup(tenant: Tenant, body: dict[str, Any]) -> HostedSignup:
    app_id = body["app_id"]
    app = tenant.meta.apps.get(app_id)
    if app is None or not app.linked_to_telnyx:
        raise errors.app_not_linked(app_id)
    now = tenant.clock.now()
    expires_at = now + DEFAULT_TTL_SECONDS
    if body.get("expires_at"):
        expires_at = _parse_time(body["expires_at"])
        if expires_at <= now:
            raise errors.invalid_parameter("/expires_at", "must be in the future")
        if expires_at - now > MAX_TTL_SECONDS:
            raise errors.invalid_parameter("/expires_at", "must be at most 3 days ahead")
    hosted = HostedSignup(
        id=tenant.ids.uuid7(now),
        app_id=app_id,
        created_at=now,
        expires_at=expires_at,
        signup_type=body.get("signup_type") or "standard",
        jwt="hsjwt_" + tenant.ids.text("abcdefghijklmnopqrstuvwxyz0123456789", 40),
        solution_id=tenant.ids.meta_id(),
    )
    tenant.telnyx.hosted_signups[hosted.id] = hosted
    return hosted


def get_hosted_signup(tenant: Tenant, hosted_id: str) -> HostedSignup:
    found = tenant.telnyx.hosted_signups.get(hosted_id)
    if found is None:
        raise errors.not_found()
    return found


def expired(tenant: Tenant, hosted: HostedSignup) -> bool:
    return tenant.clock.now() >= hosted.expires_at


def complete_hosted_signup(tenant: Tenant, hosted: HostedSignup, waba_id: str, phone_number_id: str) -> SignupSession:
    """The customer finished Meta's signup on the hosted page: Telnyx starts provisioning that WABA."""
    if expired(tenant, hosted):
        raise errors.hosted_signup_expired(hosted.id)
    if hosted.session_id is not None:
        return tenant.telnyx.sessions[hosted.session_id]
    session = start_session(tenant, waba_id, phone_number_id, hosted.app_id, None)
    hosted.session_id = session.id
    return session


def hosted_resource(hosted: HostedSignup, base_url: str, created: bool = False) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "record_type": "whatsapp_jwt",
        "id": hosted.id,
        "app_id": hosted.app_id,
        "url": f"{base_url.rstrip('/')}{HOSTED_PAGE_PATH}{hosted.id}?jwt={hosted.jwt}",
        "jwt": hosted.jwt,
        "expires_at": iso(hosted.expires_at),
        "created_at": iso(hosted.created_at),
    }
    if created:
        resource["solution_id"] = hosted.solution_id
    return resource
