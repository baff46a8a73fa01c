"""Both fakes against their specs with schemathesis: every operation, positive and negative data, every built-in
check plus the vendor invariants below; then stateful runs along the specs' OpenAPI links.

The fakes run in-process (schemathesis's WSGI transport) over a *contract world*: the standard demo world plus
every id the specs use as an example (app, WABA, phone number, code, tokens, Telnyx registration), so the
examples and coverage phases reach the success paths, and valid credentials (the Telnyx bearer key, a Graph
token) so positive cases get past authentication into the vendor rules. Negative and auth checks still see
401s: schemathesis strips or garbles the credentials itself.

One harness per vendor for the module (the Flask apps are built once); every test resets its world to the
contract world first. The schemas are loaded at import (schemathesis's lazy `from_fixture` loader does not
run on pytest 9).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import schemathesis

from fakes.core.pipeline import VIOLATIONS_HEADER
from fakes.core.resources import spec_path
from fakes.harness import Harness
from fakes.telnyx.errors import TITLES as TELNYX_TITLES

# --- the contract world -------------------------------------------------------------------------------------

APP_ID = "100000000000001"  # the demo world's app, linked to Telnyx
APP_SECRET = "local-app-secret-not-real"
TELNYX_KEY = "KEYLOCALTEST0001_notarealtelnyxkey"
DEMO_WABA = "300000000000001"
DEMO_PHONE = "400000000000001"
# The ids the specs use in their examples (specs/*.yaml), made real in the contract world.
EXAMPLE_APP_ID = "236484624622562"
EXAMPLE_APP_SECRET = "5c1f0e2d9a8b7c6d5e4f3a2b1c0d9e8f"
EXAMPLE_CODE = "AQDx7Rk2pL9vQe4Ws1NhZc3bTy8Ua5Mf0Gj6Ko2Pi7Ld"
EXAMPLE_TOKEN = "EAAGm0PX4ZCpsBO3qT8ZBvLw2mN7cR5kY1hJ9dF6gS4aE0uI"
EXAMPLE_WABA = "104996122399160"
EXAMPLE_PHONE = "113362588047543"
EXAMPLE_TELNYX_WABA_ID = "019c1ff0-5c30-7f36-8436-730b1d0b0e56"
# Fields of the Graph nodes with a `fields` parameter (fakes/graph/node_fields.py; getNode is aimed at the example
# WABA), id last, as clients rarely ask it.
NODE_FIELDS = {
    "getNode": (
        "name",
        "currency",
        "timezone_id",
        "message_template_namespace",
        "account_review_status",
        "business_verification_status",
        "country",
        "ownership_type",
        "id",
    ),
    "listWabaPhoneNumbers": (
        "display_phone_number",
        "verified_name",
        "code_verification_status",
        "quality_rating",
        "platform_type",
        "status",
        "throughput",
        "id",
    ),
}
# The Graph token schemathesis authenticates with: granted both WABAs, issued to the demo app.
GRAPH_TOKEN = "EAAcontractTOKEN0001notreal"

CONTRACT_SEED: dict[str, Any] = {
    "apps": [{"id": EXAMPLE_APP_ID, "secret": EXAMPLE_APP_SECRET, "name": "Example Tech Provider"}],
    "wabas": [
        {
            "id": EXAMPLE_WABA,
            "name": "Example WhatsApp",
            "shared_with": [APP_ID, EXAMPLE_APP_ID],
            # Three numbers, so `limit` < count pages with cursors and absolute next/previous URLs.
            "phone_numbers": [
                {"id": EXAMPLE_PHONE, "phone_number": "+15550100042", "verified_name": "Example"},
                {"id": "113362588047544", "phone_number": "+15550100043", "verified_name": "Example"},
                {"id": "113362588047545", "phone_number": "+15550100044", "verified_name": "Example"},
            ],
        }
    ],
    "codes": [{"value": EXAMPLE_CODE, "app_id": EXAMPLE_APP_ID, "wabas": [EXAMPLE_WABA], "ttl_seconds": 86400}],
    "tokens": [
        {"value": GRAPH_TOKEN, "app_id": APP_ID, "wabas": [EXAMPLE_WABA, DEMO_WABA]},
        {"value": EXAMPLE_TOKEN, "app_id": APP_ID, "wabas": [EXAMPLE_WABA]},
    ],
    # Registered already: the demo WABA (named by the spec's example Telnyx id, see seed_contract_world), so
    # the example registration of the spec's example WABA succeeds.
    "telnyx": {"registrations": [{"waba_id": DEMO_WABA, "phone_number_id": DEMO_PHONE, "app_id": APP_ID}]},
}


def seed_contract_world(h: Harness) -> Harness:
    """Reset the harness's default tenant to the contract world."""
    h.reset()
    h.seed_demo()
    h.seed(CONTRACT_SEED)
    # The spec's example Telnyx id names the seeded registration, so getWaba's example finds it.
    registrations = h.world.tenant().telnyx.registrations
    (registration,) = registrations.values()
    registrations.clear()
    registration.id = EXAMPLE_TELNYX_WABA_ID
    registrations[registration.id] = registration
    return h


