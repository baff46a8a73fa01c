#!/usr/bin/env node
// An example partner backend for WhatsApp Tech Provider Embedded Signup, in plain Node 20 (built-in fetch, no
// npm dependencies). It does what the Telnyx guide's "Your backend" step describes, configured ONLY through the
// environment variables `signup-harness verify` hands over (the same names work against the real vendors):
//
//   1. read what the browser received: SIGNUP_CODE (FB.login's code) and SIGNUP_EVENT (the WA_EMBEDDED_SIGNUP
//      message); a CANCEL or an error event ends the onboarding before any network call
//   2. exchange the code:      GET  {SIGNUP_GRAPH_BASE_URL}/{SIGNUP_GRAPH_VERSION}/oauth/access_token
//   3. resolve the ids:        from the event, else GET /debug_token (WABA) and GET /{waba_id}/phone_numbers
//   4. register with Telnyx:   POST {SIGNUP_TELNYX_BASE_URL}/whatsapp/business_accounts/tech_provider
//   5. report: exit 0 and {"outcome":"success",...} in SIGNUP_RESULT_FILE, or exit 1 and {"outcome":"error",
//      "error":"<label>"}. Secrets (META_APP_SECRET, TELNYX_API_KEY, the code, the business token) are never
//      printed.
//
// Retries: HTTP 429, 5xx and dropped connections are retried (SIGNUP_RETRY_MAX_ATTEMPTS attempts, default 3,
// backoff 0.2 s, 0.4 s, ...). A request timeout (SIGNUP_TIMEOUT seconds) is NOT retried: the vendor may already
// have acted. Other 4xx answers are final.
//
// ---------------------------------------------------------------------------------------------------------------
// DELIBERATE BUG (so that `signup-harness verify` has something to catch): this backend runs inside the portal's
// HTTP request and refuses to keep the customer waiting, so it honours Telnyx's `Retry-After` only up to
// MAX_RETRY_AFTER_SECONDS (1 s). When a 429 asks for a longer wait it gives up on that first 429 and reports the
// onboarding as failed ("rate_limited"), although waiting as told would have registered the number.
// Scenario `telnyx-429-then-success` (429 with `Retry-After: 2`, then 200) therefore fails verification with
// "outcome: expected success; the partner reported a failure (exit status 1, error 'rate_limited: ...')" and
// "calls: ... telnyx.registerTechProvider at least x2 ...". Every other scenario of the catalogue passes.
// The fix: wait as long as Retry-After says (or queue the registration and finish it in the background).
// ---------------------------------------------------------------------------------------------------------------

import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";

const MAX_RETRY_AFTER_SECONDS = 1; // the deliberate bug: see above
const TECH_PROVIDER_PATH = "whatsapp/business_accounts/tech_provider";
// debug_token's scope for the granted WABAs: Meta renamed it in June 2026, so read both names.
const WABA_SCOPES = new Set(["whatsapp_business_management", "whatsapp_business_manage_events"]);
const FINISH_EVENTS = new Set(["FINISH", "FINISH_ONLY_WABA", "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING"]);

class OnboardingFailure extends Error {
  constructor(label, detail) {
    super(detail ? `${label}: ${detail}` : label);
    this.label = label;
  }
}

function setting(name, fallback = "") {
  const value = process.env[name];
  return value === undefined || value === "" ? fallback : value;
}

const config = {
  graphBase: setting("SIGNUP_GRAPH_BASE_URL", "https://graph.facebook.com").replace(/\/+$/, ""),
  graphVersion: setting("SIGNUP_GRAPH_VERSION", "v19.0"),
  telnyxBase: setting("SIGNUP_TELNYX_BASE_URL", setting("TELNYX_BASE_URL", "https://api.telnyx.com/v2")).replace(
    /\/+$/,
    "",
  ),
  appId: setting("META_APP_ID"),
  appSecret: setting("META_APP_SECRET"),
  telnyxKey: setting("TELNYX_API_KEY"),
  redirectUri: setting("SIGNUP_REDIRECT_URI"), // Embedded Signup needs none; sent only when configured
  customerId: setting("SIGNUP_CUSTOMER_ID"),
  timeoutMs: Number(setting("SIGNUP_TIMEOUT", "10")) * 1000,
  maxAttempts: Math.max(1, Number.parseInt(setting("SIGNUP_RETRY_MAX_ATTEMPTS", "3"), 10) || 3),
};

