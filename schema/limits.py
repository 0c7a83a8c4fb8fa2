"""Document limits (depth, aliases, expanded size) checked at a cost linear in the document.

A fragment can be spread many times and spread other fragments in turn, so a document of a few
hundred bytes can stand for billions of fields once expanded. Every measure here is computed
bottom-up with each fragment measured once (memoised by name), so the cost of the check is the
size of the document as written, never of its expansion. Fragment cycles and unknown fragments
count as empty: graphql's own rules (``NoFragmentCycles``, ``KnownFragmentNames``) refuse them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import AddValidationRules


@dataclass(frozen=True)
class Measure:
    """What a selection set stands for once its fragments are expanded.

    ``levels`` counts nested fields along the deepest path (a leaf field is one level; the
    levels below introspection fields are not counted), ``aliases`` the aliased fields and
    ``fields`` every field, each with the multiplicity the spreads give it.
    """

    levels: int = 0
    aliases: int = 0
    fields: int = 0


_EMPTY = Measure()


@dataclass
class DocumentMeasurer:
    """Measures the operations of one document; each fragment is measured at most once."""

    document: DocumentNode
    #: selection nodes looked at; bounded by the number of selections written in the document
    visits: int = 0
    _fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)
    _memo: dict[str, Measure] = field(default_factory=dict)
    _open: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for definition in self.document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                self._fragments.setdefault(definition.name.value, definition)

    def operations(self) -> list[tuple[str, Measure]]:
        """Each operation's name (``anonymous`` when it has none) and measure."""
        return [
            (d.name.value if d.name else "anonymous", self.selection_set(d.selection_set))
            for d in self.document.definitions
            if isinstance(d, OperationDefinitionNode)
        ]

    def fragment(self, name: str) -> Measure:
        """The measure of a named fragment, computed on first use."""
        known = self._memo.get(name)
        if known is not None:
            return known
        definition = self._fragments.get(name)
        if definition is None or name in self._open:
            return _EMPTY  # unknown or cyclic: refused by graphql's own rules
        self._open.add(name)
        try:
            measure = self.selection_set(definition.selection_set)
        finally:
            self._open.discard(name)
        self._memo[name] = measure
        return measure

    def selection_set(self, selection_set: SelectionSetNode | None) -> Measure:
        """The measure of a selection set (written once, expanded as many times as it is used)."""
        if selection_set is None:
            return _EMPTY
        levels = aliases = fields = 0
        for selection in selection_set.selections:
            self.visits += 1
            if isinstance(selection, FieldNode):
                inner = self.selection_set(selection.selection_set)
                introspection = selection.name.value.startswith("__")
                levels = max(levels, 1 if introspection else 1 + inner.levels)
                aliases += inner.aliases + (1 if selection.alias else 0)
                fields += 1 + inner.fields
                continue
            if isinstance(selection, InlineFragmentNode):
                inner = self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value)
            else:  # pragma: no cover - graphql has no other selection kind
                continue
            levels = max(levels, inner.levels)
            aliases += inner.aliases
            fields += inner.fields
        return Measure(levels, aliases, fields)


@cache  # one class per set of limits: validation results are cached per (document, rules)
def limits_rule(max_depth: int, max_aliases: int, max_fields: int) -> type[ValidationRule]:
    """A validation rule refusing documents deeper than ``max_depth`` fields (below the root
    field), with more than ``max_aliases`` aliases or more than ``max_fields`` fields once
    fragments are expanded (aliases and fields summed over the document's operations)."""

    class DocumentLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            measured = DocumentMeasurer(context.document).operations()
            for name, measure in measured:
                if measure.levels - 1 > max_depth:
                    context.report_error(
                        GraphQLError(f"'{name}' exceeds maximum operation depth of {max_depth}")
                    )
            aliases = sum(measure.aliases for _, measure in measured)
            if aliases > max_aliases:
                context.report_error(
                    GraphQLError(f"{aliases} aliases found. Allowed: {max_aliases}")
                )
            fields = sum(measure.fields for _, measure in measured)
            if fields > max_fields:
                context.report_error(
                    GraphQLError(
                        f"{fields} fields once fragments are expanded. Allowed: {max_fields}"
                    )
                )

    return DocumentLimits


class DocumentLimits(AddValidationRules):
    """The schema extension adding :func:`limits_rule` to validation."""

    def __init__(self, max_depth: int, max_aliases: int, max_fields: int) -> None:
        super().__init__([limits_rule(max_depth, max_aliases, max_fields)])
