"""Words on screen once: a designed panel (a split screen's headline, a FEATURES scene's
heading and callouts) and the narration's captions shown over the same scene must not say the
same thing twice.

Pure rules. When most of the panel's words are in the captions shown with it (or most of the
captions' words are in the panel), one of them
keeps the words: the panel when the captions say little besides (the captions are hidden over
that scene; the narration is heard and the caption files keep every word), else the captions
(the panel is drawn without its words). A FEATURES panel always keeps its callouts: its
features are the layout.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

#: A panel repeats the captions when at least this share of its words is in them.
REPEATED = 0.5
#: The captions may add at most this share of words the panel does not have and still be the
#: ones hidden.
CAPTIONS_EXTRA = 1 / 3

_WORD = re.compile(r"\w+", re.UNICODE)


class Words(StrEnum):
    """Which words show over a scene with a designed panel."""

    BOTH = "BOTH"  # they say different things
    PANEL = "PANEL"  # the captions over the scene are hidden
    CAPTIONS = "CAPTIONS"  # the panel is drawn without its words


def words_of(text: str) -> list[str]:
    """The words of ``text``, case-folded (punctuation dropped)."""
    return [w.casefold() for w in _WORD.findall(text)]


def repeats(panel: str, captions: Sequence[str]) -> bool:
    """Whether at least :data:`REPEATED` of the panel's words are in ``captions``, or of the
    captions' words in the panel."""
    mine = words_of(panel)
    said = [w for text in captions for w in words_of(text)]
    if not mine or not said:
        return False
    heard, shown = set(said), set(mine)
    return (
        sum(w in heard for w in mine) / len(mine) >= REPEATED
        or sum(w in shown for w in said) / len(said) >= REPEATED
    )


def shown_words(panel: str, captions: Sequence[str], *, panel_only: bool = False) -> Words:
    """Which of ``panel`` and the ``captions`` shown with it keep their words (``panel_only``:
    the panel's words cannot go, so repeating captions are hidden)."""
    if not repeats(panel, captions):
        return Words.BOTH
    mine = set(words_of(panel))
    said = [w for text in captions for w in words_of(text)]
    extra = sum(w not in mine for w in said)
    if panel_only or extra <= len(said) * CAPTIONS_EXTRA:
        return Words.PANEL
    return Words.CAPTIONS


__all__ = ["CAPTIONS_EXTRA", "REPEATED", "Words", "repeats", "shown_words", "words_of"]
