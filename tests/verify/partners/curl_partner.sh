#!/bin/sh
# A partner backend in shell, with curl and jq, as partners write it: the vendor URLs are hard-coded.
#
# It reads the signup (SIGNUP_CODE, SIGNUP_EVENT) and the credentials (META_APP_ID, META_APP_SECRET,
# TELNYX_API_KEY, SIGNUP_CUSTOMER_ID, SIGNUP_REDIRECT_URI, SIGNUP_TIMEOUT) and nothing else of the harness, so it
# reaches the fakes only through `signup-harness verify --intercept`. Exit 0 on success, 1 on a handled failure.
set -u

GRAPH=https://graph.facebook.com/v19.0
TELNYX=https://api.telnyx.com/v2
TIMEOUT=${SIGNUP_TIMEOUT:-10}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

fail() { echo "onboarding failed: $*" >&2; exit 1; }

# call NAME curl-arguments...: body in $WORK/NAME, status in $STATUS. 429, 5xx and dropped connections are
# retried (honouring Retry-After); a timeout (curl 28) is not.
call() {
  name=$1; shift
  attempt=1
  while :; do
    STATUS=$(curl -sS --max-time "$TIMEOUT" -o "$WORK/$name" -D "$WORK/$name.headers" -w '%{http_code}' "$@" 2>"$WORK/$name.err")
    rc=$?
    if [ "$rc" -eq 28 ]; then fail "timeout: $(cat "$WORK/$name.err")"; fi
    if [ "$rc" -ne 0 ] || [ "$STATUS" = 429 ] || [ "$STATUS" -ge 500 ]; then
      [ "$attempt" -ge 3 ] && { [ "$rc" -ne 0 ] && fail "unreachable: $(cat "$WORK/$name.err")"; return 0; }
      wait=$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9.]*\).*/\1/p' "$WORK/$name.headers" 2>/dev/null)
      sleep "${wait:-0.2}"
      attempt=$((attempt + 1))
      continue
    fi
    jq -e . "$WORK/$name" >/dev/null 2>&1 || fail "malformed JSON from $name (HTTP $STATUS)"
    return 0
  done
}

event=$(printf '%s' "${SIGNUP_EVENT:-}" | jq -r '.event // empty' 2>/dev/null)
case "$event" in CANCEL|ERROR) fail "signup ended with $event" ;; esac
[ -n "${SIGNUP_CODE:-}" ] || fail "no code"
waba_id=$(printf '%s' "${SIGNUP_EVENT:-}" | jq -r '.data.waba_id // empty' 2>/dev/null)
phone_number_id=$(printf '%s' "${SIGNUP_EVENT:-}" | jq -r '.data.phone_number_id // empty' 2>/dev/null)

set -- -G "$GRAPH/oauth/access_token" --data-urlencode "client_id=$META_APP_ID" \
  --data-urlencode "client_secret=$META_APP_SECRET" --data-urlencode "code=$SIGNUP_CODE"
[ -n "${SIGNUP_REDIRECT_URI:-}" ] && set -- "$@" --data-urlencode "redirect_uri=$SIGNUP_REDIRECT_URI"
call exchange "$@"
[ "$STATUS" = 200 ] || fail "code exchange: HTTP $STATUS"
token=$(jq -r '.access_token // empty' "$WORK/exchange")
[ -n "$token" ] || fail "no access_token"

if [ -z "$waba_id" ]; then
  call debug -G "$GRAPH/debug_token" --data-urlencode "input_token=$token" \
    --data-urlencode "access_token=$META_APP_ID|$META_APP_SECRET"
  [ "$STATUS" = 200 ] || fail "debug_token: HTTP $STATUS"
  waba_id=$(jq -r 'if .data.is_valid then [.data.granular_scopes[]? | select(.scope == "whatsapp_business_management" or .scope == "whatsapp_business_manage_events")
    | .target_ids[]?][0] // empty else empty end' "$WORK/debug")
  [ -n "$waba_id" ] || fail "no WABA id"
fi
if [ -z "$phone_number_id" ]; then
  # appsecret_proof: HMAC-SHA256 of the token with the app secret (apps may require it; Meta accepts it always)
  proof=$(printf '%s' "$token" | openssl dgst -sha256 -hmac "$META_APP_SECRET" -r | cut -d' ' -f1)
  call numbers -G "$GRAPH/$waba_id/phone_numbers" --data-urlencode "appsecret_proof=$proof" \
    -H "Authorization: Bearer $token"
  [ "$STATUS" = 200 ] || fail "phone numbers: HTTP $STATUS"
  phone_number_id=$(jq -r '.data[0].id // empty' "$WORK/numbers")
  [ -n "$phone_number_id" ] || fail "no phone number"
fi

body=$(jq -nc --arg waba "$waba_id" --arg phone "$phone_number_id" --arg app "$META_APP_ID" \
  --arg customer "${SIGNUP_CUSTOMER_ID:-}" --arg event "$event" \
  '{waba_id: $waba, phone_number_id: $phone, app_id: $app}
   + (if $customer != "" then {customer_id: $customer} else {} end)
   + (if $event == "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING" then {event: $event} else {} end)')
set -- -X POST "$TELNYX/whatsapp/business_accounts/tech_provider" -H "Content-Type: application/json" \
  -H "Accept: application/json" --data "$body"
[ -n "${TELNYX_API_KEY:-}" ] && set -- "$@" -H "Authorization: Bearer $TELNYX_API_KEY"
call register "$@"
[ "$STATUS" = 200 ] || [ "$STATUS" = 201 ] || fail "telnyx: HTTP $STATUS $(jq -r '.errors[0].code // empty' "$WORK/register")"
printf '{"outcome":"success","waba_id":"%s","phone_number_id":"%s"}\n' "$waba_id" "$phone_number_id"
