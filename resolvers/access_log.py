"""Keys and signatures never reach the access log.

Uvicorn's access log records each request's path with its query string. A GraphiQL link with
``?headers={"Authorization": "Bearer adr_..."}``, a key passed as ``?token=`` by mistake, or a
signed ``/files`` link (a capability until it expires) would be written there in full. A filter
on the access logger replaces the values of such parameters, and any API key found elsewhere in
the path, with ``[REDACTED]``.
"""

from __future__ import annotations

import logging
import re

#: Query parameters whose values are credentials or capabilities (names compared case-blind).
SENSITIVE_PARAMETERS = (
    "headers",
    "authorization",
    "api_key",
    "apikey",
    "key",
    "token",
    "access_token",
    "secret",
    "password",
    "sig",
    "signature",
    "nonce",
)
REDACTED = "[REDACTED]"

_PARAMETER = re.compile(
    r"(?P<lead>(?:^|[?&;])(?:" + "|".join(SENSITIVE_PARAMETERS) + r")=)[^&;#]*", re.IGNORECASE
)
#: An API key (``adr_<prefix>_<secret>``; its characters need no percent-encoding) anywhere.
_API_KEY = re.compile(r"adr_[0-9a-f]{8}_[A-Za-z0-9_\-]+")

ACCESS_LOGGER = "uvicorn.access"


def redact(path: str) -> str:
    """``path`` (with its query string) without credential values."""
    path, _, query = path.partition("?")
    path = _API_KEY.sub(REDACTED, path)
    if not query:
        return path
    query = _PARAMETER.sub(lambda m: m.group("lead") + REDACTED, query)
    return f"{path}?{_API_KEY.sub(REDACTED, query)}"


class RedactCredentials(logging.Filter):
    """Rewrites the path argument of uvicorn's access records (client, method, path, ...)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact(args[2]), *args[3:])
        return True


def redact_access_log(logger_name: str = ACCESS_LOGGER) -> None:
    """Install the filter on the access logger (once, however often it is called)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactCredentials) for f in logger.filters):
        logger.addFilter(RedactCredentials())
