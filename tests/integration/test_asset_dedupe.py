"""Deduplication, on both storage backends and both databases: a PENDING asset (signed PUT, URL
import) that turns out to hold bytes the client already has becomes FAILED with code DUPLICATE and
``duplicateOf`` (its ID keeps resolving, nothing is stored for it); identical uploads racing each
other are stored once (a partial unique index, handled at the service boundary)."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, select
from sqlalchemy.exc import IntegrityError

from domain.adapters.fetch import UrlFetcher, loopback_exception
from domain.assets.sniff import Sniffed
from domain.bootstrap import Container
from domain.enums import AssetKind, AssetStatus
from domain.media.types import MediaInfo
from domain.models import Asset as AssetModel
from domain.models import Base, Client, Organization
from domain.ports.media import MediaInspector
from schema.ids import decode_id
from tests.conftest import Api
from tests.integration.test_assets_api import (
    ASSET_FIELDS,
    CREATE_UPLOAD,
    DELETE,
    IMPORT,
    asset_count,
    make_client,
    put,
    scratch_files,
    settings,  # noqa: F401  (the local + S3 storage parametrization)
    stored_keys,
    upload,
    upload_ok,
)
from tests.support.http_server import send, serve
from tests.support.media import make_media
from tests.support.s3 import s3_endpoint  # noqa: F401

NODE = f"""query($id: ID!) {{ node(id: $id) {{ ... on Asset {{ {ASSET_FIELDS}
  duplicateOf {{ id status sha256 }} }} }} }}"""


async def node(api: Api, asset_id: str) -> dict[str, Any]:
    return dict((await api(NODE, {"id": asset_id}))["data"]["node"])


async def create_upload(api: Api, client_id: str, size: int) -> dict[str, Any]:
    body = await api(CREATE_UPLOAD, {"i": {"clientId": client_id, "byteSize": size}})
    payload = body["data"]["createAssetUpload"]
    assert payload["userErrors"] == [], payload
    return dict(payload)


def originals(keys: list[str]) -> list[str]:
    return [k for k in keys if "original" in k]


def assert_duplicate(pending: dict[str, Any], existing: dict[str, Any], stage: str) -> None:
    """``pending`` (as read back) is a lossless DUPLICATE of ``existing``."""
    assert pending["status"] == "FAILED"
    assert pending["error"]["code"] == "DUPLICATE"
    assert pending["error"]["stage"] == stage
    assert pending["error"]["retryable"] is False
    assert existing["id"] in pending["error"]["message"]
    assert pending["duplicateOf"]["id"] == existing["id"]
    assert pending["duplicateOf"]["status"] == "READY"
    assert (pending["url"], pending["thumbnailUrl"]) == (None, None)


# --- a PENDING asset that duplicates a READY one ------------------------------------------


async def test_signed_put_of_known_bytes_fails_pending_as_duplicate(
    api: Api, http: httpx.AsyncClient, container: Container, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    data = make_media("png", tmp_path).read_bytes()
    existing = (await upload_ok(api, data, "logo.png", clientId=client_id))["asset"]
    keys_before = await stored_keys(container)
    created = await create_upload(api, client_id, len(data))
    pending_id = created["asset"]["id"]

    response = await put(http, created["uploadUrl"], data)
    assert response.status_code == 200, response.text
    answer = response.json()["asset"]
    assert answer["id"] == pending_id  # the ID the client holds, not another one
    assert (answer["status"], answer["duplicate"]) == ("FAILED", True)
    assert answer["duplicateOf"] == existing["id"]
    assert answer["error"]["code"] == "DUPLICATE"
    assert existing["id"] in answer["error"]["message"]

    read_back = await node(api, pending_id)  # still resolves
    assert_duplicate(read_back, existing, "UPLOAD")
    assert read_back["kind"] == "IMAGE" and read_back["byteSize"] == len(data)
    assert read_back["duplicateOf"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert await stored_keys(container) == keys_before  # nothing kept for the duplicate
    assert await asset_count(container) == 2
    assert scratch_files(container.settings) == []
    assert (await put(http, created["uploadUrl"], data)).status_code == 409  # still single-use

    # Deleting the original keeps the duplicate's record; its link simply clears.
    deleted = await api(DELETE, {"i": {"assetId": existing["id"]}})
    assert deleted["data"]["deleteAsset"]["userErrors"] == []
    after = await node(api, pending_id)
    assert (after["status"], after["error"]["code"], after["duplicateOf"]) == (
        "FAILED",
        "DUPLICATE",
        None,
    )
    assert await stored_keys(container) == []


async def test_import_of_known_bytes_fails_pending_as_duplicate(
    api: Api, container: Container, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    data = make_media("mp3", tmp_path).read_bytes()
    existing = (await upload_ok(api, data, "song.mp3", clientId=client_id, role="MUSIC"))["asset"]
    keys_before = await stored_keys(container)
    with serve({"/song.mp3": lambda h: send(h, 200, data)}) as server:
        container.fetcher = UrlFetcher(loopback_exception(server.port))
        body = await api(IMPORT, {"i": {"url": server.url("/song.mp3"), "clientId": client_id}})
        pending = body["data"]["importAssetFromUrl"]["asset"]
        assert pending["status"] == "PENDING"
        await container.queue.join()  # type: ignore[union-attr]
    read_back = await node(api, pending["id"])
    assert_duplicate(read_back, existing, "IMPORT")
    assert read_back["sourceUrl"] == server.url("/song.mp3")
    assert await stored_keys(container) == keys_before
    assert await asset_count(container) == 2
    assert scratch_files(container.settings) == []


async def test_multipart_upload_still_returns_the_existing_asset(
    api: Api, container: Container, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    data = make_media("webp", tmp_path).read_bytes()
    first = await upload_ok(api, data, "a.webp", clientId=client_id)
    again = await upload_ok(api, data, "b.webp", clientId=client_id)
    assert again["duplicate"] is True
    assert again["asset"]["id"] == first["asset"]["id"]
    assert again["asset"]["status"] == "READY" and again["asset"]["error"] is None
    assert (await node(api, first["asset"]["id"]))["duplicateOf"] is None
    assert await asset_count(container) == 1


# --- identical uploads at the same instant ------------------------------------------------


@dataclasses.dataclass
class RacingInspector:
    """Holds every ingestion at the thumbnail step (after its dedupe lookup, before it stores)
    until ``parties`` of them are there, so they all miss each other in the lookup."""

    inner: MediaInspector
    parties: int = 2
    arrived: int = 0

    def __post_init__(self) -> None:
        self.barrier = asyncio.Barrier(self.parties)

    async def probe(self, path: Path, sniffed: Sniffed) -> MediaInfo:
        return await self.inner.probe(path, sniffed)

    async def thumbnail(
        self, source: Path, sniffed: Sniffed, target: Path, info: MediaInfo | None = None
    ) -> None:
        self.arrived += 1
        async with asyncio.timeout(60):
            await self.barrier.wait()
        await self.inner.thumbnail(source, sniffed, target, info)


def racing(container: Container, parties: int = 2) -> RacingInspector:
    inspector = RacingInspector(container.assets.inspector, parties)
    container.assets = dataclasses.replace(container.assets, inspector=inspector)
    return inspector


async def test_concurrent_identical_uploads_are_stored_once(
    api: Api, container: Container, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    data = make_media("png", tmp_path).read_bytes()
    inspector = racing(container, parties=3)
    responses = await asyncio.gather(
        *(upload(api, data, f"{n}.png", {"clientId": client_id}) for n in range(3))
    )
    assert inspector.arrived == 3  # all three really raced past the dedupe lookup
    payloads = [r.json()["data"]["uploadAsset"] for r in responses]
    assert all(p["userErrors"] == [] for p in payloads), payloads
    assert len({p["asset"]["id"] for p in payloads}) == 1
    assert sorted(p["duplicate"] for p in payloads) == [False, True, True]
    assert {p["asset"]["status"] for p in payloads} == {"READY"}
    assert await asset_count(container) == 1
    keys = await stored_keys(container)
    assert len(originals(keys)) == 1 and len(keys) == 2  # one original, one thumbnail
    assert scratch_files(container.settings) == []


async def test_concurrent_identical_signed_puts_keep_both_ids(
    api: Api, http: httpx.AsyncClient, container: Container, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    data = make_media("jpeg", tmp_path).read_bytes()
    first = await create_upload(api, client_id, len(data))
    second = await create_upload(api, client_id, len(data))
    inspector = racing(container)
    responses = await asyncio.gather(
        put(http, first["uploadUrl"], data), put(http, second["uploadUrl"], data)
    )
    assert inspector.arrived == 2
    assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
    answers = sorted((r.json()["asset"] for r in responses), key=lambda a: a["status"])
    failed, ready = answers
    assert (ready["status"], ready["duplicate"]) == ("READY", False)
    assert (failed["status"], failed["duplicate"], failed["duplicateOf"]) == (
        "FAILED",
        True,
        ready["id"],
    )
    assert {failed["id"], ready["id"]} == {first["asset"]["id"], second["asset"]["id"]}
    assert_duplicate(await node(api, failed["id"]), ready, "UPLOAD")
    assert (await node(api, ready["id"]))["status"] == "READY"
    keys = await stored_keys(container)
    assert len(originals(keys)) == 1 and len(keys) == 2
    assert decode_id(ready["id"], "Asset").hex in originals(keys)[0]
    assert scratch_files(container.settings) == []


async def test_import_racing_an_upload_of_the_same_bytes(
    api: Api, container: Container, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    data = make_media("png", tmp_path).read_bytes()
    with serve({"/a.png": lambda h: send(h, 200, data)}) as server:
        container.fetcher = UrlFetcher(loopback_exception(server.port))
        racing(container)

        async def import_and_wait() -> str:
            body = await api(IMPORT, {"i": {"url": server.url("/a.png"), "clientId": client_id}})
            await container.queue.join()  # type: ignore[union-attr]
            return str(body["data"]["importAssetFromUrl"]["asset"]["id"])

        imported_id, uploaded = await asyncio.gather(
            import_and_wait(), upload(api, data, "a.png", {"clientId": client_id})
        )
    payload = uploaded.json()["data"]["uploadAsset"]
    imported = await node(api, imported_id)
    if imported["status"] == "READY":  # the import won: the upload returns it, adds no row
        assert (payload["asset"]["id"], payload["duplicate"]) == (imported_id, True)
        assert await asset_count(container) == 1
    else:  # the upload won: the import is its DUPLICATE
        assert payload["duplicate"] is False
        assert_duplicate(imported, payload["asset"], "IMPORT")
        assert await asset_count(container) == 2
    assert len(originals(await stored_keys(container))) == 1


# --- the database guarantee ----------------------------------------------------------------


async def test_unique_index_covers_ready_brand_assets_only(container: Container) -> None:
    sha = hashlib.sha256(b"same bytes").hexdigest()
    async with container.session_factory() as session:
        org = Organization(name=f"org-{uuid.uuid4().hex[:6]}")
        session.add(org)
        await session.flush()
        client = Client(organization_id=org.id, name="Brand", name_key="brand")
        session.add(client)
        await session.flush()

        def asset(**kw: Any) -> AssetModel:
            fields: dict[str, Any] = {
                "organization_id": org.id,
                "client_id": client.id,
                "sha256": sha,
                "kind": AssetKind.IMAGE,
                "status": AssetStatus.READY,
                **kw,
            }
            return AssetModel(**fields)

        session.add_all(
            [
                asset(),
                asset(status=AssetStatus.FAILED),  # a FAILED duplicate keeps its hash
                asset(status=AssetStatus.PENDING),
                asset(job_id=uuid.uuid4()),  # generated assets may repeat bytes
                asset(job_id=uuid.uuid4()),
            ]
        )
        await session.commit()
        session.add(asset())
        with pytest.raises(IntegrityError):
            await session.commit()
        await session.rollback()
        rows = (await session.scalars(select(AssetModel).where(AssetModel.sha256 == sha))).all()
        assert len(rows) == 5


def _asset_diffs(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    diffs = compare_metadata(context, Base.metadata)
    return [d for d in diffs if "'assets'" in repr(d) or "assets." in repr(d)]


def _unique_indexes(connection: Connection) -> dict[str, list[str | None]]:
    indexes = inspect(connection).get_indexes("assets")
    return {ix["name"] or "": list(ix["column_names"]) for ix in indexes if ix["unique"]}


async def test_assets_migrations_match_the_models(container: Container) -> None:
    async with container.engine.connect() as conn:
        assert await conn.run_sync(_asset_diffs) == []
        unique = await conn.run_sync(_unique_indexes)
    assert unique["uq_assets_brand_sha256"] == ["client_id", "sha256"]
