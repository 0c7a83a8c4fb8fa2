"""No orphaned file survives: the sweep removes objects no row claims once past the grace
period, on local and S3 storage alike, and keeps every claimed one; a process killed in the
middle of writing leaves nothing after a sweep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from domain.adapters.storage import LocalStorage, S3Storage
from domain.assets.keys import original_key, thumbnail_key
from domain.bootstrap import Container
from domain.enums import AssetKind, AssetRole, AssetStatus
from domain.models import Asset, Client
from domain.models.base import utcnow
from domain.models.tenancy import Organization
from domain.ports.storage import Storage
from domain.services.storage_sweep import sweep_storage
from tests.support.s3 import ACCESS_KEY, s3_endpoint, s3_test_storage  # noqa: F401  (fixture)

GRACE = 3600.0


@pytest.fixture(params=["local", "s3"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    if request.param == "local":
        yield LocalStorage(tmp_path / "store")
        return
    async with s3_test_storage(request.getfixturevalue("s3_endpoint")) as s3:
        yield s3


async def put(storage: Storage, key: str) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"bytes of " + key.encode()

    await storage.write(key, body())


async def keys(storage: Storage) -> set[str]:
    return {o.key async for o in storage.list_objects()}


async def leftovers(storage: Storage) -> list[str]:
    if isinstance(storage, LocalStorage):
        tmp = storage.root / ".tmp"
        return sorted(os.listdir(tmp)) if tmp.exists() else []
    assert isinstance(storage, S3Storage)
    s3 = await storage._s3()
    uploads = await s3.list_multipart_uploads(Bucket=storage.bucket)
    return [u["Key"] for u in uploads.get("Uploads", [])]


async def org_and_client(container: Container) -> tuple[uuid.UUID, uuid.UUID]:
    async with container.session_factory() as session:
        org = Organization(id=uuid.uuid4(), name=f"sweep-{uuid.uuid4().hex[:8]}")
        client = Client(id=uuid.uuid4(), organization_id=org.id, name="Acme", name_key="acme")
        session.add(org)
        await session.flush()
        session.add(client)
        await session.commit()
    return org.id, client.id


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_unclaimed_objects_go_claimed_ones_stay(
    container: Container, storage: Storage
) -> None:
    org, client = await org_and_client(container)
    ready, pending, orphan = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    claimed = [original_key(org, ready, "png"), thumbnail_key(org, ready)]
    in_flight = original_key(org, pending, "mp4")  # its row is PENDING: a write under way
    lost = [original_key(org, orphan, "mp4"), thumbnail_key(org, orphan)]
    for key in [*claimed, in_flight, *lost]:
        await put(storage, key)
    async with container.session_factory() as session:
        session.add_all(
            [
                Asset(id=ready, organization_id=org, client_id=client, kind=AssetKind.IMAGE,
                      role=AssetRole.PRODUCT, status=AssetStatus.READY,
                      storage_key=claimed[0], thumbnail_key=claimed[1]),
                Asset(id=pending, organization_id=org, client_id=client,
                      status=AssetStatus.PENDING),
            ]
        )  # fmt: skip
        await session.commit()

    # within the grace period nothing is touched (a row may be about to claim its file)
    report = await sweep_storage(container.session_factory, storage, grace_seconds=GRACE)
    assert report.scanned == 5 and report.removed == []
    assert await keys(storage) == {*claimed, in_flight, *lost}

    # an hour and a bit later the unclaimed objects are gone, every claimed one stays
    later = utcnow() + timedelta(seconds=GRACE + 60)
    report = await sweep_storage(container.session_factory, storage, grace_seconds=GRACE, now=later)
    assert sorted(report.removed) == sorted(lost)
    assert await keys(storage) == {*claimed, in_flight}

    # once the pending asset fails without a file, its leftover goes too
    async with container.session_factory() as session:
        asset = await session.get(Asset, pending)
        assert asset is not None
        asset.status = AssetStatus.FAILED
        await session.commit()
    report = await sweep_storage(container.session_factory, storage, grace_seconds=GRACE, now=later)
    assert report.removed == [in_flight]
    assert await keys(storage) == set(claimed)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_writer_killed_mid_write_leaves_nothing_after_a_sweep(
    container: Container, storage: Storage, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    org, _client = await org_and_client(container)
    whole = original_key(org, uuid.uuid4(), "mp4")
    partial = original_key(org, uuid.uuid4(), "mp4")
    if isinstance(storage, S3Storage):
        url = f"s3://{storage.bucket}/{storage.prefix}"
        root, endpoint = str(tmp_path), str(storage.endpoint_url)
    else:
        assert isinstance(storage, LocalStorage)
        url, root, endpoint = f"file:{storage.root}", str(storage.root), ""
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.support.storage_writer", url, root, endpoint, whole, partial],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == b"writing"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(30)
    # the crash left a file no row claims and the remains of a write that never finished
    assert await keys(storage) == {whole}
    assert await leftovers(storage) != []

    later = utcnow() + timedelta(seconds=GRACE + 60)
    report = await sweep_storage(container.session_factory, storage, grace_seconds=GRACE, now=later)
    assert report.removed == [whole] and report.partials == 1
    assert await keys(storage) == set()
    assert await leftovers(storage) == []
    assert ACCESS_KEY  # the writer used the test server's credentials


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_adreel_storage_sweep_command(container: Container, settings: object) -> None:
    from domain.settings import Settings
    from tests.support.pipeline import worker_env

    assert isinstance(settings, Settings)
    org, _client = await org_and_client(container)
    orphan = original_key(org, uuid.uuid4(), "png")
    await put(container.storage, orphan)
    env = worker_env(env="test", data_dir=settings.data_dir, database_url=settings.database_url)
    adreel = str(Path(sys.executable).parent / "adreel")
    kept = subprocess.run(
        [adreel, "storage", "sweep"], env=env, capture_output=True, text=True, timeout=120
    )
    assert kept.returncode == 0, kept.stderr
    assert "removed 0 orphaned" in kept.stdout and await container.storage.exists(orphan)
    done = subprocess.run(
        [adreel, "storage", "sweep", "--grace", "0"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "scanned 1 object(s); removed 1 orphaned" in done.stdout
    assert not await container.storage.exists(orphan)
