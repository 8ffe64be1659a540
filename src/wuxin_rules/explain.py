"""Rendering explanations: the text an author reads in a terminal, and JSON for tools.

Owns the text form of a verdict's explanation tree (three filters: `full`, `decisive`,
`failed`; columns aligned by display width, so Chinese labels line up; ANSI colour on
request) and its JSON form. Works on `trace` data only, never on the evaluator. May import
`source`, `errors`, `schema`, `values`, `model` and `trace`.

The text form, in `decisive` mode:

```
eligible "可以获得贷款" = false (1 of 2 failed)  [S2]          loans.policy:31:1
  ✗ low_debt "负债率不高于上限"  [S2.3]
      负债率 0.45, should be at most 负债率上限 0.4              over by 0.05
        debt_limit "负债率上限" = 0.4  [S2.3]                   0.5 - 20% * abs(0.5)
  ✓ adult "年满十八周岁"  [S2.1]                                年龄 = 30
```

In the policy's words: what a node read is shown by its label (the path stays in JSON), a
failed comparison says what was needed (`制毒窝点数 1，应为 0`), a number that does not end
or is long is rounded and marked (`≈ 57.14%`, `trace.display_number`), the operand of a `not`
and the condition of an `if` are facts without a mark (no `✗ not p` over `✓ p`; a condition
chose a branch, it did not fail), and a rule whose one-line note would not reach the facts
(an `if`, bands, another rule) is expanded, so the decisive mode follows nested rules down to
the facts that decided. Text is never cut inside a word.

The modes: `decisive` expands what decided a value (the failed items of a false `all of`,
the held items of a true `any of`) and lists the rest one line each, hiding constants;
`failed` keeps only what did not hold; `full` shows every node. An error is shown as
`✗ error[code]: message` at the node where it arose, under the path that led to it.

A rule's body hangs under its name without a mark (its value is the rule's); a composition
(`all of`, `and`, …) in a body is flattened into the rule's children. `✓`/`✗` mark boolean
values; other values are written out. Every node is one line: the source text, its value, and
in the right-hand column a short note (a margin, a count, the facts a collapsed rule read, the
formula of a number with the values put in). Trees are walked with explicit stacks: a long
chain of rules is as deep as it is long.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from typing import Any

import attrs

from wuxin_rules import messages, wording
from wuxin_rules.errors import Diagnostic, UsageError, suggest
from wuxin_rules.messages import english
from wuxin_rules.schema import (
    EnumType,
    ListType,
    NumberType,
    OptionalType,
    RecordType,
    Type,
    describe,
    fixed_scale,
    strip_optional,
)
from wuxin_rules.source import Span, display_width
from wuxin_rules.trace import (
    TABLE_ROW_VARIABLE,
    Evaluation,
    Explanation,
    Verdict,
    display_number,
)
from wuxin_rules.values import format_value, to_json

__all__ = [
    "MODES",
    "ValueTable",
    "evaluation_to_json",
    "explanation_to_json",
    "render_evaluation",
    "render_text",
    "verdict_to_json",
]

MODES = ("decisive", "full", "failed")
"""The filters of the text form: what decided the value (default), everything, failures only."""

_VALUE_WIDTH = 48
"""Widest a value is shown in text (records and lists are cut with `…`)."""

_SOURCE_WIDTH = 64
"""Widest a piece of source text is shown in text."""

_COLUMN_CAP = 64
"""The right-hand column starts at most this far in; longer lines push their note along."""

_GAP = 3
"""Spaces between the left text and the right-hand column."""

_LEAVES = frozenset({"input", "field", "param", "local"})
_RULES = frozenset({"rule", "criterion"})
_NAMED = _RULES | {"call"}
_COMPOSITIONS = frozenset({"and", "or", "all", "any", "at_least"})
_FORMULA_PARTS = frozenset({"arith", "negate", "builtin", "const", "coalesce"})

_SHOULD = {
    "==": "explain.should-be",
    "!=": "explain.should-not-be",
    "<": "explain.should-be-below",
    "<=": "explain.should-be-at-most",
    ">": "explain.should-be-above",
    ">=": "explain.should-be-at-least",
}
"""What a failed comparison needed, in words (`制毒窝点数 1，应为 0`)."""

_STYLES = {
    "name": "\x1b[1m",
    "label": "\x1b[36m",
    "cites": "\x1b[2m",
    "ok": "\x1b[32m",
    "fail": "\x1b[31m",
    "error": "\x1b[1;31m",
    "detail": "\x1b[33m",
    "loc": "\x1b[2m",
    "value": "\x1b[1m",
}
_RESET = "\x1b[0m"


# ------------------------------------------------------------------------------------------
# Text


def render_text(
    verdict: Verdict, *, mode: str = "decisive", color: bool = False, lang: str = "en"
) -> str:
    """A verdict and (when traced) its explanation as text, filtered by `mode`.

    `lang="zh"` gives the fixed words (`3项均满足`, `差 0.0155`, `错误`) in Chinese (see
    `wuxin_rules.messages`); names, labels, citations and values are shown as the policy
    and the facts wrote them.
    """
    _check_mode(mode)
    renderer = _Renderer(mode, lang)
    renderer.verdict(verdict)
    return renderer.text(color)


def render_evaluation(
    evaluation: Evaluation, *, mode: str = "decisive", color: bool = False, lang: str = "en"
) -> str:
    """Every verdict of an evaluation as text, in order, separated by blank lines."""
    _check_mode(mode)
    return "\n\n".join(
        render_text(verdict, mode=mode, color=color, lang=lang)
        for verdict in evaluation.verdicts.values()
    )


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise UsageError(
            Diagnostic(
                "unknown-mode",
                english("explain.unknown-explanation-mode", mode=mode),
                help=suggest(mode, MODES)
                or english("modes-are.help", names=", ".join(f"`{m}`" for m in MODES)),
            )
        )


@attrs.frozen
class _Seg:
    """A piece of a line with its colour style."""

    text: str
    style: str | None = None


@attrs.frozen
class _Row:
    indent: int
    mark: str | None
    left: tuple[_Seg, ...]
    right: tuple[_Seg, ...] = ()


@attrs.frozen
class _Task:
    """A node waiting to be rendered: where, and how much of it."""

    node: Explanation
    indent: int
    body: bool = False
    collapsed: bool = False
    reason: bool = False
    """Shown even in `failed` mode although it held: it is why its parent failed (`not`)."""
    plain: bool = False
    """Shown as a fact, without ✓/✗: the operand of a `not` (its parent carries the mark,
    so `✗ not p` is not followed by `✓ p`) and the condition of an `if` (it chose a branch;
    it did not fail)."""


class _Renderer:
    def __init__(self, mode: str, lang: str = "en") -> None:
        self.mode = mode
        self.lang = lang
        self.rows: list[_Row] = []
        self.expanded: set[int] = set()

    # -- output ----------------------------------------------------------------------------

    def text(self, color: bool) -> str:
        widths = [self._left_width(row) for row in self.rows if row.right]
        column = min(max(widths, default=0), _COLUMN_CAP) + _GAP
        lines = []
        for row in self.rows:
            left = " " * row.indent
            plain_width = self._left_width(row)
            if row.mark is not None:
                style = "ok" if row.mark == "✓" else "fail"
                left += _paint(row.mark, style, color) + " "
            left += "".join(_paint(seg.text, seg.style, color) for seg in row.left)
            if row.right:
                pad = max(column - plain_width, _GAP)
                left += " " * pad + "".join(_paint(seg.text, seg.style, color) for seg in row.right)
            lines.append(left.rstrip())
        return "\n".join(lines)

    @staticmethod
    def _left_width(row: _Row) -> int:
        width = row.indent + (2 if row.mark is not None else 0)
        return width + sum(display_width(seg.text) for seg in row.left)

    def _t(self, text: str) -> str:
        """A fixed text of the explanation (a margin, a count) in the renderer's language."""
        return messages.render(text, self.lang)

    def _label(self, text: str) -> str:
        """A label of the policy in the renderer's language (as written when untranslated)."""
        return wording.in_language(text, self.lang)

    def _error_word(self, error: Diagnostic) -> str:
        return f"{messages.word('error', self.lang)}[{error.code}]"

    # -- the verdict line ------------------------------------------------------------------

    def verdict(self, verdict: Verdict) -> None:
        node = verdict.explanation
        left = [_Seg(verdict.key, "name")]
        if verdict.label:
            left.append(_Seg(f' "{self._label(verdict.label)}"', "label"))
        left.append(_Seg(" = "))
        if verdict.error is not None:
            left.append(_Seg(self._error_word(verdict.error), "error"))
        else:
            left.append(_Seg(_value(verdict.value, verdict.type), "value"))
            body = _body(node) if node is not None else None
            if body is not None and body.kind in _COMPOSITIONS and body.detail:
                left.append(_Seg(f" ({self._t(body.detail)})", "detail"))
        if verdict.cites:
            left.append(_Seg(f"  [{', '.join(verdict.cites)}]", "cites"))
        right = (_Seg(verdict.span.location(), "loc"),) if verdict.span is not None else ()
        self.rows.append(_Row(0, None, tuple(left), right))
        if node is None:
            if verdict.error is not None:
                self._error_row(verdict.error, 2)
            return
        self._mark_expanded(node)
        self._walk(self._owner_children(node, 2))

    def _mark_expanded(self, node: Explanation) -> None:
        if node.kind in _RULES and node.children:
            self.expanded.add(id(node.children[0]))

    def _repeated(self, node: Explanation) -> bool:
        """True for a rule whose (shared) body was already shown in full above."""
        return node.kind in _RULES and bool(node.children) and id(node.children[0]) in self.expanded

    # -- the walk --------------------------------------------------------------------------

    def _walk(self, tasks: list[_Task]) -> None:
        stack = list(reversed(tasks))
        while stack:
            task = stack.pop()
            if task.node.kind == "…":
                self.rows.append(_Row(task.indent, None, (_Seg(task.node.expr, "detail"),)))
                continue
            node = _unguarded(task.node)
            if (
                self.mode == "failed"
                and node.value is True
                and node.error is None
                and not task.reason
            ):
                continue
            repeated = not task.collapsed and self._repeated(node)
            collapsed = task.collapsed or repeated
            if not collapsed:
                self._mark_expanded(node)
            if task.body and node.kind in _COMPOSITIONS:
                # A composition in a rule's body: its items are the rule's children.
                stack.extend(reversed(self._children(node, task.indent)))
                continue
            if node.error is not None and _is_origin(node):
                self._error_origin(node, task)
                stack.extend(reversed(self._origin_children(node, task.indent + 2)))
                continue
            if not collapsed and _is_table_row(node):
                # A single-hit decision table: its rows as a list, not one `else` deeper each.
                stack.extend(reversed(self._table_rows(node, task.indent)))
                continue
            row = self._row(node, task, collapsed, repeated)
            self.rows.append(row)
            if not collapsed:
                text_start = task.indent + (2 if row.mark is not None else 0)
                stack.extend(reversed(self._children(node, text_start + 2)))

    def _owner_children(self, node: Explanation, indent: int) -> list[_Task]:
        """The rows under a rule, call or element: its body (hanging), args first for calls."""
        tasks: list[_Task] = []
        if node.kind == "call":
            for arg in node.children[:-1]:
                if self._show_arg(arg):
                    tasks.append(_Task(arg, indent, collapsed=True))
        elif node.kind == "element":
            tasks.extend(
                _Task(child, indent)
                for child in node.children
                if child.kind == "where" and (self.mode == "full" or child.error is not None)
            )
        body = _body(node)
        if body is not None:
            tasks.append(_Task(body, indent, body=True))
        return tasks

    def _show_arg(self, arg: Explanation) -> bool:
        if self.mode == "full" or arg.error is not None:
            return True
        if self.mode == "failed":
            return False
        return display_width(_value(arg.value, arg.type)) <= 24

    def _children(self, node: Explanation, indent: int) -> list[_Task]:
        """The child rows of an expanded node, as the mode selects them."""
        if node.kind in _NAMED or node.kind == "element":
            return self._owner_children(node, indent)
        if node.kind == "where" and node.children:
            return self._children(node.children[0], indent)
        if node.kind == "aggregate" and _collects_rows(node):
            return self._with_omitted(node, self._collected_rows(node, indent), indent)
        if node.kind == "table row":
            # The cells of a row are the items of its condition (an `and` spanning the row,
            # whose text would repeat the row's): listed right under the row.
            return [
                _Task(c, indent, body=True)
                if c.kind in _COMPOSITIONS and c.expr == node.expr
                else _Task(c, indent, reason=True, plain=True)
                for c in node.children
                if not _constant(c)
            ]
        children = list(node.children)
        if node.error is not None and self.mode != "full":
            # On the way down to an error: only the branch that carries it.
            failing = [c for c in children if c.error is not None and c.error == node.error]
            return [_Task(c, indent) for c in failing[:1]]
        if self.mode == "full":
            # The operand of a `not` and the condition of an `if` are facts, not verdicts.
            plain = {id(c) for c in (children if node.kind == "not" else children[:1])}
            plain = plain if node.kind in ("not", "if") else set()
            tasks = [_Task(c, indent, plain=id(c) in plain) for c in children]
            return self._with_omitted(node, tasks, indent)
        if node.kind in _COMPOSITIONS or (
            node.kind == "aggregate" and node.name in ("all", "any", "rate")
        ):
            items = children[1:] if node.kind == "aggregate" else children
            tasks = self._select(node, items, indent)
            return self._with_omitted(node, tasks, indent)
        if node.kind == "aggregate":
            tasks = [_Task(c, indent, collapsed=True) for c in children[1:]]
            tasks = [t for t in tasks if self._keep_collapsed(t.node)]
            return self._with_omitted(node, tasks, indent)
        if node.kind in _FORMULA_PARTS and _formula(node):
            # The formula already shows every step: list where its numbers came from.
            return [
                _Task(c, indent, collapsed=c.kind == "param" or _says_enough(c))
                for c in _formula_sources(node)
            ]
        if node.kind == "not":
            return [_Task(c, indent, reason=True, plain=True) for c in children if not _constant(c)]
        if node.kind == "if" and children:
            condition, *branches = children
            tasks = (
                [] if _constant(condition) else [_Task(condition, indent, reason=True, plain=True)]
            )
            return tasks + [_Task(c, indent) for c in branches if not _constant(c)]
        # A `??` whose fallback was not needed is shown as the value it passed on.
        children = [
            c.children[0]
            if c.kind == "coalesce" and c.error is None and len(c.children) == 1
            else c
            for c in children
        ]
        return [
            _Task(c, indent, collapsed=c.kind == "param" or (c.kind in _NAMED and _says_enough(c)))
            for c in children
            if not _constant(c)
            and c.kind not in _LEAVES - {"param"}
            and not (c.kind == "param" and self.mode == "failed")
        ]

    def _table_rows(self, chain: Explanation, indent: int) -> list[_Task]:
        """The rows of a single-hit table's chain (`if row 1 then … else if row 2 …`), one
        task each at `indent`: the row that held, with its cells and output, and in `full`
        mode the rows tried before it, with the cells that failed."""
        tried: list[_Task] = []
        node = chain
        while _is_table_row(node):
            condition = node.children[0] if node.children else None
            branch = node.children[1] if len(node.children) > 1 else None
            if condition is None or branch is None or condition.value is not False:
                # The row that held, or the one whose cells or output failed: the last.
                held = condition.value if condition is not None else None
                parts = tuple(c for c in (condition, branch) if c is not None)
                row = _table_row(node.expr, held, branch, parts, node)
                return [*tried, _Task(row, indent)]
            if self.mode == "full":
                row = _table_row(node.expr, False, None, (condition,), node)
                tried.append(_Task(row, indent))
            node = branch
        # The last row (its condition left out: the proofs show no input gets past the
        # others) or the `else` row: shown by its line of the table.
        text = _source_line(node) or node.expr
        return [*tried, _Task(_table_row(text, True, node, (node,), node), indent)]

    def _collected_rows(self, node: Explanation, indent: int) -> list[_Task]:
        """The elements of a collecting table's aggregate as its rows: each by its text,
        with the output it gave (and in `full` mode every row, with its cells)."""
        numbers = node.children[0].children if node.children else ()
        tasks: list[_Task] = []
        for element in node.children[1:]:
            if element.kind != "element" or not element.children:
                continue
            number = element.children[0].value
            if not isinstance(number, int) or not 0 < number <= len(numbers):
                continue
            where = next((c for c in element.children if c.kind == "where"), None)
            held = where is None or where.value is True
            if not held and self.mode != "full":
                continue
            body = _body(element)
            parts: list[Explanation] = []
            if self.mode == "full" and where is not None and where.children:
                parts.append(_dispatched(where.children[0]))
            output = _dispatched(body) if body is not None else None
            if output is not None:
                parts.append(output)
            row = _table_row(numbers[number - 1].expr, held, output, tuple(parts), element)
            tasks.append(_Task(row, indent))
        return tasks

    def _select(self, node: Explanation, items: Sequence[Explanation], indent: int) -> list[_Task]:
        """Decisive children of a boolean composition: expand what decided it, list the rest."""
        kind = node.kind if node.kind != "aggregate" else node.name
        value = node.value
        if kind in ("and", "all"):
            decisive = [c for c in items if c.value is False] if value is False else []
        elif kind in ("or", "any"):
            decisive = [c for c in items if c.value is True] if value is True else list(items)
        elif kind == "rate":
            decisive = [c for c in items if c.value is False]
        else:  # at_least
            decisive = [c for c in items if c.value is value]
        chosen = {id(c) for c in decisive}
        tasks = []
        for child in items:
            if _constant(child):
                continue
            task = _Task(child, indent, collapsed=id(child) not in chosen)
            if not task.collapsed or self._keep_collapsed(child):
                tasks.append(task)
        return tasks

    def _keep_collapsed(self, node: Explanation) -> bool:
        """In `failed` mode a one-line row is kept only when it did not hold."""
        return self.mode != "failed" or node.value is not True

    def _with_omitted(self, node: Explanation, tasks: list[_Task], indent: int) -> list[_Task]:
        if node.omitted:
            if node.omitted_detail:
                text = messages.word(
                    "explain.more-counted",
                    self.lang,
                    count=node.omitted,
                    detail=self._t(node.omitted_detail),
                )
            else:
                text = messages.word("explain.more", self.lang, count=node.omitted)
            more = Explanation(
                kind="…",
                expr=text,
                value=None,
                type=None,
            )
            tasks.append(_Task(more, indent))
        return tasks

    # -- rows ------------------------------------------------------------------------------

    def _row(self, node: Explanation, task: _Task, collapsed: bool, repeated: bool) -> _Row:
        mark = None if task.body or (task.plain and node.error is None) else _mark(node)
        kind = node.kind
        left: list[_Seg] = []
        right: list[_Seg] = []
        shown_value = not isinstance(node.value, bool) or mark is None
        if kind in _NAMED:
            name = node.name if kind in _RULES else _clean(node.expr)
            left.append(_Seg(name or "", "name"))
            # Every rule and call says what it is, even when its owner has the same label
            # (`released "放行"` calling `order_released(order) "放行"`): the row may be
            # read on its own, in `failed` mode or in JSON, where the owner is not beside it.
            if node.label:
                left.append(_Seg(f' "{self._label(node.label)}"', "label"))
            if shown_value:
                left.append(_Seg(" = " + self._value(node)))
            if node.cites:
                left.append(_Seg(f"  [{', '.join(node.cites)}]", "cites"))
            if repeated:
                right.append(_Seg(self._t("(explained above)"), "detail"))
            elif collapsed:
                note = self._collapsed_note(node)
                if note:
                    right.append(_Seg(self._t(note), "detail"))
            else:
                body = _body(node)
                if body is not None and body.kind in _COMPOSITIONS and body.detail:
                    right.append(_Seg(self._t(body.detail), "detail"))
        elif kind == "compare":
            failed = node.value is False and not task.plain
            left.extend(self._compare_text(node, failed=failed))
            if mark is None and isinstance(node.value, bool) and not task.body:
                left.append(_Seg(" = " + self._value(node)))
        elif kind == "arg":
            left.append(_Seg(node.name or _clean(node.expr), "name"))
            left.append(_Seg(" = " + self._value(node)))
            return _Row(task.indent, mark, tuple(left), ())
        elif kind == "element":
            child = node.children[0] if node.children else None
            item = _item(child.value, child.type) if child is not None else "?"
            left.append(_Seg(f"{node.detail or ''} {node.name} = {item}".strip()))
            if not isinstance(node.value, bool) and node.error is None:
                right.append(_Seg("→ " + _value(node.value, node.type), "detail"))
        elif kind == "table row":
            left.append(_Seg(_cut(_clean(node.expr), _SOURCE_WIDTH)))
            if node.detail is not None:
                right.append(_Seg(node.detail, "detail"))
            return _Row(task.indent, mark, tuple(left), tuple(right))
        elif kind == "const":
            left.append(_Seg(_clean(node.expr)))
        elif kind == "draw":
            # One key drawn by `sample`, with the rank that put it among the drawn.
            number = f"{node.name} " if node.name else ""
            drawn = messages.word("explain.drawn", self.lang)
            left.append(_Seg(f"{drawn} {number}{_value(node.value, node.type)}"))
            if node.detail:
                right.append(_Seg(self._t(node.detail), "detail"))
            return _Row(task.indent, mark, tuple(left), tuple(right))
        elif kind == "note":
            left.append(_Seg(self._t(node.expr), "detail"))
            return _Row(task.indent, mark, tuple(left), ())
        elif kind == "where":
            filter_node = node.children[0] if node.children else node
            left.append(_Seg("where "))
            left.extend(
                self._compare_text(filter_node)
                if filter_node.kind == "compare"
                else [_Seg(_cut(_clean(node.expr), _SOURCE_WIDTH))]
            )
            if filter_node.detail:
                right.append(_Seg(self._t(filter_node.detail), "detail"))
            return _Row(task.indent, mark, tuple(left), tuple(right))
        else:
            text = _cut(_clean(node.expr), _SOURCE_WIDTH)
            if kind in _LEAVES and node.label:
                left.append(_Seg(text))
                left.append(_Seg(f' "{self._label(node.label)}"', "label"))
            else:
                left.append(_Seg(text))
            if shown_value:
                left.append(_Seg(" = " + self._value(node)))
            if kind in _LEAVES and node.cites:
                left.append(_Seg(f"  [{', '.join(node.cites)}]", "cites"))
        if kind not in _NAMED and kind != "element" and kind not in _LEAVES:
            if node.detail:
                right.append(_Seg(self._t(node.detail), "detail"))
            elif collapsed or kind in _FORMULA_PARTS or kind in ("in", "is_none"):
                note = _formula(node) if kind in _FORMULA_PARTS else _facts(node.children)
                if note:
                    right.append(_Seg(note, "detail"))
        return _Row(task.indent, mark, tuple(left), tuple(right))

    def _compare_text(self, node: Explanation, failed: bool = False) -> list[_Seg]:
        """`制毒窝点数 1 == 0`; failed, in words: `制毒窝点数 1, should be 0`."""
        if len(node.children) != 2:
            return [_Seg(_cut(_clean(node.expr), _SOURCE_WIDTH))]
        left, right = node.children
        should = _SHOULD.get(node.name or "")
        if failed and should is not None and node.error is None:
            comma = messages.word("explain.comma", self.lang)
            words = messages.word(should, self.lang)
            return [*_side(left, self.lang), _Seg(f"{comma}{words} "), *_side(right, self.lang)]
        return [*_side(left, self.lang), _Seg(f" {node.name or '?'} "), *_side(right, self.lang)]

    def _collapsed_note(self, node: Explanation) -> str | None:
        body = _body(node)
        if body is None:
            return None
        if not isinstance(node.value, bool):
            formula = _formula(body)
            if formula:
                return formula
            if body.detail:
                return body.detail
        facts = _facts([body])
        if facts:
            return facts
        return body.detail

    # -- errors ----------------------------------------------------------------------------

    def _error_origin(self, node: Explanation, task: _Task) -> None:
        error = node.error
        assert error is not None
        left = [_Seg(self._error_word(error), "error"), _Seg(f": {self._t(error.message)}")]
        right = (_Seg(error.location(self.lang), "loc"),) if error.location() else ()
        self.rows.append(_Row(task.indent, "✗", tuple(left), right))

    def _error_row(self, error: Diagnostic, indent: int) -> None:
        left = (_Seg(self._error_word(error), "error"), _Seg(f": {self._t(error.message)}"))
        right = (_Seg(error.location(self.lang), "loc"),) if error.location() else ()
        self.rows.append(_Row(indent, "✗", left, right))

    def _value(self, node: Explanation) -> str:
        if node.error is not None:
            return self._error_word(node.error)
        return _value(node.value, node.type)

    def _origin_children(self, node: Explanation, indent: int) -> list[_Task]:
        """The operands of the expression that failed, with their values."""
        return [
            _Task(child, indent, collapsed=True)
            for child in node.children
            if not _constant(child) and child.error is None
        ]


