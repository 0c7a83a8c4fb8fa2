"""``createJobsFromTemplate``: one job per row of merge-field values, validated row by row.

Each row is checked whole before anything is written: every merge field the template uses must
be given, every filled text must fit its limit, a ``durationSeconds`` in the row must be a valid
job duration, ``features`` in the row (separated by ``|``) replace the template's and must be
valid features, the estimate must fit the template's budget. A bad row creates nothing and is
reported with its index and field (``rows.<n>.<field>``); the good rows become jobs, each with its
own events and stage runs, in one ``JobBatch``. At most ``ADREEL_BATCH_MAX_ROWS`` rows a request.
Rows can also come as CSV text (a header row of field names).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import AspectRatio, Resolution
from domain.errors import DomainError, ErrorCode, Invalid, NotFound, ValidationErrors
from domain.media.fonts import require_glyphs
from domain.models import Campaign, Job, JobBatch
from domain.rules.brief import Brief, clean_brief, given_features
from domain.rules.budget import within_budget
from domain.rules.durations import clean_job_duration, split_duration
from domain.rules.merge_fields import fill, missing_fields
from domain.rules.pricing import PriceTable, ProviderChoice, SceneWork, estimate_scene
from domain.services.batches.storyboard import JobDraft, SceneDraft, store_job
from domain.services.batches.templates import BRIEF_TEXTS, SCENE_TEXTS, get_template
from domain.services.jobs.inputs import load_assets
from domain.services.jobs.scene_fields import clean_scene_text

#: Row keys that are settings, not merge fields.
DURATION_KEY = "durationSeconds"
FEATURES_KEY = "features"

_CAMEL = {"call_to_action": "callToAction"}


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row made no job."""

    row: int
    field: str
    code: str
    message: str

    def as_error(self) -> DomainError:
        """The user error of this row (field ``rows.<row>.<field...>``)."""
        return DomainError(
            ErrorCode(self.code), self.message, ["rows", str(self.row), *self.field.split(".")]
        )

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


def rows_from_csv(text: str, max_rows: int) -> list[dict[str, str]]:
    """The rows of CSV text with a header row (``Invalid`` when it has none, or too many rows)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames:
        raise Invalid("the CSV has no header row", ["csv"])
    rows: list[dict[str, str]] = []
    for row in reader:
        if len(rows) >= max_rows:
            raise Invalid(f"at most {max_rows} rows a request", ["csv"])
        rows.append({k.strip(): (v or "") for k, v in row.items() if k})
    return rows


def _values(row: Mapping[str, Any], index: int, errors: list[RowError]) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in row.items():
        if key == FEATURES_KEY and isinstance(value, list):
            continue  # a JSON row's list of features (checked by ``given_features``)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            if value is not None:
                errors.append(
                    RowError(index, key, "INVALID", f"row {index}: {key} must be text or a number")
                )
            continue
        values[key] = str(value)
    return values


def check_row(
    storyboard: Mapping[str, Any], row: Mapping[str, Any], index: int
) -> tuple[dict[str, Any], list[SceneDraft], list[RowError]]:
    """The row's brief and scenes with every field filled and checked; or its errors."""
    errors: list[RowError] = []
    if not isinstance(row, Mapping):
        return {}, [], [RowError(index, "row", "INVALID", f"row {index} must be an object")]
    values = _values(row, index, errors)

    reported: set[str] = set()

    def filled(text: str, where: str) -> str:
        missing = missing_fields(text, values)
        for name in missing:
            if name not in reported:  # once per field, where it is first used
                reported.add(name)
                errors.append(RowError(index, name, "INVALID",
                                       f"row {index}: merge field {{{{{name}}}}} is missing "
                                       f"(first used in {where})"))  # fmt: skip
        return text if missing else fill(text, values)

    brief = dict(storyboard["brief"])
    for name in BRIEF_TEXTS:
        brief[name] = filled(str(brief.get(name) or ""), f"brief.{_CAMEL.get(name, name)}")
    bad_features: list[Invalid] = []
    features = given_features(row.get(FEATURES_KEY), bad_features)
    from_row = features is not None
    if features is None:  # the template's, each filled like the other texts
        features = tuple(
            filled(str(line), f"brief.features.{n}")
            for n, line in enumerate(brief.get("features") or ())
        )
    invalid: list[DomainError] = [*bad_features]
    try:
        cleaned = clean_brief(
            product=brief.get("product") or "",
            audience=brief.get("audience"),
            tone=brief.get("tone"),
            call_to_action=brief.get("call_to_action"),
            language=brief.get("language"),
            prompt=brief.get("prompt"),
            voice=brief.get("voice"),
            caption_style=brief.get("caption_style"),
            features=() if bad_features else features,
        )
        brief = cleaned.to_dict()
        invalid.extend(_undrawable(cleaned, from_row=from_row))
    except ValidationErrors as exc:
        invalid.extend(exc.errors)
    errors.extend(
        RowError(index, ".".join(e.field or ["brief"]), e.code.value, f"row {index}: {e.message}")
        for e in invalid
    )
    scenes = [SceneDraft.from_dict(s) for s in storyboard["scenes"]]
    for position, scene in enumerate(scenes):
        for name in SCENE_TEXTS:
            text = filled(getattr(scene, name), f"scenes.{position}.{name}")
            try:
                setattr(scene, name, clean_scene_text(name, text))
            except DomainError as exc:
                errors.append(
                    RowError(
                        index,
                        f"scenes.{position}.{name}",
                        exc.code.value,
                        f"row {index}: scene {position + 1} {exc.message}",
                    )
                )
    if DURATION_KEY in values:
        try:
            total = clean_job_duration(float(values[DURATION_KEY]))
            parts = split_duration(total, [s.duration_seconds for s in scenes])
            for scene, seconds in zip(scenes, parts, strict=True):
                scene.duration_seconds = seconds
        except (ValueError, DomainError) as exc:
            message = exc.message if isinstance(exc, DomainError) else "must be a number"
            errors.append(
                RowError(index, DURATION_KEY, "INVALID", f"row {index}: {DURATION_KEY} {message}")
            )
    return brief, scenes, errors


