"""Random well-typed policies, for the differential test of the evaluation paths
(`tests/test_differential.py`).

`policies()` draws the text of a policy: a fixed prelude of declarations (an enum, records with
optional fields, inputs of every type, params, schedules by year and by date, bands with a param bound and
their ends drawn open or closed) and a few drawn rules, criteria and rules with parameters.
Each body is an expression drawn for a type, using every construct of the language:
arithmetic with `/` and `mod` (so division by zero) and `**` (so negative and too large
exponents),
comparisons, `if`, `??`, `is none`, `and`/`or`/`not`, `all of`/`any of`/`at least N of` over
lists of 0 to 3 items, aggregates of every kind with filters over lists of records and of
numbers, bands, schedules and their stages, record literals and spreads, `text()` of records
and lists, every builtin, lists, dates, and calls of rules; `min`, `max` (called and as
aggregates), `sort`, `sort_by`, `min_by` and `max_by` over date-times and times of day too
(over records with such fields, written as literals or one for each item); member tests of
the sum type, `is` and `is not`. Every compound expression is put in parentheses, so
precedence never decides what a drawn text means.

`documents()` draws facts documents for a loaded policy (`wuxin_rules.strategies.facts`) and
then sometimes leaves out the optional fields that are none, reorders record keys, or writes
a number as text (the forms the fast facts check leaves to the full check).
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

import wuxin_rules
from wuxin_rules import strategies, zones
from wuxin_rules.values import Duration

PRELUDE = """\
policy gen "generated"

enum Kind "Kind": a "A", b, c "C"

record Inner "Inner":
  v: int "v"
  remark: text?

record Item "Item":
  n: int "n"
  d: int
  w: decimal "w"
  p: percent
  ok: bool
  kind: Kind
  memo: text?
  when: date?
  inner: Inner?
  labels: list of text
  up: int?
  next: list of int

enum Pay "Pay"
  : cash "Cash" {amount: decimal "amount"},
    card {number: text, amount: int >= 0},
    waived

input x: int "x"
input y: int
input z: decimal "z"
input pct: percent
input flag: bool
input maybe: int?
input words: text
input day: date
input wait: duration
input at: datetime
input opens: time
input kind: Kind
input item: Item "item"
input items: list of Item "items"
input nums: list of int
input tags: list of text
input pay: Pay
input pays: list of Pay
input paid: money "paid"

param cut: int = 60 "cut"
param margin: decimal = 0.25
param on: bool = true
param fee: money = 1.50

schedule goal "Goal": percent by year, Kind:
  stage early "Early" 2015-01-01 .. 2016-12-31:
    2015: a 50%, b 60%, c none
    2016: a 55%, b 65%, c 70%
  stage late 2017-01-01 .. 2018-12-31:
    2017: a 70%, b 80%, c 90%
  stage after 2019-01-01 .. 2019-12-31:

schedule level: int by year:
  stage only 2015-01-01 .. 2016-12-31:
    2015: 3
    2016: 4

schedule rate_on "Rate": decimal by date:
  from 2015-01-01 cites "R1": 1.5
  from 2016-07-01: 2
  from 2017-03-01 "third": 2.25

schedule cap_on: int? by date, Kind:
  from 2016-01-01: a 1, b 2, c none
  from 2016-06-30: a 3, b 4, c 5

bands grade "Grade" over 0 .. 100:
  0 ..< 40 low "Low"
  40 ..< cut mid
  cut .. 100 high "High"
