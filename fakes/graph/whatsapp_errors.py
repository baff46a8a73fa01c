"""WhatsApp Business errors of the Graph fake: `(#code) message` with `error_data {messaging_product, details}`,
for a number's registration and two-step PIN (1330xx, coexistence), assets the token or app lacks (200, 10) and the
WABA's call budget (80008)."""

from __future__ import annotations

from typing import Any

from .error_envelope import GraphError


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


def waba_rate_limited() -> GraphError:
    error = GraphError(
        "(#80008) There have been too many calls to this WhatsApp Business account. Wait a bit and try again. "
        "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
        80008,
        is_transient=True,
    )
    error.extra["error_data"] = {"messaging_product": "whatsapp", "details": "Too many calls to this WABA."}
    return error
