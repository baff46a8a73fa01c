"""The options a page passed to `FB.login()`, checked the way Meta's Embedded Signup dialog reacts to them.

Plain Python (no Flask). Two kinds of mistakes, as in the vendor guide's Troubleshooting section:

* blocking ones (no app id, unknown app, missing or unknown `config_id`): the dialog does not open; the fake
  shows Meta's "It looks like this app isn't available" page instead;
* silent ones (`response_type` without `code`, `override_default_response_type` not true, no
  `extras.sessionInfoVersion`): the signup completes, but the page gets no code, or no session-info event.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from fakes.core.errors import HarnessError
from fakes.core.world import Tenant
from fakes.graph.signup import SignupRequest, SignupResult
from fakes.graph.tokens import Tokens

# The origin the fake SDK gives the WA_EMBEDDED_SIGNUP message event (see docs/browser.md, "Delivery").
FACEBOOK_ORIGIN = "https://www.facebook.com"
UNAVAILABLE_TITLE = "It looks like this app isn't available"
TS_FB_LOGIN = "FB.login() doesn't open the embedded signup dialog"
TS_NO_WABA_ID = "The embedded signup completes but no WABA ID is returned"

# The popup's screens, in order; each name is the `current_step` a CANCEL event reports when a person leaves there.
STEPS: tuple[tuple[str, str], ...] = (
    ("BUSINESS_ACCOUNT_SELECTION", "Business portfolio"),
    ("WABA_PHONE_PROFILE_PICKER", "WhatsApp Business account"),
    ("WHATSAPP_BUSINESS_PROFILE_SETUP", "Business profile"),
    ("PHONE_NUMBER_SETUP", "Phone number"),
    ("PHONE_NUMBER_VERIFICATION", "Verification"),
    ("PERMISSIONS", "Permissions"),
)
FEATURE_FINISH = {
    "whatsapp_business_app_onboarding": "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING",
    "only_waba_sharing": "FINISH_ONLY_WABA",
}
ENDING_FIELDS = frozenset(f.name for f in fields(SignupRequest)) - {"app_id"}
DATA_ACCESS_SECONDS = 90 * 24 * 3600  # Facebook Login's data access window


class SdkError(HarnessError):
    """The fake SDK was asked for something it cannot do (bad dialog options, bad ending)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class DialogOptions:
    """The dialog's query parameters (what the fake SDK puts in the popup's URL), normalised."""

    app_id: str = ""
    config_id: str = ""
    response_type: str | None = None
    override_default_response_type: bool = False
    extras: dict[str, Any] = field(default_factory=dict)
    login_id: str = ""
    origin: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> DialogOptions:
        extras = params.get("extras")
        if isinstance(extras, str):
            try:
                extras = json.loads(extras) if extras.strip() else {}
            except ValueError:
                raise SdkError("extras is not valid JSON") from None
        if extras is None:
            extras = {}
        if not isinstance(extras, dict):
            raise SdkError("extras must be a JSON object")
        override = params.get("override_default_response_type")
        response_type = params.get("response_type")
        return cls(
            app_id=_text(params.get("app_id")),
            config_id=_text(params.get("config_id")),
            response_type=None if response_type is None else _text(response_type),
            override_default_response_type=override is True or _text(override).lower() == "true",
            extras=extras,
            login_id=_text(params.get("login_id")),
            origin=_text(params.get("origin")),
        )

    # -- what the options mean --------------------------------------------------------------------------
    @property
    def wants_code(self) -> bool:
        """Meta answers with a code only for response_type 'code' with override_default_response_type true."""
        types = set(re.split(r"[\s,]+", self.response_type or ""))
        return "code" in types and self.override_default_response_type

    @property
    def session_info_version(self) -> str | None:
        """ES v2 posts session info only when asked; ES v3/v4 (`extras.version`) always post it."""
        value = self.extras.get("sessionInfoVersion")
        if value not in (None, ""):
            return str(value)
        if self.extras.get("version") in ("v3", "v4"):
            return "3"
        return None

    @property
    def event_version(self) -> int | str | None:
        """The event's `version` field: the requested sessionInfoVersion; absent in ES v4's sample."""
        requested = self.extras.get("sessionInfoVersion")
        if requested in (None, "") and self.extras.get("version") == "v4":
            return None
        version = self.session_info_version
        if version is None:
            return None
        return int(version) if version.isdigit() else version

    @property
    def finish_outcome(self) -> str:
        """What "Finish" reports for this flow's `extras.featureType`."""
        return FEATURE_FINISH.get(str(self.extras.get("featureType") or ""), "FINISH")

    # -- checks -----------------------------------------------------------------------------------------
    def blocking_problems(self, tenant: Tenant) -> list[str]:
        """Why Meta would refuse to open the dialog at all (empty when it opens)."""
        if not self.app_id:
            return ["app_id is missing: call FB.init({appId: ...}) before FB.login()"]
        app = tenant.meta.apps.get(self.app_id)
        if app is None:
            return [f"app_id {self.app_id} is not a Meta app in tenant {tenant.name!r} (seed it first)"]
        if not self.config_id:
            return ["config_id is missing: FB.login() needs the config_id of a WhatsApp Business Configuration"]
        if self.config_id not in app.config_ids:
            known = ", ".join(app.config_ids) or "none"
            return [f"config_id {self.config_id} is not a configuration of app {app.id} (its config ids: {known})"]
        return []

    def notices(self) -> list[str]:
        """Silent mistakes: the dialog works, but the page will not get what it needs."""
        found = []
        if "code" not in set(re.split(r"[\s,]+", self.response_type or "")):
            found.append(
                f"response_type is {self.response_type or 'missing'!r}, not 'code': the callback will carry no "
                "authorization code, so the backend gets no WABA id"
            )
        if not self.override_default_response_type:
            found.append(
                "override_default_response_type is not true: Meta keeps its default (token) response, so the "
                "callback will carry no authorization code"
            )
        if self.session_info_version is None:
            found.append(
                "extras.sessionInfoVersion is missing: no WA_EMBEDDED_SIGNUP message event (session info) "
                "will be posted to the page"
            )
        return found

    # -- the end of the flow ----------------------------------------------------------------------------
    def signup_request(self, ending: Mapping[str, Any]) -> SignupRequest:
        """The popup's ending (SignupRequest fields; an armed plan's fields win) on top of these options.

        An `app_id` in the ending (a plan may carry one) is ignored: the dialog's app is the one signed up to.
        """
        ending = {key: value for key, value in ending.items() if key != "app_id"}
        unknown = set(ending) - ENDING_FIELDS
        if unknown:
            raise SdkError(f"unknown ending field(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {
            "app_id": self.app_id,
            "session_info_version": self.session_info_version,
            "event_version": self.event_version,
        }
        values.update(ending)
        try:
            return SignupRequest(**values)
        except TypeError as exc:
            raise SdkError(f"bad ending: {exc}") from None


def login_response(tenant: Tenant, options: DialogOptions, result: SignupResult) -> dict[str, Any]:
    """The FB.login() callback's argument for this flow.

    With the guide's options it is the code response. Without them Meta falls back to its default token
    response: an access token (minted here, as Facebook Login would) and no code.
    """
    if result.code is None:
        return result.login_response()
    if options.wants_code:
        return result.login_response()
    grant = tenant.meta.codes[result.code]
    token = Tokens(tenant).mint_token(grant.app_id, grant.waba_ids, user_id=grant.user_id)
    now = tenant.clock.now()
    return {
        "authResponse": {
            "accessToken": token.value,
            "userID": grant.user_id,
            "expiresIn": int(token.expires_at - now),
            "graphDomain": "facebook",
            "data_access_expiration_time": int(now + DATA_ACCESS_SECONDS),
        },
        "status": "connected",
    }


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
