"""Properties of the reference client (harness/client) driven against the in-process fakes.

1. every request it sends validates against the specs, whatever the signup (outcomes, session info versions,
   unicode customer ids, FINISH_ONLY_WABA, any catalogue scenario);
2. for any spec-valid vendor error (status, code, subcode, pointer, detail text that may echo the app secret,
   the API key or the code) it raises the mapped error class, and no secret reaches str / repr / to_dict / a
   log line;
3. retries stay within max_attempts and the total budget for any sequence of 429 / 5xx / dropped connections
   with or without Retry-After (time is injected: no test sleeps);
4. onboarding the same signup twice leaves exactly one registration.

Each property has a "broken client" twin showing that its check catches the bug it is about.
"""

from __future__ import annotations

import itertools
import json
import logging
import string
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import requests
from hypothesis import Phase, given, note, settings
from hypothesis import strategies as st

import harness.client.errors as client_errors
import harness.client.telnyx as client_telnyx
from fakes.core.world import TelnyxApiKey
from fakes.harness import INPROCESS_GRAPH_URL, INPROCESS_TELNYX_URL, Harness, compiled_spec
from harness.arming import APP_ID, APP_SECRET, TELNYX_KEY, arm, preregister
from harness.client import ClientConfig, OnboardingClient, OnboardingError, RetryPolicy, SignupOutcome
from harness.client import errors as e
from harness.client.config import DEFAULT_GRAPH_VERSION
from harness.judge import ASYNCHRONOUS_ERRORS
from harness.scenarios import load_catalogue

HARNESS = Harness(seed="client-properties", check_responses=True)
# Hosted signups are played on Telnyx's page, not by the client: nothing of the client's to check there.
CATALOGUE = [s for s in load_catalogue() if not s.hosted]
_tenants = itertools.count(1)


@dataclass
class Clock:
    """Injected into RetryPolicy: sleeping only moves this clock (and is recorded)."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@dataclass
class Run:
    """One onboarding against a fresh tenant: what the client returned or raised, what the fakes saw."""

    tenant: str
    signup: dict[str, Any]
    result: Any = None
    error: OnboardingError | None = None
    log: list[str] = field(default_factory=list)
    responses: list[requests.Response] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    @property
    def journal(self) -> list[dict[str, Any]]:
        return HARNESS.journal(tenant=self.tenant)

    @property
    def registrations(self) -> int:
        return len(HARNESS.world.tenant(self.tenant).telnyx.registrations)


def fresh_tenant() -> str:
    tenant = f"p{next(_tenants)}"
    HARNESS.reset(tenant)
    HARNESS.seed_demo(tenant)
    return tenant


def forget(tenant: str) -> None:
    """Drop the tenant's state and journal, and the per-tenant client logger."""
    HARNESS.reset(tenant)
    logging.Logger.manager.loggerDict.pop(f"contract.client.{tenant}", None)


def client_for(tenant: str, clock: Clock | None = None, run: Run | None = None, **overrides: Any) -> OnboardingClient:
    """The reference client on this tenant's in-process URLs; retries wait on `clock` (default: the world's)."""
    world_clock = HARNESS.world.clock
    retry = overrides.pop("retry", {})
    policy = RetryPolicy(
        **retry,
        sleep=clock.sleep if clock else world_clock.advance,
        monotonic=clock.monotonic if clock else world_clock.now,
    )
    values: dict[str, Any] = {
        "graph_base_url": f"{INPROCESS_GRAPH_URL}/_t/{tenant}",
        "telnyx_base_url": f"{INPROCESS_TELNYX_URL.removesuffix('/v2')}/_t/{tenant}/v2",
        "app_id": APP_ID,
        "app_secret": APP_SECRET,
        "telnyx_api_key": TELNYX_KEY,
        "retry": policy,
        **overrides,
    }
    session = HARNESS.session()
    logger = logging.getLogger(f"contract.client.{tenant}")
    logger.propagate, logger.level = False, logging.DEBUG
    logger.handlers[:] = [logging.NullHandler()]
    if run is not None:
        session.hooks["response"].append(lambda response, *args, **kwargs: run.responses.append(response))
        capture = Capture()
        logger.addHandler(capture)
        run.log = capture.lines
    return OnboardingClient(ClientConfig(**values), session=session, logger=logger)


