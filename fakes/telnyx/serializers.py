"""Telnyx JSON shapes. The tech_provider success body is undocumented by Telnyx: it is OUR CHOICE, taken from
the guide's example, and lives only in `registration_body` so it is easy to change (see specs/telnyx.yaml)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fakes.core.world import PhoneNumber, Registration, Tenant, Waba


def iso(epoch: float) -> str:
    stamp = datetime.fromtimestamp(epoch, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def registration_body(registration: Registration) -> dict[str, Any]:
    return {
        "data": {
            "waba_id": registration.waba_id,
            "phone_number_id": registration.phone_number_id,
            "status": registration.status,
            "customer_id": registration.customer_id,
            "session_id": registration.session_id,
        }
    }


def waba_resource(registration: Registration, waba: Waba) -> dict[str, Any]:
    return {
        "id": registration.id,
        "waba_id": registration.waba_id,
        "name": waba.name,
        "status": "active",
        "account_review_status": waba.account_review_status,
        "business_verification_status": waba.business_verification_status,
        "country": waba.country,
        "phone_numbers_count": 1,
        "created_at": iso(registration.created_at),
        "record_type": "whatsapp_business_account",
        "app_id": registration.app_id,
        "customer_id": registration.customer_id,
    }


def phone_resource(registration: Registration, phone: PhoneNumber, tenant: Tenant) -> dict[str, Any]:
    return {
        "phone_number": phone.e164,
        "phone_number_id": phone.id,
        "waba_id": registration.waba_id,
        "display_name": phone.verified_name,
        "status": "connected",
        "quality_rating": phone.quality_rating,
        "enabled": True,
        "calling_enabled": False,
        "user_id": tenant.telnyx.user_id,
        "created_at": iso(registration.created_at),
        "record_type": "whatsapp_business_phone_number",
    }


def page(items: Sequence[dict[str, Any]], number: int, size: int) -> dict[str, Any]:
    """Telnyx list envelope; correct `meta` matters: SDK auto-pagination stops on page_number >= total_pages."""
    start = (number - 1) * size
    return {
        "data": items[start : start + size],
        "meta": {
            "page_number": number,
            "page_size": size,
            "total_pages": math.ceil(len(items) / size),
            "total_results": len(items),
        },
    }
