"""The task functions both runners execute, by name."""

from __future__ import annotations

from domain.ports.queue import (
    BUILD_BUNDLE,
    DELIVER_WEBHOOK,
    IMPORT_ASSET,
    RUN_STAGE,
    SWEEP_LEASES,
    SWEEP_STORAGE,
    SWEEP_WEBHOOKS,
    TaskFunction,
)


def task_functions() -> dict[str, TaskFunction]:
    """Every background task, keyed by the name the queue port uses."""
    from tasks.assets import import_asset
    from tasks.bundles import build_bundle
    from tasks.pipeline import run_stage, sweep_leases
    from tasks.storage import sweep_storage
    from tasks.webhooks import deliver_webhook, sweep_webhooks

    functions: dict[str, TaskFunction] = {
        BUILD_BUNDLE: build_bundle,
        IMPORT_ASSET: import_asset,
        RUN_STAGE: run_stage,
        SWEEP_LEASES: sweep_leases,
        DELIVER_WEBHOOK: deliver_webhook,
        SWEEP_WEBHOOKS: sweep_webhooks,
        SWEEP_STORAGE: sweep_storage,
    }
    return functions


__all__ = ["task_functions"]
