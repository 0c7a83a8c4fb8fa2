"""One receiver process of the subscriptions bench: holds its share of the WebSocket subscribers.

The bench spreads its subscribers over several of these so the client's own event loop does not
set the latency it measures. A receiver reads its task as JSON on stdin, connects its sockets,
prints ``ready``, records every frame's receipt time on the system-wide monotonic clock (the
publisher stamps events on the same clock) and, when told the last sequence, waits for it, parses
the frames and prints the receipts as one JSON line. It may also hold a raw Redis subscriber on a
job's channel (the floor). Run as ``python -m bench.subscription_receiver``.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

SUBSCRIBE = """subscription($jobId: ID!, $after: String) {
  jobEvents(jobId: $jobId, after: $after) { sequence cursor type status progress message at }
}"""


@dataclass
class Subscriber:
    """One WebSocket subscriber; keeps raw frames and receipt times, parsed after the run."""

    frames: list[tuple[int, bytes]] = field(default_factory=list)
    completed: asyncio.Event = field(default_factory=asyncio.Event)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    error: str | None = None

    def received(self) -> list[tuple[int, dict[str, Any]]]:
        """``(receipt time, jobEvents payload)`` of every ``next`` frame."""
        out = []
        for at, raw in self.frames:
            message = orjson.loads(raw)
            if message.get("type") == "next":
                out.append((at, message["payload"]["data"]["jobEvents"]))
        return out

    def has(self, sequence: int) -> bool:
        """Whether the subscriber is done: it received ``sequence`` last, completed or failed."""
        if self.error or self.completed.is_set():
            return True
        if not self.frames:
            return False
        payload = orjson.loads(self.frames[-1][1]).get("payload")
        data = (payload.get("data") if isinstance(payload, dict) else None) or {}
        return bool((data.get("jobEvents") or {}).get("sequence") == sequence)


async def subscribe(
    url: str, key: str, job_gid: str, after: str | None, sub: Subscriber, stop: asyncio.Event
) -> None:
    """Subscribe to one job's events over graphql-transport-ws and record each frame's arrival."""
    from websockets.asyncio.client import connect

    try:
        async with connect(
            url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            open_timeout=60,
            compression=None,
        ) as ws:
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}}
            await ws.send(orjson.dumps(init).decode())
            ack = orjson.loads(await ws.recv(decode=False))
            assert ack["type"] == "connection_ack", ack
            variables = {"jobId": job_gid, "after": after}
            start = {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": variables}}  # fmt: skip
            await ws.send(orjson.dumps(start).decode())
            sub.ready.set()
            frames = sub.frames
            while True:
                raw = await ws.recv(decode=False)
                frames.append((time.monotonic_ns(), raw))
                head = raw[:40]
                if b'"complete"' in head:
                    sub.completed.set()
                    break
                if b'"error"' in head:  # the operation was refused: say why
                    sub.error = f"error message: {raw[:300].decode(errors='replace')}"
                    sub.completed.set()
                    break
                if stop.is_set():
                    break
    except Exception as exc:
        sub.error = f"{type(exc).__name__}: {exc}"
        sub.ready.set()
        sub.completed.set()


async def redis_floor(url: str, channel: str, times: dict[int, int], done: asyncio.Event) -> None:
    """A raw Redis subscriber on the same channel: pub/sub latency without the API."""
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    pubsub = client.pubsub()
    await pubsub.subscribe(channel)
    try:
        while not done.is_set():
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
            if message is not None:
                times[orjson.loads(message["data"])["sequence"]] = time.monotonic_ns()
    finally:
        await pubsub.aclose()
        await client.aclose()


async def _line() -> bytes:
    return await asyncio.to_thread(sys.stdin.buffer.readline)


async def receive(task: dict[str, Any]) -> dict[str, Any]:
    """Connect ``task["gids"]`` subscribers (and the floor if ``task["floor"]``), print ``ready``,
    wait for ``{"last": n, "final": bool}`` on stdin, then return every receipt."""
    stop, floor_done = asyncio.Event(), asyncio.Event()
    gids: list[str] = task["gids"]
    subs = [Subscriber() for _ in gids]
    tasks: list[asyncio.Task[None]] = []
    for i, (gid, sub) in enumerate(zip(gids, subs, strict=True)):
        tasks.append(
            asyncio.create_task(subscribe(task["url"], task["key"], gid, task["after"], sub, stop))
        )
        if i % 100 == 99:
            await asyncio.gather(*(s.ready.wait() for s in subs[: i + 1]))
    await asyncio.gather(*(s.ready.wait() for s in subs))
    floor_times: dict[int, int] = {}
    floor = None
    if task.get("floor"):
        floor = asyncio.create_task(
            redis_floor(task["redis_url"], task["floor"], floor_times, floor_done)
        )
        await asyncio.sleep(0.3)
    sys.stdout.write("ready\n")
    sys.stdout.flush()

    order = orjson.loads(await _line())
    last, final = int(order["last"]), bool(order["final"])
    deadline = time.monotonic() + 60
    while not all(sub.has(last) for sub in subs) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    if final:
        await asyncio.wait_for(asyncio.gather(*(s.completed.wait() for s in subs)), 60)
    floor_done.set()
    if floor is not None:
        await floor
    stop.set()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    receipts: list[list[int]] = []  # [subscriber index, sequence, receipt time]
    cursors: list[str | None] = []
    for index, sub in enumerate(subs):
        cursor = None
        for at, event in sub.received():
            receipts.append([index, int(event["sequence"]), at])
            cursor = event["cursor"]
        cursors.append(cursor)
    return {
        "receipts": receipts,
        "cursors": cursors,
        "errors": [s.error for s in subs if s.error],
        "floor": floor_times,
    }


def main() -> int:
    task = orjson.loads(sys.stdin.buffer.readline())
    result = asyncio.run(receive(task))
    sys.stdout.buffer.write(orjson.dumps(result, option=orjson.OPT_NON_STR_KEYS) + b"\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
