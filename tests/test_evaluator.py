"""The reference evaluator: semantics of every core expression, exactness, fail-closed errors,
memoisation, depth safety and the agreement of explanations with verdicts."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit import (
    BOOL,
    INT,
    Kit,
    OptionalType,
    record,
    score_policy,
    town_policy,
    unit_policy,
)
from wuxin_rules import checker, evaluator, model
from wuxin_rules.errors import InternalError, ParamError, UsageError
from wuxin_rules.trace import Evaluation, Explanation, Verdict

# ------------------------------------------------------------------------------------------
# Helpers


def run(
    text: str,
    inputs: Mapping[str, Any] | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    rules: list[str] | None = None,
    trace: bool = False,
) -> Evaluation:
    """Check `text` and evaluate it (every rule without parameters by default)."""
    policy = checker.check_text(text, "t.policy")
    return evaluator.evaluate(policy, inputs or {}, params=params, rules=rules, trace=trace)


def value(text: str, inputs: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
    """The value of rule `r` in `text` (failing the test if it has an error)."""
    verdict = run(text, inputs, rules=["r"], **kwargs).verdicts["r"]
    assert verdict.error is None, verdict.error
    return verdict.value


def verdict(
    text: str, inputs: Mapping[str, Any] | None = None, rule: str = "r", **kwargs: Any
) -> Verdict:
    """The verdict of one rule of `text`."""
    return run(text, inputs, rules=[rule], **kwargs).verdicts[rule]


def both(
    policy: model.CheckedPolicy, inputs: Mapping[str, Any], **kwargs: Any
) -> tuple[Evaluation, Evaluation]:
    """The same evaluation untraced and traced."""
    return (
        evaluator.evaluate(policy, inputs, **kwargs),
        evaluator.evaluate(policy, inputs, trace=True, **kwargs),
    )


UNIT_FACTS = {
    "drug_labs": 0,
    "trafficking_groups": 0,
    "addict_growth_rate": Fraction("0.012"),
    "province_addict_growth_rate": Fraction("0.031"),
    "responsibility": {"duties_assigned": True, "team_in_place": True},
}


# ------------------------------------------------------------------------------------------
# Exact numbers


def test_decimals_that_floats_get_wrong_are_exact() -> None:
    """0.1 + 0.2 is exactly 0.3 (binary floats say otherwise)."""
    assert value("rule r: 0.1 + 0.2 == 0.3") is True
    assert value("rule r: 0.1 + 0.2") == Fraction(3, 10)


def test_division_is_an_exact_fraction() -> None:
    """`/` gives a Fraction, never a float, even of two ints."""
    result = value("rule r: 1 / 3")
    assert result == Fraction(1, 3) and isinstance(result, Fraction)
    assert value("rule r: 1 / 3 * 3 == 1") is True


def test_int_arithmetic_stays_int() -> None:
    """`+ - *` of ints give ints."""
    result = value("rule r: 7 * 6 - 2 + 1")
    assert result == 41 and type(result) is int


def test_percent_is_an_exact_ratio() -> None:
    """`12.5%` is exactly 1/8 and compares equal to the decimal 0.125."""
    assert value("rule r: 12.5% == 0.125") is True
    assert value("rule r: 50% * 0.031") == Fraction(31, 2000)


def test_negation() -> None:
    """Unary minus of a number."""
    assert value("rule r: -(2.5 - 1)") == Fraction(-3, 2)


# ------------------------------------------------------------------------------------------
# Builtins


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("abs(-2.5)", Fraction(5, 2)),
        ("min(3, 1.5, 2)", Fraction(3, 2)),
        ("max(3, 1.5, 2)", 3),
        ("floor(-2.5)", -3),
        ("ceil(2.1)", 3),
        ("round(2.5, 0)", 3),
        ("round(-2.5, 0)", -3),
        ("round(1.25, 1)", Fraction(13, 10)),
        ("round(-1.25, 1)", Fraction(-13, 10)),
        ("round(1234, -2)", 1200),
        ("round(1250, -2)", 1300),
        ("len([1, 2, 3])", 3),
        ("quarter_last_month(2)", 6),
        ("days_between(2015-03-31, 2015-06-25)", 86),
        ("days_between(2015-06-25, 2015-03-31)", -86),
    ],
)
def test_numeric_builtins(expression: str, expected: Any) -> None:
    """Each numeric builtin, rounding half away from zero."""
    result = value(f"rule r: {expression}")
    assert result == expected and not isinstance(result, float)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("date(2016, 2, 29)", datetime.date(2016, 2, 29)),
        ("add_days(2015-12-31, 1)", datetime.date(2016, 1, 1)),
        ("add_days(2015-03-01, -1)", datetime.date(2015, 2, 28)),
        ("add_months(2015-01-31, 1)", datetime.date(2015, 2, 28)),
        ("add_months(2016-01-31, 1)", datetime.date(2016, 2, 29)),
        ("add_months(2015-03-31, -1)", datetime.date(2015, 2, 28)),
        ("add_months(2015-11-30, 14)", datetime.date(2017, 1, 30)),
        ("2015-08-17.year", 2015),
        ("2015-08-17.month", 8),
        ("2015-08-17.day", 17),
        ("2015-08-17.quarter", 3),
        ("2015-12-01.quarter", 4),
    ],
)
def test_date_builtins(expression: str, expected: Any) -> None:
    """Dates: construction, day and month arithmetic (clamped), components."""
    assert value(f"rule r: {expression}") == expected


def test_invalid_date_is_a_located_error() -> None:
    """`date(2015, 2, 29)` is an `invalid-date` error at the call, naming the rule."""
    result = verdict('rule r "截止日期": date(2015, 2, 29)')
    assert result.error is not None
    assert result.error.code == "invalid-date"
    assert result.error.span is not None and result.error.span.text == "date(2015, 2, 29)"
    assert "year 2015, month 2, day 29" in result.error.message
    assert result.error.notes == ('while evaluating rule `r` "截止日期"',)
    assert result.error.help


def test_date_arithmetic_past_the_calendar_is_an_error() -> None:
    """Adding days or months past year 9999 is `invalid-date`, not an OverflowError."""
    assert verdict("rule r: add_days(9999-12-31, 1)").error.code == "invalid-date"
    assert verdict("rule r: add_months(9999-12-31, 1)").error.code == "invalid-date"


def test_quarter_outside_one_to_four_is_an_error() -> None:
    """`quarter_last_month(5)` is `invalid-quarter`, not month 15."""
    result = verdict("input q: int\nrule r: quarter_last_month(q)", {"q": 5})
    assert result.error is not None and result.error.code == "invalid-quarter"


def test_round_to_absurd_digits_is_an_error() -> None:
    """Rounding to a million digits is refused instead of computing 10**1000000."""
    result = verdict("input d: int\nrule r: round(1.5, d)", {"d": 1_000_000})
    assert result.error is not None and result.error.code == "invalid-argument"


# ------------------------------------------------------------------------------------------
# Names: inputs, params, fields, rules, calls


SCORES_POLICY = """
record S:
  a: int
  b: decimal?
