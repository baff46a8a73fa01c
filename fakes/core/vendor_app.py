"""What a vendor fake is built from before the pipeline is installed: its `VendorAdapter` and its Flask app.

The adapter is how the shared pipeline talks one vendor (credentials, error envelopes, response headers);
`vendor_flask` is the Flask app the vendor's routes go on, with URL builders compiled only when used, and
`refuse_app_hooks` what such an app may not have (Flask hooks, which the vendor path does not run).
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import Flask
from werkzeug.routing import Rule

from .errors import VendorError
from .faults import Fault
from .openapi import CompiledSpec, Violation
from .world import Tenant


class VendorAdapter(Protocol):
    name: str
    spec: CompiledSpec
    content_type: str

    def credential(self, headers: dict[str, str], query: dict[str, str]) -> str | None: ...
    def violations_error(self, operation_id: str, violations: list[Violation]) -> VendorError: ...
    def fault_error(self, fault: Fault) -> VendorError: ...
    def not_found(self) -> VendorError: ...
    def method_not_allowed(self) -> VendorError: ...
    def limit_error(self, status: int, reason: str) -> VendorError: ...
    def prepare(self, error: VendorError, tenant: Tenant) -> None: ...
    def response_headers(self, tenant: Tenant) -> dict[str, str]: ...


class LazyBuildRule(Rule):
    """A URL rule whose URL builders (for `url_for`) are compiled on first use, not when the rule is added.

    werkzeug compiles two builder functions per rule (Python source, then `compile`) as it is added: for the
    fakes' ~90 rules that was three quarters of building a harness, and a vendor route is matched, never built.
    If werkzeug stops calling `_compile_builder`, rules are built eagerly again, as plain `Rule`s are."""

    def _compile_builder(self, append_unknown: bool = True) -> Any:
        compiled: Any = None

        def build(rule: Rule, *args: Any, **kwargs: Any) -> Any:
            nonlocal compiled
            if compiled is None:
                compiled = Rule._compile_builder(rule, append_unknown).__get__(rule, None)  # type: ignore[attr-defined]
            return compiled(*args, **kwargs)

        return build


def vendor_flask(import_name: str) -> Flask:
    """The Flask app a vendor fake builds its routes on (before `install_pipeline`)."""
    app = Flask(import_name)
    app.url_rule_class = LazyBuildRule
    return app


def refuse_app_hooks(app: Flask) -> None:
    """The vendor path runs no Flask hooks: refuse an app-wide one rather than skip it silently."""
    found = [
        *app.before_request_funcs.get(None, ()),
        *app.after_request_funcs.get(None, ()),
        *app.teardown_request_funcs.get(None, ()),
        *app.url_value_preprocessors.get(None, ()),
        *app.teardown_appcontext_funcs,
    ]
    if found:
        raise RuntimeError(f"{app.name}: app-wide Flask hooks {found} would not run on vendor routes")
