"""Domain errors: every service failure has a stable code and a message.

One DRF exception handler (``accountability.api_base``) and the HTML views turn
these into responses, so the browser and the API report the same thing.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


class DomainError(Exception):
    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.details:
            body["details"] = self.details
        return body


class ValidationFailed(DomainError):
    """Input that breaks a rule; ``details`` maps field names to lists of messages."""

    code = "validation_failed"
    http_status = 400


class PowerDenied(DomainError):
    """The power list (权责清单) refuses the action; details name the deciding item."""

    code = "power_denied"
    http_status = 403


class Conflict(DomainError):
    """The record changed since the caller read it (optimistic concurrency) or a state clash."""

    code = "conflict"
    http_status = 409


class NotFound(DomainError):
    """Missing or not visible to the caller: the two are indistinguishable on purpose."""

    code = "not_found"
    http_status = 404


def check_version(*, expected: int | None, current: int, message: str | None = None) -> None:
    """Optimistic concurrency, checked in this one place: the caller read the record at ``expected`` and the
    locked row is at ``current``; a difference is a 409 naming both, and the service changes nothing.
    ``expected`` None: the caller holds no version to compare (a scheduled task, a command). ``message`` names
    the record ("This proceeding was changed ...") where a general one would be vaguer."""
    if expected is not None and expected != current:
        raise Conflict(
            message or _("This record was changed by someone else since you loaded it; reload and try again."),
            details={"expected_version": expected, "current_version": current},
        )
