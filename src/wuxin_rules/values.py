"""Runtime values: how each type is held while rules run, and how values leave the engine.

The representation is a contract between facts loading, evaluation and explanation:

| type            | held as                                   | returned to Python as          |
|-----------------|-------------------------------------------|--------------------------------|
| bool            | `bool`                                    | `bool`                         |
| int             | `int`                                     | `int`                          |
| decimal/percent | `int` or `fractions.Fraction` (exact)     | `Decimal` when it terminates, else `Fraction` |
| text            | `str`                                     | `str`                          |
| date            | `datetime.date`                           | `datetime.date`                |
| datetime        | `datetime.datetime` with its zone (`zones`) | `datetime.datetime`          |
| time            | `datetime.time` (no zone, whole seconds)  | `datetime.time`                |
| duration        | `Duration` (months, seconds: ints)        | `Duration`                     |
| enum member     | `str` (the member name)                   | `str`                          |
| record          | `dict[str, value]`                        | `dict`                         |
| list            | `tuple`                                   | `list`                         |
| none            | `None`                                    | `None`                         |

No binary float is ever created (`shortest_decimal` reads one given by a caller who opted
in, as the decimal of its shortest text). May import `errors`, `source`, `schema` and `zones`.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from wuxin_rules import zones
from wuxin_rules.schema import (
    EnumType,
    ListType,
    NumberType,
    OptionalType,
    RecordType,
    Type,
    fixed_scale,
)

__all__ = [
    "SECONDS_PER_DAY",
    "Duration",
    "decimal_places",
    "fixed_text",
    "format_number",
    "format_value",
    "fraction_to_decimal",
    "integer_text",
    "parse_duration",
    "shortest_decimal",
    "to_json",
    "to_python",
]


def fraction_to_decimal(value: Fraction | int) -> Decimal | None:
    """The exact `Decimal` of a rational, or None when its decimal expansion does not end."""
    if isinstance(value, int):
        return Decimal(value)
    digits = _places(value.denominator)
    if digits is None:
        return None
    # value = numerator * 10**digits / 10**digits, exactly; scale to an integer first.
    scaled = Decimal(value.numerator * (10**digits) // value.denominator).as_tuple()
    # Built from its sign, digits and exponent, not computed: no arithmetic, so the caller's
    # decimal context (its precision, exponent limits, clamping, traps) cannot touch the
    # value (`Decimal(int)` is exact in every context too).
    return Decimal((scaled.sign, scaled.digits, -digits))


def decimal_places(value: Fraction | int) -> int | None:
    """How many decimal places `value` has (0.125 has 3, 12.30 = 12.3 has 1); None when its
    expansion does not end (1/3)."""
    return _places(Fraction(value).denominator)


def _places(denominator: int) -> int | None:
    """The decimal places of a fraction in lowest terms with this denominator: the larger
    power of 2 or 5 in it; None when another prime divides it (the expansion repeats)."""
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    return max(twos, fives) if denominator == 1 else None


SECONDS_PER_DAY = 86_400


@attrs.frozen
class Duration:
    """A length of time in two parts, because months have no fixed length: `months` (a year
    is 12) and `seconds` (a day is 86,400, a week 7 days), each a whole number of either
    sign. Two durations are equal when both parts are; they are ordered only when one part
    is equal (`semantics` reports the rest), so the class defines no ordering of its own."""

    months: int
    seconds: int

    def iso(self) -> str:
        """ISO 8601: `P1Y2M3DT4H5M6S`, `PT0S` for zero; a negative duration as `-P3D`, and
        parts of different signs each with their own (`P1M-3D`)."""
        if self.months <= 0 and self.seconds <= 0 and (self.months or self.seconds):
            return "-" + Duration(-self.months, -self.seconds).iso()
        years, months = _split_sign(self.months, 12)
        days, rest = _split_sign(self.seconds, SECONDS_PER_DAY)
        hours, rest = _split_sign(rest, 3600)
        minutes, seconds = _split_sign(rest, 60)
        date = "".join(
            f"{integer_text(n)}{unit}"
            for n, unit in ((years, "Y"), (months, "M"), (days, "D"))
            if n
        )
        time = "".join(
            f"{integer_text(n)}{unit}"
            for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S"))
            if n
        )
        if not date and not time:
            return "PT0S"
        return "P" + date + ("T" + time if time else "")

    def source(self) -> str:
        """The duration as a policy writes it: `months(1) + days(3)`, `days(0)` for zero."""
        years, months = _split_sign(self.months, 12)
        days, rest = _split_sign(self.seconds, SECONDS_PER_DAY)
        hours, rest = _split_sign(rest, 3600)
        minutes, seconds = _split_sign(rest, 60)
        parts = [
            f"{unit}({integer_text(n)})"
            for n, unit in (
                (years, "years"),
                (months, "months"),
                (days, "days"),
                (hours, "hours"),
                (minutes, "minutes"),
                (seconds, "seconds"),
            )
            if n
        ]
        return " + ".join(parts) if parts else "days(0)"


def _split_sign(value: int, size: int) -> tuple[int, int]:
    """`value` as whole `size`s and the rest, both of `value`'s sign (-90 by 60: -1, -30)."""
    whole, rest = divmod(abs(value), size)
    return (whole, rest) if value >= 0 else (-whole, -rest)