"""

_BAND_LAYOUTS = (
    ("0 ..< 40", "40 ..< cut", "cut .. 100"),
    ("0 .. 40", "40 <..< cut", "cut .. 100"),
    ("0 .. 40", "40 <.. cut", "cut <.. 100"),
    ("0 ..< 40", "40 .. cut", "cut <.. 100"),
)
"""Ways for the prelude's bands to cover `0 .. 100` once, with open low ends (`<..`) or
high ends (`..<`) at the edges a drawn value or the `cut` param may hit."""


def _prelude(rng: random.Random, hole: bool) -> str:
    """The prelude with its bands drawn: the ends of each band, and with `hole` a declared
    hole above 100 (`100 <.. 110 none`: the lookup is none there, so the grade is optional)."""
    low, mid, high = rng.choice(_BAND_LAYOUTS)
    prelude = (
        PRELUDE.replace("  0 ..< 40 low", f"  {low} low")
        .replace("  40 ..< cut mid", f"  {mid} mid")
        .replace("  cut .. 100 high", f"  {high} high")
    )
    if hole:
        prelude = prelude.replace(
            'bands grade "Grade" over 0 .. 100:', 'bands grade "Grade" over 0 .. 110:'
        ).replace(' high "High"\n', ' high "High"\n  100 <.. 110 none\n')
    return prelude


# The types expressions are drawn for. A number ("num") may be an int, a decimal or a percent;
# "int" is a whole number (what `floor`, `date(…)` or `at least N` need).
NON_OPTIONAL = (
    "int",
    "num",
    "money",
    "bool",
    "text",
    "date",
    "dur",
    "dt",
    "tod",
    "Kind",
    "Item",
    "list int",
    "list text",
    "list Item",
)
OPTIONAL = ("int?", "num?", "text?", "date?", "stage?")
RULE_TYPES = NON_OPTIONAL + OPTIONAL

_INT_LITERALS = ("0", "1", "2", "3", "5", "(-1)", "(-2)", "2015", "100")
_NUM_LITERALS = ("0.5", "1.25", "(-0.75)", "0", "3", "12.5%", "50%", "0.1", "(-5%)", "0.001")
_TEXT_LITERALS = ('"a"', '"示例"', '""', '"b c"', '"x\\"y"')
_PATTERNS = ['"a.*"', '"(a|b c)+"', '"[^a]*"', '"\\\\w+"', '"(a"']
"""Patterns for `matches`: valid ones, a refused one (`(a`); the text input `words` is drawn too."""
_ITEM_KEYS = ('"n"', '"d"', '"w"', '"p"')
"""Fields of `Item` to order by (numbers: `sort_by` orders numbers, texts and dates)."""
_FIELD_N = '"n"'
_STAMP_KEYS = ('"t"', '"o"')
"""Fields of the records `stamped` draws to order by: a date-time, a time of day."""
_ORDER_FIELDS = {"dt": "t", "tod": "o"}
"""The field of those records holding a value of each type."""
_MODES = ("half_even", "half_up", "half_down", "up", "down", "floor", "ceiling")
_DATE_LITERALS = (
    "2020-02-29",
    "2015-06-30",
    "2017-01-01",
    "2019-12-31",
    "2016-07-01",
    "2014-12-31",
)
_DATETIME_LITERALS = (
    "2024-03-31T02:30[Europe/Paris]",  # skipped by the change to summer time: 03:30
    "2024-10-27T02:30[Europe/Paris]",  # repeated by the change back: the first
    "2025-03-01T08:30:00+08:00",
    "2024-02-29T23:59Z",
)
_TIME_LITERALS = ("00:00", "23:30", "08:30:15", "12:00", "23:59:59")
"""Times of day: midnight and the minutes before it, where `±` wraps."""
_UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
_ZONES = ('"Europe/Paris"', '"Asia/Shanghai"', '"America/New_York"', '"UTC"')
_WHOLE = ("whole_days", "whole_hours", "whole_minutes", "whole_months")

# Locals of the environment: name → type. Inputs and params are reached by name anywhere.
_INPUTS = {
    "int": ("x", "y", "cut", "item.n", "item.d"),
    "num": ("z", "pct", "margin", "item.w", "item.p", "paid"),
    "money": ("paid", "fee"),
    "bool": ("flag", "on", "item.ok"),
    "text": ("words",),
    "date": ("day",),
    "dur": ("wait",),
    "dt": ("at",),
    "tod": ("opens",),
    "Kind": ("kind", "item.kind"),
    "Item": ("item",),
    "list int": ("nums",),
    "list text": ("tags", "item.labels"),
    "list Item": ("items",),
    "int?": ("maybe",),
    "text?": ("item.memo",),
    "date?": ("item.when",),
}
_NARROWED = "#maybe"
"""In an environment: `maybe` is known not to be none (the `else` of `if maybe is none`)."""

_FIELDS = {  # fields of a local of type Item, by type
    "int": ("n", "d"),
    "num": ("w", "p"),
    "bool": ("ok",),
    "Kind": ("kind",),
    "list text": ("labels",),
    "text?": ("memo",),
    "date?": ("when",),
}


class Drawn:
    """One drawn policy: its text, and the names of its nullary rules by type."""

    def __init__(self, prelude: str = PRELUDE, hole: bool = False) -> None:
        self.prelude = prelude
        self.hole = hole  # the bands declare a hole: `grade(…)` is an optional grade
        self.rules: dict[str, str] = {}  # name → type
        self.functions: dict[str, tuple[str, str]] = {}  # name → (parameter type, result type)
        self.lines: list[str] = []

    @property
    def text(self) -> str:
        return self.prelude + "\n" + "\n".join(self.lines) + "\n"


class _Expressions:
    """Draws the text of an expression of a type, given the locals in scope."""

    def __init__(self, rng: random.Random, drawn: Drawn, rules: dict[str, str]) -> None:
        self.rng = rng
        self.drawn = drawn
        self.rules = rules  # the nullary rules this body may use (declared before it)
        self.counter = 0

    def pick(self, options: Any) -> Any:
        return self.rng.choice(list(options))

    def coin(self) -> bool:
        return self.rng.random() < 0.5

    def fresh(self) -> str:
        self.counter += 1
        return f"v{self.counter}"

    # -- entry --------------------------------------------------------------------------

    def expr(self, type_: str, depth: int, env: dict[str, str]) -> str:
        if depth <= 0 or self.rng.randint(0, 4) == 0:
            return self.leaf(type_, env)
        makers = self.compound(type_)
        return str(self.pick(makers)(depth - 1, env))

    def leaf(self, type_: str, env: dict[str, str]) -> str:
        options: list[str] = list(_INPUTS.get(type_, ()))
        if _NARROWED in env and "maybe" in options:
            options.remove("maybe")  # known not none here: `maybe ?? …` would be refused
        options += [name for name, t in env.items() if t == type_]
        options += [
            f"{name}.{field}"
            for name, t in env.items()
            if t == "Item"
            for field in _FIELDS.get(type_, ())
        ]
        options += [name for name, t in self.rules.items() if t == type_]
        options += [  # a call, with an argument that is a name
            f"{name}({self.pick(_INPUTS[parameter])})"
            for name, (parameter, result) in self.drawn.functions.items()
            if result == type_ and parameter in _INPUTS
        ]
        if type_ == "num":  # an int is a number too
            options += [name for name, t in env.items() if t == "int"]
            options += list(_INPUTS["int"])
        literals = {
            "int": (*_INT_LITERALS, "day.year", "day.month", "day.day", "day.quarter"),
            "num": _NUM_LITERALS,
            "money": ("0", "12.30", "(-0.05)", "3", "0.5"),
            "bool": (
                "true",
                "false",
                "(all of [])",
                "(any of [])",
                "(at least 0 of [])",
                "(at least 1 of [])",
            ),
            "text": _TEXT_LITERALS,
            "date": _DATE_LITERALS,
            "dur": ("days(3)", "months(1)", "hours(2)", "years(1)"),
            "dt": _DATETIME_LITERALS,
            "tod": _TIME_LITERALS,
            "Kind": ("a", "Kind.b", "c"),
            "list int": ("[1, 2]", "[0]", "[x, 3, x]"),
            "list text": ('["a", "b"]', '["b", "a", "c"]', "[words]"),
            "list dt": ("[at]", f"[{_DATETIME_LITERALS[1]}, at, {_DATETIME_LITERALS[2]}]"),
            "list tod": ("[opens]", "[23:30, opens, 00:00]"),
            "int?": ("(if flag then 1 else none)",),
            "num?": ("(if flag then 0.5 else none)", "goal(2016, c)", "goal(2015, c)"),
            "text?": ('(if flag then "t" else none)',),
            "date?": ("(if flag then 2016-02-29 else none)",),
            "stage?": ("goal.stage(day)", "goal.stage(x)", "goal.stage(2019)"),
        }.get(type_, ())
        options += list(literals)
        if not options:  # (every type has one; a guard for new types)
            raise AssertionError(f"no leaf for {type_}")
        return str(self.pick(options))

    # -- compound forms by type ---------------------------------------------------------

    def compound(self, type_: str) -> list[Callable[[int, dict[str, str]], str]]:
        e = self.expr
        common: list[Callable[[int, dict[str, str]], str]] = [
            lambda d, v: f"(if {e('bool', d, v)} then {e(type_, d, v)} else {e(type_, d, v)})",
            self.rule_or_call(type_),
        ]
        if not type_.endswith("?"):
            common.append(
                lambda d, v: (
                    f"({e(type_ + '?', d, v)} ?? {e(type_, d, v)})"
                    if type_ + "?" in OPTIONAL
                    else self.leaf(type_, v)
                )
            )
        forms: dict[str, list[Callable[[int, dict[str, str]], str]]] = {
            "int": [
                lambda d, v: f"({e('int', d, v)} {self.pick('+-*')} {e('int', d, v)})",
                lambda d, v: f"(-{e('int', d, v)})",
                lambda d, v: f"abs({e('int', d, v)})",
                lambda d, v: f"{self.pick(['floor', 'ceil'])}({e('num', d, v)})",
                lambda d, v: f"round({e('int', d, v)}, {self.pick(['0', '-1', '1'])})",
                lambda d, v: f"{self.pick(['max', 'min'])}({e('int', d, v)}, {e('int', d, v)})",
                lambda d, v: f"{e('date', d, v)}.{self.pick(['year', 'month', 'day', 'quarter'])}",
                lambda d, v: f"days_between({e('date', d, v)}, {e('date', d, v)})",
                lambda d, v: f"quarter_last_month({e('int', d, v)})",
                lambda d, v: f"{self.pick(_WHOLE)}({e('dur', d, v)})",
                lambda d, v: f"{e('dt', d, v)}.{self.pick(['hour', 'minute', 'year', 'day'])}",
                lambda d, v: f"{e('tod', d, v)}.{self.pick(['hour', 'minute', 'second'])}",
                lambda d, v: f"len({e(self.pick(['list int', 'list text', 'list Item']), d, v)})",
                lambda d, v: f"length({e('text', d, v)})",
                lambda d, v: f"{self.pick(['first', 'last'])}({e('list int', d, v)})",
                lambda d, v: f"nth({e('list int', d, v)}, {e('int', d, v)})",
                lambda d, v: (
                    f"{self.pick(['min_by', 'max_by'])}({e('list Item', d, v)}, {_FIELD_N}).n"
                ),
                lambda d, v: (
                    f"{self.pick(['min_by', 'max_by'])}({self.stamped(d, v)}, "
                    f"{self.pick(_STAMP_KEYS)}).n"
                ),
                lambda d, v: self.aggregate("count", "", d, v),
                lambda d, v: self.aggregate("sum", "int", d, v),
                self.narrowed,
                lambda d, v: self.inner_field(d, v),
                lambda d, v: f"({self.spread(d, v)}).{self.pick(['n', 'd'])}",
                lambda d, v: f"(level({e('int', d, v)}) ?? {e('int', d, v)})",
                lambda d, v: f"({e('int', d, v)} mod {e('int', d, v)})",
                lambda d, v: f"({e('int', d, v)} ** {self.exponent(d, v)})",
            ],
            "num": [
                lambda d, v: f"({e('num', d, v)} {self.pick('+-*/')} {e('num', d, v)})",
                lambda d, v: f"({e('num', d, v)} / {e('int', d, v)})",
                lambda d, v: f"rate_on({e('date', d, v)})",
                lambda d, v: f"(-{e('num', d, v)})",
                lambda d, v: f"abs({e('num', d, v)})",
                lambda d, v: f"round({e('num', d, v)}, {self.pick(['0', '2', '-1', 'y'])})",
                lambda d, v: (
                    f"{self.pick(['max', 'min'])}({e('num', d, v)}, {e('num', d, v)}, {e('int', d, v)})"
                ),
                lambda d, v: self.aggregate("sum", "num", d, v),
                lambda d, v: e("int", d, v),
                lambda d, v: f"({e('num', d, v)} mod {e('num', d, v)})",
                lambda d, v: f"({e('num', d, v)} ** {self.exponent(d, v)})",
                lambda d, v: self.match(self.pay(v), d, v),
                lambda d, v: self.pay_sum(d, v),
                lambda d, v: e("money", d, v),
            ],
            "money": [
                # Amounts keep their scale under + - and × a whole number; anything else is
                # rounded by a declared mode (the check refuses it otherwise).
                lambda d, v: (
                    f"round({e('num', d, v)}, {self.pick(['2', '1', '0'])}, {self.pick(_MODES)})"
                ),
                lambda d, v: f"({e('money', d, v)} {self.pick('+-')} {e('money', d, v)})",
                lambda d, v: f"({e('money', d, v)} * {e('int', d, v)})",
                lambda d, v: f"(-{e('money', d, v)})",
                lambda d, v: f"{self.pick(['max', 'min'])}({e('money', d, v)}, {e('money', d, v)})",
            ],
            "bool": [
                lambda d, v: (
                    f"({self.pay(v)} {self.pick(['is', 'is not'])} "
                    f"{self.pick(['cash', 'card', 'waived'])})"
                ),
                lambda d, v: f"({self.pay(v)}.kind in [{self.pick(['cash', 'card, waived'])}])",
                lambda d, v: (
                    f"({e('num', d, v)} {self.pick(['<', '<=', '>', '>=', '==', '!='])} {e('num', d, v)})"
                ),
                lambda d, v: (
                    f"({e('date', d, v)} {self.pick(['<', '>=', '=='])} {e('date', d, v)})"
                ),
                self.durations_compared,
                lambda d, v: (
                    f"({e('dt', d, v)} {self.pick(['<', '<=', '>', '>=', '==', '!='])} {e('dt', d, v)})"
                ),
                lambda d, v: (
                    f"({e('tod', d, v)} {self.pick(['<', '<=', '>', '>=', '==', '!='])} {e('tod', d, v)})"
                ),
                lambda d, v: self.equality(d, v),
                lambda d, v: (
                    f"({e('int', d, v)} {self.pick(['in', 'not in'])} {e('list int', d, v)})"
                ),
                lambda d, v: f"({e('text', d, v)} in {e('list text', d, v)})",
                lambda d, v: (
                    f"{self.pick(['contains', 'starts_with', 'ends_with'])}"
                    f"({e('text', d, v)}, {self.pick(_TEXT_LITERALS)})"
                ),
                lambda d, v: f"matches({e('text', d, v)}, {self.pick([*_PATTERNS, 'words'])})",
                lambda d, v: f"({e('Kind', d, v)} in [{self.pick(['a', 'b, c', 'Kind.a, c'])}])",
                # Not a path (`maybe`, `item.when`): `if maybe is not none and … then` narrows
                # it, and a drawn `maybe is none` under it would be a `never-none` error.
                lambda d, v: (
                    f"({e(self.pick(['num?', 'stage?']), d, v)} "
                    f"{self.pick(['is none', 'is not none'])})"
                ),
                lambda d, v: f"({e('bool', d, v)} {self.pick(['and', 'or'])} {e('bool', d, v)})",
                lambda d, v: f"({e('bool', d, v)} and {e('bool', d, v)} or {e('bool', d, v)})",
                lambda d, v: f"(not {e('bool', d, v)})",
                lambda d, v: self.composition(d, v),
                lambda d, v: self.aggregate(self.pick(["all", "any"]), "bool", d, v),
                lambda d, v: (
                    f"({self.grade(e('num', d, v))} {self.pick(['==', '!='])} {self.pick(['low', 'mid', 'high'])})"
                ),
                lambda d, v: (
                    f"((goal.stage({e('date', d, v)}) ?? early) == {self.pick(['early', 'late', 'after'])})"
                ),
            ],
            "text": [
                lambda d, v: f"text({e(self.pick(NON_OPTIONAL), d, v)})",
                lambda d, v: f"text({self.record(d, v)})",
                lambda d, v: f"join({e('list text', d, v)}, {self.pick(_TEXT_LITERALS)})",
                lambda d, v: f"label({e('Kind', d, v)})",
                lambda d, v: f"label({self.grade(e('num', d, v))})",
                lambda d, v: f"label(goal.stage({e('date', d, v)}) ?? late)",
                lambda d, v: f"({e('text', d, v)} + {e('text', d, v)})",
                lambda d, v: f"text({e('stage?', d, v)} ?? early)",
                lambda d, v: f"{self.pick(['upper', 'lower', 'trim'])}({e('text', d, v)})",
                lambda d, v: (
                    f"substring({e('text', d, v)}, {self.pick(['0', '1', 'y'])}, {e('int', d, v)})"
                ),
            ],
            "date": [
                lambda d, v: (
                    f"date({self.pick(['2020', 'y', '2015'])}, {e('int', d, v)}, {e('int', d, v)})"
                ),
                lambda d, v: f"add_days({e('date', d, v)}, {e('int', d, v)})",
                lambda d, v: f"({e('date', d, v)} {self.pick('+-')} {e('dur', d, v)})",
                lambda d, v: f"({e('dur', d, v)} + {e('date', d, v)})",
                lambda d, v: f"{e('dt', d, v)}.date",
                lambda d, v: f"add_months({e('date', d, v)}, {e('int', d, v)})",
                lambda d, v: f"{self.pick(['max', 'min'])}({e('date', d, v)}, {e('date', d, v)})",
            ],
            "dur": [
                lambda d, v: f"{self.pick(_UNITS)}({e('int', d, v)})",
                lambda d, v: f"({e('dur', d, v)} {self.pick('+-')} {e('dur', d, v)})",
                lambda d, v: f"({e('dur', d, v)} * {e('int', d, v)})",
                lambda d, v: f"({e('int', d, v)} * {e('dur', d, v)})",
                lambda d, v: f"(-{e('dur', d, v)})",
                lambda d, v: f"({e('date', d, v)} - {e('date', d, v)})",
                lambda d, v: f"({e('dt', d, v)} - {e('dt', d, v)})",
                lambda d, v: f"({e('tod', d, v)} - {e('tod', d, v)})",
            ],
            "dt": [
                lambda d, v: f"({e('dt', d, v)} {self.pick('+-')} {e('dur', d, v)})",
                lambda d, v: f"({e('dur', d, v)} + {e('dt', d, v)})",
                lambda d, v: f"in_zone({e('dt', d, v)}, {self.pick(_ZONES)})",
                *self.ordered("dt"),
            ],
            "tod": [
                lambda d, v: f"({e('tod', d, v)} {self.pick('+-')} {e('dur', d, v)})",
                lambda d, v: f"({e('dur', d, v)} + {e('tod', d, v)})",
                lambda d, v: f"{e('dt', d, v)}.time",
                *self.ordered("tod"),
            ],
            "list dt": self.ordered_lists("dt"),
            "list tod": self.ordered_lists("tod"),
            "Kind": [],
            "Item": [],
            "list int": [
                lambda d, v: self.aggregate("list", "int", d, v),
                lambda d, v: f"[{e('int', d, v)}, {e('int', d, v)}]",
                lambda d, v: f"({e('list int', d, v)} + [{e('int', d, v)}])",
            ],
            "list text": [
                lambda d, v: self.aggregate("list", "text", d, v),
                lambda d, v: f"sample({e('list text', d, v)}, {e('num', d, v)}, {e('text', d, v)})",
                lambda d, v: f"[{e('text', d, v)}]",
                lambda d, v: f"split({e('text', d, v)}, {self.pick(_TEXT_LITERALS)})",
                lambda d, v: (
                    f"{self.pick(['reverse', 'distinct', 'sort'])}({e('list text', d, v)})"
                ),
            ],
            "list Item": [
                lambda d, v: self.aggregate("list", "", d, v),
                lambda d, v: f"sort_by({e('list Item', d, v)}, {self.pick(_ITEM_KEYS)})",
                lambda d, v: self.linked(d, v),
            ],
            "int?": [
                lambda d, v: f"(if {e('bool', d, v)} then {e('int', d, v)} else none)",
                lambda d, v: self.aggregate(self.pick(["min", "max"]), "int", d, v),
                lambda d, v: f"level({e('int', d, v)})",
                lambda d, v: f"cap_on({e('date', d, v)}, {e('Kind', d, v)})",
            ],
            "num?": [
                lambda d, v: self.aggregate("rate", "bool", d, v),
                lambda d, v: f"goal({e('int', d, v)}, {e('Kind', d, v)})",
                lambda d, v: self.aggregate(self.pick(["min", "max"]), "num", d, v),
                lambda d, v: f"(if {e('bool', d, v)} then {e('num', d, v)} else none)",
            ],
            "text?": [
                lambda d, v: f"(if {e('bool', d, v)} then {e('text', d, v)} else none)",
            ],
            "date?": [
                lambda d, v: self.aggregate(self.pick(["min", "max"]), "date", d, v),
            ],
            "stage?": [
                lambda d, v: f"goal.stage({e(self.pick(['date', 'int']), d, v)})",
            ],
        }
        return forms[type_] + common

    def ordered(self, type_: str) -> list[Callable[[int, dict[str, str]], str]]:
        """The forms that pick a date-time or a time of day (`type_`, "dt" or "tod") by its
        order: `min`/`max` of two or three, `min of`/`max of` (none over no element, so
        with a default), the first or last of a list sorted by `sort` or by `sort_by`, and a
        field of `min_by`/`max_by`."""
        e = self.expr
        field = _ORDER_FIELDS[type_]
        return [
            lambda d, v: (
                f"{self.pick(['max', 'min'])}({e(type_, d, v)}, {e(type_, d, v)}"
                f"{'' if self.coin() else ', ' + e(type_, d, v)})"
            ),
            lambda d, v: (
                f"({self.aggregate(self.pick(['min', 'max']), type_, d, v)} ?? {e(type_, d, v)})"
            ),
            lambda d, v: f"{self.pick(['first', 'last'])}({self.sorted_list(type_, d, v)})",
            lambda d, v: (
                f"{self.pick(['min_by', 'max_by'])}({self.stamped(d, v)}, "
                f"{self.pick(_STAMP_KEYS)}).{field}"
            ),
        ]

    def ordered_lists(self, type_: str) -> list[Callable[[int, dict[str, str]], str]]:
        """Lists of date-times or of times of day (`type_`): literals, `list of`, `sort`, and
        a field of the records `sort_by` orders by a date-time or a time of day."""
        e = self.expr
        field = _ORDER_FIELDS[type_]
        return [
            lambda d, v: f"[{e(type_, d, v)}, {e(type_, d, v)}]",
            lambda d, v: self.aggregate("list", type_, d, v),
            lambda d, v: f"sort({e('list ' + type_, d, v)})",
            lambda d, v: self.sorted_field(field, d, v),
        ]

    def sorted_list(self, type_: str, depth: int, env: dict[str, str]) -> str:
        """A list of date-times or of times of day (`type_`) in order: by `sort`, or a field
        of records ordered by `sort_by`."""
        if self.coin():
            return self.sorted_field(_ORDER_FIELDS[type_], depth, env)
        return f"sort({self.expr('list ' + type_, depth, env)})"

    def stamped(self, depth: int, env: dict[str, str]) -> str:
        """A list of records with a date-time `t`, a time of day `o` and an int `n` (to order
        `sort_by`, `min_by` and `max_by` by the clock): a literal of one or two records, or
        one record for each of the items."""
        e = self.expr
        if self.coin():
            records = (
                f"{{t: {e('dt', depth, env)}, o: {e('tod', depth, env)}, n: {e('int', depth, env)}}}"
                for _ in range(self.rng.randint(1, 2))
            )
            return f"[{', '.join(records)}]"
        var = self.fresh()
        inner = {**env, var: "Item"}
        return (
            f"(list of {var} in {e('list Item', depth, env)} : "
            f"{{t: {e('dt', depth, inner)}, o: {e('tod', depth, inner)}, n: {var}.n}})"
        )

    def sorted_field(self, field: str, depth: int, env: dict[str, str]) -> str:
        """`list of r in sort_by(RECORDS, KEY) : r.FIELD`: records ordered by a date-time or
        a time of day, one of whose fields is listed."""
        var = self.fresh()
        records = f"sort_by({self.stamped(depth, env)}, {self.pick(_STAMP_KEYS)})"
        return f"(list of {var} in {records} : {var}.{field})"

    def grade(self, number: str) -> str:
        """`grade(number)`, with a default where the bands' hole makes it optional."""
        return f"(grade({number}) ?? mid)" if self.drawn.hole else f"grade({number})"

    def exponent(self, depth: int, env: dict[str, str]) -> str:
        """A small exponent mostly, any whole number sometimes (negative, or past the size
        limit: `invalid-argument`, `power-too-large`)."""
        return self.pick(["0", "1", "2", "3", "-1", self.expr("int", depth, env)])

    def rule_or_call(self, type_: str) -> Callable[[int, dict[str, str]], str]:
        def make(depth: int, env: dict[str, str]) -> str:
            calls = [
                (name, parameter)
                for name, (parameter, result) in self.drawn.functions.items()
                if result == type_
            ]
            if calls:
                name, parameter = self.pick(calls)
                return f"{name}({self.expr(parameter, depth, env)})"
            return self.leaf(type_, env)

        return make

    def durations_compared(self, depth: int, env: dict[str, str]) -> str:
        """Two durations compared: of one kind (never refused), or of any two (each with
        `seconds(0)` added, so that the checker cannot tell they hold only months and
        refuse the comparison: the values decide, and may have no order)."""
        op = self.pick(["<", "<=", ">", ">=", "==", "!="])
        if self.coin():
            units = self.pick([("years", "months"), ("weeks", "days", "hours", "seconds")])
            left, right = (f"{self.pick(units)}({self.expr('int', depth, env)})" for _ in "ab")
            return f"({left} {op} {right})"
        left, right = (self.expr("dur", depth, env) for _ in "ab")
        return f"(({left} + seconds(0)) {op} ({right} + seconds(0)))"

    def narrowed(self, depth: int, env: dict[str, str]) -> str:
        """`maybe` (an `int?` input) used as an int where `if` has made it safe."""
        if _NARROWED in env:
            return f"(maybe + {self.expr('int', depth, env)})"
        fallback = self.expr("int", depth, env)
        safe = self.expr("int", depth, {**env, _NARROWED: "narrowed"})
        return f"(if maybe is none then {fallback} else (maybe + {safe}))"

    def inner_field(self, depth: int, env: dict[str, str]) -> str:
        record = self.pick(["item"] + [name for name, t in env.items() if t == "Item"])
        fallback = self.expr("int", depth, env)
        return f"(if {record}.inner is none then {fallback} else {record}.inner.v)"

    def equality(self, depth: int, env: dict[str, str]) -> str:
        type_ = self.pick(["int", "text", "Kind", "Item", "list int", "list text", "bool", "date"])
        op = self.pick(["==", "!="])
        if type_.startswith("list") and self.coin():
            return f"({self.expr(type_, depth, env)} {op} [])"  # an empty list, typed by the left
        return f"({self.expr(type_, depth, env)} {op} {self.expr(type_, depth, env)})"

    def pay(self, env: dict[str, str]) -> str:
        """A value of the enum that carries data: the input, or a local of an aggregate."""
        return str(self.pick(["pay"] + [name for name, t in env.items() if t == "Pay"]))

    def match(self, subject: str, depth: int, env: dict[str, str]) -> str:
        """A `match` on a `Pay` giving a number: every member an arm, or some of them and
        `case _`, in any order, each arm's fields bound to fresh names."""
        arms = []
        for member, fields in (("cash", ("num",)), ("card", ("text", "int")), ("waived", ())):
            names = [self.fresh() for _ in fields]
            inner = {**env, **dict(zip(names, fields, strict=True))}
            bound = f"({', '.join(names)})" if names else ""
            arms.append(f"case {member}{bound} => {self.expr('num', depth, inner)}")
        self.rng.shuffle(arms)
        if self.coin():
            arms = arms[: self.rng.randint(0, 2)]
            arms.append(f"case _ => {self.expr('num', depth, env)}")
        return f"(match {subject}: {' '.join(arms)})"

    def pay_sum(self, depth: int, env: dict[str, str]) -> str:
        """A sum over the list of `Pay`s of a `match` on each."""
        var = self.fresh()
        return f"(sum of {var} in pays : {self.match(var, depth, {**env, var: 'Pay'})})"

    def composition(self, depth: int, env: dict[str, str]) -> str:
        items = ", ".join(self.expr("bool", depth, env) for _ in range(self.rng.randint(0, 3)))
        kind = self.pick(["all of", "any of", "at least"])
        if kind == "at least":
            count = self.pick(["0", "1", "2", "x", "cut"])
            return f"(at least {count} of [{items}])"
        return f"({kind} [{items}])"

    def spread(self, depth: int, env: dict[str, str]) -> str:
        """`{...item, n: …}`: the fields of an item, one replaced."""
        base = self.expr("Item", depth, env)
        return f"{{...{base}, n: {self.expr('int', depth, env)}}}"

    def record(self, depth: int, env: dict[str, str]) -> str:
        """A record literal: a spread of an item with a field replaced, or fields of its own."""
        if self.coin():
            return self.spread(depth, env)
        return (
            f"{{first: {self.expr('num', depth, env)}, second: {self.expr('text?', depth, env)}, "
            f"third: {self.expr('list int', depth, env)}}}"
        )

    def linked(self, depth: int, env: dict[str, str]) -> str:
        """`ancestors` (through the optional key `up`) or `reachable` (through the list of
        keys `next`) over items keyed by `n`, from a drawn key."""
        name, link = self.pick([("ancestors", '"up"'), ("reachable", '"next"')])
        items, start = self.expr("list Item", depth, env), self.expr("int", depth, env)
        return f"{name}({items}, {start}, {_FIELD_N}, {link})"

    def aggregate(self, kind: str, body_type: str, depth: int, env: dict[str, str]) -> str:
        """`KIND of VAR in LIST where FILTER : BODY` over items or nums, filter and body drawn."""
        var = self.fresh()
        if body_type in ("date", "") and kind == "list":
            over = "list Item"  # (a list of records, or the `.when` of records)
        elif body_type == "date":
            over = "list Item"
        else:
            over = self.pick(["list Item", "list int"])
        collection = self.expr(over, depth, env)
        inner = {**env, var: over.removeprefix("list ")}
        where = f" where {self.expr('bool', depth, inner)}" if self.coin() else ""
        element = over.removeprefix("list ")
        bodyless = {  # kinds that may leave the body out when the elements fit
            "count": True,
            "list": body_type in ("", element),
            "sum": element == "int" and body_type in ("int", "num"),
            "min": element == "int" and body_type in ("int", "num"),
            "max": element == "int" and body_type in ("int", "num"),
        }.get(kind, False)
        if kind == "count" or (bodyless and self.coin()):
            return f"({kind} of {var} in {collection}{where})"
        if body_type == "date":
            body = f"({var}.when ?? {self.expr('date', depth, inner)})"
        else:
            body = self.expr(body_type or element, depth, inner)
        return f"({kind} of {var} in {collection}{where} : {body})"


