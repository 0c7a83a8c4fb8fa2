"""Live job events written straight to the sockets: the same bytes as the ordinary path, to
every subscriber, in order; a completed operation receives nothing more."""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from resolvers.direct_socket import DirectSocket
from tests.support.jobs import SeededJob, emit, seed_job
from tests.support.live_server import (
    LEGACY_WS,
    TRANSPORT_WS,
    Live,
    raw_connection,
    recv_json,
    send_json,
)
from tests.support.subscriptions import JOB_EVENTS, drive, job_gid, wait_subscribed


async def _subscribe(
    stack: AsyncExitStack, live: Live, job: SeededJob, protocol: str, op_id: str
) -> ClientConnection:
    ws = await stack.enter_async_context(raw_connection(live.base_url, protocol))
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {job.key}"}}
    await send_json(ws, init)
    assert (await recv_json(ws))["type"] == "connection_ack"
    kind = "subscribe" if protocol == TRANSPORT_WS else "start"
    payload = {"query": JOB_EVENTS, "variables": {"jobId": job_gid(job)}}
    await send_json(ws, {"id": op_id, "type": kind, "payload": payload})
    return ws


def _payload(frame: bytes) -> bytes:
    """The payload of an unmasked frame."""
    header = {126: 4, 127: 10}.get(frame[1], 2)
    return frame[header:]


async def _frames_until_complete(ws: ClientConnection) -> list[str]:
    """Raw texts of the data messages, up to the operation's ``complete``."""
    texts: list[str] = []
    async with asyncio.timeout(20):
        while True:
            raw = await ws.recv()
            assert isinstance(raw, str)
            kind = json.loads(raw)["type"]
            if kind == "complete":
                return texts
            assert kind in ("next", "data"), raw
            texts.append(raw)


async def test_live_events_reach_every_socket_as_the_same_bytes_as_a_replay(
    live_api, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[bytes] = []
    write = DirectSocket.write

    def counting(self: DirectSocket, frame: bytes) -> bool:
        done = write(self, frame)
        if done:
            written.append(frame)
        return done

    monkeypatch.setattr(DirectSocket, "write", counting)
    async with live_api() as live, AsyncExitStack() as stack:
        c = live.container
        job = await seed_job(c.session_factory)
        twins = [await _subscribe(stack, live, job, TRANSPORT_WS, "a") for _ in range(2)]
        other = await _subscribe(stack, live, job, TRANSPORT_WS, "b")
        legacy = await _subscribe(stack, live, job, LEGACY_WS, "a")
        await wait_subscribed(live, job, 4)
        await emit(c.session_factory, c.bus, job.job_id)
        openers = [str(await ws.recv()) for ws in (*twins, other, legacy)]
        assert all('"sequence":1,' in t for t in openers)
        await asyncio.sleep(0.1)  # every stream is live and waiting from here on
        await drive(live, job, 3)
        streams = [
            [opener, *await _frames_until_complete(ws)]
            for opener, ws in zip(openers, (*twins, other, legacy), strict=True)
        ]

        # A late subscriber is replayed the stored events: the ordinary path, one at a time.
        late = await _subscribe(stack, live, job, TRANSPORT_WS, "a")
        replayed = await _frames_until_complete(late)

    first, second, by_b, by_legacy = streams
    assert first == second == replayed  # byte for byte, whichever way each was sent
    assert [json.loads(t)["id"] for t in by_b] == ["b"] * 5
    assert [t.replace('"id":"b"', '"id":"a"', 1) for t in by_b] == first
    sequences = [json.loads(t)["payload"]["data"]["jobEvents"]["sequence"] for t in by_legacy]
    assert sequences == [1, 2, 3, 4, 5]  # the legacy protocol takes the ordinary path, in order
    # Live events in order went straight to the graphql-transport-ws sockets.
    assert written
    texts = {_payload(frame).decode() for frame in written}
    assert texts <= set(first) | set(by_b)


async def test_a_completed_operation_receives_no_more_events(live_api) -> None:
    async with live_api() as live, AsyncExitStack() as stack:
        c = live.container
        job = await seed_job(c.session_factory)
        leaving = await _subscribe(stack, live, job, TRANSPORT_WS, "x")
        staying = await _subscribe(stack, live, job, TRANSPORT_WS, "y")
        await wait_subscribed(live, job, 2)
        await emit(c.session_factory, c.bus, job.job_id)
        for ws in (leaving, staying):
            assert json.loads(await ws.recv())["type"] == "next"
        await send_json(leaving, {"id": "x", "type": "complete"})
        await wait_subscribed_count(live, job, 1)
        await drive(live, job, 2)
        got = await _frames_until_complete(staying)
        assert len(got) == 3
        # The one that left gets nothing: a ping is answered before anything else arrives.
        await send_json(leaving, {"type": "ping"})
        message: dict[str, Any] = await recv_json(leaving)
        assert message["type"] == "pong"


async def wait_subscribed_count(live: Live, job: SeededJob, count: int) -> None:
    from domain.services.events import job_channel

    async with asyncio.timeout(10):
        while live.container.bus.subscriber_count(job_channel(job.job_id)) != count:  # type: ignore[attr-defined]
            await asyncio.sleep(0.01)
