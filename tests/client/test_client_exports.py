"""The public surface other modules import from `harness.client` (scenario files name the error classes)."""

from __future__ import annotations

import harness.client as client
from harness.client import errors

ERRORS = [
    "OnboardingError",
    "SignupCancelled",
    "SignupError",
    "MissingAuthorizationCode",
    "NoWabaIdReturned",
    "InvalidAuthorizationCode",
    "ExpiredAuthorizationCode",
    "RedirectUriMismatch",
    "WrongAppSecret",
    "UnknownApp",
    "InvalidAccessToken",
    "TelnyxAuthenticationFailed",
    "AppNotLinkedToTelnyx",
    "WabaNotFound",
    "AssetNotGranted",
    "PhoneNumberNotInWaba",
    "RegistrationConflict",
    "RequestValidationFailed",
    "SignupSessionFailed",
    "SignupSessionTimedOut",
    "HostedSignupExpired",
    "RateLimited",
    "VendorUnavailable",
    "VendorTimeout",
    "MalformedVendorResponse",
    "VendorError",
]
API = ["ClientConfig", "RetryPolicy", "SignupOutcome", "SignupEvent", "OnboardingClient", "OnboardingResult"]
API += ["OutcomeWait", "SessionOutcome"]


def test_all_is_exactly_the_public_api():
    assert sorted(client.__all__) == sorted(API + ERRORS)
    assert sorted(errors.__all__) == sorted(ERRORS)


def test_error_classes_are_re_exported_and_share_a_base():
    for name in ERRORS:
        cls = getattr(client, name)
        assert cls is getattr(errors, name)
        assert issubclass(cls, client.OnboardingError)
        assert cls.__name__ == name


def test_every_error_offers_guidance():
    for name in ERRORS:
        assert getattr(client, name).default_guidance


def test_step_methods_exist():
    for name in ("onboard", "exchange_code", "debug_token", "list_phone_numbers", "register"):
        assert callable(getattr(client.OnboardingClient, name))
    assert callable(client.SignupOutcome.from_browser)
    assert callable(client.ClientConfig.from_env)
