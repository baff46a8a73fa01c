"""The interception proxy on real sockets: TLS for the vendor hosts from the harness CA, the fakes behind it,
every other host refused by name, the tenant carried by the proxy URL."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from fakes.harness import Harness
from harness.intercept import VENDOR_HOSTS, InterceptProxy, LocalCA, intercept

APP = "100000000000001"
SECRET = "local-app-secret-not-real"
KEY = "KEYLOCALTEST0001_notarealtelnyxkey"


@pytest.fixture
def harness() -> Harness:
    h = Harness(seed=3, check_responses=True)
    h.seed_demo()
    h.seed_demo(tenant="acme")
    return h


@pytest.fixture
def proxy(harness: Harness, tmp_path: Path) -> Iterator[InterceptProxy]:
    with intercept(harness, LocalCA(tmp_path / "ca")) as p:
        yield p


def _session(proxy: InterceptProxy, tenant: str | None = None) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    url = proxy.proxy_url(tenant)
    session.proxies = {"https": url, "http": url}
    session.verify = str(proxy.ca.bundle_path)
    return session


def _raw(proxy: InterceptProxy, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_the_vendor_hosts_are_served_by_the_fakes_in_the_proxy_urls_tenant(
    proxy: InterceptProxy, harness: Harness
) -> None:
    signup = harness.complete_signup("acme", app_id=APP)
    session = _session(proxy, "acme")
    token = session.get(
        "https://graph.facebook.com/v19.0/oauth/access_token",
        params={"client_id": APP, "client_secret": SECRET, "code": signup["code"]},
        timeout=5,
    )
    assert token.status_code == 200 and token.json()["access_token"].startswith("EAA")
    data = signup["event"]["data"]
    registered = session.post(
        "https://api.telnyx.com/v2/whatsapp/business_accounts/tech_provider",
        json={"waba_id": data["waba_id"], "phone_number_id": data["phone_number_id"], "app_id": APP},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=5,
    )
    assert registered.status_code == 200 and registered.json()["data"]["status"] == "registered"
    sdk = session.get("https://connect.facebook.net/en_US/sdk.js", timeout=5)
    assert sdk.status_code == 200 and "FB" in sdk.text
    entries = harness.journal(tenant="acme")
    assert [(e["vendor"], e["operation"]) for e in entries] == [
        ("graph", "exchangeCode"),
        ("telnyx", "registerTechProvider"),
    ]
    assert harness.journal(tenant="default") == []


def test_without_a_tenant_the_default_tenant_or_the_fakes_decide(proxy: InterceptProxy, harness: Harness) -> None:
    session = _session(proxy)
    url = "https://api.telnyx.com/v2/whatsapp/business_accounts"
    session.get(url, timeout=5)  # no credential to tell the tenant: "default"
    assert [e["tenant"] for e in harness.journal()] == ["default"]
    proxy.default_tenant = "acme"
    session.get(url, timeout=5)
    assert [e["operation"] for e in harness.journal(tenant="acme")] == ["listWabas"]


def test_every_other_host_is_refused_by_name(proxy: InterceptProxy) -> None:
    auth = base64.b64encode(b"acme:intercept").decode()
    answer = _raw(
        proxy,
        f"CONNECT api.example.com:443 HTTP/1.1\r\nProxy-Authorization: Basic {auth}\r\n\r\n".encode(),
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 403 signup-harness refuses api.example.com:443")
    assert b"refused api.example.com:443" in body and b"nothing is forwarded" in body
    for host in VENDOR_HOSTS:
        assert host.encode() in body
    # A vendor host on another port is not served either.
    assert _raw(proxy, b"CONNECT graph.facebook.com:8443 HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 403")
    events = proxy.events()
    assert [(e.kind, e.host, e.port, e.tenant) for e in events] == [
        ("refused", "api.example.com", 443, "acme"),
        ("refused", "graph.facebook.com", 8443, None),
    ]
    assert events[0].reason() == (
        "network: the partner tried to reach api.example.com:443, which the interception proxy refused"
    )


def test_plain_http_is_refused_and_the_proxy_is_no_server(proxy: InterceptProxy) -> None:
    session = _session(proxy)
    vendor = session.get("http://graph.facebook.com/v19.0/me", timeout=5)
    assert vendor.status_code == 403 and "HTTPS only" in vendor.text
    other = session.get("http://example.org/", timeout=5)
    assert other.status_code == 403 and "refused example.org:80" in other.text
    direct = requests.get(proxy.url + "/", timeout=5)
    assert direct.status_code == 400 and "HTTPS_PROXY" in direct.text
    assert [e.kind for e in proxy.events()] == ["plain-http", "refused"]


def test_a_malformed_request_gets_a_plain_answer(proxy: InterceptProxy) -> None:
    answer = _raw(proxy, b"CONNECT graph.facebook.com:443 HTTP/1.1\r\n" + b"X-Flood: y\r\n" * 150 + b"\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431") and b"text/plain" in head
    assert body.startswith(b"signup-harness intercept: ") and b"<" not in body


def test_an_https_url_sent_in_the_clear_is_served(proxy: InterceptProxy, harness: Harness) -> None:
    """axios sends `GET https://host/...` to the proxy instead of CONNECT; the request is served all the same."""
    auth = base64.b64encode(b"acme:intercept").decode()
    answer = _raw(
        proxy,
        (
            "GET https://api.telnyx.com/v2/whatsapp/business_accounts HTTP/1.1\r\nHost: api.telnyx.com\r\n"
            f"Authorization: Bearer {KEY}\r\nProxy-Authorization: Basic {auth}\r\nConnection: close\r\n\r\n"
        ).encode(),
    )
    assert answer.startswith(b"HTTP/1.1 200")
    assert [e["operation"] for e in harness.journal(tenant="acme")] == ["listWabas"]


def test_a_dropped_connection_stays_a_dropped_connection(proxy: InterceptProxy, harness: Harness) -> None:
    harness.arm_fault({"operation": "telnyx.listWabas", "drop_connection": True})
    with pytest.raises(requests.ConnectionError):
        _session(proxy).get("https://api.telnyx.com/v2/whatsapp/business_accounts", timeout=5)


def test_a_client_without_the_ca_fails_the_handshake_and_it_is_recorded(proxy: InterceptProxy) -> None:
    session = _session(proxy, "acme")
    session.verify = True  # public roots only
    with pytest.raises(requests.exceptions.SSLError):
        session.get("https://graph.facebook.com/v19.0/me", timeout=5)
    assert proxy.wait_idle()
    [event] = proxy.events("acme")
    assert event.kind == "tls-failed" and event.host == "graph.facebook.com"


def test_a_kept_ca_is_reused(tmp_path: Path) -> None:
    first = LocalCA(tmp_path / "ca")
    second = LocalCA(tmp_path / "ca")
    assert first.generated and not second.generated
    assert first.cert_path.read_bytes() == second.cert_path.read_bytes()
    assert second.bundle_path.read_bytes().startswith(second.cert_path.read_bytes())
    assert (tmp_path / "ca" / "ca-key.pem").stat().st_mode & 0o077 == 0  # the key is the owner's only
