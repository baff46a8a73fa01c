"""Real Graph clients against the Graph fake, each through its own high-level API with only the host changed.

pywa hard-codes graph.facebook.com, so it gets an httpx client whose transport sends every request to the fake
(in process, or to the fake's socket); facebook-business takes a class attribute (`FacebookSession.GRAPH`);
python-facebook-api takes `base_url` / `access_token_url`. docs/clients.md shows the same set-ups for users.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fakes.harness import Harness
from fakes.transport import WSGIAdapter

pywa = pytest.importorskip("pywa")
httpx = pytest.importorskip("httpx")
facebook_business = pytest.importorskip("facebook_business")
pyfacebook = pytest.importorskip("pyfacebook")

APP_ID = "100000000000001"  # the demo world (fakes/data/demo_world.yaml)
APP_SECRET = "local-app-secret-not-real"


class ToFake(httpx.BaseTransport):
    """Send every request to the fake's host and port instead of graph.facebook.com."""

    def __init__(self, root: str, inner: Any = None) -> None:
        self.root = httpx.URL(root)
        self.inner = inner if inner is not None else httpx.HTTPTransport()

    def handle_request(self, request: Any) -> Any:
        request.url = request.url.copy_with(scheme=self.root.scheme, host=self.root.host, port=self.root.port)
        request.headers["Host"] = self.root.netloc.decode()
        return self.inner.handle_request(request)


