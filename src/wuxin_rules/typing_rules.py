"""The typing rules of expressions: what the checker's `check-types` pass applies.

Owns the relations between types (`assignable`, `join`, `comparable`), the builtin function
table (`BUILTINS`), the symbol tables name resolution fills in (`SymbolTables`, `Scope`,
`Sym` and the `Resolution` kinds), and `ExprTyper`, which turns one surface expression into
a typed core expression (`model.CExpr`) following docs/internals.md, "Types". Also the few
helpers for wording diagnostics that `checker` and `tables` (schedules and bands) share (`quoted`, `snippet`,
`describe_type`, `describe_bound`).

An expression whose operand already failed gets the type `INVALID` and no second error
(OPA's cascade suppression): every rule below treats `INVALID` as "already reported".
`INVALID` never leaves the checker, because a pass that reported errors stops it.

May import `source`, `errors`, `ast`, `schema`, `values` and `model`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any, TypeAlias, cast

import attrs

from wuxin_rules import ast, model, semantics, zones
from wuxin_rules.errors import Diagnostic, Label, suggest
from wuxin_rules.messages import english, listing
from wuxin_rules.schema import (
    BOOL,
    BUILTIN_TYPES,
    DATE,
    DATETIME,
    DECIMAL,
    DURATION,
    INT,
    MONEY,
    NONE,
    PERCENT,
    SUM_TAG,
    TEXT,
    TIME,
    BoolType,
    DateTimeType,
    DateType,
    DurationType,
    EnumType,
    FieldInfo,
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
    describe,
    is_numeric,
    strip_optional,
)
from wuxin_rules.source import Span
from wuxin_rules.values import decimal_places, format_number
from wuxin_rules.visitor import Visitor, visits

__all__ = [
    "BUILTINS",
    "BUILTIN_TYPES",
    "INVALID",
    "NONE_HELP",
    "Builtin",
    "BuiltinName",
    "EnumMemberName",
    "Env",
    "ExprTyper",
    "GlobalName",
    "LocalName",
    "MemberName",
    "Resolution",
    "Scope",
    "StageName",
    "Sym",
    "SymbolTables",
    "assignable",
    "comparable",
    "describe_bound",
    "describe_type",
    "doc_parts",
    "is_invalid",
    "is_percent",
    "join",
    "outside_bound",
    "quoted",
    "snippet",
]


# ------------------------------------------------------------------------------------------
# The error type


@attrs.frozen
class _InvalidType:
    """The type of an expression that already has an error."""


INVALID: Type = cast(Type, _InvalidType())
"""The type of an expression whose error is already reported: it fits everywhere, silently."""


_HOLDS_NO_TYPE = frozenset((IntType, NumberType, BoolType, TextType, DateType, NoneType, EnumType))
"""Types made of no other type: never invalid (the common case, tested first)."""


def _no_hint(type_: Type) -> Type | None:
    """No expected type for the other operand (`ExprTyper._pair`)."""
    return None


_NUMBERS = frozenset((IntType, NumberType))
"""The number types (`is_numeric`), by exact class."""


def is_invalid(type_: Type) -> bool:
    """True when `type_` is or contains `INVALID`."""
    if type(type_) in _HOLDS_NO_TYPE:
        return False
    while True:
        if isinstance(type_, _InvalidType):
            return True
        if isinstance(type_, OptionalType):
            type_ = type_.inner
        elif isinstance(type_, ListType):
            type_ = type_.element
        elif isinstance(type_, RecordType) and not type_.qualified:
            return any(is_invalid(f.type) for f in type_.fields)
        else:
            return False


_TEMPORAL = (DateType, DurationType, DateTimeType, TimeType)

NONE_HELP = english("none-help")


def describe_type(type_: Type) -> str:
    """A type as authors write it; an anonymous record is shown with its fields."""
    if isinstance(type_, _InvalidType):
        return "?"
    if isinstance(type_, RecordType) and not type_.qualified:
        inner = ", ".join(f"{f.name}: {describe_type(f.type)}" for f in type_.fields)
        return "{" + inner + "}"
    if isinstance(type_, ListType):
        return f"list of {describe_type(type_.element)}"
    if isinstance(type_, OptionalType):
        return f"{describe_type(type_.inner)}?"
    return describe(type_)


def snippet(span: Span, limit: int = 40) -> str:
    """The source text of a span on one line, shortened for a message."""
    text = " ".join(span.text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(items: Iterable[str], limit: int = 12) -> str:
    """Names for a message: `` `a`, `b` and `c` `` (at most `limit`, then `…`)."""
    names = [f"`{item}`" for item in items]
    if len(names) > limit:
        return ", ".join(names[:limit]) + ", …"
    return listing(names)


def doc_parts(doc: ast.Doc) -> tuple[str | None, tuple[str, ...], str | None]:
    """A declaration's label, citations and note, as plain texts."""
    return (
        doc.label.value if doc.label else None,
        tuple(c.value for c in doc.cites),
        doc.note.value if doc.note else None,
    )


def is_percent(type_: Type) -> bool:
    """True for `percent` and `percent?`."""
    inner = strip_optional(type_)
    return isinstance(inner, NumberType) and inner.kind == "percent"


def describe_bound(bound: NumericBound, percent: bool) -> str:
    """A bound as the language writes it, in percent for percent types: `0% .. 100%`."""

    def num(value: Fraction) -> str:
        return format_number(value, percent=percent)

    if bound.low is not None and bound.high is not None:
        op = ".." if bound.high_inclusive else "..<"
        return f"{num(bound.low)} {op} {num(bound.high)}"
    if bound.low is not None:
        return f"{'>=' if bound.low_inclusive else '>'} {num(bound.low)}"
    if bound.high is not None:
        return f"{'<=' if bound.high_inclusive else '<'} {num(bound.high)}"
    return ""


def outside_bound(value: Any, type_: Type) -> tuple[Any, NumericBound, Type] | None:
    """The first number in a constant `value` that its type's bound rejects, with the bound
    and the (numeric) type that carries it; None when every number fits."""
    type_ = strip_optional(type_)
    if value is None:
        return None
    if isinstance(type_, ListType) and isinstance(value, tuple):
        for item in value:
            found = outside_bound(item, type_.element)
            if found is not None:
                return found
        return None
    bound = getattr(type_, "bound", None)
    number = isinstance(value, int | Fraction) and not isinstance(value, bool)
    if bound is not None and number and not bound.admits(value):
        return value, bound, type_
    return None


def rounding_mode_word(callee: Any, node: ast.Call, arg: ast.Expr) -> bool:
    """True for the mode of `round(x, 2, half_even)`: in that place the word names a mode,
    not a declaration (the words stay free as names everywhere else), and is typed as the
    text constant the table of semantics' entry reads."""
    return (
        isinstance(callee, BuiltinName)
        and callee.name == "round"
        and len(node.args) == 3
        and arg is node.args[2]
        and isinstance(arg, ast.NameRef)
        and arg.name in semantics.ROUNDING_MODES
    )


def beyond_scale(value: Any, type_: Type) -> tuple[Any, int] | None:
    """The first number in a constant `value` with more places than its fixed-scale type
    holds, with that scale; None when every number fits (an override is never rounded)."""
    type_ = strip_optional(type_)
    if isinstance(type_, ListType) and isinstance(value, tuple):
        for item in value:
            found = beyond_scale(item, type_.element)
            if found is not None:
                return found
        return None
    scale = type_.scale if isinstance(type_, NumberType) else None
    number = isinstance(value, int | Fraction) and not isinstance(value, bool)
    if scale is not None and number:
        places = decimal_places(value)
        if places is None or places > scale:
            return value, scale
    return None


# ------------------------------------------------------------------------------------------
# Relations between types


def _unbounded(type_: Type) -> Type:
    """The type without its bound (a result of arithmetic carries none); a fixed scale and
    the known places stay."""
    if isinstance(type_, IntType):
        return INT
    if isinstance(type_, NumberType):
        return _number(type_.kind, type_.most_places, type_.scale is not None)
    return type_


def places_of(type_: Type) -> int | None:
    """The most decimal places a number of type `type_` can have: 0 for an `int`, the scale
    of `money`, what is known of a decimal expression (a literal's places); None when
    unbounded (a `decimal` input, a quotient)."""
    inner = strip_optional(type_)
    if isinstance(inner, IntType):
        return 0
    if isinstance(inner, NumberType):
        return inner.most_places
    return None


def _number(kind: str, places: int | None, fixed: bool) -> NumberType:
    """A number type of `kind` with at most `places` places: of that fixed scale when an
    operand had a fixed scale (money + money is money, money × 0.5 has 3 places)."""
    if kind == "percent":
        return PERCENT if places is None else NumberType("percent", places=places)
    if fixed and places is not None:
        return MONEY if places == 2 else NumberType("decimal", scale=places)
    return DECIMAL if places is None else NumberType("decimal", places=places)


def _is_fixed(*types: Type) -> bool:
    return any(isinstance(t, NumberType) and t.scale is not None for t in types)


def _most(*places: int | None) -> int | None:
    known = [p for p in places if p is not None]
    return max(known) if len(known) == len(places) else None


def _too_precise_part(value: model.CExpr, scale: int) -> model.CExpr:
    """The part of `value` to round: down through the forms whose places are the most of
    their parts' (`if`, `+`, `-`, `min`, `-x`, …) to the first with more places than
    `scale`, where the rounding belongs (`min(rent * share, cap)`: `rent * share`)."""
    while True:
        if isinstance(value, model.If):
            parts: tuple[model.CExpr, ...] = (value.then, value.otherwise)
        elif isinstance(value, model.Arith) and value.op in ("+", "-", "mod"):
            parts = (value.left, value.right)
        elif isinstance(value, model.Negate):
            parts = (value.operand,)
        elif isinstance(value, model.BuiltinCall) and value.name in ("min", "max", "abs"):
            parts = value.args
        else:
            return value
        for part in parts:
            places = places_of(part.type) if part.type is not None else None
            if places is None or places > scale:
                value = part
                break
        else:
            return value


def _arith_places(op: str, a: Type, right: model.CExpr) -> int | None:
    """The places of `a op b` from its operands' (None when unbounded): the most of the two
    for `+ - mod`, their sum for `*`, n times for `** n` with a constant n >= 0."""
    first, second = places_of(a), places_of(right.type)
    if first is None or second is None:
        return None
    if op == "*":
        return first + second
    if op == "**":
        exponent = _constant_int(right)
        return first * exponent if exponent is not None and 0 <= exponent <= 100 else None
    return max(first, second)


def _number_join(a: Type, b: Type) -> Type:
    if isinstance(a, IntType) and isinstance(b, IntType):
        return INT
    kinds = {
        a.kind if isinstance(a, NumberType) else "int",
        b.kind if isinstance(b, NumberType) else "int",
    }
    kind = "percent" if kinds <= {"percent", "int"} else "decimal"
    return _number(kind, _most(places_of(a), places_of(b)), _is_fixed(a, b))


def assignable(source: Type, target: Type) -> bool:
    """True when a value of type `source` may stand where `target` is expected.

    `int` fits any number type and the number kinds fit each other (`percent` is a decimal
    shown as a percentage), but a `decimal` does not fit `int`. `T` and `none` fit `T?`.
    Lists are compared by element. An anonymous record fits a record type with exactly
    its fields. Bounds are facts' business, not the checker's.
    """
    if is_invalid(source) or is_invalid(target):
        return True
    if isinstance(target, OptionalType):
        if isinstance(source, NoneType):
            return True
        return assignable(strip_optional(source), target.inner)
    if isinstance(source, OptionalType | NoneType):
        return False
    if is_numeric(source) and is_numeric(target):
        return not (isinstance(target, IntType) and isinstance(source, NumberType))
    if isinstance(source, ListType) and isinstance(target, ListType):
        return assignable(source.element, target.element)
    if isinstance(source, RecordType) and isinstance(target, RecordType):
        if source.qualified and target.qualified:
            return source.qualified == target.qualified
        return _same_fields(source, target)
    return source == target


def _same_fields(source: RecordType, target: RecordType) -> bool:
    if {f.name for f in source.fields} != {f.name for f in target.fields}:
        return False
    wanted = {f.name: f.type for f in target.fields}
    return all(assignable(f.type, wanted[f.name]) for f in source.fields)