input s: S
param bar: percent = 60% "及格线" cites "S1"
rule share "得分率": s.a / 100
criterion passes "及格": share >= bar
rule bonus: s.b ?? 0
"""


def test_inputs_fields_and_param_defaults() -> None:
    """Field access on inputs, params at their defaults."""
    result = run(SCORES_POLICY, {"s": {"a": 75, "b": None}})
    assert result.verdicts["share"].value == Fraction(3, 4)
    assert result.verdicts["passes"].value is True
    assert result.verdicts["bonus"].value == 0


def test_params_override_defaults() -> None:
    """A param passed at evaluation replaces its default (by key or short name)."""
    assert (
        run(SCORES_POLICY, {"s": {"a": 75, "b": None}}, params={"bar": Fraction(4, 5)})
        .verdicts["passes"]
        .value
        is False
    )


def test_unknown_param_is_a_param_error_with_suggestion() -> None:
    """An override naming no param is refused with a did-you-mean."""
    with pytest.raises(ParamError) as caught:
        run(SCORES_POLICY, {"s": {"a": 75, "b": None}}, params={"barr": 1})
    assert caught.value.codes == ("unknown-param",)
    assert caught.value.diagnostics[0].help == "did you mean `bar`?"


def test_float_param_is_refused() -> None:
    """A binary float never enters an evaluation."""
    with pytest.raises(ParamError) as caught:
        run(SCORES_POLICY, {"s": {"a": 75, "b": None}}, params={"bar": 0.8})
    assert caught.value.codes == ("bad-param",)


def test_rule_functions_bind_their_arguments() -> None:
    """A rule with parameters is called with the caller's values."""
    text = """
rule double(x: int) -> int: x * 2
rule r: double(double(3)) + 1
"""
    assert value(text) == 13


def test_none_argument_for_a_plain_parameter_is_unexpected_none() -> None:
    """A none reaching a non-optional parameter is `unexpected-none` at the call."""
    k = Kit("rule f(x: int) -> int: x * 2\nrule r: f(n)")
    f = k.rule(
        "f", k.arith("*", k.local("x", INT, 2), k.const("2", 2, INT), INT), INT, params=[("x", INT)]
    )
    k.at("rule r")
    r = k.rule("r", k.call("f", [k.input("n", OptionalType(INT))], INT, "f(n)"), INT)
    policy = k.policy([f, r], inputs=[("n", OptionalType(INT))])
    result = evaluator.evaluate(policy, {"n": None}).verdicts["r"]
    assert result.error is not None and result.error.code == "unexpected-none"
    assert result.error.span is not None and result.error.span.text == "f(n)"
    assert "`n` is none" in result.error.message


def test_missing_input_is_a_located_error() -> None:
    """An input absent from the values is `missing-fact` at the reference, not a KeyError."""
    result = verdict("input n: int\nrule r: n + 1", {})
    assert result.error is not None and result.error.code == "missing-fact"
    assert result.error.span is not None and result.error.span.text == "n"


def test_missing_optional_input_is_none() -> None:
    """An optional input left out is none."""
    assert value("input n: int?\nrule r: n ?? 7", {}) == 7


# ------------------------------------------------------------------------------------------
# Operators


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 < 2", True),
        ("2 <= 2", True),
        ("2 > 2", False),
        ("2 >= 2.0", True),
        ("3 == 3.0", True),
        ("3 != 3", False),
        ('"甲" == "甲"', True),
        ("2015-03-31 < 2015-04-01", True),
        ("2 in [1, 2, 3]", True),
        ("4 not in [1, 2, 3]", True),
        ("not (1 == 1)", False),
        ("true and false", False),
        ("true or false", True),
        ("if 1 > 2 then 10 else 20", 20),
        ("all of [true, true]", True),
        ("any of [false, false]", False),
        ("at least 2 of [true, false, true]", True),
        ("at least 3 of [true, false, true]", False),
    ],
)
def test_operators(expression: str, expected: Any) -> None:
    """Comparisons, membership, logic, conditionals and compositions."""
    assert value(f"rule r: {expression}") == expected


def test_is_none_and_coalesce() -> None:
    """`is none`, `is not none` and `??` on an optional input."""
    text = "input n: int?\nrule r: if n is none then -1 else n * 2\nrule s: n is not none\nrule t: n ?? 5"
    assert run(text, {"n": None}).verdicts["r"].value == -1
    assert run(text, {"n": 4}).verdicts["r"].value == 8
    assert run(text, {"n": 4}).verdicts["s"].value is True
    assert run(text, {"n": None}).verdicts["t"].value == 5


