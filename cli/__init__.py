"""The ``adreel`` command line: one module per command group, ``main`` parses and dispatches."""

from __future__ import annotations

from cli.main import main

__all__ = ["main"]
