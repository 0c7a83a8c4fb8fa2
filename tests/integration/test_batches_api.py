"""Job templates with merge fields and batches of jobs made from them, through GraphQL.

The queue records the stage runs it is asked for (no media is made): what matters here is which
rows become jobs, what each bad row reports, and that every job gets its own events and stage run.
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from domain.adapters.queue.embedded import EmbeddedQueue
from domain.bootstrap import Container, build_container
from domain.enums import JobEventType
from domain.models import Job as JobModel
from domain.models import JobEvent
from domain.ports.queue import RUN_STAGE
from domain.settings import Settings
from tests.support.job_flow import Flow, key_of

ERRORS = "userErrors { field message code }"

CREATE_CLIENT = "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }"
CREATE_CAMPAIGN = (
    "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }"
)
CREATE_JOB = "mutation($i: CreateJobInput!) { createJob(input: $i) { job { id } " + ERRORS + " } }"
SAVE = (
    "mutation($i: SaveJobTemplateInput!) { saveJobTemplate(input: $i) { "
    "template { id name fields aspectRatio sceneCount } " + ERRORS + " } }"
)
BATCH_FIELDS = (
    "batch { id rows errors { row field code message } counts { total done failed running } "
    "jobs(first: 100) { edges { node { id brief { product callToAction } durationSeconds "
    "batch { id } scenes { caption } } } } } jobs { id } " + ERRORS
)
FROM_ROWS = (
    "mutation($i: CreateJobsFromTemplateInput!) { createJobsFromTemplate(input: $i) { "
    + BATCH_FIELDS
    + " } }"
)
FROM_CSV = (
    "mutation($i: CreateJobsFromTemplateCsvInput!) { createJobsFromTemplateCsv(input: $i) { "
    + BATCH_FIELDS
    + " } }"
)


#: The stage runs each test container's queue was asked for.
STAGE_RUNS: weakref.WeakKeyDictionary[Container, list[tuple[str, str]]] = (
    weakref.WeakKeyDictionary()
)


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    """A migrated container whose queue only records the stage runs asked for."""
    runs: list[tuple[str, str]] = []

    async def run_stage(ctx: dict[str, Any], *, job_id: str, stage: str) -> None:
        runs.append((job_id, stage))

    c = await build_container(settings, migrate=True, tasks={RUN_STAGE: run_stage})
    STAGE_RUNS[c] = runs
    try:
        yield c
    finally:
        await c.close()


async def template_of(
    api: Any, container: Container, features: list[str] | None = None
) -> tuple[str, str]:
    """A campaign and a template saved from a planned job whose texts (and ``features``, when
    given) hold merge fields."""
    r = await api(CREATE_CLIENT, {"i": {"name": "Acme", "brandColors": ["#FF5500"]}})
    client = r["data"]["createClient"]["client"]["id"]
    r = await api(CREATE_CAMPAIGN, {"i": {"clientId": client, "name": "Local"}})
    campaign = r["data"]["createCampaign"]["campaign"]["id"]
    r = await api(
        CREATE_JOB,
        {
            "i": {
                "campaignId": campaign,
                "brief": {
                    "product": "{{product}}",
                    "callToAction": "Only {{price}} in {{city}}",
                    **({"features": features} if features else {}),
                },
                "durationSeconds": 12.0,
                "aspectRatio": "SQUARE_1_1",
                "sceneCount": 3,
            }
        },
    )
    job_id = r["data"]["createJob"]["job"]["id"]
    await Flow(container.session_factory, job_id).plan()
    r = await api(SAVE, {"i": {"jobId": job_id, "name": "City promo"}})
    body = r["data"]["saveJobTemplate"]
    assert body["userErrors"] == [], body
    template = body["template"]
    assert template["fields"][:3] == ["product", "price", "city"]
    assert template["sceneCount"] == 3 and template["aspectRatio"] == "SQUARE_1_1"
    return campaign, template["id"]


async def test_fifty_rows_three_bad_make_47_jobs_and_name_row_and_field(
    api: Any, container: Container
) -> None:
    campaign, template = await template_of(api, container)
    rows: list[dict[str, Any]] = [
        {"product": f"Shoe {n}", "price": f"${n}", "city": "Lisbon"} for n in range(50)
    ]
    del rows[5]["price"]  # a missing merge field
    rows[17]["city"] = "x" * 300  # text too long
    rows[33]["durationSeconds"] = 500  # a bad duration
    r = await api(FROM_ROWS, {"i": {"templateId": template, "campaignId": campaign, "rows": rows}})
    assert "errors" not in r, r
    body = r["data"]["createJobsFromTemplate"]
    batch = body["batch"]
    assert len(body["jobs"]) == 47
    assert batch["rows"] == 50
    assert batch["counts"] == {"total": 47, "done": 0, "failed": 0, "running": 47}
    bad = {(e["row"], e["field"]) for e in batch["errors"]}
    assert {row for row, _ in bad} == {5, 17, 33}
    assert (5, "price") in bad
    assert any(row == 17 and "callToAction" in field for row, field in bad)
    assert (33, "durationSeconds") in bad
    for error in batch["errors"]:
        assert f"row {error['row']}" in error["message"]
    assert {tuple(e["field"][:2]) for e in body["userErrors"]} == {
        ("rows", "5"),
        ("rows", "17"),
        ("rows", "33"),
    }
    nodes = [e["node"] for e in batch["jobs"]["edges"]]
    assert len(nodes) == 47
    first = nodes[0]
    assert first["brief"] == {"product": "Shoe 0", "callToAction": "Only $0 in Lisbon"}
    assert all("{{" not in s["caption"] for n in nodes for s in n["scenes"])
    assert all(n["batch"]["id"] == batch["id"] for n in nodes)
    # each job has its own events and its own PLAN run; the bad rows made nothing
    async with container.session_factory() as session:
        created = await session.scalar(
            select(func.count())
            .select_from(JobEvent)
            .where(JobEvent.type == JobEventType.JOB_CREATED)
        )
        jobs = await session.scalar(
            select(func.count())
            .select_from(JobModel)
            .where(JobModel.batch_id == key_of(batch["id"]))
        )
    assert jobs == 47 and created == 47 + 1  # and the template's own job
    queue = container.queue
    assert isinstance(queue, EmbeddedQueue)
    await queue.join()
    runs = STAGE_RUNS[container]
    planned = {job for job, stage in runs if stage == "PLAN"}
    assert {str(key_of(j["id"])) for j in body["jobs"]} <= planned


async def test_rows_from_csv_and_request_bounds(api: Any, container: Container) -> None:
    campaign, template = await template_of(api, container)
    csv_text = "product,price,city\nKettle,$20,Porto\nLamp,,Braga\nChair,$90,Faro\n"
    r = await api(
        FROM_CSV, {"i": {"templateId": template, "campaignId": campaign, "csv": csv_text}}
    )
    body = r["data"]["createJobsFromTemplateCsv"]
    assert len(body["jobs"]) == 2
    assert [(e["row"], e["field"]) for e in body["batch"]["errors"]] == [(1, "price")]
    container.settings.batch_max_rows = 3
    rows = [{"product": "a", "price": "1", "city": "c"}] * 4
    r = await api(FROM_ROWS, {"i": {"templateId": template, "campaignId": campaign, "rows": rows}})
    body = r["data"]["createJobsFromTemplate"]
    assert body["batch"] is None and body["userErrors"][0]["field"] == ["rows"]
