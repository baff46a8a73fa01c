"""The per-test handle, `SignupFakes`: one test's tenant of the session's harness, with its base URLs, the
standard credentials and ids, the reference client configured for it, the control plane scoped to it, and the
assertions over what it was sent. `HandleState` is what the in-process and socket handles of one test share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fakes.core.wsgi_environ import TENANT_HEADER

from .problems import Problem, call_name, check_operation_name, describe_calls, problems_in, problems_message

if TYPE_CHECKING:
    import requests

    from fakes.core.faults import Fault
    from fakes.core.world import Tenant
    from fakes.harness import Harness
    from harness.client import ClientConfig, OnboardingClient

    from .scenario import ArmedScenario

IDLE_TIMEOUT_SECONDS = 5.0
DEFAULT_CLIENT_TIMEOUT = 5.0

# The standard world (fakes/data/demo_world.yaml) every test tenant starts with; every value is fake.
DEMO_WABA_ID = "300000000000001"
DEMO_PHONE_NUMBER_ID = "400000000000001"
DEMO_CODE = "AQDEMO-seeded-code-0001"


@dataclass
class HandleState:
    """What the handles of one test (`signup_harness`, `signup_server`) share: the armed scenario, the sessions
    to close at teardown."""

    scenario: ArmedScenario | None = None
    sessions: list[Any] = field(default_factory=list)


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
        state: HandleState,
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
        check_operation_name(operation)
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
        check_operation_name(operation)
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
            check_operation_name(operation)
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
            raise AssertionError(problems_message(found, self.tenant))
