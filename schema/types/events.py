"""Job events: the append-only history of a job, as a type and as a connection."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from domain import models
from domain.services.event_history import cursor_of_event
from schema.enums import JobEventType, JobStage, JobStatus
from schema.ids import encode_id
from schema.pagination import Connection


@strawberry.type(
    description="One change of a job, numbered per job from 1; `cursor` resumes after it."
)
class JobEvent:
    sequence: int
    cursor: str
    type: JobEventType
    job_id: strawberry.ID
    scene_id: strawberry.ID | None
    status: JobStatus = strawberry.field(description="The job's status right after this event.")
    stage: JobStage | None
    progress: float
    message: str
    at: datetime
    #: The event's identity: every subscriber of the job can share one execution of it.
    share_key: strawberry.Private[tuple[str, uuid.UUID]]

    @classmethod
    def from_model(cls, m: models.JobEvent) -> JobEvent:
        return cls(
            sequence=m.sequence,
            cursor=cursor_of_event(m),
            type=m.type,
            job_id=encode_id("Job", m.job_id),
            scene_id=encode_id("Scene", m.scene_id) if m.scene_id else None,
            status=m.status,
            stage=m.stage,
            progress=m.progress,
            message=m.message,
            at=m.at,
            share_key=("JobEvent", m.id),
        )


JobEventConnection = Connection[JobEvent]
