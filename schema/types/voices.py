"""A voice the narration can be spoken in."""

from __future__ import annotations

import strawberry

from domain.services.voices import OfferedVoice


@strawberry.type(description="A voice a configured voice provider offers.")
class Voice:
    provider: str = strawberry.field(description="The reference to pick in `providers.voice`.")
    id: str = strawberry.field(description="The voice id to give in `brief.voice`.")
    language: str
    name: str
    gender: str | None

    @classmethod
    def of(cls, offered: OfferedVoice) -> Voice:
        v = offered.voice
        return cls(
            provider=offered.provider,
            id=v.id,
            language=v.language,
            name=v.name or v.id,
            gender=v.gender or None,
        )