def test_list_and_record_literals() -> None:
    """List literals are tuples; record literals are dicts, spreads first then fields."""
    text = """
record P:
  a: int
  b: int
input p: P
rule l: [p.a, p.b, 3]
rule r: {...p, b: 9}
"""
    result = run(text, {"p": {"a": 1, "b": 2}})
    assert result.verdicts["l"].value == (1, 2, 3)
    assert result.verdicts["r"].value == {"a": 1, "b": 9}


def test_at_least_count_from_an_input() -> None:
    """The `N` of `at least N of` may be a value read from the facts."""
    text = "input n: int\nrule r: at least n of [true, true, false]"
    assert run(text, {"n": 2}).verdicts["r"].value is True
    assert run(text, {"n": 3}).verdicts["r"].value is False


# ------------------------------------------------------------------------------------------
# Aggregates


AGGREGATES = """
record M:
  name: text
  ok: bool
  score: int
input ms: list of M
rule count_all: count of m in ms
rule count_ok: count of m in ms where m.ok
rule total: sum of m in ms : m.score
rule lowest: min of m in ms : m.score
rule highest: max of m in ms where m.ok : m.score
rule every: all of m in ms : m.ok
rule some: any of m in ms : m.score > 90
rule share: rate of m in ms : m.ok
rule share_high: rate of m in ms where m.score > 1000 : m.ok
rule names: list of m in ms where not m.ok : m.name
rule scores: list of m in ms : m.score
"""


def members(oks: list[bool], scores: list[int] | None = None) -> tuple[dict[str, Any], ...]:
    """Member records with the given flags and scores."""
    scores = scores or [10 * (i + 1) for i in range(len(oks))]
    return tuple(
        {"name": f"m{i}", "ok": ok, "score": s}
        for i, (ok, s) in enumerate(zip(oks, scores, strict=True))
    )


def test_aggregates_over_a_list() -> None:
    """count, sum, min, max, all, any, rate and list, with and without filters."""
    result = run(AGGREGATES, {"ms": members([True, False, True], [50, 95, 70])}).verdicts
    assert result["count_all"].value == 3
    assert result["count_ok"].value == 2
    assert result["total"].value == 215
    assert result["lowest"].value == 50
    assert result["highest"].value == 70
    assert result["every"].value is False
    assert result["some"].value is True
    assert result["share"].value == Fraction(2, 3)
    assert result["share_high"].value is None
    assert result["names"].value == ("m1",)
    assert result["scores"].value == (50, 95, 70)


def test_aggregates_over_an_empty_list() -> None:
    """Empty: count 0, sum 0, min/max none, all true, any false, rate none, list empty."""
    result = run(AGGREGATES, {"ms": ()}).verdicts
    assert [
        result[k].value
        for k in ("count_all", "total", "lowest", "highest", "every", "some", "share", "names")
    ] == [0, 0, None, None, True, False, None, ()]


def test_nine_of_ten_meets_ninety_percent() -> None:
    """`rate` is exact: 9 of 10 is 9/10, which meets a 90% target exactly."""
    text = AGGREGATES + "criterion meets: share ?? 0% >= 90%\n"
    result = run(text, {"ms": members([True] * 9 + [False])}).verdicts
    assert result["share"].value == Fraction(9, 10)
    assert result["meets"].value is True
    assert run(text, {"ms": members([True] * 8 + [False] * 2)}).verdicts["meets"].value is False


def test_filter_guards_the_body() -> None:
    """Elements the filter drops are not given to the body (a guarded division is safe)."""
    text = """
record R:
  n: int
  d: int
input rs: list of R
rule r: sum of x in rs where x.d != 0 : x.n / x.d
"""
    assert value(text, {"rs": ({"n": 1, "d": 2}, {"n": 5, "d": 0}, {"n": 3, "d": 4})}) == Fraction(
        5, 4
    )


# ------------------------------------------------------------------------------------------
# Schedules and bands


SCHEDULE = """
enum G: low, high
schedule target "目标": percent by year, G:
  stage one "第一阶段" 2015-01-01 .. 2015-12-31:
    2015: low 20%, high 50%
  stage two "第二阶段" 2016-01-01 .. 2017-12-31:
    2016: low 35%, high 65%
    2017: low 50%, high 80%
input year: int
rule r: target(year, high)
"""


def test_schedule_lookup() -> None:
    """A schedule cell by period and category; none outside the table."""
    assert value(SCHEDULE, {"year": 2017}) == Fraction(4, 5)
    assert value(SCHEDULE, {"year": 2021}) is None


def test_schedule_lookup_detail_names_the_stage() -> None:
    """The explanation shows the cell and its stage."""
    result = verdict(SCHEDULE, {"year": 2016}, trace=True)
    body = result.explanation.children[0]
    assert body.kind == "schedule"
    assert body.detail == "2016 × high → 65% (stage two 第二阶段)"
    outside = verdict(SCHEDULE, {"year": 2030}, trace=True).explanation.children[0]
    assert outside.detail == "2030 × high → none (no such cell in `target`)"


BANDS = """
param top: int = 90
bands grade "等级" over 0 .. 100:
  top .. 100 excellent "优秀"
  60 ..< top qualified "合格"
  0 ..< 60 unqualified "不合格"
input score: decimal
rule r: grade(score)
"""


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (Fraction(0), "unqualified"),
        (Fraction(5999, 100), "unqualified"),
        (Fraction(60), "qualified"),
        (Fraction(8999, 100), "qualified"),
        (Fraction(90), "excellent"),
        (Fraction(100), "excellent"),
    ],
)
def test_bands_lookup(score: Fraction, expected: str) -> None:
    """A number maps to the band whose range holds it (edges as declared)."""
    assert value(BANDS, {"score": score}) == expected


