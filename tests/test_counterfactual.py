"""What must change: `fixed` facts, `Result.to_pass`, `wuxin eval --to-pass` (issue 14 item 3)."""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wuxin_rules
from conftest import Golden
from wuxin_rules import cli, strategies
from wuxin_rules.errors import UsageError
from wuxin_rules.formatter import format_text
from wuxin_rules.values import to_python

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "policies" / "drug_free" / "unit.policy"
FAIL = ROOT / "examples" / "village-fail.json"
GOLDEN = Path(__file__).parent / "golden" / "to_pass"


def _policy(body: str, *, record: str | None = None) -> wuxin_rules.Policy:
    fields = record or (
        'n : int >= 0 "件数"\n    m : int >= 0 "另一件数"\n    r : decimal >= 0 "比率"\n'
        '    avg : decimal fixed "平均"\n    ok : bool "已落实"\n    k : Kind "类型"'
    )
    return wuxin_rules.loads(
        'policy p\n\nenum Kind: a "甲", b "乙", c "丙"\n\n'
        f'record A\n  : {fields}\n\ninput x: A "对象"\n\n{body}\n'
    )


def _doc(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "n": 1, "m": 2, "r": Decimal("0.7"), "avg": Decimal("0.5"), "ok": False, "k": "c",
    }  # fmt: skip
    base.update(fields)
    return {"x": base}


def _changes(result: wuxin_rules.Result, rule: str, value: bool = True) -> list[tuple[str, Any]]:
    return [(c.path, c.to_json()["set"]) for c in result.to_pass(rule, value)]


# ------------------------------------------------------------------------------------------
# `fixed`: syntax, check, layout


def test_fixed_marks_fields_and_inputs() -> None:
    policy = wuxin_rules.loads(
        'policy p\nrecord R\n  : a : int "甲"\n    b : int fixed "乙"\n'
        "input r: R\ninput today: date fixed\ncriterion c: r.a > r.b\n"
    )
    (record,) = [r for r in policy.checked.records.values() if r.name == "R"]
    assert [(f.name, f.fixed) for f in record.fields] == [("a", False), ("b", True)]
    assert {i.name: i.fixed for i in policy.checked.inputs} == {"r": False, "today": True}


def test_fixed_is_a_contextual_keyword() -> None:
    """`fixed` may name an input (it is a keyword only after a type), but not a record field,
    where it would read as the previous field's `fixed`."""
    policy = wuxin_rules.loads("policy p\ninput fixed: int\nrule r: fixed + 1\n")
    assert policy.evaluate({"fixed": 1}).values()["r"] == 2
    with pytest.raises(wuxin_rules.PolicyError, match="cannot name a record field"):
        wuxin_rules.loads("policy p\nrecord R:\n  a: int\n  fixed: bool\n")


def test_the_canonical_layout_keeps_fixed() -> None:
    text = (
        'policy p\n\nrecord R\n  : a : int "甲"\n    b : int fixed "乙"\n    c : int fixed\n\n'
        "input today: date fixed\n"
    )
    formatted = format_text(text)
    assert 'b : int fixed "乙"' in formatted
    assert "c : int fixed\n" in formatted
    assert "input today: date fixed" in formatted
    assert format_text(formatted) == formatted


def test_the_flagship_fixes_the_provincial_averages() -> None:
    checked = wuxin_rules.load(UNIT).checked
    unit = next(r for r in checked.records.values() if r.name == "Unit")
    assert sorted(f.name for f in unit.fields if f.fixed) == [
        "province_addict_growth_rate",
        "province_enforcement_rate",
    ]


# ------------------------------------------------------------------------------------------
# Result.to_pass


def test_the_flagship_failure_needs_two_changes() -> None:
    policy = wuxin_rules.load(UNIT)
    result = policy.evaluate(json.loads(FAIL.read_text(encoding="utf-8"), parse_float=Decimal))
    found = result.to_pass("drug_free")
    assert [c.to_json() for c in found] == [
        {"path": "$.unit.drug_labs", "label": "制毒窝点数", "now": 1, "needed": "== 0",
         "set": 0},
        {"path": "$.unit.addict_growth_rate", "label": "辖区吸毒人员增幅", "now": "0.045",
         "needed": "<= 0.0155", "set": "0.0155"},
    ]  # fmt: skip
    assert found.alternatives == ()
    assert found.changes[1].set == Fraction("0.0155")


def test_a_fixed_fact_is_never_proposed_but_others_are() -> None:
    fixed = _policy("criterion c: x.r <= x.avg")
    assert _changes(fixed.evaluate(_doc()), "c") == [("$.x.r", "0.5")]
    free = _policy(
        "criterion c: x.r <= x.avg",
        record='r : decimal >= 0 "比率"\n    avg : decimal "平均"',
    )
    result = free.evaluate({"x": {"r": Decimal("0.7"), "avg": Decimal("0.5")}})
    found = result.to_pass("c")
    everything = [[c.path for c in way] for way in (found.changes, *found.alternatives)]
    assert everything == [["$.x.r"], ["$.x.avg"]]


