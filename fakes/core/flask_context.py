"""Flask's context variables: the one place that reaches into Flask's private `flask.globals` names.

The vendor pipeline runs Flask's views without Flask's per-request dispatch, so it sets the two context variables
`flask.request` and `flask.g` read (`request_context`, `app_context`) itself, and reads `g` through them rather than
through the proxies (a lookup fewer per access). Flask 3.1 names them `_cv_request` and `_cv_app`; should a Flask
release rename them, this module is all that changes (pyproject.toml pins Flask below the next major release).
"""

from __future__ import annotations

from flask.globals import _cv_app as app_context
from flask.globals import _cv_request as request_context

__all__ = ["app_context", "request_context"]
