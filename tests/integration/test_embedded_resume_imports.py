"""An embedded server that restarts re-queues the URL imports its previous run left PENDING."""

from __future__ import annotations

from typing import Any

from domain.adapters.queue.embedded import EmbeddedQueue
from domain.bootstrap import Container
from domain.enums import AssetStatus
from domain.models import Asset, Campaign, Client
from domain.services.tenancy import create_api_key
from tasks.embedded import resume_imports


async def test_pending_imports_are_queued_again_on_start(container: Container) -> None:
    async with container.session_factory() as session:
        org = (await create_api_key(session, "resume-imports")).organization
        client = Client(organization_id=org.id, name="Acme", name_key="acme")
        session.add(client)
        await session.flush()
        session.add(Campaign(organization_id=org.id, client_id=client.id, name="L", name_key="l"))
        pending = Asset(
            organization_id=org.id,
            client_id=client.id,
            status=AssetStatus.PENDING,
            source_url="https://example.com/logo.png",
        )
        upload = Asset(organization_id=org.id, client_id=client.id, status=AssetStatus.PENDING)
        done = Asset(
            organization_id=org.id,
            client_id=client.id,
            status=AssetStatus.READY,
            source_url="https://example.com/done.png",
        )
        session.add_all([pending, upload, done])
        await session.commit()

    calls: list[dict[str, Any]] = []

    async def import_asset(ctx: dict[str, Any], **kwargs: Any) -> None:
        calls.append(kwargs)

    queue = EmbeddedQueue({"import_asset": import_asset}, {"container": container})
    container.queue = queue
    await queue.start()
    try:
        assert await resume_imports(container) == 1
        await queue.join()
    finally:
        await queue.stop()
        container.queue = None
    assert calls == [{"asset_id": str(pending.id)}]