def onboard(run: Run, client: OnboardingClient, customer_id: str | None = None) -> Run:
    outcome = SignupOutcome.from_browser(code=run.signup.get("code"), event=run.signup.get("event"))
    try:
        run.result = client.onboard(outcome, customer_id=customer_id)
    except OnboardingError as error:  # anything else (a crash) fails the property
        run.error = error
    finally:
        client.session.close()
    return run


def request_problems(entries: list[dict[str, Any]], allowed: set[str] = frozenset()) -> list[str]:
    """Every way the client's requests strayed from the specs (violations, unknown routes)."""
    problems = []
    for entry in entries:
        name = f"{entry['vendor']}.{entry['operation']}"
        if entry["operation"] is None:
            problems.append(f"{entry['vendor']} {entry['method']} {entry['path']}: no spec operation matches")
        for v in entry["violations"]:
            if f"{name}: {v['rule']}" not in allowed:
                problems.append(f"{name} {v['location']} {v['pointer']}: {v['rule']} ({v['message']})")
        for v in entry["response_violations"]:
            problems.append(f"{name} response {v['pointer']}: {v['rule']} ({v['message']}) [the fake drifted]")
    return problems


def must_fail(body: Any, strategies: dict[str, Any]) -> str:
    """Run `body` as a property over `strategies` (finding, not shrinking) and return the failure it must raise:
    how the broken-client tests show that a property's check catches the bug it is about."""

    @settings(max_examples=200, phases=[Phase.explicit, Phase.generate])
    @given(**strategies)
    def prop(**kwargs: Any) -> None:
        body(**kwargs)

    with pytest.raises(AssertionError) as info:
        prop()
    return str(info.value)


# --- 1. every request the client sends validates against the specs ----------------------------------------------

customer_ids = st.none() | st.text(max_size=255) | st.text(string.ascii_letters + string.digits + "-_", max_size=40)
signups = st.fixed_dictionaries(
    {
        "outcome": st.sampled_from(
            ["FINISH", "FINISH_ONLY_WABA", "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING", "NO_WABA", "CANCEL", "ERROR"]
        ),
        "session_info_version": st.sampled_from([None, "2", "3", 3]),
        "event_version": st.sampled_from([None, 2, 3, "3"]),
        "code_fate": st.sampled_from(["fresh", "fresh", "fresh", "used", "expired", "garbage"]),
        "share_with_app": st.booleans() | st.just(True),
        "business_name": st.text(min_size=1, max_size=40),
    }
)


def assert_requests_conform(run: Run, allowed: set[str] = frozenset()) -> None:
    problems = request_problems(run.journal, allowed)
    assert not problems, "the client sent requests outside the specs:\n  " + "\n  ".join(problems)


def requests_conform(signup: dict[str, Any], customer_id: str | None, graph_version: str) -> None:
    tenant = fresh_tenant()
    try:
        run = Run(tenant, HARNESS.complete_signup(tenant, app_id=APP_ID, **signup))
        onboard(run, client_for(tenant, graph_version=graph_version), customer_id)
        note(f"calls: {[(x['operation'], x['status']) for x in run.journal]}; error: {run.error!r}")
        assert_requests_conform(run)
        if run.error is None:
            assert run.registrations == 1
            assert run.result.customer_id == customer_id
    finally:
        forget(tenant)


REQUESTS = {"signup": signups, "customer_id": customer_ids, "graph_version": st.sampled_from(["v19.0", "v21.0"])}
test_every_request_the_client_sends_validates_against_the_specs = given(**REQUESTS)(requests_conform)


@given(scenario=st.sampled_from(CATALOGUE), customer_id=customer_ids)
def test_every_catalogue_scenario_sends_only_the_violations_it_expects(scenario, customer_id):
    """Each scenario armed as the runner arms it; the client may commit only the violations the scenario names
    (`expect.violations`, e.g. a missing API key)."""
    tenant = f"p{next(_tenants)}"
    try:
        credentials = arm(HARNESS, scenario, tenant)
        signup = HARNESS.complete_signup(tenant, **(HARNESS.world.tenant(tenant).signup_plan or {}))
        preregister(HARNESS, scenario, signup, tenant)
        HARNESS.clear_journal(tenant)
        client = scenario.client
        run = onboard(
            Run(tenant, signup),
            client_for(
                tenant,
                app_id=credentials.app_id,
                app_secret=credentials.app_secret,
                telnyx_api_key=credentials.telnyx_api_key,
                redirect_uri=client.get("redirect_uri"),
                graph_version=client.get("graph_version", DEFAULT_GRAPH_VERSION),
                timeout=client.get("timeout", 5.0),
                retry={"max_attempts": 3, "base_delay": 0.2, "max_delay": 5.0, **client.get("retry", {})},
            ),
            client.get("customer_id", customer_id),
        )
        assert_requests_conform(run, allowed=set(scenario.expect.get("violations", [])))
        # Without the session wait the client ends at Telnyx's 200: a failure learned after it is not its to see.
        if scenario.expect.get("error") not in ASYNCHRONOUS_ERRORS:
            assert (run.error is None) == (scenario.expect["outcome"] == "success"), run.error
    finally:
        forget(tenant)


