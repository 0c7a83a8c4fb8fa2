"""The executable schema, with its limits."""

from __future__ import annotations

from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from domain.errors import AuthenticationError, DomainError
from domain.settings import Settings
from schema.limits import DocumentLimits

#: Distinct documents whose parse and validation results are kept.
PARSE_CACHE_SIZE = 256


class AdreelSchema(strawberry.Schema):
    """Logs only unexpected errors: expected ones (user input, missing key, rate limit,
    malformed requests) are answered to the caller and would only be noise in the logs."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        unexpected = [
            error
            for error in errors
            if error.original_error is not None
            and not isinstance(
                error.original_error, DomainError | AuthenticationError | GraphQLError
            )
        ]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema; limits come from settings, introspection is off in production."""
    from domain.observability import tracing
    from resolvers import root
    from resolvers.extensions import AccessControl, ErrorPolicy, OperationScope
    from resolvers.operation_metrics import OperationMetrics
    from resolvers.shared_results import SharedEventExecutor
    from schema.types.assets import Asset
    from schema.types.clients import Campaign, Client

    settings = settings or Settings()
    extensions: list[Any] = [
        # documents are parsed and validated once per distinct text (bounded LRUs); the cached
        # validation runs before AccessControl, whose refusal of the caller overrides it
        partial(ParserCache, maxsize=PARSE_CACHE_SIZE),
        partial(ValidationCache, maxsize=PARSE_CACHE_SIZE),
        OperationScope,
        ErrorPolicy,
        OperationMetrics,  # after ErrorPolicy: it sees the codes the caller sees
        AccessControl,
        partial(
            DocumentLimits,
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_aliases,
            max_fields=settings.max_expanded_fields,
        ),
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
    ]
    if settings.is_production:
        extensions.append(DisableIntrospection)
    if tracing.enabled(settings):
        from strawberry.extensions.tracing import OpenTelemetryExtension

        extensions.insert(0, OpenTelemetryExtension)
    return AdreelSchema(
        query=root.Query,
        mutation=root.Mutation,
        subscription=root.SUBSCRIPTION,
        types=[Client, Campaign, Asset],
        extensions=extensions,
        execution_context_class=SharedEventExecutor,
        config=StrawberryConfig(auto_camel_case=True),
    )
