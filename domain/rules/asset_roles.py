"""Which uploaded asset goes where: product shots to product scenes, the logo to the end card,
people to the story scenes, backgrounds to scenes with nothing else, music to the job.

Assets without a role are read by kind: an image is a background, a video is footage, audio is
music. Product, character and background assets may be images or videos (a video becomes the
scene's clip, see ``domain.rules.footage``); a scene takes at most one video.
``role_fits_kind`` says which kinds each role accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.enums import AssetKind, AssetRole, SceneBeat

#: Beats that show the product itself.
PRODUCT_BEATS = frozenset({SceneBeat.PRODUCT, SceneBeat.DETAIL})
#: Beats that tell the story with people in it.
PEOPLE_BEATS = (SceneBeat.HOOK, SceneBeat.PROBLEM, SceneBeat.BENEFIT, SceneBeat.PROOF)
#: Beats that may take extra product shots when the product scenes already have one.
SPILL_BEATS = (SceneBeat.BENEFIT, SceneBeat.PROOF, SceneBeat.PROBLEM, SceneBeat.HOOK)

#: Beats that show a product photo again when they have no picture of their own.
REPRISE_BEATS = (SceneBeat.HOOK, SceneBeat.BENEFIT, SceneBeat.PROOF)
#: Roles whose asset may be a video shown as the scene's clip.
VIDEO_ROLES = frozenset(
    {AssetRole.PRODUCT, AssetRole.CHARACTER, AssetRole.BACKGROUND, AssetRole.FOOTAGE}
)
_KINDS: dict[AssetRole, frozenset[AssetKind]] = {
    AssetRole.PRODUCT: frozenset({AssetKind.IMAGE, AssetKind.VIDEO}),
    AssetRole.CHARACTER: frozenset({AssetKind.IMAGE, AssetKind.VIDEO}),
    AssetRole.BACKGROUND: frozenset({AssetKind.IMAGE, AssetKind.VIDEO}),
    AssetRole.LOGO: frozenset({AssetKind.IMAGE}),
    AssetRole.FOOTAGE: frozenset({AssetKind.VIDEO}),
    AssetRole.MUSIC: frozenset({AssetKind.AUDIO}),
    AssetRole.VOICEOVER: frozenset({AssetKind.AUDIO}),
    AssetRole.DATA: frozenset({AssetKind.DATA}),
    AssetRole.FONT: frozenset({AssetKind.FONT}),
}


@dataclass(frozen=True, slots=True)
class PlanAsset:
    """An uploaded asset the planner may place (ID as a string)."""

    id: str
    role: AssetRole | None
    kind: AssetKind | None


@dataclass(frozen=True, slots=True)
class Assignment:
    """Assets per scene (in scene order), the job's music, and the logo."""

    scene_assets: tuple[tuple[str, ...], ...]
    music_asset_id: str | None = None
    logo_asset_id: str | None = None
    unplaced: tuple[str, ...] = field(default_factory=tuple)


def effective_role(asset: PlanAsset) -> AssetRole | None:
    """The role an asset plays: its own, or one read from its kind."""
    if asset.role is not None:
        return asset.role
    if asset.kind is AssetKind.IMAGE:
        return AssetRole.BACKGROUND
    if asset.kind is AssetKind.AUDIO:
        return AssetRole.MUSIC
    if asset.kind is AssetKind.VIDEO:
        return AssetRole.FOOTAGE
    if asset.kind is AssetKind.FONT:
        return AssetRole.FONT
    return None


def role_fits_kind(role: AssetRole | None, kind: AssetKind | None) -> bool:
    """Whether an asset of ``kind`` can play ``role`` in a job (scene roles need images, music
    audio; a DATA file plays none)."""
    if kind is AssetKind.DATA:  # a CSV is data for batches, never a picture or a sound
        return False
    allowed = _KINDS.get(role) if role is not None else None
    return allowed is None or kind in allowed


