"""Writing a policy in the one canonical layout (`wuxin fmt`).

Owns the layout rules of `.policy` files and a small pretty-printer in the manner of Wadler's
"prettier printer" (groups that are laid out flat when they fit in `WIDTH` columns and broken
over lines when they do not), measuring text by display width, so that Chinese labels take
the two columns they take on screen and on paper. The layout is a function of the AST and
the comments, with two exceptions that keep what the author meant: a list or record literal
the author wrote over several lines stays broken, with the items the author put on one line
kept together (when they fit), and a line break the author put before `else`, `and` or
`or` is kept.

The formatter checks itself: it parses what it wrote and refuses to return it when the AST or
the comments differ from the input's (`InternalError`, code `format-changed-policy`).

Syntax layer: may import `source`, `errors`, `ast` and `parser`.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from wuxin_rules import ast, zones
from wuxin_rules.errors import Diagnostic, InternalError
from wuxin_rules.messages import english
from wuxin_rules.parser import parse_with_comments
from wuxin_rules.source import Span, display_width
from wuxin_rules.visitor import Visitor, visits

__all__ = ["WIDTH", "format_module", "format_text"]

WIDTH = 100
"""Widest line the formatter aims for, in display columns (a CJK character counts two). A
label or a text longer than a line is never cut: such a line is left long."""

_INDENT = 2
_MAX_BLANK_LINES = 2
_TABLE_CELL_WIDTH = WIDTH // 2
"""Widest `field: value` a table of records holds; a wider one breaks its record instead."""
_BLANK = " \t\r\f\u3000\ufeff"


def format_text(text: str, name: str = "<string>") -> str:
    """`text` (a whole `.policy` file) in the canonical layout.

    Raises `PolicySyntaxError` when the text does not parse, and `InternalError` when the
    formatted text would not parse to the same AST with the same comments (a formatter bug:
    nothing should be written then).
    """
    module, comments = parse_with_comments(text, name)
    formatted = format_module(module, comments)
    _check_same(module, comments, formatted, name)
    return formatted


def format_module(module: ast.Module, comments: Sequence[Span] = ()) -> str:
    """The canonical text of a parsed module, with `comments` (spans into its source) kept
    where they were. Unchecked: `format_text` is the safe entry point."""
    return _Formatter(module, comments).module()


def _check_same(module: ast.Module, comments: Sequence[Span], formatted: str, name: str) -> None:
    """Parse `formatted` again: the AST and the comments must be those of the input."""
    try:
        again, again_comments = parse_with_comments(formatted, name)
    except Exception as error:  # any failure here is the formatter's fault
        message = english("format-changed-parse", error=type(error).__name__, name=name)
        raise _changed(message) from None
    if not _same_tree(again, module):
        where = _first_difference(module, again)
        raise _changed(english("format-changed-meaning", where=where, name=name))
    if [_comment_text(c) for c in comments] != [_comment_text(c) for c in again_comments]:
        raise _changed(english("format-changed-comments", name=name))


def _same_tree(left: Any, right: Any) -> bool:
    """AST equality (spans excluded, as in `ast`), without recursion: types and lists nest
    as deep as the author wrote them, deeper than Python's stack."""
    stack = [(left, right)]
    while stack:
        a, b = stack.pop()
        if isinstance(a, tuple):
            if not isinstance(b, tuple) or len(a) != len(b):
                return False
            stack.extend(zip(a, b, strict=True))
        elif attrs.has(type(a)):
            if type(a) is not type(b):
                return False
            for field in attrs.fields(type(a)):
                if field.eq:
                    stack.append((getattr(a, field.name), getattr(b, field.name)))
        elif a != b:
            return False
    return True


def _first_difference(module: ast.Module, again: ast.Module) -> str:
    if not _same_tree(module.header, again.header):
        return english("the header")
    for before, after in zip(module.declarations, again.declarations, strict=False):
        if not _same_tree(before, after):
            line = before.span.line if hasattr(before, "span") else 0
            return english("declaration-on-line", line=line)
    return english("the list of declarations")


def _changed(message: str) -> InternalError:
    return InternalError(
        Diagnostic(
            "format-changed-policy",
            message,
            help=english("format-changed-policy.help"),
        )
    )


def _comment_text(span: Span) -> str:
    return span.text.rstrip()


# ------------------------------------------------------------------------------------------
# Layout documents and their printer
#
# A document is a `str` (text without line breaks), a `list` (concatenation) or one of the
# nodes below. `_LINE` is a space when its group is flat and a line break when it is broken,
# `_SOFT` nothing or a line break, `_HARD` always a line break (and breaks every group around
# it). A `_Suffix` (a comment at the end of a line) is held back until the next line break.


class _Line:
    __slots__ = ("flat",)

    def __init__(self, flat: str) -> None:
        self.flat = flat


_LINE = _Line(" ")
_SOFT = _Line("")
_HARD = _Line("\n")


class _BreakParent:
    __slots__ = ()


_BREAK_PARENT = _BreakParent()


@attrs.define(slots=True)
class _Nest:
    indent: int
    doc: Any


@attrs.define(slots=True)
class _Group:
    doc: Any
    hard: bool = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.hard = _contains_hard(self.doc)


@attrs.define(slots=True)
class _Fill:
    """Items separated by lines, each line broken only when the next item does not fit."""

    items: list[Any]  # content, separator, content, …
    hard: bool = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.hard = _contains_hard(self.items)


@attrs.define(slots=True)
class _IfBreak:
    broken: Any
    flat: Any


@attrs.define(slots=True)
class _Suffix:
    text: str


class _Comment(str):
    """A comment on a line of its own (no comment held back may join its line)."""

    __slots__ = ()


def _contains_hard(doc: Any) -> bool:
    stack = [doc]
    while stack:
        item = stack.pop()
        if item is _HARD or item is _BREAK_PARENT:
            return True
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, _Nest):
            stack.append(item.doc)
        elif isinstance(item, _Group | _Fill):
            if item.hard:
                return True
        elif isinstance(item, _IfBreak):
            stack.append(item.broken)
            stack.append(item.flat)
    return False


_FLAT, _BREAK = 0, 1


def _flat_width(doc: Any) -> int | None:
    """Columns `doc` takes laid out flat, or None when it cannot be flat."""
    width = 0
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            width += display_width(item)
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, _Line):
            if item is _HARD:
                return None
            width += len(item.flat)
        elif item is _BREAK_PARENT:
            return None
        elif isinstance(item, _Nest):
            stack.append(item.doc)
        elif isinstance(item, _Group):
            if item.hard:
                return None
            stack.append(item.doc)
        elif isinstance(item, _Fill):
            if item.hard:
                return None
            stack.extend(reversed(item.items))
        elif isinstance(item, _IfBreak):
            stack.append(item.flat)
    return width


def _fits(next_: tuple[int, int, Any], rest: list[tuple[int, int, Any]], width: int) -> bool:
    """Whether `next_` and what follows it, up to the next line break, fit in `width`."""
    commands = [next_]
    rest_index = len(rest)
    while width >= 0:
        if not commands:
            if rest_index == 0:
                return True
            rest_index -= 1
            commands.append(rest[rest_index])
            continue
        indent, mode, doc = commands.pop()
        if isinstance(doc, str):
            width -= display_width(doc)
        elif isinstance(doc, list):
            commands.extend((indent, mode, item) for item in reversed(doc))
        elif isinstance(doc, _Line):
            if mode == _BREAK or doc is _HARD:
                return True
            width -= len(doc.flat)
        elif isinstance(doc, _Nest):
            commands.append((indent + doc.indent, mode, doc.doc))
        elif isinstance(doc, _Group):
            commands.append((indent, _BREAK if doc.hard else mode, doc.doc))
        elif isinstance(doc, _Fill):
            commands.extend(
                (indent, _BREAK if doc.hard else mode, item) for item in reversed(doc.items)
            )
        elif isinstance(doc, _IfBreak):
            commands.append((indent, mode, doc.broken if mode == _BREAK else doc.flat))
    return False


