"""Telnyx's rules over the world: API keys, tech_provider registration, WABA and number listings.

Registration reads Meta's side of the same tenant, so an id minted by the Graph fake is exactly what Telnyx
accepts or rejects. Plain Python: no Flask.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fakes.core.world import Registration, Tenant

from . import errors
from .serializers import phone_resource, waba_resource
from .signup_sessions import start_session


class TelnyxRules:
    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.telnyx = tenant.telnyx
        self.meta = tenant.meta

    def authenticate(self, authorization: str | None) -> None:
        """Bearer API key: present, known to this account, not revoked; else 401 10009."""
        if not authorization or authorization[:7].lower() != "bearer ":
            raise errors.authentication_failed()
        key = self.telnyx.api_keys.get(authorization[7:].strip())
        if key is None or key.status != "active":
            raise errors.authentication_failed()

    def register_tech_provider(
        self, waba_id: str, phone_number_id: str, app_id: str, customer_id: str | None = None
    ) -> Registration:
        app = self.meta.apps.get(app_id)
        if app is None or not app.linked_to_telnyx:
            raise errors.app_not_linked(app_id)
        waba = self.meta.wabas.get(waba_id)
        if waba is None or app_id not in waba.shared_with:
            raise errors.waba_not_found(waba_id)
        phone = self.meta.phone_numbers.get(phone_number_id)
        if phone is None or phone.waba_id != waba_id:
            raise errors.phone_number_not_in_waba(phone_number_id, waba_id)
        existing = self.telnyx.registration_for_waba(waba_id)
        if existing is not None:
            if (existing.phone_number_id, existing.app_id, existing.customer_id) == (
                phone_number_id,
                app_id,
                customer_id,
            ):
                return existing  # idempotent: a retry after a lost response must not fail or duplicate
            raise errors.duplicate_registration(waba_id)
        now = self.tenant.clock.now()
        # The world's own id strings, not the request's copies: every record of this signup shares them.
        registration = Registration(
            id=self.tenant.ids.uuid7(now),
            waba_id=waba.id,
            phone_number_id=phone.id,
            app_id=app.id,
            customer_id=customer_id,
            created_at=now,
        )
        self.telnyx.registrations[registration.id] = registration
        session = start_session(self.tenant, waba.id, phone.id, app.id, customer_id)
        registration.session_id = session.id
        return registration

    def list_wabas(self) -> Sequence[dict[str, Any]]:
        """Newest first, built only for the page asked for (the listing costs the same at any size)."""
        return self.telnyx.registrations.newest_first(lambda r: waba_resource(r, self.meta.wabas[r.waba_id]))

    def _registration(self, telnyx_id: str) -> Registration:
        found = self.telnyx.registrations.get(telnyx_id)
        if found is None:
            raise errors.not_found()
        return found

    def get_waba(self, telnyx_id: str) -> dict[str, Any]:
        registration = self._registration(telnyx_id)
        return waba_resource(registration, self.meta.wabas[registration.waba_id])

    def delete_waba(self, telnyx_id: str) -> None:
        del self.telnyx.registrations[self._registration(telnyx_id).id]

    def list_waba_phone_numbers(self, telnyx_id: str) -> list[dict[str, Any]]:
        registration = self._registration(telnyx_id)
        phone = self.meta.phone_numbers[registration.phone_number_id]
        return [phone_resource(registration, phone, self.tenant)]

    def list_phone_numbers(self) -> Sequence[dict[str, Any]]:
        return self.telnyx.registrations.newest_first(
            lambda r: phone_resource(r, self.meta.phone_numbers[r.phone_number_id], self.tenant)
        )
