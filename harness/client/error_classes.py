"""The error classes a partner handles, one per failure to handle differently (the tree is in errors.py): each
with its guidance and, where the vendor guide has one, the title of its Troubleshooting entry."""

from __future__ import annotations

from typing import Any, ClassVar

from .error_base import OnboardingError
from .redaction import Redactor

# Titles of the accordions in the vendor guide's Troubleshooting section.
TS_PARTNER_INVITATION = "I didn't receive the Meta partner invitation email"
TS_APP_REVIEW = "Meta App Review was denied"
TS_FB_LOGIN = "FB.login() doesn't open the embedded signup dialog"
TS_TELNYX_401 = "The Telnyx API returns a 401 Unauthorized error"
TS_NO_WABA_ID = "The embedded signup completes but no WABA ID is returned"
TS_VERIFICATION_CODE = "The phone number verification code never arrives"


# --- the browser side (vendor "signup") ---------------------------------------------------------------------


class SignupCancelled(OnboardingError):
    """The customer left the Embedded Signup popup; `step` is the `current_step` Meta reported."""

    default_guidance = "The customer closed the signup before finishing; offer to start it again."
    _STEP_GUIDANCE: ClassVar[dict[str, tuple[str, str | None]]] = {
        "PHONE_NUMBER_VERIFICATION": (
            "The customer stopped at phone number verification: check the number can receive SMS, "
            "or ask for the code by voice call.",
            TS_VERIFICATION_CODE,
        ),
        "PHONE_NUMBER_SETUP": (
            "The customer stopped while adding a phone number; a number not already on WhatsApp is needed.",
            None,
        ),
    }

    def __init__(self, step: str | None = None, message: str | None = None, **fields: Any) -> None:
        self.step = step
        guidance, troubleshooting = self._STEP_GUIDANCE.get(step or "", (None, None))
        fields.setdefault("vendor", "signup")
        fields.setdefault("operation", "embeddedSignup")
        fields.setdefault("guidance", guidance)
        fields.setdefault("troubleshooting", troubleshooting)
        super().__init__(message or f"Embedded Signup cancelled at step {step or 'unknown'}", **fields)

    def _scrub(self, redactor: Redactor) -> None:
        self.step = redactor.text(self.step)
        super()._scrub(redactor)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "step": self.step}


class SignupError(OnboardingError):
    default_guidance = (
        "Meta's signup popup reported an error (vendor_code is Meta's error code, trace_id its session id); "
        "show the message to the customer and check the SDK set-up in the browser console."
    )
    default_troubleshooting = TS_FB_LOGIN


class MissingAuthorizationCode(OnboardingError):
    default_guidance = (
        "The FB.login() callback gave no authResponse.code: launch the dialog with response_type 'code' and "
        "override_default_response_type true, and post the code to the backend."
    )
    default_troubleshooting = TS_NO_WABA_ID


class NoWabaIdReturned(OnboardingError):
    default_guidance = (
        "Neither the signup event nor Graph (debug_token granular scopes, WABA phone numbers) gave an id; "
        "the customer may not have finished every step (business, WhatsApp account, phone number)."
    )
    default_troubleshooting = TS_NO_WABA_ID


# --- Meta Graph ---------------------------------------------------------------------------------------------


class InvalidAuthorizationCode(OnboardingError):
    default_guidance = "The code is malformed or was already exchanged: exchange each code exactly once."


class ExpiredAuthorizationCode(OnboardingError):
    default_guidance = "Codes live 30 seconds: send the code to the backend and exchange it immediately."


class RedirectUriMismatch(OnboardingError):
    default_guidance = "Embedded Signup exchanges must not send redirect_uri: leave redirect_uri unset."


class WrongAppSecret(OnboardingError):
    default_guidance = "Graph rejected the app secret: set META_APP_SECRET to this Meta app's App Secret."


class UnknownApp(OnboardingError):
    default_guidance = "Graph does not know this app id: set META_APP_ID to the App ID used in FB.init()."


class InvalidAccessToken(OnboardingError):
    default_guidance = "Graph refused the access token (invalid, expired or another app's); restart the signup."


# --- Telnyx -------------------------------------------------------------------------------------------------


class TelnyxAuthenticationFailed(OnboardingError):
    default_guidance = (
        "Use a valid, unrevoked Telnyx API key and send it as 'Authorization: Bearer <key>' (TELNYX_API_KEY)."
    )
    default_troubleshooting = TS_TELNYX_401


class AppNotLinkedToTelnyx(OnboardingError):
    default_guidance = (
        "Telnyx does not know this Meta app as a Tech Provider app: ask Telnyx to link it (the app must be "
        "Live) and accept Meta's partner invitation."
    )
    default_troubleshooting = TS_PARTNER_INVITATION


class WabaNotFound(OnboardingError):
    default_guidance = (
        "The WABA id is unknown or not shared with the app: send the waba_id from the signup event "
        "(not the business_id) once the customer has finished the flow."
    )
    default_troubleshooting = TS_NO_WABA_ID


class AssetNotGranted(OnboardingError):
    """Graph code 200: the token was not granted this WABA (or number); the customer left it out of the signup."""

    default_guidance = (
        "The customer did not grant your app this WhatsApp Business Account in the signup: use a WABA id the "
        "token was granted (the signup event's, or debug_token's granular_scopes), or ask the customer to run "
        "the signup again and select it."
    )
    default_troubleshooting = TS_NO_WABA_ID


class PhoneNumberNotInWaba(OnboardingError):
    default_guidance = (
        "The phone number id does not belong to that WABA: send the phone_number_id from the same signup."
    )
    default_troubleshooting = TS_NO_WABA_ID


class RegistrationConflict(OnboardingError):
    default_guidance = (
        "This WABA is already registered with a different number, app or customer id; registering the same "
        "data again is safe, changing it is not."
    )


class SignupSessionFailed(OnboardingError):
    """Telnyx accepted the registration but its signup session failed at a stage (`vendor_code`)."""

    default_guidance = (
        "Telnyx could not finish provisioning the WABA (the guide's 'What happens after registration'); fix what "
        "Telnyx's errors name, then register again."
    )


class SignupSessionTimedOut(OnboardingError):
    default_guidance = (
        "The signup session had not ended within the wait budget: keep the customer's onboarding 'pending' and "
        "check again later (GET /v2/whatsapp/signup/{session_id}/status), or wait for whatsapp.waba_added."
    )


class HostedSignupExpired(OnboardingError):
    default_guidance = "The hosted signup link expired: create a new hosted signup and send the customer its URL."


class RequestValidationFailed(OnboardingError):
    default_guidance = "The vendor rejected the request as invalid; see pointer and message for the field."


# --- transport and everything else --------------------------------------------------------------------------


class RateLimited(OnboardingError):
    default_guidance = "The vendor is rate limiting this app or key; retry later with backoff."


class VendorUnavailable(OnboardingError):
    default_guidance = "The vendor failed or could not be reached after retries; retry later."


class VendorTimeout(OnboardingError):
    default_guidance = (
        "No answer before the timeout; the vendor may have acted. Telnyx registration is idempotent, so "
        "retrying the same registration is safe; an authorization code may already be used."
    )


class MalformedVendorResponse(OnboardingError):
    default_guidance = "The response was not JSON or not in the documented shape."


class VendorError(OnboardingError):
    default_guidance = "The vendor returned an error this client does not classify; see code and message."