# ------------------------------------------------------------------------------------------
# Pieces of rows


def _paint(text: str, style: str | None, color: bool) -> str:
    if not color or style is None or not text:
        return text
    return f"{_STYLES[style]}{text}{_RESET}"


def _mark(node: Explanation) -> str | None:
    if node.error is not None or node.value is False:
        return "✗"
    if node.value is True:
        return "✓"
    return None


def _is_table_row(node: Explanation) -> bool:
    """An `if` of a single-hit decision table's lowered chain: it carries the span of its
    row, so its text begins with the word `row`, where an `if` an author writes begins with
    `if`."""
    if node.kind != "if" or node.expr.split(None, 1)[:1] != ["row"]:
        return False
    return not _is_dispatch(node)


def _is_dispatch(node: Explanation) -> bool:
    """An `if row# == k` of a collecting table's dispatch on the row number."""
    condition = node.children[0] if node.children else None
    return bool(
        condition and condition.children and condition.children[0].name == TABLE_ROW_VARIABLE
    )


def _collects_rows(node: Explanation) -> bool:
    """The aggregate of a collecting decision table: its elements are the rows' numbers."""
    return any(c.kind == "element" and c.name == TABLE_ROW_VARIABLE for c in node.children[1:])


def _unguarded(node: Explanation) -> Explanation:
    """A cell's test in a decision table column that may be none, lowered as `if column is
    none then false else test` with the cell's span: shown as the test, or, when the value
    is none, as the cell failing with the column's value."""
    if node.kind != "if" or len(node.children) != 2:
        return node
    condition, branch = node.children
    if condition.kind != "is_none" or condition.expr != node.expr:
        return node
    if condition.value is False:
        return branch
    return attrs.evolve(node, kind="table row", detail=condition.detail, children=())


