"""The Redis event bus against real Redis servers (the shared one, and private ones for outages)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from domain.adapters.bus.redis import RedisEventBus
from domain.adapters.bus.subscription import LocalSubscription
from domain.ports.bus import (
    BusStopped,
    BusUnavailable,
    EventBus,
    Gap,
    SubscriberOverflow,
    Subscription,
    SubscriptionClosed,
)
from tests.support.redis_server import SHARED_REDIS_URL, private_redis, unique_prefix

pytestmark = pytest.mark.redis


async def next_item(sub: Subscription, timeout: float = 5.0) -> bytes | Gap:
    async with asyncio.timeout(timeout):
        return await anext(sub)


async def next_message(sub: Subscription, timeout: float = 5.0) -> bytes:
    item = await next_item(sub, timeout)
    assert isinstance(item, bytes), item
    return item


async def kill_named_clients(url: str, name: str) -> int:
    """CLIENT KILL every connection named ``name``; returns how many were killed."""
    admin = Redis.from_url(url)
    try:
        killed = 0
        for client in await admin.client_list():
            if client.get("name") == name:
                await admin.execute_command("CLIENT", "KILL", "ID", client["id"])
                killed += 1
        return killed
    finally:
        await admin.aclose()


async def count_named_clients(url: str, name: str) -> int:
    admin = Redis.from_url(url)
    try:
        return sum(1 for c in await admin.client_list() if c.get("name") == name)
    finally:
        await admin.aclose()


async def numsub(url: str, channel: str) -> int:
    admin = Redis.from_url(url)
    try:
        [(_, count)] = await admin.pubsub_numsub(channel)
        return int(count)
    finally:
        await admin.aclose()


def make_bus(url: str = SHARED_REDIS_URL, **kwargs: object) -> RedisEventBus:
    options: dict[str, object] = {
        "channel_prefix": unique_prefix(),
        "client_name": f"adreel-bus-test-{uuid.uuid4().hex[:8]}",
        "reconnect_initial_delay": 0.02,
        "reconnect_max_delay": 0.3,
    }
    options.update(kwargs)
    return RedisEventBus(url, **options)  # type: ignore[arg-type]


@pytest.fixture
async def bus() -> AsyncIterator[RedisEventBus]:
    bus = make_bus()
    await bus.start()
    async with asyncio.timeout(5):
        await bus.wait_connected()
    try:
        yield bus
    finally:
        await bus.stop()


async def test_implements_the_port(bus: RedisEventBus) -> None:
    assert isinstance(bus, EventBus)
    assert isinstance(bus.subscribe("x"), Subscription)


async def test_fan_out_in_order_to_every_local_subscriber_of_the_channel(
    bus: RedisEventBus,
) -> None:
    async with (
        bus.subscribe("job:1") as a,
        bus.subscribe("job:1") as b,
        bus.subscribe("job:1") as c,
        bus.subscribe("job:2") as other,
    ):
        for i in range(200):
            await bus.publish("job:1", f"m{i}")
        await bus.publish("job:2", b"\x00binary\xff")
        for sub in (a, b, c):
            assert [await next_message(sub) for _ in range(200)] == [
                f"m{i}".encode() for i in range(200)
            ]
        assert await next_message(other) == b"\x00binary\xff"
        for sub in (a, b, c):
            assert sub.pending == 0  # type: ignore[attr-defined]


async def test_one_redis_connection_carries_every_subscription(bus: RedisEventBus) -> None:
    name = bus._client_name
    subs = [bus.subscribe(f"job:{i % 7}") for i in range(50)]
    for sub in subs:
        await sub.__aenter__()
    try:
        assert await count_named_clients(SHARED_REDIS_URL, name) == 1
        assert await numsub(SHARED_REDIS_URL, bus._prefix + "job:3") == 1
    finally:
        for sub in subs:
            await sub.__aexit__(None, None, None)


async def test_channel_is_unsubscribed_when_its_last_local_subscriber_leaves(
    bus: RedisEventBus,
) -> None:
    channel = bus._prefix + "job:9"
    async with bus.subscribe("job:9"):
        async with bus.subscribe("job:9"):
            assert await numsub(SHARED_REDIS_URL, channel) == 1
        assert await numsub(SHARED_REDIS_URL, channel) == 1
    for _ in range(100):
        if await numsub(SHARED_REDIS_URL, channel) == 0:
            break
        await asyncio.sleep(0.02)
    assert await numsub(SHARED_REDIS_URL, channel) == 0
    assert bus.subscriber_count("job:9") == 0
    # And subscribing again right away works (no lost re-subscription).
    async with bus.subscribe("job:9") as again:
        await bus.publish("job:9", "back")
        assert await next_message(again) == b"back"


async def test_leave_and_rejoin_races_keep_the_channel_subscribed(bus: RedisEventBus) -> None:
    for i in range(30):
        first = bus.subscribe("job:race")
        await first.__aenter__()
        await first.__aexit__(None, None, None)
        async with bus.subscribe("job:race") as second:
            await bus.publish("job:race", f"r{i}")
            assert await next_message(second) == f"r{i}".encode()


async def test_slow_subscriber_is_closed_while_others_keep_receiving() -> None:
    bus = make_bus(subscriber_queue=16)
    await bus.start()
    try:
        async with bus.subscribe("job:s") as fast, bus.subscribe("job:s") as slow:
            reasons: list[SubscriptionClosed] = []
            slow.add_close_callback(reasons.append)
            received: list[bytes] = []

            async def consume() -> None:
                while len(received) < 500:
                    received.append(await next_message(fast))

            consumer = asyncio.create_task(consume())
            for i in range(500):
                await bus.publish("job:s", f"{i}")
            await asyncio.wait_for(consumer, 10)
            assert received == [f"{i}".encode() for i in range(500)]

            assert len(reasons) == 1 and isinstance(reasons[0], SubscriberOverflow)
            assert "too slow" in reasons[0].reason
            assert slow.closed_reason is reasons[0]
            assert slow.pending == 0  # backlog dropped at once  # type: ignore[attr-defined]
            with pytest.raises(SubscriberOverflow):
                await next_item(slow)
            assert bus.subscriber_count("job:s") == 1
    finally:
        await bus.stop()


async def test_reconnects_after_the_connection_is_killed_and_signals_a_gap(
    bus: RedisEventBus,
) -> None:
    async with bus.subscribe("job:k") as sub, bus.subscribe("job:k") as sub2:
        await bus.publish("job:k", "before")
        assert await next_message(sub) == b"before"
        assert await next_message(sub2) == b"before"
        made = bus.connections_made

        assert await kill_named_clients(SHARED_REDIS_URL, bus._client_name) == 1
        # The gap comes only once the channel is live again: what follows it is delivered.
        assert await next_item(sub) == Gap("event bus reconnected")
        assert await next_item(sub2) == Gap("event bus reconnected")
        assert bus.connections_made == made + 1
        await bus.publish("job:k", "after")
        assert await next_message(sub) == b"after"
        assert await next_message(sub2) == b"after"
        assert await count_named_clients(SHARED_REDIS_URL, bus._client_name) == 1


async def test_survives_a_real_redis_restart() -> None:
    with private_redis() as server:
        bus = make_bus(server.url)
        await bus.start()
        try:
            async with bus.subscribe("job:r") as sub:
                await bus.publish("job:r", "one")
                assert await next_message(sub) == b"one"

                server.stop()
                with pytest.raises(BusUnavailable):
                    await bus.publish("job:r", "lost")
                await asyncio.sleep(0.5)  # a few failed reconnect attempts
                assert not bus.connected
                server.start()

                assert await next_item(sub, 10) == Gap("event bus reconnected")
                await bus.publish("job:r", "two")
                assert await next_message(sub) == b"two"
        finally:
            await bus.stop()


async def test_subscribing_while_redis_is_down_gets_a_gap_once_it_is_up() -> None:
    with private_redis() as server:
        server.stop()
        bus = make_bus(server.url, subscribe_timeout=0.2)
        await bus.start()
        try:
            async with bus.subscribe("job:d") as sub:  # returns after the timeout
                server.start()
                assert await next_item(sub, 10) == Gap("event bus reconnected")
                await bus.publish("job:d", "up")
                assert await next_message(sub) == b"up"
        finally:
            await bus.stop()


async def test_an_unresponsive_server_is_detected_by_the_health_check() -> None:
    with private_redis() as server:
        bus = make_bus(server.url, health_check_interval=0.2)
        await bus.start()
        try:
            async with bus.subscribe("job:h") as sub:
                made = bus.connections_made
                server.pause()  # the socket stays open; nothing answers
                await asyncio.sleep(1.0)
                server.resume()
                assert await next_item(sub, 10) == Gap("event bus reconnected")
                assert bus.connections_made > made
                await bus.publish("job:h", "alive")
                assert await next_message(sub) == b"alive"
        finally:
            await bus.stop()


async def test_stop_closes_subscriptions_with_a_clear_reason() -> None:
    bus = make_bus()
    await bus.start()
    sub = bus.subscribe("job:z")
    await sub.__aenter__()
    await bus.stop()
    assert isinstance(sub.closed_reason, BusStopped)
    with pytest.raises(BusStopped):
        await next_item(sub)
    with pytest.raises(BusStopped):
        async with bus.subscribe("job:z"):
            pass
    with pytest.raises(BusUnavailable):
        await bus.publish("job:z", "x")


async def test_leaving_while_waiting_does_not_leak(bus: RedisEventBus) -> None:
    sub = bus.subscribe("job:w")
    assert isinstance(sub, LocalSubscription)
    async with sub:
        waiter = asyncio.create_task(anext(sub))
        await asyncio.sleep(0.05)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    assert bus.subscriber_count("job:w") == 0
