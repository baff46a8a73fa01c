"""A business phone number's lifecycle on the Cloud API: register, deregister, the two-step PIN.

A number the signup popup creates starts unregistered: `status` PENDING, `platform_type` NOT_APPLICABLE. It
becomes CONNECTED / CLOUD_API through `register_phone_number`. Plain functions over the world, raising Meta's
errors, so other parts of the harness (Telnyx's own signup session, for instance) can call them directly:

    register_phone_number(tenant, phone_number_id, pin)      # PENDING -> CONNECTED, or a GraphError
    deregister_phone_number(tenant, phone_number_id)
    set_two_step_pin(tenant, phone_number_id, pin)

Thresholds where Meta publishes none are our choice, here in one place.
"""

from __future__ import annotations

import re

from fakes.core.world import PhoneNumber, Tenant

from . import errors, webhooks

PIN = re.compile(r"^[0-9]{6}$")
REGISTER_WINDOW_SECONDS = 72 * 3600.0  # Meta: register/deregister calls are limited per number per 72 hours
REGISTER_LIMIT = 10  # our choice: the 11th register or deregister call within 72 h gets 133016
PIN_GUESS_WINDOW_SECONDS = 24 * 3600.0
PIN_GUESS_LIMIT = 5  # our choice: after 5 wrong PINs in 24 h every attempt gets 133008
PIN_TOO_FAST_SECONDS = 5.0  # our choice: a guess within 5 s of a wrong one gets 133009
RECENTLY_DELETED_SECONDS = 300.0  # Meta: "wait a few minutes" after a deletion (133015)


def _number(tenant: Tenant, phone_number_id: str) -> PhoneNumber:
    phone = tenant.meta.phone_numbers.get(phone_number_id)
    if phone is None:
        raise errors.unknown_object(phone_number_id, "post")
    return phone


def _recent(stamps: tuple[float, ...], now: float, window: float) -> tuple[float, ...]:
    return tuple(t for t in stamps if now - t < window)


def _count_register_call(phone: PhoneNumber, now: float) -> None:
    phone.register_calls = _recent(phone.register_calls, now, REGISTER_WINDOW_SECONDS)
    if len(phone.register_calls) >= REGISTER_LIMIT:
        raise errors.register_rate_limited()
    phone.register_calls = (*phone.register_calls, now)


def _check_pin(phone: PhoneNumber, pin: str, now: float) -> None:
    if phone.pin is None:
        return  # no two-step PIN yet: this registration sets it
    phone.pin_failures = _recent(phone.pin_failures, now, PIN_GUESS_WINDOW_SECONDS)
    if len(phone.pin_failures) >= PIN_GUESS_LIMIT:
        raise errors.too_many_pin_guesses()
    if pin == phone.pin:
        return
    too_fast = bool(phone.pin_failures) and now - phone.pin_failures[-1] < PIN_TOO_FAST_SECONDS
    phone.pin_failures = (*phone.pin_failures, now)
    raise errors.pin_guessed_too_fast() if too_fast else errors.pin_mismatch()


def register_phone_number(
    tenant: Tenant, phone_number_id: str, pin: str, data_localization_region: str | None = None
) -> PhoneNumber:
    """Register the number with the Cloud API: PENDING -> CONNECTED. The first registration sets the
    two-step PIN; later ones must repeat it. Raises Meta's register errors."""
    phone = _number(tenant, phone_number_id)
    now = tenant.clock.now()
    if not PIN.match(pin or ""):
        raise errors.invalid_parameter("pin", "must be 6 digits")
    if phone.is_on_biz_app:
        raise errors.coexistence_number()
    if phone.deleted_at is not None and now - phone.deleted_at < RECENTLY_DELETED_SECONDS:
        raise errors.recently_deleted()
    if phone.needs_reverification:
        raise errors.needs_reverification()
    _count_register_call(phone, now)
    _check_pin(phone, pin, now)
    phone.pin_failures = ()
    phone.pin = phone.pin or pin
    first = phone.last_onboarded_time is None
    phone.registered, phone.status, phone.platform_type = True, "CONNECTED", "CLOUD_API"
    phone.data_localization_region = data_localization_region or phone.data_localization_region
    phone.last_onboarded_time = phone.last_onboarded_time or now
    if first:  # its display name is live on the API: phone_number_name_update (our choice of trigger)
        webhooks.phone_number_name_update(tenant, phone)
    return phone


def deregister_phone_number(tenant: Tenant, phone_number_id: str) -> PhoneNumber:
    """Take the number off the Cloud API (it can be registered again, counting toward the same limit)."""
    phone = _number(tenant, phone_number_id)
    if phone.is_on_biz_app:
        raise errors.coexistence_number()
    _count_register_call(phone, tenant.clock.now())
    phone.registered, phone.status, phone.platform_type = False, "DISCONNECTED", "NOT_APPLICABLE"
    return phone


def set_two_step_pin(tenant: Tenant, phone_number_id: str, pin: str) -> PhoneNumber:
    """`POST /{phone-number-id}` with `pin`: set or change the two-step verification PIN."""
    phone = _number(tenant, phone_number_id)
    if not PIN.match(pin or ""):
        raise errors.invalid_parameter("pin", "must be 6 digits")
    phone.pin = pin
    phone.pin_failures = ()
    return phone