@st.composite
def policies(draw: Callable[[Any], Any], max_rules: int = 6, depth: int = 3) -> str:
    """The text of a random well-typed policy (see the module's docstring).

    Drawn from a seed, not choice by choice: hypothesis shrinks choices toward the first
    option and the simplest form, and 200 policies drawn that way missed whole constructs
    (no `all of []`, no rule call). A failing policy is printed whole instead of shrunk."""
    return policy_text(random.Random(draw(st.integers(0, 2**64 - 1))), max_rules, depth)


def policy_text(rng: random.Random, max_rules: int = 6, depth: int = 3) -> str:
    """The text of the random policy `rng` makes: one or two rules with a parameter, up to
    `max_rules` rules of drawn types, and three rules each made by a form drawn from all the
    compound forms (so that every form is drawn often, whatever its type)."""
    hole = rng.random() < 0.3
    drawn = Drawn(_prelude(rng, hole), hole)
    for index in range(rng.randint(1, 2)):
        parameter = rng.choice(["Item", "int"])
        result = rng.choice(["int", "num", "bool", "text", "money"])
        expressions = _Expressions(rng, drawn, {})
        body = expressions.expr(result, depth - 1, {"p": parameter})
        name = f"f{index}"
        declared = {"num": "decimal"}.get(result, result)
        drawn.lines.append(f"rule {name}(p: {parameter}) -> {declared}:\n  {body}")
        drawn.functions[name] = (parameter, result)
    for index in range(rng.randint(1, max_rules)):
        type_ = rng.choice(RULE_TYPES)
        expressions = _Expressions(rng, drawn, dict(drawn.rules))
        body = expressions.expr(type_, depth, {})
        name = f"r{index}"
        keyword = "criterion" if type_ == "bool" and rng.random() < 0.5 else "rule"
        label = f' "{name} label"' if rng.random() < 0.5 else ""
        returns = " -> money" if type_ == "money" and rng.random() < 0.5 else ""
        drawn.lines.append(f"{keyword} {name}{label}{returns}:\n  {body}")
        drawn.rules[name] = type_
    for index in range(len(drawn.rules), len(drawn.rules) + 3):
        expressions = _Expressions(rng, drawn, dict(drawn.rules))
        type_, form = rng.choice(
            [(type_, form) for type_ in RULE_TYPES for form in expressions.compound(type_)]
        )
        name = f"r{index}"
        drawn.lines.append(f"rule {name}:\n  {form(depth - 1, {})}")
        drawn.rules[name] = type_
    for index in range(rng.randint(0, 2)):
        drawn.lines.append(decision_text(rng, drawn, f"t{index}", depth))
    for index in range(rng.randint(0, 1)):
        drawn.lines.append(exceptions_text(rng, drawn, f"x{index}", depth))
    return drawn.text


