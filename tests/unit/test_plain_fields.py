"""Plain scalar fields resolved directly give the general path's answers and errors."""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from resolvers.plain_fields import PlainFieldsExecutor, plain_fields
from tests.support.field_middleware import CountingResolves


@strawberry.enum
class Tone(enum.Enum):
    CALM = "calm"
    BOLD = "bold"


@strawberry.type
class Scene:
    title: str
    seconds: int
    note: str | None
    tone: Tone
    broken: int  # holds a value Int refuses
    missing: str  # the attribute is deleted: reading it raises

    @strawberry.field
    def shout(self) -> str:
        return self.title.upper()

    @strawberry.field
    def padded(self, width: int = 3) -> str:
        return self.title.ljust(width, ".")


def _scene(**overrides: Any) -> Scene:
    values: dict[str, Any] = {
        "title": "open", "seconds": 4, "note": None, "tone": Tone.BOLD, "broken": 1,
        "missing": "x",
    }  # fmt: skip
    values.update(overrides)
    return Scene(**values)


@strawberry.type
class Query:
    @strawberry.field
    def scenes(self, faulty: bool = False) -> list[Scene]:
        broken = _scene(title="bad", broken="not a number")  # type: ignore[arg-type]
        gone = _scene(title="gone")
        del gone.missing
        empty = _scene(title="empty", seconds=None)
        fine = [_scene(), _scene(title="close", note="end")]
        return [*fine, broken, gone, empty] if faulty else fine


def _schema(executor: type, extensions: list[Any] | None = None) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query, execution_context_class=executor, extensions=extensions or []
    )


def _run(schema: strawberry.Schema, query: str) -> tuple[Any, list[tuple[str, Any]]]:
    result = schema.execute_sync(query)
    errors = sorted((e.message, e.path) for e in result.errors or [])
    return result.data, errors


def test_only_plain_scalar_fields_take_the_direct_path() -> None:
    table = plain_fields(_schema(PlainFieldsExecutor)._schema)
    assert set(table) == {
        ("Scene", name) for name in ("title", "seconds", "note", "tone", "broken", "missing")
    }


def test_the_direct_path_answers_and_fails_as_the_general_one() -> None:
    for field, index, message in (
        ("broken", 2, "Int cannot represent non-integer value: 'not a number'"),
        ("missing", 3, "'Scene' object has no attribute 'missing'"),
        ("seconds", 4, "Cannot return null for non-nullable field Scene.seconds."),
    ):
        query = f"{{ scenes(faulty: true) {{ title {field} }} }}"
        direct = _run(_schema(PlainFieldsExecutor), query)
        assert direct == _run(_schema(StrawberryGraphQLCoreExecutionContext), query)
        assert direct == (None, [(message, ["scenes", index, field])])

    query = "{ scenes { title seconds note tone shout padded(width: 6) } }"
    direct = _run(_schema(PlainFieldsExecutor), query)
    assert direct == _run(_schema(StrawberryGraphQLCoreExecutionContext), query)
    assert direct[1] == []
    assert direct[0]["scenes"] == [
        {"title": "open", "seconds": 4, "note": None, "tone": "BOLD", "shout": "OPEN",
         "padded": "open.."},
        {"title": "close", "seconds": 4, "note": "end", "tone": "BOLD", "shout": "CLOSE",
         "padded": "close."},
    ]  # fmt: skip


def test_field_middleware_sees_every_field() -> None:
    CountingResolves.seen = []
    schema = _schema(PlainFieldsExecutor, [CountingResolves])
    assert _run(schema, "{ scenes { title tone } }")[1] == []
    assert CountingResolves.seen.count("title") == 2 and CountingResolves.seen.count("tone") == 2


class _CountingInfos(PlainFieldsExecutor):
    built: list[str] = []

    def build_resolve_info(self, field_def: Any, field_nodes: Any, *args: Any) -> Any:
        _CountingInfos.built.append(field_nodes[0].name.value)
        return super().build_resolve_info(field_def, field_nodes, *args)


def test_plain_fields_skip_the_resolve_info() -> None:
    _CountingInfos.built = []
    assert _run(_schema(_CountingInfos), "{ scenes { title seconds tone shout } }")[1] == []
    assert sorted(set(_CountingInfos.built)) == ["scenes", "shout"]
