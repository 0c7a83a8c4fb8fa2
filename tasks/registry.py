"""The task functions both runners execute, by name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

TaskFunction = Callable[..., Awaitable[Any]]


def task_functions() -> dict[str, TaskFunction]:
    """Every background task, keyed by the name the queue port uses."""
    from tasks.assets import import_asset
    from tasks.pipeline import run_stage, sweep_leases

    functions: dict[str, TaskFunction] = {
        "import_asset": import_asset,
        "run_stage": run_stage,
        "sweep_leases": sweep_leases,
    }
    return functions
