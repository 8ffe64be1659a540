"""Lark's concrete tree to the surface AST: the reference reader.

`parse_with_lark` runs the grammar's Lark parser (`grammar.lark_parser`) and transforms its
tree into `wuxin_rules.ast`, one method per grammar rule, with the same spans and nesting
depths the direct reader (`direct_parser`) gives. Every text the direct reader is unsure of
comes here, and so does every text that does not parse: `syntax_errors` then finds each
error. Imported (with Lark) only when a text needs it; `parser` is the entry point.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from fractions import Fraction
from typing import Any, TypeVar

import attrs
from lark import Token, Tree
from lark.exceptions import VisitError
from lark.visitors import Transformer_NonRecursive

from wuxin_rules import ast, characters, direct_parser, syntax_errors, zones
from wuxin_rules.errors import Diagnostic, PolicySyntaxError
from wuxin_rules.grammar import (
    COLLECT_AGGREGATORS,
    HIT_POLICIES,
    MAX_NESTING,
    MAX_NUMBER_DIGITS,
    RESERVED_NAMES,
)
from wuxin_rules.messages import english
from wuxin_rules.source import Source, Span
from wuxin_rules.wording import Wording

__all__ = ["datetime_problem", "parse_with_lark"]


def parse_with_lark(source: Source, start: str = "start") -> Any:
    """Parse with the grammar's Lark parser and the tree transformer, never the direct
    reader: the reference the direct reader is tested against, and the path that diagnoses
    every text that does not parse (`start` is `"start"` or `"expr"`)."""
    tree, diagnostics = syntax_errors.parse_tree(source, start)
    if diagnostics:
        # Names that look wrong often explain the syntax error beside them: show both.
        raise PolicySyntaxError(
            syntax_errors.in_order([*diagnostics, *characters.name_warnings(source)])
        )
    builder = _AstBuilder(source)
    try:
        result = builder.transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, PolicySyntaxError):
            raise PolicySyntaxError((*builder.diagnostics, *error.orig_exc.diagnostics)) from None
        raise
    if builder.diagnostics:
        raise PolicySyntaxError(builder.diagnostics)
    return result


# ------------------------------------------------------------------------------------------
# Concrete tree -> AST


_Node = TypeVar("_Node")
"""An AST node that `_AstBuilder._expr` hands back as it came."""


def _meta_span(source: Source, meta: Any, children: list[Any]) -> Span:
    if not getattr(meta, "empty", True):
        return Span(source, meta.start_pos, meta.end_pos)
    # An empty meta (a rule that matched no token of its own): take the children's spans.
    spans: list[Span] = [c.span for c in children if hasattr(c, "span")]
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
        self.diagnostics: list[Diagnostic] = []
        """Problems found while building that do not stop it (a bad date, a reserved word)."""
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

    def _expr(self, node: _Node, span: Span, *children: Any, depth: int | None = None) -> _Node:
        """Record the nesting depth of an expression node and enforce the limit (`depth`,
        when given, is the node's depth already worked out)."""
        if depth is None:
            depth = 1 + max((self._depth.get(id(c), 0) for c in children), default=0)
        if depth > MAX_NESTING:
            raise PolicySyntaxError(
                Diagnostic(
                    "too-deep",
                    english("expression-too-deep", limit=MAX_NESTING),
                    span=Span(span.source, span.start, min(span.end, span.start + 1)),
                    help=english("split-into-rules"),
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
        return ("label", self._translated(children))

    def _translated(self, children: list[Any]) -> ast.Text:
        """A text with the translations that follow it (`"…" en "…"`)."""
        text = self._text(children[0])
        if not children[1:]:
            return text
        # The value is a `Wording`: the text as written that knows its translations, so the
        # checked model and every stage after it carry them without a change of type.
        translations: tuple[ast.Translation, ...] = tuple(children[1:])
        forms = [(t.lang.name, t.text.value) for t in translations]
        return attrs.evolve(text, value=Wording(text.value, forms), translations=translations)

    @_node
    def translation(self, span: Span, children: list[Any]) -> ast.Translation:
        return ast.Translation(self._ident(children[0]), self._text(children[1]))

    @_node
    def source_clause(self, span: Span, children: list[Any]) -> tuple[str, ast.Text]:
        return ("source", self._text(children[0]))

    @_node
    def cites(self, span: Span, children: list[Any]) -> tuple[str, tuple[ast.Text, ...]]:
        return ("cites", tuple(self._text(t) for t in children))

    @_node
    def note(self, span: Span, children: list[Any]) -> tuple[str, ast.Text]:
        return ("note", self._translated(children))

    @staticmethod
    def _split(children: list[Any]) -> tuple[list[Any], ast.Doc, dict[str, Any]]:
        """Separate doc clauses (label/cites/note/source) from the other children."""
        rest: list[Any] = []
        clauses: dict[str, Any] = {}
        for child in children:
            if isinstance(child, tuple) and len(child) == 2 and child[0] in (
                "label", "cites", "note", "source", "returns", "params", "illustrative", "fixed",
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
        fields: tuple[ast.FieldDecl, ...] = ()
        if len(children) > 1 and isinstance(children[-1], list):
            fields = tuple(children.pop())
        label = children[1][1] if len(children) > 1 else None
        return ast.EnumMember(self._ident(children[0]), label, span, fields=fields)

    @_node
    def member_fields(self, span: Span, children: list[Any]) -> list[ast.FieldDecl]:
        return list(children)

    @_node
    def member_field(self, span: Span, children: list[Any]) -> ast.FieldDecl:
        label = children[2][1] if len(children) > 2 else None
        return ast.FieldDecl(self._ident(children[0]), children[1], ast.Doc(label), span)

    @_node
    def record_decl(self, span: Span, children: list[Any]) -> ast.RecordDecl:
        name = self._ident(children[0])
        rest, doc, _ = self._split(children[1:])
        return ast.RecordDecl(name, doc, tuple(rest), span)

    @_node
    def field_decl(self, span: Span, children: list[Any]) -> ast.FieldDecl:
        rest, doc, clauses = self._split(children[1:])
        return ast.FieldDecl(self._ident(children[0]), rest[0], doc, span, fixed="fixed" in clauses)

    @_node
    def input_decl(self, span: Span, children: list[Any]) -> ast.InputDecl:
        rest, doc, clauses = self._split(children[1:])
        return ast.InputDecl(self._ident(children[0]), rest[0], doc, span, fixed="fixed" in clauses)

    @_node
    def param_decl(self, span: Span, children: list[Any]) -> ast.ParamDecl:
        rest, doc, clauses = self._split(children[1:])
        return ast.ParamDecl(
            self._ident(children[0]), rest[0], rest[1], doc, span,
            illustrative="illustrative" in clauses,
        )  # fmt: skip

    @_node
    def illustrative(self, span: Span, children: list[Any]) -> tuple[str, bool]:
        return ("illustrative", True)

    @_node
    def fixed(self, span: Span, children: list[Any]) -> tuple[str, bool]:
        return ("fixed", True)

    def _rule(self, kind: str, span: Span, children: list[Any]) -> ast.RuleDecl:
        name = self._ident(children[0])
        rest, doc, clauses = self._split(children[1:])
        exceptions = tuple(c for c in rest if isinstance(c, ast.RuleException))
        body = [c for c in rest if not isinstance(c, ast.RuleException)][-1]
        return ast.RuleDecl(
            kind, name, clauses.get("params"), doc, clauses.get("returns"), body, span,
            exceptions=exceptions,
        )  # fmt: skip

    @_node
    def rule_exception(self, span: Span, children: list[Any]) -> ast.RuleException:
        name = self._ident(children[0])
        rest, doc, _ = self._split(children[1:])
        parent = next((c[1] for c in rest if isinstance(c, tuple) and c[0] == "to"), None)
        condition, value = (c for c in rest if not isinstance(c, tuple))
        return ast.RuleException(name, parent, doc, condition, value, span)

    @_node
    def exception_to(self, span: Span, children: list[Any]) -> tuple[str, ast.Ident]:
        return ("to", self._ident(children[0]))

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
        if index < len(rest) and isinstance(
            rest[index], ast.TypeRef | ast.ListTypeExpr | ast.OptionalTypeExpr
        ):
            category = rest[index]
            index += 1
        monotone = tuple(c for c in rest[index:] if isinstance(c, ast.Monotone))
        stages = tuple(c for c in rest[index:] if isinstance(c, ast.Stage))
        dated = tuple(c for c in rest[index:] if isinstance(c, ast.DatedValue))
        return ast.ScheduleDecl(
            name, doc, value_type, period, category, monotone, stages, span, dated
        )

    @_node
    def dated_value(self, span: Span, children: list[Any]) -> ast.DatedValue:
        start = self._date(children[0])
        rest, doc, _ = self._split(children[1:])
        return ast.DatedValue(start, doc, tuple(rest), span)

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
    def stage_range(
        self, span: Span, children: list[Any]
    ) -> tuple[ast.DateLit | None, ast.DateLit]:
        dates = [self._date(t) for t in children]
        return (dates[0] if len(dates) == 2 else None, dates[-1])

    @_node
    def schedule_row(self, span: Span, children: list[Any]) -> ast.ScheduleRow:
        period = self._number(children[0])
        return ast.ScheduleRow(period, tuple(children[1:]), span)

    @_node
    def schedule_cell(self, span: Span, children: list[Any]) -> ast.ScheduleCell:
        if len(children) == 2:
            return ast.ScheduleCell(self._ident(children[0]), children[1], span)
        return ast.ScheduleCell(None, children[0], span)

    # -- decision tables -------------------------------------------------------------------

    @_node
    def decision_decl(self, span: Span, children: list[Any]) -> ast.DecisionDecl:
        name = self._ident(children[0])
        rest, doc, clauses = self._split(children[1:])
        hit = next((c for c in rest if isinstance(c, ast.HitPolicy)), None)
        inputs, outputs = next(c[1] for c in rest if isinstance(c, tuple) and c[0] == "columns")
        rows = tuple(c for c in rest if isinstance(c, ast.TableRow))
        default = next((c[1] for c in rest if isinstance(c, tuple) and c[0] == "else"), None)
        return ast.DecisionDecl(
            name,
            doc,
            clauses.get("returns"),
            hit,
            inputs,
            outputs,
            rows,
            default,
            span,
            params=clauses.get("params"),
        )

    @_node
    def hit_policy(self, span: Span, children: list[Any]) -> ast.HitPolicy:
        words = " ".join(str(child) for child in children)
        kind, _, aggregator = words.partition(" ")
        if words in HIT_POLICIES or (kind == "collect" and aggregator in COLLECT_AGGREGATORS):
            if kind == "collect":
                return ast.HitPolicy(kind, aggregator or None, span)
            return ast.HitPolicy(words, None, span)
        self.diagnostics.append(
            Diagnostic(
                "unknown-hit-policy",
                english("unknown-hit-policy", words=words),
                span=span,
                help=english("unknown-hit-policy.help"),
            )
        )
        return ast.HitPolicy("unique", None, span)

    @_node
    def hit_word(self, span: Span, children: list[Any]) -> Token:
        return children[0]  # type: ignore[no-any-return]

    @_node
    def decision_columns(
        self, span: Span, children: list[Any]
    ) -> tuple[str, tuple[tuple[ast.Expr, ...], tuple[ast.Ident, ...]]]:
        inputs = tuple(c for c in children if not isinstance(c, Token))
        outputs = tuple(self._ident(c) for c in children if isinstance(c, Token))
        return ("columns", (inputs, outputs))

    @_node
    def decision_row(self, span: Span, children: list[Any]) -> ast.TableRow:
        rest, doc, _ = self._split(children)
        cells = tuple(c for c in rest if isinstance(c, ast.TableCell))
        outputs = tuple(c for c in rest if not isinstance(c, ast.TableCell))
        return ast.TableRow(cells, outputs, doc.label, doc.cites, span)

    @_node
    def decision_else(self, span: Span, children: list[Any]) -> tuple[str, tuple[ast.Expr, ...]]:
        return ("else", tuple(children))

    @_node
    def cell_any(self, span: Span, children: list[Any]) -> ast.TableCell:
        return ast.TableCell((), False, span)

    @_node
    def cell_tests(self, span: Span, children: list[Any]) -> ast.TableCell:
        return ast.TableCell(tuple(children), False, span)

    @_node
    def cell_not(self, span: Span, children: list[Any]) -> ast.TableCell:
        return ast.TableCell(tuple(children), True, span)

    @_node
    def cell_equal(self, span: Span, children: list[Any]) -> ast.CellTest:
        return ast.CellTest("==", children[0], span)

    @_node
    def cell_none(self, span: Span, children: list[Any]) -> ast.CellTest:
        return ast.CellTest("none", ast.NoneLit(span), span)

    @_node
    def cell_compare(self, span: Span, children: list[Any]) -> ast.CellTest:
        return ast.CellTest(str(children[0]), children[1], span)

    @_node
    def cell_test(self, span: Span, children: list[Any]) -> ast.CellTest:
        return children[0]  # type: ignore[no-any-return]

    @_node
    def cell_range(self, span: Span, children: list[Any]) -> ast.CellTest:
        opening, low, _, high, closing = children
        return ast.CellTest(
            "range",
            low,
            span,
            high=high,
            low_inclusive=str(opening) == "[",
            high_inclusive=str(closing) == "]",
        )

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
        return ast.BandRange(
            self._bound(low),
            self._bound(high),
            not op.endswith("<"),
            span,
            low_inclusive=not op.startswith("<"),
        )

    def _bound(self, value: Any) -> ast.Expr:
        if isinstance(value, Token):
            return self._name_ref(str(value), self._tok(value))
        return value  # type: ignore[no-any-return]

    def _name_ref(self, name: str, span: Span) -> ast.NameRef:
        """A name used as a value. The lexer reads a keyword as a name wherever the keyword
        itself cannot stand (`x + if`): most keywords are names there, but a value can never
        be named by one of `RESERVED_NAMES`."""
        if name in RESERVED_NAMES:
            self.diagnostics.append(
                Diagnostic(
                    "reserved-word",
                    english("reserved-not-name", name=name),
                    span=span,
                    help=english("reserved-not-name.help"),
                )
            )
        return ast.NameRef(name, span)

    @_node
    def range_op(self, span: Span, children: list[Any]) -> str:
        return str(children[0])

    @_node
    def band_op(self, span: Span, children: list[Any]) -> str:
        return str(children[0])

    @_node
    def example_decl(self, span: Span, children: list[Any]) -> ast.ExampleDecl:
        title = self._text(children[0])
        given = tuple(c for c in children[1:] if isinstance(c, ast.ExampleGiven))
        expect = tuple(c[1] for c in children[1:] if isinstance(c, tuple))
        return ast.ExampleDecl(title, given, expect, span)

    @_node
    def example_given(self, span: Span, children: list[Any]) -> ast.ExampleGiven:
        type_ = children[1] if len(children) == 3 else None
        return ast.ExampleGiven(self._ident(children[0]), children[-1], span, type=type_)

    @_node
    def fixture_decl(self, span: Span, children: list[Any]) -> ast.FixtureDecl:
        return ast.FixtureDecl(self._ident(children[0]), children[1], children[2], span)

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
        self.diagnostics.append(
            Diagnostic(
                "bad-bound",
                english("cannot-bound", op=op),
                span=span,
                help=english("bound-help"),
            )
        )
        return ast.Bound(value, True, value, True, span)

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

    def _number(self, token: Token, span: Span | None = None) -> Any:
        """The literal a number token denotes (exactly: never through a float)."""
        span = span or self._tok(token)
        text = str(token)
        digits = sum(1 for char in text if char.isdigit())
        if digits > MAX_NUMBER_DIGITS:
            self.diagnostics.append(
                Diagnostic(
                    "number-too-long",
                    english(
                        "parser.number-too-long",
                        digits=format(digits, ","),
                        limit=format(MAX_NUMBER_DIGITS, ","),
                    ),
                    span=Span(span.source, span.start, min(span.end, span.start + 1)),
                    help=english("parser.write-shorter-number-or.help"),
                )
            )
            text = {"INT": "0", "DECIMAL": "0.0"}.get(token.type, "0%")
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
    def match_expr(self, span: Span, children: list[Any]) -> ast.Match:
        subject = children[0]
        cases = tuple(c for c in children[1:] if isinstance(c, ast.MatchCase))
        otherwise = next((c[1] for c in children[1:] if isinstance(c, tuple)), None)
        node = ast.Match(subject, cases, otherwise, span)
        return self._expr(node, span, subject, *(c.body for c in cases), otherwise)

    @_node
    def match_case(self, span: Span, children: list[Any]) -> ast.MatchCase:
        bindings: tuple[ast.Ident, ...] = children[1] if len(children) > 2 else ()
        return ast.MatchCase(self._ident(children[0]), bindings, children[-1], span)

    @_node
    def match_bindings(self, span: Span, children: list[Any]) -> tuple[ast.Ident, ...]:
        return tuple(self._ident(c) for c in children)

    @_node
    def match_else(self, span: Span, children: list[Any]) -> tuple[str, ast.Expr]:
        return ("else", children[0])

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
        # `a and b and c` is one node (the grammar gives every operand at once), so that
        # explanations list the operands side by side; `(a and b) and c` is flattened too.
        first, *rest = children
        if isinstance(first, ast.BoolOp) and first.op == op and self._flat.get(id(first)):
            node = ast.BoolOp(op, (*first.operands, *rest), span)
            depth = max(self._depth[id(first)], 1 + max(self._depth.get(id(c), 0) for c in rest))
        else:
            node = ast.BoolOp(op, tuple(children), span)
            depth = None
        self._flat[id(node)] = True
        return self._expr(node, span, *children, depth=depth)

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
    def is_member(self, span: Span, children: list[Any]) -> ast.IsMember:
        node = ast.IsMember(children[0], self._ident(children[1]), span)
        return self._expr(node, span, children[0])

    @_node
    def is_not_member(self, span: Span, children: list[Any]) -> ast.IsMember:
        node = ast.IsMember(children[0], self._ident(children[1]), span, negated=True)
        return self._expr(node, span, children[0])

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
    def with_inputs(self, span: Span, children: list[Any]) -> ast.WithInputs:
        target, *bindings = children
        node = ast.WithInputs(target, tuple(bindings), span)
        return self._expr(node, span, target, *(b.value for b in bindings))

    @_node
    def input_binding(self, span: Span, children: list[Any]) -> ast.InputBinding:
        return ast.InputBinding(self._ident(children[0]), children[1], span)

    @_node
    def name_ref(self, span: Span, children: list[Any]) -> ast.NameRef:
        return self._name_ref(str(children[0]), span)

    @_node
    def kind_name(self, span: Span, children: list[Any]) -> ast.NameRef:
        return ast.NameRef(str(children[0]), span)

    @_node
    def at_name(self, span: Span, children: list[Any]) -> ast.NameRef:
        return ast.NameRef("at", span)

    @_node
    def compose(self, span: Span, children: list[Any]) -> ast.Compose:
        kind, items = children
        if kind not in ("all", "any"):
            self.diagnostics.append(
                Diagnostic(
                    "bad-composition",
                    english("not-composition", kind=kind),
                    span=span,
                    help=english("composition-help", fix=f"{kind} of x in list ..."),
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
        return self._number(children[0], span)  # type: ignore[no-any-return]

    @_node
    def decimal_literal(self, span: Span, children: list[Any]) -> ast.DecimalLit:
        return self._number(children[0], span)  # type: ignore[no-any-return]

    @_node
    def percent_literal(self, span: Span, children: list[Any]) -> ast.PercentLit:
        return self._number(children[0], span)  # type: ignore[no-any-return]

    @_node
    def text_literal(self, span: Span, children: list[Any]) -> ast.TextLit:
        return ast.TextLit(_unquote(str(children[0])), span)

    @_node
    def date_literal(self, span: Span, children: list[Any]) -> ast.DateLit:
        return self._date(children[0])

    @_node
    def datetime_literal(self, span: Span, children: list[Any]) -> ast.DateLit:
        token = children[0]
        text = str(token)
        try:
            return ast.DateLit(zones.parse(text), self._tok(token))
        except zones.ZoneError as error:
            self.diagnostics.append(datetime_problem(error, text, self._tok(token)))
            return ast.DateLit(datetime.datetime(1, 1, 1, tzinfo=datetime.UTC), self._tok(token))

    @_node
    def time_literal(self, span: Span, children: list[Any]) -> ast.DateLit:
        token = children[0]
        text = str(token)
        try:
            return ast.DateLit(zones.parse_clock(text), self._tok(token))
        except zones.ZoneError:
            self.diagnostics.append(
                Diagnostic(
                    "invalid-date",
                    english("not-a-time", time=text),
                    span=self._tok(token),
                    help=english("check-the-clock"),
                )
            )
            return ast.DateLit(datetime.time(0, 0), self._tok(token))

    def _date(self, token: Token) -> ast.DateLit:
        span = self._tok(token)
        text = str(token)
        try:
            value = datetime.date.fromisoformat(text)
        except ValueError:
            self.diagnostics.append(
                Diagnostic(
                    "invalid-date",
                    english("not-a-date", date=text),
                    span=span,
                    help=english("check-the-month"),
                )
            )
            value = datetime.date.min
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


def datetime_problem(error: zones.ZoneError, text: str, span: Span | None) -> Diagnostic:
    """The diagnostic of a date-time literal that cannot be read."""
    if error.reason == "no-database":
        return Diagnostic(
            "missing-dependency",
            english("no-zone-database", name=error.name),
            span=span,
            help=english("missing-dependency.help", fix="pip install 'wuxin_rules[tz]'"),
        )
    if error.reason == "unknown-zone":
        return Diagnostic(
            "unknown-zone",
            english("unknown-zone", name=error.name),
            span=span,
            help=english("unknown-zone.help"),
        )
    return Diagnostic(
        "invalid-date", english("not-a-date", date=text), span=span, help=english("check-the-month")
    )


_unquote = direct_parser.unquote
_negated = direct_parser.negated