# ------------------------------------------------------------------------------------------
# Exceptions (default logic)


def exceptions_text(rng: random.Random, drawn: Drawn, name: str, depth: int) -> str:
    """A rule with one to four exceptions, some `to` an earlier one (a tree), some giving a
    value written like another's (no conflict between those), with conditions that may both
    hold (a conflict) and values that may fail; its body is sometimes `fail(…)`."""
    expressions = _Expressions(rng, drawn, dict(drawn.rules))
    type_ = rng.choice(["int", "num", "bool", "text"])
    declared = {"num": "decimal"}.get(type_, type_)
    base = (
        'fail("no article applies")'
        if rng.random() < 0.2
        else expressions.expr(type_, depth - 1, {})
    )
    lines = [f"rule {name} -> {declared}:", f"  {base}"]
    names: list[str] = []
    values: list[str] = []
    for index in range(rng.randint(1, 4)):
        parent = f" to {rng.choice(names)}" if names and rng.random() < 0.4 else ""
        cites = f' cites "Art. {index + 2}"' if rng.random() < 0.5 else ""
        condition = expressions.expr("bool", depth - 2, {})
        if values and rng.random() < 0.3:
            value = rng.choice(values)
        else:
            value = expressions.expr(type_, depth - 2, {})
        lines.append(f"  exception e{index}{parent}{cites} when {condition} then {value}")
        names.append(f"e{index}")
        values.append(value)
    drawn.rules[name] = type_
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------
# Decision tables

