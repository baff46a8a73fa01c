"""An operation's `security` as checks: whether a request carries a credential the operation accepts.

Presence only: whether a credential is *valid* is a vendor rule over the world. `credential_check` makes one
scheme into a function once, when an operation is compiled; `check_security` runs an operation's alternatives
per request (any one alternative with all its credentials present is enough).
"""

from __future__ import annotations

from typing import Any

from .spec_records import CredentialCheck, Operation, RequestParts, Violation


def check_security(op: Operation, parts: RequestParts, body: Any) -> list[Violation]:
    if not op.credential_checks:
        return []
    for alternative in op.credential_checks:
        for present in alternative:
            if not present(parts, body):
                break
        else:  # every credential of this alternative is there
            return []
    return [Violation("security", "authorization", "security", "no accepted credential was sent")]


def credential_check(scheme: dict[str, Any]) -> CredentialCheck:
    """Whether a request carries a credential of this scheme (the spec's `security`, as one function)."""

    def present(parts: RequestParts, body: Any) -> bool:
        return credential_present(scheme, parts, body)

    if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer":

        def bearer(parts: RequestParts, body: Any) -> bool:
            auth = parts.headers.get("authorization", "")
            return auth[:7].lower() == "bearer " and bool(auth[7:].strip())

        return bearer
    return present


def credential_present(scheme: dict[str, Any], parts: RequestParts, body: Any) -> bool:
    """Presence only: whether the credential is *valid* is a vendor rule over the world."""
    if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer":
        auth = parts.headers.get("authorization", "")
        return auth[:7].lower() == "bearer " and bool(auth[7:].strip())
    if scheme.get("type") == "apiKey":
        name = scheme.get("name", "")
        if scheme.get("in") == "header":
            return bool(parts.headers.get(name.lower()))
        # A query key; Graph also reads it from a form body, so the body counts too.
        return bool(parts.query.get(name)) or (isinstance(body, dict) and bool(body.get(name)))
    return False