def test_a_client_that_omits_app_id_is_caught(monkeypatch):
    """A broken client (the Telnyx body without `app_id`) fails property 1 with the violation named."""
    real_call = client_telnyx.Call

    def call_without_app_id(**fields: Any) -> Any:
        fields["json"] = {k: v for k, v in (fields.get("json") or {}).items() if k != "app_id"}
        return real_call(**fields)

    monkeypatch.setattr(client_telnyx, "Call", call_without_app_id)
    failure = must_fail(requests_conform, REQUESTS)
    assert "telnyx.registerTechProvider body /app_id: required" in failure


# --- 2. spec-valid vendor errors map to the right class and never leak a secret ----------------------------------

# (HTTP status, code, source.pointer) -> the class docs/client.md promises; every row is documented for
# registerTechProvider in specs/telnyx.yaml.
TELNYX_ERRORS = [
    (401, "10009", None, e.TelnyxAuthenticationFailed),
    (403, "10038", "/app_id", e.AppNotLinkedToTelnyx),
    (422, "10017", "/waba_id", e.WabaNotFound),
    (422, "10017", "/phone_number_id", e.PhoneNumberNotInWaba),
    (409, "10012", "/waba_id", e.RegistrationConflict),
    (422, "10004", "/app_id", e.RequestValidationFailed),
    (422, "10026", "/waba_id", e.RequestValidationFailed),
    (400, "10023", None, e.RequestValidationFailed),
    (415, "10029", None, e.RequestValidationFailed),
    (429, "10011", None, e.RateLimited),
    (500, "10007", None, e.VendorUnavailable),
    (503, "10037", None, e.VendorUnavailable),
]
# (HTTP status, code, subcode, WWW-Authenticate kind, type) -> class, for the code exchange (specs/graph.yaml).
GRAPH_ERRORS = [
    (400, 101, None, None, "OAuthException", e.UnknownApp),
    (400, 1, None, None, "OAuthException", e.WrongAppSecret),
    (400, 100, None, "invalid_code", "OAuthException", e.InvalidAuthorizationCode),
    (400, 100, 36009, "invalid_code", "OAuthException", e.InvalidAuthorizationCode),
    (400, 100, 36007, "invalid_code", "OAuthException", e.ExpiredAuthorizationCode),
    (400, 100, 36008, "invalid_code", "OAuthException", e.RedirectUriMismatch),
    (400, 100, None, "invalid_request", "OAuthException", e.RequestValidationFailed),
    (400, 4, None, None, "OAuthException", e.RateLimited),
    (500, 1, None, None, "OAuthException", e.VendorUnavailable),
    (500, 2, None, None, "OAuthException", e.VendorUnavailable),
    (503, 2, None, None, "OAuthException", e.VendorUnavailable),
]
# Secrets shaped like real ones, so none can hide inside the client's own words or the "[redacted]" mask.
app_secrets = st.text("0123456789abcdef", min_size=32, max_size=32)
api_keys = st.builds(
    lambda body: "KEY" + body, st.text(string.ascii_uppercase + string.digits, min_size=16, max_size=40)
)
graph_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60)  # goes into a header too
telnyx_text = st.text(max_size=60)


def echo(before: str, secret: str | None, after: str) -> str:
    return before + (secret or "") + after


def assert_no_secret(run: Run, error: OnboardingError, secrets: list[str]) -> None:
    texts = {
        "str": str(error),
        "repr": repr(error),
        "to_dict": json.dumps(error.to_dict(), ensure_ascii=False),
        "args": repr(error.args),
        "log": "\n".join(run.log),
    }
    for secret in secrets:
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            for where, text in texts.items():
                assert form not in text, f"a secret reached the error's {where}: {text!r}"


def assert_spec_valid(vendor: str, operation: str, response: requests.Response) -> None:
    violations = compiled_spec(vendor).check_response(
        operation,
        response.status_code,
        response.headers.get("Content-Type"),
        response.content,
        {k.lower(): v for k, v in response.headers.items()},
    )
    assert not violations, f"the generated {vendor} error is not spec-valid: {violations}"


