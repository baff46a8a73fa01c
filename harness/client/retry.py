"""When to retry a vendor call, and how long to wait first.

Retried: HTTP 429, HTTP 5xx and connection failures (connect timeouts included). Never retried: any other 4xx
(retrying cannot change the answer) and read timeouts (the vendor may already have acted).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff without jitter, so runs are reproducible.

    The wait before attempt n+1 is `base_delay * 2**(n-1)`, or the vendor's own hint (`Retry-After`, or
    Telnyx's `x-ratelimit-reset` on a 429) when it sends one, capped by `max_delay`. No retry starts if its
    wait would take the call past `total_budget` seconds after it began. `sleep` and `monotonic` are
    injectable, so tests never wait.
    """

    max_attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 5.0
    total_budget: float = 15.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    monotonic: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be an integer >= 1")
        for name in ("base_delay", "max_delay", "total_budget"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise ValueError(f"RetryPolicy.{name} must be a finite number >= 0")

    @classmethod
    def never(cls) -> RetryPolicy:
        """One attempt only."""
        return cls(max_attempts=1)

    def delay_before_next(self, attempts_made: int, hint: float | None = None) -> float:
        """Seconds to wait after `attempts_made` attempts (1-based), honouring the vendor's hint."""
        delay = self.base_delay * (2 ** (attempts_made - 1)) if hint is None else hint
        return max(0.0, min(delay, self.max_delay))


def is_retryable_status(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


def retry_hint(status: int, headers: Mapping[str, str]) -> float | None:
    """The vendor's own wait in seconds: `Retry-After`, else (on a 429 only) Telnyx's `x-ratelimit-reset`."""
    hint = _seconds(headers.get("Retry-After"))
    if hint is None and status == 429:
        hint = _seconds(headers.get("x-ratelimit-reset"))
    return hint


def _seconds(value: str | None) -> float | None:
    """A delay in seconds; HTTP-date forms of Retry-After are ignored (we fall back to our own backoff)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
