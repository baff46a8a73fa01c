"""The hosted signup page (what a hosted signup's `url` opens), on the Telnyx fake's port at /__hosted/<id>.

A stand-in for Telnyx's hosted onboarding page: one button that plays Meta's signup to its end for the hosted
signup's app (the same popup ending as Embedded Signup) and starts Telnyx's signup session. The page checks the
hosted signup's `jwt` from its URL; past `expires_at` it says the link expired (410). Not part of Telnyx's API
(not in specs/telnyx.yaml): a page a person opens, like the signup popup on the Graph fake's port.
"""

from __future__ import annotations

import hmac
import html

from flask import Blueprint, Response, request

from fakes.core.errors import VendorError
from fakes.core.telnyx_state import HostedSignup
from fakes.core.world import Tenant, World
from fakes.core.wsgi_environ import PATH_TENANT

from . import meta_side
from .hosted_signups import complete_hosted_signup, expired

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Connect WhatsApp (hosted signup)</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto">
<h1>Connect WhatsApp</h1>
<p>{message}</p>
{form}
</body></html>
"""


def _page(message: str, form: str = "", status: int = 200) -> Response:
    body = PAGE.format(message=html.escape(message), form=form)
    response = Response(body, status=status, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
    return response


def hosted_page_blueprint(world: World) -> Blueprint:
    page = Blueprint("hosted", __name__)

    def lookup(hosted_id: str) -> tuple[Tenant, HostedSignup] | Response:
        tenant = world.tenant(request.environ.get(PATH_TENANT) or "default")
        hosted = tenant.telnyx.hosted_signups.get(hosted_id)
        sent = request.values.get("jwt", "")
        if hosted is None or not hmac.compare_digest(sent.encode(), hosted.jwt.encode()):
            return _page("This signup link is not valid.", status=404)
        if expired(tenant, hosted):
            return _page("This signup link has expired. Ask your provider for a new one.", status=410)
        return tenant, hosted

    @page.get("/__hosted/<hosted_id>")
    def show(hosted_id: str) -> Response:
        found = lookup(hosted_id)
        if isinstance(found, Response):
            return found
        _, hosted = found
        if hosted.session_id is not None:
            return _page("This signup is complete. Telnyx is setting up your WhatsApp number.")
        form = (
            f'<form method="post" action="{html.escape(request.path)}/complete">'
            f'<input type="hidden" name="jwt" value="{html.escape(request.args.get("jwt", ""))}">'
            '<button type="submit">Continue with Facebook</button></form>'
        )
        return _page("Sign in with Facebook to share your WhatsApp Business Account.", form)

    @page.post("/__hosted/<hosted_id>/complete")
    def complete(hosted_id: str) -> Response:
        found = lookup(hosted_id)
        if isinstance(found, Response):
            return found
        tenant, hosted = found
        with world.lock:
            if hosted.session_id is None:
                coexistence = hosted.signup_type == "coexistence"
                try:
                    waba_id, phone_id = meta_side.customer_signup(tenant, hosted.app_id, coexistence)
                    complete_hosted_signup(tenant, hosted, waba_id, phone_id)
                except (VendorError, ValueError) as exc:
                    return _page(f"The signup could not be completed: {exc}", status=422)
        world.wake()
        return _page("Done. Telnyx is setting up your WhatsApp number; you can close this page.")

    return page
