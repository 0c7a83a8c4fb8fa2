"""Key images from a Replicate text/image-to-image model."""

from __future__ import annotations

import asyncio
from pathlib import Path

from domain.adapters.providers import outputs
from domain.adapters.providers.prompts import image_prompt
from domain.adapters.providers.replicate.client import ReplicateClient
from domain.adapters.providers.replicate.config import PROVIDER, ModelRef
from domain.adapters.providers.replicate.predictions import Prediction
from domain.adapters.providers.replicate_schema import image_input
from domain.enums import AssetKind
from domain.ports.providers import GeneratedMedia, ImageRequest
from domain.rules.pricing import Price


class ReplicateImageProvider:
    """Key images from a Replicate text/image-to-image model (an ``ImageProvider``)."""

    name = PROVIDER

    def __init__(self, client: ReplicateClient, model: str, price: Price) -> None:
        self.client = client
        self.model_ref = ModelRef.parse(model)
        self.model = str(self.model_ref)
        self.ref = f"{PROVIDER}:{self.model}"
        self.price = price

    def estimate_usd(self, request: ImageRequest) -> float:
        return float(self.price.cost())

    async def generate_image(self, request: ImageRequest, output: Path) -> GeneratedMedia:
        raw = output.with_name(f".{output.stem}.replicate")
        try:
            async with self.client.session() as api:
                schema = await self.client.schema(api, self.model_ref)
                model_input = image_input(
                    schema,
                    prompt=image_prompt(request),
                    size=request.size,
                    seed=request.seed,
                    reference=request.source_image,
                    character=request.character_image,
                    overrides=self.client.config.model_inputs.get(self.model_ref.slug),
                )

                async def download(prediction: Prediction) -> Path:
                    return await self.client.save(
                        prediction,
                        raw,
                        kind=AssetKind.IMAGE,
                        max_bytes=self.client.config.max_image_bytes,
                    )

                await self.client.run(api, self.model_ref, model_input, download)
            await asyncio.to_thread(
                outputs.fit_png,
                raw,
                output,
                request.size,
                max_pixels=self.client.config.max_pixels,
                provider=PROVIDER,
            )
        finally:
            raw.unlink(missing_ok=True)
        return GeneratedMedia(output, PROVIDER, self.model, float(self.price.cost()))


__all__ = ["ReplicateImageProvider"]
