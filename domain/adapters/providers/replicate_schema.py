"""A Replicate model's input schema, and mapping Adreel's requests onto it (pure functions).

Every model on Replicate publishes an OpenAPI schema of its inputs (``components.schemas.Input``;
enumerations are ``allOf`` references to sibling schemas). Models name the same idea in many ways
(``start_image``, ``first_frame_image``, ``image``...), take durations as enumerations of integers
or strings, and aspect ratios as ``"W:H"`` strings; this module reads the schema and picks the
field and value that fit an image or clip request, so a new model needs a price, not code.
File inputs (``format: uri``) are returned separately as local paths: the caller sends each one
as a data URI or an uploaded file URL.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.media.types import Size

#: Fields a model may take its first frame / start image from, by preference.
START_IMAGE_FIELDS = (
    "start_image",
    "first_frame_image",
    "first_frame",
    "image",
    "input_image",
    "start_image_url",
    "image_url",
)
#: Fields a model may take a last frame (the image the clip moves towards) from.
END_IMAGE_FIELDS = (
    "end_image",
    "last_frame_image",
    "last_frame",
    "tail_image",
    "image_tail",
    "end_image_url",
)
#: Fields an image model may take a reference picture (a product shot) from.
IMAGE_REFERENCE_FIELDS = ("image_prompt", "input_image", "image", "reference_image", "image_url")
#: Fields an image or video model may take a subject or reference picture (the job's
#: character) from.
SUBJECT_REFERENCE_FIELDS = (
    "subject_reference",
    "reference_images",
    "image_reference",
    "reference_image",
    "character_reference",
    "character_reference_image",
    "subject_image",
)
#: What no ad clip or key image should show (Adreel overlays its own captions and logo).
NEGATIVE_PROMPT = "text, captions, subtitles, watermark, logo, blurry, distorted, deformed"


@dataclass(frozen=True, slots=True)
class InputField:
    """One input of a model."""

    name: str
    type: str | None = None
    enum: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    default: Any = None
    is_file: bool = False


@dataclass(frozen=True, slots=True)
class InputSchema:
    """The inputs a model takes (empty when the model publishes no schema)."""

    fields: Mapping[str, InputField] = field(default_factory=dict)
    required: frozenset[str] = frozenset()

    @property
    def known(self) -> bool:
        return bool(self.fields)

    def has(self, name: str) -> bool:
        return name in self.fields

    def first(self, names: Sequence[str]) -> str | None:
        """The first of ``names`` the model takes."""
        return next((n for n in names if n in self.fields), None)

    @classmethod
    def from_openapi(cls, openapi: Mapping[str, Any] | None) -> InputSchema:
        """Read ``components.schemas.Input`` of a model version's OpenAPI schema."""
        if not isinstance(openapi, Mapping):
            return cls()
        schemas = openapi.get("components", {}).get("schemas", {})
        if not isinstance(schemas, Mapping):
            return cls()
        root = schemas.get("Input")
        if not isinstance(root, Mapping):
            return cls()
        properties = root.get("properties")
        if not isinstance(properties, Mapping):
            return cls()
        fields: dict[str, InputField] = {}
        for name, raw in properties.items():
            if isinstance(name, str) and isinstance(raw, Mapping):
                fields[name] = _field(name, _resolve(raw, schemas))
        required = root.get("required")
        names = frozenset(str(n) for n in required) if isinstance(required, list) else frozenset()
        return cls(fields, names)


def _resolve(raw: Mapping[str, Any], schemas: Mapping[str, Any]) -> dict[str, Any]:
    """A property with its ``allOf``/``anyOf`` ``$ref`` parts merged in."""
    merged: dict[str, Any] = {k: v for k, v in raw.items() if k not in ("allOf", "anyOf")}
    for key in ("allOf", "anyOf"):
        parts = raw.get(key)
        if not isinstance(parts, list):
            continue
        for part in parts:
            if not isinstance(part, Mapping):
                continue
            ref = part.get("$ref")
            target = part
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                found = schemas.get(ref.rsplit("/", 1)[1])
                target = found if isinstance(found, Mapping) else {}
            for k, v in target.items():
                merged.setdefault(k, v)
    return merged


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _field(name: str, raw: Mapping[str, Any]) -> InputField:
    enum = raw.get("enum")
    kind = raw.get("type")
    return InputField(
        name=name,
        type=kind if isinstance(kind, str) else None,
        enum=tuple(enum) if isinstance(enum, list) and enum else None,
        minimum=_number(raw.get("minimum")),
        maximum=_number(raw.get("maximum")),
        default=raw.get("default"),
        is_file=raw.get("format") == "uri",
    )


