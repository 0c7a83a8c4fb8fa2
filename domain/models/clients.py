"""Clients (the brands an agency serves) and their campaigns."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from domain.enums import CampaignStatus
from domain.models.base import Entity, str_enum


class Client(Entity):
    """A brand; names are unique per organization, case-insensitively."""

    __tablename__ = "clients"
    __table_args__ = (UniqueConstraint("organization_id", "name_key"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_key: Mapped[str] = mapped_column(String(200), nullable=False)
    website: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    industry: Mapped[str | None] = mapped_column(String(200), nullable=True)
    brand_colors: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)


class Campaign(Entity):
    """A campaign of a client; names are unique per client, case-insensitively."""

    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("client_id", "name_key"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    client_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("clients.id", ondelete="RESTRICT"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_key: Mapped[str] = mapped_column(String(200), nullable=False)
    objective: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[CampaignStatus] = mapped_column(
        str_enum(CampaignStatus), default=CampaignStatus.DRAFT, nullable=False
    )
    budget_usd: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
