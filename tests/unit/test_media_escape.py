"""Filtergraph escaping: values survive both FFmpeg parsers exactly."""

from __future__ import annotations

from domain.media.escape import escape_graph, escape_option, filter_, filter_value, fmt


def test_option_level_escapes_backslash_quote_colon() -> None:
    assert escape_option("C:\\path") == "C\\:\\\\path"
    assert escape_option("it's") == "it\\'s"


def test_graph_level_escapes_separators() -> None:
    assert escape_graph("a,b;c[d]e") == "a\\,b\\;c\\[d\\]e"


def test_filter_value_applies_both_levels() -> None:
    assert filter_value("/tmp/it's: [x], y; z\\w") == r"/tmp/it\\\'s\\:\\\ \[x\]\,\\\ y\;\\\ z\\\\w"
    assert filter_value("between(t,1,2)") == "between(t\\,1\\,2)"
    assert filter_value(3) == "3"
    assert filter_value(0.5) == "0.5"


def test_fmt_is_compact_and_never_exponential() -> None:
    assert fmt(2.0) == "2"
    assert fmt(4.2666666667) == "4.266667"
    assert fmt(1e-9) == "0"
    assert fmt(-0.0000001) == "0"
    assert fmt(12345.5) == "12345.5"


def test_filter_builds_name_and_escaped_options() -> None:
    assert (
        filter_("drawtext", textfile="/a:b.txt", fontsize=12)
        == "drawtext=textfile=/a\\\\:b.txt:fontsize=12"
    )
    assert filter_("null") == "null"
