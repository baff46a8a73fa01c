"""A partner's webhook endpoint, as partners write it: Python's http.server, `cryptography` for Telnyx's Ed25519
signature, `hmac` for Meta's. Long-running, like a dev server: verify is pointed at it with --webhook-url.

    python webhook_partner.py --public-key <base64> --app-secret <secret> [--accept-all] [--port 0]

Prints `listening http://127.0.0.1:<port>` once it accepts connections. POST /telnyx and POST /meta.
`--accept-all` is the common mistake: it answers 200 to anything, signed or not.
"""

import argparse
import base64
import contextlib
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TOLERANCE_SECONDS = 300  # as Telnyx's SDKs


class Endpoint:
    def __init__(self, public_key, app_secret, accept_all):
        self.key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        self.secret = app_secret.encode()
        self.accept_all = accept_all
        self.seen = set()
        self.lock = threading.Lock()

    def telnyx(self, headers, body):
        if self.accept_all:
            return 200
        try:
            stamp = headers["telnyx-timestamp"]
            signature = base64.b64decode(headers["telnyx-signature-ed25519"])
            self.key.verify(signature, stamp.encode() + b"|" + body)
        except (KeyError, ValueError, InvalidSignature):
            return 401
        if abs(time.time() - int(stamp)) > TOLERANCE_SECONDS:
            return 401
        return self.once(json.loads(body)["data"]["id"])

    def meta(self, headers, body):
        if self.accept_all:
            return 200
        expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, headers.get("x-hub-signature-256", "")):
            return 401
        return self.once(hashlib.sha256(body).hexdigest())

    def once(self, key):
        with self.lock:
            self.seen.add(key)  # a redelivery is answered 200 and not processed again
        return 200


def handler_for(endpoint):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            route = {"/telnyx": endpoint.telnyx, "/meta": endpoint.meta}.get(self.path)
            status = route(headers, body) if route else 404
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--public-key", required=True)
    parser.add_argument("--app-secret", required=True)
    parser.add_argument("--accept-all", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    endpoint = Endpoint(args.public_key, args.app_secret, args.accept_all)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(endpoint))
    print(f"listening http://127.0.0.1:{server.server_address[1]}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
