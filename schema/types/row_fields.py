"""Object types whose plain fields are read from their database row on first use.

A connection of 250 campaigns asked only for ``id`` need not format 250 names, budgets and
dates: ``RowFields.of(row)`` keeps the row, and each field in the type's ``ROW_FIELDS`` is
converted from it when first read (by the executor or by Python code) and then kept.

Each row field is a non-data descriptor on the class, installed when the first view is made
(after Strawberry has built the type from its annotations): the first read converts and stores
the value in the instance, which then shadows the descriptor. Other names are looked up as
usual, so the attributes Strawberry probes for on every object it completes (a cast type, a
type definition) miss at C speed instead of raising from a ``__getattr__``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self


class _RowField:
    """One row field of a view class: converted from the view's row on first read."""

    __slots__ = ("convert", "name")

    def __init__(self, name: str, convert: Callable[[Any], Any]) -> None:
        self.name = name
        self.convert = convert

    def __get__(self, view: Any, owner: type | None = None) -> Any:
        if view is None:
            return self
        value = self.convert(view.__dict__["model"])
        view.__dict__[self.name] = value
        return value


#: The view classes whose row fields are installed.
_INSTALLED: set[type] = set()


class RowFields:
    """Mixin for a Strawberry type with a private ``model`` row (see module doc)."""

    #: Field name -> how its value is read from the row.
    ROW_FIELDS: ClassVar[Mapping[str, Callable[[Any], Any]]] = {}

    @classmethod
    def of(cls, row: Any) -> Self:
        """The type over ``row``, no field converted yet."""
        if cls not in _INSTALLED:
            for name, convert in cls.ROW_FIELDS.items():
                setattr(cls, name, _RowField(name, convert))
            _INSTALLED.add(cls)
        view = cls.__new__(cls)
        view.__dict__["model"] = row
        return view


__all__ = ["RowFields"]