def test_bands_bounds_follow_params() -> None:
    """A band bound that is a param uses the param's current value."""
    assert value(BANDS, {"score": Fraction(85)}) == "qualified"
    assert value(BANDS, {"score": Fraction(85)}, params={"top": 80}) == "excellent"


def test_value_outside_every_band_is_a_located_error() -> None:
    """A value no band holds is `outside-bands` at the lookup, with the bands in the help."""
    result = verdict(BANDS, {"score": Fraction(101)})
    assert result.error is not None and result.error.code == "outside-bands"
    assert result.error.span is not None and result.error.span.text == "grade(score)"
    assert result.error.message == "`score` is 101, outside every band of `grade`"
    assert "excellent 90 .. 100" in (result.error.help or "")


def test_overlapping_bands_at_run_time_are_an_error() -> None:
    """If overrides make two bands hold a value, the lookup fails instead of guessing."""
    result = verdict(BANDS, {"score": Fraction(55)}, params={"top": 50})
    assert result.error is not None and result.error.code == "overlapping-bands"


# ------------------------------------------------------------------------------------------
# Errors: located, propagated, never swallowed


DIVISION = """
input n: int
input d: int
rule ratio "比例": n / d
criterion high "比例高": ratio > 1
criterion other "独立规则": n > 0
"""


def test_division_by_zero_is_located() -> None:
    """Division by zero: code, span of the division, the divisor labelled, rule named, help."""
    result = run(DIVISION, {"n": 1, "d": 0}).verdicts["ratio"]
    error = result.error
    assert error is not None and result.value is None
    assert error.code == "division-by-zero"
    assert error.message == "division by zero: `d` is 0"
    assert error.span is not None and error.span.text == "n / d"
    assert error.location() == "t.policy:4:18"
    assert [label.span.text for label in error.labels] == ["d"]
    assert error.notes == ('while evaluating rule `ratio` "比例"',)
    assert error.help == "check the divisor first: `if d == 0 then … else …`"


def test_dependent_rules_fail_with_the_same_diagnostic() -> None:
    """A rule using a failed rule fails with its diagnostic; independent rules still run."""
    result = run(DIVISION, {"n": 1, "d": 0}).verdicts
    assert result["high"].error == result["ratio"].error
    assert result["high"].error is not None and result["high"].error.notes == (
        'while evaluating rule `ratio` "比例"',
    )
    assert result["other"].error is None and result["other"].value is True


FAIL_CLOSED = """
input n: int
input flag: bool
rule broken: 1 / n > 0
criterion under_and: flag and broken
criterion under_or: flag or broken
criterion under_not: not broken
criterion under_all: all of [flag, broken]
criterion under_any: any of [flag, broken]
criterion under_at_least: at least 1 of [flag, broken]
criterion in_aggregate: all of x in [1, 0, 2] : x < 0 or 1 / x > 0
criterion in_any_aggregate: any of x in [1, 0, 2] : 1 / x > 0
criterion in_list: len([1, 1 / n]) > 0
criterion guarded: if flag then true else broken
"""


@pytest.mark.parametrize(
    "rule",
    [
        "under_and",
        "under_or",
        "under_not",
        "under_all",
        "under_any",
        "under_at_least",
        "in_aggregate",
        "in_any_aggregate",
        "in_list",
    ],
)
def test_errors_are_never_swallowed(rule: str) -> None:
    """An error in an operand that could not change the result is still the result (fail closed)."""
    # flag is true, so `flag or …` and `any of [flag, …]` would hold by short-circuit.
    result = run(FAIL_CLOSED, {"n": 0, "flag": True}, rules=[rule]).verdicts[rule]
    assert result.error is not None and result.error.code == "division-by-zero"
    # flag false: `flag and …` would be false by short-circuit.
    result = run(FAIL_CLOSED, {"n": 0, "flag": False}, rules=[rule]).verdicts[rule]
    assert result.error is not None and result.error.code == "division-by-zero"


def test_if_evaluates_only_the_chosen_branch() -> None:
    """`if` guards its branches: the untaken branch's error does not exist."""
    assert (
        run(FAIL_CLOSED, {"n": 0, "flag": True}, rules=["guarded"]).verdicts["guarded"].value
        is True
    )


def test_coalesce_evaluates_the_fallback_only_when_needed() -> None:
    """`??` evaluates its fallback only for none."""
    text = "input n: int?\ninput d: int\nrule r: n ?? 1 / d"
    assert value(text, {"n": 5, "d": 0}) == 5
    assert verdict(text, {"n": None, "d": 0}).error.code == "division-by-zero"


def test_untaken_errors_are_not_reported() -> None:
    """A failing rule referenced only under an untaken branch does not fail its user."""
    text = "input d: int\nrule bad: 1 / d\nrule r: if d == 0 then 0 else bad"
    assert value(text, {"d": 0}) == 0


def test_unexpected_none_is_an_error_not_a_type_error() -> None:
    """A none reaching arithmetic (which the checker forbids) is `unexpected-none`."""
    k = Kit("rule r: n + 1")
    r = k.rule("r", k.arith("+", k.input("n", OptionalType(INT)), k.const("1", 1, INT), INT), INT)
    policy = k.policy([r], inputs=[("n", OptionalType(INT))])
    result = evaluator.evaluate(policy, {"n": None}).verdicts["r"]
    assert result.error is not None and result.error.code == "unexpected-none"
    assert result.error.message == "`n` is none here, but a value is needed"
    assert result.error.span is not None and result.error.span.text == "n + 1"


