"""The rate-limiter port."""

from __future__ import annotations

from typing import Protocol


class RateLimiter(Protocol):
    """Counts requests per key; ``hit`` returns the seconds to wait, or ``None`` when allowed."""

    async def hit(self, key: str, per_minute: int, burst: int) -> float | None: ...

    async def aclose(self) -> None:
        """Release connections (called when the server stops)."""
        ...
