"""The type language: the types the checker gives every expression and facts must match.

`int`, `decimal`, `percent` (numbers; `percent` only changes how values are shown), `bool`,
`text`, `date`, `duration`, enums, records, `list of T` and `T?`, plus numeric bounds (`int >= 0`) that
facts are validated against. Enum and record types are nominal: they compare by qualified
name. May import `source` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TypeAlias

import attrs

from wuxin_rules.source import Span

__all__ = [
    "BOOL",
    "BUILTIN_TYPES",
    "DATE",
    "DATETIME",
    "DECIMAL",
    "DURATION",
    "INT",
    "MONEY",
    "NONE",
    "PERCENT",
    "SUM_TAG",
    "TEXT",
    "TIME",
    "BoolType",
    "DateTimeType",
    "DateType",
    "DurationType",
    "EnumMemberInfo",
    "EnumType",
    "FieldInfo",
    "IntType",
    "ListType",
    "NoneType",
    "NumberType",
    "NumericBound",
    "OptionalType",
    "RecordType",
    "SumMember",
    "SumType",
    "TextType",
    "TimeType",
    "Type",
    "describe",
    "fixed_scale",
    "is_numeric",
    "strip_optional",
]


@attrs.frozen
class NumericBound:
    """Bounds facts must respect: `int >= 0` is `NumericBound(low=0, low_inclusive=True)`."""

    low: Fraction | None = None
    low_inclusive: bool = True
    high: Fraction | None = None
    high_inclusive: bool = True

    def admits(self, value: Fraction | int) -> bool:
        """True when `value` lies within the bound."""
        if self.low is not None and (
            value < self.low or (value == self.low and not self.low_inclusive)
        ):
            return False
        return not (
            self.high is not None
            and (value > self.high or (value == self.high and not self.high_inclusive))
        )

    def describe(self, percent: bool = False) -> str:
        """The bound as the language writes it: `>= 0`, `0 .. 100`; `0% .. 100%` for a
        percent type (whose bound is held as the ratios 0 and 1)."""
        if self.low is not None and self.high is not None:
            op = ".." if self.high_inclusive else "..<"
            return f"{_num(self.low, percent)} {op} {_num(self.high, percent)}"
        if self.low is not None:
            return f"{'>=' if self.low_inclusive else '>'} {_num(self.low, percent)}"
        if self.high is not None:
            return f"{'<=' if self.high_inclusive else '<'} {_num(self.high, percent)}"
        return ""


def _num(value: Fraction, percent: bool = False) -> str:
    if percent:
        return _num(Fraction(value) * 100) + "%"
    if value.denominator == 1:
        return str(value.numerator)
    from decimal import Decimal

    return str(Decimal(value.numerator) / Decimal(value.denominator))


@attrs.frozen
class IntType:
    """Whole numbers, optionally bounded."""

    bound: NumericBound | None = attrs.field(default=None, eq=False)


@attrs.frozen
class NumberType:
    """Exact numbers (decimals and rationals); `kind` is `decimal` or `percent` (display only).

    `scale` is a declared fixed scale: `money` is a decimal of scale 2, whose values have at
    most 2 places, are read from facts exactly at that scale and shown with exactly 2 places.
    `places` is what the checker knows of an expression's places when no scale is declared
    (a literal `0.5` has 1; `x / y` has no bound, None); it says nothing of the type's
    identity (`eq=False`, like the bound)."""

    kind: str = "decimal"
    bound: NumericBound | None = attrs.field(default=None, eq=False)
    scale: int | None = None
    places: int | None = attrs.field(default=None, eq=False)

    @property
    def most_places(self) -> int | None:
        """The most decimal places a value of this type can have; None when unbounded."""
        return self.scale if self.scale is not None else self.places


@attrs.frozen
class BoolType:
    """`true` / `false`."""


@attrs.frozen
class TextType:
    """Unicode text."""


@attrs.frozen
class DateType:
    """Calendar dates (proleptic Gregorian), written `2015-03-31`."""


@attrs.frozen
class DateTimeType:
    """Instants with the zone they are written in: `2025-03-01T08:30[Asia/Shanghai]`,
    `2025-03-01T08:30:00+08:00`."""


@attrs.frozen
class TimeType:
    """Times of day on a clock, no date and no zone: `08:30`, `17:45:30` (whole seconds,
    00:00 to 23:59:59)."""


@attrs.frozen
class DurationType:
    """Lengths of time: a calendar part in whole months (a year is 12) and an exact part in
    seconds (a day is 86,400), written `months(1) + days(3)`; facts as ISO 8601 (`P1M3D`).

    `part` is what the checker knows of a value's parts: `calendar` (months only), `exact`
    (seconds only) or None (either or both). It is left out of equality: every duration is of
    one type, and the part only lets the checker refuse a comparison that can never have an
    answer (`months(1) < days(30)`)."""

    part: str | None = attrs.field(default=None, eq=False)


@attrs.frozen
class NoneType:
    """The type of the literal `none`: it fits any optional type."""


@attrs.frozen
class EnumMemberInfo:
    """A member of an enum with its label."""

    name: str
    label: str | None = None


@attrs.frozen(eq=False)
class EnumType:
    """A closed set of named members. Compares by `qualified` name."""

    name: str
    qualified: str
    members: tuple[EnumMemberInfo, ...]
    label: str | None = None
    span: Span | None = attrs.field(default=None, repr=False)

    _by_name: dict[str, EnumMemberInfo] = attrs.field(
        init=False, repr=False, eq=False, hash=False, factory=dict
    )

    def member(self, name: str) -> EnumMemberInfo | None:
        """The member called `name`, or None (by a table built on first use: an enum may
        have tens of thousands of members, and a list of them is looked up one by one)."""
        if not self._by_name and self.members:
            self._by_name.update((m.name, m) for m in reversed(self.members))
        return self._by_name.get(name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EnumType) and other.qualified == self.qualified

    def __hash__(self) -> int:
        return hash(("enum", self.qualified))


@attrs.frozen
class FieldInfo:
    """A field of a record type."""

    name: str
    type: Type
    label: str | None = None
    cites: tuple[str, ...] = ()
    span: Span | None = attrs.field(default=None, repr=False, eq=False)
    fixed: bool = attrs.field(default=False, kw_only=True)
    """True when the policy marks the field `fixed`: not a fact the assessed party can change
    (what must change for a verdict never proposes it)."""


@attrs.frozen(eq=False)
class RecordType:
    """A record with named, typed fields. Compares by `qualified` name.

    Anonymous record literals get a record type with `qualified` empty; they are matched
    structurally by the checker.
    """

    name: str
    qualified: str
    fields: tuple[FieldInfo, ...]
    label: str | None = None
    span: Span | None = attrs.field(default=None, repr=False)
    _by_name: dict[str, FieldInfo] = attrs.field(
        init=False, repr=False, eq=False, hash=False, factory=dict
    )

    def field(self, name: str) -> FieldInfo | None:
        """The field called `name`, or None (by a table built on first use)."""
        if not self._by_name and self.fields:
            self._by_name.update((f.name, f) for f in reversed(self.fields))
        return self._by_name.get(name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RecordType):
            return False
        if self.qualified or other.qualified:
            return other.qualified == self.qualified
        return self.fields == other.fields

    def __hash__(self) -> int:
        return hash(("record", self.qualified or tuple(f.name for f in self.fields)))


SUM_TAG = "kind"
"""The key naming the member in a value of an enum that carries data (`{"kind": "card", …}`):
the discriminator of the JSON Schema/OpenAPI world. No member's field may be named so."""


