"""Keyset pagination over (created_at, id): stable while rows are inserted."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from domain.errors import Invalid
from domain.models.base import Entity

E = TypeVar("E", bound=Entity)

MAX_PAGE = 100
DEFAULT_PAGE = 20
MAX_CURSOR_LENGTH = 200


@dataclass(frozen=True)
class PageRequest:
    """A validated page request: forward (first/after) or backward (last/before)."""

    limit: int
    forward: bool
    cursor: tuple[datetime, uuid.UUID] | None

    @classmethod
    def of(
        cls,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> PageRequest:
        """Validate connection arguments; bad ones raise ``Invalid`` (never a silent cap).

        Pages go forward with ``first``/``after`` or backward with ``last``/``before``; mixing
        the two directions is refused rather than half-honoured.
        """
        if first is not None and last is not None:
            raise Invalid("pass either first or last, not both", ["first"])
        if after is not None and before is not None:
            raise Invalid("pass either after or before, not both", ["after"])
        if first is not None and before is not None:
            raise Invalid("before pages backward: use it with last, not first", ["before"])
        if last is not None and after is not None:
            raise Invalid("after pages forward: use it with first, not last", ["after"])
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 1 <= value <= MAX_PAGE:
                raise Invalid(f"{name} must be between 1 and {MAX_PAGE}", [name])
        if last is not None or before is not None:
            return cls(last or DEFAULT_PAGE, False, decode_cursor(before, "before"))
        return cls(first or DEFAULT_PAGE, True, decode_cursor(after, "after"))


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def encode_cursor(created_at: datetime, id_: uuid.UUID) -> str:
    """An opaque cursor for a row's position: the URL-safe base64 of the compact JSON array
    ``["<ISO time>","<UUID>"]``, unpadded (written directly: neither string ever needs JSON
    escaping, and every page writes one cursor per row)."""
    raw = f'["{created_at.isoformat()}","{id_}"]'.encode()
    return binascii.b2a_base64(raw, newline=False).translate(_URLSAFE).rstrip(b"=").decode()


def decode_cursor(cursor: str | None, field_name: str) -> tuple[datetime, uuid.UUID] | None:
    """The position a cursor stands for; a malformed cursor is ``Invalid``."""
    if cursor is None:
        return None
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("cursor too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(decoded, list) or len(decoded) != 2:
            raise ValueError("not a position")
        stamp, id_ = decoded
        if not isinstance(stamp, str) or not isinstance(id_, str):
            raise ValueError("not a position")
        created_at = datetime.fromisoformat(stamp)
        if created_at.tzinfo is None:
            raise ValueError("cursor time without a zone")
        created_at.astimezone(UTC)  # out of range in UTC: no position of any row
        return created_at, uuid.UUID(id_)
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError) as exc:
        raise Invalid("invalid cursor", [field_name]) from exc


def cursor_of(row: Entity) -> str:
    """The cursor of a loaded row."""
    return encode_cursor(row.created_at, row.id)


@dataclass
class Page(Generic[E]):
    """One page of rows plus what a Relay ``PageInfo`` needs."""

    items: list[E]
    has_next: bool
    has_previous: bool
    total_count: int = 0
    cursors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.cursors:
            self.cursors = [cursor_of(item) for item in self.items]


def _after(model: Any, cursor: tuple[datetime, uuid.UUID], forward: bool) -> ColumnElement[bool]:
    created_at, id_ = cursor
    if forward:
        return or_(
            model.created_at > created_at, and_(model.created_at == created_at, model.id > id_)
        )
    return or_(model.created_at < created_at, and_(model.created_at == created_at, model.id < id_))


def _order(model: Any, forward: bool) -> tuple[Any, Any]:
    if forward:
        return model.created_at.asc(), model.id.asc()
    return model.created_at.desc(), model.id.desc()


def _page(rows: Sequence[E], req: PageRequest, total: int) -> Page[E]:
    more = len(rows) > req.limit
    items = list(rows[: req.limit])
    if not req.forward:
        items.reverse()
    has_cursor = req.cursor is not None
    return Page(
        items=items,
        has_next=more if req.forward else has_cursor,
        has_previous=has_cursor if req.forward else more,
        total_count=total,
    )


async def fetch_page(
    session: AsyncSession, stmt: Select[E], model: type[E], req: PageRequest
) -> Page[E]:
    """Run ``stmt`` (already filtered and tenant-scoped) as one keyset page, plus its total."""
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    paged = stmt
    if req.cursor is not None:
        paged = paged.where(_after(model, req.cursor, req.forward))
    rows = (
        await session.scalars(paged.order_by(*_order(model, req.forward)).limit(req.limit + 1))
    ).all()
    return _page(rows, req, total or 0)


async def fetch_pages_by_parent(
    session: AsyncSession,
    stmt: Select[E],
    model: type[E],
    parent_column: str,
    parent_ids: Sequence[uuid.UUID],
    req: PageRequest,
) -> dict[uuid.UUID, Page[E]]:
    """One keyset page per parent in two statements whatever the number of parents.

    A window function numbers each parent's rows; a grouped count gives each total.
    """
    parent_col = getattr(model, parent_column)
    base = stmt.where(parent_col.in_(parent_ids))
    assert base.whereclause is not None
    count_rows = await session.execute(
        select(parent_col, func.count()).where(base.whereclause).group_by(parent_col)
    )
    counts: dict[uuid.UUID, int] = {pid: n for pid, n in count_rows.all()}
    filtered = base
    if req.cursor is not None:
        filtered = filtered.where(_after(model, req.cursor, req.forward))
    row_number = (
        func.row_number()
        .over(partition_by=parent_col, order_by=_order(model, req.forward))
        .label("rn")
    )
    numbered = filtered.add_columns(row_number).subquery()
    alias = aliased(model, numbered)
    rows = (
        await session.scalars(
            select(alias)
            .where(numbered.c.rn <= req.limit + 1)
            .order_by(numbered.c[parent_column], numbered.c.rn)
        )
    ).all()
    grouped: dict[uuid.UUID, list[E]] = {pid: [] for pid in parent_ids}
    for row in rows:
        grouped[getattr(row, parent_column)].append(row)
    return {pid: _page(grouped[pid], req, counts.get(pid, 0)) for pid in parent_ids}
