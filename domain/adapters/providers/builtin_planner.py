"""The built-in offline planner: the planner rules behind the planner port (free, no network)."""

from __future__ import annotations

from domain.errors import DomainError, ErrorCode
from domain.ports.providers import PlannerProvider
from domain.rules.planner import Plan, PlanRequest, plan_offline
from domain.rules.pricing import BUILTIN
from domain.rules.scene_rewrite import SceneCopy, SceneRewrite, rewrite_offline


class OfflinePlanner:
    """Plans from the brief with the deterministic outline of ``domain.rules.planner``."""

    ref: str = BUILTIN

    async def plan(self, request: PlanRequest) -> Plan:
        return plan_offline(request)

    async def rewrite_scene(self, request: SceneRewrite) -> SceneCopy:
        """The deterministic rules of ``domain.rules.scene_rewrite``."""
        return rewrite_offline(request)


def planner_for(ref: str) -> PlannerProvider:
    """The planner behind a provider reference; only the built-in one ships offline."""
    if ref == BUILTIN:
        return OfflinePlanner()
    raise DomainError(
        ErrorCode.PROVIDER_UNAVAILABLE, f"planner {ref[:100]!r} is not configured", ["providers"]
    )


__all__ = ["OfflinePlanner", "planner_for"]
