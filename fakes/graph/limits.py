"""Graph's call budgets, counted: per app (code 4, `x-app-usage`) and per WABA (80008 on WABA edges,
`x-business-use-case-usage`), in one-hour windows of the world's clock.

The budgets are generous by default and seedable per app and per WABA (`call_budget`). Usage is reported in
percent of the budget, as Meta does; `estimated_time_to_regain_access` is in minutes.
"""

from __future__ import annotations

import json
import math
from typing import Any

from fakes.core.world import MetaApp, Tenant, Waba

from . import errors

WINDOW_SECONDS = 3600.0
DEFAULT_APP_BUDGET = 100_000  # calls per app per hour (Meta: 200 x daily users; our generous choice)
DEFAULT_WABA_BUDGET = 100_000  # calls per WABA per hour on its edges (our generous choice)
BUC_TYPE = "whatsapp_business_management"


def _count(tenant: Tenant, key: str, calls: int = 1) -> tuple[int, float]:
    """Add `calls` to `key`'s window; returns (calls in the window, seconds until it ends)."""
    now = tenant.clock.now()
    window = math.floor(now / WINDOW_SECONDS)
    entry = tenant.meta.usage.get(key)
    if entry is None or entry[0] != window:
        entry = tenant.meta.usage[key] = [float(window), 0.0]
    entry[1] += calls
    return int(entry[1]), (window + 1) * WINDOW_SECONDS - now


def spend_waba_calls(tenant: Tenant, waba: Waba, calls: int) -> None:
    """Count `calls` already made on the WABA's edges in the current window (another integration's)."""
    _count(tenant, f"waba:{waba.id}", calls)


def _percent(calls: int, budget: int) -> int:
    return min(100, int(calls * 100 / budget))


def count_app_call(tenant: Tenant, app: MetaApp, headers: dict[str, str]) -> None:
    """Count one call for the app and put its usage header in `headers`. Raises code 4 past the budget."""
    budget = app.call_budget or DEFAULT_APP_BUDGET
    calls, _ = _count(tenant, f"app:{app.id}")
    percent = _percent(calls, budget)
    headers["x-app-usage"] = json.dumps({"call_count": percent, "total_cputime": percent, "total_time": percent})
    if calls > budget:
        raise errors.app_rate_limited()


def count_waba_call(tenant: Tenant, waba: Waba, headers: dict[str, str]) -> None:
    """Count one call on the WABA's edges and put its usage header in `headers`. Raises 80008 past the budget."""
    budget = waba.call_budget or DEFAULT_WABA_BUDGET
    calls, remaining = _count(tenant, f"waba:{waba.id}")
    percent = _percent(calls, budget)
    over = calls > budget
    usage: dict[str, Any] = {
        "type": BUC_TYPE,
        "call_count": percent,
        "total_cputime": percent,
        "total_time": percent,
        "estimated_time_to_regain_access": math.ceil(remaining / 60) if over else 0,
    }
    headers["x-business-use-case-usage"] = json.dumps({waba.id: [usage]})
    if over:
        raise errors.waba_rate_limited()


IDLE_APP_USAGE = json.dumps({"call_count": 0, "total_cputime": 0, "total_time": 0})
