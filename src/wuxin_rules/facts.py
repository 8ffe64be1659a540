"""Validating facts documents against a policy's declared input types.

Owns `FactsSchema`: it turns a document (from `jsonio`, or a dict from a Python caller) into
the runtime values of `wuxin_rules.values` — `int`, exact `Fraction`s, `str`, `date`, `dict`
records, `tuple` lists, `None` — or raises one `FactError` listing every problem, each with
its JSON path (`$.order.lines[3].quantity`) and the file it came from.

Structuring is cattrs' (this is the only module that imports it). Each schema type becomes a
cattrs target once per schema: records become `TypedDict`s generated from their fields (so
records come out as dicts), optionals `Optional[...]` (`NotRequired` in records, so a missing
optional field is `None`), lists `tuple[T, ...]` behind a guard that only lets lists in, and
every leaf type (bounded int, decimal/percent, bool, text, date, enum) a marker class whose
hook checks and converts the value exactly. The converter has `detailed_validation=True` and
`forbid_extra_keys=True`: every problem comes back in cattrs' exception groups, whose notes
give the JSON paths. Detailed validation costs nothing measurable on the happy path (its
generated code only adds `try` blocks), so there is no separate fast converter: validating
a 15-field record with one nested record takes about 15-30 µs.

Accepted forms (beyond the JSON type itself):

| type            | accepts                                                              |
|-----------------|----------------------------------------------------------------------|
| int             | JSON whole numbers (Python `int`, not `bool`)                        |
| decimal/percent | JSON numbers; Python `int`, `Decimal`, `Fraction`; exact text `"0.25"`, `"1/3"`, and for percent `"12.5%"` |
| bool            | `true` / `false` only (not 0/1, not `"yes"`)                         |
| text            | JSON text                                                            |
| date            | text `"YYYY-MM-DD"`; Python `datetime.date` (not `datetime`)        |
| datetime        | ISO 8601 text with an offset or a zone: `"2025-03-01T08:30:00+08:00"`, `"2025-03-01T08:30[Asia/Shanghai]"` (whole seconds); Python `datetime.datetime` with a zone |
| time            | text `"HH:MM"` or `"HH:MM:SS"` (00:00 to 23:59:59, no zone); Python `datetime.time` without a zone, whole seconds |
| duration        | ISO 8601 text in whole units (`"P1M"`, `"P3W"`, `"PT36H"`, `"-P2D"`); `values.Duration` |
| enum            | the member's name as text, or its label (`"小"` for `small`) when no other member has that label |
| record          | a JSON object with exactly the record's fields (optional ones may be missing) |
| list            | a JSON array (Python `list` or `tuple`) → `tuple`                    |
| `T?`            | `null`, a missing key, or a `T`                                      |

Binary floats are refused, with a hint to pass `Decimal` or text, unless the schema is
built with `floats=True` (the documented opt-in `floats="shortest"` of `Policy.evaluate`,
`evaluate_many` and `evaluate_frame`): then each float is read as the decimal of its
shortest text (`repr`), `0.1` as `Decimal("0.1")`, and a whole float (`3.0`) as the int.

May import `source`, `errors`, `schema`, `values`, `model` and `jsonio`.
"""

from __future__ import annotations

import datetime
import difflib
import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, NotRequired, Optional, TypedDict

import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen.typeddicts import make_dict_structure_fn

from wuxin_rules import model, zones
from wuxin_rules.errors import Diagnostic, FactError, InternalError, suggest
from wuxin_rules.messages import english
from wuxin_rules.schema import (
    SUM_TAG,
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
    describe,
)
from wuxin_rules.values import (
    Duration,
    decimal_places,
    format_number,
    parse_duration,
    shortest_decimal,
)

__all__ = ["FactsSchema", "facts_schema", "shortest_decimal", "without_floats"]

Hook = Callable[[Any, Any], Any]

# Exact numbers may have at most this many digits / this large an exponent: beyond it,
# turning `1E+999999999` into a Fraction would take forever (Python's own int limit).
_MAX_DIGITS = 4300
_TOO_LARGE = 10**_MAX_DIGITS
"""The least whole number of more than `_MAX_DIGITS` digits."""
_DECIMAL_TEXT = re.compile(r"-?[0-9]{1,4300}(?:\.[0-9]{1,4300})?")
_FRACTION_TEXT = re.compile(r"-?[0-9]{1,4300}/[0-9]{1,4300}")
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PREVIEW = 40  # characters of a bad value quoted in a message


# ------------------------------------------------------------------------------------------
# Problems found by the leaf hooks. cattrs adds the path as exception notes on the way up.


