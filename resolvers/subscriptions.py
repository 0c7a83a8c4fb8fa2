"""Subscriptions: a job's events (replayed, then live, exactly once) and the job after each change."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from functools import lru_cache

import strawberry

from domain.enums import FINAL_JOB_STATUSES
from domain.errors import NotFound
from domain.models import Job as JobModel
from domain.models import JobEvent as JobEventModel
from domain.ports.bus import BusItem
from domain.services.event_history import StoredEvents, decode_event_cursor, get_job, job_progress
from domain.services.event_stream import SharedLoads, stream_job_events, watch_job
from domain.services.tenancy import key_is_active
from resolvers.context import Context, context_of
from resolvers.live_frames import live_delivery
from resolvers.websockets import CLOSE_FORBIDDEN, close_on_bus_close, connection_of
from schema.ids import decode_id
from schema.types.events import JobEvent
from schema.types.jobs import Job


async def _check_access(ctx: Context, job_id: strawberry.ID) -> uuid.UUID:
    """The job's key, after checking the caller's key still stands and the job is theirs."""
    key = decode_id(job_id, "Job", "jobId")
    org_id = ctx.org_id  # no principal: AuthenticationError
    principal = ctx.principal
    assert principal is not None
    async with ctx.container.session_factory() as session:
        if not await key_is_active(session, principal.api_key_id):
            connection = connection_of(ctx.request)
            if connection is not None:
                connection.abort(CLOSE_FORBIDDEN, "API key revoked")
            raise NotFound("job", ["jobId"])
        if await job_progress(session, org_id, key) is None:
            raise NotFound("job", ["jobId"])
    return key


def _shared_loads(ctx: Context) -> SharedLoads[JobModel]:
    """This process's shared job loads (kept in the container)."""
    return ctx.container.job_loads


@lru_cache(maxsize=512)
class _EventTypes:
    """The GraphQL object of an event. Every subscriber receives the very same bus-decoded event
    object, one after another, so the last conversion is kept and given again for that object
    (events are never mutated)."""

    __slots__ = ("_converted", "_event")

    def __init__(self) -> None:
        self._event: JobEventModel | None = None
        self._converted: JobEvent | None = None

    def __call__(self, event: JobEventModel) -> JobEvent:
        converted = self._converted
        if self._event is not event or converted is None:
            converted = JobEvent.from_model(event)
            self._event, self._converted = event, converted
        return converted


_event_type = _EventTypes()


@strawberry.type
class Subscription:
    """Every subscription of the API."""

    @strawberry.subscription(
        description=(
            "The job's events after `after` (all of them without it): first the stored ones, "
            "then live ones as they happen, in order and each exactly once. Completes after the "
            "event that leaves the job COMPLETED, FAILED or CANCELED. Reconnect with the last "
            "`cursor` received to miss nothing."
        )
    )
    async def job_events(
        self, info: strawberry.Info, job_id: strawberry.ID, after: str | None = None
    ) -> AsyncGenerator[JobEvent, None]:
        ctx = context_of(info)
        key = await _check_access(ctx, job_id)
        start = decode_event_cursor(after, key)
        container = ctx.container
        source = StoredEvents(
            container.session_factory, ctx.org_id, key, container.progress_loads.load
        )
        async for event in stream_job_events(
            container.bus,
            key,
            start,
            source,
            on_closed=close_on_bus_close(ctx.request),
            # live events go straight to the socket when they can (see resolvers.live_frames)
            deliver=live_delivery(info.operation, _event_type),
        ):
            yield _event_type(event)

    @strawberry.subscription(
        description=(
            "The job now, then again after every change (bursts coalesce into the latest "
            "state); completes once the job is COMPLETED, FAILED or CANCELED."
        )
    )
    async def job_updated(
        self, info: strawberry.Info, job_id: strawberry.ID
    ) -> AsyncGenerator[Job, None]:
        ctx = context_of(info)
        key = await _check_access(ctx, job_id)
        org_id = ctx.org_id
        shared = _shared_loads(ctx)

        async def fresh() -> JobModel:
            async with ctx.container.session_factory() as session:
                job = await get_job(session, org_id, key)
            if job is None:
                raise NotFound("job", ["jobId"])
            return job

        async def load(trigger: BusItem | None) -> JobModel:
            if isinstance(trigger, bytes):  # the same message woke every watcher of the job
                return await shared.load((key, trigger), fresh)
            return await fresh()

        async for job in watch_job(
            ctx.container.bus,
            key,
            load,
            lambda j: j.status in FINAL_JOB_STATUSES,
            on_closed=close_on_bus_close(ctx.request),
        ):
            await ctx.begin_operation()  # nested fields read fresh for every result
            result = Job.from_model(job)
            # Every change of a job comes with an event, so (job, last event) names this state:
            # watchers asking for the same fields share one execution of it.
            setattr(result, "share_key", ("Job", job.id, job.last_event_seq))  # noqa: B010
            yield result
