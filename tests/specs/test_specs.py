"""Checks of the two OpenAPI documents in specs/: the contract the fakes are compiled from.

The documents must be valid OpenAPI 3.1, every example in them must match its schema, the operations must be
exactly the ones the fakes route (their endpoint names are the operationIds), and every error response must be
the vendor's own envelope with codes from the catalogue in docs/vendor-contract.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPECS = Path(__file__).resolve().parents[2] / "specs"
DOCS = ("telnyx", "graph")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# operationId -> (method, path). The fakes' Flask endpoint names are these operationIds.
OPERATIONS: dict[str, dict[str, tuple[str, str]]] = {
    "telnyx": {
        "registerTechProvider": ("post", "/v2/whatsapp/business_accounts/tech_provider"),
        "listWabas": ("get", "/v2/whatsapp/business_accounts"),
        "getWaba": ("get", "/v2/whatsapp/business_accounts/{id}"),
        "deleteWaba": ("delete", "/v2/whatsapp/business_accounts/{id}"),
        "listWabaPhoneNumbers": ("get", "/v2/whatsapp/business_accounts/{id}/phone_numbers"),
        "listPhoneNumbers": ("get", "/v2/whatsapp/phone_numbers"),
    },
    "graph": {
        "exchangeCode": ("get", "/{version}/oauth/access_token"),
        "exchangeCodeUnversioned": ("get", "/oauth/access_token"),
        "debugToken": ("get", "/{version}/debug_token"),
        "debugTokenUnversioned": ("get", "/debug_token"),
        "postAccessToken": ("post", "/{version}/oauth/access_token"),
        "postAccessTokenUnversioned": ("post", "/oauth/access_token"),
        "getMe": ("get", "/{version}/me"),
        "listMyPermissions": ("get", "/{version}/me/permissions"),
        "getNode": ("get", "/{version}/{node_id}"),
        "updatePhoneNumber": ("post", "/{version}/{node_id}"),
        "listWabaPhoneNumbers": ("get", "/{version}/{waba_id}/phone_numbers"),
        "listSubscribedApps": ("get", "/{version}/{waba_id}/subscribed_apps"),
        "subscribeApp": ("post", "/{version}/{waba_id}/subscribed_apps"),
        "unsubscribeApp": ("delete", "/{version}/{waba_id}/subscribed_apps"),
        "registerPhoneNumber": ("post", "/{version}/{phone_number_id}/register"),
        "deregisterPhoneNumber": ("post", "/{version}/{phone_number_id}/deregister"),
        "createAppSubscription": ("post", "/{version}/{app_id}/subscriptions"),
        "listAppSubscriptions": ("get", "/{version}/{app_id}/subscriptions"),
        "deleteAppSubscriptions": ("delete", "/{version}/{app_id}/subscriptions"),
    },
}

# The status codes each operation documents (success first), per docs/vendor-contract.md.
STATUSES: dict[str, dict[str, set[str]]] = {
    "telnyx": {
        "registerTechProvider": {"200", "400", "401", "403", "409", "415", "422", "429", "500", "503"},
        "listWabas": {"200", "401", "422", "429", "500", "503"},
        "getWaba": {"200", "401", "404", "429", "500", "503"},
        "deleteWaba": {"204", "401", "404", "429", "500", "503"},
        "listWabaPhoneNumbers": {"200", "401", "404", "422", "429", "500", "503"},
        "listPhoneNumbers": {"200", "401", "422", "429", "500", "503"},
    },
    "graph": {
        "exchangeCode": {"200", "400", "500", "503"},
        "exchangeCodeUnversioned": {"200", "400", "500", "503"},
        "debugToken": {"200", "400", "500", "503"},
        "debugTokenUnversioned": {"200", "400", "500", "503"},
        "postAccessToken": {"200", "400", "500", "503"},
        "postAccessTokenUnversioned": {"200", "400", "500", "503"},
        "getMe": {"200", "400", "401", "403", "500", "503"},
        "listMyPermissions": {"200", "400", "401", "403", "500", "503"},
        "getNode": {"200", "400", "401", "403", "500", "503"},
        "updatePhoneNumber": {"200", "400", "401", "403", "500", "503"},
        "listWabaPhoneNumbers": {"200", "400", "401", "403", "500", "503"},
        "listSubscribedApps": {"200", "400", "401", "403", "500", "503"},
        "subscribeApp": {"200", "400", "401", "403", "500", "503"},
        "unsubscribeApp": {"200", "400", "401", "403", "500", "503"},
        "registerPhoneNumber": {"200", "400", "401", "403", "500", "503"},
        "deregisterPhoneNumber": {"200", "400", "401", "403", "500", "503"},
        "createAppSubscription": {"200", "400", "500", "503"},
        "listAppSubscriptions": {"200", "400", "500", "503"},
        "deleteAppSubscriptions": {"200", "400", "500", "503"},
    },
}

# Telnyx catalogue: HTTP status -> {code: title}.
TELNYX_CATALOGUE: dict[str, dict[str, str]] = {
    "400": {"10023": "Invalid JSON"},
    "401": {"10009": "Authentication failed"},
    "403": {"10038": "Feature not permitted"},
    "404": {"10005": "Resource not found"},
    "405": {"10030": "Method not allowed"},
    "409": {"10012": "Duplicate resource"},
    "415": {"10029": "Expected JSON Content-Type"},
    "422": {
        "10004": "Missing required parameter",
        "10026": "Invalid parameter type",
        "10015": "Bad Request",
        "10017": "Associated resource does not exist",
    },
    "429": {"10011": "Too many requests"},
    "500": {"10007": "Unexpected error"},
    "503": {"10037": "Service unavailable"},
}
# Which 422 codes belong to which operation: body problems on the POST, query problems on the listings.
TELNYX_422 = {
    "registerTechProvider": {"10004", "10026", "10017"},
    "listWabas": {"10015"},
    "listWabaPhoneNumbers": {"10015"},
    "listPhoneNumbers": {"10015"},
}

# Graph catalogue: HTTP status -> allowed (code, subcode) pairs.
GRAPH_CATALOGUE: dict[str, set[tuple[int, int | None]]] = {
    "400": {
        (1, None),
        (4, None),
        (15, None),
        (100, None),
        (100, 33),
        (100, 36007),
        (100, 36008),
        (100, 36009),
        (101, None),
        (190, None),
        (2200, None),
        (2201, None),
        (2500, None),
        (80007, None),
        (80008, None),
        (133005, None),
        (133006, None),
        (133008, None),
        (133009, None),
        (133015, None),
        (133016, None),
    },
    "401": {(190, None), (190, 458), (190, 460), (190, 463), (190, 467)},
    "403": {(10, None), (200, None)},
    "500": {(1, None), (2, None)},
    "503": {(2, None)},
}
# The (code, subcode) pairs each operation's error examples must cover at least.
GRAPH_REQUIRED: dict[str, dict[str, set[tuple[int, int | None]]]] = {
    "exchangeCode": {
        "400": {(1, None), (100, None), (101, None), (100, 36007), (100, 36008), (100, 36009), (4, None)},
    },
    "debugToken": {"400": {(100, None), (190, None)}},
    "getNode": {
        "400": {(100, 33), (4, None), (80008, None), (2500, None)},
        "401": {(190, None), (190, 458), (190, 460), (190, 463), (190, 467)},
        "403": {(10, None), (200, None)},
    },
    "listWabaPhoneNumbers": {"400": {(100, 33)}, "401": {(190, None)}},
    "listSubscribedApps": {"400": {(100, 33)}, "401": {(190, None)}},
    "subscribeApp": {"400": {(100, 33), (2200, None), (2201, None)}, "401": {(190, None)}},
    "createAppSubscription": {"400": {(15, None), (100, None), (100, 33), (190, None), (2200, None), (2201, None)}},
    "registerPhoneNumber": {
        "400": {
            (100, None),
            (100, 33),
            (133005, None),
            (133006, None),
            (133008, None),
            (133009, None),
            (133015, None),
            (133016, None),
        },
        "401": {(190, None)},
        "403": {(10, None), (200, None)},
    },
}
for _op_id in ("getMe", "listMyPermissions", "updatePhoneNumber", "unsubscribeApp", "deregisterPhoneNumber"):
    GRAPH_REQUIRED[_op_id] = {"401": {(190, None)}}
GRAPH_REQUIRED["exchangeCodeUnversioned"] = GRAPH_REQUIRED["exchangeCode"]
GRAPH_REQUIRED["postAccessToken"] = GRAPH_REQUIRED["postAccessTokenUnversioned"] = GRAPH_REQUIRED["exchangeCode"]
GRAPH_REQUIRED["debugTokenUnversioned"] = GRAPH_REQUIRED["debugToken"]
GRAPH_REQUIRED["listAppSubscriptions"] = GRAPH_REQUIRED["deleteAppSubscriptions"] = {"400": {(15, None)}}
for _op in GRAPH_REQUIRED.values():
    _op.setdefault("500", {(1, None), (2, None)})
    _op.setdefault("503", {(2, None)})

ENVELOPE = {"telnyx": "#/components/schemas/Errors", "graph": "#/components/schemas/GraphError"}
VENDOR_HEADERS = {
    "telnyx": {
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-request-id",
        "request-id",
    },
    "graph": {"x-fb-trace-id", "x-fb-request-id", "facebook-api-version"},
}
SERVERS = {"telnyx": "http://127.0.0.1:8020", "graph": "http://127.0.0.1:8010"}
GRAPH_NODE_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"accessTokenQuery": []}]
GRAPH_UNAUTHENTICATED = {"exchangeCode", "exchangeCodeUnversioned", "postAccessToken", "postAccessTokenUnversioned"}
# Operations whose behaviour the vendor does not document: each must state the harness's choice.
MUST_DECLARE_DEPARTURE = {
    "telnyx": {"registerTechProvider", "listWabas", "getWaba"},
    "graph": {
        "exchangeCode",
        "exchangeCodeUnversioned",
        "debugToken",
        "debugTokenUnversioned",
        "createAppSubscription",
    },
}
MIN_EXAMPLES = 30


# ------------------------------------------------------------------------------------------------------------
# helpers


@cache
def load(name: str) -> dict[str, Any]:
    with (SPECS / f"{name}.yaml").open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    assert isinstance(document, dict)
    return document


def uri(name: str) -> str:
    return f"urn:harness-spec:{name}"


@cache
def registry(name: str) -> Registry:
    resource = Resource.from_contents(load(name), default_specification=DRAFT202012)
    return Registry().with_resource(uri(name), resource)


def pointer(parts: tuple[str, ...], *, for_uri: bool = True) -> str:
    """JSON pointer to parts; percent-encoded when it becomes a URI fragment, readable otherwise."""
    escaped = (p.replace("~", "~0").replace("/", "~1") for p in parts)
    return "".join("/" + (quote(p, safe="") if for_uri else p) for p in escaped)


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and " " not in value


# jsonschema checks "uri" only with an optional package installed; check it here with the standard library.
FORMATS = FormatChecker()
FORMATS.checks("uri")(_is_uri)


def resolve(name: str, node: Any) -> Any:
    """Follow local $refs (a chain of them) to the node they name."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"non-local $ref {ref!r}"
        target: Any = load(name)
        for raw in ref[2:].split("/"):
            target = target[raw.replace("~1", "/").replace("~0", "~")]
        node = target
        seen += 1
        assert seen < 20, f"$ref loop at {ref}"
    return node