def join(a: Type, b: Type) -> Type | None:
    """The one type both `a` and `b` fit (for `if` branches, list items, `??`), or None."""
    if is_invalid(a) or is_invalid(b):
        return INVALID
    if isinstance(a, NoneType):
        return b if isinstance(b, OptionalType | NoneType) else OptionalType(b)
    if isinstance(b, NoneType):
        return a if isinstance(a, OptionalType) else OptionalType(a)
    if isinstance(a, OptionalType) or isinstance(b, OptionalType):
        inner = join(strip_optional(a), strip_optional(b))
        return OptionalType(inner) if inner is not None else None
    if is_numeric(a) and is_numeric(b):
        return _number_join(a, b)
    if isinstance(a, ListType) and isinstance(b, ListType):
        element = join(a.element, b.element)
        return ListType(element) if element is not None else None
    if isinstance(a, DurationType) and isinstance(b, DurationType):
        # What is known of the parts of both (`if c then months(1) else days(1)`: either).
        return a if a.part == b.part else DURATION
    if isinstance(a, RecordType) and isinstance(b, RecordType):
        if a.qualified and assignable(b, a):
            return a
        if assignable(a, b):
            return b
        return None
    return a if a == b else None


def comparable(a: Type, b: Type) -> bool:
    """True when `==` may compare values of types `a` and `b` (numbers of any kind together)."""
    if is_numeric(a) and is_numeric(b):
        return True
    return assignable(a, b) or assignable(b, a)


# ------------------------------------------------------------------------------------------
# Symbols and scopes (filled in by the checker's `resolve-names` pass)


@attrs.define(eq=False)
class Sym:
    """A module-level declaration, or a module alias (kind `module`, key the module's name).

    kinds: enum, record, input, param, rule, schedule, bands, module. `key` is unique across
    the loaded modules: the bare name in the root module, `module.name` elsewhere.
    """

    kind: str
    name: str
    module: str
    key: str
    node: Any
    span: Span


@attrs.define(eq=False)
class Scope:
    """What one module sees: its own declarations, its imports, and the enum members in view."""

    name: str
    module: ast.Module
    prefix: str
    own: dict[str, Sym] = attrs.Factory(dict)
    names: dict[str, Sym] = attrs.Factory(dict)
    spans: dict[str, Span] = attrs.Factory(dict)
    aliases: dict[str, str] = attrs.Factory(dict)
    members: dict[str, list[EnumType]] = attrs.Factory(dict)

    def written(self, enum: EnumType, key_module: str) -> str:
        """How this module writes the name of `enum` (declared in `key_module`)."""
        bound = self.names.get(enum.name)
        if key_module == self.name or (bound is not None and bound.key == enum.qualified):
            return enum.name
        alias = self.aliases.get(key_module)
        return f"{alias}.{enum.name}" if alias else enum.qualified


@attrs.frozen
class LocalName:
    """A rule parameter or an aggregate variable."""

    name: str


@attrs.frozen
class GlobalName:
    """A module-level declaration (or a module alias)."""

    sym: Sym


@attrs.frozen
class MemberName:
    """A bare enum member, resolved by the type the context expects."""

    name: str


@attrs.frozen
class EnumMemberName:
    """An enum member named with its enum: `Kind.member`."""

    enum: EnumType
    name: str


@attrs.frozen
class BuiltinName:
    """A builtin function in call position."""

    name: str


@attrs.frozen
class StageName:
    """`target.stage` of a schedule `target`: called, it says which stage a date or period is
    in; followed by a name (`target.stage.launch`), it names a member of the stage enum."""

    sym: Sym


Resolution: TypeAlias = (
    LocalName | GlobalName | MemberName | EnumMemberName | BuiltinName | StageName
)


@attrs.define(eq=False)
class SymbolTables:
    """Everything the passes learn, shared between them, and the diagnostics they report.

    Resolutions are keyed by the `id()` of the AST node they resolve: the loaded modules
    keep every node alive while the checker runs.
    """

    scopes: dict[str, Scope] = attrs.Factory(dict)
    syms: dict[str, Sym] = attrs.Factory(dict)
    res: dict[int, Resolution] = attrs.Factory(dict)
    enum_types: dict[str, EnumType] = attrs.Factory(dict)
    record_types: dict[str, RecordType] = attrs.Factory(dict)
    sum_types: dict[str, SumType] = attrs.Factory(dict)
    """The enums whose members carry fields, by key (`enum_types` holds their member names)."""
    input_types: dict[str, Type] = attrs.Factory(dict)
    param_types: dict[str, Type] = attrs.Factory(dict)
    rule_params: dict[str, tuple[tuple[str, Type], ...] | None] = attrs.Factory(dict)
    rule_returns: dict[str, Type] = attrs.Factory(dict)
    rule_types: dict[str, Type] = attrs.Factory(dict)
    schedules: dict[str, tuple[Type, EnumType | None]] = attrs.Factory(dict)
    stage_enums: dict[str, EnumType] = attrs.Factory(dict)
    """The enum of each schedule's stages, by schedule key (its qualified name ends `.stage`)."""
    stage_owners: dict[str, Sym] = attrs.Factory(dict)
    """The schedule each stage enum belongs to, by the enum's qualified name."""
    members: dict[str, list[EnumType]] = attrs.Factory(dict)
    diagnostics: list[Diagnostic] = attrs.Factory(list)

    def duplicate(self, what: str, ident: ast.Ident, first: Span) -> None:
        """Report `ident` as a second declaration of a name first declared at `first`."""
        self.error(
            "duplicate-name",
            english("declared-twice.kind", what=what, name=ident.name)
            if what
            else english("declared-twice", name=ident.name),
            ident.span,
            labels=[Label(first, english("first-declared-here"))],
            help=english("rename-one"),
        )

    def error(
        self,
        code: str,
        message: str,
        span: Span | None,
        *,
        help: str | None = None,
        notes: Iterable[str] = (),
        labels: Iterable[Label] = (),
    ) -> None:
        """Report an error."""
        self.diagnostics.append(
            Diagnostic(
                code, message, span=span, help=help, notes=tuple(notes), labels=tuple(labels)
            )
        )


ValuePath: TypeAlias = tuple[Any, ...]
"""A key for what an expression denotes: `("input", "applicant", "income")` (see `_path`)."""


def _mentions(path: ValuePath, local: str) -> bool:
    if path[:2] == ("local", local):
        return True
    return any(isinstance(part, tuple) and _mentions(part, local) for part in path)


@attrs.frozen
class Env:
    """The locals in scope and the paths narrowed to non-none by an enclosing `if`."""

    locals: Mapping[str, Type] = attrs.field(factory=dict)
    narrowed: Mapping[ValuePath, Type] = attrs.field(factory=dict)

    def bind(self, name: str, type_: Type) -> Env:
        """The environment with `name` bound (hiding an outer local and its narrowings)."""
        narrowed = {p: t for p, t in self.narrowed.items() if not _mentions(p, name)}
        return Env({**self.locals, name: type_}, narrowed)

    def narrow(self, paths: Mapping[ValuePath, Type]) -> Env:
        """The environment where each path has the given (non-optional) type."""
        return Env(self.locals, {**self.narrowed, **paths}) if paths else self


# ------------------------------------------------------------------------------------------
# Builtin functions


Builtin = semantics.Operation
"""A builtin function: its entry in the table of semantics (`semantics.BUILTINS`), which says
how it is written (`signature`, `summary`), its arity and how it is typed (`typing`)."""

BUILTINS: Mapping[str, Builtin] = semantics.BUILTINS
"""The builtin functions, by name (the table of semantics' entries)."""

DATE_COMPONENTS = semantics.DATE_COMPONENTS


# ------------------------------------------------------------------------------------------
# The expression typer


_LITERALS = (ast.IntLit, ast.DecimalLit, ast.PercentLit, ast.TextLit, ast.BoolLit, ast.DateLit)

# The static type of each kind of literal.
_LITERAL_TYPES: dict[type, Type] = {
    ast.IntLit: INT,
    ast.DecimalLit: DECIMAL,
    ast.PercentLit: PERCENT,
    ast.TextLit: TEXT,
    ast.BoolLit: BOOL,
    ast.DateLit: DATE,
}


def _list_hint(type_: Type) -> Type | None:
    """What the other operand of `+` is expected to be: a list's type (`xs + []`)."""
    return type_ if isinstance(strip_optional(type_), ListType) else None