def _render(doc: Any, width: int = WIDTH) -> str:
    out: list[str] = []
    column = 0
    suffixes: list[str] = []
    commented = False  # the current line ends with a comment already
    stack: list[tuple[int, int, Any]] = [(0, _BREAK, doc)]
    while stack:
        indent, mode, item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            column += display_width(item)
            commented = commented or isinstance(item, _Comment)
        elif isinstance(item, list):
            stack.extend((indent, mode, part) for part in reversed(item))
        elif isinstance(item, _Nest):
            stack.append((indent + item.indent, mode, item.doc))
        elif isinstance(item, _Group):
            flat = not item.hard and (
                mode == _FLAT or _fits((indent, _FLAT, item.doc), stack, width - column)
            )
            stack.append((indent, _FLAT if flat else _BREAK, item.doc))
        elif isinstance(item, _Fill):
            stack.extend(_fill_commands(item, indent, mode, width - column))
        elif isinstance(item, _IfBreak):
            stack.append((indent, mode, item.broken if mode == _BREAK else item.flat))
        elif isinstance(item, _Suffix):
            suffixes.append(item.text)
        elif isinstance(item, _Line):
            if mode == _FLAT and item is not _HARD:
                out.append(item.flat)
                column += len(item.flat)
            else:
                _end_line(out, suffixes, indent, commented)
                out.append("\n" + " " * indent)
                column, commented = indent, False
    _end_line(out, suffixes, 0, commented)
    return "\n".join(line.rstrip() for line in "".join(out).split("\n"))


def _end_line(out: list[str], suffixes: list[str], indent: int, commented: bool) -> None:
    """End the current line with the comment held for it; a second comment held for the same
    line, or one for a line that is a comment, gets a line of its own (two comments cannot
    share a line: the first would swallow the second)."""
    if suffixes and out:
        out[-1] = out[-1].rstrip(" ")
    for index, comment in enumerate(suffixes):
        own_line = index > 0 or commented
        out.append(("\n" + " " * indent if own_line else "  ") + comment)
    suffixes.clear()


def _fill_commands(fill: _Fill, indent: int, mode: int, width: int) -> list[tuple[int, int, Any]]:
    """The commands of a fill, each separator broken only where the next item would not fit.
    Widths are measured from the fill's start, which is enough for the short fills used here
    (citations, table rows)."""
    if mode == _FLAT and not fill.hard:
        return [(indent, _FLAT, item) for item in reversed(fill.items)]
    commands: list[tuple[int, int, Any]] = []
    used = 0
    items = fill.items
    for index, item in enumerate(items):
        if index % 2 == 0:
            item_width = _flat_width(item)
            commands.append((indent, _FLAT if item_width is not None else _BREAK, item))
            used += item_width if item_width is not None else width
        else:
            following = _flat_width(items[index + 1]) if index + 1 < len(items) else 0
            separator_width = _flat_width(item) or 0
            if following is not None and used + separator_width + following <= width:
                commands.append((indent, _FLAT, item))
                used += separator_width
            else:
                commands.append((indent, _BREAK, item))
                used = 0
                width = WIDTH - indent
    return list(reversed(commands))


# ------------------------------------------------------------------------------------------
# Precedence: the language's one table (ast.Precedence), a higher level binds tighter.

_IF_LEVEL, _OR, _AND, _NOT, _COMPARE, _COALESCE, _ADD, _MUL, _UNARY, _POWER, _POSTFIX, _ATOM = (
    ast.Precedence
)
_level = ast.precedence


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def _quote(value: str) -> str:
    return '"' + "".join(_ESCAPES.get(char, char) for char in value) + '"'


def _worded(text: ast.Text) -> str:
    """A text with its translations on one line: `"家庭人数" en "household size"`."""
    return " ".join([_quote(text.value), *(f"{t.lang.name} {_quote(t.text.value)}"
                                            for t in text.translations)])  # fmt: skip


