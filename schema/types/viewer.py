"""The caller's view of itself."""

from __future__ import annotations

import uuid

import strawberry

from schema.ids import encode_id
from schema.types.node import Node


@strawberry.type(description="A tenant: all data belongs to exactly one organization.")
class Organization(Node):
    name: str

    @classmethod
    def of(cls, id_: uuid.UUID, name: str) -> Organization:
        return cls(id=encode_id("Organization", id_), name=name)


@strawberry.type
class Quota:
    rate_limit_per_minute: int


@strawberry.type
class Viewer:
    organization: Organization
    key_name: str
    quota: Quota
