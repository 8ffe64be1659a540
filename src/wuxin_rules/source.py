"""Source texts and the spans that point into them.

Owns `Source` (a named text), `Span` (a range of it), line/column arithmetic, display widths
(East-Asian wide characters take two terminal columns) and the snippet-with-caret rendering
every diagnostic uses, and the one way a policy text is read from bytes (`decode_policy`,
`read_policy`). Imports nothing from the package: it is the bottom layer.
"""

from __future__ import annotations

import bisect
import os
import unicodedata
from functools import cached_property
from itertools import accumulate

import attrs

__all__ = [
    "Source",
    "Span",
    "decode_policy",
    "display_width",
    "read_policy",
    "render_snippet",
]


def decode_policy(data: bytes) -> str:
    """The text of a policy file's bytes: UTF-8, a leading byte-order mark dropped, line
    breaks kept as written (a raw carriage return inside a text stays one character).

    Every command reads policy files through this (or `read_policy`), so `check`, `eval`,
    `fmt` and the analyses see the same characters at the same offsets; Python's text mode
    would turn a lone `\\r` into a line break and split a text in two. Raises
    `UnicodeDecodeError` for bytes that are not UTF-8.
    """
    text = data.decode("utf-8")
    # Some editors start UTF-8 files with a byte-order mark: it is not part of the policy.
    return text[1:] if text.startswith("\ufeff") else text


def read_policy(path: str | os.PathLike[str]) -> str:
    """The text of the policy file at `path` (see `decode_policy`); raises `OSError` or
    `UnicodeDecodeError`."""
    with open(path, "rb") as handle:
        return decode_policy(handle.read())


