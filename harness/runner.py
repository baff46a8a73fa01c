"""Play scenarios end to end: a fresh tenant each, faults armed, the popup played, the reference client
driven against the fakes (in-process or over real sockets), the outcome judged."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import requests

from fakes.core.clock import ManualClock
from fakes.harness import INPROCESS_GRAPH_URL, INPROCESS_TELNYX_URL, Harness, Server

from .arming import arm, enable_scenario_arming, preregister
from .client import ClientConfig, OnboardingClient, OnboardingError, OutcomeWait, RetryPolicy, SignupOutcome
from .client.config import DEFAULT_GRAPH_VERSION
from .hosted_flow import play_hosted
from .judge import Observation, judge
from .partner_endpoint import PartnerEndpoint, drain, open_endpoint, wire
from .scenario_result import ScenarioResult
from .scenarios import Scenario

# ScenarioResult, the record `Runner.run` returns, lives in scenario_result.py and is importable from here too.
__all__ = [
    "DEFAULT_CLIENT_TIMEOUT",
    "DEFAULT_OUTCOME_WAIT",
    "DEFAULT_RETRY",
    "Runner",
    "ScenarioResult",
    "play_all",
    "tenant_urls",
]

R = TypeVar("R")
DEFAULT_CLIENT_TIMEOUT = 5.0
DEFAULT_RETRY = {"max_attempts": 3, "base_delay": 0.2, "max_delay": 5.0, "total_budget": 15.0}
# How the reference client waits for the signup session (world time: costs no wall time).
DEFAULT_OUTCOME_WAIT = {"budget": 60.0, "check_every": 1.0, "webhook_grace": 10.0, "poll_every": 5.0}


class _Capture(logging.Handler):
    """Keeps the reference client's log lines (already redacted by the client) for the report."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname.lower()}: {record.getMessage()}")


def tenant_urls(graph_root: str, telnyx_root: str, tenant: str) -> tuple[str, str]:
    """Base URLs that put every request of a driven backend into its scenario's tenant."""
    return f"{graph_root}/_t/{tenant}", f"{telnyx_root}/_t/{tenant}/v2"


