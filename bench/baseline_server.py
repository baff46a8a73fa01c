"""The throughput baseline: a bare Flask handler answering the tech_provider route with the same JSON the Telnyx
fake returns, under the same server as `signup-harness serve` (`fakes.core.server.serve_wsgi`), with no
pipeline: no tenant, spec check, rules, headers or journal.

    .venv/bin/python bench/baseline_server.py --port 0 --urls-json /tmp/baseline.json

Writes {"telnyx": "http://127.0.0.1:PORT/v2"} (the same shape as `serve --urls-json`) once listening.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from pathlib import Path

from flask import Flask, Response

from fakes.core.server import serve_wsgi

# Byte-for-byte what the Telnyx fake answers for the benchmark's registration (bench_serve.py checks this).
BODY = {
    "data": {
        "waba_id": "300000000000001",
        "phone_number_id": "400000000000001",
        "status": "registered",
        "customer_id": None,
    }
}


def create_app() -> Flask:
    app = Flask("bench.baseline")

    @app.post("/v2/whatsapp/business_accounts/tech_provider")
    def register_tech_provider() -> Response:
        return Response(json.dumps(BODY), status=200, mimetype="application/json")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="bare Flask baseline for bench_serve.py")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--urls-json", type=Path, required=True)
    args = parser.parse_args()
    server = serve_wsgi(create_app(), args.host, args.port, "baseline")
    tmp = args.urls_json.with_suffix(".tmp")
    tmp.write_text(json.dumps({"telnyx": f"http://{args.host}:{server.port}/v2"}))
    tmp.replace(args.urls_json)  # atomic: a poller never reads half a file
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
