"""Meta's tokens: the `/oauth/access_token` grants, who a token is, `debug_token`, and `appsecret_proof`.

Grants: `code` (Embedded Signup: a business-integration system-user token), `client_credentials` (an app token),
`fb_exchange_token` (a long-lived user token). The literal `APP_ID|APP_SECRET` is an app token too. How
`debug_token` names the scopes is the app's choice (`MetaApp.scope_naming`): Meta's current naming (since June
2026) or the older one.
"""

from __future__ import annotations

import hashlib
import hmac
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fakes.core.world import AccessToken, MetaApp, Tenant

from . import errors

CODE_TTL_SECONDS = 30.0  # Meta: "The exchangeable token code has a time-to-live of 30 seconds"
LONG_LIVED_SECONDS = 5_184_000  # fb_exchange_token and Facebook Login user tokens: 60 days
MANAGEMENT, MESSAGING = "whatsapp_business_management", "whatsapp_business_messaging"
MANAGE_EVENTS, BUSINESS = "whatsapp_business_manage_events", "business_management"
SCOPE_NAMINGS = ("current", "legacy")
GRANTS = ("authorization_code", "client_credentials", "fb_exchange_token")


@dataclass
class AppToken:
    """An app access token: the literal `APP_ID|APP_SECRET`, or one minted by `client_credentials`."""

    app: MetaApp


Caller = AccessToken | AppToken


def granular_scopes(app: MetaApp, waba_ids: Sequence[str], business_ids: Sequence[str]) -> dict[str, list[str]]:
    """The grants of an Embedded Signup token, named the way the app's Meta reports them (debug_token)."""
    if app.scope_naming == "legacy":
        return {MANAGEMENT: list(waba_ids), MESSAGING: list(waba_ids)}
    # Meta since June 2026 (captured by chatwoot#14690): business_management and whatsapp_business_manage_events
    # in granular_scopes. Our choice: their target_ids are the businesses and the WABAs granted.
    return {BUSINESS: list(business_ids), MANAGE_EVENTS: list(waba_ids)}


def scopes(app: MetaApp) -> list[str]:
    if app.scope_naming == "legacy":
        return [MANAGEMENT, MESSAGING, "public_profile"]
    return [MANAGEMENT, MESSAGING, BUSINESS, "public_profile"]


def token_wabas(token: AccessToken) -> list[str]:
    """The WABAs granted to the token, in the order it was granted them (however its scopes are named)."""
    return list(token.waba_ids)