# --- vendor invariants, as schemathesis checks ----------------------------------------------------------------

_TELNYX_CODE = re.compile(r"^[0-9]{5}$")
_TELNYX_DOCS = "https://developers.telnyx.com/docs/overview/errors/{code}"


class ContractFailure(AssertionError):
    """A vendor invariant broken by a fake (reported by schemathesis as a custom check failure)."""


def header(response: Any, name: str) -> str | None:
    """One header of a schemathesis Response (its headers map lower-case names to lists of values)."""
    values = response.headers.get(name.lower())
    if values is None:
        return None
    return values[0] if isinstance(values, list) else str(values)


def _json(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise ContractFailure(
            f"HTTP {response.status_code} error body is not JSON: {response.content[:200]!r}"
        ) from None


@dataclass
class TitleRegistry:
    """Every Telnyx error code seen in the run, with the one title it may have."""

    titles: dict[str, str] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)

    def record(self, code: str, title: str, label: str) -> None:
        known = self.titles.setdefault(code, title)
        self.where.setdefault(code, label)
        if known != title:
            raise ContractFailure(
                f"Telnyx code {code} has two titles in this run: {known!r} (first at {self.where[code]}) "
                f"and {title!r} (at {label})"
            )


def telnyx_envelope(registry: TitleRegistry) -> Callable[..., None]:
    def telnyx_error_envelope(ctx: Any, response: Any, case: Any) -> None:
        """Every Telnyx error is `{"errors": [...]}`: 5-digit string codes, one title per code across the run,
        a string detail, `meta.url` naming the code, at most one of source.pointer / source.parameter. Every
        response carries its request id under both names."""
        if header(response, "x-request-id") != header(response, "request-id"):
            raise ContractFailure("x-request-id and request-id must carry the same request id")
        if response.status_code < 400 or case.method.upper() == "HEAD":
            return
        body = _json(response)
        if not isinstance(body, dict) or set(body) != {"errors"}:
            raise ContractFailure(f"HTTP {response.status_code} body is not the Telnyx envelope: {body!r}")
        items = body["errors"]
        if not isinstance(items, list) or not items:
            raise ContractFailure(f"`errors` must be a non-empty list: {body!r}")
        for item in items:
            code = item.get("code") if isinstance(item, dict) else None
            if not isinstance(code, str) or not _TELNYX_CODE.match(code):
                raise ContractFailure(f"Telnyx error code must be a 5-digit string, got {code!r} in {item!r}")
            title, detail = item.get("title"), item.get("detail")
            if not isinstance(title, str) or not title or not isinstance(detail, str):
                raise ContractFailure(f"Telnyx error {code} needs a title and a detail: {item!r}")
            if TELNYX_TITLES.get(code) != title:
                raise ContractFailure(
                    f"Telnyx code {code} has title {title!r}; the catalogue says {TELNYX_TITLES.get(code)!r}"
                )
            registry.record(code, title, f"{case.method.upper()} {case.path} -> {response.status_code}")
            if (item.get("meta") or {}).get("url") != _TELNYX_DOCS.format(code=code):
                raise ContractFailure(f"Telnyx error {code} meta.url must point at its documentation: {item!r}")
            source = item.get("source")
            if source is not None and (not isinstance(source, dict) or len(source) != 1):
                raise ContractFailure(f"Telnyx error {code} source must name one pointer or parameter: {item!r}")

    return telnyx_error_envelope


