"""pytest plugin: the Graph and Telnyx fakes as fixtures, catalogue scenarios as a marker, call assertions, and
failures the fakes collected raised at teardown. Registered as the `signup_harness` pytest11 entry point.

    def test_onboarding(signup_harness):
        client = signup_harness.onboarding_client()
        signup = signup_harness.complete_signup()
        client.onboard(SignupOutcome.from_browser(code=signup["code"], event=signup["event"]))
        signup_harness.assert_called("telnyx.registerTechProvider", times=1)

    @pytest.mark.signup_scenario("telnyx-revoked-key")
    def test_revoked_key(signup_scenario):
        with pytest.raises(TelnyxAuthenticationFailed):
            signup_scenario.onboard()

Two tiers, as in pytest-httpserver: one `Harness` per session (`make_signup_harness`; building the Flask apps is
the expensive part) and, for every test, a fresh tenant of it (`signup_harness`): its own copy of both vendors'
state seeded with the standard world, its own faults and journal, reached through base URLs carrying the
`/_t/<tenant>` prefix. The tenant is dropped when the test ends. `signup_server` is the same tenant over real
sockets (one server per session, readiness polled). See docs/pytest-plugin.md.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import requests

    from fakes.core.faults import Fault
    from fakes.core.world import Tenant
    from fakes.harness import Harness, Server
    from harness.arming import Credentials
    from harness.client import ClientConfig, OnboardingClient, OnboardingResult, SignupOutcome
    from harness.scenarios import Scenario

SCENARIO_MARKER = "signup_scenario"
ALLOW_MARKER = "signup_allow_violations"
# What the fakes collect that fails a test at teardown: calls to routes no spec operation matches, requests
# that break the spec, responses that break it (a fake drifting from its contract).
PROBLEM_KINDS = ("unmatched", "request", "response")
TENANT_HEADER = "X-Harness-Tenant"
IDLE_TIMEOUT_SECONDS = 5.0
DEFAULT_CLIENT_TIMEOUT = 5.0

# The standard world (fakes/data/demo_world.yaml) every test tenant starts with; every value is fake.
DEMO_WABA_ID = "300000000000001"
DEMO_PHONE_NUMBER_ID = "400000000000001"
DEMO_CODE = "AQDEMO-seeded-code-0001"

_tenant_numbers = itertools.count(1)


# --- registration ---------------------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{SCENARIO_MARKER}(scenario_id): arm this catalogue scenario (scenarios/<id>.yaml) on the test's tenant "
        "of the signup harness and play its signup popup; the `signup_scenario` fixture gives the result.",
    )
    config.addinivalue_line(
        "markers",
        f"{ALLOW_MARKER}(*kinds): do not fail the test at teardown for what the signup harness fakes collected: "
        f"kinds among {', '.join(PROBLEM_KINDS)} (none given: all of them).",
    )


# --- what the fakes recorded ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing the fakes collected during a test that fails it at teardown (unless allowed)."""

    kind: str  # unmatched | request | response
    call: str  # "telnyx.registerTechProvider" or "telnyx (unknown route)"
    request: str  # "POST /v2/whatsapp/business_accounts/tech_provider -> 422"
    detail: str = ""
    rule: str = ""

    def __str__(self) -> str:
        what = {
            "unmatched": "no spec operation matches",
            "request": "request breaks the spec",
            "response": "response breaks the spec (the fake drifted from its contract)",
        }[self.kind]
        return f"{self.call} {self.request}: {what}" + (f": {self.detail}" if self.detail else "")


def call_name(entry: dict[str, Any]) -> str:
    """`vendor.operationId` of a journal entry; `vendor (unknown route)` when no operation matched."""
    if entry["operation"] is None:
        return f"{entry['vendor']} (unknown route)"
    return f"{entry['vendor']}.{entry['operation']}"


def _request_line(entry: dict[str, Any]) -> str:
    return f"{entry['method']} {entry['path']} -> {entry['status']}"


def problems_in(entries: Sequence[dict[str, Any]]) -> list[Problem]:
    """Unknown routes, request violations and response violations of journal entries, in journal order."""
    found: list[Problem] = []
    for entry in entries:
        name, line = call_name(entry), _request_line(entry)
        if entry["operation"] is None:
            found.append(Problem("unmatched", name, line))
        for v in entry["violations"]:
            detail = f"{v['location']} {v['pointer']}: {v['rule']} ({v['message']})"
            found.append(Problem("request", name, line, detail, v["rule"]))
        for v in entry["response_violations"]:
            found.append(Problem("response", name, line, f"{v['pointer']}: {v['rule']} ({v['message']})", v["rule"]))
    return found