@attrs.frozen
class SumMember:
    """A member of an enum that carries data, with its label and its fields (none for a
    member that carries nothing, such as `waived`)."""

    name: str
    label: str | None
    fields: tuple[FieldInfo, ...] = ()

    def field(self, name: str) -> FieldInfo | None:
        """The field called `name`, or None."""
        return next((f for f in self.fields if f.name == name), None)


@attrs.frozen(eq=False)
class SumType:
    """An enum whose members may carry fields (a sum type). Compares by `qualified` name.

    A value is a `dict`: the member's name under `SUM_TAG` and the member's fields, so a
    field is read as a record's is. `tags` is the plain enum of the member names, the type
    of `value.kind` and of a member test.
    """

    name: str
    qualified: str
    tags: EnumType
    members: tuple[SumMember, ...]
    label: str | None = None
    span: Span | None = attrs.field(default=None, repr=False)

    def member(self, name: str) -> SumMember | None:
        """The member called `name`, or None."""
        return next((m for m in self.members if m.name == name), None)

    def field(self, name: str) -> FieldInfo | None:
        """The field called `name` as explanations show it: the one members' field of that
        name, when those that have one agree on its label and citations (else None)."""
        found = {(f.label, f.cites): f for m in self.members if (f := m.field(name)) is not None}
        return next(iter(found.values())) if len(found) == 1 else None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SumType) and other.qualified == self.qualified

    def __hash__(self) -> int:
        return hash(("sum", self.qualified))