const log = (message) => process.stderr.write(`onboard: ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function graphUrl(path, params) {
  const root = config.graphVersion ? `${config.graphBase}/${config.graphVersion}` : config.graphBase;
  const url = new URL(`${root}/${path}`);
  for (const [key, value] of Object.entries(params ?? {})) url.searchParams.set(key, value);
  return url;
}

// One vendor call with bounded retries. Returns the final Response (ok or not) for the caller to interpret.
async function send(operation, url, init = {}) {
  for (let attempt = 1; ; attempt += 1) {
    let response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(config.timeoutMs) });
    } catch (error) {
      if (error?.name === "TimeoutError" || error?.name === "AbortError") {
        throw new OnboardingFailure("timeout", `${operation} took longer than ${config.timeoutMs / 1000} s`);
      }
      if (attempt >= config.maxAttempts) {
        throw new OnboardingFailure("unreachable", `${operation}: ${error?.cause?.code ?? error?.message}`);
      }
      log(`${operation}: connection failed (attempt ${attempt}), retrying`);
      await sleep(200 * 2 ** (attempt - 1));
      continue;
    }
    const retryable = response.status === 429 || response.status >= 500;
    if (!retryable || attempt >= config.maxAttempts) return response;
    let waitMs = 200 * 2 ** (attempt - 1);
    const retryAfter = Number.parseFloat(response.headers.get("retry-after") ?? "");
    if (Number.isFinite(retryAfter)) {
      if (response.status === 429 && retryAfter > MAX_RETRY_AFTER_SECONDS) {
        await response.body?.cancel();
        throw new OnboardingFailure(
          "rate_limited",
          `${operation}: asked to wait ${retryAfter} s (Retry-After), more than we wait (${MAX_RETRY_AFTER_SECONDS} s)`,
        );
      }
      waitMs = retryAfter * 1000;
    }
    await response.body?.cancel();
    log(`${operation}: HTTP ${response.status} (attempt ${attempt}), retrying in ${waitMs} ms`);
    await sleep(waitMs);
  }
}

async function json(operation, response) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new OnboardingFailure("malformed_response", `${operation} answered HTTP ${response.status} with invalid JSON`);
  }
}

async function graphGet(operation, path, params, headers = {}) {
  const response = await send(operation, graphUrl(path, params), { headers });
  const body = await json(operation, response);
  if (!response.ok) {
    const error = body?.error ?? {};
    const code = [error.code, error.error_subcode].filter((c) => c !== undefined).join("/");
    throw new OnboardingFailure(
      code === "4" ? "rate_limited" : "graph_error",
      `${operation} HTTP ${response.status} code ${code || "?"}: ${error.message ?? "no Graph error"}`,
    );
  }
  return body;
}

function interpretEvent(raw) {
  if (!raw) return null;
  let message;
  try {
    message = JSON.parse(raw);
  } catch {
    throw new OnboardingFailure("malformed_event", "SIGNUP_EVENT is not JSON");
  }
  if (message?.type !== "WA_EMBEDDED_SIGNUP") return null;
  const data = message.data ?? {};
  if (message.event === "CANCEL" && !data.error_message) {
    throw new OnboardingFailure("cancelled", `the customer closed the popup at ${data.current_step ?? "an unknown step"}`);
  }
  if (message.event === "CANCEL" || message.event === "ERROR") {
    throw new OnboardingFailure("signup_error", `code ${data.error_code}: ${data.error_message} (session ${data.session_id})`);
  }
  if (!FINISH_EVENTS.has(message.event)) log(`unknown event ${message.event}: resolving the ids through Graph`);
  return { event: message.event, wabaId: data.waba_id ?? null, phoneNumberId: data.phone_number_id ?? null };
}

async function exchangeCode(code) {
  const params = { client_id: config.appId, client_secret: config.appSecret, code };
  if (config.redirectUri) params.redirect_uri = config.redirectUri;
  const body = await graphGet("graph.exchangeCode", "oauth/access_token", params);
  if (typeof body?.access_token !== "string" || !body.access_token) {
    throw new OnboardingFailure("malformed_response", "graph.exchangeCode returned no access_token");
  }
  return body.access_token;
}

async function wabaFromDebugToken(token) {
  const body = await graphGet("graph.debugToken", "debug_token", {
    input_token: token,
    access_token: `${config.appId}|${config.appSecret}`,
  });
  const data = body?.data ?? {};
  if (data.is_valid !== true) throw new OnboardingFailure("invalid_token", "debug_token says the token is not valid");
  const scope = (data.granular_scopes ?? []).find((s) => WABA_SCOPES.has(s?.scope) && s?.target_ids?.length);
  const wabaId = scope?.target_ids?.[0];
  if (!wabaId) throw new OnboardingFailure("no_waba_id", "the signup completed but no WABA id was returned");
  return String(wabaId);
}

async function firstPhoneNumber(token, wabaId) {
  // appsecret_proof (HMAC-SHA256 of the token keyed by the app secret): required by apps with "Require App Secret".
  const appsecret_proof = createHmac("sha256", config.appSecret).update(token).digest("hex");
  const body = await graphGet(
    "graph.listWabaPhoneNumbers",
    `${encodeURIComponent(wabaId)}/phone_numbers`,
    { appsecret_proof },
    { Authorization: `Bearer ${token}` },
  );
  const id = body?.data?.[0]?.id;
  if (!id) throw new OnboardingFailure("no_phone_number", `WABA ${wabaId} has no phone number`);
  return String(id);
}

async function register(wabaId, phoneNumberId, event) {
  const body = { waba_id: wabaId, phone_number_id: phoneNumberId, app_id: config.appId };
  if (config.customerId) body.customer_id = config.customerId;
  if (event === "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING") body.event = event;
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (config.telnyxKey) headers.Authorization = `Bearer ${config.telnyxKey}`;
  const operation = "telnyx.registerTechProvider";
  const response = await send(operation, `${config.telnyxBase}/${TECH_PROVIDER_PATH}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  const payload = await json(operation, response);
  if (!response.ok) {
    const first = payload?.errors?.[0] ?? {};
    const pointer = first.source?.pointer ? ` at ${first.source.pointer}` : "";
    const label = response.status === 429 ? "rate_limited" : response.status === 401 ? "telnyx_auth" : "telnyx_error";
    throw new OnboardingFailure(
      label,
      `${operation} HTTP ${response.status} code ${first.code ?? "?"}${pointer}: ${first.detail ?? first.title ?? ""}`,
    );
  }
  if (typeof payload?.data?.status !== "string") {
    throw new OnboardingFailure("malformed_response", `${operation} returned no data.status`);
  }
  return payload.data;
}