class ValueProblem(Exception):
    """One bad value; the JSON path comes from the cattrs notes around it."""

    def __init__(
        self, code: str, message: str, help: str | None = None, notes: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.help = help
        self.notes = notes


def _expected(type_: Type) -> str:
    """What a value of `type_` is called in messages: `a whole number`, `true/false`."""
    match type_:
        case IntType():
            return english("a whole number")
        case NumberType(kind="percent"):
            return english("a percentage")
        case NumberType(scale=int(scale)):
            return english("facts.fixed-number", places=scale)
        case NumberType():
            return english("a decimal number")
        case BoolType():
            return english("true/false")
        case TextType():
            return english("text")
        case DateType():
            return english("a date")
        case DurationType():
            return english("a duration")
        case DateTimeType():
            return english("a date-time")
        case TimeType():
            return english("a time of day")
        case EnumType(name=name):
            return english("a-member-of", enum=name)
        case RecordType(name=name):
            return english("a-record-named", name=name) if name else english("a record")
        case SumType(name=name):
            return english("a-member-of", enum=name)
        case ListType():
            return english("a list")
        case OptionalType(inner=inner):
            return english("or-none", what=_expected(inner))
        case NoneType():
            return english("none")
    raise AssertionError(f"unknown type {type_!r}")  # pragma: no cover


def _is_percent(type_: Type) -> bool:
    return isinstance(type_, NumberType) and type_.kind == "percent"


def _type_text(type_: Type) -> str:
    """The type as written, bound included: `int >= 0`, `percent 0% .. 100%`."""
    bound = getattr(type_, "bound", None)
    if bound is None:
        return describe(type_)
    return f"{describe(type_)} {bound.describe(_is_percent(type_))}"


def _found(value: Any) -> str:
    """The value as messages name it: `text \\`"3"\\``, `whole number \\`3\\``, `none`."""
    if value is None:
        return english("facts.none")
    if value is True or value is False:
        return f"`{'true' if value else 'false'}`"
    if isinstance(value, int):
        return english("whole-number-value", value=_preview(value))
    if isinstance(value, float):
        return english("facts.binary-floating-point-number", value=repr(value))
    if isinstance(value, Decimal | Fraction):
        return english("decimal-number-value", value=_preview(value))
    if isinstance(value, str):
        return english("text-value", value=_preview(value))
    if isinstance(value, datetime.datetime):
        return english("facts.date-and-time", isoformat=value.isoformat())
    if isinstance(value, datetime.date):
        return english("date-value", value=value.isoformat())
    if isinstance(value, list | tuple):
        return english("list-value", value=_preview(value))
    if isinstance(value, Mapping):
        return english("record-value", value=_preview(value))
    return english("facts.python", type_name=type(value).__name__)


def _preview(value: Any, limit: int = _PREVIEW) -> str:
    """`value` as JSON-like text, cut to about `limit` characters (bounded work)."""
    parts: list[str] = []
    _render(value, parts, limit)
    text = "".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _render(value: Any, out: list[str], budget: int) -> int:
    """Append `value` to `out`; return the budget left (stops once it is spent)."""
    if budget <= 0:
        return 0
    if value is None:
        text = "null"
    elif value is True or value is False:
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value) if value.bit_length() < 10_000 else "…"
    elif isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, Fraction):
        text = format_number(value) if value.denominator.bit_length() < 1000 else "…"
    elif isinstance(value, str):
        # Quote a bounded prefix only: the value may be megabytes long.
        text = _json_text(value[: budget + 1])
        if len(value) > budget + 1:
            text = text[:-1] + "…"
    elif isinstance(value, list | tuple):
        out.append("[")
        budget -= 1
        for index, item in enumerate(value):
            if budget <= 0:
                return 0
            if index:
                out.append(", ")
                budget -= 2
            budget = _render(item, out, budget)
        out.append("]")
        return budget - 1
    elif isinstance(value, Mapping):
        out.append("{")
        budget -= 1
        for index, (key, item) in enumerate(value.items()):
            if budget <= 0:
                return 0
            if index:
                out.append(", ")
                budget -= 2
            key_text = _json_text(str(key)[:budget]) + ": "
            out.append(key_text)
            budget = _render(item, out, budget - len(key_text))
        out.append("}")
        return budget - 1
    else:
        text = repr(value)[:budget]
    out.append(text)
    return budget - len(text)


def _cut(text: str) -> str:
    """User text shown as is, cut to `_PREVIEW` characters."""
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"


