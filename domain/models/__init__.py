"""Entities. Importing this package registers every table on ``Base.metadata``."""

from __future__ import annotations

from domain.models.assets import Asset
from domain.models.base import Base, Entity
from domain.models.batches import Bundle, BundleStatus, JobBatch, JobTemplate, VariantGroup
from domain.models.clients import Campaign, Client
from domain.models.jobs import Job, JobEvent, Render, Scene
from domain.models.pipeline import ProviderCall, StageRun
from domain.models.tenancy import ApiKey, Organization
from domain.models.webhooks import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)

__all__ = [
    "ApiKey",
    "Asset",
    "Base",
    "Bundle",
    "BundleStatus",
    "Campaign",
    "Client",
    "Entity",
    "Job",
    "JobBatch",
    "JobEvent",
    "JobTemplate",
    "Organization",
    "ProviderCall",
    "Render",
    "Scene",
    "StageRun",
    "VariantGroup",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookMessage",
]
