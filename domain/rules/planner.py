"""The offline planner: a brief becomes 3..7 scenes, deterministically and without any service.

The outline follows the shape of a short ad: a hook, the problem or the people it is for, the
product (and a close-up), the benefit, some proof, and an end card with the call to action. Scene
durations are split from the requested duration by weight and sum to it exactly; every scene
gets a shot type, a transition into it, a voice-over line, an on-screen caption and a visual
prompt (written by ``planner_copy``); uploaded assets are placed by role (see ``asset_roles``).

``normalize_plan`` enforces the same invariants on a plan from any planner provider.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from domain.enums import AspectRatio, AssetKind, SceneBeat, SceneContinuity, ShotType, Transition
from domain.errors import Invalid, ValidationErrors
from domain.rules.asset_roles import PlanAsset, assign_assets
from domain.rules.durations import (
    MAX_SCENES,
    MIN_SCENES,
    default_scene_count,
    split_duration,
    to_ms,
)
from domain.rules.planner_copy import (
    CALM,
    ENERGETIC,
    PREMIUM,
    SERIOUS,
    SHOT_WORDS,
    beat_texts,
    mood_of,
    shorten,
    visual_prompt,
    words_for,
)

# --- the brief -------------------------------------------------------------------------------

_LIMITS = {
    "product": 200,
    "audience": 500,
    "tone": 100,
    "call_to_action": 120,
    "language": 35,
    "prompt": 4000,
    "voice": 100,
}
_FIELD_NAMES = {"call_to_action": "callToAction"}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Brief:
    """What the ad is about."""

    product: str
    audience: str = ""
    tone: str = ""
    call_to_action: str = ""
    language: str = "en"
    prompt: str = ""
    voice: str = ""  # the voice id the narration is spoken in (empty: the provider's default)
    caption_style: str = ""  # a CaptionStyle name (empty: BOX)

    def to_dict(self) -> dict[str, str]:
        voice = {"voice": self.voice} if self.voice else {}
        if self.caption_style:
            voice["caption_style"] = self.caption_style
        return {
            "product": self.product,
            "audience": self.audience,
            "tone": self.tone,
            "call_to_action": self.call_to_action,
            "language": self.language,
            "prompt": self.prompt,
            **voice,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Brief:
        """From stored JSON (missing keys take their defaults)."""
        return cls(
            product=str(data.get("product") or ""),
            audience=str(data.get("audience") or ""),
            tone=str(data.get("tone") or ""),
            call_to_action=str(data.get("call_to_action") or ""),
            language=str(data.get("language") or "en"),
            prompt=str(data.get("prompt") or ""),
            voice=str(data.get("voice") or ""),
            caption_style=str(data.get("caption_style") or ""),
        )


def clean_brief(
    *,
    product: str,
    audience: str | None = None,
    tone: str | None = None,
    call_to_action: str | None = None,
    language: str | None = None,
    prompt: str | None = None,
    voice: str | None = None,
    caption_style: str | None = None,
) -> Brief:
    """A validated brief: trimmed texts within their limits, no control characters (the prompt
    may have line breaks), a product named, a language tag like ``en`` or ``pt-BR``."""
    values = {
        "product": product,
        "audience": audience,
        "tone": tone,
        "call_to_action": call_to_action,
        "language": language,
        "prompt": prompt,
        "voice": voice,
    }
    cleaned: dict[str, str] = {}
    errors: list[Invalid] = []
    for name, raw in values.items():
        path = ["brief", _FIELD_NAMES.get(name, name)]
        text = (raw or "").strip()
        if name != "prompt":
            text = " ".join(text.split())
        if len(text) > _LIMITS[name]:
            errors.append(Invalid(f"{path[1]} must be at most {_LIMITS[name]} characters", path))
        elif _CONTROL.search(text):
            errors.append(Invalid(f"{path[1]} must not contain control characters", path))
        cleaned[name] = text
    if not cleaned["product"]:
        errors.append(Invalid("product must not be empty", ["brief", "product"]))
    language = cleaned["language"] or "en"
    if not _LANGUAGE.match(language):
        errors.append(
            Invalid("language must be a language tag like en or pt-BR", ["brief", "language"])
        )
    if errors:
        raise ValidationErrors(list(errors))
    return Brief(**{**cleaned, "language": language}, caption_style=caption_style or "")


# --- plans -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Everything a planner gets."""

    brief: Brief
    duration_seconds: float
    aspect_ratio: AspectRatio
    scene_count: int | None = None
    continuity: bool = True
    brand_name: str = ""
    brand_colors: tuple[str, ...] = ()
    assets: tuple[PlanAsset, ...] = ()
    music_asset_id: str | None = None
    captions: bool = True
    voiceover: bool = False


