"""Retry delays: exponential back-off with full jitter, capped."""

from __future__ import annotations

import random


def backoff_delay(
    attempt: int,
    *,
    base: float,
    cap: float,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based).

    "Full jitter": uniform in ``[base/2, min(cap, base * 2**(attempt-1))]``, so many clients that
    failed together do not retry together, and no delay is shorter than half the base.
    """
    if attempt < 1:
        raise ValueError("attempt numbers start at 1")
    ceiling = min(cap, base * 2 ** (attempt - 1))
    floor = min(base / 2, ceiling)
    return (rng or random).uniform(floor, ceiling)


__all__ = ["backoff_delay"]
