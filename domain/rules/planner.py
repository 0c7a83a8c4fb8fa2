"""The offline planner: a brief becomes 3..7 scenes, deterministically and without any service.

The outline follows the shape of a short ad: a hook, the problem or the people it is for, the
product (and a close-up), the benefit, some proof, and an end card with the call to action. Scene
durations are split from the requested duration by weight and sum to it exactly; every scene
gets a shot type, a transition into it, a voice-over line, an on-screen caption and a visual
prompt (written by ``planner_copy``); uploaded assets are placed by role (see ``asset_roles``).

A voiced ad's lines are written to be said in their scene's time at a natural pace: the longest
line of the beat within ``script_budget`` (``script_fit``); the end card says the call to action
and is given the time for it.

``normalize_plan`` enforces the same invariants on a plan from any planner provider (a voiced
plan's scripts are cut to their budget there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from domain.enums import AspectRatio, AssetKind, SceneBeat, SceneContinuity, ShotType, Transition
from domain.errors import Invalid
from domain.rules.asset_roles import PlanAsset, assign_assets
from domain.rules.brief import Brief, clean_brief
from domain.rules.characters import mark_characters
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
    script_lines,
    shorten,
    visual_prompt,
    words_for,
)
from domain.rules.script_fit import fit_script, longest_fitting, room_for_line


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
    #: the job's character when it appears in this scene (see ``domain.rules.characters``)
    character_asset_id: str | None = None


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


def end_card_line(request: PlanRequest, script: str) -> str:
    """What the end card says: the brief's call to action, else its own script."""
    return request.brief.call_to_action.strip() or script


def _room_for_end_card(
    request: PlanRequest, beats: Sequence[SceneBeat], durations: Sequence[float], line: str
) -> list[float]:
    """A voiced ad's durations with the end card long enough to say its line (the call to
    action is the user's words: the time is found for it rather than the words cut)."""
    if not request.voiceover or SceneBeat.END_CARD not in beats:
        return list(durations)
    index = len(beats) - 1 - list(reversed(beats)).index(SceneBeat.END_CARD)
    return room_for_line(durations, index, line, request.brief.language)


def plan_offline(request: PlanRequest) -> Plan:
    """Plan a storyboard from the brief alone (deterministic: same request, same plan)."""
    count = request.scene_count or default_scene_count(request.duration_seconds)
    beats = beats_for(count)
    durations = split_duration(request.duration_seconds, [BEAT_WEIGHT[b] for b in beats])
    assignment = assign_assets(beats, request.assets, music_asset_id=request.music_asset_id)
    continuity = continuity_for(beats, assignment.scene_assets, request.continuity)
    w = words_for(request)
    transitions = transitions_for(beats, continuity, w.mood)
    language = request.brief.language
    durations = _room_for_end_card(request, beats, durations, end_card_line(request, ""))
    scenes = []
    for index, beat in enumerate(beats):
        title, description, script, caption, subject = beat_texts(beat, w)
        if request.voiceover:  # spoken: the longest line that can be said in the scene
            script = longest_fitting(script_lines(beat, w), durations[index], language)
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
    return Plan(mark_characters(request.assets, scenes), assignment.music_asset_id)


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
    end_card = next((s for s in reversed(scenes) if s.beat is SceneBeat.END_CARD), None)
    if end_card is not None:
        line = end_card_line(request, end_card.script)
        durations = _room_for_end_card(request, beats, durations, line)
    videos = {a.id for a in request.assets if a.kind is AssetKind.VIDEO}
    out = []
    for index, scene in enumerate(scenes):
        script = scene.script
        if request.voiceover and (scene is not end_card or not request.brief.call_to_action):
            script = fit_script(script, durations[index], request.brief.language)
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
                script=script,
                caption=shorten(scene.caption),
                duration_seconds=durations[index],
                continuity=continuity,
                transition=transition,
                asset_ids=tuple(asset_lists[index]),
            )
        )
    return Plan(mark_characters(request.assets, out), music, plan.notes)


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
    "clean_brief",  # re-exported: the brief moved to domain.rules.brief
    "continuity_for",
    "end_card_line",
    "mood_of",
    "normalize_plan",
    "plan_offline",
    "shorten",
    "transitions_for",
]
