"""Money: the fixed-scale type, rounding by a declared mode, and the `needs-rounding` check.

`money` is an exact decimal of scale 2: read from facts exactly at that scale (a value of
more places is `bad-fact`, on the reference's facts check and on the compiled one), shown
and written with exactly two places. `round(x, k, mode)` rounds by one of seven modes and is
of scale k. A value of unbounded scale (or of more places) where `money` is declared is a
check error naming the expression and the type, with the rounding to add.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

import wuxin_rules
from wuxin_rules import checker, json_schema, jsonio, model, tabular
from wuxin_rules import strategies as policy_strategies
from wuxin_rules.errors import FactError, PolicyCheckError
from wuxin_rules.typing_rules import describe_type

HEAD = 'policy m "m"\ninput salary: money >= 0 "salary"\ninput rate: percent "rate"\n'


def _check(body: str) -> model.CheckedPolicy:
    return checker.check_text(HEAD + body, "m.policy")


def _problems(body: str) -> list[tuple[str, str, str, str | None]]:
    with pytest.raises(PolicyCheckError) as caught:
        _check(body)
    return [
        (d.code, d.message, d.span.text if d.span else "", d.help) for d in caught.value.diagnostics
    ]


def _load(body: str) -> wuxin_rules.Policy:
    return wuxin_rules.loads(HEAD + body, name="m.policy")


# ------------------------------------------------------------------------------------------
# The check


@pytest.mark.parametrize(
    ("body", "part", "message"),
    [
        (
            "rule r -> money: salary * rate\n",
            "salary * rate",
            "`salary * rate` may have any number of decimal places, but `money` holds a fixed number",
        ),
        (
            "rule r -> money: salary / 12\n",
            "salary / 12",
            "`salary / 12` may have any number of decimal places, but `money` holds a fixed number",
        ),
        (
            "rule r -> money: salary * 0.5\n",
            "salary * 0.5",
            "`salary * 0.5` may have 3 decimal places, more than `money` holds",
        ),
        # Down through `min`, `if` and `+` to the part where the rounding belongs.
        (
            "rule r -> money: if rate > 0 then min(salary, 10 + salary * rate) else 0\n",
            "salary * rate",
            "`salary * rate` may have any number of decimal places, but `money` holds a fixed number",
        ),
        (
            "param fee: money = 1.505\nrule r: fee\n",
            "1.505",
            "`1.505` may have 3 decimal places, more than `money` holds",
        ),
        (
            "rule half(x: money) -> money: x\nrule r: half(salary / 2)\n",
            "salary / 2",
            "`salary / 2` may have any number of decimal places, but `money` holds a fixed number",
        ),
        (
            "record Pay:\n  amount: money\nrule r -> Pay: {amount: salary * rate}\n",
            "salary * rate",
            "`salary * rate` may have any number of decimal places, but `money` holds a fixed number",
        ),
    ],
)
def test_an_unrounded_value_where_money_is_declared_is_a_check_error(
    body: str, part: str, message: str
) -> None:
    ((code, found, span, help),) = _problems(body)
    assert (code, found, span) == ("needs-rounding", message, part)
    assert help is not None and f"`round({part}, 2, half_even)`" in help


@pytest.mark.parametrize(
    "body",
    [
        "rule r -> money: salary + salary - 1.5\n",
        "rule r -> money: salary * 3\n",
        "rule r -> money: if rate > 0 then salary else 0\n",
        "rule r -> money: 12.30\n",
        "rule r -> money: max(salary, 100)\n",
        "rule r -> money: round(salary * rate, 2, half_up)\n",
        "rule r -> money: round(salary / 3, 0, floor)\n",
        "rule r -> money: round(salary / 3, 2)\n",  # the older form: halves away from zero
        "rule r -> money: sum of x in [salary, 1.25]: x\n",
        # Comparisons are exact: no rounding is needed to compare a quotient with money.
        "criterion c: salary / 12 > 100\n",
    ],
)
def test_amounts_that_keep_their_scale_need_no_rounding(body: str) -> None:
    _check(body)


def test_the_scale_of_results() -> None:
    checked = _check(
        "rule a: salary + salary\nrule b: salary * 0.5\nrule c: round(salary * rate, 4, up)\n"
        "rule d: salary * rate\nrule e: round(rate, 2, down)\nrule f: 0.25 + 1\n"
    )
    types = {key: describe_type(rule.type) for key, rule in checked.rules.items()}
    assert types == {
        "a": "money",
        "b": "decimal(3)",
        "c": "decimal(4)",
        "d": "decimal",
        "e": "percent",
        "f": "decimal",  # a literal's places are known, but it has no fixed scale
    }


def test_a_mode_word_is_a_mode_only_in_rounds_third_place() -> None:
    """`down` may be an input's name; as the mode of `round` it is the mode."""
    policy = wuxin_rules.loads(
        'policy w "w"\ninput down: int "down"\ninput x: decimal "x"\n'
        "rule r -> money: round(x, 2, down)\nrule s: down + 1\n",
        name="w.policy",
    )
    result = policy.evaluate({"down": 5, "x": Decimal("-2.349")})
    assert result.values() == {"r": Decimal("-2.34"), "s": 6}


