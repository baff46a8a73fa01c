"""The example portal's result card links to the harness's live view of the tenant it talks to."""

from __future__ import annotations

import json
from typing import Any

from fakes.harness import Harness
from harness.demo_portal import demo_portal_settings, load_portal


def page_config(app: Any) -> dict[str, Any]:
    page = app.test_client().get("/").get_data(as_text=True)
    return json.loads(page.split('id="portal-config">', 1)[1].split("</script>", 1)[0])


def portal(graph_url: str, **extra: Any) -> Any:
    h = Harness()
    h.seed_demo()
    settings = demo_portal_settings(h)
    return load_portal().create_portal_app(
        graph_url=graph_url, telnyx_url="http://127.0.0.1:8020/v2", **settings, **extra
    )


def test_the_link_names_the_default_tenant_without_a_prefix() -> None:
    config = page_config(portal("http://127.0.0.1:8010/"))
    assert config["liveViewUrl"] == "http://127.0.0.1:8010/_t/default/__admin/ui"


def test_the_link_names_the_tenant_of_a_prefixed_graph_url() -> None:
    config = page_config(portal("http://127.0.0.1:8010/_t/acme-7"))
    assert config["liveViewUrl"] == "http://127.0.0.1:8010/_t/acme-7/__admin/ui"


def test_a_given_live_view_url_wins() -> None:
    config = page_config(portal("http://127.0.0.1:9", live_view_url="http://127.0.0.1:9/__admin/ui#token=t&tenant=x"))
    assert config["liveViewUrl"] == "http://127.0.0.1:9/__admin/ui#token=t&tenant=x"
    assert 'id="live-view-link"' in portal("http://127.0.0.1:9").test_client().get("/").get_data(as_text=True)
