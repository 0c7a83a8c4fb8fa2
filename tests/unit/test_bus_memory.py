"""The in-memory event bus and the bounded local subscription both backends share."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from domain.adapters.bus.memory import MemoryEventBus
from domain.ports.bus import BusItem, BusStopped, EventBus, SubscriberOverflow, Subscription


async def test_fan_out_in_order_to_subscribers_of_the_channel_only() -> None:
    bus = MemoryEventBus()
    await bus.start()
    assert isinstance(bus, EventBus)
    async with bus.subscribe("a") as one, bus.subscribe("a") as two, bus.subscribe("b") as other:
        assert isinstance(one, Subscription)
        for i in range(10):
            await bus.publish("a", f"{i}")
        await bus.publish("b", b"b-only")
        for sub in (one, two):
            assert [await anext(sub) for _ in range(10)] == [f"{i}".encode() for i in range(10)]
        assert await anext(other) == b"b-only"
        assert other.pending == 0
    assert bus.subscriber_count("a") == 0


async def test_a_full_subscriber_is_closed_and_its_backlog_dropped() -> None:
    bus = MemoryEventBus(subscriber_queue=3)
    async with bus.subscribe("c") as fast, bus.subscribe("c") as slow:
        seen: list[Any] = []
        slow.add_close_callback(seen.append)
        for i in range(10):
            await bus.publish("c", f"{i}")
            assert await anext(fast) == f"{i}".encode()
        assert len(seen) == 1 and isinstance(seen[0], SubscriberOverflow)
        assert seen[0].limit == 3 and seen[0].channel == "c"
        assert slow.pending == 0
        with pytest.raises(SubscriberOverflow):
            await anext(slow)
        assert bus.subscriber_count("c") == 1
        late: list[Any] = []
        slow.add_close_callback(late.append)  # already closed: called at once
        assert late == seen


async def test_a_waiting_consumer_wakes_up_when_closed() -> None:
    bus = MemoryEventBus()
    async with bus.subscribe("d") as sub:
        waiter = asyncio.create_task(anext(sub))
        await asyncio.sleep(0)
        await bus.stop()
        with pytest.raises(BusStopped):
            await asyncio.wait_for(waiter, 1)
    with pytest.raises(BusStopped):
        async with bus.subscribe("d"):
            pass


async def test_iteration_ends_after_leaving() -> None:
    bus = MemoryEventBus()
    sub = bus.subscribe("e")
    async with sub:
        await bus.publish("e", "x")
    assert [item async for item in sub] == []
    with pytest.raises(RuntimeError):
        async with sub:
            pass


def test_queue_bound_must_be_positive() -> None:
    with pytest.raises(ValueError):
        MemoryEventBus(subscriber_queue=0).subscribe("f")


async def test_items_are_taken_directly_only_while_the_consumer_waits_with_none_queued() -> None:
    bus = MemoryEventBus()
    async with bus.subscribe("d") as sub:
        taken: list[BusItem] = []

        def take(item: BusItem) -> bool:
            if item == b"boom":
                raise RuntimeError("cannot take it")
            taken.append(item)
            return item != b"decline"

        sub.take_directly(take)
        await bus.publish("d", "queued")  # nobody waits yet: queued, not offered
        assert taken == [] and sub.pending == 1
        assert await anext(sub) == b"queued"
        waiting = asyncio.create_task(anext(sub))
        await asyncio.sleep(0)
        await bus.publish("d", "direct")
        await bus.publish("d", "decline")  # declined: queued and wakes the consumer
        await bus.publish("d", "after")  # one is queued: not offered, so order holds
        assert taken == [b"direct", b"decline"]
        assert await waiting == b"decline"
        assert await anext(sub) == b"after"
        waiting = asyncio.create_task(anext(sub))
        await asyncio.sleep(0)
        await bus.publish("d", "boom")  # a failing take queues the item
        assert await waiting == b"boom"
        sub.take_directly(None)
        waiting = asyncio.create_task(anext(sub))
        await asyncio.sleep(0)
        await bus.publish("d", "plain")
        assert await waiting == b"plain"
        assert taken == [b"direct", b"decline"]
