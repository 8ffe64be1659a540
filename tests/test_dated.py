"""Schedules `by date`: values in force from dates on, looked up at a date on every path.

The value on a date is the one of the last `from` on or before it; before the first, an
evaluation error (`before-first-date`), or `none` when the values are declared optional.
The dates are strictly increasing; the explanation names the stage that applied, its date
and its citations; `wuxin fmt`, `wuxin doc`, the strategies and the consistency analysis
know the construct.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest

import wuxin_rules
from wuxin_rules import consistency, evaluator, explain, strategies
from wuxin_rules.api import Result
from wuxin_rules.document import build_document
from wuxin_rules.document_formats import render_markdown
from wuxin_rules.errors import PolicyCheckError
from wuxin_rules.formatter import format_text
from wuxin_rules.schema import describe

HEAD = """\
policy t "T"

enum Region
  : east "东部",
    west "西部"

input day: date
input region: Region

"""

BASE = """\
schedule base "Base amount": decimal by date
  cites "Decree 1":
  from 2024-01-01 "first": 1200
  from 2024-07-01 "raise" cites "Decree 7": 1260
  from 2025-01-01: 1300.50
"""

WAGE = """\
schedule wage "Minimum wage": decimal? by date, Region
  monotone nondecreasing in date:
  from 2024-01-01: east 2000, west 1800
  from 2024-10-01: east 2100, west none
"""

RULES = """
rule amount -> decimal: base(day)
rule regional -> decimal?: wage(day, region)
"""


def _load(text: str = BASE + WAGE + RULES) -> wuxin_rules.Policy:
    return wuxin_rules.loads(HEAD + text, name="t.policy")


def _errors(text: str) -> list[Any]:
    with pytest.raises(PolicyCheckError) as caught:
        _load(text)
    return list(caught.value.diagnostics)


def _all_paths(policy: wuxin_rules.Policy, facts: dict[str, Any], rule: str) -> Any:
    """The verdict of `rule` on every path (reference, traced reference, fast path, compiled
    tracer), checked equal: value, error and the explanation's JSON."""
    values = policy.validate(facts)
    keys = (rule,)
    params = policy._param_values
    reference = evaluator.evaluate(policy.checked, values, params=params, rules=keys)
    traced = evaluator.evaluate(policy.checked, values, params=params, rules=keys, trace=True)
    fast = policy.evaluate(facts, rules=keys)
    explained = policy.evaluate(facts, rules=keys, explain=True)
    expected = reference.verdicts[rule]
    assert traced.verdicts[rule].value == expected.value
    assert fast.verdict(rule).value == expected.value == explained.verdict(rule).value
    assert fast.verdict(rule).error == expected.error == explained.verdict(rule).error
    reference_result = Result(policy, values, keys, traced)
    assert json.dumps(explained.to_json(explain=True)) == json.dumps(
        reference_result.to_json(explain=True)
    )
    return explained.verdict(rule)


@pytest.mark.parametrize(
    ("day", "value"),
    [
        ("2024-01-01", Decimal(1200)),  # the first day of the first value
        ("2024-06-30", Decimal(1200)),  # the last day before the next
        ("2024-07-01", Decimal(1260)),
        ("2024-12-31", Decimal(1260)),
        ("2025-01-01", Decimal("1300.50")),
        ("2031-05-17", Decimal("1300.50")),  # the last value stays in force
    ],
)
def test_the_value_in_force_is_the_last_from_on_or_before_the_date(day: str, value: Any) -> None:
    verdict = _all_paths(_load(), {"day": day, "region": "east"}, "amount")
    assert verdict.value == value


def test_before_the_first_date_is_an_error_naming_both_dates() -> None:
    verdict = _all_paths(_load(), {"day": "2023-12-31", "region": "east"}, "amount")
    assert verdict.error is not None
    assert verdict.error.code == "before-first-date"
    assert "2023-12-31" in verdict.error.message
    assert "2024-01-01" in verdict.error.message


@pytest.mark.parametrize(
    ("day", "region", "value"),
    [
        ("2023-12-31", "east", None),  # optional values: before the first is none
        ("2024-09-30", "west", Decimal(1800)),
        ("2024-10-01", "west", None),  # a `none` cell
        ("2024-10-01", "east", Decimal(2100)),
    ],
)
def test_optional_values_give_none_before_the_first_date(day: str, region: str, value: Any) -> None:
    verdict = _all_paths(_load(), {"day": day, "region": region}, "regional")
    assert verdict.error is None
    assert verdict.value == value


