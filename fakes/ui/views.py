"""`/__admin/ui`: the live view of a tenant's journal, flow and world, served by both fakes.

A static page (HTML, one script, one stylesheet, all in this package: no build step, no CDN, works offline) that
reads and acts only through the control plane's own operations (`/__admin/timeline`, `/world`, `/tenants`,
`/scenarios`, `/reset`, `/clock/advance`, `DELETE /journal`, `POST /scenarios/<id>`), from the same origin, with
JSON bodies. A control-plane token, when the harness has one, travels in the URL fragment
(`/__admin/ui#token=...`, never sent to the server in a URL) and the page sends it as `X-Harness-Admin-Token`.

The page itself holds nothing secret, so it is served without a token; under a tenant prefix
(`/_t/<tenant>/__admin/ui`) it opens on that tenant.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

# The page runs only its own script and style, talks only to its own origin, and cannot be framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def ui_blueprint() -> Blueprint:
    ui = Blueprint(
        "admin_ui",
        __name__,
        url_prefix="/__admin/ui",
        static_folder="static",
        static_url_path="/static",
        template_folder="templates",
    )

    @ui.after_request
    def headers(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @ui.get("/")
    def page() -> str:
        admin_base = url_for("admin_ui.page").removesuffix("ui/")  # /__admin/, under any /_t/<tenant> prefix
        prefix_tenant = request.environ.get("harness.tenant") or ""
        return render_template("admin_ui/index.html", admin_base=admin_base, prefix_tenant=prefix_tenant)

    return ui
