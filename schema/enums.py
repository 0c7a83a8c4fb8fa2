"""GraphQL enums, mirroring the domain's."""

from __future__ import annotations

import strawberry

from domain import enums

CampaignStatus = strawberry.enum(enums.CampaignStatus)
AssetKind = strawberry.enum(enums.AssetKind)
AssetRole = strawberry.enum(enums.AssetRole)
AssetStatus = strawberry.enum(enums.AssetStatus)
JobStatus = strawberry.enum(enums.JobStatus)
JobStage = strawberry.enum(enums.JobStage)
JobAction = strawberry.enum(enums.JobAction)
AspectRatio = strawberry.enum(enums.AspectRatio)
SceneContinuity = strawberry.enum(
    enums.SceneContinuity, description="CONTINUE: first frame = previous clip's exact last frame."
)
SceneStatus = strawberry.enum(enums.SceneStatus)
ShotType = strawberry.enum(enums.ShotType)
Transition = strawberry.enum(enums.Transition)
VideoFormat = strawberry.enum(enums.VideoFormat)
Resolution = strawberry.enum(enums.Resolution)
RenderQuality = strawberry.enum(enums.RenderQuality)
RenderStatus = strawberry.enum(enums.RenderStatus)
JobEventType = strawberry.enum(enums.JobEventType)
