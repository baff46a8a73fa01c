"""Where the Telnyx fake's time goes per request, in-process (no sockets, no server threads).

    .venv/bin/python bench/profile_pipeline.py            # attribution table
    .venv/bin/python bench/profile_pipeline.py --cprofile # plus the top of a cProfile run

Calls the WSGI apps directly with a prebuilt environ for the benchmark's registration: the bare baseline app
(bench/baseline_server.py), the full fake, and the fake with one pipeline stage stubbed out at a time
(monkeypatched in this process only), so the difference is that stage's cost. Read it next to bench_serve.py's
server-CPU-per-request figures: over sockets werkzeug's server adds roughly 0.5-0.7 ms per request to both.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baseline_server  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

import fakes.core.pipeline as pipeline  # noqa: E402
from fakes.core.clock import LiveClock  # noqa: E402
from fakes.harness import Harness, compiled_spec  # noqa: E402
from fakes.telnyx.app import TelnyxAdapter  # noqa: E402

BODY = b'{"waba_id":"300000000000001","phone_number_id":"400000000000001","app_id":"100000000000001"}'
HEADERS = {
    "Authorization": "Bearer KEYLOCALTEST0001_notarealtelnyxkey",
    "Content-Type": "application/json",
    "Connection": "close",
    "User-Agent": "bench",
    "Host": "127.0.0.1:8020",
}


def environ_factory() -> Callable[[], dict[str, Any]]:
    template = EnvironBuilder(
        path="/v2/whatsapp/business_accounts/tech_provider", method="POST", data=BODY, headers=list(HEADERS.items())
    ).get_environ()

    def make() -> dict[str, Any]:
        environ = dict(template)
        environ["wsgi.input"] = io.BytesIO(BODY)
        return environ

    return make


def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return None


def per_request_us(app: Any, n: int, repeats: int = 5) -> float:
    make = environ_factory()
    for _ in range(300):
        b"".join(app(make(), start_response))
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(n):
            b"".join(app(make(), start_response))
        samples.append((time.perf_counter() - started) / n * 1e6)
    return statistics.median(samples)


@contextmanager
def patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3000, help="requests per sample")
    parser.add_argument("--cprofile", action="store_true")
    args = parser.parse_args()

    harness = Harness(clock=LiveClock())
    harness.seed_demo()
    fake = harness.telnyx_app
    spec = compiled_spec("telnyx")
    per_request_us(fake, 2500, repeats=1)  # fill the journal past its bound: the steady state of a long serve

    rows: list[tuple[str, float]] = [
        ("baseline: bare Flask view", per_request_us(baseline_server.create_app(), args.n)),
        ("fake: full pipeline", per_request_us(fake, args.n)),
    ]
    full = rows[1][1]

    def without(label: str, *patches: tuple[Any, str, Any]) -> None:
        with ExitStack() as stack:
            for patch in patches:
                stack.enter_context(patched(*patch))
            rows.append((label, per_request_us(fake, args.n)))

    real_validate = spec.validate_request
    cached: dict[str, Any] = {}

    def validate_once(endpoint: str, parts: Any) -> Any:  # the answer of the first call, reused
        if endpoint not in cached:
            cached[endpoint] = real_validate(endpoint, parts)
        return cached[endpoint]

    without("  without the journal entry (built + recorded)", (pipeline, "_journal_entry", lambda *a: None),
            (harness.world.journal, "record", lambda entry: None))  # fmt: skip
    without("  without the spec check (validate_request)", (spec, "validate_request", validate_once))
    without("  without vendor headers (x-ratelimit, ids)", (TelnyxAdapter, "response_headers", lambda s, t: {}))

    gc.collect()
    gc.freeze()  # the journal's entries out of the collector's sight: the cost of GC over the retained journal
    rows.append(("  with gc.freeze() after the journal is full", per_request_us(fake, args.n)))
    gc.unfreeze()
    gc.disable()
    rows.append(("  with the cyclic GC disabled", per_request_us(fake, args.n)))
    gc.enable()

    print(f"{'in-process, per request':<50}{'us':>8}{'vs full':>10}")
    for label, us in rows:
        print(f"{label:<50}{us:>8.1f}{us - full:>+10.1f}")
    print(f"(gc thresholds {gc.get_threshold()}; tracked objects {len(gc.get_objects())})")

    if args.cprofile:
        profile = cProfile.Profile()
        make = environ_factory()
        profile.enable()
        for _ in range(args.n):
            b"".join(fake(make(), start_response))
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue())


if __name__ == "__main__":
    main()