def _json_text(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _wrong(value: Any, type_: Type, help: str | None = None) -> ValueProblem:
    """The `bad-fact` problem: `expected a whole number, found text \\`"3"\\``."""
    if value is None:
        help = english("facts.only-optional-type-admits.help", type_=describe(type_))
    elif isinstance(value, float):
        exact = repr(value)
        help = (
            english("facts.binary-floats-are-not.help", exact=exact)
            if not isinstance(type_, IntType)
            else english("facts.binary-floats-are-not.help-2")
        )
    return ValueProblem(
        "bad-fact", english("expected-found", expected=_expected(type_), found=_found(value)), help
    )


def _out_of_bounds(value: Fraction | int, type_: IntType | NumberType) -> ValueProblem:
    bound = type_.bound
    assert bound is not None
    if bound.low is not None and value < bound.low:
        key = "below-bound"
    elif bound.high is not None and value > bound.high:
        key = "above-bound"
    else:  # on an end the bound excludes
        key = "outside-bound"
    percent = _is_percent(type_)
    within = bound.describe(percent)
    text = format_number(value, percent)
    if len(text) > _PREVIEW:  # a number of thousands of digits: its start says enough
        text = text[: _PREVIEW - 1] + "…"
    return ValueProblem(
        "fact-out-of-bounds",
        english(key, value=text, bound=within, type=_type_text(type_)),
        english("facts.percent-within.help", bound=within)
        if percent
        else english("within-bound", bound=within),
    )


# ------------------------------------------------------------------------------------------
# Leaf hooks: check and convert one value exactly; raise `ValueProblem` otherwise.


def _bound_check(bound: NumericBound | None) -> tuple[Callable[[Any], bool] | None, bool]:
    """A fast `admits` for `bound`, and whether its ends are whole numbers.

    Whole ends compare as ints, which is cheaper than Fractions, and can be compared with a
    `Decimal` directly (exactly, in C) before it is turned into a Fraction.
    """
    if bound is None or (bound.low is None and bound.high is None):
        return None, True

    def exact(end: Fraction | None) -> Fraction | int | None:
        if end is None:
            return None
        return end.numerator if end.denominator == 1 else end

    low, high = exact(bound.low), exact(bound.high)
    low_inclusive, high_inclusive = bound.low_inclusive, bound.high_inclusive

    def admits(value: Any) -> bool:
        if low is not None and (value < low if low_inclusive else value <= low):
            return False
        return not (high is not None and (value > high if high_inclusive else value >= high))

    whole = not isinstance(low, Fraction) and not isinstance(high, Fraction)
    return admits, whole


def _int_hook(type_: IntType) -> Hook:
    admits, _ = _bound_check(type_.bound)

    def structure_int(value: Any, _: Any) -> int:
        if type(value) is not int:
            if isinstance(value, int) and not isinstance(value, bool):
                value = int(value)
            else:
                help: str | None = None
                if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value.strip()):
                    help = english("without-quotes")
                elif isinstance(value, Decimal | Fraction):
                    help = english("facts.write-whole-number-without.help")
                raise _wrong(value, type_, help)
        _check_size(value)
        if admits is not None and not admits(value):
            raise _out_of_bounds(value, type_)
        whole: int = value
        return whole

    return structure_int


def _check_size(value: Fraction | int) -> None:
    """Refuse a number from Python of more than `_MAX_DIGITS` digits, as JSON text and
    Decimals are refused: its every use would cost time, and its text would be megabytes."""
    numerator, denominator = (value, 1) if isinstance(value, int) else value.as_integer_ratio()
    # (A bound on bits would let some numbers of `_MAX_DIGITS + 1` digits through.)
    if abs(numerator) >= _TOO_LARGE or denominator >= _TOO_LARGE:
        raise ValueProblem(
            "bad-fact",
            english("number-too-large", value=_preview(value)),
            english("max-digits", limit=_MAX_DIGITS),
        )


