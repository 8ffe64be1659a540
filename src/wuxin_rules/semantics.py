"""The meaning of every operator and builtin, written once: one `Operation` per name.

Each entry says, for its one operation,

* `value`: what it computes, exactly (ints, `Fraction`s, dates, texts), from the checked node
  and its arguments' values; it raises `SemanticError` (a public exception carrying the
  error's code, message and help) where the operation has no value;
* `fails`: whether it can fail on the arguments of a checked node (the compiler's
  short-circuiting of `and`/`or` and its strict evaluation order are decided from it);
* `typing`: how the checker types a call (`Signature` for fixed argument types, or the name
  of one of `typing_rules`' typing rules for the polymorphic ones);
* `detail`: the short note an explanation node carries (a comparison's margin), and
  `call_detail` a builtin call's (the links a walk followed);
* `emit`: what a code generator needs to emit it (`Emit`: an inline template whose holes are
  filled with generated code only — mangled names and `repr` literals, never policy text —
  and/or a function over the fast forms of values, bound in the generated code as a constant).

The reference evaluator, the compiler and the compiled tracer, the checker, the consistency
checks and the syntax highlighter all read `OPERATIONS`/`BUILTINS`: adding a builtin is one
entry here (and its tests; tests/test_semantics.py walks the table and holds every entry to
the same value on every path).

Values come in two forms: the *exact form* of `wuxin_rules.values` (ints and `Fraction`s,
what `value` takes and gives) and the compiled code's *fast form*, where numbers may also be
`Decimal`s, exact in `EXACT_CONTEXT` (what `Emit.fast` takes and gives; `canonical` turns a
fast value into the exact form). A fast function raises `Failure` where the operation has no
value: the document is then evaluated by the reference, which reports the error.

May import `source`, `messages`, `errors`, `schema`, `values`, `model`, `trace`, `sampling`,
`patterns` and `links`.
"""

from __future__ import annotations

import calendar
import datetime
import decimal
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import attrs

from wuxin_rules import links, messages, model, patterns, sampling, zones
from wuxin_rules.errors import Diagnostic, InternalError, Label
from wuxin_rules.messages import english
from wuxin_rules.schema import (
    BOOL,
    DATE,
    DATETIME,
    INT,
    TEXT,
    TIME,
    DateTimeType,
    DateType,
    DurationType,
    IntType,
    ListType,
    NumberType,
    OptionalType,
    TimeType,
    Type,
    strip_optional,
)
from wuxin_rules.trace import display_number
from wuxin_rules.values import SECONDS_PER_DAY, Duration, format_value, integer_text

__all__ = [
    "BUILTINS",
    "COMPONENTS",
    "DATE_COMPONENTS",
    "EXACT_CONTEXT",
    "MAX_KEYS_SHOWN",
    "MAX_POWER_BITS",
    "NONE_HELP",
    "OPERATIONS",
    "ROUNDING_MODES",
    "Emit",
    "Failure",
    "Operation",
    "SemanticError",
    "Signature",
    "canonical",
    "count_detail",
    "duration_amount",
    "number_text",
    "operation_of",
    "round_whole",
    "shift_date",
    "shift_datetime",
    "written",
]

NONE_HELP = english("none-help")


# ------------------------------------------------------------------------------------------
# Failing


class Failure(Exception):
    """The operation has no value for these arguments. Raised bare by the fast forms (the
    reference evaluator then evaluates the document and reports why)."""


class SemanticError(Failure):
    """Why the operation has no value: an error code of `errors.CODES`, the message and the
    help the reference evaluator reports (located at the node), and labels on its parts."""

    def __init__(
        self, code: str, message: str, help_text: str | None, labels: tuple[Label, ...] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.help = help_text
        self.labels = labels


def written(expr: Any) -> str:
    """The policy text of a node, on one line (`?` for a node made by the engine)."""
    span = getattr(expr, "span", None)
    if span is None:
        return "?"
    return " ".join(span.text.split())


# ------------------------------------------------------------------------------------------
# The entries


@attrs.frozen
class Signature:
    """Fixed argument types and result type: the checker wants each argument exactly so."""

    params: tuple[Type, ...]
    result: Type


NumberForm = Literal["int", "same", "widest", "number", "fraction", "any"]
"""What numbers the generated code's value of an operation holds, from its arguments' and its
type: `int` (Python ints, or no number), `same` (as the first argument), `widest` (the widest
of the arguments, or ints when typed `int`), `number` (exact Decimals when every argument is,
ints when typed `int`), `fraction` (may hold a `Fraction`, whatever the type), `any` (may
hold a `Fraction`; ints when typed `int`)."""


@attrs.frozen
class Emit:
    """How generated code computes an operation.

    `template` is a Python expression whose holes (`{0}`, `{1}`, … or `{args}` for every
    argument, comma-separated) the generator fills with the generated code of the arguments;
    it is used when there are at least `template_min_args` arguments and, if `exact_only`,
    only when every argument holds ints or exact Decimals (then `+ - *`, `abs` and negation
    are exact in `EXACT_CONTEXT`). Otherwise `fast(*arguments)` is called, a function over the
    fast forms bound as a constant; an operation with neither calls `value` through a wrapper
    that turns its arguments into the exact form first (and gives up on `none`).
    """

    template: str | None = None
    fast: Callable[..., Any] | None = None
    exact_only: bool = False
    template_min_args: int = 0
    number: NumberForm = "any"
    by_value: Callable[[Any], bool] | None = None
    """A test of the checked node: where it holds (an operator on dates or durations), the
    generated code calls `value`, neither the template nor `fast` (which are for numbers)."""

    def inline(self, args: Sequence[str], exact: bool) -> str | None:
        """The template filled with the arguments' code `args`, or None when it does not
        apply (`exact`: every argument holds ints or exact Decimals)."""
        if self.template is None or len(args) < self.template_min_args:
            return None
        if self.exact_only and not exact:
            return None
        return self.template.format(*args, args=", ".join(args))


def _never(args: Sequence[model.CExpr]) -> bool:
    return False


def _always(args: Sequence[model.CExpr]) -> bool:
    return True


@attrs.frozen
class Operation:
    """One operator or builtin: what it computes, whether it fails, how it is typed, explained
    and compiled. `kind` is `arith`, `negate`, `compare` or `builtin`.

    For builtins, `signature` and `summary` are what the language page and editors show,
    `min_args`/`max_args` the arity, `hints` the types the arguments are expected to have where
    that decides them (`[]`), and a `component` (`year`, …) is reached by field access on a
    date (`d.year`) rather than called. `result_range` bounds an int result whatever the
    arguments (the consistency checks use it). `samples` are argument types, as a policy
    writes them, that the table's own tests draw arguments of (derived from a `Signature`
    when not given).
    """

    name: str
    kind: str
    value: Callable[[Any, list[Any]], Any]
    emit: Emit
    fails: Callable[[Sequence[model.CExpr]], bool] = _never
    failures: tuple[str, ...] = ()
    typing: Signature | str | None = None
    detail: Callable[[Any, Any, Any, bool], str | None] | None = None
    signature: str = ""
    summary: str = ""
    min_args: int = 0
    max_args: int | None = None
    component: bool = False
    field: str = ""
    hints: tuple[Type, ...] = ()
    result_range: tuple[int | None, int | None] | None = None
    samples: tuple[tuple[str, ...], ...] = ()
    call_detail: Callable[[model.BuiltinCall, list[Any], Any], str | None] | None = None

    def can_fail(self, args: Sequence[model.CExpr]) -> bool:
        """Whether a checked node of this operation on `args` may have no value (apart from
        its arguments failing)."""
        return self.fails(args)


# ------------------------------------------------------------------------------------------
# Numbers: the exact form and the fast form

EXACT_CONTEXT = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[
        decimal.InvalidOperation,
        decimal.DivisionByZero,
        decimal.Overflow,
        decimal.Underflow,
        decimal.Inexact,
        decimal.Rounded,
        decimal.Subnormal,
        decimal.Clamped,
    ],
)
"""Unlimited precision: `add`, `subtract`, `multiply`, `abs`, `minus` are exact; any
signal that would mean otherwise raises (and the document goes to the reference). The
compiled code runs with it as the current context."""


def canonical(value: Any) -> Any:
    """A fast-form value in the exact form of `wuxin_rules.values` (no `Decimal`s)."""
    kind = type(value)
    if kind is Decimal:
        numerator, denominator = value.as_integer_ratio()
        return numerator if denominator == 1 else Fraction(numerator, denominator)
    if kind is dict:
        return {key: canonical(item) for key, item in value.items()}
    if kind is tuple:
        return tuple(canonical(item) for item in value)
    return value


