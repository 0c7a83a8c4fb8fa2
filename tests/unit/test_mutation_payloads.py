"""The mutation helper: the body's payload on success, ``userErrors`` for a domain error."""

from __future__ import annotations

import inspect

import pytest

from domain.errors import ErrorCode, Invalid, NotFound, ValidationErrors
from resolvers.payloads import user_errors_as
from schema.types.job_payloads import JobPayload


class Resolvers:
    @user_errors_as(JobPayload)
    async def fails(self, info: object, input: str) -> JobPayload:
        raise ValidationErrors([Invalid("too short", ["brief", "product"]), NotFound("Asset")])

    @user_errors_as(JobPayload)
    async def succeeds(self, info: object, input: str) -> JobPayload:
        return JobPayload()

    @user_errors_as(JobPayload)
    async def breaks(self, info: object, input: str) -> JobPayload:
        raise RuntimeError("a bug, not a user error")


async def test_a_domain_error_becomes_the_payloads_user_errors() -> None:
    payload = await Resolvers().fails(None, input="x")
    assert payload.job is None
    assert [(e.code, e.field, e.message) for e in payload.user_errors] == [
        (ErrorCode.INVALID, ["brief", "product"], "too short"),
        (ErrorCode.NOT_FOUND, None, "Asset not found"),
    ]


async def test_success_returns_the_body_and_other_errors_propagate() -> None:
    resolvers = Resolvers()
    assert (await resolvers.succeeds(None, input="x")).user_errors == []
    with pytest.raises(RuntimeError):
        await resolvers.breaks(None, input="x")


def test_strawberry_sees_the_resolvers_own_signature() -> None:
    assert list(inspect.signature(Resolvers.fails).parameters) == ["self", "info", "input"]
    assert inspect.iscoroutinefunction(Resolvers.fails)