def test_a_mode_that_is_not_one_is_reported() -> None:
    ((code, message, span, help),) = _problems(
        'input how: text "how"\nrule r: round(salary, 2, how)\n'
    )
    assert (code, message, span) == ("type-mismatch", "`how` is not a rounding mode", "how")
    assert help is not None and "`half_even`" in help and "`ceiling`" in help


# ------------------------------------------------------------------------------------------
# Rounding by mode, on every path

# docs/language.md's table of modes, for 2 places.
MODES = {
    "half_even": ("1.00", "1.02", "-1.00", "1.00"),
    "half_up": ("1.01", "1.02", "-1.01", "1.00"),
    "half_down": ("1.00", "1.01", "-1.00", "1.00"),
    "up": ("1.01", "1.02", "-1.01", "1.01"),
    "down": ("1.00", "1.01", "-1.00", "1.00"),
    "ceiling": ("1.01", "1.02", "-1.00", "1.01"),
    "floor": ("1.00", "1.01", "-1.01", "1.00"),
}


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_rounds_as_documented_on_every_path(mode: str) -> None:
    policy = wuxin_rules.loads(
        f'policy r "r"\ninput x: decimal "x"\nrule r: round(x, 2, {mode})\n', name="r.policy"
    )
    for written, wanted in zip(("1.005", "1.015", "-1.005", "1.001"), MODES[mode], strict=True):
        document = {"x": Decimal(written)}
        fast = policy.evaluate(document)
        explained = policy.evaluate(document, explain=True)
        assert fast.values()["r"] == Decimal(wanted), (mode, written)
        assert explained.values() == fast.values()
        # Shown with its two places (`1.00`), in the text and the JSON.
        assert jsonio.dumps(fast.to_json()) == f'{{"rules": {{"r": {wanted}}}}}'
    assert policy.fast_path_stats.as_dict() == {}


# ------------------------------------------------------------------------------------------
# Facts, output


def test_facts_with_more_places_than_the_scale_are_refused_never_rounded() -> None:
    policy = _load("rule r: salary + 0\n")
    for bad in (Decimal("10.255"), "10.255", "1/3", Decimal("0.001")):
        with pytest.raises(FactError) as caught:
            policy.evaluate({"salary": bad, "rate": 0})
        (diagnostic,) = caught.value.diagnostics
        assert diagnostic.code == "bad-fact"
        assert diagnostic.path == "$.salary"
        assert "more than 2 decimal places" in diagnostic.message
        assert diagnostic.help is not None and "never rounded" in diagnostic.help
    # Trailing zeros and fewer places are the same exact amount.
    for amount, shown in ((Decimal("10.250"), "10.25"), ("7", "7.00"), (Decimal("0.5"), "0.50")):
        result = policy.evaluate({"salary": amount, "rate": 0})
        assert jsonio.dumps(result.to_json()) == f'{{"rules": {{"r": {shown}}}}}'
        assert str(result.values()["r"]) == shown


def test_a_json_facts_document_is_read_on_the_fast_path_exactly() -> None:
    policy = _load("rule r -> money: salary * 3\n")
    fine = jsonio.loads('{"salary": 10.10, "rate": 0.5}')
    assert policy.evaluate(fine).values() == {"r": Decimal("30.30")}
    assert policy.fast_path_stats.as_dict() == {}
    with pytest.raises(FactError):
        policy.evaluate(jsonio.loads('{"salary": 10.101, "rate": 0.5}'))


def test_explanations_show_amounts_with_their_places() -> None:
    policy = _load("rule r -> money: round(salary * rate, 2, half_even) + 0.5\n")
    result = policy.evaluate({"salary": Decimal("7"), "rate": Decimal("0.1")}, explain=True)
    text = result.explain("r")
    assert "r = 1.20" in text
    assert "7.00 * 10%" in text


def test_the_json_schema_of_money() -> None:
    schema = json_schema.facts_schema(_check("rule r: salary\n"))
    salary = schema["properties"]["salary"]
    number, text = salary["anyOf"]
    assert number == {"type": "number", "multipleOf": Decimal("0.01"), "minimum": 0}
    assert text["type"] == "string"
    import re

    assert re.fullmatch(text["pattern"].strip("^$"), "12.30")
    assert not re.fullmatch(text["pattern"].strip("^$"), "12.305")


