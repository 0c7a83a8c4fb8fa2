"""What every task function receives as its first argument (arq's ``ctx``)."""

from __future__ import annotations

from typing import TypedDict

from domain.bootstrap import Container


class WorkerContext(TypedDict):
    """The process's container; arq adds its own keys (``redis``, ``job_id``, ``job_try`` ...)
    beside it, and the embedded runner passes just this."""

    container: Container


__all__ = ["WorkerContext"]
