"""The README's speed and memory figures, side by side in one run: our serve, Prism 5 and WireMock 3.

    .venv/bin/python bench/bench_figures.py                 # ~4 minutes on 2 cores; writes bench/results.json
    .venv/bin/python bench/bench_figures.py --duration 10   # longer wrk runs (seconds per peer)

(.venv as the README's setup commands make it.) wrk and taskset come from Debian (`wrk`, `util-linux`): the
script installs them with apt-get when they are missing, as it installs Java for WireMock.

1. Throughput. Each server is pinned to CPU 0 (`taskset -c 0`), wrk to CPU 1 (`wrk -t1 -c16`, keep-alive), on
   a valid, idempotent Telnyx tech_provider registration: ours with full validation, state and journal
   (`signup-harness serve`, demo world); Prism 5 mocking specs/telnyx.yaml (`prism mock`, default logging, then
   `-v error`); WireMock 3 (cold JVM, default journal) with one stub answering the same JSON. The peers are
   installed by this script (npm into bench/.peers, Java from Debian if `java` is missing); a peer that cannot
   be installed is skipped and the table says why. Each run is also reported as server CPU per request, which
   other load on the machine moves much less than req/s.
2. Start-up to ready (spawn -> 200 from /__admin/ready on both fakes, median) and RSS at start, with bytecode
   and parsed specs cached as every start of an installed copy but its first has them; the first start with
   empty caches is reported beside it.
3. Soak: full onboardings (signup, code exchange, register, list) for --soak seconds; RSS growth per onboarding,
   throughput in the last seconds against the first; then RSS under traffic that adds nothing (wrk above).
4. Scale: register and list-first-page latency (in-process, median) with 100,000 registrations in one tenant,
   against an empty world.

Read the "other CPU" column: on a busy machine every req/s figure is low; rerun on a quiet one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_serve import ROOT, cached_start_env, environment, rss_kb, serve_command, spawned, stop  # noqa: E402

sys.path.insert(0, str(ROOT))
from fakes.graph.tokens import CODE_TTL_SECONDS  # noqa: E402

BENCH = Path(__file__).resolve().parent
PEERS = BENCH / ".peers"
ROUTE = "/v2/whatsapp/business_accounts/tech_provider"
API_KEY = "KEYLOCALTEST0001_notarealtelnyxkey"
BODY = '{"waba_id":"300000000000001","phone_number_id":"400000000000001","app_id":"100000000000001"}'
ANSWER = {"data": {"waba_id": "300000000000001", "phone_number_id": "400000000000001", "status": "registered"}}
SERVER_CPU, LOAD_CPU = "0", "1"
TARGETS = {"rps": 4400.0, "p99_ms": 20.0, "x_prism": 3.0, "x_prism_quiet": 1.5, "startup_s": 0.25, "rss_mb": 60.0}
WRK_SCRIPT = f"""wrk.method = "POST"
wrk.body = '{BODY}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {API_KEY}"
"""


# -- processes -------------------------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """Cores busy over the whole machine (for the "other CPU" column)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    values = [int(v) for v in fields]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def wait_http(url: str, timeout: float = 60.0, method: str = "GET") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=1)  # noqa: S310
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer: it is listening
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} not up after {timeout:.0f} s")


@contextlib.contextmanager
def started(command: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(["taskset", "-c", SERVER_CPU, *command], stdout=out, stderr=out, cwd=ROOT)
        try:
            yield proc
        finally:
            stop(proc)


def wrk(url: str, duration: float, pid: int, script: Path) -> dict[str, Any]:
    """One wrk run against url; req/s, p99, non-2xx, server CPU per request, other load on the machine."""
    warm = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", "-c16", "-d2s", "-s", str(script), url]
    subprocess.run(warm, capture_output=True, check=False)
    cpu0, busy0, t0 = cpu_seconds(pid), machine_busy(), time.monotonic()
    command = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", "-c16", f"-d{duration:g}s", "--latency", "-s", str(script), url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed, cpu = time.monotonic() - t0, cpu_seconds(pid) - cpu0
    busy = machine_busy() - busy0
    out = done.stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1)) if "requests in" in out else 0  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    wrk_cpu = 1.0  # wrk keeps its own core busy
    return {
        "rps": round(requests / elapsed) if requests else 0,
        "p99_ms": round(float(p99.group(1)) * scale[p99.group(2)], 2) if p99 else None,
        "non_2xx": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0,
        "server_cpu_us_per_request": round(cpu / requests * 1e6, 1) if requests else None,
        "rps_per_server_core": round(requests / cpu) if cpu else None,
        "other_cpu_cores": round(max(0.0, busy / elapsed - cpu / elapsed - wrk_cpu), 2),
    }


