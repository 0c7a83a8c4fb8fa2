"""WebSocket messages carrying one shared result are serialised once, byte for byte as JSON."""

from __future__ import annotations

import json

from resolvers.shared_frames import SharedFrames


def _compact(message: object) -> str:
    return json.dumps(message, separators=(",", ":"))


def test_frames_are_exactly_compact_json() -> None:
    frames = SharedFrames()
    data = {"jobEvents": {"sequence": 3, "message": "caf\u00e9 \u2192 \u5e7f\u544a", "x": None}}
    messages: list[dict[str, object]] = [
        {"id": "1", "type": "next", "payload": {"data": data}},
        {"type": "data", "id": "op-\u00e9", "payload": {"data": data, "errors": [{"m": 1}]}},
        {"id": "2", "type": "next", "payload": {"data": None, "errors": [{"message": "no"}]}},
        {"type": "connection_ack"},
        {"data": data},
    ]
    for message in messages:
        assert frames.encode(message) == _compact(message)


def test_a_shared_data_object_is_encoded_once() -> None:
    frames = SharedFrames()
    data = {"jobEvents": {"sequence": 1}}
    texts = [
        frames.encode({"id": str(i), "type": "next", "payload": {"data": data}}) for i in range(50)
    ]
    assert (frames.misses, frames.hits) == (1, 49)
    assert texts[7] == '{"id":"7","type":"next","payload":{"data":{"jobEvents":{"sequence":1}}}}'


def test_equal_but_distinct_objects_are_each_encoded() -> None:
    frames = SharedFrames(size=2)
    first = {"jobEvents": {"sequence": 1}}
    frames.encode({"id": "1", "type": "next", "payload": {"data": first}})
    second = {"jobEvents": {"sequence": 2}}
    text = frames.encode({"id": "1", "type": "next", "payload": {"data": second}})
    assert text.endswith('{"sequence":2}}}}')
    assert frames.misses == 2
    for sequence in range(3, 6):  # the cache stays bounded
        frames.encode({"id": "1", "type": "next", "payload": {"data": {"s": sequence}}})
    assert len(frames._encoded) == 2
