"""The checked model: what the checker produces and every later stage consumes.

A `CheckedPolicy` is a policy whose names are resolved, whose expressions are typed and whose
rule graph is acyclic. Its expressions (`CExpr`) are a small core language: every name is
already known to be an input, a param, a rule, a local or a constant, so evaluators never
look anything up by scope. Every node carries its static `type` and its `span` (excluded from
equality), so explanations can show the source text and labels of what they evaluate.

Runtime values follow the table in `wuxin_rules.values`. May import `source`, `schema` and
`ast` (for nothing but spans and docs).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from typing import Any, TypeAlias, get_args

import attrs

from wuxin_rules.schema import EnumType, RecordType, SumType, Type
from wuxin_rules.source import Span

__all__ = [
    "CHILD_FIELDS",
    "EXPRESSIONS",
    "Aggregate",
    "And",
    "Arith",
    "BandDef",
    "BandsDef",
    "BandsLookup",
    "BuiltinCall",
    "CExpr",
    "CallRule",
    "CheckedPolicy",
    "Coalesce",
    "Compare",
    "Compose",
    "Const",
    "DatedDef",
    "GetField",
    "If",
    "In",
    "InputDef",
    "InputRef",
    "IsNone",
    "LocalRef",
    "MakeList",
    "MakeRecord",
    "Negate",
    "Not",
    "Or",
    "ParamDef",
    "ParamRef",
    "RuleDef",
    "RuleRef",
    "ScheduleDef",
    "ScheduleLookup",
    "StageDef",
    "StageLookup",
    "children",
    "map_children",
    "walk",
]

_span = attrs.field(eq=False, repr=False)


# ------------------------------------------------------------------------------------------
# Core expressions. `type` is the static type; `span` points at the source expression.


@attrs.frozen
class Const:
    """A constant already in runtime form (a literal, an enum member, a folded value)."""

    value: Any
    type: Type
    span: Span = _span


@attrs.frozen
class InputRef:
    """The value of a declared input (`applicant`): `name` is the facts document key."""

    name: str
    type: Type
    span: Span = _span


@attrs.frozen
class ParamRef:
    """The value of a param; `key` indexes `CheckedPolicy.params` (and load-time overrides)."""

    key: str
    type: Type
    span: Span = _span


@attrs.frozen
class RuleRef:
    """The value of a nullary rule or criterion; `key` indexes `CheckedPolicy.rules`.

    Nullary rules are evaluated once per facts document and shared by every reference.
    """

    key: str
    type: Type
    span: Span = _span


@attrs.frozen
class LocalRef:
    """A rule parameter or an aggregate variable, bound by the enclosing call or aggregate."""

    name: str
    type: Type
    span: Span = _span


@attrs.frozen
class GetField:
    """`target.field` on a record value."""

    target: CExpr
    field: str
    type: Type
    span: Span = _span


@attrs.frozen
class CallRule:
    """A call of a rule with parameters: `is_eligible(a)`."""

    key: str
    args: tuple[CExpr, ...]
    type: Type
    span: Span = _span


@attrs.frozen
class BuiltinCall:
    """A builtin function: `abs`, `min`, `max`, `round`, date functions and components, `len`.

    The set of names and their signatures is owned by the checker (`checker.BUILTINS`); the
    evaluator implements each one.
    """

    name: str
    args: tuple[CExpr, ...]
    type: Type
    span: Span = _span


@attrs.frozen
class ScheduleLookup:
    """`target(year, group)`: the schedule's cell, `none` when the table has no such cell."""

    key: str
    args: tuple[CExpr, ...]
    type: Type
    span: Span = _span


@attrs.frozen
class StageLookup:
    """`target.stage(x)`: the stage of schedule `key` holding the date `x` (by its dates) or
    the period `x` (by its rows), as a member of the schedule's stage enum; none when none does.
    """

    key: str
    arg: CExpr
    type: Type
    span: Span = _span


@attrs.frozen
class BandsLookup:
    """`grade(score)`: the band whose range holds the value (a runtime error when none does)."""

    key: str
    arg: CExpr
    type: Type
    span: Span = _span


@attrs.frozen
class Negate:
    """`-operand`."""

    operand: CExpr
    type: Type
    span: Span = _span


