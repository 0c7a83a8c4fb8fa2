"""Signed webhook delivery end to end: receivers on loopback verify every request with the
``standardwebhooks`` library and with a verifier written from the spec; retries, a crash between
the change and the delivery, a hanging endpoint, disabling, SSRF refusals, ping and redelivery.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import select
from standardwebhooks import Webhook, WebhookVerificationError

from domain.adapters.fetch import UrlFetcher, loopback_exception
from domain.adapters.queue.embedded import EmbeddedQueue
from domain.bootstrap import Container
from domain.enums import JobEventType, JobStatus, WebhookDeliveryStatus
from domain.models import Job, WebhookAttempt, WebhookDelivery, WebhookMessage
from domain.services.assets import create_pending_asset
from domain.services.assets.failures import mark_failed
from domain.services.events import record_job_event
from domain.services.unit_of_work import UnitOfWork
from domain.services.webhooks.sweep import sweep_webhooks
from domain.settings import Settings
from schema.ids import encode_id
from tests.conftest import Api
from tests.integration.test_fetch_ssrf import CORPUS, resolver_for
from tests.support.jobs import seed_job
from tests.support.webhook_receiver import (
    Behaviour,
    Receiver,
    SpecVerificationError,
    receiver,
    spec_verify,
)

CREATE = """mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  secret endpoint { id url eventTypes enabled } userErrors { field message code } } }"""
UPDATE = """mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) {
  endpoint { id url eventTypes enabled disabledReason } userErrors { field message code } } }"""
DELETE = """mutation($id: ID!) { deleteWebhookEndpoint(input: {endpointId: $id}) {
  deletedEndpointId userErrors { code } } }"""
ROTATE = """mutation($id: ID!) { rotateWebhookSecret(input: {endpointId: $id}) {
  secret endpoint { previousSecretExpiresAt } userErrors { code } } }"""
PING = """mutation($id: ID!) { pingWebhookEndpoint(input: {endpointId: $id}) {
  delivery { id webhookId eventType status } userErrors { code } } }"""
REDELIVER = """mutation($id: ID!) { redeliverWebhook(input: {deliveryId: $id}) {
  delivery { id webhookId status } userErrors { code } } }"""
ENDPOINTS = """{ webhookEndpoints(first: 10) { totalCount edges { node {
  id url enabled disabledReason failingSince
  deliveries(first: 50) { totalCount edges { node {
    id webhookId eventType status attemptCount lastError body
    attempts { number statusCode latencyMs succeeded responseSnippet error } } } } } } } }"""


@pytest.fixture
def settings(data_dir: Path, database_url: str) -> Settings:
    """Short deadlines and back-off so retries happen within a test; no background sweeps."""
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=database_url,
        redis_url=None,
        webhook_timeout_seconds=1.5,
        webhook_retry_base_seconds=0.1,
        webhook_retry_max_seconds=0.2,
        webhook_max_attempts=3,
        sweep_interval_seconds=3600,
    )


async def _org(http: httpx.AsyncClient, container: Container) -> tuple[Api, uuid.UUID]:
    """An API client of a fresh organization, and its QUEUED job."""
    job = await seed_job(container.session_factory)
    return Api(http, job.key), job.job_id


async def _org_of(container: Container, job_id: uuid.UUID) -> uuid.UUID:
    async with container.session_factory() as session:
        org_id = await session.scalar(select(Job.organization_id).where(Job.id == job_id))
        assert org_id is not None
        return org_id


async def _endpoint(api: Api, url: str, *types: str) -> tuple[str, str]:
    r = await api(CREATE, {"input": {"url": url, "eventTypes": list(types)}})
    payload = r["data"]["createWebhookEndpoint"]
    assert payload["userErrors"] == [], payload
    return payload["endpoint"]["id"], payload["secret"]


async def _emit(
    container: Container,
    job_id: uuid.UUID,
    type: JobEventType,
    *,
    status: JobStatus | None = None,
    payload: dict[str, Any] | None = None,
    enqueue: bool = True,
) -> None:
    """Change the job and record its event in one unit of work (as the pipeline does)."""
    async with container.session_factory() as session:
        uow = UnitOfWork(session, bus=container.bus, queue=container.queue if enqueue else None)
        job = await session.get(Job, job_id)
        assert job is not None
        if status is not None:
            job.status = status
        await session.flush()
        await record_job_event(session, job, type, "changed", payload=payload)
        await uow.commit()


async def _settle(container: Container) -> None:
    queue = container.queue
    assert isinstance(queue, EmbeddedQueue)
    await queue.join()


def _verify_both(secret: str, r: Any) -> dict[str, Any]:
    data: dict[str, Any] = Webhook(secret).verify(r.body, r.headers)
    spec_verify(secret, r.headers, r.body)
    return data


@pytest.fixture
def hook() -> Any:
    with receiver({}) as rec:
        yield rec


async def test_signed_payload_verifies_and_tampering_fails(
    http: httpx.AsyncClient, container: Container, hook: Receiver
) -> None:
    container.fetcher = UrlFetcher(loopback_exception(hook.port))
    api, job_id = await _org(http, container)
    endpoint_id, secret = await _endpoint(api, hook.url("/hook"), "JOB_STATUS_CHANGED")
    assert secret.startswith("whsec_")

    await _emit(container, job_id, JobEventType.STATUS_CHANGED, status=JobStatus.PLANNING)
    await _emit(container, job_id, JobEventType.PROGRESS)  # not a webhook event
    await _settle(container)

    [got] = hook.on("/hook")
    body = _verify_both(secret, got)
    assert body["type"] == "job.status_changed"
    data = body["data"]
    assert set(data) == {
        "id", "jobId", "sequence", "type", "status", "stage", "progress", "message",
        "sceneId", "payload", "at",
    }  # fmt: skip
    assert data["jobId"] == encode_id("Job", job_id)
    assert (data["sequence"], data["type"], data["status"]) == (1, "STATUS_CHANGED", "PLANNING")
    assert got.headers["content-type"] == "application/json"

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(got.body + b" ", got.headers)
    with pytest.raises(SpecVerificationError):
        spec_verify(secret, got.headers, got.body.replace(b"PLANNING", b"COMPLETE"))
    old = datetime.now(UTC) - timedelta(hours=1)
    stale = {
        **got.headers,
        "webhook-timestamp": str(int(old.timestamp())),
        "webhook-signature": Webhook(secret).sign(got.headers["webhook-id"], old, got.body),
    }
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(got.body, stale)
    with pytest.raises(SpecVerificationError):
        spec_verify(secret, stale, got.body)
    with pytest.raises(WebhookVerificationError):  # another endpoint's secret
        Webhook("whsec_" + "A" * 44).verify(got.body, got.headers)

    # Rotation: the new secret signs, and the old one beside it during the grace period.
    r = await api(ROTATE, {"id": endpoint_id})
    new_secret = r["data"]["rotateWebhookSecret"]["secret"]
    assert new_secret != secret
    assert r["data"]["rotateWebhookSecret"]["endpoint"]["previousSecretExpiresAt"]
    await _emit(container, job_id, JobEventType.JOB_CANCELED, status=JobStatus.CANCELED)
    await _settle(container)
    second = hook.on("/hook")[1]
    assert len(second.headers["webhook-signature"].split(" ")) == 2
    assert _verify_both(new_secret, second)["data"]["status"] == "CANCELED"
    assert _verify_both(secret, second)["data"]["sequence"] == 3
    assert second.headers["webhook-id"] != got.headers["webhook-id"]


async def test_500_then_200_is_delivered_on_retry_with_an_attempt_log(
    http: httpx.AsyncClient, container: Container
) -> None:
    def flaky(n: int) -> tuple[int, bytes]:
        return (500, b"boom " * 400) if n == 1 else (200, b"thanks")

    with receiver({"/flaky": flaky}) as rec:
        container.fetcher = UrlFetcher(loopback_exception(rec.port))
        api, job_id = await _org(http, container)
        _, secret = await _endpoint(api, rec.url("/flaky"), "JOB_STORYBOARD_READY")
        await _emit(
            container, job_id, JobEventType.STORYBOARD_READY, status=JobStatus.STORYBOARD_READY
        )
        await _settle(container)

        first, second = rec.on("/flaky")
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        assert first.body == second.body
        assert _verify_both(secret, second)["type"] == "job.storyboard_ready"
        assert len(rec.processed) == 1 and rec.duplicates == 0

    r = await api(ENDPOINTS)
    [endpoint] = r["data"]["webhookEndpoints"]["edges"]
    [delivery] = endpoint["node"]["deliveries"]["edges"]
    d = delivery["node"]
    assert (d["status"], d["attemptCount"], d["eventType"]) == (
        "DELIVERED",
        2,
        "JOB_STORYBOARD_READY",
    )
    assert d["webhookId"] == first.headers["webhook-id"]
    assert d["body"].encode() == first.body
    failed, ok = d["attempts"]
    assert (failed["number"], failed["statusCode"], failed["succeeded"]) == (1, 500, False)
    assert len(failed["responseSnippet"]) == 1024  # capped at 1 KB
    assert failed["error"] == "the endpoint answered 500"
    assert (ok["number"], ok["statusCode"], ok["succeeded"], ok["responseSnippet"]) == (
        2, 200, True, "thanks",
    )  # fmt: skip
    assert failed["latencyMs"] >= 0 and ok["latencyMs"] >= 0


async def test_killed_between_change_and_delivery_a_fresh_sweep_delivers_once(
    http: httpx.AsyncClient, container: Container, hook: Receiver
) -> None:
    container.fetcher = UrlFetcher(loopback_exception(hook.port))
    api, job_id = await _org(http, container)
    _, secret = await _endpoint(api, hook.url("/hook"), "JOB_STATUS_CHANGED")

    # The change commits with its outbox row; the process "dies" before the enqueue runs.
    await _emit(
        container, job_id, JobEventType.JOB_COMPLETED, status=JobStatus.COMPLETED, enqueue=False
    )
    await _settle(container)
    assert hook.received == []
    async with container.session_factory() as session:
        [pending] = (await session.scalars(select(WebhookDelivery))).all()
        assert pending.status is WebhookDeliveryStatus.PENDING

    # A fresh process sweeps: the delivery goes out once, and sweeping again sends nothing.
    for _ in range(3):
        await sweep_webhooks(container.webhooks)
        await _settle(container)
    [got] = hook.on("/hook")
    assert _verify_both(secret, got)["data"]["status"] == "COMPLETED"
    assert len(hook.processed) == 1 and hook.duplicates == 0
    async with container.session_factory() as session:
        delivered = await session.get(WebhookDelivery, pending.id, populate_existing=True)
        assert delivered is not None and delivered.status is WebhookDeliveryStatus.DELIVERED
        assert delivered.attempts == 1


async def test_a_hanging_endpoint_does_not_hold_up_another(
    http: httpx.AsyncClient, container: Container
) -> None:
    release = threading.Event()
    order: list[str] = []

    def hang(n: int) -> tuple[int, bytes]:
        release.wait(10)
        return 200, b"late"

    def fast(n: int) -> tuple[int, bytes]:
        order.append("fast answered")
        return 200, b"quick"

    container.settings.webhook_timeout_seconds = 8.0  # the slow attempts stay open until released
    with receiver({"/slow": hang, "/fast": fast}) as rec:
        container.fetcher = UrlFetcher(loopback_exception(rec.port))
        api, job_id = await _org(http, container)
        await _endpoint(api, rec.url("/slow"), "JOB_STATUS_CHANGED")
        await _endpoint(api, rec.url("/fast"), "JOB_STATUS_CHANGED")
        # several events: the slow endpoint gets one attempt at a time, the others wait
        for status in (JobStatus.PLANNING, JobStatus.RENDERING, JobStatus.COMPOSING):
            await _emit(container, job_id, JobEventType.STATUS_CHANGED, status=status)

        # every fast delivery is done (attempt logged) while the slow endpoint's one attempt is
        # still open (and its other deliveries wait without an attempt)
        attempts: list[WebhookAttempt] = []
        with anyio.fail_after(6):
            while len(attempts) < 3 or len(rec.on("/slow")) < 1:
                await asyncio.sleep(0.05)
                async with container.session_factory() as session:
                    attempts = list((await session.scalars(select(WebhookAttempt))).all())
        assert [a.response_snippet for a in attempts] == ["quick"] * 3
        assert len(rec.on("/slow")) == 1  # one at a time per endpoint
        order.append("slow still open")
        release.set()
        with anyio.fail_after(30):  # each slow attempt hands the endpoint to the next delivery
            while len(rec.on("/slow")) < 3:
                await asyncio.sleep(0.05)
        await _settle(container)

    assert order == ["fast answered"] * 3 + ["slow still open"]
    async with container.session_factory() as session:
        rows = (await session.scalars(select(WebhookAttempt))).all()
    slow = [a for a in rows if a.response_snippet != "quick"]
    fast_rows = [a for a in rows if a.response_snippet == "quick"]
    assert len(fast_rows) == 3
    assert [a.number for a in slow] == [1, 1, 1]  # answered late, once released
    assert all(a.succeeded for a in rows)
    slow_requests = rec.on("/slow")
    assert len({r.headers["webhook-id"] for r in slow_requests}) == 3
    # figures for the record (no wall-clock assertion: the ordering above is the check)
    print(
        "fast ms", sorted(a.latency_ms for a in fast_rows),
        "slow ms", sorted(a.latency_ms for a in slow),
    )  # fmt: skip


async def test_an_endpoint_failing_past_the_limit_is_disabled_with_an_event(
    http: httpx.AsyncClient, container: Container
) -> None:
    container.settings.webhook_disable_after_seconds = 0.0
    with receiver({"/down": lambda n: (503, b"down")}) as rec:
        container.fetcher = UrlFetcher(loopback_exception(rec.port))
        api, job_id = await _org(http, container)
        down_id, _ = await _endpoint(api, rec.url("/down"), "JOB_STATUS_CHANGED")
        _, watcher_secret = await _endpoint(api, rec.url("/watch"), "ENDPOINT_DISABLED")
        await _emit(container, job_id, JobEventType.JOB_FAILED, status=JobStatus.FAILED)
        await _settle(container)

        [notice] = rec.on("/watch")
        body = _verify_both(watcher_secret, notice)
        assert body["type"] == "webhook.endpoint_disabled"
        assert body["data"]["endpointId"] == down_id
    r = await api(ENDPOINTS)
    nodes = {e["node"]["id"]: e["node"] for e in r["data"]["webhookEndpoints"]["edges"]}
    down = nodes[down_id]
    assert down["enabled"] is False and "failed" in down["disabledReason"]
    [d] = down["deliveries"]["edges"]
    assert d["node"]["status"] == "FAILED"
    assert d["node"]["lastError"] == "the endpoint is disabled"
    async with container.session_factory() as session:
        message = await session.scalar(
            select(WebhookMessage).where(WebhookMessage.job_id.is_(None))
        )
        assert message is not None and message.type.value == "webhook.endpoint_disabled"


async def test_every_ssrf_target_is_refused_as_an_endpoint(
    http: httpx.AsyncClient, container: Container
) -> None:
    api, _ = await _org(http, container)
    for url in CORPUS:
        r = await api(CREATE, {"input": {"url": url, "eventTypes": ["JOB_STATUS_CHANGED"]}})
        errors = r["data"]["createWebhookEndpoint"]["userErrors"]
        assert [(e["code"], e["field"]) for e in errors] == [("URL_NOT_ALLOWED", ["url"])], url
    endpoint_id, _ = await _endpoint(api, "https://hooks.example.com/adreel", "ASSET_READY")
    for url in CORPUS[:4]:
        r = await api(UPDATE, {"input": {"endpointId": endpoint_id, "url": url}})
        assert r["data"]["updateWebhookEndpoint"]["userErrors"][0]["code"] == "URL_NOT_ALLOWED"
    r = await api(ENDPOINTS)
    assert r["data"]["webhookEndpoints"]["totalCount"] == 1


async def test_a_hostname_resolving_to_a_private_address_is_refused_at_delivery(
    http: httpx.AsyncClient, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    connections: list[str] = []
    real = anyio.connect_tcp

    async def guarded(remote_host: Any, remote_port: int, **kwargs: Any) -> Any:
        connections.append(f"{remote_host}:{remote_port}")
        return await real(remote_host, remote_port, **kwargs)

    monkeypatch.setattr(anyio, "connect_tcp", guarded)
    container.fetcher = UrlFetcher(resolver=resolver_for({"intranet.example": ["10.0.0.1"]}))
    api, job_id = await _org(http, container)
    await _endpoint(api, "http://intranet.example/hook", "JOB_STATUS_CHANGED")
    await _emit(container, job_id, JobEventType.STATUS_CHANGED, status=JobStatus.PLANNING)
    await _settle(container)
    assert connections == []
    r = await api(ENDPOINTS)
    [d] = r["data"]["webhookEndpoints"]["edges"][0]["node"]["deliveries"]["edges"]
    assert d["node"]["status"] == "FAILED" and d["node"]["attemptCount"] == 1
    assert d["node"]["attempts"][0]["error"].startswith("URL_NOT_ALLOWED")


async def test_ping_redeliver_update_delete_and_asset_events(
    http: httpx.AsyncClient, container: Container, hook: Receiver, other_api: Api
) -> None:
    container.fetcher = UrlFetcher(loopback_exception(hook.port))
    api, job_id = await _org(http, container)
    endpoint_id, secret = await _endpoint(api, hook.url("/hook"), "ASSET_FAILED", "ASSET_READY")

    r = await api(PING, {"id": endpoint_id})
    ping = r["data"]["pingWebhookEndpoint"]["delivery"]
    assert (ping["eventType"], ping["status"]) == ("PING", "PENDING")
    await _settle(container)
    [got] = hook.on("/hook")
    assert _verify_both(secret, got)["type"] == "webhook.ping"
    assert got.headers["webhook-id"] == ping["webhookId"]

    r = await api(REDELIVER, {"id": ping["id"]})
    again = r["data"]["redeliverWebhook"]["delivery"]
    assert again["id"] != ping["id"] and again["webhookId"] == ping["webhookId"]
    await _settle(container)
    assert len(hook.on("/hook")) == 2 and hook.duplicates == 1  # the receiver deduplicated

    # Another organization sees none of it.
    r = await other_api(ENDPOINTS)
    assert r["data"]["webhookEndpoints"]["totalCount"] == 0
    r = await other_api(PING, {"id": endpoint_id})
    assert r["data"]["pingWebhookEndpoint"]["userErrors"][0]["code"] == "NOT_FOUND"
    r = await other_api(REDELIVER, {"id": ping["id"]})
    assert r["data"]["redeliverWebhook"]["userErrors"][0]["code"] == "NOT_FOUND"

    # An import that fails is an asset.failed message (written with the failure).
    org_id = await _org_of(container, job_id)
    async with container.session_factory() as session:
        UnitOfWork(session, bus=container.bus, queue=container.queue)
        client_id = await _client_of(session, org_id)
        asset = await create_pending_asset(
            session, container.assets, org_id=org_id, client_id=client_id, campaign_id=None,
            role=None, source_url="https://cdn.example.com/logo.png",
        )  # fmt: skip
        await mark_failed(session, asset.id, "FETCH_FAILED", "IMPORT", "gone", retryable=False)
    await _settle(container)
    last = hook.on("/hook")[-1]
    body = _verify_both(secret, last)
    assert body["type"] == "asset.failed"
    assert body["data"]["id"] == encode_id("Asset", asset.id)
    assert (body["data"]["status"], body["data"]["errorCode"]) == ("FAILED", "FETCH_FAILED")

    # Update: unsubscribe, disable, enable; PING cannot be subscribed to.
    r = await api(UPDATE, {"input": {"endpointId": endpoint_id, "eventTypes": ["PING"]}})
    assert r["data"]["updateWebhookEndpoint"]["userErrors"][0]["field"] == ["eventTypes"]
    r = await api(UPDATE, {"input": {"endpointId": endpoint_id, "enabled": False}})
    assert r["data"]["updateWebhookEndpoint"]["endpoint"]["enabled"] is False
    r = await api(
        UPDATE,
        {"input": {"endpointId": endpoint_id, "enabled": True, "eventTypes": ["BUDGET_STOP"]}},
    )
    updated = r["data"]["updateWebhookEndpoint"]["endpoint"]
    assert updated["enabled"] is True and updated["eventTypes"] == ["BUDGET_STOP"]

    r = await api(DELETE, {"id": endpoint_id})
    assert r["data"]["deleteWebhookEndpoint"]["deletedEndpointId"] == endpoint_id
    r = await api(ENDPOINTS)
    assert r["data"]["webhookEndpoints"]["totalCount"] == 0


async def _client_of(session: Any, org_id: uuid.UUID) -> uuid.UUID:
    from domain.models import Client

    client_id: uuid.UUID | None = await session.scalar(
        select(Client.id).where(Client.organization_id == org_id)
    )
    assert client_id is not None
    return client_id


async def test_retries_give_up_after_the_last_attempt_and_redirects_are_not_followed(
    http: httpx.AsyncClient, container: Container
) -> None:
    state = {"down": True}

    def down_then_up(n: int) -> tuple[int, bytes]:
        return (500, b"down") if state["down"] else (204, b"")

    with receiver({"/down": down_then_up}) as rec:
        container.fetcher = UrlFetcher(loopback_exception(rec.port))
        api, job_id = await _org(http, container)
        await _endpoint(api, rec.url("/down"), "COST_VARIANCE")
        await _emit(container, job_id, JobEventType.COST_VARIANCE, payload={"actualUsd": "2"})
        await _settle(container)
        assert len(rec.on("/down")) == 3  # webhook_max_attempts

        r = await api(ENDPOINTS)
        [node] = [e["node"] for e in r["data"]["webhookEndpoints"]["edges"]]
        assert node["enabled"] is True and node["failingSince"] is not None
        [d] = node["deliveries"]["edges"]
        assert (d["node"]["status"], d["node"]["attemptCount"]) == ("FAILED", 3)
        assert [a["statusCode"] for a in d["node"]["attempts"]] == [500, 500, 500]

        # The receiver is fixed: a redelivery succeeds and ends the failing streak.
        state["down"] = False
        r = await api(REDELIVER, {"id": d["node"]["id"]})
        assert r["data"]["redeliverWebhook"]["delivery"]["status"] == "PENDING"
        await _settle(container)
        r = await api(ENDPOINTS)
        [node] = [e["node"] for e in r["data"]["webhookEndpoints"]["edges"]]
        assert node["failingSince"] is None
        statuses = sorted(e["node"]["status"] for e in node["deliveries"]["edges"])
        assert statuses == ["DELIVERED", "FAILED"]
        assert len({e["node"]["webhookId"] for e in node["deliveries"]["edges"]}) == 1


async def test_a_redirect_is_an_answer_never_followed(
    http: httpx.AsyncClient, container: Container
) -> None:
    routes: dict[str, Behaviour] = {}
    with receiver(routes) as rec:

        def moved(n: int) -> tuple[int, bytes, dict[str, str]]:
            return 302, b"", {"Location": rec.url("/landing")}  # allowed, yet never followed

        routes["/moved"] = moved
        container.fetcher = UrlFetcher(loopback_exception(rec.port))
        api, job_id = await _org(http, container)
        await _endpoint(api, rec.url("/moved"), "JOB_STATUS_CHANGED")
        await _emit(container, job_id, JobEventType.STATUS_CHANGED, status=JobStatus.PLANNING)
        await _settle(container)
        assert [r.path for r in rec.received] == ["/moved"] * 3  # no hop to /landing
    r = await api(ENDPOINTS)
    [d] = r["data"]["webhookEndpoints"]["edges"][0]["node"]["deliveries"]["edges"]
    assert [a["statusCode"] for a in d["node"]["attempts"]] == [302, 302, 302]
    assert d["node"]["lastError"] == "the endpoint answered 302"