def _dispatched(node: Explanation) -> Explanation:
    """Of a collecting table's dispatch on the row number (`if row# == 1 then (row 1's
    part) else if row# == 2 …`), the part of the row the number chose."""
    while node.kind == "if" and len(node.children) == 2 and _is_dispatch(node):
        condition, branch = node.children
        if condition.value is True:
            return branch
        node = branch
    return node


def _table_row(
    text: str,
    held: Any,
    output: Explanation | None,
    parts: tuple[Explanation, ...],
    origin: Explanation,
) -> Explanation:
    """A row of a decision table as the text renderer shows it: its text, ✓ when it held
    (✗ when not), `→ value` of its output, and its parts (cells, output) below it."""
    detail = None
    if output is not None and output.error is None and held is True:
        detail = "→ " + _value(output.value, output.type)
    return Explanation(
        kind="table row",
        expr=text,
        value=held if isinstance(held, bool) else None,
        type=None,
        span=origin.span,
        children=parts,
        detail=detail,
        error=origin.error if origin.error is not None and held is not False else None,
    )


def _source_line(node: Explanation) -> str | None:
    """The line of the table a node's text is on, when it is a row (`row …`, `else …`)."""
    if node.span is None:
        return None
    line = node.span.source.line_text(node.span.line).strip()
    return line if line.split(None, 1)[:1] in (["row"], ["else"]) else None


