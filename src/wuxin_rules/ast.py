"""The surface syntax tree of a `.policy` file.

Frozen, slotted attrs classes, one per construct of `grammar/wuxin.lark`, each carrying the
`Span` it was parsed from. Spans never take part in equality (`eq=False`), so two parses of
the same policy laid out differently compare equal. Nodes hold data only: checking,
evaluation and printing live in their own modules. May import `source` only.
"""

from __future__ import annotations

import datetime
import enum
from fractions import Fraction
from typing import TypeAlias, get_args

import attrs

from wuxin_rules.source import Span

_span = attrs.field(eq=False, repr=False)
"""Every node's span: excluded from equality and repr."""


# ------------------------------------------------------------------------------------------
# Shared pieces


@attrs.frozen
class Ident:
    """A name as written, with its place."""

    name: str
    span: Span = _span


@attrs.frozen
class QualifiedName:
    """A dotted name: `loans.types` or `types.Applicant`."""

    parts: tuple[Ident, ...]
    span: Span = _span

    @property
    def dotted(self) -> str:
        """The name with its dots: `loans.types`."""
        return ".".join(part.name for part in self.parts)


@attrs.frozen
class Text:
    """A string literal outside expressions (a label, citation, source or note).

    A label or note may carry its wording in other languages (`"家庭人数" en "household size"`):
    `value` is the text as written first, the policy's own; `translations` the others.
    """

    value: str
    span: Span = _span
    translations: tuple[Translation, ...] = attrs.field(default=(), kw_only=True)


@attrs.frozen
class Translation:
    """`en "household size"`: a label's or note's wording in the language `lang` names."""

    lang: Ident
    text: Text


@attrs.frozen
class Doc:
    """What any declaration may say about itself: label, citations and an explanatory note."""

    label: Text | None = None
    cites: tuple[Text, ...] = ()
    note: Text | None = None


# ------------------------------------------------------------------------------------------
# Types


@attrs.frozen
class Bound:
    """An inclusive/exclusive numeric bound on a type: `int >= 0`, `decimal 0 .. 1`."""

    low: Fraction | None
    low_inclusive: bool
    high: Fraction | None
    high_inclusive: bool
    span: Span = _span


@attrs.frozen
class TypeRef:
    """A named type (`int`, `Applicant`, `types.Kind`), with an optional numeric bound."""

    name: QualifiedName
    bound: Bound | None
    span: Span = _span


@attrs.frozen
class ListTypeExpr:
    """`list of T`."""

    element: TypeExpr
    span: Span = _span


@attrs.frozen
class OptionalTypeExpr:
    """`T?`: a value of T or `none`."""

    inner: TypeExpr
    span: Span = _span


TypeExpr: TypeAlias = TypeRef | ListTypeExpr | OptionalTypeExpr


# ------------------------------------------------------------------------------------------
# Expressions


@attrs.frozen
class IntLit:
    """An integer literal: `42`."""

    value: int
    span: Span = _span


@attrs.frozen
class DecimalLit:
    """An exact decimal literal: `0.031` (held as the exact fraction it denotes)."""

    value: Fraction
    text: str
    span: Span = _span


@attrs.frozen
class PercentLit:
    """A percent literal: `50%` is exactly 1/2, `12.5%` exactly 1/8."""

    value: Fraction
    text: str
    span: Span = _span


@attrs.frozen
class TextLit:
    """A text literal in an expression: `"S2.1"`."""

    value: str
    span: Span = _span


@attrs.frozen
class BoolLit:
    """`true` or `false`."""

    value: bool
    span: Span = _span


@attrs.frozen
class DateLit:
    """A date literal, `2015-03-31`, or a date-time, `2025-03-01T08:30[Asia/Shanghai]`
    (its value a `datetime.datetime`, with its zone), or a time of day, `08:30` (a
    `datetime.time`)."""

    value: datetime.date | datetime.time
    span: Span = _span


@attrs.frozen
class NoneLit:
    """`none`: the absent value of an optional type."""

    span: Span = _span


@attrs.frozen
class NameRef:
    """A bare name: a rule, criterion, param, input, local, enum member or builtin function."""

    name: str
    span: Span = _span


@attrs.frozen
class FieldAccess:
    """`target.field`: a record field, a date component, or a module-qualified name."""

    target: Expr
    field: Ident
    span: Span = _span


@attrs.frozen
class Call:
    """`callee(arg, …)`: a rule with parameters, a schedule or bands lookup, or a builtin."""

    callee: Expr
    args: tuple[Expr, ...]
    span: Span = _span


