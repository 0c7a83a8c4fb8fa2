"""``adreel keys create`` and ``adreel keys revoke``."""

from __future__ import annotations

from domain.bootstrap import build_container
from domain.settings import Settings


async def create_key(settings: Settings, org: str, name: str) -> str:
    """Issue a key for ``org`` (created when missing); returns the key, shown only once."""
    from domain.services.tenancy import create_api_key

    container = await build_container(settings, migrate=settings.database_url is None)
    try:
        async with container.session_factory() as session:
            issued = await create_api_key(session, org, name)
            await session.commit()
            return issued.key
    finally:
        await container.close()


async def revoke_key(settings: Settings, key: str) -> str:
    """Revoke a key by its value or prefix; returns its prefix.

    The revocation is announced on the event bus, so servers sharing it (Redis) close the key's
    open connections at once; others notice within ``ADREEL_WS_KEY_RECHECK_SECONDS``.
    """
    from domain.services.tenancy import revoke_api_key
    from domain.services.unit_of_work import UnitOfWork

    container = await build_container(settings)
    try:
        await container.bus.start()
        async with (
            container.session_factory() as session,
            UnitOfWork(session, bus=container.bus) as uow,
        ):
            api_key = await revoke_api_key(uow.session, key)
        return api_key.prefix
    finally:
        await container.close()


__all__ = ["create_key", "revoke_key"]
