"""Resolve plain scalar fields without the general field machinery.

Most fields of a large result are plain: no resolver (Strawberry reads an attribute), no
arguments, a scalar or enum type (``id``, ``name``, ``jobCount``). For each, graphql-core builds
a resolve info, calls Strawberry's resolver wrapper, which calls the field's default resolver,
checks the result for an awaitable, and walks ``complete_value`` to the leaf's coercion: about
ten Python calls to read one attribute. ``PlainFieldsExecutor`` reads the attribute and coerces
it directly. Anything unusual (a missing value on a non-null field, an awaitable, an error, a
value the type refuses, field middleware such as tracing) takes the general path, which gives
the same answer or error it always did.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from resolvers.schema_state import schema_state

#: Where a schema keeps its table of plain fields.
_TABLE = "adreel.plain_fields"

#: (read the value from a source, coerce it, is the field non-null) by (type name, field name).
PlainField = tuple[Callable[[Any], Any], Callable[[Any], Any], bool]


def plain_field(field: GraphQLField) -> PlainField | None:
    """How to resolve ``field`` directly, or None when it needs the general path."""
    # Strawberry marks ``_is_default`` the resolver it gives a field with no resolver of its own
    if field.args or not getattr(field.resolve, "_is_default", False):
        return None
    definition = (field.extensions or {}).get("strawberry-definition")
    if not isinstance(definition, StrawberryField):
        return None
    non_null = isinstance(field.type, GraphQLNonNull)
    leaf = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    if not is_leaf_type(leaf):
        return None
    name, default = definition.python_name, definition.default_resolver
    read: Callable[[Any], Any] = (
        attrgetter(name) if default is getattr else (lambda source: default(source, name))
    )
    leaf_type: GraphQLLeafType = leaf
    return read, leaf_type.coerce_output_value, non_null


def plain_fields(schema: GraphQLSchema) -> dict[tuple[str, str], PlainField]:
    """The plain fields of ``schema``, found once and kept on the schema object."""

    def find() -> dict[tuple[str, str], PlainField]:
        table: dict[tuple[str, str], PlainField] = {}
        for type_ in schema.type_map.values():
            if isinstance(type_, GraphQLObjectType):
                for field_name, field in type_.fields.items():
                    plain = plain_field(field)
                    if plain is not None:
                        table[type_.name, field_name] = plain
        return table

    return schema_state(schema, _TABLE, dict, find)


class PlainFieldsExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor with the direct path for plain scalar fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        self._plain = {} if middleware and middleware.middlewares else plain_fields(self.schema)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        plain = self._plain.get((parent_type.name, field_details_list[0].node.name.value))
        if plain is not None:
            read, coerce, non_null = plain
            try:
                value = read(source)
                if value is None:
                    if not non_null:
                        return None
                elif not isinstance(value, Exception) and not self.is_awaitable(value):
                    coerced = coerce(value)
                    if coerced is not None and coerced is not Undefined:
                        return coerced
            except Exception:  # noqa: S110 - the general path reports it
                pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


__all__ = ["PlainFieldsExecutor", "plain_field", "plain_fields"]
