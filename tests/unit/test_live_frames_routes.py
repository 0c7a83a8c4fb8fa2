"""The fan-out's fast path: rendered events found by the event object's identity and a route."""

from __future__ import annotations

from typing import Any, cast

from graphql import ExecutionResult

from resolvers.live_frames import ROUTES, LiveFrames
from resolvers.shared_results import SharedEventExecutor


def convert(event: object) -> object:
    return event


def other(event: object) -> object:
    return event


class Payload:
    """An event as its root value: shareable, its share key its sequence."""

    def __init__(self, event: dict[str, int]) -> None:
        self.share_key = ("Event", event["sequence"])
        self.event = event


class Executions:
    """Stands in for a subscription's executor: counts what it executes."""

    def __init__(self) -> None:
        self.executed: list[object] = []

    def build_per_event_executor(self, payload: Payload) -> Any:
        executions = self

        class Once:
            def execute_operation(self, serially: bool) -> ExecutionResult:
                executions.executed.append(payload)
                return ExecutionResult({"sequence": payload.event["sequence"]})

        return Once()


def test_equal_routes_are_one_object_and_the_table_never_grows_past_its_bound() -> None:
    frames = LiveFrames()
    shaping: frozenset[str] = frozenset()
    scope = (("subscription { jobEvents }", None, shaping), "{}", "http://a")
    same = (("subscription { jobEvents }", None, frozenset(shaping)), "{}", "http://a")
    route = frames.route(scope, convert)
    assert frames.route(same, convert) is route
    assert frames.route(scope, other) != route  # the conversion is part of a route
    for n in range(ROUTES + 10):
        frames.route((scope, n), convert)
    assert len(frames._routes) <= ROUTES
    assert frames.route(same, convert) == route  # forgotten, still equal


def test_only_the_latest_event_object_answers_and_only_on_its_routes() -> None:
    frames = LiveFrames()
    converted: list[object] = []

    def to_payload(event: dict[str, int]) -> Payload:
        converted.append(event)
        return Payload(event)

    a, b = frames.route("scope a", to_payload), frames.route("scope b", to_payload)
    runs = Executions()
    executor = cast(SharedEventExecutor, runs)
    first, equal_copy = {"sequence": 1}, {"sequence": 1}
    rendered = frames.render(first, a, executor)
    assert rendered is not None and rendered.text == '{"sequence":1}'
    assert frames.render(first, a, executor) is rendered  # by identity: no conversion
    assert converted == [first]
    on_b = frames.render(first, b, executor)  # another scope renders for itself
    assert on_b is not None and on_b is not rendered and len(runs.executed) == 2
    assert frames.render(first, a, executor) is rendered  # both routes kept for this event
    again = frames.render(equal_copy, a, executor)  # equal is not the same event: converted,
    assert again is rendered and converted == [first, first, equal_copy]  # the LRU answers
    assert len(runs.executed) == 2
    assert frames.render(equal_copy, b, executor) is on_b  # the LRU, not the latest event


def test_an_event_without_a_share_key_is_never_rendered() -> None:
    frames = LiveFrames()
    route = frames.route("scope", convert)
    runs = Executions()
    assert frames.render({"sequence": 1}, route, cast(SharedEventExecutor, runs)) is None
    assert runs.executed == []


def test_routes_hold_only_the_event_being_fanned_out() -> None:
    frames = LiveFrames()
    a, b = frames.route("scope a", Payload), frames.route("scope b", Payload)
    executor = cast(SharedEventExecutor, Executions())
    first, second = {"sequence": 1}, {"sequence": 2}
    assert frames.render(first, a, executor) is not None
    assert frames.render(first, b, executor) is not None
    assert a.event is first and b.event is first
    assert frames.render(second, a, executor) is not None  # the next event lets go of the first
    assert a.event is second and b.event is None and b.rendered is None
