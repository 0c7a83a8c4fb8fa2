"""Merge fields in template texts: ``{{product}}``, ``{{ price }}``, ``{{city}}``...

A field name is a letter followed by letters, digits or underscores (at most 40). Filling a text
replaces every field by the row's value for it; a field the row does not give is an error naming
the field, so no text is ever made with a hole in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

FIELD = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]{0,39})\s*\}\}")


def fields_in(texts: Iterable[str]) -> list[str]:
    """The merge fields used in ``texts``, in order of first use, each once."""
    seen: dict[str, None] = {}
    for text in texts:
        for match in FIELD.finditer(text):
            seen.setdefault(match.group(1), None)
    return list(seen)


def missing_fields(text: str, values: Mapping[str, str]) -> list[str]:
    """The fields of ``text`` that ``values`` does not fill (empty values count as missing)."""
    return [name for name in fields_in([text]) if not values.get(name, "").strip()]


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each field replaced by its value (call ``missing_fields`` first)."""
    return FIELD.sub(lambda m: values[m.group(1)].strip(), text)


__all__ = ["FIELD", "fields_in", "fill", "missing_fields"]
