"""How deeply a decoded JSON value nests: requests nesting deeper than any real one are refused.

Real operations nest their variables a handful of levels; a body nested thousands deep only
makes recursive code (JSON decoding, variable coercion, logging) run out of stack. The walk is
iterative, so measuring a hostile value cannot fail the same way.
"""

from __future__ import annotations

import json

#: The deepest nesting of objects and arrays accepted in a request (variables included).
MAX_JSON_DEPTH = 64

TOO_DEEP = f"the request nests objects or arrays more than {MAX_JSON_DEPTH} levels deep"


class TooDeep(json.JSONDecodeError):
    """JSON nested deeper than ``MAX_JSON_DEPTH`` (a decoding error, to every caller)."""


def nesting_depth(value: object) -> int:
    """The number of nested objects/arrays at the deepest point of ``value`` (a scalar is 0)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: list[object] = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest  # deep enough to refuse: no need to walk the rest
        stack.extend((child, depth) for child in children)
    return deepest


__all__ = ["MAX_JSON_DEPTH", "TOO_DEEP", "TooDeep", "nesting_depth"]
