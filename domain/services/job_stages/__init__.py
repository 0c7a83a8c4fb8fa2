"""The state changes the pipeline makes: the plan stored (``planning``), stages starting,
finishing and failing (``transitions``), scene and render progress (``scenes``, ``renders``),
costs (``costs``). Each function changes the job (and its scenes/renders) and records the
matching job event in the caller's transaction; the caller commits its ``UnitOfWork``.

None of these enqueue anything: ``complete_stage`` returns the stage to run next, and the caller
either runs it or asks for it with ``stage_queue.request_stage``.

A stage must stop when the job is no longer running it: every function here raises
``InvalidState`` when the job was canceled (or otherwise left the stage) meanwhile, except
``fail_stage`` which leaves a canceled job alone.

``planning`` is imported as a module (``from domain.services.job_stages import planning``): it
reads through ``domain.services.jobs``, which itself uses this package's ``state``.
"""

from __future__ import annotations

from domain.services.job_stages.costs import note_cost_variance
from domain.services.job_stages.renders import (
    composition_ready,
    render_completed,
    render_failed,
    render_progress,
    render_started,
    renders_to_make,
)
from domain.services.job_stages.scenes import (
    scene_clip_ready,
    scene_clip_started,
    scene_failed,
    scene_image_ready,
    scene_image_started,
)
from domain.services.job_stages.state import (
    BUSY_RENDER_STATUSES,
    RUNNING_SCENE_STATUSES,
    StageFailure,
    is_export_run,
    job_actions,
    job_snapshot,
    stored_scene_status,
)
from domain.services.job_stages.transitions import (
    complete_job,
    complete_stage,
    fail_stage,
    report_progress,
    start_stage,
)

__all__ = [
    "BUSY_RENDER_STATUSES",
    "RUNNING_SCENE_STATUSES",
    "StageFailure",
    "complete_job",
    "complete_stage",
    "composition_ready",
    "fail_stage",
    "is_export_run",
    "job_actions",
    "job_snapshot",
    "note_cost_variance",
    "render_completed",
    "render_failed",
    "render_progress",
    "render_started",
    "renders_to_make",
    "report_progress",
    "scene_clip_ready",
    "scene_clip_started",
    "scene_failed",
    "scene_image_ready",
    "scene_image_started",
    "start_stage",
    "stored_scene_status",
]
