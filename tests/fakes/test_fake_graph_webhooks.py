"""Meta's webhooks: the app's subscriptions and Meta's verification request, the override callback's verification,
and the signed deliveries (account_update PARTNER_*, phone_number_name_update): targets, batching, retries.

A partner endpoint is the `Receiver` of conftest.py mounted in-process (`fakes.receiver()`), in both transports;
one test serves the fakes and the receiver on real sockets.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import requests

from fakes.graph import versions, webhooks
from fakes.harness import Harness

V = "v19.0"
HOOK = "http://partner.localhost/meta"


def subscribe(fakes, callback_url=HOOK, verify_token="verify-me", fields="account_update", **extra):
    data = {"object": "whatsapp_business_account", "callback_url": callback_url, "fields": fields}
    data.update(verify_token=verify_token, access_token=fakes.APP_TOKEN, **extra)
    return fakes.graph_post(f"/{V}/{fakes.APP_ID}/subscriptions", data=data)


def listing(fakes):
    response = fakes.graph_get(f"/{V}/{fakes.APP_ID}/subscriptions", params={"access_token": fakes.APP_TOKEN})
    assert response.status_code == 200, response.text
    return response.json()["data"]


def verified(secret: str, post: dict) -> bool:
    """What a partner's receiver does with Python's hmac: the raw body, the app secret, a constant-time compare."""
    expected = "sha256=" + hmac.new(secret.encode(), post["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, post["headers"].get("X-Hub-Signature-256", ""))


def changes(post: dict) -> list[tuple[str, str, str | None]]:
    body = json.loads(post["body"])
    assert body["object"] == "whatsapp_business_account"
    return [(e["id"], c["field"], c.get("value", {}).get("event")) for e in body["entry"] for c in e["changes"]]


def outbound(fakes, operation: str | None = None) -> list[dict]:
    entries = fakes.h.journal(direction="outbound")
    return [e for e in entries if operation is None or e["operation"] == operation]


# -- the app's subscriptions --------------------------------------------------------------------------------


def test_subscribe_verifies_the_callback_first_then_lists_it(fakes):
    receiver = fakes.receiver()
    response = subscribe(fakes, fields="account_update,phone_number_name_update")
    assert response.status_code == 200, response.text
    assert response.json() == {"success": True}
    [check] = receiver.requests
    assert check["method"] == "GET" and check["path"] == "/meta"
    assert check["query"]["hub.mode"] == "subscribe" and check["query"]["hub.verify_token"] == "verify-me"
    assert check["query"]["hub.challenge"].isdigit()
    assert check["headers"]["User-Agent"].startswith("facebookplatform/")
    served = versions.serving(V)  # each field keeps the version that served the subscription (v19.0 -> v21.0)
    fields = [{"name": "account_update", "version": served}, {"name": "phone_number_name_update", "version": served}]
    assert listing(fakes) == [
        {"object": "whatsapp_business_account", "callback_url": HOOK, "active": True, "fields": fields}
    ]
    # The verify token is a secret: journalled (redacted), never shown.
    assert "verify-me" not in json.dumps(fakes.h.journal())
    assert outbound(fakes, "webhook:verification")[0]["query"]["hub.verify_token"] == "[REDACTED]"


def test_fields_add_up_and_a_post_without_callback_is_not_verified_again(fakes):
    receiver = fakes.receiver()
    assert subscribe(fakes).status_code == 200
    data = {"object": "whatsapp_business_account", "fields": '["messages"]', "access_token": fakes.APP_TOKEN}
    assert fakes.graph_post(f"/{V}/{fakes.APP_ID}/subscriptions", data=data).status_code == 200
    assert len(receiver.requests) == 1
    assert [f["name"] for f in listing(fakes)[0]["fields"]] == ["account_update", "messages"]


@pytest.mark.parametrize(
    ("setup", "url", "code", "words"),
    [
        ({"verify_token": "other"}, HOOK, 2200, "HTTP Status Code = 403; HTTP Message = Forbidden"),
        ({"status": 200, "echo": "ok"}, HOOK, 2201, 'response does not match challenge, expected value="'),
        (None, "http://127.0.0.1:9/meta", 2200, "curl_errno = 7; curl_error = connection refused"),
        (None, "https://partner.example.com/meta", 2200, "is not a loopback address"),
    ],
    ids=["wrong-token", "wrong-echo", "unreachable", "not-loopback"],
)
def test_a_callback_that_fails_verification_is_not_stored(fakes, setup, url, code, words):
    if setup is not None:
        fakes.receiver(**setup)
    response = subscribe(fakes, callback_url=url)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error["type"] == "OAuthException", error
    assert words in error["message"]
    assert error["message"].startswith(f"(#{code}) ")
    assert listing(fakes) == []


def test_only_the_app_s_own_app_token(fakes):
    fakes.receiver()
    token, _ = fakes.token()
    path = f"/{V}/{fakes.APP_ID}/subscriptions"
    user = fakes.graph_get(path, headers=fakes.bearer(token))
    assert user.status_code == 400 and user.json()["error"]["code"] == 15
    other = fakes.graph_get(f"/{V}/123456789012345/subscriptions", params={"access_token": fakes.APP_TOKEN})
    assert (other.json()["error"]["code"], other.json()["error"]["error_subcode"]) == (100, 33)
    garbage = fakes.graph_get(path, params={"access_token": "not-a-token"})
    assert garbage.status_code == 400 and garbage.json()["error"]["code"] == 190
    assert fakes.graph_get(path).json()["error"]["code"] == 104


def test_missing_parameters_are_graph_s_100(fakes):
    fakes.receiver()
    path = f"/{V}/{fakes.APP_ID}/subscriptions"
    for data, missing in (
        ({"callback_url": HOOK, "fields": "account_update"}, "object"),
        ({"object": "whatsapp_business_account", "fields": "account_update"}, "callback_url"),
        ({"object": "whatsapp_business_account", "callback_url": HOOK, "fields": "account_update"}, "verify_token"),
    ):
        response = fakes.graph_post(path, data={**data, "access_token": fakes.APP_TOKEN})
        assert response.json()["error"]["message"] == f"(#100) The parameter {missing} is required", missing
    unknown = subscribe(fakes, fields="account_update,no_such_field")
    assert unknown.json()["error"]["code"] == 100 and "no_such_field" in unknown.json()["error"]["message"]


def test_delete_fields_one_object_or_everything(fakes):
    fakes.receiver()
    assert subscribe(fakes, fields="account_update,messages").status_code == 200
    path, token = f"{fakes.graph}/{V}/{fakes.APP_ID}/subscriptions", {"access_token": fakes.APP_TOKEN}
    some = {**token, "object": "whatsapp_business_account", "fields": "messages"}
    assert fakes.http.delete(path, params=some, timeout=10).json() == {"success": True}
    assert [f["name"] for f in listing(fakes)[0]["fields"]] == ["account_update"]
    one = {**token, "object": "whatsapp_business_account"}
    assert fakes.http.delete(path, params=one, timeout=10).json() == {"success": True}
    assert listing(fakes) == []
    assert subscribe(fakes).status_code == 200
    assert fakes.http.delete(path, params=token, timeout=10).json() == {"success": True}
    assert listing(fakes) == []


# -- the override callback of subscribed_apps ----------------------------------------------------------------


def test_override_callback_is_verified_like_the_app_s(fakes):
    receiver = fakes.receiver("http://override.localhost", verify_token="waba-token")
    token, created = fakes.token()
    path, auth = f"/{V}/{created['waba_id']}/subscribed_apps", fakes.bearer(token)
    assert fakes.graph_post(path, headers=auth).status_code == 200
    url = "http://override.localhost/waba"
    wrong = fakes.graph_post(path, json={"override_callback_uri": url, "verify_token": "nope"}, headers=auth)
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == 2200
    [entry] = fakes.graph_get(path, headers=auth).json()["data"]
    assert "override_callback_uri" not in entry
    receiver.echo = "something else"
    mismatch = fakes.graph_post(path, json={"override_callback_uri": url, "verify_token": "waba-token"}, headers=auth)
    assert mismatch.json()["error"]["code"] == 2201
    receiver.echo = None
    ok = fakes.graph_post(path, json={"override_callback_uri": url, "verify_token": "waba-token"}, headers=auth)
    assert ok.status_code == 200 and ok.json()["data"][0]["override_callback_uri"] == url
    assert [r["query"]["hub.verify_token"] for r in receiver.requests] == ["nope", "waba-token", "waba-token"]


# -- deliveries ---------------------------------------------------------------------------------------------


def test_signup_sends_partner_app_installed_signed_with_the_app_secret(fakes):
    receiver = fakes.receiver()
    assert subscribe(fakes).status_code == 200
    created = fakes.signup()
    fakes.settle()
    [post] = receiver.posts
    assert verified(fakes.APP_SECRET, post), "a receiver using hmac with the app secret must accept it"
    sha1 = "sha1=" + hmac.new(fakes.APP_SECRET.encode(), post["body"], hashlib.sha1).hexdigest()
    assert post["headers"]["X-Hub-Signature"] == sha1
    assert post["headers"]["Content-Type"] == "application/json"
    assert post["headers"]["User-Agent"] == "facebookexternalua"
    waba = created["waba_id"]
    assert changes(post) == [
        (waba, "account_update", "PARTNER_ADDED"),
        (waba, "account_update", "PARTNER_APP_INSTALLED"),
    ]
    entry = json.loads(post["body"])["entry"][0]
    assert isinstance(entry["time"], int) and entry["time"] == int(fakes.h.world.clock.now())
    installed = entry["changes"][1]["value"]["waba_info"]
    assert installed == {"waba_id": waba, "owner_business_id": created["business_id"], "partner_app_id": fakes.APP_ID}
    assert "partner_app_id" not in entry["changes"][0]["value"]["waba_info"]
    [attempt] = outbound(fakes, "webhook:account_update")
    assert attempt["status"] == 200 and attempt["path"] == HOOK


def test_nothing_is_sent_without_a_subscription_for_the_field(fakes):
    receiver = fakes.receiver()
    fakes.signup()
    fakes.settle()
    assert subscribe(fakes, fields="messages").status_code == 200
    fakes.signup()
    fakes.settle()
    assert receiver.posts == [] and outbound(fakes, "webhook:account_update") == []


def test_a_failed_delivery_is_retried_on_the_default_schedule(fakes):
    receiver = fakes.receiver(status=[500, 503, 200])
    assert subscribe(fakes).status_code == 200
    start = fakes.h.world.clock.now()
    fakes.signup()
    fakes.settle()
    assert len(receiver.posts) == 1
    fakes.advance(webhooks.DEFAULT_RETRY_SECONDS[0])
    assert len(receiver.posts) == 2
    fakes.advance(webhooks.DEFAULT_RETRY_SECONDS[1])
    assert len(receiver.posts) == 3
    assert len({p["body"] for p in receiver.posts}) == 1 and all(verified(fakes.APP_SECRET, p) for p in receiver.posts)
    [delivery] = fakes.h.world.tenant().outbox.deliveries.values()
    assert delivery.state == "delivered"
    assert [round(a.at - start, 3) for a in delivery.attempts] == [0.0, 1.0, 3.0]
    assert [e["status"] for e in outbound(fakes, "webhook:account_update")] == [500, 503, 200]


def test_changes_waiting_behind_a_retried_delivery_go_in_one_post(fakes):
    receiver = fakes.receiver(status=[500, 200])
    assert subscribe(fakes, fields="account_update,phone_number_name_update").status_code == 200
    token, first = fakes.token()  # the signup's POST fails: retried in 1 s
    fakes.settle()
    auth = fakes.bearer(token)
    assert fakes.graph_post(f"/{V}/{first['waba_id']}/subscribed_apps", headers=auth).status_code == 200
    register = {"messaging_product": "whatsapp", "pin": "123456"}
    assert fakes.graph_post(f"/{V}/{first['phone_number_id']}/register", json=register, headers=auth).status_code == 200
    second = fakes.signup()  # both wait behind the first POST: one delivery
    fakes.settle()
    assert len(receiver.posts) == 1
    fakes.advance(webhooks.DEFAULT_RETRY_SECONDS[0])
    assert len(receiver.posts) == 3
    batched = receiver.posts[2]
    assert verified(fakes.APP_SECRET, batched)
    assert changes(batched) == [
        (first["waba_id"], "phone_number_name_update", None),
        (second["waba_id"], "account_update", "PARTNER_ADDED"),
        (second["waba_id"], "account_update", "PARTNER_APP_INSTALLED"),
    ]
    name = json.loads(batched["body"])["entry"][0]["changes"][0]["value"]
    assert name["decision"] == "APPROVED" and name["requested_verified_name"] == "Acme Corp"


def test_phone_events_go_to_the_waba_s_override_callback(fakes):
    app_hook = fakes.receiver()
    waba_hook = fakes.receiver("http://override.localhost")
    assert subscribe(fakes, fields="account_update,phone_number_name_update").status_code == 200
    token, created = fakes.token()
    auth = fakes.bearer(token)
    path = f"/{V}/{created['waba_id']}/subscribed_apps"
    assert fakes.graph_post(path, headers=auth).status_code == 200
    override = {"override_callback_uri": "http://override.localhost/w", "verify_token": "verify-me"}
    assert fakes.graph_post(path, json=override, headers=auth).status_code == 200
    register = {"messaging_product": "whatsapp", "pin": "123456"}
    assert (
        fakes.graph_post(f"/{V}/{created['phone_number_id']}/register", json=register, headers=auth).status_code == 200
    )
    fakes.settle()
    assert [changes(p)[0][1] for p in app_hook.posts] == ["account_update"]
    [post] = waba_hook.posts
    assert changes(post) == [(created["waba_id"], "phone_number_name_update", None)] and post["path"] == "/w"


def test_removing_the_app_sends_partner_app_uninstalled_and_invalidates_its_tokens(fakes):
    receiver = fakes.receiver()
    assert subscribe(fakes).status_code == 200
    token, created = fakes.token()
    tenant = fakes.h.world.tenant()
    with fakes.h.world.lock:
        webhooks.partner_uninstalled(tenant, fakes.APP_ID)
    fakes.settle()
    gone = [c for p in receiver.posts for c in changes(p) if c[2] == "PARTNER_APP_UNINSTALLED"]
    assert {c[0] for c in gone} == {fakes.DEMO_WABA, created["waba_id"]}
    uninstalled = json.loads(receiver.posts[-1]["body"])["entry"][-1]["changes"][0]["value"]["waba_info"]
    assert uninstalled["partner_app_id"] == fakes.APP_ID
    refused = fakes.graph_get(f"/{V}/{created['waba_id']}", headers=fakes.bearer(token))
    assert refused.status_code == 401 and refused.json()["error"]["error_subcode"] == 458


def test_a_seeded_subscription_delivers_without_a_verification_request(make_fakes):
    h = Harness(check_responses=True)
    h.seed_demo()
    app = {
        "id": "100000000000002",
        "secret": "second-app-secret-not-real",
        "webhooks": {"callback_url": HOOK, "fields": ["account_update"], "retry_seconds": [0.5]},
    }
    h.seed({"apps": [app]})
    fakes = make_fakes(h)
    receiver = fakes.receiver(status=[500, 200])
    fakes.signup(app_id=app["id"])
    fakes.settle()
    fakes.advance(0.5)
    assert [r["method"] for r in receiver.requests] == ["POST", "POST"]
    assert verified(app["secret"], receiver.posts[1]) and not verified(fakes.APP_SECRET, receiver.posts[1])
    seeded = h.world.tenant().meta.apps[app["id"]].webhooks["whatsapp_business_account"]
    assert seeded.fields == {"account_update": "v21.0"} and seeded.verify_token


# -- over real sockets --------------------------------------------------------------------------------------


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve_receiver(app) -> tuple[WSGIServer, str]:
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/meta"


def test_served_fakes_verify_and_deliver_to_a_real_socket(request):
    received: list[dict] = []

    def partner(environ, start_response):
        from urllib.parse import parse_qs

        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        received.append({"method": environ["REQUEST_METHOD"], "signature": environ.get("HTTP_X_HUB_SIGNATURE_256")})
        received[-1]["body"] = body
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [query.get("hub.challenge", "ok").encode()]

    receiver, url = serve_receiver(partner)
    request.addfinalizer(receiver.shutdown)
    h = Harness(check_responses=True)
    h.seed_demo()
    app_id, secret = "100000000000001", "local-app-secret-not-real"
    with h.serve(graph_port=0, telnyx_port=0) as server, requests.Session() as http:
        server.wait_ready()
        data = {"object": "whatsapp_business_account", "callback_url": url, "fields": "account_update"}
        data.update(verify_token="t", access_token=f"{app_id}|{secret}")
        response = http.post(f"{server.graph_url}/{V}/{app_id}/subscriptions", data=data, timeout=10)
        assert response.status_code == 200, response.text
        created = h.complete_signup(app_id=app_id)
        assert h.world.timekeeper.settle()
    assert [r["method"] for r in received] == ["GET", "POST"]
    post = received[1]
    assert post["signature"] == "sha256=" + hmac.new(secret.encode(), post["body"], hashlib.sha256).hexdigest()
    assert json.loads(post["body"])["entry"][0]["id"] == created["waba_id"]