class Tokens:
    """The token rules of one tenant."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.meta = tenant.meta

    @property
    def now(self) -> float:
        return self.tenant.clock.now()

    # -- /oauth/access_token -------------------------------------------------------------------------------
    def access_token(self, params: dict[str, Any]) -> dict[str, Any]:
        """One call of `/oauth/access_token` (GET query or POST form), whichever grant it asks for."""
        grant = str(params.get("grant_type") or ("authorization_code" if params.get("code") else ""))
        if grant and grant not in GRANTS:
            raise errors.unsupported_grant(grant)
        for name in ("client_id", "client_secret"):
            if not params.get(name):
                raise errors.missing_parameter(name)
        app = self.meta.apps.get(str(params["client_id"]))
        if app is None:
            raise errors.unknown_app()
        if str(params["client_secret"]) != app.secret:
            raise errors.wrong_secret()
        if grant == "client_credentials":
            return self._app_token(app)
        if grant == "fb_exchange_token":
            return self._exchange_token(app, str(params.get("fb_exchange_token") or ""))
        if not params.get("code"):
            raise errors.missing_parameter("code")
        return self.exchange_code(app, str(params["code"]), params.get("redirect_uri"))

    def exchange_code(self, app: MetaApp, code: str, redirect_uri: str | None = None) -> dict[str, Any]:
        grant = self.meta.codes.get(code)
        if grant is None or grant.app_id != app.id:
            raise errors.invalid_code()
        if grant.used_at is not None:
            raise errors.code_used()
        if self.now > grant.issued_at + grant.ttl:
            raise errors.code_expired()
        if (redirect_uri or None) != grant.redirect_uri:
            raise errors.redirect_uri_mismatch()
        grant.used_at = self.now
        token = self.mint_system_user_token(app.id, grant.waba_ids)
        # A business-integration system-user token does not expire, so Meta sends no expires_in.
        return {"access_token": token.value, "token_type": "bearer"}

    def _app_token(self, app: MetaApp) -> dict[str, Any]:
        value = f"{app.id}|{self.tenant.ids.text(string.ascii_letters + string.digits + '-_', 27)}"
        token = AccessToken(value, app.id, "", "APP", (), issued_at=self.now)
        self.meta.tokens[value] = token
        self.tenant.remember_credential(value)
        return {"access_token": value, "token_type": "bearer"}

    def _exchange_token(self, app: MetaApp, value: str) -> dict[str, Any]:
        if not value:
            raise errors.missing_parameter("fb_exchange_token")
        subject = self.find(value)
        if not isinstance(subject, AccessToken) or subject.app_id != app.id:
            raise errors.invalid_token(status=400)
        problem = self.problem(subject)
        if problem is not None:
            problem.status = 400  # /oauth errors are all HTTP 400
            raise problem
        token = self.mint_token(app.id, [], user_id=subject.user_id, type="USER")
        token.waba_ids, token.business_ids = subject.waba_ids, subject.business_ids
        return {"access_token": token.value, "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS}

    def mint_system_user_token(self, app_id: str, waba_ids: list[str]) -> AccessToken:
        """The token the code exchange returns: the business-integration system user's, never expiring."""
        return self.mint_token(app_id, waba_ids, user_id=self.tenant.ids.digits(15), type="SYSTEM_USER")

    def mint_token(
        self, app_id: str, waba_ids: list[str], user_id: str | None = None, type: str = "USER"
    ) -> AccessToken:
        businesses = tuple(dict.fromkeys(self.meta.wabas[w].business_id for w in waba_ids if w in self.meta.wabas))
        # Meta lists the newest WABA first for one WABA; for several, in no order it promises: a seeded shuffle.
        ordered = tuple(self.tenant.ids.shuffled(waba_ids)) if len(waba_ids) > 1 else tuple(waba_ids)
        token = AccessToken(
            value=self.tenant.ids.access_token(),
            app_id=app_id,
            user_id=user_id or self.meta.user_id,
            type=type,
            waba_ids=ordered,
            issued_at=self.now,
            expires_at=0.0 if type == "SYSTEM_USER" else self.now + LONG_LIVED_SECONDS,
            business_ids=businesses,
        )
        self.meta.tokens[token.value] = token
        self.tenant.remember_credential(token.value)
        return token

    # -- who is calling ------------------------------------------------------------------------------------
    def find(self, value: str | None) -> Caller | None:
        """The token or app token `value` names, valid or not; None when Meta would not parse it."""
        if not value:
            return None
        token = self.meta.tokens.get(value)
        if token is not None:
            app = self.meta.apps.get(token.app_id)
            if token.type == "APP" and app is not None:
                return AppToken(app)
            return token
        if "|" in value:
            app_id, _, secret = value.partition("|")
            app = self.meta.apps.get(app_id)
            return (
                AppToken(app) if app is not None and hmac.compare_digest(app.secret.encode(), secret.encode()) else None
            )
        return None

    def problem(self, caller: Caller) -> errors.GraphError | None:
        """Why a known token cannot be used now (190 with Meta's subcode), or None."""
        if isinstance(caller, AppToken):
            return None
        app = self.meta.apps.get(caller.app_id)
        if app is not None and not app.installed:
            return errors.token_invalidated(458, caller.app_id)
        if not caller.valid:
            if caller.invalid_subcode in errors.TOKEN_SUBCODES:
                return errors.token_invalidated(caller.invalid_subcode, caller.app_id)
            return errors.invalid_token()
        if self.expired(caller):
            return errors.invalid_token(expired_at=graph_time(caller.expires_at))
        return None

    def authenticate(self, value: str | None) -> Caller:
        """The caller behind `value`, or Graph's 190 (401) for an unusable one."""
        caller = self.find(value)
        if caller is None:
            raise errors.invalid_token()
        problem = self.problem(caller)
        if problem is not None:
            raise problem
        return caller

    def expired(self, token: AccessToken) -> bool:
        return bool(token.expires_at) and self.now >= token.expires_at

    # -- debug_token ---------------------------------------------------------------------------------------
    def debug_token(self, caller_value: str, input_token: str) -> dict[str, Any]:
        caller = self.find(caller_value)
        if caller is None:
            raise errors.invalid_token(status=400)
        problem = self.problem(caller)
        if problem is not None:
            problem.status = 400  # debug_token answers a bad caller token with 400
            raise problem
        caller_app = caller.app.id if isinstance(caller, AppToken) else caller.app_id
        subject = self.find(input_token)
        if subject is None:
            return {
                "data": {
                    "error": {"code": 190, "message": "Invalid OAuth access token - Cannot parse access token"},
                    "is_valid": False,
                    "scopes": [],
                }
            }
        if isinstance(subject, AppToken):
            return {
                "data": {
                    "app_id": subject.app.id,
                    "type": "APP",
                    "application": subject.app.name,
                    "is_valid": True,
                    "scopes": [],
                }
            }
        if subject.app_id != caller_app:
            raise errors.app_token_required()
        app = self.meta.apps[subject.app_id]
        trouble = self.problem(subject)
        data: dict[str, Any] = {
            "app_id": subject.app_id,
            "type": subject.type,
            "application": app.name,
            "data_access_expires_at": int(subject.expires_at),
            "expires_at": int(subject.expires_at),
            "issued_at": int(subject.issued_at),
            "is_valid": trouble is None,
            "scopes": scopes(app),
            "granular_scopes": [
                {"scope": scope, "target_ids": list(ids)} if ids else {"scope": scope}
                for scope, ids in granular_scopes(app, token_wabas(subject), self._businesses(subject)).items()
            ],
            "user_id": subject.user_id,
        }
        if trouble is not None:
            data["error"] = {"code": 190, "message": trouble.message}
            if trouble.subcode is not None:
                data["error"]["subcode"] = trouble.subcode
        return {"data": data}

    def _businesses(self, token: AccessToken) -> list[str]:
        if token.business_ids:
            return list(token.business_ids)
        wabas = [self.meta.wabas[w] for w in token_wabas(token) if w in self.meta.wabas]
        return list(dict.fromkeys(w.business_id for w in wabas))

    # -- appsecret_proof -----------------------------------------------------------------------------------
    def check_proof(self, caller: Caller, token_value: str, proof: str | None) -> None:
        """Checked whenever sent; required when the app's seed says so (Meta's "Require App Secret")."""
        app = caller.app if isinstance(caller, AppToken) else self.meta.apps.get(caller.app_id)
        if app is None:
            return
        if proof:
            expected = hmac.new(app.secret.encode(), token_value.encode(), hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected.encode(), proof.lower().encode()):
                raise errors.appsecret_proof_invalid()
        elif app.appsecret_proof_required and not isinstance(caller, AppToken):
            raise errors.appsecret_proof_required()


def appsecret_proof(app_secret: str, token: str) -> str:
    """HMAC-SHA256 of the token keyed by the app secret, hex: what clients send as `appsecret_proof`."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def graph_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%A, %d-%b-%y %H:%M:%S UTC")
