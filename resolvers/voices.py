"""The ``voices`` query."""

from __future__ import annotations

import strawberry

from domain.services.voices import offered_voices
from resolvers.context import context_of
from schema.types.voices import Voice


@strawberry.type
class VoiceQueries:
    @strawberry.field(description="The voices each configured voice provider offers.")
    async def voices(self, info: strawberry.Info, language: str | None = None) -> list[Voice]:
        ctx = context_of(info)
        found = await offered_voices(ctx.container.providers)
        if language:
            base = language.split("-")[0].lower()
            found = [v for v in found if v.voice.language.split("-")[0].lower() == base]
        return [Voice.of(v) for v in found]
