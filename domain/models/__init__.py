"""Entities. Importing this package registers every table on ``Base.metadata``."""

from __future__ import annotations

from domain.models.assets import Asset
from domain.models.base import Base, Entity
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
    "Campaign",
    "Client",
    "Entity",
    "Job",
    "JobEvent",
    "Organization",
    "ProviderCall",
    "Render",
    "Scene",
    "StageRun",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookMessage",
]
