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


def pin_mismatch() -> GraphError:
    return GraphError("(#133005) Two step verification PIN Mismatch", 133005)


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
