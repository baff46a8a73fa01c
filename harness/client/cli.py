"""`signup-harness onboard`: run the reference onboarding once from the command line.

Secrets come only from the environment (META_APP_SECRET, TELNYX_API_KEY, or their *_FILE variants) or from
--app-secret-file / --api-key-file, never from an option value, and are never printed.
Exit status: 0 registered (result JSON on stdout); 1 onboarding error (error JSON on stdout, a summary on
stderr); 2 bad configuration or arguments.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Mapping
from typing import Any, TextIO

import requests

from .config import ClientConfig, read_secret_file
from .errors import OnboardingError
from .events import MESSAGE_TYPE, SignupOutcome
from .onboarding import OnboardingClient


def add_onboard_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "onboard",
        help="exchange a signup code and register the WABA with Telnyx (reference client)",
        description="Run the partner backend's onboarding once: code exchange, id resolution, Telnyx "
        "registration. Secrets come from META_APP_SECRET / TELNYX_API_KEY or the *-file options.",
        allow_abbrev=False,  # "--app-secret VALUE" must not be taken for "--app-secret-file VALUE"
    )
    parser.add_argument("--code", help="the authorization code from the FB.login() callback (env SIGNUP_CODE)")
    parser.add_argument(
        "--event", help="the WA_EMBEDDED_SIGNUP message, as the JSON the popup posts (env SIGNUP_EVENT)"
    )
    parser.add_argument("--waba-id", help="WABA id captured by the frontend (added to the event)")
    parser.add_argument("--phone-number-id", help="phone number id from the frontend (added to the event)")
    parser.add_argument("--customer-id", help="your own customer id, sent to Telnyx (env SIGNUP_CUSTOMER_ID)")
    parser.add_argument("--graph-url", help="Graph base URL (env SIGNUP_GRAPH_BASE_URL)")
    parser.add_argument("--graph-version", help="Graph version, e.g. v26.0 (env SIGNUP_GRAPH_VERSION)")
    parser.add_argument("--telnyx-url", help="Telnyx base URL including /v2 (env SIGNUP_TELNYX_BASE_URL)")
    parser.add_argument("--app-id", help="Meta app id (env META_APP_ID)")
    parser.add_argument("--app-secret-file", help="file with the Meta app secret (else env META_APP_SECRET)")
    parser.add_argument("--api-key-file", help="file holding the Telnyx API key (else env TELNYX_API_KEY)")
    parser.add_argument(
        "--outcome-wait",
        metavar="SECONDS",
        help="after Telnyx's 200, poll the signup session for up to SECONDS (0 or off: return at the 200, the "
        "default; env SIGNUP_OUTCOME_WAIT)",
    )
    parser.add_argument("--timeout", type=float, help="per-request timeout in seconds (env SIGNUP_TIMEOUT)")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        default=None,
        help="allow non-loopback URLs (the real Graph and Telnyx become the defaults)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log each vendor call to stderr")
    # Caught, so that a secret typed on the command line is refused without being echoed in a usage error.
    parser.add_argument(
        "--app-secret", "--api-key", "--telnyx-api-key", dest="secret_on_command_line", help=argparse.SUPPRESS
    )
    parser.set_defaults(func=run_onboard)
    return parser


def run_onboard(
    args: argparse.Namespace,
    *,
    session: requests.Session | None = None,
    environ: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    if getattr(args, "secret_on_command_line", None) is not None:
        print(
            "onboard: secrets are read from the environment or --app-secret-file / --api-key-file only; "
            "the value given on the command line was not used (consider it exposed)",
            file=err,
        )
        return 2
    try:
        config = _config(args, environ)
    except (ValueError, OSError) as exc:
        print(f"onboard: configuration error: {_safe(exc)}", file=err)
        return 2
    logger = logging.getLogger("harness.client")
    if getattr(args, "verbose", False):
        _log_to(err, logger)
    env = os.environ if environ is None else environ
    # The signup itself may come from the environment too: then `signup-harness onboard` alone is a complete
    # partner command for `signup-harness verify` (same variable names).
    for option, variable in (("code", "SIGNUP_CODE"), ("event", "SIGNUP_EVENT"), ("customer_id", "SIGNUP_CUSTOMER_ID")):
        if getattr(args, option, None) is None:
            setattr(args, option, env.get(variable) or None)
    outcome = SignupOutcome.from_browser(code=args.code, event=_event(args))
    with OnboardingClient(config, session=session, logger=logger) as client:
        try:
            result = client.onboard(outcome, customer_id=args.customer_id)
        except OnboardingError as error:
            print(json.dumps(error.to_dict(), indent=2, sort_keys=True), file=out)
            print(_summary(error), file=err)
            return 1
    print(json.dumps(result.to_dict(), indent=2, sort_keys=True), file=out)
    return 0


def _config(args: argparse.Namespace, environ: Mapping[str, str] | None) -> ClientConfig:
    secrets = {}
    for option, name in (("app_secret_file", "app_secret"), ("api_key_file", "telnyx_api_key")):
        path = getattr(args, option, None)
        if path:
            try:
                secrets[name] = read_secret_file(path)
            except OSError as exc:
                flag = "--" + option.replace("_", "-")
                raise ValueError(f"cannot read {flag} ({exc.strerror or type(exc).__name__})") from None
    return ClientConfig.from_env(
        environ,
        graph_base_url=getattr(args, "graph_url", None),
        graph_version=getattr(args, "graph_version", None),
        telnyx_base_url=getattr(args, "telnyx_url", None),
        app_id=getattr(args, "app_id", None),
        timeout=getattr(args, "timeout", None),
        allow_remote=getattr(args, "allow_remote", None),
        outcome_wait=getattr(args, "outcome_wait", None),  # checked by from_env, as SIGNUP_OUTCOME_WAIT
        **secrets,
    )


def _event(args: argparse.Namespace) -> dict[str, Any] | str | None:
    """The --event message, with --waba-id / --phone-number-id added (a FINISH event when there is none)."""
    event = getattr(args, "event", None)
    names = ("waba_id", "phone_number_id")
    ids = {name: getattr(args, name) for name in names if getattr(args, name, None)}
    if not ids:
        return event
    if event is None or not event.strip():
        return {"type": MESSAGE_TYPE, "event": "FINISH", "data": ids}
    try:
        message = json.loads(event)
    except ValueError:
        return event  # the client reports the malformed event
    if isinstance(message, dict) and isinstance(message.get("data", {}), dict):
        message["data"] = {**(message.get("data") or {}), **ids}
    return message


def _summary(error: OnboardingError) -> str:
    where = " ".join(
        str(part) for part in (error.vendor, error.operation, error.http_status, error.vendor_code) if part
    )
    text = f"onboard failed: {type(error).__name__} ({where}"
    text += f", trace {error.trace_id})" if error.trace_id else ")"
    text += f"\n  {error.guidance}"
    if error.troubleshooting:
        text += f'\n  Troubleshooting: "{error.troubleshooting}"'
    return text


def _safe(exc: BaseException) -> str:
    """Config ValueErrors name no value but a host; an OSError (a *_FILE variable) is named by its kind only."""
    if isinstance(exc, OSError):
        return f"cannot read a secret file ({exc.strerror or type(exc).__name__})"
    return str(exc)


def _log_to(stream: TextIO, logger: logging.Logger) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
