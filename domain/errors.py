"""The domain's own errors. Adapters translate library errors into these at the boundary."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable, machine-readable codes; the GraphQL ``UserErrorCode`` enum mirrors them."""

    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    INVALID_STATE = "INVALID_STATE"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    BUDGET_EXCEEDED = "BUDGET_EXCEEDED"
    UNSUPPORTED_MEDIA = "UNSUPPORTED_MEDIA"
    TOO_LARGE = "TOO_LARGE"
    URL_NOT_ALLOWED = "URL_NOT_ALLOWED"
    FETCH_FAILED = "FETCH_FAILED"
    RATE_LIMITED = "RATE_LIMITED"
    PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE"
    DUPLICATE = "DUPLICATE"


class DomainError(Exception):
    """An expected failure a caller can act on: becomes a ``userErrors`` entry."""

    def __init__(self, code: ErrorCode, message: str, field: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The thing does not exist, or belongs to another organization (indistinguishable by design)."""

    def __init__(self, what: str, field: list[str] | None = None) -> None:
        super().__init__(ErrorCode.NOT_FOUND, f"{what} not found", field)


class Invalid(DomainError):
    """Input that breaks a validation rule."""

    def __init__(self, message: str, field: list[str] | None = None) -> None:
        super().__init__(ErrorCode.INVALID, message, field)


class InvalidState(DomainError):
    """The operation is not allowed in the entity's current state."""

    def __init__(self, message: str, field: list[str] | None = None) -> None:
        super().__init__(ErrorCode.INVALID_STATE, message, field)


class ValidationErrors(DomainError):
    """Several validation failures reported at once."""

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__(errors[0].code, errors[0].message, errors[0].field)
        self.errors = errors


class AuthenticationError(Exception):
    """No valid API key: the request gets no data at all."""


class ServiceUnavailable(Exception):
    """A backing service (the database, Redis) cannot be reached right now: try again later.

    Adapters raise it in place of their drivers' connection errors; the API answers it with
    ``SERVICE_UNAVAILABLE`` (HTTP 503 and ``Retry-After``), workers pause and reconnect.
    """

    def __init__(self, service: str, detail: str = "") -> None:
        super().__init__(f"{service} unavailable" + (f": {detail}" if detail else ""))
        self.service = service
        self.detail = detail
