"""Which webhook events a job event or an asset change stands for, and the JSON body sent.

The body is ``{"type", "timestamp", "data"}``; ``data`` carries the same fields as the
``jobEvents`` subscription event (or the asset's fields), with IDs as the API's global IDs, so a
receiver can act without a query.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.enums import JobEventType, JobStatus, WebhookEventType
from domain.errors import ErrorCode

#: Event types an endpoint may subscribe to (``PING`` is only ever sent on request).
SUBSCRIBABLE = tuple(t for t in WebhookEventType if t is not WebhookEventType.PING)

#: Job event types that always mean the job's status changed.
_STATUS_EVENTS = frozenset(
    {
        JobEventType.JOB_CREATED,
        JobEventType.STATUS_CHANGED,
        JobEventType.STORYBOARD_READY,
        JobEventType.JOB_COMPLETED,
        JobEventType.JOB_FAILED,
        JobEventType.JOB_CANCELED,
    }
)


def global_id(type_name: str, key: uuid.UUID) -> str:
    """The API's opaque global ID of a row (``base64url("Type:uuid")``, unpadded)."""
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


def webhook_types_of(
    type: JobEventType,
    payload: Mapping[str, Any],
    *,
    status_changed: bool = False,
) -> list[WebhookEventType]:
    """The webhook events a job event stands for (none for progress and stage chatter).

    ``status_changed`` says the job's status differs from its previous event's (a stage start
    that moved a QUEUED job to PLANNING records no STATUS_CHANGED event of its own).
    """
    found: list[WebhookEventType] = []
    if type in _STATUS_EVENTS or status_changed:
        found.append(WebhookEventType.JOB_STATUS_CHANGED)
    if type is JobEventType.STORYBOARD_READY:
        found.append(WebhookEventType.JOB_STORYBOARD_READY)
    elif type is JobEventType.SCENE_FAILED:
        found.append(WebhookEventType.SCENE_FAILED)
    elif type is JobEventType.COST_VARIANCE:
        found.append(WebhookEventType.COST_VARIANCE)
    elif type is JobEventType.JOB_FAILED and payload.get("code") == ErrorCode.BUDGET_EXCEEDED:
        found.append(WebhookEventType.BUDGET_STOP)
    elif type is JobEventType.RENDER_UPDATED:
        render_status = payload.get("renderStatus")
        if render_status == "COMPLETED":
            found.append(WebhookEventType.RENDER_COMPLETED)
        elif render_status == "FAILED":
            found.append(WebhookEventType.RENDER_FAILED)
    return found


def may_change_status(type: JobEventType) -> bool:
    """Whether an event outside the status events may still carry a new status (stage starts)."""
    return type is JobEventType.STAGE_STARTED


def job_event_data(
    *,
    id: uuid.UUID,
    job_id: uuid.UUID,
    sequence: int,
    type: JobEventType,
    status: JobStatus,
    stage: str | None,
    progress: float,
    message: str,
    scene_id: uuid.UUID | None,
    payload: Mapping[str, Any],
    at: datetime,
) -> dict[str, Any]:
    """The ``data`` of a job message: the subscription event's fields."""
    return {
        "id": str(id),
        "jobId": global_id("Job", job_id),
        "sequence": sequence,
        "type": type.value,
        "status": status.value,
        "stage": stage,
        "progress": progress,
        "message": message,
        "sceneId": global_id("Scene", scene_id) if scene_id else None,
        "payload": dict(payload),
        "at": at.isoformat(),
    }


def message_body(type: WebhookEventType, at: datetime, data: Mapping[str, Any]) -> str:
    """The exact JSON text signed and sent (kept, so a retry sends the same bytes)."""
    return json.dumps(
        {"type": type.value, "timestamp": at.isoformat(), "data": dict(data)},
        separators=(",", ":"),
        sort_keys=False,
    )


def parse_event_types(names: list[str]) -> list[WebhookEventType]:
    """Stored subscription names back to event types (unknown names are skipped)."""
    return [WebhookEventType[n] for n in names if n in WebhookEventType.__members__]


__all__ = [
    "SUBSCRIBABLE",
    "global_id",
    "job_event_data",
    "may_change_status",
    "message_body",
    "parse_event_types",
    "webhook_types_of",
]