def assign_assets(
    beats: Sequence[SceneBeat], assets: Sequence[PlanAsset], *, music_asset_id: str | None = None
) -> Assignment:
    """Place ``assets`` on scenes with these ``beats`` (deterministic: input order decides ties).

    - PRODUCT: one per product scene in turn; extra ones go to story scenes without a visual,
      then round the product scenes again
    - LOGO: the end card (the last scene when none is marked END_CARD)
    - CHARACTER: story scenes (hook, problem, benefit, proof) in turn
    - BACKGROUND, then FOOTAGE: scenes with no visual yet, in order; then every scene in turn
    - a scene takes at most one video: a video goes to the next candidate scene without one
      (``unplaced`` when none is left)
    - product photos again on hooks, benefits and proofs left without a picture, so product shots
      are on screen for most of the ad
    - MUSIC: the job's music, unless ``music_asset_id`` is given explicitly
    - VOICEOVER, REFERENCE, FONT and generated roles stay job-level (``unplaced``)
    """
    count = len(beats)
    placed: list[list[str]] = [[] for _ in range(count)]
    unplaced: list[str] = []
    music = music_asset_id
    logo: str | None = None
    by_role: dict[AssetRole, list[PlanAsset]] = {}
    for asset in assets:
        role = effective_role(asset)
        if role is None:
            unplaced.append(asset.id)
        else:
            by_role.setdefault(role, []).append(asset)

    def indexes(wanted: Sequence[SceneBeat] | frozenset[SceneBeat]) -> list[int]:
        return [i for i, b in enumerate(beats) if b in wanted]

    end_cards = indexes([SceneBeat.END_CARD]) or ([count - 1] if count else [])
    product_scenes = indexes(PRODUCT_BEATS)

    videos = {a.id for a in assets if a.kind is AssetKind.VIDEO}

    def put(asset: PlanAsset, candidates: Sequence[int]) -> None:
        """On the first candidate scene (a video: the first without a video yet)."""
        if asset.id in videos:
            candidates = [i for i in candidates if not any(a in videos for a in placed[i])]
        if candidates:
            placed[candidates[0]].append(asset.id)
        else:
            unplaced.append(asset.id)

    for n, asset in enumerate(by_role.get(AssetRole.PRODUCT, [])):
        if not product_scenes:
            unplaced.append(asset.id)
            continue
        if n < len(product_scenes):
            rest = product_scenes[n:] + product_scenes[:n]
            put(asset, rest + [i for i in indexes(SPILL_BEATS) if i not in rest])
            continue
        free = [i for i in indexes(SPILL_BEATS) if not placed[i]]
        free.sort(key=lambda i: SPILL_BEATS.index(beats[i]))
        turn = product_scenes[n % len(product_scenes) :] + product_scenes[: n % len(product_scenes)]
        put(asset, free + turn)

    for asset in by_role.get(AssetRole.LOGO, []):
        if end_cards:
            placed[end_cards[0]].append(asset.id)
            logo = logo or asset.id
        else:
            unplaced.append(asset.id)

    people = indexes(PEOPLE_BEATS) or [i for i in range(count) if i not in end_cards]
    for n, asset in enumerate(by_role.get(AssetRole.CHARACTER, [])):
        start = n % len(people) if people else 0
        put(asset, people[start:] + people[:start])

    visual_ids = {a.id for role in VIDEO_ROLES for a in by_role.get(role, [])}
    backdrops = [*by_role.get(AssetRole.BACKGROUND, []), *by_role.get(AssetRole.FOOTAGE, [])]
    for n, asset in enumerate(backdrops):
        empty = [i for i in range(count) if not any(a in visual_ids for a in placed[i])]
        turn = [(n + i) % count for i in range(count)]
        put(asset, empty + [i for i in turn if i not in empty])

    # product shots are on screen for most of the ad: a hook, benefit or proof with no picture
    # of its own shows a product photo again (beside its words, see ``domain.rules.layouts``)
    photos = [a.id for a in by_role.get(AssetRole.PRODUCT, []) if a.kind is AssetKind.IMAGE]
    bare = [
        i
        for i in indexes(REPRISE_BEATS)
        if not any(a in visual_ids or a in photos for a in placed[i])
    ]
    for n, index in enumerate(bare if photos else []):
        placed[index].append(photos[n % len(photos)])

    for asset in by_role.get(AssetRole.MUSIC, []):
        if music is None and asset.kind in (AssetKind.AUDIO, None):
            music = asset.id
        elif asset.id != music:
            unplaced.append(asset.id)

    for role, group in by_role.items():
        if role not in (
            AssetRole.PRODUCT,
            AssetRole.LOGO,
            AssetRole.CHARACTER,
            AssetRole.BACKGROUND,
            AssetRole.FOOTAGE,
            AssetRole.MUSIC,
        ):
            unplaced.extend(a.id for a in group)

    return Assignment(
        scene_assets=tuple(tuple(p) for p in placed),
        music_asset_id=music,
        logo_asset_id=logo,
        unplaced=tuple(unplaced),
    )


__all__ = [
    "PEOPLE_BEATS",
    "PRODUCT_BEATS",
    "VIDEO_ROLES",
    "Assignment",
    "PlanAsset",
    "assign_assets",
    "effective_role",
]