async function onboard() {
  const event = interpretEvent(setting("SIGNUP_EVENT"));
  const code = setting("SIGNUP_CODE");
  if (!code) throw new OnboardingFailure("missing_code", "the browser handed over no authorization code");
  const token = await exchangeCode(code);
  const wabaId = event?.wabaId ? String(event.wabaId) : await wabaFromDebugToken(token);
  const phoneNumberId = event?.phoneNumberId ? String(event.phoneNumberId) : await firstPhoneNumber(token, wabaId);
  const registration = await register(wabaId, phoneNumberId, event?.event);
  return { waba_id: wabaId, phone_number_id: phoneNumberId, status: registration.status };
}

function report(result) {
  const file = process.env.SIGNUP_RESULT_FILE;
  if (file) writeFileSync(file, JSON.stringify(result));
}

try {
  const result = await onboard();
  log(`registered WABA ${result.waba_id}, phone number ${result.phone_number_id}: ${result.status}`);
  report({ outcome: "success", ...result });
  process.stdout.write(`${JSON.stringify({ outcome: "success", ...result })}\n`);
  process.exitCode = 0;
} catch (error) {
  const label = error instanceof OnboardingFailure ? error.message : `unexpected: ${error?.message ?? error}`;
  log(`onboarding failed: ${label}`);
  report({ outcome: "error", error: label });
  process.exitCode = error instanceof OnboardingFailure ? 1 : 3;
}
