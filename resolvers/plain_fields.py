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
from strawberry.extensions.field_extension import FieldExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from resolvers.schema_state import schema_state
from schema.prefetch import UNSETTLED, SettledAnswers

#: Where a schema keeps its table of plain fields, and which fields may be settled.
_TABLE = "adreel.plain_fields"
_SETTLEABLE = "adreel.settleable_fields"
#: No settled answers (yet): an operation whose loaders do not exist has none.
_NONE: SettledAnswers = {}

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


def settleable(field: GraphQLField) -> bool:
    """Whether a settled answer may stand in for ``field``'s resolver: none of its field
    extensions takes part in resolving (a permission check does; one that only declares or
    reshapes arguments, like the page arguments, does not)."""
    definition = (field.extensions or {}).get("strawberry-definition")
    if not isinstance(definition, StrawberryField):
        return False
    return all(
        type(extension).resolve is FieldExtension.resolve
        and type(extension).resolve_async is FieldExtension.resolve_async
        for extension in definition.extensions
    )


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
    """Strawberry's executor with the direct path for plain scalar fields and for node fields
    a page settled (``schema.prefetch.settle``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        # field middleware (tracing, a schema extension's ``resolve``) sees every call
        self._direct = not (middleware and middleware.middlewares)
        self._plain = plain_fields(self.schema) if self._direct else {}
        self._answers: SettledAnswers | None = None if self._direct else {}

    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        assert isinstance(executor, PlainFieldsExecutor)
        if self._direct:  # each subscription result is an operation of its own
            executor._answers = None
        return executor

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        plain = self._plain.get((parent_type.name, node.name.value))
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
        else:
            answer = self._settled_answers().get(id(node))
            if answer is not None and self._settleable(parent_type, node.name.value):
                try:
                    value = answer(source)
                except Exception:  # the resolver gives the same error, as usual
                    value = UNSETTLED
                if value is not UNSETTLED:
                    return self._complete_settled(
                        parent_type, field_details_list, path, position_context, value
                    )
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _settled_answers(self) -> SettledAnswers:
        """The operation's settled answers: looked up (never created) until its loaders exist,
        then kept."""
        if self._answers is not None:
            return self._answers
        answers = getattr(self.context_value, "settled_answers", None)
        if isinstance(answers, dict):
            self._answers = answers
            return answers
        return _NONE

    def _settleable(self, parent_type: GraphQLObjectType, name: str) -> bool:
        table = schema_state(self.schema, _SETTLEABLE, dict, dict)
        found = table.get((parent_type.name, name))
        if found is None:
            found = table[parent_type.name, name] = settleable(parent_type.fields[name])
        return bool(found)

    def _complete_settled(
        self,
        parent_type: GraphQLObjectType,
        field_details_list: Any,
        path: Any,
        position_context: Any,
        value: Any,
    ) -> Any:
        """What ``execute_field`` does with a resolver's value, for a settled answer."""
        field_def = parent_type.fields[field_details_list[0].node.name.value]
        return_type = field_def.type
        nodes = [details.node for details in field_details_list]
        info = self.build_resolve_info(field_def, nodes, parent_type, path)
        try:
            completed = self.complete_value(
                return_type, field_details_list, info, path, value, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._await_completed(completed, return_type, field_details_list, path)
        return completed

    async def _await_completed(
        self, completed: Any, return_type: Any, field_details_list: Any, path: Any
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None


__all__ = ["PlainFieldsExecutor", "plain_field", "plain_fields"]
