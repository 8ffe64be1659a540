"""From policy text to the surface AST.

Owns loading the grammar (shipped inside the package, loaded once through
`importlib.resources`), the Lark configuration (LALR(1), contextual lexer, propagated
positions), the transformer from Lark's concrete tree to `wuxin_rules.ast`, the nesting limit
that keeps later recursive passes safe, and the translation of Lark's errors into
`PolicySyntaxError` diagnostics an author can act on. The only module that imports lark.
May import `source`, `errors` and `ast`.
"""

from __future__ import annotations

import datetime
import functools
import importlib.resources
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)
from lark.visitors import Transformer_NonRecursive

from wuxin_rules import ast
from wuxin_rules.errors import Diagnostic, PolicySyntaxError, suggest
from wuxin_rules.source import Source, Span

__all__ = ["KEYWORDS", "MAX_NESTING", "grammar_text", "parse", "parse_expression"]

MAX_NESTING = 100
"""Deepest expression nesting accepted. Deeper input gets a `too-deep` error instead of
exhausting Python's stack in the recursive passes that follow parsing."""

MAX_SOURCE_CHARS = 5_000_000
"""Largest policy text accepted (a policy is written by people; 5 MB is far beyond that)."""


@functools.cache
def grammar_text() -> str:
    """The grammar of the language, as shipped inside the package."""
    return (importlib.resources.files("wuxin_rules") / "wuxin.lark").read_text(encoding="utf-8")


@functools.cache
def _lark() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        start=["start", "expr"],
    )


@functools.cache
def _keywords() -> frozenset[str]:
    words = set()
    for terminal in _lark().terminals:
        pattern = terminal.pattern
        if pattern.type == "str" and pattern.value.isidentifier():
            words.add(pattern.value)
    return frozenset(words)


def __getattr__(name: str) -> Any:
    if name == "KEYWORDS":
        return _keywords()
    raise AttributeError(name)


# ------------------------------------------------------------------------------------------
# Public entry points


def parse(text: str, name: str = "<string>") -> ast.Module:
    """Parse the text of one `.policy` file.

    Raises `PolicySyntaxError` with located diagnostics when the text does not follow the
    grammar or nests expressions deeper than `MAX_NESTING`.
    """
    source = Source(name, text)
    return _parse(source, "start")  # type: ignore[no-any-return]


def parse_expression(text: str, name: str = "<expression>") -> ast.Expr:
    """Parse a single expression (used for `--param` values and tests)."""
    source = Source(name, text)
    return _parse(source, "expr")  # type: ignore[no-any-return]


def _parse(source: Source, start: str) -> Any:
    if len(source.text) > MAX_SOURCE_CHARS:
        raise PolicySyntaxError(
            Diagnostic(
                "too-large",
                f"policy text is {len(source.text):,} characters long, more than the "
                f"{MAX_SOURCE_CHARS:,} accepted",
                span=Span(source, 0, 0),
                help="split the policy into modules and `import` them",
            )
        )
    try:
        tree = _lark().parse(source.text, start=start)
    except UnexpectedInput as error:
        raise PolicySyntaxError(_syntax_diagnostic(source, error)) from None
    builder = _AstBuilder(source)
    try:
        return builder.transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, PolicySyntaxError):
            raise error.orig_exc from None
        raise


# ------------------------------------------------------------------------------------------
# Syntax errors

_TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": 'a text in double quotes ("…")',
    "INT": "a whole number",
    "DECIMAL": "a decimal number",
    "PERCENT": "a percentage",
    "DATE": "a date (YYYY-MM-DD)",
    "COMPARE_OP": "a comparison (`==`, `<=`, …)",
    "MONOTONE_DIRECTION": "`nondecreasing` or `nonincreasing`",
    "$END": "the end of the file",
}

_DECLARATION_KEYWORDS = (
    "import", "enum", "record", "input", "param", "criterion", "rule",
    "schedule", "bands", "example", "property",
)  # fmt: skip


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    try:
        terminal = _lark().get_terminal(name)
    except KeyError:
        return name.lower()
    pattern = terminal.pattern
    if pattern.type == "str":
        return f"`{pattern.value}`"
    return name.lower()


