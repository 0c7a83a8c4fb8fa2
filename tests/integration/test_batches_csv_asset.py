"""Batches from an uploaded CSV file: a DATA asset, checked as UTF-8 CSV with a header when it is
uploaded, read (tenant scoped, size and row limits first) by ``createJobsFromTemplate``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from domain.bootstrap import Container, build_container
from domain.models import Job as JobModel
from domain.ports.queue import RUN_STAGE
from domain.rules.brief import FEATURE_LIMIT
from domain.settings import Settings
from tests.conftest import Api
from tests.integration.test_batches_api import FROM_ROWS, template_of
from tests.support.pipeline import PREFLIGHT, UPLOAD

CREATE_JOB = """mutation($i: CreateJobInput!) { createJob(input: $i) {
  job { id } userErrors { field message code } } }"""
CREATE_CLIENT = "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }"
CREATE_CAMPAIGN = (
    "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }"
)


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    """A migrated container whose queue runs no stage (no media is made here)."""

    async def run_stage(ctx: dict[str, Any], *, job_id: str, stage: str) -> None:
        return None

    c = await build_container(settings, migrate=True, tasks={RUN_STAGE: run_stage})
    try:
        yield c
    finally:
        await c.close()


async def upload(api: Api, campaign: str, data: bytes, role: str = "DATA") -> dict[str, Any]:
    """The ``uploadAsset`` payload for ``data`` uploaded with ``role``."""
    operations = json.dumps(
        {"query": UPLOAD, "variables": {"input": {"campaignId": campaign, "role": role}}}
    )
    response = await api.http.post(
        "/graphql",
        data={"operations": operations, "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": ("rows.csv", data, "text/csv")},
        headers={"Authorization": f"Bearer {api.key}", **PREFLIGHT},
    )
    payload: dict[str, Any] = response.json()["data"]["uploadAsset"]
    return payload


async def csv_asset(api: Api, campaign: str, text: str) -> str:
    body = await upload(api, campaign, text.encode())
    assert body["userErrors"] == [], body
    assert body["asset"]["kind"] == "DATA" and body["asset"]["role"] == "DATA"
    asset_id: str = body["asset"]["id"]
    return asset_id


async def batch(api: Api, template: str, campaign: str, **given: Any) -> dict[str, Any]:
    r = await api(FROM_ROWS, {"i": {"templateId": template, "campaignId": campaign, **given}})
    assert "errors" not in r, r
    body: dict[str, Any] = r["data"]["createJobsFromTemplate"]
    return body


async def job_count(container: Container) -> int:
    async with container.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(JobModel)) or 0)


async def test_rows_from_an_uploaded_csv_asset_all_or_nothing_per_row(
    api: Api, container: Container
) -> None:
    campaign, template = await template_of(api, container)
    text = (
        "\ufeffproduct,price,city\r\n"
        "Kettle,$20,Porto\r\n"
        "Lamp,,Braga\r\n"  # an empty merge field
        '"Chair, oak",$90,Faro\r\n'
        "Desk,$120," + "x" * 300 + "\r\n"  # too long for the call to action
        "Sofa,$400,Évora\r\n"
    )
    asset = await csv_asset(api, campaign, text)
    body = await batch(api, template, campaign, csvAssetId=asset)
    assert len(body["jobs"]) == 3
    assert body["batch"]["rows"] == 5
    errors = body["batch"]["errors"]
    assert {e["row"] for e in errors} == {1, 3}
    assert (1, "price") in {(e["row"], e["field"]) for e in errors}
    assert any(e["row"] == 3 and "callToAction" in e["field"] for e in errors)
    assert {tuple(e["field"][:2]) for e in body["userErrors"]} == {("rows", "1"), ("rows", "3")}
    products = [
        e["node"]["brief"]["product"] for e in body["batch"]["jobs"]["edges"]
    ]  # fmt: skip
    assert sorted(products) == ["Chair, oak", "Kettle", "Sofa"]
    city = [e["node"]["brief"]["callToAction"] for e in body["batch"]["jobs"]["edges"]]
    assert "Only $400 in Évora" in city


FEATURED = """mutation($i: CreateJobsFromTemplateInput!) { createJobsFromTemplate(input: $i) {
  batch { rows errors { row field code message }
          jobs(first: 20) { edges { node { brief { product features } } } } }
  jobs { id } userErrors { field message code } } }"""
TEMPLATES_FIELDS = "query($id: ID!) { node(id: $id) { ... on JobTemplate { fields } } }"


async def test_a_features_column_sets_each_job_features_and_bad_ones_name_row_and_feature(
    api: Api, container: Container
) -> None:
    features = ["{{weight}} light", "Made in {{city}}"]
    campaign, template = await template_of(api, container, features)
    fields = (await api(TEMPLATES_FIELDS, {"id": template}))["data"]["node"]["fields"]
    assert "weight" in fields  # the template's features hold merge fields
    before = await job_count(container)
    text = (
        "product,price,city,weight,features\r\n"
        'Kettle,$20,Porto,900 g,"Boils in 2 minutes | Quiet, cool touch"\r\n'
        "Lamp,$35,Braga,1 kg,\r\n"  # no features: the template's, merged
        'Chair,$90,Faro,5 kg,"Oak|Linen|Steel|Wool|Cane|Jute"\r\n'  # six: too many
        "Desk,$120,Lagos,8 kg,Oak|" + "x" * (FEATURE_LIMIT + 1) + "\r\n"  # the second too long
        "Sofa,$400,Évora,30 kg,Deep seat|Washable covers|Feather cushions\r\n"
    )
    asset = await csv_asset(api, campaign, text)
    r = await api(FEATURED, {"i": {"templateId": template, "campaignId": campaign,
                                   "csvAssetId": asset}})  # fmt: skip
    assert "errors" not in r, r
    body = r["data"]["createJobsFromTemplate"]
    assert len(body["jobs"]) == 3 and body["batch"]["rows"] == 5
    briefs = {
        e["node"]["brief"]["product"]: e["node"]["brief"]["features"]
        for e in body["batch"]["jobs"]["edges"]
    }
    assert briefs == {
        "Kettle": ["Boils in 2 minutes", "Quiet, cool touch"],
        "Lamp": ["1 kg light", "Made in Braga"],
        "Sofa": ["Deep seat", "Washable covers", "Feather cushions"],
    }
    errors = [(e["row"], e["field"], e["code"]) for e in body["batch"]["errors"]]
    assert errors == [(2, "features", "INVALID"), (3, "features.1", "INVALID")]
    assert body["batch"]["errors"][0]["message"] == "row 2: features must list at most 5"
    assert [e["field"] for e in body["userErrors"]] == [
        ["rows", "2", "features"],
        ["rows", "3", "features", "1"],
    ]
    assert await job_count(container) == before + 3  # the bad rows wrote nothing

    # inline rows may give a list; a merged template feature over the limit names the brief's
    rows: list[dict[str, Any]] = [
        {"product": "Mug", "price": "$5", "city": "Porto", "weight": "1", "features": ["Big"]},
        {"product": "Cup", "price": "$4", "city": "Porto", "weight": "w" * FEATURE_LIMIT},
    ]
    r = await api(FEATURED, {"i": {"templateId": template, "campaignId": campaign,
                                   "rows": rows}})  # fmt: skip
    body = r["data"]["createJobsFromTemplate"]
    assert [e["node"]["brief"]["features"] for e in body["batch"]["jobs"]["edges"]] == [["Big"]]
    assert [e["field"] for e in body["userErrors"]] == [["rows", "1", "brief", "features", "0"]]


async def test_the_batch_checks_the_asset_and_its_limits_before_any_job(
    api: Api, other_api: Api, container: Container
) -> None:
    campaign, template = await template_of(api, container)
    before = await job_count(container)
    rows = "product,price,city\n" + "".join(f"P{n},${n},Porto\n" for n in range(4))
    asset = await csv_asset(api, campaign, rows)

    # more rows than a request may make: refused whole, nothing made
    container.settings.batch_max_rows = 3
    body = await batch(api, template, campaign, csvAssetId=asset)
    assert body["batch"] is None
    assert [(e["code"], e["field"]) for e in body["userErrors"]] == [
        ("LIMIT_EXCEEDED", ["csvAssetId"])
    ]
    container.settings.batch_max_rows = 100

    # a file larger than the data limit (lowered since the upload) is refused before reading
    limits = container.assets.limits
    container.assets.limits = dataclasses.replace(limits, max_data_bytes=10)
    body = await batch(api, template, campaign, csvAssetId=asset)
    assert [e["code"] for e in body["userErrors"]] == ["TOO_LARGE"]
    container.assets.limits = limits

    # another organization's CSV is not found, like a missing one
    r = await other_api(CREATE_CLIENT, {"i": {"name": "Globex"}})
    client = r["data"]["createClient"]["client"]["id"]
    r = await other_api(CREATE_CAMPAIGN, {"i": {"clientId": client, "name": "Theirs"}})
    theirs = await csv_asset(other_api, r["data"]["createCampaign"]["campaign"]["id"], rows)
    body = await batch(api, template, campaign, csvAssetId=theirs)
    assert [(e["code"], e["field"]) for e in body["userErrors"]] == [("NOT_FOUND", ["csvAssetId"])]

    # rows and a CSV at once, or neither: one way only
    body = await batch(api, template, campaign, csvAssetId=asset, rows=[{"product": "x"}])
    assert [e["code"] for e in body["userErrors"]] == ["INVALID"]
    body = await batch(api, template, campaign)
    assert [e["code"] for e in body["userErrors"]] == ["INVALID"]

    # a header without rows
    empty = await csv_asset(api, campaign, "product,price,city\n")
    body = await batch(api, template, campaign, csvAssetId=empty)
    assert [(e["code"], e["field"]) for e in body["userErrors"]] == [("INVALID", ["csvAssetId"])]
    assert await job_count(container) == before

    # a CSV is no brand asset: a job refuses it
    r = await api(
        CREATE_JOB,
        {
            "i": {
                "campaignId": campaign,
                "brief": {"product": "Kettle"},
                "durationSeconds": 12.0,
                "aspectRatio": "SQUARE_1_1",
                "assetIds": [asset],
            }
        },
    )
    errors = r["data"]["createJob"]["userErrors"]
    assert [e["code"] for e in errors] == ["INVALID"], r


async def test_a_data_upload_must_be_utf8_csv_with_a_header(api: Api, container: Container) -> None:
    campaign, _ = await template_of(api, container)

    async def refused(data: bytes, role: str = "DATA") -> tuple[str, list[str] | None, str]:
        body = await upload(api, campaign, data, role)
        assert body["asset"] is None, body
        (error,) = body["userErrors"]
        return error["code"], error["field"], error["message"]

    code, _, message = await refused("product,city\nCafé,Porto\n".encode("latin-1"))
    assert code == "UNSUPPORTED_MEDIA" and "UTF-8" in message
    code, _, _ = await refused(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    assert code == "UNSUPPORTED_MEDIA"
    code, field, message = await refused(b"product,price,city\nKettle,$20,Porto\nLamp,$30\n")
    assert (code, field) == ("INVALID", ["file", "rows", "1", "city"]) and "row 1" in message
    code, field, _ = await refused(b"product,price\nKettle,$20,extra\n")
    assert (code, field) == ("INVALID", ["file", "rows", "0"])
    code, field, _ = await refused(b"product,,city\nKettle,$20,Porto\n")
    assert (code, field) == ("INVALID", ["file", "header"])
    code, field, _ = await refused(b"product,product\na,b\n")
    assert (code, field) == ("INVALID", ["file", "header", "product"])
    limits = container.assets.limits
    container.assets.limits = dataclasses.replace(limits, max_data_rows=2)
    code, _, _ = await refused(b"product\na\nb\nc\n")
    assert code == "LIMIT_EXCEEDED"
    container.assets.limits = dataclasses.replace(limits, max_data_bytes=16)
    code, _, _ = await refused(b"product\n" + b"a\n" * 20)
    assert code == "TOO_LARGE"
    container.assets.limits = limits
    # without the role DATA, text is not a media file (as before)
    code, _, _ = await refused(b"product,price\nKettle,$20\n" * 300, role="PRODUCT")
    assert code == "UNSUPPORTED_MEDIA"


SIGNED_UPLOAD = """mutation($i: CreateAssetUploadInput!) { createAssetUpload(input: $i) {
  uploadUrl asset { id } userErrors { code message field } } }"""
ASSET = "query($id: ID!) { node(id: $id) { ... on Asset { status kind contentType role } } }"


async def test_a_signed_put_of_a_csv_feeds_a_batch(api: Api, container: Container) -> None:
    campaign, template = await template_of(api, container)
    data = b"product,price,city\nKettle,$20,Porto\nLamp,$35,Braga\n"
    r = await api(
        SIGNED_UPLOAD,
        {"i": {"campaignId": campaign, "filename": "rows.csv", "byteSize": len(data),
               "role": "DATA"}},
    )  # fmt: skip
    created = r["data"]["createAssetUpload"]
    assert created["userErrors"] == [], created
    parts = urlsplit(created["uploadUrl"])
    answer = await api.http.put(f"{parts.path}?{parts.query}", content=data)
    assert answer.status_code == 200, answer.text
    asset = created["asset"]["id"]
    node = (await api(ASSET, {"id": asset}))["data"]["node"]
    assert node == {"status": "READY", "kind": "DATA", "contentType": "text/csv", "role": "DATA"}
    body = await batch(api, template, campaign, csvAssetId=asset)
    assert len(body["jobs"]) == 2 and body["batch"]["errors"] == []
    # a declared size over the data limit is refused before any byte is sent
    r = await api(
        SIGNED_UPLOAD,
        {"i": {"campaignId": campaign, "filename": "big.csv", "byteSize": 6 * 1024 * 1024,
               "role": "DATA"}},
    )  # fmt: skip
    assert [e["code"] for e in r["data"]["createAssetUpload"]["userErrors"]] == ["TOO_LARGE"]