HIT_POLICIES = (
    "unique",
    "any",
    "first",
    "priority",
    "rule order",
    "output order",
    "collect",
    "collect sum",
    "collect min",
    "collect max",
    "collect count",
)


def decision_text(rng: random.Random, drawn: Drawn, name: str, depth: int) -> str:
    """A decision table over an int column (a drawn int expression, which may fail) and a
    `Kind` column, with a drawn hit policy. `unique` and `any` tables partition the inputs
    (so the checker's proofs accept them); the others draw their cells freely, with an `else`
    row where the policy needs one; outputs are drawn expressions (which may fail)."""
    expressions = _Expressions(rng, drawn, dict(drawn.rules))
    hit = rng.choice(HIT_POLICIES)
    column = expressions.expr("int", depth - 1, {})
    kind_column = rng.choice(["kind", "item.kind"])
    out_type = {"priority": "Kind", "output order": "Kind"}.get(hit, rng.choice(["int", "text"]))
    if hit in ("collect sum", "collect min", "collect max"):
        out_type = rng.choice(["int", "num"])

    def output() -> str:
        if out_type == "Kind":
            return rng.choice(["a", "b", "c"])
        return expressions.expr(out_type, depth - 2, {})

    # Sometimes the table takes its int column as a parameter (a business knowledge model,
    # called by a rule of its own), or reads an optional int with `none` cells.
    parameter = rng.random() < 0.25
    optional = not parameter and hit not in ("unique", "any") and rng.random() < 0.3
    rows: list[tuple[str, str, str]] = []
    if hit in ("unique", "any"):
        cuts = sorted(rng.sample(range(-3, 8), rng.randint(0, 3)))
        pieces = [f"< {cuts[0]}"] if cuts else ["-"]
        pieces += [f"[{low}..{high})" for low, high in itertools.pairwise(cuts)]
        pieces += [f">= {cuts[-1]}"] if cuts else []
        same = output()
        for piece in pieces:
            if rng.random() < 0.5:
                rows.append((piece, "-", output()))
            else:
                member = rng.choice(["a", "b", "c"])
                rows.append((piece, member, output()))
                rows.append((piece, f"not {member}", output()))
            if hit == "any" and rng.random() < 0.5:
                rows.append((piece, "-", same))  # overlaps, giving the same output
                rows = [(c, k, same) for c, k, _ in rows]
    else:
        for _ in range(rng.randint(1, 4)):
            int_cell = rng.choice(
                ["-", "< 2", ">= 0", "[0..5)", "(1..3]", "1, 3", "not 2", "cut", "> cut", "-1"]
            )
            if optional:
                int_cell = rng.choice([int_cell, "none", "< 2, none", "not none", "not 1, none"])
            kind_cell = rng.choice(["-", "a", "b, c", "not a"])
            rows.append((int_cell, kind_cell, output()))
        if optional:  # a `none` cell makes the column one that may be absent
            rows[0] = (rng.choice(["none", "< 2, none", "not none"]), *rows[0][1:])
    head = f"decision {name}(v: int)" if parameter else f"decision {name}"
    lines = [f"{head} -> {_table_type(hit, out_type)}:", f"  hit {hit}"]
    int_column = "v" if parameter else ("maybe" if optional else f"({column})")
    lines.append(f"  input {int_column} | {kind_column} => out")
    for number, (int_cell, kind_cell, value) in enumerate(rows, start=1):
        label = f' "row {number}"' if rng.random() < 0.3 else ""
        lines.append(f"  row {int_cell} | {kind_cell} => {value}{label}")
    if hit in ("first", "priority"):
        lines.append(f"  else => {output()}")
    if parameter:
        lines.append(f"\nrule {name}_called:\n  {name}({column})")
    return "\n".join(lines)