def _check_decimal(value: Decimal, type_: NumberType) -> None:
    """Refuse a Decimal that is not finite or too big to turn into a Fraction quickly."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise ValueProblem(
            "bad-fact",
            english("expected-found-code", expected=_expected(type_), found=value),
            english("exact-finite"),
        )
    # Converting a coefficient to an int is quadratic in its digits: bound them.
    if len(digits) > _MAX_DIGITS or abs(exponent) > _MAX_DIGITS:
        raise ValueProblem(
            "bad-fact",
            english("number-too-large", value=_preview(value)),
            english("max-digits-exponent", limit=_MAX_DIGITS, exponent=_MAX_DIGITS),
        )


def _exact_decimal(value: Decimal, type_: NumberType) -> Fraction | int:
    """The exact rational of a finite Decimal of sane size (else a `ValueProblem`)."""
    _check_decimal(value, type_)
    numerator, denominator = value.as_integer_ratio()
    return numerator if denominator == 1 else Fraction(numerator, denominator)


def _number_from_other(value: Any, type_: NumberType) -> Fraction | int:
    """The slow path of the decimal hook: text forms, int subclasses, refusals."""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        raise _wrong(value, type_)
    if isinstance(value, int):
        _check_size(value)
        return int(value)
    if isinstance(value, Decimal):
        return _exact_decimal(value, type_)
    if isinstance(value, Fraction):
        _check_size(value)
        return value.numerator if value.denominator == 1 else value
    if isinstance(value, str):
        text = value.strip()
        scale = 1
        if type_.kind == "percent" and text.endswith("%"):
            text, scale = text[:-1].rstrip(), 100
        if _DECIMAL_TEXT.fullmatch(text):
            number = _exact_decimal(Decimal(text), type_)
        elif _FRACTION_TEXT.fullmatch(text) and text.rpartition("/")[2].strip("0"):
            number = Fraction(text)
        else:
            forms = '`0.25`, `"0.25"`, `"1/4"`' + (', `"25%"`' if type_.kind == "percent" else "")
            raise _wrong(value, type_, english("exact-number-example", forms=forms))
        number = Fraction(number) / scale
        return number.numerator if number.denominator == 1 else number
    raise _wrong(value, type_)


def without_floats(value: Any) -> Any:
    """`value` with every float inside it (in dicts, lists, tuples) as `shortest_decimal`
    gives it; `value` itself, the very object, when it holds no float."""
    kind = type(value)
    if kind is float:
        return shortest_decimal(value)
    if kind is dict:
        changed = None
        for key, item in value.items():
            new = without_floats(item)
            if new is not item:
                if changed is None:
                    changed = dict(value)
                changed[key] = new
        return value if changed is None else changed
    if kind is list or kind is tuple:
        items = [without_floats(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items
    return value


def _reading_floats(make: Callable[[Any], Hook]) -> Callable[[Any], Hook]:
    """`make`, with binary floats first read as their shortest decimal text: the documented
    opt-in (`floats="shortest"`) for callers whose numbers come as floats (DataFrames)."""

    def make_reading(type_: Any) -> Hook:
        hook = make(type_)

        def structure(value: Any, target: Any) -> Any:
            if type(value) is float:
                value = shortest_decimal(value)
            return hook(value, target)

        return structure

    return make_reading


def _too_many_places(value: Any, type_: NumberType) -> ValueProblem:
    return ValueProblem(
        "bad-fact",
        english("facts.too-many-places", found=_preview(value), places=type_.scale),
        english("facts.too-many-places.help", places=type_.scale),
    )


def _number_hook(type_: NumberType) -> Hook:
    admits, whole_ends = _bound_check(type_.bound)
    scale = type_.scale

    def structure_number(value: Any, _: Any) -> Fraction | int:
        kind = type(value)
        if kind is int:
            _check_size(value)
            number: Fraction | int = value
        elif kind is Decimal and whole_ends and scale is None:
            # Bound first, on the Decimal itself: a refused value costs no Fraction.
            _check_decimal(value, type_)
            if admits is not None and not admits(value):
                raise _out_of_bounds(_exact_decimal(value, type_), type_)
            numerator, denominator = value.as_integer_ratio()
            return numerator if denominator == 1 else Fraction(numerator, denominator)
        elif kind is Decimal:
            number = _exact_decimal(value, type_)
        else:
            number = _number_from_other(value, type_)
        if scale is not None and not isinstance(number, int):
            places = decimal_places(number)
            if places is None or places > scale:
                raise _too_many_places(value, type_)
        if admits is not None and not admits(number):
            raise _out_of_bounds(number, type_)
        return number

    return structure_number


def _bool_hook(type_: BoolType) -> Hook:
    def structure_bool(value: Any, _: Any) -> bool:
        if value is True or value is False:
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no"):
            help = english("facts.write-true-or-false.help")
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            help = english("facts.write-true-or-false.help-2")
        else:
            help = english("checker.write-true-or-false.help")
        raise _wrong(value, type_, help)

    return structure_bool


def _text_hook(type_: TextType) -> Hook:
    def structure_text(value: Any, _: Any) -> str:
        if type(value) is str:
            return value
        if isinstance(value, str):
            return str(value)
        raise _wrong(value, type_, english("text-in-quotes"))

    return structure_text


_DATE_HELP = english("facts.date-text.help")


def _impossible_date(text: str) -> str:
    """Why a date written `YYYY-MM-DD` is not on the calendar: its year, month or day."""
    year, month = int(text[:4]), int(text[5:7])
    if year < datetime.MINYEAR:
        return english("facts.year-out-of-range", year=year)
    if not 1 <= month <= 12:
        return english("facts.month-out-of-range")
    return english("facts.day-out-of-range")


def _date_hook(type_: DateType) -> Hook:
    def structure_date(value: Any, _: Any) -> datetime.date:
        if type(value) is str:
            if _DATE_TEXT.fullmatch(value) is None:
                raise ValueProblem(
                    "invalid-date",
                    english("not-date-form", value=_cut(value)),
                    _DATE_HELP,
                )
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise ValueProblem(
                    "invalid-date",
                    english("not-valid-date", value=_cut(value)),
                    _impossible_date(value),
                ) from None
        if type(value) is datetime.date:
            return value
        if isinstance(value, datetime.datetime):
            raise _wrong(value, type_, english("pass-date"))
        if isinstance(value, datetime.date):
            return datetime.date(value.year, value.month, value.day)
        if isinstance(value, str):
            return structure_date(str(value), _)
        raise _wrong(value, type_, _DATE_HELP)

    return structure_date


def duration_fact(value: Any, type_: Type) -> Duration:
    """A duration from its fact: ISO 8601 text in whole units, or a `Duration`."""
    if type(value) is Duration:
        return value
    if isinstance(value, str):
        duration = parse_duration(str(value))
        if duration is None:
            raise ValueProblem(
                "bad-fact",
                english("not-duration-form", value=_cut(value)),
                english("duration-fact.help"),
            )
        return duration
    raise _wrong(value, type_, english("duration-fact.help"))


def datetime_fact(value: Any, type_: Type) -> datetime.datetime:
    """A date-time from its fact: ISO 8601 text with an offset or a zone, or an aware
    `datetime.datetime` of whole seconds."""
    if isinstance(value, str):
        try:
            return zones.parse(str(value))
        except zones.ZoneError as error:
            raise _datetime_problem(error, str(value)) from None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise _wrong(value, type_, english("datetime-fact.help"))
        if value.microsecond:
            raise _wrong(value, type_, english("datetime-fact.help"))
        try:
            value.astimezone(zones.UTC)
        except OverflowError:
            raise _wrong(value, type_, english("datetime-fact.help")) from None
        return datetime.datetime(*value.timetuple()[:6], tzinfo=value.tzinfo, fold=value.fold)
    raise _wrong(value, type_, english("datetime-fact.help"))


def _datetime_problem(error: zones.ZoneError, text: str) -> ValueProblem:
    if error.reason == "unknown-zone":
        return ValueProblem(
            "bad-fact", english("unknown-zone", name=error.name), english("unknown-zone.help")
        )
    if error.reason == "no-database":
        return ValueProblem(
            "missing-dependency",
            english("no-zone-database", name=error.name),
            english("missing-dependency.help", fix="pip install 'wuxin_rules[tz]'"),
        )
    return ValueProblem(
        "bad-fact", english("not-datetime-form", value=_cut(text)), english("datetime-fact.help")
    )


def time_fact(value: Any, type_: Type) -> datetime.time:
    """A time of day from its fact: text `HH:MM[:SS]`, or a `datetime.time` of whole seconds
    without a zone (a spreadsheet's time cell)."""
    if isinstance(value, str):
        try:
            return zones.parse_clock(str(value))
        except zones.ZoneError:
            raise ValueProblem(
                "bad-fact",
                english("not-time-form", value=_cut(str(value))),
                english("time-fact.help"),
            ) from None
    if type(value) is datetime.time and value.tzinfo is None and not value.microsecond:
        return datetime.time(value.hour, value.minute, value.second)
    raise _wrong(value, type_, english("time-fact.help"))


def _time_hook(type_: TimeType) -> Hook:
    return lambda value, _: time_fact(value, type_)


def _datetime_hook(type_: DateTimeType) -> Hook:
    return lambda value, _: datetime_fact(value, type_)


def _duration_hook(type_: DurationType) -> Hook:
    return lambda value, _: duration_fact(value, type_)


def _member_list(type_: EnumType) -> str:
    names = [f"`{m.name}`" for m in type_.members]
    return ", ".join(names[:30]) + (", …" if len(names) > 30 else "")


def _enum_hook(type_: EnumType) -> Hook:
    members = frozenset(m.name for m in type_.members)
    # A member may also be written by its label (`"小"` for `small`), as the people who
    # fill in facts know it; a label two members share names neither.
    labelled: dict[str, list[str]] = {}
    for member in type_.members:
        if member.label and member.label not in members:
            labelled.setdefault(member.label, []).append(member.name)
    by_label = {label: names[0] for label, names in labelled.items() if len(names) == 1}

    def structure_member(value: Any, _: Any) -> str:
        if type(value) is str and value in members:
            return value
        if isinstance(value, str):
            if str(value) in members:
                return str(value)
            if str(value) in by_label:
                return by_label[str(value)]
            raise ValueProblem(
                "unknown-member",
                english("unknown-member", member=_cut(value), enum=type_.name),
                suggest(value, members) or english("use-a-member-of", enum=type_.name),
                (english("the-members-of", enum=type_.name, members=_member_list(type_)),),
            )
        raise _wrong(value, type_, english("member-as-text", members=_member_list(type_)))

    return structure_member


# ------------------------------------------------------------------------------------------
# Structure targets: what each schema type becomes for cattrs.


class _Marker:
    """Base of the marker classes that stand for leaf types and lists (never instantiated)."""

    __slots__ = ()


class _RecordInfo:
    """What the error report needs to know about a generated TypedDict."""

    __slots__ = ("fields", "is_inputs", "name", "optional")

    def __init__(self, name: str, fields: dict[str, Type], is_inputs: bool) -> None:
        self.name = name
        self.fields = fields
        self.is_inputs = is_inputs
        self.optional = tuple(n for n, t in fields.items() if isinstance(t, OptionalType))


class _Targets:
    """The cattrs targets of one schema, built once: marker classes, TypedDicts, their hooks."""

    def __init__(self, floats: bool = False) -> None:
        self.floats = floats
        self.leaves: dict[Any, Hook] = {}
        self.lists: dict[Any, Any] = {}  # list marker → tuple[element target, ...]
        self.list_types: dict[Any, ListType] = {}
        self.records: dict[Any, _RecordInfo] = {}
        self.sums: dict[Any, tuple[SumType, Any, dict[str, Any]]] = {}
        """Sum marker → its type, the marker of its member names, each member's record."""
        self.late: dict[Any, Any] = {}  # late-bound marker → record TypedDict (recursion)
        self._by_key: dict[Any, Any] = {}
        self._building: dict[Any, type] = {}
        self._made = 0  # classes made so far: their names are `wuxin_<kind>_<n>`

    def owns(self, target: Any) -> bool:
        try:
            return (
                target in self.leaves
                or target in self.lists
                or target in self.records
                or target in self.sums
                or target in self.late
            )
        except TypeError:  # an unhashable typing construct: not ours
            return False

    def target(self, type_: Type) -> Any:
        """The cattrs target of `type_` (created on first use, then reused)."""
        match type_:
            case OptionalType(inner=inner):
                return Optional[self.target(inner)]  # noqa: UP045 - cattrs' optional hook
            case RecordType():
                return self._record(type_)
            case SumType():
                return self._sum(type_)
            case ListType(element=element):
                return self._list(type_, element)
            case IntType(bound=bound):
                make = _reading_floats(_int_hook) if self.floats else _int_hook
                return self._leaf(("int", bound), type_, make)
            case NumberType(kind=kind, bound=bound):
                make = _reading_floats(_number_hook) if self.floats else _number_hook
                return self._leaf(("number", kind, bound, type_.scale), type_, make)
            case BoolType():
                return self._leaf(("bool",), type_, _bool_hook)
            case TextType():
                return self._leaf(("text",), type_, _text_hook)
            case DateType():
                return self._leaf(("date",), type_, _date_hook)
            case DurationType():
                return self._leaf(("duration",), type_, _duration_hook)
            case DateTimeType():
                return self._leaf(("datetime",), type_, _datetime_hook)
            case TimeType():
                return self._leaf(("time",), type_, _time_hook)
            case EnumType(qualified=qualified):
                return self._leaf(("enum", qualified, type_.name), type_, _enum_hook)
        raise InternalError(
            Diagnostic("internal-error", english("no-facts-type", type=describe(type_)))
        )

    def _leaf(self, key: Any, type_: Any, make: Callable[[Any], Hook]) -> Any:
        marker = self._by_key.get(key)
        if marker is None:
            marker = self._class(f"leaf_{key[0]}", _Marker)
            self.leaves[marker] = make(type_)
            self._by_key[key] = marker
        return marker

    def _list(self, type_: ListType, element: Type) -> Any:
        inner = self.target(element)
        key = ("list", inner)
        marker = self._by_key.get(key)
        if marker is None:
            marker = self._class("list", _Marker)
            self.lists[marker] = tuple[inner, ...]  # type: ignore[valid-type]
            self.list_types[marker] = type_
            self._by_key[key] = marker
        return marker

    def _record(self, type_: RecordType) -> Any:
        key = ("record", type_.qualified) if type_.qualified else ("record", id(type_))
        if key in self._by_key:
            return self._by_key[key]
        if key in self._building:
            # A record that contains itself (through a list or an optional): bind late.
            marker = self._building[key]
            return marker
        late = self._class("late_record", _Marker)
        self._building[key] = late
        fields = {f.name: f.type for f in type_.fields}
        record = self.record(type_.name or "record", fields, is_inputs=False)
        del self._building[key]
        self._by_key[key] = record
        self.late[late] = record
        return record

    def _sum(self, type_: SumType) -> Any:
        key = ("sum", type_.qualified)
        marker = self._by_key.get(key)
        if marker is None:
            marker = self._class("sum", _Marker)
            self._by_key[key] = marker
            # The member's name checked alone first, so a wrong one is located at `.kind`.
            tags = self.record(type_.name, {SUM_TAG: type_.tags}, is_inputs=False)
            records = {
                member.name: self.record(
                    member.name,
                    {SUM_TAG: type_.tags, **{f.name: f.type for f in member.fields}},
                    is_inputs=False,
                )
                for member in type_.members
            }
            self.sums[marker] = (type_, tags, records)
        return marker

    def record(self, name: str, fields: dict[str, Type], *, is_inputs: bool) -> Any:
        """A TypedDict for a record (or for the inputs of a document)."""
        annotations: dict[str, Any] = {}
        for field_name, field_type in fields.items():
            target = self.target(field_type)
            annotations[field_name] = (
                NotRequired[target] if isinstance(field_type, OptionalType) else target
            )
        record = TypedDict(self._class_name("record"), annotations)  # type: ignore[misc]
        self.records[record] = _RecordInfo(name, fields, is_inputs)
        return record

    def _class_name(self, kind: str) -> str:
        """A class name made here, never from a policy's names: cattrs compiles functions
        named after the class (`structure_<name>`), and Python reads identifiers through NFKC,
        so a name such as `Ｒ` or `ﬁle` would come back as another one (`R`, `file`)."""
        self._made += 1
        return f"wuxin_{kind}_{self._made}"

    def _class(self, kind: str, base: type) -> type:
        return type(self._class_name(kind), (base,), {"__slots__": ()})


def _converter(targets: _Targets) -> cattrs.Converter:
    converter = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)

    def factory(target: Any) -> Hook:
        if target in targets.leaves:
            return targets.leaves[target]
        if target in targets.lists:
            return _list_hook(converter, targets, target)
        if target in targets.late:
            record = targets.late[target]
            return lambda value, _: converter.get_structure_hook(record)(value, record)
        if target in targets.sums:
            return _sum_hook(converter, *targets.sums[target])
        return _record_hook(converter, target, targets.records[target])

    converter.register_structure_hook_factory(targets.owns, factory)
    return converter


