"""Graph nodes by type, Meta's field sets, nested projection, paging URLs and filtering (fakes/graph/nodes.py,
node_bodies.py, node_fields.py, phone_numbers_edge.py)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

V = "v22.0"


def test_get_phone_number_node_is_the_number_not_the_waba(fakes):
    token, created = fakes.token()
    response = fakes.graph_get(f"/{V}/{created['phone_number_id']}", headers=fakes.bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == created["phone_number_id"]
    assert set(body) == {
        "verified_name",
        "code_verification_status",
        "display_phone_number",
        "quality_rating",
        "platform_type",
        "throughput",
        "id",
    }
    assert body["platform_type"] == "NOT_APPLICABLE" and body["throughput"] == {"level": "NOT_APPLICABLE"}


def test_pywa_field_lists_are_served(fakes):
    token, created = fakes.token()
    waba_fields = (
        "id,name,timezone_id,message_template_namespace,status,business_verification_status,"
        "is_enabled_for_insights,marketing_messages_lite_api_status,marketing_messages_onboarding_status,"
        "on_behalf_of_business_info,ownership_type,health_status,currency,country,subscribed_apps,"
        "owner_business_info,account_review_status,disable_marketing_messages_on_cloud_api"
    )
    waba = fakes.graph_get(f"/{V}/{created['waba_id']}", params={"fields": waba_fields}, headers=fakes.bearer(token))
    assert waba.status_code == 200, waba.text
    body = waba.json()
    assert "on_behalf_of_business_info" not in body  # a field without a value is left out, not an error
    assert body["owner_business_info"] == {"id": created["business_id"], "name": "Acme Corp"}
    assert body["subscribed_apps"] == {"data": []}
    phone_fields = (
        "id,verified_name,display_phone_number,conversational_automation,status,quality_rating,quality_score,"
        "webhook_configuration,name_status,code_verification_status,account_mode,is_on_biz_app,"
        "is_official_business_account,is_pin_enabled,is_preverified_number,search_visibility,platform_type,"
        "throughput,health_status,certificate,last_onboarded_time,country_code,country_dial_code,"
        "whatsapp_business_manager_messaging_limit,messaging_limit_tier"
    )
    phone = fakes.graph_get(
        f"/{V}/{created['phone_number_id']}", params={"fields": phone_fields}, headers=fakes.bearer(token)
    )
    assert phone.status_code == 200, phone.text
    number = phone.json()
    assert number["status"] == "PENDING" and number["account_mode"] == "LIVE" and number["is_on_biz_app"] is False
    assert number["health_status"]["can_send_message"] == "BLOCKED"  # not registered yet
    assert number["country_code"] == "US" and number["country_dial_code"] == "1"
    assert "certificate" not in number and "last_onboarded_time" not in number


def test_nested_projection_with_braces(fakes):
    token, created = fakes.token()
    response = fakes.graph_get(
        f"/{V}/{created['waba_id']}",
        params={"fields": "owner_business_info{id},health_status{can_send_message}"},
        headers=fakes.bearer(token),
    )
    assert response.json() == {
        "owner_business_info": {"id": created["business_id"]},
        "health_status": {"can_send_message": "AVAILABLE"},
        "id": created["waba_id"],
    }
    bad = fakes.graph_get(f"/{V}/{created['waba_id']}", params={"fields": "name{"}, headers=fakes.bearer(token))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 100


def test_a_field_meta_does_not_have_is_refused(fakes):
    token, created = fakes.token()
    response = fakes.graph_get(
        f"/{V}/{created['phone_number_id']}", params={"fields": "id,nope"}, headers=fakes.bearer(token)
    )
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message == "(#100) Tried accessing nonexisting field (nope) on node type (WhatsAppBusinessPhoneNumber)"


def test_waba_edge_on_a_phone_number_is_graphs_nonexisting_field(fakes):
    token, created = fakes.token()
    response = fakes.graph_get(f"/{V}/{created['phone_number_id']}/phone_numbers", headers=fakes.bearer(token))
    assert response.status_code == 400
    assert "(phone_numbers) on node type (WhatsAppBusinessPhoneNumber)" in response.json()["error"]["message"]


def test_app_business_and_me_nodes(fakes):
    token, created = fakes.token()
    app = fakes.graph_get(f"/{V}/{fakes.APP_ID}", headers=fakes.bearer(token)).json()
    assert app == {
        "link": f"https://www.facebook.com/games/?app_id={fakes.APP_ID}",
        "name": "Your Portal (Tech Provider)",
        "id": fakes.APP_ID,
    }
    business = fakes.graph_get(f"/{V}/{created['business_id']}", headers=fakes.bearer(token)).json()
    assert business == {"id": created["business_id"], "name": "Acme Corp"}
    me = fakes.graph_get(f"/{V}/me", headers=fakes.bearer(token)).json()
    assert me["name"] == "Your Portal (Tech Provider) System User"
    assert fakes.graph_get(f"/{V}/{me['id']}", headers=fakes.bearer(token)).json() == me
    permissions = fakes.graph_get(f"/{V}/me/permissions", headers=fakes.bearer(token)).json()["data"]
    assert {"permission": "business_management", "status": "granted"} in permissions
    app_token_me = fakes.graph_get(f"/{V}/me", params={"access_token": fakes.APP_TOKEN})
    assert app_token_me.status_code == 400 and app_token_me.json()["error"]["code"] == 2500


def test_paging_urls_keep_token_fields_and_limit(fakes):
    token, created = fakes.token()
    waba = fakes.h.world.tenant().meta.wabas[created["waba_id"]]
    fakes.h.seed({"wabas": [{"id": "390000000000001", "phone_numbers": [{}, {}]}]})
    extra = fakes.h.world.tenant().meta.wabas.pop("390000000000001").phone_number_ids
    for phone_id in extra:
        fakes.h.world.tenant().meta.phone_numbers[phone_id].waba_id = waba.id
    waba.phone_number_ids += extra
    params = {"access_token": token, "fields": "id,status", "limit": "1"}
    first = fakes.graph_get(f"/{V}/{waba.id}/phone_numbers", params=params).json()
    assert len(first["data"]) == 1 and "previous" not in first["paging"]
    next_url = first["paging"]["next"]
    query = parse_qs(urlsplit(next_url).query)
    assert query["access_token"] == [token] and query["fields"] == ["id,status"] and query["limit"] == ["1"]
    second = fakes.http.get(next_url, timeout=10).json()  # the URL alone is enough, as with Meta's
    assert second["data"][0]["id"] != first["data"][0]["id"] and "previous" in second["paging"]


def test_phone_numbers_filtering(fakes):
    token, created = fakes.token()
    path = f"/{V}/{created['waba_id']}/phone_numbers"
    hit = [{"field": "status", "operator": "EQUAL", "value": "PENDING"}]
    miss = [{"field": "account_mode", "operator": "EQUAL", "value": "SANDBOX"}]
    found = fakes.graph_get(path, params={"filtering": json.dumps(hit)}, headers=fakes.bearer(token)).json()
    assert [n["id"] for n in found["data"]] == [created["phone_number_id"]]
    none = fakes.graph_get(path, params={"filtering": json.dumps(miss)}, headers=fakes.bearer(token)).json()
    assert none == {"data": []}
    bad = fakes.graph_get(path, params={"filtering": "not json"}, headers=fakes.bearer(token))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 100


def test_coexistence_number_is_on_the_business_app(fakes):
    token, created = fakes.token(outcome="FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING")
    number = fakes.graph_get(
        f"/{V}/{created['phone_number_id']}", params={"fields": "is_on_biz_app,status"}, headers=fakes.bearer(token)
    ).json()
    assert number["is_on_biz_app"] is True and number["status"] == "CONNECTED"


def test_asset_of_the_granted_business_but_not_granted_is_200(fakes):
    token, created = fakes.token()
    meta = fakes.h.world.tenant().meta
    fakes.h.seed({"wabas": [{"id": "390000000000002", "business_id": created["business_id"]}]})
    assert "390000000000002" in meta.wabas
    response = fakes.graph_get(f"/{V}/390000000000002", headers=fakes.bearer(token))
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == 200 and error["error_data"]["messaging_product"] == "whatsapp"
