"""State kept on a schema is made once per schema and found again by every caller."""

from __future__ import annotations

from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema, GraphQLString

from resolvers.schema_state import schema_state


def _schema() -> GraphQLSchema:
    return GraphQLSchema(GraphQLObjectType("Query", {"hello": GraphQLField(GraphQLString)}))


def test_state_is_made_once_per_schema() -> None:
    made: list[list[int]] = []

    def make() -> list[int]:
        made.append([])
        return made[-1]

    one, other = _schema(), _schema()
    first = schema_state(one, "test.state", list, make)
    assert schema_state(one, "test.state", list, make) is first
    assert schema_state(other, "test.state", list, make) is not first
    assert len(made) == 2


def test_a_value_of_another_kind_under_the_key_is_replaced() -> None:
    schema = _schema()
    schema.extensions["test.state"] = "left by something else"
    state = schema_state(schema, "test.state", dict, dict)
    assert state == {} and schema.extensions["test.state"] is state