def describe_calls(entries: Sequence[dict[str, Any]]) -> str:
    """The journal as a numbered list, for failure messages (like `responses`' "Available matches")."""
    if not entries:
        return "  (no calls reached the fakes)"
    return "\n".join(f"  {i}. {call_name(e):<36} {_request_line(e)}" for i, e in enumerate(entries, start=1))


# --- the per-test handle --------------------------------------------------------------------------------------


class SignupFakes:
    """One test's tenant of the session's harness, reached in-process (`signup_harness`) or over sockets
    (`signup_server`). Both handles of a test share the tenant, its world and its journal."""

    def __init__(
        self,
        harness: Harness,
        tenant: str,
        graph_root: str,
        telnyx_root: str,
        transport: str,
        state: _TestState,
    ) -> None:
        self.harness = harness
        self.tenant = tenant
        self.transport = transport  # "inprocess" | "socket"
        # Base URLs that put every request into this test's tenant. telnyx_url ends in /v2, like the SDKs'.
        self.graph_url = f"{graph_root}/_t/{tenant}"
        self.telnyx_url = f"{telnyx_root}/_t/{tenant}/v2"
        self._state = state

    def __repr__(self) -> str:
        return f"<SignupFakes tenant={self.tenant!r} {self.transport} graph={self.graph_url} telnyx={self.telnyx_url}>"

    # -- the standard credentials and ids ----------------------------------------------------------------------
    @property
    def app_id(self) -> str:
        from harness.arming import APP_ID

        return APP_ID

    @property
    def app_secret(self) -> str:
        from harness.arming import APP_SECRET

        return APP_SECRET

    @property
    def telnyx_api_key(self) -> str:
        from harness.arming import TELNYX_KEY

        return TELNYX_KEY

    @property
    def app_token(self) -> str:
        """`APP_ID|APP_SECRET`, what debug_token takes as caller."""
        return f"{self.app_id}|{self.app_secret}"

    waba_id = DEMO_WABA_ID
    phone_number_id = DEMO_PHONE_NUMBER_ID
    demo_code = DEMO_CODE

    @property
    def scenario(self) -> ArmedScenario | None:
        """The scenario armed by `@pytest.mark.signup_scenario`, if any."""
        return self._state.scenario

    @property
    def world(self) -> Tenant:
        """This tenant's state (apps, WABAs, codes, tokens, keys, registrations) as plain dataclasses."""
        return self.harness.world.tenant(self.tenant)

    @property
    def registrations(self) -> list[dict[str, Any]]:
        return [
            {
                "id": r.id,
                "waba_id": r.waba_id,
                "phone_number_id": r.phone_number_id,
                "app_id": r.app_id,
                "customer_id": r.customer_id,
            }
            for r in self.world.telnyx.registrations.values()
        ]

    # -- transports and the reference client -------------------------------------------------------------------
    def session(self) -> requests.Session:
        """A new requests session to the fakes (in-process WSGI or plain sockets), pinned to this tenant.
        Closed at teardown."""
        import requests

        session = self.harness.session() if self.transport == "inprocess" else requests.Session()
        session.trust_env = False
        session.headers[TENANT_HEADER] = self.tenant
        self._state.sessions.append(session)
        return session

    def client_config(self, **overrides: Any) -> ClientConfig:
        """A reference-client config for this tenant: its base URLs, the standard credentials (or the armed
        scenario's), and retries that wait on the world's manual clock instead of sleeping."""
        from harness.client import ClientConfig, RetryPolicy
        from harness.client.config import DEFAULT_GRAPH_VERSION

        values: dict[str, Any] = {
            "graph_base_url": self.graph_url,
            "telnyx_base_url": self.telnyx_url,
            "app_id": self.app_id,
            "app_secret": self.app_secret,
            "telnyx_api_key": self.telnyx_api_key,
            "timeout": DEFAULT_CLIENT_TIMEOUT,
        }
        retry: dict[str, Any] = {}
        scenario = self._state.scenario
        if scenario is not None:
            client = scenario.scenario.client
            values.update(
                app_id=scenario.credentials.app_id,
                app_secret=scenario.credentials.app_secret,
                telnyx_api_key=scenario.credentials.telnyx_api_key,
                graph_version=client.get("graph_version", DEFAULT_GRAPH_VERSION),
                redirect_uri=client.get("redirect_uri"),
                timeout=client.get("timeout", DEFAULT_CLIENT_TIMEOUT),
            )
            retry.update(client.get("retry", {}))
        clock = self.harness.world.clock
        values["retry"] = RetryPolicy(**retry, sleep=clock.advance, monotonic=clock.now)
        values.update(overrides)
        return ClientConfig(**values)

    def onboarding_client(self, **overrides: Any) -> OnboardingClient:
        """The reference `OnboardingClient`, configured by `client_config(**overrides)`, on a session of this
        handle's transport."""
        from harness.client import OnboardingClient

        return OnboardingClient(self.client_config(**overrides), session=self.session())

    # -- the control plane, scoped to this tenant --------------------------------------------------------------
    def complete_signup(self, **request: Any) -> dict[str, Any]:
        """Play Meta's popup to its end without a browser: code, event, waba_id, phone_number_id, ..."""
        request.setdefault("app_id", self.app_id)
        return self.harness.complete_signup(self.tenant, **request)

    def arm_fault(self, fault: Fault | dict[str, Any] | None = None, **fields: Any) -> Fault:
        """`arm_fault(operation="telnyx.registerTechProvider", status=503, times=2)`."""
        return self.harness.arm_fault(fault if fault is not None else fields, self.tenant)

    def seed(self, document: dict[str, Any] | str | bytes) -> dict[str, Any]:
        return self.harness.seed(document, self.tenant)

    def advance_clock(self, seconds: float) -> float:
        """Move the world's manual clock (shared by every tenant) forward, e.g. past a code's 30 s."""
        return self.harness.advance_clock(seconds)

    def reset(self) -> None:
        """Forget this tenant's state, faults and journal; start again from the standard world."""
        self.harness.reset(self.tenant)
        self.harness.seed_demo(self.tenant)

    def clear_journal(self) -> None:
        self.harness.clear_journal(self.tenant)

    # -- what was requested ------------------------------------------------------------------------------------
    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        """This tenant's journal entries (redacted), oldest first; filters: vendor, operation, since."""
        self.harness.world.wait_idle(self.tenant, IDLE_TIMEOUT_SECONDS)
        return self.harness.journal(tenant=self.tenant, **filters)

    @property
    def calls(self) -> list[str]:
        """`vendor.operationId` of every request, in the order the fakes saw them."""
        return [call_name(e) for e in self.journal()]

    def assert_called(self, operation: str, times: int | None = None) -> None:
        """At least once, or exactly `times` times: `assert_called("telnyx.registerTechProvider", times=1)`."""
        __tracebackhide__ = True
        _check_operation_name(operation)
        entries = self.journal()
        count = sum(1 for e in entries if call_name(e) == operation)
        if (times is None and count == 0) or (times is not None and count != times):
            wanted = "at least once" if times is None else f"{times} time{'s' * (times != 1)}"
            raise AssertionError(
                f"expected {operation} to be called {wanted}, but it was called {count} "
                f"time{'s' * (count != 1)}.\nCalls the fakes saw (tenant {self.tenant!r}):\n{describe_calls(entries)}"
            )

    def assert_not_called(self, operation: str) -> None:
        __tracebackhide__ = True
        _check_operation_name(operation)
        entries = self.journal()
        count = sum(1 for e in entries if call_name(e) == operation)
        if count:
            raise AssertionError(
                f"expected {operation} not to be called, but it was called {count} time{'s' * (count != 1)}."
                f"\nCalls the fakes saw (tenant {self.tenant!r}):\n{describe_calls(entries)}"
            )

    def assert_call_order(self, operations: Sequence[str], strict: bool = False) -> None:
        """The operations were called in this order (other calls may come between them, unless `strict`, when
        the calls must be exactly these)."""
        __tracebackhide__ = True
        for operation in operations:
            _check_operation_name(operation)
        entries = self.journal()
        seen = [call_name(e) for e in entries]
        if strict:
            ok = list(operations) == seen
        else:
            remaining = iter(seen)
            ok = all(any(call == wanted for call in remaining) for wanted in operations)
        if not ok:
            how = "exactly" if strict else "in this order"
            raise AssertionError(
                f"expected the calls {how}: {', '.join(operations) or '(none)'}.\n"
                f"Calls the fakes saw (tenant {self.tenant!r}):\n{describe_calls(entries)}"
            )

    def problems(self) -> list[Problem]:
        """Unknown routes and spec violations recorded so far, minus those the armed scenario expects."""
        found = problems_in(self.journal())
        scenario = self._state.scenario
        expected = set(scenario.scenario.expect.get("violations", [])) if scenario else set()
        return [p for p in found if not (p.kind == "request" and f"{p.call}: {p.rule}" in expected)]

    def check(self) -> None:
        """Raise now for what `problems()` lists (teardown does it anyway unless the test opts out)."""
        __tracebackhide__ = True
        found = self.problems()
        if found:
            raise AssertionError(_problems_message(found, self.tenant))


