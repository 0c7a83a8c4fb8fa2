"""The job state machine: statuses, the stage each status runs, allowed transitions, actions.

A job moves through the pipeline stages in order (``STAGE_ORDER``); its status says which part of
the pipeline it is in (``STATUS_OF_STAGE``). Every change of status is checked against
``TRANSITIONS`` and every mutation a caller asks for against ``available_actions``: both are derived
from the tables below, so ``Job.availableActions`` always matches what the services accept.

Status by status::

    QUEUED            created; the PLAN stage is waiting for a worker
    PLANNING          PLAN or STORYBOARD running (or queued)
    STORYBOARD_READY  waiting for approval; scenes can be edited and regenerated
    RENDERING         CLIPS running (or queued)
    COMPOSING         COMPOSE or RENDER running (or queued)
    COMPLETED         the default render is done; exports, edits and regenerations are possible
    FAILED            a stage failed (``error``); retry resumes at that stage
    CANCELED          final
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.enums import JobAction, JobStage, JobStatus
from domain.errors import DomainError, ErrorCode, InvalidState

#: The pipeline stages in the order they run.
STAGE_ORDER: tuple[JobStage, ...] = (
    JobStage.PLAN,
    JobStage.STORYBOARD,
    JobStage.CLIPS,
    JobStage.COMPOSE,
    JobStage.RENDER,
)

#: The status a job has while a stage runs (or waits for a worker).
STATUS_OF_STAGE: dict[JobStage, JobStatus] = {
    JobStage.PLAN: JobStatus.PLANNING,
    JobStage.STORYBOARD: JobStatus.PLANNING,
    JobStage.CLIPS: JobStatus.RENDERING,
    JobStage.COMPOSE: JobStatus.COMPOSING,
    JobStage.RENDER: JobStatus.COMPOSING,
}

#: Share of the overall progress each stage stands for (sums to 1).
STAGE_WEIGHT: dict[JobStage, float] = {
    JobStage.PLAN: 0.05,
    JobStage.STORYBOARD: 0.15,
    JobStage.CLIPS: 0.50,
    JobStage.COMPOSE: 0.20,
    JobStage.RENDER: 0.10,
}

#: Statuses in which a stage is queued or running.
ACTIVE_STATUSES = frozenset(
    {JobStatus.QUEUED, JobStatus.PLANNING, JobStatus.RENDERING, JobStatus.COMPOSING}
)

#: Every allowed change of status (staying in the same status is not a transition).
TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.QUEUED: frozenset({JobStatus.PLANNING, JobStatus.FAILED, JobStatus.CANCELED}),
    JobStatus.PLANNING: frozenset(
        {JobStatus.STORYBOARD_READY, JobStatus.RENDERING, JobStatus.FAILED, JobStatus.CANCELED}
    ),
    JobStatus.STORYBOARD_READY: frozenset(
        # approve -> RENDERING (or PLANNING when a key image is missing, COMPOSING when every
        # clip is stored); an edit that needs a new key image -> PLANNING
        {JobStatus.PLANNING, JobStatus.RENDERING, JobStatus.COMPOSING, JobStatus.CANCELED}
    ),
    JobStatus.RENDERING: frozenset({JobStatus.COMPOSING, JobStatus.FAILED, JobStatus.CANCELED}),
    JobStatus.COMPOSING: frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED}),
    # edits and regenerations after rendering go back through the storyboard
    JobStatus.COMPLETED: frozenset({JobStatus.PLANNING, JobStatus.STORYBOARD_READY}),
    # retry resumes at the failed stage (or earlier, when edits removed stored work)
    JobStatus.FAILED: frozenset(
        {JobStatus.QUEUED, JobStatus.PLANNING, JobStatus.RENDERING, JobStatus.COMPOSING}
    ),
    JobStatus.CANCELED: frozenset(),
}

#: Actions by status, before the finer conditions of ``available_actions``.
ACTIONS_BY_STATUS: dict[JobStatus, tuple[JobAction, ...]] = {
    JobStatus.QUEUED: (JobAction.CANCEL,),
    JobStatus.PLANNING: (JobAction.CANCEL,),
    JobStatus.STORYBOARD_READY: (
        JobAction.APPROVE_STORYBOARD,
        JobAction.EDIT_SCENES,
        JobAction.REGENERATE_SCENE,
        JobAction.CANCEL,
    ),
    JobStatus.RENDERING: (JobAction.CANCEL,),
    JobStatus.COMPOSING: (JobAction.CANCEL,),
    JobStatus.COMPLETED: (JobAction.EDIT_SCENES, JobAction.REGENERATE_SCENE, JobAction.EXPORT),
    JobStatus.FAILED: (JobAction.EDIT_SCENES, JobAction.REGENERATE_SCENE, JobAction.RETRY),
    JobStatus.CANCELED: (),
}

_ACTION_WORDS: dict[JobAction, str] = {
    JobAction.APPROVE_STORYBOARD: "approve the storyboard of",
    JobAction.EDIT_SCENES: "edit the scenes of",
    JobAction.REGENERATE_SCENE: "regenerate a scene of",
    JobAction.CANCEL: "cancel",
    JobAction.RETRY: "retry",
    JobAction.EXPORT: "export",
}


@dataclass(frozen=True, slots=True)
class JobSnapshot:
    """What the action rules need to know about a job."""

    status: JobStatus
    has_scenes: bool = True
    renders_busy: bool = False  # an export is queued or rendering
    refinements_used: int = 0
    refinements_limit: int = 5

    @property
    def refinements_left(self) -> int:
        return max(0, self.refinements_limit - self.refinements_used)


def can_transition(current: JobStatus, target: JobStatus) -> bool:
    """Whether a job may change from ``current`` to ``target``."""
    return target in TRANSITIONS[current]


def require_transition(current: JobStatus, target: JobStatus) -> None:
    """Raise ``INVALID_STATE`` unless ``current -> target`` is allowed."""
    if not can_transition(current, target):
        raise InvalidState(f"a {current.value} job cannot become {target.value}", ["jobId"])


def _blocked(snapshot: JobSnapshot, action: JobAction) -> DomainError | None:
    """Why ``action`` is not possible now, or ``None`` when it is."""
    status = snapshot.status
    if action not in ACTIONS_BY_STATUS[status]:
        return InvalidState(f"cannot {_ACTION_WORDS[action]} a {status.value} job", ["jobId"])
    if action in (JobAction.EDIT_SCENES, JobAction.REGENERATE_SCENE):
        if not snapshot.has_scenes:
            return InvalidState("the job has no scenes yet: retry it to plan them", ["jobId"])
        if snapshot.renders_busy:
            return InvalidState(
                "an export is being rendered: wait for it before changing scenes", ["jobId"]
            )
    if action is JobAction.REGENERATE_SCENE and snapshot.refinements_left == 0:
        return DomainError(
            ErrorCode.LIMIT_EXCEEDED,
            f"the job used all {snapshot.refinements_limit} refinements",
            ["sceneId"],
        )
    return None


def available_actions(snapshot: JobSnapshot) -> list[JobAction]:
    """The actions a caller may take now, in a stable order."""
    return [a for a in ACTIONS_BY_STATUS[snapshot.status] if _blocked(snapshot, a) is None]


def require_action(snapshot: JobSnapshot, action: JobAction) -> None:
    """Raise the reason (``INVALID_STATE``, or ``LIMIT_EXCEEDED`` for refinements) unless allowed."""
    error = _blocked(snapshot, action)
    if error is not None:
        raise error


def next_stage(stage: JobStage) -> JobStage | None:
    """The stage after ``stage``; ``None`` after RENDER."""
    index = STAGE_ORDER.index(stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


def progress_at(stage: JobStage, fraction: float = 0.0) -> float:
    """Overall progress (0..1) when ``stage`` is ``fraction`` done."""
    fraction = min(1.0, max(0.0, fraction))
    done = sum(STAGE_WEIGHT[s] for s in STAGE_ORDER[: STAGE_ORDER.index(stage)])
    return round(min(1.0, done + STAGE_WEIGHT[stage] * fraction), 4)


__all__ = [
    "ACTIONS_BY_STATUS",
    "ACTIVE_STATUSES",
    "STAGE_ORDER",
    "STAGE_WEIGHT",
    "STATUS_OF_STAGE",
    "TRANSITIONS",
    "JobSnapshot",
    "available_actions",
    "can_transition",
    "next_stage",
    "progress_at",
    "require_action",
    "require_transition",
]