def _constant(node: Explanation) -> bool:
    """A literal, or a list or record of literals: its text already says its value."""
    if node.kind == "const":
        return True
    if node.kind in ("list", "record") and node.error is None:
        return all(_constant(child) for child in node.children)
    return False


def _body(node: Explanation | None) -> Explanation | None:
    """The body of a rule, call or element node (its last child), if it has one."""
    if node is None or not node.children:
        return None
    last = node.children[-1]
    if node.kind == "element" and last.kind in ("local", "where"):
        return None
    return last


def _says_enough(node: Explanation) -> bool:
    """True when a rule or call shown on one line still reaches the facts that decided it:
    its body is plain arithmetic (its note is the formula with the values put in), a fact
    read, or a constant. Otherwise (an `if`, bands, another rule) its row is expanded, so
    the decisive mode follows nested rules down to the facts."""
    body = _body(node)
    if body is None or isinstance(node.value, bool):
        return True
    if body.kind in _LEAVES or _constant(body) or body.kind in ("schedule", "stage"):
        return True
    return _formula(body) is not None


def _is_origin(node: Explanation) -> bool:
    """True when the node's error arose here rather than in one of its children."""
    if node.kind in _NAMED or node.kind in ("arg", "element"):
        return not any(c.error is not None for c in node.children)
    return not any(c.error is not None and c.error == node.error for c in node.children)


