"""Load a world seed into a tenant: a thin mapping from a document already checked against the spec.

The format is the `WorldSeed` schema of `specs/admin.yaml` (types, enums, bounds, unknown fields), documented in
docs/world-seed.md; `fakes.core.control.Control.seed` validates a document against it before `seed_tenant` maps
it. What a schema cannot say is checked here: references between objects. Ids, secrets and keys absent from the
document are minted from the tenant's seeded id source; the summary returned names what was created.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from .errors import HarnessError
from .telnyx_state import SessionPlan
from .world import (
    AccessToken,
    AppSubscription,
    AuthCode,
    Business,
    MetaApp,
    PhoneNumber,
    Registration,
    TelnyxApiKey,
    Tenant,
    Waba,
)

MAX_SEED_BYTES = 1024 * 1024  # specs/admin.yaml: info.x-harness-limits.max_seed_bytes
MAX_SEED_DEPTH = 32
SEEDED_FIELD_VERSION = "v21.0"  # the Graph version a seeded webhook field reports (the oldest the fake serves)


class SeedError(HarnessError):
    pass


@cache
def _no_alias_loader() -> Any:
    """A YAML loader without aliases: an anchor/alias pair is how a few hundred bytes expand to gigabytes.
    (Built on first use: a start that reads no seed document never imports yaml.)"""
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not accepted in a seed", event.start_mark
                )
            return super().compose_node(parent, index)

    return NoAliasLoader


def load_yaml(data: str | bytes, what: str = "the seed") -> Any:
    """JSON or YAML, bounded in size, without aliases, with only JSON's types (finite numbers, string keys)."""
    size = len(data.encode() if isinstance(data, str) else data)
    if size > MAX_SEED_BYTES:
        raise ValueError(f"{what} is {size} bytes; the limit is {MAX_SEED_BYTES}")
    import yaml

    try:
        document = yaml.load(data, Loader=_no_alias_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ValueError(f"{what} is not valid JSON or YAML: {exc}") from exc
    _check_json_like(document, "", 0, what)
    return document


def _check_json_like(value: Any, pointer: str, depth: int, what: str) -> None:
    if depth > MAX_SEED_DEPTH:
        raise ValueError(f"{what} nests deeper than {MAX_SEED_DEPTH} levels at {pointer or '/'}")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{what}: the key {key!r} at {pointer or '/'} is not a string")
            _check_json_like(item, f"{pointer}/{key}", depth + 1, what)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json_like(item, f"{pointer}/{index}", depth + 1, what)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{what}: {pointer or '/'} is not a finite number")
    elif not (value is None or isinstance(value, str | int | float | bool)):
        raise ValueError(f"{what}: {pointer or '/'} is a YAML {type(value).__name__}, not a JSON value (quote it)")


def parse_seed(text: str | bytes) -> dict[str, Any]:
    try:
        document = load_yaml(text) or {}
    except ValueError as exc:
        raise SeedError(str(exc)) from exc
    if not isinstance(document, dict):
        raise SeedError("the seed must be a mapping with keys such as apps, wabas, telnyx")
    return document


def _id(value: Any, mint: Any) -> str:
    return str(value) if value not in (None, "") else str(mint())


def seed_tenant(tenant: Tenant, document: dict[str, Any]) -> dict[str, Any]:
    """Add a validated document's objects to the tenant; returns {kind: [ids or values]} of what was created."""
    ids, meta, now = tenant.ids, tenant.meta, tenant.clock.now()
    created: dict[str, list[Any]] = {
        kind: []
        for kind in ("apps", "businesses", "wabas", "phone_numbers", "codes", "tokens", "api_keys", "registrations")
    }

    remember = tenant.remember_credential

    for item in document.get("apps", []):
        app = MetaApp(
            id=_id(item.get("id"), ids.meta_id),
            secret=item.get("secret") or ids.text("0123456789abcdef", 32),
            name=item.get("name", "Tech Provider App"),
            mode=item.get("mode", "live"),
            linked_to_telnyx=item.get("linked_to_telnyx", True),
            config_ids=[str(c) for c in item.get("config_ids", [])],
            scope_naming=str(item.get("scope_naming", "current")),
            appsecret_proof_required=bool(item.get("appsecret_proof_required", False)),
            denied_permissions=[str(p) for p in item.get("denied_permissions", [])],
            call_budget=int(item.get("call_budget", 0)),
            installed=bool(item.get("installed", True)),
        )
        hooks = item.get("webhooks")
        if hooks:  # as POST /{app-id}/subscriptions leaves it; no verification request at seed time
            app.webhooks["whatsapp_business_account"] = AppSubscription(
                object="whatsapp_business_account",
                callback_url=str(hooks["callback_url"]),
                verify_token=str(hooks.get("verify_token") or ids.text("0123456789abcdef", 16)),
                fields={str(f): SEEDED_FIELD_VERSION for f in hooks.get("fields", ["account_update"])},
                include_values=bool(hooks.get("include_values", True)),
            )
            if "retry_seconds" in hooks:
                app.webhook_retry_seconds = tuple(float(s) for s in hooks["retry_seconds"])
        remember(app.id)
        meta.apps[app.id] = app
        created["apps"].append(app.id)

    for item in document.get("businesses", []):
        business = Business(id=_id(item.get("id"), ids.meta_id), name=item.get("name", "Acme Corp"))
        meta.businesses[business.id] = business
        created["businesses"].append(business.id)

    for item in document.get("wabas", []):
        business_id = _id(item.get("business_id"), lambda: next(iter(meta.businesses), "") or ids.meta_id())
        if business_id not in meta.businesses:
            meta.businesses[business_id] = Business(id=business_id, name=item.get("name", "Acme Corp"))
        waba = Waba(
            id=_id(item.get("id"), ids.meta_id),
            name=item.get("name", "Acme WhatsApp"),
            business_id=business_id,
            created_at=now,
            shared_with=tuple(dict.fromkeys(str(a) for a in item.get("shared_with", list(meta.apps)))),
            message_template_namespace=ids.uuid4().replace("-", "_"),
            call_budget=int(item.get("call_budget", 0)),
        )
        meta.wabas[waba.id] = waba
        created["wabas"].append(waba.id)
        for number in item.get("phone_numbers", []):
            created["phone_numbers"].append(_phone(tenant, waba, number).id)

    for i, item in enumerate(document.get("codes", [])):
        where = f"codes[{i}]"
        app_id = str(item["app_id"])
        if app_id not in meta.apps:
            raise SeedError(f"{where}: app {app_id!r} is not in the seed")
        code = AuthCode(
            value=item.get("value") or ids.auth_code(),
            app_id=app_id,
            user_id=meta.user_id,
            waba_ids=[str(w) for w in item.get("wabas", [])],
            issued_at=now - item.get("age_seconds", 0),
            ttl=float(item.get("ttl_seconds", 30)),
            redirect_uri=item.get("redirect_uri"),
            used_at=now if item.get("used") else None,
        )
        remember(code.value)
        meta.codes[code.value] = code
        created["codes"].append(code.value)

    for item in document.get("tokens", []):
        wabas = [str(w) for w in item.get("wabas", [])]
        expires_in = item.get("expires_in")
        token = AccessToken(
            value=item.get("value") or ids.access_token(),
            app_id=str(item["app_id"]),
            user_id=meta.user_id,
            type=item.get("type", "USER"),
            waba_ids=tuple(wabas),
            issued_at=now,
            expires_at=now + expires_in if expires_in else 0.0,
            valid=item.get("valid", True) and not item.get("invalid_subcode"),
            invalid_subcode=item.get("invalid_subcode"),
        )
        remember(token.value)
        meta.tokens[token.value] = token
        created["tokens"].append(token.value)

    telnyx = document.get("telnyx", {})
    for item in telnyx.get("api_keys", []):
        key = TelnyxApiKey(value=item.get("value") or ids.telnyx_api_key(), status=item.get("status", "active"))
        remember(key.value)
        tenant.telnyx.api_keys[key.value] = key
        created["api_keys"].append(key.value)
    for i, item in enumerate(telnyx.get("registrations", [])):
        registration = Registration(
            id=ids.uuid7(now),
            waba_id=str(item["waba_id"]),
            phone_number_id=str(item["phone_number_id"]),
            app_id=str(item["app_id"]),
            customer_id=item.get("customer_id"),
            created_at=now,
        )
        if registration.waba_id not in meta.wabas or registration.phone_number_id not in meta.phone_numbers:
            raise SeedError(f"telnyx.registrations[{i}]: the WABA and phone number must be in the seed")
        tenant.telnyx.registrations[registration.id] = registration
        created["registrations"].append(registration.id)
    if "user_data" in telnyx:
        tenant.telnyx.user_data.webhook_url = telnyx["user_data"].get("webhook_url")
        tenant.telnyx.user_data.webhook_failover_url = telnyx["user_data"].get("webhook_failover_url")
        tenant.telnyx.user_data.created_at = tenant.telnyx.user_data.updated_at = now
    if "signup_sessions" in telnyx:
        plan = telnyx["signup_sessions"]
        tenant.telnyx.session_plan = SessionPlan(
            fail_at=plan.get("fail_at"),
            errors=list(plan.get("errors", [])),
            stage_seconds={k: float(v) for k, v in plan.get("stage_seconds", {}).items()},
        )
    return created


def _phone(tenant: Tenant, waba: Waba, item: dict[str, Any]) -> PhoneNumber:
    digits = tenant.ids.digits(7)
    e164 = item.get("phone_number") or f"+1555{digits}"
    phone = PhoneNumber(
        id=_id(item.get("id"), tenant.ids.meta_id),
        waba_id=waba.id,
        e164=e164,
        display_phone_number=item.get("display_phone_number") or e164,
        verified_name=item.get("verified_name", waba.name),
        code_verification_status=item.get("code_verification_status", "VERIFIED"),
        quality_rating=item.get("quality_rating", "GREEN"),
        status=item.get("status", "CONNECTED"),
        is_on_biz_app=item.get("is_on_biz_app", False),
        account_mode=item.get("account_mode", "LIVE"),
        pin=item.get("pin"),
        needs_reverification=item.get("needs_reverification", False),
    )
    phone.registered = phone.status == "CONNECTED"
    phone.platform_type = str(item.get("platform_type", "CLOUD_API" if phone.registered else "NOT_APPLICABLE"))
    tenant.meta.phone_numbers[phone.id] = phone
    waba.phone_number_ids = (*waba.phone_number_ids, phone.id)
    return phone
