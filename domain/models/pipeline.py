"""Pipeline execution records: provider calls keyed for idempotency, and stage runs."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from domain.enums import JobStage
from domain.models.base import Entity, UTCDateTime, str_enum


class ProviderCallStatus(StrEnum):
    """Where one provider call stands."""

    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class StageRunOutcome(StrEnum):
    """How one execution of a stage ended."""

    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    RETRYING = "RETRYING"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    INTERRUPTED = "INTERRUPTED"


class ProviderCall(Entity):
    """One (possibly paid) provider call, unique per idempotency key.

    A call whose result is stored (``SUCCEEDED`` with an asset or a result) is never made again.
    ``attempts`` counts how many times the provider was actually asked.
    """

    __tablename__ = "provider_calls"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    job_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="CASCADE"), index=True, nullable=False
    )
    scene_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    stage: Mapped[JobStage] = mapped_column(str_enum(JobStage), nullable=False)
    operation: Mapped[str] = mapped_column(String(32), nullable=False)
    provider: Mapped[str] = mapped_column(String(64), nullable=False)
    model: Mapped[str] = mapped_column(String(128), default="", nullable=False)
    status: Mapped[ProviderCallStatus] = mapped_column(
        str_enum(ProviderCallStatus), default=ProviderCallStatus.PENDING, nullable=False
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    external_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    estimated_cost_usd: Mapped[Decimal] = mapped_column(
        Numeric(14, 4), default=Decimal(0), nullable=False
    )
    cost_usd: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0), nullable=False)
    asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, nullable=False)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class StageRun(Entity):
    """One execution of a stage under a lease (an audit trail: what ran, where, how it ended)."""

    __tablename__ = "stage_runs"
    __table_args__ = (Index("ix_stage_runs_job_id_stage", "job_id", "stage"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    job_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False
    )
    stage: Mapped[JobStage] = mapped_column(str_enum(JobStage), nullable=False)
    owner: Mapped[str] = mapped_column(String(128), nullable=False)
    outcome: Mapped[StageRunOutcome] = mapped_column(
        str_enum(StageRunOutcome), default=StageRunOutcome.RUNNING, nullable=False
    )
    #: work items this run actually produced (scenes rendered, renders written ...)
    produced: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    #: work items it found already stored and skipped
    reused: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


__all__ = ["ProviderCall", "ProviderCallStatus", "StageRun", "StageRunOutcome"]
