"""What one onboarding leaves in the world, by table, in bytes: the breakdown behind the soak's RSS figure.

    .venv/bin/python bench/onboarding_memory.py                 # 3000 onboardings in-process
    .venv/bin/python bench/onboarding_memory.py --onboardings 20000

Runs the soak's onboarding (signup, code exchange, register, list) in-process on the demo world with a live
clock, then sizes each table of the tenant (objects, their fields and containers, each object counted once: an
id string shared by several records is counted where it is first met) and divides by the onboardings. Codes
live 30 s (Meta's time-to-live) before they are pruned, so a short run counts them; the soak
(`bench_figures.py --only soak`) measures from a full window of live codes instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fakes.core.clock import LiveClock  # noqa: E402
from fakes.harness import Harness  # noqa: E402

API_KEY = "KEYLOCALTEST0001_notarealtelnyxkey"
APP_ID, APP_SECRET = "100000000000001", "local-app-secret-not-real"


def deep_size(value: Any, seen: set[int]) -> int:
    """Bytes of `value` and everything it holds that `seen` has not met yet."""
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value)
    if isinstance(value, dict):
        size += sum(deep_size(k, seen) + deep_size(v, seen) for k, v in value.items())
    elif isinstance(value, list | tuple | set | frozenset):
        size += sum(deep_size(item, seen) for item in value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        size += sum(deep_size(getattr(value, f.name), seen) for f in dataclasses.fields(value))
        if hasattr(value, "__dict__"):
            size += sys.getsizeof(value.__dict__)
    return size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--onboardings", type=int, default=3000)
    args = parser.parse_args()
    harness = Harness(clock=LiveClock())
    harness.seed_demo()
    http = harness.session()
    admin = harness.telnyx_url.removesuffix("/v2") + "/_t/default/__admin"
    auth = {"Authorization": f"Bearer {API_KEY}"}
    tenant = harness.world.tenant()
    before = len(tenant.telnyx.registrations)
    for _ in range(args.onboardings):
        signup = http.post(f"{admin}/signups", json={"app_id": APP_ID}).json()
        params = {"client_id": APP_ID, "client_secret": APP_SECRET, "code": signup["code"]}
        http.get(f"{harness.graph_url}/v19.0/oauth/access_token", params=params).raise_for_status()
        body = {"waba_id": signup["waba_id"], "phone_number_id": signup["phone_number_id"], "app_id": APP_ID}
        http.post(harness.telnyx_url + "/whatsapp/business_accounts/tech_provider", json=body, headers=auth)
        http.get(harness.telnyx_url + "/whatsapp/business_accounts", headers=auth)
    made = len(tenant.telnyx.registrations) - before
    seen: set[int] = set()
    tables = {
        "wabas": tenant.meta.wabas,
        "phone_numbers": tenant.meta.phone_numbers,
        "businesses": tenant.meta.businesses,
        "tokens": tenant.meta.tokens,
        "codes (live 30 s)": tenant.meta.codes,
        "credentials (world)": harness.world.credentials,
        "registrations": tenant.telnyx.registrations,
        "signup sessions": tenant.telnyx.sessions,
    }
    print(f"{made} onboardings; bytes each, by table:")
    total = 0.0
    for name, table in tables.items():
        each = deep_size(table, seen) / made
        total += each
        print(f"  {name:22} {len(table):8} rows {each:8.0f} B")
    print(f"  {'total':22} {'':13} {total:8.0f} B (RSS adds the allocator's and the dicts' slack)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