# --- value pickers -----------------------------------------------------------------------------


def parse_ratio(value: Any) -> float | None:
    """``"16:9"`` as 16/9 (``None`` for anything that is not ``W:H``)."""
    if not isinstance(value, str) or ":" not in value:
        return None
    left, _, right = value.partition(":")
    try:
        width, height = float(left), float(right)
    except ValueError:
        return None
    if width <= 0 or height <= 0:
        return None
    return width / height


def closest_aspect(values: Sequence[Any], size: Size) -> Any | None:
    """The ``"W:H"`` value closest to ``size``'s shape (compared on a log scale)."""
    target = math.log(size.width / size.height)
    best: tuple[float, Any] | None = None
    for value in values:
        ratio = parse_ratio(value)
        if ratio is None:
            continue
        distance = abs(math.log(ratio) - target)
        if best is None or distance < best[0]:
            best = (distance, value)
    return best[1] if best else None


def _clamp(value: float, spec: InputField) -> float:
    if spec.minimum is not None:
        value = max(value, spec.minimum)
    if spec.maximum is not None:
        value = min(value, spec.maximum)
    return value


def pick_duration(spec: InputField, seconds: float) -> tuple[Any, float]:
    """(value to send, seconds it stands for): the shortest allowed length that covers
    ``seconds`` (the longest when none does); integers are rounded up."""
    if spec.enum:
        options: list[tuple[float, Any]] = []
        for value in spec.enum:
            try:
                options.append((float(value), value))
            except (TypeError, ValueError):
                continue
        if options:
            options.sort(key=lambda option: option[0])
            covering = [o for o in options if o[0] + 1e-9 >= seconds]
            length, value = covering[0] if covering else options[-1]
            return value, length
    if spec.type == "integer":
        whole = int(_clamp(float(math.ceil(seconds - 1e-9)), spec))
        return whole, float(whole)
    exact = round(_clamp(seconds, spec), 3)
    return exact, exact


def pick_resolution(values: Sequence[Any], size: Size) -> Any | None:
    """The smallest ``"720p"``-style value at least as fine as ``size``'s short side (the finest
    when none is)."""
    short = min(size.width, size.height)
    options: list[tuple[int, Any]] = []
    for value in values:
        text = str(value).strip().lower()
        if text.endswith("p") and text[:-1].isdigit():
            options.append((int(text[:-1]), value))
    if not options:
        return None
    options.sort(key=lambda option: option[0])
    covering = [o for o in options if o[0] >= short]
    return (covering[0] if covering else options[-1])[1]


def pick_seed(spec: InputField, seed: int) -> int:
    """A seed within the field's range."""
    low = int(spec.minimum) if spec.minimum is not None else 0
    high = int(spec.maximum) if spec.maximum is not None else 2**31 - 1
    span = max(1, high - low + 1)
    return low + seed % span


def _dimension(spec: InputField, value: float) -> int:
    """A width or height in multiples of 16 within the field's range."""
    rounded = max(16, round(value / 16) * 16)
    return int(_clamp(float(rounded), spec))


# --- requests ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelInput:
    """What to send: plain ``values`` and ``files`` (field -> local path) to attach."""

    values: dict[str, Any]
    files: dict[str, Path]
    billed_seconds: float = 0.0
    #: file fields the model takes as a list (``reference_images: [url]``)
    list_files: tuple[str, ...] = ()


def _common(schema: InputSchema, prompt: str, size: Size, seed: int) -> dict[str, Any]:
    values: dict[str, Any] = {"prompt": prompt}
    if schema.has("negative_prompt"):
        values["negative_prompt"] = NEGATIVE_PROMPT
    aspect = schema.fields.get("aspect_ratio")
    if aspect is not None and aspect.enum:
        chosen = closest_aspect(aspect.enum, size)
        if chosen is not None:
            values["aspect_ratio"] = chosen
    seed_field = schema.fields.get("seed")
    if seed_field is not None and seed_field.type in ("integer", None):
        values["seed"] = pick_seed(seed_field, seed)
    return values


