"""Readable notation: expressions and types written out for people who read policies on paper.

`expression_lines(expr, vocabulary)` lays out a surface expression (`ast.Expr`) in lines no
wider than a given display width, with the operators a reader knows (`≤`, `×`, `≠`) and the
words of a language (`且`, `如果 … 则 … 否则 …` or `and`, `if … then … else …`). Parentheses
are put back exactly where the precedence of the language needs them (the parser drops them),
so the layout says what the rule computes and nothing else. The `SOURCE` vocabulary writes
the language's own syntax: its output parses back to the same expression, which is how the
tests hold the parenthesisation to account.

`type_line(type, vocabulary)` writes a checked type (`schema.Type`) with its bound:
`整数，≥ 0`, `number from 0 to 100`.

Output is a list of lines, each a list of `Segment`s (text plus a role: keyword, operator,
name, …), so that renderers can mark names up (links in HTML) without re-parsing text.
May import `source`, `ast`, `schema` and `values`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import NamedTuple

import attrs

from wuxin_rules import ast, messages, zones
from wuxin_rules.schema import (
    BoolType,
    DateTimeType,
    DateType,
    DurationType,
    EnumType,
    IntType,
    ListType,
    NoneType,
    NumberType,
    NumericBound,
    OptionalType,
    RecordType,
    SumType,
    TextType,
    TimeType,
    Type,
    fixed_scale,
)
from wuxin_rules.source import display_width
from wuxin_rules.values import Duration, format_number
from wuxin_rules.visitor import Visitor, visits

__all__ = [
    "EN",
    "SOURCE",
    "VOCABULARIES",
    "ZH",
    "Line",
    "Segment",
    "Vocabulary",
    "expression_lines",
    "line_text",
    "type_line",
]


class Segment(NamedTuple):
    """A piece of a line. `role` is one of `text`, `keyword`, `operator`, `literal`, `local`
    (a rule parameter or aggregate variable), `name` (anything declared: `ref` is the name as
    written, dotted when module-qualified, for the renderer to resolve) or `field`."""

    text: str
    role: str = "text"
    ref: str | None = None


Line = list[Segment]


@attrs.frozen
class Vocabulary:
    """The fixed words and operator symbols of one notation."""

    words: Mapping[str, str]
    operators: Mapping[str, str]
    spaced_body: bool = True
    """Whether the aggregate body separator takes a space before it (`x : y` vs `x：y`)."""

    def word(self, key: str) -> str:
        """The word for `key` (`and`, `if`, `count`, …)."""
        return self.words[key]


_MATH = {
    "==": "=", "!=": "≠", "<=": "≤", ">=": "≥", "<": "<", ">": ">",
    "+": "+", "-": "−", "*": "×", "/": "÷", "??": "??", "neg": "−", "mod": "mod", "**": "^",
}  # fmt: skip

SOURCE = Vocabulary(
    words={
        "and": "and", "or": "or", "not": "not", "if": "if", "then": "then", "else": "else",
        "in": "in", "not in": "not in", "is none": "is none", "is not none": "is not none",
        "true": "true", "false": "false", "none": "none",
        "all of": "all of", "any of": "any of", "at least": "at least {n} of",
        "count": "count of", "sum": "sum of", "min": "min of", "max": "max of",
        "all": "all of", "any": "any of", "rate": "rate of", "list": "list of",
        "agg in": "in", "where": "where", "body": ":",
        "int": "int", "decimal": "decimal", "percent": "percent", "money": "money",
        "scaled": "decimal({n})", "bool": "bool",
        "text": "text", "date": "date", "duration": "duration", "datetime": "datetime", "time": "time", "list of": "list of {t}", "optional": "{t}?",
        "at least n": ">= {n}", "more than n": "> {n}", "at most n": "<= {n}",
        "less than n": "< {n}", "range": "{a} .. {b}", "range open": "{a} ..< {b}",
        "bounded": "{t} {b}",
        "match": "match", "case": "case", "arm": "=>", "is member": "is",
        "is not member": "is not",
    },
    operators={
        "==": "==", "!=": "!=", "<=": "<=", ">=": ">=", "<": "<", ">": ">",
        "+": "+", "-": "-", "*": "*", "/": "/", "??": "??", "neg": "-", "mod": "mod",
        "**": "**",
    },
)  # fmt: skip
"""The language's own syntax: what it writes parses back to the same expression."""

