"""Opaque global IDs: ``base64url("Type:uuid")``; the type name is checked on every use."""

from __future__ import annotations

import base64
import binascii
import uuid

import strawberry

from domain.errors import Invalid


def encode_id(type_name: str, id_: uuid.UUID) -> strawberry.ID:
    """The global ID of a row."""
    raw = f"{type_name}:{id_}".encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def decode_any(global_id: str, field: str = "id") -> tuple[str, uuid.UUID]:
    """The type name and key behind a global ID; a malformed ID is ``Invalid``."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, key = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if not type_name.isidentifier():
            raise ValueError(type_name)
        return type_name, uuid.UUID(key)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Invalid("malformed ID", [field]) from exc


def decode_id(global_id: str, expected: str, field: str = "id") -> uuid.UUID:
    """The key behind a global ID that must name an ``expected`` object."""
    type_name, key = decode_any(global_id, field)
    if type_name != expected:
        raise Invalid(f"expected the ID of a {expected}, got the ID of a {type_name}", [field])
    return key