def operations(name: str) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(path, method, path item, operation) for every operation of a document."""
    for path, item in load(name)["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item, item[method]


def by_operation_id(name: str) -> dict[str, dict[str, Any]]:
    return {op["operationId"]: op for _, _, _, op in operations(name)}


def parameters(item: dict[str, Any], op: dict[str, Any]) -> list[dict[str, Any]]:
    return [*item.get("parameters", []), *op.get("parameters", [])]


@dataclass(frozen=True)
class Example:
    where: str  # JSON pointer of the example, for messages
    schema_at: tuple[str, ...]  # path to the schema the example must match
    value: Any


def collect_examples(name: str) -> list[Example]:
    """Every example in the document, found by walking it.

    A node with a `schema` (parameter, header, media type) contributes its `example` and each
    `examples[*].value`; a schema contributes each item of its `examples` list (and a legacy `example`).
    Example payloads themselves and name maps such as `properties` (whose keys are field names, not
    keywords) are not searched for keywords.
    """
    found: list[Example] = []

    def walk(node: Any, path: tuple[str, ...], parent_key: str | None) -> None:
        if isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, (*path, str(index)), None)
            return
        if not isinstance(node, dict):
            return
        if parent_key in (
            "properties",
            "patternProperties",
            "$defs",
            "headers",
            "schemas",
            "responses",
            "parameters",
            "paths",
            "links",
            "securitySchemes",
            "content",
            "examples",
        ):
            # a map of names -> objects: descend without reading keywords here
            for key, child in node.items():
                walk(child, (*path, key), None)
            return
        here = pointer(path, for_uri=False)
        if isinstance(node.get("schema"), dict):
            target = (*path, "schema")
            if "example" in node:
                found.append(Example(f"{here}/example", target, node["example"]))
            for key, ex in (node.get("examples") or {}).items():
                ex = resolve(name, ex)
                if "value" in ex:
                    found.append(Example(f"{here}/examples/{key}", target, ex["value"]))
        elif isinstance(node.get("examples"), list):
            for index, value in enumerate(node["examples"]):
                found.append(Example(f"{here}/examples/{index}", path, value))
        elif "example" in node and parent_key not in ("value",):
            found.append(Example(f"{here}/example", path, node["example"]))
        for key, child in node.items():
            if key in ("example", "value", "default", "const", "enum"):
                continue  # payloads, not document structure
            if key == "examples" and isinstance(child, list):
                continue
            walk(child, (*path, key), key)

    walk(load(name), (), None)
    return found


def example_bodies(name: str, response: dict[str, Any]) -> list[tuple[str, Any]]:
    media = response.get("content", {}).get("application/json", {})
    bodies = []
    if "example" in media:
        bodies.append(("example", media["example"]))
    for key, ex in media.get("examples", {}).items():
        bodies.append((key, resolve(name, ex)["value"]))
    return bodies


# ------------------------------------------------------------------------------------------------------------
# the documents as a whole


@pytest.mark.parametrize("name", DOCS)
def test_document_is_valid_openapi_3_1(name: str) -> None:
    document = load(name)
    assert document["openapi"] == "3.1.0"
    validate(document, cls=OpenAPIV31SpecValidator)


@pytest.mark.parametrize("name", DOCS)
def test_servers_are_the_harness_defaults(name: str) -> None:
    servers = load(name)["servers"]
    assert [s["url"] for s in servers] == [SERVERS[name]]
    real = {"telnyx": "https://api.telnyx.com", "graph": "https://graph.facebook.com"}[name]
    assert real in servers[0]["description"]
    assert "/_t/" in load(name)["info"]["description"], "info.description must explain the tenant prefix"


@pytest.mark.parametrize("name", DOCS)
def test_refs_are_local_and_resolve(name: str) -> None:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                resolve(name, node)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(load(name))


@pytest.mark.parametrize("name", DOCS)
def test_schemas_use_json_schema_2020_12_nullability(name: str) -> None:
    text = (SPECS / f"{name}.yaml").read_text(encoding="utf-8")
    assert "nullable:" not in text, "use type: [T, 'null'], not nullable"
    for schema in load(name)["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)  # each one is a valid 2020-12 schema on its own


# ------------------------------------------------------------------------------------------------------------
# examples


@pytest.mark.parametrize("name", DOCS)
def test_every_example_matches_its_schema(name: str) -> None:
    examples = collect_examples(name)
    assert len(examples) >= MIN_EXAMPLES, f"only {len(examples)} examples found: is the walker still working?"
    failures = []
    for example in examples:
        validator = Draft202012Validator(
            {"$ref": uri(name) + "#" + pointer(example.schema_at)},
            registry=registry(name),
            format_checker=FORMATS,
        )
        for error in validator.iter_errors(example.value):
            failures.append(f"{example.where}: {error.message} at {list(error.absolute_path)}")
    assert not failures, "\n".join(failures)


def test_the_example_walker_sees_every_kind_of_example() -> None:
    wheres = [e.where for e in collect_examples("telnyx")]
    assert any("/parameters/" in w for w in wheres)  # parameter example
    assert any(w.startswith("/components/headers/") for w in wheres)  # header example
    assert any("/requestBody/content/" in w for w in wheres)  # request media type examples
    assert any("/content/application~1json/example" in w for w in wheres)  # response media type example
    assert any(w.startswith("/components/schemas/") and "/examples/" in w for w in wheres)  # schema examples


def test_a_broken_example_would_be_caught() -> None:
    # the same check as above against one example deliberately broken
    schema_at = ("components", "schemas", "TechProviderRegistrationRequest")
    validator = Draft202012Validator({"$ref": uri("telnyx") + "#" + pointer(schema_at)}, registry=registry("telnyx"))
    assert not list(validator.iter_errors({"waba_id": "1", "phone_number_id": "2", "app_id": "3"}))
    assert list(validator.iter_errors({"waba_id": 1, "phone_number_id": "2", "app_id": "3"}))
    assert list(validator.iter_errors({"waba_id": "1", "phone_number_id": "2"}))


# ------------------------------------------------------------------------------------------------------------
# operations


@pytest.mark.parametrize("name", DOCS)
def test_operation_ids_are_exactly_the_routed_endpoints(name: str) -> None:
    actual = {op.get("operationId"): (method, path) for path, method, _, op in operations(name)}
    assert None not in actual, "an operation has no operationId"
    assert len(actual) == sum(1 for _ in operations(name)), "duplicate operationId"
    assert actual == OPERATIONS[name]


@pytest.mark.parametrize("name", DOCS)
def test_each_operation_documents_exactly_its_statuses(name: str) -> None:
    for op_id, op in by_operation_id(name).items():
        assert set(op["responses"]) == STATUSES[name][op_id], op_id
        for status, response in op["responses"].items():
            assert "$ref" in response and response["$ref"].startswith("#/components/responses/"), (
                op_id,
                status,
            )


@pytest.mark.parametrize("name", DOCS)
def test_parameters_are_simple(name: str) -> None:
    for path, _, item, op in operations(name):
        params = parameters(item, op)
        for param in params:
            assert "$ref" not in param, "parameters are declared inline for the spec compiler"
            assert param["in"] in ("path", "query", "header"), param
            assert "content" not in param and param.get("style") != "deepObject", param
            assert isinstance(param.get("required"), bool), param
            assert param["schema"]["type"] in ("string", "integer", "boolean"), param
        declared = {p["name"] for p in params if p["in"] == "path"}
        assert declared == set(re.findall(r"{([^}]+)}", path)), (op["operationId"], declared)
        for param in params:
            if param["in"] == "path":
                assert param["required"] is True


def test_telnyx_pagination_parameters() -> None:
    for op_id in ("listWabas", "listWabaPhoneNumbers", "listPhoneNumbers"):
        params = {p["name"]: p for p in by_operation_id("telnyx")[op_id]["parameters"] if p["in"] == "query"}
        assert params["page[number]"]["schema"] == {"type": "integer", "minimum": 1, "default": 1}
        assert params["page[size]"]["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 250,
            "default": 20,
        }
        assert not params["page[number]"]["required"] and not params["page[size]"]["required"]


def test_graph_path_parameters() -> None:
    for path, _, item, op in operations("graph"):
        for param in parameters(item, op):
            if param["name"] == "version":
                assert param["schema"]["pattern"] == r"^v[0-9]+\.[0-9]+$"
            elif param["in"] == "path":
                assert param["schema"]["pattern"] == "^[0-9]+$", (path, param["name"])


def test_request_bodies() -> None:
    telnyx = by_operation_id("telnyx")["registerTechProvider"]["requestBody"]
    assert telnyx["required"] is True
    assert set(telnyx["content"]) == {"application/json"}
    for op_id in ("subscribeApp", "registerPhoneNumber"):
        content = by_operation_id("graph")[op_id]["requestBody"]["content"]
        assert set(content) == {"application/json", "application/x-www-form-urlencoded"}, op_id
        schemas = [media["schema"] for media in content.values()]
        assert schemas[0] == schemas[1], f"{op_id}: JSON and form bodies must share one schema"
    assert by_operation_id("graph")["registerPhoneNumber"]["requestBody"]["required"] is True
    assert by_operation_id("graph")["subscribeApp"]["requestBody"].get("required", False) is False


@pytest.mark.parametrize("name", DOCS)
def test_departures_are_declared(name: str) -> None:
    ops = by_operation_id(name)
    for op_id, op in ops.items():
        if "x-harness-departure" in op:
            departure = op["x-harness-departure"]
            assert isinstance(departure, str) and len(departure) > 20, op_id
            assert op.get("description"), f"{op_id}: a departure must also be explained in the description"
    for op_id in MUST_DECLARE_DEPARTURE[name]:
        assert "x-harness-departure" in ops[op_id], op_id


# ------------------------------------------------------------------------------------------------------------
# security


def test_telnyx_security() -> None:
    document = load("telnyx")
    schemes = document["components"]["securitySchemes"]
    assert set(schemes) == {"bearerAuth"}
    assert schemes["bearerAuth"]["type"] == "http" and schemes["bearerAuth"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]
    for op_id, op in by_operation_id("telnyx").items():
        assert op.get("security", document["security"]) == [{"bearerAuth": []}], op_id


def test_graph_security() -> None:
    document = load("graph")
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["type"] == "http" and schemes["bearerAuth"]["scheme"] == "bearer"
    assert {k: schemes["accessTokenQuery"][k] for k in ("type", "in", "name")} == {
        "type": "apiKey",
        "in": "query",
        "name": "access_token",
    }
    assert "form" in schemes["accessTokenQuery"]["description"], "say that a form body may carry access_token"
    for op_id, op in by_operation_id("graph").items():
        expected = [] if op_id in GRAPH_UNAUTHENTICATED else GRAPH_NODE_SECURITY
        assert op.get("security", document.get("security")) == expected, op_id


# ------------------------------------------------------------------------------------------------------------
# responses: envelopes, catalogue codes, headers


def error_responses(name: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(operationId or component name, status, response) for every error response."""
    for op_id, op in by_operation_id(name).items():
        for status, response in op["responses"].items():
            if int(status) >= 400:
                yield op_id, status, resolve(name, response)
    if name == "telnyx":  # used by the fake for any path, attached to no operation
        components = load(name)["components"]["responses"]
        yield "NotFound", "404", components["NotFound"]
        yield "MethodNotAllowed", "405", components["MethodNotAllowed"]


