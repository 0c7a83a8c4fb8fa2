"""``adreel worker`` lanes: webhook deliveries have an arq queue, a concurrency and a sweep of
their own; every other task stays on the pipeline's queue."""

from __future__ import annotations

from domain.bootstrap import queue_routes
from domain.ports.queue import DELIVER_WEBHOOK, RUN_STAGE, SWEEP_WEBHOOKS
from domain.settings import Settings
from tasks.worker import lane_options


def test_deliveries_run_in_their_own_lane() -> None:
    settings = Settings(
        env="test", redis_url="redis://127.0.0.1:6379/0", queue_name="q",
        worker_max_jobs=1, webhook_concurrency=7, webhook_timeout_seconds=5,
    )  # fmt: skip
    assert queue_routes(settings) == {DELIVER_WEBHOOK: "q:webhooks"}
    pipeline, webhooks = lane_options(settings, "all")
    assert (pipeline["queue_name"], pipeline["max_jobs"]) == ("q", 1)
    assert (webhooks["queue_name"], webhooks["max_jobs"]) == ("q:webhooks", 7)
    assert [f.name for f in webhooks["functions"]] == [DELIVER_WEBHOOK]
    assert DELIVER_WEBHOOK not in {f.name for f in pipeline["functions"]}
    assert RUN_STAGE in {f.name for f in pipeline["functions"]}
    assert webhooks["job_timeout"] == 40.0  # an endpoint's turn: two attempt deadlines
    assert [c.name for c in webhooks["cron_jobs"]] == [f"{SWEEP_WEBHOOKS}:q:webhooks"]
    assert [o["queue_name"] for o in lane_options(settings, "webhooks")] == ["q:webhooks"]
    assert [o["queue_name"] for o in lane_options(settings, "pipeline")] == ["q"]
