"""Prices per provider and model, and the arithmetic of cost estimates.

A provider is named by a *reference*: ``"builtin"`` for the offline providers, otherwise
``"<provider>:<model>"`` (``"replicate:black-forest-labs/flux-schnell"``). A job picks one reference
per kind (planner, image, video, voice); the price table says what each call costs:

- ``per_call``     a fixed price per request (LLM plans, images)
- ``per_second``   per second of generated video or audio
- ``per_1k_chars`` per thousand characters of text spoken (text-to-speech)
- ``min_seconds``, ``step_seconds``: for models that sell whole clip lengths, the shortest billed
  length and the increment billed seconds round up to

The table is the catalog: a reference that is not in it is not a known provider. Built-in prices
are zero, but the arithmetic is the same for every provider. Defaults below are list prices and are
meant to be overridden (``ADREEL_PROVIDER_PRICES``) to match an account's contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from domain.errors import Invalid
from domain.rules.budget import money

BUILTIN = "builtin"


class ProviderKind(StrEnum):
    """What a provider makes."""

    PLANNER = "planner"
    IMAGE = "image"
    VIDEO = "video"
    VOICE = "voice"


@dataclass(frozen=True, slots=True)
class Price:
    """The price of one provider and model."""

    per_call: Decimal = Decimal(0)
    per_second: Decimal = Decimal(0)
    per_1k_chars: Decimal = Decimal(0)
    min_seconds: Decimal = Decimal(0)
    step_seconds: Decimal = Decimal(0)

    def billed_seconds(self, seconds: float) -> Decimal:
        """The seconds a provider bills for ``seconds`` of media.

        Models that sell whole clip lengths bill at least ``min_seconds`` and round up to a
        multiple of ``step_seconds`` (a 3 s scene on a 5 s model is billed 5 s).
        """
        billed = Decimal(str(seconds))
        if billed <= 0:
            return Decimal(0)
        if self.step_seconds > 0:
            billed = (billed / self.step_seconds).to_integral_value(rounding=ROUND_CEILING)
            billed *= self.step_seconds
        return max(billed, self.min_seconds)

    def cost(self, *, calls: int = 1, seconds: float = 0.0, chars: int = 0) -> Decimal:
        """What ``calls`` requests producing ``seconds`` of media from ``chars`` of text cost."""
        total = (
            self.per_call * calls
            + self.per_second * self.billed_seconds(seconds)
            + self.per_1k_chars * Decimal(chars) / 1000
        )
        return money(total)


def split_ref(ref: str) -> tuple[str, str]:
    """``("replicate", "black-forest-labs/flux-schnell")`` from a reference; builtin has no model."""
    provider, _, model = ref.partition(":")
    return provider, model


@dataclass(frozen=True, slots=True)
class ProviderChoice:
    """The provider reference a job uses for each kind."""

    planner: str = BUILTIN
    image: str = BUILTIN
    video: str = BUILTIN
    voice: str = BUILTIN

    def ref(self, kind: ProviderKind) -> str:
        value: str = getattr(self, kind.value)
        return value

    def to_dict(self) -> dict[str, str]:
        return {kind.value: self.ref(kind) for kind in ProviderKind}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ProviderChoice:
        """From a stored mapping; missing or empty kinds use the built-in provider."""
        data = data or {}
        return cls(**{k.value: str(data.get(k.value) or BUILTIN) for k in ProviderKind})


def _decimal(value: Any, where: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise Invalid(f"price {where} is not a number", ["providers"]) from exc
    if not amount.is_finite() or amount < 0:
        raise Invalid(f"price {where} must be a non-negative number", ["providers"])
    return amount


class PriceTable:
    """Prices by (kind, reference)."""

    def __init__(self, prices: Mapping[tuple[ProviderKind, str], Price]) -> None:
        self._prices = dict(prices)

    def knows(self, kind: ProviderKind, ref: str) -> bool:
        return (kind, ref) in self._prices

    def price(self, kind: ProviderKind, ref: str) -> Price:
        """The price of ``ref`` as a ``kind`` provider; an unknown one is ``Invalid``."""
        try:
            return self._prices[(kind, ref)]
        except KeyError:
            raise Invalid(
                f"unknown {kind.value} provider {ref[:100]!r}", ["providers", kind.value]
            ) from None

    def refs(self, kind: ProviderKind) -> list[str]:
        """Every known reference of a kind, sorted."""
        return sorted(ref for k, ref in self._prices if k is kind)

    def validate(self, choice: ProviderChoice) -> ProviderChoice:
        """``choice`` when every reference in it is known; ``Invalid`` otherwise."""
        for kind in ProviderKind:
            self.price(kind, choice.ref(kind))
        return choice

    def merged(self, overrides: Mapping[str, Mapping[str, Mapping[str, Any]]] | None) -> PriceTable:
        """This table with prices added or replaced, given as ``{kind: {ref: {unit: amount}}}``."""
        prices = dict(self._prices)
        for kind_name, entries in (overrides or {}).items():
            try:
                kind = ProviderKind(kind_name)
            except ValueError:
                raise Invalid(
                    f"unknown provider kind {kind_name!r} in prices", ["providers"]
                ) from None
            for ref, units in entries.items():
                unknown = set(units) - PRICE_UNITS
                if unknown:
                    raise Invalid(
                        f"unknown price unit(s) {sorted(unknown)} for {ref}", ["providers"]
                    )
                prices[(kind, ref)] = Price(
                    **{
                        unit: _decimal(amount, f"{kind_name}/{ref}/{unit}")
                        for unit, amount in units.items()
                    }
                )
        return PriceTable(prices)

    def items(self) -> Iterable[tuple[tuple[ProviderKind, str], Price]]:
        return self._prices.items()


PRICE_UNITS = frozenset({"per_call", "per_second", "per_1k_chars", "min_seconds", "step_seconds"})


def _p(
    per_call: str = "0",
    per_second: str = "0",
    per_1k_chars: str = "0",
    *,
    min_seconds: str = "0",
    step_seconds: str = "0",
) -> Price:
    return Price(
        Decimal(per_call),
        Decimal(per_second),
        Decimal(per_1k_chars),
        Decimal(min_seconds),
        Decimal(step_seconds),
    )


#: Built-in providers (free) and list prices of a few hosted models.
DEFAULT_PRICES = PriceTable(
    {
        (ProviderKind.PLANNER, BUILTIN): _p(),
        (ProviderKind.IMAGE, BUILTIN): _p(),
        (ProviderKind.VIDEO, BUILTIN): _p(),
        (ProviderKind.VOICE, BUILTIN): _p(),
        (ProviderKind.PLANNER, "openai:gpt-4o-mini"): _p(per_call="0.002"),
        (ProviderKind.PLANNER, "openai:gpt-4o"): _p(per_call="0.03"),
        (ProviderKind.IMAGE, "replicate:black-forest-labs/flux-schnell"): _p(per_call="0.003"),
        (ProviderKind.IMAGE, "replicate:black-forest-labs/flux-1.1-pro"): _p(per_call="0.04"),
        (ProviderKind.VIDEO, "replicate:kwaivgi/kling-v2.1"): _p(
            per_second="0.05", min_seconds="5", step_seconds="5"
        ),
        (ProviderKind.VIDEO, "veo:veo-3.0-fast-generate-001"): _p(
            per_second="0.15", min_seconds="4", step_seconds="2"
        ),
        (ProviderKind.VIDEO, "veo:veo-3.0-generate-001"): _p(
            per_second="0.40", min_seconds="4", step_seconds="2"
        ),
        (ProviderKind.VIDEO, "minimax:S2V-01"): _p(per_call="0.65"),
        (ProviderKind.VOICE, "openai:tts-1"): _p(per_1k_chars="0.015"),
        (ProviderKind.VOICE, "elevenlabs:eleven_multilingual_v2"): _p(per_1k_chars="0.30"),
    }
)


@dataclass(frozen=True, slots=True)
class SceneWork:
    """What generating one scene involves, for pricing (``footage``: its clip is cut from an
    uploaded video, so neither a key image nor a clip is generated)."""

    duration_seconds: float
    script_chars: int = 0
    footage: bool = False


@dataclass(frozen=True, slots=True)
class CostLine:
    """One priced item of an estimate; ``scene`` is the scene's index (``None`` for the job)."""

    kind: ProviderKind
    ref: str
    usd: Decimal
    scene: int | None = None
    seconds: float = 0.0
    chars: int = 0


