"""Every limit of fakes.core.limits answers in the right envelope, and the server serves a good request after it.

Both transports where the limit applies; raw sockets for what only a socket can send (framing, stalls)."""

from __future__ import annotations

import json
import logging
import socket
import time

import pytest
import requests

from fakes.core import limits
from fakes.core.world import World
from fakes.harness import Harness

REGISTER = "/whatsapp/business_accounts/tech_provider"


def assert_telnyx_error(response: requests.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert [item["code"] for item in response.json()["errors"]] == ["10015"]


def assert_graph_error(response: requests.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == 100


def assert_admin_error(response: requests.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert "message" in response.json()["harness_error"]


def scoped_admin(fakes, vendor: str, path: str) -> str:
    """The default tenant's control plane (the root one needs the admin token)."""
    root = fakes.graph if vendor == "graph" else fakes.telnyx_root
    return f"{root}/_t/default/__admin{path}"


def assert_still_serves(fakes) -> None:
    response = fakes.register(fakes.DEMO_WABA, fakes.DEMO_PHONE)
    assert response.status_code == 200, response.text


def test_a_body_past_the_limit_is_the_vendors_413(fakes):
    body = json.dumps({"waba_id": "3" * (limits.MAX_BODY_BYTES + 10)})
    assert_telnyx_error(fakes.tx("POST", REGISTER, data=body, headers={"Content-Type": "application/json"}), 413)
    graph = fakes.http.post(f"{fakes.graph}/v19.0/oauth/access_token", data=body)
    assert_graph_error(graph, 413)
    assert_admin_error(fakes.http.post(scoped_admin(fakes, "telnyx", "/seed"), data=body), 413)
    assert_still_serves(fakes)


def test_a_long_target_is_the_vendors_414(fakes):
    long_query = {"x": "a" * (limits.MAX_TARGET_BYTES + 1)}
    assert_telnyx_error(fakes.tx("GET", "/whatsapp/phone_numbers", params=long_query), 414)
    assert_graph_error(fakes.http.get(f"{fakes.graph}/v19.0/debug_token", params=long_query), 414)
    assert_admin_error(fakes.http.get(scoped_admin(fakes, "graph", "/journal"), params=long_query), 414)
    assert_still_serves(fakes)


def test_large_headers_are_the_vendors_431(fakes):
    headers = {f"X-Filler-{i}": "v" * 4000 for i in range(limits.MAX_HEADER_BYTES // 4000 + 2)}
    assert_telnyx_error(fakes.tx("GET", "/whatsapp/phone_numbers", headers=headers), 431)
    assert_graph_error(fakes.http.get(f"{fakes.graph}/v19.0/debug_token", headers=headers), 431)
    many = {f"X-H{i}": "1" for i in range(limits.MAX_HEADER_COUNT + 1)}
    assert_admin_error(fakes.http.get(scoped_admin(fakes, "telnyx", "/journal"), headers=many), 431)
    assert_still_serves(fakes)


@pytest.mark.parametrize("depth", [limits.MAX_JSON_DEPTH + 1, 100_000])
def test_deep_json_is_refused_before_validation(fakes, depth):
    deep = "[" * depth + "]" * depth
    body = '{"waba_id": ' + deep + "}"
    response = fakes.tx("POST", REGISTER, data=body, headers={"Content-Type": "application/json"})
    assert_telnyx_error(response, 400)
    assert "nested deeper" in response.json()["errors"][0]["detail"]
    graph = fakes.http.post(
        f"{fakes.graph}/v19.0/{fakes.DEMO_PHONE}/register",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
    )
    assert_graph_error(graph, 400)
    admin = fakes.http.post(
        scoped_admin(fakes, "telnyx", "/faults"), data=deep, headers={"Content-Type": "application/json"}
    )
    assert_admin_error(admin, 400)
    assert_still_serves(fakes)


def test_a_huge_single_value_is_refused_and_never_echoed(fakes):
    huge = "9" * (limits.MAX_JSON_VALUE_BYTES + 1)
    response = fakes.register(fakes.DEMO_WABA, fakes.DEMO_PHONE, customer_id=huge)
    assert_telnyx_error(response, 400)
    assert huge not in response.text
    assert all(huge not in value for value in response.headers.values())
    assert_still_serves(fakes)


def test_violations_header_is_truncated_with_a_marker(fakes):
    body = {f"field{i}": i for i in range(40)} | {"waba_id": "x" * 300, "phone_number_id": [], "app_id": {}}
    response = fakes.tx("POST", REGISTER, json=body)
    header = response.headers["X-Harness-Violations"]
    assert len(header) <= limits.MAX_VIOLATIONS_HEADER_BYTES
    items = json.loads(header)
    assert all(len(item.get("message", "")) <= limits.MAX_ECHO_CHARS + len(limits.ECHO_MARKER) for item in items)


def test_violations_header_past_the_cap_ends_with_the_marker():
    from fakes.core.openapi import Violation
    from fakes.core.pipeline import violations_header

    many = [Violation("body", f"/f{i}", "type", "m" * 150) for i in range(100)]
    items = json.loads(violations_header(many))
    assert len(violations_header(many)) <= limits.MAX_VIOLATIONS_HEADER_BYTES
    assert items[-1] == limits.VIOLATIONS_TRUNCATED
    assert 1 < len(items) < 100


def test_echoed_values_are_capped():
    assert limits.echo("a" * 10) == "a" * 10
    cut = limits.echo("a" * 10_000)
    assert cut.endswith(limits.ECHO_MARKER) and len(cut) == limits.MAX_ECHO_CHARS + len(limits.ECHO_MARKER)


def test_unknown_admin_routes_and_methods_are_control_plane_json(fakes):
    assert_admin_error(fakes.http.get(scoped_admin(fakes, "telnyx", "/no-such-thing")), 404)
    assert_admin_error(fakes.http.put(scoped_admin(fakes, "graph", "/reset")), 405)
    trace = fakes.http.request("TRACE", scoped_admin(fakes, "telnyx", "/journal"))
    assert_admin_error(trace, 405)


def test_trace_on_a_vendor_route_is_the_vendors_405(fakes):
    response = fakes.tx("TRACE", "/whatsapp/phone_numbers")
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "10030"


# -- raw sockets: what only a socket can send ------------------------------------------------------------------
def exchange(port: int, raw: bytes, wait: float = 5.0, shut_write: bool = False) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as conn:
        conn.sendall(raw)
        if shut_write:
            conn.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, rest = data.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    None,
                )
                if length is not None and len(rest) >= length:
                    break
        return data


def head_and_body(data: bytes) -> tuple[int, dict]:
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


POST_HEAD = (
    f"POST /v2{REGISTER} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    "Authorization: Bearer KEYLOCALTEST0001_notarealtelnyxkey\r\n"
).encode()


@pytest.fixture
def served():
    h = Harness()
    h.seed_demo()
    with h.serve(graph_port=0, telnyx_port=0) as server:
        server.wait_ready()
        yield h, server


def good_request(server) -> None:
    body = {"waba_id": "300000000000001", "phone_number_id": "400000000000001", "app_id": "100000000000001"}
    response = requests.post(
        server.telnyx_url + REGISTER, json=body, headers={"Authorization": "Bearer KEYLOCALTEST0001_notarealtelnyxkey"}
    )
    assert response.status_code == 200, response.text


def test_malformed_chunk_framing_is_a_vendor_error_not_a_500(served):
    """The parser ends the body where the framing breaks; the fake answers what arrived in its own envelope."""
    _, server = served
    port = server.servers["telnyx"].port
    cut = b'Transfer-Encoding: chunked\r\n\r\n8\r\n{"waba_i\r\nzz\r\n'
    status, body = head_and_body(exchange(port, POST_HEAD + cut))
    assert status == 400 and body["errors"][0]["code"] == "10023"  # Invalid JSON: the body stops mid-value
    status, body = head_and_body(exchange(port, POST_HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"))
    assert status == 422 and body["errors"][0]["code"] == "10004"  # nothing arrived: the body is missing
    good_request(server)


def test_a_huge_declared_chunk_then_hang_up_costs_nothing(served):
    _, server = served
    port = server.servers["telnyx"].port
    status, body = head_and_body(
        exchange(
            port, POST_HEAD + b"Transfer-Encoding: chunked\r\n\r\nfffffffffff\r\n" + b"a" * (limits.MAX_BODY_BYTES + 1)
        )
    )
    assert status == 413 and body["errors"][0]["code"] == "10015"
    exchange(port, POST_HEAD + b"Transfer-Encoding: chunked\r\n\r\nfffffffffff\r\nab", wait=1.0, shut_write=True)
    good_request(server)


def test_a_huge_content_length_is_413_at_once(served):
    _, server = served
    port = server.servers["graph"].port
    raw = b"POST /v19.0/oauth/access_token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000000000\r\n\r\n{}"
    status, body = head_and_body(exchange(port, raw))
    assert status == 413 and body["error"]["code"] == 100
    good_request(server)


def test_a_stalled_body_is_answered_408(served, monkeypatch):
    _, server = served
    monkeypatch.setattr(limits, "BODY_READ_TIMEOUT_S", 0.2)
    port = server.servers["telnyx"].port
    status, body = head_and_body(exchange(port, POST_HEAD + b"Content-Length: 100\r\n\r\n{"))
    assert status == 408 and body["errors"][0]["code"] == "10015"
    good_request(server)


def test_a_stalled_head_is_closed_and_others_are_served(monkeypatch):
    monkeypatch.setattr(limits, "HEADER_READ_TIMEOUT_S", 0.3)
    h = Harness()
    h.seed_demo()
    with h.serve(graph_port=0, telnyx_port=0) as server:
        server.wait_ready()
        port = server.servers["telnyx"].port
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
        try:
            for conn in idle:
                conn.sendall(b"GET /v2/whatsapp/phone_numbers HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            good_request(server)  # half-open connections hold no thread
            idle[0].settimeout(5)
            started = time.monotonic()
            assert idle[0].recv(4096) is not None  # closed (or answered) by the server, not left hanging
            assert time.monotonic() - started < 5
        finally:
            for conn in idle:
                conn.close()


def test_the_world_stays_one_while_served(served):
    h, server = served
    good_request(server)
    assert h.world.tenant().telnyx.registration_for_waba("300000000000001") is not None


# -- bounded state ---------------------------------------------------------------------------------------------
def test_idle_tenants_are_evicted_least_recently_used_first():
    world = World(max_tenants=3)
    world.tenant("held", hold=True)
    world.tenant("a")
    world.tenant("b")
    world.tenant("a")  # a is now more recent than b
    world.tenant("c")  # evicts b
    assert set(world.tenants) == {"held", "a", "c"}
    world.tenant("d")  # evicts a, never the held one
    assert set(world.tenants) == {"held", "c", "d"}


def test_a_tenant_with_a_request_in_flight_is_not_evicted():
    world = World(max_tenants=2)
    world.tenant("busy")
    world.request_started("busy")
    world.tenant("x")
    world.tenant("y")
    assert "busy" in world.tenants
    world.request_finished("busy")


def test_expired_codes_and_tokens_are_pruned():
    from fakes.core.world import AccessToken, AuthCode

    world = World()
    tenant = world.tenant()
    start = world.clock.now()
    for i in range(100):
        tenant.meta.codes[f"c{i}"] = AuthCode(f"c{i}", "app", "user", [], issued_at=start)
        tenant.meta.tokens[f"t{i}"] = AccessToken(f"t{i}", "app", "user", "USER", (), start, expires_at=start + 10)
        tenant.remember_credential(f"t{i}")
    tenant.meta.codes["fresh"] = AuthCode("fresh", "app", "user", [], issued_at=start + 100)
    world.clock.advance(100)
    tenant.maybe_prune()
    assert list(tenant.meta.codes) == ["fresh"]
    assert not tenant.meta.tokens
    assert not any(value.startswith("t") for value in world.credentials)


def test_codes_go_as_they_expire_even_behind_a_long_lived_one():
    from fakes.core.world import PRUNE_FLOOR, AuthCode

    world = World()
    tenant = world.tenant()
    start = world.clock.now()
    tenant.meta.codes["long"] = AuthCode("long", "app", "user", [], issued_at=start, ttl=10_000)
    for i in range(2 * PRUNE_FLOOR):
        tenant.meta.codes[f"c{i}"] = AuthCode(f"c{i}", "app", "user", [], issued_at=start + i)
    tenant.meta.codes["c0"].ttl = 10_000  # a code given more time after it was stored is kept
    world.clock.advance(31 + 2 * PRUNE_FLOOR)
    tenant.maybe_prune()
    assert len(tenant.meta.codes) == PRUNE_FLOOR  # a scenario's own few codes keep their exact errors
    assert {"long", "c0"} <= set(tenant.meta.codes)
    assert f"c{2 * PRUNE_FLOOR - 1}" in tenant.meta.codes  # the newest expired ones are the last to go


def test_registrations_are_indexed_and_paged_newest_first(fakes):
    from fakes.core.world import Registration

    tenant = fakes.h.world.tenant()
    book = tenant.telnyx.registrations
    first = next(iter(book.values()), None)
    for i in range(5000):
        registration = Registration(f"id{i}", f"w{i}", "p", "a", None, created_at=float(i))
        book[registration.id] = registration
    assert book.for_waba("w4999").id == "id4999"
    del book["id4999"]
    assert book.for_waba("w4999") is None
    page = book.newest_first(lambda r: r.id)
    assert page[0:3] == ["id4998", "id4997", "id4996"]
    assert len(page) == 4999 + (first is not None)


def test_rejected_request_lines_are_logged_redacted(served, caplog):
    _, server = served
    caplog.set_level(logging.INFO, logger="fakes.server")
    secret = "local-app-secret-not-real"
    params = {"client_secret": secret, "filler": "a" * (limits.MAX_TARGET_BYTES + 1)}
    response = requests.get(server.graph_url + "/v19.0/oauth/access_token", params=params)
    assert response.status_code == 414
    lines = [r.getMessage() for r in caplog.records if r.name == "fakes.server"]
    assert any(" 414 " in line for line in lines), lines
    assert all(secret not in line for line in lines)


def test_a_port_in_use_is_refused(served):
    h, server = served
    with pytest.raises(OSError):
        h.serve(graph_port=server.servers["graph"].port, telnyx_port=0)