def _value(
    value: Any, type_: Type | None, error: Diagnostic | None = None, lang: str = "en"
) -> str:
    if error is not None:
        return f"{messages.word('error', lang)}[{error.code}]"
    if isinstance(value, int | Fraction) and not isinstance(value, bool):
        # A number that does not end (400/7 %) or is long: rounded, marked `≈` (JSON is exact).
        return display_number(value, percent=_is_percent(type_), scale=fixed_scale(type_))
    return _cut(_format(value, type_), _VALUE_WIDTH)


def _is_percent(type_: Type | None) -> bool:
    inner = strip_optional(type_) if type_ is not None else None
    return isinstance(inner, NumberType) and inner.kind == "percent"


def _member_label(value: Any, type_: Type | None) -> str | None:
    """The label of an enum member `value` of type `type_` (None when it has none)."""
    enum = strip_optional(type_) if type_ is not None else None
    if not isinstance(enum, EnumType) or not isinstance(value, str):
        return None
    member = enum.member(value)
    return member.label if member is not None else None


_SHOWN_ITEMS = 32
"""Items of a list written out before `…`: more than any cut value can show, so a list of a
million elements is formatted in the time of 32."""


def _format(value: Any, type_: Type | None, labels: bool = True) -> str:
    """`format_value`, with enum members followed by their labels: `approvals_office
    (审批处)`, also inside lists; a long list (also inside a record) written up to
    `_SHOWN_ITEMS` items."""
    label = _member_label(value, type_) if labels else None
    if label is not None:
        return f"{value} ({label})"
    inner = strip_optional(type_) if type_ is not None else None
    if isinstance(value, tuple | list):
        element = inner.element if isinstance(inner, ListType) else None
        items = [_format(item, element, labels) for item in value[:_SHOWN_ITEMS]]
        if len(value) > _SHOWN_ITEMS:
            items.append("…")
        return "[" + ", ".join(items) + "]"
    if isinstance(value, dict):
        fields = {f.name: f.type for f in getattr(inner, "fields", ())}
        return (
            "{"
            + ", ".join(f"{k}: {_format(v, fields.get(k), False)}" for k, v in value.items())
            + "}"
        )
    return format_value(value, type_)