def _table_type(hit: str, out_type: str) -> str:
    declared = {"num": "decimal"}.get(out_type, out_type)
    if hit in ("collect", "rule order", "output order"):
        return f"list of {declared}"
    if hit == "collect count":
        return "int"
    if hit in ("collect min", "collect max"):
        return f"{declared}?"
    return declared


# ------------------------------------------------------------------------------------------
# Facts


def _leave_out_none(value: Any, rng: random.Random) -> Any:
    """`value` with some optional record fields that are none left out, and some records'
    keys in another order (records are dicts: every dict here is a record)."""
    if isinstance(value, list):
        return [_leave_out_none(item, rng) for item in value]
    if isinstance(value, dict):
        pairs = [
            (key, _leave_out_none(item, rng))
            for key, item in value.items()
            if not (item is None and rng.random() < 0.6)
        ]
        if rng.random() < 0.3:
            rng.shuffle(pairs)
        return dict(pairs)
    return value


def _as_text(value: Any, rng: random.Random) -> Any:
    """`value` with a decimal somewhere written as text (`"0.25"`): not plain."""
    if isinstance(value, Decimal) and rng.random() < 0.5:
        return str(value)
    if isinstance(value, list):
        return [_as_text(item, rng) for item in value]
    if isinstance(value, dict):
        return {key: _as_text(item, rng) for key, item in value.items()}
    return value


