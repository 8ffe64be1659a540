"""The fast evaluation path: a checked policy compiled once into Python functions.

`compile_program(policy, params, keys)` turns the rules `keys` of a checked policy, with its
param values fixed, into a `Program` of generated Python functions:

* a **facts check** for plain documents (dicts, lists, `int`, `Decimal`, `bool`, `str`, as
  `json.loads(..., parse_float=Decimal)` or `jsonio` give them): it accepts only what
  `facts.FactsSchema` accepts and returns the values in the fast path's form (records in
  declared order, dates converted, lists as tuples), or says "not plain" (any other form,
  and every bad document), and the caller falls back to `FactsSchema`, which converts the
  unusual forms or reports every problem with its path;
* an **evaluator** that computes the values of the requested rules from those values,
  without explanation trees. It never reports an evaluation error itself: on one (a
  division by zero, a value outside every band) it gives up (`GiveUp`), and the caller
  evaluates that document with the reference evaluator (`evaluator.evaluate`), which gives
  the verdicts, the located diagnostics and the explanations. Every document handed over is
  counted, by reason (`FastPathStats`, `fallback_reason`); anything else the generated code
  raises is a bug: an `InternalError` under test (`STRICT_VARIABLE`), a counted
  `internal-error` otherwise. The fast path is therefore only ever trusted with documents on which every
  requested rule succeeds, and there it must give the reference evaluator's values;
  `tests/test_compiler.py` checks that on generated facts for every flagship policy;
* the **fused function** the API calls (`Program.evaluate`): for a document laid out as
  declared (every field present, every value already in its final form: no dates or lists
  to convert) it checks each field and binds it straight into the local the evaluator reads,
  then runs the evaluator's statements in the same frame ("tier 1"). Any other document
  goes to the facts check and then the evaluator ("tier 2"); anything those cannot decide,
  to `FactsSchema` and the reference. Tier 1 checks the number of keys and looks every
  declared one up (so there are no extra keys), and checks the order of a record's keys
  only when the evaluator uses a whole record as a value (where the order shows).

Exactness without `Fraction`s on the hot path: the facts check keeps JSON decimals as the
`Decimal`s they are (bounded in size, as `FactsSchema` bounds them), and number constants
whose decimal expansion ends become `Decimal`s too. `+ - *`, `abs` and negation of such
numbers are Python's operators, and the generated code runs with `EXACT_CONTEXT` as the
current decimal context (unlimited precision, every inexact signal trapped: each result is
exact, or the document goes to the reference). `Program.evaluate` and `run` (through
`run_exact`) set it and restore the caller's context; whoever calls the raw generated
functions must do the same (`exact_context`). Only `/`, `rate` and constants such as 1/3 give `Fraction`s; values that
may hold one go through small helpers that convert (on the context's methods, whatever the
current context). Comparisons between `int`, `Decimal` and `Fraction` are exact in Python.
`canonical` turns a fast value into the runtime form of `wuxin_rules.values`
(`int`/`Fraction`) before anything leaves the fast path.

Fail closed: an operand that can fail (`can_fail`) is always evaluated, even when an earlier
one already decides `and`/`or`/`all of`…; only when no operand can fail does the generated
code short-circuit, which then cannot hide an error. `if` and `??` evaluate one branch, and an
aggregate's filter guards its body, as in the reference.

Why generated code and not closures: a tree of closures costs a Python call per node and
reached about a third of the throughput of generated code in our measurements
(docs/performance.md). The generated source is built so that policy text cannot inject code:
every identifier in it is made here (`_r3`, `_x7`, `_k12`: indices, never a policy name),
every literal is written with `repr` (ints, bools, `None`, field names and texts as `str`
literals), every other constant is passed as a named value of the namespace, and the code
runs with a builtins table holding only the handful of functions it uses.
`tests/test_compiler.py` and `tests/test_trace_compiler.py` (for the tracer's code, which
`GeneratedCode.compile` runs too) check this with hostile names and texts.

What each operator and builtin computes, whether it can fail (which decides what `and`/`or`
may skip) and the code emitted for it come from its entry in the table of semantics
(`semantics.Operation.emit`). The compiled tracer extends the public generator (`EvalCode`).
May import `errors`, `schema`, `values`, `model` and `semantics`.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime
import decimal
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from wuxin_rules import model, semantics, zones
from wuxin_rules.errors import Diagnostic, InternalError
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
    NumberType,
    NumericBound,
    OptionalType,
    RecordType,
    SumType,
    TextType,
    TimeType,
    Type,
    strip_optional,
)
from wuxin_rules.values import Duration, fraction_to_decimal, parse_duration
from wuxin_rules.visitor import Visitor, visits

__all__ = [
    "ANY_FORM",
    "DEC_FORM",
    "EVALUATION_ERROR",
    "EXACT_CONTEXT",
    "INTERNAL_ERROR",
    "INT_FORM",
    "NOT_COMPILED",
    "NOT_PLAIN",
    "REASONS",
    "STRICT_VARIABLE",
    "TOO_DEEP",
    "EvalCode",
    "FactsCheck",
    "FastPathStats",
    "FieldRead",
    "GeneratedCode",
    "GiveUp",
    "Local",
    "Program",
    "Scope",
    "can_fail",
    "canonical",
    "compile_program",
    "exact_context",
    "fallback_reason",
    "fast_sum",
    "internal_error",
    "run_exact",
    "strict",
    "widest_form",
]

# ------------------------------------------------------------------------------------------
# Why a document leaves the fast path: counted, never silent

NOT_COMPILED = "not-compiled"
"""The requested rules use something the compiler does not handle: the reference evaluates
every document."""
NOT_PLAIN = "not-plain"
"""The document is not in the plain form the generated facts check takes (an unusual form of
a fact, such as `"0.25"` for a decimal, or a bad fact): `FactsSchema` converts it or reports
the problems, and the reference evaluates it."""
EVALUATION_ERROR = "evaluation-error"
"""Some requested rule fails on the document: the reference reports the located error."""
TOO_DEEP = "too-deep"
"""The generated code (or the tracer's tree builder) ran out of stack on this document."""
INTERNAL_ERROR = "internal-error"
"""The generated code raised what it never should: a bug. An `InternalError` when
`STRICT_VARIABLE` is set (the test suite sets it), else counted and left to the reference,
which gives the right result, only slower."""
REASONS = (NOT_COMPILED, NOT_PLAIN, EVALUATION_ERROR, TOO_DEEP, INTERNAL_ERROR)

STRICT_VARIABLE = "WUXIN_STRICT_FAST_PATH"
"""The environment variable that makes a fault of the generated code an `InternalError`
instead of a counted fallback (any value but empty or `0`). Read when a fault happens."""


def strict() -> bool:
    """Whether a fault of generated code is an `InternalError` now (`STRICT_VARIABLE`)."""
    return os.environ.get(STRICT_VARIABLE, "") not in ("", "0")


class FastPathStats:
    """How many documents the fast path handed to the reference evaluator, by reason
    (`REASONS`), and what the first of each reason was (`details`).

    `Policy.fast_path_stats` holds one per policy. A document the compiled code decides is not
    counted; one it hands over is counted once. Safe to update from several threads.
    """

    __slots__ = ("_lock", "counts", "details")

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.details: dict[str, str] = {}
        self._lock = threading.Lock()

    def note(self, reason: str, detail: str | None = None, documents: int = 1) -> None:
        """Count `documents` documents handed over for `reason` (with a detail, kept for
        the first of its reason)."""
        with self._lock:
            self.counts[reason] = self.counts.get(reason, 0) + documents
            if detail is not None and reason not in self.details:
                self.details[reason] = detail

    @property
    def total(self) -> int:
        """Every document handed to the reference evaluator."""
        return sum(self.counts.values())

    def __getitem__(self, reason: str) -> int:
        return self.counts.get(reason, 0)

    def as_dict(self) -> dict[str, int]:
        """The counts by reason (reasons never met are left out)."""
        with self._lock:
            return dict(self.counts)

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.details.clear()

    def __repr__(self) -> str:
        shown = ", ".join(f"{reason}={count}" for reason, count in sorted(self.counts.items()))
        return f"<FastPathStats {shown or 'no fallbacks'}>"


def fallback_reason(error: Exception, stats: FastPathStats | None = None) -> str:
    """Why generated code that raised `error` hands its document to the reference (counted in
    `stats` when given). A fault the generated code should never raise is `INTERNAL_ERROR`,
    and an `InternalError` instead when `STRICT_VARIABLE` is set."""
    if isinstance(error, _NotPlain):
        reason = NOT_PLAIN
    elif isinstance(error, semantics.Failure):
        reason = EVALUATION_ERROR
    elif isinstance(error, RecursionError):
        reason = TOO_DEEP
    else:
        if strict():
            raise internal_error(error, "the compiled fast path") from error
        reason = INTERNAL_ERROR
    if stats is not None:
        detail = f"{type(error).__name__}: {error}" if reason == INTERNAL_ERROR else None
        stats.note(reason, detail)
    return reason


def internal_error(error: BaseException, where: str) -> InternalError:
    """The `InternalError` of a fault of `where` (generated code, or a tree builder)."""
    return InternalError(
        Diagnostic(
            "internal-error",
            english(
                "compiler.internal-error", where=where, type_name=type(error).__name__, error=error
            ),
            help=english("compiler.this-bug-wuxin-rules.help"),
        )
    )


# ------------------------------------------------------------------------------------------
# Runtime support used by the generated code

_EXACT = semantics.EXACT_CONTEXT

EXACT_CONTEXT = _EXACT
"""The decimal context generated code runs in (its `+ - *` and `abs` are exact in it only).
Set as the current context itself, not a copy: nothing reads or changes its flags."""


@contextlib.contextmanager
def exact_context() -> Iterator[None]:
    """Run the block with `EXACT_CONTEXT` current; the caller's context comes back after it,
    even on an exception. (Cheaper than `decimal.localcontext`, which copies the context.)"""
    saved = decimal.getcontext()
    decimal.setcontext(_EXACT)
    try:
        yield
    finally:
        decimal.setcontext(saved)


_MAX_EXPONENT = 4200
_MAX_WHOLE = 10**4200
"""Whole numbers from Python below this in magnitude are plain; larger ones (`facts` refuses
those beyond 4300 digits) take the full check."""
_COMPACT = 2**30 - 1
"""The largest int CPython compares on its fast path (one internal digit)."""
_SMALL_DECIMAL_SIZE = Decimal(0).__sizeof__()
"""`sys.getsizeof` of a Decimal whose coefficient fits the object itself (up to 76 digits in
CPython's `_decimal`). With `adjusted()` within ±4200 this bounds both the digits and the
exponent below `facts`' limit of 4300, cheaply; other Decimals take the full check."""

_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _NotPlain(Exception):
    """The fast facts check cannot decide this document: use `FactsSchema`."""


class GiveUp(semantics.Failure):
    """The fast evaluator met an evaluation error: use the reference evaluator."""


def _not_plain() -> Any:
    raise _NotPlain


def _give_up() -> Any:
    raise GiveUp


def _date_fact(value: Any) -> datetime.date:
    if type(value) is str and _DATE_TEXT.fullmatch(value) is not None:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise _NotPlain from None
    if type(value) is datetime.date:
        return value
    raise _NotPlain


def _datetime_fact(value: Any) -> datetime.datetime:
    if type(value) is str:
        try:
            return zones.parse(value)
        except zones.ZoneError:
            raise _NotPlain from None
    if type(value) is not datetime.datetime or value.utcoffset() is None or value.microsecond:
        raise _NotPlain
    try:
        value.astimezone(zones.UTC)  # an instant the calendar holds (as the facts check)
    except OverflowError:
        raise _NotPlain from None
    return value


def _time_fact(value: Any) -> datetime.time:
    if type(value) is str:
        try:
            return zones.parse_clock(value)
        except zones.ZoneError:
            raise _NotPlain from None
    if type(value) is not datetime.time or value.tzinfo is not None or value.microsecond:
        raise _NotPlain
    # As the facts check reads it: `fold` means nothing without a zone, and is dropped.
    return value.replace(fold=0) if value.fold else value


def _duration_fact(value: Any) -> Duration:
    if type(value) is Duration:
        return value
    duration = parse_duration(value) if type(value) is str else None
    if duration is None:
        raise _NotPlain
    return duration


def _reorder(
    value: dict[str, Any], fields: tuple[str, ...], required: frozenset[str]
) -> dict[str, Any]:
    """A record's dict in declared field order, a missing optional field as None in its
    declared place (as `FactsSchema` builds it: the order shows in `text(record)` and in
    JSON); anything else is not plain."""
    keys = value.keys()
    if not keys <= frozenset(fields) or not required <= keys:
        raise _NotPlain
    return {name: value.get(name) for name in fields}


def fast_sum(values: Sequence[Any]) -> Any:
    total: Any = 0
    for value in values:
        if value is None:
            raise GiveUp
        total = semantics.fast_add(total, value)
    return total


def _int_sum(values: list[Any]) -> int:
    if None in values:
        raise GiveUp
    return sum(values)


def _extreme(pick: Callable[..., Any], values: list[Any]) -> Any:
    if not values:
        return None
    if any(value is None for value in values):
        raise GiveUp
    return pick(values)


def _rate(values: list[Any]) -> Fraction | None:
    if not values:
        return None
    if None in values:
        raise GiveUp
    return Fraction(sum(1 for value in values if value), len(values))


def _truths(values: list[Any]) -> list[Any]:
    if None in values:
        raise GiveUp
    return values


def _coalesce(value: Any, fallback: Any) -> Any:
    return fallback if value is None else value


def _coalesce_lazy(value: Any, fallback: Callable[[], Any]) -> Any:
    return fallback() if value is None else value


def _builtin(
    function: Callable[[Any, list[Any]], Any], expr: model.BuiltinCall, args: tuple[Any, ...]
) -> Any:
    """An operation's reference `value` on fast-form arguments (its `SemanticError` is a
    `semantics.Failure`: the reference evaluator then reports it)."""
    if any(arg is None for arg in args):
        raise GiveUp
    return function(expr, [canonical(arg) for arg in args])


def _dated(schedule: model.ScheduleDef, day: Any, category: Any) -> Any:
    """The value of a schedule `by date` on `day`: the reference reports a date before the
    first of a schedule whose values are not optional."""
    if day is None:
        raise GiveUp
    stage = schedule.in_force(day)
    if stage is None:
        if isinstance(schedule.value_type, OptionalType):
            return None
        raise GiveUp
    return schedule.cells.get((stage.start, category))


def _stage(schedule: model.ScheduleDef, value: Any) -> str | None:
    if value is None:
        raise GiveUp
    if isinstance(value, datetime.date):
        for stage in schedule.stages:
            if (stage.start is None or stage.start <= value) and value <= stage.end:
                return stage.name
        return None
    for stage in schedule.stages:
        if value in stage.periods:
            return stage.name
    return None


def _bands(bands: tuple[tuple[Any, bool, Any, bool, str], ...], value: Any) -> str | None:
    if value is None:
        raise GiveUp
    found = None
    for low, low_inclusive, high, inclusive, name in bands:
        if (low <= value if low_inclusive else low < value) and (
            value <= high if inclusive else value < high
        ):
            if found is not None:
                raise GiveUp  # overlapping bands: the reference reports it
            found = name
    if found is None:
        raise GiveUp
    return None if found == model.HOLE else found


canonical = semantics.canonical
"""A fast-path value in the runtime form of `wuxin_rules.values` (no `Decimal`s)."""


_RUNTIME: dict[str, Any] = {
    "_Dec": Decimal,
    "_Frac": Fraction,
    "_NotPlain": _NotPlain,
    # What tier 1's check raises for a document not laid out as declared: `_NotPlain`, or a
    # `KeyError` for a missing key. Nothing else is caught: any other fault is a bug, which
    # must not turn silently into tier 2 (see `fallback_reason`).
    "_Error": (_NotPlain, KeyError),
    "_TRUE": (True,),
    "_FALSE": (False,),
    "_not_plain": _not_plain,
    "_give_up": _give_up,
    "_date_fact": _date_fact,
    "_duration_fact": _duration_fact,
    "_datetime_fact": _datetime_fact,
    "_time_fact": _time_fact,
    "_date_t": datetime.date,
    "_float": float,
    "_int": int,
    "_repr": repr,
    "_reorder": _reorder,
    "_DSZ": _SMALL_DECIMAL_SIZE,
    "_IMAX": _MAX_WHOLE,
    "_sum": fast_sum,
    "_int_sum": _int_sum,
    "_extreme": _extreme,
    "_rate": _rate,
    "_truths": _truths,
    "_coalesce": _coalesce,
    "_coalesce_lazy": _coalesce_lazy,
    "_builtin": _builtin,
    "_stage": _stage,
    "_dated": _dated,
    "_bands": _bands,
}

_SAFE_BUILTINS: dict[str, Any] = {
    name: getattr(builtins, name)
    for name in (
        "type",
        "int",
        "bool",
        "str",
        "dict",
        "list",
        "tuple",
        "len",
        "all",
        "any",
        "sum",
        "min",
        "max",
        "abs",
    )
}
"""The only builtins generated code can reach (no `__import__`, `open`, `eval`, …)."""


# ------------------------------------------------------------------------------------------
# Static analysis


def can_fail(
    policy: model.CheckedPolicy, expr: model.CExpr, memo: dict[str, bool] | None = None
) -> bool:
    """Whether evaluating `expr` (on validated facts) can end in an evaluation error.

    Conservative: True unless the expression is built only from operations that cannot fail
    on well-typed values (the checker has already ruled out `none` where a value is needed).
    """
    memo = {} if memo is None else memo
    return _Fallibility(policy, memo).check(expr)


class _Fallibility(Visitor[bool]):
    """Whether expressions can fail, from the table of semantics (`Operation.can_fail`) and
    the forms that fail whatever their operations (bands, `none` met where a value is
    needed); rules memoised."""

    node_kinds = model.EXPRESSIONS

    def __init__(self, policy: model.CheckedPolicy, memo: dict[str, bool]) -> None:
        self.policy = policy
        self.memo = memo

    def rule(self, key: str) -> bool:
        if key not in self.memo:
            self.memo[key] = True  # a cycle (never in a checked policy) counts as fallible
            rule = self.policy.rules.get(key)
            self.memo[key] = rule is None or self.check(rule.body)
        return self.memo[key]

    def check(self, expr: Any) -> bool:
        if expr is None:
            return False
        handler = self.dispatch_table.get(type(expr))
        if handler is None:
            return True  # not a core expression: nothing is known of it
        result: bool = handler(self, expr)
        return result

    def _children(self, expr: Any) -> bool:
        return any(self.check(child) for child in model.children(expr))

    @visits(model.Const, model.InputRef, model.ParamRef, model.LocalRef)
    def _leaf(self, expr: Any) -> bool:
        return False

    @visits(model.RuleRef)
    def _rule_ref(self, expr: model.RuleRef) -> bool:
        return self.rule(expr.key)

    @visits(model.CallRule)
    def _call_rule(self, expr: model.CallRule) -> bool:
        return any(self.check(a) for a in expr.args) or self.rule(expr.key)

    @visits(model.BuiltinCall)
    def _builtin(self, expr: model.BuiltinCall) -> bool:
        if any(self.check(a) for a in expr.args):
            return True
        entry = semantics.BUILTINS.get(expr.name)
        return entry is None or entry.can_fail(expr.args)

    @visits(model.ScheduleLookup)
    def _schedule(self, expr: model.ScheduleLookup) -> bool:
        schedule = self.policy.schedules.get(expr.key)
        # A schedule `by date` fails before its first date, unless its values are optional.
        before_first = schedule is None or (
            bool(schedule.dated) and not isinstance(schedule.value_type, OptionalType)
        )
        return before_first or any(self.check(a) for a in expr.args)

    @visits(model.StageLookup)
    def _stage(self, expr: model.StageLookup) -> bool:
        return self.check(expr.arg)

    @visits(model.BandsLookup)
    def _bands(self, expr: model.BandsLookup) -> bool:
        return True

    @visits(model.Arith, model.Compare, model.Negate)
    def _operator(self, expr: model.Arith | model.Compare | model.Negate) -> bool:
        entry = semantics.operation_of(expr)
        if entry is None or entry.can_fail(model.children(expr)):
            return True
        return self._children(expr)

    @visits(model.Aggregate)
    def _aggregate(self, expr: model.Aggregate) -> bool:
        kind, body = expr.kind, expr.body
        if body is not None and isinstance(body.type, OptionalType) and kind != "list":
            return True
        if (
            body is None
            and kind in ("sum", "min", "max", "all", "any")
            and _optional_elements(expr.collection.type)
        ):
            return True
        return self.check(expr.collection) or self.check(expr.filter) or self.check(body)

    @visits(
        model.GetField,
        model.Not,
        model.IsNone,
        model.In,
        model.Coalesce,
        model.And,
        model.Or,
        model.If,
        model.Compose,
        model.MakeList,
        model.MakeRecord,
    )
    def _by_children(self, expr: Any) -> bool:
        return self._children(expr)


def _optional_elements(type_: Type | None) -> bool:
    inner = strip_optional(type_) if type_ is not None else None
    return isinstance(inner, ListType) and isinstance(inner.element, OptionalType)


def _size(expr: Any) -> int:
    return 1 + sum(_size(child) for child in model.children(expr))


# ------------------------------------------------------------------------------------------
# Code generation


class CannotCompile(Exception):
    """Something the fast path does not handle: the policy is evaluated by the reference."""


_INLINE_BODY_LIMIT = 80
"""Rule calls whose body has at most this many nodes are inlined (when the arguments are
plain names), so that the common one-line criterion costs no Python call."""

_INLINE_DEPTH_LIMIT = 12

_SMALL_INT = 10**15

# Value kinds, for choosing arithmetic: "int" (Python ints), "dec" (ints and Decimals, so
# the exact context's methods apply), "any" (may hold a Fraction: the converting helpers).
INT_FORM, DEC_FORM, ANY_FORM = "int", "dec", "any"


def widest_form(*reps: str) -> str:
    if ANY_FORM in reps:
        return ANY_FORM
    if DEC_FORM in reps:
        return DEC_FORM
    return INT_FORM


class GeneratedCode:
    """Generated lines, constants and fresh names, shared by both generated functions."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = dict(_RUNTIME)
        self._constants: dict[int, str] = {}
        self._counter = 0

    def fresh(self, prefix: str) -> str:
        self._counter += 1
        return f"_{prefix}{self._counter}"

    def constant(self, value: Any) -> str:
        """A name in the namespace holding `value` (identity-keyed, so each object once)."""
        name = self._constants.get(id(value))
        if name is None:
            name = self.fresh("k")
            self._constants[id(value)] = name
            self.namespace[name] = value
        return name

    def literal(self, value: Any) -> str:
        """Source text for a constant: `repr` for the safe literal types, a name otherwise."""
        if value is None or value is True or value is False:
            return repr(value)
        if type(value) is int and -_SMALL_INT < value < _SMALL_INT:
            return repr(value)
        if type(value) is str:
            return repr(value)
        return self.constant(value)

    def compile(self, *names: str) -> list[Callable[..., Any]]:
        """Compile the lines once; the functions called `names`."""
        try:
            code = compile(self.text, "<wuxin_rules compiled policy>", "exec")
        except (SyntaxError, RecursionError, MemoryError, ValueError) as error:
            raise CannotCompile(f"generated code does not compile: {error}") from None
        namespace = dict(self.namespace)
        namespace["__builtins__"] = _SAFE_BUILTINS
        # Safe to run: every identifier in `code` is one the compiler made (`fresh`), every
        # text and small int from the policy or facts is written with `repr`, other values sit
        # in `namespace` as constants, and only `_SAFE_BUILTINS` can be reached
        # (tests/test_compiler.py and tests/test_trace_compiler.py, "No code injection", walk
        # the generated code to prove it, with tests/codekit.py).
        exec(code, namespace)
        return [namespace[name] for name in names]

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


# -- the facts check -----------------------------------------------------------------------


class _FactsCode:
    """Generates `_V…(document)`, the facts check (tier 2): the document's values in fast form,
    or `_NotPlain`. Its field conditions (`_bad`) are tier 1's too.

    With `floats` (the `floats="shortest"` opt-in), a binary float where a number is
    declared is read as the decimal of its shortest text (`values.shortest_decimal`: `0.1` as
    `Decimal("0.1")`, `3.0` as `3`) right where the field is read, and then checked as any
    number is: the opt-in costs one `type(…) is float` a number field, not a pass over the
    document."""

    def __init__(self, source: GeneratedCode, floats: bool = False) -> None:
        self.src = source
        self.floats = floats
        self.functions: dict[Any, str] = {}

    def reads_float(self, type_: Type) -> bool:
        """Whether a float in a field of `type_` is read (as its shortest decimal)."""
        return self.floats and isinstance(strip_optional(type_), IntType | NumberType)

    def read_float(self, src: str) -> str:
        """A statement that makes the float in local `src` its shortest decimal, as
        `values.shortest_decimal` does, inline (a call would cost as much again): a whole
        float as an `int`, any other as `Decimal(repr(…))`. NaN and the infinities become
        Decimal NaN and infinities, which the number check then refuses, as it refuses
        them as floats: the full check reports them."""
        return (
            f"if type({src}) is _float: "
            f"{src} = _int({src}) if {src}.is_integer() else _Dec(_repr({src}))"
        )

    def root(self, inputs: Sequence[model.InputDef]) -> str:
        return self._record_function(("inputs",), [(i.name, i.type) for i in inputs])

    def _record_function(self, key: Any, fields: list[tuple[str, Type]]) -> str:
        name = self.functions.get(key)
        if name is not None:
            return name
        name = self.src.fresh("V")
        self.functions[key] = name
        order = tuple(field for field, _ in fields)
        required = frozenset(
            field for field, type_ in fields if not isinstance(type_, OptionalType)
        )
        body = [
            f"def {name}(v):",
            "    if type(v) is not dict: raise _NotPlain",
            f"    if tuple(v) != {self.src.constant(order)}:",
            f"        v = _reorder(v, {self.src.constant(order)}, {self.src.constant(required)})",
            "    o = v",
        ]
        # Fields that are only checked: one condition for all (cheaper than one `if` each).
        checks = []
        for field, type_ in fields:
            bad = self._bad(type_, f"(a := v[{field!r}])", "a")
            if bad is not None and not self.reads_float(type_):
                checks.append(f"({bad})")
        if checks:
            body.append(f"    if {' or '.join(checks)}: raise _NotPlain")
        for field, type_ in fields:
            if self._bad(type_, "a", "a") is not None and not self.reads_float(type_):
                continue
            body.append(f"    a = v[{field!r}]")
            self._convert(type_, "a", "c", body, "    ")
            body.append("    if c is not a:")
            body.append("        if v is o: v = dict(o)")
            body.append(f"        v[{field!r}] = c")
        body.append("    return v")
        self.src.lines.extend(body)
        return name

    def _bad(self, type_: Type, first: str, src: str) -> str | None:
        """For a type whose values pass unchanged: a condition that holds when the value is
        not plain (`first` is how the value is written the first time, `src` after);
        None for a type whose values are converted (`_convert`)."""
        match type_:
            case OptionalType(inner=inner):
                bad = self._bad(inner, src, src)
                return None if bad is None else f"{first} is not None and ({bad})"
            case IntType(bound=bound):
                return f"type({first}) is not int{self._bound(bound, src)}{self._whole_size(bound, src)}"
            case NumberType(bound=bound, scale=scale):
                # Decimal first (what JSON decimals are); a whole number only when it is not.
                decimal_ok = self._decimal_ok(first, src, bound, scale)
                return f"not ({decimal_ok} or {self._whole_ok(src, bound)})"
            case BoolType():
                return f"{first} is not True and {src} is not False"  # no call: cheaper than type()
            case TextType():
                return f"type({first}) is not str"
            case EnumType(members=members):
                names = self.src.constant(frozenset(m.name for m in members))
                return f"type({first}) is not str or {src} not in {names}"
        return None

    def _decimal_ok(
        self, first: str, src: str, bound: NumericBound | None, scale: int | None = None
    ) -> str:
        """Holds for a `Decimal` that `FactsSchema` accepts: finite, small enough (see
        `_SMALL_DECIMAL_SIZE`) and inside `bound`. A bound end's side is tested with
        `is_signed()` where the sign decides (about twice as cheap as comparing Decimals);
        that refuses -0 for `>= 0`, which the full check then takes."""
        parts = [
            f"type({first}) is _Dec",
            f"{src}.is_finite()",
            f"{src}.__sizeof__() <= _DSZ",
            f"{-_MAX_EXPONENT} <= {src}.adjusted() <= {_MAX_EXPONENT}",
        ]
        if scale is not None:
            # At most `scale` places as written (`12.300` goes to the full check, which
            # reads it exactly and takes it); more places are refused there, never rounded.
            parts.append(f"{src}.as_tuple().exponent >= {-scale}")
        if bound is not None and bound.low is not None:
            low = bound.low
            compare = f"{src} {'>=' if bound.low_inclusive else '>'} {self._end(low, True)}"
            if low == 0 and bound.low_inclusive:
                parts.append(f"not {src}.is_signed()")
            elif low < 0:
                parts.append(f"(not {src}.is_signed() or {compare})")
            else:
                parts.append(compare)
        if bound is not None and bound.high is not None:
            high = bound.high
            compare = f"{src} {'<=' if bound.high_inclusive else '<'} {self._end(high, True)}"
            if high > 0 or (high == 0 and bound.high_inclusive):
                parts.append(f"({src}.is_signed() or {compare})")
            else:
                parts.append(compare)
        return " and ".join(parts)

    def _whole_ok(self, src: str, bound: NumericBound | None) -> str:
        """Holds for a Python `int` in a decimal field that `FactsSchema` accepts."""
        parts = [
            f"type({src}) is int",
            f"(-{_COMPACT} <= {src} <= {_COMPACT} or -_IMAX < {src} < _IMAX)",
        ]
        if bound is not None and bound.low is not None:
            parts.append(
                f"{src} {'>=' if bound.low_inclusive else '>'} {self._end(bound.low, False)}"
            )
        if bound is not None and bound.high is not None:
            parts.append(
                f"{src} {'<=' if bound.high_inclusive else '<'} {self._end(bound.high, False)}"
            )
        return " and ".join(parts)

    def _convert(self, type_: Type, src: str, dst: str, out: list[str], indent: str) -> bool:
        """Lines that check `src` and (returns True) leave its fast form in `dst`."""
        if self.reads_float(type_):
            out.append(f"{indent}{dst} = {src}")
            out.append(f"{indent}{self.read_float(dst)}")
            out.append(f"{indent}if {self._bad(type_, dst, dst)}: raise _NotPlain")
            return True
        bad = self._bad(type_, src, src)
        if bad is not None:
            out.append(f"{indent}if {bad}: raise _NotPlain")
            return False
        if isinstance(type_, OptionalType):
            inner: list[str] = []
            converted = self._convert(type_.inner, src, dst, inner, indent + "    ")
            if converted:
                out.append(f"{indent}{dst} = {src}")
            out.append(f"{indent}if {src} is not None:")
            out.extend(inner or [f"{indent}    pass"])
            return converted
        match type_:
            case DateType():
                out.append(f"{indent}{dst} = _date_fact({src})")
                return True
            case DurationType():
                out.append(f"{indent}{dst} = _duration_fact({src})")
                return True
            case DateTimeType():
                out.append(f"{indent}{dst} = _datetime_fact({src})")
                return True
            case TimeType():
                out.append(f"{indent}{dst} = _time_fact({src})")
                return True
            case ListType():
                out.append(f"{indent}{dst} = {self._list_function(type_)}({src})")
                return True
            case RecordType():
                key = ("record", type_.qualified or id(type_))
                function = self.functions.get(key) or self._record_function(
                    key, [(f.name, f.type) for f in type_.fields]
                )
                out.append(f"{indent}{dst} = {function}({src})")
                return True
            case SumType():
                out.append(f"{indent}{dst} = {self._sum_function(type_)}({src})")
                return True
        raise CannotCompile(f"no fast facts check for {type_!r}")

    def _sum_function(self, type_: SumType) -> str:
        """A value of an enum that carries data, as `facts` reads it: an object with the
        member's name under `kind` is checked as the record of that member's fields (a
        member that carries nothing may be its bare name)."""
        key = ("sum", type_.qualified)
        name = self.functions.get(key)
        if name is not None:
            return name
        members = {
            member.name: self._record_function(
                ("sum", type_.qualified, member.name),
                [(SUM_TAG, type_.tags), *((f.name, f.type) for f in member.fields)],
            )
            for member in type_.members
        }
        name = self.src.fresh("S")
        self.functions[key] = name
        plain = frozenset(m.name for m in type_.members if not m.fields)
        body = [
            f"def {name}(v):",
            f"    if type(v) is str and v in {self.src.constant(plain)}:",
            f"        return {{{SUM_TAG!r}: v}}",
            "    if type(v) is not dict: raise _NotPlain",
            f"    k = v.get({SUM_TAG!r})",
        ]
        for member, function in members.items():
            body.append(f"    if k == {member!r}: return {function}(v)")
        body.append("    raise _NotPlain")
        self.src.lines.extend(body)
        return name

    def _list_function(self, type_: ListType) -> str:
        key = ("list", id(type_))
        name = self.functions.get(key)
        if name is not None:
            return name
        name = self.src.fresh("T")
        self.functions[key] = name
        body = [
            f"def {name}(v):",
            "    if type(v) is not list and type(v) is not tuple: raise _NotPlain",
            "    out = []",
            "    for a in v:",
        ]
        converted = self._convert(type_.element, "a", "c", body, "        ")
        body.append(f"        out.append({'c' if converted else 'a'})")
        body.append("    return tuple(out)")
        self.src.lines.extend(body)
        return name

    def _bound(self, bound: NumericBound | None, src: str) -> str:
        """` or <outside the bound>` for a whole number's check (empty without a bound)."""
        if bound is None:
            return ""
        parts = []
        if bound.low is not None:
            parts.append(
                f"{src} {'<' if bound.low_inclusive else '<='} {self._end(bound.low, False)}"
            )
        if bound.high is not None:
            parts.append(
                f"{src} {'>' if bound.high_inclusive else '>='} {self._end(bound.high, False)}"
            )
        return "".join(f" or {part}" for part in parts)

    def _whole_size(self, bound: NumericBound | None, src: str) -> str:
        """` or <too large for the fast check>` for a whole number: the sides of `±_IMAX`
        that the declared bound does not already keep it within (`int >= 0` needs only the
        upper side), so a bounded field costs no extra comparison."""
        low_kept = bound is not None and bound.low is not None and bound.low > -_MAX_WHOLE
        high_kept = bound is not None and bound.high is not None and bound.high < _MAX_WHOLE
        # Compared with a one-digit int first: CPython's fast int comparison takes only those,
        # and comparing every small number with the 4,200-digit `_IMAX` costs as much as the
        # rest of the field's check.
        parts = ([] if low_kept else [f"({src} < -{_COMPACT} and {src} <= -_IMAX)"]) + (
            [] if high_kept else [f"({src} > {_COMPACT} and {src} >= _IMAX)"]
        )
        return "".join(f" or {part}" for part in parts)

    def _end(self, end: Fraction, decimal: bool) -> str:
        if end.denominator == 1 and not decimal:
            return self.src.literal(int(end))
        exact = fraction_to_decimal(end)
        return self.src.constant(exact if exact is not None else end)


class _PlainCode:
    """Tier 1's check: statements that raise `_NotPlain` unless the document is laid out as
    declared (a `dict` per record with exactly the declared keys, every value already in its
    final form), binding each field the evaluator reads into the evaluator's own local.

    `locals_of` maps (the parent record's local, or None for an input; field name) to that
    local. The number of keys is checked, and every declared key looked up (a `KeyError`
    is "not plain" too), so there are no others; `ordered` adds the key order of every
    record, for an evaluator that uses whole records as values (where the order shows)."""

    _DEPTH = 4

    def __init__(
        self, facts: _FactsCode, locals_of: Mapping[tuple[str | None, str], str], ordered: bool
    ) -> None:
        self.facts = facts
        self.src = facts.src
        self.locals_of = locals_of
        self.ordered = ordered
        self.bound: set[str] = set()

    def lines(self, inputs: Sequence[model.InputDef]) -> list[str] | None:
        """The check's lines, or None when some input cannot be checked this way (dates and
        lists are converted; records nest too deep or contain themselves)."""
        out: list[str] = []
        fields = [(i.name, i.type) for i in inputs]
        if not self._record(fields, "_i", None, out, "", 0, frozenset(), root=True):
            return None
        return out

    def _record(
        self,
        fields: list[tuple[str, Type]],
        src: str,
        key: str | None,
        out: list[str],
        indent: str,
        depth: int,
        seen: frozenset[int],
        *,
        root: bool = False,
    ) -> bool:
        if depth > self._DEPTH:
            return False
        if self.ordered and not root:
            shape = f"tuple({src}) != {self.src.constant(tuple(name for name, _ in fields))}"
        else:
            shape = f"len({src}) != {len(fields)}"
        out.append(f"{indent}if type({src}) is not dict or {shape}: raise _NotPlain")
        for field, type_ in fields:
            local = self.locals_of.get((key, field))
            access = f"{src}[{field!r}]"
            inner = strip_optional(type_)
            if isinstance(inner, RecordType):
                if id(inner) in seen:
                    return False
                record = local or self.src.fresh("q")
                out.append(f"{indent}{record} = {access}")
                body = indent
                if isinstance(type_, OptionalType):
                    out.append(f"{indent}if {record} is not None:")
                    body = indent + "    "
                subfields = [(f.name, f.type) for f in inner.fields]
                if not self._record(
                    subfields, record, record, out, body, depth + 1, seen | {id(inner)}
                ):
                    return False
            elif self.facts.reads_float(type_):
                # The float read into the evaluator's local; the document keeps it as given.
                name = local or "a"
                out.append(f"{indent}{name} = {access}")
                out.append(f"{indent}{self.facts.read_float(name)}")
                out.append(f"{indent}if {self.facts._bad(type_, name, name)}: raise _NotPlain")
            else:
                bad = self.facts._bad(type_, f"({local or 'a'} := {access})", local or "a")
                if bad is None:
                    return False
                out.append(f"{indent}if {bad}: raise _NotPlain")
            if local is not None:
                self.bound.add(local)
        return True


# -- the evaluator -------------------------------------------------------------------------


class Local:
    __slots__ = ("code", "rep")

    def __init__(self, code: str, rep: str) -> None:
        self.code = code
        self.rep = rep


class Scope:
    """Where an expression is compiled: its locals, and how it reaches nullary rules."""

    __slots__ = ("env", "in_main", "inline_depth", "strict")

    def __init__(
        self, env: dict[str, Local], strict: bool, inline_depth: int, in_main: bool
    ) -> None:
        self.env = env
        self.strict = strict  # evaluated whenever the main function runs: rules as locals
        self.inline_depth = inline_depth
        self.in_main = in_main  # inside `_main`, where strict rules' locals are visible

    def lazy(self) -> Scope:
        return Scope(self.env, False, self.inline_depth, self.in_main)

    def inlined(self, env: dict[str, Local]) -> Scope:
        return Scope(env, self.strict, self.inline_depth + 1, self.in_main)

    def bind(self, name: str, local: Local) -> Scope:
        return Scope({**self.env, name: local}, self.strict, self.inline_depth, self.in_main)


@attrs.frozen
class FieldRead:
    """A field read in generated code: `record[field]` (or `record.get(field)` when
    `optional`), where `record` is the code of the record (`_i` for the inputs)."""

    record: str
    field: str
    optional: bool


class FactsCheck:
    """The facts check of a policy's inputs, written into generated code (its function is
    `name`: a document's values in fast form, or it raises), and tier 1's check of the plain
    layout for an evaluator that reads the fields `locals_of` into locals."""

    def __init__(
        self, code: GeneratedCode, inputs: Sequence[model.InputDef], floats: bool = False
    ) -> None:
        self._facts = _FactsCode(code, floats)
        self._inputs = inputs
        self.name = self._facts.root(inputs)

    def plain_check(
        self, locals_of: Mapping[tuple[str | None, str], str], whole_records: bool
    ) -> tuple[list[str] | None, set[str]]:
        """Tier 1's statements (None when the inputs have no plain layout to check) and the
        locals they bind: (the record's local, or None for the inputs; field) → local in
        `locals_of`; `whole_records` when records are used whole (their key order shows)."""
        plain = _PlainCode(self._facts, dict(locals_of), whole_records)
        return plain.lines(self._inputs), plain.bound


class EvalCode(Visitor[tuple[str, str]]):
    """Generates `_main(_i)` (the requested rules' values) and its helper functions.

    A visitor of the core expressions: each handler returns the Python source of its node and
    the kind of numbers its value holds. A subclass (the compiled tracer) replaces handlers by
    overriding them by name."""

    node_kinds = model.EXPRESSIONS

    def __init__(
        self, source: GeneratedCode, policy: model.CheckedPolicy, params: Mapping[str, Any]
    ) -> None:
        self.src = source
        self.policy = policy
        self.params = params
        self.fallible: dict[str, bool] = {}
        self.rule_index = {key: index for index, key in enumerate(policy.rules)}
        self.strict_done: dict[str, str] = {}
        self.strict_lines: list[tuple[str, str]] = []  # (local, code) in dependency order
        self.rule_reps: dict[str, str] = {}
        self.lazy_functions: dict[str, str] = {}
        self.call_functions: dict[str, str] = {}
        self.uses_memo = False
        # Required fields of the inputs read in `_main`: each read once, into a local, first
        # (validated facts always have them, so reading them early cannot fail). Tier 1
        # binds the same locals while it checks the document (`locals_of`).
        self.paths: dict[str, str] = {}
        self.path_locals: set[str] = set()
        self.path_lines: list[tuple[str, str]] = []
        self.locals_of: dict[tuple[str | None, str], str] = {}
        self.keys: tuple[str, ...] = ()
        self.results: list[str] = []
        # Whether a record from the inputs is used as a value (not only to read a field of
        # it): then its key order shows, and tier 1 checks it.
        self.uses_whole_records = False
        self._as_target = False
        self.field_reads: dict[str, FieldRead] = {}

    def can_fail(self, expr: Any) -> bool:
        return _Fallibility(self.policy, self.fallible).check(expr)

    # -- rules ------------------------------------------------------------------------------

    def main(self, keys: Sequence[str]) -> str:
        """`_main(_i)`: the rules `keys` from checked values (the path locals read first)."""
        self.keys = tuple(keys)
        self.results = [self.strict_rule(key) for key in keys]
        lines = ["def _main(_i):"]
        lines.extend(f"    {local} = {code}" for local, code in self.path_lines)
        lines.extend(self.body("    "))
        return "\n".join(lines)

    def body(self, indent: str) -> list[str]:
        """The statements that compute the rules once the path locals are bound."""
        lines = [f"{indent}_m = {{}}"] if self.uses_memo else []
        for local, code in self.strict_lines:
            lines.append(f"{indent}{local} = {code}")
            if self.uses_memo:
                key = local.rpartition("_")[2]
                lines.append(f"{indent}_m[{key}] = {local}")
        results = self.results
        if len(results) == 1 and isinstance(self.policy.rules[self.keys[0]].type, BoolType):
            # One verdict: the two possible outcomes are shared tuples, not one more object
            # per document for the garbage collector to look at.
            (result,) = results
            lines.append(
                f"{indent}return _TRUE if {result} is True else _FALSE if {result} is False else ({result},)"
            )
        else:
            lines.append(f"{indent}return ({''.join(r + ', ' for r in results)})")
        return lines

    def strict_rule(self, key: str) -> str:
        """The local holding nullary rule `key`, computed before whatever needs it."""
        local = self.strict_done.get(key)
        if local is not None:
            return local
        rule = self.policy.rules[key]
        code, rep = self.expr(rule.body, Scope({}, True, 0, True))
        local = f"_r_{self.rule_index[key]}"
        self.strict_done[key] = local
        self.rule_reps[key] = rep
        self.strict_lines.append((local, code))
        return local

    def lazy_rule(self, key: str) -> tuple[str, str]:
        """Code reaching nullary rule `key` through the memo (computed on first use)."""
        self.uses_memo = True
        index = self.rule_index[key]
        name = self.lazy_functions.get(key)
        if name is None:
            name = self.src.fresh("L")
            self.lazy_functions[key] = name
            code, rep = self.expr(self.policy.rules[key].body, Scope({}, False, 0, False))
            self.rule_reps[key] = rep
            self.src.lines.extend(
                [f"def {name}(_i, _m):", f"    v = _m[{index}] = {code}", "    return v"]
            )
        return f"(_m[{index}] if {index} in _m else {name}(_i, _m))", self.rule_reps.get(
            key, ANY_FORM
        )

    def call_function(self, rule: model.RuleDef) -> str:
        name = self.call_functions.get(rule.key)
        if name is not None:
            return name
        name = self.src.fresh("F")
        self.call_functions[rule.key] = name
        assert rule.params is not None
        env: dict[str, Local] = {}
        args = []
        for param, _type in rule.params:
            local = self.src.fresh("a")
            args.append(local)
            env[param] = Local(local, ANY_FORM)
        self.uses_memo = True
        code, _ = self.expr(rule.body, Scope(env, False, 0, False))
        self.src.lines.extend([f"def {name}(_i, _m, {', '.join(args)}):", f"    return {code}"])
        return name

    # -- expressions ------------------------------------------------------------------------

    def expr(self, expr: Any, scope: Scope) -> tuple[str, str]:
        """Python source for `expr` and the kind of numbers its value holds."""
        as_target, self._as_target = self._as_target, False
        handler = self.dispatch_table.get(type(expr))
        if handler is None:
            raise CannotCompile(f"no fast code for `{type(expr).__name__}`")
        result: tuple[str, str] = handler(self, expr, scope)
        if (
            not as_target
            and isinstance(expr, model.InputRef | model.GetField | model.LocalRef)
            and _holds_record(expr.type)
        ):
            self.uses_whole_records = True
        return result

    def target(self, expr: Any, scope: Scope) -> tuple[str, str]:
        """`expr` as the record a field is read from (or the argument of an inlined call):
        a use where its key order does not show."""
        self._as_target = True
        return self.expr(expr, scope)

    def _number_rep(self, type_: Type | None) -> str | None:
        inner = strip_optional(type_) if type_ is not None else None
        return INT_FORM if isinstance(inner, IntType) else None

    @visits(model.Const)
    def _Const(self, expr: model.Const, scope: Scope) -> tuple[str, str]:
        return self.constant(expr.value)

    def constant(self, value: Any) -> tuple[str, str]:
        if type(value) is Fraction:
            exact = fraction_to_decimal(value)
            if exact is None:
                return self.src.constant(value), ANY_FORM
            value = exact
        if type(value) is Decimal:
            return self.src.constant(value), DEC_FORM
        if isinstance(value, tuple | dict):
            fast = _fast_constant(value)
            return self.src.constant(fast), ANY_FORM
        return self.src.literal(value), INT_FORM if type(value) is int else DEC_FORM

    @visits(model.InputRef)
    def _InputRef(self, expr: model.InputRef, scope: Scope) -> tuple[str, str]:
        rep = self._number_rep(expr.type) or DEC_FORM
        if isinstance(expr.type, OptionalType):
            return self._read("_i", expr.name, True), rep
        access = self._read("_i", expr.name, False)
        return (self._path(access, (None, expr.name)) if scope.in_main else access), rep

    def _read(self, record: str, field: str, optional: bool) -> str:
        """The code reading `field` of the record whose code is `record` (`_i`: the
        inputs), noted in `field_reads`."""
        code = f"{record}.get({field!r})" if optional else f"{record}[{field!r}]"
        self.field_reads[code] = FieldRead(record, field, optional)
        return code

    def field_read(self, code: str) -> FieldRead | None:
        """What the generated expression `code` reads, if it is a field read (of the inputs,
        `record == "_i"`, or of a record held in a local)."""
        return self.field_reads.get(code)

    def _path(self, code: str, key: tuple[str | None, str]) -> str:
        local = self.paths.get(code)
        if local is None:
            local = self.paths[code] = self.src.fresh("p")
            self.path_locals.add(local)
            self.path_lines.append((local, code))
            self.locals_of[key] = local
        return local

    @visits(model.ParamRef)
    def _ParamRef(self, expr: model.ParamRef, scope: Scope) -> tuple[str, str]:
        if expr.key in self.params:
            value = self.params[expr.key]
        else:
            definition = self.policy.params.get(expr.key)
            if definition is None:
                raise CannotCompile(f"unknown param `{expr.key}`")
            value = definition.default
        return self.constant(value)

    @visits(model.RuleRef)
    def _RuleRef(self, expr: model.RuleRef, scope: Scope) -> tuple[str, str]:
        rule = self.policy.rules.get(expr.key)
        if rule is None or rule.is_function:
            raise CannotCompile(f"bad reference to `{expr.key}`")
        if scope.strict or (scope.in_main and not self.can_fail(expr)):
            # A rule that cannot fail may be computed before it is known to be needed.
            local = self.strict_rule(expr.key)
            return local, self.rule_reps[expr.key]
        return self.lazy_rule(expr.key)

    @visits(model.LocalRef)
    def _LocalRef(self, expr: model.LocalRef, scope: Scope) -> tuple[str, str]:
        local = scope.env.get(expr.name)
        if local is None:
            raise CannotCompile(f"unbound local `{expr.name}`")
        return local.code, local.rep

    @visits(model.GetField)
    def _GetField(self, expr: model.GetField, scope: Scope) -> tuple[str, str]:
        target, rep = self.target(expr.target, scope)
        if isinstance(expr.type, OptionalType):
            return self._read(target, expr.field, True), rep
        access = self._read(target, expr.field, False)
        if scope.in_main and target in self.path_locals and not _declared_optional(expr):
            # Read once, first thing (a required field is always there). A field declared
            # optional is not: where `if … is none` has made it safe its type is not optional,
            # but read first, a field of it would be read from a none.
            access = self._path(access, (target, expr.field))
        return access, self._number_rep(expr.type) or rep

    @visits(model.CallRule)
    def _CallRule(self, expr: model.CallRule, scope: Scope) -> tuple[str, str]:
        rule = self.policy.rules.get(expr.key)
        if rule is None or rule.params is None or len(rule.params) != len(expr.args):
            raise CannotCompile(f"bad call of `{expr.key}`")
        args = [self.target(arg, scope) for arg in expr.args]
        inline = (
            scope.inline_depth < _INLINE_DEPTH_LIMIT
            and all(_is_plain_name(code) for code, _ in args)
            and _size(rule.body) <= _INLINE_BODY_LIMIT
        )
        if not inline and any(_holds_record(arg.type) for arg in expr.args):
            self.uses_whole_records = True  # the called function may use the record whole
        if inline:
            env = {
                name: Local(code, rep)
                for (name, _), (code, rep) in zip(rule.params, args, strict=True)
            }
            code, rep = self.expr(rule.body, scope.inlined(env))
            return code, self._number_rep(expr.type) or rep
        function = self.call_function(rule)
        self.uses_memo = True
        arguments = "".join(", " + code for code, _ in args)
        return f"{function}(_i, _m{arguments})", self._number_rep(expr.type) or ANY_FORM

    @visits(model.BuiltinCall)
    def _BuiltinCall(self, expr: model.BuiltinCall, scope: Scope) -> tuple[str, str]:
        entry = semantics.BUILTINS.get(expr.name)
        if entry is None:
            raise CannotCompile(f"unknown builtin `{expr.name}`")
        return self.operation(entry, expr, [self.expr(arg, scope) for arg in expr.args])

    def operation(
        self, entry: semantics.Operation, expr: Any, args: Sequence[tuple[str, str]]
    ) -> tuple[str, str]:
        """The code of the operation `entry` on the arguments' code and number kinds `args`,
        as its `semantics.Emit` says, and the kind of numbers its value holds."""
        codes = [code for code, _ in args]
        reps = [rep for _, rep in args]
        emit = entry.emit
        result_type = strip_optional(expr.type) if expr.type is not None else None
        int_result = INT_FORM if isinstance(result_type, IntType) else None
        number_result = isinstance(result_type, NumberType)
        # Exact as Python writes it: on ints and Decimals (in the exact context), on ints
        # typed as such, and on what is not a number (texts and lists joined by `+`).
        exact = all(rep != ANY_FORM for rep in reps) or int_result is not None or not number_result
        by_value = emit.by_value is not None and emit.by_value(expr)
        code = None if by_value else emit.inline(codes, exact)
        inline = code is not None
        if code is None:
            if emit.fast is not None and not by_value:
                code = f"{self.src.constant(emit.fast)}({', '.join(codes)})"
            else:
                code = (
                    f"_builtin({self.src.constant(entry.value)}, {self.src.constant(expr)}, "
                    f"({''.join(c + ', ' for c in codes)}))"
                )
        form = emit.number
        if form == "int":
            return code, INT_FORM
        if form == "same":
            return code, reps[0] if inline else ANY_FORM
        if form == "widest":
            return code, int_result or widest_form(*reps)
        if form == "number":
            if int_result is not None:
                return code, INT_FORM
            if not number_result:
                return code, widest_form(*reps)
            return code, DEC_FORM if inline else ANY_FORM
        if form == "fraction":
            return code, ANY_FORM
        return code, int_result or ANY_FORM

    @visits(model.ScheduleLookup)
    def _ScheduleLookup(self, expr: model.ScheduleLookup, scope: Scope) -> tuple[str, str]:
        schedule = self.policy.schedules.get(expr.key)
        if schedule is None:
            raise CannotCompile(f"unknown schedule `{expr.key}`")
        codes = [self.expr(arg, scope)[0] for arg in expr.args]
        if schedule.dated:
            category = codes[1] if len(codes) > 1 else "None"
            code = f"_dated({self.src.constant(schedule)}, {codes[0]}, {category})"
            return code, self._number_rep(expr.type) or ANY_FORM
        key = f"({codes[0]}, {codes[1] if len(codes) > 1 else 'None'})"
        cells = self.src.constant(dict(schedule.cells))
        return f"{cells}.get({key})", self._number_rep(expr.type) or ANY_FORM

    @visits(model.StageLookup)
    def _StageLookup(self, expr: model.StageLookup, scope: Scope) -> tuple[str, str]:
        schedule = self.policy.schedules.get(expr.key)
        if schedule is None:
            raise CannotCompile(f"unknown schedule `{expr.key}`")
        code, _ = self.expr(expr.arg, scope)
        return f"_stage({self.src.constant(schedule)}, {code})", ANY_FORM

    @visits(model.BandsLookup)
    def _BandsLookup(self, expr: model.BandsLookup, scope: Scope) -> tuple[str, str]:
        definition = self.policy.bands.get(expr.key)
        if definition is None:
            raise CannotCompile(f"unknown bands `{expr.key}`")
        bands = []
        for band in definition.bands:
            low, high = self._fixed(band.low), self._fixed(band.high)
            if low is None or high is None:
                # The reference reports a bound that is none; leave it to it.
                return "_give_up()", ANY_FORM
            bands.append((low, band.low_inclusive, high, band.high_inclusive, band.name))
        code, _ = self.expr(expr.arg, scope)
        return f"_bands({self.src.constant(tuple(bands))}, {code})", ANY_FORM

    def _fixed(self, expr: Any) -> Any:
        if isinstance(expr, model.Const):
            return expr.value
        if isinstance(expr, model.ParamRef):
            if expr.key in self.params:
                return self.params[expr.key]
            definition = self.policy.params.get(expr.key)
            if definition is not None:
                return definition.default
        raise CannotCompile("a band bound that is not a constant or a param")

    @visits(model.Negate)
    def _Negate(self, expr: model.Negate, scope: Scope) -> tuple[str, str]:
        return self._operator(expr)(self.expr(expr.operand, scope))

    @visits(model.Arith)
    def _Arith(self, expr: model.Arith, scope: Scope) -> tuple[str, str]:
        return self._operator(expr)(self.expr(expr.left, scope), self.expr(expr.right, scope))

    @visits(model.Compare)
    def _Compare(self, expr: model.Compare, scope: Scope) -> tuple[str, str]:
        return self._operator(expr)(self.expr(expr.left, scope), self.expr(expr.right, scope))

    def _operator(self, expr: Any) -> Callable[..., tuple[str, str]]:
        entry = semantics.operation_of(expr)
        if entry is None:
            raise CannotCompile(f"unknown operator `{getattr(expr, 'op', '-')}`")
        return lambda *args: self.operation(entry, expr, args)

    @visits(model.In)
    def _In(self, expr: model.In, scope: Scope) -> tuple[str, str]:
        item, _ = self.expr(expr.item, scope)
        collection, _ = self.expr(expr.collection, scope)
        return f"({item} {'not in' if expr.negated else 'in'} {collection})", INT_FORM

    @visits(model.IsNone)
    def _IsNone(self, expr: model.IsNone, scope: Scope) -> tuple[str, str]:
        code, _ = self.expr(expr.operand, scope)
        return f"({code} {'is not' if expr.negated else 'is'} None)", INT_FORM

    @visits(model.Coalesce)
    def _Coalesce(self, expr: model.Coalesce, scope: Scope) -> tuple[str, str]:
        value, value_rep = self.expr(expr.value, scope)
        fallback, fallback_rep = self.expr(expr.fallback, scope.lazy())
        rep = self._number_rep(expr.type) or widest_form(value_rep, fallback_rep)
        if self.can_fail(expr.fallback) or _size(expr.fallback) > 3:
            return f"_coalesce_lazy({value}, lambda: {fallback})", rep
        return f"_coalesce({value}, {fallback})", rep

    @visits(model.Not)
    def _Not(self, expr: model.Not, scope: Scope) -> tuple[str, str]:
        code, _ = self.expr(expr.operand, scope)
        return f"(not {code})", INT_FORM

    def _junction(self, operands: Sequence[Any], word: str, function: str, scope: Scope) -> str:
        if not operands:
            # `all of []` is true and `any of []` false, as `all(())` and `any(())` are (the
            # joined form would be `()`, an empty tuple).
            return "True" if function == "all" else "False"
        fallible = any(self.can_fail(operand) for operand in operands)
        # Operands that cannot fail may be skipped; otherwise every one is evaluated first.
        codes = [
            self.expr(op, scope if (fallible or i == 0) else scope.lazy())[0]
            for i, op in enumerate(operands)
        ]
        if fallible:
            return f"{function}(({''.join(c + ', ' for c in codes)}))"
        return "(" + f" {word} ".join(codes) + ")"

    @visits(model.And)
    def _And(self, expr: model.And, scope: Scope) -> tuple[str, str]:
        return self._junction(expr.operands, "and", "all", scope), INT_FORM

    @visits(model.Or)
    def _Or(self, expr: model.Or, scope: Scope) -> tuple[str, str]:
        return self._junction(expr.operands, "or", "any", scope), INT_FORM

    @visits(model.Compose)
    def _Compose(self, expr: model.Compose, scope: Scope) -> tuple[str, str]:
        if expr.kind == "all":
            return self._junction(expr.items, "and", "all", scope), INT_FORM
        if expr.kind == "any":
            return self._junction(expr.items, "or", "any", scope), INT_FORM
        if expr.kind == "at_least" and expr.count is not None:
            codes = [self.expr(item, scope)[0] for item in expr.items]
            count, _ = self.expr(expr.count, scope)
            return f"(sum(({''.join(c + ', ' for c in codes)})) >= {count})", INT_FORM
        raise CannotCompile(f"unknown composition `{expr.kind}`")

    @visits(model.If)
    def _If(self, expr: model.If, scope: Scope) -> tuple[str, str]:
        condition, _ = self.expr(expr.condition, scope)
        then, then_rep = self.expr(expr.then, scope.lazy())
        otherwise, otherwise_rep = self.expr(expr.otherwise, scope.lazy())
        rep = self._number_rep(expr.type) or widest_form(then_rep, otherwise_rep)
        return f"({then} if {condition} else {otherwise})", rep

    @visits(model.MakeList)
    def _MakeList(self, expr: model.MakeList, scope: Scope) -> tuple[str, str]:
        items = [self.expr(item, scope) for item in expr.items]
        return f"({''.join(code + ', ' for code, _ in items)})", widest_form(
            INT_FORM, *(r for _, r in items)
        )

    @visits(model.MakeRecord)
    def _MakeRecord(self, expr: model.MakeRecord, scope: Scope) -> tuple[str, str]:
        parts = []
        reps = [INT_FORM]
        for spread in expr.spreads:
            code, rep = self.expr(spread, scope)
            parts.append(f"**{code}")
            reps.append(rep)
        for name, value in expr.fields:
            code, rep = self.expr(value, scope)
            parts.append(f"{name!r}: {code}")
            reps.append(rep)
        return "{" + ", ".join(parts) + "}", widest_form(*reps)

    @visits(model.Aggregate)
    def _Aggregate(self, expr: model.Aggregate, scope: Scope) -> tuple[str, str]:
        collection, collection_rep = self.expr(expr.collection, scope)
        var = self.src.fresh("x")
        inner = scope.lazy().bind(expr.var, Local(var, collection_rep))
        condition = ""
        if expr.filter is not None:
            test, _ = self.expr(expr.filter, inner)
            condition = f" if {test}"
        body, body_rep = (
            self.expr(expr.body, inner) if expr.body is not None else (var, collection_rep)
        )
        loop = f"for {var} in {collection}{condition}"
        values = f"[{body} {loop}]"
        kind = expr.kind
        int_result = self._number_rep(expr.type)
        if kind == "count":
            if expr.body is None:
                return (f"len({values})" if condition else f"len({collection})"), INT_FORM
            return f"_truths({values}).count(True)", INT_FORM
        if kind == "list":
            return f"tuple({values})", body_rep
        if kind == "sum":
            if int_result == INT_FORM:
                return f"_int_sum({values})", INT_FORM
            return f"_sum({values})", ANY_FORM if body_rep == ANY_FORM else DEC_FORM
        if kind in ("min", "max"):
            return f"_extreme({kind}, {values})", int_result or body_rep
        if kind in ("all", "any"):
            fallible = (expr.body is not None and self.can_fail(expr.body)) or self.can_fail(
                expr.filter
            )
            if fallible or (expr.body is not None and isinstance(expr.body.type, OptionalType)):
                return f"{kind}(_truths({values}))", INT_FORM
            return f"{kind}({body} {loop})", INT_FORM
        if kind == "rate":
            return f"_rate({values})", ANY_FORM
        raise CannotCompile(f"unknown aggregate `{kind}`")


def _declared_optional(expr: model.GetField) -> bool:
    """Whether the record's declaration makes the field read by `expr` optional (whatever
    narrowing made of `expr.type`)."""
    record = strip_optional(expr.target.type) if expr.target.type is not None else None
    info = record.field(expr.field) if isinstance(record, RecordType) else None
    return info is None or isinstance(info.type, OptionalType)


def _holds_record(type_: Type | None) -> bool:
    inner = strip_optional(type_) if type_ is not None else None
    if isinstance(inner, ListType):
        return _holds_record(inner.element)
    return isinstance(inner, RecordType)


def _is_plain_name(code: str) -> bool:
    """Code that is a name, a constant or subscripts of them: cheap and safe to repeat."""
    return (
        re.fullmatch(
            r"_[A-Za-z0-9_]+(\[(?:'[A-Za-z0-9_]*'|[0-9]+)\])*|-?[0-9]+|True|False|None", code
        )
        is not None
    )


def _fast_constant(value: Any) -> Any:
    """A constant's numbers as Decimals where exact (the fast form), Fractions otherwise."""
    if type(value) is Fraction:
        exact = fraction_to_decimal(value)
        return exact if exact is not None else value
    if type(value) is tuple:
        return tuple(_fast_constant(item) for item in value)
    if type(value) is dict:
        return {key: _fast_constant(item) for key, item in value.items()}
    return value


# ------------------------------------------------------------------------------------------
# The program


def _as_locals(source: GeneratedCode, body: list[str], keep: set[str]) -> str:
    """`, name=name, …` for the constants, helpers and builtins `body` reads (but `keep`):
    parameters with defaults, which the function reads as locals, a little faster than
    globals on its hot path; callers pass the document only. (Positional, not keyword-only:
    CPython 3.11 calls a function with keyword-only defaults on a slower path.) The names are
    the compiler's own, as everywhere."""
    try:
        code = compile("def _f():\n" + "\n".join(body), "<names>", "exec").co_consts[0]
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return ""
    names = sorted(
        name
        for name in code.co_names
        if (name in source.namespace or name in _SAFE_BUILTINS) and name not in keep
    )
    return "".join(f", {name}={name}" for name in names)


class Program:
    """The compiled form of some rules of a policy with fixed params.

    `evaluate(document)` gives the rules' values (fast form) in `keys` order, or None when the
    document must go to `FactsSchema` and the reference evaluator (not plain, or some rule
    fails). `facts(document)` gives the document's values in fast form (or None: not plain)
    and `run(values)` the rules' values from them (or None): the two steps of tier 2, apart.
    `tiered` says whether a tier 1 exists (see the module's docstring); `source` is the
    generated code (for the curious and for tests).
    """

    def __init__(
        self,
        keys: tuple[str, ...],
        facts: Callable[[Any], Any],
        main: Callable[[Any], tuple[Any, ...]],
        evaluate: Callable[[Any], tuple[Any, ...]],
        source: str,
        tiered: bool,
    ) -> None:
        self.keys = keys
        self.positions = {key: index for index, key in enumerate(keys)}
        self._facts = facts
        self._main = main
        self._evaluate = evaluate
        self.source = source
        self.tiered = tiered

    @property
    def facts_function(self) -> Callable[[Any], dict[str, Any]]:
        """The generated facts check itself: raises (anything) when the document is not plain."""
        return self._facts

    @property
    def main_function(self) -> Callable[[Any], tuple[Any, ...]]:
        """The generated evaluator itself: raises (anything) when the reference must decide.
        Call it inside `exact_context()`: its arithmetic is exact only there."""
        return self._main

    @property
    def evaluate_function(self) -> Callable[[Any], tuple[Any, ...]]:
        """The generated fused function (tier 1, else tier 2) on a document: the rules'
        values, or raises (anything) when the reference must decide. Call it inside
        `exact_context()`: its arithmetic is exact only there."""
        return self._evaluate

    def evaluate(self, document: Any, stats: FastPathStats | None = None) -> tuple[Any, ...] | None:
        return run_exact(self._evaluate, document, stats)  # type: ignore[no-any-return]

    def facts(self, document: Any, stats: FastPathStats | None = None) -> dict[str, Any] | None:
        try:
            return self._facts(document)  # type: ignore[no-any-return]
        except Exception as error:
            fallback_reason(error, stats)
            return None

    def run(
        self, values: Mapping[str, Any], stats: FastPathStats | None = None
    ) -> tuple[Any, ...] | None:
        return run_exact(self._main, values, stats)  # type: ignore[no-any-return]


def run_exact(
    function: Callable[[Any], Any], argument: Any, stats: FastPathStats | None = None
) -> Any:
    """`function(argument)` of generated code in `EXACT_CONTEXT`, or None when it raises
    (the reference evaluator decides; the reason is counted in `stats`, see
    `fallback_reason`); the caller's decimal context comes back after.
    (A `try` rather than `exact_context()`: this runs once per document.)"""
    saved = decimal.getcontext()
    decimal.setcontext(_EXACT)
    try:
        return function(argument)
    except Exception as error:
        fallback_reason(error, stats)
        return None
    finally:
        decimal.setcontext(saved)


def compile_program(
    policy: model.CheckedPolicy,
    params: Mapping[str, Any],
    keys: Sequence[str],
    why_not: list[str] | None = None,
    *,
    floats: bool = False,
) -> Program | None:
    """Compile the nullary rules `keys` of `policy` with the param values `params` (by key);
    with `floats`, its facts checks read a float where a number is declared as its shortest
    decimal (`floats="shortest"`, see `_FactsCode`).

    Returns None when the policy uses something the fast path does not handle (or the
    generated code would not compile), and adds why to `why_not` if given; the caller then
    uses the reference evaluator.
    """
    source = GeneratedCode()
    try:
        facts_check = FactsCheck(source, policy.inputs, floats=floats)
        facts_name = facts_check.name
        generator = EvalCode(source, policy, params)
        source.lines.append(generator.main(tuple(keys)))
        check, bound = facts_check.plain_check(generator.locals_of, generator.uses_whole_records)
        if check is not None and not generator.path_locals <= bound:
            check = None  # (never seen) a local the evaluator reads that tier 1 would not bind
        fused = source.fresh("E")
        if check is None:
            source.lines.append(f"def {fused}(_i):\n    return _main({facts_name}(_i))")
        else:
            body = [
                "    try:",
                *("        " + line for line in check),
                "    except _Error:  # not laid out as declared: tier 2",
                f"        return _main({facts_name}(_i))",
                *generator.body("    "),
            ]
            source.lines.append(
                f"def {fused}(_i{_as_locals(source, body, {'_main', facts_name})}):"
            )
            source.lines.extend(body)
        facts, main, evaluate = source.compile(facts_name, "_main", fused)
    except CannotCompile as error:
        if why_not is not None:
            why_not.append(str(error))
        return None
    except RecursionError:
        if why_not is not None:
            why_not.append("the policy nests too deeply to compile")
        return None
    return Program(tuple(keys), facts, main, evaluate, source.text, check is not None)