def _item(value: Any, type_: Type | None) -> str:
    """An aggregate's element: a record by its first field (usually what names it)."""
    if isinstance(value, dict) and len(value) > 1:
        key, first = next(iter(value.items()))
        fields = getattr(strip_optional(type_), "fields", ()) if type_ is not None else ()
        first_type = next((f.type for f in fields if f.name == key), None)
        return _cut(f"{{{key}: {format_value(first, first_type)}, …}}", _VALUE_WIDTH)
    return _value(value, type_)


def _side(node: Explanation, lang: str = "en") -> list[_Seg]:
    """One side of a comparison: the policy's label for what it reads (`制毒窝点数`, the
    path stays in JSON), else the source; then the value when the source is not it."""
    if _constant(node):
        return [_Seg(_cut(_clean(node.expr), _SOURCE_WIDTH // 2))]
    if node.label and (node.kind in _LEAVES or node.kind in _NAMED):
        return [
            _Seg(node.label, "label"),
            _Seg(" " + _value(node.value, node.type, node.error, lang), "value"),
        ]
    text = _cut(_clean(node.expr), _SOURCE_WIDTH // 2)
    if node.kind not in _LEAVES | _NAMED and " " in text:
        text = f"({text})"
    value = _value(node.value, node.type, node.error, lang)
    if value == text:
        return [_Seg(text)]
    return [_Seg(text), _Seg(" " + value, "value")]


def _facts(nodes: Iterable[Explanation], limit: int = 3) -> str | None:
    """`a = 1, b.c = 2`: the inputs, fields, params and locals a subtree read (a few)."""
    found: dict[str, str] = {}
    stack = list(reversed(list(nodes)))
    visited = 0
    while stack and len(found) <= limit and visited < 400:
        node = stack.pop()
        visited += 1
        if node.kind in _LEAVES:
            text = node.label or _clean(node.expr)
            if text and text not in found:
                found[text] = _cut(_value(node.value, node.type), 24)
            continue
        if node.kind in _NAMED and not isinstance(node.value, bool):
            found.setdefault(
                node.label or _clean(node.expr), _cut(_value(node.value, node.type), 24)
            )
            continue
        if node.kind == "call":
            stack.extend(reversed(node.children[-1:]))
            continue
        if node.kind == "element":
            continue
        stack.extend(reversed(node.children))
    if not found:
        return None
    items: list[str] = []
    for text, value in list(found.items())[:limit]:
        item = f"{text} = {value}"
        # Whole items only: a note cut inside `name = value` would misread as a value.
        if items and display_width(", ".join([*items, item])) > _SOURCE_WIDTH:
            break
        items.append(item)
    if len(items) < len(found):
        items.append("…")
    return ", ".join(items)


def _formula(node: Explanation) -> str | None:
    """The source of a number's expression with the values of what it read put in:
    `0.031 - 50% * abs(0.031)`. None when the subtree is not plain arithmetic."""
    if node.span is None or node.kind not in _FORMULA_PARTS:
        return None
    replacements: list[tuple[int, int, str]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current is not node and (current.kind in _LEAVES or current.kind in _NAMED):
            span = current.span
            if span is None or span.source is not node.span.source:
                return None
            if not node.span.start <= span.start <= span.end <= node.span.end:
                return None
            replacements.append((span.start, span.end, _value(current.value, current.type)))
            continue
        if current.kind not in _FORMULA_PARTS:
            return None
        stack.extend(current.children)
    if not replacements:
        return None
    text = node.span.text
    base = node.span.start
    for start, end, value in sorted(replacements, reverse=True):
        text = text[: start - base] + value + text[end - base :]
    formula = _clean(text)
    if display_width(formula) > _SOURCE_WIDTH:
        return None
    return formula


def _formula_sources(node: Explanation) -> list[Explanation]:
    """The params, rules and calls an arithmetic subtree read, in source order."""
    found: list[Explanation] = []
    stack = list(reversed(node.children))
    while stack:
        current = stack.pop()
        if current.kind == "param" or current.kind in _NAMED:
            if all(current is not seen for seen in found):
                found.append(current)
        elif current.kind in _FORMULA_PARTS:
            stack.extend(reversed(current.children))
    return found


def _clean(text: str) -> str:
    """Source text on one line: comments dropped, runs of blanks and line breaks made one."""
    if "#" in text:
        text = _strip_comments(text)
    if "\n" in text or "  " in text:
        text = " ".join(_split_outside_strings(text))
    return text.strip()


def _strip_comments(text: str) -> str:
    out: list[str] = []
    in_string = False
    escaped = False
    skipping = False
    for char in text:
        if skipping:
            if char == "\n":
                skipping = False
                out.append(char)
            continue
        if in_string:
            out.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == "#":
            skipping = True
            continue
        if char == '"':
            in_string = True
        out.append(char)
    return "".join(out)


def _split_outside_strings(text: str) -> Iterator[str]:
    """Split on whitespace, keeping string literals whole (their spaces matter)."""
    word: list[str] = []
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            word.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char.isspace():
            if word:
                yield "".join(word)
                word = []
            continue
        if char == '"':
            in_string = True
        word.append(char)
    if word:
        yield "".join(word)


def _cut(text: str, width: int) -> str:
    """`text`, cut to `width` display columns with `…` when longer, never inside a word (a
    name, a number, a run of CJK letters): at the last break before the limit, or after the
    first word when even that is longer."""
    if display_width(text) <= width:
        return text
    out: list[str] = []
    used = 0
    for char in text:
        char_width = display_width(char)
        if used + char_width > width - 1:
            break
        out.append(char)
        used += char_width
    end = len(out)
    if end < len(text) and _in_word(text[end - 1]) and _in_word(text[end]):
        start = end
        while start > 0 and _in_word(text[start - 1]):
            start -= 1
        if text[:start].strip():
            end = start
        else:  # one word longer than the limit: the word whole
            while end < len(text) and _in_word(text[end]):
                end += 1
    if end >= len(text):
        return text
    return text[:end].rstrip() + "…"


def _in_word(char: str) -> bool:
    return char.isalnum() or char in "_."


# ------------------------------------------------------------------------------------------
# JSON


class ValueTable:
    """The values of explanation JSON, each written once: a node's `"value"` is its index
    here. Every value is told apart by its JSON form (`true` is one entry however many
    conditions held), so that the table is the same whichever evaluator made the tree;
    records and lists are converted once per object (the tree shares them: the `unit` read
    by forty nodes is one object). `to_json()` is the list to write beside the trees."""

    def __init__(self) -> None:
        self._values: list[Any] = []
        self._compound: dict[tuple[int, int], tuple[Any, int]] = {}
        self._compound_forms: dict[Any, int] = {}
        self._scalars: dict[tuple[str, Any], int] = {}
        self._converted: dict[tuple[int, int], tuple[Any, Any]] = {}

    def index(self, value: Any, type_: Type | None) -> int:
        """The index of `value` (of type `type_`), added when new."""
        if isinstance(value, dict | tuple | list):
            key = (id(value), id(type_))
            known = self._compound.get(key)
            if known is None or known[0] is not value:
                data = self._json(value, type_)
                # Equal records or lists that are different objects (one evaluator shares
                # what another builds again) are one entry: their JSON form decides.
                form = _frozen(data)
                found = self._compound_forms.get(form)
                if found is None:
                    found = self._compound_forms[form] = self._add(data)
                known = self._compound[key] = (value, found)
            return known[1]
        data = to_json(value, type_)
        scalar_key = (type(data).__name__, data)
        found = self._scalars.get(scalar_key)
        if found is None:
            found = self._scalars[scalar_key] = self._add(data)
        return found

    def _json(self, value: Any, type_: Type | None) -> Any:
        """`values.to_json`, converting each record or list object once: the list
        `r.items` inside the record `r` and on its own is one converted object (and
        `jsonio.dumps` writes an object met again from its first text)."""
        if not isinstance(value, dict | tuple | list):
            return to_json(value, type_)
        key = (id(value), id(type_))
        known = self._converted.get(key)
        if known is not None and known[0] is value:
            return known[1]
        if isinstance(value, dict):
            inner = type_.inner if isinstance(type_, OptionalType) else type_
            fields = {f.name: f.type for f in inner.fields} if isinstance(inner, RecordType) else {}
            data: Any = {k: self._json(item, fields.get(k)) for k, item in value.items()}
        else:
            element = type_.element if isinstance(type_, ListType) else None
            data = [self._json(item, element) for item in value]
        self._converted[key] = (value, data)
        return data

    def _add(self, data: Any) -> int:
        self._values.append(data)
        return len(self._values) - 1

    def to_json(self) -> list[Any]:
        return self._values


def _frozen(data: Any) -> Any:
    """A hashable form of JSON-ready data that tells apart exactly what its JSON tells apart
    (without writing numbers as text: a whole number may have more digits than `str` takes)."""
    if isinstance(data, dict):
        return ("{", tuple((key, _frozen(item)) for key, item in data.items()))
    if isinstance(data, list | tuple):
        return ("[", tuple(_frozen(item) for item in data))
    return (type(data).__name__, data)


def explanation_to_json(
    explanation: Explanation, values: ValueTable | None = None, *, _seen: set[int] | None = None
) -> dict[str, Any]:
    """An explanation tree as JSON-ready data.

    Every node has `kind`, `expr` (its source text on one line), `value` (the index of its
    exact value, via `values.to_json`, in the value table), `type` and `children`; named
    nodes add `name`, `label`, `cites`; `detail`, `error` (a diagnostic's JSON), `omitted`
    and `omitted_detail` appear when set; `line`, `column`, `end_line`, `end_column` locate
    the node's source, in the `file` of the nearest node above that names one (the root
    names its file, a node names its own only where it differs). A rule referenced several
    times has its body in full at its first occurrence and `"repeated": true` (no children)
    afterwards, so the JSON stays as small as the tree shared in memory.

    Each value is written once, in a table: given `values`, the nodes refer into it (the
    caller writes `values.to_json()` beside the trees); without it the root gets its own
    table as `"values"`.
    """
    table = values if values is not None else ValueTable()
    seen: set[int] = _seen if _seen is not None else set()
    root: dict[str, Any] = {}
    locations = _Locations()
    stack: list[tuple[Explanation, dict[str, Any], str | None]] = [(explanation, root, None)]
    while stack:
        node, target, file = stack.pop()
        target.update(_node_json(node, table, locations, file))
        file = target.get("file", file)
        children: list[dict[str, Any]] = []
        target["children"] = children
        if node.kind in _RULES and node.children:
            # The root is always given in full: a verdict's own tree never points elsewhere.
            if id(node.children[0]) in seen and target is not root:
                target["repeated"] = True
                continue
            seen.add(id(node.children[0]))
        slots: list[dict[str, Any]] = [{} for _ in node.children]
        children.extend(slots)
        stack.extend(
            reversed(
                [(child, slot, file) for child, slot in zip(node.children, slots, strict=True)]
            )
        )
    if values is None:
        root["values"] = table.to_json()
    return root


def evaluation_to_json(evaluation: Evaluation) -> dict[str, Any]:
    """The explanations of every verdict of one document, sharing one value table:
    `{"explanations": {rule: verdict JSON}, "explanation_values": [...]}`. A nullary rule
    explained under one verdict is `"repeated": true` where a later verdict refers to it
    (find its body by its `name`); each verdict's own tree is always given in full."""
    table = ValueTable()
    seen: set[int] = set()
    explanations = {
        key: verdict_to_json(verdict, table, _seen=seen)
        for key, verdict in evaluation.verdicts.items()
    }
    return {"explanations": explanations, "explanation_values": table.to_json()}


class _Locations:
    """Source locations converted once per span (many nodes of a tree share a span)."""

    def __init__(self) -> None:
        self.known: dict[tuple[int, int, int], dict[str, Any]] = {}

    def location(self, span: Span | None) -> dict[str, Any]:
        if span is None:
            return {}
        key = (id(span.source), span.start, span.end)
        known = self.known.get(key)
        if known is None:
            known = self.known[key] = _location(span)
        return known


def _node_json(
    node: Explanation,
    table: ValueTable | None = None,
    locations: _Locations | None = None,
    file: str | None = None,
) -> dict[str, Any]:
    table = table or ValueTable()
    data: dict[str, Any] = {
        "kind": node.kind,
        "expr": _clean(node.expr),
        "value": None if node.error is not None else table.index(node.value, node.type),
        "type": describe(node.type) if node.type is not None else None,
    }
    value_label = _member_label(node.value, node.type) if node.error is None else None
    if value_label is not None:
        data["value_label"] = value_label
    if node.name is not None:
        data["name"] = node.name
    if node.label is not None:
        data["label"] = node.label
    if node.cites:
        data["cites"] = list(node.cites)
    if node.detail is not None:
        data["detail"] = node.detail
    if node.error is not None:
        data["error"] = node.error.to_json()
    if node.omitted:
        data["omitted"] = node.omitted
    if node.omitted_detail is not None:
        data["omitted_detail"] = node.omitted_detail
    location = (locations or _Locations()).location(node.span)
    if location:
        if location["file"] != file:
            data["file"] = location["file"]
        data.update((k, v) for k, v in location.items() if k != "file")
    return data


def _location(span: Span | None) -> dict[str, Any]:
    if span is None:
        return {}
    line, column = span.source.line_col(span.start)
    end_line, end_column = span.source.line_col(span.end)
    return {
        "file": span.source.name,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
    }


def verdict_to_json(
    verdict: Verdict, values: ValueTable | None = None, *, _seen: set[int] | None = None
) -> dict[str, Any]:
    """A verdict as JSON-ready data: rule, value or error, label, cites, location,
    explanation. Its `value`, like every node's, is an index into `values` (without it the
    verdict gets its own table as `"values"`)."""
    table = values if values is not None else ValueTable()
    data: dict[str, Any] = {
        "rule": verdict.key,
        "name": verdict.name,
        "kind": verdict.kind,
        "type": describe(verdict.type) if verdict.type is not None else None,
        "value": table.index(verdict.value, verdict.type) if verdict.error is None else None,
        "error": verdict.error.to_json() if verdict.error is not None else None,
        "label": verdict.label,
        "cites": list(verdict.cites),
    }
    value_label = _member_label(verdict.value, verdict.type) if verdict.error is None else None
    if value_label is not None:
        data["value_label"] = value_label
    data.update(_location(verdict.span))
    data["explanation"] = (
        explanation_to_json(verdict.explanation, table, _seen=_seen)
        if verdict.explanation is not None
        else None
    )
    if values is None:
        data["values"] = table.to_json()
    return data
