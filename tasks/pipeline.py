"""The pipeline's task functions: load the container, call the stage service, report."""

from __future__ import annotations

import logging
import time
import uuid

from domain.enums import JobStage
from domain.observability import log_context, tracing
from domain.observability.metrics import record_stage
from domain.services.pipeline.runner import Outcome, execute_stage
from domain.services.pipeline.sweeper import sweep
from tasks.context import WorkerContext

log = logging.getLogger(__name__)


async def run_stage(ctx: WorkerContext, *, job_id: str, stage: str) -> str:
    """Run ``stage`` of a job if it is due (a no-op otherwise); returns what happened.

    Retries are scheduled by the service itself through the queue port (with back-off and a
    fresh key), so both runners retry the same way; nothing here raises for a stage failure.
    """
    container = ctx["container"]
    started = time.perf_counter()
    # a stage's log lines name its job and stage, not the request that queued it
    with (
        log_context.bound(request_id=None, organization_id=None, job_id=job_id, stage=stage),
        tracing.span(f"stage {stage}", "consumer", job_id=job_id, stage=stage),
    ):
        result = await execute_stage(
            container.pipeline,
            uuid.UUID(job_id),
            JobStage(stage),
            owner_base=container.lease_owner,
        )
        seconds = time.perf_counter() - started
        record_stage(stage, result.outcome.value, seconds)
        if result.outcome is not Outcome.SKIPPED:
            log.info(
                "stage %s of job %s: %s in %.2f s%s",
                stage,
                job_id,
                result.outcome.value,
                seconds,
                f" ({result.error.code})" if result.error is not None else "",
                extra={"outcome": result.outcome.value},
            )
    return result.outcome.value


async def sweep_leases(ctx: WorkerContext) -> dict[str, int]:
    """Re-queue stages whose lease expired, orphaned jobs and bundles whose task was lost;
    returns how many of each."""
    from tasks.bundles import requeue_stale_bundles

    report = await sweep(ctx["container"].pipeline)
    bundles = await requeue_stale_bundles(ctx["container"])
    return {"expired": len(report.expired), "orphans": len(report.orphans), "bundles": bundles}


__all__ = ["run_stage", "sweep_leases"]
