"""``adreel export-schema``: the GraphQL SDL as the code defines it."""

from __future__ import annotations

from domain.settings import DEVELOPMENT_SECRET, Settings


def export_schema_sdl() -> str:
    """The SDL of the schema as the code defines it (independent of the environment)."""
    from schema.app import build_schema

    return str(build_schema(Settings(env="development", secret_key=DEVELOPMENT_SECRET))) + "\n"


__all__ = ["export_schema_sdl"]
