"""Storage keys of assets: built only from IDs Adreel generated, never from user input."""

from __future__ import annotations

import uuid


def original_key(org_id: uuid.UUID, asset_id: uuid.UUID, extension: str) -> str:
    """Where an asset's bytes live."""
    return f"orgs/{org_id.hex}/assets/{asset_id.hex}/original.{extension}"


def thumbnail_key(org_id: uuid.UUID, asset_id: uuid.UUID) -> str:
    """Where an asset's thumbnail (JPEG poster) lives."""
    return f"orgs/{org_id.hex}/assets/{asset_id.hex}/thumbnail.jpg"


__all__ = ["original_key", "thumbnail_key"]
