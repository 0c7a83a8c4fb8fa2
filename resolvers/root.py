"""The root types, composed from each area's query and mutation classes."""

from __future__ import annotations

import strawberry

from resolvers.clients import ClientMutations, ClientQueries
from resolvers.node import NodeQueries


@strawberry.type
class Query(NodeQueries, ClientQueries):
    """Every query of the API."""


@strawberry.type
class Mutation(ClientMutations):
    """Every mutation of the API."""


SUBSCRIPTION: type | None = None
