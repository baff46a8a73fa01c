"""A partner backend built on pywa (Meta Graph) and httpx (Telnyx), with no host configured anywhere: pywa calls
https://graph.facebook.com itself. Reaches the fakes only through `signup-harness verify --intercept`."""

import json
import os
import sys
import time

import httpx
from pywa import WhatsApp
from pywa.errors import WhatsAppError

ENV = os.environ
TELNYX = "https://api.telnyx.com/v2"
TIMEOUT = float(ENV.get("SIGNUP_TIMEOUT") or 10)


class Failure(Exception):
    pass


# Meta renamed the WABA scope in June 2026; a partner reads both namings.
WABA_SCOPES = ("whatsapp_business_management", "whatsapp_business_manage_events")


def retried(call):
    """Graph 5xx and 429 are retried a little; any other Graph error is final."""
    for attempt in range(1, 4):
        try:
            return call()
        except WhatsAppError as error:
            status = getattr(error.raw_response, "status_code", 0) or 0
            if attempt == 3 or not (status == 429 or status >= 500):
                raise Failure(f"graph: {error!r}") from error
        except ValueError as error:  # a body that is not JSON: final, nothing is registered
            raise Failure(f"graph: malformed answer ({error})") from error
        except httpx.TransportError as error:
            if attempt == 3:
                raise Failure(f"graph: {error!r}") from error
        time.sleep(0.2 * attempt)
    raise Failure("unreachable")


def graph_get(path, params):
    response = httpx.get(f"https://graph.facebook.com/v19.0/{path}", params=params, timeout=TIMEOUT)
    if response.status_code >= 400:
        raise WhatsAppError.from_dict(error=response.json().get("error", {}), response=response)
    return response.json()


def onboard():
    event = json.loads(ENV["SIGNUP_EVENT"]) if ENV.get("SIGNUP_EVENT") else {}
    if event.get("event") in ("CANCEL", "ERROR"):
        raise Failure(f"signup ended with {event['event']}")
    if not ENV.get("SIGNUP_CODE"):
        raise Failure("no code")
    data = event.get("data") or {}
    app = WhatsApp(token="unused-until-the-exchange", api_version="19.0")
    app_id, secret, code = int(ENV["META_APP_ID"]), ENV["META_APP_SECRET"], ENV["SIGNUP_CODE"]
    if ENV.get("SIGNUP_REDIRECT_URI"):  # pywa sends no redirect_uri: call Graph directly when one is configured
        params = {
            "client_id": app_id,
            "client_secret": secret,
            "code": code,
            "redirect_uri": ENV["SIGNUP_REDIRECT_URI"],
        }
        exchanged = retried(lambda: graph_get("oauth/access_token", params))
    else:
        exchanged = retried(lambda: app.api.get_business_access_token(app_id, secret, code))
    token = exchanged["access_token"]
    waba_id = data.get("waba_id")
    if not waba_id:  # pywa has no debug_token call
        params = {"input_token": token, "access_token": f"{app_id}|{secret}"}
        debug = retried(lambda: graph_get("debug_token", params)).get("data") or {}
        scopes = [s for s in debug.get("granular_scopes") or [] if s.get("scope") in WABA_SCOPES]
        targets = scopes[0].get("target_ids") if scopes else None
        if not debug.get("is_valid") or not targets:
            raise Failure("no WABA id")
        waba_id = targets[0]
    phone_number_id = data.get("phone_number_id")
    if not phone_number_id:
        business = WhatsApp(token=token, business_account_id=str(waba_id), api_version="19.0")
        numbers = list(retried(lambda: business.get_business_phone_numbers(waba_id=str(waba_id))))
        if not numbers:
            raise Failure("no phone number")
        phone_number_id = numbers[0].id
    body = {"waba_id": str(waba_id), "phone_number_id": str(phone_number_id), "app_id": ENV["META_APP_ID"]}
    if ENV.get("SIGNUP_CUSTOMER_ID"):
        body["customer_id"] = ENV["SIGNUP_CUSTOMER_ID"]
    headers = {"Authorization": f"Bearer {ENV['TELNYX_API_KEY']}"} if ENV.get("TELNYX_API_KEY") else {}
    with httpx.Client(timeout=TIMEOUT) as telnyx:
        for attempt in range(1, 4):
            try:
                response = telnyx.post(f"{TELNYX}/whatsapp/business_accounts/tech_provider", json=body, headers=headers)
            except httpx.TimeoutException as error:
                raise Failure("telnyx: timeout") from error
            except httpx.TransportError as error:
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
