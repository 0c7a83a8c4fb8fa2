"""What every log line is about: request id, organization, job and stage (context variables).

The HTTP middleware binds the request id, authentication the organization, and the task
functions the job and stage around each stage; asyncio tasks inherit what was bound when they
were created.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

#: The fields, in the order they are printed.
FIELDS = ("request_id", "organization_id", "job_id", "stage")

_vars: dict[str, ContextVar[str | None]] = {
    name: ContextVar(f"adreel_log_{name}", default=None) for name in FIELDS
}


def bind(**values: object) -> None:
    """Set fields for the rest of this task (``None`` clears one)."""
    for name, value in values.items():
        _vars[name].set(None if value is None else str(value))


@contextlib.contextmanager
def bound(**values: object) -> Iterator[None]:
    """Set fields for the block only."""
    tokens = [(name, _vars[name].set(None if v is None else str(v))) for name, v in values.items()]
    try:
        yield
    finally:
        for name, token in reversed(tokens):
            _vars[name].reset(token)


def current() -> dict[str, str]:
    """The fields bound now (unset ones left out)."""
    return {name: value for name, var in _vars.items() if (value := var.get()) is not None}


def request_id() -> str | None:
    """The request id bound now, if any."""
    return _vars["request_id"].get()


__all__ = ["FIELDS", "bind", "bound", "current", "request_id"]