@dataclass(frozen=True, slots=True)
class ScenePlan:
    """One planned scene; ``transition`` is how the scene is entered from the previous one."""

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
    asset_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """A storyboard plan: the scenes in order and the job's music."""

    scenes: tuple[ScenePlan, ...]
    music_asset_id: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def durations(self) -> list[float]:
        return [s.duration_seconds for s in self.scenes]


#: The outline for each scene count.
OUTLINES: dict[int, tuple[SceneBeat, ...]] = {
    3: (SceneBeat.HOOK, SceneBeat.PRODUCT, SceneBeat.END_CARD),
    4: (SceneBeat.HOOK, SceneBeat.PRODUCT, SceneBeat.BENEFIT, SceneBeat.END_CARD),
    5: (
        SceneBeat.HOOK,
        SceneBeat.PROBLEM,
        SceneBeat.PRODUCT,
        SceneBeat.BENEFIT,
        SceneBeat.END_CARD,
    ),
    6: (
        SceneBeat.HOOK,
        SceneBeat.PROBLEM,
        SceneBeat.PRODUCT,
        SceneBeat.DETAIL,
        SceneBeat.BENEFIT,
        SceneBeat.END_CARD,
    ),
    7: (
        SceneBeat.HOOK,
        SceneBeat.PROBLEM,
        SceneBeat.PRODUCT,
        SceneBeat.DETAIL,
        SceneBeat.BENEFIT,
        SceneBeat.PROOF,
        SceneBeat.END_CARD,
    ),
}

#: Relative scene lengths: the product gets a little more time, the end card a little less.
BEAT_WEIGHT: dict[SceneBeat, float] = {
    SceneBeat.HOOK: 0.9,
    SceneBeat.PROBLEM: 1.0,
    SceneBeat.PRODUCT: 1.2,
    SceneBeat.DETAIL: 1.0,
    SceneBeat.BENEFIT: 1.0,
    SceneBeat.PROOF: 1.0,
    SceneBeat.END_CARD: 0.8,
    SceneBeat.CUSTOM: 1.0,
}

BEAT_SHOT: dict[SceneBeat, ShotType] = {
    SceneBeat.HOOK: ShotType.WIDE,
    SceneBeat.PROBLEM: ShotType.MEDIUM,
    SceneBeat.PRODUCT: ShotType.PRODUCT,
    SceneBeat.DETAIL: ShotType.EXTREME_CLOSE_UP,
    SceneBeat.BENEFIT: ShotType.CLOSE_UP,
    SceneBeat.PROOF: ShotType.OVERHEAD,
    SceneBeat.END_CARD: ShotType.MEDIUM,
    SceneBeat.CUSTOM: ShotType.MEDIUM,
}

MOOD_TRANSITIONS: dict[str, tuple[Transition, ...]] = {
    ENERGETIC: (Transition.WIPE_LEFT, Transition.SLIDE_UP, Transition.ZOOM, Transition.WIPE_RIGHT),
    CALM: (Transition.DISSOLVE, Transition.WIPE_RIGHT),
    PREMIUM: (Transition.DISSOLVE, Transition.SLIDE_UP),
    SERIOUS: (Transition.DISSOLVE, Transition.WIPE_LEFT),
}
"""Mid-ad transitions per mood, used in turn; a dip to black is kept for the end card alone."""


def beats_for(count: int) -> tuple[SceneBeat, ...]:
    """The outline of an ad with ``count`` scenes (3..7)."""
    if count not in OUTLINES:
        raise Invalid(f"sceneCount must be between {MIN_SCENES} and {MAX_SCENES}", ["sceneCount"])
    return OUTLINES[count]


def continuity_for(
    beats: Sequence[SceneBeat], scene_assets: Sequence[Sequence[str]], continuity: bool
) -> list[SceneContinuity]:
    """CONTINUE (first frame = previous clip's last frame) for each scene after the first when the
    job asks for continuity, except the end card and scenes showing an uploaded visual."""
    result = []
    for index, beat in enumerate(beats):
        keeps_going = (
            continuity and index > 0 and beat is not SceneBeat.END_CARD and not scene_assets[index]
        )
        result.append(SceneContinuity.CONTINUE if keeps_going else SceneContinuity.CUT)
    return result