def _number(a: Any) -> Fraction | int:
    return Fraction(a) if type(a) is Decimal else a


def fast_add(a: Any, b: Any) -> Any:
    """`a + b` on fast-form numbers (a `Fraction` if either is one, else exact)."""
    if type(a) is Fraction or type(b) is Fraction:
        return _number(a) + _number(b)
    return EXACT_CONTEXT.add(a, b)


def _fast_sub(a: Any, b: Any) -> Any:
    if type(a) is Fraction or type(b) is Fraction:
        return _number(a) - _number(b)
    return EXACT_CONTEXT.subtract(a, b)


def _fast_mul(a: Any, b: Any) -> Any:
    if type(a) is Fraction or type(b) is Fraction:
        return _number(a) * _number(b)
    return EXACT_CONTEXT.multiply(a, b)


def _fast_div(a: Any, b: Any) -> Fraction:
    if b == 0:
        raise Failure
    return Fraction(a) / Fraction(b)


def _fast_neg(a: Any) -> Any:
    return EXACT_CONTEXT.minus(a) if type(a) is Decimal else -a


def _fast_abs(a: Any) -> Any:
    return EXACT_CONTEXT.abs(a) if type(a) is Decimal else abs(a)


def _as_int(expr: Any, result: Any) -> Any:
    if isinstance(result, Fraction) and isinstance(strip_optional(expr.type), IntType):
        return int(result)
    return result


def _divide(expr: model.Arith, values: list[Any]) -> Any:
    left, right = values
    if right == 0:
        raise SemanticError(
            "division-by-zero",
            english("division-by-zero-is", expr=written(expr.right)),
            english("check-divisor", fix=f"if {written(expr.right)} == 0 then … else …"),
            (Label(expr.right.span, english("this-is-zero")),) if _has_span(expr.right) else (),
        )
    return _as_int(expr, Fraction(left) / Fraction(right))


def _divisor_may_be_zero(args: Sequence[model.CExpr]) -> bool:
    right = args[1]
    return not (isinstance(right, model.Const) and right.value != 0)


def _has_span(expr: Any) -> bool:
    return getattr(expr, "span", None) is not None


def _modulo(expr: model.Arith, values: list[Any]) -> Any:
    """`a mod b`: the remainder of flooring division, of `b`'s sign (`-7 mod 3` is 2, `7 mod
    -3` is -2), so that `a == b * floor(a / b) + a mod b`; exact on decimals (`5.5 mod 2` is
    1.5)."""
    left, right = values
    if right == 0:
        raise SemanticError(
            "division-by-zero",
            messages.english("division-by-zero-is", expr=written(expr.right)),
            messages.english("check-divisor", fix=f"if {written(expr.right)} == 0 then … else …"),
            (Label(expr.right.span, english("this-is-zero")),) if _has_span(expr.right) else (),
        )
    if isinstance(left, int) and isinstance(right, int):
        return left % right
    return _as_int(expr, Fraction(left) % Fraction(right))


def _fast_mod(a: Any, b: Any) -> Any:
    if b == 0:
        raise Failure
    if type(a) is int and type(b) is int:
        return a % b
    return Fraction(a) % Fraction(b)


MAX_POWER_BITS = 13_000
"""The largest result `a ** n` computes, in bits of its numerator or denominator (about
3,900 decimal digits, inside the 4,300 digits a number may have when written out): past it
the power is an evaluation error (`power-too-large`) rather than minutes of arithmetic and a
number no rule needs (`10 ** 10**9`)."""


def _power_bits(base: Fraction | int, exponent: int) -> float:
    """About the bits of the numerator or denominator of `base ** exponent`, whichever is
    longer (0 for 0, 1 and -1, whose powers stay small whatever the exponent); a limit, never
    a value, so a float is fine here."""
    base = Fraction(base)
    if base.denominator == 1 and abs(base.numerator) <= 1:
        return 0
    return exponent * math.log2(max(abs(base.numerator), base.denominator))


def _power(expr: model.Arith, values: list[Any]) -> Any:
    """`a ** n` for a whole `n >= 0`, exactly (`0 ** 0` is 1); refused for a negative `n`
    (write `1 / a ** n`) and past `MAX_POWER_BITS`."""
    base, exponent = values
    if exponent < 0:
        raise SemanticError(
            "invalid-argument",
            messages.english(
                "negative-exponent", expr=written(expr), exponent=integer_text(exponent)
            ),
            messages.english("negative-exponent.help"),
        )
    if _power_bits(base, exponent) > MAX_POWER_BITS:
        raise SemanticError(
            "power-too-large",
            messages.english(
                "power-too-large", expr=written(expr), exponent=integer_text(exponent)
            ),
            messages.english("power-too-large.help", bits=f"{MAX_POWER_BITS:,}"),
        )
    if isinstance(base, int):
        return base**exponent
    return _as_int(expr, Fraction(base) ** exponent)


def _fast_power(a: Any, n: Any) -> Any:
    if type(n) is not int or n < 0:
        raise Failure
    base = _number(a)
    if _power_bits(base, n) > MAX_POWER_BITS:
        raise Failure
    return base**n


# ------------------------------------------------------------------------------------------
# Comparisons and their margins


def number_text(value: Fraction | int, percent: bool) -> str:
    """A number for a note; one that does not end (2/3) or is long rounded and marked `≈`."""
    return display_number(value, percent)


def is_percent(type_: Type | None) -> bool:
    """Whether `type_` (perhaps optional) is a percent."""
    inner = strip_optional(type_) if type_ is not None else None
    return isinstance(inner, NumberType) and inner.kind == "percent"


def margin(expr: model.Compare, left: Any, right: Any, held: bool) -> str | None:
    """`short by 0.0155` / `over by 0.0155` / `margin 0.01` for an ordering of numbers or dates."""
    if expr.op in ("==", "!=") or left is None or right is None:
        return None
    amount: str
    if isinstance(left, datetime.datetime) and isinstance(right, datetime.datetime):
        elapsed = abs(
            int((left.astimezone(zones.UTC) - right.astimezone(zones.UTC)).total_seconds())
        )
        amount = duration_amount(Duration(0, elapsed))
    elif isinstance(left, datetime.time) and isinstance(right, datetime.time):
        amount = clock_amount(abs(_clock_seconds(left) - _clock_seconds(right)))
    elif isinstance(left, datetime.date) and isinstance(right, datetime.date):
        distance = abs((left - right).days)
        amount = english("one-day" if distance == 1 else "n-days", count=distance)
    elif isinstance(left, Duration) and isinstance(right, Duration):
        amount = duration_amount(
            Duration(abs(left.months - right.months), abs(left.seconds - right.seconds))
        )
    elif isinstance(left, int | Fraction) and isinstance(right, int | Fraction):
        percent = is_percent(expr.left.type) or is_percent(expr.right.type)
        amount = number_text(abs(Fraction(left) - Fraction(right)), percent)
    else:
        return None
    if held:
        return english("margin", amount=amount)
    if left == right:
        return english("equal-not-greater" if expr.op == ">" else "equal-not-less")
    return (
        english("short-by", amount=amount)
        if expr.op in (">", ">=")
        else english("over-by", amount=amount)
    )


def _ordering(test: Callable[[Any, Any], bool]) -> Callable[[model.Compare, list[Any]], bool]:
    def value(expr: model.Compare, values: list[Any]) -> bool:
        left, right = values
        if type(left) is Duration and type(right) is Duration:
            return test(*_comparable_parts(expr, left, right))
        if type(left) is datetime.datetime and type(right) is datetime.datetime:
            return test(left.astimezone(zones.UTC), right.astimezone(zones.UTC))
        if left is not None and right is not None:
            return test(left, right)
        for operand, item in ((expr.left, left), (expr.right, right)):
            if item is None:
                raise SemanticError(
                    "unexpected-none",
                    english("value-none", expr=written(operand)),
                    NONE_HELP,
                )
        return test(left, right)

    return value


def clock_amount(seconds: int) -> str:
    """A non-negative distance between times of day for a margin: `30 minutes` when it is
    whole minutes, else ISO 8601 (`PT90S`)."""
    if seconds % 60 == 0:
        minutes = seconds // 60
        return english("one-minute" if minutes == 1 else "n-minutes", count=minutes)
    return Duration(0, seconds).iso()


def _clock_seconds(clock: datetime.time) -> int:
    return clock.hour * 3600 + clock.minute * 60 + clock.second


