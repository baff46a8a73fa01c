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

from pathlib import Path

from flask import Blueprint, Response, jsonify, render_template, request, send_from_directory, url_for

from fakes.core.wsgi_environ import PATH_TENANT

# The page runs only its own script and style, talks only to its own origin, and cannot be framed.
STATIC = Path(__file__).resolve().parent / "static"
ASSETS = frozenset(path.name for path in STATIC.iterdir() if path.is_file())
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def ui_blueprint() -> Blueprint:
    # Not behind the control plane's guard: a navigation from the portal (another port: Sec-Fetch-Site
    # same-site) must open it, and it holds and does nothing; every call its script makes is admitted as usual.
    ui = Blueprint("admin_ui", __name__, url_prefix="/__admin/ui", template_folder="templates")

    @ui.after_request
    def headers(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @ui.get("", endpoint="getLiveView")
    def page() -> str:
        admin_base = url_for("admin_ui.getLiveView").removesuffix("ui")  # /__admin/, under any /_t/<tenant> prefix
        prefix_tenant = request.environ.get(PATH_TENANT) or ""
        return render_template("admin_ui/index.html", admin_base=admin_base, prefix_tenant=prefix_tenant)

    @ui.get("/static/<filename>", endpoint="getLiveViewAsset")
    def asset(filename: str) -> Response | tuple[Response, int]:
        if filename not in ASSETS:
            message = f"the live view has no asset {filename[:100]!r}"
            return jsonify(harness_error={"message": message, "type": "NotFound"}), 404
        return send_from_directory(STATIC, filename)

    return ui
