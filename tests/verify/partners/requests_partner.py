"""A partner backend in Python with `requests`, as partners write it: the vendor URLs are hard-coded.

It reads nothing of the harness but the signup itself and the credentials (SIGNUP_CODE, SIGNUP_EVENT,
META_APP_ID, META_APP_SECRET, TELNYX_API_KEY, SIGNUP_CUSTOMER_ID, SIGNUP_REDIRECT_URI, SIGNUP_TIMEOUT), so it
reaches the fakes only through `signup-harness verify --intercept`. Exit 0 on success, 1 on a handled failure.
"""

import hashlib
import hmac
import json
import os
import sys
import time

import requests

GRAPH = "https://graph.facebook.com/v19.0"
TELNYX = "https://api.telnyx.com/v2"
ENV = os.environ
TIMEOUT = float(ENV.get("SIGNUP_TIMEOUT") or 10)
ATTEMPTS = 3


class Failure(Exception):
    pass


# Meta renamed the WABA scope in June 2026; a partner reads both namings.
WABA_SCOPES = ("whatsapp_business_management", "whatsapp_business_manage_events")


def send(method, url, **kwargs):
    """429, 5xx and dropped connections are retried (honouring Retry-After); a timeout is not."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = requests.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.Timeout as exc:
            raise Failure(f"timeout: {url}") from exc
        except requests.ConnectionError as exc:
            if attempt == ATTEMPTS:
                raise Failure(f"unreachable: {url}") from exc
            time.sleep(0.2 * attempt)
            continue
        if (response.status_code == 429 or response.status_code >= 500) and attempt < ATTEMPTS:
            time.sleep(float(response.headers.get("Retry-After") or 0.2 * attempt))
            continue
        return response
    raise Failure("unreachable")


def body_of(response):
    try:
        return response.json()
    except ValueError as exc:
        raise Failure(f"malformed JSON from {response.url} (HTTP {response.status_code})") from exc


def graph(path, params=None, headers=None):
    response = send("GET", f"{GRAPH}/{path}", params=params, headers=headers)
    body = body_of(response)
    if not response.ok:
        raise Failure(f"graph {path}: HTTP {response.status_code} {body.get('error', {}).get('code')}")
    return body


def onboard():
    event = json.loads(ENV["SIGNUP_EVENT"]) if ENV.get("SIGNUP_EVENT") else {}
    if event.get("event") in ("CANCEL", "ERROR"):
        raise Failure(f"signup ended with {event['event']}")
    data = event.get("data") or {}
    if not ENV.get("SIGNUP_CODE"):
        raise Failure("no code")
    params = {"client_id": ENV["META_APP_ID"], "client_secret": ENV["META_APP_SECRET"], "code": ENV["SIGNUP_CODE"]}
    if ENV.get("SIGNUP_REDIRECT_URI"):
        params["redirect_uri"] = ENV["SIGNUP_REDIRECT_URI"]
    token = graph("oauth/access_token", params).get("access_token")
    if not token:
        raise Failure("no access_token")
    waba_id = data.get("waba_id")
    if not waba_id:
        app_token = f"{ENV['META_APP_ID']}|{ENV['META_APP_SECRET']}"
        debug = graph("debug_token", {"input_token": token, "access_token": app_token}).get("data") or {}
        scopes = [s for s in debug.get("granular_scopes") or [] if s.get("scope") in WABA_SCOPES]
        targets = scopes[0].get("target_ids") if scopes else None
        if not debug.get("is_valid") or not targets:
            raise Failure("no WABA id")
        waba_id = targets[0]
    phone_number_id = data.get("phone_number_id")
    if not phone_number_id:
        # appsecret_proof: HMAC-SHA256 of the token with the app secret (apps may require it; Meta accepts it always)
        proof = hmac.new(ENV["META_APP_SECRET"].encode(), token.encode(), hashlib.sha256).hexdigest()
        numbers = (
            graph(
                f"{waba_id}/phone_numbers", {"appsecret_proof": proof}, headers={"Authorization": f"Bearer {token}"}
            ).get("data")
            or []
        )
        if not numbers:
            raise Failure("no phone number")
        phone_number_id = numbers[0]["id"]
    registration = {"waba_id": str(waba_id), "phone_number_id": str(phone_number_id), "app_id": ENV["META_APP_ID"]}
    if ENV.get("SIGNUP_CUSTOMER_ID"):
        registration["customer_id"] = ENV["SIGNUP_CUSTOMER_ID"]
    if event.get("event") == "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING":
        registration["event"] = event["event"]
    headers = {"Accept": "application/json"}
    if ENV.get("TELNYX_API_KEY"):
        headers["Authorization"] = f"Bearer {ENV['TELNYX_API_KEY']}"
    response = send("POST", f"{TELNYX}/whatsapp/business_accounts/tech_provider", json=registration, headers=headers)
    body = body_of(response)
    if not response.ok:
        raise Failure(f"telnyx: HTTP {response.status_code} {body.get('errors', [{}])[0].get('code')}")
    return {"outcome": "success", "waba_id": str(waba_id), "phone_number_id": str(phone_number_id)}


if __name__ == "__main__":
    try:
        print(json.dumps(onboard()))
    except Failure as failure:
        print(f"onboarding failed: {failure}", file=sys.stderr)
        sys.exit(1)