class ExprTyper(Visitor[model.CExpr]):
    """Types the expressions of one module, given what `resolve-names` learnt.

    `expr(node, expected, env)` returns the typed core expression. `expected` is a hint,
    never a check: it picks the enum a bare member belongs to and the record type a record
    literal builds; the caller checks the result with `accept`.
    """

    node_kinds = ast.EXPRESSIONS

    def __init__(self, tables: SymbolTables, scope: Scope) -> None:
        self.t = tables
        self.scope = scope
        self._none_tests: dict[int, Type] = {}
        # The texts tested with `is not none` by the enclosing `and`s (`is none`, `or`s).
        self._tested: list[set[str]] = []

    # -- entry points ----------------------------------------------------------------------

    def expr(self, node: ast.Expr, expected: Type | None, env: Env) -> model.CExpr:
        """The typed core expression of `node`."""
        # A leaf is most of a large body (each operand of a 100,000-term `or` is a name and a
        # number): its handler without the visitor's lookup. (A match on the class is the one
        # dispatch besides the visitor's table; handlers stay overridable by name.)
        if type(node) is ast.NameRef:
            return self._name(node, expected, env)
        if type(node) in _LITERAL_TYPES:
            return self._literal(node, expected, env)
        return self.visit(node, expected, env)

    @visits(*_LITERALS)
    def _literal(self, node: ast.Expr, expected: Type | None, env: Env) -> model.CExpr:
        assert isinstance(node, _LITERALS)
        if type(node) is ast.IntLit:  # most literals of a large policy
            return model.Const(node.value, INT, node.span)
        if type(node.value) is datetime.datetime:
            return model.Const(node.value, DATETIME, node.span)
        if type(node.value) is datetime.time:
            return model.Const(node.value, TIME, node.span)
        type_ = _LITERAL_TYPES[type(node)]
        if isinstance(node, ast.DecimalLit | ast.PercentLit):
            # A literal's places are known: `12.30` may stand for money, `0.125` may not.
            kind = "percent" if isinstance(node, ast.PercentLit) else "decimal"
            type_ = NumberType(kind, places=decimal_places(node.value))
        return model.Const(node.value, type_, node.span)

    @visits(ast.NoneLit)
    def _none(self, node: ast.NoneLit, expected: Type | None, env: Env) -> model.CExpr:
        return model.Const(None, NONE, node.span)

    def accept(
        self,
        value: model.CExpr,
        target: Type,
        *,
        notes: Iterable[str] = (),
        labels: Iterable[Label] = (),
        help: str | None = None,
    ) -> bool:
        """Check that `value` fits `target`; report `possibly-none` or `type-mismatch` if not,
        and `needs-rounding` for a number of more places than a fixed-scale target holds."""
        if assignable(value.type, target):
            return self._fits_scale(value, value.type, target, tuple(labels))
        if not isinstance(target, OptionalType) and (
            isinstance(value.type, NoneType)
            or (isinstance(value.type, OptionalType) and assignable(value.type.inner, target))
        ):
            self._possibly_none(value.span)
            return False
        self.t.error(
            "type-mismatch",
            english(
                "expected-type-found",
                expected=describe_type(target),
                found=describe_type(value.type),
            ),
            value.span,
            notes=notes,
            labels=labels,
            help=help or _mismatch_help(value.type, target),
        )
        return False

    def _fits_scale(
        self, value: model.CExpr, source: Type, target: Type, labels: tuple[Label, ...] = ()
    ) -> bool:
        """A value may stand for a fixed-scale number (`money`) only when its places are
        known and at most the scale: a quotient, a rate or a `decimal` times money must be
        rounded, by a declared mode, first (`needs-rounding`)."""
        source, target = strip_optional(source), strip_optional(target)
        if isinstance(source, ListType) and isinstance(target, ListType):
            return self._fits_scale(value, source.element, target.element, labels)
        if not (isinstance(target, NumberType) and target.scale is not None):
            return True
        if not is_numeric(source) or is_invalid(source):
            return True
        places, scale = places_of(source), target.scale
        if places is not None and places <= scale:
            return True
        value = _too_precise_part(value, scale)
        places = places_of(value.type) if value.type is not None else None
        text = snippet(value.span)
        message = (
            english("scale-unbounded", expr=text, type=describe_type(target))
            if places is None
            else english("scale-too-many", expr=text, places=places, type=describe_type(target))
        )
        self.t.error(
            "needs-rounding",
            message,
            value.span,
            labels=labels,
            help=english("scale-round.help", fix=f"round({text}, {scale}, half_even)"),
        )
        return False

    # -- helpers ---------------------------------------------------------------------------

    def _invalid(self, span: Span) -> model.CExpr:
        return model.Const(None, INVALID, span)

    def _possibly_none(self, span: Span) -> None:
        text = snippet(span)
        notes = []
        if any(text in tested for tested in self._tested):
            # `x is not none and x > 0` is the usual slip: `and` evaluates both sides.
            notes.append(english("and-or-evaluate-all", expr=text))
        self.t.error(
            "possibly-none", english("may-be-none", expr=text), span, notes=notes, help=NONE_HELP
        )

    def _plain(self, value: model.CExpr) -> bool:
        """True when `value` is usable as a plain value: not invalid, not possibly none."""
        if is_invalid(value.type):
            return False
        if isinstance(value.type, OptionalType | NoneType):
            self._possibly_none(value.span)
            return False
        return True

    def _both_plain(self, a: model.CExpr, b: model.CExpr) -> bool:
        """`_plain` of both operands, each reported."""
        first = self._plain(a)
        return self._plain(b) and first

    def _want_bool(self, value: model.CExpr, help: str | None = None) -> None:
        if is_invalid(value.type) or isinstance(value.type, BoolType):
            return
        self.accept(value, BOOL, help=help)

    def _want_number(self, value: model.CExpr, help: str | None = None) -> bool:
        if not self._plain(value):
            return False
        if is_numeric(value.type):
            return True
        self.t.error(
            "type-mismatch",
            english("expected-number-found", found=describe_type(value.type)),
            value.span,
            help=help or _mismatch_help(value.type, DECIMAL),
        )
        return False

    def _contextual(self, node: ast.Expr) -> bool:
        """True when `node`'s type depends on what the context expects, so the other operand
        should be typed first and lend it its type: a bare enum member, an empty list, and
        lists, `if`s and `+` made only of such (`[agency, school]`, `if c then a else b`)."""
        # By exact class (the syntax classes have no subclasses): asked of both operands of
        # every comparison, most of them a name and a literal.
        kind = type(node)
        if kind is ast.NameRef:
            return isinstance(self.t.res.get(id(node)), MemberName)
        if kind in _LITERAL_TYPES:
            return False
        if isinstance(node, ast.ListLit):
            return all(self._contextual(item) for item in node.items)
        if isinstance(node, ast.If):
            return self._contextual(node.then) and self._contextual(node.otherwise)
        if isinstance(node, ast.Arith) and node.op == "+":
            return self._contextual(node.left) and self._contextual(node.right)
        if isinstance(node, ast.Call):
            # `fail(…)` takes the type of the other branch or operand.
            res = self.t.res.get(id(node.callee))
            return isinstance(res, BuiltinName) and BUILTINS[res.name].typing == CONTEXT_TYPING
        return False

    def _pair(
        self, first: ast.Expr, second: ast.Expr, hint: Callable[[Type], Type | None], env: Env
    ) -> tuple[model.CExpr, model.CExpr]:
        """Type two operands so that the type of one decides a contextual other (`agency == k`,
        `[] == xs`): the one that does not need context goes first; `hint` maps its type to
        what the other is expected to be."""
        if self._contextual(first) and not self._contextual(second):
            b = self.expr(second, None, env)
            a = self.expr(first, hint(b.type) if not is_invalid(b.type) else None, env)
        else:
            a = self.expr(first, None, env)
            b = self.expr(second, hint(a.type) if not is_invalid(a.type) else None, env)
        return a, b

    def _path(self, node: ast.Expr) -> ValuePath | None:
        """What `node` denotes, as a key that stays the same wherever it is written.

        An input, param, nullary rule or local, a field of one of those, or a call of a
        rule or schedule on such paths and literals: every evaluation of a path in one
        document gives the same value, so an `is none` test on it holds wherever it is
        evaluated again. Anything else has no path and is never narrowed.
        """
        if isinstance(node, ast.Call):
            callee = self.t.res.get(id(node.callee))
            if isinstance(callee, StageName):
                kind = "stage"
            elif isinstance(callee, GlobalName) and callee.sym.kind in ("rule", "schedule"):
                kind = "call"
            else:
                return None
            args: list[Any] = []
            for arg in node.args:
                path = self._path(arg) if not isinstance(arg, _LITERALS) else ("literal", repr(arg))
                if path is None:
                    return None
                args.append(path)
            return (kind, callee.sym.key, *args)
        if isinstance(node, ast.NameRef | ast.FieldAccess):
            res = self.t.res.get(id(node))
            if isinstance(res, LocalName):
                return ("local", res.name)
            if isinstance(res, MemberName | EnumMemberName):
                return ("member", repr(res))
            if isinstance(res, GlobalName):
                sym = res.sym
                if sym.kind == "input":
                    return ("input", sym.name)
                if sym.kind in ("param", "rule"):
                    return (sym.kind, sym.key)
                return None
            if res is None and isinstance(node, ast.FieldAccess):
                base = self._path(node.target)
                return (*base, node.field.name) if base is not None else None
        return None

    def _narrowed(self, node: ast.Expr, type_: Type, env: Env) -> Type:
        if env.narrowed:
            path = self._path(node)
            if path is not None and path in env.narrowed:
                return env.narrowed[path]
        return type_

    # -- names -----------------------------------------------------------------------------

    @visits(ast.NameRef)
    def _name(self, node: ast.NameRef, expected: Type | None, env: Env) -> model.CExpr:
        res = self.t.res.get(id(node))
        if isinstance(res, LocalName):
            type_ = env.locals.get(res.name, INVALID)
            return model.LocalRef(res.name, self._narrowed(node, type_, env), node.span)
        return self._resolved(node, res, expected, env)

    def _resolved(
        self, node: ast.Expr, res: Resolution | None, expected: Type | None, env: Env
    ) -> model.CExpr:
        span = node.span
        if isinstance(res, GlobalName):
            sym = res.sym
            if sym.kind == "input":
                type_ = self._narrowed(node, self.t.input_types.get(sym.key, INVALID), env)
                return model.InputRef(sym.name, type_, span)
            if sym.kind == "param":
                type_ = self._narrowed(node, self.t.param_types.get(sym.key, INVALID), env)
                return model.ParamRef(sym.key, type_, span)
            if sym.kind == "rule" and self.t.rule_params.get(sym.key) is None:
                type_ = self.t.rule_types.get(sym.key) or self.t.rule_returns.get(sym.key, INVALID)
                return model.RuleRef(sym.key, self._narrowed(node, type_, env), span)
            return self._invalid(span)
        wanted = strip_optional(expected) if expected is not None else None
        if isinstance(res, EnumMemberName):
            if isinstance(wanted, SumType) and wanted.tags == res.enum:
                return self._sum_member(res.name, span, wanted)
            return model.Const(res.name, res.enum, span)
        if isinstance(res, MemberName):
            return self._member(res.name, span, expected)
        return self._invalid(span)

    def _sum_member(self, name: str, span: Span, wanted: SumType) -> model.CExpr:
        """A member that carries nothing, where a value of its enum is expected (`waived`):
        the value `{kind: waived}`; a member with fields is written with them."""
        member = wanted.member(name)
        if member is not None and not member.fields:
            return model.Const({SUM_TAG: name}, wanted, span)
        if member is not None:
            self.t.error(
                "type-mismatch",
                english("sum.member-needs-fields", member=name, type=describe_type(wanted)),
                span,
                help=english(
                    "sum.member-needs-fields.help",
                    example="{"
                    + ", ".join([f"{SUM_TAG}: {name}", *(f"{f.name}: …" for f in member.fields)])
                    + "}",
                ),
            )
            return self._invalid(span)
        return self._member(name, span, wanted.tags)

    def _member(self, name: str, span: Span, expected: Type | None) -> model.CExpr:
        wanted = strip_optional(expected) if expected is not None else None
        if isinstance(wanted, ListType):
            wanted = None
        if isinstance(wanted, SumType):
            return self._sum_member(name, span, wanted)
        if isinstance(wanted, EnumType):
            if wanted.member(name) is not None:
                return model.Const(name, wanted, span)
            written = self._written(wanted)
            elsewhere = [self._written(e) for e in self.t.members.get(name, [])]
            self.t.error(
                "unknown-member",
                english("unknown-member", member=name, enum=written),
                span,
                notes=[english("is-member-of", name=name, enums=quoted(elsewhere))]
                if elsewhere
                else [],
                help=suggest(name, [m.name for m in wanted.members])
                or english(
                    "the-members-of", enum=written, members=quoted(m.name for m in wanted.members)
                ),
            )
            return self._invalid(span)
        candidates = self.scope.members.get(name, [])
        if len(candidates) == 1:
            return model.Const(name, candidates[0], span)
        if candidates:
            names = [self._written(e) for e in candidates]
            self.t.error(
                "ambiguous-member",
                english("ambiguous-member", name=name, enums=quoted(names)),
                span,
                help=english(
                    "name-the-enum", choices=listing([f"`{n}.{name}`" for n in names], "or")
                ),
            )
            return self._invalid(span)
        elsewhere = [self._written(e) for e in self.t.members.get(name, [])]
        self.t.error(
            "unknown-name",
            english("unknown-name", name=name),
            span,
            help=english(
                "type.member-not-imported.help",
                name=name,
                enums=quoted(elsewhere),
                spellings=listing([f"`{e}.{name}`" for e in elsewhere], "or"),
            ),
        )
        return self._invalid(span)

    def _written(self, enum: EnumType) -> str:
        owner = self.t.stage_owners.get(enum.qualified)
        if owner is not None:
            # A stage enum is written after its schedule: `target.stage`, `m.target.stage`.
            bound = self.scope.names.get(owner.name)
            if owner.module == self.scope.name or bound is owner:
                return f"{owner.name}.stage"
            alias = self.scope.aliases.get(owner.module)
            return f"{alias}.{owner.name}.stage" if alias else enum.qualified
        sym = self.t.syms.get(enum.qualified)
        return self.scope.written(enum, sym.module if sym is not None else "")

    # -- field access ----------------------------------------------------------------------

    @visits(ast.FieldAccess)
    def _field(self, node: ast.FieldAccess, expected: Type | None, env: Env) -> model.CExpr:
        res = self.t.res.get(id(node))
        if res is not None:
            return self._resolved(node, res, expected, env)
        target = self.expr(node.target, None, env)
        if not self._plain(target):
            return self._invalid(node.span)
        name = node.field.name
        type_ = target.type
        if isinstance(type_, RecordType):
            info = type_.field(name)
            if info is None:
                fields = [f.name for f in type_.fields]
                self.t.error(
                    "unknown-name",
                    english("unknown-field", field=name, type=describe_type(type_)),
                    node.field.span,
                    help=suggest(name, fields)
                    or english("fields-are", type=describe_type(type_), fields=quoted(fields)),
                )
                return self._invalid(node.span)
            return model.GetField(target, name, self._narrowed(node, info.type, env), node.span)
        if isinstance(type_, SumType):
            if name == SUM_TAG:
                return model.GetField(target, name, type_.tags, node.span)
            self.t.error(
                "unknown-name",
                english("unknown-field", field=name, type=describe_type(type_)),
                node.field.span,
                help=english(
                    "sum.fields-through-match",
                    type=describe_type(type_),
                    tag=SUM_TAG,
                    pattern=next(
                        (_case_pattern(m.name, m.fields) for m in type_.members if m.field(name)),
                        _case_pattern(type_.members[0].name, type_.members[0].fields),
                    ),
                ),
            )
            return self._invalid(node.span)
        component = semantics.COMPONENTS.get(name)
        if (
            isinstance(type_, DateType | DateTimeType | TimeType)
            and component is not None
            and (describe(type_),) in component.samples
        ):
            typing = component.typing
            result = typing.result if isinstance(typing, semantics.Signature) else INT
            return model.BuiltinCall(component.name, (target,), result, node.span)
        if isinstance(type_, DateTimeType | TimeType):
            fields = [n for n, c in semantics.COMPONENTS.items() if (describe(type_),) in c.samples]
            self.t.error(
                "unknown-name",
                english("unknown-field", field=name, type=describe_type(type_)),
                node.field.span,
                help=suggest(name, fields)
                or english(
                    "datetime-has-fields" if isinstance(type_, DateTimeType) else "time-has-fields"
                ),
            )
            return self._invalid(node.span)
        if isinstance(type_, DateType):
            self.t.error(
                "unknown-name",
                english("unknown-date-field", field=name),
                node.field.span,
                help=suggest(name, DATE_COMPONENTS) or english("date-has-fields"),
            )
            return self._invalid(node.span)
        help = (
            english(
                "type.reach-elements-with-aggregate.help",
                snippet=snippet(node.target.span),
                name=name,
            )
            if isinstance(type_, ListType)
            else english("duration-has-no-fields")
            if isinstance(type_, DurationType)
            else english("only-records-have-fields")
        )
        self.t.error(
            "unknown-name",
            english("unknown-field", field=name, type=describe_type(type_)),
            node.field.span,
            help=help,
        )
        return self._invalid(node.span)

    # -- calls -----------------------------------------------------------------------------

    @visits(ast.Call)
    def _call(self, node: ast.Call, expected: Type | None, env: Env) -> model.CExpr:
        res = self.t.res.get(id(node.callee))
        if isinstance(res, BuiltinName):
            return self._call_builtin(res.name, node, env, expected)
        if isinstance(res, StageName):
            return self._call_stage(res.sym, node, env)
        if not isinstance(res, GlobalName):
            return self._invalid(node.span)
        sym = res.sym
        if sym.kind == "rule":
            return self._call_rule(sym, node, env)
        if sym.kind == "schedule":
            return self._call_schedule(sym, node, env)
        if sym.kind == "bands":
            return self._call_bands(sym, node, env)
        return self._invalid(node.span)

    def _arity(self, node: ast.Call, name: str, low: int, high: int | None, signature: str) -> bool:
        count = len(node.args)
        if low <= count and (high is None or count <= high):
            return True
        wanted: str
        if high is None:
            wanted = english("at-least-arguments", count=_arguments(low))
        elif low == high:
            wanted = _arguments(low)
        else:
            wanted = english("arguments-between", low=low, high=high)
        self.t.error(
            "wrong-arity",
            english("takes-found", name=name, wanted=wanted, count=count),
            node.span,
            help=english("call-as", signature=signature),
        )
        return False

    def _call_rule(self, sym: Sym, node: ast.Call, env: Env) -> model.CExpr:
        params = self.t.rule_params.get(sym.key) or ()
        shown = ", ".join(f"{p}: {describe_type(t)}" for p, t in params)
        result = self.t.rule_types.get(sym.key) or self.t.rule_returns.get(sym.key, INVALID)
        fits = self._arity(node, sym.name, len(params), len(params), f"{sym.name}({shown})")
        args: list[model.CExpr] = []
        for index, arg in enumerate(node.args):
            declared = params[index][1] if fits else None
            value = self.expr(arg, declared, env)
            if declared is not None:
                self.accept(
                    value,
                    declared,
                    notes=[
                        english(
                            "type.parameter",
                            params=params[index][0],
                            name=sym.name,
                            declared=describe_type(declared),
                        )
                    ],
                )
            args.append(value)
        result = self._narrowed(node, result, env)
        return model.CallRule(sym.key, tuple(args), result, node.span)

    def _call_schedule(self, sym: Sym, node: ast.Call, env: Env) -> model.CExpr:
        value_type, category = self.t.schedules.get(sym.key, (INVALID, None))
        period = sym.node.period.name
        signature = (
            f"{sym.name}({period}, {category.name})" if category else f"{sym.name}({period})"
        )
        wanted = 2 if category is not None else 1
        fits = self._arity(node, sym.name, wanted, wanted, signature)
        # A schedule `by date` is looked up at a date, and its value is there on every date
        # from its first (before it, an evaluation error, or `none` when declared optional).
        dated = bool(sym.node.dated)
        args: list[model.CExpr] = []
        for index, arg in enumerate(node.args):
            declared: Type | None = None
            if fits:
                declared = (DATE if dated else INT) if index == 0 else category
            value = self.expr(arg, declared, env)
            if declared is not None:
                self.accept(value, declared)
            args.append(value)
        if is_invalid(value_type):
            result = INVALID
        else:
            result = value_type if dated else OptionalType(strip_optional(value_type))
        result = self._narrowed(node, result, env)
        return model.ScheduleLookup(sym.key, tuple(args), result, node.span)

    def _call_stage(self, sym: Sym, node: ast.Call, env: Env) -> model.CExpr:
        enum = self.t.stage_enums.get(sym.key)
        written = snippet(node.callee.span)
        fits = self._arity(node, written, 1, 1, f"{written}(date or {sym.node.period.name})")
        args = [self.expr(arg, None, env) for arg in node.args]
        if not fits or enum is None or not self._plain(args[0]):
            return self._invalid(node.span)
        if sym.node.dated:
            # The lines of a schedule `by date` have no names: there is no stage to give.
            self.t.error(
                "not-callable",
                english("type.dated-has-no-stages", schedule=sym.name),
                node.callee.span,
                help=english("type.dated-has-no-stages.help", schedule=sym.name),
            )
            return self._invalid(node.span)
        arg = args[0]
        if not isinstance(arg.type, DateType | IntType):
            self.t.error(
                "type-mismatch",
                english("type.expected-date-or-int", type=describe_type(arg.type)),
                arg.span,
                help=english(
                    "type.d-gives-stage-whose.help", written=written, name=sym.node.period.name
                ),
            )
            return self._invalid(node.span)
        result = self._narrowed(node, OptionalType(enum), env)
        return model.StageLookup(sym.key, arg, result, node.span)

    def _call_bands(self, sym: Sym, node: ast.Call, env: Env) -> model.CExpr:
        enum = self.t.enum_types.get(sym.key)
        fits = self._arity(node, sym.name, 1, 1, f"{sym.name}(number)")
        args = [self.expr(arg, None, env) for arg in node.args]
        if not fits or enum is None:
            return self._invalid(node.span)
        self._want_number(args[0])
        # Bands with a declared hole (`80 ..< 90 none`) give none there: an optional grade.
        holes = any(band.name.name == model.HOLE for band in sym.node.bands)
        return model.BandsLookup(sym.key, args[0], OptionalType(enum) if holes else enum, node.span)

    def _call_builtin(
        self, name: str, node: ast.Call, env: Env, expected: Type | None = None
    ) -> model.CExpr:
        builtin = BUILTINS[name]
        hints = builtin.hints
        args = [
            model.Const(arg.name, TEXT, arg.span)
            if isinstance(arg, ast.NameRef) and rounding_mode_word(BuiltinName(name), node, arg)
            else self.expr(arg, hints[index] if index < len(hints) else None, env)
            for index, arg in enumerate(node.args)
        ]
        if not self._arity(
            node, name, builtin.min_args, builtin.max_args, builtin.signature.split(" -> ")[0]
        ):
            return self._invalid(node.span)
        if builtin.typing == CONTEXT_TYPING:
            self._exact_text(args)
            # `fail(…)` has no value, so it takes the type its place expects; alone (a rule
            # without `->`, an operand whose other side says nothing) it is a condition.
            result = expected if expected is not None and not is_invalid(expected) else BOOL
        else:
            result = _typing_rule(builtin)(self, args)
        return model.BuiltinCall(name, tuple(args), result, node.span)

    def _exact_text(self, args: list[model.CExpr]) -> None:
        """The message of `fail` is a text the policy writes (its own words, not a fact's)."""
        for arg in args:
            written = isinstance(arg, model.Const) and isinstance(arg.value, str)
            if not written and not is_invalid(arg.type):
                self.t.error(
                    "type-mismatch",
                    english("fail-message-text"),
                    arg.span,
                    help=english("fail-message-text.help"),
                )

    # -- operators -------------------------------------------------------------------------

    @visits(ast.Negate)
    def _negate(self, node: ast.Negate, expected: Type | None, env: Env) -> model.CExpr:
        operand = self.expr(node.operand, None, env)
        if isinstance(operand.type, DurationType):
            return model.Negate(operand, operand.type, node.span)
        if not self._want_number(operand):
            return model.Negate(operand, INVALID, node.span)
        return model.Negate(operand, _unbounded(operand.type), node.span)

    @visits(ast.Not)
    def _not(self, node: ast.Not, expected: Type | None, env: Env) -> model.CExpr:
        operand = self.expr(node.operand, BOOL, env)
        self._want_bool(operand)
        return model.Not(operand, BOOL, node.span)

    @visits(ast.Arith)
    def _arith(self, node: ast.Arith, expected: Type | None, env: Env) -> model.CExpr:
        if node.op == "+":
            # `+` also joins texts and lists: a list's element type may come from the other
            # side or from the context (`xs + []`, `[agency] + ks`).
            wanted = strip_optional(expected) if expected is not None else None
            listed = wanted if isinstance(wanted, ListType) else None
            if listed is not None:
                left, right = self.expr(node.left, listed, env), self.expr(node.right, listed, env)
            else:
                left, right = self._pair(node.left, node.right, _list_hint, env)
            if type(left.type) is IntType and type(right.type) is IntType:
                return model.Arith("+", left, right, INT, node.span)  # most sums: no joining
            joined = self._concatenation(node, left, right)
            if joined is not None:
                return model.Arith(node.op, left, right, joined, node.span)
        else:
            left = self.expr(node.left, None, env)
            right = self.expr(node.right, None, env)
        if type(left.type) is IntType and type(right.type) is IntType and node.op != "/":
            # Whole numbers (the `+ 1` of thousands of rules): a whole number, with nothing
            # to report (the checks below come to the same without asking each question).
            return model.Arith(node.op, left, right, INT, node.span)
        if isinstance(strip_optional(left.type), _TEMPORAL) or isinstance(
            strip_optional(right.type), _TEMPORAL
        ):
            return model.Arith(
                node.op, left, right, self._temporal_arith(node, left, right), node.span
            )
        ok = True
        for side in (left, right):
            if type(side.type) in _NUMBERS:
                continue  # a number: nothing to report, no help to compose
            if isinstance(side.type, DateType):
                help = english("date-help")
            elif node.op == "+":
                help = english("plus-help")
            else:
                help = english("works-on-numbers", op=node.op)
            ok = self._want_number(side, help) and ok
        if not ok:
            return model.Arith(node.op, left, right, INVALID, node.span)
        a, b = left.type, right.type
        if node.op == "**" and not isinstance(b, IntType):
            self.t.error(
                "type-mismatch",
                english("exponent-whole", type=describe_type(b)),
                right.span,
                help=english("exponent-whole.help"),
            )
            return model.Arith(node.op, left, right, INVALID, node.span)
        if node.op == "/":
            type_: Type = DECIMAL
        elif isinstance(a, IntType) and isinstance(b, IntType):
            type_ = INT
        else:
            percent = (
                node.op in "+-"
                and isinstance(a, NumberType)
                and isinstance(b, NumberType)
                and a.kind == b.kind == "percent"
            )
            type_ = _number(
                "percent" if percent else "decimal",
                _arith_places(node.op, a, right),
                _is_fixed(a, b),
            )
        return model.Arith(node.op, left, right, type_, node.span)

    def _temporal_arith(self, node: ast.Arith, left: model.CExpr, right: model.CExpr) -> Type:
        """The type of `+ - *` on dates and durations: `date ± duration` is a date, `date -
        date` an exact duration, durations add and subtract, and a duration times an int is
        a duration (`INVALID` for anything else, reported)."""
        if not self._both_plain(left, right):
            return INVALID
        a, b = left.type, right.type
        op = node.op
        if isinstance(a, DurationType) and isinstance(b, DurationType) and op in "+-":
            return DurationType(a.part if a.part == b.part else None)
        if op == "+" and {type(a), type(b)} == {DateType, DurationType}:
            return DATE
        if op == "-" and isinstance(a, DateType) and isinstance(b, DurationType | DateType):
            return DATE if isinstance(b, DurationType) else DurationType("exact")
        if op == "+" and {type(a), type(b)} == {DateTimeType, DurationType}:
            return DATETIME
        if op == "-" and isinstance(a, DateTimeType) and isinstance(b, DurationType | DateTimeType):
            return DATETIME if isinstance(b, DurationType) else DurationType("exact")
        # A time of day moves by any duration here; one with months fails at evaluation
        # (`invalid-argument`), as a date moved by part of a day does.
        if op in "+-" and isinstance(a, TimeType) and isinstance(b, DurationType):
            return TIME
        if op == "+" and isinstance(b, TimeType) and isinstance(a, DurationType):
            return TIME
        if op == "-" and isinstance(a, TimeType) and isinstance(b, TimeType):
            return DurationType("exact")
        if op == "*" and isinstance(a, DurationType) and isinstance(b, IntType):
            return a
        if op == "*" and isinstance(b, DurationType) and isinstance(a, IntType):
            return b
        self.t.error(
            "type-mismatch",
            english("cannot-apply", op=op, left=describe_type(a), right=describe_type(b)),
            node.span,
            help=english("duration-arithmetic.help"),
        )
        return INVALID

    def _concatenation(self, node: ast.Arith, left: model.CExpr, right: model.CExpr) -> Type | None:
        """The type of `left + right` when it joins texts or lists (`INVALID` when that is
        wrong, reported); None when it is arithmetic (or has no type to go by)."""
        a, b = left.type, right.type
        texts = isinstance(a, TextType) or isinstance(b, TextType)
        lists = isinstance(a, ListType) or isinstance(b, ListType)
        if not (texts or lists):
            return None
        if not self._both_plain(left, right):
            return INVALID
        if isinstance(a, TextType) and isinstance(b, TextType):
            return TEXT
        if isinstance(a, ListType) and isinstance(b, ListType):
            element = join(a.element, b.element)
            if element is not None:
                return ListType(_unbounded(element))
            self.t.error(
                "type-mismatch",
                english("cannot-join-lists", left=describe_type(a), right=describe_type(b)),
                node.span,
                help=english("type.joins-two-lists-same.help"),
            )
            return INVALID
        if is_invalid(a) or is_invalid(b):
            return INVALID
        if texts:
            other = right if isinstance(a, TextType) else left
            help: str = english("joins-texts", fix=f"text({snippet(other.span)})")
        else:
            help = english("type.joins-two-lists-one.help")
        self.t.error(
            "type-mismatch",
            english("cannot-join", op="+", left=describe_type(a), right=describe_type(b)),
            node.span,
            help=help,
        )
        return INVALID

    @visits(ast.Compare)
    def _compare(self, node: ast.Compare, expected: Type | None, env: Env) -> model.CExpr:
        equality = node.op in ("==", "!=")
        left, right = self._pair(
            node.left, node.right, strip_optional if equality else _no_hint, env
        )
        result = model.Compare(node.op, left, right, BOOL, node.span)
        if type(left.type) in _NUMBERS and type(right.type) in _NUMBERS:
            return result  # two plain numbers (most comparisons): either operator, no problem
        if is_invalid(left.type) or is_invalid(right.type):
            return result
        if equality:
            none_side = isinstance(left.type, NoneType) or isinstance(right.type, NoneType)
            for side, other in ((left, right), (right, left)) if none_side else ():
                if isinstance(side.type, NoneType):
                    test = "is none" if node.op == "==" else "is not none"
                    self.t.error(
                        "none-comparison",
                        english("none-comparison", op=node.op),
                        node.span,
                        help=english("write", fix=f"{snippet(other.span)} {test}"),
                    )
                    return result
            if not self._both_plain(left, right):
                return result
            if not comparable(left.type, right.type):
                self.t.error(
                    "type-mismatch",
                    english(
                        "type.cannot-compare-with",
                        type=describe_type(left.type),
                        type2=describe_type(right.type),
                    ),
                    node.span,
                    help=english("type.both-sides-and-must.help"),
                )
            return result
        if not self._both_plain(left, right):
            return result
        a, b = left.type, right.type
        if (
            (is_numeric(a) and is_numeric(b))
            or (isinstance(a, DateType) and isinstance(b, DateType))
            or (isinstance(a, DateTimeType) and isinstance(b, DateTimeType))
            or (isinstance(a, TimeType) and isinstance(b, TimeType))
        ):
            return result
        if isinstance(a, DurationType) and isinstance(b, DurationType):
            if a.part is not None and b.part is not None and a.part != b.part:
                self.t.error(
                    "type-mismatch",
                    english("durations-never-compare", op=node.op),
                    node.span,
                    help=english("incomparable-durations.help"),
                )
            return result
        self.t.error(
            "type-mismatch",
            english(
                "compares-numbers-or-dates",
                op=node.op,
                left=describe_type(a),
                right=describe_type(b),
            ),
            node.span,
            help=english("order-comparison.help"),
        )
        return result

    @visits(ast.In)
    def _in(self, node: ast.In, expected: Type | None, env: Env) -> model.CExpr:
        if self._contextual(node.item) and not self._contextual(node.collection):
            collection = self.expr(node.collection, None, env)
            wanted = strip_optional(collection.type)
            element = wanted.element if isinstance(wanted, ListType) else None
            item = self.expr(node.item, element, env)
        else:
            item = self.expr(node.item, None, env)
            hint = ListType(strip_optional(item.type)) if not is_invalid(item.type) else None
            collection = self.expr(node.collection, hint, env)
        result = model.In(item, collection, node.negated, BOOL, node.span)
        if not self._both_plain(item, collection):
            return result
        if not isinstance(collection.type, ListType):
            self.t.error(
                "type-mismatch",
                english("expected-list-found", found=describe_type(collection.type)),
                collection.span,
                help=english("type.looks-for-value-list.help"),
            )
        elif not comparable(item.type, collection.type.element):
            self.t.error(
                "type-mismatch",
                english(
                    "type.cannot-look-for",
                    type=describe_type(item.type),
                    type2=describe_type(collection.type),
                ),
                node.span,
                help=english("type.value-and-list-s.help"),
            )
        return result

    @visits(ast.IsNone)
    def _is_none(self, node: ast.IsNone, expected: Type | None, env: Env) -> model.CExpr:
        operand = self.expr(node.operand, None, env)
        self._none_tests[id(node)] = operand.type
        if not is_invalid(operand.type) and not isinstance(operand.type, OptionalType | NoneType):
            self._never_none(operand, "is not none" if node.negated else "is none")
        return model.IsNone(operand, node.negated, BOOL, node.span)

    def _never_none(self, operand: model.CExpr, what: str) -> None:
        self.t.error(
            "never-none",
            english("never-none", expr=snippet(operand.span)),
            operand.span,
            notes=[english("not-optional", type=describe_type(operand.type))],
            help=english("remove-never-none", what=what),
        )

    @visits(ast.IsMember)
    def _is_member(self, node: ast.IsMember, expected: Type | None, env: Env) -> model.CExpr:
        # `p is card` is `p.kind == card` (a plain enum's value is its member: `k == small`),
        # `p is not card` is `p.kind != card`.
        operand = self.expr(node.operand, None, env)
        if not self._plain(operand):
            return self._invalid(node.span)
        tag = self._member_tag(operand, node.member.name, node.member.span)
        if tag is None:
            return self._invalid(node.span)
        return model.Compare("!=" if node.negated else "==", tag[0], tag[1], BOOL, node.span)

    def _member_tag(
        self, subject: model.CExpr, name: str, span: Span
    ) -> tuple[model.CExpr, model.CExpr] | None:
        """The member test of `subject` for the member `name`: what to compare (the value,
        or the member's name of a value that carries data) and the member; None, reported,
        when `subject` is no enum's value or `name` none of its members."""
        type_ = subject.type
        if isinstance(type_, SumType):
            tags = type_.tags
            tested: model.CExpr = model.GetField(subject, SUM_TAG, tags, subject.span)
        elif isinstance(type_, EnumType):
            tags, tested = type_, subject
        else:
            self.t.error(
                "type-mismatch",
                english("match.not-enum", found=describe_type(type_)),
                subject.span,
                help=english("match.not-enum.help"),
            )
            return None
        if tags.member(name) is None:
            written = self._written(tags)
            self.t.error(
                "unknown-member",
                english("unknown-member", member=name, enum=written),
                span,
                help=suggest(name, [m.name for m in tags.members])
                or english(
                    "the-members-of", enum=written, members=quoted(m.name for m in tags.members)
                ),
            )
            return None
        return tested, model.Const(name, tags, span)

    @visits(ast.Match)
    def _match(self, node: ast.Match, expected: Type | None, env: Env) -> model.CExpr:
        """A `match` as the `if` chain it means: `if s.kind == card then <arm, each bound
        name replaced by its field s.number …> else if …`, the last arm (or `else`) without
        a test. Every evaluation path runs it as it runs any `if`, and the explanation shows
        each member test and the arm taken with the fields it read."""
        subject = self.expr(node.subject, None, env)
        plain = self._plain(subject)
        if plain and not isinstance(subject.type, SumType | EnumType):
            self.t.error(
                "type-mismatch",
                english("match.not-enum", found=describe_type(subject.type)),
                subject.span,
                help=english("match.not-enum.help"),
            )
            plain = False
        if not plain:
            for case in node.cases:
                self.expr(case.body, expected, _bind_all(env, case.bindings, INVALID))
            if node.otherwise is not None:
                self.expr(node.otherwise, expected, env)
            return self._invalid(node.span)
        arms: list[tuple[model.Compare, model.CExpr]] = []
        covered: dict[str, Span] = {}
        arm_type: Type | None = None
        first_span: Span | None = None
        failed = False
        for case in node.cases:
            name = case.member.name
            tag = self._member_tag(subject, name, case.member.span)
            fields = self._case_fields(subject.type, case) if tag is not None else None
            if tag is None or fields is None:
                failed = True
                self.expr(case.body, expected, _bind_all(env, case.bindings, INVALID))
                continue
            if name in covered:
                self.t.error(
                    "unreachable-case",
                    english("match.duplicate", member=name),
                    case.member.span,
                    labels=[Label(covered[name], english("match.first-arm"))],
                    help=english("match.remove-case.help"),
                )
                failed = True
                continue
            covered[name] = case.member.span
            inner = env
            for binding, field in zip(case.bindings, fields, strict=True):
                inner = inner.bind(binding.name, field.type)
            hint = expected if expected is not None else arm_type
            body = self.expr(case.body, hint, inner)
            bound = {
                b.name: (field, b.span) for b, field in zip(case.bindings, fields, strict=True)
            }
            if bound:
                body, hidden = _substitute(body, subject, bound)
                if hidden is not None:
                    self.t.error(
                        "duplicate-name",
                        english("match.hides-subject", name=hidden.var),
                        hidden.span,
                        help=english("rename-one"),
                    )
                    failed = True
            arm_type = self._join_arms(arm_type, first_span, body)
            first_span = first_span or body.span
            test = model.Compare("==", tag[0], tag[1], BOOL, case.span)
            arms.append((test, body))
        tags = subject.type.tags if isinstance(subject.type, SumType) else subject.type
        assert isinstance(tags, EnumType)
        missing = [m.name for m in tags.members if m.name not in covered]
        otherwise = None
        if node.otherwise is not None:
            hint = expected if expected is not None else arm_type
            otherwise = self.expr(node.otherwise, hint, env)
            arm_type = self._join_arms(arm_type, first_span, otherwise)
            if not missing and not failed:
                self.t.error(
                    "unreachable-case",
                    english("match.unreachable-else"),
                    otherwise.span,
                    help=english("match.remove-case.help"),
                )
                failed = True
        elif missing and not failed:
            self.t.error(
                "non-exhaustive-match",
                english("match.missing", members=quoted(missing)),
                node.span,
                help=english("match.missing.help", members=quoted(missing)),
            )
            failed = True
        if failed or arm_type is None or is_invalid(arm_type):
            return self._invalid(node.span)
        result = otherwise if otherwise is not None else arms.pop()[1]
        for index in reversed(range(len(arms))):
            tried, body = arms[index]
            # Each `if` of the chain covers its arm and those after it, so the explanation
            # shows the arm it tried (`case card(number, amount) => …`).
            start = (
                node.span if index == 0 else Span(node.span.source, tried.span.start, node.span.end)
            )
            result = model.If(tried, body, result, arm_type, start)
        return result

    def _case_fields(self, type_: Type, case: ast.MatchCase) -> tuple[FieldInfo, ...] | None:
        """The fields an arm binds (None, reported, when it names a number other than the
        member carries)."""
        member = type_.member(case.member.name) if isinstance(type_, SumType) else None
        fields = member.fields if member is not None else ()
        if len(case.bindings) == len(fields):
            return fields
        self.t.error(
            "wrong-arity",
            english(
                "match.bindings",
                member=case.member.name,
                count=len(fields),
                found=len(case.bindings),
            ),
            case.member.span,
            help=english("match.bindings.help", pattern=_case_pattern(case.member.name, fields)),
        )
        return None

    def _join_arms(self, arm_type: Type | None, first: Span | None, body: model.CExpr) -> Type:
        if arm_type is None:
            return body.type
        joined = join(arm_type, body.type)
        if joined is None:
            self.t.error(
                "type-mismatch",
                english(
                    "if-branches-differ",
                    then=describe_type(arm_type),
                    other=describe_type(body.type),
                ),
                body.span,
                labels=[Label(first, english("this-branch-is", type=describe_type(arm_type)))]
                if first is not None
                else [],
                help=english("branches-one-type"),
            )
            return INVALID
        return joined

    @visits(ast.Coalesce)
    def _coalesce(self, node: ast.Coalesce, expected: Type | None, env: Env) -> model.CExpr:
        value = self.expr(node.value, expected, env)
        if is_invalid(value.type):
            fallback = self.expr(node.fallback, expected, env)
            return model.Coalesce(value, fallback, INVALID, node.span)
        if not isinstance(value.type, OptionalType | NoneType):
            self._never_none(value, "?? …")
            fallback = self.expr(node.fallback, expected, env)
            return model.Coalesce(value, fallback, INVALID, node.span)
        inner = value.type.inner if isinstance(value.type, OptionalType) else None
        fallback = self.expr(node.fallback, inner or expected, env)
        if inner is None:
            return model.Coalesce(value, fallback, fallback.type, node.span)
        joined = join(inner, fallback.type)
        if joined is None:
            self.accept(fallback, inner)
            joined = INVALID
        return model.Coalesce(value, fallback, _unbounded(joined), node.span)

    @visits(ast.BoolOp)
    def _bool_op(self, node: ast.BoolOp, expected: Type | None, env: Env) -> model.CExpr:
        negated = node.op == "and"
        self._tested.append(
            {
                snippet(o.operand.span)
                for o in node.operands
                if isinstance(o, ast.IsNone) and o.negated == negated
            }
        )
        try:
            operands = tuple(self.expr(o, BOOL, env) for o in node.operands)
        finally:
            self._tested.pop()
        # Built once for all the operands (a 100,000-operand `or` asks for it that often).
        help = english("type.combines-conditions-compare-value.help", op=node.op)
        for operand in operands:
            if type(operand.type) is not BoolType:  # (most are conditions: nothing to ask)
                self._want_bool(operand, help)
        if node.op == "and":
            return model.And(operands, BOOL, node.span)
        return model.Or(operands, BOOL, node.span)

    def _narrowings(self, node: ast.Expr, positive: bool) -> dict[ValuePath, Type]:
        """Paths known not to be none when `node` evaluates to `positive`."""
        found: dict[ValuePath, Type] = {}
        if isinstance(node, ast.Not):
            return self._narrowings(node.operand, not positive)
        if isinstance(node, ast.IsNone):
            if node.negated == positive and node.narrows:
                path = self._path(node.operand)
                type_ = self._none_tests.get(id(node))
                if path is not None and isinstance(type_, OptionalType):
                    found[path] = type_.inner
            return found
        if isinstance(node, ast.BoolOp) and (node.op == "and") == positive:
            # Every conjunct holds in the then-branch (every disjunct fails in the else).
            for operand in node.operands:
                found.update(self._narrowings(operand, positive))
        return found

    @visits(ast.If)
    def _if(self, node: ast.If, expected: Type | None, env: Env) -> model.CExpr:
        condition = self.expr(node.condition, BOOL, env)
        self._want_bool(condition)
        then_env = env.narrow(self._narrowings(node.condition, True))
        else_env = env.narrow(self._narrowings(node.condition, False))
        if (
            expected is None
            and self._contextual(node.then)
            and not self._contextual(node.otherwise)
        ):
            # `if c then agency else k`: the branch with a type of its own decides the other's.
            otherwise = self.expr(node.otherwise, None, else_env)
            then = self.expr(node.then, _hint(otherwise.type), then_env)
        else:
            then = self.expr(node.then, expected, then_env)
            hint = expected if expected is not None else _hint(then.type)
            otherwise = self.expr(node.otherwise, hint, else_env)
        joined = join(then.type, otherwise.type)
        if joined is None and expected is not None and not is_invalid(expected):
            # Where the context says the type (`-> int`, an exception's value lowered into
            # an `if`), the branch that does not fit it is the one at fault.
            then_fits = assignable(then.type, expected)
            if then_fits != assignable(otherwise.type, expected):
                self.accept(otherwise if then_fits else then, expected)
                return model.If(condition, then, otherwise, INVALID, node.span)
        if joined is None:
            self.t.error(
                "type-mismatch",
                english(
                    "if-branches-differ",
                    then=describe_type(then.type),
                    other=describe_type(otherwise.type),
                ),
                otherwise.span,
                labels=[Label(then.span, english("this-branch-is", type=describe_type(then.type)))],
                help=english("branches-one-type"),
            )
            joined = INVALID
        return model.If(condition, then, otherwise, joined, node.span)

    # -- compositions and aggregates -------------------------------------------------------

    @visits(ast.Compose)
    def _compose(self, node: ast.Compose, expected: Type | None, env: Env) -> model.CExpr:
        items = tuple(self.expr(item, BOOL, env) for item in node.items)
        for item in items:
            self._want_bool(item, english("type.composition-combines-conditions-compare.help"))
        count = None
        if node.count is not None:
            count = self.expr(node.count, INT, env)
            if self._plain(count):
                self.accept(count, INT, help=english("type.at-least-n-needs.help"))
        return model.Compose(node.kind, items, count, BOOL, node.span)

    @visits(ast.Aggregate)
    def _aggregate(self, node: ast.Aggregate, expected: Type | None, env: Env) -> model.CExpr:
        collection = self.expr(node.collection, None, env)
        element: Type = INVALID
        if self._plain(collection):
            if isinstance(collection.type, ListType):
                element = collection.type.element
            else:
                self.t.error(
                    "type-mismatch",
                    english("expected-list-found", found=describe_type(collection.type)),
                    collection.span,
                    help=english("runs-over-list", kind=node.kind),
                )
        inner = env.bind(node.var.name, element)
        filter_ = None
        if node.filter is not None:
            filter_ = self.expr(node.filter, BOOL, inner)
            self._want_bool(filter_, english("type.where-keeps-elements-for.help"))
        body = self.expr(node.body, None, inner) if node.body is not None else None
        type_ = self._aggregate_type(node, element, body)
        return model.Aggregate(
            node.kind, node.var.name, collection, filter_, body, type_, node.span
        )

    def _aggregate_type(self, node: ast.Aggregate, element: Type, body: model.CExpr | None) -> Type:
        kind = node.kind
        if kind == "count":
            if body is not None:
                self.t.error(
                    "unexpected-body",
                    english("count-no-body"),
                    body.span,
                    help=english("count-help"),
                )
            return INT
        if kind == "rate" and body is None:
            self.t.error(
                "missing-body",
                english("rate-needs-condition"),
                node.span,
                help=english("rate-help", fix=f"rate of {node.var.name} in … where … : condition"),
            )
            return OptionalType(PERCENT)
        value = body.type if body is not None else element
        where = body.span if body is not None else node.collection.span
        if is_invalid(value):
            return INVALID if kind not in ("all", "any", "rate") else _kind_type(kind)
        if kind == "list":
            return ListType(value)
        if isinstance(value, OptionalType | NoneType):
            if body is not None:
                self._possibly_none(where)
            else:
                self.t.error(
                    "possibly-none",
                    english("type.elements-may-be-none", snippet=snippet(where)),
                    where,
                    help=english("type.add-body-that-handles.help", kind=kind, name=node.var.name),
                )
            return INVALID if kind not in ("all", "any", "rate") else _kind_type(kind)
        if kind in ("all", "any", "rate"):
            if not isinstance(value, BoolType):
                self.t.error(
                    "type-mismatch",
                    english("expected-bool-found", found=describe_type(value)),
                    where,
                    help=english(
                        "type.tests-condition.help"
                        if body is not None
                        else "type.tests-condition-add.help",
                        kind=kind,
                    ),
                )
            return _kind_type(kind)
        if kind == "sum":
            if is_numeric(value):
                return (
                    INT
                    if isinstance(value, IntType)
                    else _number("decimal", places_of(value), _is_fixed(value))
                )
            self.t.error(
                "type-mismatch",
                english("expected-number-found", found=describe_type(value)),
                where,
                help=english(
                    "type.sum-adds.help" if body is not None else "type.sum-adds-add.help"
                ),
            )
            return INVALID
        if is_numeric(value) or isinstance(value, _ORDERED_IN_TIME):
            return OptionalType(_unbounded(value))
        self.t.error(
            "type-mismatch",
            english("type.expected-number-or-date", value=describe_type(value)),
            where,
            help=english("durations-unordered.help", example=f"{kind} of w in … : whole_minutes(w)")
            if isinstance(value, DurationType)
            else english(
                "type.picks-among.help" if body is not None else "type.picks-among-add.help",
                kind=kind,
            ),
        )
        return INVALID

    # -- literals --------------------------------------------------------------------------

    @visits(ast.WithInputs)
    def _with_inputs(self, node: ast.WithInputs, expected: Type | None, env: Env) -> model.CExpr:
        """`target[input = value]` belongs to examples and properties, whose checker
        (`wuxin_rules.examples`) overrides this; in a rule it is an error."""
        self.t.error(
            "with-outside-test",
            english("with-outside-test", expr=snippet(node.span)),
            node.span,
            help=english("with-outside-test.help"),
        )
        return self._invalid(node.span)

    @visits(ast.ListLit)
    def _list(self, node: ast.ListLit, expected: Type | None, env: Env) -> model.CExpr:
        wanted = strip_optional(expected) if expected is not None else None
        element_hint = wanted.element if isinstance(wanted, ListType) else None
        # Items that need context (bare members) take it from the first item that does not,
        # when nothing else gives it: `[k, agency]` with `k: Kind`.
        typed: dict[int, model.CExpr] = {}
        hint = element_hint
        for index, item in enumerate(node.items):
            if element_hint is None and self._contextual(item):
                continue
            typed[index] = self.expr(item, element_hint, env)
            if hint is None and not is_invalid(typed[index].type):
                hint = typed[index].type
        for index, item in enumerate(node.items):
            if index not in typed:
                typed[index] = self.expr(item, hint, env)
        items = tuple(typed[index] for index in range(len(node.items)))
        if not items:
            if element_hint is None:
                self.t.error(
                    "empty-list",
                    english("empty-list"),
                    node.span,
                    help=english("empty-list.help"),
                )
                return model.MakeList((), INVALID, node.span)
            return model.MakeList((), ListType(element_hint), node.span)
        element = items[0].type
        for typed_item in items[1:]:
            joined = join(element, typed_item.type)
            if joined is None:
                self.t.error(
                    "type-mismatch",
                    english(
                        "list-types-differ",
                        first=describe_type(element),
                        second=describe_type(typed_item.type),
                    ),
                    typed_item.span,
                    labels=[
                        Label(
                            items[0].span,
                            english("first-item-is", type=describe_type(items[0].type)),
                        )
                    ],
                    help=english("list-one-type"),
                )
                return model.MakeList(items, INVALID, node.span)
            element = joined
        if element_hint is not None and all(assignable(i.type, element_hint) for i in items):
            element = element_hint
        return model.MakeList(items, ListType(_unbounded(element)), node.span)

    @visits(ast.RecordLit)
    def _record(self, node: ast.RecordLit, expected: Type | None, env: Env) -> model.CExpr:
        wanted = strip_optional(expected) if expected is not None else None
        if isinstance(wanted, SumType):
            made = self._sum_record(node, wanted, env)
            if made is not None:
                return made
        target = wanted if isinstance(wanted, RecordType) and wanted.qualified else None
        spreads: list[model.CExpr] = []
        spread_fields: dict[str, tuple[Type, Span]] = {}
        fields: dict[str, model.CExpr] = {}
        first: dict[str, Span] = {}
        broken = False
        for item in node.items:
            if isinstance(item, ast.RecordSpread):
                value = self.expr(item.value, None, env)
                spreads.append(value)
                if not self._plain(value):
                    broken = True
                elif not isinstance(value.type, RecordType):
                    self.t.error(
                        "type-mismatch",
                        english("type.expected-record-found", type=describe_type(value.type)),
                        value.span,
                        help=english("type.x-copies-fields-record.help"),
                    )
                    broken = True
                else:
                    for info in value.type.fields:
                        spread_fields[info.name] = (info.type, value.span)
                        if info.name in first:
                            self.t.error(
                                "spread-after-field",
                                english(
                                    "spread-after-field",
                                    field=info.name,
                                    spread=f"...{snippet(value.span)}",
                                ),
                                first[info.name],
                                labels=[Label(value.span, english("also-gives", field=info.name))],
                                help=english("spread-first"),
                            )
                            broken = True
                continue
            name = item.name.name
            if name in first:
                self.t.error(
                    "duplicate-name",
                    english("type.field-given-twice", name=name),
                    item.name.span,
                    labels=[Label(first[name], english("first-given-here"))],
                    help=english("type.give-each-field-once.help"),
                )
                broken = True
                continue
            first[name] = item.name.span
            hint = None
            if target is not None:
                field_info = target.field(name)
                if field_info is None:
                    names = [f.name for f in target.fields]
                    self.t.error(
                        "unknown-name",
                        english("unknown-field", field=name, type=target.name),
                        item.name.span,
                        help=suggest(name, names)
                        or english("fields-are", type=target.name, fields=quoted(names)),
                    )
                    broken = True
                else:
                    hint = field_info.type
            value = self.expr(item.value, hint, env)
            fields[name] = value
            if hint is not None:
                broken = not self.accept(value, hint) or broken
        if target is None:
            infos = {n: FieldInfo(n, t) for n, (t, _) in spread_fields.items()}
            infos.update({n: FieldInfo(n, v.type) for n, v in fields.items()})
            type_: Type = RecordType("", "", tuple(infos.values()))
            if broken:
                type_ = INVALID
            return model.MakeRecord(tuple(spreads), tuple(fields.items()), type_, node.span)
        complete = self._complete_record(target, node, spread_fields, fields)
        type_ = target if complete and not broken else INVALID
        return model.MakeRecord(tuple(spreads), tuple(fields.items()), type_, node.span)

    def _sum_record(self, node: ast.RecordLit, wanted: SumType, env: Env) -> model.CExpr | None:
        """A value of an enum that carries data, written as its facts are:
        `{kind: card, number: "4111", amount: 12}` — checked as the record of the member's
        fields. None when the literal names no member under `kind` (it is then typed as
        any record literal, and refused where the enum is expected)."""
        tag = next(
            (
                item
                for item in node.items
                if isinstance(item, ast.RecordField) and item.name.name == SUM_TAG
            ),
            None,
        )
        if tag is None or any(isinstance(item, ast.RecordSpread) for item in node.items):
            return None
        member_name = self.expr(tag.value, wanted.tags, env)
        if not isinstance(member_name, model.Const) or member_name.type != wanted.tags:
            return None
        member = wanted.member(member_name.value)
        if member is None:
            return None
        view = RecordType(
            member.name,
            f"{wanted.qualified}.{member.name}",
            (FieldInfo(SUM_TAG, wanted.tags), *member.fields),
        )
        made = self._record(node, view, env)
        if is_invalid(made.type):
            return made
        return attrs.evolve(made, type=wanted)

    def _complete_record(
        self,
        target: RecordType,
        node: ast.RecordLit,
        spread_fields: dict[str, tuple[Type, Span]],
        fields: dict[str, model.CExpr],
    ) -> bool:
        """Check that a record literal's spreads and fields give exactly `target`'s fields."""
        ok = True
        for name, (type_, span) in spread_fields.items():
            if name in fields:
                continue
            info = target.field(name)
            if info is None:
                self.t.error(
                    "unknown-name",
                    english("unknown-field", field=name, type=target.name),
                    span,
                    notes=[english("type.brings-field", snippet=snippet(span), name=name)],
                    help=english("type.spread-value-type-or.help", name=target.name),
                )
                ok = False
            elif not assignable(type_, info.type):
                self.t.error(
                    "type-mismatch",
                    english(
                        "expected-type-found",
                        expected=describe_type(info.type),
                        found=describe_type(type_),
                    ),
                    span,
                    notes=[
                        english(
                            "type.field-this-spread-brings", name=name, type_=describe_type(type_)
                        )
                    ],
                    help=english(
                        "type.field.help",
                        name=name,
                        name2=target.name,
                        type=describe_type(info.type),
                    ),
                )
                ok = False
        missing = [
            info
            for info in target.fields
            if info.name not in fields and info.name not in spread_fields
        ]
        if missing:
            names = [info.name for info in missing]
            optional = [info.name for info in missing if isinstance(info.type, OptionalType)]
            self.t.error(
                "missing-field",
                english("missing-fields", fields=quoted(names), record=target.name)
                if len(names) > 1
                else english("missing-field", field=names[0], record=target.name),
                node.span,
                notes=[english("optional-written-too", fix=f"{optional[0]}: none")]
                if optional
                else [],
                help=english("add", fix=f"{names[0]}: …")
                if len(names) == 1
                else english("add-several", fixes=", ".join(f"`{m}: …`" for m in names)),
            )
            ok = False
        return ok


