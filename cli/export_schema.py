"""``adreel export-schema``: the GraphQL SDL as the code defines it."""

from __future__ import annotations

from domain.settings import Settings


def export_schema_sdl() -> str:
    """The SDL of the schema as the code defines it (independent of the environment)."""
    from schema.app import build_schema

    return str(build_schema(Settings(env="development"))) + "\n"


__all__ = ["export_schema_sdl"]
