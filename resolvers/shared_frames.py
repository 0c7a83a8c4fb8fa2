"""Serialise a shared subscription result once, whatever the number of sockets it goes to.

Subscribers asking for the same thing receive the very same (read-only) ``data`` object (see
``resolvers.shared_results``). ``SharedFrames.encode`` writes a WebSocket message as compact JSON
(byte for byte what ``json.dumps(message, separators=(",", ":"))`` gives) but encodes a payload's
``data`` object once and splices that text into every other message carrying the same object:
only the few bytes of each subscriber's own operation id are written per socket.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

#: Encoded ``data`` objects kept (a few per live event is all that is ever needed).
CACHE_SIZE = 256

_dumps = json.JSONEncoder(separators=(",", ":")).encode


class SharedFrames:
    """Compact JSON for WebSocket messages, each distinct ``data`` object encoded once."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        # id(data) -> (data, its JSON); the reference keeps the id from being reused meanwhile
        self._encoded: OrderedDict[int, tuple[object, str]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def encode(self, message: Mapping[str, object]) -> str:
        """``message`` as compact JSON; a payload's ``data`` comes from the cache when seen."""
        payload = message.get("payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
            return _dumps(message)
        parts = []
        for name, value in message.items():
            text = self._payload(value) if value is payload else _dumps(value)
            parts.append(f"{_dumps(name)}:{text}")
        return "{" + ",".join(parts) + "}"

    def _payload(self, payload: dict[str, Any]) -> str:
        parts = []
        for name, value in payload.items():
            text = self._data(value) if name == "data" else _dumps(value)
            parts.append(f"{_dumps(name)}:{text}")
        return "{" + ",".join(parts) + "}"

    def _data(self, data: object) -> str:
        found = self._encoded.get(id(data))
        if found is not None and found[0] is data:
            self.hits += 1
            self._encoded.move_to_end(id(data))
            return found[1]
        self.misses += 1
        text = _dumps(data)
        self._encoded[id(data)] = (data, text)
        while len(self._encoded) > self.size:
            self._encoded.popitem(last=False)
        return text


__all__ = ["CACHE_SIZE", "SharedFrames"]
