"""Webhook rules: which events a job event stands for, IDs, signatures, the delivery lane."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from standardwebhooks import Webhook

from domain.adapters.queue.embedded import EmbeddedQueue
from domain.enums import JobEventType, WebhookEventType
from domain.rules.webhooks import SUBSCRIBABLE, global_id, message_body, webhook_types_of
from domain.security.webhooks import new_secret, signed_headers
from schema.ids import encode_id
from tests.support.webhook_receiver import SpecVerificationError, spec_verify

W = WebhookEventType


@pytest.mark.parametrize(
    ("type", "payload", "expected"),
    [
        (JobEventType.JOB_CREATED, {}, [W.JOB_STATUS_CHANGED]),
        (JobEventType.STATUS_CHANGED, {}, [W.JOB_STATUS_CHANGED]),
        (JobEventType.STORYBOARD_READY, {}, [W.JOB_STATUS_CHANGED, W.JOB_STORYBOARD_READY]),
        (JobEventType.JOB_COMPLETED, {}, [W.JOB_STATUS_CHANGED]),
        (JobEventType.JOB_CANCELED, {}, [W.JOB_STATUS_CHANGED]),
        (JobEventType.JOB_FAILED, {"code": "PROVIDER_UNAVAILABLE"}, [W.JOB_STATUS_CHANGED]),
        (
            JobEventType.JOB_FAILED,
            {"code": "BUDGET_EXCEEDED"},
            [W.JOB_STATUS_CHANGED, W.BUDGET_STOP],
        ),
        (JobEventType.SCENE_FAILED, {"code": "X"}, [W.SCENE_FAILED]),
        (JobEventType.COST_VARIANCE, {}, [W.COST_VARIANCE]),
        (JobEventType.RENDER_UPDATED, {"renderStatus": "COMPLETED"}, [W.RENDER_COMPLETED]),
        (JobEventType.RENDER_UPDATED, {"renderStatus": "FAILED"}, [W.RENDER_FAILED]),
        (JobEventType.RENDER_UPDATED, {"renderStatus": "RENDERING"}, []),
        (JobEventType.PROGRESS, {}, []),
        (JobEventType.STAGE_STARTED, {}, []),
        (JobEventType.STAGE_COMPLETED, {}, []),
        (JobEventType.SCENE_UPDATED, {}, []),
    ],
)
def test_job_events_map_to_webhook_events(
    type: JobEventType, payload: dict[str, Any], expected: list[WebhookEventType]
) -> None:
    assert webhook_types_of(type, payload) == expected


def test_a_stage_start_that_moved_the_status_is_a_status_change() -> None:
    assert webhook_types_of(JobEventType.STAGE_STARTED, {}, status_changed=True) == [
        W.JOB_STATUS_CHANGED
    ]
    assert W.PING not in SUBSCRIBABLE


def test_global_ids_are_the_apis() -> None:
    key = uuid.uuid4()
    assert global_id("Job", key) == encode_id("Job", key)


def test_two_secrets_sign_side_by_side_and_each_verifies() -> None:
    old, new = new_secret(), new_secret()
    body = message_body(W.PING, datetime.now(UTC), {"a": 1}).encode()
    assert json.loads(body)["type"] == "webhook.ping"
    headers = signed_headers([new, old], "msg_1", datetime.now(UTC), body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers) == json.loads(body)
        spec_verify(secret, headers, body)
    with pytest.raises(SpecVerificationError):
        spec_verify(new_secret(), headers, body)


async def test_a_lane_of_blocked_deliveries_never_holds_up_other_tasks() -> None:
    release = asyncio.Event()
    ran: list[str] = []

    async def slow(ctx: dict[str, Any]) -> None:
        await release.wait()
        ran.append("slow")

    async def stage(ctx: dict[str, Any]) -> None:
        ran.append("stage")

    queue = EmbeddedQueue(
        {"deliver": slow, "stage": stage}, {}, concurrency=1, lanes={"deliver": 8}
    )
    for _ in range(5):
        await queue.enqueue("deliver")
    await queue.enqueue("stage")
    for _ in range(50):
        if ran:
            break
        await asyncio.sleep(0.01)
    assert ran == ["stage"]
    release.set()
    await queue.join()
    assert ran == ["stage"] + ["slow"] * 5
