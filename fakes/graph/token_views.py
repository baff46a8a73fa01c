"""Thin views of Graph's token endpoints: `/oauth/access_token` (GET and form POST, versioned or not) and
`/debug_token`. The rules are in tokens.py."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Response, request

from fakes.core.pipeline import current_exchange
from fakes.core.world import World

from . import limits
from .tokens import Tokens
from .view_support import Route, bearer_or_query_token, json_answer, tenant, usage


def _basic_client() -> dict[str, str]:
    """client_id/client_secret from `Authorization: Basic` (how requests-oauthlib's fetch_token sends them)."""
    auth = request.headers.get("Authorization", "")
    if auth[:6].lower() != "basic ":
        return {}
    try:
        client_id, _, secret = base64.b64decode(auth[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return {}
    return {"client_id": client_id, "client_secret": secret}


def token_routes(world: World) -> list[Route]:
    def access_token(version: str | None = None) -> Response:
        params: dict[str, Any] = {**_basic_client(), **current_exchange().raw_query}
        body = current_exchange().body
        if isinstance(body, dict):
            params.update({k: v for k, v in body.items() if isinstance(v, str)})
        with world.lock:
            meta_app = tenant().meta.apps.get(str(params.get("client_id") or ""))
            if meta_app is not None:
                limits.count_app_call(tenant(), meta_app, usage())
            return json_answer(Tokens(tenant()).access_token(params))

    def debug_token(version: str | None = None) -> Response:
        with world.lock:
            body = Tokens(tenant()).debug_token(bearer_or_query_token() or "", current_exchange().query["input_token"])
        return json_answer(body)

    return [
        ("/<version:version>/oauth/access_token", "exchangeCode", access_token, "GET"),
        ("/oauth/access_token", "exchangeCodeUnversioned", access_token, "GET"),
        ("/<version:version>/oauth/access_token", "postAccessToken", access_token, "POST"),
        ("/oauth/access_token", "postAccessTokenUnversioned", access_token, "POST"),
        ("/<version:version>/debug_token", "debugToken", debug_token, "GET"),
        ("/debug_token", "debugTokenUnversioned", debug_token, "GET"),
    ]