def _list_hook(converter: cattrs.Converter, targets: _Targets, marker: Any) -> Hook:
    tuple_type = targets.lists[marker]
    list_type = targets.list_types[marker]
    structure_tuple = converter.get_structure_hook(tuple_type)

    def structure_list(value: Any, _: Any) -> tuple[Any, ...]:
        kind = type(value)
        if kind is list or kind is tuple:
            return structure_tuple(value, tuple_type)  # type: ignore[no-any-return]
        raise _wrong(
            value,
            list_type,
            english("json-list-help", what=_expected(list_type.element)),
        )

    return structure_list


def _sum_hook(
    converter: cattrs.Converter, type_: SumType, tags: Any, records: dict[str, Any]
) -> Hook:
    """A value of an enum that carries data: `{"kind": "card", "number": …}`, the member's
    name under `kind` and exactly its fields; a member that carries nothing may also be
    written as its name alone (`"waived"`, as a plain enum's member is)."""
    structure_tag = converter.get_structure_hook(tags)
    plain = {m.name for m in type_.members if not m.fields}
    names = ", ".join(f"`{m.name}`" for m in type_.members)

    def structure_sum(value: Any, _: Any) -> dict[str, Any]:
        if isinstance(value, str) and str(value) in plain:
            return {SUM_TAG: str(value)}
        if not isinstance(value, Mapping):
            raise ValueProblem(
                "bad-fact",
                english("expected-found", expected=_expected(type_), found=_found(value)),
                english("sum.write-object", tag=SUM_TAG, members=names),
            )
        if SUM_TAG not in value:
            raise ValueProblem(
                "missing-fact",
                english("sum.missing-tag", tag=SUM_TAG),
                english("sum.write-object", tag=SUM_TAG, members=names),
            )
        tag = structure_tag({SUM_TAG: value[SUM_TAG]}, tags)[SUM_TAG]
        record = records[tag]
        return converter.get_structure_hook(record)(value, record)  # type: ignore[no-any-return]

    return structure_sum


