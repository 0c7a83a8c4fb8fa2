"""The ``adreel`` console script: migrate, keys create / revoke, export-schema (real subprocesses)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from cli.export_schema import export_schema_sdl
from domain.adapters.db import create_engine
from domain.services.tenancy import authenticate
from tests.conftest import PG_ADMIN_URL, create_pg_database, drop_pg_database, require_service

ADREEL = Path(sys.executable).parent / "adreel"
KEY = re.compile(r"^adr_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$")


def adreel(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(ADREEL), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def fresh_db(request, tmp_path):
    """An empty database (no migrations applied yet) and the environment pointing at it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADREEL_")}
    env["ADREEL_DATA_DIR"] = str(tmp_path / "var")
    env["ADREEL_ENV"] = "test"
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'adreel.sqlite3'}"
        yield env, url  # the default: a SQLite file inside the data directory
        return
    require_service("PostgreSQL", PG_ADMIN_URL)
    url = await create_pg_database()
    env["ADREEL_DATABASE_URL"] = url
    try:
        yield env, url
    finally:
        await drop_pg_database(url)


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def _auth(url: str, key: str):
    engine = create_engine(url)
    try:
        from domain.adapters.db import create_session_factory

        async with create_session_factory(engine)() as session:
            return await authenticate(session, f"Bearer {key}")
    finally:
        await engine.dispose()


def test_console_script_is_installed() -> None:
    assert ADREEL.exists(), "pip install -e . creates the adreel command"
    result = subprocess.run([str(ADREEL), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("serve", "migrate", "keys", "export-schema"):
        assert command in result.stdout


async def test_migrate_then_keys(fresh_db) -> None:
    from domain.errors import AuthenticationError

    env, url = fresh_db
    result = adreel("migrate", env=env)
    assert result.stdout.strip() == "database is up to date"
    assert {"organizations", "api_keys", "clients", "campaigns"} <= await _tables(url)
    assert adreel("migrate", env=env).returncode == 0  # idempotent

    created = adreel("keys", "create", "--org", "Acme Agency", env=env)
    key = created.stdout.strip().splitlines()[-1]
    assert KEY.match(key), created.stdout
    principal = await _auth(url, key)
    assert principal.organization_name == "Acme Agency"

    # the organization is reused; every key is new
    again = adreel("keys", "create", "--org", "Acme Agency", "--name", "ci", env=env)
    second = again.stdout.strip().splitlines()[-1]
    assert second != key
    other = await _auth(url, second)
    assert other.organization_id == principal.organization_id and other.api_key_name == "ci"

    # revoke by public prefix, and by the full key
    prefix = key.split("_")[1]
    revoked = adreel("keys", "revoke", prefix, env=env)
    assert prefix in revoked.stdout
    with pytest.raises(AuthenticationError, match="revoked"):
        await _auth(url, key)
    adreel("keys", "revoke", second, env=env)
    with pytest.raises(AuthenticationError, match="revoked"):
        await _auth(url, second)

    missing = adreel("keys", "revoke", "deadbeef", env=env, check=False)
    assert missing.returncode == 1 and "not found" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad = adreel("keys", "create", "--org", "   ", env=env, check=False)
    assert bad.returncode == 1 and "organization name" in bad.stderr


def test_export_schema(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADREEL_")}
    env["ADREEL_ENV"] = "production"  # the exported SDL does not depend on the environment
    env["ADREEL_SECRET_KEY"] = "irrelevant-here"
    result = adreel("export-schema", env=env)
    assert result.stdout == export_schema_sdl()
    target = tmp_path / "schema.graphql"
    adreel("export-schema", "-o", str(target), env=env)
    assert target.read_text() == export_schema_sdl()


def test_seed_is_refused_in_production(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADREEL_")}
    env.update(ADREEL_ENV="production", ADREEL_SECRET_KEY="s", ADREEL_DATA_DIR=str(tmp_path))
    result = adreel("serve", "--seed", env=env, check=False)
    assert result.returncode == 2 and "--seed" in result.stderr
