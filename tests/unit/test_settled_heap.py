"""While the app serves, startup objects are frozen and young collections are rarer; after, not."""

from __future__ import annotations

import gc

from server import GC_THRESHOLD0, settled_heap


def _collector_sees(obj: object) -> bool:
    return any(o is obj for o in gc.get_objects())


def test_the_heap_is_frozen_while_serving_and_released_after() -> None:
    before = gc.get_threshold()
    startup_object = {"schema": [1, 2, 3]}
    with settled_heap():
        assert not _collector_sees(startup_object)
        assert gc.get_threshold() == (GC_THRESHOLD0, *before[1:])
        served = {"request": [4, 5, 6]}
        assert _collector_sees(served)
    assert _collector_sees(startup_object)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