def _record_hook(converter: cattrs.Converter, record: Any, info: _RecordInfo) -> Hook:
    structure_fields = make_dict_structure_fn(record, converter)
    optional = info.optional
    size = len(info.fields)
    order = tuple(info.fields)
    names = ", ".join(f"`{n}`" for n in list(info.fields)[:8]) + (", …" if size > 8 else "")
    expected = (
        english("a record of inputs")
        if info.is_inputs
        else (
            english("a-record-named", name=info.name)
            if info.name != "record"
            else english("a record")
        )
    )

    def structure_record(value: Any, _: Any) -> dict[str, Any]:
        if type(value) is not dict:
            if not isinstance(value, Mapping):
                help = (
                    english("facts.facts-document-json-object.help", names=names)
                    if info.is_inputs
                    else english("facts.write-json-object-with.help", names=names)
                )
                raise ValueProblem(
                    "bad-fact",
                    english("expected-found", expected=expected, found=_found(value)),
                    help,
                )
            value = dict(value)
        result: dict[str, Any] = structure_fields(value, record)
        if optional and len(result) != size:
            for name in optional:
                result.setdefault(name, None)
        if tuple(result) != order:
            # Declared field order, whatever the document's (cattrs keeps the document's for
            # some records): explanations and JSON show records the way the policy does.
            result = {name: result[name] for name in order}
        return result

    return structure_record


