"""Durations: the two-part value (months, seconds), the builtins that make and measure them,
dates moved by them, and how they enter as facts and leave as JSON.

`tests/test_semantics.py` holds every entry to the same values, errors and explanations on
every path; here are the meanings themselves (the month-end rule, what compares, what the
checker refuses) and the forms of the value outside the engine.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wuxin_rules
from wuxin_rules import json_schema
from wuxin_rules.errors import FactError, PolicyCheckError
from wuxin_rules.values import Duration, parse_duration

_DAY = 86_400


def _policy(rules: str, inputs: str = "") -> wuxin_rules.Policy:
    text = (
        'policy t "t"\ninput start: date "start"\ninput n: int "n"\n'
        'input wait: duration "wait"\n' + inputs + rules
    )
    return wuxin_rules.loads(text, name="t.policy")


def _value(expr: str, **facts: Any) -> Any:
    """The value of `expr` on the fast path and the traced reference (which must agree), or
    the error code."""
    policy = _policy(f'rule r "r": {expr}\n')
    document = {"start": "2024-01-31", "n": 1, "wait": "P1D", **facts}
    fast = policy.evaluate(document)
    explained = policy.evaluate(document, explain=True)
    verdict, traced = fast.verdict("r"), explained.verdict("r")
    assert (verdict.value, verdict.error) == (traced.value, traced.error)
    return verdict.error.code if verdict.error is not None else verdict.value


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("start + months(1)", datetime.date(2024, 2, 29)),  # clamped to the month's end
        ("start + months(1) + days(1)", datetime.date(2024, 3, 1)),
        ("start + (months(1) + days(1))", datetime.date(2024, 3, 1)),  # months before days
        ("start + years(1) + months(1)", datetime.date(2025, 2, 28)),
        ("2024-02-29 + years(1)", datetime.date(2025, 2, 28)),
        ("start - months(2)", datetime.date(2023, 11, 30)),
        ("days(3) + start", datetime.date(2024, 2, 3)),
        ("start + weeks(2) - days(1)", datetime.date(2024, 2, 13)),
        ("add_months(start, 1) == start + months(1)", True),
    ],
)
def test_dates_move_by_months_first_clamped_then_by_days(expr: str, expected: Any) -> None:
    assert _value(expr) == expected


def test_two_dates_subtracted_are_whole_days_and_days_between_keeps_its_meaning() -> None:
    assert _value("2024-03-01 - start") == Duration(0, 30 * _DAY)
    assert _value("whole_days(start - 2024-03-01)") == -30
    assert _value("days_between(start, 2024-03-01)") == 30


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("years(1) == months(12)", True),
        ("days(1) == hours(24)", True),
        ("months(1) == days(30)", False),  # equality always has an answer
        ("months(1) + days(2) < months(1) + days(3)", True),  # same months: by the seconds
        ("months(2) + hours(1) > months(1) + hours(1)", True),  # same seconds: by the months
        ("months(1) + n * days(1) < months(2)", "incomparable-durations"),
        ("wait <= days(1)", True),
        ("whole_hours(days(2) + minutes(90))", 49),
        ("whole_minutes(-hours(1) - seconds(30))", -60),  # toward zero
        ("whole_months(years(2) - months(1))", 23),
        ("whole_days(months(1))", "invalid-argument"),
        ("whole_months(days(1))", "invalid-argument"),
        ("start + hours(3)", "invalid-argument"),  # a date moves by whole days
        ("9999-12-01 + months(1)", "invalid-date"),
        ("0001-01-01 - days(1)", "invalid-date"),
        ("days(2) * 3 - 2 * days(1) == days(4)", True),
    ],
)
def test_what_durations_compute_and_where_they_have_no_value(expr: str, expected: Any) -> None:
    assert _value(expr) == expected


def test_the_checker_refuses_an_order_of_months_against_seconds_and_keeps_a_joined_part() -> None:
    with pytest.raises(PolicyCheckError) as caught:
        _policy('rule r "r": months(1) < days(30)\n')
    assert "a month has no fixed number of days" in str(caught.value)
    # A branch of either part is known as neither: the values decide.
    _policy('rule r "r": (if n > 0 then months(1) else days(1)) < days(30)\n')


@pytest.mark.parametrize(
    "expr", ["start + start", "days(1) * days(1)", "days(1) / 2", "months(1) + 1", "-start"]
)
def test_arithmetic_outside_the_listed_pairs_is_refused(expr: str) -> None:
    with pytest.raises(PolicyCheckError) as caught:
        _policy(f'rule r "r": {expr}\n')
    assert "type-mismatch" in str(caught.value)


def test_a_comparison_margin_is_in_days() -> None:
    policy = _policy('rule r "r": wait > days(10)\n')
    result = policy.evaluate({"start": "2024-01-31", "n": 1, "wait": "P7D"}, explain=True)
    assert "short by 3 days" in result.explain()


def test_durations_leave_as_iso_8601_and_come_in_as_it() -> None:
    policy = _policy('rule r "r": wait + months(n)\n')
    result = policy.evaluate({"start": "2024-01-31", "n": 14, "wait": "P2DT3H"})
    assert json.loads(json.dumps(result.to_json()))["rules"]["r"] == "P1Y2M2DT3H"
    schema = json_schema.facts_schema(policy.checked)
    assert schema["properties"]["wait"]["format"] == "duration"


@pytest.mark.parametrize("text", ["2 days", "P", "PT", "P1.5D", "P1DT", "", "1D"])
def test_a_duration_fact_that_is_not_iso_8601_is_a_located_bad_fact(text: str) -> None:
    policy = _policy('rule r "r": wait\n')
    with pytest.raises(FactError) as caught:
        policy.validate({"start": "2024-01-31", "n": 1, "wait": text})
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "bad-fact"
    assert "$.wait" in str(caught.value)
    assert diagnostic.help is not None and "P1M" in diagnostic.help


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(-(10**6), 10**6), st.integers(-(10**9), 10**9))
def test_the_iso_text_reads_back_to_the_same_duration(months: int, seconds: int) -> None:
    duration = Duration(months, seconds)
    assert parse_duration(duration.iso()) == duration


def test_the_iso_text_of_durations_of_each_sign() -> None:
    assert Duration(0, 0).iso() == "PT0S"
    assert Duration(14, 3 * _DAY + 7200).iso() == "P1Y2M3DT2H"
    assert Duration(-1, -_DAY).iso() == "-P1M1D"
    assert Duration(1, -_DAY).iso() == "P1M-1D"
    assert parse_duration("P3W") == Duration(0, 21 * _DAY)


_GRACE = (
    'policy g "g"\nparam grace: duration = days(3) "Grace"\nparam opens: time = 08:30 "Opens"\n'
    'param start: datetime = 2025-03-01T08:00:00+08:00 "Start"\n'
    'input due: date "due"\ninput paid: date "paid"\n'
    'criterion late "late": paid > due + grace\n'
)


def test_a_duration_param_defaults_to_a_unit_and_is_given_in_iso_8601_or_as_a_value() -> None:
    facts = {"due": "2025-03-01", "paid": "2025-03-03"}
    policy = wuxin_rules.loads(_GRACE)
    assert policy.params["grace"] == Duration(0, 3 * 86_400)
    assert policy.evaluate(facts)["late"] is False
    for value in ("P1D", Duration(0, 86_400)):
        shorter = wuxin_rules.loads(_GRACE, params={"grace": value})
        assert shorter.params["grace"] == Duration(0, 86_400)
        assert shorter.evaluate(facts)["late"] is True
        assert shorter.evaluate(facts, explain=True)["late"] is True


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("opens", "09:30", datetime.time(9, 30)),
        ("opens", datetime.time(7, 0), datetime.time(7, 0)),
        (
            "start",
            "2025-03-03T00:00:00Z",
            datetime.datetime(2025, 3, 3, tzinfo=datetime.UTC),
        ),
    ],
)
def test_time_and_date_time_params_are_given_like_their_literals(
    name: str, value: Any, expected: Any
) -> None:
    assert wuxin_rules.loads(_GRACE, params={name: value}).params[name] == expected


@pytest.mark.parametrize(
    ("name", "value", "hint"),
    [
        ("grace", "3", "`P3D`"),
        ("grace", "days(3)", "`P3D`"),
        ("opens", "9h", "`HH:MM`"),
        ("start", datetime.datetime(2025, 3, 3), "with its zone"),
    ],
)
def test_a_param_value_of_the_wrong_form_says_how_to_write_it(
    name: str, value: Any, hint: str
) -> None:
    with pytest.raises(wuxin_rules.ParamError) as caught:
        wuxin_rules.loads(_GRACE, params={name: value})
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "bad-param" and hint in (diagnostic.help or "")
