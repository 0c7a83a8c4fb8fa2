"""GraphQL operations in the metrics: by name, type and outcome, with latency; and the
subscriptions streaming now (a subscription's operation lasts as long as it streams)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from domain.observability.metrics import metrics, operation_label, outcome_label


def _type(extension: SchemaExtension) -> str:
    try:
        return extension.execution_context.operation_type.value
    except Exception:  # no document (unparsable) or no such operation
        return "unknown"


def _outcome(errors: list[GraphQLError] | None) -> str:
    if not errors:
        return "ok"
    code = (errors[0].extensions or {}).get("code")
    # parse and validation errors carry no code: the request itself was malformed
    return outcome_label(code if code is not None else "BAD_REQUEST")


class OperationMetrics(SchemaExtension):
    """Counts each operation when it ends (listed after ``ErrorPolicy``, which runs its end
    first, so the outcome is the error code the caller sees)."""

    async def on_operation(self) -> AsyncIterator[None]:
        started = time.perf_counter()
        m = metrics()
        self._streaming = False
        try:
            yield
        finally:
            if self._streaming:
                m.subscriptions_active.dec()
            context = self.execution_context
            name = operation_label(context.operation_name)
            kind = _type(self)
            result = context.result
            errors = list(context.pre_execution_errors or []) or (
                list(result.errors) if result is not None and result.errors else []
            )
            m.graphql_operations.labels(name, kind, _outcome(errors)).inc()
            if kind != OperationType.SUBSCRIPTION.value:
                m.graphql_duration.labels(name, kind).observe(time.perf_counter() - started)

    def on_validate(self) -> Iterator[None]:
        """Once parsed, a subscription counts as active until its operation ends."""
        if _type(self) == OperationType.SUBSCRIPTION.value and not self._streaming:
            self._streaming = True
            metrics().subscriptions_active.inc()
        yield


__all__ = ["OperationMetrics"]