def _expected_words(names: set[str]) -> str:
    words = sorted({_describe_terminal(n) for n in names if not n.startswith("__")})
    declaration_starts = {f"`{k}`" for k in _DECLARATION_KEYWORDS}
    if declaration_starts <= set(words):
        words = [w for w in words if w not in declaration_starts] + ["a declaration"]
    if len(words) > 8:
        words = [*words[:8], "…"]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _token_text(token: Token) -> str:
    if token.type == "$END":
        return "the end of the file"
    return f"`{token.value}`"


_FULL_WIDTH = {
    "：": ":", "，": ",", "（": "(", "）": ")", "％": "%", "；": ";",
    "“": '"', "”": '"', "【": "[", "】": "]", "＝": "=", "＜": "<", "＞": ">",
}  # fmt: skip


def _syntax_diagnostic(source: Source, error: UnexpectedInput) -> Diagnostic:
    if isinstance(error, UnexpectedCharacters):
        offset = error.pos_in_stream
        char = source.text[offset] if offset < len(source.text) else ""
        span = Span(source, offset, offset + 1)
        if char in _FULL_WIDTH or "０" <= char <= "９":
            fix = _FULL_WIDTH.get(char) or chr(ord(char) - ord("０") + ord("0"))
            return Diagnostic(
                "full-width-character",
                f"full-width `{char}` outside a text",
                span=span,
                help=f"type the half-width `{fix}` instead (switch the input method to English)",
            )
        if char == '"' or char == "'":
            return Diagnostic(
                "unterminated-text",
                "text is not closed" if char == '"' else "texts are written in double quotes",
                span=span,
                help='close the text with `"` on the same line'
                if char == '"'
                else 'write `"…"` instead of `\'…\'`',
            )
        return Diagnostic(
            "unexpected-character",
            f"unexpected character `{char}`",
            span=span,
            help=f"expected {_expected_words(set(error.allowed or ()))}" if error.allowed else None,
        )
    if isinstance(error, UnexpectedToken):
        token = error.token
        expected = set(error.expected)
        if token.type == "$END":
            span = source.end_span()
        else:
            start = token.start_pos if token.start_pos is not None else len(source.text)
            end = token.end_pos if token.end_pos is not None else start
            span = Span(source, start, end)
        return Diagnostic(
            "unexpected-token",
            f"unexpected {_token_text(token)}",
            span=span,
            notes=(f"expected {_expected_words(expected)}",),
            help=_syntax_help(token, expected),
        )
    if isinstance(error, UnexpectedEOF):
        return Diagnostic(
            "unexpected-end",
            "unexpected end of the file",
            span=source.end_span(),
            notes=(f"expected {_expected_words(set(error.expected))}",),
        )
    return Diagnostic("syntax-error", str(error).splitlines()[0], span=source.end_span())


def _syntax_help(token: Token, expected: set[str]) -> str | None:
    """A fix for the common slips: a missing colon, a misspelt keyword, a reserved word."""
    value = str(token.value)
    if "COLON" in expected and len(expected) <= 6:
        return "add `:` before the rule's expression"
    if token.type == "NAME":
        keywords = [
            _lark().get_terminal(n).pattern.value
            for n in expected
            if not n.startswith("__") and _lark().get_terminal(n).pattern.type == "str"
        ]
        hint = suggest(value, [k for k in keywords if k.isidentifier()])
        if hint:
            return hint
        hint = suggest(value, _DECLARATION_KEYWORDS)
        if hint:
            return hint
    if value in _keywords() and "NAME" in expected:
        return f"`{value}` is a reserved word of the language: choose another name"
    return None


# ------------------------------------------------------------------------------------------
# Concrete tree -> AST


def _meta_span(source: Source, meta: Any, children: list[Any]) -> Span:
    if not getattr(meta, "empty", True):
        return Span(source, meta.start_pos, meta.end_pos)
    # An empty meta (a rule that matched no token of its own): take the children's spans.
    spans = [c.span for c in children if hasattr(c, "span")]
    if spans:
        return spans[0].to(spans[-1])
    return Span(source, 0, 0)


