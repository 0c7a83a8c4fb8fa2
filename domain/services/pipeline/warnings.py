"""Warnings a job collects while it is made (shown on the job, never failing it)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.media.logo_size import logo_warning
from domain.media.types import Size
from domain.models import Asset, Job

_LOGO = "the logo ("


async def note_logo_size(
    session: AsyncSession, job: Job, logo_id: uuid.UUID | None, frame: Size
) -> None:
    """Warn (on ``job.warnings``) when the logo would be enlarged more than 2x on the end card;
    replaces an earlier logo warning, so a run with a better logo clears it."""
    logo = await session.get(Asset, logo_id) if logo_id else None
    warning = logo_warning(logo.width, logo.height, frame) if logo is not None else None
    kept = [w for w in (job.warnings or []) if not w.startswith(_LOGO)]
    job.warnings = [*kept, warning] if warning else kept


__all__ = ["note_logo_size"]
