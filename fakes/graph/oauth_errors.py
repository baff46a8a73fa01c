"""Graph's OAuth and token errors: the app and its secret (101, 1), the code exchange (100 with 36007/36008/36009),
grant types, app tokens, `appsecret_proof`, and a token that does not work (190 and its subcodes)."""

from __future__ import annotations

from .error_envelope import GraphError


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


def appsecret_proof_invalid() -> GraphError:
    return GraphError("Invalid appsecret_proof provided in the API argument", 100, www_authenticate="invalid_request")


def appsecret_proof_required() -> GraphError:
    return GraphError(
        "API calls from the server require an appsecret_proof argument", 100, www_authenticate="invalid_request"
    )


def unsupported_grant(grant_type: str) -> GraphError:
    return GraphError(
        f"(#100) Param grant_type must be one of: authorization_code, client_credentials, "
        f"fb_exchange_token; got {grant_type}",
        100,
        www_authenticate="invalid_request",
    )
