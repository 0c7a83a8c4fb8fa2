"""Scene clips from a Replicate image-to-video model."""

from __future__ import annotations

from pathlib import Path

from domain.adapters.providers.errors import (
    PROVIDER_REJECTED,
    ProviderError,
)
from domain.adapters.providers.prompts import video_prompt
from domain.adapters.providers.replicate.client import ReplicateClient
from domain.adapters.providers.replicate.config import PROVIDER, ModelRef
from domain.adapters.providers.replicate.predictions import Prediction
from domain.adapters.providers.replicate_schema import (
    MissingStartImage,
    pick_duration,
    video_input,
)
from domain.enums import AssetKind
from domain.media.types import ProgressCallback
from domain.ports.providers import GeneratedMedia, VideoRequest
from domain.rules.pricing import Price


class ReplicateVideoProvider:
    """Scene clips from a Replicate image-to-video model (a ``VideoProvider``).

    The clip opens on the scene's key image; a CONTINUE scene opens on the previous clip's last
    frame instead and, when the model takes a last frame, moves towards the key image. The model
    is asked for the shortest length it offers that covers the scene (the pipeline trims it to
    the exact frames); the cost is the price per second of what was asked for.
    """

    name = PROVIDER

    def __init__(self, client: ReplicateClient, model: str, price: Price) -> None:
        self.client = client
        self.model_ref = ModelRef.parse(model)
        self.model = str(self.model_ref)
        self.ref = f"{PROVIDER}:{self.model}"
        self.price = price

    def billed_seconds(self, seconds: float) -> float:
        """The length the model will be asked for (once its schema is known)."""
        schema = self.client.cached_schema(self.model_ref)
        spec = schema.fields.get("duration") if schema is not None else None
        return pick_duration(spec, seconds)[1] if spec is not None else seconds

    def estimate_usd(self, request: VideoRequest) -> float:
        return float(self.price.cost(seconds=self.billed_seconds(request.duration_seconds)))

    async def generate_clip(
        self,
        request: VideoRequest,
        output: Path,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> GeneratedMedia:
        start = request.start_image or request.image
        end = request.image if request.start_image is not None else None
        if end is not None and end.resolve() == start.resolve():
            end = None
        async with self.client.session() as api:
            schema = await self.client.schema(api, self.model_ref)
            try:
                model_input = video_input(
                    schema,
                    prompt=video_prompt(request),
                    size=request.size,
                    seconds=request.duration_seconds,
                    seed=request.seed,
                    start=start,
                    end=end,
                    reference=request.character_image,
                    overrides=self.client.config.model_inputs.get(self.model_ref.slug),
                )
            except MissingStartImage as exc:
                raise ProviderError(
                    PROVIDER_REJECTED,
                    f"{self.model} takes no start image, so it cannot animate key images",
                    retryable=False,
                    provider=PROVIDER,
                ) from exc

            async def download(prediction: Prediction) -> Path:
                return await self.client.save(
                    prediction,
                    output,
                    kind=AssetKind.VIDEO,
                    max_bytes=self.client.config.max_video_bytes,
                )

            await self.client.run(
                api, self.model_ref, model_input, download, on_progress=on_progress
            )
        cost = self.price.cost(seconds=model_input.billed_seconds)
        return GeneratedMedia(output, PROVIDER, self.model, float(cost))


__all__ = ["ReplicateVideoProvider"]