def image_input(
    schema: InputSchema,
    *,
    prompt: str,
    size: Size,
    seed: int,
    reference: Path | None = None,
    character: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> ModelInput:
    """The input of an image model for one key image of ``size``: ``reference`` (a product
    shot) goes to its image-prompt field, ``character`` (the job's character) to its subject
    or reference field, when the schema has one (as a one-item list for an array field)."""
    values = _common(schema, prompt, size, seed)
    if "aspect_ratio" not in values and schema.has("width") and schema.has("height"):
        longest = max(size.width, size.height)
        scale = min(1.0, 1440 / longest)
        values["width"] = _dimension(schema.fields["width"], size.width * scale)
        values["height"] = _dimension(schema.fields["height"], size.height * scale)
    output_format = schema.fields.get("output_format")
    if output_format is not None and output_format.enum and "png" in output_format.enum:
        values["output_format"] = "png"
    outputs = schema.fields.get("num_outputs")
    if outputs is not None:
        values["num_outputs"] = 1
    files: dict[str, Path] = {}
    if reference is not None:
        target = schema.first(IMAGE_REFERENCE_FIELDS)
        if target is not None:
            files[target] = reference
    files, lists = _with_subject(schema, files, character)
    values.update(overrides or {})
    return ModelInput(values, files, list_files=lists)


def _with_subject(
    schema: InputSchema, files: dict[str, Path], character: Path | None
) -> tuple[dict[str, Path], tuple[str, ...]]:
    """``files`` plus ``character`` in the model's first free subject or reference field."""
    if character is None:
        return files, ()
    target = next((n for n in SUBJECT_REFERENCE_FIELDS if schema.has(n) and n not in files), None)
    if target is None:
        return files, ()
    lists = (target,) if schema.fields[target].type == "array" else ()
    return {**files, target: character}, lists


class MissingStartImage(ValueError):
    """The model takes no start image, so it cannot animate a key image."""


def video_input(
    schema: InputSchema,
    *,
    prompt: str,
    size: Size,
    seconds: float,
    seed: int,
    start: Path,
    end: Path | None = None,
    reference: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> ModelInput:
    """The input of an image-to-video model: the clip opens on ``start`` (and moves towards
    ``end`` when the model takes a last frame), lasting at least ``seconds`` when it can.
    ``reference`` (the job's character) goes to the model's subject or reference field, when
    its schema has one (as a one-item list when the field is an array)."""
    values = _common(schema, prompt, size, seed)
    files: dict[str, Path] = {}
    start_field = schema.first(START_IMAGE_FIELDS) if schema.known else "image"
    if start_field is None:
        raise MissingStartImage("the model takes no start image")
    files[start_field] = start
    end_field = schema.first(END_IMAGE_FIELDS)
    if end is not None and end_field is not None:
        files[end_field] = end
    files, lists = _with_subject(schema, files, reference)
    billed = seconds
    duration = schema.fields.get("duration") if schema.known else InputField("duration", "integer")
    frames = schema.fields.get("num_frames")
    if duration is not None:
        values["duration"], billed = pick_duration(duration, seconds)
    elif frames is not None:
        fps_field = schema.fields.get("fps") or schema.fields.get("frames_per_second")
        fps_default = fps_field.default if fps_field is not None else None
        fps = float(fps_default) if isinstance(fps_default, int | float) and fps_default else 24.0
        count = int(_clamp(float(math.ceil(seconds * fps)), frames))
        values["num_frames"] = count
        billed = count / fps
    resolution = schema.fields.get("resolution")
    if resolution is not None and resolution.enum:
        chosen = pick_resolution(resolution.enum, size)
        if chosen is not None:
            values["resolution"] = chosen
    values.update(overrides or {})
    fixed = (overrides or {}).get("duration")
    if fixed is not None:
        try:
            billed = float(fixed)
        except (TypeError, ValueError):
            pass
    return ModelInput(values, files, billed, lists)


__all__ = [
    "END_IMAGE_FIELDS",
    "IMAGE_REFERENCE_FIELDS",
    "NEGATIVE_PROMPT",
    "START_IMAGE_FIELDS",
    "SUBJECT_REFERENCE_FIELDS",
    "InputField",
    "InputSchema",
    "MissingStartImage",
    "ModelInput",
    "closest_aspect",
    "image_input",
    "parse_ratio",
    "pick_duration",
    "pick_resolution",
    "pick_seed",
    "video_input",
]