def _dates_as_text(value: Any) -> Any:
    """`value` with its dates written as JSON gives them, `"2020-02-29"` (still plain: the
    fast facts check converts them)."""
    if isinstance(value, datetime.datetime):
        return zones.iso(value)
    if isinstance(value, datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Duration):
        return value.iso()
    if isinstance(value, list):
        return [_dates_as_text(item) for item in value]
    if isinstance(value, dict):
        return {key: _dates_as_text(item) for key, item in value.items()}
    return value


def documents(policy: wuxin_rules.Policy) -> st.SearchStrategy[tuple[dict[str, Any], bool]]:
    """A facts document for `policy`, and whether it is plain (every value in the form the
    fast facts check takes; a number written as text is not).

    Lists have up to 3 elements, sometimes up to 25 (beyond the 20 elements an explanation
    lists); optional fields that are none are sometimes left out (an optional input too),
    keys reordered, dates written as text, or decimals as text.

    The facts strategies are built once for the policy, not once a document: building one
    and having hypothesis check it cost more than drawing from it (a shrink draws
    hundreds)."""
    return _documents({longest: strategies.facts(policy, max_list=longest) for longest in (3, 25)})


@st.composite
def _documents(
    draw: Callable[[Any], Any], facts: dict[int, st.SearchStrategy[dict[str, Any]]]
) -> tuple[dict[str, Any], bool]:
    longest = draw(st.sampled_from([3, 3, 3, 25]))
    document: dict[str, Any] = draw(facts[longest])
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    form = draw(st.sampled_from(["as drawn", "left out", "left out", "dates", "text"]))
    if form == "left out":
        document = {
            key: _leave_out_none(value, rng)
            for key, value in document.items()
            if not (value is None and rng.random() < 0.5)
        }
    elif form == "dates":
        document = _dates_as_text(document)
    elif form == "text":
        changed = _as_text(document, rng)
        return changed, changed == document
    return document, True


def params() -> st.SearchStrategy[dict[str, Any]]:
    """Overrides of some of the prelude's params (`cut` is a band bound)."""
    return st.fixed_dictionaries(
        {},
        optional={
            "cut": st.integers(41, 99),  # below 100: `cut <.. 100` must hold a value
            "margin": st.sampled_from([Decimal("0"), Decimal("-1.5"), Decimal("0.125")]),
            "on": st.booleans(),
        },
    )
