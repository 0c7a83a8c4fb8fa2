"""Which stage a job needs now, and the queue key of a stage task (pure rules).

The statuses, stage order, weights and allowed transitions are the job state machine's
(:mod:`domain.rules.job_states`); this module only adds what the runner needs on top.
"""

from __future__ import annotations

from domain.enums import JobStage, JobStatus
from domain.ports.queue import RUN_STAGE
from domain.rules.job_states import ACTIVE_STATUSES, STAGE_ORDER, next_stage, progress_at


def due_stage(
    status: JobStatus, stage: JobStage | None, *, pending_renders: bool = False
) -> JobStage | None:
    """The stage a job in ``status`` at ``stage`` should run now; ``None`` when nothing is due.

    A running job runs the stage it names (a new job names PLAN); a completed job has work only
    when an export was requested (``pending_renders``).
    """
    if status in ACTIVE_STATUSES:
        if stage is None and status is JobStatus.QUEUED:
            return JobStage.PLAN
        return stage
    if status is JobStatus.COMPLETED and pending_renders:
        return JobStage.RENDER
    return None


def stage_task_key(job_id: object, stage: JobStage, suffix: object | None = None) -> str:
    """The queue key of a job's stage task: a pending duplicate with the same key is dropped."""
    base = f"{RUN_STAGE}:{job_id}:{stage.value}"
    return base if suffix is None else f"{base}:{suffix}"


__all__ = [
    "ACTIVE_STATUSES",
    "STAGE_ORDER",
    "due_stage",
    "next_stage",
    "progress_at",
    "stage_task_key",
]