def transitions_for(
    beats: Sequence[SceneBeat], continuity: Sequence[SceneContinuity], mood: str
) -> list[Transition]:
    """How each scene is entered: a CUT into the first and into every CONTINUE scene (the shot
    goes on), a fade into the end card, the mood's palette in turn elsewhere."""
    palette = MOOD_TRANSITIONS[mood]
    result: list[Transition] = []
    turn = 0
    for index, beat in enumerate(beats):
        if index == 0 or continuity[index] is SceneContinuity.CONTINUE:
            result.append(Transition.CUT)
        elif beat is SceneBeat.END_CARD:
            result.append(Transition.FADE)
        else:
            result.append(palette[turn % len(palette)])
            turn += 1
    return result


def plan_offline(request: PlanRequest) -> Plan:
    """Plan a storyboard from the brief alone (deterministic: same request, same plan)."""
    count = request.scene_count or default_scene_count(request.duration_seconds)
    beats = beats_for(count)
    durations = split_duration(request.duration_seconds, [BEAT_WEIGHT[b] for b in beats])
    assignment = assign_assets(beats, request.assets, music_asset_id=request.music_asset_id)
    continuity = continuity_for(beats, assignment.scene_assets, request.continuity)
    w = words_for(request)
    transitions = transitions_for(beats, continuity, w.mood)
    scenes = []
    for index, beat in enumerate(beats):
        title, description, script, caption, subject = beat_texts(beat, w)
        shot = BEAT_SHOT[beat]
        scenes.append(
            ScenePlan(
                beat=beat,
                title=title,
                description=description,
                script=script,
                caption=caption,
                prompt=visual_prompt(subject, shot, w, request.aspect_ratio),
                shot_type=shot,
                transition=transitions[index],
                duration_seconds=durations[index],
                continuity=continuity[index],
                asset_ids=assignment.scene_assets[index],
            )
        )
    return Plan(tuple(scenes), assignment.music_asset_id)


def normalize_plan(request: PlanRequest, plan: Plan) -> Plan:
    """Make any planner's plan keep the rules: 3..7 scenes (the requested count when given),
    durations summing exactly to the request, continuity from the job's flag (never on the first
    scene nor into uploaded footage), CUT into CONTINUE scenes, and only the job's own assets, placed by role when the
    planner placed none."""
    scenes = list(plan.scenes)
    wanted = request.scene_count
    if (
        not scenes
        or (wanted is not None and len(scenes) != wanted)
        or not (MIN_SCENES <= len(scenes) <= MAX_SCENES)
    ):
        return plan_offline(request)
    known = {a.id for a in request.assets}
    beats = [s.beat for s in scenes]
    if not any(s.asset_ids for s in scenes):
        placed = assign_assets(beats, request.assets, music_asset_id=request.music_asset_id)
        asset_lists = [list(ids) for ids in placed.scene_assets]
        music = placed.music_asset_id
    else:
        asset_lists = [[i for i in s.asset_ids if i in known] for s in scenes]
        music = plan.music_asset_id if plan.music_asset_id in known else request.music_asset_id
    weights = [max(s.duration_seconds, 0.001) for s in scenes]
    exact = all(to_ms(s.duration_seconds) > 0 for s in scenes) and sum(
        to_ms(s.duration_seconds) for s in scenes
    ) == to_ms(request.duration_seconds)
    durations = (
        [s.duration_seconds for s in scenes]
        if exact
        else split_duration(request.duration_seconds, weights)
    )
    videos = {a.id for a in request.assets if a.kind is AssetKind.VIDEO}
    out = []
    for index, scene in enumerate(scenes):
        continuity = scene.continuity
        if index == 0 or not request.continuity or videos.intersection(asset_lists[index]):
            continuity = SceneContinuity.CUT  # footage opens on its own first frame
        transition = (
            Transition.CUT
            if (index == 0 or continuity is SceneContinuity.CONTINUE)
            else scene.transition
        )
        out.append(
            replace(
                scene,
                caption=shorten(scene.caption),
                duration_seconds=durations[index],
                continuity=continuity,
                transition=transition,
                asset_ids=tuple(asset_lists[index]),
            )
        )
    return Plan(tuple(out), music, plan.notes)


__all__ = [
    "BEAT_SHOT",
    "BEAT_WEIGHT",
    "OUTLINES",
    "SHOT_WORDS",  # the job services name a new scene's shot with it
    "Brief",
    "Plan",
    "PlanRequest",
    "ScenePlan",
    "beats_for",
    "clean_brief",
    "continuity_for",
    "mood_of",
    "normalize_plan",
    "plan_offline",
    "shorten",
    "transitions_for",
]
