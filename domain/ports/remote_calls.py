"""The hosted call being made, as its provider adapter sees it: the remote id the ledger holds.

A hosted provider that accepts work (a Replicate prediction, a Veo operation) answers with an
id before the work is done. The adapter reports that id through ``accepted`` as soon as it has
it; the pipeline stores it in the provider-call ledger before any polling. When the process dies
and the call is made again (by another worker), the adapter finds the id in ``known_id`` and
polls that prediction or operation instead of paying for a new one.

The call travels in a context variable, so provider signatures stay what they are; outside a
ledgered call (tests, the CLI) there is none and adapters behave as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class RemoteCall:
    """One ledgered hosted call: the remote id already stored, and how to store a new one."""

    known_id: str | None
    record: Callable[[str], Awaitable[None]]

    async def accepted(self, remote_id: str) -> None:
        """The provider accepted the work under ``remote_id``: store it before polling."""
        if remote_id != self.known_id:
            await self.record(remote_id)
            self.known_id = remote_id

    def forget(self) -> None:
        """The remote work failed or expired: a retry must make a new one."""
        self.known_id = None


_current: ContextVar[RemoteCall | None] = ContextVar("adreel_remote_call", default=None)


def current_remote_call() -> RemoteCall | None:
    """The ledgered call in progress in this task, if any."""
    return _current.get()


@contextmanager
def making_remote_call(call: RemoteCall) -> Iterator[RemoteCall]:
    """Make ``call`` the current one for the code inside the block."""
    token = _current.set(call)
    try:
        yield call
    finally:
        _current.reset(token)


async def report_accepted(remote_id: str) -> None:
    """Store ``remote_id`` for the current call (nothing to do outside a ledgered call)."""
    call = _current.get()
    if call is not None:
        await call.accepted(remote_id)


def forget_remote_call() -> None:
    """The current call's remote work is over (failed or timed out): a retry makes a new one."""
    call = _current.get()
    if call is not None:
        call.forget()


__all__ = [
    "RemoteCall",
    "current_remote_call",
    "forget_remote_call",
    "making_remote_call",
    "report_accepted",
]
