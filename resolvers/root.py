"""The root types, composed from each area's query and mutation classes."""

from __future__ import annotations

import strawberry

from resolvers.assets import AssetMutations, AssetQueries
from resolvers.clients import ClientMutations, ClientQueries
from resolvers.jobs import JobMutations, JobQueries
from resolvers.node import NodeQueries
from resolvers.subscriptions import Subscription
from resolvers.voices import VoiceQueries


@strawberry.type
class Query(NodeQueries, ClientQueries, AssetQueries, JobQueries, VoiceQueries):
    """Every query of the API."""


@strawberry.type
class Mutation(ClientMutations, AssetMutations, JobMutations):
    """Every mutation of the API."""


SUBSCRIPTION: type | None = Subscription
