"""What the partner's command finds in its environment: the inherited one minus anything signup-related, plus
the handed-over variables (`HANDED_OVER`, documented in docs/verify.md) pointing it at its tenant; under
--intercept the real vendor URLs and the proxy's variables instead of the tenant's URLs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .arming import credentials_for
from .client.config import ENV_VARS, RETRY_ENV_VARS, SECRET_FILE_ENV_VARS
from .intercept import InterceptProxy
from .intercept.environment import INTERCEPT_VARIABLES, intercept_environment
from .runner import DEFAULT_CLIENT_TIMEOUT, DEFAULT_RETRY, Runner, tenant_urls
from .scenarios import Scenario

# The real vendors' base URLs, handed over under --intercept (the proxy serves them from the fakes).
REAL_GRAPH_URL = "https://graph.facebook.com"
REAL_TELNYX_URL = "https://api.telnyx.com/v2"

# What the partner's command finds in its environment. Documented in docs/verify.md (keep both in step).
HANDED_OVER = {
    "SIGNUP_GRAPH_BASE_URL": "Meta Graph base URL (tenant-prefixed, no version, no trailing slash)",
    "SIGNUP_GRAPH_VERSION": "Graph API version to call, e.g. v19.0",
    "SIGNUP_TELNYX_BASE_URL": "Telnyx base URL including /v2 (tenant-prefixed)",
    "TELNYX_BASE_URL": "the same as SIGNUP_TELNYX_BASE_URL, as the Telnyx SDKs read it",
    "META_APP_ID": "your Meta app id (the scenario's: may be one Meta does not know)",
    "META_APP_SECRET": "your Meta app secret (secret; may be wrong on purpose)",
    "TELNYX_API_KEY": "your Telnyx API key (secret; may be revoked, unknown or empty on purpose)",
    "SIGNUP_CODE": "the code FB.login() handed the browser; empty when there is none",
    "SIGNUP_EVENT": "the WA_EMBEDDED_SIGNUP message as the JSON string the browser receives; empty when none",
    "SIGNUP_CUSTOMER_ID": "your own customer reference to send to Telnyx; may be empty",
    "SIGNUP_SCENARIO_ID": "the scenario being played (for your logs only: do not branch on it)",
    "SIGNUP_RESULT_FILE": "optional: write {outcome, error, waba_id, phone_number_id} JSON here",
    "SIGNUP_TIMEOUT": "the per-request timeout (seconds) the scenario expects your backend to use",
    "SIGNUP_REDIRECT_URI": "a redirect_uri your backend is configured with; empty (send none) but in one scenario",
    "SIGNUP_RETRY_MAX_ATTEMPTS": "the reference client's attempts per call (a hint; you may retry differently)",
    "SIGNUP_TELNYX_PUBLIC_KEY": "Telnyx's webhook public key (base64), to verify whatsapp.waba_added signatures",
}
# Inherited variables that could point the child at something else, removed before ours are set.
_CLEARED = {*HANDED_OVER, *ENV_VARS, *SECRET_FILE_ENV_VARS, *RETRY_ENV_VARS, "SIGNUP_ALLOW_REMOTE"}


def inherited_environment(base_env: Mapping[str, str]) -> dict[str, str]:
    """`base_env` without the variables that could point the child at something else."""
    return {k: v for k, v in base_env.items() if k not in _CLEARED}


def partner_environment(
    base_env: Mapping[str, str],
    runner: Runner,
    proxy: InterceptProxy | None,
    scenario: Scenario,
    tenant: str,
    signup: Mapping[str, Any],
    result_file: Path,
) -> dict[str, str]:
    """The child's environment: the inherited one minus anything signup-related, plus the handed-over."""
    client = scenario.client
    credentials = credentials_for(scenario)
    graph_url, telnyx_url = tenant_urls(runner.graph_root, runner.telnyx_root, tenant)
    if proxy is not None:  # the real hosts: the proxy puts each request into the tenant
        graph_url, telnyx_url = REAL_GRAPH_URL, REAL_TELNYX_URL
    retry = {**DEFAULT_RETRY, **client.get("retry", {})}
    env = inherited_environment(base_env)
    if proxy is not None:
        env = {k: v for k, v in env.items() if k not in INTERCEPT_VARIABLES and k != "NODE_OPTIONS"}
        node_options = base_env.get("NODE_OPTIONS", "")
        env.update(intercept_environment(proxy.proxy_url(tenant), proxy.ca, node_options))
    env.update(
        {
            "SIGNUP_GRAPH_BASE_URL": graph_url,
            "SIGNUP_GRAPH_VERSION": str(client.get("graph_version", "v19.0")),
            "SIGNUP_TELNYX_BASE_URL": telnyx_url,
            "TELNYX_BASE_URL": telnyx_url,
            "META_APP_ID": credentials.app_id,
            "META_APP_SECRET": credentials.app_secret,
            "TELNYX_API_KEY": credentials.telnyx_api_key,
            "SIGNUP_CODE": signup.get("code") or "",
            "SIGNUP_EVENT": json.dumps(signup["event"]) if signup.get("event") else "",
            "SIGNUP_CUSTOMER_ID": str(client.get("customer_id") or ""),
            "SIGNUP_SCENARIO_ID": scenario.id,
            "SIGNUP_RESULT_FILE": str(result_file),
            "SIGNUP_TIMEOUT": f"{client.get('timeout', DEFAULT_CLIENT_TIMEOUT):g}",
            "SIGNUP_REDIRECT_URI": str(client.get("redirect_uri") or ""),
            "SIGNUP_RETRY_MAX_ATTEMPTS": str(retry["max_attempts"]),
            "SIGNUP_TELNYX_PUBLIC_KEY": runner.harness.telnyx_public_key,
        }
    )
    return env