def test_any_of_gives_alternatives_all_of_needs_each() -> None:
    policy = _policy(
        "criterion either: any of [x.n == 0, x.m == 0]\ncriterion both: all of [x.n == 0, x.m == 0]"
    )
    result = policy.evaluate(_doc())
    either = result.to_pass("either")
    assert [[(c.path, c.set) for c in w] for w in (either.changes, *either.alternatives)] == [
        [("$.x.n", 0)],
        [("$.x.m", 0)],
    ]
    assert _changes(result, "both") == [("$.x.n", 0), ("$.x.m", 0)]


def test_at_least_flips_the_fewest() -> None:
    policy = _policy("criterion two: at least 2 of [x.n == 0, x.m == 0, x.ok, x.k == a]")
    found = policy.evaluate(_doc()).to_pass("two")
    assert len(found.changes) == 2
    assert len(found.alternatives) == 5  # every other pair of the four


def test_strict_bounds_and_whole_numbers() -> None:
    policy = _policy(
        "criterion more: x.n > 3\ncriterion below: x.r < 0.5\ncriterion third: x.r * 3 <= 1"
    )
    result = policy.evaluate(_doc())
    assert [(c.needed, c.set) for c in result.to_pass("more")] == [("> 3", 4)]
    assert [(c.needed, c.set) for c in result.to_pass("below")] == [("< 0.5", Fraction("0.49"))]
    third = result.to_pass("third").changes[0]
    assert third.needed == "<= 1/3"
    assert third.set == Fraction("0.333333")


def test_linear_in_two_facts_solves_each_with_the_other_as_it_is() -> None:
    policy = _policy("criterion c: x.n + 2 * x.m <= 3")
    found = policy.evaluate(_doc(n=2, m=2)).to_pass("c")
    ways = [[(c.path, c.needed, c.set) for c in w] for w in (found.changes, *found.alternatives)]
    # n >= 0 cannot go to -1; m can go to 0 (2 + 0 <= 3).
    assert ways == [[("$.x.m", "<= 0.5", 0)]]


def test_booleans_and_members() -> None:
    policy = _policy(
        "criterion done: x.ok\ncriterion kind: x.k in [a, b]\ncriterion not_a: x.k != c"
    )
    result = policy.evaluate(_doc())
    done = result.to_pass("done").changes[0]
    assert (done.needed, done.set, done.to_json()["now"]) == ("true", True, False)
    kind = result.to_pass("kind").changes[0]
    assert (kind.needed, kind.set) == ("in [a, b]", "a")
    assert [(c.needed, c.set) for c in result.to_pass("not_a")] == [("!= c", "a")]


def test_to_false_and_already() -> None:
    policy = _policy("criterion small: x.n <= 5")
    result = policy.evaluate(_doc())
    assert [(c.needed, c.set) for c in result.to_pass("small", False)] == [("> 5", 6)]
    already = result.to_pass("small")
    assert already.already and already.changes == ()
    assert result.to_pass_json() == {}


def test_nothing_changeable_is_reported_not_invented() -> None:
    # The bound of `n` (>= 0) rules out the only solution, and `avg` is fixed.
    policy = _policy("criterion c: x.n + 10 <= 5\ncriterion d: x.avg > 1")
    result = policy.evaluate(_doc())
    for rule in ("c", "d"):
        found = result.to_pass(rule)
        assert not found.found and found.to_json() is None
    assert result.to_pass_json() == {"c": None, "d": None}
    assert "No change" in result.to_pass("c").sentence()
    assert "没有找到" in result.to_pass("c").sentence("zh")


def test_only_boolean_rules() -> None:
    policy = _policy("rule total: x.n + x.m")
    with pytest.raises(UsageError, match="not true or false"):
        policy.evaluate(_doc()).to_pass("total")


def test_every_proposal_is_checked_by_evaluating_again() -> None:
    # `if` is not solved through its condition: the branch taken is solved, and the check
    # throws out a change that moves the condition to the other branch.
    policy = _policy("criterion c: if x.n > 0 then x.n >= 5 else false")
    result = policy.evaluate(_doc(n=1))
    assert [(c.path, c.set) for c in result.to_pass("c")] == [("$.x.n", 5)]
    trap = _policy("criterion c: if x.n >= 1 then x.n <= 0 else false")
    assert not trap.evaluate(_doc(n=1)).to_pass("c").found


