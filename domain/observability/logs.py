"""Logging set-up: JSON lines in production, readable lines in development.

``ADREEL_LOG_FORMAT`` chooses (``json``, ``text``, or ``auto``: JSON when
``ADREEL_ENV=production``). Every record carries the context fields of
:mod:`domain.observability.log_context` bound where it was logged.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from domain.observability import log_context
from domain.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(context)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


class ContextFilter(logging.Filter):
    """Copies the bound context fields onto each record (and a printable ``context``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = log_context.current()
        for name in log_context.FIELDS:
            setattr(record, name, fields.get(name))
        text = " ".join(f"{k}={v}" for k, v in fields.items())
        record.context = f" [{text}]" if text else ""
        return True


class AdreelJsonFormatter(JsonFormatter):
    """One JSON object per line; the context fields appear only when known."""

    def process_log_record(self, log_data: dict[str, object]) -> dict[str, object]:
        log_data.pop("context", None)
        for name in log_context.FIELDS:
            if log_data.get(name) is None:
                log_data.pop(name, None)
        return log_data


def json_wanted(settings: Settings) -> bool:
    """Whether these settings ask for JSON logs."""
    if settings.log_format == "auto":
        return settings.is_production
    return settings.log_format == "json"


def handler(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """A handler writing to ``stream`` (stderr) in the format the settings ask for."""
    out = logging.StreamHandler(stream or sys.stderr)
    if json_wanted(settings):
        out.setFormatter(
            AdreelJsonFormatter(
                JSON_FIELDS,
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                static_fields={"service": "adreel"},
            )
        )
    else:
        out.setFormatter(logging.Formatter(TEXT_FORMAT))
    out.addFilter(ContextFilter())
    return out


def configure(settings: Settings, level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """Route every logger (uvicorn's and arq's too) to one root handler in the chosen format."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(settings, stream))
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "arq"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


__all__ = ["ContextFilter", "configure", "handler", "json_wanted"]