def secret_tenant(app_secret: str, api_key: str) -> str:
    tenant = fresh_tenant()
    world = HARNESS.world.tenant(tenant)
    world.meta.apps[APP_ID].secret = app_secret
    world.telnyx.api_keys[api_key] = TelnyxApiKey(api_key)
    return tenant


def telnyx_error_is_mapped_without_leaks(
    row: tuple[Any, ...], app_secret: str, api_key: str, leaked: str | None, before: str, after: str
) -> None:
    status, code, pointer, expected = row
    tenant = secret_tenant(app_secret, api_key)
    try:
        run = Run(tenant, HARNESS.complete_signup(tenant, app_id=APP_ID))
        secrets = {
            "app_secret": app_secret,
            "api_key": api_key,
            "code": run.signup["code"],
            "app_token": f"{APP_ID}|{app_secret}",
        }
        error = {"code": code, "detail": echo(before, secrets.get(leaked or ""), after)}
        if pointer:
            error["pointer"] = pointer
        HARNESS.arm_fault(
            {"operation": "telnyx.registerTechProvider", "status": status, "error": error, "times": None}, tenant
        )
        onboard(run, client_for(tenant, Clock(), run, app_secret=app_secret, telnyx_api_key=api_key))
        assert_spec_valid("telnyx", "registerTechProvider", run.responses[-1])
        assert type(run.error) is expected, f"{status}/{code} {pointer}: got {run.error!r}"
        assert run.error.vendor_code == code and run.error.http_status == status
        assert_no_secret(run, run.error, list(secrets.values()))
    finally:
        forget(tenant)


TELNYX_FAULTS = {
    "row": st.sampled_from(TELNYX_ERRORS),
    "app_secret": app_secrets,
    "api_key": api_keys,
    "leaked": st.sampled_from(["app_secret", "api_key", "code", "app_token", None]),
    "before": telnyx_text,
    "after": telnyx_text,
}
test_telnyx_errors_map_to_their_class_and_leak_no_secret = given(**TELNYX_FAULTS)(telnyx_error_is_mapped_without_leaks)


@given(
    row=st.sampled_from(GRAPH_ERRORS),
    app_secret=app_secrets,
    leaked=st.sampled_from(["app_secret", "code", "app_token", None]),
    before=graph_text,
    after=graph_text,
)
def test_graph_errors_map_to_their_class_and_leak_no_secret(row, app_secret, leaked, before, after):
    status, code, subcode, kind, type_, expected = row
    tenant = secret_tenant(app_secret, TELNYX_KEY)
    try:
        run = Run(tenant, HARNESS.complete_signup(tenant, app_id=APP_ID))
        secrets = {"app_secret": app_secret, "code": run.signup["code"], "app_token": f"{APP_ID}|{app_secret}"}
        error: dict[str, Any] = {"code": code, "type": type_, "message": echo(before, secrets.get(leaked or ""), after)}
        if subcode is not None:
            error["error_subcode"] = subcode
        if kind is not None:
            error["www_authenticate"] = kind
        HARNESS.arm_fault({"operation": "graph.exchangeCode", "status": status, "error": error, "times": None}, tenant)
        onboard(run, client_for(tenant, Clock(), run, app_secret=app_secret))
        assert_spec_valid("graph", "exchangeCode", run.responses[-1])
        assert type(run.error) is expected, f"{status} {code}/{subcode} {kind}: got {run.error!r}"
        assert run.error.vendor_code == str(code)
        assert_no_secret(run, run.error, list(secrets.values()))
    finally:
        forget(tenant)


def test_a_client_that_leaks_a_secret_is_caught(monkeypatch):
    """A broken client that forgets to redact what the vendor echoed fails property 2."""

    def no_redaction(self: OnboardingError, redactor: Any) -> None:
        self.args = (self.message,)

    monkeypatch.setattr(client_errors.OnboardingError, "_scrub", no_redaction)
    failure = must_fail(telnyx_error_is_mapped_without_leaks, TELNYX_FAULTS)
    assert "a secret reached the error's" in failure


# --- 3. retries stay within max_attempts and the time budget -----------------------------------------------------