EN = Vocabulary(
    words={**SOURCE.words, **messages.words_in("notation.", "en")},
    operators=_MATH,
)  # fmt: skip
"""English words, mathematical operators."""

ZH = Vocabulary(
    words=messages.words_in("notation.", "zh"),
    operators=_MATH,
    spaced_body=False,
)  # fmt: skip
"""Chinese words, mathematical operators."""

VOCABULARIES: Mapping[str, Vocabulary] = {"zh": ZH, "en": EN, "source": SOURCE}


def line_text(line: Line) -> str:
    """The plain text of a line."""
    return "".join(segment.text for segment in line)


def _width(line: Line) -> int:
    return display_width(line_text(line))


# ------------------------------------------------------------------------------------------
# Precedence: the language's one table (ast.Precedence), loosest first.

_IF, _OR, _AND, _NOT, _COMPARE, _COALESCE, _ADD, _MUL, _NEG, _POWER, _POSTFIX, _ATOM = (
    ast.Precedence
)
_level = ast.precedence


def expression_lines(
    expr: ast.Expr,
    vocabulary: Vocabulary,
    *,
    local_names: frozenset[str] = frozenset(),
    modules: frozenset[str] = frozenset(),
    declared: frozenset[str] = frozenset(),
    width: int = 76,
) -> list[Line]:
    """`expr` laid out in lines of at most `width` display columns where it can be.

    `local_names` are the names bound around the expression (rule parameters); `modules` the
    prefixes that name imported modules (`units` in `units.group_of`), so that
    `units.group_of` comes out as one name; `declared` the names the policy declares (a
    declaration hides a builtin of its name, whose call is then not said in words).
    """
    return _Printer(vocabulary, modules, width, declared).block(expr, 0, local_names)


