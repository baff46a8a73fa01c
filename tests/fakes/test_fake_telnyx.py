"""The Telnyx fake: tech_provider registration and the WhatsApp listings, pinned to docs/vendor-contract.md."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import requests

REGISTER = "/whatsapp/business_accounts/tech_provider"
DOCS_URL = "https://developers.telnyx.com/docs/overview/errors/"
TITLES = {
    "10004": "Missing required parameter",
    "10005": "Resource not found",
    "10007": "Unexpected error",
    "10009": "Authentication failed",
    "10011": "Too many requests",
    "10012": "Duplicate resource",
    "10015": "Bad Request",
    "10017": "Associated resource does not exist",
    "10023": "Invalid JSON",
    "10026": "Invalid parameter type",
    "10029": "Expected JSON Content-Type",
    "10030": "Method not allowed",
    "10037": "Service unavailable",
    "10038": "Feature not permitted",
}
RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-request-id", "request-id")


def telnyx_errors(response: requests.Response, status: int, *codes: str) -> list[dict[str, Any]]:
    """Assert the Telnyx envelope, the status and the codes (in order); return the error items."""
    assert response.status_code == status, response.text
    items = response.json()["errors"]
    assert [item["code"] for item in items] == list(codes)
    for item in items:
        assert item["title"] == TITLES[item["code"]]
        assert item["meta"]["url"] == DOCS_URL + item["code"]
        assert item["detail"]
    return items


def telnyx_error(response: requests.Response, status: int, code: str, **source: str) -> dict[str, Any]:
    [item] = telnyx_errors(response, status, code)
    assert item.get("source") == (source or None)
    return item


# -- authentication ---------------------------------------------------------------------------------------------

AUTHED_CALLS = [
    ("POST", REGISTER),
    ("GET", "/whatsapp/business_accounts"),
    ("GET", f"/whatsapp/business_accounts/{uuid.UUID(int=1)}"),
    ("DELETE", f"/whatsapp/business_accounts/{uuid.UUID(int=1)}"),
    ("GET", f"/whatsapp/business_accounts/{uuid.UUID(int=1)}/phone_numbers"),
    ("GET", "/whatsapp/phone_numbers"),
]


@pytest.mark.parametrize(("method", "path"), AUTHED_CALLS)
@pytest.mark.parametrize("key", ["none", "unknown", "revoked", "not_bearer"])
def test_bad_key_is_401_10009(fakes, method, path, key):
    headers = {
        "none": {},
        "unknown": {"Authorization": "Bearer KEYNOTKNOWN_x"},
        "revoked": {"Authorization": f"Bearer {fakes.REVOKED_KEY}"},
        "not_bearer": {"Authorization": f"Basic {fakes.API_KEY}"},
    }[key]
    response = fakes.tx(method, path, key=None, headers=headers, json={} if method == "POST" else None)
    item = telnyx_error(response, 401, "10009")
    assert item["meta"] == {"url": DOCS_URL + "10009"}


def test_auth_is_checked_before_the_body(fakes):
    response = fakes.tx("POST", REGISTER, key=None, data="{not json", headers={"Content-Type": "application/json"})
    telnyx_error(response, 401, "10009")


# -- validation -------------------------------------------------------------------------------------------------


def test_missing_app_id(fakes):
    created = fakes.signup()
    response = fakes.tx(
        "POST", REGISTER, json={"waba_id": created["waba_id"], "phone_number_id": created["phone_number_id"]}
    )
    item = telnyx_error(response, 422, "10004", pointer="/app_id")
    assert item["detail"] == "The 'app_id' parameter is required and cannot be blank."


def test_one_entry_per_missing_field(fakes):
    items = telnyx_errors(fakes.tx("POST", REGISTER, json={}), 422, "10004", "10004", "10004")
    assert sorted(item["source"]["pointer"] for item in items) == ["/app_id", "/phone_number_id", "/waba_id"]


def test_empty_strings_count_as_missing(fakes):
    response = fakes.tx("POST", REGISTER, json={"waba_id": "", "phone_number_id": "", "app_id": fakes.APP_ID})
    items = telnyx_errors(response, 422, "10004", "10004")
    assert sorted(item["source"]["pointer"] for item in items) == ["/phone_number_id", "/waba_id"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("waba_id", 104996122399160), ("phone_number_id", "12ab"), ("app_id", ["1"]), ("customer_id", 42)],
)
def test_wrong_type_or_format_is_10026(fakes, field, value):
    created = fakes.signup()
    body = {"waba_id": created["waba_id"], "phone_number_id": created["phone_number_id"], "app_id": fakes.APP_ID}
    body[field] = value
    telnyx_error(fakes.tx("POST", REGISTER, json=body), 422, "10026", pointer=f"/{field}")


def test_body_that_is_not_an_object(fakes):
    response = fakes.tx("POST", REGISTER, json=["waba_id"])
    assert response.status_code == 422
    assert {item["code"] for item in response.json()["errors"]} <= {"10004", "10026"}


@pytest.mark.parametrize("body", ["{not json", '{"waba_id": ', "\xff\xfe"])
def test_malformed_json_is_400_10023(fakes, body):
    response = fakes.tx("POST", REGISTER, data=body.encode("latin-1"), headers={"Content-Type": "application/json"})
    telnyx_error(response, 400, "10023")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_wrong_content_type_is_415_10029(fakes, content_type):
    response = fakes.tx("POST", REGISTER, data=b'{"waba_id": "1"}', headers={"Content-Type": content_type})
    telnyx_error(response, 415, "10029")


def test_empty_body_is_missing_fields(fakes):
    response = fakes.tx("POST", REGISTER, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert {item["code"] for item in response.json()["errors"]} == {"10004"}


@pytest.mark.parametrize(
    "path",
    ["/v2/whatsapp/business_accounts", "/v2/whatsapp/business_accounts/tech_provider", "/whatsapp/nope", "/nope"],
)
@pytest.mark.parametrize("key", [True, False], ids=["with_key", "no_key"])
def test_unknown_route_is_404_10005_before_auth(fakes, path, key):
    method = "POST" if path.endswith("tech_provider") else "GET"
    response = fakes.tx(method, path, key=fakes.API_KEY if key else None, json={} if method == "POST" else None)
    telnyx_error(response, 404, "10005")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/whatsapp/business_accounts"),
        ("DELETE", "/whatsapp/phone_numbers"),
        ("POST", "/whatsapp/phone_numbers"),
        ("PATCH", f"/whatsapp/business_accounts/{uuid.UUID(int=1)}"),
    ],
)
def test_wrong_method_is_405_10030(fakes, method, path):
    telnyx_error(fakes.tx(method, path), 405, "10030")


# -- business rules ---------------------------------------------------------------------------------------------


def test_registration_success_body(fakes):
    created = fakes.signup()
    response = fakes.register(created["waba_id"], created["phone_number_id"])
    assert response.status_code == 200
    session_id = response.json()["data"]["session_id"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", session_id)
    assert response.json() == {
        "data": {
            "waba_id": created["waba_id"],
            "phone_number_id": created["phone_number_id"],
            "status": "registered",
            "customer_id": None,
            "session_id": session_id,
        }
    }
    other = fakes.signup()
    response = fakes.register(other["waba_id"], other["phone_number_id"], customer_id="acme-corp-42")
    assert response.json()["data"]["customer_id"] == "acme-corp-42"


def test_unknown_fields_are_ignored(fakes):
    created = fakes.signup(outcome="FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING")
    body = {
        "waba_id": created["waba_id"],
        "phone_number_id": created["phone_number_id"],
        "app_id": fakes.APP_ID,
        "event": "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING",
        "anything": {"else": 1},
    }
    assert fakes.tx("POST", REGISTER, json=body).status_code == 200


@pytest.mark.parametrize("app", ["unknown", "not_linked"])
def test_app_not_linked_is_403_10038(fakes, app):
    if app == "not_linked":
        fakes.h.seed({"apps": [{"id": "100000000000009", "secret": "s", "linked_to_telnyx": False}]})
        app_id = "100000000000009"
        created = fakes.signup(app_id=app_id)
    else:
        app_id, created = "999999999999999", fakes.signup()
    response = fakes.register(created["waba_id"], created["phone_number_id"], app_id=app_id)
    telnyx_error(response, 403, "10038", pointer="/app_id")


@pytest.mark.parametrize("waba", ["unknown", "not_shared", "shared_with_another_app"])
def test_waba_unknown_or_not_shared_is_422_10017(fakes, waba):
    created = fakes.signup(share_with_app=waba != "not_shared")
    waba_id = "123456789012345" if waba == "unknown" else created["waba_id"]
    app_id = fakes.APP_ID
    if waba == "shared_with_another_app":
        fakes.h.seed({"apps": [{"id": "100000000000002", "secret": "s"}]})
        app_id = "100000000000002"
    response = fakes.register(waba_id, created["phone_number_id"], app_id=app_id)
    telnyx_error(response, 422, "10017", pointer="/waba_id")


@pytest.mark.parametrize("phone", ["unknown", "other_waba"])
def test_phone_number_not_in_the_waba_is_422_10017(fakes, phone):
    created = fakes.signup()
    phone_id = "123456789012345" if phone == "unknown" else fakes.signup()["phone_number_id"]
    response = fakes.register(created["waba_id"], phone_id)
    telnyx_error(response, 422, "10017", pointer="/phone_number_id")


def test_identical_registration_is_idempotent(fakes):
    created = fakes.signup()
    first = fakes.register(created["waba_id"], created["phone_number_id"], customer_id="c-1")
    second = fakes.register(created["waba_id"], created["phone_number_id"], customer_id="c-1")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    listing = fakes.tx("GET", "/whatsapp/business_accounts").json()
    assert listing["meta"]["total_results"] == 1


@pytest.mark.parametrize("change", ["customer_id", "phone_number_id", "app_id"])
def test_conflicting_registration_is_409_10012(fakes, change):
    fakes.h.seed(
        {
            "apps": [{"id": "100000000000002", "secret": "s"}],
            "wabas": [
                {
                    "id": "320000000000001",
                    "shared_with": [fakes.APP_ID, "100000000000002"],
                    "phone_numbers": [{"id": "520000000000001"}, {"id": "520000000000002"}],
                }
            ],
        }
    )
    first = {"phone_number_id": "520000000000001", "app_id": fakes.APP_ID, "customer_id": "c-1"}
    assert fakes.register("320000000000001", **first).status_code == 200
    changed = {"customer_id": "c-2", "phone_number_id": "520000000000002", "app_id": "100000000000002"}
    response = fakes.register("320000000000001", **{**first, change: changed[change]})
    telnyx_error(response, 409, "10012", pointer="/waba_id")
    listing = fakes.tx("GET", "/whatsapp/business_accounts").json()
    assert listing["meta"]["total_results"] == 1
    assert listing["data"][0]["customer_id"] == "c-1"


# -- listings ---------------------------------------------------------------------------------------------------


def test_registered_waba_appears_in_every_listing(fakes):
    created = fakes.register_signup()
    [waba] = fakes.tx("GET", "/whatsapp/business_accounts").json()["data"]
    assert waba["waba_id"] == created["waba_id"]
    assert waba["record_type"] == "whatsapp_business_account"
    assert waba["app_id"] == fakes.APP_ID and waba["customer_id"] is None
    assert uuid.UUID(waba["id"]).version == 7
    one = fakes.tx("GET", f"/whatsapp/business_accounts/{waba['id']}")
    assert one.status_code == 200 and one.json() == {"data": waba}
    numbers = fakes.tx("GET", f"/whatsapp/business_accounts/{waba['id']}/phone_numbers").json()
    assert [n["phone_number_id"] for n in numbers["data"]] == [created["phone_number_id"]]
    assert numbers["data"][0]["waba_id"] == created["waba_id"]
    assert numbers["data"][0]["record_type"] == "whatsapp_business_phone_number"
    assert numbers["meta"] == {"page_number": 1, "page_size": 20, "total_pages": 1, "total_results": 1}
    everything = fakes.tx("GET", "/whatsapp/phone_numbers").json()
    assert [n["phone_number_id"] for n in everything["data"]] == [created["phone_number_id"]]


def test_empty_listings(fakes):
    for path in ("/whatsapp/business_accounts", "/whatsapp/phone_numbers"):
        body = fakes.tx("GET", path).json()
        assert body == {"data": [], "meta": {"page_number": 1, "page_size": 20, "total_pages": 0, "total_results": 0}}


@pytest.mark.parametrize("path", ["/whatsapp/business_accounts", "/whatsapp/phone_numbers"])
def test_pagination_meta(fakes, path):
    created = []
    for _ in range(3):
        created.append(fakes.register_signup())
        fakes.h.advance_clock(1)
    key = "waba_id"
    seen = []
    for number in (1, 2, 3):
        page = fakes.tx("GET", path, params={"page[size]": 1, "page[number]": number}).json()
        assert page["meta"] == {"page_number": number, "page_size": 1, "total_pages": 3, "total_results": 3}
        assert len(page["data"]) == 1
        seen.append(page["data"][0][key])
    assert seen == [c["waba_id"] for c in reversed(created)]  # newest first
    beyond = fakes.tx("GET", path, params={"page[size]": 1, "page[number]": 4}).json()
    assert beyond == {"data": [], "meta": {"page_number": 4, "page_size": 1, "total_pages": 3, "total_results": 3}}
    two = fakes.tx("GET", path, params={"page[size]": 2, "page[number]": 2}).json()
    assert two["meta"]["total_pages"] == 2 and len(two["data"]) == 1


def test_newest_first_without_the_clock_moving(fakes):
    created = [fakes.register_signup() for _ in range(3)]
    listed = [w["waba_id"] for w in fakes.tx("GET", "/whatsapp/business_accounts").json()["data"]]
    assert listed == [c["waba_id"] for c in reversed(created)]


@pytest.mark.parametrize("path", ["/whatsapp/business_accounts", "/whatsapp/phone_numbers", "/waba/phone_numbers"])
@pytest.mark.parametrize(
    ("parameter", "value"),
    [("page[size]", "0"), ("page[size]", "251"), ("page[size]", "ten"), ("page[number]", "0"), ("page[number]", "-1")],
)
def test_invalid_page_parameter_is_422_10015(fakes, path, parameter, value):
    if path.startswith("/waba"):
        fakes.register_signup()
        waba = fakes.tx("GET", "/whatsapp/business_accounts").json()["data"][0]["id"]
        path = f"/whatsapp/business_accounts/{waba}/phone_numbers"
    response = fakes.tx("GET", path, params={parameter: value})
    telnyx_error(response, 422, "10015", parameter=parameter)


@pytest.mark.parametrize("telnyx_id", [str(uuid.UUID(int=7)), "not-a-uuid", "300000000000001"])
def test_unknown_waba_id_is_404_10005(fakes, telnyx_id):
    for method, suffix in (("GET", ""), ("DELETE", ""), ("GET", "/phone_numbers")):
        response = fakes.tx(method, f"/whatsapp/business_accounts/{telnyx_id}{suffix}")
        telnyx_error(response, 404, "10005")


def test_delete_then_gone(fakes):
    created = fakes.register_signup()
    telnyx_id = fakes.tx("GET", "/whatsapp/business_accounts").json()["data"][0]["id"]
    response = fakes.tx("DELETE", f"/whatsapp/business_accounts/{telnyx_id}")
    assert response.status_code == 204 and response.content == b""
    telnyx_error(fakes.tx("GET", f"/whatsapp/business_accounts/{telnyx_id}"), 404, "10005")
    telnyx_error(fakes.tx("DELETE", f"/whatsapp/business_accounts/{telnyx_id}"), 404, "10005")
    assert fakes.tx("GET", "/whatsapp/phone_numbers").json()["data"] == []
    # The WABA stays at Meta, so it can be registered again.
    assert fakes.register(created["waba_id"], created["phone_number_id"]).status_code == 200


# -- headers and the catalogue across everything ----------------------------------------------------------------


def test_headers_and_one_title_per_code_on_every_response(fakes):
    created = fakes.signup()
    responses = [
        fakes.register(created["waba_id"], created["phone_number_id"]),
        fakes.register(created["waba_id"], created["phone_number_id"], customer_id="other"),
        fakes.register("1", created["phone_number_id"]),
        fakes.register(created["waba_id"], "1"),
        fakes.register(created["waba_id"], created["phone_number_id"], app_id="2"),
        fakes.tx("POST", REGISTER, json={}),
        fakes.tx("POST", REGISTER, json={"waba_id": 1}),
        fakes.tx("POST", REGISTER, data=b"{", headers={"Content-Type": "application/json"}),
        fakes.tx("POST", REGISTER, data=b"x", headers={"Content-Type": "text/plain"}),
        fakes.tx("POST", REGISTER, key=None, json={}),
        fakes.tx("GET", "/whatsapp/business_accounts"),
        fakes.tx("GET", "/whatsapp/business_accounts", params={"page[size]": 0}),
        fakes.tx("GET", "/whatsapp/phone_numbers"),
        fakes.tx("GET", f"/whatsapp/business_accounts/{uuid.UUID(int=3)}"),
        fakes.tx("GET", "/v2/whatsapp/business_accounts"),
        fakes.tx("PUT", "/whatsapp/phone_numbers"),
    ]
    fakes.h.arm_fault({"operation": "telnyx.listWabas", "status": 429})
    fakes.h.arm_fault({"operation": "telnyx.listPhoneNumbers", "status": 503})
    fakes.h.arm_fault({"operation": "telnyx.getWaba", "status": 500})
    responses += [
        fakes.tx("GET", "/whatsapp/business_accounts"),
        fakes.tx("GET", "/whatsapp/phone_numbers"),
        fakes.tx("GET", f"/whatsapp/business_accounts/{uuid.UUID(int=3)}"),
    ]
    titles: dict[str, set[str]] = {}
    request_ids = set()
    for response in responses:
        for header in RATE_HEADERS:
            assert response.headers.get(header), (response.request.url, header)
        assert response.headers["x-request-id"] == response.headers["request-id"]
        assert int(response.headers["x-ratelimit-limit"]) >= int(response.headers["x-ratelimit-remaining"])
        assert 0 < int(response.headers["x-ratelimit-reset"]) <= 60
        request_ids.add(response.headers["x-request-id"])
        if response.status_code >= 400:
            for item in response.json()["errors"]:
                assert isinstance(item["code"], str) and len(item["code"]) == 5
                titles.setdefault(item["code"], set()).add(item["title"])
    assert len(request_ids) == len(responses)
    assert all(len(seen) == 1 for seen in titles.values()), titles
    assert {code: seen.pop() for code, seen in titles.items()} == {code: TITLES[code] for code in titles}
    assert set(titles) >= {"10004", "10005", "10007", "10009", "10011", "10012", "10015", "10017", "10023"}
    assert set(titles) >= {"10026", "10029", "10030", "10037", "10038"}


def test_ratelimit_remaining_counts_down(fakes):
    first = fakes.tx("GET", "/whatsapp/business_accounts")
    second = fakes.tx("GET", "/whatsapp/business_accounts")
    assert int(second.headers["x-ratelimit-remaining"]) == int(first.headers["x-ratelimit-remaining"]) - 1