@pytest.mark.parametrize("name", DOCS)
def test_every_error_response_is_the_vendor_envelope(name: str) -> None:
    for where, status, response in error_responses(name):
        assert set(response["content"]) == {"application/json"}, (where, status)
        media = response["content"]["application/json"]
        assert media["schema"] == {"$ref": ENVELOPE[name]}, (where, status)
        assert example_bodies(name, response), f"{where} {status}: no example"
    for op_id, op in by_operation_id(name).items():
        for status, response in op["responses"].items():
            if int(status) < 400:
                media = resolve(name, response).get("content", {}).get("application/json")
                if media is not None:
                    assert media["schema"] != {"$ref": ENVELOPE[name]}, (op_id, status)


def test_telnyx_error_examples_follow_the_catalogue() -> None:
    for where, status, response in error_responses("telnyx"):
        codes = set()
        for key, body in example_bodies("telnyx", response):
            for error in body["errors"]:
                code = error["code"]
                assert code in TELNYX_CATALOGUE[status], f"{where} {status} {key}: {code} not in the catalogue"
                assert error["title"] == TELNYX_CATALOGUE[status][code], (where, key)
                assert error["meta"]["url"] == f"https://developers.telnyx.com/docs/overview/errors/{code}"
                codes.add(code)
        if status == "422":
            assert codes == TELNYX_422[where], (where, codes)
        else:
            assert codes == set(TELNYX_CATALOGUE[status]), (where, status, codes)