@attrs.frozen
class Negate:
    """`-operand`."""

    operand: Expr
    span: Span = _span


@attrs.frozen
class Not:
    """`not operand`."""

    operand: Expr
    span: Span = _span


@attrs.frozen
class Arith:
    """`left op right` with op one of `+ - * /`."""

    op: str
    left: Expr
    right: Expr
    span: Span = _span


@attrs.frozen
class Compare:
    """`left op right` with op one of `== != < <= > >=`."""

    op: str
    left: Expr
    right: Expr
    span: Span = _span


@attrs.frozen
class In:
    """`item in collection` (or `not in`, when `negated`)."""

    item: Expr
    collection: Expr
    negated: bool
    span: Span = _span


@attrs.frozen
class IsNone:
    """`operand is none` (or `is not none`, when `negated`)."""

    operand: Expr
    negated: bool
    span: Span = _span
    narrows: bool = attrs.field(default=True, kw_only=True)
    """Whether the branches it guards see the operand narrowed. False for the `none` cells of
    a decision table: the rows after a `none` row still test the column for `none`."""


@attrs.frozen
class IsMember:
    """`operand is card` (`is not card` when `negated`): whether a value of an enum is that
    member."""

    operand: Expr
    member: Ident
    span: Span = _span
    negated: bool = attrs.field(default=False, kw_only=True)


@attrs.frozen
class MatchCase:
    """`case card(number, amount) => body`: an arm of a `match`, the member's fields bound
    by position to the names in `bindings`."""

    member: Ident
    bindings: tuple[Ident, ...]
    body: Expr
    span: Span = _span


@attrs.frozen
class Match:
    """`match subject: case … => … else => …`: the arm of the member `subject` is."""

    subject: Expr
    cases: tuple[MatchCase, ...]
    otherwise: Expr | None
    span: Span = _span


@attrs.frozen
class Coalesce:
    """`value ?? fallback`: the value unless it is `none`."""

    value: Expr
    fallback: Expr
    span: Span = _span


@attrs.frozen
class BoolOp:
    """`a and b and c` or `a or b`: operands flattened, `op` is `and` or `or`."""

    op: str
    operands: tuple[Expr, ...]
    span: Span = _span


@attrs.frozen
class If:
    """`if condition then value else other`."""

    condition: Expr
    then: Expr
    otherwise: Expr
    span: Span = _span


@attrs.frozen
class Compose:
    """`all of [...]`, `any of [...]` or `at least N of [...]` (`kind` is all/any/at_least)."""

    kind: str
    items: tuple[Expr, ...]
    count: Expr | None
    span: Span = _span


@attrs.frozen
class Aggregate:
    """`kind of var in collection where filter : body`.

    `kind` is one of count, sum, min, max, all, any, rate, list. `filter` and `body` are
    optional in the syntax; the checker says which kinds need a body.
    """

    kind: str
    var: Ident
    collection: Expr
    filter: Expr | None
    body: Expr | None
    span: Span = _span


@attrs.frozen
class ListLit:
    """`[a, b, c]`."""

    items: tuple[Expr, ...]
    span: Span = _span


@attrs.frozen
class RecordField:
    """`name: value` inside a record literal."""

    name: Ident
    value: Expr
    span: Span = _span


@attrs.frozen
class RecordSpread:
    """`...base` inside a record literal: every field of `base`, later fields overriding."""

    value: Expr
    span: Span = _span


@attrs.frozen
class RecordLit:
    """`{name: value, ...base}`."""

    items: tuple[RecordField | RecordSpread, ...]
    span: Span = _span


@attrs.frozen
class InputBinding:
    """`unit = b` inside `target[…]`: the value an input (or a bound name) takes there."""

    name: Ident
    value: Expr
    span: Span = _span


@attrs.frozen
class WithInputs:
    """`target[name = value, …]`: `target` computed with those inputs replaced.

    Written in examples and properties to compare two facts documents
    (`released[order = b]`); the checker rejects it in rules.
    """

    target: Expr
    bindings: tuple[InputBinding, ...]
    span: Span = _span


Expr: TypeAlias = (
    IntLit
    | DecimalLit
    | PercentLit
    | TextLit
    | BoolLit
    | DateLit
    | NoneLit
    | NameRef
    | FieldAccess
    | Call
    | Negate
    | Not
    | Arith
    | Compare
    | In
    | IsNone
    | IsMember
    | Coalesce
    | BoolOp
    | If
    | Compose
    | Aggregate
    | ListLit
    | RecordLit
    | WithInputs
    | Match
)

