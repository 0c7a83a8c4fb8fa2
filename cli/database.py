"""``adreel migrate``: apply the database migrations."""

from __future__ import annotations

from domain.bootstrap import build_container
from domain.settings import Settings


async def migrate(settings: Settings) -> None:
    """Bring the database to the newest migration."""
    container = await build_container(settings, migrate=True)
    await container.close()


__all__ = ["migrate"]