# ------------------------------------------------------------------------------------------
# The public schema


class FactsSchema:
    """The facts a policy needs, ready to validate documents against (build once, reuse).

    `validate` returns `{input name: runtime value}`, or raises a `FactError` with every
    problem of the document, each located by a JSON path.
    """

    def __init__(self, inputs: Sequence[model.InputDef], *, floats: bool = False) -> None:
        self.inputs: tuple[model.InputDef, ...] = tuple(inputs)
        self.floats = floats
        self._targets = _Targets(floats)
        self._root = self._targets.record(
            "inputs", {i.name: i.type for i in self.inputs}, is_inputs=True
        )
        self._structure = _converter(self._targets).get_structure_hook(self._root)

    def validate(
        self, document: Any, *, file: str | None = None, where: str = "$"
    ) -> dict[str, Any]:
        """The runtime values of the inputs in `document` (a JSON object, or a Python dict).

        Raises `FactError` listing every problem: `missing-fact`, `unknown-fact`, `bad-fact`,
        `fact-out-of-bounds`, `unknown-member`, `invalid-date`, each with its `path` (under
        `where`) and `file`.
        """
        try:
            return self._structure(document, self._root)  # type: ignore[no-any-return]
        except (ClassValidationError, IterableValidationError, ValueProblem) as exc:
            problem: BaseException = exc
        except RecursionError:
            # Only a record type that contains itself, given absurdly deep Python data, can
            # get here (JSON text is depth-limited by `jsonio`).
            raise FactError(
                Diagnostic(
                    "too-deep",
                    english("facts-too-deep"),
                    path=where,
                    file=file,
                    help=english("record-stop"),
                )
            ) from None
        diagnostics: list[Diagnostic] = []
        self._collect(problem, where, file, diagnostics)
        raise FactError(diagnostics)

    def _collect(
        self, exc: BaseException, path: str, file: str | None, out: list[Diagnostic]
    ) -> None:
        if isinstance(exc, ClassValidationError):
            self._collect_record(exc, path, file, out)
        elif isinstance(exc, IterableValidationError):
            with_notes, without = exc.group_exceptions()
            for inner, note in with_notes:
                self._collect(inner, f"{path}[{note.index}]", file, out)
            for inner in without:
                self._collect(inner, path, file, out)
        elif isinstance(exc, ValueProblem):
            out.append(
                Diagnostic(
                    exc.code, exc.message, help=exc.help, notes=exc.notes, path=path, file=file
                )
            )
        else:
            raise InternalError(
                Diagnostic(
                    "internal-error",
                    english(
                        "facts.unexpected-while-validating-facts",
                        type_name=type(exc).__name__,
                        exc=exc,
                    ),
                    path=path,
                    file=file,
                )
            ) from exc

    def _collect_record(
        self, exc: ClassValidationError, path: str, file: str | None, out: list[Diagnostic]
    ) -> None:
        info = self._targets.records[exc.cl]
        with_notes, without = exc.group_exceptions()
        extras = sorted(
            (
                key
                for inner in without
                if isinstance(inner, ForbiddenExtraKeysError)
                for key in inner.extra_fields
            ),
            key=str,
        )
        missing = [note.name for inner, note in with_notes if type(inner) is KeyError]
        # A misspelt key is both an unknown key and a missing field; name the pair in the
        # missing field's help.
        misspelt: dict[str, str] = {}
        for extra in extras:
            close = difflib.get_close_matches(str(extra), list(info.fields), n=1, cutoff=0.6)
            if close and close[0] in missing and close[0] not in misspelt:
                misspelt[close[0]] = str(extra)
        what = "input" if info.is_inputs else "field"
        owner = "" if info.is_inputs else info.name
        for inner, note in with_notes:
            field_path = _join(path, note.name)
            if type(inner) is KeyError:
                field_type = info.fields[note.name]
                if note.name in misspelt:
                    help = english(
                        "facts.did-you-mean-instead.help",
                        name=note.name,
                        misspelt=misspelt[note.name],
                    )
                else:
                    help = english(
                        "add-with", key=_json_text(note.name), what=_expected(field_type)
                    )
                out.append(
                    Diagnostic(
                        "missing-fact",
                        english(
                            "missing-named-of", what=english(what), name=note.name, record=owner
                        )
                        if owner
                        else english("missing-named", what=english(what), name=note.name),
                        help=help,
                        path=field_path,
                        file=file,
                    )
                )
            else:
                self._collect(inner, field_path, file, out)
        for extra in extras:
            names = ", ".join(f"`{n}`" for n in list(info.fields)[:8]) + (
                ", …" if len(info.fields) > 8 else ""
            )
            fallback = (
                (
                    english("facts.inputs-are.help", names=names)
                    if info.is_inputs
                    else english("facts.has.help", name=info.name, names=names)
                )
                if info.fields
                else english("facts.remove.help")
            )
            out.append(
                Diagnostic(
                    "unknown-fact",
                    english(
                        "unknown-named-of", what=english(what), name=_cut(str(extra)), record=owner
                    )
                    if owner
                    else english("unknown-named", what=english(what), name=_cut(str(extra))),
                    help=suggest(str(extra), info.fields) or fallback,
                    path=_join(path, str(extra)),
                    file=file,
                )
            )
        for inner in without:
            if not isinstance(inner, ForbiddenExtraKeysError):
                self._collect(inner, path, file, out)


def _join(path: str, name: str) -> str:
    """`$.unit` for identifier keys, `$["a b"]` for others."""
    return f"{path}.{name}" if name.isidentifier() else f"{path}[{_json_text(name)}]"


_SCHEMAS: dict[int, FactsSchema] = {}
_FLOAT_SCHEMAS: dict[int, FactsSchema] = {}


def facts_schema(policy: model.CheckedPolicy, *, floats: bool = False) -> FactsSchema:
    """The `FactsSchema` of a checked policy, built on first use and kept while it lives;
    with `floats=True`, the one that reads binary floats as their shortest decimal text."""
    cache = _FLOAT_SCHEMAS if floats else _SCHEMAS
    key = id(policy)
    schema = cache.get(key)
    if schema is None:
        schema = FactsSchema(policy.inputs, floats=floats)
        cache[key] = schema
        # Forget the schema with the policy (policies are not hashable: key by identity).
        weakref.finalize(policy, cache.pop, key, None)
    return schema
