"""Documents that expand to billions of fields are refused without expanding them."""

from __future__ import annotations

import pytest

from tests.unit.test_document_limits import doubling


@pytest.mark.timeout(30)
async def test_a_doubling_document_is_refused_promptly(api, settings) -> None:
    r = await api(doubling(30))
    assert r["data"] is None
    message = r["errors"][0]["message"]
    assert (
        message
        == f"{2**30} fields once fragments are expanded. Allowed: {settings.max_expanded_fields}"
    )
    # and the server still answers the next request
    assert (await api("{ viewer { keyName } }"))["data"] == {"viewer": {"keyName": "default"}}


async def test_a_spread_of_an_unknown_fragment_is_a_validation_error(api) -> None:
    r = await api("{ ...Nowhere }")
    assert r["data"] is None
    assert [e["message"] for e in r["errors"]] == ["Unknown fragment 'Nowhere'."]
    assert "KeyError" not in str(r)


async def test_fragments_used_many_times_stay_within_the_limits(api, settings) -> None:
    fragment = "fragment C on Query { clients(first: 1) { totalCount } }"
    spreads = " ".join("...C" for _ in range(20))
    r = await api("{ " + spreads + " } " + fragment)
    assert "errors" not in r and r["data"]["clients"]["totalCount"] == 0
