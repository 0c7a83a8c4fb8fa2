"""CSV data files (DATA assets): UTF-8 text with a header row, checked whole.

A file uploaded with the role DATA is typed from its first bytes as text (no NUL byte, valid
UTF-8) instead of as media, then read whole: it must decode as UTF-8, have a header row of
distinct, non-empty field names, give every row exactly one value per header field and hold at
most ``max_rows`` rows. Errors name the row (0-based, after the header) and the field.
"""

from __future__ import annotations

import csv
import io

from domain.assets.sniff import Sniffed, UnsupportedMedia
from domain.enums import AssetKind
from domain.errors import DomainError, ErrorCode, Invalid

CSV = Sniffed(AssetKind.DATA, "text/csv", "csv", "csv")

_BOM = "\ufeff"


def sniff_csv(head: bytes) -> Sniffed:
    """The CSV type when the first bytes are UTF-8 text (a multi-byte character cut at the end
    of ``head`` is allowed); ``UNSUPPORTED_MEDIA`` otherwise."""
    if not head.strip():
        raise UnsupportedMedia("the file is empty")
    if b"\0" in head:
        raise UnsupportedMedia("a DATA asset must be CSV text, not a binary file")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3 or exc.reason != "unexpected end of data":
            raise UnsupportedMedia("a DATA asset must be UTF-8 text") from exc
    return CSV


def _text(data: bytes, field: list[str]) -> str:
    try:
        return data.decode("utf-8").removeprefix(_BOM)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DomainError(
            ErrorCode.UNSUPPORTED_MEDIA, f"line {line} is not UTF-8 text", field
        ) from exc


def _header(reader: csv.DictReader[str], field: list[str]) -> list[str]:
    names = reader.fieldnames
    if not names:
        raise Invalid("the CSV has no header row", field)
    cleaned = [name.strip() for name in names]
    for index, name in enumerate(cleaned):
        if not name:
            raise Invalid(f"header column {index + 1} has no name", [*field, "header"])
        if name in cleaned[:index]:
            raise Invalid(f"the header names {name} twice", [*field, "header", name])
    return cleaned


def parse_csv(data: bytes, *, max_rows: int, field: list[str]) -> list[dict[str, str]]:
    """The rows of a CSV file as ``{header field: value}``; ``Invalid`` (or
    ``UNSUPPORTED_MEDIA`` for bytes that are not UTF-8) naming the row and field, under
    ``field``, for a file that breaks the rules in the module doc."""
    reader = csv.DictReader(io.StringIO(_text(data, field), newline=""), restkey="\0extra")
    try:
        names = _header(reader, field)
        rows: list[dict[str, str]] = []
        for index, raw in enumerate(reader):
            if index >= max_rows:
                raise DomainError(
                    ErrorCode.LIMIT_EXCEEDED, f"the CSV has more than {max_rows} rows", field
                )
            if "\0extra" in raw:
                raise Invalid(
                    f"row {index}: more values than the {len(names)} header fields",
                    [*field, "rows", str(index)],
                )
            values = list(raw.values())
            missing = [n for n, v in zip(names, values, strict=True) if v is None]
            if missing:
                raise Invalid(
                    f"row {index}: no value for {missing[0]}",
                    [*field, "rows", str(index), missing[0]],
                )
            rows.append({n: v or "" for n, v in zip(names, values, strict=True)})
    except csv.Error as exc:
        raise Invalid(f"not valid CSV: {exc}", field) from exc
    return rows


__all__ = ["CSV", "parse_csv", "sniff_csv"]
