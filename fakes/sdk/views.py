"""The fake Facebook JS SDK's HTTP side, served by the Graph fake's app (same port, same tenants).

    GET  /sdk.js, /en_US/sdk.js      the script a partner page loads instead of connect.facebook.net's
    GET  /__sdk/app?app_id=          what FB.init() learns about the app (name, config ids)
    GET  /__sdk/dialog?...           the Embedded Signup popup (or Meta's "app isn't available" page)
    GET  /__sdk/plan                 the tenant's armed signup plan (the popup auto-plays it), or null
    POST /__sdk/complete             end the popup: `complete_signup` in the world, answer with what the page gets.
                                     Only the popup's own origin may end it with a code; another origin (the
                                     partner page's sdk.js, when the person closes the popup early) may only
                                     report a CANCEL, which mints nothing.

None of these are Graph API operations: the shared pipeline neither validates nor journals them. Under a tenant
prefix (`/_t/<tenant>/...`) every route works on that tenant; otherwise the X-Harness-Tenant header or "default".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from fakes.core.access import cross_origin_problem
from fakes.core.world import DEFAULT_TENANT, Tenant, World
from fakes.core.wsgi_environ import PATH_TENANT, TENANT_HEADER
from fakes.graph.signup import complete_signup

from .dialog import STEPS, TS_FB_LOGIN, UNAVAILABLE_TITLE, DialogOptions, SdkError, login_response

STATIC = Path(__file__).resolve().parent / "static"
LOCALE = re.compile(r"^[a-z]{2}_[A-Z]{2}$")
JAVASCRIPT = "text/javascript; charset=utf-8"


def _tenant_name() -> str:
    return request.environ.get(PATH_TENANT) or request.headers.get(TENANT_HEADER) or DEFAULT_TENANT


def _script() -> Response:
    response = Response((STATIC / "sdk.js").read_bytes(), content_type=JAVASCRIPT)
    # The guide's <script crossorigin="anonymous"> needs CORS on the script itself.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def sdk_blueprint(world: World) -> Blueprint:
    sdk = Blueprint(
        "fake_sdk",
        __name__,
        static_folder="static",
        static_url_path="/__sdk/static",
        template_folder="templates",
    )

    def tenant() -> Tenant:
        return world.tenant(_tenant_name())

    @sdk.errorhandler(SdkError)
    def sdk_error(error: SdkError) -> tuple[Response, int]:
        return jsonify(error.to_dict()), error.status

    @sdk.after_request
    def headers(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        return response

    @sdk.get("/sdk.js")
    def script() -> Response:
        return _script()

    @sdk.get("/<locale>/sdk.js")
    @sdk.get("/<locale>/sdk/debug.js")
    def localized_script(locale: str) -> Response:
        if not LOCALE.match(locale):
            raise SdkError(f"no SDK for locale {locale!r}", status=404)
        return _script()

    @sdk.get("/__sdk/app")
    def app_info() -> Response:
        app_id = request.args.get("app_id", "")
        with world.lock:
            app = tenant().meta.apps.get(app_id)
            if app is None:
                raise SdkError(f"app_id {app_id or '(none)'} is not a Meta app in tenant {_tenant_name()!r}", 404)
            return jsonify(app_id=app.id, name=app.name, config_ids=list(app.config_ids))

    @sdk.get("/__sdk/plan")
    def plan() -> Response:
        with world.lock:
            return jsonify(plan=tenant().signup_plan)

    @sdk.get("/__sdk/dialog")
    def dialog() -> tuple[str, int]:
        options = DialogOptions.from_params(request.args)
        with world.lock:
            current = tenant()
            problems = options.blocking_problems(current)
            app = current.meta.apps.get(options.app_id)
            app_name = app.name if app else "this app"
        config = {
            "options": request.args.to_dict(),
            "login_id": options.login_id,
            "origin": options.origin,
            "complete_url": f"{request.script_root}/__sdk/complete",
            "plan_url": f"{request.script_root}/__sdk/plan",
            "steps": [name for name, _ in STEPS],
            "finish_outcome": options.finish_outcome,
            "problems": problems,
            "troubleshooting": TS_FB_LOGIN,
        }
        page = render_template(
            "fake_sdk/dialog.html",
            config=config,
            app_name=app_name,
            steps=STEPS,
            problems=problems,
            notices=options.notices(),
            unavailable_title=UNAVAILABLE_TITLE,
            troubleshooting=TS_FB_LOGIN,
        )
        return page, 400 if problems else 200

    @sdk.post("/__sdk/complete")
    def complete() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise SdkError('send {"dialog": {...the dialog\'s parameters...}, "ending": {...}}')
        ending = body.get("ending") or {}
        if not isinstance(ending, dict) or not isinstance(body.get("dialog") or {}, dict):
            raise SdkError("dialog and ending must be JSON objects")
        options = DialogOptions.from_params(body.get("dialog") or {})
        signup = options.signup_request(ending)
        problem = cross_origin_problem(request.environ)
        if problem and signup.outcome != "CANCEL":
            raise SdkError(f"{problem}: only the signup popup's own page may end it with a code", status=403)
        with world.lock:
            current = tenant()
            problems = options.blocking_problems(current)
            if problems:
                raise SdkError(problems[0])
            result = complete_signup(current, signup)
            answer: dict[str, Any] = result.to_dict()
            answer["login_response"] = login_response(current, options, result)
        if not options.wants_code:
            answer["code"] = None  # the page never sees it: Meta answered with a token
        return jsonify(answer)

    return sdk
