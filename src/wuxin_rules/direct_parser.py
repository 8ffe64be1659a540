"""A direct reader for well-formed policies: text to AST without Lark.

Lark's LALR parser runs in pure Python at about 25 µs a token (a shift, a reduction per
precedence level, a tree node, positions, then a transformer over the tree): a policy of a
million characters took seconds. Most texts parse, and for them a hand-written
recursive-descent reader over one regular expression is an order of magnitude faster.

It reads the same grammar (`grammar/wuxin.lark`) into the same AST, with the same spans
(Lark's propagated positions: a node covers its first token to its last, keywords and
brackets included; a parenthesised expression keeps its own span, but its parent's span takes
in the brackets) and the same nesting depths as `parser`. It never reports an error: whenever
it is unsure (anything the grammar refuses, a keyword where a name stands, a number too long,
a date not of the calendar, deep nesting, a declaration it does not read, characters the
screening would report) it gives up (`None`), and the Lark path parses the text again and says
what is wrong, exactly as before. So it needs no diagnostics of its own, and the test that
both paths give the same trees (spans included) on every policy the project has is what keeps
them one language.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from fractions import Fraction
from typing import Any

import attrs

from wuxin_rules import ast, characters, zones
from wuxin_rules.grammar import RESERVED_NAMES, comment_sink, keywords
from wuxin_rules.source import Source, Span
from wuxin_rules.wording import Wording

MAX_DEPTH = 60
"""Deepest expression (in the parser's count, `parser.MAX_NESTING` is more) read here; deeper
ones go to the Lark path, which enforces the limit with its error."""

MAX_RECURSION = 40
"""Deepest bracket or prefix nesting read here: about ten Python frames each, well inside
Python's recursion limit."""

MAX_DIGITS = 100
"""Longest number read here (the parser's limit, `MAX_NUMBER_DIGITS`, is more)."""

# One token a match. Lark's lexer tries the number terminals in their priority order (then
# by length); here they keep that order among themselves, behind a lookahead for a digit, and
# the words and punctuation (most of a policy's tokens, none of which can start with a digit,
# a quote or a blank) are tried first. The punctuation is longest first; a word is a keyword
# or a name, decided by the reader, and is read by runs of word characters without keeping
# the places to backtrack to (nothing after a word in its alternative could use them).
_TOKEN = re.compile(
    r"""
    (?P<blank>[ \t\r\n\f\u3000]+|\#[^\n]*)
  | (?P<word>(?!\d)\w(?:\w+|[^\x00-\x7f\s\u2018\u2019])*+)
  | (?P<punct>\.\.\.|\.\.<|\.\.|->|\?\?|==|!=|<=|>=|\*\*|[<>=()\[\]{},:.?+\-*/])
  | (?=[0-9])(?:
      (?P<DATETIME>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2})?
        (?:Z|[+-][0-9]{2}:[0-9]{2}|\[[A-Za-z][A-Za-z0-9_+\-/]*\]))
    | (?P<DATE>[0-9]{4}-[0-9]{2}-[0-9]{2})
    | (?P<TIME>[0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?![0-9]))
    | (?P<PERCENT>[0-9]+(?:\.[0-9]+)?%)
    | (?P<DECIMAL>[0-9]+\.[0-9]+)
    | (?P<INT>[0-9]+))
  | (?P<STRING>"(?:[^"\\\n]|\\["\\nt])*")
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_LANG_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*(?=[ \t\r\n\f\u3000]*\")")
"""The grammar's `LANG_TAG`: read where a translation may stand (after a label or a note)."""

_DECLARATION_WORDS = frozenset((
    "import", "enum", "record", "input", "param", "criterion", "rule", "schedule", "bands",
    "example", "property", "fixture",
))  # fmt: skip
"""The keywords that start a declaration: where one may come next, they are keywords."""

_AFTER_FIELD = _DECLARATION_WORDS | {"fixed", "cites", "note"}
"""The keywords that may follow a record's field (where the next field's name may too)."""

_COMPARE = frozenset(("==", "!=", "<=", ">=", "<", ">"))
_KINDS = frozenset(("count", "sum", "min", "max", "all", "any", "rate", "list"))
_BINARY = {"??": 1, "+": 2, "-": 2, "*": 3, "/": 3, "mod": 3}
"""The binary operators tighter than a comparison, by rank (`grammar/wuxin.lark`: `coalesce`,
`additive`, `multiplicative`)."""
_NUMBERS = frozenset(("INT", "DECIMAL", "PERCENT"))
_CONTINUES_OPERAND = frozenset((".", "(", "[", "**", *_BINARY))
"""The tokens after a name or number that make it part of a larger operand (`postfix`,
`binary`)."""
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


class _Unsure(Exception):
    """The text is not one this reader is sure of: the Lark path decides."""


def parse(source: Source, start: str) -> Any:
    """The AST of `source` (`start` is `"start"` for a module, `"expr"` for an expression), or
    None when the Lark path must read it (see the module's docstring)."""
    text = source.text
    if comment_sink.get() is not None:
        return None  # the formatter wants the comments, which the Lark lexer collects
    if not text.isascii() and (characters.screen(source).errors or characters.name_errors(source)):
        return None
    try:
        reader = _Reader(source)
        if start == "expr":
            result: Any = reader.expr()[0]
        else:
            result = reader.module()
        if reader.kinds[reader.pos] != "EOF":
            return None
        return result
    except _Unsure:
        return None


def unquote(text: str) -> str:
    """The value of a `STRING` token (quotes removed, escapes read)."""
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


# An expression as read: the node, its nesting depth (as `parser` counts it) and the extent of
# its container (its own span, or the brackets around it), which its parent's span takes in.
_Read = tuple[Any, int, int, int]


class _Reader:
    """Recursive descent over the token lists, one method per grammar rule."""

    def __init__(self, source: Source) -> None:
        self.source = source
        kinds: list[str] = []
        values: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        reserved = keywords()
        for match in _TOKEN.finditer(source.text):
            group = match.lastgroup
            if group == "blank":
                continue
            value = match.group()
            if group == "word":
                if value in reserved:
                    kind = value
                else:
                    kind = "NAME"
                    if not value.isascii():
                        value = unicodedata.normalize("NFC", value)
            elif group == "punct":
                kind = value
            elif group == "other":
                raise _Unsure
            else:
                kind = group or "other"
            kinds.append(kind)
            values.append(value)
            starts.append(match.start())
            ends.append(match.end())
        end = len(source.text)
        kinds += ["EOF", "EOF"]
        values += ["", ""]
        starts += [end, end]
        ends += [end, end]
        self.kinds = kinds
        self.values = values
        self.starts = starts
        self.ends = ends
        self.reserved = reserved
        self.pos = 0
        self.level = 0

    # -- tokens ----------------------------------------------------------------------------

    def _expect(self, kind: str) -> int:
        """Consume a token of `kind`; its index."""
        index = self.pos
        if self.kinds[index] != kind:
            raise _Unsure
        self.pos = index + 1
        return index

    def _accept(self, kind: str) -> int | None:
        index = self.pos
        if self.kinds[index] != kind:
            return None
        self.pos = index + 1
        return index

    def _span(self, start: int, end: int) -> Span:
        # (The hottest readers, `atom` and `comparison`, build their spans inline.)
        return Span(self.source, start, end)

    def _ident(self, index: int) -> ast.Ident:
        return ast.Ident(
            self.values[index], Span(self.source, self.starts[index], self.ends[index])
        )

    def _name(self) -> ast.Ident:
        """A name where the grammar allows nothing else: Lark's contextual lexer reads any
        word there as a name, a keyword too (`case.count`, `{count: 1}`, `rule if: 1`)."""
        index = self.pos
        kind = self.kinds[index]
        if kind != "NAME" and kind not in self.reserved:
            raise _Unsure
        self.pos = index + 1
        return self._ident(index)

    def _name_next(self, stops: frozenset[str]) -> bool:
        """Whether the next word is a name where a keyword of `stops` (those the grammar
        allows here) may also stand: Lark reads every other keyword as a name there."""
        kind = self.kinds[self.pos]
        return kind == "NAME" or (kind in self.reserved and kind not in stops)

    def _text(self, index: int) -> ast.Text:
        return ast.Text(
            unquote(self.values[index]), self._span(self.starts[index], self.ends[index])
        )

    # -- shared pieces ---------------------------------------------------------------------

    def qualified_name(self) -> ast.QualifiedName:
        parts = [self._name()]
        while self.kinds[self.pos] == ".":
            self.pos += 1
            parts.append(self._name())
        return ast.QualifiedName(tuple(parts), parts[0].span.to(parts[-1].span))

    def _translated(self, index: int) -> tuple[ast.Text, int]:
        """A label's or note's text with its translations, and the end of the last."""
        text = self._text(index)
        end = self.ends[index]
        translations = []
        # A tag is a word (`en`, `zh-Hant`): no match to try before a `:` or `,` (most labels).
        while (self.kinds[self.pos] == "NAME" or self.kinds[self.pos] in self.reserved) and (
            match := _LANG_TAG.match(self.source.text, self.starts[self.pos])
        ):
            if match.end() != self.ends[self.pos]:
                raise _Unsure  # a tag Lark would cut differently
            lang = ast.Ident(self.values[self.pos], self._span(self.starts[self.pos], match.end()))
            self.pos += 1
            string = self._expect("STRING")
            translations.append(ast.Translation(lang, self._text(string)))
            end = self.ends[string]
        if not translations:
            return text, end
        forms = [(t.lang.name, t.text.value) for t in translations]
        return attrs.evolve(
            text, value=Wording(text.value, forms), translations=tuple(translations)
        ), end

    def _doc(self, header: bool = False) -> tuple[ast.Doc, ast.Text | None, int]:
        """`label? source? cites? note?` (the source clause in a header only); the doc, the
        source and the end of the last clause (-1: none)."""
        end = -1
        label = note = source = None
        cites: tuple[ast.Text, ...] = ()
        kinds = self.kinds
        if kinds[self.pos] == "STRING":  # (a label: every declaration of most policies)
            self.pos += 1
            label, end = self._translated(self.pos - 1)
        if header and self._accept("source") is not None:
            string = self._expect("STRING")
            source, end = self._text(string), self.ends[string]
        if kinds[self.pos] != "cites" and kinds[self.pos] != "note":
            return ast.Doc(label, cites, note), source, end
        if self._accept("cites") is not None:
            found = [self._expect("STRING")]
            while self._accept(",") is not None:
                found.append(self._expect("STRING"))
            cites, end = tuple(self._text(i) for i in found), self.ends[found[-1]]
        if self._accept("note") is not None:
            note, end = self._translated(self._expect("STRING"))
        return ast.Doc(label, cites, note), source, end

    # -- module and declarations -----------------------------------------------------------

    def module(self) -> ast.Module:
        header = self.header() if self.kinds[0] == "policy" else None
        declarations: list[ast.Declaration] = []
        kinds = self.kinds
        while kinds[self.pos] != "EOF":
            kind = kinds[self.pos]
            if kind == "rule" or kind == "criterion":
                declarations.append(self.rule_decl(kind))
            elif kind == "enum":
                declarations.append(self.enum_decl())
            elif kind == "record":
                declarations.append(self.record_decl())
            elif kind == "input":
                declarations.append(self.input_decl())
            elif kind == "param":
                declarations.append(self.param_decl())
            elif kind == "import":
                declarations.append(self.import_decl())
            elif kind == "fixture":
                declarations.append(self.fixture_decl())
            elif kind == "example":
                declarations.append(self.example_decl())
            else:
                raise _Unsure  # schedules, bands, properties, decisions: the Lark path
        return ast.Module(header, tuple(declarations), self._span(0, len(self.source.text)))

    def header(self) -> ast.Header:
        start = self.starts[self._expect("policy")]
        name = self.qualified_name()
        doc, source, end = self._doc(header=True)
        end = max(end, name.span.end)
        return ast.Header(name, doc, source, self._span(start, end))

    def import_decl(self) -> ast.ImportDecl:
        start = self.starts[self._expect("import")]
        module = self.qualified_name()
        end = module.span.end
        alias = None
        if self._accept("as") is not None:
            alias = self._name()
            end = alias.span.end
        names: tuple[ast.Ident, ...] = ()
        if self._accept("(") is not None:
            found = [self._name()]
            while self._accept(",") is not None and self.kinds[self.pos] != ")":
                found.append(self._name())
            names = tuple(found)
            end = self.ends[self._expect(")")]
        return ast.ImportDecl(module, alias, names, self._span(start, end))

    def enum_decl(self) -> ast.EnumDecl:
        start = self.starts[self._expect("enum")]
        name = self._name()
        doc, _, _ = self._doc()
        self._expect(":")
        members = [self.enum_member()]
        end = members[0].span.end
        while (comma := self._accept(",")) is not None:
            end = self.ends[comma]
            if not self._name_next(_DECLARATION_WORDS):
                break
            members.append(self.enum_member())
            end = members[-1].span.end
        return ast.EnumDecl(name, doc, tuple(members), self._span(start, end))

    def enum_member(self) -> ast.EnumMember:
        name = self._name()
        end = name.span.end
        label = None
        string = self._accept("STRING")
        if string is not None:
            label, end = self._translated(string)
        if self.kinds[self.pos] == "{":
            raise _Unsure  # a member that carries fields: read by the Lark path
        return ast.EnumMember(name, label, self._span(name.span.start, end))

    def record_decl(self) -> ast.RecordDecl:
        start = self.starts[self._expect("record")]
        name = self._name()
        doc, _, _ = self._doc()
        self._expect(":")
        fields = [self.field_decl()]
        while self._name_next(_AFTER_FIELD):
            fields.append(self.field_decl())
        return ast.RecordDecl(name, doc, tuple(fields), self._span(start, fields[-1].span.end))

    def field_decl(self) -> ast.FieldDecl:
        name = self._name()
        self._expect(":")
        type_, fixed, doc, end = self._typed_doc()
        return ast.FieldDecl(name, type_, doc, self._span(name.span.start, end), fixed=fixed)

    def _typed_doc(self) -> tuple[ast.TypeExpr, bool, ast.Doc, int]:
        """`type_expr fixed? label? cites? note?`"""
        type_ = self.type_expr()
        end = type_.span.end
        fixed = self._accept("fixed")
        if fixed is not None:
            end = self.ends[fixed]
        doc, _, doc_end = self._doc()
        return type_, fixed is not None, doc, max(end, doc_end)

    def input_decl(self) -> ast.InputDecl:
        start = self.starts[self._expect("input")]
        name = self._name()
        self._expect(":")
        type_, fixed, doc, end = self._typed_doc()
        return ast.InputDecl(name, type_, doc, self._span(start, end), fixed=fixed)

    def param_decl(self) -> ast.ParamDecl:
        start = self.starts[self._expect("param")]
        name = self._name()
        self._expect(":")
        type_ = self.type_expr()
        self._expect("=")
        default, _, _, end = self.expr()
        illustrative = self._accept("illustrative")
        if illustrative is not None:
            end = self.ends[illustrative]
        doc, _, doc_end = self._doc()
        return ast.ParamDecl(
            name, type_, default, doc, self._span(start, max(end, doc_end)),
            illustrative=illustrative is not None,
        )  # fmt: skip

    def fixture_decl(self) -> ast.FixtureDecl:
        start = self.starts[self._expect("fixture")]
        name = self._name()
        self._expect(":")
        type_ = self.type_expr()
        self._expect("=")
        value, _, _, end = self.expr()
        return ast.FixtureDecl(name, type_, value, self._span(start, end))

    def example_decl(self) -> ast.ExampleDecl:
        """`example "title": (given NAME [: T] = EXPR)+ (expect EXPR)+`."""
        start = self.starts[self._expect("example")]
        title = self._text(self._expect("STRING"))
        self._expect(":")
        given = [self.example_given()]
        while self.kinds[self.pos] == "given":
            given.append(self.example_given())
        expect: list[ast.Expr] = []
        end = -1
        while self.kinds[self.pos] == "expect" or not expect:
            self._expect("expect")
            value, _, _, end = self.expr()
            expect.append(value)
        return ast.ExampleDecl(title, tuple(given), tuple(expect), self._span(start, end))

    def example_given(self) -> ast.ExampleGiven:
        start = self.starts[self._expect("given")]
        name = self._name()
        type_ = None
        if self._accept(":") is not None:
            type_ = self.type_expr()
        self._expect("=")
        value, _, _, end = self.expr()
        return ast.ExampleGiven(name, value, self._span(start, end), type=type_)

    def rule_decl(self, kind: str) -> ast.RuleDecl:
        start = self.starts[self._expect(kind)]
        name = self._name()
        params = None
        if self.kinds[self.pos] == "(":
            params = self.rule_params()
        doc, _, _ = self._doc()
        returns = None
        if kind == "rule" and self.kinds[self.pos] == "->":
            self.pos += 1
            returns = self.type_expr()
        if self.kinds[self.pos] != ":":
            raise _Unsure
        self.pos += 1
        body, _, _, end = self.expr()
        exceptions: list[ast.RuleException] = []
        while self.kinds[self.pos] == "exception":
            exceptions.append(self.rule_exception())
            end = exceptions[-1].span.end
        return ast.RuleDecl(
            kind, name, params, doc, returns, body, self._span(start, end),
            exceptions=tuple(exceptions),
        )  # fmt: skip

    def rule_exception(self) -> ast.RuleException:
        """`exception NAME [to NAME] label? cites? note? when EXPR then EXPR`."""
        start = self.starts[self._expect("exception")]
        name = self._name()
        parent = self._name() if self._accept("to") is not None else None
        doc, _, _ = self._doc()
        self._expect("when")
        condition = self.expr()[0]
        self._expect("then")
        value, _, _, end = self.expr()
        return ast.RuleException(name, parent, doc, condition, value, self._span(start, end))

    def rule_params(self) -> tuple[ast.RuleParam, ...]:
        self._expect("(")
        params = [self.rule_param()]
        while self._accept(",") is not None and self.kinds[self.pos] != ")":
            params.append(self.rule_param())
        self._expect(")")
        return tuple(params)

    def rule_param(self) -> ast.RuleParam:
        name = self._name()
        self._expect(":")
        type_ = self.type_expr()
        return ast.RuleParam(name, type_, self._span(name.span.start, type_.span.end))

    # -- types -----------------------------------------------------------------------------

    def type_expr(self) -> ast.TypeExpr:
        plain = self.plain_type()
        question = self._accept("?")
        if question is None:
            return plain
        return ast.OptionalTypeExpr(plain, self._span(plain.span.start, self.ends[question]))

    def plain_type(self) -> ast.TypeExpr:
        if self.kinds[self.pos] == "list":
            start = self.starts[self.pos]
            self.pos += 1
            self._expect("of")
            self._enter()
            element = self.plain_type()
            self.level -= 1
            return ast.ListTypeExpr(element, self._span(start, element.span.end))
        name = self.qualified_name()
        bound = None
        kind = self.kinds[self.pos]
        if kind in _COMPARE:
            op = self.values[self.pos]
            if op in ("==", "!="):
                raise _Unsure  # `bad-bound`
            start = self.starts[self.pos]
            self.pos += 1
            number = self.signed_number()
            span = self._span(start, number.span.end)
            value = number.value
            if op in (">=", ">"):
                bound = ast.Bound(value, op == ">=", None, True, span)
            else:
                bound = ast.Bound(None, True, value, op == "<=", span)
        elif kind in _NUMBERS or kind == "-":
            low = self.signed_number()
            op = self.kinds[self.pos]
            if op not in ("..", "..<"):
                raise _Unsure
            self.pos += 1
            high = self.signed_number()
            span = self._span(low.span.start, high.span.end)
            bound = ast.Bound(low.value, True, high.value, op == "..", span)
        end = bound.span.end if bound is not None else name.span.end
        return ast.TypeRef(name, bound, self._span(name.span.start, end))

    def signed_number(self) -> Any:
        minus = self._accept("-")
        index = self.pos
        if self.kinds[index] not in _NUMBERS:
            raise _Unsure
        self.pos += 1
        literal = self._number(index, self._span(self.starts[index], self.ends[index]))
        if minus is None:
            return literal
        return negated(literal, self._span(self.starts[minus], self.ends[index]))

    def _number(self, index: int, span: Span) -> Any:
        text = self.values[index]
        if len(text) > MAX_DIGITS:
            raise _Unsure  # `number-too-long`, said by the Lark path
        kind = self.kinds[index]
        if kind == "INT":
            return ast.IntLit(int(text), span)
        if kind == "DECIMAL":
            return ast.DecimalLit(Fraction(text), text, span)
        return ast.PercentLit(Fraction(text[:-1]) / 100, text, span)

    # -- expressions -----------------------------------------------------------------------

    def _enter(self) -> None:
        self.level += 1
        if self.level > MAX_RECURSION:
            raise _Unsure

    def _made(self, node: Any, depth: int, start: int, end: int) -> _Read:
        if depth > MAX_DEPTH:
            raise _Unsure  # `too-deep` (or close to it), said by the Lark path
        return node, depth, start, end

    def expr(self) -> _Read:
        self.level += 1
        if self.level > MAX_RECURSION:
            raise _Unsure
        kinds = self.kinds
        kind = kinds[self.pos]
        if kind == "if":
            result = self.if_expr()
        elif kind in _KINDS and kinds[self.pos + 1] == "of" and kinds[self.pos + 2] != "[":
            result = self.aggregate()
        elif kind != "not":
            # `or_expr` without the calls through `and_expr` and `not_expr` (a body is most
            # often one comparison or one operand): its first operand is a comparison.
            result = self.comparison()
            if kinds[self.pos] == "and":
                result = self._and_rest(result)
            if kinds[self.pos] == "or":
                result = self._or_rest(result)
        else:
            result = self.or_expr()
        self.level -= 1
        return result

    def if_expr(self) -> _Read:
        start = self.starts[self._expect("if")]
        condition, d1, _, _ = self.expr()
        self._expect("then")
        then, d2, _, _ = self.expr()
        self._expect("else")
        otherwise, d3, _, end = self.expr()
        span = self._span(start, end)
        return self._made(ast.If(condition, then, otherwise, span), 1 + max(d1, d2, d3), start, end)

    def aggregate(self) -> _Read:
        start = self.starts[self.pos]
        kind = self.values[self.pos]
        self.pos += 2  # the kind and `of`
        var = self._name()
        self._expect("in")
        collection, depth, _, end = self.or_expr()
        where = body = None
        if self._accept("where") is not None:
            where, where_depth, _, end = self.or_expr()
            depth = max(depth, where_depth)
        if self._accept(":") is not None:
            body, body_depth, _, end = self.expr()
            depth = max(depth, body_depth)
        node = ast.Aggregate(kind, var, collection, where, body, self._span(start, end))
        return self._made(node, 1 + depth, start, end)

    def or_expr(self) -> _Read:
        first = self.and_expr()
        if self.kinds[self.pos] != "or":
            return first
        return self._or_rest(first)

    def _or_rest(self, first: _Read) -> _Read:
        """The `or` chain after its first operand."""
        kinds = self.kinds
        operands = [first]
        while kinds[self.pos] == "or":
            self.pos += 1
            # `and_expr` without its calls when the operand is a lone comparison (each of
            # the 100,000 operands of a long `or`).
            if kinds[self.pos] == "not":
                operands.append(self.and_expr())
                continue
            operand = self.comparison()
            if kinds[self.pos] == "and":
                operand = self._and_rest(operand)
            operands.append(operand)
        return self._bool_op("or", operands)

    def and_expr(self) -> _Read:
        first = self.not_expr()
        if self.kinds[self.pos] != "and":
            return first
        return self._and_rest(first)

    def _and_rest(self, first: _Read) -> _Read:
        """The `and` chain after its first operand."""
        operands = [first]
        while self._accept("and") is not None:
            operands.append(self.not_expr())
        return self._bool_op("and", operands)

    def _bool_op(self, op: str, operands: list[_Read]) -> _Read:
        # As `tree_builder._AstBuilder._bool_op`: one node for the chain, a first operand of the same
        # operator (`(a or b) or c`) flattened into it.
        start, end = operands[0][2], operands[-1][3]
        span = self._span(start, end)
        first, first_depth = operands[0][0], operands[0][1]
        rest_depth = 1 + max(read[1] for read in operands[1:])
        if isinstance(first, ast.BoolOp) and first.op == op:
            node = ast.BoolOp(op, (*first.operands, *(read[0] for read in operands[1:])), span)
            depth = max(first_depth, rest_depth)
        else:
            node = ast.BoolOp(op, tuple(read[0] for read in operands), span)
            depth = max(first_depth + 1, rest_depth)
        return self._made(node, depth, start, end)

    def not_expr(self) -> _Read:
        if self.kinds[self.pos] != "not":
            return self.comparison()
        start = self.starts[self.pos]
        self.pos += 1
        self._enter()
        operand, depth, _, end = self.not_expr()
        self.level -= 1
        return self._made(ast.Not(operand, self._span(start, end)), depth + 1, start, end)

    def comparison(self) -> _Read:
        left = self.binary()
        kind = self.kinds[self.pos]
        start = left[2]
        if kind in _COMPARE:
            self.pos += 1
            right = self.binary()
            span = Span(self.source, start, right[3])
            node: Any = ast.Compare(kind, left[0], right[0], span)
        elif kind == "in" or (kind == "not" and self.kinds[self.pos + 1] == "in"):
            self.pos += 1 if kind == "in" else 2
            right = self.binary()
            span = Span(self.source, start, right[3])
            node = ast.In(left[0], right[0], kind == "not", span)
        elif kind == "is":
            self.pos += 1
            negated = self._accept("not") is not None
            end = self.ends[self._expect("none")]
            node = ast.IsNone(left[0], negated, Span(self.source, start, end))
            return self._made(node, left[1] + 1, start, end)
        else:
            return left
        depth = 1 + (left[1] if left[1] > right[1] else right[1])
        if depth > MAX_DEPTH:
            raise _Unsure  # as `_made`, written out: one comparison per operand of a long `or`
        return node, depth, start, right[3]

    def binary(self, level: int = 1) -> _Read:
        """`coalesce`, `additive` and `multiplicative` in one loop (precedence climbing: each
        operator binds to the left, and tighter than those of a lower rank)."""
        kinds = self.kinds
        pos = self.pos
        # A lone name or number (each operand of a long `or`, each item of a long list): the
        # atom itself, without the calls through `unary`, `postfix` and this loop.
        kind = kinds[pos]
        if kind == "NAME" or kind in _NUMBERS:
            after = kinds[pos + 1]
            if after not in _CONTINUES_OPERAND:
                if kind == "NAME" or (kind == "INT" and len(self.values[pos]) <= MAX_DIGITS):
                    # `atom` written out for the two commonest operands.
                    self.pos = pos + 1
                    start, end = self.starts[pos], self.ends[pos]
                    span = Span(self.source, start, end)
                    value = self.values[pos]
                    if kind == "NAME":
                        return ast.NameRef(value, span), 0, start, end
                    return ast.IntLit(int(value), span), 0, start, end
                return self.atom()
            # The left operand of an operator (`r4 + 1`): the atom, without `unary`, `power`
            # and `postfix`, when nothing after it makes it a larger operand.
            left = self.atom() if after in _BINARY else self.unary()
        else:
            left = self.unary()
        while True:
            op = kinds[self.pos]
            rank = _BINARY.get(op)
            if rank is None or rank < level:
                return left
            self.pos += 1
            right = self.binary(rank + 1)
            span = self._span(left[2], right[3])
            if op == "??":
                node: Any = ast.Coalesce(left[0], right[0], span)
            else:
                node = ast.Arith(op, left[0], right[0], span)
            left = self._made(node, 1 + max(left[1], right[1]), left[2], right[3])

    def unary(self) -> _Read:
        if self.kinds[self.pos] != "-":
            return self.power()
        start = self.starts[self.pos]
        self.pos += 1
        self._enter()
        operand, depth, _, end = self.unary()
        self.level -= 1
        span = self._span(start, end)
        # `-5` and `-50%` are literals, so that bounds and table cells can be negative.
        if isinstance(operand, ast.IntLit | ast.DecimalLit | ast.PercentLit):
            return negated(operand, span), 0, start, end
        return self._made(ast.Negate(operand, span), depth + 1, start, end)

    def power(self) -> _Read:
        """`postfix ** unary`: to the right, tighter than a minus sign before it."""
        left = self.postfix()
        if self.kinds[self.pos] != "**":
            return left
        self.pos += 1
        self._enter()
        right = self.unary()
        self.level -= 1
        node = ast.Arith("**", left[0], right[0], self._span(left[2], right[3]))
        return self._made(node, 1 + max(left[1], right[1]), left[2], right[3])

    def postfix(self) -> _Read:
        read = self.atom()
        kinds = self.kinds
        while True:
            kind = kinds[self.pos]
            target, depth, start, _ = read
            if kind == ".":
                self.pos += 1
                field = self._name()
                node: Any = ast.FieldAccess(target, field, self._span(start, field.span.end))
                read = self._made(node, depth + 1, start, field.span.end)
            elif kind == "(":
                self.pos += 1
                args: list[_Read] = []
                if kinds[self.pos] != ")":
                    args.append(self.expr())
                    while self._accept(",") is not None and kinds[self.pos] != ")":
                        args.append(self.expr())
                end = self.ends[self._expect(")")]
                node = ast.Call(target, tuple(a[0] for a in args), self._span(start, end))
                read = self._made(node, 1 + max([depth, *(a[1] for a in args)]), start, end)
            elif kind == "[":
                self.pos += 1
                bindings = [self.input_binding()]
                while self._accept(",") is not None and kinds[self.pos] != "]":
                    bindings.append(self.input_binding())
                end = self.ends[self._expect("]")]
                node = ast.WithInputs(target, tuple(b[0] for b in bindings), self._span(start, end))
                read = self._made(node, 1 + max([depth, *(b[1] for b in bindings)]), start, end)
            else:
                return read

    def input_binding(self) -> tuple[ast.InputBinding, int]:
        name = self._name()
        self._expect("=")
        value, depth, _, end = self.expr()
        return ast.InputBinding(name, value, self._span(name.span.start, end)), depth

    def atom(self) -> _Read:
        index = self.pos
        kind = self.kinds[index]
        start, end = self.starts[index], self.ends[index]
        if kind == "NAME":
            self.pos += 1
            return ast.NameRef(self.values[index], Span(self.source, start, end)), 0, start, end
        if kind in _NUMBERS:
            self.pos += 1
            return self._number(index, Span(self.source, start, end)), 0, start, end
        if kind == "(":
            self.pos += 1
            node, depth, _, _ = self.expr()
            return node, depth, start, self.ends[self._expect(")")]
        if kind == "STRING":
            self.pos += 1
            return ast.TextLit(unquote(self.values[index]), self._span(start, end)), 0, start, end
        if kind == "[":
            return self.list_literal()
        if kind == "{":
            return self.record_literal()
        if kind in _KINDS and self.kinds[index + 1] == "of":
            if kind not in ("all", "any"):
                raise _Unsure  # `bad-composition`
            self.pos += 2
            items, depth, _, end = self.list_literal()
            node = ast.Compose(kind, items.items, None, self._span(start, end))
            return self._made(node, depth, start, end)
        if kind == "at" and self.kinds[index + 1] == "least":
            return self.at_least()
        if kind in self.reserved and kind not in RESERVED_NAMES:
            # A contextual keyword as a value (`rate * count`, `max(0, x)`, `source`): Lark
            # reads each as a name here (`kind_name`, `at_name`, or the lexer's NAME).
            self.pos += 1
            return ast.NameRef(self.values[index], self._span(start, end)), 0, start, end
        if kind == "true" or kind == "false":
            self.pos += 1
            return ast.BoolLit(kind == "true", self._span(start, end)), 0, start, end
        if kind == "none":
            self.pos += 1
            return ast.NoneLit(self._span(start, end)), 0, start, end
        if kind == "DATE":
            self.pos += 1
            try:
                value = datetime.date.fromisoformat(self.values[index])
            except ValueError:
                raise _Unsure from None  # `invalid-date`
            return ast.DateLit(value, self._span(start, end)), 0, start, end
        if kind == "DATETIME":
            self.pos += 1
            try:
                value = zones.parse(self.values[index])
            except zones.ZoneError:
                raise _Unsure from None  # the Lark path reports it
            return ast.DateLit(value, self._span(start, end)), 0, start, end
        if kind == "TIME":
            self.pos += 1
            try:
                clock = zones.parse_clock(self.values[index])
            except zones.ZoneError:
                raise _Unsure from None  # `invalid-date`, from the Lark path
            return ast.DateLit(clock, self._span(start, end)), 0, start, end
        raise _Unsure

    def at_least(self) -> _Read:
        start = self.starts[self._expect("at")]
        self._expect("least")
        index = self.pos
        span = self._span(self.starts[index], self.ends[index])
        count: ast.Expr
        if self.kinds[index] == "INT":
            count = self._number(index, span)
        elif self.kinds[index] == "NAME" or (
            self.kinds[index] in self.reserved and self.kinds[index] not in RESERVED_NAMES
        ):
            count = ast.NameRef(self.values[index], span)
        else:
            raise _Unsure
        self.pos += 1
        self._expect("of")
        items, depth, _, end = self.list_literal()
        node = ast.Compose("at_least", items.items, count, self._span(start, end))
        return self._made(node, depth, start, end)

    def list_literal(self) -> _Read:
        """A list: its depth is its items' plus one (`Compose` takes the items' own)."""
        start = self.starts[self._expect("[")]
        items: list[_Read] = []
        if self.kinds[self.pos] != "]":
            items.append(self.expr())
            while self._accept(",") is not None and self.kinds[self.pos] != "]":
                items.append(self.expr())
        end = self.ends[self._expect("]")]
        depth = max((item[1] for item in items), default=0)
        node = ast.ListLit(tuple(item[0] for item in items), self._span(start, end))
        return self._made(node, depth + 1, start, end)

    def record_literal(self) -> _Read:
        start = self.starts[self._expect("{")]
        items: list[Any] = []
        depth = 0
        while self.kinds[self.pos] != "}":
            if self.kinds[self.pos] == "...":
                spread_start = self.starts[self.pos]
                self.pos += 1
                value, value_depth, _, value_end = self.postfix()
                items.append(ast.RecordSpread(value, self._span(spread_start, value_end)))
            else:
                name = self._name()
                self._expect(":")
                value, value_depth, _, value_end = self.expr()
                span = self._span(name.span.start, value_end)
                items.append(ast.RecordField(name, value, span))
            depth = max(depth, value_depth)
            if self._accept(",") is None:
                break
        end = self.ends[self._expect("}")]
        node = ast.RecordLit(tuple(items), self._span(start, end))
        return self._made(node, depth + 1, start, end)


def negated(literal: ast.IntLit | ast.DecimalLit | ast.PercentLit, span: Span) -> ast.Expr:
    """`-5`, `-0.5`, `-50%`: a negative literal (so that bounds and table cells can be
    negative), as both readers build it."""
    if isinstance(literal, ast.IntLit):
        return ast.IntLit(-literal.value, span)
    if isinstance(literal, ast.DecimalLit):
        return ast.DecimalLit(-literal.value, "-" + literal.text, span)
    return ast.PercentLit(-literal.value, "-" + literal.text, span)
