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

This module is the pytest11 entry point and the one pytest registers: it holds the fixtures, imports the hook
(`pytest_configure`, markers.py), and re-exports the public names of its parts. The parts: markers.py (the two
markers, their registration), problems.py (journal entries as calls and problems, the failure texts),
handle.py (`SignupFakes`, the per-test handle), scenario.py (`ArmedScenario`, arming a scenario on a tenant).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from .handle import (
    DEFAULT_CLIENT_TIMEOUT,
    DEMO_CODE,
    DEMO_PHONE_NUMBER_ID,
    DEMO_WABA_ID,
    IDLE_TIMEOUT_SECONDS,
    TENANT_HEADER,
    HandleState,
    SignupFakes,
)
from .markers import ALLOW_MARKER, PROBLEM_KINDS, SCENARIO_MARKER, pytest_configure
from .problems import Problem, call_name, describe_calls, known_operations, problems_in, problems_message
from .scenario import ArmedScenario, arm_scenario

if TYPE_CHECKING:
    import requests

    from fakes.harness import Harness, Server

__all__ = [
    # the hook (imported: pytest finds it by its name in this module) and the fixtures (defined below)
    "pytest_configure",
    "signup_harness_seed",
    "make_signup_harness",
    "make_signup_server",
    "signup_harness",
    "signup_server",
    "signup_session",
    "signup_scenario",
    # markers
    "SCENARIO_MARKER",
    "ALLOW_MARKER",
    "PROBLEM_KINDS",
    # what the fakes recorded
    "Problem",
    "call_name",
    "problems_in",
    "describe_calls",
    "known_operations",
    # the per-test handle
    "SignupFakes",
    "TENANT_HEADER",
    "IDLE_TIMEOUT_SECONDS",
    "DEFAULT_CLIENT_TIMEOUT",
    "DEMO_WABA_ID",
    "DEMO_PHONE_NUMBER_ID",
    "DEMO_CODE",
    # scenarios
    "ArmedScenario",
]

_tenant_numbers = itertools.count(1)


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
    state = HandleState()
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
            state.scenario = arm_scenario(fakes, marker.args[0])
        yield fakes
        found = [p for p in fakes.problems() if p.kind not in allowed]
    finally:
        for session in state.sessions:
            session.close()
        harness.reset(tenant)
    if found:
        pytest.fail(problems_message(found, tenant), pytrace=False)


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
