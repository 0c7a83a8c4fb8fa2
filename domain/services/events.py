"""Job events: written in the same transaction as the change, published after it commits.

``record_job_event`` registers the publication on the session's ``UnitOfWork``; whoever owns the
transaction commits it (``UnitOfWork.commit``) and the events go out then, or never on rollback.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from domain.enums import JobEventType
from domain.models import Job, JobEvent
from domain.models.base import utcnow
from domain.ports.bus import Publisher
from domain.services.unit_of_work import UnitOfWork
from domain.services.webhooks.outbox import record_job_event_webhooks

log = logging.getLogger(__name__)


def job_channel(job_id: uuid.UUID) -> str:
    """The bus channel carrying a job's events."""
    return f"adreel:job:{job_id}"


def event_message(event: JobEvent) -> str:
    """The bus message for an event: enough to rebuild it without a database read."""
    return json.dumps(
        {
            "id": str(event.id),
            "job_id": str(event.job_id),
            "organization_id": str(event.organization_id),
            "sequence": event.sequence,
            "type": event.type.value,
            "status": event.status.value,
            "stage": event.stage.value if event.stage else None,
            "progress": event.progress,
            "message": event.message,
            "scene_id": str(event.scene_id) if event.scene_id else None,
            "payload": event.payload,
            "at": event.at.isoformat(),
        }
    )


async def record_job_event(
    session: AsyncSession,
    job: Job,
    type: JobEventType,
    message: str = "",
    *,
    scene_id: uuid.UUID | None = None,
    payload: dict[str, Any] | None = None,
) -> JobEvent:
    """Append the next numbered event of ``job`` to the session's transaction.

    The sequence comes from an atomic increment of ``jobs.last_event_seq``, so concurrent writers
    (API and workers) never reuse a number. The event is published once the session's unit of
    work commits; the webhook messages it stands for are written to the same transaction.
    """
    numbered = (
        await session.execute(
            update(Job)
            .where(Job.id == job.id)
            .values(last_event_seq=Job.last_event_seq + 1)
            .returning(Job.last_event_seq, Job.progress)
            .execution_options(synchronize_session=False)
        )
    ).one()
    sequence, progress = numbered
    # the stored progress at this event's place in the order (another writer may have raised it
    # since this session loaded the job): events never show it going back
    set_committed_value(job, "progress", progress)
    event = JobEvent(
        id=uuid.uuid4(),
        organization_id=job.organization_id,
        job_id=job.id,
        sequence=sequence,
        type=type,
        status=job.status,
        stage=job.stage,
        progress=progress,
        message=message,
        scene_id=scene_id,
        payload=payload or {},
        at=utcnow(),
    )
    session.add(event)
    UnitOfWork.of(session).after_commit(_publisher_of(event))
    await record_job_event_webhooks(session, event)
    return event


def _publisher_of(event: JobEvent) -> Callable[[UnitOfWork], Awaitable[None]]:
    async def publish(uow: UnitOfWork) -> None:
        await publish_event(uow.bus, event)

    return publish


async def publish_event(bus: Publisher | None, event: JobEvent) -> None:
    """Publish a committed event (a lost publish is recovered by replay from the database)."""
    if bus is None:
        return
    try:
        await bus.publish(job_channel(event.job_id), event_message(event))
    except Exception:  # the row is durable; subscribers catch up from the database
        log.warning("publishing event %s/%s failed", event.job_id, event.sequence, exc_info=True)


__all__ = ["event_message", "job_channel", "publish_event", "record_job_event"]
