"""Estimates: what ``createJob`` would plan and what it would cost, without creating anything."""

from __future__ import annotations

import strawberry

from domain.services.jobs import Prepared
from schema.enums import SceneBeat, SceneContinuity, ShotType, Transition
from schema.errors import UserError
from schema.types.assets import Asset
from schema.types.cost import CostLine, usd
from schema.types.jobs import ProviderChoice


@strawberry.type(description="A scene the planner would make, with what it would cost.")
class SceneEstimate:
    position: int
    beat: SceneBeat
    title: str
    description: str
    script: str
    caption: str
    prompt: str
    shot_type: ShotType
    transition: Transition
    duration_seconds: float
    continuity: SceneContinuity
    assets: list[Asset]
    estimated_usd: float


@strawberry.type(description="A dry run of createJob: the scenes it would plan and their cost.")
class CostEstimate:
    estimated_usd: float | None = None
    budget_usd: float | None = None
    within_budget: bool | None = None
    duration_seconds: float | None = None
    scene_count: int | None = None
    scenes: list[SceneEstimate] = strawberry.field(default_factory=list)
    lines: list[CostLine] = strawberry.field(default_factory=list)
    providers: ProviderChoice | None = None
    music: Asset | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, p: Prepared) -> CostEstimate:
        scenes = [
            SceneEstimate(
                position=i,
                beat=s.beat,
                title=s.title,
                description=s.description,
                script=s.script,
                caption=s.caption,
                prompt=s.prompt,
                shot_type=s.shot_type,
                transition=s.transition,
                duration_seconds=s.duration_seconds,
                continuity=s.continuity,
                assets=[Asset.from_model(p.assets_by_id[a]) for a in s.asset_ids],
                estimated_usd=usd(cost),
            )
            for i, (s, cost) in enumerate(zip(p.plan.scenes, p.estimate.scene_usd, strict=True))
        ]
        return cls(
            estimated_usd=usd(p.estimate.total_usd),
            budget_usd=usd(p.budget_usd) if p.budget_usd is not None else None,
            within_budget=p.within_budget,
            duration_seconds=p.duration_seconds,
            scene_count=len(scenes),
            scenes=scenes,
            lines=[CostLine.of(line) for line in p.estimate.lines],
            providers=ProviderChoice.of(p.choice.to_dict()),
            music=Asset.from_model(p.assets_by_id[p.plan.music_asset_id])
            if p.plan.music_asset_id
            else None,
        )


__all__ = ["CostEstimate", "SceneEstimate"]