class _Printer(Visitor[Line]):
    """Lays out surface expressions in the vocabulary of one language."""

    node_kinds = ast.EXPRESSIONS

    def __init__(
        self,
        vocabulary: Vocabulary,
        modules: frozenset[str],
        width: int,
        declared: frozenset[str] = frozenset(),
    ) -> None:
        self.v = vocabulary
        self.modules = modules
        self.width = width
        self.declared = declared

    # -- pieces ----------------------------------------------------------------------------

    def kw(self, key: str, **fill: str) -> Segment:
        return Segment(self.v.word(key).format(**fill), "keyword")

    def op(self, key: str) -> Segment:
        return Segment(self.v.operators[key], "operator")

    # -- one line --------------------------------------------------------------------------

    def flat(self, expr: ast.Expr, need: int, scope: frozenset[str]) -> Line:
        """`expr` on one line, in parentheses when its level is below `need`."""
        line = self._flat(expr, scope)
        if _level(expr) < need:
            return [Segment("("), *line, Segment(")")]
        return line

    def _flat(self, expr: ast.Expr, scope: frozenset[str]) -> Line:
        line: Line = self.visit(expr, scope)
        return line

    @visits(ast.IntLit)
    def _int(self, expr: ast.IntLit, scope: frozenset[str]) -> Line:
        return [Segment(str(expr.value), "literal")]

    @visits(ast.DecimalLit, ast.PercentLit)
    def _decimal(self, expr: ast.DecimalLit | ast.PercentLit, scope: frozenset[str]) -> Line:
        return [Segment(expr.text, "literal")]

    @visits(ast.TextLit)
    def _text(self, expr: ast.TextLit, scope: frozenset[str]) -> Line:
        return [Segment(_quote(expr.value), "literal")]

    @visits(ast.BoolLit)
    def _bool(self, expr: ast.BoolLit, scope: frozenset[str]) -> Line:
        return [self._literal_word("true" if expr.value else "false")]

    @visits(ast.DateLit)
    def _date(self, expr: ast.DateLit, scope: frozenset[str]) -> Line:
        value = expr.value
        if isinstance(value, datetime.datetime):
            text = zones.literal_text(value)
        elif isinstance(value, datetime.time):
            text = zones.clock_text(value)
        else:
            text = value.isoformat()
        return [Segment(text, "literal")]

    @visits(ast.NoneLit)
    def _none(self, expr: ast.NoneLit, scope: frozenset[str]) -> Line:
        return [self._literal_word("none")]

    @visits(ast.NameRef)
    def _name_ref(self, expr: ast.NameRef, scope: frozenset[str]) -> Line:
        return [self._name(expr.name, scope)]

    @visits(ast.FieldAccess)
    def _field_access(self, expr: ast.FieldAccess, scope: frozenset[str]) -> Line:
        target, field = expr.target, expr.field
        if (
            isinstance(target, ast.NameRef)
            and target.name in self.modules
            and target.name not in scope
        ):
            # `units.group_of`: a name of an imported module, one name.
            qualified = f"{target.name}.{field.name}"
            return [Segment(qualified, "name", qualified)]
        return [*self.flat(target, _POSTFIX, scope), Segment("."), Segment(field.name, "field")]

    @visits(ast.Call)
    def _call(self, expr: ast.Call, scope: frozenset[str]) -> Line:
        words = self._call_in_words(expr, scope)
        if words is not None:
            return words
        return [*self.flat(expr.callee, _POSTFIX, scope), *self._items("(", expr.args, ")", scope)]

    def _call_in_words(self, expr: ast.Call, scope: frozenset[str]) -> Line | None:
        """A call the vocabulary says in words (`call NAME`: `ancestors(units, u, "id",
        "parent")` is "units 中 u 沿 parent 向上的各级（键 id）"), its fields named by text
        constants shown as fields; None for any other call, and in the source notation."""
        callee = expr.callee
        if not isinstance(callee, ast.NameRef) or callee.name in scope | self.declared:
            return None
        template = self.v.words.get(f"call {callee.name}")
        if template is None or len(expr.args) != 4:
            return None
        items, start, key, link = expr.args
        if not (isinstance(key, ast.TextLit) and isinstance(link, ast.TextLit)):
            return None
        holes = {
            "{items}": self.flat(items, _POSTFIX, scope),
            "{start}": self.flat(start, _POSTFIX, scope),
            "{key}": [Segment(key.value, "field")],
            "{link}": [Segment(link.value, "field")],
        }
        line: Line = []
        for piece in re.split(r"(\{\w+\})", template):
            if piece in holes:
                line += holes[piece]
            elif piece:
                line.append(Segment(piece, "keyword"))
        return line

    @visits(ast.WithInputs)
    def _with_inputs(self, expr: ast.WithInputs, scope: frozenset[str]) -> Line:
        line = [*self.flat(expr.target, _POSTFIX, scope), Segment("[")]
        for index, binding in enumerate(expr.bindings):
            if index:
                line.append(Segment(", "))
            line += [Segment(binding.name.name, "name", binding.name.name), Segment(" = ")]
            line += self.flat(binding.value, 0, scope)
        return [*line, Segment("]")]

    @visits(ast.Negate)
    def _negate(self, expr: ast.Negate, scope: frozenset[str]) -> Line:
        return [self.op("neg"), *self.flat(expr.operand, _NEG, scope)]

    @visits(ast.Not)
    def _not(self, expr: ast.Not, scope: frozenset[str]) -> Line:
        return [self.kw("not"), Segment(" "), *self.flat(expr.operand, _NOT, scope)]

    @visits(ast.Arith)
    def _arith(self, expr: ast.Arith, scope: frozenset[str]) -> Line:
        level = _level(expr)
        if level == _POWER:  # to the right, the exponent may be `-n`
            return self._binary(expr.left, _POSTFIX, self.op("**"), expr.right, _NEG, scope)
        return self._binary(expr.left, level, self.op(expr.op), expr.right, level + 1, scope)

    @visits(ast.Compare)
    def _compare(self, expr: ast.Compare, scope: frozenset[str]) -> Line:
        op = self.op(expr.op)
        return self._binary(expr.left, _COALESCE, op, expr.right, _COALESCE, scope)

    @visits(ast.Coalesce)
    def _coalesce(self, expr: ast.Coalesce, scope: frozenset[str]) -> Line:
        return self._binary(expr.value, _COALESCE, self.op("??"), expr.fallback, _ADD, scope)

    @visits(ast.In)
    def _in(self, expr: ast.In, scope: frozenset[str]) -> Line:
        word = self.kw("not in" if expr.negated else "in")
        return self._binary(expr.item, _COALESCE, word, expr.collection, _COALESCE, scope)

    @visits(ast.IsNone)
    def _is_none(self, expr: ast.IsNone, scope: frozenset[str]) -> Line:
        return [
            *self.flat(expr.operand, _COALESCE, scope),
            Segment(" "),
            self.kw("is not none" if expr.negated else "is none"),
        ]

    @visits(ast.IsMember)
    def _is_member(self, expr: ast.IsMember, scope: frozenset[str]) -> Line:
        return [
            *self.flat(expr.operand, _COALESCE, scope),
            Segment(" "),
            self.kw("is not member" if expr.negated else "is member"),
            Segment(" "),
            Segment(expr.member.name),
        ]

    @visits(ast.Match)
    def _match(self, expr: ast.Match, scope: frozenset[str]) -> Line:
        sp = Segment(" ")
        line: Line = [self.kw("match"), sp, *self.flat(expr.subject, _OR, scope), Segment(":")]
        for case in expr.cases:
            inner = scope | {b.name for b in case.bindings}
            line += [sp, *self._arm_head(case.member.name, case.bindings)]
            line += self.flat(case.body, _OR, inner)
        if expr.otherwise is not None:
            line += [sp, *self._arm_head("_", ()), *self.flat(expr.otherwise, _OR, scope)]
        return line

    def _match_block(self, expr: ast.Match, scope: frozenset[str], indent: int) -> list[Line]:
        """A `match` one arm a line under its subject."""
        head = [self.kw("match"), Segment(" "), *self.flat(expr.subject, _OR, scope)]
        lines: list[Line] = [[*head, Segment(":")]]
        for case in expr.cases:
            prefix = [Segment("  "), *self._arm_head(case.member.name, case.bindings)]
            arm_scope = scope | {b.name for b in case.bindings}
            lines += _prefixed(
                prefix, self.block(case.body, _OR, arm_scope, indent + _width(prefix))
            )
        if expr.otherwise is not None:
            prefix = [Segment("  "), *self._arm_head("_", ())]
            lines += _prefixed(
                prefix, self.block(expr.otherwise, _OR, scope, indent + _width(prefix))
            )
        return lines

    def _arm_head(self, member: str, bindings: tuple[ast.Ident, ...]) -> Line:
        """`case card(number, amount) => ` (the member `_` for the rest)."""
        sp = Segment(" ")
        line: Line = [self.kw("case"), sp, Segment(member)]
        if bindings:
            line.append(Segment("("))
            for index, binding in enumerate(bindings):
                line += [Segment(", ")] if index else []
                line.append(Segment(binding.name, "local"))
            line.append(Segment(")"))
        return [*line, sp, self.kw("arm"), sp]

    @visits(ast.BoolOp)
    def _bool_op(self, expr: ast.BoolOp, scope: frozenset[str]) -> Line:
        sp = Segment(" ")
        need = _AND if expr.op == "or" else _NOT
        line: Line = []
        for index, operand in enumerate(expr.operands):
            if index:
                line += [sp, self.kw(expr.op), sp]
            line += self.flat(operand, need, scope)
        return line

    @visits(ast.If)
    def _if(self, expr: ast.If, scope: frozenset[str]) -> Line:
        sp = Segment(" ")
        line: Line = []
        branches, otherwise = _if_chain(expr)
        for condition, then in branches:
            if line:
                line += [sp, self.kw("else"), sp]
            line += [self.kw("if"), sp, *self.flat(condition, 0, scope), sp, self.kw("then"), sp]
            line += self.flat(then, 0, scope)
        return [*line, sp, self.kw("else"), sp, *self.flat(otherwise, 0, scope)]

    @visits(ast.Compose)
    def _compose(self, expr: ast.Compose, scope: frozenset[str]) -> Line:
        head = self._compose_head(expr, scope)
        return [*head, Segment(" "), *self._items("[", expr.items, "]", scope)]

    @visits(ast.Aggregate)
    def _aggregate(self, expr: ast.Aggregate, scope: frozenset[str]) -> Line:
        head, filter_, body, inner = self._aggregate_parts(expr, scope)
        line = head
        if filter_ is not None:
            line += [Segment(" "), *filter_]
        if body is not None:
            line += [*self._body_separator(), *self.flat(body, 0, inner)]
        return line

    @visits(ast.ListLit)
    def _list(self, expr: ast.ListLit, scope: frozenset[str]) -> Line:
        return self._items("[", expr.items, "]", scope)

    @visits(ast.RecordLit)
    def _record(self, expr: ast.RecordLit, scope: frozenset[str]) -> Line:
        line = [Segment("{")]
        for index, field_item in enumerate(expr.items):
            if index:
                line.append(Segment(", "))
            line += self._record_item(field_item, scope)
        return [*line, Segment("}")]

    def _literal_word(self, key: str) -> Segment:
        return Segment(self.v.word(key), "literal")

    def _name(self, name: str, scope: frozenset[str]) -> Segment:
        if name in scope:
            return Segment(name, "local")
        return Segment(name, "name", name)

    def _binary(
        self, left: ast.Expr, need_left: int, op: Segment, right: ast.Expr, need_right: int,
        scope: frozenset[str],
    ) -> Line:  # fmt: skip
        return [
            *self.flat(left, need_left, scope),
            Segment(" "),
            op,
            Segment(" "),
            *self.flat(right, need_right, scope),
        ]

    def _items(
        self, open_: str, items: tuple[ast.Expr, ...], close: str, scope: frozenset[str]
    ) -> Line:
        line = [Segment(open_)]
        for index, item in enumerate(items):
            if index:
                line.append(Segment(", "))
            line += self.flat(item, 0, scope)
        return [*line, Segment(close)]

    def _record_item(self, item: ast.RecordField | ast.RecordSpread, scope: frozenset[str]) -> Line:
        if isinstance(item, ast.RecordSpread):
            return [Segment("..."), *self.flat(item.value, _POSTFIX, scope)]
        return [Segment(item.name.name, "field"), Segment(": "), *self.flat(item.value, 0, scope)]

    def _compose_head(self, expr: ast.Compose, scope: frozenset[str]) -> Line:
        if expr.kind == "at_least":
            assert expr.count is not None
            count = line_text(self.flat(expr.count, _ATOM, scope))
            return [self.kw("at least", n=count)]
        return [self.kw("all of" if expr.kind == "all" else "any of")]

    def _aggregate_parts(
        self, expr: ast.Aggregate, scope: frozenset[str]
    ) -> tuple[Line, Line | None, ast.Expr | None, frozenset[str]]:
        """The head (`count of u in units`), the filter (`where …`) and the body."""
        sp = Segment(" ")
        inner = scope | {expr.var.name}
        head = [self.kw(expr.kind), sp, Segment(expr.var.name, "local"), sp, self.kw("agg in"), sp]
        head += self.flat(expr.collection, _OR, scope)
        filter_ = None
        if expr.filter is not None:
            filter_ = [self.kw("where"), sp, *self.flat(expr.filter, _OR, inner)]
        return head, filter_, expr.body, inner

    def _body_separator(self) -> Line:
        if self.v.spaced_body:
            return [Segment(" "), self.kw("body"), Segment(" ")]
        return [self.kw("body")]

    # -- several lines ---------------------------------------------------------------------

    def block(
        self, expr: ast.Expr, need: int, scope: frozenset[str], indent: int = 0
    ) -> list[Line]:
        """`expr` laid out in lines (the first at column `indent`, which it does not include)."""
        line = self.flat(expr, need, scope)
        if _width(line) + indent <= self.width:
            return [line]
        lines = self._block(expr, scope, indent + (1 if _level(expr) < need else 0))
        if _level(expr) < need:
            lines[0] = [Segment("("), *lines[0]]
            lines[-1] = [*lines[-1], Segment(")")]
        return lines

    def _block(self, expr: ast.Expr, scope: frozenset[str], indent: int) -> list[Line]:
        sp = Segment(" ")
        match expr:
            case ast.BoolOp(op=op, operands=operands):
                need = _AND if op == "or" else _NOT
                lines = self.block(operands[0], need, scope, indent)
                for operand in operands[1:]:
                    prefix = [Segment("  "), self.kw(op), sp]
                    lines += _prefixed(
                        prefix, self.block(operand, need, scope, indent + _width(prefix))
                    )
                return lines
            case ast.If():
                pairs, otherwise = _if_chain(expr)
                lines = []
                for index, (condition, then) in enumerate(pairs):
                    head = (
                        [self.kw("if"), sp]
                        if index == 0
                        else [self.kw("else"), sp, self.kw("if"), sp]
                    )
                    head = [*head, *self.flat(condition, 0, scope), sp, self.kw("then")]
                    then_lines = self.block(then, 0, scope, indent + _width(head) + 1)
                    if (
                        len(then_lines) == 1
                        and _width(head) + 1 + _width(then_lines[0]) + indent <= self.width
                    ):
                        lines.append([*head, sp, *then_lines[0]])
                    else:
                        lines.append(head)
                        lines += _indented(self.block(then, 0, scope, indent + 2))
                else_head = [self.kw("else"), sp]
                return lines + _prefixed(
                    else_head, self.block(otherwise, 0, scope, indent + _width(else_head))
                )
            case ast.Match():
                return self._match_block(expr, scope, indent)
            case ast.Compose(items=items):
                return self._bracketed(
                    [*self._compose_head(expr, scope), sp, Segment("[")], items, "]", scope, indent
                )
            case ast.ListLit(items=items):
                return self._bracketed([Segment("[")], items, "]", scope, indent)
            case ast.Call(callee=callee, args=args) if (
                args and self._call_in_words(expr, scope) is None
            ):
                head = [*self.flat(callee, _POSTFIX, scope), Segment("(")]
                return self._bracketed(head, args, ")", scope, indent)
            case ast.RecordLit(items=items):
                lines = [[Segment("{")]]
                for item in items:
                    inner = self._record_block(item, scope, indent + 2)
                    inner[-1] = [*inner[-1], Segment(",")]
                    lines += _indented(inner)
                return [*lines, [Segment("}")]]
            case ast.Aggregate():
                head, filter_, body, inner_scope = self._aggregate_parts(expr, scope)
                lines = [head]
                if filter_ is not None:
                    lines.append([Segment("  "), *filter_])
                if body is not None:
                    separator = [Segment("  "), self.kw("body"), sp]
                    lines += _prefixed(
                        separator, self.block(body, 0, inner_scope, indent + _width(separator))
                    )
                return lines
            case ast.Arith() | ast.Compare() | ast.Coalesce() | ast.In():
                return self._binary_block(expr, scope, indent)
            case ast.Not(operand=operand):
                prefix = [self.kw("not"), sp]
                return _prefixed(prefix, self.block(operand, _NOT, scope, indent + _width(prefix)))
            case ast.Negate(operand=operand):
                return _prefixed([self.op("neg")], self.block(operand, _NEG, scope, indent + 1))
            case ast.IsNone(operand=operand, negated=negated):
                lines = self.block(operand, _COALESCE, scope, indent)
                lines[-1] = [*lines[-1], sp, self.kw("is not none" if negated else "is none")]
                return lines
            case ast.FieldAccess(target=target, field=field):
                lines = self.block(target, _POSTFIX, scope, indent)
                lines[-1] = [*lines[-1], Segment("."), Segment(field.name, "field")]
                return lines
        return [self._flat(expr, scope)]

    def _binary_block(
        self,
        expr: ast.Arith | ast.Compare | ast.Coalesce | ast.In,
        scope: frozenset[str],
        indent: int,
    ) -> list[Line]:
        parts: tuple[ast.Expr, int, Segment, ast.Expr, int]
        match expr:
            case ast.Arith(op="**", left=left, right=right):
                parts = (left, _POSTFIX, self.op("**"), right, _NEG)
            case ast.Arith(op=op, left=left, right=right):
                level = _level(expr)
                parts = (left, level, self.op(op), right, level + 1)
            case ast.Compare(op=op, left=left, right=right):
                parts = (left, _COALESCE, self.op(op), right, _COALESCE)
            case ast.Coalesce(value=left, fallback=right):
                parts = (left, _COALESCE, self.op("??"), right, _ADD)
            case ast.In(item=left, collection=right, negated=negated):
                parts = (left, _COALESCE, self.kw("not in" if negated else "in"), right, _COALESCE)
        left, need_left, op_segment, right, need_right = parts
        lines = self.block(left, need_left, scope, indent + 2)
        if len(lines) > 1:
            # The left side's own continuation lines go deeper than this operator's line, so
            # that the indentation shows what binds tighter.
            lines = [lines[0], *_indented(lines[1:])]
        prefix = [Segment("  "), op_segment, Segment(" ")]
        return lines + _prefixed(
            prefix, self.block(right, need_right, scope, indent + _width(prefix))
        )

    def _bracketed(
        self,
        head: Line,
        items: tuple[ast.Expr, ...],
        close: str,
        scope: frozenset[str],
        indent: int,
    ) -> list[Line]:
        lines = [head]
        for item in items:
            inner = self.block(item, 0, scope, indent + 2)
            inner[-1] = [*inner[-1], Segment(",")]
            lines += _indented(inner)
        return [*lines, [Segment(close)]]

    def _record_block(
        self, item: ast.RecordField | ast.RecordSpread, scope: frozenset[str], indent: int
    ) -> list[Line]:
        if isinstance(item, ast.RecordSpread):
            return _prefixed([Segment("...")], self.block(item.value, _POSTFIX, scope, indent + 3))
        prefix = [Segment(item.name.name, "field"), Segment(": ")]
        return _prefixed(prefix, self.block(item.value, 0, scope, indent + _width(prefix)))


