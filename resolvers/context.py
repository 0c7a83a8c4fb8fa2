"""The typed per-request (per-connection on WebSockets) context."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from domain.bootstrap import Container
from domain.errors import AuthenticationError
from domain.observability import log_context
from domain.services.tenancy import Principal

if TYPE_CHECKING:
    from resolvers.loaders import Loaders
    from schema.prefetch import SettledAnswers


@dataclass
class _OperationState:
    """The session and loaders of one operation (or of one subscription result)."""

    owner: Context
    session: AsyncSession | None = None
    loaders: Loaders | None = None


#: The running operation's state. On a WebSocket one ``Context`` serves every operation of the
#: connection, concurrently; each operation runs in its own task, so a context variable keeps
#: their sessions and loaders apart.
_operation: ContextVar[_OperationState | None] = ContextVar("adreel_operation", default=None)


@dataclass
class Context:
    """What every resolver gets: the container, the caller, a lazy session and the loaders."""

    request: Request | WebSocket
    response: Response | WebSocket | None
    container: Container
    principal: Principal | None = None
    # the id the HTTP middleware bound for this request (logs and X-Request-Id agree)
    request_id: str = field(
        default_factory=lambda: log_context.request_id() or uuid.uuid4().hex[:16]
    )
    connection_params: dict[str, Any] | None = None
    retry_after: float | None = None
    auth_error: str | None = None
    _session: AsyncSession | None = None
    _loaders: Loaders | None = None

    def _state(self) -> _OperationState | None:
        state = _operation.get()
        return state if state is not None and state.owner is self else None

    @property
    def session(self) -> AsyncSession:
        """The operation's database session, opened on first use, closed after the operation."""
        state = self._state()
        if state is not None:
            if state.session is None:
                state.session = self.container.session_factory()
            return state.session
        if self._session is None:
            self._session = self.container.session_factory()
        return self._session

    @property
    def loaders(self) -> Loaders:
        """The operation's DataLoaders (a fresh set per operation: no stale cache across WS ops)."""
        from resolvers.loaders import Loaders

        state = self._state()
        if state is not None:
            if state.loaders is None:
                state.loaders = Loaders(self)
            return state.loaders
        if self._loaders is None:
            self._loaders = Loaders(self)
        return self._loaders

    @property
    def settled_answers(self) -> SettledAnswers | None:
        """The current operation's settled node-field answers (``schema.prefetch``), or None
        while it has no loaders; never creates them."""
        state = self._state()
        loaders = state.loaders if state is not None else self._loaders
        return loaders.answers if loaders is not None else None

    async def begin_operation(self) -> None:
        """Give the current operation (task) its own session and loaders, closing earlier ones.

        Called when an operation starts, and by a subscription before each result so nested
        fields are read fresh (never from the previous result's cache).
        """
        state = self._state()
        _operation.set(_OperationState(self))
        if state is not None:
            await _close(state.session, state.loaders)

    @property
    def base_url(self) -> str:
        """This server's external base URL (no trailing slash) for the links it hands out:
        ``ADREEL_PUBLIC_URL`` when set, else the request's own scheme, host and port."""
        configured = self.container.settings.public_url
        if configured:
            return configured.rstrip("/")
        return request_base_url(self.request)

    @property
    def org_id(self) -> uuid.UUID:
        """The caller's organization; every query is scoped to it."""
        if self.principal is None:
            raise AuthenticationError("authentication required")
        return self.principal.organization_id

    def answer_unavailable(self) -> None:
        """An outage stopped the operation: answer HTTP 503 with ``Retry-After``."""
        if isinstance(self.response, Response):
            self.response.status_code = 503
            seconds = self.container.settings.outage_retry_after_seconds
            self.response.headers["Retry-After"] = str(seconds)

    async def end_operation(self) -> None:
        """Close the session and forget cached loads."""
        state = self._state()
        if state is not None:
            _operation.set(None)
            await _close(state.session, state.loaders)
        else:
            session, loaders, self._session, self._loaders = (
                self._session, self._loaders, None, None
            )  # fmt: skip
            await _close(session, loaders)


async def _close(session: AsyncSession | None, loaders: Loaders | None) -> None:
    if loaders is not None:
        loaders.release()
    if session is not None:
        await session.close()


def request_base_url(request: Request | WebSocket) -> str:
    """``scheme://host[:port][root_path]`` the client addressed (``ws`` read as ``http``)."""
    url = request.base_url
    scheme = {"ws": "http", "wss": "https"}.get(url.scheme, url.scheme)
    return str(url.replace(scheme=scheme)).rstrip("/")


def context_of(info: strawberry.Info[Any, Any]) -> Context:
    """The typed context of a resolver call."""
    ctx = info.context
    assert isinstance(ctx, Context)
    return ctx