@attrs.frozen
class ListType:
    """`list of T`."""

    element: Type


@attrs.frozen
class OptionalType:
    """`T?`: a T or `none`."""

    inner: Type


Type: TypeAlias = (
    IntType
    | NumberType
    | BoolType
    | TextType
    | DateType
    | DateTimeType
    | TimeType
    | DurationType
    | NoneType
    | EnumType
    | RecordType
    | SumType
    | ListType
    | OptionalType
)

INT = IntType()
DECIMAL = NumberType("decimal")
MONEY = NumberType("decimal", scale=2)
PERCENT = NumberType("percent")
BOOL = BoolType()
TEXT = TextType()
DATE = DateType()
DURATION = DurationType()
DATETIME = DateTimeType()
TIME = TimeType()
NONE = NoneType()

BUILTIN_TYPES: Mapping[str, Type] = {
    "int": INT,
    "decimal": DECIMAL,
    "percent": PERCENT,
    "money": MONEY,
    "bool": BOOL,
    "text": TEXT,
    "date": DATE,
    "duration": DURATION,
    "datetime": DATETIME,
    "time": TIME,
}
"""The type names every module knows without declaring them (the checker's, the editor's
completions and the highlighter's, one list)."""


def is_numeric(type_: Type) -> bool:
    """True for `int`, `decimal` and `percent`."""
    return isinstance(type_, IntType | NumberType)


def fixed_scale(type_: Type | None) -> int | None:
    """The declared scale of a fixed-scale number type (or of its optional), else None."""
    inner = type_.inner if isinstance(type_, OptionalType) else type_
    return inner.scale if isinstance(inner, NumberType) else None


def strip_optional(type_: Type) -> Type:
    """`T` for `T?`, the type itself otherwise."""
    return type_.inner if isinstance(type_, OptionalType) else type_


def describe(type_: Type) -> str:
    """The type as an author would write it: `int`, `list of Applicant`, `percent?`."""
    match type_:
        case IntType():
            return "int"
        case NumberType(kind=kind, scale=scale):
            if scale is None:
                return kind
            return "money" if scale == 2 else f"decimal({scale})"
        case BoolType():
            return "bool"
        case TextType():
            return "text"
        case DateType():
            return "date"
        case DurationType():
            return "duration"
        case DateTimeType():
            return "datetime"
        case TimeType():
            return "time"
        case NoneType():
            return "none"
        case EnumType(name=name) | RecordType(name=name) | SumType(name=name):
            return name or "record"
        case ListType(element=element):
            return f"list of {describe(element)}"
        case OptionalType(inner=inner):
            return f"{describe(inner)}?"
    raise AssertionError(f"unknown type {type_!r}")