@pytest.mark.parametrize(
    ("body", "inputs"),
    [
        ("x.a", {"x": None}),
        ("x.a > 1", {"x": None}),
        ("not b", {"b": None}),
        ("-n", {"n": None}),
        ("3 in l", {"l": None}),
        ("count of i in l", {"l": None}),
        ("if b then 1 else 2", {"b": None}),
        ("all of [b, true]", {"b": None}),
        ("b and true", {"b": None}),
        ("abs(n)", {"n": None}),
    ],
)
def test_none_reaching_any_operation_is_unexpected_none(body: str, inputs: dict[str, Any]) -> None:
    """Every operation that needs a value turns a none into `unexpected-none`, never a crash."""
    X = record("X", [("a", INT)])
    types = {
        "x": OptionalType(X),
        "b": OptionalType(BOOL),
        "n": OptionalType(INT),
        "l": OptionalType(__import__("wuxin_rules.schema", fromlist=["ListType"]).ListType(INT)),
    }
    k = Kit(f"rule r: {body}")
    build = {
        "x.a": lambda: k.field(k.input("x", types["x"]), "a", INT),
        "x.a > 1": lambda: k.cmp(
            ">", k.field(k.input("x", types["x"]), "a", INT), k.const("1", 1, INT)
        ),
        "not b": lambda: k.not_(k.input("b", types["b"]), "not b"),
        "-n": lambda: k.neg(k.input("n", types["n"]), INT, "-n"),
        "3 in l": lambda: k.in_(k.const("3", 3, INT), k.input("l", types["l"])),
        "count of i in l": lambda: k.agg(
            "count", "i", k.input("l", types["l"]), INT, "count of i in l"
        ),
        "if b then 1 else 2": lambda: k.if_(
            k.input("b", types["b"]),
            k.const("1", 1, INT),
            k.const("2", 2, INT),
            INT,
            "if b then 1 else 2",
        ),
        "all of [b, true]": lambda: k.compose(
            "all", [k.input("b", types["b"]), k.const("true", True, BOOL)], "all of [b, true]"
        ),
        "b and true": lambda: k.and_(k.input("b", types["b"]), k.const("true", True, BOOL)),
        "abs(n)": lambda: k.builtin("abs", [k.input("n", types["n"])], INT, "abs(n)"),
    }
    policy = k.policy(
        [k.rule("r", build[body](), INT, kind="rule")], inputs=[(n, t) for n, t in types.items()]
    )
    for trace in (False, True):
        result = evaluator.evaluate(policy, inputs, trace=trace).verdicts["r"]
        assert result.error is not None and result.error.code == "unexpected-none", body


# ------------------------------------------------------------------------------------------
# Requests


def test_default_rules_are_the_policy_order() -> None:
    """Without `rules`, every nullary rule is evaluated in `policy.order`."""
    policy = checker.check_text(DIVISION, "t.policy")
    result = evaluator.evaluate(policy, {"n": 2, "d": 1})
    assert tuple(result.verdicts) == policy.order


def test_requested_rules_come_back_in_request_order() -> None:
    """`rules` picks and orders the verdicts."""
    result = run(DIVISION, {"n": 2, "d": 1}, rules=["other", "ratio"])
    assert list(result.verdicts) == ["other", "ratio"]


def test_unknown_rule_is_a_usage_error_with_suggestion() -> None:
    """Asking for a rule that does not exist is a `UsageError` with a did-you-mean."""
    with pytest.raises(UsageError) as caught:
        run(DIVISION, {"n": 2, "d": 1}, rules=["ratoi"])
    assert caught.value.codes == ("unknown-rule",)
    assert caught.value.diagnostics[0].help == "did you mean `ratio`?"


def test_function_rule_cannot_be_requested() -> None:
    """A rule with parameters has no value on its own."""
    with pytest.raises(UsageError) as caught:
        run("rule f(x: int) -> int: x", rules=["f"])
    assert caught.value.codes == ("rule-needs-arguments",)


def test_verdicts_carry_label_cites_kind_and_span() -> None:
    """A verdict says what it is about: name, kind, type, label, citations, place."""
    result = run(SCORES_POLICY, {"s": {"a": 75, "b": None}}).verdicts["passes"]
    assert (result.key, result.name, result.kind, result.label) == (
        "passes",
        "passes",
        "criterion",
        "及格",
    )
    assert result.type == BOOL and result.ok
    assert result.span is not None and result.span.text.startswith("criterion passes")


# ------------------------------------------------------------------------------------------
# Memoisation and depth


def test_a_rule_referenced_twice_is_evaluated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nullary rules are memoised per evaluation: one evaluation, one shared explanation."""
    calls: list[str] = []
    original = evaluator.Run._evaluate_rule

    def counting(self: Any, key: str) -> Any:
        calls.append(key)
        return original(self, key)

    monkeypatch.setattr(evaluator.Run, "_evaluate_rule", counting)
    text = "input n: int\nrule base: n * 2\nrule r: base + base * base\nrule s: base - 1"
    result = run(text, {"n": 3}, rules=["r", "s"], trace=True)
    assert result.verdicts["r"].value == 42 and result.verdicts["s"].value == 5
    assert calls.count("base") == 1
    refs = [
        n for n in result.verdicts["r"].explanation.walk() if n.kind == "rule" and n.name == "base"
    ]
    assert len(refs) == 3
    assert refs[0].children[0] is refs[1].children[0] is refs[2].children[0]
    assert {n.span.text for n in refs} == {"base"}


def test_long_chains_of_rules_do_not_exhaust_the_stack() -> None:
    """3000 rules each using the next evaluate (and explain) without RecursionError."""
    n = 3000
    lines = ["input x: int", "rule r0: x + 1"] + [f"rule r{i}: r{i - 1} + 1" for i in range(1, n)]
    policy = checker.check_text("\n".join(lines), "chain.policy")
    last = f"r{n - 1}"
    for trace in (False, True):
        result = evaluator.evaluate(policy, {"x": 0}, rules=[last], trace=trace).verdicts[last]
        assert result.error is None and result.value == n


def test_long_chains_of_rules_propagate_errors() -> None:
    """An error at the bottom of a long chain reaches the top unchanged."""
    n = 1500
    lines = ["input x: int", "rule r0: 1 / x"] + [f"rule r{i}: r{i - 1} + 1" for i in range(1, n)]
    policy = checker.check_text("\n".join(lines), "chain.policy")
    result = evaluator.evaluate(policy, {"x": 0}, trace=True)
    assert {v.error.code for v in result.verdicts.values()} == {"division-by-zero"}
    assert len({id(v.error) for v in result.verdicts.values()}) == 1


def test_deep_call_chains_are_a_located_too_deep_error() -> None:
    """Rules with parameters calling each other beyond the stack are `too-deep`, not a crash."""
    n = 2000
    lines = ["rule f0(x: int) -> int: x + 1"] + [
        f"rule f{i}(x: int) -> int: f{i - 1}(x) + 1" for i in range(1, n)
    ]
    lines.append(f"rule r: f{n - 1}(0)")
    lines.append("rule shallow: f3(0)")
    policy = checker.check_text("\n".join(lines), "calls.policy")
    result = evaluator.evaluate(policy, {}, rules=["r", "shallow"])
    deep = result.verdicts["r"]
    assert deep.error is not None and deep.error.code == "too-deep"
    assert deep.error.span is not None
    assert any(note.startswith("called from rule `r`") for note in deep.error.notes)
    assert result.verdicts["shallow"].value == 4


def test_deeply_nested_expressions_evaluate() -> None:
    """An expression at the parser's nesting limit evaluates, traced and untraced."""
    depth = 95
    text = "input x: int\nrule r: " + "(" * depth + "x" + " + 1)" * depth
    for trace in (False, True):
        assert value(text, {"x": 0}, trace=trace) == depth


