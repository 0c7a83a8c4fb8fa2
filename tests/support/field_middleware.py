"""A schema extension that sees every field resolved through the field middleware."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension


class CountingResolves(SchemaExtension):
    """Records the name of every field its ``resolve`` hook sees (reset ``seen`` per test)."""

    seen: list[str] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        CountingResolves.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)