def graph_error_envelope(ctx: Any, response: Any, case: Any) -> None:
    """Every Graph error is `{"error": {message, type, code, fbtrace_id, ...}}` and the x-fb-trace-id header
    equals `fbtrace_id`."""
    if response.status_code < 400 or case.method.upper() == "HEAD":
        return
    body = _json(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or set(body) != {"error"}:
        raise ContractFailure(f"HTTP {response.status_code} body is not the Graph envelope: {body!r}")
    if not isinstance(error.get("message"), str) or not isinstance(error.get("type"), str):
        raise ContractFailure(f"Graph error needs a string message and type: {error!r}")
    if not isinstance(error.get("code"), int) or isinstance(error.get("code"), bool):
        raise ContractFailure(f"Graph error code must be an integer: {error!r}")
    if "error_subcode" in error and not isinstance(error["error_subcode"], int):
        raise ContractFailure(f"Graph error_subcode must be an integer: {error!r}")
    trace = error.get("fbtrace_id")
    if not isinstance(trace, str) or not trace:
        raise ContractFailure(f"Graph error needs an fbtrace_id: {error!r}")
    if header(response, "x-fb-trace-id") != trace:
        raise ContractFailure(
            f"x-fb-trace-id header {header(response, 'x-fb-trace-id')!r} differs from error.fbtrace_id {trace!r}"
        )


def declared_methods(case: Any) -> set[str]:
    return {m.upper() for m in case.operation.schema[case.operation.path] if m.lower() != "parameters"}


def graph_rejects_undeclared_methods(ctx: Any, response: Any, case: Any) -> None:
    """Graph never answers 405: a method its path does not serve is a 400 code 100 (`unsupported_method`, which
    expects 405 + Allow, is off for Graph and this check stands in for it)."""
    method = response.request.method.upper()
    if method in declared_methods(case) or (method == "HEAD" and "GET" in declared_methods(case)):
        return
    code = (_json(response).get("error") or {}).get("code")
    if (response.status_code, code) != (400, 100):
        raise ContractFailure(
            f"{method} {case.path}: expected HTTP 400 code 100, got HTTP {response.status_code} code {code}"
        )


def positive_data_passes_fake_validation(ctx: Any, response: Any, case: Any) -> None:
    """A request schemathesis generated as valid must pass the fake's own request validator (the two readings
    of the spec agree)."""
    meta = case.meta
    if meta is None or meta.generation.mode != schemathesis.GenerationMode.POSITIVE:
        return
    if response.request.method.upper() not in declared_methods(case):
        return  # an undeclared-method probe, not a request of this operation
    violations = header(response, VIOLATIONS_HEADER)
    if violations:
        raise ContractFailure(f"the fake rejected a schema-valid request: {violations}")


# --- one vendor under contract ----------------------------------------------------------------------------------

# Graph's documented departures from what two generic checks assume (docs/contract-testing.md):
# - Graph never answers 405: an undeclared method is a 400 code 100 (checked by graph_error_envelope instead).
# - A request without a token is 400 code 104 and a bad caller token on debug_token is 400 code 190, not 401/403;
#   `auth_is_enforced` replaces `ignored_auth` with those statuses.
# - Graph's business errors (unknown object 100/33, used code) are 400, so positive data may get a 400; that a
#   positive request is never rejected *as invalid* is `positive_data_passes_fake_validation`.
GRAPH_CONFIG: dict[str, Any] = {
    "auth": {"openapi": {"bearerAuth": {"bearer": GRAPH_TOKEN}}},
    "checks": {
        "unsupported_method": {"enabled": False},
        "ignored_auth": {"enabled": False},
        "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "5xx"]},
    },
}
# Telnyx: every built-in check as is, except that its documented business rules answer positive data with 422
# 10017 (an id Meta does not know) as well as 403/404/409.
TELNYX_CONFIG: dict[str, Any] = {
    "auth": {"openapi": {"bearerAuth": {"bearer": TELNYX_KEY}}},
    "checks": {
        "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429", "5xx"]},
    },
}


