"""The Relay page arguments of a connection field, declared once for every connection.

``paged_field`` gives a field the arguments ``first``, ``after``, ``last`` and ``before`` (in
that order, before the resolver's own) and hands its resolver one validated ``page``
(``PageRequest``) instead; a bad combination raises ``Invalid`` as ``PageRequest.of`` does.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions.field_extension import AsyncExtensionResolver, FieldExtension
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.field import StrawberryField

from domain.services.pagination import PageRequest

#: The resolver's parameter that receives the page.
PAGE_PARAMETER = "page"

_ARGUMENTS = (("first", int), ("after", str), ("last", int), ("before", str))


def _argument(name: str, kind: type) -> StrawberryArgument:
    return StrawberryArgument(
        python_name=name,
        graphql_name=None,
        type_annotation=StrawberryAnnotation(kind | None),
        default=None,
    )


class PageArguments(FieldExtension):
    """Declares the page arguments and turns them into the resolver's ``page``."""

    def apply(self, field: StrawberryField) -> None:
        own = [a for a in field.arguments if a.python_name != PAGE_PARAMETER]
        field.arguments = [*(_argument(n, k) for n, k in _ARGUMENTS), *own]

    async def resolve_async(
        self,
        next_: AsyncExtensionResolver,
        source: Any,
        info: strawberry.Info,
        **kwargs: Any,
    ) -> Any:
        page = PageRequest.of(*(kwargs.pop(name, None) for name, _ in _ARGUMENTS))
        return await next_(source, info, **{PAGE_PARAMETER: page}, **kwargs)


def paged_field(*, description: str | None = None) -> Any:
    """A connection field whose async resolver takes ``page: PageRequest`` (see module doc)."""
    return strawberry.field(description=description, extensions=[PageArguments()])


__all__ = ["PageArguments", "paged_field"]