def test_telnyx_registration_errors_point_at_fields() -> None:
    responses = load("telnyx")["components"]["responses"]
    expected = {"FeatureNotPermitted": "/app_id", "DuplicateResource": "/waba_id"}
    for component, field in expected.items():
        ((_, body),) = example_bodies("telnyx", responses[component])
        assert body["errors"][0]["source"] == {"pointer": field}
    for _, body in example_bodies("telnyx", responses["RegistrationInvalid"]):
        assert all(e["source"]["pointer"].startswith("/") for e in body["errors"])
    ((_, body),) = example_bodies("telnyx", responses["InvalidQuery"])
    assert body["errors"][0]["source"] == {"parameter": "page[size]"}


def test_graph_error_examples_follow_the_catalogue() -> None:
    for op_id, status, response in error_responses("graph"):
        seen = set()
        for key, body in example_bodies("graph", response):
            error = body["error"]
            pair = (error["code"], error.get("error_subcode"))
            assert pair in GRAPH_CATALOGUE[status], f"{op_id} {status} {key}: {pair} not in the catalogue"
            expected_type = "GraphMethodException" if pair == (100, 33) else "OAuthException"
            assert error["type"] == expected_type, (op_id, key)
            if error["code"] in (4, 80007, 2):
                assert error.get("is_transient") is True, (op_id, key)
            seen.add(pair)
        missing = GRAPH_REQUIRED[op_id].get(status, set()) - seen
        assert not missing, f"{op_id} {status}: no example for {sorted(missing, key=str)}"


