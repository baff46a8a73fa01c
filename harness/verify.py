"""Verify a partner's own onboarding backend (any language) against the scenario catalogue.

For each scenario: a fresh tenant of one socket-served harness is armed and the popup played (`Runner.prepare`),
the partner's command runs once with everything it needs in documented environment variables, and the judge
(partner mode) compares what the partner reported and what the fakes saw with what the scenario expects.

    from harness.verify import Verifier
    with Verifier("node backend/onboard.mjs", timeout=30) as verifier:
        results = verifier.verify_all(scenarios)

Secrets (the app secret, the Telnyx API key, the app token, the code and every token the fakes minted) are only
ever in the child's environment; everything a report shows is scrubbed of them.

This module is the `Verifier` (one run: the harness, a tenant per scenario, the judging). Its parts:
partner_environment.py (what the command finds in its environment), partner_command.py (running the command
once, its verdict), verify_result.py (the report record), scrubbing.py (secrets out of every text). Their
public names are importable from here too.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from .arming import arm, credentials_for, preregister
from .diagnosis import diagnose
from .intercept import InterceptProxy, LocalCA
from .intercept import intercept as intercept_proxy
from .judge import judge
from .partner_command import (
    MAX_LABEL,
    PartnerRun,
    clean_result,
    partner_verdict,
    preflight,
    read_result_file,
    run_command,
)
from .partner_environment import (
    HANDED_OVER,
    REAL_GRAPH_URL,
    REAL_TELNYX_URL,
    inherited_environment,
    partner_environment,
)
from .runner import Runner, play_all
from .scenarios import Scenario
from .scrubbing import DEFAULT_OUTPUT_LIMIT, Scrubber, truncate
from .verify_result import GUIDE_URL, TROUBLESHOOTING_URL, VerifyResult, exchange_record, violation_advice
from .verify_webhooks import WebhookOptions, delivery_faults, registered, run_and_drive, seed_targets, sync_clock
from .webhook_verdicts import DeliveryVerdict, delivery_verdicts

# What `harness.verify` has always offered, wherever it now lives.
__all__ = [
    "DEFAULT_OUTPUT_LIMIT",
    "DEFAULT_TIMEOUT",
    "GUIDE_URL",
    "HANDED_OVER",
    "MAX_LABEL",
    "REAL_GRAPH_URL",
    "REAL_TELNYX_URL",
    "TROUBLESHOOTING_URL",
    "PartnerRun",
    "Scrubber",
    "Verifier",
    "VerifyResult",
    "partner_verdict",
    "preflight",
    "read_result_file",
    "run_command",
    "truncate",
]

DEFAULT_TIMEOUT = 30.0


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
        return preflight(self.cmd, inherited_environment(self.base_env), self.cwd)

    def __enter__(self) -> Verifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def environment(
        self, scenario: Scenario, tenant: str, signup: Mapping[str, Any], result_file: Path
    ) -> dict[str, str]:
        """The child's environment: the inherited one minus anything signup-related, plus the handed-over."""
        return partner_environment(self.base_env, self.runner, self.proxy, scenario, tenant, signup, result_file)

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
            run.result = clean_result(run.result, scrubber)
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
            exchanges=[exchange_record(e) for e in entries],
            scrubber=scrubber,
            output_limit=self.output_limit,
            advice=violation_advice(entries),
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
