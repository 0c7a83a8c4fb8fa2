"""The price table the job use cases are given: the defaults with the configured prices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.rules.pricing import DEFAULT_PRICES, PriceTable


def price_table(overrides: Mapping[str, Mapping[str, Mapping[str, Any]]] | None) -> PriceTable:
    """The default price table with configured prices added or replaced."""
    return DEFAULT_PRICES.merged(overrides)


__all__ = ["price_table"]
