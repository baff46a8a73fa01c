"""The errors of a vendor port, answered as its Flask error handlers would: in the vendor's envelope.

`VendorErrorHandlers` is the part of `VendorPipeline` that renders errors. The pipeline calls `handle` for an
error raised during a vendor exchange; `install_pipeline` registers the same methods as the app's error
handlers, for Flask's own routes (the control plane, the live view, the SDK, static files).
"""

from __future__ import annotations

import json

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RoutingException

from .errors import HarnessError, VendorError
from .exchange import Exchange
from .faults import Fault
from .responses import admin_error, json_response
from .vendor_app import VendorAdapter
from .world import DEFAULT_TENANT, World


class VendorErrorHandlers:
    """The vendor app's error handlers, each answering in the vendor's envelope (`VendorPipeline` sets `app`,
    `vendor` and `world`)."""

    app: Flask
    vendor: VendorAdapter
    world: World

    def handle(self, error: Exception) -> Response:
        """An exception as the app's error handlers answer it (Flask's lookup order: most specific first)."""
        if isinstance(error, VendorError):
            return self.vendor_error(error)
        if isinstance(error, HarnessError):
            return self.harness_error(error)
        if isinstance(error, HTTPException):
            if isinstance(error, RoutingException):  # a redirect (a doubled slash): Flask answers it as it is
                return self.app.make_response(error.get_response())
            return self.http_error(error)
        return self.unexpected(error)

    def vendor_error(self, error: VendorError) -> Response:
        exchange: Exchange | None = g.get("exchange")
        self.vendor.prepare(error, exchange.tenant if exchange else self.world.tenant(DEFAULT_TENANT))
        response = json_response(error.body(), error.status, self.vendor.content_type)
        response.headers.update(error.headers())
        return response

    def harness_error(self, error: HarnessError) -> Response:
        return self.app.response_class(json.dumps(error.to_dict()), status=error.status, mimetype="application/json")

    def http_error(self, error: HTTPException) -> Response:
        vendor = self.vendor
        if request.path.startswith("/__admin"):
            response = admin_error(error.code or 500, error.description or error.name)
            if isinstance(error, MethodNotAllowed) and error.valid_methods:
                response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
            return response
        if isinstance(error, MethodNotAllowed):
            response = self.vendor_error(vendor.method_not_allowed())
            if error.valid_methods:  # RFC 9110: a 405 lists the methods the route does support
                response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
            return response
        if error.code == 404:
            return self.vendor_error(vendor.not_found())
        return self.vendor_error(vendor.fault_error(Fault(operation=f"{vendor.name}.*", status=error.code or 500)))

    def unexpected(self, error: Exception) -> Response:
        """A bug in a fake must still answer in the vendor's envelope, never with a traceback."""
        self.app.logger.error("unexpected error in %s fake: %s", self.vendor.name, type(error).__name__)
        if request.path.startswith("/__admin"):
            return admin_error(500, f"unexpected error in the control plane: {type(error).__name__}")
        return self.vendor_error(self.vendor.fault_error(Fault(operation=f"{self.vendor.name}.*", status=500)))