def duration_amount(distance: Duration) -> str:
    """A non-negative duration for a margin: `3 days` when it is whole days, else ISO 8601."""
    if distance.months == 0 and distance.seconds % SECONDS_PER_DAY == 0:
        days = distance.seconds // SECONDS_PER_DAY
        return english("one-day" if days == 1 else "n-days", count=days)
    return distance.iso()


def _comparable_parts(expr: Any, left: Duration, right: Duration) -> tuple[int, int]:
    """The parts of two durations that order them: the seconds when the months are equal,
    the months when the seconds are; otherwise there is no answer (`months(1)` against
    `days(30)` depends on the month) and an evaluation error."""
    if left.months == right.months:
        return left.seconds, right.seconds
    if left.seconds == right.seconds:
        return left.months, right.months
    raise SemanticError(
        "incomparable-durations",
        english("incomparable-durations", expr=written(expr), left=left.iso(), right=right.iso()),
        english("incomparable-durations.help"),
    )


def _durations_may_not_compare(args: Sequence[model.CExpr]) -> bool:
    """An ordering of two durations may have no answer unless both are known to hold only
    months or only seconds."""
    parts = [_duration_part(arg.type) for arg in args]
    if any(part is False for part in parts):
        return False
    return not (parts[0] is not None and parts[0] == parts[1])


def _duration_part(type_: Type | None) -> str | bool | None:
    """A duration's known part (`calendar`, `exact`, None for either); False when `type_`
    is no duration."""
    inner = strip_optional(type_) if type_ is not None else None
    return inner.part if isinstance(inner, DurationType) else False


def _temporal(expr: Any) -> bool:
    """Whether an operator node works on dates or durations (not numbers)."""
    for operand in model.children(expr):
        inner = strip_optional(operand.type) if operand.type is not None else None
        if isinstance(inner, DateType | DurationType | DateTimeType | TimeType):
            return True
    return False


def _has_datetime(expr: Any) -> bool:
    return any(
        isinstance(strip_optional(operand.type), DateTimeType)
        for operand in model.children(expr)
        if operand.type is not None
    )


def _same_instant(test: Callable[[Any, Any], bool]) -> Callable[[model.Compare, list[Any]], bool]:
    """`==`/`!=`: date-times by their instants (two with the same zone but for the fold of a
    repeated hour are different instants, which Python's own `==` would call equal)."""

    def value(expr: model.Compare, values: list[Any]) -> bool:
        left, right = values
        if type(left) is datetime.datetime and type(right) is datetime.datetime:
            return test(left.astimezone(zones.UTC), right.astimezone(zones.UTC))
        return test(left, right)

    return value


def _date_operand(args: Sequence[model.CExpr]) -> bool:
    """`date ± duration` may leave the calendar or move a date by part of a day (`date -
    date` and the arithmetic of numbers and of durations never fail)."""
    kinds = {type(strip_optional(arg.type)) for arg in args if arg.type is not None}
    return kinds in (
        {DateType, DurationType},
        {DateTimeType, DurationType},
        {TimeType, DurationType},
    )


def shift_date(start: datetime.date, by: Duration) -> datetime.date | None:
    """`start + by`: the months first, the day clamped to the month's end (`2024-01-31 +
    months(1)` is `2024-02-29`, as `add_months`), then the whole days; None beyond the
    calendar. `by.seconds` must be whole days."""
    index = start.year * 12 + (start.month - 1) + by.months
    year, month = divmod(index, 12)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        return None
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    try:
        moved: datetime.date = datetime.date(year, month + 1, day) + datetime.timedelta(
            days=by.seconds // SECONDS_PER_DAY
        )
    except OverflowError:
        return None
    return moved


def shift_datetime(start: datetime.datetime, by: Duration) -> datetime.datetime | None:
    """`start + by` on the wall clock of `start`'s zone: the date moved by the months (the day
    clamped, as for dates), then the clock by the seconds; a local time a daylight-saving
    change skips moves forward by the gap, a repeated one is the first of the two. None
    beyond the calendar."""
    day = shift_date(start.date(), Duration(by.months, 0))
    if day is None:
        return None
    try:
        local = datetime.datetime.combine(day, start.time()) + datetime.timedelta(
            seconds=by.seconds
        )
        assert start.tzinfo is not None
        return zones.resolve(local, start.tzinfo)
    except OverflowError:
        return None


def _shift_datetime(expr: model.Arith, start: datetime.datetime, by: Duration) -> Any:
    moved = shift_datetime(start, by)
    if moved is None:
        raise SemanticError(
            "invalid-date",
            english(
                "eval.invalid-date", text=written(expr), reason=english("eval.beyond-the-calendar")
            ),
            english("eval.dates-run-from-0001.help"),
        )
    return moved


