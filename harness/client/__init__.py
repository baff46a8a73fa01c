"""The reference onboarding client: the partner backend of the WhatsApp Tech Provider Embedded Signup guide.

    from harness.client import ClientConfig, OnboardingClient, SignupOutcome

    client = OnboardingClient(ClientConfig.from_env())
    result = client.onboard(SignupOutcome.from_browser(code=code, event=event), customer_id="acme-42")

See docs/client.md for the configuration, the error table and the retry policy.
"""

from . import errors
from .config import ClientConfig
from .errors import *  # noqa: F403  # every error class; the list is errors.__all__
from .events import SignupEvent, SignupOutcome
from .onboarding import OnboardingClient, OnboardingResult
from .outcome import OutcomeWait, SessionOutcome
from .retry import RetryPolicy

__all__ = [
    # Configuration
    "ClientConfig",
    "RetryPolicy",
    # The flow
    "OnboardingClient",
    "OnboardingResult",
    "OutcomeWait",
    "SessionOutcome",
    "SignupEvent",
    "SignupOutcome",
    # Errors (one class per failure a partner must handle differently)
    *errors.__all__,
]