EXPRESSIONS: tuple[type, ...] = get_args(Expr)
"""Every kind of surface expression: a family of nodes a syntax visitor meets (`visitor.Visitor`)."""


class Precedence(enum.IntEnum):
    """How tightly an expression binds, loosest first (docs/language.md, "Precedence").

    The one table that the formatter and the notation of documents and explanations read to
    put back exactly the parentheses the parser dropped.
    """

    OPEN = 1  # `if`, aggregates: open to the right, so parenthesised unless last
    OR = 2
    AND = 3
    NOT = 4
    COMPARE = 5
    COALESCE = 6
    ADD = 7
    MUL = 8
    UNARY = 9
    POWER = 10  # `**`: to the right, tighter than a minus sign (`-2 ** 2` is -4)
    POSTFIX = 11
    ATOM = 12


def precedence(expr: Expr) -> Precedence:
    """How tightly `expr` binds when printed as the parser reads it."""
    match expr:
        case If() | Aggregate() | Match():
            return Precedence.OPEN
        case BoolOp(op="or"):
            return Precedence.OR
        case BoolOp():
            return Precedence.AND
        case Not():
            return Precedence.NOT
        case Compare() | In() | IsNone() | IsMember():
            return Precedence.COMPARE
        case Coalesce():
            return Precedence.COALESCE
        case Arith(op="+" | "-"):
            return Precedence.ADD
        case Arith(op="**"):
            return Precedence.POWER
        case Arith():
            return Precedence.MUL
        case Negate():
            return Precedence.UNARY
        case IntLit(value=value) if value < 0:
            # `-5` is one literal, but it reads (and parses back) as a minus sign.
            return Precedence.UNARY
        case DecimalLit(text=text) | PercentLit(text=text) if text.startswith("-"):
            return Precedence.UNARY
        case FieldAccess() | Call() | WithInputs():
            return Precedence.POSTFIX
    return Precedence.ATOM


# ------------------------------------------------------------------------------------------
# Declarations


@attrs.frozen
class Header:
    """`policy loans.eligibility "label" source "…" cites "…"`: the module's name and provenance."""

    name: QualifiedName
    doc: Doc
    source: Text | None
    span: Span = _span


@attrs.frozen
class ImportDecl:
    """`import loans.types`, `… as t`, or `… (Applicant, Kind)` to bring names in unqualified."""

    module: QualifiedName
    alias: Ident | None
    names: tuple[Ident, ...]
    span: Span = _span


@attrs.frozen
class EnumMember:
    """One member of an enum, with its label and the fields it carries (none for the
    members of a plain enum)."""

    name: Ident
    label: Text | None
    span: Span = _span
    fields: tuple[FieldDecl, ...] = attrs.field(default=(), kw_only=True)


@attrs.frozen
class EnumDecl:
    """`enum Tenure "住房类型": owner "自有", renter "租住", …`."""

    name: Ident
    doc: Doc
    members: tuple[EnumMember, ...]
    span: Span = _span


@attrs.frozen
class FieldDecl:
    """One field of a record: `dependants: int >= 0 "供养人数"`."""

    name: Ident
    type: TypeExpr
    doc: Doc
    span: Span = _span
    fixed: bool = attrs.field(default=False, kw_only=True)
    """True when marked `fixed`: not a fact the assessed party can change."""


@attrs.frozen
class RecordDecl:
    """`record Applicant "申请人": field: type …`."""

    name: Ident
    doc: Doc
    fields: tuple[FieldDecl, ...]
    span: Span = _span


@attrs.frozen
class InputDecl:
    """`input applicant: Applicant`: a key every facts document must supply."""

    name: Ident
    type: TypeExpr
    doc: Doc
    span: Span = _span
    fixed: bool = attrs.field(default=False, kw_only=True)
    """True when marked `fixed`: not a fact the assessed party can change."""


@attrs.frozen
class ParamDecl:
    """`param max_ratio: percent = 40%`: a named constant, overridable at load time."""

    name: Ident
    type: TypeExpr
    default: Expr
    doc: Doc
    span: Span = _span
    illustrative: bool = attrs.field(default=False, kw_only=True)
    """True when marked `illustrative`: the default is an example, not the source's value."""


@attrs.frozen
class RuleParam:
    """`a: Applicant` in a rule's parameter list."""

    name: Ident
    type: TypeExpr
    span: Span = _span


