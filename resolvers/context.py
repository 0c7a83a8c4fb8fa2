"""The typed per-request (per-connection on WebSockets) context."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from domain.bootstrap import Container
from domain.errors import AuthenticationError
from domain.services.tenancy import Principal

if TYPE_CHECKING:
    from resolvers.loaders import Loaders


@dataclass
class Context:
    """What every resolver gets: the container, the caller, a lazy session and the loaders."""

    request: Request | WebSocket
    response: Response | WebSocket | None
    container: Container
    principal: Principal | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    connection_params: dict[str, Any] | None = None
    retry_after: float | None = None
    auth_error: str | None = None
    _session: AsyncSession | None = None
    _loaders: Loaders | None = None

    @property
    def session(self) -> AsyncSession:
        """The operation's database session, opened on first use, closed after the operation."""
        if self._session is None:
            self._session = self.container.session_factory()
        return self._session

    @property
    def loaders(self) -> Loaders:
        """The operation's DataLoaders (a fresh set per operation: no stale cache across WS ops)."""
        if self._loaders is None:
            from resolvers.loaders import Loaders

            self._loaders = Loaders(self)
        return self._loaders

    @property
    def org_id(self) -> uuid.UUID:
        """The caller's organization; every query is scoped to it."""
        if self.principal is None:
            raise AuthenticationError("authentication required")
        return self.principal.organization_id

    async def end_operation(self) -> None:
        """Close the session and forget cached loads."""
        session, self._session, self._loaders = self._session, None, None
        if session is not None:
            await session.close()


def context_of(info: strawberry.Info[Any, Any]) -> Context:
    """The typed context of a resolver call."""
    ctx = info.context
    assert isinstance(ctx, Context)
    return ctx
