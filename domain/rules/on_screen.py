"""Words on screen once: a designed panel (a split screen's headline, a FEATURES scene's
heading and callouts) and the narration's captions shown over the same scene must not say the
same thing twice.

Pure rules. The panel keeps its words (they are its design); a caption phrase over its scene
that repeats them is not burned in (the narration is heard, and the caption files keep every
word), the phrases that say something else are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: A caption repeats the panel when at least this share of its words is in the panel (or of
#: the panel's words in it).
REPEATED = 0.5

_WORD = re.compile(r"\w+", re.UNICODE)


def words_of(text: str) -> list[str]:
    """The words of ``text``, case-folded (punctuation dropped)."""
    return [w.casefold() for w in _WORD.findall(text)]


def repeats(panel: str, caption: str) -> bool:
    """Whether at least :data:`REPEATED` of the caption's words are in the panel, or of the
    panel's words in the caption."""
    shown, said = words_of(panel), words_of(caption)
    if not shown or not said:
        return False
    on_panel, in_caption = set(shown), set(said)
    return (
        sum(w in on_panel for w in said) / len(said) >= REPEATED
        or sum(w in in_caption for w in shown) / len(shown) >= REPEATED
    )


def captions_shown(panel: str, captions: Sequence[str]) -> list[bool]:
    """Which of the ``captions`` over a panel's scene are burned in: those not repeating it."""
    return [not repeats(panel, caption) for caption in captions]


__all__ = ["REPEATED", "captions_shown", "repeats", "words_of"]