@attrs.frozen
class RuleDecl:
    """A `rule` or a `criterion` (a rule that must be boolean); with params it is a function."""

    kind: str
    name: Ident
    params: tuple[RuleParam, ...] | None
    doc: Doc
    returns: TypeExpr | None
    body: Expr
    span: Span = _span
    exceptions: tuple[RuleException, ...] = attrs.field(default=(), kw_only=True)
    """The exceptions to the body (default logic, `defaults`); the checker sees the rule
    with them lowered into its body."""

    @property
    def is_function(self) -> bool:
        """True when the rule takes parameters (`rule f(a: Applicant)`, even `rule f()`)."""
        return self.params is not None


@attrs.frozen
class RuleException:
    """`exception NAME [to OTHER] "label" cites "…" when CONDITION then VALUE`, after a rule's
    body: where `condition` holds, the rule's value is `value` instead of its body's (or of
    the exception `to` names, which this one overrides)."""

    name: Ident
    parent: Ident | None
    doc: Doc
    condition: Expr
    value: Expr
    span: Span = _span


@attrs.frozen
class Monotone:
    """`monotone nondecreasing in year`: a property `wuxin check` proves over the table."""

    direction: str
    dimension: Ident
    span: Span = _span


@attrs.frozen
class ScheduleCell:
    """`junior 20%` (or just `20%` in a schedule without categories)."""

    category: Ident | None
    value: Expr
    span: Span = _span


@attrs.frozen
class ScheduleRow:
    """`2015: junior 20%, senior 50%`."""

    period: IntLit
    cells: tuple[ScheduleCell, ...]
    span: Span = _span


@attrs.frozen
class Stage:
    """`stage launch "全面启动" 2015-04-01 .. 2015-12-31: rows…`."""

    name: Ident
    doc: Doc
    start: DateLit | None
    end: DateLit
    rows: tuple[ScheduleRow, ...]
    span: Span = _span


@attrs.frozen
class DatedValue:
    """`from 2024-07-01 "…" cites "…": 1260` (or `east 1260, west 1180` with categories): the
    values of a schedule `by date` in force from `start` on, until the next one's start."""

    start: DateLit
    doc: Doc
    cells: tuple[ScheduleCell, ...]
    span: Span = _span


@attrs.frozen
class ScheduleDecl:
    """`schedule target "…": percent by year, Group monotone nondecreasing in year: stages…`,
    or `schedule base "…": decimal by date: from 2024-01-01: 1200 …` (`dated`, no stages)."""

    name: Ident
    doc: Doc
    value_type: TypeExpr
    period: Ident
    category: TypeExpr | None
    monotone: tuple[Monotone, ...]
    stages: tuple[Stage, ...]
    span: Span = _span
    dated: tuple[DatedValue, ...] = ()


@attrs.frozen
class BandRange:
    """`low .. high` (inclusive), `low ..< high` (high excluded), `low <.. high` (low
    excluded) or `low <..< high` (both); bounds are numbers or names."""

    low: Expr
    high: Expr
    high_inclusive: bool
    span: Span = _span
    low_inclusive: bool = True

    @property
    def operator(self) -> str:
        """The range's operator as written: `..`, `..<`, `<..` or `<..<`."""
        return f"{'' if self.low_inclusive else '<'}..{'' if self.high_inclusive else '<'}"


@attrs.frozen
class Band:
    """`90 .. 100 excellent "优秀"`, or a declared hole `80 ..< 90 none` (no band applies
    there: the lookup gives `none`)."""

    range: BandRange
    name: Ident
    label: Text | None
    span: Span = _span


@attrs.frozen
class BandsDecl:
    """`bands grade "考核等级" over 0 .. 100: bands…`: a number mapped to labelled grades."""

    name: Ident
    doc: Doc
    over: BandRange
    bands: tuple[Band, ...]
    span: Span = _span


@attrs.frozen
class ExampleGiven:
    """`given applicant = {...}`: one input of an example.

    With a `type` (`given u: Applicant = {...}`) it binds a name of the example's own
    instead, usable in its expectations like a rule parameter.
    """

    name: Ident
    value: Expr
    span: Span = _span
    type: TypeExpr | None = attrs.field(default=None, kw_only=True)


@attrs.frozen
class ExampleDecl:
    """`example "…": given … expect …`."""

    title: Text
    given: tuple[ExampleGiven, ...]
    expect: tuple[Expr, ...]
    span: Span = _span


@attrs.frozen
class Binder:
    """`a: Applicant` after `forall`."""

    name: Ident
    type: TypeExpr
    span: Span = _span


@attrs.frozen
class PropertyDecl:
    """`property "…": forall x: T, … where condition holds claim`."""

    title: Text
    binders: tuple[Binder, ...]
    condition: Expr | None
    claim: Expr
    span: Span = _span