# -- peers -----------------------------------------------------------------------------------------------------
def npm_bin(name: str, package: str) -> tuple[Path | None, str]:
    found = PEERS / "node_modules" / ".bin" / name
    if found.exists():
        return found, "installed"
    if shutil.which("npm") is None:
        return None, "skipped: npm is not installed"
    PEERS.mkdir(exist_ok=True)
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(PEERS), package],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not found.exists():
        return None, f"skipped: npm install {package} failed: {done.stderr.strip()[-300:]}"
    return found, "installed now"


def ensure_debian_tool(tool: str, package: str) -> bool:
    """`tool` on the PATH, installed from Debian's `package` first when it is missing (where apt-get works)."""
    if shutil.which(tool):
        return True
    if shutil.which("apt-get"):
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", package]):
            subprocess.run(
                command, capture_output=True, check=False, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            )
    return shutil.which(tool) is not None


def ensure_java() -> str | None:
    if ensure_debian_tool("java", "default-jre-headless"):
        return None
    return "skipped: no java, and apt-get install default-jre-headless failed"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_peers(tmp: Path, duration: float, script: Path) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    # Ours first.
    urls_json = tmp / "ours.json"
    with spawned(["taskset", "-c", SERVER_CPU, *serve_command(urls_json)], urls_json, timeout=60) as (proc, urls, _):
        pid = child_pid(proc)
        rows["signup-harness serve"] = wrk(urls["telnyx"].removesuffix("/v2") + ROUTE, duration, pid, script)
        rows["signup-harness serve"]["rss_after_mb"] = round(rss_kb(pid) / 1024, 1)
    prism, how = npm_bin("prism", "@stoplight/prism-cli@5")
    for label, extra in (("Prism 5 (default logging)", []), ("Prism 5 (-v error)", ["-v", "error"])):
        if prism is None:
            rows[label] = {"skipped": how}
            continue
        port = free_port()
        command = [str(prism), "mock", str(ROOT / "specs" / "telnyx.yaml"), "-p", str(port), *extra]
        with started(command, tmp / "prism.log") as proc:
            wait_http(f"http://127.0.0.1:{port}/v2/whatsapp/phone_numbers")
            rows[label] = wrk(f"http://127.0.0.1:{port}{ROUTE}", duration, proc.pid, script)
            rows[label]["note"] = "CPU column: the node process only"
    wiremock, how = npm_bin("wiremock", "wiremock@3")
    java = ensure_java() if wiremock is not None else None
    if wiremock is None or java is not None:
        rows["WireMock 3 (cold)"] = {"skipped": java or how}
    else:
        port = free_port()
        with started([str(wiremock), "--port", str(port), "--disable-banner"], tmp / "wiremock.log") as proc:
            wait_http(f"http://127.0.0.1:{port}/__admin/health", timeout=120)
            stub = {
                "request": {"method": "POST", "url": ROUTE},
                "response": {"status": 200, "jsonBody": ANSWER, "headers": {"Content-Type": "application/json"}},
            }
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/__admin/mappings", data=json.dumps(stub).encode(), method="POST"
            )
            urllib.request.urlopen(request, timeout=10).read()  # noqa: S310
            java_pid = child_pid(proc, "java")
            rows["WireMock 3 (cold)"] = wrk(f"http://127.0.0.1:{port}{ROUTE}", duration, java_pid, script)
    return rows


