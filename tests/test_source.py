"""Tests of `wuxin_rules.source`: line/column arithmetic, display widths and snippets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wuxin_rules.source import SNIPPET_WIDTH, Source, Span, display_width, render_snippet


def _snippet(text: str, start: int, end: int, **options: object) -> list[str]:
    return render_snippet(Span(Source("t.policy", text), start, end), **options)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# Lines and columns


def test_line_col_counts_from_one() -> None:
    """Offsets map to 1-based lines and columns, the first character of a line is column 1."""
    source = Source("t", "ab\ncd\n")
    assert [source.line_col(i) for i in range(7)] == [
        (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (3, 1),
    ]  # fmt: skip


def test_line_col_clamps_out_of_range_offsets() -> None:
    """Offsets before the start or past the end are clamped, never an IndexError."""
    source = Source("t", "ab\ncd")
    assert source.line_col(-5) == (1, 1)
    assert source.line_col(99) == (2, 3)


def test_columns_count_characters_not_bytes() -> None:
    """A CJK character is one column (the caret width is a separate, display matter)."""
    source = Source("t", "规则 a")
    assert source.line_col(3) == (1, 4)


def test_line_text_strips_the_line_break_and_carriage_return() -> None:
    """`line_text` gives the line without `\\n` or a Windows `\\r`."""
    source = Source("t", "one\r\ntwo\nthree")
    assert [source.line_text(n) for n in (1, 2, 3)] == ["one", "two", "three"]


def test_line_text_out_of_range_is_empty() -> None:
    """Asking for a line that does not exist gives an empty string."""
    source = Source("t", "one")
    assert (source.line_text(0), source.line_text(2)) == ("", "")


def test_offset_of_inverts_line_col() -> None:
    """`offset_of(line_col(o)) == o` for every offset of a text."""
    source = Source("t", "a\nbcd\n\nefg")
    assert all(source.offset_of(*source.line_col(o)) == o for o in range(len(source.text) + 1))


def test_span_properties_and_location() -> None:
    """A span knows its line, column, text and prints `file:line:column`."""
    source = Source("dir/t.policy", "rule a:\n  x + 1")
    span = source.span(10, 15)
    assert (span.line, span.column, span.text) == (2, 3, "x + 1")
    assert span.location() == "dir/t.policy:2:3"


def test_span_to_covers_both() -> None:
    """`a.to(b)` runs from the start of `a` to the end of `b`."""
    source = Source("t", "abcdef")
    assert (
        source.span(1, 2).to(source.span(4, 5)).start,
        source.span(4, 5).to(source.span(1, 2)).end,
    ) == (1, 5)


def test_sources_compare_by_identity() -> None:
    """Two sources with the same text are two different sources."""
    assert Source("t", "x") != Source("t", "x")


def test_end_span_is_empty_at_the_end() -> None:
    """`end_span` is the empty span after the last character."""
    source = Source("t", "abc")
    assert (source.end_span().start, source.end_span().end) == (3, 3)


# ------------------------------------------------------------------------------------------
# Display width


def test_display_width_counts_wide_characters_twice() -> None:
    """ASCII is 1 column, CJK ideographs and full-width forms 2, combining marks 0."""
    assert display_width("abc") == 3
    assert display_width("无毒单位") == 8
    assert display_width("：１Ａ") == 6
    assert display_width("e\u0301") == 1


# ------------------------------------------------------------------------------------------
# Snippets


def test_snippet_puts_the_caret_under_the_span() -> None:
    """The classic three lines: gutter, the source line, carets under the span."""
    assert _snippet("rule a:\n  unit.drug_lab == 0", 15, 23) == [
        "  |",
        "2 |   unit.drug_lab == 0",
        "  |        ^^^^^^^^",
    ]


def test_snippet_carets_follow_display_width() -> None:
    """CJK text before the span shifts the caret two columns per character, and a CJK
    span gets two carets per character."""
    text = 'criterion 无毒 "辖区内" x'
    start = text.index("辖")
    assert _snippet(text, start, start + 3)[2] == "  |                 ^^^^^^"


def test_snippet_gutter_widens_with_the_line_number() -> None:
    """The gutter is as wide as the line number."""
    text = "\n" * 11 + "x"
    assert _snippet(text, 11, 12) == ["   |", "12 | x", "   | ^"]


def test_snippet_empty_span_gets_one_caret() -> None:
    """An empty span (the end of the input, a missing `:`) still shows one caret."""
    assert _snippet("rule a", 6, 6)[2] == "  |       ^"


def test_snippet_multiline_span_underlines_to_the_end_of_the_first_line() -> None:
    """A span over several lines is underlined on its first line only."""
    assert _snippet("ab cd\nef", 3, 8)[1:] == ["1 | ab cd", "  |    ^^"]


def test_snippet_label_follows_the_carets() -> None:
    """A label is written after the carets."""
    assert _snippet("x + y", 4, 5, label="defined here")[2] == "  |     ^ defined here"


def test_snippet_marker_can_be_changed() -> None:
    """Secondary spans use `-` instead of `^`."""
    assert _snippet("x + y", 0, 1, marker="-")[2] == "  | -"


def test_snippet_expands_tabs_so_carets_line_up() -> None:
    """A tab is shown as four spaces, and counted as four columns before the caret."""
    assert _snippet("\tx ]", 3, 4)[1:] == ["1 |     x ]", "  |       ^"]


def test_snippet_hides_control_and_bidi_characters() -> None:
    """Control and format characters (a bidi override could reorder the line) show as `�`."""
    lines = _snippet("a\x07b\u202ec", 4, 5)
    assert lines[1] == "1 | a\ufffdb\ufffdc"
    assert lines[2] == "  |     ^"


def test_snippet_does_not_print_trailing_spaces() -> None:
    """Trailing blanks of the source line are not echoed (golden files stay clean)."""
    assert _snippet("x =   ", 3, 3)[1] == "1 | x ="


def test_long_line_is_windowed_around_the_span() -> None:
    """A 10,000-character line shows a window of about `SNIPPET_WIDTH` columns, cut with
    `…` on both sides, the carets under the spanned text."""
    text = "a" * 5000 + "TARGET" + "b" * 4994
    lines = _snippet(text, 5000, 5006)
    shown = lines[1][len("1 | ") :]
    assert shown.startswith("…") and shown.endswith("…")
    assert display_width(shown) <= SNIPPET_WIDTH
    caret_at = lines[2].index("^") - len("  | ")
    assert shown[caret_at : caret_at + 6] == "TARGET"
    assert lines[2].endswith("^^^^^^")


def test_long_line_error_at_the_end_keeps_context_on_the_left() -> None:
    """An error at the end of a long line shows the end of the line with no trailing `…`."""
    text = "x" * 500 + " ]"
    lines = _snippet(text, 501, 502)
    shown = lines[1][len("1 | ") :]
    assert shown.startswith("…") and shown.endswith(" ]")
    assert display_width(shown) > SNIPPET_WIDTH - 5
    assert lines[2].index("^") - len("  | ") == len(shown) - 1


def test_long_line_error_at_the_start_has_no_leading_ellipsis() -> None:
    """An error near the start of a long line shows the start with no leading `…`."""
    lines = _snippet("ab" + "c" * 500, 0, 2)
    assert lines[1].startswith("1 | abc") and lines[1].endswith("…")
    assert lines[2] == "  | ^^"


def test_long_cjk_line_is_windowed_by_display_width() -> None:
    """A line of wide characters is cut by columns, not characters, carets aligned."""
    text = "甲" * 300 + "乙" + "甲" * 300
    lines = _snippet(text, 300, 301)
    shown = lines[1][len("1 | ") :]
    assert display_width(shown) <= SNIPPET_WIDTH
    pad = lines[2].index("^") - len("  | ")
    assert display_width(shown[: shown.index("乙")]) == pad
    assert lines[2].endswith("^^")


def test_window_width_can_be_chosen() -> None:
    """`width` sets the window: a narrow terminal gets a narrow snippet."""
    lines = _snippet("y" * 100 + "z" + "y" * 100, 100, 101, width=20)
    assert display_width(lines[1][len("1 | ") :]) <= 20
    assert "z" in lines[1]


_CHARS = st.sampled_from(
    list('abc xyz_:.,()[]{}+-*/=<>"') + list("无毒单位，：（）％１Ａ") + ["\t"]
)


@given(
    left=st.text(_CHARS, max_size=300),
    right=st.text(_CHARS, max_size=300),
    width=st.integers(min_value=10, max_value=200),
)
def test_carets_always_stand_under_the_span(left: str, right: str, width: int) -> None:
    """Whatever the line (CJK, tabs, any length) the first caret is under the span's first
    character, and the shown line fits the window."""
    text = left + "¤" + right
    lines = _snippet(text, len(left), len(left) + 1, width=width)
    shown = lines[1][len("1 | ") :]
    pad = lines[2].index("^") - len("  | ")
    assert "¤" in shown
    assert display_width(shown[: shown.index("¤")]) == pad
    assert display_width(shown) <= max(width, display_width(text.replace("\t", "    ")))


def test_plain_line_windows_like_any_other_line() -> None:
    """A printable ASCII line is windowed by arithmetic, not cell by cell: the same snippet as
    the general path gives for the same line with one letter made non-ASCII (`é`, one column
    wide, which sends it down the general path), for windows cut on either side or not at
    all, spans before, across and past the end of the line, and empty spans."""
    for length in (0, 1, 5, 19, 20, 21, 40, 65, 130):
        text = "".join("abcdefghij"[i % 10] for i in range(length))
        for start in range(0, length + 2, 3):
            for end in (start, start + 1, start + 7, length + 3):
                for width in (20, SNIPPET_WIDTH):
                    plain = _snippet(
                        text + "\n", min(start, length), min(end, length + 1), width=width
                    )
                    for marked in {0, length // 2, max(0, length - 1)}:
                        if marked >= length:
                            continue
                        other = text[:marked] + "é" + text[marked + 1 :]
                        general = _snippet(
                            other + "\n", min(start, length), min(end, length + 1), width=width
                        )
                        assert [line.replace("é", text[marked]) for line in general] == plain


def test_line_starts_of_long_and_empty_texts() -> None:
    """Lines and columns for an empty text, a final line break, CRLF and a long single line."""
    assert Source("t", "").line_col(0) == (1, 1)
    assert Source("t", "a\n").line_col(2) == (2, 1)
    crlf = Source("t", "ab\r\ncd\r\n\r\nef")
    assert [crlf.line_col(i) for i in (0, 3, 4, 8, 10, 12)] == [
        (1, 1), (1, 4), (2, 1), (3, 1), (4, 1), (4, 3),
    ]  # fmt: skip
    assert crlf.line_text(2) == "cd" and crlf.line_text(4) == "ef"
    long = Source("t", "x" * 100_000 + "\ny")
    assert long.line_col(100_001) == (2, 1) and long.line_col(99_999) == (1, 100_000)


def test_snippet_end_column_agrees_with_line_col() -> None:
    """The snippet finds a span's end on the start's line without searching the lines again:
    for every span of small texts (several lines, CRLF, a final line break, an empty last
    line, ends before the start and past the text) the carets run from the start's column to
    the end's (`line_col`), or to the end of the line when the end is on another line; and
    giving the start's `line_col` as `at` changes nothing."""
    for text in ("", "ab", "ab\ncd", "ab\r\ncd\r\n", "a\n\nbc\n", "x\ny\n\n"):
        source = Source("t", text)
        for start in range(-1, len(text) + 2):
            for end in range(-1, len(text) + 3):
                span = Span(source, start, end)
                lines = render_snippet(span, width=200)
                line, column = source.line_col(start)
                end_line, end_column = source.line_col(end)
                shown = source.line_text(line)
                if end_line != line:
                    end_column = len(shown) + 1
                first = column - 1
                stop = max(first, min(end_column - 1, len(shown)))
                pad = " " * min(first, len(shown))
                carets = "^" * max(1, min(stop, len(shown)) - first)
                assert lines[2] == f"{' ' * len(str(line))} | {pad}{carets}"
                assert render_snippet(span, width=200, at=(line, column)) == lines