@attrs.frozen
class FixtureDecl:
    """`fixture base_order: Order = {...}`: a named constant for examples and properties."""

    name: Ident
    type: TypeExpr
    value: Expr
    span: Span = _span


# -- decision tables -----------------------------------------------------------------------


@attrs.frozen
class CellTest:
    """One test of a decision table cell: `op` is `==`, `!=`, `<`, `<=`, `>`, `>=` (with
    `value`), `range` (`value` the low end, `high` the high end, each end open or closed:
    `[18..65)`), or `none` (the column's value is absent; `value` is the `none`)."""

    op: str
    value: Expr
    span: Span = _span
    high: Expr | None = attrs.field(default=None, kw_only=True)
    low_inclusive: bool = attrs.field(default=True, kw_only=True)
    high_inclusive: bool = attrs.field(default=True, kw_only=True)


@attrs.frozen
class TableCell:
    """A condition cell: `-` (any value: no tests), a list of tests (one must hold), or
    `not` tests (none may hold)."""

    tests: tuple[CellTest, ...]
    negated: bool
    span: Span = _span

    @property
    def is_any(self) -> bool:
        return not self.tests


@attrs.frozen
class HitPolicy:
    """`hit unique`, `hit first`, `hit collect sum`, …: `kind` is one of `unique`, `any`,
    `priority`, `first`, `rule order`, `output order`, `collect`; `aggregator` is `sum`,
    `min`, `max` or `count` for `collect` (or None)."""

    kind: str
    aggregator: str | None
    span: Span = _span


@attrs.frozen
class TableRow:
    """A row: its condition cells, one per input column, its outputs, one per output
    column, and its label and citations."""

    cells: tuple[TableCell, ...]
    outputs: tuple[Expr, ...]
    label: Text | None
    cites: tuple[Text, ...]
    span: Span = _span


@attrs.frozen
class DecisionDecl:
    """`decision NAME … : hit … input … => … row … else => …`: a decision table, a named
    definition with a value like a rule. `hit` is None when not written (unique)."""

    name: Ident
    doc: Doc
    returns: TypeExpr | None
    hit: HitPolicy | None
    inputs: tuple[Expr, ...]
    outputs: tuple[Ident, ...]
    rows: tuple[TableRow, ...]
    default: tuple[Expr, ...] | None
    span: Span = _span
    params: tuple[RuleParam, ...] | None = None
    """`decision f(score: int, risk: Risk) …`: a table with parameters (DMN's business
    knowledge model), called as a rule with parameters is, its columns over the parameters."""

    @property
    def hit_policy(self) -> HitPolicy:
        return self.hit if self.hit is not None else HitPolicy("unique", None, self.span)


Declaration: TypeAlias = (
    ImportDecl
    | EnumDecl
    | RecordDecl
    | InputDecl
    | ParamDecl
    | RuleDecl
    | ScheduleDecl
    | BandsDecl
    | DecisionDecl
    | ExampleDecl
    | PropertyDecl
    | FixtureDecl
)

DECLARATIONS: tuple[type, ...] = get_args(Declaration)
"""Every kind of declaration: a family of nodes a syntax visitor meets (`visitor.Visitor`)."""


@attrs.frozen
class Module:
    """One parsed `.policy` file."""

    header: Header | None
    declarations: tuple[Declaration, ...]
    span: Span = _span


def worded_texts(module: Module) -> list[Text]:
    """Every text of a module that may carry translations: labels and notes, in order."""
    docs: list[Doc] = [module.header.doc] if module.header is not None else []
    labels: list[Text | None] = []
    for decl in module.declarations:
        doc = getattr(decl, "doc", None)
        if isinstance(doc, Doc):
            docs.append(doc)
        if isinstance(decl, EnumDecl):
            labels += [member.label for member in decl.members]
        elif isinstance(decl, RecordDecl):
            docs += [field.doc for field in decl.fields]
        elif isinstance(decl, ScheduleDecl):
            docs += [stage.doc for stage in decl.stages]
            docs += [value.doc for value in decl.dated]
        elif isinstance(decl, BandsDecl):
            labels += [band.label for band in decl.bands]
        elif isinstance(decl, DecisionDecl):
            labels += [row.label for row in decl.rows]
        elif isinstance(decl, RuleDecl):
            docs += [exception.doc for exception in decl.exceptions]
    for doc in docs:
        labels += [doc.label, doc.note]
    return [text for text in labels if text is not None]