failures = st.lists(
    st.fixed_dictionaries(
        {"kind": st.sampled_from([429, 500, 502, 503, "drop"]), "retry_after": st.none() | st.integers(0, 20)}
    ),
    max_size=6,
)
policies = st.fixed_dictionaries(
    {
        "max_attempts": st.integers(1, 5),
        "base_delay": st.floats(0, 2, allow_nan=False),
        "max_delay": st.floats(0, 10, allow_nan=False),
        "total_budget": st.floats(0, 30, allow_nan=False),
    }
)


def arm_failures(tenant: str, operation: str, sequence: list[dict[str, Any]]) -> None:
    for failure in sequence:
        fault: dict[str, Any] = {"operation": operation, "times": 1}
        if failure["kind"] == "drop":
            fault["drop_connection"] = True
        else:
            fault["status"] = failure["kind"]
            if failure["retry_after"] is not None:
                fault["headers"] = {"Retry-After": str(failure["retry_after"])}
        HARNESS.arm_fault(fault, tenant)


def hint_of(failure: dict[str, Any]) -> float | None:
    if failure["kind"] == "drop":
        return None  # no response, no hint
    if failure["retry_after"] is not None:
        return float(failure["retry_after"])
    return 1.0 if failure["kind"] == 429 else None  # the Telnyx fake sends Retry-After: 1 with a bare 429


@given(
    sequence=failures, policy=policies, operation=st.sampled_from(["telnyx.registerTechProvider", "graph.exchangeCode"])
)
def test_retries_stay_within_attempts_and_budget(sequence, policy, operation):
    if operation.startswith("graph"):  # Graph documents no 429 on the exchange
        sequence = [f for f in sequence if f["kind"] != 429]
    tenant = fresh_tenant()
    try:
        clock = Clock()
        run = Run(tenant, HARNESS.complete_signup(tenant, app_id=APP_ID))
        arm_failures(tenant, operation, sequence)
        onboard(run, client_for(tenant, clock, run, retry=policy))
        vendor, op = operation.split(".")
        attempts = sum(1 for entry in run.journal if entry["operation"] == op)
        retry = RetryPolicy(**policy)
        note(f"attempts={attempts} sleeps={clock.sleeps} error={run.error!r}")
        assert 1 <= attempts <= retry.max_attempts
        assert len(clock.sleeps) == attempts - 1
        assert sum(clock.sleeps) <= retry.total_budget + 1e-9
        for n, slept in enumerate(clock.sleeps, start=1):
            assert slept == retry.delay_before_next(n, hint_of(sequence[n - 1]))
            assert 0 <= slept <= retry.max_delay
        if run.error is None:
            assert attempts == len(sequence) + 1, "it succeeded, so every armed failure was consumed"
        else:
            assert attempts <= len(sequence)
            assert run.error.attempts == attempts
            last = sequence[attempts - 1]
            assert isinstance(run.error, e.RateLimited if last["kind"] == 429 else e.VendorUnavailable)
            # It gave up only because the attempts or the budget ran out.
            next_delay = retry.delay_before_next(attempts, hint_of(last))
            assert attempts == retry.max_attempts or next_delay > retry.total_budget - sum(clock.sleeps)
    finally:
        forget(tenant)


# --- 4. onboarding the same signup twice leaves exactly one registration -----------------------------------------


@given(
    outcome=st.sampled_from(["FINISH", "FINISH_ONLY_WABA", "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING"]),
    customer_id=customer_ids,
    other_customer=customer_ids,
)
def test_onboarding_twice_registers_once(outcome, customer_id, other_customer):
    tenant = fresh_tenant()
    try:
        signup = HARNESS.complete_signup(tenant, app_id=APP_ID, outcome=outcome)
        first = onboard(Run(tenant, signup), client_for(tenant), customer_id)
        assert first.error is None, first.error
        assert first.registrations == 1
        # The same signup again: the code is spent, Graph says so, nothing is registered twice.
        second = onboard(Run(tenant, signup), client_for(tenant), customer_id)
        assert isinstance(second.error, e.InvalidAuthorizationCode), second.error
        assert second.error.vendor_subcode == "36009"
        # The token path (a retry that still has the ids): idempotent, the same registration comes back.
        with client_for(tenant) as client:
            again = client.register(first.result.waba_id, first.result.phone_number_id, customer_id)
        assert again == first.result.registration
        # Different data for the same WABA is a conflict, never a second registration.
        if other_customer != customer_id:
            with client_for(tenant) as client, pytest.raises(e.RegistrationConflict):
                client.register(first.result.waba_id, first.result.phone_number_id, other_customer)
        assert first.registrations == 1
        assert_requests_conform(first)
    finally:
        forget(tenant)
