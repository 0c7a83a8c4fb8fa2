"""Object types whose plain fields are read from their database row on first use.

A connection of 250 campaigns asked only for ``id`` need not format 250 names, budgets and
dates: ``RowFields.of(row)`` keeps the row, and each field in the type's ``ROW_FIELDS`` is
converted from it when first read (by the executor or by Python code) and then kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self


class RowFields:
    """Mixin for a Strawberry type with a private ``model`` row (see module doc)."""

    #: Field name -> how its value is read from the row.
    ROW_FIELDS: ClassVar[Mapping[str, Callable[[Any], Any]]] = {}

    @classmethod
    def of(cls, row: Any) -> Self:
        """The type over ``row``, no field converted yet."""
        view = cls.__new__(cls)
        view.__dict__["model"] = row
        return view

    def __getattr__(self, name: str) -> Any:
        # only called for attributes not set yet: a row field not read before
        convert = type(self).ROW_FIELDS.get(name)
        row = self.__dict__.get("model")
        if convert is None or row is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        value = convert(row)
        self.__dict__[name] = value
        return value


__all__ = ["RowFields"]
