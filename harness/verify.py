"""Verify a partner's own onboarding backend (any language) against the scenario catalogue.

For each scenario: a fresh tenant of one socket-served harness is armed and the popup played (`Runner.prepare`),
the partner's command runs once with everything it needs in documented environment variables, and the judge
(partner mode) compares what the partner reported and what the fakes saw with what the scenario expects.

    from harness.verify import Verifier
    with Verifier("node backend/onboard.mjs", timeout=30) as verifier:
        results = verifier.verify_all(scenarios)

Secrets (the app secret, the Telnyx API key, the app token, the code and every token the fakes minted) are only
ever in the child's environment; everything a report shows is scrubbed of them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from fakes.core.redaction import REDACTED, redact_text

from .arming import arm, credentials_for, preregister
from .client.config import ENV_VARS, RETRY_ENV_VARS, SECRET_FILE_ENV_VARS
from .diagnosis import diagnose, reason_key, vendor_advice
from .intercept import InterceptProxy, LocalCA
from .intercept import intercept as intercept_proxy
from .intercept.environment import INTERCEPT_VARIABLES, intercept_environment
from .judge import Observation, judge, unknown_request_label, violation_label
from .runner import DEFAULT_CLIENT_TIMEOUT, DEFAULT_RETRY, Runner, play_all, tenant_urls
from .scenarios import Scenario
from .verify_webhooks import WebhookOptions, delivery_faults, registered, run_and_drive, seed_targets, sync_clock
from .webhook_verdicts import DeliveryVerdict, delivery_verdicts

GUIDE_URL = "https://developers.telnyx.com/docs/messaging/whatsapp/embedded-signup/tech-provider"
TROUBLESHOOTING_URL = f"{GUIDE_URL}#troubleshooting"
DEFAULT_TIMEOUT = 30.0
DEFAULT_OUTPUT_LIMIT = 4000  # characters kept of each of stdout and stderr (head and tail)
MAX_LABEL = 500
# The real vendors' base URLs, handed over under --intercept (the proxy serves them from the fakes).
REAL_GRAPH_URL = "https://graph.facebook.com"
REAL_TELNYX_URL = "https://api.telnyx.com/v2"

# What the partner's command finds in its environment. Documented in docs/verify.md (keep both in step).
HANDED_OVER = {
    "SIGNUP_GRAPH_BASE_URL": "Meta Graph base URL (tenant-prefixed, no version, no trailing slash)",
    "SIGNUP_GRAPH_VERSION": "Graph API version to call, e.g. v19.0",
    "SIGNUP_TELNYX_BASE_URL": "Telnyx base URL including /v2 (tenant-prefixed)",
    "TELNYX_BASE_URL": "the same as SIGNUP_TELNYX_BASE_URL, as the Telnyx SDKs read it",
    "META_APP_ID": "your Meta app id (the scenario's: may be one Meta does not know)",
    "META_APP_SECRET": "your Meta app secret (secret; may be wrong on purpose)",
    "TELNYX_API_KEY": "your Telnyx API key (secret; may be revoked, unknown or empty on purpose)",
    "SIGNUP_CODE": "the code FB.login() handed the browser; empty when there is none",
    "SIGNUP_EVENT": "the WA_EMBEDDED_SIGNUP message as the JSON string the browser receives; empty when none",
    "SIGNUP_CUSTOMER_ID": "your own customer reference to send to Telnyx; may be empty",
    "SIGNUP_SCENARIO_ID": "the scenario being played (for your logs only: do not branch on it)",
    "SIGNUP_RESULT_FILE": "optional: write {outcome, error, waba_id, phone_number_id} JSON here",
    "SIGNUP_TIMEOUT": "the per-request timeout (seconds) the scenario expects your backend to use",
    "SIGNUP_REDIRECT_URI": "a redirect_uri your backend is configured with; empty (send none) but in one scenario",
    "SIGNUP_RETRY_MAX_ATTEMPTS": "the reference client's attempts per call (a hint; you may retry differently)",
    "SIGNUP_TELNYX_PUBLIC_KEY": "Telnyx's webhook public key (base64), to verify whatsapp.waba_added signatures",
}
# Inherited variables that could point the child at something else, removed before ours are set.
_CLEARED = {*HANDED_OVER, *ENV_VARS, *SECRET_FILE_ENV_VARS, *RETRY_ENV_VARS, "SIGNUP_ALLOW_REMOTE"}
_SHELL_WORDS = {"!", "{", "(", "if", "for", "while", "until", "case", "exec", "command", "env", "time", "nohup"}


# --- secrets --------------------------------------------------------------------------------------------------


class Scrubber:
    """Replaces every known secret value (and its URL-encoded forms) with [REDACTED] in any text."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._values: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        for secret in secrets:
            if not secret or len(secret) < 4:  # nothing to hide, and never scrub "" or tiny strings
                continue
            self._values.update({secret, quote(secret, safe=""), quote_plus(secret)})

    @classmethod
    def union(cls, scrubbers: Iterable[Scrubber]) -> Scrubber:
        merged = cls()
        for scrubber in scrubbers:
            merged._values |= scrubber._values
        return merged

    def text(self, value: str) -> str:
        for secret in sorted(self._values, key=len, reverse=True):
            value = value.replace(secret, REDACTED)
        return redact_text(value)

    def deep(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {k: self.deep(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.deep(v) for v in value]
        return value


def truncate(text: str, limit: int = DEFAULT_OUTPUT_LIMIT) -> str:
    """Keep the head and the tail of long output (the error is usually at the end)."""
    if limit <= 0 or len(text) <= limit:
        return text
    head = limit // 2
    tail = limit - head
    return f"{text[:head]}\n... [{len(text) - limit} characters cut] ...\n{text[-tail:]}"


# --- the partner's command ------------------------------------------------------------------------------------


@dataclass
class PartnerRun:
    """What running the partner's command once gave (texts not yet scrubbed)."""

    exit_status: int | None
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    timed_out: bool = False
    start_error: str | None = None
    result: dict[str, Any] | None = None  # the result file, when written and valid
    result_problem: str | None = None


def run_command(cmd: str, env: Mapping[str, str], cwd: str | os.PathLike[str] | None, timeout: float) -> PartnerRun:
    """Run `cmd` with a shell in its own process group; on timeout the whole group is killed."""
    started = time.perf_counter()
    try:
        process = subprocess.Popen(  # noqa: S602 - running the partner's shell command is the point
            cmd,
            shell=True,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=os.name == "posix",
        )
    except OSError as exc:
        return PartnerRun(None, seconds=time.perf_counter() - started, start_error=f"{type(exc).__name__}: {exc}")
    timed_out = False
    try:
        out, err = process.communicate(timeout=timeout)
    except KeyboardInterrupt:  # its own session does not see the terminal's Ctrl-C: stop it with us
        _kill_group(process)
        process.wait()
        raise
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(process)
        try:
            out, err = process.communicate(timeout=5)
        except subprocess.TimeoutExpired:  # a grandchild that left the group still holds the pipes
            process.kill()
            out, err = b"", b""
    return PartnerRun(
        exit_status=process.returncode,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        seconds=time.perf_counter() - started,
        timed_out=timed_out,
    )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    else:  # pragma: no cover - no process groups
        process.kill()


def read_result_file(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(result, problem): nothing written is fine; a file that is not the documented JSON is a problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"unreadable ({type(exc).__name__})"
    if not text.strip():
        return None, None
    try:
        document = json.loads(text)
    except ValueError:
        return None, "not valid JSON"
    if not isinstance(document, dict):
        return None, "not a JSON object"
    if document.get("outcome") not in ("success", "error"):
        return None, f'\'outcome\' must be "success" or "error", not {document.get("outcome")!r}'
    return document, None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def partner_verdict(run: PartnerRun, timeout: float) -> tuple[list[str], str | None]:
    """(reasons the run itself fails, the partner's verdict "success" / "error" or None when it gave none)."""
    if run.start_error:
        return [f"command: could not start: {run.start_error}"], None
    if run.timed_out:
        return [f"command: timed out after {timeout:g} s and was stopped"], None
    status = run.exit_status if run.exit_status is not None else -1
    if status in (126, 127):
        cause = "command not found" if status == 127 else "not executable"
        return [f"command: could not start (the shell exited {status}: {cause})"], None
    if status < 0:
        return [f"command: killed by {_signal_name(-status)}"], None
    reasons: list[str] = []
    by_exit = "success" if status == 0 else "error"
    if run.result_problem:
        reasons.append(f"result file: {run.result_problem}")
    if run.result is None:
        return reasons, by_exit
    said = run.result["outcome"]
    if said != by_exit:
        reasons.append(f"verdict: the result file says {said!r} but the command exited {status}")
    return reasons, said


def preflight(cmd: str, env: Mapping[str, str], cwd: str | os.PathLike[str] | None) -> str | None:
    """Why `cmd` cannot start, or None. Checks the program its first word names the way the shell will find
    it (`command -v`, with the child's PATH, in its cwd), so a run of forty "command not found" stops early."""
    try:
        words = shlex.split(cmd, comments=True)
    except ValueError as exc:
        return f"the command does not parse as a shell command line ({exc})"
    while words and "=" in words[0] and not words[0].startswith("="):  # leading NAME=value assignments
        words.pop(0)
    if not words or words[0] in _SHELL_WORDS or any(c in words[0] for c in "$`;&|<>()"):
        return None  # shell syntax: let the shell judge it
    program = words[0]
    where = Path(cwd) if cwd is not None else Path.cwd()
    try:
        probe = subprocess.run(  # noqa: S603 - the shell's own lookup, with the child's environment
            ["sh", "-c", 'command -v -- "$1"', "sh", program],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"could not check the command with sh ({type(exc).__name__})"
    if probe.returncode == 0:
        if "/" in program and not os.access(where / program, os.X_OK):
            return f"{program!r} (in cwd {where}) is not executable: chmod +x it, or run it with its interpreter"
        return None
    if "/" in program:
        return f"{program!r} does not exist relative to the command's cwd {where}"
    path = env.get("PATH", "")
    hint = ""
    for candidate in (where / program, where / ".venv" / "bin" / program, Path(sys.executable).parent / program):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            hint = f"; there is one at {candidate}: give that path, or put its folder on PATH"
            break
    return f"{program!r} was not found on PATH (cwd {where}; PATH={path or '(empty)'}){hint}"


# --- one verification -----------------------------------------------------------------------------------------


@dataclass
class VerifyResult:
    scenario: Scenario
    passed: bool
    reasons: list[str]
    duration: float
    observation: Observation
    tenant: str
    run: PartnerRun
    partner_outcome: str | None
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    scrubber: Scrubber = field(default_factory=Scrubber, repr=False)
    output_limit: int = DEFAULT_OUTPUT_LIMIT
    # reason key -> {"guidance", "troubleshooting", "error"}: what the vendor's answer to a violation means
    advice: dict[str, dict[str, Any]] = field(default_factory=dict)
    webhooks: list[DeliveryVerdict] | None = None  # None: webhooks were not judged

    @property
    def verdict(self) -> str:
        return "pass" if self.passed else "fail"

    def to_dict(self) -> dict[str, Any]:
        """The report record (every string scrubbed of the secrets)."""
        scenario, seen, run = self.scenario, self.observation, self.run
        expected_violations = set(scenario.expect.get("violations", []))
        violations = [
            {
                "label": violation_label(v),
                **{k: v[k] for k in ("operation", "location", "pointer", "rule", "message")},
                "allowed": f"{v['operation']}: {v['rule']}" in expected_violations,
            }
            for v in seen.request_violations
        ] + [
            {
                "label": unknown_request_label(u),
                "operation": None,
                "location": "route",
                "pointer": u["path"],
                "rule": "unknown-route",
                "message": f"{u['method']} {u['path']} matches no operation of the {u['vendor']} spec",
                "allowed": False,
            }
            for u in seen.unknown_requests
        ]
        stdout = truncate(self.scrubber.text(run.stdout), self.output_limit)
        stderr = truncate(self.scrubber.text(run.stderr), self.output_limit)
        record = {
            "id": scenario.id,
            "title": scenario.title,
            "description": scenario.description,
            "tags": list(scenario.tags),
            "troubleshooting": scenario.troubleshooting,
            "troubleshooting_url": TROUBLESHOOTING_URL if scenario.troubleshooting else None,
            "verdict": self.verdict,
            "reasons": self.reasons,
            "advice": self.advice,
            "duration_ms": round(self.duration * 1000, 1),
            "tenant": self.tenant,
            "expected": {
                "outcome": scenario.expect["outcome"],
                # Context only: the reference client's error class is not judged for partners.
                "reference_error": scenario.expect.get("error"),
                "calls": scenario.expect.get("calls"),
                "forbidden": scenario.expect.get("forbidden", []),
            },
            "calls": seen.calls,
            "exchanges": self.exchanges,
            "violations": violations,
            "registrations": seen.registrations,
            "partner": {
                "outcome": self.partner_outcome,
                "exit_status": run.exit_status,
                "timed_out": run.timed_out,
                "start_error": run.start_error,
                "seconds": round(run.seconds, 3),
                "result": run.result,
                "result_problem": run.result_problem,
                "stdout": stdout,
                "stderr": stderr,
            },
            "output": _junit_output(stdout, stderr),
            "webhooks": None if self.webhooks is None else [v.to_dict() for v in self.webhooks],
        }
        return self.scrubber.deep(record)  # type: ignore[no-any-return]


def _junit_output(stdout: str, stderr: str) -> str:
    parts = []
    if stdout.strip():
        parts.append("partner stdout:\n" + stdout.rstrip())
    if stderr.strip():
        parts.append("partner stderr:\n" + stderr.rstrip())
    return "\n\n".join(parts)


def _exchange(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": entry["seq"],
        "operation": f"{entry['vendor']}.{entry['operation']}" if entry["operation"] else None,
        "vendor": entry["vendor"],
        "method": entry["method"],
        "path": entry["path"],
        "query": entry["query"],
        "request_body": entry["request_body"],
        "status": entry["status"],
        "response_body": _short(entry["response_body"]) if entry["status"] >= 400 else None,
        "fault": entry["fault"],
        "violations": [
            violation_label({**v, "operation": f"{entry['vendor']}.{entry['operation']}"}) for v in entry["violations"]
        ],
    }


def _short(body: Any, limit: int = 600) -> str | None:
    if body is None:
        return None
    text = body if isinstance(body, str) else json.dumps(body, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + " ..."


class Verifier:
    """One socket-served harness for a whole run; a fresh tenant per scenario."""

    def __init__(
        self,
        cmd: str,
        cwd: str | os.PathLike[str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        seed: str | int = 0,
        output_limit: int = DEFAULT_OUTPUT_LIMIT,
        base_env: Mapping[str, str] | None = None,
        intercept: bool = False,
        ca_dir: str | os.PathLike[str] | None = None,
        webhooks: WebhookOptions | None = None,
    ) -> None:
        if not cmd.strip():
            raise ValueError("the partner command is empty")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.cmd = cmd
        self.cwd = cwd
        self.timeout = timeout
        self.output_limit = output_limit
        self.base_env = dict(os.environ if base_env is None else base_env)
        self.runner = Runner(seed=seed, transport="socket")
        self.webhooks = webhooks if webhooks is not None and webhooks.enabled else None
        self._counter = 0
        self._workdir = tempfile.TemporaryDirectory(prefix="signup-verify-")
        self.proxy: InterceptProxy | None = None
        if intercept:
            ca = LocalCA(ca_dir if ca_dir is not None else Path(self._workdir.name) / "ca")
            self.proxy = intercept_proxy(self.runner.harness, ca)

    def close(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
            self.proxy = None
        self.runner.close()
        self._workdir.cleanup()

    def preflight(self) -> str | None:
        """Why the command cannot start in the environment a scenario gets, or None (see `preflight`)."""
        env = {k: v for k, v in self.base_env.items() if k not in _CLEARED}
        return preflight(self.cmd, env, self.cwd)

    def __enter__(self) -> Verifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def environment(
        self, scenario: Scenario, tenant: str, signup: Mapping[str, Any], result_file: Path
    ) -> dict[str, str]:
        """The child's environment: the inherited one minus anything signup-related, plus the handed-over."""
        client = scenario.client
        credentials = credentials_for(scenario)
        graph_url, telnyx_url = tenant_urls(self.runner.graph_root, self.runner.telnyx_root, tenant)
        if self.proxy is not None:  # the real hosts: the proxy puts each request into the tenant
            graph_url, telnyx_url = REAL_GRAPH_URL, REAL_TELNYX_URL
        retry = {**DEFAULT_RETRY, **client.get("retry", {})}
        env = {k: v for k, v in self.base_env.items() if k not in _CLEARED}
        if self.proxy is not None:
            env = {k: v for k, v in env.items() if k not in INTERCEPT_VARIABLES and k != "NODE_OPTIONS"}
            node_options = self.base_env.get("NODE_OPTIONS", "")
            env.update(intercept_environment(self.proxy.proxy_url(tenant), self.proxy.ca, node_options))
        env.update(
            {
                "SIGNUP_GRAPH_BASE_URL": graph_url,
                "SIGNUP_GRAPH_VERSION": str(client.get("graph_version", "v19.0")),
                "SIGNUP_TELNYX_BASE_URL": telnyx_url,
                "TELNYX_BASE_URL": telnyx_url,
                "META_APP_ID": credentials.app_id,
                "META_APP_SECRET": credentials.app_secret,
                "TELNYX_API_KEY": credentials.telnyx_api_key,
                "SIGNUP_CODE": signup.get("code") or "",
                "SIGNUP_EVENT": json.dumps(signup["event"]) if signup.get("event") else "",
                "SIGNUP_CUSTOMER_ID": str(client.get("customer_id") or ""),
                "SIGNUP_SCENARIO_ID": scenario.id,
                "SIGNUP_RESULT_FILE": str(result_file),
                "SIGNUP_TIMEOUT": f"{client.get('timeout', DEFAULT_CLIENT_TIMEOUT):g}",
                "SIGNUP_REDIRECT_URI": str(client.get("redirect_uri") or ""),
                "SIGNUP_RETRY_MAX_ATTEMPTS": str(retry["max_attempts"]),
                "SIGNUP_TELNYX_PUBLIC_KEY": self.runner.harness.telnyx_public_key,
            }
        )
        return env

    def verify(self, scenario: Scenario) -> VerifyResult:
        started = time.perf_counter()
        tenant, signup = self.prepare(scenario)
        credentials = credentials_for(scenario)
        scrubber = Scrubber([credentials.app_secret, credentials.telnyx_api_key, signup.get("code")])
        if credentials.app_secret:
            scrubber.add(f"{credentials.app_id}|{credentials.app_secret}")
        result_file = Path(self._workdir.name) / f"{tenant}.result.json"
        result_file.unlink(missing_ok=True)
        env = self.environment(scenario, tenant, signup, result_file)
        if self.proxy is not None:
            self.proxy.default_tenant = tenant  # for a client that drops the proxy URL's user name
        settled = True
        if self.webhooks is None:
            run = run_command(self.cmd, env, self.cwd, self.timeout)
        else:

            def start() -> PartnerRun:
                return run_command(self.cmd, env, self.cwd, self.timeout)

            run, settled = run_and_drive(start, self.runner.harness, self.runner.clock, tenant)
        run.result, run.result_problem = read_result_file(result_file)
        # Tokens the fakes minted for this partner are secrets too.
        scrubber.add(*self.runner.harness.world.tenant(tenant).meta.tokens.keys())
        if run.result is not None:
            run.result = _clean_result(run.result, scrubber)
        process_reasons, outcome = partner_verdict(run, self.timeout)
        result = run.result if outcome == "success" else None
        error = None
        if outcome != "success":
            label = (run.result or {}).get("error") if outcome == "error" else None
            error = {
                "exit_status": run.exit_status,
                "error": label,
                "message": process_reasons[0] if process_reasons else "the partner reported a failure",
            }
        seen = self.runner.observe(tenant, signup, error, result)
        entries = self.runner.harness.journal(tenant=tenant)
        seen = replace(
            seen,
            unknown_requests=[
                {k: e[k] for k in ("vendor", "method", "path", "status")} for e in entries if not e["operation"]
            ],
        )
        network = []
        if self.proxy is not None:
            self.proxy.wait_idle()
            network = [e.reason() for e in self.proxy.events(tenant)]
        judged = process_reasons + network + judge(scenario, seen, partner=True)
        verdicts = None
        if self.webhooks is not None:
            verdicts, webhook_reasons = self.judge_webhooks(scenario, tenant, settled)
            judged += webhook_reasons
        reasons = diagnose([scrubber.text(r) for r in judged])
        return VerifyResult(
            scenario=scenario,
            passed=not reasons,
            reasons=reasons,
            duration=time.perf_counter() - started,
            observation=seen,
            tenant=tenant,
            run=run,
            partner_outcome=outcome,
            exchanges=[_exchange(e) for e in entries],
            scrubber=scrubber,
            output_limit=self.output_limit,
            advice=_advice(entries),
            webhooks=verdicts,
        )

    def prepare(self, scenario: Scenario) -> tuple[str, dict[str, Any]]:
        """`Runner.prepare`, with the webhook targets and delivery faults set before the popup ends when
        webhooks are judged (Meta's deliveries leave at the signup), on a clock at the wall-clock time."""
        if self.webhooks is None:
            return self.runner.prepare(scenario)
        sync_clock(self.runner.clock)
        self._counter += 1
        tenant = f"{scenario.id}-w{self._counter}"
        harness = self.runner.harness
        arm(harness, scenario, tenant)
        seed_targets(harness, tenant, self.webhooks, scenario)
        plan = dict(harness.world.tenant(tenant).signup_plan or {})
        signup = harness.complete_signup(tenant, **plan)
        preregister(harness, scenario, signup, tenant)
        harness.clear_journal(tenant)
        return tenant, signup

    def judge_webhooks(self, scenario: Scenario, tenant: str, settled: bool) -> tuple[list[DeliveryVerdict], list[str]]:
        """Per delivery: what it was, what was expected, what the partner answered; and the reasons."""
        verdicts = delivery_verdicts(self.runner.harness.webhooks(tenant)["deliveries"])
        reasons = [v.reason for v in verdicts if v.reason]
        world_tenant = self.runner.harness.world.tenant(tenant)
        no_url = not world_tenant.telnyx.user_data.webhook_url
        if self.webhooks is not None and self.webhooks.own_urls and no_url and registered(self.runner.harness, tenant):
            reasons.append(
                "webhook: the partner registered but no webhook URL was set (give --webhook-url, or PATCH "
                "/v2/whatsapp/user_data from your command), so Telnyx had nowhere to send whatsapp.waba_added"
            )
        wanted = {f["kind"] for f in delivery_faults(scenario)} & {"bad_signature", "stale_timestamp", "duplicate"}
        for kind in sorted(wanted):
            if not any(kind in v.faults for v in verdicts):
                reasons.append(f"webhook: this check sent no {kind.replace('_', ' ')} delivery (nothing to judge)")
        if not settled:
            reasons.append("webhook: the deliveries had not settled within the time verify allows")
        return verdicts, reasons

    def verify_all(
        self,
        scenarios: Iterable[Scenario],
        on_start: Callable[[int, Scenario], None] | None = None,
        on_result: Callable[[int, VerifyResult], None] | None = None,
    ) -> list[VerifyResult]:
        return play_all(scenarios, self.verify, on_start, on_result)


def _advice(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """For each violation the vendor answered with an error: what the client's error table makes of it."""
    advice: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if not entry["operation"] or entry["status"] < 400 or entry["fault"]:
            continue
        operation = f"{entry['vendor']}.{entry['operation']}"
        for v in entry["violations"]:
            key = reason_key("contract: " + violation_label({**v, "operation": operation}))
            if key not in advice:
                body = entry["response_body"]
                advice[key] = vendor_advice(entry["vendor"], entry["operation"], entry["status"], body)
    return advice


def _clean_result(result: dict[str, Any], scrubber: Scrubber) -> dict[str, Any]:
    """Keep the documented fields of the partner's result file, scrubbed and bounded."""
    cleaned: dict[str, Any] = {"outcome": result["outcome"]}
    for key in ("error", "waba_id", "phone_number_id"):
        value = result.get(key)
        if value is not None:
            cleaned[key] = scrubber.text(str(value))[:MAX_LABEL]
    return cleaned
