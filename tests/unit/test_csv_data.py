"""CSV data files: typed from their first bytes as text, parsed whole with errors naming the row
and field."""

from __future__ import annotations

import pytest

from domain.assets.csv_data import CSV, parse_csv, sniff_csv
from domain.enums import AssetKind
from domain.errors import DomainError, ErrorCode


def test_text_heads_are_csv_and_binary_ones_are_not() -> None:
    assert sniff_csv(b"product,price\nKettle,$20\n") is CSV
    assert CSV.kind is AssetKind.DATA and CSV.content_type == "text/csv"
    assert sniff_csv("city\nÉvora".encode()[:-4]) is CSV  # a character cut at the end of the head
    for head in (b"\x89PNG\r\n\x1a\n\0\0", b"a,b\n\xff\xfe,c\n", b"   \n"):
        with pytest.raises(DomainError) as caught:
            sniff_csv(head)
        assert caught.value.code is ErrorCode.UNSUPPORTED_MEDIA


def test_rows_keyed_by_the_trimmed_header() -> None:
    data = '\ufeff product , price\r\n"Chair, oak",$90\r\n\r\nLamp,\r\n'.encode()
    assert parse_csv(data, max_rows=5, field=["file"]) == [
        {"product": "Chair, oak", "price": "$90"},
        {"product": "Lamp", "price": ""},
    ]


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        (b"", ErrorCode.INVALID, ["f"]),
        (b"a,,c\n1,2,3\n", ErrorCode.INVALID, ["f", "header"]),
        (b"a,b,a\n1,2,3\n", ErrorCode.INVALID, ["f", "header", "a"]),
        (b"a,b\n1,2\n3\n", ErrorCode.INVALID, ["f", "rows", "1", "b"]),
        (b"a,b\n1,2,3\n", ErrorCode.INVALID, ["f", "rows", "0"]),
        (b"a\n1\n2\n3\n", ErrorCode.LIMIT_EXCEEDED, ["f"]),
        (b"a\n1\n\xe9\n", ErrorCode.UNSUPPORTED_MEDIA, ["f"]),
    ],
)
def test_bad_files_name_the_row_and_field(data: bytes, code: ErrorCode, field: list[str]) -> None:
    with pytest.raises(DomainError) as caught:
        parse_csv(data, max_rows=2, field=["f"])
    assert (caught.value.code, caught.value.field) == (code, field)


def test_a_bad_byte_names_its_line() -> None:
    with pytest.raises(DomainError, match="line 3"):
        parse_csv(b"a\n1\n\xe9\n", max_rows=5, field=["f"])