@attrs.frozen(eq=False, slots=False)
class Source:
    """A text with the name it is reported under (a file path, `<string>` or `<stdin>`).

    Sources compare by identity: two files with the same text are still two sources.
    """

    name: str
    text: str = attrs.field(repr=False)

    @cached_property
    def _line_starts(self) -> list[int]:
        # Summed line lengths rather than a loop over every character: a policy may be
        # megabytes long on one line.
        lines = self.text.split("\n")
        lines.pop()
        return list(accumulate((len(line) + 1 for line in lines), initial=0))

    def line_col(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column (in characters) of a 0-based character offset."""
        offset = max(0, min(offset, len(self.text)))
        line_index = bisect.bisect_right(self._line_starts, offset) - 1
        return line_index + 1, offset - self._line_starts[line_index] + 1

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        starts = self._line_starts
        if line < 1 or line > len(starts):
            return ""
        start = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    def offset_of(self, line: int, column: int) -> int:
        """The 0-based offset of a 1-based line and column (clamped to the text)."""
        starts = self._line_starts
        line = max(1, min(line, len(starts)))
        return min(starts[line - 1] + max(column, 1) - 1, len(self.text))

    def span(self, start: int, end: int) -> Span:
        """A span of this source from `start` to `end` (character offsets, end exclusive)."""
        return Span(self, start, end)

    def end_span(self) -> Span:
        """An empty span at the end of the text (for "unexpected end of input")."""
        return Span(self, len(self.text), len(self.text))


@attrs.frozen(eq=False)
class Span:
    """A range of characters in a `Source`: `start` inclusive, `end` exclusive.

    Spans never take part in the equality of the nodes that carry them.
    """

    source: Source = attrs.field(repr=False)
    start: int
    end: int

    @property
    def line(self) -> int:
        """1-based line of the start."""
        return self.source.line_col(self.start)[0]

    @property
    def column(self) -> int:
        """1-based column (in characters) of the start."""
        return self.source.line_col(self.start)[1]

    @property
    def text(self) -> str:
        """The source text the span covers."""
        return self.source.text[self.start : self.end]

    def location(self) -> str:
        """`file:line:column`, as compilers print it."""
        line, column = self.source.line_col(self.start)
        return f"{self.source.name}:{line}:{column}"

    def to(self, other: Span) -> Span:
        """The span from the start of this one to the end of `other`."""
        return Span(self.source, min(self.start, other.start), max(self.end, other.end))


def display_width(text: str) -> int:
    """Terminal columns `text` takes: wide and full-width characters count two."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


SNIPPET_WIDTH = 120
"""Widest source line (in terminal columns) a snippet shows whole; a longer one (minified
JSON, a generated policy) is shown as a window of about this width around the span."""

_TAB = "    "


def _cell(char: str) -> tuple[str, int]:
    """How one character of a source line is shown in a snippet, and its width in columns.

    Tabs become four spaces and invisible or control characters become `�`, so that what the
    terminal shows lines up with the carets (and a bidirectional override cannot reorder it).
    """
    if char == "\t":
        return _TAB, len(_TAB)
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
        return "\ufffd", 1
    return char, display_width(char)


def _window(widths: list[int], start: int, limit: int) -> tuple[int, int]:
    """The cells `[low, high)` to show so that cell `start` is visible within `limit` columns.

    The span's start is put about a third of the way in; when the line ends early, the spare
    room goes to the left, so that an error at the end of a long line keeps its context.
    """
    if sum(widths) <= limit:
        return 0, len(widths)
    budget = limit - 2  # one column for each `…`
    low, used = start, 0
    while low > 0 and used + widths[low - 1] <= budget // 3:
        low -= 1
        used += widths[low]
    high = start
    while high < len(widths) and used + widths[high] <= budget:
        used += widths[high]
        high += 1
    while low > 0 and used + widths[low - 1] <= budget:
        low -= 1
        used += widths[low]
    return low, high


def _plain_window(length: int, start: int, limit: int) -> tuple[int, int]:
    """`_window` for a line whose cells are all one column wide, without a list of widths:
    the same arithmetic in closed form (a long line would otherwise cost a list per snippet)."""
    if length <= limit:
        return 0, length
    budget = limit - 2
    low = max(0, start - budget // 3)
    high = min(length, start + budget - (start - low))
    low = max(0, low - (budget - (high - low)))
    return low, high


def render_snippet(
    span: Span,
    marker: str = "^",
    label: str = "",
    width: int = SNIPPET_WIDTH,
    *,
    at: tuple[int, int] | None = None,
) -> list[str]:
    """The lines that show a span under its source line, compiler style.

    ```
       |
    12 |   order.totl == 0
       |         ^^^^ label
    ```
    A span over several lines is underlined on its first line, to the end of that line. An
    empty span gets one caret. Carets follow display width (a CJK character takes two
    columns). A line wider than `width` columns is shown as a window around the span, cut
    with `…` on the sides that were left out, the carets still under the spanned text.
    `at` is the span's `line_col` when the caller has it already (thousands of warnings each
    print their location above their snippet).
    """
    source = span.source
    line, column = at if at is not None else source.line_col(span.start)
    whole = source.text
    # The start's line is found from the start's column, without a search of the lines
    # (`line` may be numbered from a later line of a stream, so it does not index this
    # text's own lines), and so is the end on that line (most spans).
    line_start = max(0, min(span.start, len(whole))) - (column - 1)
    line_end = whole.find("\n", line_start)
    text = whole[line_start : len(whole) if line_end < 0 else line_end].rstrip("\r")
    end = max(0, min(span.end, len(whole)))
    if line_start <= end <= line_start + len(text):
        end_column = end - line_start + 1
    else:
        end_column = len(text) + 1  # on a later line: underlined to the end of this one
    first, stop = column - 1, max(column - 1, min(end_column - 1, len(text)))
    size = len(text)
    if size <= width and text.isascii() and text.isprintable():
        # Most lines: one column per character, and the whole line fits.
        shown = text
        pad = " " * min(first, size)
        carets = marker * max(1, stop - first)
    elif text.isascii() and text.isprintable():
        low, high = _plain_window(size, min(first, size), width)
        lead = "…" if low > 0 else ""
        trail = "…" if high < size else ""
        shown = lead + text[low:high] + trail
        pad = " " * (len(lead) + max(0, min(first, size) - low))
        carets = marker * max(1, min(stop, high) - first)
    else:
        cells = [_cell(char) for char in text]
        widths = [cell_width for _, cell_width in cells]
        low, high = _window(widths, min(first, len(cells)), width)
        lead = "…" if low > 0 else ""
        trail = "…" if high < len(cells) else ""
        shown = lead + "".join(shown_text for shown_text, _ in cells[low:high]) + trail
        pad = " " * (len(lead) + sum(widths[low:first]))
        carets = marker * max(1, sum(widths[first : min(stop, high)]))
    gutter = " " * len(str(line))
    tail = f" {label}" if label else ""
    return [
        f"{gutter} |",
        f"{line} | {shown}".rstrip(),
        f"{gutter} | {pad}{carets}{tail}",
    ]
