"""Without ADREEL_SECRET_KEY a random secret is generated in the data directory and kept."""

from __future__ import annotations

import logging
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from domain.security.secret_file import load_or_create_secret
from domain.security.signing import UrlSigner
from domain.settings import Settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_secret_is_generated_once_owner_only_and_reused(tmp_path: Path) -> None:
    settings = Settings(env="development", data_dir=tmp_path / "var")
    assert settings.secret_key == ""  # no public default to sign with
    settings.ensure_dirs()
    secret = settings.secret_key
    assert len(secret) >= 32
    path = tmp_path / "var" / "secret_key"
    assert path.read_text().strip() == secret and _mode(path) == 0o600
    again = Settings(env="development", data_dir=tmp_path / "var")
    again.ensure_dirs()
    assert again.secret_key == secret
    other = Settings(env="development", data_dir=tmp_path / "elsewhere")
    other.ensure_dirs()
    assert other.secret_key != secret


def test_a_secret_that_is_set_is_used_and_nothing_is_written(tmp_path: Path) -> None:
    settings = Settings(env="development", data_dir=tmp_path, secret_key="chosen-" + "x" * 40)
    settings.ensure_dirs()
    assert settings.secret_key == "chosen-" + "x" * 40
    assert not (tmp_path / "secret_key").exists()


def test_processes_starting_together_agree(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    with ThreadPoolExecutor(8) as pool:
        found = set(pool.map(lambda _: load_or_create_secret(path), range(32)))
    assert len(found) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no staging file left


def test_a_readable_or_empty_file_is_handled(tmp_path: Path, caplog) -> None:
    path = tmp_path / "secret_key"
    secret = load_or_create_secret(path)
    path.chmod(0o644)
    caplog.set_level(logging.WARNING)
    assert load_or_create_secret(path) == secret and _mode(path) == 0o600
    assert "owner-only" in caplog.text
    path.write_text("short\n")
    with pytest.raises(ValueError, match="no usable secret"):
        load_or_create_secret(path)


def test_production_still_needs_an_explicit_secret(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ADREEL_SECRET_KEY"):
        Settings(env="production", data_dir=tmp_path)
    with pytest.raises(ValueError, match="secret"):
        UrlSigner(Settings(env="development", data_dir=tmp_path).secret_key)


def test_the_schema_exports_without_a_data_directory(tmp_path: Path, monkeypatch) -> None:
    from cli.export_schema import export_schema_sdl

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ADREEL_SECRET_KEY", raising=False)
    monkeypatch.delenv("ADREEL_DATA_DIR", raising=False)
    assert "type Query" in export_schema_sdl()
    assert list(tmp_path.iterdir()) == []
