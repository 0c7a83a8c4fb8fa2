"""``saveJobTemplate``: a job's storyboard kept as a template with merge fields.

The template holds the job's brief, settings and scenes as they are; any text (the brief's texts
and features, each scene's title, description, script, caption and prompt) may hold ``{{fields}}``
that each row of a batch fills (``rows``). The fields found are listed on the template.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Invalid, InvalidState, NotFound
from domain.models import JobTemplate
from domain.rules.merge_fields import fields_in
from domain.services.batches.storyboard import SceneDraft
from domain.services.jobs.queries import get_job, scenes_of

#: The brief's texts and each scene's texts that may hold merge fields (so may the brief's
#: features, a list).
BRIEF_TEXTS = ("product", "audience", "tone", "call_to_action", "prompt")
SCENE_TEXTS = ("title", "description", "script", "caption", "prompt")


def template_texts(storyboard: dict[str, Any]) -> list[str]:
    """Every text of a stored storyboard that may hold merge fields, in reading order."""
    brief = storyboard["brief"]
    texts = [str(brief.get(name) or "") for name in BRIEF_TEXTS]
    texts.extend(str(line) for line in brief.get("features") or ())
    for scene in storyboard["scenes"]:
        texts.extend(str(scene.get(name) or "") for name in SCENE_TEXTS)
    return texts


async def save_template(
    session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID, name: str
) -> JobTemplate:
    """Keep the job's storyboard as a template named ``name``."""
    clean = " ".join((name or "").split())
    if not 1 <= len(clean) <= 200:
        raise Invalid("name must be 1 to 200 characters", ["name"])
    job = await get_job(session, org_id, job_id)
    scenes = await scenes_of(session, job)
    if not scenes:
        raise InvalidState("the job has no storyboard yet", ["jobId"])
    storyboard: dict[str, Any] = {
        "campaign_id": str(job.campaign_id),
        "brief": dict(job.brief),
        "aspect_ratio": job.aspect_ratio.value,
        "continuity": job.continuity,
        "captions": job.captions,
        "voiceover": job.voiceover,
        "music_asset_id": str(job.music_asset_id) if job.music_asset_id else None,
        "asset_ids": list(job.asset_ids),
        "providers": dict(job.providers),
        "budget_usd": str(job.budget_usd) if job.budget_usd is not None else None,
        "auto_approve": job.auto_approve,
        "scenes": [SceneDraft.of(s).to_dict() for s in scenes],
    }
    template = JobTemplate(
        id=uuid.uuid4(),
        organization_id=org_id,
        source_job_id=job.id,
        name=clean,
        fields=fields_in(template_texts(storyboard)),
        storyboard=storyboard,
    )
    session.add(template)
    await session.flush()
    return template


async def get_template(
    session: AsyncSession, org_id: uuid.UUID, template_id: uuid.UUID
) -> JobTemplate:
    """The organization's template, or ``NotFound``."""
    template = await session.scalar(
        select(JobTemplate).where(
            JobTemplate.id == template_id, JobTemplate.organization_id == org_id
        )
    )
    if template is None:
        raise NotFound("template", ["templateId"])
    return template


__all__ = ["BRIEF_TEXTS", "SCENE_TEXTS", "get_template", "save_template", "template_texts"]
