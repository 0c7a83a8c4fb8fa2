"""Budget and variance rules: what a job may spend, and when actual cost strays from the estimate.

Money is ``Decimal`` USD; amounts are compared at 1/100 of a cent (the storage precision).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: Storage precision of money amounts.
MONEY_STEP = Decimal("0.0001")

#: A job whose actual cost passes its estimate by more than this share emits a variance event.
VARIANCE_THRESHOLD = Decimal("0.20")


def money(value: Decimal | float | int | str) -> Decimal:
    """``value`` as a Decimal at storage precision (floats go through their shortest repr)."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return amount.quantize(MONEY_STEP, rounding=ROUND_HALF_UP)


def within_budget(budget: Decimal | None, amount: Decimal) -> bool:
    """Whether a total of ``amount`` fits ``budget`` (no budget: anything fits)."""
    return budget is None or money(amount) <= money(budget)


def may_spend(budget: Decimal | None, spent: Decimal, next_cost: Decimal) -> bool:
    """Whether the next priced call may be made: the job never spends past its budget.

    A call that would take ``spent`` past ``budget`` is refused *before* it is made; reaching the
    budget exactly is allowed. Free calls are always allowed.
    """
    if next_cost <= 0:
        return True
    return within_budget(budget, spent + next_cost)


def remaining_budget(budget: Decimal | None, spent: Decimal) -> Decimal | None:
    """What is left to spend (never negative); ``None`` without a budget."""
    if budget is None:
        return None
    return max(Decimal(0), money(budget) - money(spent))


def variance_ratio(estimated: Decimal, actual: Decimal) -> float | None:
    """``(actual - estimated) / estimated``: 0.25 means 25% over the estimate.

    Both zero gives 0; a cost against a zero estimate has no ratio (``None``).
    """
    estimated, actual = money(estimated), money(actual)
    if estimated == 0:
        return 0.0 if actual == 0 else None
    return float(((actual - estimated) / estimated).quantize(MONEY_STEP, rounding=ROUND_HALF_UP))


def over_variance(estimated: Decimal, actual: Decimal) -> bool:
    """Whether ``actual`` passes ``estimated`` by more than ``VARIANCE_THRESHOLD``."""
    estimated, actual = money(estimated), money(actual)
    return actual > estimated * (1 + VARIANCE_THRESHOLD)


def crosses_variance(estimated: Decimal, before: Decimal, after: Decimal) -> bool:
    """Whether a cost change from ``before`` to ``after`` crosses the variance line (emit once)."""
    return over_variance(estimated, after) and not over_variance(estimated, before)


__all__ = [
    "MONEY_STEP",
    "VARIANCE_THRESHOLD",
    "crosses_variance",
    "may_spend",
    "money",
    "over_variance",
    "remaining_budget",
    "variance_ratio",
    "within_budget",
]
