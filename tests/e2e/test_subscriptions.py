"""GraphQL subscriptions over real WebSockets (gql and raw clients), both protocols."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import uuid
from typing import Any

import pytest
from gql import GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from websockets.exceptions import ConnectionClosed

from domain.enums import JobEventType, JobStatus
from domain.services.events import job_channel
from domain.services.tenancy import revoke_api_key
from schema.ids import encode_id
from tests.support.jobs import add_key, emit, seed_job
from tests.support.live_server import (
    LEGACY_WS,
    TRANSPORT_WS,
    Live,
    raw_connection,
    recv_json,
    send_json,
)
from tests.support.subscriptions import (
    JOB_EVENTS,
    JOB_UPDATED,
    PROTOCOLS,
    drive,
    first_error,
    gql_client,
    job_gid,
    wait_subscribed,
)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_replay_then_live_then_complete(live_api, protocol: str) -> None:
    async with live_api() as live:
        c = live.container
        job = await seed_job(c.session_factory)
        await emit(c.session_factory, c.bus, job.job_id, JobEventType.JOB_CREATED)
        await emit(
            c.session_factory,
            c.bus,
            job.job_id,
            JobEventType.STATUS_CHANGED,
            status=JobStatus.PLANNING,
        )
        received: list[dict[str, Any]] = []
        async with gql_client(live, job.key, protocol) as session:
            request = GraphQLRequest(JOB_EVENTS, variable_values={"jobId": job_gid(job)})
            driver: asyncio.Task[None] | None = None
            async for result in session.subscribe(request):
                received.append(result["jobEvents"])
                if len(received) == 2:  # replay done: now the job runs
                    assert [e["sequence"] for e in received] == [1, 2]
                    driver = asyncio.create_task(drive(live, job, 5))
            assert driver is not None
            await driver
        # Ended on its own with `complete` after the final event.
        assert [e["sequence"] for e in received] == list(range(1, 9))
        assert received[0]["type"] == "JOB_CREATED" and received[0]["jobId"] == job_gid(job)
        assert received[1]["status"] == "PLANNING"
        assert received[-1]["type"] == "JOB_COMPLETED" and received[-1]["status"] == "COMPLETED"
        assert len({e["cursor"] for e in received}) == 8

        # Resubscribing after the job ended with the 5th cursor replays 6..8 and completes.
        async with gql_client(live, job.key, protocol) as session:
            request = GraphQLRequest(
                JOB_EVENTS,
                variable_values={"jobId": job_gid(job), "after": received[4]["cursor"]},
            )
            later = [r["jobEvents"]["sequence"] async for r in session.subscribe(request)]
        assert later == [6, 7, 8]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_reconnecting_with_the_last_cursor_misses_nothing(live_api, protocol: str) -> None:
    async with live_api() as live:
        job = await seed_job(live.container.session_factory)
        driver = asyncio.create_task(drive(live, job, 150, pause=0.004))
        seen: list[int] = []
        cursor: str | None = None
        sessions = 0
        while not seen or seen[-1] != 151:
            sessions += 1
            async with gql_client(live, job.key, protocol) as session:
                request = GraphQLRequest(
                    JOB_EVENTS, variable_values={"jobId": job_gid(job), "after": cursor}
                )
                taken = 0
                async for result in session.subscribe(request):
                    seen.append(result["jobEvents"]["sequence"])
                    cursor = result["jobEvents"]["cursor"]
                    taken += 1
                    if taken == 20:
                        break  # drop the connection mid-job
        await driver
        assert sessions >= 3
        assert seen == list(range(1, 152))


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_job_updated_sends_the_job_after_every_change(live_api, protocol: str) -> None:
    async with live_api() as live:
        c = live.container
        job = await seed_job(c.session_factory)
        await emit(c.session_factory, c.bus, job.job_id, JobEventType.JOB_CREATED)
        states: list[dict[str, Any]] = []
        async with gql_client(live, job.key, protocol) as session:
            request = GraphQLRequest(JOB_UPDATED, variable_values={"jobId": job_gid(job)})
            async for result in session.subscribe(request):
                states.append(result["jobUpdated"])
                if len(states) == 1:
                    await emit(
                        c.session_factory,
                        c.bus,
                        job.job_id,
                        JobEventType.STATUS_CHANGED,
                        status=JobStatus.RENDERING,
                    )
                elif len(states) == 2:
                    await emit(c.session_factory, c.bus, job.job_id, progress=0.5)
                elif len(states) == 3:
                    await drive(live, job, 0)
        assert [s["status"] for s in states] == ["QUEUED", "RENDERING", "RENDERING", "COMPLETED"]
        assert [s["progress"] for s in states] == [0.0, 0.0, 0.5, 1.0]
        # Nested fields are read fresh for every result.
        assert [s["events"]["totalCount"] for s in states] == [1, 2, 3, 4]
        assert [e["node"]["sequence"] for e in states[-1]["events"]["edges"]] == [1, 2, 3, 4]
        assert all(s["id"] == job_gid(job) for s in states)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_foreign_and_malformed_jobs_are_not_found(live_api, protocol: str) -> None:
    async with live_api() as live:
        job = await seed_job(live.container.session_factory)
        stranger = await add_key(live.container.session_factory, f"globex-{uuid.uuid4().hex[:6]}")
        async with gql_client(live, stranger, protocol) as session:
            for query in (JOB_EVENTS, JOB_UPDATED):
                with pytest.raises(TransportQueryError) as foreign:
                    async for _ in session.subscribe(
                        GraphQLRequest(query, variable_values={"jobId": job_gid(job)})
                    ):
                        pass
                assert first_error(foreign.value)["extensions"]["code"] == "NOT_FOUND"
            missing = encode_id("Job", uuid.uuid4())
            with pytest.raises(TransportQueryError) as unknown:
                async for _ in session.subscribe(
                    GraphQLRequest(JOB_EVENTS, variable_values={"jobId": missing})
                ):
                    pass
            assert first_error(unknown.value)["message"] == first_error(foreign.value)["message"]
            with pytest.raises(TransportQueryError) as malformed:
                async for _ in session.subscribe(
                    GraphQLRequest(JOB_EVENTS, variable_values={"jobId": "nope"})
                ):
                    pass
            assert first_error(malformed.value)["extensions"]["code"] == "INVALID"
        # A cursor of another job is refused too.
        other = await seed_job(live.container.session_factory)
        from domain.services.event_history import encode_event_cursor

        async with gql_client(live, job.key, protocol) as session:
            with pytest.raises(TransportQueryError) as bad_cursor:
                async for _ in session.subscribe(
                    GraphQLRequest(
                        JOB_EVENTS,
                        variable_values={
                            "jobId": job_gid(job),
                            "after": encode_event_cursor(other.job_id, 1),
                        },
                    )
                ):
                    pass
            assert first_error(bad_cursor.value)["extensions"]["code"] == "INVALID"


async def _init_and_wait_close(
    live: Live, protocol: str, payload: dict[str, Any]
) -> tuple[int, list[dict[str, Any]]]:
    messages: list[dict[str, Any]] = []
    async with raw_connection(live.base_url, protocol) as ws:
        await send_json(ws, {"type": "connection_init", "payload": payload})
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                messages.append(await recv_json(ws))
        assert closed.value.rcvd is not None
        return closed.value.rcvd.code, messages


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_connection_init_without_a_valid_key_is_closed(live_api, protocol: str) -> None:
    async with live_api() as live:
        job = await seed_job(live.container.session_factory)
        code, messages = await _init_and_wait_close(live, protocol, {})
        assert code == 4401
        code, _ = await _init_and_wait_close(live, protocol, {"authorization": "Bearer adr_x_y"})
        assert code == 4403
        async with live.container.session_factory() as session:
            await revoke_api_key(session, job.key)
            await session.commit()
        code, messages = await _init_and_wait_close(
            live, protocol, {"authorization": f"Bearer {job.key}"}
        )
        assert code == 4403
        if protocol == LEGACY_WS:
            assert messages[0]["type"] == "connection_error"
            assert "revoked" in messages[0]["payload"]["reason"]
        # gql reports the refusal as an error.
        with pytest.raises(Exception):
            async with gql_client(live, job.key, protocol) as session:
                async for _ in session.subscribe(
                    GraphQLRequest(JOB_EVENTS, variable_values={"jobId": job_gid(job)})
                ):
                    pass


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_key_revoked_mid_connection_closes_it(live_api, protocol: str) -> None:
    async with live_api() as live:
        job = await seed_job(live.container.session_factory)
        async with raw_connection(live.base_url, protocol) as ws:
            await send_json(
                ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {job.key}"}}
            )
            assert (await recv_json(ws))["type"] == "connection_ack"
            async with live.container.session_factory() as session:
                await revoke_api_key(session, job.key)
                await session.commit()
            start = "subscribe" if protocol == TRANSPORT_WS else "start"
            await send_json(
                ws,
                {
                    "id": "1",
                    "type": start,
                    "payload": {"query": JOB_EVENTS, "variables": {"jobId": job_gid(job)}},
                },
            )
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await recv_json(ws)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_revoking_a_key_closes_its_live_subscriptions(live_api, protocol: str) -> None:
    async with live_api(ws_key_recheck_seconds=0.2) as live:
        job = await seed_job(live.container.session_factory)
        other = await seed_job(live.container.session_factory)
        auth = {"type": "connection_init", "payload": {"authorization": f"Bearer {job.key}"}}
        other_auth = {
            "type": "connection_init",
            "payload": {"authorization": f"Bearer {other.key}"},
        }
        start = "subscribe" if protocol == TRANSPORT_WS else "start"
        async with (
            raw_connection(live.base_url, protocol) as ws,
            raw_connection(live.base_url, protocol) as bystander,
        ):
            for conn, init, target in ((ws, auth, job), (bystander, other_auth, other)):
                await send_json(conn, init)
                assert (await recv_json(conn))["type"] == "connection_ack"
                await send_json(
                    conn,
                    {
                        "id": "1",
                        "type": start,
                        "payload": {"query": JOB_EVENTS, "variables": {"jobId": job_gid(target)}},
                    },
                )
            await wait_subscribed(live, job)
            async with live.container.session_factory() as session:
                await revoke_api_key(session, job.key)
                await session.commit()
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await recv_json(ws)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
            assert closed.value.rcvd.reason == "API key revoked"
            # Another organization's connection is untouched and keeps receiving.
            await drive(live, other, 0)
            message = await recv_json(bystander)
            assert message["payload"]["data"]["jobEvents"]["status"] == "COMPLETED"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_connection_and_subscription_limits(live_api, protocol: str) -> None:
    async with live_api(
        ws_max_connections_per_key=2, ws_max_subscriptions_per_connection=2
    ) as live:
        job = await seed_job(live.container.session_factory)
        auth = {"authorization": f"Bearer {job.key}"}
        init = {"type": "connection_init", "payload": auth}
        async with (
            raw_connection(live.base_url, protocol) as first,
            raw_connection(live.base_url, protocol) as second,
        ):
            for ws in (first, second):
                await send_json(ws, init)
                assert (await recv_json(ws))["type"] == "connection_ack"
            code, _ = await _init_and_wait_close(live, protocol, auth)
            assert code == 4429
            # Two subscriptions per connection; the third is refused, the others keep going.
            start = "subscribe" if protocol == TRANSPORT_WS else "start"
            for op in ("1", "2", "3"):
                await send_json(
                    first,
                    {
                        "id": op,
                        "type": start,
                        "payload": {"query": JOB_EVENTS, "variables": {"jobId": job_gid(job)}},
                    },
                )
            refused = await recv_json(first)
            assert refused["type"] == "error" and refused["id"] == "3"
            await wait_subscribed(live, job, 2)
            await drive(live, job, 1)
            got: dict[str, list[int]] = {"1": [], "2": []}
            completed: set[str] = set()
            while completed != {"1", "2"}:
                message = await recv_json(first)
                if message["type"] in ("next", "data"):
                    got[message["id"]].append(message["payload"]["data"]["jobEvents"]["sequence"])
                elif message["type"] == "complete":
                    completed.add(message["id"])
            assert got == {"1": [1, 2], "2": [1, 2]}
        # Closed connections give their slots back.
        async with raw_connection(live.base_url, protocol) as third:
            await send_json(third, init)
            assert (await recv_json(third))["type"] == "connection_ack"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_stalled_subscriber_is_disconnected_while_others_keep_receiving(
    live_api, protocol: str
) -> None:
    async with live_api(
        send_buffer=8192, bus_subscriber_queue=32, ws_close_timeout_seconds=30
    ) as live:
        c = live.container
        job = await seed_job(c.session_factory)
        channel = job_channel(job.job_id)
        # The stalled client reads nothing after subscribing; a small receive buffer makes the
        # server's socket back up after a few events instead of a few megabytes.
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        host, port = live.base_url.removeprefix("http://").split(":")
        sock.connect((host, int(port)))
        async with raw_connection(live.base_url, protocol, sock=sock, max_queue=1) as stalled:
            await send_json(
                stalled,
                {"type": "connection_init", "payload": {"authorization": f"Bearer {job.key}"}},
            )
            assert (await recv_json(stalled))["type"] == "connection_ack"
            start = "subscribe" if protocol == TRANSPORT_WS else "start"
            await send_json(
                stalled,
                {
                    "id": "s",
                    "type": start,
                    "payload": {"query": JOB_EVENTS, "variables": {"jobId": job_gid(job)}},
                },
            )
            await wait_subscribed(live, job, 1)

            healthy: list[list[int]] = [[], []]

            async def follow(index: int) -> None:
                async with gql_client(live, job.key, protocol) as session:
                    request = GraphQLRequest(JOB_EVENTS, variable_values={"jobId": job_gid(job)})
                    async for result in session.subscribe(request):
                        healthy[index].append(result["jobEvents"]["sequence"])

            followers = [asyncio.create_task(follow(i)) for i in range(2)]
            await wait_subscribed(live, job, 3)
            for i in range(300):
                # Large, incompressible events fill the stalled socket quickly.
                big = base64.b64encode(os.urandom(3000)).decode()
                await emit(c.session_factory, c.bus, job.job_id, progress=i / 300, message=big)
                if i % 50 == 0:
                    await asyncio.sleep(0)
            # The stalled subscriber was dropped (its queue freed); the others still listen.
            async with asyncio.timeout(10):
                while c.bus.subscriber_count(channel) != 2:  # type: ignore[attr-defined]
                    await asyncio.sleep(0.01)
            await drive(live, job, 0)
            await asyncio.wait_for(asyncio.gather(*followers), 30)
            assert healthy == [list(range(1, 302))] * 2
            # Once it reads again, the stalled client finds the clear close after its backlog.
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await recv_json(stalled, timeout=10)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1013
            assert "too slow" in closed.value.rcvd.reason