def test_the_lookup_has_the_declared_type() -> None:
    policy = _load()
    assert describe(policy.checked.rules["amount"].body.type) == "decimal"
    # A year schedule's lookup is optional; a dated one is so only when declared so.
    with pytest.raises(PolicyCheckError):
        _load(BASE + "rule r -> decimal: base(2024)\n")


def test_the_explanation_names_the_stage_its_date_and_citations() -> None:
    result = _load().evaluate({"day": "2024-08-01", "region": "east"}, explain=True)
    verdict = result.verdict("amount")
    text = explain.render_text(verdict)
    assert '2024-08-01 → 1260 (in force from 2024-07-01 "raise")' in text
    assert verdict.explanation is not None
    node = verdict.explanation.children[0]
    assert node.cites == ("Decree 1", "Decree 7")


def test_dates_must_increase_and_the_error_points_at_the_one_out_of_order() -> None:
    text = "schedule s: int by date:\n  from 2024-07-01: 2\n  from 2024-07-01: 3\n"
    (error,) = _errors(text)
    assert error.code == "dated-out-of-order"
    assert error.span.line == 12 and error.span.text == "2024-07-01"
    assert error.labels[0].span.line == 11


def test_dated_values_need_by_date() -> None:
    (error,) = _errors("schedule s: int by year:\n  from 2024-07-01: 2\n")
    assert error.code == "bad-schedule-period"


def test_none_only_when_the_values_are_optional() -> None:
    (error,) = _errors("schedule s: int by date:\n  from 2024-07-01: none\n")
    assert error.code == "type-mismatch"
    assert _load("schedule s: int? by date:\n  from 2024-07-01: none\n")


def test_every_member_has_a_cell_and_monotone_is_proved() -> None:
    (error,) = _errors("schedule s: int by date, Region:\n  from 2024-07-01: east 2\n")
    assert error.code == "missing-cell"
    text = "schedule s: int by date\n  monotone nondecreasing in date:\n"
    (error,) = _errors(text + "  from 2024-01-01: 3\n  from 2024-07-01: 2\n")
    assert error.code == "schedule-not-monotone"


def test_the_formatter_lays_each_value_on_a_line_its_cites_below() -> None:
    text = HEAD + BASE + "\n" + WAGE
    canonical = text.replace(
        '"raise" cites "Decree 7": 1260', '"raise"\n    cites "Decree 7": 1260'
    )
    assert format_text(text, "t.policy") == canonical
    assert format_text(canonical, "t.policy") == canonical


def test_the_document_lists_the_values_with_their_dates() -> None:
    markdown = render_markdown(build_document(_load().checked, "en"))
    assert "| 2024-01-01 to 2024-06-30 | first | 1200 |  |" in markdown
    assert "| 2024-07-01 to 2024-12-31 | raise | 1260 | Decree 7 |" in markdown
    assert "| from 2025-01-01 |  | 1300.5 |  |" in markdown


def test_strategies_draw_the_first_day_of_each_value_and_the_day_before() -> None:
    policy = _load()
    found = set(strategies.thresholds(policy).get("input day", ()))
    assert {datetime.date(2024, 7, 1), datetime.date(2024, 6, 30)} <= found


def test_consistency_knows_the_values_range_over_the_stages() -> None:
    text = "\ncriterion never: base(day) > 1400\n"
    warnings = consistency.analyse(_load(BASE + text).checked)
    assert any(w.code == "criterion-always-false" for w in warnings)


def test_a_schedule_by_date_has_no_stages_to_ask_for() -> None:
    (error,) = _errors(BASE + "rule r: base.stage(day)\n")
    assert error.code == "not-callable" and "no named stages" in error.message


def test_from_is_still_a_name_outside_a_schedule() -> None:
    text = "record R:\n  from: date\ninput period: R\nrule r -> decimal: base(period.from)\n"
    policy = wuxin_rules.loads(HEAD + BASE + text, name="t.policy")
    verdict = policy.evaluate(
        {"day": "2024-01-01", "region": "east", "period": {"from": "2024-07-01"}}
    )
    assert verdict.verdict("r").value == Decimal(1260)