@attrs.frozen
class Arith:
    """`left op right`, op in `+ - * /`; `/` by zero is a located evaluation error."""

    op: str
    left: CExpr
    right: CExpr
    type: Type
    span: Span = _span


@attrs.frozen
class Compare:
    """`left op right`, op in `== != < <= > >=`."""

    op: str
    left: CExpr
    right: CExpr
    type: Type
    span: Span = _span


@attrs.frozen
class In:
    """`item in collection` / `item not in collection`."""

    item: CExpr
    collection: CExpr
    negated: bool
    type: Type
    span: Span = _span


@attrs.frozen
class IsNone:
    """`operand is none` / `operand is not none`."""

    operand: CExpr
    negated: bool
    type: Type
    span: Span = _span


@attrs.frozen
class Coalesce:
    """`value ?? fallback`."""

    value: CExpr
    fallback: CExpr
    type: Type
    span: Span = _span


@attrs.frozen
class Not:
    """`not operand`."""

    operand: CExpr
    type: Type
    span: Span = _span


@attrs.frozen
class And:
    """`a and b and …`: every operand is evaluated (an error in any is the result's error)."""

    operands: tuple[CExpr, ...]
    type: Type
    span: Span = _span


@attrs.frozen
class Or:
    """`a or b or …`: every operand is evaluated (an error in any is the result's error)."""

    operands: tuple[CExpr, ...]
    type: Type
    span: Span = _span


@attrs.frozen
class If:
    """`if condition then value else other`: only the chosen branch is evaluated."""

    condition: CExpr
    then: CExpr
    otherwise: CExpr
    type: Type
    span: Span = _span


@attrs.frozen
class Compose:
    """`all of [...]`, `any of [...]`, `at least N of [...]`; `kind` is all/any/at_least."""

    kind: str
    items: tuple[CExpr, ...]
    count: CExpr | None
    type: Type
    span: Span = _span


@attrs.frozen
class Aggregate:
    """`kind of var in collection where filter : body` over a list.

    kinds and results: `count` int; `sum` number (0 when empty); `min`/`max` `T?` (none when
    empty); `all`/`any` bool (true/false when empty); `rate` `percent?` — the share of the
    filtered elements for which body holds, none when no element passes the filter;
    `list` the list of body values (of the elements themselves when there is no body).
    """

    kind: str
    var: str
    collection: CExpr
    filter: CExpr | None
    body: CExpr | None
    type: Type
    span: Span = _span


@attrs.frozen
class MakeList:
    """`[a, b, c]`."""

    items: tuple[CExpr, ...]
    type: Type
    span: Span = _span


@attrs.frozen
class MakeRecord:
    """`{...base, name: value}`: fields of each spread in order, then the named fields."""

    spreads: tuple[CExpr, ...]
    fields: tuple[tuple[str, CExpr], ...]
    type: Type
    span: Span = _span


CExpr: TypeAlias = (
    Const
    | InputRef
    | ParamRef
    | RuleRef
    | LocalRef
    | GetField
    | CallRule
    | BuiltinCall
    | ScheduleLookup
    | StageLookup
    | BandsLookup
    | Negate
    | Arith
    | Compare
    | In
    | IsNone
    | Coalesce
    | Not
    | And
    | Or
    | If
    | Compose
    | Aggregate
    | MakeList
    | MakeRecord
)

EXPRESSIONS: tuple[type, ...] = get_args(CExpr)
"""Every kind of core expression: the family a visitor of the model meets (`visitor.Visitor`).
Adding a kind here makes tests/test_visitors.py fail until every visitor handles it."""


# ------------------------------------------------------------------------------------------
# Traversal: the one list of each node's sub-expressions, read by every walker of the model

CHILD_FIELDS: Mapping[type, tuple[str, ...]] = {
    Const: (),
    InputRef: (),
    ParamRef: (),
    RuleRef: (),
    LocalRef: (),
    GetField: ("target",),
    CallRule: ("args",),
    BuiltinCall: ("args",),
    ScheduleLookup: ("args",),
    StageLookup: ("arg",),
    BandsLookup: ("arg",),
    Negate: ("operand",),
    Arith: ("left", "right"),
    Compare: ("left", "right"),
    In: ("item", "collection"),
    IsNone: ("operand",),
    Coalesce: ("value", "fallback"),
    Not: ("operand",),
    And: ("operands",),
    Or: ("operands",),
    If: ("condition", "then", "otherwise"),
    Compose: ("items", "count"),
    Aggregate: ("collection", "filter", "body"),
    MakeList: ("items",),
    MakeRecord: ("spreads", "fields"),
}
"""The fields of each core expression that hold sub-expressions: one expression, a tuple of
them, `None`, or (`MakeRecord.fields`) a tuple of `(name, expression)` pairs."""