def test_graph_www_authenticate_is_optional_and_where_the_catalogue_says() -> None:
    components = load("graph")["components"]
    assert components["headers"]["WwwAuthenticate"]["required"] is False
    for op_id, status, response in error_responses("graph"):
        has_header = "WWW-Authenticate" in response.get("headers", {})
        if status in ("500", "503"):
            assert not has_header, (op_id, status)
        else:
            assert has_header, (op_id, status)


@pytest.mark.parametrize("name", DOCS)
def test_every_response_carries_the_vendor_headers(name: str) -> None:
    for op_id, op in by_operation_id(name).items():
        for status, ref in op["responses"].items():
            response = resolve(name, ref)
            headers = response.get("headers", {})
            assert VENDOR_HEADERS[name] <= set(headers), (op_id, status)
            for header_name in headers:
                header = resolve(name, headers[header_name])
                assert "schema" in header, (op_id, status, header_name)
            if name == "telnyx":
                assert ("Retry-After" in headers) == (status == "429"), (op_id, status)


def test_telnyx_rate_limit_headers_are_digit_strings() -> None:
    headers = load("telnyx")["components"]["headers"]
    for header in ("RateLimitLimit", "RateLimitRemaining", "RateLimitReset", "RetryAfter"):
        assert headers[header]["schema"] == {"type": "string", "pattern": "^[0-9]+$"}, header