def shift_clock(start: datetime.time, by: Duration) -> datetime.time | None:
    """`start + by` on a clock: it wraps past midnight (23:30 + 1 hour is 00:30), so whole
    days leave it where it is; None when `by` has months (no clock moves by them)."""
    if by.months:
        return None
    seconds = (_clock_seconds(start) + by.seconds) % SECONDS_PER_DAY
    return datetime.time(seconds // 3600, seconds // 60 % 60, seconds % 60)


def _shift_clock(expr: model.Arith, start: datetime.time, by: Duration) -> datetime.time:
    moved = shift_clock(start, by)
    if moved is None:
        raise SemanticError(
            "invalid-argument",
            english("clock-by-months", expr=written(expr), duration=by.iso()),
            english("clock-by-months.help"),
        )
    return moved


def _temporal_arith(expr: model.Arith, left: Any, right: Any) -> Any:
    """`+ - *` on dates and durations (the checker allows only the pairs below)."""
    op = expr.op
    if op == "*":
        duration, times = (left, right) if type(left) is Duration else (right, left)
        return Duration(duration.months * times, duration.seconds * times)
    if type(left) is Duration and type(right) is Duration:
        sign = 1 if op == "+" else -1
        return Duration(left.months + sign * right.months, left.seconds + sign * right.seconds)
    if type(left) is datetime.datetime and type(right) is datetime.datetime:
        elapsed = left.astimezone(zones.UTC) - right.astimezone(zones.UTC)
        return Duration(0, elapsed.days * SECONDS_PER_DAY + elapsed.seconds)
    if type(left) is datetime.time and type(right) is datetime.time:  # no wrap: signed
        return Duration(0, _clock_seconds(left) - _clock_seconds(right))
    if type(left) is not Duration and type(right) is not Duration:  # date - date
        return Duration(0, (left - right).days * SECONDS_PER_DAY)
    start, by = (left, right) if type(right) is Duration else (right, left)
    if op == "-":
        by = Duration(-by.months, -by.seconds)
    if type(start) is datetime.datetime:
        return _shift_datetime(expr, start, by)
    if type(start) is datetime.time:
        return _shift_clock(expr, start, by)
    if by.seconds % SECONDS_PER_DAY:
        raise SemanticError(
            "invalid-argument",
            english("part-of-a-day", expr=written(expr), duration=by.iso()),
            english("part-of-a-day.help"),
        )
    moved = shift_date(start, by)
    if moved is None:
        raise SemanticError(
            "invalid-date",
            english(
                "eval.invalid-date", text=written(expr), reason=english("eval.beyond-the-calendar")
            ),
            english("eval.dates-run-from-0001.help"),
        )
    return moved


def count_detail(kind: str, values: Sequence[Any], needed: int | None) -> str:
    """`all 3 hold`, `1 of 3 failed`, `2 of 3 hold, 2 needed`: the note of `and`, `or`,
    `all of [...]`, `any of [...]` and `at least n of [...]` from their operands' values."""
    total = len(values)
    held = sum(1 for value in values if value)
    if kind in ("and", "all"):
        return (
            english("all-hold", total=total)
            if held == total
            else english("k-failed", failed=total - held, total=total)
        )
    if kind in ("or", "any"):
        return (
            english("k-hold", held=held, total=total) if held else english("none-hold", total=total)
        )
    return english("k-hold-needed", held=held, total=total, needed=needed)


# ------------------------------------------------------------------------------------------
# Builtins


def _date_error(expr: model.BuiltinCall, reason: str) -> SemanticError:
    return SemanticError(
        "invalid-date",
        english("eval.invalid-date", text=written(expr), reason=reason),
        english("eval.dates-run-from-0001.help"),
    )


def _min_max(expr: model.BuiltinCall, values: list[Any]) -> Any:
    pick = min if expr.name == "min" else max
    if len(values) == 1 and isinstance(values[0], tuple):
        items = [item for item in values[0] if item is not None]
        if len(items) != len(values[0]):
            raise SemanticError(
                "unexpected-none", english("eval.meets-none-element", text=written(expr)), NONE_HELP
            )
        return pick(items) if items else None
    return pick(values)


def _extreme_fast(pick: Callable[..., Any]) -> Callable[..., Any]:
    def fast(*values: Any) -> Any:
        if len(values) != 1:
            return pick(values)
        (items,) = values
        if items is None or None in items:
            raise Failure
        return pick(items) if items else None

    return fast


def _optional_elements_of_one_list(args: Sequence[model.CExpr]) -> bool:
    if len(args) != 1:
        return False
    inner = strip_optional(args[0].type) if args[0].type is not None else None
    return isinstance(inner, ListType) and isinstance(inner.element, OptionalType)


ROUNDING_MODES: tuple[str, ...] = (
    "half_even",
    "half_up",
    "half_down",
    "up",
    "down",
    "floor",
    "ceiling",
)
"""The modes of `round(n, digits, mode)`, written as words in its third argument: halves to
the even neighbour, away from zero, towards zero; every inexact value away from zero, towards
zero, down, up."""


def round_whole(value: Fraction, mode: str) -> int:
    """`value` rounded to a whole number by `mode` (one of `ROUNDING_MODES`), exactly."""
    low = math.floor(value)
    rest = value - low
    if rest == 0:
        return low
    high = low + 1
    if mode == "floor":
        return low
    if mode == "ceiling":
        return high
    away, toward = (high, low) if value > 0 else (low, high)
    if mode == "up":
        return away
    if mode == "down":
        return toward
    if rest != Fraction(1, 2):
        return low if rest < Fraction(1, 2) else high
    if mode == "half_up":
        return away
    if mode == "half_down":
        return toward
    return low if low % 2 == 0 else high


def _digits_may_be_out_of_range(args: Sequence[model.CExpr]) -> bool:
    """`round` fails only on digits outside -100..100: never on a constant inside."""
    digits = args[1] if len(args) > 1 else None
    return not (
        isinstance(digits, model.Const)
        and type(digits.value) is int
        and -100 <= digits.value <= 100
    )


def _round(expr: model.BuiltinCall, values: list[Any]) -> Any:
    number = Fraction(values[0])
    digits = values[1] if len(values) > 1 else 0
    mode = values[2] if len(values) > 2 else None
    if not -100 <= digits <= 100:
        raise SemanticError(
            "invalid-argument",
            english("eval.rounds-digits", text=written(expr), digits=integer_text(digits)),
            english("eval.round-between-100-and.help"),
        )
    scale = Fraction(10) ** digits
    if mode is not None:
        result = Fraction(round_whole(number * scale, mode)) / scale
    else:
        scaled = abs(number) * scale
        # Half away from zero: 2.5 → 3, -2.5 → -3 (Python's round() goes to even).
        whole = math.floor(scaled + Fraction(1, 2))
        result = Fraction(whole if number >= 0 else -whole) / scale
    if isinstance(strip_optional(expr.type), IntType) or (
        result.denominator == 1 and isinstance(values[0], int)
    ):
        return int(result)
    return result


def _date(expr: model.BuiltinCall, values: list[Any]) -> datetime.date:
    year, month, day = values
    try:
        return datetime.date(year, month, day)
    except (ValueError, OverflowError):
        raise _date_error(
            # (`integer_text`: a number computed from facts may have more than 4300 digits.)
            expr,
            english(
                "eval.not-a-valid-date",
                year=integer_text(year),
                month=integer_text(month),
                day=integer_text(day),
            ),
        ) from None


def _add_days(expr: model.BuiltinCall, values: list[Any]) -> datetime.date:
    start, days = values
    try:
        moved: datetime.date = start + datetime.timedelta(days=days)
        return moved
    except OverflowError:
        raise _date_error(expr, english("eval.beyond-the-calendar")) from None


def _add_months(expr: model.BuiltinCall, values: list[Any]) -> datetime.date:
    start, months = values
    moved = shift_date(start, Duration(months, 0))
    if moved is None:
        raise _date_error(expr, english("eval.beyond-the-calendar"))
    return moved


# ------------------------------------------------------------------------------------------
# Durations


def _duration_builtin(name: str, months: int, seconds: int, summary: str) -> Operation:
    """`days(n)`, `months(n)`, …: `n` of a unit, a duration of one part."""

    def make(n: int) -> Duration:
        return Duration(n * months, n * seconds)

    part = "calendar" if months else "exact"
    return Operation(
        name,
        "builtin",
        lambda expr, v: make(v[0]),
        Emit(fast=make, number="int"),
        typing=Signature((INT,), DurationType(part)),
        signature=f"{name}(n: int) -> duration",
        summary=summary,
        min_args=1,
        max_args=1,
        hints=(INT,),
    )


def _whole(name: str, unit: str, size: int) -> Operation:
    """`whole_days(d)`, …: the exact part of `d` in whole units (toward zero); the calendar
    part must be zero (a month has no fixed number of days)."""

    def value(expr: model.BuiltinCall, values: list[Any]) -> int:
        duration: Duration = values[0]
        if duration.months:
            raise SemanticError(
                "invalid-argument",
                english(
                    "whole-of-months",
                    expr=written(expr),
                    duration=duration.iso(),
                    unit=messages.term(unit),
                ),
                english("whole-of-months.help"),
            )
        whole = abs(duration.seconds) // size
        return whole if duration.seconds >= 0 else -whole

    return Operation(
        name,
        "builtin",
        value,
        Emit(number="int"),
        fails=lambda args: _duration_part(args[0].type) != "exact",
        failures=("invalid-argument",),
        typing=Signature((DurationType(),), INT),
        signature=f"{name}(d: duration) -> int",
        summary=f"the {unit} of `d`, whole ones (toward zero); an evaluation error when `d` "
        "has months",
        min_args=1,
        max_args=1,
    )


def _whole_months(expr: model.BuiltinCall, values: list[Any]) -> int:
    duration = values[0]
    if duration.seconds:
        raise SemanticError(
            "invalid-argument",
            english("whole-months-of-seconds", expr=written(expr), duration=duration.iso()),
            english("whole-months-of-seconds.help"),
        )
    return int(duration.months)


def _in_zone(expr: model.BuiltinCall, values: list[Any]) -> datetime.datetime:
    moment, name = values
    try:
        return moment.astimezone(zones.zone(name))  # type: ignore[no-any-return]
    except OverflowError:  # the first or last hours of the calendar, on another clock
        raise SemanticError(
            "invalid-date",
            english(
                "eval.invalid-date", text=written(expr), reason=english("eval.beyond-the-calendar")
            ),
            english("eval.dates-run-from-0001.help"),
        ) from None


_DATETIME_BUILTINS: tuple[Operation, ...] = (
    Operation(
        "in_zone",
        "builtin",
        _in_zone,
        Emit(),
        fails=_always,
        failures=("invalid-date",),
        typing="in_zone",
        signature='in_zone(t: datetime, "Zone/Name") -> datetime',
        summary="the same instant on the clock of the named IANA zone (a text constant the "
        "checker looks up)",
        min_args=2,
        max_args=2,
        samples=(("datetime", '"Europe/Paris"'), ("datetime", '"Asia/Shanghai"')),
    ),
)


_DURATION_BUILTINS: tuple[Operation, ...] = (
    _duration_builtin("years", 12, 0, "`n` years: 12 × `n` months"),
    _duration_builtin("months", 1, 0, "`n` months (a date moves by them to the same day, "
                      "clamped to the month's end)"),
    _duration_builtin("weeks", 0, 7 * SECONDS_PER_DAY, "`n` weeks: 7 × `n` days"),
    _duration_builtin("days", 0, SECONDS_PER_DAY, "`n` days"),
    _duration_builtin("hours", 0, 3600, "`n` hours"),
    _duration_builtin("minutes", 0, 60, "`n` minutes"),
    _duration_builtin("seconds", 0, 1, "`n` seconds"),
    _whole("whole_days", "days", SECONDS_PER_DAY),
    _whole("whole_hours", "hours", 3600),
    _whole("whole_minutes", "minutes", 60),
    Operation(
        "whole_months",
        "builtin",
        _whole_months,
        Emit(number="int"),
        fails=lambda args: _duration_part(args[0].type) != "calendar",
        failures=("invalid-argument",),
        typing=Signature((DurationType(),), INT),
        signature="whole_months(d: duration) -> int",
        summary="the months of `d` (a year is 12); an evaluation error when `d` has days or "
        "seconds",
        min_args=1,
        max_args=1,
    ),
)  # fmt: skip


def _quarter_last_month(expr: model.BuiltinCall, values: list[Any]) -> int:
    quarter = values[0]
    if quarter not in (1, 2, 3, 4):
        raise SemanticError(
            "invalid-quarter",
            english("eval.needs-quarter-from-1", text=written(expr), quarter=integer_text(quarter)),
            english("eval.quarters-are-numbered-1.help"),
        )
    return 3 * int(quarter)


def _to_text(expr: model.BuiltinCall, values: list[Any]) -> str:
    """`text(x)`: a text as it is, an enum member by name, a number exactly (`50%` for a
    percent, `1/3` when its decimals do not end), a date as `2015-03-31`; lists and records
    as explanations write them."""
    value = values[0]
    if isinstance(value, str):
        return value
    return format_value(value, expr.args[0].type)


def _label(expr: model.BuiltinCall, values: list[Any]) -> str:
    enum = strip_optional(expr.args[0].type)
    member = enum.member(values[0]) if hasattr(enum, "member") else None
    if member is None:
        raise InternalError(
            Diagnostic(
                "internal-error",
                english("eval.internal-error-evaluator-label", values=values[0]),
                help=english("compiler.this-bug-wuxin-rules.help"),
            )
        )
    return member.label if member.label is not None else member.name


def _sample(expr: model.BuiltinCall, values: list[Any]) -> tuple[Any, ...]:
    keys, rate, seed = values
    if not 0 <= rate <= 1:
        rate_text = number_text(rate, is_percent(expr.args[1].type))
        raise SemanticError(
            "invalid-sample-rate",
            english(
                "eval.sampling-rate-outside-0", text=written(expr.args[1]), rate_text=rate_text
            ),
            english("eval.give-share-keys-draw.help"),
        )
    try:
        return sampling.draw(keys, rate, seed).chosen
    except sampling.SampleError as error:
        raise SemanticError(
            error.code,
            english("cannot-draw", keys=written(expr.args[0]), reason=error.message),
            error.help,
        ) from None


def _sample_fast(keys: Any, rate: Any, seed: Any) -> Any:
    if keys is None or rate is None or seed is None:
        raise Failure
    rate = canonical(rate)
    if not 0 <= rate <= 1:
        raise Failure
    try:
        return sampling.draw(canonical(keys), rate, seed).chosen
    except sampling.SampleError:
        raise Failure from None


def _substring(expr: model.BuiltinCall, values: list[Any]) -> str:
    """`substring(t, start, end)`: the code points of `t` from index `start` (the first is 0)
    up to, not including, `end`; an error unless `0 <= start <= end <= length(t)`."""
    text, start, end = values
    if not 0 <= start <= end <= len(text):
        raise SemanticError(
            "index-out-of-range",
            messages.english(
                "substring-out-of-range",
                expr=written(expr),
                start=integer_text(start),
                end=integer_text(end),
                length=len(text),
            ),
            messages.english("substring-out-of-range.help"),
        )
    return str(text[start:end])


def _split(text: str, separator: str) -> tuple[str, ...]:
    """`split(t, sep)`: the pieces of `t` between the `sep`s (`split("a,,b", ",")` is
    `["a", "", "b"]`); an empty separator splits into code points, an empty text gives
    `[""]`."""
    if separator == "":
        return tuple(text)
    return tuple(text.split(separator))


def _matches(expr: model.BuiltinCall, values: list[Any]) -> bool:
    text, source = values
    try:
        pattern = patterns.compile_pattern(source)
    except patterns.PatternError as error:
        raise SemanticError(
            "invalid-pattern",
            messages.english(
                "invalid-pattern",
                expr=written(expr.args[1]),
                reason=error.reason,
                position=error.position,
            ),
            messages.english("invalid-pattern.help"),
        ) from None
    return pattern.fullmatch(text)


def _matches_fast(text: str, source: str) -> bool:
    try:
        return patterns.compile_pattern(source).fullmatch(text)
    except patterns.PatternError:
        raise Failure from None


def _pattern_may_be_refused(args: Sequence[model.CExpr]) -> bool:
    """A constant pattern of the subset cannot fail; any other may."""
    pattern = args[1] if len(args) > 1 else None
    if not isinstance(pattern, model.Const) or not isinstance(pattern.value, str):
        return True
    try:
        patterns.compile_pattern(pattern.value)
    except patterns.PatternError:
        return True
    return False


def _text_builtin(
    name: str,
    params: tuple[Type, ...],
    result: Type,
    value: Callable[..., Any],
    template: str | None,
    summary: str,
    signature: str,
) -> Operation:
    """A total text builtin with fixed argument types: `value` over the arguments' values,
    `template` the inline code (None: the compiler calls `value`)."""
    return Operation(
        name,
        "builtin",
        lambda expr, v: value(*v),
        Emit(template=template, number="int"),
        typing=Signature(params, result),
        signature=signature,
        summary=summary,
        min_args=len(params),
        max_args=len(params),
        hints=params,
        result_range=(0, None) if name == "length" else None,
    )


_TEXT_BUILTINS: tuple[Operation, ...] = (
    _text_builtin(
        "contains",
        (TEXT, TEXT),
        BOOL,
        lambda text, part: part in text,
        "({1} in {0})",
        'whether `part` occurs in `t` (every text contains `""`)',
        "contains(t: text, part: text) -> bool",
    ),
    _text_builtin(
        "starts_with",
        (TEXT, TEXT),
        BOOL,
        lambda text, prefix: text.startswith(prefix),
        "{0}.startswith({1})",
        "whether `t` begins with `prefix`",
        "starts_with(t: text, prefix: text) -> bool",
    ),
    _text_builtin(
        "ends_with",
        (TEXT, TEXT),
        BOOL,
        lambda text, suffix: text.endswith(suffix),
        "{0}.endswith({1})",
        "whether `t` ends with `suffix`",
        "ends_with(t: text, suffix: text) -> bool",
    ),
    _text_builtin(
        "upper",
        (TEXT,),
        TEXT,
        lambda text: text.upper(),
        "{0}.upper()",
        '`t` in capitals, by Unicode\'s rules (`upper("straße")` is `"STRASSE"`)',
        "upper(t: text) -> text",
    ),
    _text_builtin(
        "lower",
        (TEXT,),
        TEXT,
        lambda text: text.lower(),
        "{0}.lower()",
        "`t` in small letters, by Unicode's rules",
        "lower(t: text) -> text",
    ),
    _text_builtin(
        "length",
        (TEXT,),
        INT,
        len,
        "len({0})",
        'the number of code points of `t` (`length("家庭")` is 2, an accent written as a '
        "separate mark counts as one more)",
        "length(t: text) -> int",
    ),
    _text_builtin(
        "trim",
        (TEXT,),
        TEXT,
        lambda text: text.strip(),
        "{0}.strip()",
        "`t` without the blanks (Unicode white space, the full-width space too) at its ends",
        "trim(t: text) -> text",
    ),
    _text_builtin(
        "split",
        (TEXT, TEXT),
        ListType(TEXT),
        _split,
        None,
        'the pieces of `t` between the `sep`s, in order (`split("a,,b", ",")` is '
        '`["a", "", "b"]`; an empty `sep` gives the code points)',
        "split(t: text, sep: text) -> list of text",
    ),
    Operation(
        "matches",
        "builtin",
        _matches,
        Emit(fast=_matches_fast, number="int"),
        fails=_pattern_may_be_refused,
        failures=("invalid-pattern",),
        typing=Signature((TEXT, TEXT), BOOL),
        signature="matches(t: text, pattern: text) -> bool",
        summary="whether the whole of `t` matches `pattern`, a regular expression of a "
        "bounded subset matched in time linear in `t` (safe on patterns from facts)",
        min_args=2,
        max_args=2,
        hints=(TEXT, TEXT),
    ),
    Operation(
        "substring",
        "builtin",
        _substring,
        Emit(),
        fails=_always,
        failures=("index-out-of-range",),
        typing=Signature((TEXT, INT, INT), TEXT),
        signature="substring(t: text, start: int, end: int) -> text",
        summary="the code points of `t` from index `start` (the first is 0) up to, not "
        "including, `end`; an evaluation error unless `0 <= start <= end <= length(t)`",
        min_args=3,
        max_args=3,
        hints=(TEXT, INT, INT),
    ),
)


# ------------------------------------------------------------------------------------------
# Taking from lists


def _empty_list(expr: model.BuiltinCall) -> SemanticError:
    return SemanticError(
        "no-element",
        messages.english("no-element", expr=written(expr)),
        messages.english("no-element.help", items=written(expr.args[0])),
    )


def _first(expr: model.BuiltinCall, values: list[Any]) -> Any:
    if not values[0]:
        raise _empty_list(expr)
    return values[0][0 if expr.name == "first" else -1]


def _nth(expr: model.BuiltinCall, values: list[Any]) -> Any:
    """`nth(xs, n)`: the `n`-th element, counting from 1 (`nth(xs, 1)` is `first(xs)`)."""
    items, n = values
    if not 1 <= n <= len(items):
        raise SemanticError(
            "index-out-of-range",
            messages.english(
                "nth-out-of-range", expr=written(expr), n=integer_text(n), length=len(items)
            ),
            messages.english("nth-out-of-range.help", items=written(expr.args[0])),
        )
    return items[n - 1]


def _distinct(items: tuple[Any, ...]) -> tuple[Any, ...]:
    """The elements in order, each kept the first time it occurs (records compare by value)."""
    kept: list[Any] = []
    seen: set[Any] = set()
    for item in items:
        if isinstance(item, dict | tuple):
            if item not in kept:
                kept.append(item)
        elif item not in seen:
            seen.add(item)
            kept.append(item)
    return tuple(kept)


def _field_key(expr: model.BuiltinCall) -> Callable[[Any], Any]:
    key = expr.args[1]
    field = key.value if isinstance(key, model.Const) else None
    return lambda record: record[field]


def _sort_by(expr: model.BuiltinCall, values: list[Any]) -> tuple[Any, ...]:
    return tuple(sorted(values[0], key=_field_key(expr)))


def _extreme_by(expr: model.BuiltinCall, values: list[Any]) -> Any:
    """`min_by`/`max_by`: the first element with the least/greatest value of the field."""
    items = values[0]
    if not items:
        raise _empty_list(expr)
    key = _field_key(expr)
    best = items[0]
    for item in items[1:]:
        if (key(item) < key(best)) if expr.name == "min_by" else (key(item) > key(best)):
            best = item
    return best


def _list_builtin(
    name: str,
    value: Callable[[Any, list[Any]], Any],
    typing: str,
    signature: str,
    summary: str,
    samples: tuple[tuple[str, ...], ...],
    failures: tuple[str, ...] = (),
    args: int = 1,
) -> Operation:
    """A list builtin: the compiler calls its exact `value` (lists are small, and sorting
    or comparing the exact form keeps every path the same)."""
    return Operation(
        name,
        "builtin",
        value,
        Emit(),
        fails=_always if failures else _never,
        failures=failures,
        typing=typing,
        signature=signature,
        summary=summary,
        min_args=args,
        max_args=args,
        samples=samples,
    )


_LISTS = (("list of int",), ("list of text",), ("list of decimal",))
_RECORD_FIELDS = (("list of Pair", '"k"'), ("list of Pair", '"v"'))

_LIST_BUILTINS: tuple[Operation, ...] = (
    _list_builtin(
        "first", _first, "element", "first(xs: list of T) -> T",
        "the first element of `xs`; an evaluation error on an empty list",
        _LISTS, ("no-element",),
    ),
    _list_builtin(
        "last", _first, "element", "last(xs: list of T) -> T",
        "the last element of `xs`; an evaluation error on an empty list",
        _LISTS, ("no-element",),
    ),
    _list_builtin(
        "nth", _nth, "nth", "nth(xs: list of T, n: int) -> T",
        "the `n`-th element of `xs`, counting from 1; an evaluation error unless "
        "`1 <= n <= len(xs)`",
        (("list of int", "int"), ("list of text", "int")), ("index-out-of-range",), args=2,
    ),
    _list_builtin(
        "reverse", lambda expr, v: tuple(reversed(v[0])), "same_list",
        "reverse(xs: list of T) -> list of T", "the elements of `xs`, last first",
        (*_LISTS, ("list of Pair",)),
    ),
    _list_builtin(
        "distinct", lambda expr, v: _distinct(v[0]), "same_list",
        "distinct(xs: list of T) -> list of T",
        "the elements of `xs` in order, each kept where it first occurs",
        (*_LISTS, ("list of Pair",)),
    ),
    _list_builtin(
        "sort", lambda expr, v: tuple(sorted(v[0])), "sortable_list",
        "sort(xs: list of T) -> list of T",
        "the numbers, texts or dates of `xs` from the least, equal ones kept in their order",
        (*_LISTS, ("list of date",)),
    ),
    _list_builtin(
        "sort_by", _sort_by, "by_field_list",
        'sort_by(xs: list of R, "field") -> list of R',
        "the records of `xs` from the least value of the named field, records with equal "
        "values kept in their order (stable)",
        _RECORD_FIELDS, args=2,
    ),
    *(
        _list_builtin(
            name, _extreme_by, "by_field_element",
            f'{name}(xs: list of R, "field") -> R',
            f"the first record of `xs` with the {word} value of the named field; an "
            "evaluation error on an empty list",
            _RECORD_FIELDS, ("no-element",), args=2,
        )
        for name, word in (("min_by", "least"), ("max_by", "greatest"))
    ),
)  # fmt: skip


# ------------------------------------------------------------------------------------------
# Following links: `ancestors` and `reachable`

MAX_KEYS_SHOWN = 12
"""A message or an explanation names at most this many keys of a walk (the first and the
last ones, and how many were left out between them), however long the chain."""


def _keys_text(expr: model.BuiltinCall, keys: Sequence[Any], joiner: str) -> str:
    key_type = expr.args[1].type
    shown = [format_value(key, key_type) for key in keys]
    if len(shown) <= MAX_KEYS_SHOWN:
        return joiner.join(shown)
    head, tail = MAX_KEYS_SHOWN // 2, MAX_KEYS_SHOWN // 2 - 1
    # A phrase, so that "… 89 more …" is said in the reader's language.
    return english(
        "link-keys-cut",
        head=joiner.join(shown[:head]),
        joiner=joiner,
        count=len(shown) - head - tail,
        tail=joiner.join(shown[-tail:]),
    )


def _link_fields(expr: model.BuiltinCall) -> tuple[str, str]:
    key, link = expr.args[2], expr.args[3]
    if not (isinstance(key, model.Const) and isinstance(link, model.Const)):
        raise InternalError(
            Diagnostic(
                "internal-error",
                english("eval.link-fields-not-constant", name=expr.name),
                help=english("compiler.this-bug-wuxin-rules.help"),
            )
        )
    return key.value, link.value


def _link_error(expr: model.BuiltinCall, error: links.LinkError) -> SemanticError:
    key_type = expr.args[1].type
    items = written(expr.args[0])
    if error.problem == "duplicate":
        key = format_value(error.keys[0], key_type)
        return SemanticError(
            "duplicate-link-key",
            english("link-duplicate", expr=written(expr), items=items, key=key),
            english("link-duplicate.help"),
        )
    if error.problem == "dangling":
        key = format_value(error.keys[0], key_type)
        if error.source is None:
            message = english("link-dangling-start", expr=written(expr), key=key, items=items)
        else:
            source = format_value(error.source, key_type)
            message = english(
                "link-dangling", expr=written(expr), source=source, key=key, items=items
            )
        return SemanticError("dangling-link", message, english("link-dangling.help"))
    return SemanticError(
        "cycle",
        english("link-cycle", expr=written(expr), keys=_keys_text(expr, error.keys, " → ")),
        english("link-cycle.help"),
    )


def _follow(expr: model.BuiltinCall, values: list[Any]) -> tuple[Any, ...]:
    """`ancestors`/`reachable`: the records reached from the start key (see `links`)."""
    items, start = values[0], values[1]
    key, link = _link_fields(expr)
    walk = links.chain if expr.name == "ancestors" else links.reach
    try:
        return walk(links.index(items, key), start, key, link)
    except links.LinkError as error:
        raise _link_error(expr, error) from None


def _follow_detail(expr: model.BuiltinCall, values: list[Any], result: Any) -> str:
    """The keys a walk reached, in order (at most `MAX_KEYS_SHOWN` of them)."""
    start = values[1]
    key, _ = _link_fields(expr)
    reached = [record[key] for record in result]
    if expr.name == "ancestors":
        return english("ancestors.detail", keys=_keys_text(expr, [start, *reached], " → "))
    start_text = format_value(start, expr.args[1].type)
    if not reached:
        return english("reachable.none", start=start_text)
    return english(
        "reachable.detail",
        start=start_text,
        keys=_keys_text(expr, reached, ", "),
        count=len(reached),
    )


_LINK_FAILURES = ("dangling-link", "cycle", "duplicate-link-key")
_LINK_BUILTINS: tuple[Operation, ...] = (
    Operation(
        "ancestors",
        "builtin",
        _follow,
        Emit(),
        fails=_always,
        failures=_LINK_FAILURES,
        typing="ancestors",
        signature='ancestors(xs: list of R, start: K, "key", "link") -> list of R',
        summary="the records of `xs` reached from the one whose `key` is `start` by following "
        "its `link` (a key, or `none` at the root): the nearest first, up to the root, without "
        "the start; an evaluation error on a cycle, a link to a key no record has, or a key "
        "held twice",
        min_args=4,
        max_args=4,
        samples=(("list of Node", "int 0 .. 4", '"k"', '"up"'),),
        call_detail=_follow_detail,
    ),
    Operation(
        "reachable",
        "builtin",
        _follow,
        Emit(),
        fails=_always,
        failures=_LINK_FAILURES,
        typing="reachable",
        signature='reachable(xs: list of R, start: K, "key", "links") -> list of R',
        summary="the records of `xs` reached from the one whose `key` is `start` through its "
        "`links` (a list of keys) and theirs, depth first in the order listed, each once, "
        "without the start; an evaluation error on a cycle, a link to a key no record has, or "
        "a key held twice",
        min_args=4,
        max_args=4,
        samples=(("list of Node", "int 0 .. 4", '"k"', '"next"'),),
        call_detail=_follow_detail,
    ),
)


# ------------------------------------------------------------------------------------------
# Declared failures


def _fail(expr: model.BuiltinCall, values: list[Any]) -> Any:
    """`fail(message)`: no value, by the policy's own word. The lowering of exceptions
    (`defaults`) writes its conflicts as `fail` of a message it made (a `messages.Message`,
    which no policy text can give): that one is an `exception-conflict`, in the reader's
    language."""
    message = values[0]
    if isinstance(message, messages.Message) and message.key == "exception-conflict":
        raise SemanticError(
            "exception-conflict", message, messages.english("exception-conflict.help")
        )
    raise SemanticError(
        "assertion-failed",
        messages.english("assertion-failed", message=message),
        messages.english("assertion-failed.help", expr=written(expr)),
    )


_FAILURE_BUILTINS: tuple[Operation, ...] = (
    Operation(
        "fail",
        "builtin",
        _fail,
        Emit(),
        fails=_always,
        failures=("assertion-failed", "exception-conflict"),
        typing="context",
        signature='fail("message") -> T',
        summary="no value: an evaluation error with the policy's `message`; of the type its "
        'place expects (`if n <= 12 then n else fail("at most 12 months")`)',
        min_args=1,
        max_args=1,
        hints=(TEXT,),
        samples=(('"at most 12 months"',), ('"超过上限"',)),
    ),
)


def _rounding(rounding: Callable[[Any], int]) -> Callable[[Any, list[Any]], int]:
    return lambda expr, values: rounding(values[0])


def _clock_part(field: str, result: Type, summary: str) -> Operation:
    """`t.time`, `t.date`: a part of a date-time that is a value of its own type (the
    datetime's method of that name)."""
    return Operation(
        f"{field}_part",
        "builtin",
        lambda expr, v: getattr(v[0], field)(),
        Emit(template=f"{{0}}.{field}()", number="int"),
        typing=Signature((DATETIME,), result),
        signature=f"t.{field} -> {field}",  # (each part is a value of the type it names)
        summary=summary,
        min_args=1,
        max_args=1,
        component=True,
        field=field,
        samples=(("datetime",),),
    )


def _component(
    name: str,
    summary: str,
    value: Callable[[Any], int],
    template: str,
    on: tuple[str, ...] = ("date", "datetime"),
) -> Operation:
    """A component reached as a field (`d.year`) of the types `on` (as a policy writes them)."""
    return Operation(
        name,
        "builtin",
        lambda expr, v: value(v[0]),
        Emit(template=template, number="int"),
        typing="component",
        signature=f"d.{name} -> int",
        summary=summary,
        min_args=1,
        max_args=1,
        component=True,
        result_range={
            "month": (1, 12),
            "day": (1, 31),
            "quarter": (1, 4),
            "hour": (0, 23),
            "minute": (0, 59),
            "second": (0, 59),
        }.get(name),
        samples=tuple((type_,) for type_ in on),
    )


_NUMBERS = (("int",), ("decimal",), ("percent",))

_BUILTIN_LIST: tuple[Operation, ...] = (
    Operation(
        "abs",
        "builtin",
        lambda expr, v: abs(v[0]),
        Emit(template="abs({0})", fast=_fast_abs, exact_only=True, number="same"),
        typing="abs",
        signature="abs(n: number) -> number",
        summary="the magnitude of `n`, of `n`'s type",
        min_args=1,
        max_args=1,
        samples=_NUMBERS,
    ),
    *(
        Operation(
            name,
            "builtin",
            _min_max,
            Emit(
                template=name + "({args})",
                fast=_extreme_fast(pick),
                template_min_args=2,
                number="widest",
            ),
            fails=_optional_elements_of_one_list,
            failures=("unexpected-none",),
            typing="extreme",
            signature=f"{name}(a, b, …) -> number, date, datetime or time",
            summary=f"the {'least' if name == 'min' else 'greatest'} of its arguments",
            min_args=2,
            max_args=None,
            samples=(
                ("int", "int"),
                ("decimal", "int", "percent"),
                ("date", "date"),
                ("datetime", "datetime"),
                ("time", "time"),
            ),
        )
        for name, pick in (("min", min), ("max", max))
    ),
    *(
        Operation(
            name,
            "builtin",
            _rounding(rounding),
            Emit(fast=rounding, number="int"),
            typing="rounding",
            signature=f"{name}(n: number) -> int",
            summary=summary,
            min_args=1,
            max_args=1,
            samples=_NUMBERS,
        )
        for name, rounding, summary in (
            ("floor", math.floor, "the greatest whole number <= `n`"),
            ("ceil", math.ceil, "the least whole number >= `n`"),
        )
    ),
    Operation(
        "round",
        "builtin",
        _round,
        Emit(),
        fails=_digits_may_be_out_of_range,
        failures=("invalid-argument",),
        typing="round",
        signature="round(n: number, digits: int, mode) -> number",
        summary="`n` rounded to `digits` decimals by `mode` (half_even, half_up, half_down, "
        "up, down, floor, ceiling; without one, halves away from zero): of scale `digits`",
        min_args=2,
        max_args=3,
        samples=(
            ("decimal", "int"),
            ("int", "int"),
            ("percent", "int"),
            ("money", "int", "=half_even"),
            ("decimal", "int", "=half_down"),
            ("decimal", "2", "=up"),
            ("money", "1", "=floor"),
        ),
    ),
    Operation(
        "len",
        "builtin",
        lambda expr, v: len(v[0]),
        Emit(template="len({0})", number="int"),
        typing="len",
        signature="len(l: list of T) -> int",
        summary="the number of elements of a list",
        min_args=1,
        max_args=1,
        result_range=(0, None),
        samples=(("list of int",), ("list of text",)),
    ),
    Operation(
        "date",
        "builtin",
        _date,
        Emit(),
        fails=_always,
        failures=("invalid-date",),
        typing=Signature((INT, INT, INT), DATE),
        signature="date(y: int, m: int, d: int) -> date",
        summary="the date y-m-d",
        min_args=3,
        max_args=3,
    ),
    Operation(
        "days_between",
        "builtin",
        lambda expr, v: (v[1] - v[0]).days,
        Emit(template="({1} - {0}).days", number="int"),
        typing=Signature((DATE, DATE), INT),
        signature="days_between(a: date, b: date) -> int",
        summary="`b - a` in days",
        min_args=2,
        max_args=2,
    ),
    Operation(
        "add_days",
        "builtin",
        _add_days,
        Emit(),
        fails=_always,
        failures=("invalid-date",),
        typing=Signature((DATE, INT), DATE),
        signature="add_days(d: date, n: int) -> date",
        summary="`n` days after `d`",
        min_args=2,
        max_args=2,
    ),
    Operation(
        "add_months",
        "builtin",
        _add_months,
        Emit(),
        fails=_always,
        failures=("invalid-date",),
        typing=Signature((DATE, INT), DATE),
        signature="add_months(d: date, n: int) -> date",
        summary="`n` months after `d`, the day clamped to the month's end",
        min_args=2,
        max_args=2,
    ),
    Operation(
        "quarter_last_month",
        "builtin",
        _quarter_last_month,
        Emit(),
        fails=_always,
        failures=("invalid-quarter",),
        typing=Signature((INT,), INT),
        signature="quarter_last_month(q: int) -> int",
        summary="the last month of quarter `q` (3, 6, 9 or 12)",
        min_args=1,
        max_args=1,
        result_range=(3, 12),
    ),
    Operation(
        "text",
        "builtin",
        _to_text,
        Emit(),
        typing="text",
        signature="text(x) -> text",
        summary="`x` written as text: numbers exact, percents as `50%`, dates as `2015-03-31`, "
        "enum members by name",
        min_args=1,
        max_args=1,
        samples=(("int",), ("decimal",), ("percent",), ("money",), ("date",), ("text",), ("bool",)),
    ),
    Operation(
        "label",
        "builtin",
        _label,
        Emit(),
        # Never on a checked policy (the argument is a member of its enum); counted as
        # fallible so that its internal error stays the reference evaluator's to report.
        fails=_always,
        typing="label",
        signature="label(m: enum member) -> text",
        summary="the label of an enum member (its name when it has no label)",
        min_args=1,
        max_args=1,
        samples=(("Colour",),),
    ),
    Operation(
        "join",
        "builtin",
        lambda expr, v: v[1].join(v[0]),
        Emit(),
        typing=Signature((ListType(TEXT), TEXT), TEXT),
        signature="join(xs: list of text, sep: text) -> text",
        summary="the texts of `xs` in order, with `sep` between them",
        min_args=2,
        max_args=2,
        hints=(ListType(TEXT), TEXT),
    ),
    Operation(
        "sample",
        "builtin",
        _sample,
        Emit(fast=_sample_fast),
        fails=_always,
        failures=("invalid-sample-rate", "duplicate-sample-key", "invalid-argument"),
        typing="sample",
        signature="sample(keys: list of text, rate: number, seed: text) -> list of text",
        summary="`ceil(rate × n)` of the `n` keys, drawn reproducibly from `seed` (keys and seed "
        "may be `int`s too)",
        min_args=3,
        max_args=3,
        samples=(("list of text", "percent", "text"), ("list of int", "decimal", "int")),
    ),
    *_TEXT_BUILTINS,
    *_LIST_BUILTINS,
    *_LINK_BUILTINS,
    *_FAILURE_BUILTINS,
    *_DURATION_BUILTINS,
    *_DATETIME_BUILTINS,
    _component("year", "the year of a date", lambda d: d.year, "{0}.year"),
    _component("month", "the month of a date (1-12)", lambda d: d.month, "{0}.month"),
    _component("day", "the day of the month of a date", lambda d: d.day, "{0}.day"),
    _component(
        "quarter",
        "the quarter of a date (1-4)",
        lambda d: (d.month - 1) // 3 + 1,
        "(({0}.month - 1) // 3 + 1)",
    ),
    _component(
        "hour", "the hour of a date-time on its clock, or of a time of day (0-23)",
        lambda t: t.hour, "{0}.hour", on=("datetime", "time"),
    ),
    _component(
        "minute", "the minute of a date-time on its clock, or of a time of day (0-59)",
        lambda t: t.minute, "{0}.minute", on=("datetime", "time"),
    ),
    _component(
        "second", "the second of a date-time on its clock, or of a time of day (0-59)",
        lambda t: t.second, "{0}.second", on=("datetime", "time"),
    ),
    _clock_part("time", TIME, "the time of day of a date-time on its clock (its zone left behind)"),
    _clock_part("date", DATE, "the date of a date-time on its clock"),
)  # fmt: skip

BUILTINS: Mapping[str, Operation] = {entry.name: entry for entry in _BUILTIN_LIST}
"""The builtin functions, by name."""

DATE_COMPONENTS = tuple(entry.field or name for name, entry in BUILTINS.items() if entry.component)
"""The fields of dates and date-times (`d.year`, `t.hour`, `t.date`)."""

COMPONENTS: Mapping[str, Operation] = {
    entry.field or name: entry for name, entry in BUILTINS.items() if entry.component
}
"""The component entries by the field that reaches them (`date` → `date_part`)."""


# ------------------------------------------------------------------------------------------
# Operators


_NUMBER_PAIRS = (("int", "int"), ("decimal", "int"), ("percent", "decimal"))


_TEMPORAL_VALUES = (datetime.date, Duration, datetime.time)


def _arith(name: str, exact: Callable[[Any, Any], Any], fast: Callable[..., Any]) -> Operation:
    def value(expr: model.Arith, values: list[Any]) -> Any:
        left, right = values
        if isinstance(left, _TEMPORAL_VALUES) or isinstance(right, _TEMPORAL_VALUES):
            return _temporal_arith(expr, left, right)
        return _as_int(expr, exact(left, right))

    return Operation(
        name,
        "arith",
        value,
        Emit(
            template=f"({{0}} {name} {{1}})",
            fast=fast,
            exact_only=True,
            number="number",
            by_value=_temporal,
        ),
        fails=_never if name == "*" else _date_operand,
        failures=() if name == "*" else ("invalid-argument", "invalid-date"),
        typing="arith",
        samples=(*_NUMBER_PAIRS, *_TEMPORAL_PAIRS[name]),
    )


_TEMPORAL_PAIRS = {
    "+": (
        ("date", "duration"),
        ("duration", "duration"),
        ("datetime", "duration"),
        ("time", "duration"),
    ),
    "-": (
        ("date", "date"),
        ("date", "duration"),
        ("duration", "duration"),
        ("datetime", "duration"),
        ("datetime", "datetime"),
        ("time", "duration"),
        ("time", "time"),
    ),
    "*": (("duration", "int"), ("int", "duration")),
}


def _compare(name: str, test: Callable[[Any, Any], bool]) -> Operation:
    equality = name in ("==", "!=")
    return Operation(
        name,
        "compare",
        _same_instant(test) if equality else _ordering(test),
        Emit(
            template=f"({{0}} {name} {{1}})",
            number="int",
            by_value=_has_datetime if equality else _temporal,
        ),
        fails=_never if equality else _durations_may_not_compare,
        failures=() if equality else ("incomparable-durations",),
        typing="compare",
        detail=margin,
        samples=(
            *_NUMBER_PAIRS,
            ("date", "date"),
            ("duration", "duration"),
            ("datetime", "datetime"),
            ("time", "time"),
        ),
    )


_OPERATOR_LIST: tuple[Operation, ...] = (
    _arith("+", operator.add, fast_add),
    _arith("-", operator.sub, _fast_sub),
    _arith("*", operator.mul, _fast_mul),
    Operation(
        "/",
        "arith",
        _divide,
        Emit(fast=_fast_div, number="fraction"),
        fails=_divisor_may_be_zero,
        failures=("division-by-zero",),
        typing="arith",
        samples=_NUMBER_PAIRS,
    ),
    Operation(
        "mod",
        "arith",
        _modulo,
        Emit(fast=_fast_mod, number="any"),
        fails=_divisor_may_be_zero,
        failures=("division-by-zero",),
        typing="arith",
        samples=_NUMBER_PAIRS,
    ),
    Operation(
        "**",
        "arith",
        _power,
        Emit(fast=_fast_power, number="any"),
        fails=_always,
        failures=("invalid-argument", "power-too-large"),
        typing="arith",
        samples=(("int", "int"), ("decimal", "int"), ("percent", "int")),
    ),
    Operation(
        "neg",
        "negate",
        lambda expr, v: Duration(-v[0].months, -v[0].seconds) if type(v[0]) is Duration else -v[0],
        Emit(template="(-{0})", fast=_fast_neg, exact_only=True, number="same", by_value=_temporal),
        typing="negate",
        samples=(*_NUMBERS, ("duration",)),
    ),
    _compare("==", operator.eq),
    _compare("!=", operator.ne),
    _compare("<", operator.lt),
    _compare("<=", operator.le),
    _compare(">", operator.gt),
    _compare(">=", operator.ge),
)

OPERATIONS: Mapping[tuple[str, str], Operation] = {
    (entry.kind, entry.name): entry for entry in (*_OPERATOR_LIST, *_BUILTIN_LIST)
}
"""Every operation, by kind and name: `("arith", "/")`, `("compare", "<")`,
`("negate", "neg")`, `("builtin", "round")`."""


def operation_of(expr: Any) -> Operation | None:
    """The entry of a checked node that is an operation (`Arith`, `Negate`, `Compare`,
    `BuiltinCall`), or None."""
    if isinstance(expr, model.Arith):
        return OPERATIONS.get(("arith", expr.op))
    if isinstance(expr, model.Compare):
        return OPERATIONS.get(("compare", expr.op))
    if isinstance(expr, model.Negate):
        return OPERATIONS.get(("negate", "neg"))
    if isinstance(expr, model.BuiltinCall):
        return BUILTINS.get(expr.name)
    return None
