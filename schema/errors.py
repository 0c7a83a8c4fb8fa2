"""User errors: expected failures reported in payloads with stable codes."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError, ErrorCode, ValidationErrors

# The domain's error codes, published as the GraphQL enum UserErrorCode.
strawberry.enum(ErrorCode, name="UserErrorCode", description="Stable error codes.")


@strawberry.type(description="An expected failure the caller can act on.")
class UserError:
    field: list[str] | None = strawberry.field(description="Path of the input field at fault.")
    message: str
    code: ErrorCode


def user_errors(exc: DomainError) -> list[UserError]:
    """The payload entries for a domain error (several for a ``ValidationErrors``)."""
    errors = exc.errors if isinstance(exc, ValidationErrors) else [exc]
    return [UserError(field=e.field, message=e.message, code=e.code) for e in errors]