def test_a_table_cell_of_more_places_is_refused(tmp_path: Path) -> None:
    policy = _check("rule r: salary\n")
    path = tmp_path / "facts.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["salary", "rate"])
        writer.writerow(["12.30", "0.5"])
        writer.writerow(["12.305", "0.5"])
    rows = tabular.read_documents(path, policy.inputs)
    assert rows[0].document["salary"] == Decimal("12.30")
    problems = rows[1].problems
    assert [p.code for p in problems] == ["bad-fact"]
    assert "more than 2 decimal places" in problems[0].message


def test_drawn_amounts_are_on_the_scale() -> None:
    policy = _load("rule r: salary\n")
    seen: list[Any] = []

    @settings(max_examples=40, deadline=None, derandomize=True, database=None)
    @given(policy_strategies.facts(policy))
    def run(document: dict[str, Any]) -> None:
        seen.append(document["salary"])
        policy.evaluate(document)  # never refused

    run()
    assert all((Fraction(v) * 100).denominator == 1 for v in seen)
    assert any((Fraction(v) * 10).denominator != 1 for v in seen)


def test_the_consistency_checks_bound_a_rounded_amount() -> None:
    """A rounding of an amount in 0 .. 100 times a rate of at most 10% is at most 10.00 by
    any mode: a criterion asking for more never holds; one asking for 9.99 may."""
    from wuxin_rules import consistency

    policy = checker.check_text(
        'policy c "c" source "S"\ninput amount: money 0 .. 100 "amount" cites "S1"\n'
        'input rate: percent 0% .. 10% "rate" cites "S2"\n'
        'criterion never "n" cites "S3": round(amount * rate, 2, half_up) > 10.01\n'
        'criterion may "m" cites "S4": round(amount * rate, 2, down) > 9.99\n',
        "c.policy",
    )
    found = [(d.code, d.message) for d in consistency.analyse(policy)]
    assert found == [("criterion-always-false", "criterion `never` is never true")]


def test_a_frame_column_of_amounts_is_read_exactly() -> None:
    """A decimal column of an Arrow table: amounts at the scale evaluated (written with
    their two places), a cell of more places refused in its row, never rounded."""
    pa = pytest.importorskip("pyarrow")
    policy = _load("rule r -> money: round(salary * rate, 2, half_even)\n")
    table = pa.table(
        {
            "salary": pa.array(
                [Decimal("10.250"), Decimal("7.000"), Decimal("10.125")], pa.decimal128(10, 3)
            ),
            "rate": pa.array([Decimal("0.5"), Decimal("0.1"), Decimal("0.5")], pa.decimal128(4, 2)),
        }
    )
    rows = policy.evaluate_frame(table).to_pylist()
    assert [row["r"] for row in rows] == [Decimal("5.12"), Decimal("0.70"), None]
    assert rows[2]["errors"] == "salary: `10.125` has more than 2 decimal places"


def test_a_param_override_of_more_places_is_refused() -> None:
    from wuxin_rules.errors import ParamError

    text = HEAD + "param fee: money = 1.50\nrule r: fee * 2\n"
    assert wuxin_rules.loads(text, name="m.policy", params={"fee": "2.25"}).evaluate(
        {"salary": 1, "rate": 0}
    ).values() == {"r": Decimal("4.50")}
    with pytest.raises(ParamError) as caught:
        wuxin_rules.loads(text, name="m.policy", params={"fee": "2.255"})
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "bad-param",
        "param `fee` expects `money`, found `2.255`",
    )


def test_a_schedule_cell_of_more_places_is_a_check_error() -> None:
    ((code, message, span, help),) = _problems(
        "schedule fee: money by year:\n  stage only 2015-01-01 .. 2016-12-31:\n"
        "    2015: 1.505\n    2016: 2\nrule r: fee(2016) ?? 0\n"
    )
    assert (code, message, span) == (
        "needs-rounding",
        "`1.505` may have 3 decimal places, more than `money` holds",
        "1.505",
    )
    assert help is not None and "never rounded" in help


def test_rounding_an_amount_keeps_it_an_amount() -> None:
    checked = _check(
        "rule a: round(salary, 4, up)\nrule b: round(salary, 1)\nrule c: round(salary * rate, 2)\n"
        "rule d: round(salary, 0, floor)\n"
    )
    types = {key: describe_type(rule.type) for key, rule in checked.rules.items()}
    assert types == {"a": "money", "b": "decimal(1)", "c": "decimal", "d": "decimal(0)"}