def test_deep_expressions_in_a_chain_of_rules() -> None:
    """Deep bodies referring to rules deep inside them still evaluate (dependencies deferred)."""
    depth = 60
    lines = ["input x: int", "rule r0: x"]
    for i in range(1, 80):
        lines.append(f"rule r{i}: " + "(" * depth + f"r{i - 1}" + " + 1)" * depth)
    policy = checker.check_text("\n".join(lines), "deep.policy")
    result = evaluator.evaluate(policy, {"x": 0}, rules=["r79"], trace=True).verdicts["r79"]
    assert result.error is None and result.value == 79 * depth


# ------------------------------------------------------------------------------------------
# Internal errors


def test_unknown_expression_is_an_internal_error() -> None:
    """A node the evaluator does not know is a bug: `InternalError`, not a raw exception."""
    k = Kit("rule r: ?")
    bogus = model.RuleDef(
        "r", "r", "demo", "rule", None, INT, object(), None, (), None, k.span("r")
    )  # type: ignore[arg-type]
    with pytest.raises(InternalError) as caught:
        evaluator.evaluate(k.policy([bogus]), {})
    assert caught.value.codes == ("internal-error",)


def test_unknown_builtin_is_an_internal_error() -> None:
    """A builtin name the evaluator does not implement is a bug."""
    k = Kit("rule r: frobnicate(1)")
    body = k.builtin("frobnicate", [k.const("1", 1, INT)], INT, "frobnicate(1)")
    with pytest.raises(InternalError):
        evaluator.evaluate(k.policy([k.rule("r", body, INT)]), {})


def test_python_faults_become_internal_errors() -> None:
    """A Python exception inside the evaluator surfaces as `InternalError` naming the rule."""
    k = Kit("rule r: a < b")
    body = k.cmp("<", k.input("a", INT), k.input("b", INT))
    with pytest.raises(InternalError) as caught:
        evaluator.evaluate(
            k.policy([k.rule("r", body, kind="rule")], inputs=[("a", INT), ("b", INT)]),
            {"a": 1, "b": "x"},
        )
    assert caught.value.diagnostics[0].notes == ("while evaluating rule `r`",)


# ------------------------------------------------------------------------------------------
# Hand-built policies: the same values as the checker's, explanations agree with verdicts


def test_hand_built_policies_agree_with_the_checker() -> None:
    """The golden policies built by hand evaluate as the checker's build of their text does."""
    from evalkit import GOLDEN

    cases = [
        (unit_policy(), "unit", {"unit": UNIT_FACTS}),
        (
            town_policy(),
            "town",
            {
                "town": {
                    "year": 2017,
                    "units": (
                        {"name": "甲", "group": "village_level", "drug_labs": 0, "cases": 0},
                        {"name": "乙", "group": "village_level", "drug_labs": 1, "cases": 2},
                    ),
                }
            },
        ),
        (
            score_policy(),
            "score",
            {
                "scores": {
                    "organization": 80,
                    "crackdown": 91,
                    "cases": 10,
                    "solved": 7,
                    "bonus": None,
                }
            },
        ),
    ]
    for hand, name, inputs in cases:
        checked = checker.check_text(
            (GOLDEN / f"{name}.policy").read_text(encoding="utf-8"), f"{name}.policy"
        )
        assert set(hand.order) <= set(checked.order)
        ours = evaluator.evaluate(hand, inputs)
        theirs = evaluator.evaluate(checked, inputs, rules=list(hand.order))
        for key in hand.order:
            assert ours.verdicts[key].value == theirs.verdicts[key].value, (name, key)
            assert (ours.verdicts[key].error is None) == (theirs.verdicts[key].error is None), (
                name,
                key,
            )


