"""Asking for a pipeline stage to run: requested inside a transaction, enqueued after its commit.

A use case calls ``request_stage`` while it changes the job; the request is an after-commit hook
of the session's ``UnitOfWork``, so a worker never picks up a stage before the change that asked
for it is visible, and a rolled-back change asks for nothing. A request that cannot be enqueued
(no queue, or the queue is down) is logged: the job row already says which stage is due
(``status``/``stage`` with no lease), which is what the sweeper re-queues.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import JobStage
from domain.ports.queue import RUN_STAGE, TaskQueue
from domain.services.unit_of_work import Hook, UnitOfWork

log = logging.getLogger(__name__)


def request_stage(session: AsyncSession, job_id: uuid.UUID, stage: JobStage) -> None:
    """Ask for ``stage`` of the job to run once this transaction commits (once per stage)."""
    UnitOfWork.of(session).after_commit(_dispatcher(job_id, stage), key=("stage", job_id, stage))


def _dispatcher(job_id: uuid.UUID, stage: JobStage) -> Hook:
    async def dispatch(uow: UnitOfWork) -> None:
        await dispatch_stage(uow.queue, job_id, stage)

    return dispatch


async def enqueue_stage(
    queue: TaskQueue | None,
    job_id: uuid.UUID,
    stage: JobStage,
    *,
    key: str | None = None,
    delay_seconds: float = 0.0,
) -> None:
    """Enqueue one stage run: ``run_stage(job_id=str, stage=str)``.

    With a ``key`` (the pipeline's own follow-ups, retries and sweeps pass
    ``flow.stage_task_key``) a pending task with the same key is dropped; without one (a use
    case's request, dispatched after its commit) the run is always enqueued, and the stage itself
    skips a run that is not due. With no queue the request is logged and left to the sweeper.
    """
    if queue is None:
        log.warning("no queue: stage %s of job %s not enqueued", stage.value, job_id)
        return
    await queue.enqueue(
        RUN_STAGE, key=key, delay_seconds=delay_seconds, job_id=str(job_id), stage=stage.value
    )


async def dispatch_stage(queue: TaskQueue | None, job_id: uuid.UUID, stage: JobStage) -> bool:
    """Enqueue a requested stage after the commit; returns whether it was enqueued."""
    if queue is None:
        log.warning("no task queue: %s of job %s left to the sweeper", stage.value, job_id)
        return False
    try:
        await enqueue_stage(queue, job_id, stage)
    except Exception:  # the job row says what is due; the sweeper re-queues it
        log.warning("enqueueing %s of job %s failed", stage.value, job_id, exc_info=True)
        return False
    return True


__all__ = ["dispatch_stage", "enqueue_stage", "request_stage"]