def _bind_all(env: Env, names: Iterable[ast.Ident], type_: Type) -> Env:
    for name in names:
        env = env.bind(name.name, type_)
    return env


def _case_pattern(member: str, fields: tuple[FieldInfo, ...]) -> str:
    """How an arm of `member` is written: `card(number, amount)`."""
    return f"{member}({', '.join(f.name for f in fields)})" if fields else member


def _substitute(
    body: model.CExpr, subject: model.CExpr, bound: Mapping[str, tuple[FieldInfo, Span]]
) -> tuple[model.CExpr, model.Aggregate | None]:
    """`body` with each local bound by an arm read as the field of `subject` it names (at
    the place of its use, so the explanation shows it there). An aggregate of the arm that
    binds the same name hides it. Returned with it: an aggregate whose variable hides a local
    that `subject` reads, where a bound name is used (the read would see the wrong value; the
    caller reports it), else None."""
    reads = {e.name for e in model.walk(subject) if isinstance(e, model.LocalRef)}
    clash: list[model.Aggregate] = []

    def replace(
        expr: model.CExpr, hidden: frozenset[str], inside: tuple[model.Aggregate, ...]
    ) -> model.CExpr:
        if isinstance(expr, model.LocalRef) and expr.name in bound and expr.name not in hidden:
            clash.extend(a for a in inside if a.var in reads)
            field, _ = bound[expr.name]
            return model.GetField(subject, field.name, expr.type, expr.span)
        if isinstance(expr, model.Aggregate):
            scope_hidden, scope_inside = hidden | {expr.var}, (*inside, expr)
        else:
            scope_hidden, scope_inside = hidden, inside
        return model.map_children(
            expr,
            lambda child, scoped: replace(
                child, scope_hidden if scoped else hidden, scope_inside if scoped else inside
            ),
        )

    return replace(body, frozenset(), ()), clash[0] if clash else None


