"""Meta Graph's error catalogue: `{"error": {message, type, code, error_subcode?, fbtrace_id}}`, one import for all.

Each error is a function of the world's facts, rendered exactly as Graph sends it (docs/vendor-contract.md). The
envelope is `GraphError` (error_envelope.py); the OAuth and token errors are in oauth_errors.py, the WhatsApp
Business ones in whatsapp_errors.py; here are a request's own (parameters, objects, fields, paths, methods,
versions, the app's budget) and the default error of a fault armed with only a status. All are importable from here.
"""

from __future__ import annotations

from typing import Any

from .error_envelope import GRAPH_METHOD, OAUTH, GraphError
from .oauth_errors import (
    TOKEN_SUBCODES,
    app_token_required,
    appsecret_proof_invalid,
    appsecret_proof_required,
    code_expired,
    code_used,
    invalid_code,
    invalid_token,
    redirect_uri_mismatch,
    token_invalidated,
    unknown_app,
    unsupported_grant,
    wrong_secret,
)
from .whatsapp_errors import (
    app_lacks_permission,
    coexistence_number,
    needs_reverification,
    not_registered,
    permission_error,
    pin_guessed_too_fast,
    pin_mismatch,
    recently_deleted,
    register_rate_limited,
    too_many_pin_guesses,
    waba_rate_limited,
    whatsapp_error,
)

__all__ = [
    "GRAPH_METHOD",
    "OAUTH",
    "STATUS_DEFAULTS",
    "TOKEN_SUBCODES",
    "GraphError",
    "app_lacks_permission",
    "app_rate_limited",
    "app_token_required",
    "appsecret_proof_invalid",
    "appsecret_proof_required",
    "code_expired",
    "code_used",
    "coexistence_number",
    "for_status",
    "invalid_code",
    "invalid_parameter",
    "invalid_token",
    "method_not_allowed",
    "missing_parameter",
    "needs_reverification",
    "nonexisting_field",
    "not_registered",
    "override_before_subscribe",
    "permission_error",
    "pin_guessed_too_fast",
    "pin_mismatch",
    "recently_deleted",
    "redirect_uri_mismatch",
    "register_rate_limited",
    "token_invalidated",
    "too_many_pin_guesses",
    "unknown_app",
    "unknown_object",
    "unknown_path",
    "unknown_version",
    "unsupported_grant",
    "waba_rate_limited",
    "whatsapp_error",
    "wrong_secret",
]


def missing_parameter(name: str) -> GraphError:
    return GraphError(f"(#100) The parameter {name} is required", 100, www_authenticate="invalid_request")


def invalid_parameter(name: str, detail: str) -> GraphError:
    return GraphError(f"(#100) Param {name} {detail}", 100, www_authenticate="invalid_request")


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


def app_rate_limited() -> GraphError:
    return GraphError("(#4) Application request limit reached", 4, is_transient=True)


def unknown_version(version: str) -> GraphError:
    """A version newer than the newest Meta serves (our wording: Meta documents none)."""
    return GraphError(f"Unknown path components: /{version}", 2500, www_authenticate="invalid_request")


def override_before_subscribe() -> GraphError:
    """An override callback for an app that has no webhook subscription on the WABA yet (our wording)."""
    return GraphError(
        "(#100) The app must be subscribed to the WhatsApp Business Account before its callback URL can be overridden.",
        100,
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