def _number_text(value: Any) -> str:
    """A bound's number when its source text is not at hand (exact: ints and finite decimals)."""
    if value.denominator == 1:
        return str(value.numerator)
    numerator, denominator, places = abs(value.numerator), value.denominator, 0
    while denominator != 1 and places < 60:
        numerator, places = numerator * 10, places + 1
        if numerator % denominator == 0:
            digits = str(numerator // denominator).rjust(places + 1, "0")
            sign = "-" if value < 0 else ""
            return f"{sign}{digits[:-places]}.{digits[-places:]}"
    raise ValueError(f"{value} has no finite decimal form")


# ------------------------------------------------------------------------------------------
# From the AST to a layout document


def _column_widths(rows: list[list[str]]) -> list[int]:
    """The display width of each column of a table's lines (the widest cell)."""
    widths: list[int] = []
    for cells in rows:
        for index, cell in enumerate(cells):
            if index == len(widths):
                widths.append(0)
            widths[index] = max(widths[index], display_width(cell))
    return widths


def _hit_words(hit: ast.HitPolicy) -> str:
    return f"{hit.kind} {hit.aggregator}" if hit.aggregator else hit.kind


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


class _Formatter(Visitor[Any]):
    """Builds the layout document of one module, taking its comments in source order.

    Comments are consumed through a cursor as the builder walks the AST in source order:
    each place where a line may break takes the comments before the next item (`next_line`,
    `separator`), so that a comment ends the line its code ends, or stands on a line of its
    own, as it did.
    """

    node_kinds = (ast.Header, *ast.DECLARATIONS, *ast.EXPRESSIONS)

    def __init__(self, module: ast.Module, comments: Sequence[Span]) -> None:
        self.module_node = module
        self.text = module.span.source.text
        self.comments = sorted(comments, key=lambda span: span.start)
        self.next_comment = 0

    # -- comments --------------------------------------------------------------------------

    def _trailing(self, comment: Span) -> bool:
        """A comment after code on its line (it ends that line, not a line of its own)."""
        line_start = self.text.rfind("\n", 0, comment.start) + 1
        return bool(self.text[line_start : comment.start].strip(_BLANK))

    def _pending(self, bound: int) -> Span | None:
        if self.next_comment < len(self.comments):
            comment = self.comments[self.next_comment]
            if comment.start < bound:
                return comment
        return None

    def trail(self, bound: int) -> list[Any]:
        """The comments that end the current line, before `bound`: kept at its end."""
        docs: list[Any] = []
        while (comment := self._pending(bound)) is not None and self._trailing(comment):
            self.next_comment += 1
            docs += [_Suffix(_comment_text(comment)), _BREAK_PARENT]
        return docs

    def lead(self, bound: int) -> list[Any]:
        """The comments before `bound`, just after a line break: each on a line of its own."""
        docs: list[Any] = []
        while (comment := self._pending(bound)) is not None:
            self.next_comment += 1
            docs += [_Comment(_comment_text(comment)), _HARD]
        return docs

    def next_line(
        self, bound: int, *, keep_blank: bool = False, start: int | None = None
    ) -> list[Any]:
        """A line break before the item at `bound`, with the comments in between. With
        `keep_blank`, a blank line the author left before the item or one of those comments
        is kept where it was (one, however many there were); `start` is where the item's
        first token is, when its span starts later (`expect` before its expression)."""
        docs: list[Any] = [*self.trail(bound), _HARD]
        while (comment := self._pending(bound)) is not None:
            self.next_comment += 1
            if keep_blank and self._blank_before(comment.start):
                docs.append(_HARD)
            docs += [_Comment(_comment_text(comment)), _HARD]
        first_token = start if start is not None and start >= 0 else bound
        if keep_blank and self._blank_before(first_token):
            docs.append(_HARD)
        return docs

    def _blank_before(self, offset: int) -> bool:
        """Whether `offset` starts its line, after at least one blank line."""
        line_start = self.text.rfind("\n", 0, offset) + 1
        if self.text[line_start:offset].strip(_BLANK):
            return False
        index = line_start
        while index > 0 and self.text[index - 1] in _BLANK + "\n":
            index -= 1
        return self.text.count("\n", index, line_start) >= 2

    def separator(self, bound: int, line: Any) -> list[Any]:
        """`line` (which may break) before the item at `bound`, with the comments between."""
        return [*self.trail(bound), line, *self.lead(bound)]

    def close(self, bound: int) -> list[Any]:
        """The comments before the end `bound` of a construct: each on a line of its own
        (but one that ends the current line). Only one: a second comment held for a line
        would get a line of its own at the indent of the line after (`_end_line`), the
        closing bracket's, and move in by a level when formatted again."""
        docs: list[Any] = []
        comment = self._pending(bound)
        if comment is not None and self._trailing(comment):
            self.next_comment += 1
            docs += [_Suffix(_comment_text(comment)), _BREAK_PARENT]
        while (comment := self._pending(bound)) is not None:
            self.next_comment += 1
            docs += [_HARD, _Comment(_comment_text(comment))]
        return docs

    def here(self, bound: int) -> list[Any]:
        """The comments before `bound` where no line break is at hand: they end the line."""
        docs: list[Any] = []
        while (comment := self._pending(bound)) is not None:
            self.next_comment += 1
            docs += [_Suffix(_comment_text(comment)), _BREAK_PARENT]
        return docs

    def _broken_between(self, gaps: Iterable[tuple[int, int]]) -> bool:
        """Whether the author broke a line in any of the gaps `(end, start)`."""
        return any("\n" in self.text[end:start] for end, start in gaps)

    def _line_of(self, offset: int) -> int:
        return self.module_node.span.source.line_col(offset)[0]

    # -- the module ------------------------------------------------------------------------

    def module(self) -> str:
        parts: list[Any] = []
        previous_end: int | None = None
        nodes: list[Any] = []
        if self.module_node.header is not None:
            nodes.append(self.module_node.header)
        nodes.extend(self.module_node.declarations)

        def blank_lines(start: int) -> list[Any]:
            if previous_end is None:
                return []
            count = self.text.count("\n", previous_end, start) - 1
            return [_HARD] * max(0, min(count, _MAX_BLANK_LINES))

        def comments_before(bound: int) -> None:
            nonlocal previous_end
            while (comment := self._pending(bound)) is not None:
                self.next_comment += 1
                text = _comment_text(comment)
                if previous_end is not None and self._trailing(comment):
                    parts.insert(len(parts) - 1, _Suffix(text))  # before the last line break
                else:
                    parts.extend([*blank_lines(comment.start), _Comment(text), _HARD])
                previous_end = comment.end

        for node in nodes:
            comments_before(node.span.start)
            parts.extend(blank_lines(node.span.start))
            parts.append(self.declaration(node))
            parts.append(self.close(node.span.end))
            parts.append(_HARD)
            previous_end = node.span.end
        comments_before(len(self.text) + 1)
        text = _render(parts)
        return text.strip("\n") + "\n" if text.strip() else ""

    def declaration(self, node: Any) -> Any:
        return self.visit(node)

    # -- shared pieces ---------------------------------------------------------------------

    def clause_parts(self, doc: ast.Doc, source: ast.Text | None = None) -> list[_Clause]:
        """The label, source, citations and note of a declaration, each with the comments
        before it (which end the line before the clause)."""
        clauses: list[_Clause] = []
        if doc.label is not None:
            comments = self.here(doc.label.span.start) + self.translation_comments(doc.label)
            clauses.append(_Clause(comments, _worded(doc.label), True))
        if source is not None:
            clauses.append(_Clause(self.here(source.span.start), ["source ", _quote(source.value)]))
        if doc.cites:
            comments = self.here(doc.cites[0].span.start)
            clauses.append(_Clause(comments, self.cites_doc(doc.cites)))
        if doc.note is not None:
            comments = self.here(doc.note.span.start) + self.translation_comments(doc.note)
            clauses.append(_Clause(comments, ["note ", self.note_doc(doc.note)]))
        return clauses

    def translation_comments(self, text: ast.Text) -> list[Any]:
        """Comments written between a text and its translations: kept, before the clause."""
        docs: list[Any] = []
        for translation in text.translations:
            docs += self.here(translation.lang.span.start)
        return docs

    @staticmethod
    def note_doc(note: ast.Text) -> Any:
        """A note and its translations: on one line when they fit, else each translation on
        a line of its own under the note."""
        if not note.translations:
            return _quote(note.value)
        lines = [[_LINE, f"{t.lang.name} ", _quote(t.text.value)] for t in note.translations]
        return _Group([_quote(note.value), _Nest(_INDENT, lines)])

    def cites_doc(self, cites: tuple[ast.Text, ...]) -> Any:
        items: list[Any] = []
        for index, cite in enumerate(cites):
            if index:
                items.append(_LINE)
            last = index == len(cites) - 1
            following = [] if last else [",", *self.here(cites[index + 1].span.start)]
            items.append([_quote(cite.value), *following])
        return ["cites ", _Nest(2 * _INDENT, _Fill(items))]

    def head_with_clauses(
        self, head: Any, clauses: list[_Clause], end: str, *, label_after_break: bool = False
    ) -> Any:
        """A declaration's head and clauses: on one line when they fit; else the label after
        the head (when that fits) and every other clause on a line of its own."""
        one_line = [head, *([c.comments, " ", c.doc] for c in clauses), end]
        flat = _flat_width(one_line)
        if flat is not None and flat <= WIDTH:
            return one_line
        first: list[Any] = [head]
        rest = clauses
        if clauses and clauses[0].is_label and not clauses[0].comments:
            with_label = _flat_width([head, " ", clauses[0].doc])
            if label_after_break and (with_label is None or with_label > WIDTH):
                # The head breaks over lines (a rule's parameters): the label follows its `)`.
                with_label = _flat_width([")", " ", clauses[0].doc])
            if with_label is not None and with_label <= WIDTH:
                first += [" ", clauses[0].doc]
                rest = clauses[1:]
        lines = [[c.comments, _HARD, c.doc] for c in rest]
        return [*first, _Nest(_INDENT, lines), end]

    def block_head(self, head: list[Any], clauses: list[_Clause], end: str = ":") -> Any:
        """A block's head: keyword, name and label on the first line, each other clause on a
        line of its own."""
        if clauses and clauses[0].is_label:
            head = [*head, clauses[0].comments, " ", clauses[0].doc]
            clauses = clauses[1:]
        lines = [[c.comments, _HARD, c.doc] for c in clauses]
        return [head, _Nest(_INDENT, lines), end]

    # -- types -----------------------------------------------------------------------------

    def type_doc(self, type_: ast.TypeExpr) -> str:
        # A loop, not recursion: `list of list of …` may nest as deep as the author likes.
        prefix, suffix = "", ""
        while not isinstance(type_, ast.TypeRef):
            if isinstance(type_, ast.OptionalTypeExpr):
                suffix, type_ = "?" + suffix, type_.inner
            else:
                prefix, type_ = prefix + "list of ", type_.element
        text = type_.name.dotted
        if type_.bound is not None:
            text += " " + self.bound_text(type_.bound)
        return prefix + text + suffix

    def bound_text(self, bound: ast.Bound) -> str:
        """A type's bound, its numbers as written (`0% .. 100%` stays so, not `0 .. 1`)."""
        numbers = _numbers_in(bound.span.text)
        if bound.low is not None and bound.high is not None:
            op = ".." if bound.high_inclusive else "..<"
            if len(numbers) == 2 and numbers[0][1] == bound.low and numbers[1][1] == bound.high:
                return f"{numbers[0][0]} {op} {numbers[1][0]}"
            return f"{_number_text(bound.low)} {op} {_number_text(bound.high)}"
        value = bound.low if bound.low is not None else bound.high
        if bound.low is not None:
            op = ">=" if bound.low_inclusive else ">"
        else:
            op = "<=" if bound.high_inclusive else "<"
        if len(numbers) == 1 and numbers[0][1] == value:
            return f"{op} {numbers[0][0]}"
        return f"{op} {_number_text(value)}"

    # -- declarations ----------------------------------------------------------------------

    @visits(ast.Header)
    def _header(self, node: ast.Header) -> Any:
        clauses = self.clause_parts(node.doc, node.source)
        return self.block_head(["policy ", node.name.dotted], clauses, end="")

    @visits(ast.ImportDecl)
    def _import_decl(self, node: ast.ImportDecl) -> Any:
        parts: list[Any] = ["import ", node.module.dotted]
        if node.alias is not None:
            parts += [" as ", node.alias.name]
        if node.names:
            items = [(n.span.start, n.span.end, _const(n.name)) for n in node.names]
            parts += [" ", self.sequence("(", items, ")", node.span.end)]
        return _Group(parts)

    @visits(ast.EnumDecl)
    def _enum_decl(self, node: ast.EnumDecl) -> Any:
        head = self.block_head(["enum ", node.name.name], self.clause_parts(node.doc), end="")
        width = max(display_width(m.name.name) for m in node.members) + 1
        first = node.members[0].span.start
        opening = [*self.next_line(first), ": "]
        members: list[Any] = []
        for index, member in enumerate(node.members):
            if index:
                members += [",", *self.next_line(member.span.start, keep_blank=True)]
            if member.label is not None:
                label = member.label
                members += [_pad(member.name.name, width), *self.here(label.span.start),
                            *self.translation_comments(label), _worded(label)]  # fmt: skip
            else:
                members.append(member.name.name)
            if member.fields:
                members += [" ", self.member_fields(member)]
        return [head, _Nest(_INDENT, [opening, _Nest(_INDENT, members)])]

    def member_fields(self, member: ast.EnumMember) -> Any:
        """The fields a member carries: `{number: text "Card number", amount: decimal}`."""
        items = [(f.span.start, f.span.end, self._member_field(f)) for f in member.fields]
        start = member.fields[0].span.start
        opening = member.span.text.rfind("{", 0, start - member.span.start) + member.span.start
        return self.sequence("{", items, "}", member.span.end, start=opening)

    def _member_field(self, field: ast.FieldDecl) -> Callable[[], Any]:
        def build() -> Any:
            parts: list[Any] = [field.name.name, ": ", self.type_doc(field.type)]
            label = field.doc.label
            if label is not None:
                parts += [" ", *self.here(label.span.start), *self.translation_comments(label),
                          _worded(label)]  # fmt: skip
            return parts

        return build

    @visits(ast.RecordDecl)
    def _record_decl(self, node: ast.RecordDecl) -> Any:
        head = self.block_head(["record ", node.name.name], self.clause_parts(node.doc), end="")
        fields = node.fields
        types = [self.type_doc(f.type) + (" fixed" if f.fixed else "") for f in fields]
        tails = [_field_tail(f) for f in fields]
        labels = [_worded(f.doc.label) if f.doc.label is not None else "" for f in fields]
        name_width = max(display_width(f.name.name) for f in fields) + 1
        type_width = 1 + max(
            (display_width(t) for t, f in zip(types, fields, strict=True) if f.doc != ast.Doc()),
            default=0,
        )
        # Citations line up after the longest label that still leaves the line within WIDTH;
        # a longer label is followed by one space.
        prefix = 2 * _INDENT + name_width + 2 + type_width
        label_width = 0
        for label, tail in zip(labels, tails, strict=True):
            if tail and prefix + display_width(label) + 1 + display_width(tail) <= WIDTH:
                label_width = max(label_width, display_width(label) + 1)
        rows: list[Any] = [*self.next_line(fields[0].span.start), ": "]
        body: list[Any] = []
        for index, field in enumerate(fields):
            if index:
                body += self.next_line(field.span.start, keep_blank=True)
            row: list[Any] = [_pad(field.name.name, name_width), ": "]
            if field.doc == ast.Doc():
                body += [*row, types[index]]
                continue
            row.append(_pad(types[index], type_width))
            if field.doc.label is not None:
                row += self.here(field.doc.label.span.start)
                row += self.translation_comments(field.doc.label)
            label, tail = labels[index], tails[index]
            if tail:
                for text in (*field.doc.cites, field.doc.note):
                    if text is not None:
                        row += self.here(text.span.start) + self.translation_comments(text)
                row += [_pad(label, label_width) if display_width(label) < label_width
                        else label + " ", tail]  # fmt: skip
            else:
                row.append(label)
            body += row
        return [head, _Nest(_INDENT, [rows, _Nest(_INDENT, body)])]

    @visits(ast.InputDecl)
    def _input_decl(self, node: ast.InputDecl) -> Any:
        head = ["input ", node.name.name, ": ", self.type_doc(node.type)]
        if node.fixed:
            head.append(" fixed")
        return self.head_with_clauses(head, self.clause_parts(node.doc), "")

    @visits(ast.ParamDecl)
    def _param_decl(self, node: ast.ParamDecl) -> Any:
        left = ["param ", node.name.name, ": ", self.type_doc(node.type)]
        head = self.valued(left, node.default)
        if node.illustrative:
            head = [head, " illustrative"]
        return self.head_with_clauses(head, self.clause_parts(node.doc), "")

    def valued(self, left: list[Any], value: ast.Expr) -> Any:
        """`left = value`: `= value` on a line of its own when the two do not fit on one."""
        comments = self.here(value.span.start)
        doc = self.expr(value, _IF_LEVEL)
        together = _flat_width([left, " = ", doc])
        if comments or together is None or together > WIDTH:
            flat_value = _flat_width(doc)
            if flat_value is not None and _INDENT + 2 + flat_value <= WIDTH:
                return [left, comments, _Nest(_INDENT, [_HARD, "= ", doc])]
        return [left, comments, " = ", doc]

    @visits(ast.FixtureDecl)
    def _fixture_decl(self, node: ast.FixtureDecl) -> Any:
        left = ["fixture ", node.name.name, ": ", self.type_doc(node.type)]
        return self.valued(left, node.value)

    @visits(ast.RuleDecl)
    def _rule_decl(self, node: ast.RuleDecl) -> Any:
        head: list[Any] = [node.kind, " ", node.name.name]
        if node.params is not None:
            head.append(self.rule_params(node.params, node.name))
        clauses = self.clause_parts(node.doc)
        if node.returns is not None:
            returns = ["-> ", self.type_doc(node.returns)]
            clauses.append(_Clause(self.here(node.returns.span.start), returns))
        broken_head = _flat_width(head) is None or (_flat_width(head) or 0) > WIDTH
        header = self.head_with_clauses(_Group(head), clauses, ":", label_after_break=broken_head)
        lines = self.next_line(node.body.span.start)
        body: list[Any] = [lines, self.expr(node.body, _IF_LEVEL)]
        for exception in node.exceptions:
            body += [
                *self.next_line(exception.span.start, keep_blank=True),
                self.exception(exception),
            ]
        return [header, _Nest(_INDENT, body)]

    def exception(self, node: ast.RuleException) -> Any:
        """`exception NAME to OTHER "label" cites "…" when CONDITION then VALUE`: on one line
        when it fits, else `when …` and `then …` each on a line of its own."""
        head: list[Any] = ["exception ", node.name.name]
        if node.parent is not None:
            head += [" to ", node.parent.name]
        header = self.head_with_clauses(head, self.clause_parts(node.doc), "")
        # A comment that ends the line before `when` or `then` ends it still; one on a line
        # of its own keeps a line of its own before the keyword.
        parts = [
            *self.separator(node.condition.span.start, _LINE),
            "when ",
            self.expr(node.condition, _IF_LEVEL),
            *self.separator(node.value.span.start, _LINE),
            "then ",
            self.expr(node.value, _IF_LEVEL),
        ]
        return _Group([header, _Nest(_INDENT, parts)])

    def rule_params(self, params: Sequence[ast.RuleParam], name: ast.Ident) -> Any:
        """`(a: T, b: U)` after the name of a rule or decision table with parameters."""
        items = [
            (p.span.start, p.span.end, _const([p.name.name, ": ", self.type_doc(p.type)]))
            for p in params
        ]
        closing = self.text.find(")", params[-1].span.end) if params else -1
        end = closing + 1 if closing >= 0 else name.span.end
        return self.sequence("(", items, ")", end)

    @visits(ast.ScheduleDecl)
    def _schedule_decl(self, node: ast.ScheduleDecl) -> Any:
        head: list[Any] = ["schedule ", node.name.name]
        # In the text the label comes first, then the types, `monotone`, `cites` and `note`:
        # the clauses are taken in that order, so that each takes the comments before it.
        if node.doc.label is not None:
            label = self.clause_parts(ast.Doc(label=node.doc.label))[0]
            head += [label.comments, " ", label.doc]
        head += [": ", self.type_doc(node.value_type), " by ", node.period.name]
        if node.category is not None:
            head += [", ", self.type_doc(node.category)]
        clauses = [
            _Clause(self.here(m.span.start), ["monotone ", m.direction, " in ", m.dimension.name])
            for m in node.monotone
        ]
        clauses += self.clause_parts(attrs.evolve(node.doc, label=None))
        stages = [
            [*self.next_line(s.span.start, keep_blank=i > 0), self.stage(s)]
            for i, s in enumerate(node.stages)
        ]
        stages += [
            [*self.next_line(v.span.start, keep_blank=i > 0), self.dated_value(v)]
            for i, v in enumerate(node.dated)
        ]
        return [self.block_head(head, clauses), _Nest(_INDENT, stages)]

    def dated_value(self, value: ast.DatedValue) -> Any:
        """`from 2024-07-01 "label": 1260`, its `cites` and `note` on lines of their own."""
        head: list[Any] = ["from ", value.start.value.isoformat()]
        header = self.block_head(head, self.clause_parts(value.doc))
        return [header, " ", self.cells(value.cells)]

    def stage(self, stage: ast.Stage) -> Any:
        head: list[Any] = ["stage ", stage.name.name]
        clauses = self.clause_parts(stage.doc)
        if clauses and clauses[0].is_label:
            head += [clauses[0].comments, " ", clauses[0].doc]
            clauses = clauses[1:]
        head.append(" ")
        if stage.start is not None:
            head += [stage.start.value.isoformat(), " "]
        head += ["..", " ", stage.end.value.isoformat()]
        rows = [
            [*self.next_line(row.span.start, keep_blank=i > 0), self.row(row)]
            for i, row in enumerate(stage.rows)
        ]
        return [self.block_head(head, clauses), _Nest(_INDENT, rows)]

    def row(self, row: ast.ScheduleRow) -> Any:
        return [str(row.period.value), ": ", self.cells(row.cells)]

    def cells(self, row: Sequence[ast.ScheduleCell]) -> Any:
        """A schedule row's cells, filled onto lines (`junior 20%, senior 50%`)."""
        cells: list[Any] = []
        for index, cell in enumerate(row):
            if index:
                cells.append(_LINE)
            value = self._expr(cell.value)  # a signed number: never parenthesised
            text = [cell.category.name, " ", value] if cell.category is not None else [value]
            if index < len(row) - 1:
                text += [",", *self.here(row[index + 1].span.start)]
            cells.append(text)
        return _Nest(2 * _INDENT, _Fill(cells))

    def band_range(self, band_range: ast.BandRange) -> str:
        low = _render(self._expr(band_range.low))
        high = _render(self._expr(band_range.high))
        return f"{low} {band_range.operator} {high}"

    @visits(ast.BandsDecl)
    def _bands_decl(self, node: ast.BandsDecl) -> Any:
        head: list[Any] = ["bands ", node.name.name]
        clauses = self.clause_parts(node.doc)
        if clauses and clauses[0].is_label:
            head += [clauses[0].comments, " ", clauses[0].doc]
            clauses = clauses[1:]
        head += [" over ", self.band_range(node.over)]
        ranges = [self.band_range(band.range) for band in node.bands]
        range_width = max(display_width(r) for r in ranges) + 1
        labelled = [band for band in node.bands if band.label is not None]
        name_width = max((display_width(b.name.name) for b in labelled), default=0) + 1
        bands: list[Any] = []
        for band, range_text in zip(node.bands, ranges, strict=True):
            bands += self.next_line(band.span.start, keep_blank=bool(bands))
            if band.label is not None:
                bands += [_pad(range_text, range_width), _pad(band.name.name, name_width),
                          *self.here(band.label.span.start),
                          *self.translation_comments(band.label), _worded(band.label)]  # fmt: skip
            else:
                bands += [_pad(range_text, range_width), band.name.name]
        return [self.block_head(head, clauses), _Nest(_INDENT, bands)]

    @visits(ast.DecisionDecl)
    def _decision_decl(self, node: ast.DecisionDecl) -> Any:
        """A decision table as aligned columns: the `input` line, the rows and the `else` row
        share their column widths (measured in display columns: a CJK character takes two),
        `|` between columns and `=>` between conditions and outputs."""
        head: list[Any] = ["decision ", node.name.name]
        if node.params is not None:
            head.append(self.rule_params(node.params, node.name))
        clauses = self.clause_parts(node.doc)
        if node.returns is not None:
            returns = ["-> ", self.type_doc(node.returns)]
            clauses.append(_Clause(self.here(node.returns.span.start), returns))
        header = self.head_with_clauses(_Group(head), clauses, ":")
        conditions = [[self.flat(column) for column in node.inputs]]
        outputs = [[name.name for name in node.outputs]]
        for row in node.rows:
            conditions.append([self.table_cell(cell) for cell in row.cells])
            outputs.append([self.flat(value) for value in row.outputs])
        if node.default is not None:
            outputs.append([self.flat(value) for value in node.default])
        condition_widths = _column_widths(conditions)
        output_widths = _column_widths(outputs)
        keyword_width = len("input ")

        def line(keyword: str, cells: list[str] | None, values: list[str], last: bool) -> str:
            if cells is None:
                left = " " * (sum(condition_widths) + 3 * (len(condition_widths) - 1))
            else:
                left = " | ".join(_pad(c, w) for c, w in zip(cells, condition_widths, strict=False))
            padded = [_pad(v, w) for v, w in zip(values, output_widths, strict=False)]
            if not last and padded:
                padded[-1] = values[-1]
            text = _pad(keyword, keyword_width) + left + " => " + " | ".join(padded)
            return text if last else text.rstrip()

        body: list[Any] = []
        if node.hit is not None:
            body += [*self.next_line(node.hit.span.start), "hit ", _hit_words(node.hit)]
        start = node.inputs[0].span.start if node.inputs else node.span.start
        keyword = self.text.rfind("input", 0, start)
        body += [*self.next_line(start, keep_blank=True, start=keyword)]
        body.append(line("input", conditions[0], outputs[0], False))
        for index, row in enumerate(node.rows, start=1):
            body += self.next_line(row.span.start, keep_blank=True)
            described = row.label is not None or bool(row.cites)
            body.append(line("row", conditions[index], outputs[index], described))
            if row.label is not None:
                body += [" ", *self.here(row.label.span.start),
                         *self.translation_comments(row.label), _worded(row.label)]  # fmt: skip
            if row.cites:
                body += [" ", *self.here(row.cites[0].span.start), "cites ",
                         ", ".join(_quote(c.value) for c in row.cites)]  # fmt: skip
        if node.default is not None:
            start = node.default[0].span.start if node.default else node.span.end
            keyword = self.text.rfind("else", 0, start)
            body += self.next_line(start, keep_blank=True, start=keyword)
            body.append(line("else", None, outputs[-1], False))
        return [header, _Nest(_INDENT, body)]

    def flat(self, expr: ast.Expr) -> str:
        """An expression on one line (a table's column or output)."""
        return _render(self.expr(expr, _OR), 10**9)

    def table_cell(self, cell: ast.TableCell) -> str:
        if cell.is_any:
            return "-"
        tests = ", ".join(self.cell_test(test) for test in cell.tests)
        return f"not {tests}" if cell.negated else tests

    def cell_test(self, test: ast.CellTest) -> str:
        if test.op == "none":
            return "none"
        value = _render(self._expr(test.value))
        if test.op == "range" and test.high is not None:
            opening = "[" if test.low_inclusive else "("
            closing = "]" if test.high_inclusive else ")"
            return f"{opening}{value}..{_render(self._expr(test.high))}{closing}"
        return value if test.op == "==" else f"{test.op} {value}"

    @visits(ast.ExampleDecl)
    def _example_decl(self, node: ast.ExampleDecl) -> Any:
        lines: list[Any] = []
        for given in node.given:
            lines += self.next_line(given.span.start, keep_blank=bool(lines))
            left: list[Any] = ["given ", given.name.name]
            if given.type is not None:
                left += [": ", self.type_doc(given.type)]
            lines += [left, *self.here(given.value.span.start), " = ",
                      self.expr(given.value, _IF_LEVEL)]  # fmt: skip
        for expect in node.expect:
            keyword = self.text.rfind("expect", 0, expect.span.start)
            line = self.next_line(expect.span.start, keep_blank=True, start=keyword)
            lines += [*line, "expect ",
                      self.expr(expect, _IF_LEVEL)]  # fmt: skip
        return [["example ", _quote(node.title.value), ":"], _Nest(_INDENT, lines)]

    @visits(ast.PropertyDecl)
    def _property_decl(self, node: ast.PropertyDecl) -> Any:
        lines: list[Any] = [*self.next_line(node.binders[0].span.start), "forall "]
        binders: list[Any] = []
        for index, binder in enumerate(node.binders):
            if index:
                binders += [",", *self.separator(binder.span.start, _LINE)]
            binders += [binder.name.name, ": ", self.type_doc(binder.type)]
        lines.append(_Group(_Nest(_INDENT, binders)))
        if node.condition is not None:
            lines += [*self.next_line(node.condition.span.start), "where ",
                      self.expr(node.condition, _OR)]  # fmt: skip
        lines += [*self.next_line(node.claim.span.start), "holds ",
                  self.expr(node.claim, _IF_LEVEL)]  # fmt: skip
        return [["property ", _quote(node.title.value), ":"], _Nest(_INDENT, lines)]

    # -- sequences -------------------------------------------------------------------------

    def sequence(
        self,
        open_: str,
        items: list[tuple[int, int, Callable[[], Any]]],
        close: str,
        end: int,
        *,
        keep_rows: bool = False,
        start: int | None = None,
    ) -> Any:
        """`open item, item, … close`: on one line when it fits, else one item per line with a
        trailing comma. With `keep_rows`, a sequence the author broke over lines stays broken,
        and items the author wrote on one line stay together when they fit.

        `items` are `(start, end, build)`: each item's document is built in its turn, so that
        the comments before it are taken first. `end` is the end of the closing bracket.
        """
        if not items:
            inner = self.close(end)
            return [open_, _Nest(_INDENT, inner), _HARD if inner else "", close]
        gaps = [(a[1], b[0]) for a, b in itertools.pairwise(items)]
        if start is not None:
            gaps += [(start + 1, items[0][0]), (items[-1][1], end - 1)]
        # A comment after the opening bracket, on its line, stays at the end of that line
        # (as one before the first item on a line of its own stays on a line of its own).
        opening = self.trail(items[0][0])
        if keep_rows and self._broken_between(gaps):
            rows: list[list[Any]] = []
            previous_line = None
            for index, (item_start, _item_end, build) in enumerate(items):
                line = self._line_of(item_start)
                if not index:
                    rows.append([*self.lead(item_start)])
                elif line != previous_line:
                    rows[-1] += [",", *self.trail(item_start)]
                    rows.append([*self.lead(item_start)])
                else:
                    rows[-1] += [",", *self.separator(item_start, _LINE)]
                rows[-1].append(build())
                previous_line = self._line_of(_item_end)
            rows[-1] += [",", *self.close(end)]
            body = [[_HARD, _Group(row)] for row in rows]
            return [open_, *opening, _Nest(_INDENT, body), _HARD, close]
        parts: list[Any] = [*opening, _SOFT]
        for index, (item_start, _item_end, build) in enumerate(items):
            if index:
                parts += [",", *self.separator(item_start, _LINE)]
            else:
                parts += self.lead(item_start)
            parts.append(build())
        parts += [_IfBreak(",", ""), *self.close(end)]
        return _Group([open_, _Nest(_INDENT, parts), _SOFT, close])

    # -- expressions -----------------------------------------------------------------------

    def expr(self, expr: ast.Expr, level: int) -> Any:
        """`expr` in a place that needs at least `level`: parenthesised when it binds looser."""
        doc = self._expr(expr)
        if _level(expr) < level:
            return ["(", doc, ")"]
        return doc

    def _expr(self, expr: ast.Expr) -> Any:
        return self.visit(expr)

    @visits(ast.IntLit)
    def _int_lit_doc(self, expr: ast.IntLit) -> Any:
        return str(expr.value)

    @visits(ast.DecimalLit, ast.PercentLit)
    def _decimal_lit_doc(self, expr: ast.DecimalLit | ast.PercentLit) -> Any:
        return expr.text

    @visits(ast.TextLit)
    def _text_lit_doc(self, expr: ast.TextLit) -> Any:
        return _quote(expr.value)

    @visits(ast.BoolLit)
    def _bool_lit_doc(self, expr: ast.BoolLit) -> Any:
        return "true" if expr.value else "false"

    @visits(ast.DateLit)
    def _date_lit_doc(self, expr: ast.DateLit) -> Any:
        value = expr.value
        if isinstance(value, datetime.datetime):
            return zones.literal_text(value)
        if isinstance(value, datetime.time):
            return zones.clock_text(value)
        return value.isoformat()

    @visits(ast.NoneLit)
    def _none_lit_doc(self, expr: ast.NoneLit) -> Any:
        return "none"

    @visits(ast.NameRef)
    def _name_ref_doc(self, expr: ast.NameRef) -> Any:
        return expr.name

    @visits(ast.FieldAccess)
    def _field_access_doc(self, expr: ast.FieldAccess) -> Any:
        return [self.expr(expr.target, _POSTFIX), ".", expr.field.name]

    @visits(ast.Call)
    def _call_doc(self, expr: ast.Call) -> Any:
        callee = self.expr(expr.callee, _POSTFIX)
        items = [(a.span.start, a.span.end, self._builder(a, _IF_LEVEL)) for a in expr.args]
        return [callee, self.sequence("(", items, ")", expr.span.end)]

    @visits(ast.WithInputs)
    def _with_inputs_doc(self, expr: ast.WithInputs) -> Any:
        target = self.expr(expr.target, _POSTFIX)
        items = [(b.span.start, b.span.end, self._binding(b)) for b in expr.bindings]
        return [target, self.sequence("[", items, "]", expr.span.end)]

    @visits(ast.Negate)
    def _negate_doc(self, expr: ast.Negate) -> Any:
        return ["-", self.expr(expr.operand, _UNARY)]

    @visits(ast.Not)
    def _not_doc(self, expr: ast.Not) -> Any:
        # `not a == b` means `not (a == b)`: anything looser than a call is parenthesised.
        operand = expr.operand
        return ["not ", self.expr(operand, _NOT if isinstance(operand, ast.Not) else _POSTFIX)]

    @visits(ast.Compare)
    def _compare_doc(self, expr: ast.Compare) -> Any:
        return self.binary(expr.left, expr.op, expr.right, _ADD, _ADD)

    @visits(ast.In)
    def _in_doc(self, expr: ast.In) -> Any:
        op = "not in" if expr.negated else "in"
        return self.binary(expr.item, op, expr.collection, _ADD, _ADD)

    @visits(ast.IsNone)
    def _is_none_doc(self, expr: ast.IsNone) -> Any:
        return [self.expr(expr.operand, _ADD), " is not none" if expr.negated else " is none"]

    @visits(ast.Coalesce)
    def _coalesce_doc(self, expr: ast.Coalesce) -> Any:
        # `x ?? a + b` means `x ?? (a + b)`: arithmetic beside `??` is parenthesised.
        left = _COALESCE if isinstance(expr.value, ast.Coalesce) else _UNARY
        return self.binary(expr.value, "??", expr.fallback, left, _UNARY)

    @visits(ast.Compose)
    def _compose_doc(self, expr: ast.Compose) -> Any:
        if expr.kind == "at_least":
            assert expr.count is not None
            count = self.expr(expr.count, _ATOM)
            return ["at least ", count, " of ", self.list_doc(expr.items, expr)]
        return [expr.kind, " of ", self.list_doc(expr.items, expr)]

    @visits(ast.ListLit)
    def _list_lit_doc(self, expr: ast.ListLit) -> Any:
        return self.list_doc(expr.items, expr)

    def _builder(self, expr: ast.Expr, level: int) -> Callable[[], Any]:
        return lambda: self.expr(expr, level)

    def _binding(self, binding: ast.InputBinding) -> Callable[[], Any]:
        return lambda: [binding.name.name, " = ", self.expr(binding.value, _IF_LEVEL)]

    def binary(
        self, left: ast.Expr, op: str, right: ast.Expr, left_level: int, right_level: int
    ) -> Any:
        left_doc = self.expr(left, left_level)
        trail = self.trail(right.span.start)
        lead = self.lead(right.span.start)
        right_doc = self.expr(right, right_level)
        return _Group([left_doc, " ", op, *trail, _Nest(_INDENT, [_LINE, *lead, right_doc])])

    @visits(ast.Arith)
    def arith(self, expr: ast.Arith) -> Any:
        level = _level(expr)
        if level == _POWER:
            # To the right: `a ** b ** c` is `a ** (b ** c)`, and the exponent may be `-n`.
            return [self.expr(expr.left, _POSTFIX), " ** ", self.expr(expr.right, _UNARY)]
        chain: list[tuple[str, ast.Expr]] = []
        node: ast.Expr = expr
        while isinstance(node, ast.Arith) and _level(node) == level:
            chain.append((node.op, node.right))
            node = node.left
        first = self.expr(node, level)
        rest: list[Any] = []
        for op, operand in reversed(chain):
            rest += [*self.separator(operand.span.start, _LINE), op, " ",
                     self.expr(operand, level + 1)]  # fmt: skip
        return _Group([first, _Nest(_INDENT, rest)])

    @visits(ast.BoolOp)
    def bool_op(self, expr: ast.BoolOp) -> Any:
        operands = expr.operands
        broken = self._broken_between(
            (a.span.end, b.span.start) for a, b in itertools.pairwise(operands)
        )
        line = _HARD if broken else _LINE
        first = self.expr(operands[0], _NOT)
        rest: list[Any] = []
        for operand in operands[1:]:
            rest += [*self.separator(operand.span.start, line), expr.op, " ",
                     self.expr(operand, _NOT)]  # fmt: skip
        return _Group([first, _Nest(_INDENT, rest)])

    @visits(ast.If)
    def if_doc(self, expr: ast.If) -> Any:
        branches: list[ast.If] = [expr]
        while isinstance(branches[-1].otherwise, ast.If):
            branches.append(branches[-1].otherwise)
        last = branches[-1].otherwise
        broken = len(branches) > 1 or self._broken_between(
            [(branches[0].then.span.end, last.span.start)]
        )
        line = _HARD if broken else _LINE
        parts: list[Any] = []
        for index, branch in enumerate(branches):
            if index:
                parts += [*self.separator(branch.span.start, line), "else "]
            parts += ["if ", self.expr(branch.condition, _OR), " then ",
                      self.expr(branch.then, _OR)]  # fmt: skip
        parts += [*self.separator(last.span.start, line), "else ", self.expr(last, _IF_LEVEL)]
        return _Group(parts)

    @visits(ast.IsMember)
    def _is_member_doc(self, expr: ast.IsMember) -> Any:
        return [
            self.expr(expr.operand, _ADD),
            " is not " if expr.negated else " is ",
            expr.member.name,
        ]

    @visits(ast.Match)
    def match_doc(self, expr: ast.Match) -> Any:
        # One arm a line (a short `match` of two arms fits on one).
        line = _HARD if len(expr.cases) + (expr.otherwise is not None) > 2 else _LINE
        line = line if not self._broken_between([(expr.subject.span.end, expr.span.end)]) else _HARD
        arms: list[Any] = []
        for case in expr.cases:
            head = "case " + case.member.name
            if case.bindings:
                head += "(" + ", ".join(b.name for b in case.bindings) + ")"
            arms += [*self.separator(case.span.start, line), self.arm(head, case.body)]
        if expr.otherwise is not None:
            start = expr.span.text.rfind("case", 0, expr.otherwise.span.start - expr.span.start)
            arms += [*self.separator(expr.span.start + start, line),
                     self.arm("case _", expr.otherwise)]  # fmt: skip
        return _Group(["match ", self.expr(expr.subject, _OR), ":", _Nest(_INDENT, arms)])

    def arm(self, head: str, body: ast.Expr) -> Any:
        """`case … => value`, the value on the next line when the arm does not fit on one."""
        separator = self.separator(body.span.start, _LINE)
        # The grammar lets no arm's value end in a `match`: it would take the arms after it.
        value = ["(", self._expr(body), ")"] if _ends_in_match(body) else self.expr(body, _IF_LEVEL)
        return _Group([head, " =>", _Nest(_INDENT, [*separator, value])])

    @visits(ast.Aggregate)
    def aggregate(self, expr: ast.Aggregate) -> Any:
        parts: list[Any] = [expr.kind, " of ", expr.var.name, " in ",
                            self.expr(expr.collection, _OR)]  # fmt: skip
        rest: list[Any] = []
        if expr.filter is not None:
            rest += [*self.separator(expr.filter.span.start, _LINE), "where ",
                     self.expr(expr.filter, _OR)]  # fmt: skip
        if expr.body is not None:
            rest += [*self.separator(expr.body.span.start, _LINE), ": ",
                     self.expr(expr.body, _IF_LEVEL)]  # fmt: skip
        return _Group([*parts, _Nest(_INDENT, rest)])

    def list_doc(self, items: tuple[ast.Expr, ...], node: ast.Expr) -> Any:
        start = self._bracket(node.span.start, "[")
        table = self.record_table(items, node)
        if table is not None:
            return table
        entries = [(i.span.start, i.span.end, self._builder(i, _IF_LEVEL)) for i in items]
        return self.sequence("[", entries, "]", node.span.end, keep_rows=True, start=start)

    def record_table(self, items: tuple[ast.Expr, ...], node: ast.Expr) -> Any | None:
        """A list of records with the same fields, broken over lines, as a table: one record
        per line, the fields aligned in columns. None when the list is not such a list, has
        a long value, or holds comments (which a table has no place for)."""
        if len(items) < 2 or self._pending(node.span.end) is not None:
            return None
        names = None
        for item in items:
            if not isinstance(item, ast.RecordLit) or len(item.items) < 2:
                return None
            if any(isinstance(field, ast.RecordSpread) for field in item.items):
                return None
            these = [field.name.name for field in item.items]  # type: ignore[union-attr]
            if names is not None and these != names:
                return None
            names = these
        cells = []
        for item in items:
            assert isinstance(item, ast.RecordLit)
            row = []
            for field in item.items:
                assert isinstance(field, ast.RecordField)
                value = self.expr(field.value, _IF_LEVEL)
                if _flat_width(value) is None:
                    return None
                cell = f"{field.name.name}: {_render(value, width=10**9)}"
                if display_width(cell) > _TABLE_CELL_WIDTH:
                    return None  # a long value reads better with its record broken over lines
                row.append(cell)
            cells.append(row)
        widths = [max(display_width(row[i]) + 2 for row in cells) for i in range(len(names or ()))]
        lines = []
        for row in cells:
            padded = [
                _pad(cell + ",", width) for cell, width in zip(row[:-1], widths, strict=False)
            ]
            lines.append("{" + "".join(padded) + row[-1] + "}")
        flat = "[" + ", ".join("{" + ", ".join(row) + "}" for row in cells) + "]"
        broken = ["[", _Nest(_INDENT, [[_HARD, line, ","] for line in lines]), _HARD, "]"]
        start = self._bracket(node.span.start, "[")
        gaps = [(a.span.end, b.span.start) for a, b in itertools.pairwise(items)]
        gaps += [(start + 1, items[0].span.start), (items[-1].span.end, node.span.end - 1)]
        if self._broken_between(gaps):
            return broken
        return _Group(_IfBreak(broken, [flat, _SOFT]))

    @visits(ast.RecordLit)
    def record_doc(self, node: ast.RecordLit) -> Any:
        entries = [(i.span.start, i.span.end, self._record_item(i)) for i in node.items]
        start = self._bracket(node.span.start, "{")
        return self.sequence("{", entries, "}", node.span.end, keep_rows=True, start=start)

    def _record_item(self, item: ast.RecordField | ast.RecordSpread) -> Callable[[], Any]:
        if isinstance(item, ast.RecordField):
            return lambda: [item.name.name, ": ", self.expr(item.value, _IF_LEVEL)]
        return lambda: ["...", self.expr(item.value, _POSTFIX)]

    def _bracket(self, start: int, char: str) -> int:
        """Where the opening bracket of a literal whose span begins at `start` is."""
        found = self.text.find(char, start)
        return found if found >= 0 else start


@attrs.frozen
class _Clause:
    """One clause of a declaration's head (label, `cites …`, `note …`, `-> T`), with the
    comments found before it."""

    comments: list[Any]
    doc: Any
    is_label: bool = False


def _const(doc: Any) -> Callable[[], Any]:
    return lambda: doc


def _field_tail(field: ast.FieldDecl) -> str:
    """What follows a record field's label: its citations and note."""
    parts = []
    if field.doc.cites:
        parts.append("cites " + ", ".join(_quote(c.value) for c in field.doc.cites))
    if field.doc.note is not None:
        parts.append("note " + _worded(field.doc.note))
    return " ".join(parts)


def _numbers_in(text: str) -> list[tuple[str, Any]]:
    """The numbers of a bound's source text (`>= 0%`, `1 .. 9999`), each with its value."""
    import re
    from fractions import Fraction

    text = re.sub(r"#[^\n]*", "", text)
    numbers = []
    for match in re.finditer(r"(-\s*)?(\d+(?:\.\d+)?)(%?)", text):
        sign = "-" if match.group(1) else ""
        digits, percent = match.group(2), match.group(3)
        value = Fraction(digits) / (100 if percent else 1)
        numbers.append((sign + digits + percent, -value if sign else value))
    return numbers


def _ends_in_match(expr: ast.Expr) -> bool:
    """Whether `expr`, printed without brackets, ends in a `match` (which would take any
    arm written after it)."""
    while True:
        match expr:
            case ast.Match():
                return True
            case ast.If(otherwise=otherwise):
                expr = otherwise
            case ast.Aggregate(body=body, filter=filter_) if (
                body is not None or filter_ is not None
            ):
                expr = body if body is not None else filter_  # type: ignore[assignment]
            case _:
                return False
