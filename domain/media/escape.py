"""Filtergraph escaping: how a literal value (a path, an expression) survives FFmpeg's two parsers.

A value inside a filter's options is read twice: first the filtergraph parser splits filters
(special: ``\\ ' [ ] , ;``), then the filter's option parser splits ``key=value`` pairs (special:
``\\ ' :``). Backslash-escaping for the inner level, then for the outer level, is exact for any
string, including paths with quotes, colons, commas, brackets and backslashes.
"""

from __future__ import annotations

_OPTION_SPECIAL = frozenset("\\':")
_GRAPH_SPECIAL = frozenset("\\'[],;")


def _backslash(value: str, special: frozenset[str]) -> str:
    out = []
    for char in value:
        if char in special or char.isspace():
            out.append("\\")
        out.append(char)
    return "".join(out)


def escape_option(value: str) -> str:
    """Escape ``value`` for the filter option parser (level 1)."""
    return _backslash(value, _OPTION_SPECIAL)


def escape_graph(text: str) -> str:
    """Escape a filter's argument string for the filtergraph parser (level 2)."""
    return _backslash(text, _GRAPH_SPECIAL)


def filter_value(value: str | float | int) -> str:
    """A literal option value ready to paste into a filtergraph string (both levels)."""
    if isinstance(value, float):
        return fmt(value)
    if isinstance(value, int):
        return str(value)
    return escape_graph(escape_option(value))


def fmt(number: float) -> str:
    """A float written compactly and exactly enough for FFmpeg (no exponent, at most 6 decimals)."""
    text = f"{number:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def filter_(name: str, *positional: str | float | int, **options: str | float | int) -> str:
    """``name=v1:opt1=v1:opt2=v2`` with every value escaped (floats written with :func:`fmt`)."""
    parts = [filter_value(value) for value in positional]
    parts += [f"{key}={filter_value(value)}" for key, value in options.items()]
    return f"{name}={':'.join(parts)}" if parts else name


__all__ = ["escape_graph", "escape_option", "filter_", "filter_value", "fmt"]