KIND_CASES = {
    "const": "rule r: 42",
    "input": "input n: int\nrule r: n",
    "param": "param p: int = 7\nrule r: p",
    "rule": "input n: int\nrule base: n\nrule r: base",
    "field": "record P:\n  a: int\ninput p: P\nrule r: p.a",
    "call": "rule f(x: int) -> int: x * 3\ninput n: int\nrule r: f(n)",
    "builtin": "input n: int\nrule r: abs(n - 10)",
    "schedule": SCHEDULE.replace("input year: int\n", "input year: int\n"),
    "bands": BANDS.replace("input score: decimal", "input score: decimal"),
    "negate": "input n: int\nrule r: -n",
    "arith": "input n: int\nrule r: n / 4",
    "compare": "input n: int\nrule r: n >= 3",
    "in": "input n: int\nrule r: n in [1, 2, 3]",
    "is_none": "input m: int?\nrule r: m is none",
    "coalesce": "input m: int?\nrule r: m ?? 9",
    "not": "input n: int\nrule r: not (n > 2)",
    "and": "input n: int\nrule r: n > 1 and n < 5",
    "or": "input n: int\nrule r: n < 1 or n > 5",
    "if": "input n: int\nrule r: if n > 2 then n else -n",
    "all": "input n: int\nrule r: all of [n > 1, n > 2]",
    "any": "input n: int\nrule r: any of [n > 1, n > 2]",
    "at_least": "input n: int\nrule r: at least 1 of [n > 1, n > 2]",
    "aggregate": "input n: int\nrule r: rate of x in [1, 2, 3, 4] : x <= n",
    "list": "input n: int\nrule r: [n, n + 1]",
    "record": "record P:\n  a: int\n  b: int\ninput n: int\nrule r: {a: n, b: 2}",
}


@pytest.mark.parametrize("kind", sorted(KIND_CASES))
def test_explanation_value_equals_verdict_value_for_every_kind(kind: str) -> None:
    """For a body of each kind: the rule node and its body node hold the verdict's value."""
    text = KIND_CASES[kind]
    inputs = {"n": 3, "m": None, "p": {"a": 5}, "year": 2016, "score": Fraction(75)}
    policy = checker.check_text(text, "t.policy")
    plain, traced = both(policy, inputs, rules=["r"])
    result = traced.verdicts["r"]
    assert result.error is None
    assert result.value == plain.verdicts["r"].value
    root = result.explanation
    assert root is not None and root.kind in ("rule", "criterion")
    assert root.value == result.value
    body = root.children[0]
    expected_kind = {"rule": "rule"}.get(kind, kind)
    assert body.kind == expected_kind
    assert body.value == result.value
    assert body.span is not None and body.span.text
    for node in root.walk_unique():
        if node.error is None and node.kind not in ("local", "element", "where", "arg"):
            assert node.type is not None


def _check_tree(explanation: Explanation) -> None:
    """Structural invariants of an explanation tree: values agree with the operations shown."""
    for node in explanation.walk_unique():
        if node.error is not None:
            assert node.value is None
        if node.kind in ("and", "all") and node.error is None:
            assert node.value == all(c.value for c in node.children)
        if node.kind in ("or", "any") and node.error is None:
            assert node.value == any(c.value for c in node.children)
        if node.kind == "not" and node.error is None:
            assert node.value is (not node.children[0].value)
        if node.kind in ("rule", "criterion", "call") and node.children and node.error is None:
            assert node.children[-1].value == node.value


facts_numbers = st.fractions(min_value=-2, max_value=2, max_denominator=1000)


@given(
    labs=st.integers(0, 3),
    groups=st.integers(0, 2),
    growth=facts_numbers,
    average=facts_numbers,
    duties=st.booleans(),
    team=st.booleans(),
    margin=st.fractions(0, 1, max_denominator=100),
)
def test_explanations_agree_with_verdicts_for_generated_facts(
    labs: int,
    groups: int,
    growth: Fraction,
    average: Fraction,
    duties: bool,
    team: bool,
    margin: Fraction,
) -> None:
    """For any facts: traced and untraced verdicts agree, and every explanation root holds its verdict."""
    unit = {
        "drug_labs": labs,
        "trafficking_groups": groups,
        "addict_growth_rate": growth,
        "province_addict_growth_rate": average,
        "responsibility": {"duties_assigned": duties, "team_in_place": team},
    }
    plain, traced = both(unit_policy(), {"unit": unit}, params={"growth_margin": margin})
    for key, result in traced.verdicts.items():
        assert result.value == plain.verdicts[key].value
        assert result.explanation is not None and result.explanation.value == result.value
        _check_tree(result.explanation)
    expected = (
        labs == 0 and groups == 0 and growth <= average - margin * abs(average) and duties and team
    )
    assert traced.verdicts["drug_free"].value is expected


@given(
    organization=st.integers(0, 100),
    crackdown=st.integers(0, 100),
    cases=st.integers(0, 5),
    solved=st.integers(0, 5),
    bonus=st.none() | st.integers(-10, 10),
    top=st.integers(61, 100),
)
def test_errors_and_values_agree_traced_and_untraced(
    organization: int, crackdown: int, cases: int, solved: int, bonus: int | None, top: int
) -> None:
    """With possible division by zero and values outside the bands: same outcome either way."""
    scores = {
        "organization": organization,
        "crackdown": crackdown,
        "cases": cases,
        "solved": solved,
        "bonus": bonus,
    }
    plain, traced = both(score_policy(), {"scores": scores}, params={"excellent_from": top})
    for key, result in traced.verdicts.items():
        other = plain.verdicts[key]
        assert result.value == other.value and result.error == other.error
        assert result.explanation is not None and result.explanation.value == result.value
        assert result.explanation.error == result.error
        _check_tree(result.explanation)
    if cases == 0:
        assert traced.verdicts["solve_rate"].error.code == "division-by-zero"
        assert traced.verdicts["two_of_three"].error == traced.verdicts["solve_rate"].error


@given(oks=st.lists(st.booleans(), max_size=30))
def test_rate_is_the_exact_share(oks: list[bool]) -> None:
    """`rate` is Fraction(passing, total) for any list, none when empty."""
    result = run(AGGREGATES, {"ms": members(oks)}, rules=["share"], trace=True).verdicts["share"]
    expected = Fraction(sum(oks), len(oks)) if oks else None
    assert result.value == expected
    assert result.explanation.value == expected
    aggregate = result.explanation.children[0]
    assert len(aggregate.children) - 1 + aggregate.omitted == len(oks)


