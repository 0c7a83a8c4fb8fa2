"""The providers a process offers, by reference, and the one a job chose for each kind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from domain.errors import ErrorCode
from domain.ports.providers import ImageProvider, PlannerProvider, VideoProvider
from domain.ports.voice import VoiceProvider
from domain.rules.pricing import DEFAULT_PRICES, PriceTable, ProviderChoice, ProviderKind
from domain.services.pipeline.errors import StageError

T = TypeVar("T")


@dataclass
class ProviderRegistry:
    """Planner, image, video and voice providers by reference (``"builtin"``,
    ``"replicate:<model>"``), and prices."""

    planner: dict[str, PlannerProvider] = field(default_factory=dict)
    image: dict[str, ImageProvider] = field(default_factory=dict)
    video: dict[str, VideoProvider] = field(default_factory=dict)
    voice: dict[str, VoiceProvider] = field(default_factory=dict)
    prices: PriceTable = DEFAULT_PRICES

    def choice(self, stored: Mapping[str, Any] | None) -> ProviderChoice:
        """The job's stored provider choice (built-in where it chose none)."""
        return ProviderChoice.from_dict(stored)

    def _pick(self, table: dict[str, T], kind: ProviderKind, ref: str) -> T:
        try:
            return table[ref]
        except KeyError:
            raise StageError(
                ErrorCode.PROVIDER_UNAVAILABLE.value,
                f"the {kind.value} provider {ref!r} is not configured on this server",
            ) from None

    def planner_for(self, stored: Mapping[str, Any] | None) -> tuple[str, PlannerProvider]:
        """The reference and planner a job uses."""
        ref = self.choice(stored).ref(ProviderKind.PLANNER)
        return ref, self._pick(self.planner, ProviderKind.PLANNER, ref)

    def image_for(self, stored: Mapping[str, Any] | None) -> tuple[str, ImageProvider]:
        """The reference and image provider a job uses."""
        ref = self.choice(stored).ref(ProviderKind.IMAGE)
        return ref, self._pick(self.image, ProviderKind.IMAGE, ref)

    def video_for(self, stored: Mapping[str, Any] | None) -> tuple[str, VideoProvider]:
        """The reference and video provider a job uses."""
        ref = self.choice(stored).ref(ProviderKind.VIDEO)
        return ref, self._pick(self.video, ProviderKind.VIDEO, ref)

    def voice_for(self, stored: Mapping[str, Any] | None) -> tuple[str, VoiceProvider]:
        """The reference and voice provider a job uses."""
        ref = self.choice(stored).ref(ProviderKind.VOICE)
        return ref, self._pick(self.voice, ProviderKind.VOICE, ref)

    def estimate(
        self, kind: ProviderKind, ref: str, *, seconds: float = 0.0, chars: int = 0
    ) -> Decimal:
        """The price-table estimate of one call (unknown references cost what the table says:
        an unpriced provider is refused when the job is created)."""
        if not self.prices.knows(kind, ref):
            return Decimal(0)
        # a video provider that bills whole lengths (5 s for a 3 s scene) says what it will bill
        billed = (
            getattr(self.video.get(ref), "billed_seconds", None)
            if kind is ProviderKind.VIDEO
            else None
        )
        if callable(billed) and seconds > 0:
            seconds = float(billed(seconds))
        return self.prices.price(kind, ref).cost(seconds=seconds, chars=chars)


__all__ = ["ProviderRegistry"]