def child_pid(proc: subprocess.Popen[bytes], name: str | None = None) -> int:
    """The process doing the work under a wrapper (taskset execs; npm bins may spawn java)."""
    pid = proc.pid
    for _ in range(50):
        children = Path(f"/proc/{pid}/task/{pid}/children")
        kids = children.read_text().split() if children.exists() else []
        if not kids:
            return pid
        if name is not None and name in Path(f"/proc/{pid}/comm").read_text():
            return pid
        pid = int(kids[0])
    return pid


# -- start-up, soak, scale -------------------------------------------------------------------------------------
def bench_startup(tmp: Path, runs: int) -> dict[str, Any]:
    """Spawn -> ready, as every start but an installation's first has it (bytecode and parsed specs cached:
    bench_serve.cached_start_env); the first start with empty caches is reported beside it."""
    cold_env = cached_start_env(tmp, cold=True)
    with spawned(serve_command(tmp / "cold.json"), tmp / "cold.json", timeout=60, env=cold_env) as (_, _, cold):
        pass
    env = cached_start_env(tmp)
    with spawned(serve_command(tmp / "warm.json"), tmp / "warm.json", timeout=60, env=env):
        pass  # writes the caches
    # An installed copy's first start: pip compiled the bytecode at install, nothing is kept yet (specs, demo world).
    installed_env = {**env, "SIGNUP_HARNESS_CACHE_DIR": str(tmp / "installed-first-cache")}
    shutil.rmtree(installed_env["SIGNUP_HARNESS_CACHE_DIR"], ignore_errors=True)
    with spawned(serve_command(tmp / "first.json"), tmp / "first.json", timeout=60, env=installed_env) as (_, _, first):
        pass
    ready, rss, reference = [], [], []
    for i in range(runs):
        urls_json = tmp / f"start{i}.json"
        with spawned(serve_command(urls_json), urls_json, timeout=60, env=env) as (proc, _, seconds):
            ready.append(seconds)
            rss.append(rss_kb(proc.pid) / 1024)
        reference.append(_python_importing_flask(env))
    return {"ready_s_median": round(statistics.median(ready), 3), "ready_s": [round(r, 3) for r in ready],
            "reference_import_flask_s_median": round(statistics.median(reference), 3),
            "rss_at_start_mb": round(statistics.median(rss), 1),
            "first_start_installed_s": round(first, 3), "first_start_s": round(cold, 3),
            "caches": "bytecode, parsed specs (an installed copy's first start: bytecode only; a fresh checkout's "
                      "first start: neither)"}  # fmt: skip