@settings(max_examples=25)
@given(st.data())
def test_every_failing_flagship_unit_can_pass_by_its_changes(data: st.DataObject) -> None:
    """For any unit that is not drug-free: the changes found make it drug-free, touch no
    fixed fact, and none of them is a change to the same value. Only a provincial average
    below −2/3 puts the growth threshold below −100%, where no unit's growth can reach it."""
    policy = _flagship()
    document = data.draw(_flagship_facts())
    result = policy.evaluate(document)
    if result["drug_free"]:
        return
    found = result.to_pass("drug_free")
    if not found.found:
        assert result["growth_threshold"] < -1
        return
    unit = dict(document["unit"])
    responsibility = dict(unit["responsibility"])
    for change in found:
        assert "province" not in change.path
        assert change.set != change.now
        *_, field = change.path.split(".")
        target = responsibility if change.path.startswith("$.unit.responsibility.") else unit
        target[field] = to_python(change.set, change.type)
    unit["responsibility"] = responsibility
    assert policy.evaluate({"unit": unit})["drug_free"]


# ------------------------------------------------------------------------------------------
# The command line, and the sentence in both languages (golden files)


@functools.cache
def _flagship() -> wuxin_rules.Policy:
    return wuxin_rules.load(UNIT)


@functools.cache
def _flagship_facts() -> st.SearchStrategy[dict[str, Any]]:
    return strategies.facts(_flagship())


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main([*args])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_sentence_in_both_languages(
    capsys: pytest.CaptureFixture[str], golden: Golden, lang: str
) -> None:
    code, out = _run(
        capsys, "eval", str(UNIT), str(FAIL), "--to-pass", "--lang", lang, "--color", "never"
    )
    assert code == 0
    out = out.replace(str(FAIL), "examples/village-fail.json")
    golden.check(GOLDEN / f"village-fail.{lang}.txt", out)


def test_the_chinese_sentence_reads_as_the_issue_asks(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = _run(capsys, "eval", str(UNIT), str(FAIL), "--to-pass", "--lang", "zh",
                  "--rule", "drug_free")  # fmt: skip
    assert out.splitlines()[-1] == (
        "若 制毒窝点数 为 0（现为 1），且 辖区吸毒人员增幅 不高于 0.0155（现为 0.045），"
        "则可评为无毒单位"
    )


def test_json_lists_the_changes_of_each_false_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "eval", str(UNIT), str(FAIL), "--to-pass", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data["to_pass"]) == {k for k, v in data["rules"].items() if v is False}
    assert data["to_pass"]["standard_1"] == [
        {"path": "$.unit.drug_labs", "label": "制毒窝点数", "now": 1, "needed": "== 0", "set": 0}
    ]
    assert "0.0155" in out.split('"standard_3"')[-1]  # an exact number, not a float's digits


def test_a_ratio_is_solved_for_the_fact_it_is_linear_in() -> None:
    # `n / m` is not linear in n and m together, but it is in `n` with `m` as it is.
    policy = _policy("criterion c: x.n / x.m >= 50%\ncriterion d: max(x.n, x.m) >= 5")
    result = policy.evaluate(_doc(n=1, m=4))
    assert [(c.path, c.needed, c.set) for c in result.to_pass("c")] == [("$.x.n", ">= 2", 2)]
    assert not result.to_pass("d").found  # `max` is not solved through


def test_an_optional_truth_value_can_be_asked_for() -> None:
    policy = _policy("rule maybe -> bool?: if x.ok then none else x.n >= 3")
    result = policy.evaluate(_doc())
    assert result["maybe"] is False
    assert [(c.path, c.set) for c in result.to_pass("maybe")] == [("$.x.n", 3)]
    assert result.to_pass_json() == {
        "maybe": [{"path": "$.x.n", "label": "件数", "now": 1, "needed": ">= 3", "set": 3}]
    }


def test_an_if_is_solved_in_its_branch_or_by_changing_its_condition() -> None:
    policy = _policy(
        "criterion stay: if x.ok then x.n >= 5 else x.m == 0\n"
        "criterion switch: if x.ok then x.n >= 5 else false"
    )
    result = policy.evaluate(_doc())
    assert [(c.path, c.set) for c in result.to_pass("stay")] == [("$.x.m", 0)]
    assert [(c.path, c.needed, c.set) for c in result.to_pass("switch")] == [
        ("$.x.ok", "true", True),
        ("$.x.n", ">= 5", 5),
    ]


def test_a_missing_date_is_given_one_before_the_deadline() -> None:
    policy = wuxin_rules.loads(
        'policy p\nrecord A\n  : on : date? "报送日期"\ninput x: A\n'
        "criterion in_time: if x.on is none then false else x.on <= 2025-12-15\n"
    )
    found = policy.evaluate({"x": {"on": None}}).to_pass("in_time")
    assert [c.to_json() for c in found] == [
        {"path": "$.x.on", "label": "报送日期", "now": None, "needed": "<= 2025-12-15",
         "set": "2025-12-15"},
    ]  # fmt: skip
    assert found.sentence("zh") == ("若 报送日期 不晚于 2025-12-15（现为 空），则可评为in_time")
    late = policy.evaluate({"x": {"on": "2025-12-18"}}).to_pass("in_time")
    assert [(c.needed, str(c.set)) for c in late] == [("<= 2025-12-15", "2025-12-15")]
