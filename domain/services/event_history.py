"""A job's stored event history: cursors, keyset reads after a sequence, Relay pages.

Events are numbered per job from 1 (``JobEvent.sequence``); a cursor is an opaque encoding of the
job and a sequence, so "after this cursor" is simply "sequence greater than N" and stays stable
while the pipeline appends events.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from domain.enums import FINAL_JOB_STATUSES, JobEventType, JobStage, JobStatus, RenderStatus
from domain.errors import Invalid
from domain.models import Job, JobEvent, Render
from domain.services.pagination import DEFAULT_PAGE, MAX_PAGE, Page

_CURSOR_KIND = "ev"


def encode_event_cursor(job_id: uuid.UUID, sequence: int) -> str:
    """The opaque cursor of a job's event."""
    raw = json.dumps([_CURSOR_KIND, str(job_id), sequence], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_event_cursor(cursor: str | None, job_id: uuid.UUID, field: str = "after") -> int:
    """The sequence a cursor of ``job_id`` stands for (0 for no cursor); else ``Invalid``."""
    if cursor is None:
        return 0
    try:
        if len(cursor) > 200:
            raise ValueError("cursor too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, job, sequence = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if kind != _CURSOR_KIND or not isinstance(sequence, int) or not 0 <= sequence < 2**63:
            raise ValueError(cursor)
        cursor_job = uuid.UUID(job)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise Invalid("invalid event cursor", [field]) from exc
    if cursor_job != job_id:
        raise Invalid("the cursor belongs to another job", [field])
    return sequence


def cursor_of_event(event: JobEvent) -> str:
    """The cursor of a stored (or bus-decoded) event."""
    return encode_event_cursor(event.job_id, event.sequence)


@dataclass(frozen=True, slots=True)
class JobProgress:
    """Where a job's event log stands: its status and the sequence of its last event."""

    status: JobStatus
    last_sequence: int
    renders_pending: bool = False

    @property
    def final(self) -> bool:
        """No more events are coming unless the job is retried or exported again.

        A COMPLETED job whose export is still queued or rendering is not final yet: its render
        progress is still to be told.
        """
        if self.status == JobStatus.COMPLETED:
            return not self.renders_pending
        return self.status in FINAL_JOB_STATUSES


async def job_progress(
    session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID
) -> JobProgress | None:
    """The job's status and last event sequence, read together; ``None`` if not the org's job."""
    pending = (
        exists()
        .where(Render.job_id == Job.id)
        .where(Render.status.in_((RenderStatus.QUEUED, RenderStatus.RENDERING)))
    )
    row = (
        await session.execute(
            select(Job.status, Job.last_event_seq, pending).where(
                Job.id == job_id, Job.organization_id == org_id
            )
        )
    ).first()
    return None if row is None else JobProgress(row[0], row[1], bool(row[2]))


async def get_job(session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID) -> Job | None:
    """The organization's job, or ``None`` (another organization's job is simply not there)."""
    found: Job | None = await session.scalar(
        select(Job).where(Job.id == job_id, Job.organization_id == org_id)
    )
    return found


async def events_after(
    session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID, after: int, limit: int
) -> list[JobEvent]:
    """Up to ``limit`` stored events of the job with a sequence above ``after``, in order."""
    rows = await session.scalars(
        select(JobEvent)
        .where(
            JobEvent.job_id == job_id,
            JobEvent.organization_id == org_id,
            JobEvent.sequence > after,
        )
        .order_by(JobEvent.sequence)
        .limit(limit)
    )
    return list(rows.all())


def check_first(first: int | None) -> int:
    """The page size of ``first`` (default when absent); out of 1..100 is ``Invalid``."""
    if first is not None and not 1 <= first <= MAX_PAGE:
        raise Invalid(f"first must be between 1 and {MAX_PAGE}", ["first"])
    return first or DEFAULT_PAGE


async def events_pages_by_job(
    session: AsyncSession,
    org_id: uuid.UUID,
    job_ids: Sequence[uuid.UUID],
    after: int,
    limit: int,
) -> dict[uuid.UUID, Page[Any]]:
    """One page of events per job (after sequence ``after``), in two statements for any number
    of jobs: a window function numbers each job's events, a grouped count gives the totals."""
    scoped = (JobEvent.organization_id == org_id, JobEvent.job_id.in_(job_ids))
    count_rows = await session.execute(
        select(JobEvent.job_id, func.count()).where(*scoped).group_by(JobEvent.job_id)
    )
    counts: dict[uuid.UUID, int] = {job_id: n for job_id, n in count_rows}
    row_number = (
        func.row_number().over(partition_by=JobEvent.job_id, order_by=JobEvent.sequence).label("rn")
    )
    numbered = select(JobEvent, row_number).where(*scoped, JobEvent.sequence > after).subquery()
    event = aliased(JobEvent, numbered)
    rows = (
        await session.scalars(
            select(event)
            .where(numbered.c.rn <= limit + 1)
            .order_by(numbered.c.job_id, numbered.c.sequence)
        )
    ).all()
    grouped: dict[uuid.UUID, list[JobEvent]] = {job_id: [] for job_id in job_ids}
    for row in rows:
        grouped[row.job_id].append(row)
    pages: dict[uuid.UUID, Page[Any]] = {}
    for job_id, found in grouped.items():
        items = found[:limit]
        pages[job_id] = Page(
            items=items,  # type: ignore[arg-type]
            has_next=len(found) > limit,
            has_previous=after > 0,
            total_count=counts.get(job_id, 0),
            cursors=[cursor_of_event(e) for e in items],
        )
    return pages


class MessageFacts(NamedTuple):
    """What a stream checks on every live message, as plain values: its event (shared,
    read-only), job, sequence and whether it leaves the job in a final state."""

    event: JobEvent
    job_id: uuid.UUID
    sequence: int
    final: bool


@lru_cache(maxsize=512)
def message_facts(data: bytes) -> MessageFacts:
    """``event_from_message`` and the facts a stream checks, decoded once per message (a job's
    thousand subscribers each look at the same bytes object; ORM attribute reads are slow)."""
    event = event_from_message(data)
    return MessageFacts(event, event.job_id, event.sequence, event.status in FINAL_JOB_STATUSES)


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


@lru_cache(maxsize=512)
def event_from_message(data: bytes) -> JobEvent:
    """Rebuild an event from its bus message (see ``domain.services.events.event_message``).

    Every local subscriber of a job receives the very same bytes object, so the cache decodes
    each message once per process however many subscribers there are. The result is a transient
    ``JobEvent`` shared by those subscribers: treat it as read-only.
    """
    fields = json.loads(data)
    return JobEvent(
        id=uuid.UUID(fields["id"]),
        organization_id=uuid.UUID(fields["organization_id"]),
        job_id=uuid.UUID(fields["job_id"]),
        sequence=int(fields["sequence"]),
        type=JobEventType(fields["type"]),
        status=JobStatus(fields["status"]),
        stage=JobStage(fields["stage"]) if fields.get("stage") else None,
        progress=float(fields["progress"]),
        message=fields.get("message") or "",
        scene_id=_uuid_or_none(fields.get("scene_id")),
        payload=fields.get("payload") or {},
        at=datetime.fromisoformat(fields["at"]),
    )


#: ``share(key, read)``: the result of ``read()``, run once for callers giving the same key.
ShareRead = Callable[[Hashable, Callable[[], Awaitable[JobProgress]]], Awaitable[JobProgress]]


class StoredEvents:
    """A job's event store for a stream: every read in its own short session (``EventSource``).

    A subscription lives for minutes; holding one transaction (and one pooled connection) for
    each would exhaust the pool, so nothing is kept open between reads. ``share(key, read)``,
    when given (``SharedLoads.load``), lets the streams of one job prompted by the same bus
    message share one progress read: a final event a thousand subscribers receive costs one
    query, not a thousand.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        org_id: uuid.UUID,
        job_id: uuid.UUID,
        share: ShareRead | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._org_id = org_id
        self._job_id = job_id
        self._share = share

    async def events_after(self, sequence: int, limit: int) -> list[JobEvent]:
        """Up to ``limit`` stored events after ``sequence``."""
        async with self._session_factory() as session:
            return await events_after(session, self._org_id, self._job_id, sequence, limit)

    async def progress(self, trigger: object = None) -> JobProgress:
        """The job's status and last sequence; a job deleted meanwhile counts as final. Reads
        prompted by the same message (``bytes``) are shared when a ``share`` was given."""
        if self._share is not None and isinstance(trigger, bytes):
            return await self._share((self._org_id, self._job_id, trigger), self._progress)
        return await self._progress()

    async def _progress(self) -> JobProgress:
        async with self._session_factory() as session:
            found = await job_progress(session, self._org_id, self._job_id)
        return found or JobProgress(JobStatus.CANCELED, 0)