class Contract:
    """One fake under contract: its harness, its schemathesis schema and the vendor checks."""

    def __init__(self, vendor: str, harness: Harness, schema: Any, registry: TitleRegistry) -> None:
        self.vendor = vendor
        self.harness = harness
        self.schema = schema
        self.session = harness.session()
        self._seq = 0
        vendor_checks = (
            [graph_error_envelope, graph_rejects_undeclared_methods]
            if vendor == "graph"
            else [telnyx_envelope(registry)]
        )
        self.checks: list[Callable[..., Any]] = [
            *vendor_checks,
            positive_data_passes_fake_validation,
            self.auth_is_enforced,
            self.fake_found_no_response_violation,
        ]

    # -- inputs --------------------------------------------------------------------------------------------------
    def prepare(self, case: Any) -> None:
        """Aim about half of the positive cases at the contract world, so the success paths are exercised with
        generated values everywhere else: ids in the path (and a registration's ids) name objects that exist,
        and a code exchange gets a fresh code with the app's credentials (a code works once, so the spec's
        example code can succeed only once). Which half is a function of the generated case, so a replayed
        example does the same."""
        meta = case.meta
        if meta is None or meta.generation.mode != schemathesis.GenerationMode.POSITIVE:
            return
        if zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode()) % 2:
            return
        operation = case.operation.definition.raw.get("operationId")
        if self.vendor == "graph" and operation in ("exchangeCode", "exchangeCodeUnversioned"):
            code = self.harness.complete_signup(app_id=APP_ID)["code"]
            case.query = {"client_id": APP_ID, "client_secret": APP_SECRET, "code": code}
        if self.vendor == "telnyx" and operation == "registerTechProvider" and isinstance(case.body, dict):
            case.body = {**case.body, "waba_id": EXAMPLE_WABA, "phone_number_id": EXAMPLE_PHONE, "app_id": APP_ID}
        if self.vendor == "graph" and case.query and "fields" in case.query:
            # Node fields are free text in the spec; ask for a generated selection of the node's real fields.
            known = NODE_FIELDS.get(operation, ())
            picked = [name for i, name in enumerate(known) if zlib.crc32(repr(case.query).encode()) >> i & 1]
            case.query = {**case.query, "fields": ",".join(picked)}
        aim = {
            "waba_id": EXAMPLE_WABA,
            "node_id": EXAMPLE_WABA,
            "phone_number_id": EXAMPLE_PHONE,
            "id": EXAMPLE_TELNYX_WABA_ID,
        }
        if case.path_parameters:
            case.path_parameters = {name: aim.get(name, value) for name, value in case.path_parameters.items()}

    # -- checks that need the fake ---------------------------------------------------------------------------------
    def fake_found_no_response_violation(self, ctx: Any, response: Any, case: Any) -> None:
        """The fake's own response check (check_responses=True) agrees: no journalled response broke the spec."""
        entries = self.harness.world.journal.entries(since=self._seq)
        if entries:
            self._seq = entries[-1].seq
        for entry in entries:
            if entry.response_violations:
                raise ContractFailure(
                    f"the fake's own response check failed for {entry.vendor}.{entry.operation} "
                    f"{entry.method} {entry.path} -> {entry.status}: {entry.response_violations}"
                )

    def auth_is_enforced(self, ctx: Any, response: Any, case: Any) -> None:
        """Like `ignored_auth`, with each vendor's documented answers: a 2xx of a secured operation becomes
        Telnyx 401 10009 without the key or with a wrong one; Graph 400 code 104 without a token, 401 code 190
        with a bad one on a WhatsApp node, 400 code 190 with a bad caller token on debug_token."""
        security = case.operation.definition.raw.get("security", self.schema.raw_schema.get("security", []))
        request = response.request
        if not (200 <= response.status_code < 300) or not security or request.method != case.operation.method.upper():
            return  # (a HEAD answered by the GET view is probed through the GET case)
        url = urlsplit(request.url)
        query = [(k, v) for k, v in parse_qsl(url.query, keep_blank_values=True) if k != "access_token"]
        path = url.path + (f"?{urlencode(query)}" if query else "")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("authorization", "content-length")}
        body = request.body
        if isinstance(body, bytes) and b"access_token=" in body:  # a form body may carry Graph's token too
            body = urlencode([(k, v) for k, v in parse_qsl(body.decode()) if k != "access_token"]).encode()
        root = self.harness.graph_url if self.vendor == "graph" else self.harness.telnyx_url.removesuffix("/v2")
        operation = case.operation.definition.raw.get("operationId")
        for credential in (None, "EAAbogus" if self.vendor == "graph" else "KEYbogus_notarealkey"):
            sent = dict(headers)
            if credential:
                sent["Authorization"] = f"Bearer {credential}"
            probe = self.session.request(request.method, root + path, headers=sent, data=body)
            if self.vendor == "telnyx":
                expected = (401, "10009")
                got = (probe.status_code, (probe.json().get("errors") or [{}])[0].get("code"))
            else:
                debug = operation in ("debugToken", "debugTokenUnversioned")
                expected = (400, 104) if credential is None else ((400, 190) if debug else (401, 190))
                got = (probe.status_code, (probe.json().get("error") or {}).get("code"))
            if got != expected:
                what = "no credential" if credential is None else "a bad credential"
                raise ContractFailure(
                    f"{what} on {request.method} {path}: expected HTTP {expected[0]} code {expected[1]}, "
                    f"got HTTP {got[0]} code {got[1]}: {probe.text[:300]}"
                )

    # -- running -----------------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the contract world: every example starts from the same state, so a replay is faithful."""
        seed_contract_world(self.harness)

    def call_and_validate(self, case: Any) -> Any:
        self.reset()
        self.prepare(case)
        return case.call_and_validate(additional_checks=self.checks)

    def state_machine(self) -> type:
        """The schema's OpenAPI-links state machine, running this contract's inputs and checks."""
        contract = self
        base = self.schema.as_state_machine()

        class ContractStateMachine(base):  # type: ignore[misc, valid-type]
            def setup(self) -> None:
                contract.reset()

            def before_call(self, case: Any) -> None:
                contract.prepare(case)

            def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any):
                return super().validate_response(response, case, additional_checks=contract.checks, **kwargs)

        return ContractStateMachine


