"""Server CPU per request of the benchmark's registration, in-process: steadier than req/s on a shared machine.

    .venv/bin/python bench/cpu_per_request.py                 # CPU us per request, median of --repeats samples
    .venv/bin/python bench/cpu_per_request.py --profile       # plus the top of a cProfile run
    .venv/bin/python bench/cpu_per_request.py --layer wsgi    # the WSGI app alone (no RSGI bridge)

Drives what `signup-harness serve` runs on its loop thread for each request: `fakes.core.rsgi_bridge.RsgiBridge`
(environ, body read under the limits, the app, the answer) over the Telnyx fake's full pipeline, with a stand-in
for granian's scope and protocol objects, so the Rust side (HTTP parsing, sockets) is not counted: over sockets
it adds about 70-90 us per request (bench_figures.py's CPU column minus this figure). The journal is filled past
its bound first (the steady state of a long serve). Timed with `time.process_time()`, which other processes on
the machine do not move (though they slow it through shared caches: compare variants in one run of one machine).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROUTE = "/v2/whatsapp/business_accounts/tech_provider"
BODY = b'{"waba_id":"300000000000001","phone_number_id":"400000000000001","app_id":"100000000000001"}'
HEADERS = {  # what wrk sends with bench_figures.py's script
    "host": "127.0.0.1:8020",
    "content-type": "application/json",
    "authorization": "Bearer KEYLOCALTEST0001_notarealtelnyxkey",
    "content-length": str(len(BODY)),
}


class Scope:
    """granian's RSGI HTTP scope, as far as the bridge reads it."""

    proto = "http"
    http_version = "1.1"
    rsgi_version = "1.5"
    scheme = "http"
    method = "POST"
    path = ROUTE
    query_string = ""
    client = "127.0.0.1:40000"
    server = "127.0.0.1:8020"
    authority = None
    headers = HEADERS


class Proto:
    """granian's RSGI HTTP protocol: the body in one piece, the answer kept."""

    __slots__ = ("answer",)

    def __init__(self) -> None:
        self.answer: Any = None

    async def __call__(self) -> bytes:
        return BODY

    def __aiter__(self) -> Any:
        return self._chunks()

    async def _chunks(self) -> Any:
        yield BODY

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.answer = (status, headers, body)

    def response_empty(self, status: int, headers: list[tuple[str, str]]) -> None:
        self.answer = (status, headers, b"")


def build(layer: str) -> Any:
    """A callable running one request and returning its status."""
    from fakes.core.clock import LiveClock
    from fakes.core.rsgi_bridge import RsgiBridge
    from fakes.harness import Harness

    harness = Harness(clock=LiveClock())
    harness.seed_demo()
    app = harness.telnyx_app
    if layer == "wsgi":
        bridge = RsgiBridge(app, "127.0.0.1", 8020)
        scope = Scope()

        def environ() -> dict[str, Any]:
            env = {**bridge.base, "REQUEST_METHOD": "POST", "PATH_INFO": ROUTE, "QUERY_STRING": "",
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000",
                   "CONTENT_TYPE": HEADERS["content-type"], "CONTENT_LENGTH": str(len(BODY)),
                   "HTTP_HOST": HEADERS["host"], "HTTP_AUTHORIZATION": HEADERS["authorization"],
                   "harness.body": BODY, "wsgi.input": io.BytesIO(BODY)}  # fmt: skip
            return env

        def one() -> int:
            return bridge._call(environ())[0]

        del scope
        return one, harness
    bridge = RsgiBridge(app, "127.0.0.1", 8020)
    scope = Scope()
    loop = asyncio.new_event_loop()

    def many(n: int) -> int:
        async def run() -> int:
            status = 0
            for _ in range(n):
                proto = Proto()
                await bridge(scope, proto)
                status = proto.answer[0]
            return status

        return loop.run_until_complete(run())

    return many, harness


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=4000, help="requests per sample")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--layer", choices=("rsgi", "wsgi"), default="rsgi")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile run")
    parser.add_argument("--gc", choices=("default", "freeze", "off"), default="default", help="cyclic GC while timed")
    parser.add_argument("--sort", default="cumulative", help="cProfile order (cumulative, tottime)")
    parser.add_argument("--top", type=int, default=60)
    args = parser.parse_args()
    run, harness = build(args.layer)
    if args.layer == "wsgi":
        one = run

        def run(n: int) -> int:  # type: ignore[misc]
            status = 0
            for _ in range(n):
                status = one()
            return status

    status = run(2500)  # fill the journal past its bound
    if status != 200:
        print(f"the registration answered {status}, not 200")
        return 1
    if args.gc == "freeze":
        gc.collect()
        gc.freeze()
    elif args.gc == "off":
        gc.disable()
    samples = []
    for _ in range(args.repeats):
        started = time.process_time()
        run(args.n)
        samples.append((time.process_time() - started) / args.n * 1e6)
    print(f"{args.layer}: {statistics.median(samples):.1f} us CPU per request (median of {args.repeats} x {args.n}; "
          f"min {min(samples):.1f}, max {max(samples):.1f}); journal {len(harness.world.journal)}")  # fmt: skip
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        run(args.n)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
