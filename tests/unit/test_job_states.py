"""The job state machine: transitions table, actions derived from it, INVALID_STATE otherwise."""

from __future__ import annotations

import pytest

from domain.enums import JobAction, JobStage, JobStatus
from domain.errors import DomainError, ErrorCode
from domain.rules.job_states import (
    STAGE_ORDER,
    STAGE_WEIGHT,
    STATUS_OF_STAGE,
    TRANSITIONS,
    JobSnapshot,
    available_actions,
    can_transition,
    next_stage,
    progress_at,
    require_action,
    require_transition,
)

S = JobStatus
A = JobAction

EXPECTED_TRANSITIONS = {
    S.QUEUED: {S.PLANNING, S.FAILED, S.CANCELED},
    S.PLANNING: {S.STORYBOARD_READY, S.RENDERING, S.FAILED, S.CANCELED},
    S.STORYBOARD_READY: {S.PLANNING, S.RENDERING, S.COMPOSING, S.CANCELED},
    S.RENDERING: {S.COMPOSING, S.FAILED, S.CANCELED},
    S.COMPOSING: {S.COMPLETED, S.FAILED, S.CANCELED},
    S.COMPLETED: {S.PLANNING, S.STORYBOARD_READY},
    S.FAILED: {S.QUEUED, S.PLANNING, S.RENDERING, S.COMPOSING},
    S.CANCELED: set(),
}

EXPECTED_ACTIONS = {
    S.QUEUED: [A.CANCEL],
    S.PLANNING: [A.CANCEL],
    S.STORYBOARD_READY: [A.APPROVE_STORYBOARD, A.EDIT_SCENES, A.REGENERATE_SCENE, A.CANCEL],
    S.RENDERING: [A.CANCEL],
    S.COMPOSING: [A.CANCEL],
    S.COMPLETED: [A.EDIT_SCENES, A.REGENERATE_SCENE, A.EXPORT],
    S.FAILED: [A.EDIT_SCENES, A.REGENERATE_SCENE, A.RETRY],
    S.CANCELED: [],
}


def test_transition_table_is_exactly_the_documented_one() -> None:
    assert {k: set(v) for k, v in TRANSITIONS.items()} == EXPECTED_TRANSITIONS
    for current in JobStatus:
        for target in JobStatus:
            allowed = target in EXPECTED_TRANSITIONS[current]
            assert can_transition(current, target) is allowed
            if allowed:
                require_transition(current, target)
            else:
                with pytest.raises(DomainError) as err:
                    require_transition(current, target)
                assert err.value.code is ErrorCode.INVALID_STATE


def test_every_status_reachable_from_queued_and_canceled_is_final() -> None:
    seen, todo = {S.QUEUED}, [S.QUEUED]
    while todo:
        for target in TRANSITIONS[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen == set(JobStatus)
    assert not TRANSITIONS[S.CANCELED]


@pytest.mark.parametrize("status", list(JobStatus))
def test_actions_match_the_table_and_everything_else_is_invalid_state(status: JobStatus) -> None:
    snap = JobSnapshot(status=status)
    assert available_actions(snap) == EXPECTED_ACTIONS[status]
    for action in JobAction:
        if action in EXPECTED_ACTIONS[status]:
            require_action(snap, action)
        else:
            with pytest.raises(DomainError) as err:
                require_action(snap, action)
            assert err.value.code is ErrorCode.INVALID_STATE
            assert err.value.field == ["jobId"]


def test_refinements_exhausted_is_limit_exceeded_and_not_offered() -> None:
    snap = JobSnapshot(status=S.STORYBOARD_READY, refinements_used=5, refinements_limit=5)
    assert A.REGENERATE_SCENE not in available_actions(snap)
    with pytest.raises(DomainError) as err:
        require_action(snap, A.REGENERATE_SCENE)
    assert err.value.code is ErrorCode.LIMIT_EXCEEDED
    # wrong state wins over the limit
    with pytest.raises(DomainError) as err:
        require_action(JobSnapshot(status=S.RENDERING, refinements_used=5), A.REGENERATE_SCENE)
    assert err.value.code is ErrorCode.INVALID_STATE


def test_no_scene_edits_without_scenes_or_while_an_export_renders() -> None:
    failed_at_plan = JobSnapshot(status=S.FAILED, has_scenes=False)
    assert available_actions(failed_at_plan) == [A.RETRY]
    exporting = JobSnapshot(status=S.COMPLETED, renders_busy=True)
    assert available_actions(exporting) == [A.EXPORT]
    with pytest.raises(DomainError) as err:
        require_action(exporting, A.EDIT_SCENES)
    assert err.value.code is ErrorCode.INVALID_STATE


def test_stage_order_status_and_progress() -> None:
    assert [next_stage(s) for s in STAGE_ORDER] == [*STAGE_ORDER[1:], None]
    assert STATUS_OF_STAGE[JobStage.PLAN] is STATUS_OF_STAGE[JobStage.STORYBOARD] is S.PLANNING
    assert STATUS_OF_STAGE[JobStage.CLIPS] is S.RENDERING
    assert STATUS_OF_STAGE[JobStage.RENDER] is S.COMPOSING
    assert sum(STAGE_WEIGHT.values()) == pytest.approx(1.0)
    assert progress_at(JobStage.PLAN) == 0.0
    assert progress_at(JobStage.RENDER, 1.0) == 1.0
    assert progress_at(JobStage.CLIPS, 0.5) == pytest.approx(0.45)
    values = [progress_at(s, f) for s in STAGE_ORDER for f in (0.0, 0.5, 1.0)]
    assert values == sorted(values)
