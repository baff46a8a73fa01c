"""The errors the onboarding client raises: one class per thing a partner would handle differently.

    OnboardingError
     ├── SignupCancelled            the customer closed the popup (event CANCEL + current_step)
     ├── SignupError                the popup reported an error (CANCEL + error_message, or ERROR)
     ├── MissingAuthorizationCode   the browser handed over no code
     ├── NoWabaIdReturned           neither the event nor Graph yields a WABA id / phone number id
     ├── InvalidAuthorizationCode   Graph 100 (garbage code) or 100/36009 (code already used)
     ├── ExpiredAuthorizationCode   Graph 100/36007
     ├── RedirectUriMismatch        Graph 100/36008
     ├── WrongAppSecret             Graph 1
     ├── UnknownApp                 Graph 101
     ├── InvalidAccessToken         Graph 190
     ├── TelnyxAuthenticationFailed Telnyx 401 10009
     ├── AppNotLinkedToTelnyx       Telnyx 403 10038
     ├── WabaNotFound               Telnyx 422 10017 /waba_id, Graph 100/33 on the WABA
     ├── PhoneNumberNotInWaba       Telnyx 422 10017 /phone_number_id
     ├── RegistrationConflict       Telnyx 409 10012
     ├── SignupSessionFailed        Telnyx's signup session ended FAILURE (vendor_code: the stage; subcode: Meta's)
     ├── SignupSessionTimedOut      the session was still PENDING when the client's wait budget ran out
     ├── HostedSignupExpired        Telnyx 422 10015: the hosted signup link expired
     ├── RequestValidationFailed    Telnyx 400/415/422 (other codes), Graph 100 (other)
     ├── RateLimited                HTTP 429 after retries, Graph 4 / 80007 (and 17, 32, 613)
     ├── VendorUnavailable          5xx or connection failures, after retries
     ├── VendorTimeout              read timeout (never retried: the vendor may have acted)
     ├── MalformedVendorResponse    not JSON, or not the documented shape
     └── VendorError                anything the table in `mapping.py` does not name

Every instance carries the same fields (see `OnboardingError.to_dict`). Messages are built from vendor codes,
titles and messages only, and pass through a `Redactor`, so no secret reaches `str`, `repr` or `to_dict`.

This module is their public home, the one to import from: the base class is in error_base.py, the classes and the
vendor guide's Troubleshooting titles (`TS_*`) in error_classes.py.
"""

from __future__ import annotations

from .error_base import OnboardingError
from .error_classes import TS_APP_REVIEW as TS_APP_REVIEW
from .error_classes import TS_FB_LOGIN as TS_FB_LOGIN
from .error_classes import TS_NO_WABA_ID as TS_NO_WABA_ID
from .error_classes import TS_PARTNER_INVITATION as TS_PARTNER_INVITATION
from .error_classes import TS_TELNYX_401 as TS_TELNYX_401
from .error_classes import TS_VERIFICATION_CODE as TS_VERIFICATION_CODE
from .error_classes import (
    AppNotLinkedToTelnyx,
    AssetNotGranted,
    ExpiredAuthorizationCode,
    HostedSignupExpired,
    InvalidAccessToken,
    InvalidAuthorizationCode,
    MalformedVendorResponse,
    MissingAuthorizationCode,
    NoWabaIdReturned,
    PhoneNumberNotInWaba,
    RateLimited,
    RedirectUriMismatch,
    RegistrationConflict,
    RequestValidationFailed,
    SignupCancelled,
    SignupError,
    SignupSessionFailed,
    SignupSessionTimedOut,
    TelnyxAuthenticationFailed,
    UnknownApp,
    VendorError,
    VendorTimeout,
    VendorUnavailable,
    WabaNotFound,
    WrongAppSecret,
)

__all__ = [
    "AppNotLinkedToTelnyx",
    "AssetNotGranted",
    "ExpiredAuthorizationCode",
    "InvalidAccessToken",
    "InvalidAuthorizationCode",
    "MalformedVendorResponse",
    "MissingAuthorizationCode",
    "NoWabaIdReturned",
    "OnboardingError",
    "PhoneNumberNotInWaba",
    "RateLimited",
    "RedirectUriMismatch",
    "RegistrationConflict",
    "RequestValidationFailed",
    "HostedSignupExpired",
    "SignupSessionFailed",
    "SignupSessionTimedOut",
    "SignupCancelled",
    "SignupError",
    "TelnyxAuthenticationFailed",
    "UnknownApp",
    "VendorError",
    "VendorTimeout",
    "VendorUnavailable",
    "WabaNotFound",
    "WrongAppSecret",
]

# Their public home: tracebacks, pickles and help() name them harness.client.errors.<Class>, as before the split.
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