def _problems_message(found: Sequence[Problem], tenant: str) -> str:
    lines = [f"the signup harness fakes recorded {len(found)} problem(s) in this test (tenant {tenant!r}):"]
    lines += [f"  - [{p.kind}] {p}" for p in found]
    lines.append(
        f"Fix the requests (or the fake), or mark the test @pytest.mark.{ALLOW_MARKER}"
        f"({', '.join(repr(k) for k in sorted({p.kind for p in found}))}) if they are intended."
    )
    return "\n".join(lines)


def _check_operation_name(operation: str) -> None:
    """A typo in an operation name must not read as "not called": name the known operations instead."""
    known = known_operations()
    if operation not in known:
        close = difflib.get_close_matches(operation, sorted(known), n=3)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        raise ValueError(
            f"unknown operation {operation!r}: use 'vendor.operationId' as in specs/ "
            f"(e.g. telnyx.registerTechProvider, graph.exchangeCode).{hint}"
        )


def known_operations() -> set[str]:
    from fakes.harness import compiled_spec

    return {f"{vendor}.{op}" for vendor in ("graph", "telnyx") for op in compiled_spec(vendor).operations} | {
        f"{vendor} (unknown route)" for vendor in ("graph", "telnyx")
    }


# --- scenarios ------------------------------------------------------------------------------------------------


