"""Where an asyncio task is waiting: every coroutine of its await chain, for logs."""

from __future__ import annotations

import asyncio
from typing import Any


def await_chain(task: asyncio.Task[Any]) -> str:
    """The task's await chain, outermost coroutine first, one ``file:line in name`` a line."""
    lines = []
    awaited: Any = task.get_coro()
    while awaited is not None:
        frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "ag_frame", None)
        if frame is None:
            frame = getattr(awaited, "gi_frame", None)
        if frame is not None:
            code = frame.f_code
            lines.append(f"  {code.co_filename}:{frame.f_lineno} in {code.co_name}\n")
        awaited = (
            getattr(awaited, "cr_await", None)
            or getattr(awaited, "ag_await", None)
            or getattr(awaited, "gi_yieldfrom", None)
        )
    return "".join(lines) or f"  {task!r}\n"


__all__ = ["await_chain"]