def _node(function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a builder method so it receives `(span, children)` and tracks nesting depth."""

    @functools.wraps(function)
    def wrapper(self: _AstBuilder, meta: Any, children: list[Any]) -> Any:
        span = _meta_span(self.source, meta, children)
        return function(self, span, children)

    wrapper._wuxin_node = True  # type: ignore[attr-defined]
    return wrapper


class _AstBuilder(Transformer_NonRecursive):  # type: ignore[type-arg]
    """One method per grammar rule (or alias). Non-recursive, so deep input cannot overflow."""

    def __init__(self, source: Source) -> None:
        super().__init__(visit_tokens=False)
        self.source = source
        self._depth: dict[int, int] = {}

    # Lark calls `__default__` for any rule without a method: that is a grammar/AST mismatch.
    def __default__(self, data: str, children: list[Any], meta: Any) -> Any:
        raise AssertionError(f"grammar rule `{data}` has no AST mapping")

    def _call_userfunc(self, tree: Tree[Any], new_children: list[Any] | None = None) -> Any:
        children = new_children if new_children is not None else tree.children
        method = getattr(self, tree.data, None)
        if method is None or not getattr(method, "_wuxin_node", False):
            return self.__default__(tree.data, children, tree.meta)
        return method(tree.meta, children)

    def _tok(self, token: Token) -> Span:
        return Span(self.source, token.start_pos or 0, token.end_pos or 0)

    def _ident(self, token: Token) -> ast.Ident:
        return ast.Ident(str(token), self._tok(token))

    def _text(self, token: Token) -> ast.Text:
        return ast.Text(_unquote(str(token)), self._tok(token))

    def _expr(self, node: Any, span: Span, *children: Any) -> Any:
        """Record the nesting depth of an expression node and enforce the limit."""
        depth = 1 + max((self._depth.get(id(c), 0) for c in children), default=0)
        if depth > MAX_NESTING:
            raise PolicySyntaxError(
                Diagnostic(
                    "too-deep",
                    f"expression nested more than {MAX_NESTING} levels deep",
                    span=Span(span.source, span.start, min(span.end, span.start + 1)),
                    help="split it into named rules; each rule can refer to the others",
                )
            )
        self._depth[id(node)] = depth
        self._keep.append(node)
        return node

    @property
    def _keep(self) -> list[Any]:
        # Holding every node alive keeps the ids in `_depth` from being reused.
        keep: list[Any] = self.__dict__.setdefault("_kept", [])
        return keep

    # -- shared pieces ---------------------------------------------------------------------

    @_node
    def qualified_name(self, span: Span, children: list[Any]) -> ast.QualifiedName:
        return ast.QualifiedName(tuple(self._ident(t) for t in children), span)

    @_node
    def label(self, span: Span, children: list[Any]) -> tuple[str, ast.Text]:
        return ("label", self._text(children[0]))

    @_node
    def source_clause(self, span: Span, children: list[Any]) -> tuple[str, ast.Text]:
        return ("source", self._text(children[0]))

    @_node
    def cites(self, span: Span, children: list[Any]) -> tuple[str, tuple[ast.Text, ...]]:
        return ("cites", tuple(self._text(t) for t in children))

    @_node
    def note(self, span: Span, children: list[Any]) -> tuple[str, ast.Text]:
        return ("note", self._text(children[0]))

    @staticmethod
    def _split(children: list[Any]) -> tuple[list[Any], ast.Doc, dict[str, Any]]:
        """Separate doc clauses (label/cites/note/source) from the other children."""
        rest: list[Any] = []
        clauses: dict[str, Any] = {}
        for child in children:
            if isinstance(child, tuple) and len(child) == 2 and child[0] in (
                "label", "cites", "note", "source", "returns", "params",
            ):  # fmt: skip
                clauses[child[0]] = child[1]
            else:
                rest.append(child)
        doc = ast.Doc(clauses.get("label"), clauses.get("cites", ()), clauses.get("note"))
        return rest, doc, clauses

    # -- module and declarations -----------------------------------------------------------

    @_node
    def start(self, span: Span, children: list[Any]) -> ast.Module:
        header = children[0] if children and isinstance(children[0], ast.Header) else None
        declarations = tuple(children[1:] if header else children)
        return ast.Module(header, declarations, Span(self.source, 0, len(self.source.text)))

    @_node
    def header(self, span: Span, children: list[Any]) -> ast.Header:
        rest, doc, clauses = self._split(children)
        return ast.Header(rest[0], doc, clauses.get("source"), span)

    @_node
    def import_decl(self, span: Span, children: list[Any]) -> ast.ImportDecl:
        module = children[0]
        alias = next((c[1] for c in children[1:] if c[0] == "alias"), None)
        names = next((c[1] for c in children[1:] if c[0] == "names"), ())
        return ast.ImportDecl(module, alias, names, span)

    @_node
    def import_alias(self, span: Span, children: list[Any]) -> tuple[str, ast.Ident]:
        return ("alias", self._ident(children[0]))

    @_node
    def import_list(self, span: Span, children: list[Any]) -> tuple[str, tuple[ast.Ident, ...]]:
        return ("names", tuple(self._ident(t) for t in children))

    @_node
    def enum_decl(self, span: Span, children: list[Any]) -> ast.EnumDecl:
        name = self._ident(children[0])
        rest, doc, _ = self._split(children[1:])
        return ast.EnumDecl(name, doc, tuple(rest), span)

    @_node
    def enum_member(self, span: Span, children: list[Any]) -> ast.EnumMember:
        label = children[1][1] if len(children) > 1 else None
        return ast.EnumMember(self._ident(children[0]), label, span)

    @_node
    def record_decl(self, span: Span, children: list[Any]) -> ast.RecordDecl:
        name = self._ident(children[0])
        rest, doc, _ = self._split(children[1:])
        return ast.RecordDecl(name, doc, tuple(rest), span)

    @_node
    def field_decl(self, span: Span, children: list[Any]) -> ast.FieldDecl:
        rest, doc, _ = self._split(children[1:])
        return ast.FieldDecl(self._ident(children[0]), rest[0], doc, span)

    @_node
    def input_decl(self, span: Span, children: list[Any]) -> ast.InputDecl:
        rest, doc, _ = self._split(children[1:])
        return ast.InputDecl(self._ident(children[0]), rest[0], doc, span)

    @_node
    def param_decl(self, span: Span, children: list[Any]) -> ast.ParamDecl:
        rest, doc, _ = self._split(children[1:])
        return ast.ParamDecl(self._ident(children[0]), rest[0], rest[1], doc, span)

    def _rule(self, kind: str, span: Span, children: list[Any]) -> ast.RuleDecl:
        name = self._ident(children[0])
        rest, doc, clauses = self._split(children[1:])
        return ast.RuleDecl(
            kind, name, clauses.get("params"), doc, clauses.get("returns"), rest[-1], span
        )

    @_node
    def criterion_decl(self, span: Span, children: list[Any]) -> ast.RuleDecl:
        return self._rule("criterion", span, children)

    @_node
    def rule_decl(self, span: Span, children: list[Any]) -> ast.RuleDecl:
        return self._rule("rule", span, children)

    @_node
    def rule_params(self, span: Span, children: list[Any]) -> tuple[str, tuple[ast.RuleParam, ...]]:
        return ("params", tuple(children))

    @_node
    def rule_param(self, span: Span, children: list[Any]) -> ast.RuleParam:
        return ast.RuleParam(self._ident(children[0]), children[1], span)

    @_node
    def returns(self, span: Span, children: list[Any]) -> tuple[str, ast.TypeExpr]:
        return ("returns", children[0])

    @_node
    def schedule_decl(self, span: Span, children: list[Any]) -> ast.ScheduleDecl:
        name = self._ident(children[0])
        rest, doc, _ = self._split(children[1:])
        value_type = rest[0]
        period = self._ident(rest[1])
        category = None
        index = 2
        if index < len(rest) and isinstance(rest[index], ast.TypeRef | ast.ListTypeExpr | ast.OptionalTypeExpr):
            category = rest[index]
            index += 1
        monotone = tuple(c for c in rest[index:] if isinstance(c, ast.Monotone))
        stages = tuple(c for c in rest[index:] if isinstance(c, ast.Stage))
        return ast.ScheduleDecl(name, doc, value_type, period, category, monotone, stages, span)

    @_node
    def monotone(self, span: Span, children: list[Any]) -> ast.Monotone:
        return ast.Monotone(str(children[0]), self._ident(children[1]), span)

    @_node
    def stage(self, span: Span, children: list[Any]) -> ast.Stage:
        name = self._ident(children[0])
        rest, doc, _ = self._split(children[1:])
        start, end = rest[0]
        return ast.Stage(name, doc, start, end, tuple(rest[1:]), span)

    @_node
    def stage_range(self, span: Span, children: list[Any]) -> tuple[ast.DateLit | None, ast.DateLit]:
        dates = [self._date(t) for t in children]
        return (dates[0] if len(dates) == 2 else None, dates[-1])

    @_node
    def schedule_row(self, span: Span, children: list[Any]) -> ast.ScheduleRow:
        period = ast.IntLit(int(children[0]), self._tok(children[0]))
        return ast.ScheduleRow(period, tuple(children[1:]), span)

    @_node
    def schedule_cell(self, span: Span, children: list[Any]) -> ast.ScheduleCell:
        if len(children) == 2:
            return ast.ScheduleCell(self._ident(children[0]), children[1], span)
        return ast.ScheduleCell(None, children[0], span)

    @_node
    def bands_decl(self, span: Span, children: list[Any]) -> ast.BandsDecl:
        name = self._ident(children[0])
        rest, doc, _ = self._split(children[1:])
        return ast.BandsDecl(name, doc, rest[0], tuple(rest[1:]), span)

    @_node
    def band(self, span: Span, children: list[Any]) -> ast.Band:
        label = children[2][1] if len(children) > 2 else None
        return ast.Band(children[0], self._ident(children[1]), label, span)

    @_node
    def band_range(self, span: Span, children: list[Any]) -> ast.BandRange:
        low, op, high = children
        return ast.BandRange(self._bound(low), self._bound(high), op == "..", span)

    def _bound(self, value: Any) -> ast.Expr:
        if isinstance(value, Token):
            return ast.NameRef(str(value), self._tok(value))
        return value  # type: ignore[no-any-return]

    @_node
    def range_op(self, span: Span, children: list[Any]) -> str:
        return str(children[0])

    @_node
    def example_decl(self, span: Span, children: list[Any]) -> ast.ExampleDecl:
        title = self._text(children[0])
        given = tuple(c for c in children[1:] if isinstance(c, ast.ExampleGiven))
        expect = tuple(c[1] for c in children[1:] if isinstance(c, tuple))
        return ast.ExampleDecl(title, given, expect, span)

    @_node
    def example_given(self, span: Span, children: list[Any]) -> ast.ExampleGiven:
        return ast.ExampleGiven(self._ident(children[0]), children[1], span)

    @_node
    def example_expect(self, span: Span, children: list[Any]) -> tuple[str, ast.Expr]:
        return ("expect", children[0])

    @_node
    def property_decl(self, span: Span, children: list[Any]) -> ast.PropertyDecl:
        title = self._text(children[0])
        binders = tuple(c for c in children[1:] if isinstance(c, ast.Binder))
        others = [c for c in children[1:] if not isinstance(c, ast.Binder)]
        condition = others[0] if len(others) == 2 else None
        return ast.PropertyDecl(title, binders, condition, others[-1], span)

    @_node
    def binder(self, span: Span, children: list[Any]) -> ast.Binder:
        return ast.Binder(self._ident(children[0]), children[1], span)

    # -- types -----------------------------------------------------------------------------

    @_node
    def optional_type(self, span: Span, children: list[Any]) -> ast.OptionalTypeExpr:
        return ast.OptionalTypeExpr(children[0], span)

    @_node
    def list_type(self, span: Span, children: list[Any]) -> ast.ListTypeExpr:
        return ast.ListTypeExpr(children[0], span)

    @_node
    def type_ref(self, span: Span, children: list[Any]) -> ast.TypeRef:
        bound = children[1] if len(children) > 1 else None
        return ast.TypeRef(children[0], bound, span)

    @_node
    def bound_compare(self, span: Span, children: list[Any]) -> ast.Bound:
        op, number = str(children[0]), children[1]
        value = number.value
        if op in (">=", ">"):
            return ast.Bound(value, op == ">=", None, True, span)
        if op in ("<=", "<"):
            return ast.Bound(None, True, value, op == "<=", span)
        raise PolicySyntaxError(
            Diagnostic(
                "bad-bound",
                f"`{op}` cannot bound a type",
                span=span,
                help="use `>=`, `>`, `<=`, `<` or a range `low .. high`",
            )
        )

    @_node
    def bound_range(self, span: Span, children: list[Any]) -> ast.Bound:
        low, op, high = children
        return ast.Bound(low.value, True, high.value, op == "..", span)

    @_node
    def signed_number(self, span: Span, children: list[Any]) -> Any:
        negative = len(children) == 2
        token = children[-1]
        literal = self._number(token)
        if negative:
            literal = _negated(literal, span)
        return literal

    def _number(self, token: Token) -> Any:
        span = self._tok(token)
        text = str(token)
        if token.type == "INT":
            return ast.IntLit(int(text), span)
        if token.type == "DECIMAL":
            return ast.DecimalLit(Fraction(text), text, span)
        return ast.PercentLit(Fraction(text[:-1]) / 100, text, span)

    # -- expressions -----------------------------------------------------------------------

    @_node
    def if_expr(self, span: Span, children: list[Any]) -> ast.If:
        return self._expr(ast.If(children[0], children[1], children[2], span), span, *children)

    @_node
    def aggregate(self, span: Span, children: list[Any]) -> ast.Aggregate:
        kind, var, collection = children[0], self._ident(children[1]), children[2]
        where = next((c[1] for c in children[3:] if c[0] == "where"), None)
        body = next((c[1] for c in children[3:] if c[0] == "body"), None)
        node = ast.Aggregate(kind, var, collection, where, body, span)
        return self._expr(node, span, collection, where, body)

    @_node
    def aggregate_kind(self, span: Span, children: list[Any]) -> str:
        return str(children[0])

    @_node
    def where_clause(self, span: Span, children: list[Any]) -> tuple[str, ast.Expr]:
        return ("where", children[0])

    @_node
    def body(self, span: Span, children: list[Any]) -> tuple[str, ast.Expr]:
        return ("body", children[0])

    def _bool_op(self, op: str, span: Span, children: list[Any]) -> ast.BoolOp:
        left, right = children
        # Flatten `a and b and c` into one node: explanations list the operands side by side.
        if isinstance(left, ast.BoolOp) and left.op == op and self._flat.get(id(left)):
            operands = (*left.operands, right)
        else:
            operands = (left, right)
        node = ast.BoolOp(op, operands, span)
        self._flat[id(node)] = True
        return self._expr(node, span, *operands)

    @property
    def _flat(self) -> dict[int, bool]:
        flat: dict[int, bool] = self.__dict__.setdefault("_flat_ops", {})
        return flat

    @_node
    def or_op(self, span: Span, children: list[Any]) -> ast.BoolOp:
        return self._bool_op("or", span, children)

    @_node
    def and_op(self, span: Span, children: list[Any]) -> ast.BoolOp:
        return self._bool_op("and", span, children)

    @_node
    def not_op(self, span: Span, children: list[Any]) -> ast.Not:
        return self._expr(ast.Not(children[0], span), span, children[0])

    @_node
    def compare(self, span: Span, children: list[Any]) -> ast.Compare:
        left, op, right = children
        return self._expr(ast.Compare(str(op), left, right, span), span, left, right)

    @_node
    def in_op(self, span: Span, children: list[Any]) -> ast.In:
        return self._expr(ast.In(children[0], children[1], False, span), span, *children)

    @_node
    def not_in_op(self, span: Span, children: list[Any]) -> ast.In:
        return self._expr(ast.In(children[0], children[1], True, span), span, *children)

    @_node
    def is_none(self, span: Span, children: list[Any]) -> ast.IsNone:
        return self._expr(ast.IsNone(children[0], False, span), span, children[0])

    @_node
    def is_not_none(self, span: Span, children: list[Any]) -> ast.IsNone:
        return self._expr(ast.IsNone(children[0], True, span), span, children[0])

    @_node
    def coalesce_op(self, span: Span, children: list[Any]) -> ast.Coalesce:
        return self._expr(ast.Coalesce(children[0], children[1], span), span, *children)

    @_node
    def arith(self, span: Span, children: list[Any]) -> ast.Arith:
        left, op, right = children
        return self._expr(ast.Arith(str(op), left, right, span), span, left, right)

    @_node
    def negate(self, span: Span, children: list[Any]) -> ast.Expr:
        operand = children[-1]
        # `-5` and `-50%` are literals, so that bounds and table cells can be negative.
        if isinstance(operand, ast.IntLit | ast.DecimalLit | ast.PercentLit):
            return _negated(operand, span)
        return self._expr(ast.Negate(operand, span), span, operand)

    @_node
    def field_access(self, span: Span, children: list[Any]) -> ast.FieldAccess:
        target, name = children
        return self._expr(ast.FieldAccess(target, self._ident(name), span), span, target)

    @_node
    def call(self, span: Span, children: list[Any]) -> ast.Call:
        callee = children[0]
        args = tuple(children[1]) if len(children) > 1 else ()
        return self._expr(ast.Call(callee, args, span), span, callee, *args)

    @_node
    def arguments(self, span: Span, children: list[Any]) -> list[Any]:
        return list(children)

    @_node
    def name_ref(self, span: Span, children: list[Any]) -> ast.NameRef:
        return ast.NameRef(str(children[0]), span)

    @_node
    def min_name(self, span: Span, children: list[Any]) -> ast.NameRef:
        return ast.NameRef("min", span)

    @_node
    def max_name(self, span: Span, children: list[Any]) -> ast.NameRef:
        return ast.NameRef("max", span)

    @_node
    def compose(self, span: Span, children: list[Any]) -> ast.Compose:
        kind, items = children
        if kind not in ("all", "any"):
            raise PolicySyntaxError(
                Diagnostic(
                    "bad-composition",
                    f"`{kind} of [...]` is not a composition",
                    span=span,
                    help=f"write `all of [...]`, `any of [...]`, `at least N of [...]`, "
                    f"or an aggregate `{kind} of x in list ...`",
                )
            )
        node = ast.Compose(kind, items.items, None, span)
        return self._expr(node, span, *items.items)

    @_node
    def at_least(self, span: Span, children: list[Any]) -> ast.Compose:
        count, items = children
        node = ast.Compose("at_least", items.items, count, span)
        return self._expr(node, span, count, *items.items)

    @_node
    def list_literal(self, span: Span, children: list[Any]) -> ast.ListLit:
        return self._expr(ast.ListLit(tuple(children), span), span, *children)

    @_node
    def record_literal(self, span: Span, children: list[Any]) -> ast.RecordLit:
        values = [c.value for c in children]
        return self._expr(ast.RecordLit(tuple(children), span), span, *values)

    @_node
    def record_field(self, span: Span, children: list[Any]) -> ast.RecordField:
        return ast.RecordField(self._ident(children[0]), children[1], span)

    @_node
    def record_spread(self, span: Span, children: list[Any]) -> ast.RecordSpread:
        return ast.RecordSpread(children[0], span)

    # -- literals --------------------------------------------------------------------------

    @_node
    def int_literal(self, span: Span, children: list[Any]) -> ast.IntLit:
        return ast.IntLit(int(children[0]), span)

    @_node
    def decimal_literal(self, span: Span, children: list[Any]) -> ast.DecimalLit:
        return ast.DecimalLit(Fraction(str(children[0])), str(children[0]), span)

    @_node
    def percent_literal(self, span: Span, children: list[Any]) -> ast.PercentLit:
        text = str(children[0])
        return ast.PercentLit(Fraction(text[:-1]) / 100, text, span)

    @_node
    def text_literal(self, span: Span, children: list[Any]) -> ast.TextLit:
        return ast.TextLit(_unquote(str(children[0])), span)

    @_node
    def date_literal(self, span: Span, children: list[Any]) -> ast.DateLit:
        return self._date(children[0])

    def _date(self, token: Token) -> ast.DateLit:
        span = self._tok(token)
        text = str(token)
        try:
            value = datetime.date.fromisoformat(text)
        except ValueError:
            raise PolicySyntaxError(
                Diagnostic(
                    "invalid-date",
                    f"`{text}` is not a date of the calendar",
                    span=span,
                    help="check the month (1-12) and the day of that month",
                )
            ) from None
        return ast.DateLit(value, span)

    @_node
    def true_literal(self, span: Span, children: list[Any]) -> ast.BoolLit:
        return ast.BoolLit(True, span)

    @_node
    def false_literal(self, span: Span, children: list[Any]) -> ast.BoolLit:
        return ast.BoolLit(False, span)

    @_node
    def none_literal(self, span: Span, children: list[Any]) -> ast.NoneLit:
        return ast.NoneLit(span)


def _negated(literal: Any, span: Span) -> Any:
    if isinstance(literal, ast.IntLit):
        return ast.IntLit(-literal.value, span)
    if isinstance(literal, ast.DecimalLit):
        return ast.DecimalLit(-literal.value, "-" + literal.text, span)
    return ast.PercentLit(-literal.value, "-" + literal.text, span)


_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


def _unquote(text: str) -> str:
    body = text[1:-1]
    if "\\" not in body:
        return body
    out = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            out.append(_ESCAPES.get(body[index + 1], body[index + 1]))
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)
