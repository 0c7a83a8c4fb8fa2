"""Node fields a page settles answer as their resolvers would, without calling them."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from resolvers.plain_fields import PlainFieldsExecutor
from schema.prefetch import node_fields, settle
from tests.support.field_middleware import CountingResolves


@dataclass
class Model:
    id: uuid.UUID
    count: int | None  # None: a value the non-null ``count`` refuses
    fail: bool = False  # reading its stat raises (in the resolver and in the settled answer)


MODELS = [Model(uuid.uuid4(), n) for n in (1, 2, 3)] + [
    Model(uuid.uuid4(), None),
    Model(uuid.uuid4(), 5, fail=True),
]
UNSETTLED_ROW = MODELS[2].id  # the page settles every row but this one
resolved: list[uuid.UUID] = []


@strawberry.type
class Stat:
    count: int

    @strawberry.field
    async def double(self) -> int:
        await asyncio.sleep(0)
        if self.count == 5:
            raise ValueError("five is not doubled")
        return self.count * 2


def stat_of(model: Model) -> Stat:
    if model.fail:
        raise ValueError(f"no stat for {model.count}")
    return Stat(count=model.count)  # type: ignore[arg-type]


class Audited(FieldExtension):
    """Takes part in resolving (as a permission check does): a settled answer must not skip it."""

    seen: list[uuid.UUID] = []

    def resolve(self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        Audited.seen.append(source.model.id)
        return next_(source, info, **kwargs)


@strawberry.type
class Row:
    model: strawberry.Private[Model]

    @strawberry.field
    def stat(self) -> Stat | None:
        resolved.append(self.model.id)
        return stat_of(self.model)

    @strawberry.field(extensions=[Audited()])
    def audited(self) -> Stat | None:
        resolved.append(self.model.id)
        return stat_of(self.model)


@strawberry.type
class Edge:
    node: Row


@strawberry.type
class Page:
    edges: list[Edge]


@strawberry.type
class Query:
    @strawberry.field
    def rows(self, info: strawberry.Info, first: int = 5) -> Page:
        models = MODELS[:first]
        for node, field in node_fields(info):
            if field.name in ("stat", "audited"):
                settled = [m for m in models if m.id != UNSETTLED_ROW]
                settle(
                    info.context.loaders.answers, node, [m.id for m in settled], settled, stat_of
                )
        return Page(edges=[Edge(node=Row(model=m)) for m in models])


def _run(executor: type, query: str, extensions: list[Any] | None = None) -> tuple[Any, Any]:
    resolved.clear()
    schema = strawberry.Schema(
        query=Query, execution_context_class=executor, extensions=extensions or []
    )
    answers: dict[int, Any] = {}
    context = SimpleNamespace(loaders=SimpleNamespace(answers=answers), settled_answers=answers)
    result = asyncio.run(schema.execute(query, context_value=context))
    errors = sorted((e.message, e.path) for e in result.errors or [])
    return result.data, errors


def _general(query: str) -> tuple[Any, Any]:
    answer = _run(StrawberryGraphQLCoreExecutionContext, query)
    assert len(resolved) == query.count("stat") * len(MODELS[:3])  # every node resolved
    return answer


def test_settled_nodes_answer_without_their_resolver() -> None:
    query = "{ rows(first: 3) { edges { node { stat { count double } } } } }"
    answer = _run(PlainFieldsExecutor, query)
    assert resolved == [UNSETTLED_ROW]  # only the row the page left unsettled
    assert answer == _general(query)
    assert answer[0]["rows"]["edges"][0] == {"node": {"stat": {"count": 1, "double": 2}}}


def test_each_place_in_the_document_has_its_own_answers() -> None:
    query = (
        "{ a: rows(first: 2) { edges { node { stat { count } } } }"
        "  b: rows(first: 3) { edges { node { s: stat { count } } } } }"
    )
    answer = _run(PlainFieldsExecutor, query)
    assert resolved == [UNSETTLED_ROW]
    assert [e["node"]["s"]["count"] for e in answer[0]["b"]["edges"]] == [1, 2, 3]
    assert answer == _run(StrawberryGraphQLCoreExecutionContext, query)


def test_settled_answers_fail_where_and_as_the_resolver_does() -> None:
    query = "{ rows { edges { node { stat { count double } } } } }"
    answer = _run(PlainFieldsExecutor, query)
    general = _run(StrawberryGraphQLCoreExecutionContext, query)
    assert answer == general
    stats = [e["node"]["stat"] for e in answer[0]["rows"]["edges"]]
    assert stats == [
        {"count": 1, "double": 2},
        {"count": 2, "double": 4},
        {"count": 3, "double": 6},
        None,  # its count is null: completing the settled value fails
        None,  # the answer raised; the resolver then raised the same
    ]
    assert answer[1] == [
        ("Cannot return null for non-nullable field Stat.count.", ["rows", "edges", 3, "node", "stat", "count"]),
        ("no stat for 5", ["rows", "edges", 4, "node", "stat"]),
    ]  # fmt: skip


def test_an_async_subfield_error_is_located_under_the_settled_field() -> None:
    MODELS.append(Model(uuid.uuid4(), 5))
    try:
        query = "{ rows(first: 6) { edges { node { stat { double } } } } }"
        answer = _run(PlainFieldsExecutor, query)
        assert answer == _run(StrawberryGraphQLCoreExecutionContext, query)
        assert answer[0]["rows"]["edges"][5] == {"node": {"stat": None}}
        assert ("five is not doubled", ["rows", "edges", 5, "node", "stat", "double"]) in answer[1]
    finally:
        MODELS.pop()


def test_field_middleware_sees_every_settled_field() -> None:
    CountingResolves.seen = []
    query = "{ rows(first: 3) { edges { node { stat { count } } } } }"
    answer = _run(PlainFieldsExecutor, query, [CountingResolves])
    assert len(resolved) == 3 and CountingResolves.seen.count("stat") == 3
    assert answer == _run(StrawberryGraphQLCoreExecutionContext, query)


def test_a_field_whose_extension_resolves_is_never_settled() -> None:
    Audited.seen = []
    query = "{ rows(first: 3) { edges { node { audited { count } } } } }"
    answer = _run(PlainFieldsExecutor, query)
    assert Audited.seen == [m.id for m in MODELS[:3]] and len(resolved) == 3
    assert answer == _run(StrawberryGraphQLCoreExecutionContext, query)