def _undrawable(brief: Brief, *, from_row: bool) -> list[Invalid]:
    """The brief's on-screen words (product, call to action, features) that no font draws; the
    features' errors name the row's ``features`` when the row gave them."""
    where = ["features"] if from_row else ["brief", "features"]
    return require_glyphs(
        [
            (brief.product, ["brief", "product"]),
            (brief.call_to_action, ["brief", "callToAction"]),
            *((line, [*where, str(n)]) for n, line in enumerate(brief.features)),
        ]
    )


@dataclass
class BatchResult:
    """The batch, the jobs it made (in row order) and the rows it refused."""

    batch: JobBatch
    jobs: list[Job]
    errors: list[RowError]


async def create_jobs_from_template(
    session: AsyncSession,
    org_id: uuid.UUID,
    template_id: uuid.UUID,
    campaign_id: uuid.UUID,
    rows: Sequence[Mapping[str, Any]],
    *,
    prices: PriceTable,
    max_rows: int,
    refinements_limit: int,
    default_resolution: Resolution,
) -> BatchResult:
    """Make one job per valid row in a new batch; report the others (see the module)."""
    if not 1 <= len(rows) <= max_rows:
        raise Invalid(f"give 1 to {max_rows} rows a request", ["rows"])
    template = await get_template(session, org_id, template_id)
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None or campaign.organization_id != org_id:
        raise NotFound("campaign", ["campaignId"])
    storyboard = template.storyboard
    asset_ids = [uuid.UUID(a) for a in storyboard.get("asset_ids") or []]
    music_id = storyboard.get("music_asset_id")
    await load_assets(session, org_id, campaign.client_id, asset_ids, "assetIds")
    if music_id:
        await load_assets(session, org_id, campaign.client_id, [uuid.UUID(music_id)], "music")
    choice = ProviderChoice.from_dict(storyboard.get("providers"))
    budget = Decimal(storyboard["budget_usd"]) if storyboard.get("budget_usd") else None
    voiceover = bool(storyboard.get("voiceover"))
    batch = JobBatch(
        id=uuid.uuid4(), organization_id=org_id, template_id=template.id,
        campaign_id=campaign.id, rows=len(rows), errors=[],
    )  # fmt: skip
    session.add(batch)
    await session.flush()
    jobs: list[Job] = []
    refused: list[RowError] = []
    for index, row in enumerate(rows):
        brief, scenes, errors = check_row(storyboard, row, index)
        for scene in scenes:
            scene.estimated_cost_usd = estimate_scene(
                prices, choice, SceneWork(scene.duration_seconds, len(scene.script)),
                voiceover=voiceover,
            )  # fmt: skip
        draft = JobDraft(
            organization_id=org_id,
            campaign_id=campaign.id,
            brief=brief,
            aspect_ratio=AspectRatio(storyboard["aspect_ratio"]),
            continuity=bool(storyboard.get("continuity", True)),
            captions=bool(storyboard.get("captions", True)),
            voiceover=voiceover,
            music_asset_id=uuid.UUID(music_id) if music_id else None,
            asset_ids=[str(a) for a in asset_ids],
            providers=choice.to_dict(),
            budget_usd=budget,
            auto_approve=True,
            approved=True,
            refinements_limit=refinements_limit,
            scenes=scenes,
            batch_id=batch.id,
            batch_row=index,
        )
        if not errors and not within_budget(budget, draft.estimated_usd):
            errors.append(RowError(index, "budgetUsd", "BUDGET_EXCEEDED",
                                   f"row {index}: the estimate is over the template's budget"))  # fmt: skip
        if errors:
            refused.extend(errors)
            continue
        jobs.append(
            await store_job(
                session, draft, default_resolution=default_resolution,
                payload={"batch": str(batch.id), "batchRow": index},
            )
        )  # fmt: skip
    batch.errors = [e.to_dict() for e in refused]
    await session.flush()
    return BatchResult(batch, jobs, refused)


__all__ = [
    "DURATION_KEY",
    "FEATURES_KEY",
    "BatchResult",
    "RowError",
    "check_row",
    "create_jobs_from_template",
    "rows_from_csv",
]