TITLES = TitleRegistry()  # Telnyx code -> title across every Telnyx test of the run
HARNESSES = {
    vendor: Harness(seed="contract", check_responses=True, journal_limit=500) for vendor in ("graph", "telnyx")
}
SCHEMAS = {}
for _vendor, _config in (("graph", GRAPH_CONFIG), ("telnyx", TELNYX_CONFIG)):
    SCHEMAS[_vendor] = schemathesis.openapi.from_path(spec_path(_vendor), config=schemathesis.Config.from_dict(_config))
    SCHEMAS[_vendor].app = getattr(HARNESSES[_vendor], f"{_vendor}_app")
telnyx = SCHEMAS["telnyx"]
graph = SCHEMAS["graph"]


def make_contract(vendor: str) -> Contract:
    return Contract(vendor, seed_contract_world(HARNESSES[vendor]), SCHEMAS[vendor], TITLES)


@pytest.fixture
def telnyx_contract():
    contract = make_contract("telnyx")
    yield contract
    contract.session.close()


@pytest.fixture
def graph_contract():
    contract = make_contract("graph")
    yield contract
    contract.session.close()


# --- the tests ------------------------------------------------------------------------------------------------


@telnyx.parametrize()
def test_telnyx_fake_conforms(case, telnyx_contract):
    telnyx_contract.call_and_validate(case)


@graph.parametrize()
def test_graph_fake_conforms(case, graph_contract):
    graph_contract.call_and_validate(case)


def test_telnyx_links(telnyx_contract, stateful_settings):
    """registerTechProvider -> listWabas / listPhoneNumbers; listWabas -> getWaba / listWabaPhoneNumbers."""
    telnyx_contract.state_machine().run(settings=stateful_settings)


def test_graph_links(graph_contract, stateful_settings):
    """exchangeCode -> debugToken (the new token as input and caller), versioned and unversioned."""
    graph_contract.state_machine().run(settings=stateful_settings)