def _if_chain(expr: ast.If) -> tuple[list[tuple[ast.Expr, ast.Expr]], ast.Expr]:
    """`if a then x else if b then y else z` as `[(a, x), (b, y)]` and `z`."""
    pairs = []
    current: ast.Expr = expr
    while isinstance(current, ast.If):
        pairs.append((current.condition, current.then))
        current = current.otherwise
    return pairs, current


def _prefixed(prefix: Line, lines: list[Line]) -> list[Line]:
    """`prefix` before the first line; the others indented by its width."""
    pad = Segment(" " * _width(prefix))
    return [[*prefix, *lines[0]], *([pad, *line] for line in lines[1:])]


def _indented(lines: list[Line]) -> list[Line]:
    return [[Segment("  "), *line] for line in lines]


def _quote(value: str) -> str:
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


# ------------------------------------------------------------------------------------------
# Types


def type_line(
    type_: Type, vocabulary: Vocabulary, name_of: Callable[[Type], str] | None = None
) -> Line:
    """A checked type, readably: `整数,≥ 0`, `list of Unit`, `percentage (may be absent)`.

    Enums and records come out as `name` segments whose `ref` is their qualified name;
    `name_of` gives the text to show for them (default: their short name).
    """
    words = vocabulary.words
    match type_:
        case IntType(bound=bound) | NumberType(bound=bound):
            kind = "int" if isinstance(type_, IntType) else type_.kind
            scale = fixed_scale(type_)
            if scale is None:
                base = words[kind]
            else:  # an amount: the words say its places
                base = words["money"] if scale == 2 else words["scaled"].format(n=scale)
            if bound is None:
                return [Segment(base)]
            described = _bound_text(bound, vocabulary, percent=kind == "percent")
            return [Segment(words["bounded"].format(t=base, b=described))]
        case BoolType():
            return [Segment(words["bool"])]
        case TextType():
            return [Segment(words["text"])]
        case DateType():
            return [Segment(words["date"])]
        case DurationType():
            return [Segment(words["duration"])]
        case DateTimeType():
            return [Segment(words["datetime"])]
        case TimeType():
            return [Segment(words["time"])]
        case NoneType():
            return [Segment(words["none"])]
        case (
            EnumType(qualified=qualified)
            | RecordType(qualified=qualified)
            | SumType(qualified=qualified)
        ):
            text = name_of(type_) if name_of else type_.name
            return [Segment(text, "name", qualified)]
        case ListType(element=element):
            return _fill(words["list of"], type_line(element, vocabulary, name_of))
        case OptionalType(inner=inner):
            return _fill(words["optional"], type_line(inner, vocabulary, name_of))
    raise AssertionError(f"unknown type {type_!r}")