@dataclass
class ArmedScenario:
    """A catalogue scenario armed on the test's tenant, with its signup popup already played."""

    scenario: Scenario
    credentials: Credentials
    signup: dict[str, Any]  # code, event, login_response, business_id, waba_id, phone_number_id
    fakes: SignupFakes

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def code(self) -> str | None:
        return self.signup.get("code")

    @property
    def event(self) -> dict[str, Any] | None:
        return self.signup.get("event")

    @property
    def customer_id(self) -> str | None:
        return self.scenario.client.get("customer_id")

    @property
    def expect(self) -> dict[str, Any]:
        return self.scenario.expect

    @property
    def outcome(self) -> SignupOutcome:
        """What the browser hands the backend, ready for `OnboardingClient.onboard`."""
        from harness.client import SignupOutcome

        return SignupOutcome.from_browser(code=self.code, event=self.event)

    def client_config(self, **overrides: Any) -> ClientConfig:
        """The scenario's backend configuration (its credentials, retry, redirect_uri...) on the in-process URLs;
        `signup_server.client_config()` gives the same over sockets."""
        return self.fakes.client_config(**overrides)

    def onboard(self, **overrides: Any) -> OnboardingResult:
        """Run the reference client on the played signup (raises its `OnboardingError` when the scenario fails)."""
        with self.fakes.onboarding_client(**overrides) as client:
            return client.onboard(self.outcome, customer_id=self.customer_id)


def _arm(fakes: SignupFakes, scenario_id: str) -> ArmedScenario:
    """What the runner does before driving a backend: arm, play the popup, pre-register, clear the journal."""
    from fakes.core.errors import HarnessError
    from harness.arming import arm, preregister
    from harness.scenarios import find

    try:
        scenario = find(scenario_id)
    except HarnessError as exc:  # one line naming the mistake, not a traceback through the plugin
        pytest.fail(f"@pytest.mark.{SCENARIO_MARKER}({scenario_id!r}): {exc}", pytrace=False)
    harness, tenant = fakes.harness, fakes.tenant
    credentials = arm(harness, scenario, tenant)
    plan = dict(harness.world.tenant(tenant).signup_plan or {})
    signup = harness.complete_signup(tenant, **plan)
    preregister(harness, scenario, signup, tenant)
    harness.clear_journal(tenant)
    return ArmedScenario(scenario, credentials, signup, fakes)


# --- fixtures -------------------------------------------------------------------------------------------------


@dataclass
class _TestState:
    scenario: ArmedScenario | None = None
    sessions: list[Any] = field(default_factory=list)


