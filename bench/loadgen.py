"""Bounded HTTP load generator for the benchmarks: N requests over K concurrent connections, one request per
connection (no keep-alive), on loopback. Run as its own process so it never shares a GIL with the server.

    .venv/bin/python bench/loadgen.py --url http://127.0.0.1:PORT/v2/... --method POST --body '{...}' \
        --header 'Authorization: Bearer ...' --requests 3000 --concurrency 8 --max-seconds 20

Prints one JSON object: sent, ok (2xx), errors, elapsed_s, rps, latency percentiles (ms), and the generator's
own CPU use (so a reader can tell whether the generator, not the server, was the bottleneck); with
--watch-pid, also the server's CPU per request and the CPU other processes used meanwhile (noise).

Requests are pre-encoded bytes on raw sockets: cheaper per request than http.client, so one generator
process stays well below one core while the server is saturated. Each response's status line is checked,
and the first response body is returned for the caller to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import threading
import time
from urllib.parse import urlsplit


def build_request(url: str, method: str, body: bytes, headers: list[str]) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: close", "User-Agent: bench"]
    lines += headers
    if body or method in ("POST", "PUT", "PATCH"):
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    return host, port, raw


def one_request(host: str, port: int, raw: bytes, timeout: float) -> tuple[int, bytes]:
    """Send one request on a fresh connection; read the head and Content-Length bytes of body (or to EOF if
    there is none), then close, as http.client/requests do. Closing as soon as the body is in matters with
    werkzeug: after each response its handler waits up to 10 ms for stray request bytes, and a client that
    waits for the server's EOF would pay those 10 ms per request."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(raw)
        data = b""
        length = -1
        head_end = -1
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            if head_end < 0:
                head_end = data.find(b"\r\n\r\n")
                if head_end >= 0:
                    found = re.search(rb"(?im)^content-length:[ \t]*(\d+)", data[:head_end])
                    length = int(found.group(1)) if found else -1
            if head_end >= 0 and length >= 0 and len(data) >= head_end + 4 + length:
                break
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        status = int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        status = 0
    return status, body


def process_cpu_s(pid: int) -> float:
    """utime + stime of a process (all threads), from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def system_busy_s() -> float:
    """CPU-seconds all CPUs spent not idle, from /proc/stat (0 where /proc is missing)."""
    try:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def run(
    url: str,
    method: str,
    body: bytes,
    headers: list[str],
    requests: int,
    concurrency: int,
    max_seconds: float,
    warmup: int,
    watch_pid: int | None = None,
    timeout: float = 10.0,
) -> dict[str, object]:
    host, port, raw = build_request(url, method, body, headers)
    first_body = b""
    for _ in range(warmup):
        _, first_body = one_request(host, port, raw, timeout)

    lock = threading.Lock()
    remaining = [requests]
    deadline = [0.0]
    ok = [0]
    errors: dict[str, int] = {}
    latencies: list[list[float]] = [[] for _ in range(concurrency)]

    def take() -> bool:
        with lock:
            if remaining[0] <= 0 or time.perf_counter() > deadline[0]:
                return False
            remaining[0] -= 1
            return True

    def worker(index: int) -> None:
        mine = latencies[index]
        good = 0
        while take():
            t0 = time.perf_counter()
            try:
                status, _ = one_request(host, port, raw, timeout)
            except OSError as exc:
                status, key = 0, type(exc).__name__
            else:
                key = str(status)
            mine.append(time.perf_counter() - t0)
            if 200 <= status < 300:
                good += 1
            else:
                with lock:
                    errors[key] = errors.get(key, 0) + 1
        with lock:
            ok[0] += good

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    cpu0 = os.times()
    busy0 = system_busy_s()
    server0 = process_cpu_s(watch_pid) if watch_pid else 0.0
    started = time.perf_counter()
    deadline[0] = started + max_seconds
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    server1 = process_cpu_s(watch_pid) if watch_pid else 0.0
    busy1 = system_busy_s()
    cpu1 = os.times()
    lat = sorted(x for per in latencies for x in per)
    sent = len(lat)

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 3) if lat else 0.0

    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    server = server1 - server0
    busy = busy1 - busy0
    watched: dict[str, object] = {}
    if watch_pid and elapsed > 0:
        watched = {
            "server_cpu_s": round(server, 3),
            "server_cpu_share": round(server / elapsed, 3),
            "server_cpu_us_per_request": round(server / max(1, sent) * 1e6, 1),
            # everything else the machine did meanwhile (other processes): the noise in this run, in cores
            "other_cpu_share": round(max(0.0, busy - server - cpu) / elapsed, 3),
        }
    return {
        "url": url,
        "sent": sent,
        "ok": ok[0],
        "errors": errors,
        "truncated_by_time": sent < requests,
        "elapsed_s": round(elapsed, 4),
        "rps": round(ok[0] / elapsed, 1) if elapsed > 0 else 0.0,
        "latency_ms": {
            "p50": pct(0.50),
            "p90": pct(0.90),
            "p99": pct(0.99),
            "max": pct(1.0),
            "mean": round(statistics.fmean(lat) * 1000, 3) if lat else 0.0,
        },
        "concurrency": concurrency,
        "client_cpu_s": round(cpu, 3),
        "client_cpu_share": round(cpu / elapsed, 3) if elapsed > 0 else 0.0,
        **watched,
        "first_body": first_body.decode("utf-8", "replace"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default="")
    parser.add_argument("--header", action="append", default=[], help="'Name: value'; repeatable")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=30.0, help="stop early after this long")
    parser.add_argument("--warmup", type=int, default=50, help="sequential requests before timing")
    parser.add_argument("--watch-pid", type=int, help="report this process's CPU use during the timed run")
    args = parser.parse_args()
    result = run(
        args.url,
        args.method,
        args.body.encode(),
        args.header,
        args.requests,
        args.concurrency,
        args.max_seconds,
        args.warmup,
        args.watch_pid,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