_ISO_DURATION = re.compile(
    r"(-)?P(?:(-?[0-9]+)Y)?(?:(-?[0-9]+)M)?(?:(-?[0-9]+)W)?(?:(-?[0-9]+)D)?"
    r"(?:T(?:(-?[0-9]+)H)?(?:(-?[0-9]+)M)?(?:(-?[0-9]+)S)?)?",
    re.ASCII,
)


def parse_duration(text: str) -> Duration | None:
    """An ISO 8601 duration (`P1Y2M`, `P3W`, `PT36H`, `-P3D`, `P1M-3D`) in whole units, or
    None when `text` is not one (fractions of a unit and an empty `P`/`T` are refused)."""
    match = _ISO_DURATION.fullmatch(text) if len(text) <= 200 else None
    if match is None or text.endswith(("P", "T")):
        return None
    sign, *parts = match.groups()
    years, months, weeks, days, hours, minutes, seconds = (int(p) if p else 0 for p in parts)
    total = Duration(
        years * 12 + months,
        ((weeks * 7 + days) * 24 + hours) * 3600 + minutes * 60 + seconds,
    )
    return Duration(-total.months, -total.seconds) if sign else total


def integer_text(value: int) -> str:
    """The decimal digits of a whole number, however long (`str` refuses more than 4300)."""
    if value.bit_length() < 10_000:
        return int.__repr__(value)
    return format(Decimal(value), "f")


def format_number(value: Fraction | int, percent: bool = False, scale: int | None = None) -> str:
    """A number as an author reads it: `0.031`, `50%`, `1/3` when it does not terminate;
    with exactly `scale` places for a fixed-scale type (`12.30` for money)."""
    if scale is not None:
        fixed = fixed_text(value, scale)
        if fixed is not None:
            return fixed
    if percent:
        scaled = Fraction(value) * 100
        decimal = fraction_to_decimal(scaled)
        text = _plain(decimal) if decimal is not None else _ratio_text(scaled)
        return f"{text}%"
    decimal = fraction_to_decimal(value)
    if decimal is None:
        return _ratio_text(Fraction(value))
    return _plain(decimal)


def fixed_text(value: Fraction | int, scale: int) -> str | None:
    """`value` written with exactly `scale` places (`12.30`), or None when it has more."""
    scaled = Fraction(value) * 10**scale
    if scaled.denominator != 1:
        return None
    whole = scaled.numerator
    digits = integer_text(abs(whole)).rjust(scale + 1, "0")
    sign = "-" if whole < 0 else ""
    if scale == 0:
        return sign + digits
    return f"{sign}{digits[:-scale]}.{digits[-scale:]}"


