"""Meta Graph's error catalogue: `{"error": {message, type, code, error_subcode?, fbtrace_id}}`.

Each error is a function of the world's facts, rendered exactly as Graph sends it (docs/vendor-contract.md).
"""

from __future__ import annotations

from typing import Any

from fakes.core.errors import VendorError

OAUTH = "OAuthException"
GRAPH_METHOD = "GraphMethodException"


class GraphError(VendorError):
    def __init__(
        self,
        message: str,
        code: int,
        *,
        status: int = 400,
        type: str = OAUTH,
        subcode: int | None = None,
        www_authenticate: str | None = None,
        is_transient: bool | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.type = type
        self.subcode = subcode
        self.www_authenticate = www_authenticate
        self.is_transient = is_transient
        self.extra = extra or {}
        self.fbtrace_id = ""  # filled by the app from the tenant's id source

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.is_transient is not None:
            error["is_transient"] = self.is_transient
        error.update(self.extra)
        error["fbtrace_id"] = self.fbtrace_id
        return {"error": error}

    def headers(self) -> dict[str, str]:
        if self.www_authenticate is None:
            return {}
        message = self.message.replace('"', "'")
        return {"WWW-Authenticate": f'OAuth "Facebook Platform" "{self.www_authenticate}" "{message}"'}


def unknown_app() -> GraphError:
    return GraphError("Error validating application. Invalid application ID.", 101)


def wrong_secret() -> GraphError:
    return GraphError("Error validating client secret.", 1)


def invalid_code() -> GraphError:
    return GraphError("Invalid verification code format.", 100, www_authenticate="invalid_code")


def code_used() -> GraphError:
    return GraphError("This authorization code has been used.", 100, subcode=36009, www_authenticate="invalid_code")


def code_expired() -> GraphError:
    return GraphError("This authorization code has expired.", 100, subcode=36007, www_authenticate="invalid_code")


def redirect_uri_mismatch() -> GraphError:
    return GraphError(
        "Error validating verification code. Please make sure your redirect_uri is identical to the one you "
        "used in the OAuth dialog request",
        100,
        subcode=36008,
        www_authenticate="invalid_code",
    )


def missing_parameter(name: str) -> GraphError:
    return GraphError(f"(#100) The parameter {name} is required", 100, www_authenticate="invalid_request")


def invalid_parameter(name: str, detail: str) -> GraphError:
    return GraphError(f"(#100) Param {name} {detail}", 100, www_authenticate="invalid_request")


# Why a token stopped working: Meta's 190 subcodes (Graph error-handling guide), with Meta's own messages.
TOKEN_SUBCODES: dict[int, str] = {
    458: "Error validating access token: The user has not authorized application {app_id}.",
    460: (
        "Error validating access token: The session has been invalidated because the user changed their "
        "password or Facebook has changed the session for security reasons."
    ),
    467: "Error validating access token: The session is invalid because the user logged out.",
}


def token_invalidated(subcode: int, app_id: str, status: int = 401) -> GraphError:
    message = TOKEN_SUBCODES[subcode].format(app_id=app_id)
    return GraphError(message, 190, status=status, subcode=subcode, www_authenticate="invalid_token")


def invalid_token(status: int = 401, expired_at: str | None = None) -> GraphError:
    if expired_at is not None:
        return GraphError(
            f"Error validating access token: Session has expired on {expired_at}.",
            190,
            status=status,
            subcode=463,
            www_authenticate="invalid_token",
        )
    return GraphError(
        "Invalid OAuth access token - Cannot parse access token",
        190,
        status=status,
        www_authenticate="invalid_token",
    )


def app_token_required() -> GraphError:
    return GraphError(
        "(#100) You must provide an app access token, or a user access token that is an owner or developer of the app",
        100,
    )


def unknown_object(object_id: str, method: str = "get") -> GraphError:
    return GraphError(
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation. Please read the Graph API documentation at "
        "https://developers.facebook.com/docs/graph-api",
        100,
        type=GRAPH_METHOD,
        subcode=33,
        www_authenticate="invalid_request",
    )


def nonexisting_field(field: str, node_type: str) -> GraphError:
    return GraphError(f"(#100) Tried accessing nonexisting field ({field}) on node type ({node_type})", 100)


def whatsapp_error(code: int, message: str, details: str, status: int = 400, **kwargs: Any) -> GraphError:
    """A WhatsApp Business error: `(#code) message` with `error_data {messaging_product, details}`."""
    error = GraphError(f"(#{code}) {message}", code, status=status, **kwargs)
    error.extra["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return error


def pin_mismatch() -> GraphError:
    return whatsapp_error(
        133005,
        "Two step verification PIN Mismatch",
        "The PIN does not match the two-step verification PIN set on this phone number.",
    )


def needs_reverification() -> GraphError:
    return whatsapp_error(
        133006, "Phone number re-verification needed", "Verify the phone number again before registering it."
    )


def too_many_pin_guesses() -> GraphError:
    return whatsapp_error(
        133008,
        "Too many two step verification PIN guesses for this phone number",
        "Try again after the time stated in the WhatsApp Manager.",
    )


def pin_guessed_too_fast() -> GraphError:
    return whatsapp_error(
        133009, "Two step verification PIN was entered too quickly", "Wait a moment before trying the PIN again."
    )


def not_registered() -> GraphError:
    return whatsapp_error(133010, "Phone number Not Registered", "The phone number is not registered on WhatsApp.")


def recently_deleted() -> GraphError:
    return whatsapp_error(
        133015,
        "Please wait a few minutes before attempting to register this phone number",
        "The phone number was recently deleted; wait 5 minutes before registering it again.",
    )


def register_rate_limited() -> GraphError:
    return whatsapp_error(
        133016,
        "Account register deregister rate limit exceeded",
        "Registration or deregistration failed because there were too many attempts for this phone number "
        "in a short period of time.",
    )


def coexistence_number() -> GraphError:
    """A number still used in the WhatsApp Business app (coexistence) cannot be registered (our wording)."""
    return whatsapp_error(
        100,
        "Register endpoint is not available for SMB businesses",
        "This phone number is used in the WhatsApp Business app; coexistence numbers are onboarded without "
        "registering.",
    )


def permission_error(object_id: str) -> GraphError:
    """Code 200: the token was not granted this asset."""
    error = GraphError("(#200) Permissions error", 200, status=403)
    error.extra["error_data"] = {
        "messaging_product": "whatsapp",
        "details": f"The access token was not granted access to object {object_id}.",
    }
    return error


def app_lacks_permission(permission: str) -> GraphError:
    """Code 10: the app was not granted the permission in App Review."""
    return GraphError(
        "(#10) Application does not have permission for this action",
        10,
        status=403,
        extra={"error_data": {"messaging_product": "whatsapp", "details": f"The app lacks {permission}."}},
    )


def appsecret_proof_invalid() -> GraphError:
    return GraphError("Invalid appsecret_proof provided in the API argument", 100, www_authenticate="invalid_request")


def appsecret_proof_required() -> GraphError:
    return GraphError(
        "API calls from the server require an appsecret_proof argument", 100, www_authenticate="invalid_request"
    )


def app_rate_limited() -> GraphError:
    return GraphError("(#4) Application request limit reached", 4, is_transient=True)


def waba_rate_limited() -> GraphError:
    error = GraphError(
        "(#80008) There have been too many calls to this WhatsApp Business account. Wait a bit and try again. "
        "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
        80008,
        is_transient=True,
    )
    error.extra["error_data"] = {"messaging_product": "whatsapp", "details": "Too many calls to this WABA."}
    return error


def unknown_version(version: str) -> GraphError:
    """A version newer than the newest Meta serves (our wording: Meta documents none)."""
    return GraphError(f"Unknown path components: /{version}", 2500, www_authenticate="invalid_request")


def override_before_subscribe() -> GraphError:
    """An override callback for an app that has no webhook subscription on the WABA yet (our wording)."""
    return GraphError(
        "(#100) The app must be subscribed to the WhatsApp Business Account before its callback URL can be overridden.",
        100,
    )


def unsupported_grant(grant_type: str) -> GraphError:
    return GraphError(
        f"(#100) Param grant_type must be one of: authorization_code, client_credentials, "
        f"fb_exchange_token; got {grant_type}",
        100,
        www_authenticate="invalid_request",
    )


def unknown_path() -> GraphError:
    return GraphError("Unknown path components", 2500, www_authenticate="invalid_request")


def method_not_allowed() -> GraphError:
    return GraphError("Unsupported request - method type not allowed", 100, www_authenticate="invalid_request")


# Default errors for a fault armed with only an HTTP status (Graph answers rate limits with HTTP 400, code 4).
STATUS_DEFAULTS: dict[int, tuple[str, int, bool | None]] = {
    400: ("(#4) Application request limit reached", 4, True),
    401: ("Invalid OAuth access token - Cannot parse access token", 190, None),
    403: ("(#200) Permissions error", 200, None),
    404: ("Unknown path components", 2500, None),
    429: ("(#4) Application request limit reached", 4, True),
    500: ("An unknown error occurred", 1, True),
    502: ("An unexpected error has occurred. Please retry your request later.", 2, True),
    503: ("Service temporarily unavailable", 2, True),
    504: ("An unexpected error has occurred. Please retry your request later.", 2, True),
}


def for_status(status: int, overrides: dict[str, Any]) -> GraphError:
    message, code, transient = STATUS_DEFAULTS.get(status, ("An unknown error occurred", 1, True))
    fields = dict(overrides)
    error = GraphError(
        fields.pop("message", message),
        int(fields.pop("code", code)),
        status=status,
        type=fields.pop("type", OAUTH),
        subcode=fields.pop("error_subcode", fields.pop("subcode", None)),
        is_transient=fields.pop("is_transient", transient),
        www_authenticate=fields.pop("www_authenticate", "invalid_token" if code == 190 else None),
    )
    error.extra = fields
    return error
