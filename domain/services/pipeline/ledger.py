"""The provider-call ledger: every provider call is keyed, budgeted and recorded.

- A call whose result is stored (``SUCCEEDED``) is never made again: callers look it up first.
- Before a call, its estimated price is reserved on the job with one conditional UPDATE, so
  parallel scenes can never spend past the budget together: the call that would cross it stops
  with ``BUDGET_EXCEEDED`` before it is made.
- On success the reservation becomes the real price (job and scene actual costs); on a final
  failure it is given back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.enums import JobStage
from domain.errors import ErrorCode
from domain.models import Job, Scene
from domain.models.base import utcnow
from domain.models.pipeline import ProviderCall, ProviderCallStatus
from domain.observability.metrics import record_provider_call, record_provider_request
from domain.services.pipeline.errors import StageError

_CENT = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class CallSpec:
    """What a provider call is, before it is made."""

    key: str
    stage: JobStage
    operation: str
    provider: str
    model: str = ""
    estimate_usd: Decimal = Decimal(0)
    scene_id: uuid.UUID | None = None


def call_key(job_id: uuid.UUID, *parts: object) -> str:
    """An idempotency key: the job plus what makes the call unique (scene, revision, kind)."""
    return ":".join([str(job_id), *(str(p) for p in parts)])


async def find_stored(session: AsyncSession, key: str) -> ProviderCall | None:
    """The succeeded call stored under ``key``, if any."""
    return await session.scalar(
        select(ProviderCall).where(
            ProviderCall.idempotency_key == key,
            ProviderCall.status == ProviderCallStatus.SUCCEEDED,
        )
    )


async def _reserve_budget(session: AsyncSession, job_id: uuid.UUID, amount: Decimal) -> bool:
    if amount <= 0:
        return True
    result = await session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            or_(
                Job.budget_usd.is_(None),
                and_(Job.budget_usd.is_not(None), Job.actual_cost_usd + amount <= Job.budget_usd),
            ),
        )
        .values(actual_cost_usd=Job.actual_cost_usd + amount)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none() is not None


async def _adjust_job_cost(session: AsyncSession, job_id: uuid.UUID, delta: Decimal) -> None:
    if delta == 0:
        return
    await session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(actual_cost_usd=Job.actual_cost_usd + delta)
        .execution_options(synchronize_session=False)
    )


def _budget_error(spec: CallSpec) -> StageError:
    return StageError(
        ErrorCode.BUDGET_EXCEEDED.value,
        f"the {spec.operation} call ({spec.provider}, about ${spec.estimate_usd.quantize(_CENT)}) "
        "would take the job past its budget",
        stage=spec.stage,
    )


async def reserve(
    session_factory: async_sessionmaker[AsyncSession],
    org_id: uuid.UUID,
    job_id: uuid.UUID,
    spec: CallSpec,
) -> ProviderCall:
    """Get the call row for ``spec`` ready to be made, reserving its price; commits.

    Returns the stored row unchanged when it already succeeded (the caller reuses its result).
    Raises ``StageError(BUDGET_EXCEEDED)`` when the reservation would cross the budget.
    """
    for _ in range(2):  # a concurrent insert of the same key loses once, then finds the row
        async with session_factory() as session:
            call = await session.scalar(
                select(ProviderCall).where(ProviderCall.idempotency_key == spec.key)
            )
            if call is not None and call.status is ProviderCallStatus.SUCCEEDED:
                return call
            if call is None:
                if not await _reserve_budget(session, job_id, spec.estimate_usd):
                    raise _budget_error(spec)
                call = ProviderCall(
                    id=uuid.uuid4(),
                    organization_id=org_id,
                    job_id=job_id,
                    scene_id=spec.scene_id,
                    idempotency_key=spec.key,
                    stage=spec.stage,
                    operation=spec.operation,
                    provider=spec.provider,
                    model=spec.model,
                    status=ProviderCallStatus.PENDING,
                    attempts=0,
                    estimated_cost_usd=spec.estimate_usd,
                    cost_usd=Decimal(0),
                    result={},
                )
                session.add(call)
            elif call.status is ProviderCallStatus.FAILED:
                # a failed call gave its reservation back: take it again
                if not await _reserve_budget(session, job_id, spec.estimate_usd):
                    raise _budget_error(spec)
                call.status = ProviderCallStatus.PENDING
                call.estimated_cost_usd = spec.estimate_usd
                call.error_code = call.error_message = None
                call.external_id = None  # the failed remote work is not resumed
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                continue
            return call
    raise StageError("INTERNAL", f"could not record provider call {spec.key}", stage=spec.stage)


async def note_attempt(
    session_factory: async_sessionmaker[AsyncSession], call_id: uuid.UUID
) -> int:
    """Count one real request to the provider (before it is sent); commits; returns the count."""
    async with session_factory() as session:
        result = await session.execute(
            update(ProviderCall)
            .where(ProviderCall.id == call_id)
            .values(attempts=ProviderCall.attempts + 1)
            .returning(ProviderCall.attempts, ProviderCall.provider, ProviderCall.model)
            .execution_options(synchronize_session=False)
        )
        attempts, provider, model = result.one()
        await session.commit()
        record_provider_request(provider, model)
        return int(attempts)


async def note_remote_id(
    session_factory: async_sessionmaker[AsyncSession], call_id: uuid.UUID, remote_id: str
) -> None:
    """Store the id the provider gave the accepted work (before polling it); commits.

    A call made again after a crash resumes this prediction or operation rather than paying
    for a new one (see ``domain.ports.remote_calls``).
    """
    async with session_factory() as session:
        await session.execute(
            update(ProviderCall)
            .where(ProviderCall.id == call_id, ProviderCall.status == ProviderCallStatus.PENDING)
            .values(external_id=remote_id[:255])
            .execution_options(synchronize_session=False)
        )
        await session.commit()


async def record_success(
    session: AsyncSession,
    call_id: uuid.UUID,
    *,
    cost_usd: Decimal,
    asset_id: uuid.UUID | None = None,
    result: dict[str, Any] | None = None,
    external_id: str | None = None,
) -> ProviderCall:
    """In the caller's transaction: the call succeeded; its price replaces the reservation."""
    call = await session.get(ProviderCall, call_id, with_for_update=False, populate_existing=True)
    assert call is not None
    if call.status is ProviderCallStatus.SUCCEEDED:
        return call
    await _adjust_job_cost(session, call.job_id, cost_usd - call.estimated_cost_usd)
    if call.scene_id is not None:
        await session.execute(
            update(Scene)
            .where(Scene.id == call.scene_id)
            .values(actual_cost_usd=Scene.actual_cost_usd + cost_usd)
            .execution_options(synchronize_session=False)
        )
    call.status = ProviderCallStatus.SUCCEEDED
    call.cost_usd = cost_usd
    call.asset_id = asset_id
    call.result = result or {}
    call.external_id = external_id or call.external_id
    call.completed_at = utcnow()
    record_provider_call(call.provider, call.model, "succeeded", cost_usd)
    return call


async def record_failure(
    session_factory: async_sessionmaker[AsyncSession], call_id: uuid.UUID, error: StageError
) -> None:
    """The call failed for good: give the reservation back and keep the reason; commits."""
    async with session_factory() as session:
        call = await session.get(ProviderCall, call_id)
        if call is None or call.status is not ProviderCallStatus.PENDING:
            return
        await _adjust_job_cost(session, call.job_id, -call.estimated_cost_usd)
        call.status = ProviderCallStatus.FAILED
        call.error_code = error.code
        call.error_message = error.message[:2000]
        await session.commit()
        record_provider_call(call.provider, call.model, "failed", Decimal(0))


__all__ = [
    "CallSpec",
    "call_key",
    "find_stored",
    "note_attempt",
    "note_remote_id",
    "record_failure",
    "record_success",
    "reserve",
]