def _ratio_text(value: Fraction) -> str:
    return f"{integer_text(value.numerator)}/{integer_text(value.denominator)}"


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_value(value: Any, type_: Type | None = None) -> str:
    """A value as explanations print it: labels stay out, numbers exact, text quoted."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Fraction):
        inner = type_.inner if isinstance(type_, OptionalType) else type_
        return format_number(
            value,
            percent=isinstance(inner, NumberType) and inner.kind == "percent",
            scale=fixed_scale(inner),
        )
    if isinstance(value, datetime.datetime):
        return zones.literal_text(value)
    if isinstance(value, datetime.time):
        return zones.clock_text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Duration):
        return value.iso()
    if isinstance(value, str):
        inner = type_.inner if isinstance(type_, OptionalType) else type_
        return value if isinstance(inner, EnumType) else f'"{value}"'
    if isinstance(value, tuple | list):
        element = type_.element if isinstance(type_, ListType) else None
        return "[" + ", ".join(format_value(item, element) for item in value) + "]"
    if isinstance(value, dict):
        fields = {f.name: f.type for f in type_.fields} if isinstance(type_, RecordType) else {}
        inner_text = ", ".join(f"{k}: {format_value(v, fields.get(k))}" for k, v in value.items())
        return "{" + inner_text + "}"
    return repr(value)


def to_python(value: Any, type_: Type | None = None) -> Any:
    """A runtime value as the API returns it (see the table in the module docstring).

    With its declared `type_`, a decimal or percentage held as a whole number comes back as
    `Decimal` too, so the Python type of a result depends on the rule's type, not on how the
    value happened to be computed."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(type_, OptionalType):
        type_ = type_.inner
    scale = fixed_scale(type_)
    if scale is not None and isinstance(value, int | Fraction):
        text = fixed_text(value, scale)
        if text is not None:
            return Decimal(text)  # 12.30, with its places: a Decimal keeps them
    if isinstance(value, Fraction):
        decimal = fraction_to_decimal(value)
        return decimal if decimal is not None else value
    if isinstance(value, int):
        return Decimal(value) if isinstance(type_, NumberType) else value
    if isinstance(value, tuple | list):
        element = type_.element if isinstance(type_, ListType) else None
        return [to_python(item, element) for item in value]
    if isinstance(value, dict):
        if isinstance(type_, RecordType):
            types = {f.name: f.type for f in type_.fields}
            return {key: to_python(item, types.get(key)) for key, item in value.items()}
        return {key: to_python(item) for key, item in value.items()}
    return value


class RawNumber(str):
    """A JSON number already written as exact decimal text (see `to_json`)."""

    __slots__ = ()


def to_json(value: Any, type_: Type | None = None) -> Any:
    """A runtime value as JSON data: exact decimals become `RawNumber` text, written unquoted
    by `wuxin_rules.jsonio.dumps`; a rational that does not terminate becomes the string `"1/3"`.
    Dates become `"YYYY-MM-DD"`, durations ISO 8601 texts (`"P1M3DT2H"`).
    """
    if isinstance(value, bool) or value is None:
        return value
    scale = fixed_scale(type_)
    if scale is not None and isinstance(value, int | Fraction):
        text = fixed_text(value, scale)
        if text is not None:
            return RawNumber(text)
    if isinstance(value, int):
        if isinstance(type_, NumberType) or (
            isinstance(type_, OptionalType) and isinstance(type_.inner, NumberType)
        ):
            return RawNumber(integer_text(value))
        return value
    if isinstance(value, Fraction):
        decimal = fraction_to_decimal(value)
        if decimal is None:
            return _ratio_text(value)
        return RawNumber(_plain(decimal))
    if isinstance(value, datetime.datetime):
        return zones.iso(value)
    if isinstance(value, datetime.time):
        return value.isoformat()  # ISO 8601 `HH:MM:SS`
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Duration):
        return value.iso()
    if isinstance(value, tuple | list):
        element = type_.element if isinstance(type_, ListType) else None
        return [to_json(item, element) for item in value]
    if isinstance(value, dict):
        inner = type_.inner if isinstance(type_, OptionalType) else type_
        fields = {f.name: f.type for f in inner.fields} if isinstance(inner, RecordType) else {}
        return {key: to_json(item, fields.get(key)) for key, item in value.items()}
    return value


def shortest_decimal(value: float) -> Decimal | int | float:
    """A float as the decimal of its shortest text (`repr`): `0.1` → `Decimal("0.1")`, a
    whole `3.0` → `3`; NaN and infinities are left as they are (and refused). The
    `floats="shortest"` opt-in: the facts schema and the compiled facts check both use it."""
    if value.is_integer():
        return int(value)
    if value - value:  # NaN for NaN and the infinities, 0.0 for every finite float
        return value
    return Decimal(repr(value))
