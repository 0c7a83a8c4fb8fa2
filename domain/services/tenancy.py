"""Organizations and API keys: creation, revocation and authentication."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import AuthenticationError, Invalid, NotFound
from domain.models import ApiKey, Organization
from domain.models.base import utcnow
from domain.services.unit_of_work import UnitOfWork

KEY_PREFIX = "adr"

#: The bus channel on which a revoked key's ID is announced (every API process closes its sockets).
KEYS_REVOKED_CHANNEL = "adreel:api-keys:revoked"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the organization every query is scoped to, and the key used."""

    organization_id: uuid.UUID
    organization_name: str
    api_key_id: uuid.UUID
    api_key_name: str
    rate_limit_per_minute: int | None = None


@dataclass(frozen=True)
class IssuedKey:
    """A newly created key: the secret is only ever available here."""

    key: str
    api_key: ApiKey
    organization: Organization


def hash_key(key: str) -> str:
    """The stored form of a key. Keys carry 256 random bits, so a plain SHA-256 is sufficient."""
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key() -> tuple[str, str]:
    """A new random key and its short public prefix."""
    prefix = secrets.token_hex(4)
    return f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


async def get_or_create_organization(session: AsyncSession, name: str) -> Organization:
    """The organization called ``name``, created when missing."""
    name = name.strip()
    if not name or len(name) > 200:
        raise Invalid("organization name must be 1 to 200 characters", ["org"])
    org = await session.scalar(select(Organization).where(Organization.name == name))
    if org is None:
        org = Organization(name=name)
        session.add(org)
        await session.flush()
    return org


async def create_api_key(
    session: AsyncSession, org_name: str, key_name: str = "default"
) -> IssuedKey:
    """Create a key (and its organization if needed); the caller commits."""
    org = await get_or_create_organization(session, org_name)
    key, prefix = generate_key()
    api_key = ApiKey(organization_id=org.id, name=key_name, prefix=prefix, key_hash=hash_key(key))
    session.add(api_key)
    await session.flush()
    return IssuedKey(key=key, api_key=api_key, organization=org)


async def revoke_api_key(session: AsyncSession, key_or_prefix: str) -> ApiKey:
    """Revoke a key given either the full key or its public prefix; the caller commits.

    Once committed, the key's ID is published on ``KEYS_REVOKED_CHANNEL`` (when the session's
    unit of work has a bus), so every API process closes the key's open connections at once.
    """
    parts = key_or_prefix.split("_")
    if len(parts) >= 3 and parts[0] == KEY_PREFIX:
        condition = ApiKey.key_hash == hash_key(key_or_prefix)
    else:
        condition = ApiKey.prefix == key_or_prefix
    api_key = await session.scalar(select(ApiKey).where(condition))
    if api_key is None:
        raise NotFound("API key")
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
    await session.flush()
    key_id = str(api_key.id)

    async def announce(uow: UnitOfWork) -> None:
        if uow.bus is not None:
            await uow.bus.publish(KEYS_REVOKED_CHANNEL, key_id)

    UnitOfWork.of(session).after_commit(announce, key=("key-revoked", key_id))
    return api_key


async def authenticate(session: AsyncSession, authorization: str | None) -> Principal:
    """Resolve an ``Authorization: Bearer <key>`` value to a principal, or raise."""
    if not authorization:
        raise AuthenticationError("missing API key: send Authorization: Bearer <key>")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("malformed Authorization header: expected Bearer <key>")
    row = (
        await session.execute(
            select(ApiKey, Organization)
            .join(Organization, Organization.id == ApiKey.organization_id)
            .where(ApiKey.key_hash == hash_key(token.strip()))
        )
    ).first()
    if row is None:
        raise AuthenticationError("invalid API key")
    api_key, org = row
    if api_key.revoked_at is not None:
        raise AuthenticationError("API key revoked")
    return Principal(
        organization_id=org.id,
        organization_name=org.name,
        api_key_id=api_key.id,
        api_key_name=api_key.name,
        rate_limit_per_minute=org.rate_limit_per_minute,
    )


async def active_keys(session: AsyncSession, api_key_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Which of the keys still exist and are not revoked (one statement)."""
    rows = await session.scalars(
        select(ApiKey.id).where(ApiKey.id.in_(api_key_ids), ApiKey.revoked_at.is_(None))
    )
    return set(rows.all())


async def key_is_active(session: AsyncSession, api_key_id: uuid.UUID) -> bool:
    """Whether the key still exists and is not revoked (long-lived connections re-check it)."""
    row = (await session.execute(select(ApiKey.revoked_at).where(ApiKey.id == api_key_id))).first()
    return row is not None and row[0] is None