def _python_importing_flask(env: dict[str, str]) -> float:
    """Seconds for this Python to start, import Flask and exit: the machine's pace, beside each start-up run
    (most of a start is importing Flask and granian; on a shared machine that alone swings by tens of ms)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import flask"], env=env, check=True)
    return time.perf_counter() - started


def bench_soak(tmp: Path, seconds: float, script: Path, flat_seconds: float) -> dict[str, Any]:
    import requests

    urls_json = tmp / "soak.json"
    with spawned(["taskset", "-c", SERVER_CPU, *serve_command(urls_json)], urls_json, timeout=60) as (proc, urls, _):
        pid = child_pid(proc)
        graph, telnyx = urls["graph"], urls["telnyx"]
        admin = telnyx.removesuffix("/v2") + "/_t/default/__admin"  # the tenant's own control plane: no token
        auth = {"Authorization": f"Bearer {API_KEY}"}
        done: list[float] = []
        stop_at = time.monotonic() + seconds

        def onboard() -> None:
            with requests.Session() as http:
                while time.monotonic() < stop_at:
                    signup = http.post(f"{admin}/signups", json={"app_id": "100000000000001"}, timeout=10).json()
                    token = http.get(
                        f"{graph}/v19.0/oauth/access_token",
                        params={"client_id": "100000000000001", "client_secret": "local-app-secret-not-real",
                                "code": signup["code"]},
                        timeout=10,
                    ).json()["access_token"]  # fmt: skip
                    assert token
                    body = {"waba_id": signup["waba_id"], "phone_number_id": signup["phone_number_id"],
                            "app_id": "100000000000001"}  # fmt: skip
                    http.post(telnyx + "/whatsapp/business_accounts/tech_provider", json=body, headers=auth, timeout=10)
                    http.get(telnyx + "/whatsapp/business_accounts", headers=auth, timeout=10)
                    done.append(time.monotonic())

        # The onboarding threads run on the load generator's core, never beside the server.
        affinity = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {int(LOAD_CPU)})
        # Warm up, then measure from a full journal and a full window of live codes (Meta's codes live 30 s; each
        # is pruned as it expires): both are bounded data that stays, not what each signup leaves.
        settled_at = time.monotonic() + CODE_TTL_SECONDS + 1
        start_rss = None
        threads = [threading.Thread(target=onboard) for _ in range(4)]
        began = time.monotonic()
        for t in threads:
            t.start()
        samples: list[tuple[int, int, float, float]] = []
        while any(t.is_alive() for t in threads):
            time.sleep(1)
            samples.append((len(done), rss_kb(pid), time.monotonic() - began, cpu_seconds(pid)))
            if start_rss is None and len(done) >= 700 and time.monotonic() >= settled_at:
                start_rss = samples[-1]
        for t in threads:
            t.join()
        os.sched_setaffinity(0, affinity)
        end = samples[-1]
        first = start_rss or samples[0]
        window = max(3.0, seconds / 6)
        early = sum(1 for t in done if began + 5 <= t < began + 5 + window) / window
        late = sum(1 for t in done if began + seconds - window <= t < began + seconds) / window
        # The server's CPU per onboarding in the same windows: a fall in throughput that the server's own cost
        # does not show comes from elsewhere (the client threads, a busy machine).
        early_cpu = _cpu_per_onboarding(samples, 5, 5 + window)
        late_cpu = _cpu_per_onboarding(samples, seconds - window, seconds)
        growth = (end[1] - first[1]) * 1024 / max(1, end[0] - first[0])
        flat_before = rss_kb(pid)
        flat = wrk(telnyx.removesuffix("/v2") + ROUTE, flat_seconds, pid, script)
        flat_after = rss_kb(pid)
    return {
        "onboardings": len(done),
        "bytes_per_onboarding": round(growth),
        "samples": samples,
        "early_per_s": round(early, 1),
        "late_per_s": round(late, 1),
        "late_over_early": round(late / early, 3) if early else None,
        "server_cpu_us_per_onboarding_early": early_cpu,
        "server_cpu_us_per_onboarding_late": late_cpu,
        "flat_traffic_rss_growth_mb": round((flat_after - flat_before) / 1024, 2),
        "flat_traffic_requests": flat["rps"] * flat_seconds,
    }


def _cpu_per_onboarding(samples: list[tuple[int, int, float, float]], start: float, end: float) -> float | None:
    inside = [s for s in samples if start <= s[2] <= end]
    if len(inside) < 2 or inside[-1][0] == inside[0][0]:
        return None
    return round((inside[-1][3] - inside[0][3]) * 1e6 / (inside[-1][0] - inside[0][0]))


def bench_scale(registrations: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from fakes.core.world import PhoneNumber, Registration, Waba
    from fakes.harness import Harness

    def timings(h: Harness) -> tuple[float, float]:
        session = h.session()
        auth = {"Authorization": f"Bearer {API_KEY}"}
        reg, lst = [], []
        for _ in range(200):
            t = time.perf_counter()
            session.post(h.telnyx_url + "/whatsapp/business_accounts/tech_provider", data=BODY,
                         headers={**auth, "Content-Type": "application/json"})  # fmt: skip
            reg.append(time.perf_counter() - t)
            t = time.perf_counter()
            session.get(h.telnyx_url + "/whatsapp/business_accounts", headers=auth)
            lst.append(time.perf_counter() - t)
        return statistics.median(reg) * 1000, statistics.median(lst) * 1000

    empty = Harness()
    empty.seed_demo()
    base = timings(empty)
    full = Harness()
    full.seed_demo()
    tenant = full.world.tenant()
    for i in range(registrations):
        waba, phone = f"9{i:014d}", f"8{i:014d}"
        tenant.meta.wabas[waba] = Waba(waba, "w", "b", 0.0)
        tenant.meta.phone_numbers[phone] = PhoneNumber(phone, waba, "+1", "+1", "n")
        tenant.telnyx.registrations[f"r{i}"] = Registration(f"r{i}", waba, phone, "100000000000001", None, 0.0)
    loaded = timings(full)
    return {"registrations": registrations, "empty_ms": [round(v, 3) for v in base],
            "loaded_ms": [round(v, 3) for v in loaded],
            "register_ratio": round(loaded[0] / base[0], 2), "list_ratio": round(loaded[1] / base[1], 2)}  # fmt: skip


# -- report ----------------------------------------------------------------------------------------------------
def _report_throughput(peers: dict[str, Any]) -> list[str]:
    missed = []
    ours = peers["signup-harness serve"]
    print(f"\n{'server':30} {'req/s':>8} {'p99 ms':>8} {'CPU us/req':>11} {'req/s/core':>11} {'other CPU':>10}")
    for name, row in peers.items():
        if "skipped" in row:
            print(f"{name:30} {row['skipped']}")
            continue
        print(f"{name:30} {row['rps']:>8} {row['p99_ms']!s:>8} {row['server_cpu_us_per_request']!s:>11} "
              f"{row['rps_per_server_core']!s:>11} {row['other_cpu_cores']:>10}")  # fmt: skip
    if ours["rps"] < TARGETS["rps"]:
        missed.append(f"ours {ours['rps']} req/s < {TARGETS['rps']:.0f}")
    if ours["p99_ms"] is None or ours["p99_ms"] >= TARGETS["p99_ms"]:
        missed.append(f"p99 {ours['p99_ms']} ms >= {TARGETS['p99_ms']}")
    for name, factor in (
        ("Prism 5 (default logging)", TARGETS["x_prism"]),
        ("Prism 5 (-v error)", TARGETS["x_prism_quiet"]),
    ):
        row = peers.get(name, {})
        if row.get("rps"):
            ratio = ours["rps"] / row["rps"]
            print(f"ours / {name}: {ratio:.2f}x (target {factor}x)")
            if ratio < factor:
                missed.append(f"{ratio:.2f}x {name} < {factor}x")
    wm = peers.get("WireMock 3 (cold)", {})
    if wm.get("rps"):
        print(f"ours / WireMock 3: {ours['rps'] / wm['rps']:.2f}x (target > 1)")
        if ours["rps"] <= wm["rps"]:
            missed.append("not above WireMock")
    return missed


def report(results: dict[str, Any]) -> list[str]:
    """Print the table; return the figures that missed their target (of the phases that ran)."""
    missed = [f"{name}: {results[name]['error']}" for name in results if isinstance(results[name], dict)
              and "error" in results[name]]  # fmt: skip
    peers = results.get("throughput", {})
    if peers and "error" not in peers:
        missed += _report_throughput(peers)
    start = results.get("startup", {})
    if start and "error" not in start:
        print(f"start-up to ready: {start['ready_s_median']} s (target < {TARGETS['startup_s']}; an installed "
              f"copy's first start: {start.get('first_start_installed_s')} s; a fresh checkout's, nothing compiled: "
              f"{start['first_start_s']} s); "
              f"RSS at start {start['rss_at_start_mb']} MB (target < {TARGETS['rss_mb']}); the machine's pace: "
              f"python -c 'import flask' {start['reference_import_flask_s_median']} s")  # fmt: skip
        if start["ready_s_median"] >= TARGETS["startup_s"]:
            missed.append("start-up")
        if start["rss_at_start_mb"] >= TARGETS["rss_mb"]:
            missed.append("RSS at start")
    soak = results.get("soak")
    if soak and "error" not in soak:
        print(f"soak: {soak['onboardings']} onboardings, {soak['bytes_per_onboarding']} B each (target <= 3072), "
              f"late/early throughput {soak['late_over_early']} (target >= 0.9; server CPU per onboarding "
              f"{soak['server_cpu_us_per_onboarding_early']} -> {soak['server_cpu_us_per_onboarding_late']} us), "
              f"RSS under no-new-data traffic +{soak['flat_traffic_rss_growth_mb']} MB (target <= 5)")  # fmt: skip
        if soak["bytes_per_onboarding"] > 3072:
            missed.append("soak memory per onboarding")
        if (soak["late_over_early"] or 0) < 0.9:
            missed.append("soak throughput")
        if soak["flat_traffic_rss_growth_mb"] > 5:
            missed.append("flat traffic memory")
    scale = results.get("scale")
    if scale and "error" not in scale:
        print(f"{scale['registrations']} registrations: register {scale['register_ratio']}x, list first page "
              f"{scale['list_ratio']}x the empty world's latency (target <= 2x)")  # fmt: skip
        if scale["register_ratio"] > 2 or scale["list_ratio"] > 2:
            missed.append("scale")
    return missed


def _merged_into_earlier(output: Path, results: dict[str, Any], only: set[str]) -> dict[str, Any]:
    """`--only` replaces the phases it ran in the results file and keeps the others, each with its run's
    environment and command (`by_phase`), so a partial rerun never loses the full run's figures."""
    try:
        earlier = json.loads(output.read_text())
    except (OSError, ValueError):
        return results
    if not isinstance(earlier, dict):
        return results
    by_phase = earlier.get("by_phase") or {
        name: {"environment": earlier.get("environment"), "reproduce": earlier.get("reproduce")}
        for name in ("throughput", "startup", "soak", "scale") if name in earlier
    }  # fmt: skip
    merged = {**earlier, **{name: results[name] for name in only if name in results}}
    for name in only:
        if name in results:
            by_phase[name] = {"environment": results["environment"], "reproduce": results["reproduce"]}
    merged["by_phase"] = by_phase
    merged.pop("missed", None)
    return merged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=8.0, help="seconds of wrk per server")
    parser.add_argument("--startup-runs", type=int, default=7)
    parser.add_argument("--soak", type=float, default=60.0, help="seconds of onboardings (0 skips)")
    parser.add_argument("--registrations", type=int, default=100_000, help="for the scale figure (0 skips)")
    parser.add_argument("--output", type=Path, default=BENCH / "results.json")
    parser.add_argument("--only", default="", help="comma-separated phases to run: throughput,startup,soak,scale")
    args = parser.parse_args()
    for tool, package in (("wrk", "wrk"), ("taskset", "util-linux")):
        if not ensure_debian_tool(tool, package):
            print(f"bench_figures: needs {tool} (Debian: apt-get install {package}), and could not install it")
            return 2
    reproduce = " ".join([".venv/bin/python bench/bench_figures.py", *sys.argv[1:]])
    results: dict[str, Any] = {"environment": environment(), "targets": TARGETS, "reproduce": reproduce}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        script = tmp / "register.lua"
        script.write_text(WRK_SCRIPT)
        phases = [("throughput", lambda: bench_peers(tmp, args.duration, script)),
                  ("startup", lambda: bench_startup(tmp, args.startup_runs))]  # fmt: skip
        if args.soak:
            phases.append(("soak", lambda: bench_soak(tmp, args.soak, script, args.duration)))
        if args.registrations:
            phases.append(("scale", lambda: bench_scale(args.registrations)))
        only = {name.strip() for name in args.only.split(",") if name.strip()}
        for name, phase in phases:
            if only and name not in only:
                continue
            try:  # one failed phase (a peer that would not start, a slow machine) must not lose the others
                results[name] = phase()
            except Exception as exc:
                results[name] = {"error": f"{type(exc).__name__}: {str(exc)[:500]}"}
                print(f"{name}: failed: {results[name]['error']}")
    command = results["reproduce"]
    if only:
        results = _merged_into_earlier(args.output, results, only)
    missed = report(results)
    results["missed"] = missed
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {args.output}; reproduce with: {command}")
    if missed:
        print("missed: " + "; ".join(missed) + " (on a busy machine, check the other CPU column and rerun)")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