@pytest.fixture(params=["inprocess", "socket"])
def graph(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    h = Harness(check_responses=True)
    h.seed_demo()
    signup = h.complete_signup(app_id=APP_ID)
    if request.param == "inprocess":
        transport: Any = ToFake(h.graph_url, httpx.WSGITransport(app=h.graph_app))
        yield {"h": h, "signup": signup, "transport": transport, "root": h.graph_url}
    else:
        with h.serve(graph_port=0, telnyx_port=0) as server:
            server.wait_ready()
            yield {"h": h, "signup": signup, "transport": ToFake(server.graph_url), "root": server.graph_url}
    violations = [(e["operation"], e["response_violations"]) for e in h.journal() if e["response_violations"]]
    assert violations == [], "the fake answered outside its spec"


def _answers_challenge(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The partner's endpoint for Meta's verification request: 200 and the challenge."""
    from urllib.parse import parse_qs

    challenge = parse_qs(environ.get("QUERY_STRING", "")).get("hub.challenge", [""])[0]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [challenge.encode()]


def _token(h: Harness, code: str) -> str:
    with h.session() as session:
        response = session.get(
            f"{h.graph_url}/v22.0/oauth/access_token",
            params={"client_id": APP_ID, "client_secret": APP_SECRET, "code": code},
        )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_pywa_business_account_numbers_subscribe_and_register(graph):
    from pywa import WhatsApp

    signup = graph["signup"]
    session = httpx.Client(transport=graph["transport"])
    token = _token(graph["h"], signup["code"])
    wa = WhatsApp(
        phone_id=signup["phone_number_id"],
        token=token,
        waba_id=signup["waba_id"],
        session=session,
        api_version="22.0",
    )
    account = wa.get_business_account()
    assert account.id == signup["waba_id"] and account.owner_business_info is not None
    numbers = wa.get_business_phone_numbers()
    assert [n.id for n in numbers] == [signup["phone_number_id"]]
    number = wa.get_business_phone_number()
    assert number.status == "PENDING" and number.platform_type == "NOT_APPLICABLE"
    assert wa.register_phone_number(pin="482915")
    assert wa.get_business_phone_number().status == "CONNECTED"
    assert wa.delete_waba_callback_url()  # pywa's plain POST subscribed_apps: subscribes without an override
    graph["h"].world.outbound.mount("https://portal.example.com", _answers_challenge)  # Meta verifies the URL
    assert wa.override_waba_callback_url("https://portal.example.com/hook", "verify-me")
    waba = graph["h"].world.tenant().meta.wabas[signup["waba_id"]]
    assert waba.subscription_overrides[APP_ID]["override_callback_uri"] == "https://portal.example.com/hook"


def _in_process(session: Any, graph: dict[str, Any]) -> None:
    """In-process mode: the client's own requests session reaches the fake through the WSGI adapter."""
    if graph["root"] == graph["h"].graph_url:
        session.mount(graph["root"], WSGIAdapter(graph["h"].graph_app))


def test_facebook_business_waba_adobject_fields_and_paging(graph):
    from facebook_business.adobjects.whatsappbusinessaccount import WhatsAppBusinessAccount
    from facebook_business.api import FacebookAdsApi
    from facebook_business.session import FacebookSession

    h, signup = graph["h"], graph["signup"]
    token = _token(h, signup["code"])
    meta = h.world.tenant().meta
    h.seed({"wabas": [{"id": "390000000000009", "phone_numbers": [{}, {}]}]})  # two more numbers for the WABA
    moved = meta.wabas.pop("390000000000009").phone_number_ids
    for phone_id in moved:
        meta.phone_numbers[phone_id].waba_id = signup["waba_id"]
    meta.wabas[signup["waba_id"]].phone_number_ids += moved
    session = FacebookSession(APP_ID, APP_SECRET, token)
    session.GRAPH = graph["root"]
    _in_process(session.requests, graph)
    api = FacebookAdsApi(session, api_version="v22.0")
    waba = WhatsAppBusinessAccount(signup["waba_id"], api=api)
    fields = [WhatsAppBusinessAccount.Field.name, WhatsAppBusinessAccount.Field.health_status]
    node = waba.api_get(fields=fields)
    assert node["name"] and node["health_status"]["can_send_message"] in ("AVAILABLE", "LIMITED", "BLOCKED")
    # One number a page: the adobject's Cursor follows paging.next / cursors.after through all three.
    numbers = list(waba.get_phone_numbers(fields=["display_phone_number", "status"], params={"limit": 1}))
    assert [n["id"] for n in numbers] == [signup["phone_number_id"], *moved]
    assert {n["status"] for n in numbers} == {"PENDING", "CONNECTED"}


def test_python_facebook_api_app_token_debug_token_and_nodes(graph, monkeypatch):
    from pyfacebook import GraphAPI

    if graph["root"] == graph["h"].graph_url:  # in process: every session pyfacebook creates gets the adapter
        import requests

        original = requests.Session.__init__

        def mounted(self: Any) -> None:
            original(self)
            _in_process(self, graph)

        monkeypatch.setattr(requests.Session, "__init__", mounted)

    h, signup = graph["h"], graph["signup"]
    token = _token(h, signup["code"])
    root = graph["root"]
    app_api = GraphAPI(
        app_id=APP_ID,
        app_secret=APP_SECRET,
        application_only_auth=True,
        version="v22.0",
        base_url=f"{root}/",
        access_token_url=f"{root}/oauth/access_token",
        sleep_on_rate_limit=False,
    )
    debug = app_api.debug_token(input_token=token)["data"]
    assert debug["type"] == "SYSTEM_USER" and debug["is_valid"] is True
    api = GraphAPI(
        app_id=APP_ID,
        app_secret=APP_SECRET,  # so it sends appsecret_proof, which the fake checks
        access_token=token,
        version="v22.0",
        base_url=f"{root}/",
        access_token_url=f"{root}/oauth/access_token",
        sleep_on_rate_limit=False,
    )
    phone = api.get_object(signup["phone_number_id"], fields="status,is_on_biz_app")
    assert phone == {"status": "PENDING", "is_on_biz_app": False, "id": signup["phone_number_id"]}
    long_lived = api.exchange_long_lived_user_access_token(access_token=token)
    assert long_lived["expires_in"] == 60 * 24 * 3600
