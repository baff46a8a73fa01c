"""Partners built on the vendors' Python SDKs pass under `verify --intercept` without setting any host: pywa and
Meta's facebook-business call https://graph.facebook.com themselves.

Both SDKs come with the `clients` test extra (CI installs it); without them these tests skip.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

PARTNERS = Path(__file__).resolve().parent / "partners"
# Every Graph call a partner makes, the failures it must report, and retries.
SCENARIOS = [
    "success",
    "success-with-customer-id",
    "finish-only-waba-resolved-through-graph",
    "no-session-info-resolved-through-debug-token",
    "code-already-used",
    "wrong-app-secret",
    "redirect-uri-mismatch",
    "graph-500-then-success",
    "graph-malformed-json",
    "telnyx-429-then-success",
    "telnyx-revoked-key",
    "cancel-at-phone-number-setup",
]


def _verify_partner(verify: Callable[..., Any], module: str, script: str) -> Any:
    pytest.importorskip(module, reason=f"{module} is not installed (the `clients` test extra)")
    cmd = f"{shlex.quote(sys.executable)} {shlex.quote(str(PARTNERS / script))}"
    run = verify(cmd, "--intercept", *[a for s in SCENARIOS for a in ("--id", s)])
    failed = {r["id"]: r for r in run.document["scenarios"] if r["verdict"] != "pass"}
    assert {i: r["reasons"] for i, r in failed.items()} == {}
    success = run.by_id["success"]
    assert success["calls"][0] == "graph.exchangeCode" and success["calls"][-1] == "telnyx.registerTechProvider"
    return run


def test_a_pywa_partner_passes_without_setting_a_host(verify: Callable[..., Any]) -> None:
    _verify_partner(verify, "pywa", "pywa_partner.py")


def test_a_facebook_business_partner_passes_without_setting_a_host(verify: Callable[..., Any]) -> None:
    run = _verify_partner(verify, "facebook_business", "facebook_business_partner.py")
    # The SDK pins its own CA bundle; REQUESTS_CA_BUNDLE wins over it, so its requests reached the fakes.
    assert "graph.debugToken" in run.by_id["no-session-info-resolved-through-debug-token"]["calls"]
