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
    """Revoke a key by its value or prefix; returns its prefix."""
    from domain.services.tenancy import revoke_api_key

    container = await build_container(settings)
    try:
        async with container.session_factory() as session:
            api_key = await revoke_api_key(session, key)
            await session.commit()
            return api_key.prefix
    finally:
        await container.close()


__all__ = ["create_key", "revoke_key"]
