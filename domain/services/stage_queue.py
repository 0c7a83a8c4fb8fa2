"""Asking for a pipeline stage to run: requested inside a transaction, enqueued after its commit.

A use case calls ``request_stage`` while it changes the job; the caller commits and then calls
``dispatch_stages``, so a worker never picks up a stage before the change that asked for it is
visible. A request that cannot be enqueued (the queue is down) is logged: the job row already says
which stage is due (``status``/``stage`` with no lease), which is what the sweeper re-queues.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import JobStage
from domain.ports.queue import RUN_STAGE, TaskQueue

log = logging.getLogger(__name__)

_PENDING = "adreel.pending_stages"


def request_stage(session: AsyncSession, job_id: uuid.UUID, stage: JobStage) -> None:
    """Remember that ``stage`` of the job must run once this transaction commits."""
    pending: list[tuple[uuid.UUID, JobStage]] = session.info.setdefault(_PENDING, [])
    if (job_id, stage) not in pending:
        pending.append((job_id, stage))


def requested_stages(session: AsyncSession) -> list[tuple[uuid.UUID, JobStage]]:
    """The stages requested in this session and not dispatched yet (tests and diagnostics)."""
    return list(session.info.get(_PENDING, []))


def discard_stages(session: AsyncSession) -> None:
    """Forget requested stages after a rollback."""
    session.info.pop(_PENDING, None)


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


async def dispatch_stages(session: AsyncSession, queue: TaskQueue | None) -> int:
    """Enqueue the stages this session requested (call after the commit); returns how many."""
    pending: list[tuple[uuid.UUID, JobStage]] = session.info.pop(_PENDING, [])
    sent = 0
    if queue is None:
        if pending:
            log.warning("no task queue: %d stage request(s) left to the sweeper", len(pending))
        return 0
    for job_id, stage in pending:
        try:
            await enqueue_stage(queue, job_id, stage)
            sent += 1
        except Exception:  # the job row says what is due; the sweeper re-queues it
            log.warning("enqueueing %s of job %s failed", stage.value, job_id, exc_info=True)
    return sent


__all__ = [
    "discard_stages",
    "dispatch_stages",
    "enqueue_stage",
    "request_stage",
    "requested_stages",
]
