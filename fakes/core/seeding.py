"""Load a world seed (a JSON/YAML document) into a tenant. The format is documented in docs/world-seed.md.

Every field but the relationships is optional: ids, secrets and keys are minted from the tenant's seeded id
source when absent, and the summary returned names what was created so callers can use it.
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import HarnessError
from .world import (
    AccessToken,
    AuthCode,
    Business,
    MetaApp,
    PhoneNumber,
    Registration,
    TelnyxApiKey,
    Tenant,
    Waba,
)

TOP_LEVEL = {"apps", "businesses", "wabas", "codes", "tokens", "telnyx"}


class SeedError(HarnessError):
    pass


def parse_seed(text: str | bytes) -> dict[str, Any]:
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SeedError(f"the seed is not valid JSON or YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise SeedError("the seed must be a mapping with keys such as apps, wabas, telnyx")
    return document


def _require(item: dict[str, Any], key: str, where: str) -> Any:
    if key not in item:
        raise SeedError(f"{where}: '{key}' is required")
    return item[key]


def _items(document: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = document.get(key) or []
    if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
        raise SeedError(f"'{key}' must be a list of mappings")
    return value


def seed_tenant(tenant: Tenant, document: dict[str, Any]) -> dict[str, Any]:
    """Add the document's objects to the tenant; returns {kind: [ids or values]} of what was created."""
    unknown = set(document) - TOP_LEVEL
    if unknown:
        raise SeedError(f"unknown seed section(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(TOP_LEVEL))}")
    ids, meta, now = tenant.ids, tenant.meta, tenant.clock.now()
    created: dict[str, list[Any]] = {
        "apps": [],
        "businesses": [],
        "wabas": [],
        "phone_numbers": [],
        "codes": [],
    }
    created.update({"tokens": [], "api_keys": [], "registrations": []})

    for i, item in enumerate(_items(document, "apps")):
        app = MetaApp(
            id=str(item.get("id") or ids.meta_id()),
            secret=str(item.get("secret") or ids.text("0123456789abcdef", 32)),
            name=str(item.get("name", "Tech Provider App")),
            mode=str(item.get("mode", "live")),
            linked_to_telnyx=bool(item.get("linked_to_telnyx", True)),
            config_ids=[str(c) for c in item.get("config_ids", [])],
            scope_naming=str(item.get("scope_naming", "current")),
            appsecret_proof_required=bool(item.get("appsecret_proof_required", False)),
            denied_permissions=[str(p) for p in item.get("denied_permissions", [])],
            call_budget=int(item.get("call_budget", 0)),
            installed=bool(item.get("installed", True)),
        )
        if app.mode not in ("live", "development"):
            raise SeedError(f"apps[{i}].mode must be 'live' or 'development'")
        if app.scope_naming not in ("current", "legacy"):
            raise SeedError(f"apps[{i}].scope_naming must be 'current' or 'legacy'")
        meta.apps[app.id] = app
        tenant.remember_credential(app.id)
        created["apps"].append(app.id)

    for item in _items(document, "businesses"):
        business = Business(id=str(item.get("id") or ids.meta_id()), name=str(item.get("name", "Acme Corp")))
        meta.businesses[business.id] = business
        created["businesses"].append(business.id)

    for i, item in enumerate(_items(document, "wabas")):
        where = f"wabas[{i}]"
        business_id = str(item.get("business_id") or next(iter(meta.businesses), "") or ids.meta_id())
        if business_id not in meta.businesses:
            meta.businesses[business_id] = Business(id=business_id, name=str(item.get("name", "Acme Corp")))
        shared = item.get("shared_with", list(meta.apps))
        waba = Waba(
            id=str(item.get("id") or ids.meta_id()),
            name=str(item.get("name", "Acme WhatsApp")),
            business_id=business_id,
            created_at=now,
            shared_with={str(a) for a in shared},
            message_template_namespace=ids.uuid4().replace("-", "_"),
            call_budget=int(item.get("call_budget", 0)),
        )
        meta.wabas[waba.id] = waba
        created["wabas"].append(waba.id)
        for j, number in enumerate(item.get("phone_numbers", []) or []):
            phone = _phone(tenant, waba, number, f"{where}.phone_numbers[{j}]")
            created["phone_numbers"].append(phone.id)

    for i, item in enumerate(_items(document, "codes")):
        where = f"codes[{i}]"
        app_id = str(_require(item, "app_id", where))
        if app_id not in meta.apps:
            raise SeedError(f"{where}: app {app_id!r} is not in the seed")
        code = AuthCode(
            value=str(item.get("value") or ids.auth_code()),
            app_id=app_id,
            user_id=meta.user_id,
            waba_ids=[str(w) for w in item.get("wabas", [])],
            issued_at=now - float(item.get("age_seconds", 0)),
            ttl=float(item.get("ttl_seconds", 30)),
            redirect_uri=item.get("redirect_uri"),
            used_at=now if item.get("used") else None,
        )
        meta.codes[code.value] = code
        tenant.remember_credential(code.value)
        created["codes"].append(code.value)

    for i, item in enumerate(_items(document, "tokens")):
        where = f"tokens[{i}]"
        app_id = str(_require(item, "app_id", where))
        wabas = [str(w) for w in item.get("wabas", [])]
        token = AccessToken(
            value=str(item.get("value") or ids.access_token()),
            app_id=app_id,
            user_id=meta.user_id,
            type=str(item.get("type", "USER")),
            granular_scopes={s: list(wabas) for s in ("whatsapp_business_management", "whatsapp_business_messaging")},
            issued_at=now,
            expires_at=now + float(item["expires_in"]) if item.get("expires_in") else 0.0,
            valid=bool(item.get("valid", True)) and not item.get("invalid_subcode"),
            invalid_subcode=int(item["invalid_subcode"]) if item.get("invalid_subcode") else None,
        )
        meta.tokens[token.value] = token
        tenant.remember_credential(token.value)
        created["tokens"].append(token.value)

    telnyx = document.get("telnyx") or {}
    if not isinstance(telnyx, dict):
        raise SeedError("'telnyx' must be a mapping with api_keys and registrations")
    for item in _items(telnyx, "api_keys"):
        key = TelnyxApiKey(
            value=str(item.get("value") or ids.telnyx_api_key()), status=str(item.get("status", "active"))
        )
        if key.status not in ("active", "revoked"):
            raise SeedError("telnyx.api_keys[].status must be 'active' or 'revoked'")
        tenant.telnyx.api_keys[key.value] = key
        tenant.remember_credential(key.value)
        created["api_keys"].append(key.value)
    for i, item in enumerate(_items(telnyx, "registrations")):
        where = f"telnyx.registrations[{i}]"
        registration = Registration(
            id=ids.uuid7(now),
            waba_id=str(_require(item, "waba_id", where)),
            phone_number_id=str(_require(item, "phone_number_id", where)),
            app_id=str(_require(item, "app_id", where)),
            customer_id=item.get("customer_id"),
            created_at=now,
        )
        if registration.waba_id not in meta.wabas or registration.phone_number_id not in meta.phone_numbers:
            raise SeedError(f"{where}: the WABA and phone number must be in the seed")
        tenant.telnyx.registrations[registration.id] = registration
        created["registrations"].append(registration.id)
    return created


