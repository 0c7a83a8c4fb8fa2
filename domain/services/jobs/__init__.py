"""Use cases for jobs and scenes, always scoped to one organization, one module per concern.

- ``queries``: reading jobs, scenes and renders; ``prices``: the price table use cases are given;
- ``creation``: ``createJob`` and ``estimateJob``;
- ``lifecycle``: approving the storyboard, canceling, retrying;
- ``exports``: more renders of a completed job;
- ``scene_fields`` and ``scene_edits``: changing, adding, removing, reordering, regenerating scenes;
- ``footage``: an uploaded video as a scene's clip (``replaceSceneClip``).

Every function changes rows in the caller's session and records the job events of its state
changes there; the stage runs it needs are requested with ``stage_queue.request_stage``. Both go
out only when the caller's ``UnitOfWork`` commits; a ``DomainError`` leaves nothing written,
published or enqueued once the caller rolls back.

The transitions the pipeline makes (the plan stored, stages starting, finishing, failing) live in
``domain.services.job_stages``; the rules behind both are in ``domain.rules``.
"""

from __future__ import annotations

from domain.services.jobs.creation import (
    DEFAULT_REFINEMENTS_LIMIT,
    MAX_JOB_ASSETS,
    NewJob,
    Prepared,
    create_job,
    estimate_new_job,
    prepare_job,
)
from domain.services.jobs.exports import MAX_RENDERS_PER_JOB, export_job
from domain.services.jobs.footage import replace_scene_clip
from domain.services.jobs.lifecycle import approve_storyboard, cancel_job, retry_job
from domain.services.jobs.prices import price_table
from domain.services.jobs.queries import (
    get_job,
    get_scene,
    jobs_query,
    renders_of,
    scenes_of,
    snapshot_from,
    status_filter,
)
from domain.services.jobs.scene_edits import (
    add_scene,
    delete_scene,
    regenerate_scene,
    reorder_scenes,
    update_scene,
)
from domain.services.jobs.scene_fields import (
    MAX_SCENE_ASSETS,
    SCENE_TEXT_LIMITS,
    SceneFields,
    clean_scene_text,
)

__all__ = [
    "DEFAULT_REFINEMENTS_LIMIT",
    "MAX_JOB_ASSETS",
    "MAX_RENDERS_PER_JOB",
    "MAX_SCENE_ASSETS",
    "SCENE_TEXT_LIMITS",
    "NewJob",
    "Prepared",
    "SceneFields",
    "add_scene",
    "approve_storyboard",
    "cancel_job",
    "clean_scene_text",
    "create_job",
    "delete_scene",
    "estimate_new_job",
    "export_job",
    "get_job",
    "get_scene",
    "jobs_query",
    "prepare_job",
    "price_table",
    "regenerate_scene",
    "renders_of",
    "reorder_scenes",
    "replace_scene_clip",
    "retry_job",
    "scenes_of",
    "snapshot_from",
    "status_filter",
    "update_scene",
]
