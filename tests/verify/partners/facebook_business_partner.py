"""A partner backend built on Meta's facebook-business SDK (Graph) and requests (Telnyx), with no host configured
anywhere: the SDK calls https://graph.facebook.com itself (and pins its own CA bundle, which REQUESTS_CA_BUNDLE
overrides). Reaches the fakes only through `signup-harness verify --intercept`."""

import json
import os
import sys
import time

import requests
from facebook_business.adobjects.whatsappbusinessaccount import WhatsAppBusinessAccount
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError

ENV = os.environ
TELNYX = "https://api.telnyx.com/v2"
TIMEOUT = float(ENV.get("SIGNUP_TIMEOUT") or 10)
VERSION = "v19.0"


class Failure(Exception):
    pass


# Meta renamed the WABA scope in June 2026; a partner reads both namings.
WABA_SCOPES = ("whatsapp_business_management", "whatsapp_business_manage_events")


def retried(call):
    for attempt in range(1, 4):
        try:
            return call()
        except FacebookRequestError as error:
            status = error.http_status() or 0
            if attempt == 3 or not (status == 429 or status >= 500):
                raise Failure(f"graph: HTTP {status} {error.api_error_code()}") from error
        except ValueError as error:
            raise Failure(f"graph: malformed answer ({error})") from error
        except requests.ConnectionError as error:
            if attempt == 3:
                raise Failure(f"graph: {error!r}") from error
        time.sleep(0.2 * attempt)
    raise Failure("unreachable")


def onboard():
    event = json.loads(ENV["SIGNUP_EVENT"]) if ENV.get("SIGNUP_EVENT") else {}
    if event.get("event") in ("CANCEL", "ERROR"):
        raise Failure(f"signup ended with {event['event']}")
    if not ENV.get("SIGNUP_CODE"):
        raise Failure("no code")
    data = event.get("data") or {}
    app_id, secret = ENV["META_APP_ID"], ENV["META_APP_SECRET"]
    app = FacebookAdsApi.init(app_id, secret, f"{app_id}|{secret}", api_version=VERSION, crash_log=False)
    params = {"client_id": app_id, "client_secret": secret, "code": ENV["SIGNUP_CODE"]}
    if ENV.get("SIGNUP_REDIRECT_URI"):
        params["redirect_uri"] = ENV["SIGNUP_REDIRECT_URI"]
    token = retried(lambda: app.call("GET", ("oauth", "access_token"), params=params).json())["access_token"]
    waba_id = data.get("waba_id")
    if not waba_id:
        debug = retried(lambda: app.call("GET", ("debug_token",), params={"input_token": token}).json())
        debug = debug.get("data") or {}
        scopes = [s for s in debug.get("granular_scopes") or [] if s.get("scope") in WABA_SCOPES]
        targets = scopes[0].get("target_ids") if scopes else None
        if not debug.get("is_valid") or not targets:
            raise Failure("no WABA id")
        waba_id = targets[0]
    phone_number_id = data.get("phone_number_id")
    if not phone_number_id:
        business = FacebookAdsApi.init(app_id, secret, token, api_version=VERSION, crash_log=False)
        numbers = retried(lambda: list(WhatsAppBusinessAccount(str(waba_id), api=business).get_phone_numbers()))
        if not numbers:
            raise Failure("no phone number")
        phone_number_id = numbers[0]["id"]
    body = {"waba_id": str(waba_id), "phone_number_id": str(phone_number_id), "app_id": app_id}
    if ENV.get("SIGNUP_CUSTOMER_ID"):
        body["customer_id"] = ENV["SIGNUP_CUSTOMER_ID"]
    headers = {"Authorization": f"Bearer {ENV['TELNYX_API_KEY']}"} if ENV.get("TELNYX_API_KEY") else {}
    for attempt in range(1, 4):
        try:
            response = requests.post(
                f"{TELNYX}/whatsapp/business_accounts/tech_provider", json=body, headers=headers, timeout=TIMEOUT
            )
        except requests.Timeout as error:
            raise Failure("telnyx: timeout") from error
        except requests.ConnectionError as error:
            if attempt == 3:
                raise Failure(f"telnyx: {error!r}") from error
            time.sleep(0.2 * attempt)
            continue
        if (response.status_code == 429 or response.status_code >= 500) and attempt < 3:
            time.sleep(float(response.headers.get("Retry-After") or 0.2 * attempt))
            continue
        break
    if response.status_code != 200:
        raise Failure(f"telnyx: HTTP {response.status_code}")
    return {"outcome": "success", "waba_id": str(waba_id), "phone_number_id": str(phone_number_id)}


if __name__ == "__main__":
    try:
        print(json.dumps(onboard()))
    except Failure as failure:
        print(f"onboarding failed: {failure}", file=sys.stderr)
        sys.exit(1)