def test_percent_margin_detail() -> None:
    """A failed `<=` of percents says how far over, as a percent."""
    result = verdict(
        "input a: percent\ninput b: percent\ncriterion r: a <= b",
        {"a": Fraction(31, 1000), "b": Fraction(155, 10000)},
        trace=True,
    )
    assert result.explanation.children[0].detail == "over by 1.55%"


@pytest.mark.parametrize(
    ("expression", "detail"),
    [
        ("0.031 <= 0.0155", "over by 0.0155"),
        ("0.0155 >= 0.031", "short by 0.0155"),
        ("0.02 <= 0.03", "margin 0.01"),
        ("2 > 2", "equal, so not strictly greater"),
        ("2015-03-27 <= 2015-03-25", "over by 2 days"),
        ("2015-03-24 <= 2015-03-25", "margin 1 day"),
        ("1 == 2", None),
    ],
)
def test_comparison_margins(expression: str, detail: str | None) -> None:
    """Comparisons of numbers and dates carry their margin in `detail`."""
    node = verdict(f"criterion r: {expression}", trace=True).explanation.children[0]
    assert node.kind == "compare" and node.detail == detail


@pytest.mark.parametrize(
    ("expression", "detail"),
    [
        ("all of [true, false, false]", "2 of 3 failed"),
        ("all of [true, true]", "all 2 hold"),
        ("any of [true, false, true]", "2 of 3 hold"),
        ("any of [false, false]", "none of 2 hold"),
        ("at least 4 of [true, true, true, false, false]", "3 of 5 hold, 4 needed"),
        ("true and false", "1 of 2 failed"),
    ],
)
def test_composition_details(expression: str, detail: str) -> None:
    """Compositions count what held and what failed."""
    node = verdict(f"criterion r: {expression}", trace=True).explanation.children[0]
    assert node.detail == detail


def test_aggregate_explanations_list_at_most_twenty_elements() -> None:
    """A rate over 100 elements lists the 20 first (failures first) and counts the rest."""
    oks = [i % 10 != 0 for i in range(100)]
    result = run(AGGREGATES, {"ms": members(oks)}, rules=["share"], trace=True).verdicts["share"]
    aggregate = result.explanation.children[0]
    assert aggregate.detail == "90 of 100 (90%)"
    elements = aggregate.children[1:]
    assert len(elements) == 20 and aggregate.omitted == 80
    assert [e.value for e in elements[:10]] == [False] * 10
    assert elements[0].detail == "#1" and elements[1].detail == "#11"


def test_a_cycle_the_checker_missed_is_an_internal_error() -> None:
    """Rules that depend on each other (impossible after checking) are a bug, not a hang."""
    k = Kit("rule a: b + 1\nrule b: a + 1")
    a = k.rule("a", k.arith("+", k.ref("b", INT), k.const("1", 1, INT), INT), INT)
    k.at("rule b")
    b = k.rule("b", k.arith("+", k.ref("a", INT), k.const("1", 1, INT), INT), INT)
    with pytest.raises(InternalError) as caught:
        evaluator.evaluate(k.policy([a, b]), {})
    assert "depends on itself" in caught.value.diagnostics[0].message


def test_a_long_cycle_is_an_internal_error() -> None:
    """A cycle longer than the stack is allowed to grow (found through deferral) is a bug too."""
    n = 200
    text = "\n".join(f"rule r{i}: r{(i + 1) % n} + 1" for i in range(n))
    k = Kit(text)
    rules = []
    for i in range(n):
        k.at(f"rule r{i}:")
        rules.append(
            k.rule(
                f"r{i}", k.arith("+", k.ref(f"r{(i + 1) % n}", INT), k.const("1", 1, INT), INT), INT
            )
        )
    with pytest.raises(InternalError):
        evaluator.evaluate(k.policy(rules), {}, rules=["r0"])


def test_no_rules_requested_gives_no_verdicts() -> None:
    """An empty request is an empty evaluation."""
    assert run(DIVISION, {"n": 1, "d": 0}, rules=[]).verdicts == {}


def test_a_shared_rule_error_names_only_that_rule() -> None:
    """The diagnostic of a memoised rule does not depend on which rule needed it first."""
    first = run(DIVISION, {"n": 1, "d": 0}, rules=["high", "ratio"]).verdicts
    assert first["high"].error is not None
    assert first["high"].error.notes == ('while evaluating rule `ratio` "比例"',)
    assert first["high"].error == first["ratio"].error


def test_evaluation_from_a_deep_caller_stack_stays_total() -> None:
    """Called with little stack left, evaluation gives located errors, never RecursionError."""
    import sys

    lines = ["input x: int", "rule r0: x + 1"] + [f"rule r{i}: r{i - 1} + 1" for i in range(1, 300)]
    lines.append("rule deep: " + "(" * 90 + "x" + " + 1)" * 90)
    policy = checker.check_text("\n".join(lines), "chain.policy")
    limit = sys.getrecursionlimit()
    results: list[Evaluation] = []

    def descend(n: int) -> None:
        if n:
            descend(n - 1)
        else:
            results.append(evaluator.evaluate(policy, {"x": 0}, rules=["r299", "deep"], trace=True))

    descend(limit - 250)
    verdicts = results[0].verdicts
    for result in verdicts.values():
        assert result.error is None or result.error.code == "too-deep"
    assert verdicts["r299"].value == 300 or verdicts["r299"].error is not None


def test_distinct_errors_report_each_fault_once() -> None:
    """A fault shared by dependent rules is one distinct error, however many rules it fails."""
    result = run(DIVISION, {"n": 1, "d": 0})
    assert [e.code for e in result.errors] == ["division-by-zero", "division-by-zero"]
    assert [e.code for e in result.distinct_errors] == ["division-by-zero"]
