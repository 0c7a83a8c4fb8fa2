"""How scene durations, transitions and frames relate.

The rule: the finished ad lasts exactly the sum of the scene durations (to the frame). Scene ``i``
owns frames ``[boundary[i], boundary[i+1])`` where boundaries are the rounded cumulative durations.
A transition into scene ``i`` starts at scene ``i``'s boundary and lasts ``overlap[i]`` frames; the
frames it blends come from an extra tail on the *outgoing* clip, so clip ``i`` is rendered
``scene_frames[i] + overlap[i+1]`` frames long. The first frame of every clip is therefore exactly
the first frame of its scene, which keeps CONTINUE scenes (first frame = previous last frame) exact
when the transition into them is a CUT.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from domain.enums import Transition
from domain.errors import Invalid

DEFAULT_FPS = 30

#: Length of each transition in seconds (CUT has none).
TRANSITION_SECONDS: dict[Transition, float] = {
    Transition.CUT: 0.0,
    Transition.FADE: 0.6,
    Transition.DISSOLVE: 0.5,
    Transition.WIPE_LEFT: 0.4,
    Transition.WIPE_RIGHT: 0.4,
    Transition.SLIDE_UP: 0.4,
    Transition.ZOOM: 0.5,
}


@dataclass(frozen=True, slots=True)
class Timeline:
    """Frame-exact layout of scenes, overlaps and clips at ``fps``."""

    fps: int
    boundaries: tuple[int, ...]  # n + 1 frame indexes, first 0, last total_frames
    overlaps: tuple[int, ...]  # n entries: frames of the transition INTO scene i (overlaps[0] = 0)
    transitions: tuple[Transition, ...]  # n entries, transitions[0] is ignored (CUT)

    @property
    def scene_count(self) -> int:
        return len(self.boundaries) - 1

    @property
    def total_frames(self) -> int:
        return self.boundaries[-1]

    @property
    def total_seconds(self) -> float:
        return self.total_frames / self.fps

    def scene_frames(self, index: int) -> int:
        return self.boundaries[index + 1] - self.boundaries[index]

    def clip_frames(self, index: int) -> int:
        """Frames the clip of scene ``index`` must have: its scene plus the outgoing overlap."""
        tail = self.overlaps[index + 1] if index + 1 < self.scene_count else 0
        return self.scene_frames(index) + tail

    def start_seconds(self, index: int) -> float:
        return self.boundaries[index] / self.fps

    def end_seconds(self, index: int) -> float:
        return self.boundaries[index + 1] / self.fps

    def caption_window(self, index: int) -> tuple[float, float]:
        """When scene ``index``'s caption shows: after its incoming transition, before the next."""
        start = (self.boundaries[index] + self.overlaps[index]) / self.fps
        end = self.end_seconds(index)
        if end - start >= 1.2:
            return start + 0.15, end - 0.15
        return start, end  # never over the transition's blend (or a dip's black frames)


def plan_timeline(
    durations: Sequence[float],
    transitions: Sequence[Transition] | None = None,
    *,
    fps: int = DEFAULT_FPS,
) -> Timeline:
    """Lay scenes out on a frame grid; ``transitions[i]`` is how scene ``i`` is entered.

    Each transition is shortened when needed so it never takes more than half of either scene.
    """
    if not durations:
        raise Invalid("at least one scene is needed", ["scenes"])
    if any(d <= 0 for d in durations):
        raise Invalid("scene durations must be positive", ["scenes"])
    if transitions is None:
        transitions = [Transition.CUT] * len(durations)
    if len(transitions) != len(durations):
        raise Invalid("one transition per scene is needed", ["scenes"])
    boundaries = [0]
    cumulative = 0.0
    for duration in durations:
        cumulative += duration
        boundaries.append(round(cumulative * fps))
    if any(b <= a for a, b in itertools.pairwise(boundaries)):
        raise Invalid(f"every scene must last at least one frame (1/{fps} s)", ["scenes"])
    overlaps = [0]
    for index in range(1, len(durations)):
        wanted = round(TRANSITION_SECONDS[transitions[index]] * fps)
        before = boundaries[index] - boundaries[index - 1]
        after = boundaries[index + 1] - boundaries[index]
        overlaps.append(max(0, min(wanted, before // 2, after // 2)))
    kinds = [Transition.CUT] + [
        t if overlaps[i + 1] > 0 else Transition.CUT for i, t in enumerate(transitions[1:])
    ]
    return Timeline(fps, tuple(boundaries), tuple(overlaps), tuple(kinds))


__all__ = ["DEFAULT_FPS", "TRANSITION_SECONDS", "Timeline", "plan_timeline"]
