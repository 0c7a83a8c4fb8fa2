"""Money on jobs, scenes and estimates: spent against planned, and one priced provider call."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain.rules.budget import variance_ratio
from domain.rules.pricing import CostLine as CostLineRule


def usd(value: object) -> float:
    """A money amount as the API shows it: dollars, rounded to cents."""
    return round(float(value), 2)  # type: ignore[arg-type]


@strawberry.type(description="Money spent and planned: `varianceRatio` 0.25 = 25% over.")
class Cost:
    estimated_usd: float
    actual_usd: float
    variance_ratio: float | None = strawberry.field(
        description="(actual - estimated) / estimated; null when only the estimate is zero."
    )

    @classmethod
    def of(cls, estimated: Decimal, actual: Decimal) -> Cost:
        return cls(
            estimated_usd=usd(estimated),
            actual_usd=usd(actual),
            variance_ratio=variance_ratio(estimated, actual),
        )


@strawberry.type(description="One priced provider call of an estimate.")
class CostLine:
    kind: str = strawberry.field(description="planner, image, video or voice.")
    provider: str
    scene_position: int | None
    seconds: float
    characters: int
    usd: float

    @classmethod
    def of(cls, line: CostLineRule) -> CostLine:
        return cls(
            kind=line.kind.value,
            provider=line.ref,
            scene_position=line.scene,
            seconds=line.seconds,
            characters=line.chars,
            usd=usd(line.usd),
        )


__all__ = ["Cost", "CostLine", "usd"]