# The fields in which an aggregate's variable is bound.
_SCOPED_FIELDS: Mapping[type, frozenset[str]] = {Aggregate: frozenset({"filter", "body"})}


def children(expr: CExpr) -> list[CExpr]:
    """The direct sub-expressions of `expr`, in field order."""
    found: list[CExpr] = []
    for name in CHILD_FIELDS[type(expr)]:
        value = getattr(expr, name)
        if value is None:
            continue
        if isinstance(value, tuple):
            # MakeRecord.fields holds (name, expression) pairs.
            found.extend(item[1] if isinstance(item, tuple) else item for item in value)
        else:
            found.append(value)
    return found


def map_children(expr: CExpr, fn: Callable[[CExpr, bool], CExpr]) -> CExpr:
    """`expr` with each direct sub-expression `c` replaced by `fn(c, scoped)`; `scoped` says
    whether an aggregate's variable is bound there (its filter and body). Unchanged children
    keep `expr` itself."""
    scoped_fields = _SCOPED_FIELDS.get(type(expr), frozenset())
    changes: dict[str, Any] = {}
    for name in CHILD_FIELDS[type(expr)]:
        value = getattr(expr, name)
        scoped = name in scoped_fields
        if value is None:
            continue
        if isinstance(value, tuple):
            items: list[Any] = []
            changed = False
            for item in value:
                child = item[1] if isinstance(item, tuple) else item
                new = fn(child, scoped)
                changed = changed or new is not child
                items.append((item[0], new) if isinstance(item, tuple) else new)
            if changed:
                changes[name] = tuple(items)
        else:
            new = fn(value, scoped)
            if new is not value:
                changes[name] = new
    return attrs.evolve(expr, **changes) if changes else expr


def walk(expr: CExpr) -> Iterator[CExpr]:
    """Every node of `expr`, itself first (iteratively: expressions may nest deeply)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


# ------------------------------------------------------------------------------------------
# Declarations


@attrs.frozen
class InputDef:
    """A declared input: the facts document must have the key `name` with a value of `type`."""

    name: str
    type: Type
    label: str | None
    span: Span = _span
    fixed: bool = attrs.field(default=False, kw_only=True)
    """True when the policy marks the input `fixed`: not facts the assessed party can change."""


@attrs.frozen
class ParamDef:
    """A param with its default value (runtime form); `key` is `module.name` qualified."""

    key: str
    name: str
    module: str
    type: Type
    default: Any
    label: str | None
    cites: tuple[str, ...]
    note: str | None
    span: Span = _span
    illustrative: bool = attrs.field(default=False, kw_only=True)
    """True when the policy marks the default `illustrative` (not the source's own value)."""


@attrs.frozen
class RuleDef:
    """A rule or criterion, checked: body typed, params typed, label and citations kept.

    `key` is unique across the loaded modules (`module.name`, or the bare name for rules of
    the root module); `name` is the name as declared.
    """

    key: str
    name: str
    module: str
    kind: str
    params: tuple[tuple[str, Type], ...] | None
    type: Type
    body: CExpr
    label: str | None
    cites: tuple[str, ...]
    note: str | None
    span: Span = _span
    name_span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)
    """Where the name is written in the declaration (what a warning about the rule points
    at), when the rule was checked from source."""

    @property
    def is_function(self) -> bool:
        """True when the rule takes parameters."""
        return self.params is not None


@attrs.frozen
class StageDef:
    """A stage of a schedule: its name, label, date range and the periods it holds."""

    name: str
    label: str | None
    start: datetime.date | None
    end: datetime.date
    periods: tuple[int, ...]
    span: Span = _span


@attrs.frozen
class DatedDef:
    """A stage of a schedule `by date`: the values in force from `start` on, until the next
    stage's start; its label and citations."""

    start: datetime.date
    label: str | None
    cites: tuple[str, ...]
    span: Span = _span