def _hint(type_: Type) -> Type | None:
    """A type as a hint for another expression (none for an invalid one)."""
    return None if is_invalid(type_) else type_


def _kind_type(kind: str) -> Type:
    return OptionalType(PERCENT) if kind == "rate" else BOOL


def _arguments(n: int) -> str:
    return english("one-argument") if n == 1 else english("arguments", count=n)


def _mismatch_help(found: Type, wanted: Type) -> str:
    """A fix for a value of type `found` where `wanted` is expected."""
    found, wanted = strip_optional(found), strip_optional(wanted)
    if isinstance(wanted, BoolType) and is_numeric(found):
        return english("compare-the-number")
    if isinstance(wanted, IntType) and isinstance(found, NumberType):
        return english("round-the-number")
    if isinstance(found, ListType) and not isinstance(wanted, ListType):
        return english("type.reduce-list-with-aggregate.help")
    if isinstance(found, TextType) and is_numeric(wanted):
        return english("without-quotes")
    if isinstance(wanted, EnumType):
        return english(
            "give-a-member-of", enum=wanted.name, members=quoted(m.name for m in wanted.members)
        )
    if isinstance(wanted, RecordType) and wanted.qualified:
        return english("type.give-value-that-type.help", name=wanted.name)
    return english("type.give-value-type-here.help", wanted=describe_type(wanted))


