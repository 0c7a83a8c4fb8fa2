"""Payloads of the job, scene and export mutations: the result or the ``userErrors``."""

from __future__ import annotations

import strawberry

from schema.errors import UserError
from schema.types.jobs import Job
from schema.types.renders import Render
from schema.types.scenes import Scene


@strawberry.type
class JobPayload:
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ScenePayload:
    scene: Scene | None = None
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteScenePayload:
    deleted_scene_id: strawberry.ID | None = None
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RenderPayload:
    render: Render | None = None
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


__all__ = ["DeleteScenePayload", "JobPayload", "RenderPayload", "ScenePayload"]
