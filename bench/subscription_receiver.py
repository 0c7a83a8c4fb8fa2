"""One receiver process of the subscriptions bench: holds its share of the WebSocket subscribers.

The bench spreads its subscribers over several of these so the client's own event loop does not
set the latency it measures. A receiver reads its task as JSON on stdin, connects its sockets,
prints ``ready``, records every frame's receipt time on the system-wide monotonic clock (the
publisher stamps events on the same clock) and, when told the last sequence, waits for it, parses
the frames and writes the receipts as JSON to the file its task names. It may also hold a raw Redis subscriber on a
job's channel (the floor). Run as ``python -m bench.subscription_receiver``.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import orjson
import uvloop
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

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


class RawSubscriber(asyncio.Protocol):
    """One graphql-transport-ws subscriber that records frames, not parses them.

    The upgrade, ``connection_init`` and ``subscribe`` go through the websockets library's
    sans-I/O client; after that the server's frames (unmasked, unfragmented) are split here with
    a few integer reads and stored with their arrival time, and pings are answered. The asyncio
    client of the same library spent about 40 us of the receiver's CPU on each message (its
    reader task, queue and future per frame): 250 subscribers per process made a receiver a
    few milliseconds late on every event, which the bench then counted as the server's.
    """

    def __init__(self, url: str, key: str, job_gid: str, after: str | None, sub: Subscriber):
        self.ws = ClientProtocol(parse_uri(url), subprotocols=[Subprotocol("graphql-transport-ws")])
        self.sub = sub
        self.init = {"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}}
        variables = {"jobId": job_gid, "after": after}
        self.start = {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": variables}}  # fmt: skip
        self.raw = False
        self.closing = False
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's does not subclass it
        self.ws.send_request(self.ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        if self.raw:
            self._split(time.monotonic_ns(), data)
            return
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                if self.ws.handshake_exc is not None:
                    self._fail(f"handshake: {self.ws.handshake_exc}")
                    return
                self.ws.send_text(orjson.dumps(self.init))
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                if orjson.loads(event.data).get("type") != "connection_ack":
                    self._fail(f"no connection_ack: {event.data[:300]!r}")
                    return
                self.ws.send_text(orjson.dumps(self.start))
                self.raw = True  # the server sends nothing more until it has the subscribe
                self.sub.ready.set()
        self._flush()

    def _split(self, at: int, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        size, pos = len(buffer), 0
        while size - pos >= 2:
            length, head = buffer[pos + 1] & 0x7F, 2
            if length == 126:
                if size - pos < 4:
                    break
                length, head = int.from_bytes(buffer[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, head = int.from_bytes(buffer[pos + 2 : pos + 10], "big"), 10
            end = pos + head + length
            if end > size:
                break
            opcode, payload = buffer[pos] & 0x0F, bytes(buffer[pos + head : end])
            pos = end
            if opcode == Opcode.TEXT.value:
                self._frame(at, payload)
            elif opcode == Opcode.PING.value:
                self.ws.send_pong(payload)
                self._flush()
            elif opcode == Opcode.CLOSE.value:
                self.sub.completed.set()
        del buffer[:pos]

    def _frame(self, at: int, raw: bytes) -> None:
        sub = self.sub
        sub.frames.append((at, raw))
        head = raw[:40]
        if b'"complete"' in head:
            sub.completed.set()
        elif b'"error"' in head:  # the operation was refused: say why
            self._fail(f"error message: {raw[:300].decode(errors='replace')}")

    def _fail(self, why: str) -> None:
        self.sub.error = why
        self.sub.ready.set()
        self.sub.completed.set()

    def _flush(self) -> None:
        if self.transport is not None:
            for chunk in self.ws.data_to_send():
                if chunk:
                    self.transport.write(chunk)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closing and not self.sub.completed.is_set():
            self._fail(f"connection lost: {exc}")

    def close(self) -> None:
        """Drop the connection (the run is over)."""
        self.closing = True
        if self.transport is not None:
            self.transport.abort()


async def subscribe(
    url: str, key: str, job_gid: str, after: str | None, sub: Subscriber
) -> RawSubscriber | None:
    """Connect one subscriber to ``url`` (it records frames from then on); None if it failed."""
    where = parse_uri(url)
    try:
        _, protocol = await asyncio.wait_for(
            asyncio.get_running_loop().create_connection(
                lambda: RawSubscriber(url, key, job_gid, after, sub), where.host, where.port
            ),
            60,
        )
    except (OSError, TimeoutError) as exc:
        sub.error = f"{type(exc).__name__}: {exc}"
        sub.ready.set()
        sub.completed.set()
        return None
    return protocol


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
    wait for ``{"last": n, "final": bool}`` on stdin, print ``received`` once every socket has
    it, then close the sockets and return every receipt."""
    floor_done = asyncio.Event()
    gids: list[str] = task["gids"]
    subs = [Subscriber() for _ in gids]
    connections: list[RawSubscriber | None] = []
    for i in range(0, len(gids), 100):  # a hundred handshakes at a time
        batch = zip(gids[i : i + 100], subs[i : i + 100], strict=True)
        connections += await asyncio.gather(
            *(subscribe(task["url"], task["key"], gid, task["after"], sub) for gid, sub in batch)
        )
        await asyncio.gather(*(s.ready.wait() for s in subs[: i + 100]))
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
    sys.stdout.write("received\n")  # before closing: the server's CPU is read at this line
    sys.stdout.flush()
    for connection in connections:
        if connection is not None:
            connection.close()

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
    result = uvloop.run(receive(task))
    # a file, not the pipe: a large line on the pipe arrived cut short now and then
    Path(task["result_path"]).write_bytes(orjson.dumps(result, option=orjson.OPT_NON_STR_KEYS))
    sys.stdout.write("done\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
