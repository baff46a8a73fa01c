"""Contract suite: schemathesis against both fakes (test_contract_fakes.py), a fake drifting from its spec
(test_contract_broken_fake.py), and hypothesis properties of the reference client
(test_contract_client_properties.py). See docs/contract-testing.md.

This file registers the Hypothesis profiles and loads one: `ci` (the default: 200 examples per operation or
property, derandomized so a CI run is reproducible) or `nightly` (2000 examples, a fresh random seed each run),
chosen with `SIGNUP_HYPOTHESIS_PROFILE=nightly`.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

# --- Hypothesis profiles ------------------------------------------------------------------------------------

PROFILE_ENV = "SIGNUP_HYPOTHESIS_PROFILE"
_COMMON: dict[str, Any] = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
}
# CI: >= 200 examples per operation, derandomized (the same inputs every run, no example database), so a red
# CI run is reproducible locally and a green one stays green.
settings.register_profile("ci", max_examples=200, derandomize=True, database=None, **_COMMON)
# Nightly: ten times more, and a new random seed every night; failures print a `@reproduce_failure` blob.
settings.register_profile("nightly", max_examples=2000, **_COMMON)
PROFILE = os.environ.get(PROFILE_ENV, "ci")
if PROFILE not in ("ci", "nightly"):
    raise pytest.UsageError(f"{PROFILE_ENV}={PROFILE!r}: use 'ci' or 'nightly'")
settings.load_profile(PROFILE)


@pytest.fixture
def stateful_settings() -> settings:
    """The profile's settings for state machines (each example is a scenario of several calls)."""
    return settings(
        settings.default,
        max_examples=max(50, settings.default.max_examples // 4),
        stateful_step_count=6,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    )
