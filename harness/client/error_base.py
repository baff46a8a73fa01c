"""The base of the reference client's errors, `OnboardingError`: the fields every error carries, their redaction,
`str`/`repr`, `to_dict` and pickling. The classes a partner handles are in error_classes.py."""

from __future__ import annotations

from typing import Any, ClassVar

from .redaction import Redactor

_UNSET: Any = object()


class OnboardingError(Exception):
    """Base class. `vendor` is "graph", "telnyx" or "signup" (the browser side of Embedded Signup)."""

    default_guidance: ClassVar[str] = "The onboarding failed; see the vendor code and message."
    default_troubleshooting: ClassVar[str | None] = None

    def __init__(
        self,
        message: str,
        *,
        vendor: str,
        operation: str,
        http_status: int | None = None,
        vendor_code: str | None = None,
        vendor_subcode: str | None = None,
        trace_id: str | None = None,
        pointer: str | None = None,
        attempts: int = 0,
        guidance: str | None = None,
        troubleshooting: str | None = _UNSET,
        details: dict[str, Any] | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.vendor = vendor
        self.operation = operation
        self.http_status = http_status
        self.vendor_code = vendor_code
        self.vendor_subcode = vendor_subcode
        self.trace_id = trace_id
        self.pointer = pointer
        self.attempts = attempts
        self.guidance = guidance or self.default_guidance
        self.troubleshooting = self.default_troubleshooting if troubleshooting is _UNSET else troubleshooting
        self.message = message
        self.details: dict[str, Any] = dict(details or {})
        self._scrub(redactor or Redactor())

    def redact(self, *secrets: str | None) -> OnboardingError:
        """Scrub more secret values out of the message and details (the caller may know more than we did)."""
        self._scrub(Redactor(secrets))
        return self

    def _scrub(self, redactor: Redactor) -> None:
        self.message = redactor.text(self.message) or ""
        self.details = redactor.value(self.details)
        for name in ("vendor_code", "vendor_subcode", "trace_id", "pointer"):
            setattr(self, name, redactor.text(getattr(self, name)))
        self.args = (self.message,)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(vendor={self.vendor!r}, operation={self.operation!r}, "
            f"http_status={self.http_status!r}, vendor_code={self.vendor_code!r}, "
            f"vendor_subcode={self.vendor_subcode!r}, trace_id={self.trace_id!r}, message={self.message!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), dict(self.__dict__)))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record for reports and the CLI."""
        record: dict[str, Any] = {
            "error": type(self).__name__,
            "vendor": self.vendor,
            "operation": self.operation,
            "http_status": self.http_status,
            "vendor_code": self.vendor_code,
            "vendor_subcode": self.vendor_subcode,
            "trace_id": self.trace_id,
            "pointer": self.pointer,
            "attempts": self.attempts,
            "message": self.message,
            "guidance": self.guidance,
            "troubleshooting": self.troubleshooting,
        }
        if self.details:
            record["details"] = self.details
        return record


def _restore(cls: type[OnboardingError], state: dict[str, Any]) -> OnboardingError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    error.args = (state.get("message", ""),)
    return error
