"""The root types, composed from each area's query and mutation classes."""

from __future__ import annotations

import strawberry

from resolvers.assets import AssetMutations, AssetQueries
from resolvers.batches import BatchMutations
from resolvers.bundles import BundleMutations
from resolvers.clients import ClientMutations, ClientQueries
from resolvers.footage import FootageMutations
from resolvers.jobs import JobMutations, JobQueries
from resolvers.node import NodeQueries
from resolvers.subscriptions import Subscription
from resolvers.voices import VoiceQueries
from resolvers.webhooks import WebhookMutations, WebhookQueries


@strawberry.type
class Query(NodeQueries, ClientQueries, AssetQueries, JobQueries, WebhookQueries, VoiceQueries):
    """Every query of the API."""


@strawberry.type
class Mutation(
    ClientMutations,
    AssetMutations,
    JobMutations,
    WebhookMutations,
    FootageMutations,
    BatchMutations,
    BundleMutations,
):
    """Every mutation of the API."""


SUBSCRIPTION: type | None = Subscription
