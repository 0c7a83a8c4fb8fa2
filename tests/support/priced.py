"""Image providers for cost and failure tests: the built-in renderer behind a price or a fault.

They stand in for a hosted image model: what matters here is the money and the errors a real
provider adapter reports (its cost per call; retryable "high demand" and final "content policy"
failures classified at the adapter).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.adapters.providers.builtin_image import BuiltinImageProvider
from domain.adapters.providers.builtin_planner import OfflinePlanner
from domain.adapters.providers.builtin_video import BuiltinVideoProvider
from domain.bootstrap import Container
from domain.ports.providers import GeneratedMedia, ImageRequest
from domain.rules.pricing import BUILTIN
from domain.services.jobs import price_table
from domain.services.pipeline.providers import ProviderRegistry


class ProviderFailure(Exception):
    """An adapter-classified provider error."""

    def __init__(self, code: str, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


@dataclass
class PricedImages:
    """Charges ``charged`` per image."""

    inner: BuiltinImageProvider
    charged: Decimal
    name: str = BUILTIN

    def estimate_usd(self, request: ImageRequest) -> float:
        return float(self.charged)

    async def generate_image(self, request: ImageRequest, output: Path) -> GeneratedMedia:
        made = await self.inner.generate_image(request, output)
        return GeneratedMedia(made.path, "priced", "test-model", float(self.charged))


@dataclass
class FlakyImages:
    """Fails its first ``failures`` requests, then draws like the built-in provider."""

    inner: BuiltinImageProvider
    failures: int
    retryable: bool = True
    failed: int = 0
    name: str = BUILTIN

    def estimate_usd(self, request: ImageRequest) -> float:
        return 0.0

    async def generate_image(self, request: ImageRequest, output: Path) -> GeneratedMedia:
        if self.failed < self.failures:
            self.failed += 1
            if self.retryable:
                raise ProviderFailure("RATE_LIMITED", "model under high demand", retryable=True)
            raise ProviderFailure("CONTENT_POLICY", "the prompt was refused", retryable=False)
        return await self.inner.generate_image(request, output)


def _install(container: Container, image: object) -> None:
    engine = FfmpegMediaEngine(container.settings.ffmpeg)
    container.prices = price_table(container.settings.provider_prices)
    container.providers = ProviderRegistry(
        planner={BUILTIN: OfflinePlanner()},
        image={BUILTIN: image},  # type: ignore[dict-item]
        video={BUILTIN: BuiltinVideoProvider(engine)},
        prices=container.prices,
    )


def install_priced_images(container: Container, *, charged: Decimal, listed: str) -> PricedImages:
    """List built-in images at ``listed`` USD per call (estimates) and charge ``charged``."""
    container.settings.provider_prices = {"image": {BUILTIN: {"per_call": float(listed)}}}
    provider = PricedImages(BuiltinImageProvider(), charged)
    _install(container, provider)
    return provider


def install_flaky_images(
    container: Container, *, failures: int, retryable: bool = True
) -> FlakyImages:
    """Images whose first ``failures`` requests fail (retryable or not)."""
    provider = FlakyImages(BuiltinImageProvider(), failures, retryable)
    _install(container, provider)
    return provider