class Runner:
    """One harness (ManualClock: retries wait in virtual time, so runs are fast and reproducible)."""

    def __init__(self, seed: str | int = 0, transport: str = "socket") -> None:
        if transport not in ("socket", "inprocess"):
            raise ValueError("transport must be 'socket' or 'inprocess'")
        self.clock = ManualClock()
        self.harness = Harness(seed=seed, clock=self.clock, check_responses=True)
        enable_scenario_arming(self.harness)
        self.transport = transport
        self.server: Server | None = None
        if transport == "socket":
            self.server = self.harness.serve(graph_port=0, telnyx_port=0)
            self.graph_root = self.server.graph_url
            self.telnyx_root = self.server.url("telnyx")
        else:
            self.graph_root = INPROCESS_GRAPH_URL
            self.telnyx_root = INPROCESS_TELNYX_URL.removesuffix("/v2")
        self._counter = 0

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def session(self) -> requests.Session:
        return self.harness.session() if self.transport == "inprocess" else requests.Session()

    def sleep(self, seconds: float) -> None:
        """The driven side's sleep: the world's clock moves, and what fell due meanwhile has run on return
        (served, the timekeeper's thread does it: wait until it has)."""
        self.clock.advance(seconds)
        self.harness.world.timekeeper.settle()

    def open_endpoint(self, scenario: Scenario) -> PartnerEndpoint | None:
        """The scenario's reference webhook receiver (None when `receiver.enabled` is false)."""
        if scenario.receiver.get("enabled", True) is False:
            return None
        return open_endpoint(self.harness, self.clock.now, scenario.receiver, socket=self.transport == "socket")

    def prepare(self, scenario: Scenario, endpoint: PartnerEndpoint | None = None) -> tuple[str, dict[str, Any]]:
        """Fresh tenant in the scenario's world, with the popup already played: (tenant, signup result). With an
        `endpoint`, the tenant's webhooks go to it (wired before the popup, so Meta's PARTNER_* reach it)."""
        self._counter += 1
        tenant = f"{scenario.id}-{self._counter}"
        arm(self.harness, scenario, tenant)
        if endpoint is not None:
            graph_url, _ = tenant_urls(self.graph_root, self.telnyx_root, tenant)
            session = self.session()
            try:
                wire(self.harness, endpoint, tenant, scenario.receiver, graph_url, session)
            finally:
                session.close()
        plan = dict(self.harness.world.tenant(tenant).signup_plan or {})
        signup = self.harness.complete_signup(tenant, **plan)
        preregister(self.harness, scenario, signup, tenant)
        self.harness.clear_journal(tenant)
        return tenant, signup

    def observe(
        self,
        tenant: str,
        signup: dict[str, Any],
        error: Any,
        result: Any,
        endpoint: PartnerEndpoint | None = None,
    ) -> Observation:
        """What the fakes recorded for this tenant, plus what the driven side reported. The session is read
        before the endpoint's deliveries are drained (draining moves the clock)."""
        self.harness.world.wait_idle(tenant)
        session = self.session_record(tenant, signup.get("waba_id"))
        webhooks = None
        if endpoint is not None:
            drain(self.harness, tenant, self.sleep)
            webhooks = endpoint.summary(self.harness.webhooks(tenant)["deliveries"])
        entries = self.harness.journal(tenant=tenant)
        world_tenant = self.harness.world.tenant(tenant)
        return Observation(
            error=error.to_dict() if isinstance(error, OnboardingError) else error,
            error_type=type(error).__name__ if isinstance(error, OnboardingError) else None,
            result=result,
            calls=[f"{e['vendor']}.{e['operation']}" for e in entries if e["operation"]],
            request_violations=[
                {**v, "operation": f"{e['vendor']}.{e['operation']}"} for e in entries for v in e["violations"]
            ],
            response_violations=[
                {**v, "operation": f"{e['vendor']}.{e['operation']}"} for e in entries for v in e["response_violations"]
            ],
            registrations=[
                {"waba_id": r.waba_id, "phone_number_id": r.phone_number_id, "customer_id": r.customer_id}
                for r in world_tenant.telnyx.registrations.values()
            ],
            signup_waba_id=signup.get("waba_id"),
            session=session,
            webhooks=webhooks,
            learned_via=_learned_via(error, result),
        )

    def session_record(self, tenant: str, waba_id: str | None) -> dict[str, Any] | None:
        """The latest Telnyx signup session of the signup's WABA, as the world holds it."""
        with self.harness.world.lock:
            sessions = [s for s in self.harness.world.tenant(tenant).telnyx.sessions.values() if s.waba_id == waba_id]
            if not sessions:
                return None
            last = sessions[-1]
            return {"status": last.status, "state": last.progress.stage, "errors": list(last.progress.errors)}

    def client_config(self, scenario: Scenario, tenant: str) -> ClientConfig:
        from .arming import credentials_for

        overrides = scenario.client
        credentials = credentials_for(scenario)
        graph_url, telnyx_url = tenant_urls(self.graph_root, self.telnyx_root, tenant)
        retry = {**DEFAULT_RETRY, **overrides.get("retry", {})}
        return ClientConfig(
            graph_base_url=graph_url,
            graph_version=overrides.get("graph_version", DEFAULT_GRAPH_VERSION),
            telnyx_base_url=telnyx_url,
            app_id=credentials.app_id,
            app_secret=credentials.app_secret,
            telnyx_api_key=credentials.telnyx_api_key,
            redirect_uri=overrides.get("redirect_uri"),
            timeout=overrides.get("timeout", DEFAULT_CLIENT_TIMEOUT),
            # Backoff waits move the world's clock instead of sleeping: instant and reproducible.
            retry=RetryPolicy(**retry, sleep=self.sleep, monotonic=self.clock.now),
        )

    def outcome_wait(self, scenario: Scenario) -> OutcomeWait:
        return OutcomeWait(**{**DEFAULT_OUTCOME_WAIT, **scenario.client.get("outcome_wait", {})})

    def run(self, scenario: Scenario) -> ScenarioResult:
        started = time.perf_counter()
        endpoint = self.open_endpoint(scenario)
        try:
            return self._run(scenario, endpoint, started)
        finally:
            if endpoint is not None:
                endpoint.close()

    def _run(self, scenario: Scenario, endpoint: PartnerEndpoint | None, started: float) -> ScenarioResult:
        tenant, signup = self.prepare(scenario, endpoint)
        session = self.session()
        logger = logging.getLogger(f"harness.runner.{tenant}")
        logger.propagate, logger.level = False, logging.INFO
        capture = _Capture()
        logger.addHandler(capture)
        client = OnboardingClient(
            self.client_config(scenario, tenant),
            session=session,
            logger=logger,
            outcome_wait=self.outcome_wait(scenario),
            webhook_outcome=endpoint.webhook_outcome if endpoint is not None else None,
        )
        error: OnboardingError | None = None
        result: dict[str, Any] | None = None
        try:
            if scenario.hosted:
                result = play_hosted(self.harness, self.clock, client, tenant, signup, scenario.hosted)
            else:
                outcome = SignupOutcome.from_browser(code=signup.get("code"), event=signup.get("event"))
                onboarded = client.onboard(outcome, customer_id=scenario.client.get("customer_id"))
                result = {
                    "waba_id": onboarded.waba_id,
                    "phone_number_id": onboarded.phone_number_id,
                    "status": onboarded.status,
                    "customer_id": onboarded.customer_id,
                    "resolved_via": onboarded.resolved_via,
                    "session": onboarded.session,
                }
        except OnboardingError as exc:
            error = exc
        finally:
            session.close()
            logger.removeHandler(capture)
            logging.Logger.manager.loggerDict.pop(logger.name, None)
        seen = self.observe(tenant, signup, error, result, endpoint)
        reasons = judge(scenario, seen)
        duration = time.perf_counter() - started
        return ScenarioResult(scenario, not reasons, reasons, duration, seen, tenant, signup, capture.lines)

    def run_all(
        self,
        scenarios: Iterable[Scenario],
        on_start: Callable[[int, Scenario], None] | None = None,
        on_result: Callable[[int, ScenarioResult], None] | None = None,
    ) -> list[ScenarioResult]:
        return play_all(scenarios, self.run, on_start, on_result)


def _learned_via(error: Any, result: Any) -> str | None:
    """How the reference client learned the session's outcome (from its result, or its error's details)."""
    if isinstance(result, dict) and isinstance(result.get("session"), dict):
        return str(result["session"].get("learned_via"))
    if isinstance(error, OnboardingError):
        session = error.details.get("session")
        if isinstance(session, dict):
            return str(session.get("learned_via"))
    return None


def play_all(
    scenarios: Iterable[Scenario],
    play: Callable[[Scenario], R],
    on_start: Callable[[int, Scenario], None] | None = None,
    on_result: Callable[[int, R], None] | None = None,
) -> list[R]:
    """Play scenarios one by one (shared by `run` and `verify`), telling the console as each starts and ends."""
    results = []
    for index, scenario in enumerate(scenarios, start=1):
        if on_start:
            on_start(index, scenario)
        result = play(scenario)
        results.append(result)
        if on_result:
            on_result(index, result)
    return results
