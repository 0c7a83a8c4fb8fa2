"""Depth, alias and expanded-size limits cost time linear in the document, not in its expansion."""

from __future__ import annotations

import pytest
from graphql import get_introspection_query, parse, specified_rules, validate
from strawberry.extensions.max_aliases import create_validator as strawberry_aliases
from strawberry.extensions.query_depth_limiter import create_validator as strawberry_depth

from domain.settings import Settings
from schema.app import build_schema
from schema.limits import DocumentMeasurer, limits_rule

SCHEMA = build_schema(Settings(env="test", secret_key="test"))._schema


def doubling(levels: int, leaf: str = "__typename") -> str:
    """``levels`` fragments, each spreading the next twice: 2**levels leaves once expanded."""
    parts = ["query Doubling { ...F0 }"]
    parts += [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    parts.append(f"fragment F{levels} on Query {{ {leaf} }}")
    return "\n".join(parts)


def messages(document: str, *rules: object) -> list[str]:
    """The messages of graphql's own rules and ``rules`` about ``document``."""
    found = validate(SCHEMA, parse(document), [*specified_rules, *rules])  # type: ignore[list-item]
    return [error.message for error in found]


def test_a_doubling_document_is_measured_in_linear_time() -> None:
    document = parse(doubling(30, "a: __typename"))
    measurer = DocumentMeasurer(document)
    [(name, measure)] = measurer.operations()
    assert name == "Doubling"
    assert measure.fields == 2**30 and measure.aliases == 2**30 and measure.levels == 1
    # one visit per selection written: 1 in the operation, 2 per doubling fragment, 1 leaf
    assert measurer.visits == 1 + 2 * 30 + 1


@pytest.mark.timeout(10)
def test_a_doubling_document_is_refused_by_validation() -> None:
    found = messages(doubling(30), limits_rule(12, 30, 5000))
    assert found == [f"{2**30} fields once fragments are expanded. Allowed: 5000"]
    found = messages(doubling(30, "a: __typename"), limits_rule(12, 30, 2**31))
    assert found == [f"{2**30} aliases found. Allowed: 30"]


DOCUMENTS = [
    "{ clients(first: 1) { edges { node { name campaigns(first: 1) { edges { node { id } } } } } } }",
    "query Q { a: viewer { keyName } b: viewer { k: keyName } ...V } fragment V on Query { c: viewer { keyName } }",
    "query A { ...C ...C } query B { x: __typename } fragment C on Query { clients(first: 1) { totalCount t: totalCount } }",
    "{ campaigns(first: 1) { edges { node { client { campaigns(first: 1) { edges { node { client { name } } } } } } } } }",
    "{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }",
    "{ viewer { ... on Viewer { organization { ... on Organization { n: name } } } } }",
    get_introspection_query(descriptions=True, input_value_deprecation=True),
]


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize(("depth", "aliases"), [(1, 0), (2, 1), (3, 2), (5, 3), (12, 30)])
def test_the_limits_keep_their_meaning(document: str, depth: int, aliases: int) -> None:
    """The same refusals as the walkers they replace, with the same messages."""
    old = messages(document, strawberry_depth(depth, None), strawberry_aliases(aliases))
    new = messages(document, limits_rule(depth, aliases, 10_000))
    # the old depth walker reports every path over the limit; the new rule each operation once
    assert sorted(set(new)) == sorted(set(old))


def test_unknown_and_cyclic_fragments_are_left_to_graphql() -> None:
    rule = limits_rule(12, 30, 5000)
    assert messages("{ ...Missing }", rule) == ["Unknown fragment 'Missing'."]
    cyclic = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    assert messages(cyclic, rule) == ["Cannot spread fragment 'A' within itself via 'B'."]
