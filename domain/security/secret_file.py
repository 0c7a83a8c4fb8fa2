"""The signing secret kept in the data directory when ``ADREEL_SECRET_KEY`` is not set.

Generated at random on first start, written readable by its owner only, and read back by every
later start (and by every process sharing the data directory: server, workers, CLI). Two
processes starting at once agree on one secret: the file appears whole or not at all.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

log = logging.getLogger(__name__)

#: File name of the secret inside the data directory.
SECRET_FILE = "secret_key"
_MIN_LENGTH = 32


def _read(path: Path) -> str:
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path} is not a regular file")
    if mode & 0o077:
        log.warning("%s was readable by others; made owner-only", path)
        path.chmod(0o600)
    secret = path.read_text(encoding="utf-8").strip()
    if len(secret) < _MIN_LENGTH:
        raise ValueError(
            f"{path} holds no usable secret (under {_MIN_LENGTH} characters): "
            "delete it to have a new one generated, or set ADREEL_SECRET_KEY"
        )
    return secret


def load_or_create_secret(path: Path) -> str:
    """The secret stored at ``path``, generated (owner-only, 0600) when the file is missing."""
    if path.exists():
        return _read(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(staging, path)  # atomic, and never replaces a secret already there
            log.info("generated a signing secret in %s (set ADREEL_SECRET_KEY to choose one)", path)
        except FileExistsError:
            pass  # another process got there first: use its secret
    finally:
        staging.unlink(missing_ok=True)
    return _read(path)
