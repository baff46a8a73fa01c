"""Every spec operation has a view (Flask endpoint named by its operationId) and every view an operation."""

from __future__ import annotations

import re

import pytest

from fakes.harness import Harness, compiled_spec

CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


@pytest.fixture(scope="module")
def harness() -> Harness:
    return Harness()


def routes(app) -> dict[str, tuple[set[str], str]]:
    """endpoint -> (methods, path in OpenAPI form), for the simulated API only.

    The vendor views are the app's own endpoints; blueprints (the control plane, the fake browser SDK) and
    Flask's static route are not part of the simulated API.
    """
    found = {}
    for rule in app.url_map.iter_rules():
        if "." in rule.endpoint or rule.endpoint == "static":
            continue
        path = CONVERTER.sub(r"{\1}", rule.rule)
        found[rule.endpoint] = (set(rule.methods or ()) - {"HEAD", "OPTIONS"}, path)
    return found


@pytest.mark.parametrize("vendor", ["graph", "telnyx"])
def test_operations_and_views_match_one_to_one(harness, vendor):
    app = harness.graph_app if vendor == "graph" else harness.telnyx_app
    spec = compiled_spec(vendor)
    views = routes(app)
    assert set(views) == set(spec.operations), "views without an operation, or operations without a view"
    for operation_id, operation in spec.operations.items():
        methods, path = views[operation_id]
        assert methods == {operation.method}, operation_id
        assert path == operation.path, operation_id


@pytest.mark.parametrize("vendor", ["graph", "telnyx"])
def test_both_apps_serve_the_control_plane(harness, vendor):
    app = harness.graph_app if vendor == "graph" else harness.telnyx_app
    admin = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")}
    assert admin >= {
        "/__admin/health",
        "/__admin/ready",
        "/__admin/reset",
        "/__admin/seed",
        "/__admin/clock",
        "/__admin/clock/advance",
        "/__admin/journal",
        "/__admin/faults",
        "/__admin/signups",
    }