def test_success_shapes() -> None:
    telnyx = load("telnyx")["components"]["schemas"]
    registration = telnyx["TechProviderRegistration"]
    assert set(registration["required"]) == {"waba_id", "phone_number_id", "status", "customer_id"}
    assert registration["properties"]["status"]["enum"] == ["registered"]
    assert telnyx["WabaResponse"]["properties"]["record_type"]["const"] == "whatsapp_business_account"
    phone = telnyx["WhatsappPhoneResponse"]["properties"]
    assert phone["record_type"]["const"] == "whatsapp_business_phone_number"
    assert phone["phone_number"]["pattern"] == r"^\+[1-9][0-9]{6,14}$"
    assert set(telnyx["PaginationMeta"]["required"]) == {
        "page_number",
        "page_size",
        "total_pages",
        "total_results",
    }
    delete = resolve("telnyx", by_operation_id("telnyx")["deleteWaba"]["responses"]["204"])
    assert "content" not in delete

    graph = load("graph")["components"]["schemas"]
    assert set(graph["AccessTokenResponse"]["required"]) == {"access_token", "token_type"}
    assert set(graph["DebugTokenData"]["required"]) == {"is_valid", "scopes"}
    error = graph["GraphError"]["properties"]["error"]
    assert set(error["required"]) == {"message", "type", "code", "fbtrace_id"}
    telnyx_error = telnyx["Error"]
    assert set(telnyx_error["required"]) == {"code", "title"}
    assert telnyx_error["properties"]["code"]["pattern"] == "^[0-9]{5}$"
    assert telnyx["Errors"]["properties"]["errors"]["minItems"] == 1


