"""The brief: what an ad is about, as stored on a job, and its validation.

``clean_brief`` checks a brief before a job is created (trimmed texts within their limits, no
control characters, a product named, a language tag, at most five short feature lines);
``Brief`` is what planners are given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.errors import Invalid, ValidationErrors

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
#: The most feature lines a brief may list, and the most characters of one.
MAX_FEATURES = 5
FEATURE_LIMIT = 60
#: How many features a FEATURES scene calls out (fewer than the least: the layout is not used).
CALLOUTS = (2, 4)
#: What separates the features written in one text (a batch row's ``features`` CSV cell).
FEATURE_SEPARATOR = "|"
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
    #: the product's features, one short line each (the FEATURES layout calls them out)
    features: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        voice: dict[str, Any] = {"voice": self.voice} if self.voice else {}
        if self.caption_style:
            voice["caption_style"] = self.caption_style
        if self.features:
            voice["features"] = list(self.features)
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
            features=tuple(str(f) for f in data.get("features") or () if str(f).strip()),
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
    features: Sequence[str] | None = None,
) -> Brief:
    """A validated brief: trimmed texts within their limits, no control characters (the prompt
    may have line breaks), a product named, a language tag like ``en`` or ``pt-BR``, at most
    :data:`MAX_FEATURES` features of one line each, none empty."""
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
    lines = clean_features(features or (), errors)
    if errors:
        raise ValidationErrors(list(errors))
    return Brief(
        **{**cleaned, "language": language}, caption_style=caption_style or "", features=lines
    )


def clean_features(
    features: Sequence[str], errors: list[Invalid], path: Sequence[str] = ("brief", "features")
) -> tuple[str, ...]:
    """The feature lines trimmed to single spaces; an ``Invalid`` in ``errors`` for too many
    (at ``path``), an empty one, one too long or one with control characters (``path`` and its
    index)."""
    if len(features) > MAX_FEATURES:
        errors.append(Invalid(f"features must list at most {MAX_FEATURES}", list(path)))
        return ()
    out: list[str] = []
    for index, raw in enumerate(features):
        at = [*path, str(index)]
        text = " ".join(raw.split())
        if not text:
            errors.append(Invalid("a feature must not be empty", at))
        elif len(text) > FEATURE_LIMIT:
            errors.append(Invalid(f"a feature must be at most {FEATURE_LIMIT} characters", at))
        elif _CONTROL.search(text):
            errors.append(Invalid("a feature must not contain control characters", at))
        out.append(text)
    return tuple(out)


def given_features(
    value: object, errors: list[Invalid], path: Sequence[str] = ("features",)
) -> tuple[str, ...] | None:
    """The features a batch row gives: text listing them separated by ``|`` (a CSV cell), or a
    list of texts (a JSON row), cleaned by :func:`clean_features` with its errors under ``path``.

    ``None`` when the row gives none (no value, or blank text): the template's are kept. Text
    with a line break is refused (features are one line each, separated by ``|`` only), so is a
    value of another type; both leave ``()`` and an ``Invalid`` at ``path``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        if "\n" in value or "\r" in value:
            message = f"features are separated by {FEATURE_SEPARATOR}, not by line breaks"
            errors.append(Invalid(message, list(path)))
            return ()
        return clean_features(value.split(FEATURE_SEPARATOR), errors, path)
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return clean_features(value, errors, path)
    message = f"features must be text (separated by {FEATURE_SEPARATOR}) or a list of texts"
    errors.append(Invalid(message, list(path)))
    return ()


__all__ = [
    "CALLOUTS",
    "FEATURE_LIMIT",
    "FEATURE_SEPARATOR",
    "MAX_FEATURES",
    "Brief",
    "clean_brief",
    "clean_features",
    "given_features",
]
