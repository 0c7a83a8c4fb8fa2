"""Jobs made together: variant groups, job templates with merge fields, batches, bundles."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Entity, UTCDateTime, str_enum


class BundleStatus(StrEnum):
    """Where a bundle stands: waiting for its renders, being zipped, stored, or failed."""

    RENDERING = "RENDERING"
    ZIPPING = "ZIPPING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class VariantGroup(Entity):
    """Jobs made from one job's storyboard with overrides (``createVariants``)."""

    __tablename__ = "variant_groups"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    source_job_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="CASCADE"), index=True, nullable=False
    )


class JobTemplate(Entity):
    """A job's storyboard kept as a template whose texts may hold ``{{merge}}`` fields."""

    __tablename__ = "job_templates"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    source_job_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: the merge fields the texts use, in order of first use
    fields: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    #: the job's settings and scenes (``domain.rules.templates.Storyboard.to_dict``)
    storyboard: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class JobBatch(Entity):
    """The jobs one ``createJobsFromTemplate`` request made, and the rows it refused."""

    __tablename__ = "job_batches"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("job_templates.id", ondelete="SET NULL"), nullable=True
    )
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("campaigns.id", ondelete="CASCADE"), index=True, nullable=False
    )
    rows: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    #: the refused rows: ``[{"row": n, "field": name, "code": ..., "message": ...}]``
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, nullable=False)


class Bundle(Entity):
    """One ZIP of several jobs' renders, caption files and a manifest (``exportBundle``)."""

    __tablename__ = "bundles"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    status: Mapped[BundleStatus] = mapped_column(
        str_enum(BundleStatus), default=BundleStatus.RENDERING, nullable=False
    )
    progress: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    #: ``[{"job": id, "render": id}]`` in archive order
    items: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list, nullable=False)
    captions: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


__all__ = ["Bundle", "BundleStatus", "JobBatch", "JobTemplate", "VariantGroup"]