def _fill(template: str, inner: Line) -> Line:
    before, _, after = template.partition("{t}")
    return [*([Segment(before)] if before else []), *inner, *([Segment(after)] if after else [])]


def _bound_text(bound: NumericBound, vocabulary: Vocabulary, *, percent: bool) -> str:
    words = vocabulary.words

    def number(value: Fraction) -> str:
        return format_number(value, percent=percent)

    if bound.low is not None and bound.high is not None:
        if bound.low_inclusive:
            key = "range" if bound.high_inclusive else "range open"
            return words[key].format(a=number(bound.low), b=number(bound.high))
        low = words["more than n"].format(n=number(bound.low))
        high_key = "at most n" if bound.high_inclusive else "less than n"
        return f"{low}, {words[high_key].format(n=number(bound.high))}"
    if bound.low is not None:
        key = "at least n" if bound.low_inclusive else "more than n"
        return words[key].format(n=number(bound.low))
    if bound.high is not None:
        key = "at most n" if bound.high_inclusive else "less than n"
        return words[key].format(n=number(bound.high))
    return ""


def value_text(value: object, type_: Type | None, vocabulary: Vocabulary) -> str:
    """A runtime constant (a param's value, a schedule cell) in the notation's words."""
    words = vocabulary.words
    if value is None:
        return words["none"]
    if isinstance(value, bool):
        return words["true" if value else "false"]
    inner = type_.inner if isinstance(type_, OptionalType) else type_
    if isinstance(value, int | Fraction):
        return format_number(
            value,
            percent=isinstance(inner, NumberType) and inner.kind == "percent",
            scale=fixed_scale(inner),
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return zones.clock_text(value)
    if isinstance(value, Duration):
        return value.source()  # `days(3)`: as the policy writes it
    if isinstance(value, str):
        return value if isinstance(inner, EnumType) else _quote(value)
    if isinstance(value, tuple | list):
        element = inner.element if isinstance(inner, ListType) else None
        return "[" + ", ".join(value_text(item, element, vocabulary) for item in value) + "]"
    if isinstance(value, dict):
        fields = {f.name: f.type for f in inner.fields} if isinstance(inner, RecordType) else {}
        return (
            "{"
            + ", ".join(
                f"{k}: {value_text(v, fields.get(k), vocabulary)}" for k, v in value.items()
            )
            + "}"
        )
    return str(value)


__all__ += ["value_text"]
