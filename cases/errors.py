"""Errors of the case service layer; each message names the case and the value."""

from __future__ import annotations


class CaseError(Exception):
    """Base class of errors the service layer raises for a refused operation."""


class ValidationError(CaseError):
    """Input that cannot be stored: names the field, the value and what to do.

    ``reason`` is a fixed word that callers can translate: ``invalid``,
    ``missing``, ``too_long`` (with the maximum length in ``limit``),
    ``control_characters`` or ``outside_city``.
    """

    def __init__(
        self,
        field: str,
        message: str,
        reason: str = "invalid",
        limit: int | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason
        self.limit = limit


class NotFoundError(CaseError):
    """A case, service type or department that does not exist."""


class InvalidTransitionError(CaseError):
    """An operation that the case's current status does not allow."""

    def __init__(
        self, case_number: str, status: str, action: str, hint: str = ""
    ) -> None:
        message = f"case {case_number}: cannot {action}, status is {status}"
        super().__init__(f"{message}; {hint}" if hint else message)
        self.case_number = case_number
        self.status = status
        self.action = action


class ConflictError(CaseError):
    """The case changed since the caller read it; reload and try again."""


class PermissionDeniedError(CaseError):
    """The acting user's role or department does not allow the operation."""
