"""specs/admin.yaml is the control plane's contract: one operation per view, the docs agree with it, and
hostile input gets the control plane's own 400 (never a 500) in both transports."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest

from fakes.core.admin_spec import admin_spec, limit
from fakes.core.errors import HarnessError
from fakes.core.resources import spec_path
from fakes.harness import Harness
from harness.arming import enable_scenario_arming

ROOT = Path(__file__).resolve().parents[2]
CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


@pytest.fixture(scope="module")
def harness() -> Harness:
    h = Harness(check_responses=True)
    enable_scenario_arming(h)
    return h


@pytest.mark.parametrize("vendor", ["graph", "telnyx"])
def test_every_admin_view_is_an_operation_and_every_operation_a_view(harness, vendor):
    app = harness.graph_app if vendor == "graph" else harness.telnyx_app
    views = {
        rule.endpoint.rsplit(".", 1)[1]: (
            set(rule.methods or ()) - {"HEAD", "OPTIONS"},
            CONVERTER.sub(r"{\1}", rule.rule),
        )
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/__admin")
    }
    operations = admin_spec().operations
    assert set(views) == set(operations)
    for operation_id, op in operations.items():
        assert views[operation_id] == ({op.method}, op.path), operation_id
        assert op.extensions.get("x-harness-scope") in ("public", "tenant", "root"), operation_id


def test_the_spec_is_in_the_wheel_data():
    assert spec_path("admin").is_file()


def _documented_seed_fields() -> dict[str, set[str]]:
    """`section -> fields` of the seed table in docs/world-seed.md."""
    text = (ROOT / "docs" / "world-seed.md").read_text()
    table = text.split("| section | field | default | notes |", 1)[1].split("\n\n", 1)[0]
    found: dict[str, set[str]] = {}
    section = ""
    for row in table.strip().splitlines()[1:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        if cells[0]:
            section = cells[0].strip("`")
        found.setdefault(section, set()).update(re.findall(r"`([a-z_]+)(?:\[\])?`", cells[1]))
    return found


def _schema_fields() -> dict[str, set[str]]:
    seed = admin_spec().document["components"]["schemas"]["WorldSeed"]["properties"]

    def props(node: dict[str, Any]) -> set[str]:
        return set(node["items"]["properties"])

    return {
        "apps[]": props(seed["apps"]),
        "businesses[]": props(seed["businesses"]),
        "wabas[]": props(seed["wabas"]),
        "wabas[].phone_numbers[]": props(seed["wabas"]["items"]["properties"]["phone_numbers"]),
        "codes[]": props(seed["codes"]),
        "tokens[]": props(seed["tokens"]),
        "telnyx.api_keys[]": props(seed["telnyx"]["properties"]["api_keys"]),
        "telnyx.registrations[]": props(seed["telnyx"]["properties"]["registrations"]),
        "telnyx.user_data": set(seed["telnyx"]["properties"]["user_data"]["properties"]),
        "telnyx.signup_sessions": set(seed["telnyx"]["properties"]["signup_sessions"]["properties"]),
    }


def test_docs_world_seed_describes_exactly_the_spec():
    assert _documented_seed_fields() == _schema_fields()


def test_the_docs_state_the_documented_limits():
    admin_doc = (ROOT / "docs" / "admin.md").read_text()
    assert f"{limit('max_clock_advance_seconds'):,}".replace(",", " ") in admin_doc.replace(",", " ")
    assert "X-Harness-Admin-Token" in admin_doc and "SIGNUP_HARNESS_ADMIN_TOKEN" in admin_doc


def test_the_signup_enums_are_the_signup_module_s():
    from fakes.graph.signup import CODE_FATES, OUTCOMES

    schema = admin_spec().document["components"]["schemas"]["SignupRequest"]["properties"]
    assert set(schema["outcome"]["enum"]) == set(OUTCOMES)
    assert set(schema["code_fate"]["enum"]) == set(CODE_FATES)


# -- hostile input: the control plane's own 400, and the world keeps working ---------------------------------

TOKEN: dict[str, str] = {}

HOSTILE = [
    ("/clock/advance", '{"seconds": NaN}'),
    ("/clock/advance", '{"seconds": Infinity}'),
    ("/clock/advance", '{"seconds": 1e999}'),
    ("/clock/advance", '{"seconds": 1e12}'),
    ("/clock/advance", '{"seconds": ' + "1" + "0" * 400 + "}"),
    ("/clock/advance", '{"seconds": -1}'),
    ("/clock/advance", '{"seconds": "31"}'),
    ("/clock/advance", "[]"),
    ("/seed", '{"apps": [{"id": [1, 2]}]}'),
    ("/seed", '{"codes": [{"app_id": "100000000000001", "ttl_seconds": NaN}]}'),
    ("/seed", '{"tokens": [{"app_id": "100000000000001", "valid": "no"}]}'),
    ("/signups", '{"app_id": "100000000000001", "redirect_uri": 5}'),
    ("/signups", '{"app_id": {"x": 1}}'),
    ("/faults", '{"operation": "graph.exchangeCode", "status": 500, "times": 1e999}'),
    ("/faults", '{"operation": "graph.exchangeCode", "delay": -1}'),
    ("/faults", '{"operation": "graph.exchangeCode", "status": 500, "error": "x"}'),
    ("/faults", '{"operation": "graph.exchangeCode", "status": 500, "headers": "x"}'),
    ("/faults", '{"operation": "graph.exchangeCode", "status": 500, "headers": {"X-A": "a\\r\\nSet-Cookie: b"}}'),
    ("/faults", '{"operation": "graph.exchangeCode", "status": 500, "error": {"code": "abc"}}'),
    ("/faults", '{"operation": "graph.exchangeCode", "status": 500, "times": 0}'),
    ("/faults", '{"operation": "graph.exchangeCode", "status": 500, "delay": 1e9}'),
    ("/reset", '{"tenant": 5}'),
]


@pytest.mark.parametrize("vendor", ["graph", "telnyx"])
@pytest.mark.parametrize(("path", "body"), HOSTILE)
def test_hostile_control_input_is_a_400_and_breaks_nothing(harness, vendor, path, body):
    harness.reset()
    harness.seed_demo()
    app = harness.graph_app if vendor == "graph" else harness.telnyx_app
    client = app.test_client()
    before = harness.world.clock.now()
    response = client.post(
        f"/__admin{path}", data=body, content_type="application/json", headers=harness.admin_headers()
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.json["harness_error"]
    assert error["type"] == "AdminRequestError"
    assert error["violations"][0]["pointer"].startswith("/")
    assert len(error["message"]) < 300
    assert math.isfinite(harness.world.clock.now()) and harness.world.clock.now() == before
    assert harness.control.faults() == []
    # Every exchange still answers as before.
    signup = harness.complete_signup(app_id="100000000000001")
    exchanged = harness.session().get(
        f"{harness.graph_url}/v19.0/oauth/access_token",
        params={"client_id": "100000000000001", "client_secret": "local-app-secret-not-real", "code": signup["code"]},
    )
    assert exchanged.status_code == 200


def test_a_yaml_alias_bomb_is_refused_at_once(harness):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    response = harness.graph_app.test_client().post("/_t/bomb/__admin/seed", data=bomb, content_type="application/yaml")
    assert response.status_code == 400
    assert "aliases" in response.json["harness_error"]["message"]
    with pytest.raises(HarnessError, match="aliases"):
        harness.seed(bomb, "bomb")


@pytest.mark.parametrize(
    "document",
    [
        "when: 2024-01-01",  # a YAML date is not JSON
        "apps: [{ttl: .nan}]",
        "codes: [{app_id: '100000000000001', ttl_seconds: .nan}]",
        "x" * (limit("max_seed_bytes") + 1),
        "{1: 2}",
    ],
)
def test_seeds_carry_only_json_values(harness, document):
    with pytest.raises(HarnessError):
        harness.seed(document, "json-only")


def test_the_python_api_checks_what_http_checks(harness):
    with pytest.raises(HarnessError, match="finite"):
        harness.advance_clock(float("nan"))
    with pytest.raises(HarnessError, match="at most"):
        harness.advance_clock(1e12)
    with pytest.raises(HarnessError, match="headers"):
        harness.arm_fault({"operation": "graph.exchangeCode", "status": 500, "headers": "x"})
    with pytest.raises(HarnessError, match="redirect_uri"):
        harness.complete_signup(app_id="100000000000001", redirect_uri=5)
    with pytest.raises(HarnessError, match="/apps/0/id"):
        harness.seed({"apps": [{"id": [1, 2]}]})


def test_a_fault_header_is_sent_as_armed(harness):
    harness.reset()
    harness.seed_demo()
    harness.arm_fault({"operation": "graph.debugToken", "status": 503, "headers": {"Retry-After": "7"}})
    response = harness.session().get(f"{harness.graph_url}/v19.0/debug_token", params={"input_token": "x"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "7"


def test_admin_spec_is_valid_openapi_3_1():
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation import OpenAPIV31SpecValidator

    document = admin_spec().document
    assert document["openapi"] == "3.1.0"
    validate(document, cls=OpenAPIV31SpecValidator)