@dataclass(frozen=True, slots=True)
class JobEstimate:
    """An estimate of a whole job: the total, the job-level part and each scene's part."""

    total_usd: Decimal
    job_usd: Decimal
    scene_usd: tuple[Decimal, ...]
    lines: tuple[CostLine, ...] = field(default_factory=tuple)


def scene_lines(
    table: PriceTable,
    choice: ProviderChoice,
    work: SceneWork,
    *,
    voiceover: bool,
    index: int | None = None,
) -> list[CostLine]:
    """What one scene costs: its key image, its clip, and its spoken script when voiced.

    A footage scene has no image or video line: both come from the uploaded video, for free.
    """
    image = choice.ref(ProviderKind.IMAGE)
    video = choice.ref(ProviderKind.VIDEO)
    lines = (
        []
        if work.footage
        else [
            CostLine(
                ProviderKind.IMAGE, image, table.price(ProviderKind.IMAGE, image).cost(), index
            ),
            CostLine(
                ProviderKind.VIDEO,
                video,
                table.price(ProviderKind.VIDEO, video).cost(seconds=work.duration_seconds),
                index,
                seconds=work.duration_seconds,
            ),
        ]
    )
    if voiceover and work.script_chars > 0:
        voice = choice.ref(ProviderKind.VOICE)
        lines.append(
            CostLine(
                ProviderKind.VOICE,
                voice,
                table.price(ProviderKind.VOICE, voice).cost(chars=work.script_chars),
                index,
                chars=work.script_chars,
            )
        )
    return lines