def test_debug_token_documents_valid_and_invalid_input() -> None:
    response = load("graph")["components"]["responses"]["DebugToken"]
    bodies = [body for _, body in example_bodies("graph", response)]
    assert any(b["data"]["is_valid"] and "error" not in b["data"] for b in bodies)
    assert any(not b["data"]["is_valid"] and "error" in b["data"] for b in bodies)


# ------------------------------------------------------------------------------------------------------------
# links for stateful testing


@pytest.mark.parametrize("name", DOCS)
def test_links_target_real_operations_and_parameters(name: str) -> None:
    ops = by_operation_id(name)
    found = 0
    for _path, _, item, op in operations(name):
        for ref in op["responses"].values():
            for link_name, link in resolve(name, ref).get("links", {}).items():
                found += 1
                target_id = link["operationId"]
                assert target_id in ops, (op["operationId"], link_name)
                target_path = OPERATIONS[name][target_id][1]
                target_item = load(name)["paths"][target_path]
                names = {p["name"] for p in parameters(target_item, ops[target_id])}
                source_names = {p["name"] for p in parameters(item, op)}
                for param, expression in link.get("parameters", {}).items():
                    qualified = re.fullmatch(r"(path|query|header|cookie)\.(.+)", param)
                    assert qualified or param in names, (op["operationId"], link_name, param)
                    assert expression.startswith(("$response.body#/", "$request.")), expression
                    if expression.startswith("$request.path."):
                        assert expression.removeprefix("$request.path.") in source_names, expression
    assert found


def test_required_links() -> None:
    def links(name: str, op_id: str, status: str) -> dict[str, Any]:
        return resolve(name, by_operation_id(name)[op_id]["responses"][status]).get("links", {})

    telnyx = {link["operationId"] for link in links("telnyx", "registerTechProvider", "200").values()}
    assert {"listWabas", "listPhoneNumbers"} <= telnyx
    exchange_links = links("graph", "exchangeCode", "200").values()
    (exchange,) = [link for link in exchange_links if link["operationId"] == "debugToken"]
    assert exchange["parameters"]["input_token"] == "$response.body#/access_token"
    assert exchange["parameters"]["query.access_token"] == "$response.body#/access_token"
    (unversioned,) = links("graph", "exchangeCodeUnversioned", "200").values()
    assert unversioned["operationId"] == "debugTokenUnversioned"
