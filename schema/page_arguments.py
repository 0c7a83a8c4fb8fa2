"""The Relay page arguments of a connection field, declared once for every connection.

``paged_field`` gives a field the arguments ``first``, ``after``, ``last`` and ``before`` (in
that order, before the resolver's own) and hands its resolver one validated ``page``
(``PageRequest``) instead; a bad combination raises ``Invalid`` as ``PageRequest.of`` does.
The resolver may be sync or async: the arguments are reshaped when Strawberry converts them,
outside the resolve chain.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions.field_extension import FieldExtension
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.field import StrawberryField
from strawberry.types.nodes import SelectedField

from domain.services.pagination import PageRequest

#: The resolver's parameter that receives the page.
PAGE_PARAMETER = "page"

_ARGUMENTS = (("first", int), ("after", str), ("last", int), ("before", str))


def _argument(name: str, kind: type) -> StrawberryArgument:
    return StrawberryArgument(
        python_name=name,
        graphql_name=name,  # already GraphQL's: no name conversion on every call
        type_annotation=StrawberryAnnotation(kind | None),
        default=None,
    )


def page_request(arguments: dict[str, Any]) -> PageRequest:
    """The page that a field's page arguments ask for (``Invalid`` when they conflict)."""
    return PageRequest.of(*(arguments.get(name) for name, _ in _ARGUMENTS))


def selected_page(field: SelectedField) -> PageRequest:
    """The page a selected connection field asks for. Its arguments come as Strawberry reads
    them from the document: variables coerced, literals as their source text (an ``Int``
    literal already validated as one)."""
    arguments = field.arguments
    return page_request(
        {
            name: int(arguments[name])
            if kind is int and isinstance(arguments.get(name), str)
            else arguments.get(name)
            for name, kind in _ARGUMENTS
        }
    )


class PageArguments(FieldExtension):
    """Declares the page arguments and turns them into the resolver's ``page``."""

    def apply(self, field: StrawberryField) -> None:
        own = [a for a in field.arguments if a.python_name != PAGE_PARAMETER]
        field.arguments = [*(_argument(n, k) for n, k in _ARGUMENTS), *own]

    def map_arguments(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        page = page_request(kwargs)
        own = {k: v for k, v in kwargs.items() if k not in _NAMES}
        return {PAGE_PARAMETER: page, **own}


_NAMES = frozenset(name for name, _ in _ARGUMENTS)


def paged_field(*, description: str | None = None, graphql_type: Any = None) -> Any:
    """A connection field whose resolver takes ``page: PageRequest`` (see module doc);
    ``graphql_type`` names the connection when the resolver's annotation cannot."""
    return strawberry.field(
        description=description, graphql_type=graphql_type, extensions=[PageArguments()]
    )


__all__ = ["PageArguments", "paged_field", "selected_page"]
