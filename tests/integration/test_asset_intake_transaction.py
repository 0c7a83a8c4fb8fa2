"""Filling a PENDING asset holds no database transaction (no pooled connection, no SQLite read
snapshot) while its bytes arrive: an upload or import can take minutes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from domain.bootstrap import Container
from domain.enums import AssetStatus
from domain.models import Asset as AssetModel
from domain.models import Client
from domain.services.assets import complete_pending, create_pending_asset
from schema.ids import decode_id
from tests.conftest import Api
from tests.integration.test_assets_api import make_client
from tests.support.media import make_media


async def test_no_transaction_is_open_while_the_bytes_arrive(
    api: Api, container: Container, tmp_path: Path
) -> None:
    client_id = decode_id(await make_client(api), "Client")
    image = make_media("png", tmp_path).read_bytes()
    seen: list[bool] = []
    deps = container.assets
    async with container.session_factory() as session:
        org_id = (await session.get_one(Client, client_id)).organization_id
        asset = await create_pending_asset(
            session,
            deps,
            org_id=org_id,
            client_id=client_id,
            campaign_id=None,
            role=None,
            source_url="https://example.com/a.png",
        )
        await session.get_one(AssetModel, asset.id, populate_existing=True)  # a read: BEGIN
        assert session.in_transaction()

        async def body() -> AsyncIterator[bytes]:
            seen.append(session.in_transaction())
            yield image
            seen.append(session.in_transaction())

        result = await complete_pending(session, deps, asset, body(), stage_name="IMPORT")
    assert seen == [False, False]
    assert result.asset.status is AssetStatus.READY