# ------------------------------------------------------------------------------------------
# Typing the builtins


def _numbers(typer: ExprTyper, args: list[model.CExpr]) -> bool:
    ok = True
    for arg in args:
        ok = typer._want_number(arg) and ok
    return ok


def _exact(typer: ExprTyper, arg: model.CExpr, type_: Type) -> bool:
    return typer.accept(arg, type_)


def _type_abs(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    return _unbounded(args[0].type) if _numbers(typer, args) else INVALID


def _type_extreme(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    if not all(typer._plain(arg) for arg in args):
        return INVALID
    for kind, same in ((DateType, DATE), (DateTimeType, DATETIME), (TimeType, TIME)):
        if all(isinstance(a.type, kind) for a in args):
            return same
    result: Type | None = None
    for arg in args:
        if not is_numeric(arg.type):
            typer.t.error(
                "type-mismatch",
                english("expected-number-found", found=describe_type(arg.type)),
                arg.span,
                help=english("type.min-and-max-pick.help"),
            )
            return INVALID
        result = arg.type if result is None else _number_join(result, arg.type)
    return _unbounded(result) if result is not None else INVALID


def _type_rounding(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    return INT if _numbers(typer, args) else INVALID


def _type_round(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    ok = _numbers(typer, args[:1])
    ok = _exact(typer, args[1], INT) and ok
    if len(args) > 2:
        ok = _rounding_mode(typer, args[2]) and ok
    if not ok:
        return INVALID
    number = args[0].type
    digits = _constant_int(args[1])
    if isinstance(number, IntType) or digits is None or not -100 <= digits <= 100:
        return _unbounded(number)
    places = max(digits, 0)
    known = places_of(number)
    if known is not None:  # rounding money to 4 places leaves it of 2
        places = min(places, known)
    if isinstance(number, NumberType) and number.kind == "percent":
        # A percent is held as its ratio: rounding to 2 places gives whole percents.
        return NumberType("percent", places=places)
    # With its mode declared, the result is of that fixed scale (`money` for 2 places);
    # the older two-argument form keeps its type (money stays money) and makes its places
    # known.
    return _number("decimal", places, fixed=len(args) > 2 or _is_fixed(number))


def _constant_int(arg: model.CExpr) -> int | None:
    """The value of an `int` written as a constant (`2`, `-2`), else None."""
    if isinstance(arg, model.Const) and type(arg.value) is int:
        return arg.value
    if isinstance(arg, model.Negate) and isinstance(arg.operand, model.Const):
        value = arg.operand.value
        return -value if type(value) is int else None
    return None


def _rounding_mode(typer: ExprTyper, arg: model.CExpr) -> bool:
    if isinstance(arg, model.Const) and arg.value in semantics.ROUNDING_MODES:
        return True
    typer.t.error(
        "type-mismatch",
        english("rounding-mode", found=snippet(arg.span)),
        arg.span,
        help=english("rounding-mode.help", modes=quoted(semantics.ROUNDING_MODES)),
    )
    return False


def _type_len(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    arg = args[0]
    if typer._plain(arg) and not isinstance(arg.type, ListType):
        typer.t.error(
            "type-mismatch",
            english("expected-list-found", found=describe_type(arg.type)),
            arg.span,
            help=english("type.len-counts-elements-list.help"),
        )
    return INT


def _signature(*params: Type, result: Type) -> Callable[[ExprTyper, list[model.CExpr]], Type]:
    def check(typer: ExprTyper, args: list[model.CExpr]) -> Type:
        ok = True
        for arg, param in zip(args, params, strict=True):
            ok = _exact(typer, arg, param) and ok
        return result

    return check


def _type_component(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    return INT


def _type_in_zone(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    """`in_zone(t, "Europe/Paris")`: a date-time and a zone written as a text constant,
    looked up now (an unknown zone is a checking error, not an evaluation's)."""
    moment, name = args
    if typer._plain(moment) and not isinstance(moment.type, DateTimeType):
        typer.accept(moment, DATETIME)
    if not (isinstance(name, model.Const) and isinstance(name.value, str)):
        typer.t.error(
            "type-mismatch",
            english("zone-constant"),
            name.span,
            help=english("unknown-zone.help"),
        )
        return INVALID
    try:
        zones.zone(name.value)
    except zones.ZoneError as error:
        if error.reason == "no-database":
            typer.t.error(
                "missing-dependency",
                english("no-zone-database", name=name.value),
                name.span,
                help=english("missing-dependency.help", fix="pip install 'wuxin_rules[tz]'"),
            )
        else:
            typer.t.error(
                "unknown-zone",
                english("unknown-zone", name=name.value),
                name.span,
                help=english("unknown-zone.help"),
            )
        return INVALID
    return DATETIME


def _type_text(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    # Any plain value has a text; `none` must be decided first, never written as "none".
    typer._plain(args[0])
    return TEXT


def _type_label(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    arg = args[0]
    if typer._plain(arg) and not isinstance(arg.type, EnumType):
        typer.t.error(
            "type-mismatch",
            english("type.expected-enum-member-found", type=describe_type(arg.type)),
            arg.span,
            help=english("type.label-gives-label-enum.help"),
        )
    return TEXT


def _sample_key(typer: ExprTyper, arg: model.CExpr, what: str, list_of: bool) -> Type | None:
    """The key type (text or int) of a `sample` argument, or None (reported)."""
    if not typer._plain(arg):
        return None
    type_ = arg.type
    if list_of:
        if not isinstance(type_, ListType):
            typer.t.error(
                "type-mismatch",
                english("type.expected-list-texts-or", type_=describe_type(type_)),
                arg.span,
                help=english("type.sample-identifiers-what-drawn.help"),
            )
            return None
        type_ = type_.element
        if is_invalid(type_):
            return None
    if isinstance(type_, TextType | IntType):
        return _unbounded(type_)
    found = english("type.list-of", type=describe_type(type_)) if list_of else describe_type(type_)
    typer.t.error(
        "type-mismatch",
        english("type.expected-found", what=what, found=found),
        arg.span,
        help=english("type.sample-key-list.help" if list_of else "type.sample-key.help"),
    )
    return None


def _type_sample(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    keys, rate, seed = args
    element = _sample_key(typer, keys, english("a list of texts or of `int`s"), True)
    ok = typer._want_number(rate, english("type.rate-share-keys-draw.help"))
    ok = _sample_key(typer, seed, english("a text or an `int`"), False) is not None and ok
    if element is None or not ok:
        return INVALID
    return ListType(element)


def _list_arg(typer: ExprTyper, arg: model.CExpr, name: str) -> ListType | None:
    """The list type of the first argument of a list builtin, or None (reported)."""
    if not typer._plain(arg):
        return None
    if isinstance(arg.type, ListType):
        return None if is_invalid(arg.type.element) else arg.type
    if not is_invalid(arg.type):
        typer.t.error(
            "type-mismatch",
            english("expected-list", type=describe_type(arg.type)),
            arg.span,
            help=english("expected-list.help", name=name),
        )
    return None


_ORDERED_IN_TIME = DateType | DateTimeType | TimeType
"""The types of the calendar and the clock that `<`, `min`, `max` and `sort` order: days,
instants (whatever their zones) and times of day. (Durations are ordered only when one of
their parts is equal: not a type whose lists can always be sorted.)"""


def _orderable(type_: Type) -> bool:
    return isinstance(type_, IntType | NumberType | TextType | _ORDERED_IN_TIME)


def _type_element(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    listed = _list_arg(typer, args[0], "first")
    return listed.element if listed is not None else INVALID


def _type_nth(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    listed = _list_arg(typer, args[0], "nth")
    ok = _exact(typer, args[1], INT)
    return listed.element if listed is not None and ok else INVALID


def _type_same_list(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    listed = _list_arg(typer, args[0], "reverse")
    return listed if listed is not None else INVALID


def _type_sortable_list(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    listed = _list_arg(typer, args[0], "sort")
    if listed is None:
        return INVALID
    if not _orderable(listed.element):
        typer.t.error(
            "type-mismatch",
            english("sort-orders", type=describe_type(listed.element)),
            args[0].span,
            help=english(
                "durations-unordered.help", example="sort(list of w in … : whole_minutes(w))"
            )
            if isinstance(listed.element, DurationType)
            else english("sort-orders.help"),
        )
        return INVALID
    return listed


def _by_field(typer: ExprTyper, args: list[model.CExpr]) -> ListType | None:
    """The list of records of `sort_by`/`min_by`/`max_by` whose second argument names one
    of their fields holding a number, a text or a date; None (reported) otherwise."""
    listed = _list_arg(typer, args[0], "sort_by")
    if listed is None:
        return None
    record = listed.element
    key = args[1]
    if not isinstance(record, RecordType):
        typer.t.error(
            "type-mismatch",
            english("expected-records", type=describe_type(listed)),
            args[0].span,
            help=english("expected-records.help"),
        )
        return None
    if not (isinstance(key, model.Const) and isinstance(key.value, str)):
        typer.t.error(
            "type-mismatch",
            english("order-field-text"),
            key.span,
            help=english(
                "order-field-text.help",
                type=describe_type(record),
                fields=quoted(f.name for f in record.fields),
            ),
        )
        return None
    field = record.field(key.value)
    if field is None or not _orderable(field.type):
        if field is None:
            message = english("order-no-field", type=describe_type(record), field=key.value)
        else:
            message = english(
                "order-unorderable-field", type=describe_type(record), field=key.value
            )
        typer.t.error(
            "type-mismatch",
            message,
            key.span,
            help=english(
                "order-field.help",
                fields=quoted(f.name for f in record.fields if _orderable(f.type)),
            ),
        )
        return None
    return listed


def _type_by_field_list(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    listed = _by_field(typer, args)
    return listed if listed is not None else INVALID


def _type_by_field_element(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    listed = _by_field(typer, args)
    return listed.element if listed is not None else INVALID


def _key_type(type_: Type) -> bool:
    """Whether records may be keyed by a field of `type_` (a whole number, a text or an enum
    member: values that are equal exactly when they are the same key)."""
    return isinstance(type_, IntType | TextType | EnumType)


def _named_field(
    typer: ExprTyper, record: RecordType, arg: model.CExpr, wanted: Callable[[Type], bool]
) -> FieldInfo | None:
    """The field of `record` that `arg`, a text constant, names, if its type is `wanted`;
    None (reported, listing the fields that would do) otherwise."""
    fits = quoted(f.name for f in record.fields if wanted(f.type))
    if not (isinstance(arg, model.Const) and isinstance(arg.value, str)):
        typer.t.error(
            "type-mismatch",
            english("link-field-text"),
            arg.span,
            help=english("order-field-text.help", type=describe_type(record), fields=fits),
        )
        return None
    field = record.field(arg.value)
    if field is None or not wanted(field.type):
        if field is None:
            message = english("order-no-field", type=describe_type(record), field=arg.value)
        else:
            message = english(
                "link-unfit-field",
                type=describe_type(record),
                field=arg.value,
                found=describe_type(field.type),
            )
        typer.t.error(
            "type-mismatch", message, arg.span, help=english("link-field.help", fields=fits)
        )
        return None
    return field


def _links(typer: ExprTyper, args: list[model.CExpr], many: bool) -> Type:
    """`ancestors(xs, start, "key", "link")` (`many` false: the link holds a key or none)
    and `reachable(xs, start, "key", "links")` (`many`: a list of keys): the list of records
    `xs`, keyed by a field of whole numbers, texts or enum members, linked by a field of
    the same type; the start is a key."""
    name = "reachable" if many else "ancestors"
    listed = _list_arg(typer, args[0], name)
    if listed is None:
        return INVALID
    record = listed.element
    if not isinstance(record, RecordType):
        typer.t.error(
            "type-mismatch",
            english("expected-records", type=describe_type(listed)),
            args[0].span,
            help=english("expected-linked-records.help", name=name),
        )
        return INVALID
    key = _named_field(typer, record, args[2], _key_type)
    if key is None:
        return INVALID
    key_type = key.type

    def linking(type_: Type) -> bool:
        if many:
            return isinstance(type_, ListType) and type_.element == key_type
        # A link that is never none could only end in a cycle: the root has none.
        return type_ == OptionalType(key_type)

    link = _named_field(typer, record, args[3], linking)
    start = _exact(typer, args[1], key_type)
    return listed if link is not None and start else INVALID


def _type_ancestors(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    return _links(typer, args, many=False)


def _type_reachable(typer: ExprTyper, args: list[model.CExpr]) -> Type:
    return _links(typer, args, many=True)


_TYPING_RULES: dict[str, Callable[[ExprTyper, list[model.CExpr]], Type]] = {
    "abs": _type_abs,
    "extreme": _type_extreme,
    "rounding": _type_rounding,
    "round": _type_round,
    "len": _type_len,
    "text": _type_text,
    "label": _type_label,
    "sample": _type_sample,
    "element": _type_element,
    "nth": _type_nth,
    "same_list": _type_same_list,
    "sortable_list": _type_sortable_list,
    "by_field_list": _type_by_field_list,
    "by_field_element": _type_by_field_element,
    "ancestors": _type_ancestors,
    "reachable": _type_reachable,
    # A component is reached by field access on what is already known to be a date.
    "component": _type_component,
    "in_zone": _type_in_zone,
}
"""The typing rules of the polymorphic builtins, by the name their entry's `typing` gives
(a builtin with fixed argument types has a `semantics.Signature` instead)."""

CONTEXT_TYPING = "context"
"""The `typing` of a builtin whose type is the one its place expects (`fail`, which has no
value): `ExprTyper` gives it that type (a condition where nothing expects one)."""

OPERATOR_TYPING = ("arith", "compare", "negate")
"""The `typing` of the operators' entries: they are typed by `ExprTyper`'s methods of the
same name (`_arith`, `_compare`, `_negate`), which know their operands' forms."""


def _typing_rule(builtin: Builtin) -> Callable[[ExprTyper, list[model.CExpr]], Type]:
    typing = builtin.typing
    if isinstance(typing, semantics.Signature):
        return _signature(*typing.params, result=typing.result)
    if typing is None or typing not in _TYPING_RULES:
        raise LookupError(f"builtin `{builtin.name}` has no typing rule `{typing}`")
    return _TYPING_RULES[typing]


def typed(builtin: Builtin) -> bool:
    """Whether the checker can type calls of `builtin` (its `typing` names a rule it has)."""
    typing = builtin.typing
    return (
        isinstance(typing, semantics.Signature)
        or typing in _TYPING_RULES
        or typing == CONTEXT_TYPING
    )