def estimate_scene(
    table: PriceTable, choice: ProviderChoice, work: SceneWork, *, voiceover: bool
) -> Decimal:
    """The estimated cost of (re)generating one scene."""
    return money(
        sum(
            (line.usd for line in scene_lines(table, choice, work, voiceover=voiceover)), Decimal(0)
        )
    )


def estimate_job(
    table: PriceTable,
    choice: ProviderChoice,
    scenes: Sequence[SceneWork],
    *,
    voiceover: bool,
) -> JobEstimate:
    """The estimated cost of a job: one planner call plus every scene."""
    planner = choice.ref(ProviderKind.PLANNER)
    lines = [
        CostLine(ProviderKind.PLANNER, planner, table.price(ProviderKind.PLANNER, planner).cost())
    ]
    per_scene: list[Decimal] = []
    for index, work in enumerate(scenes):
        mine = scene_lines(table, choice, work, voiceover=voiceover, index=index)
        lines.extend(mine)
        per_scene.append(money(sum((line.usd for line in mine), Decimal(0))))
    job_usd = lines[0].usd
    total = money(job_usd + sum(per_scene, Decimal(0)))
    return JobEstimate(total, job_usd, tuple(per_scene), tuple(lines))


__all__ = [
    "BUILTIN",
    "DEFAULT_PRICES",
    "CostLine",
    "JobEstimate",
    "Price",
    "PriceTable",
    "ProviderChoice",
    "ProviderKind",
    "SceneWork",
    "estimate_job",
    "estimate_scene",
    "scene_lines",
    "split_ref",
]
