"""The Graph error envelope: `GraphError` and how it renders, `{"error": {message, type, code, error_subcode?,
is_transient?, ..., fbtrace_id}}` with its `WWW-Authenticate` header. The errors themselves are in the catalogue
(errors.py and the modules it gathers)."""

from __future__ import annotations

from typing import Any

from fakes.core.errors import VendorError

OAUTH = "OAuthException"
GRAPH_METHOD = "GraphMethodException"


class GraphError(VendorError):
    def __init__(
        self,
        message: str,
        code: int,
        *,
        status: int = 400,
        type: str = OAUTH,
        subcode: int | None = None,
        www_authenticate: str | None = None,
        is_transient: bool | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.type = type
        self.subcode = subcode
        self.www_authenticate = www_authenticate
        self.is_transient = is_transient
        self.extra = extra or {}
        self.fbtrace_id = ""  # filled by the app from the tenant's id source

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.is_transient is not None:
            error["is_transient"] = self.is_transient
        error.update(self.extra)
        error["fbtrace_id"] = self.fbtrace_id
        return {"error": error}

    def headers(self) -> dict[str, str]:
        if self.www_authenticate is None:
            return {}
        message = self.message.replace('"', "'")
        return {"WWW-Authenticate": f'OAuth "Facebook Platform" "{self.www_authenticate}" "{message}"'}