def _tenant_name(node_name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", node_name).strip("-")[:40] or "test"
    return f"t{next(_tenant_numbers)}-{slug}"


def _allowed_kinds(node: pytest.Item) -> set[str]:
    marker = node.get_closest_marker(ALLOW_MARKER)
    if marker is None:
        return set()
    kinds = set(marker.args) or set(PROBLEM_KINDS)
    unknown = kinds - set(PROBLEM_KINDS)
    if unknown:
        raise pytest.UsageError(
            f"@pytest.mark.{ALLOW_MARKER}: unknown kind(s) {', '.join(sorted(unknown))}; use {', '.join(PROBLEM_KINDS)}"
        )
    return kinds


@pytest.fixture(scope="session")
def signup_harness_seed() -> str | int:
    """The world seed of the session's harness (override this fixture to change it)."""
    return 0


@pytest.fixture(scope="session")
def make_signup_harness(signup_harness_seed: str | int) -> Iterator[Harness]:
    """The session's `Harness` (manual clock, responses checked against the specs). Tests get a tenant of it
    through `signup_harness`; use this one directly only for what spans tests."""
    from fakes.harness import Harness

    yield Harness(seed=signup_harness_seed, check_responses=True, journal_limit=20_000)


@pytest.fixture(scope="session")
def make_signup_server(make_signup_harness: Harness) -> Iterator[Server]:
    """The session's harness served on two free loopback ports; yielded once both fakes answer /__admin/ready."""
    server = make_signup_harness.serve(graph_port=0, telnyx_port=0)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture
def signup_harness(make_signup_harness: Harness, request: pytest.FixtureRequest) -> Iterator[SignupFakes]:
    """A fresh tenant of the session's harness, seeded with the standard world, reached in-process.

    At teardown, unknown routes and spec violations the fakes recorded fail the test, unless it is marked
    `@pytest.mark.signup_allow_violations(...)`; then the tenant is dropped."""
    from fakes.harness import INPROCESS_GRAPH_URL, INPROCESS_TELNYX_URL

    harness = make_signup_harness
    allowed = _allowed_kinds(request.node)
    tenant = _tenant_name(request.node.name)
    state = _TestState()
    fakes = SignupFakes(
        harness, tenant, INPROCESS_GRAPH_URL, INPROCESS_TELNYX_URL.removesuffix("/v2"), "inprocess", state
    )
    marker = request.node.get_closest_marker(SCENARIO_MARKER)
    try:
        harness.reset(tenant)
        harness.seed_demo(tenant)
        if marker is not None:
            if len(marker.args) != 1 or not isinstance(marker.args[0], str):
                raise pytest.UsageError(
                    f"@pytest.mark.{SCENARIO_MARKER} takes one scenario id, e.g. 'telnyx-revoked-key'"
                )
            state.scenario = _arm(fakes, marker.args[0])
        yield fakes
        found = [p for p in fakes.problems() if p.kind not in allowed]
    finally:
        for session in state.sessions:
            session.close()
        harness.reset(tenant)
    if found:
        pytest.fail(_problems_message(found, tenant), pytrace=False)


@pytest.fixture
def signup_server(signup_harness: SignupFakes, make_signup_server: Server) -> SignupFakes:
    """The test's tenant (the same as `signup_harness`'s) over real sockets on 127.0.0.1."""
    return SignupFakes(
        signup_harness.harness,
        signup_harness.tenant,
        make_signup_server.graph_url,
        make_signup_server.url("telnyx"),
        "socket",
        signup_harness._state,
    )


@pytest.fixture
def signup_session(signup_harness: SignupFakes) -> requests.Session:
    """A requests session wired to the fakes in-process and pinned to the test's tenant; use it with
    `signup_harness.graph_url` / `.telnyx_url`."""
    return signup_harness.session()


@pytest.fixture
def signup_scenario(signup_harness: SignupFakes, request: pytest.FixtureRequest) -> ArmedScenario:
    """The scenario armed by `@pytest.mark.signup_scenario("<id>")`: `.signup` (code, event, ids), `.outcome`,
    `.credentials`, `.client_config()`, `.onboard()`."""
    scenario = signup_harness.scenario
    if scenario is None:
        raise pytest.UsageError(
            f"the signup_scenario fixture needs @pytest.mark.{SCENARIO_MARKER}('<scenario id>') on {request.node.name}"
        )
    return scenario


@pytest.fixture(autouse=True)
def _signup_scenario_marker(request: pytest.FixtureRequest) -> None:
    """A test marked with a scenario gets its tenant armed even when it asks for no harness fixture."""
    if request.node.get_closest_marker(SCENARIO_MARKER) is not None:
        request.getfixturevalue("signup_harness")