def _phone(tenant: Tenant, waba: Waba, item: dict[str, Any], where: str) -> PhoneNumber:
    if not isinstance(item, dict):
        raise SeedError(f"{where} must be a mapping")
    digits = tenant.ids.digits(7)
    e164 = str(item.get("phone_number") or f"+1555{digits}")
    phone = PhoneNumber(
        id=str(item.get("id") or tenant.ids.meta_id()),
        waba_id=waba.id,
        e164=e164,
        display_phone_number=str(item.get("display_phone_number") or e164),
        verified_name=str(item.get("verified_name", waba.name)),
        code_verification_status=str(item.get("code_verification_status", "VERIFIED")),
        quality_rating=str(item.get("quality_rating", "GREEN")),
        status=str(item.get("status", "CONNECTED")),
        is_on_biz_app=bool(item.get("is_on_biz_app", False)),
        account_mode=str(item.get("account_mode", "LIVE")),
        pin=str(item["pin"]) if item.get("pin") else None,
        needs_reverification=bool(item.get("needs_reverification", False)),
    )
    phone.registered = phone.status == "CONNECTED"
    phone.platform_type = str(item.get("platform_type", "CLOUD_API" if phone.registered else "NOT_APPLICABLE"))
    tenant.meta.phone_numbers[phone.id] = phone
    waba.phone_number_ids.append(phone.id)
    return phone
