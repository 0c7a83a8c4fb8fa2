"""The fan-out's fast path: rendered events found by the event object's identity and a route."""

from __future__ import annotations

from resolvers.live_frames import ROUTES, LiveFrames, _Rendered


def convert(event: object) -> object:
    return event


def other(event: object) -> object:
    return event


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
    a, b = frames.route("scope a", convert), frames.route("scope b", convert)
    first, equal_copy = {"sequence": 1}, {"sequence": 1}
    rendered = _Rendered('{"x":1}')
    frames.remember(first, a, rendered)
    assert frames.event is first and frames.by_route.get(a) is rendered
    assert frames.by_route.get(b) is None  # another scope renders for itself
    frames.remember(first, b, _Rendered(None))
    assert frames.by_route[b].text is None and frames.by_route[a] is rendered
    frames.remember(equal_copy, a, _Rendered('{"x":2}'))  # equal is not the same event
    assert frames.event is equal_copy and set(frames.by_route) == {a}