@attrs.frozen
class ScheduleDef:
    """A schedule: `cells[(period, category)]` is the value (category None when uncategorised).
    A schedule `by date` has `dated` stages, in order of their start, and its cells are keyed
    by their starts: the value on a date is the one of the stage in force (`in_force`)."""

    key: str
    name: str
    label: str | None
    cites: tuple[str, ...]
    value_type: Type
    period_name: str
    category: EnumType | None
    stages: tuple[StageDef, ...]
    cells: Mapping[tuple[Any, str | None], Any]
    monotone: tuple[str, ...]
    span: Span = _span
    dated: tuple[DatedDef, ...] = ()

    def in_force(self, day: datetime.date) -> DatedDef | None:
        """The dated stage in force on `day`: the last one that starts on or before it (None
        before the first). Stages are few and in order: a scan from the end is enough."""
        for stage in reversed(self.dated):
            if stage.start <= day:
                return stage
        return None


HOLE = "none"
"""The name of a declared hole among bands (`80 ..< 90 none`): `none` is never a band's name,
so a hole cannot be taken for a grade."""


def range_operator(low_inclusive: bool, high_inclusive: bool) -> str:
    """The operator of a band range: `..`, `..<` (high excluded), `<..` (low excluded) or
    `<..<` (both excluded)."""
    return f"{'' if low_inclusive else '<'}..{'' if high_inclusive else '<'}"


@attrs.frozen
class BandDef:
    """One band: values in `low .. high` (or `low ..< high`, `low <.. high`, `low <..< high`)
    map to the member `name`."""

    name: str
    label: str | None
    low: CExpr
    high: CExpr
    high_inclusive: bool
    span: Span = _span
    low_inclusive: bool = True

    @property
    def is_hole(self) -> bool:
        """Whether this is a declared hole (`80 ..< 90 none`): no grade, the lookup is none."""
        return self.name == HOLE

    def holds(self, low: Any, high: Any, number: Any) -> bool:
        """Whether `number` lies in this band, its bounds being `low` and `high`."""
        above = low <= number if self.low_inclusive else low < number
        below = number <= high if self.high_inclusive else number < high
        return bool(above and below)


@attrs.frozen
class BandsDef:
    """Bands over a numeric domain; `type` is the enum of the band names."""

    key: str
    name: str
    label: str | None
    cites: tuple[str, ...]
    type: EnumType
    low: CExpr
    high: CExpr
    high_inclusive: bool
    bands: tuple[BandDef, ...]
    span: Span = _span
    low_inclusive: bool = True


@attrs.frozen
class CheckedPolicy:
    """A policy (a root module and everything it imports) that passed every check.

    `rules` holds every rule of every loaded module, keyed as in `RuleDef.key`; `order` lists
    the nullary rules of the root module in dependency order (what `wuxin eval` evaluates
    when no rule is named). `params` maps each param key to its definition; `param_names`
    maps the short name of every param to its key when the short name is unambiguous.
    """

    name: str
    source_name: str
    inputs: tuple[InputDef, ...]
    params: Mapping[str, ParamDef]
    param_names: Mapping[str, str]
    rules: Mapping[str, RuleDef]
    order: tuple[str, ...]
    schedules: Mapping[str, ScheduleDef]
    bands: Mapping[str, BandsDef]
    enums: Mapping[str, EnumType]
    records: Mapping[str, RecordType]
    label: str | None = None
    source: str | None = None
    cites: tuple[str, ...] = ()
    modules: tuple[Any, ...] = attrs.field(default=(), eq=False, repr=False)
    """The parsed `ast.Module`s (root first), for tools that need the surface syntax."""
    warnings: tuple[Any, ...] = attrs.field(default=(), eq=False, repr=False)
    sums: Mapping[str, SumType] = attrs.field(factory=dict, eq=False, repr=False)
    """The enums whose members carry fields, by key (`enums` holds their member names)."""
    decisions: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)
    """The decision tables by key, as their proofs see them (`checker.DecisionProof`: the
    typed input columns and the constant cells): run again with the param values given at
    load time, and read by the boundary bias of `strategies`."""
    """The `errors.Diagnostic` warnings of the check (names that look alike or mix scripts)."""


# Re-exported for type annotations of constant values.
Number: TypeAlias = int | Fraction
