"""What is still missing: `Policy.evaluate(doc, partial=True)`, `Pending`, `wuxin eval --partial`
(issue 14 item 4)."""

from __future__ import annotations

import copy as copy_module
import functools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wuxin_rules
from wuxin_rules import cli, strategies
from wuxin_rules.errors import FactError, UsageError

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "policies" / "drug_free" / "unit.policy"
TOWN = ROOT / "policies" / "drug_free" / "town.policy"
FAIL = ROOT / "examples" / "village-fail.json"


@functools.cache
def _unit() -> wuxin_rules.Policy:
    return wuxin_rules.load(UNIT)


def _fail() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FAIL.read_text(encoding="utf-8"), parse_float=Decimal)
    return data


def _without(document: dict[str, Any], *paths: str) -> dict[str, Any]:
    """`document` without the facts at `paths` (`unit.responsibility.work_funded`)."""
    copy = copy_module.deepcopy(document)
    for path in paths:
        *parents, last = path.split(".")
        target = copy
        for key in parents:
            target = target[key]
        del target[last]
    return copy


def test_a_drug_lab_decides_whatever_the_missing_rates() -> None:
    document = _without(
        _fail(), "unit.addict_growth_rate", "unit.enforcement_rate", "unit.responsibility"
    )
    result = _unit().evaluate(document, partial=True)
    assert result["drug_free"] is False
    assert result["standard_1"] is False
    assert result["standard_2"] is True
    pending = result["standard_3"]
    assert isinstance(pending, wuxin_rules.Pending)
    assert [(f.path, f.label) for f in pending.needs] == [
        ("$.unit.addict_growth_rate", "辖区吸毒人员增幅"),
        ("$.unit.enforcement_rate", "辖区吸贩毒违法犯罪打击水平"),
    ]
    assert [f.path for f in result["standard_6"].needs] == ["$.unit.responsibility"]
    assert result["growth_threshold"] == Decimal("0.0155")  # decided: its facts are all there


def test_pending_until_a_deciding_fact_arrives() -> None:
    document = _without(_fail(), "unit.drug_labs", "unit.addict_growth_rate")
    result = _unit().evaluate(document, partial=True)
    assert [f.path for f in result["drug_free"].needs] == [
        "$.unit.drug_labs",
        "$.unit.addict_growth_rate",
    ]
    assert result.to_json()["rules"]["drug_free"] == {
        "pending": ["$.unit.drug_labs", "$.unit.addict_growth_rate"]
    }


def test_a_complete_document_gives_the_same_verdicts() -> None:
    full = _unit().evaluate(_fail())
    partial = _unit().evaluate(_fail(), partial=True)
    assert partial.values() == full.values()


def test_present_facts_are_still_checked() -> None:
    document = _without(_fail(), "unit.drug_labs")
    document["unit"]["trafficking_groups"] = -1
    with pytest.raises(FactError) as caught:
        _unit().evaluate(document, partial=True)
    assert [d.path for d in caught.value.diagnostics] == ["$.unit.trafficking_groups"]


def test_a_missing_input_is_pending() -> None:
    result = _unit().evaluate({}, partial=True)
    assert all(isinstance(result[k], wuxin_rules.Pending) for k in result)
    assert [f.path for f in result["drug_free"].needs] == ["$.unit"]


def test_three_values_in_and_or_at_least_if() -> None:
    policy = wuxin_rules.loads(
        "policy p\nrecord A\n  : a : bool\n    b : bool\n    n : int\n    m : int\n"
        "input x: A\n"
        "criterion both: x.a and x.b\ncriterion either: x.a or x.b\n"
        "criterion two: at least 2 of [x.a, x.b, x.n > 0]\n"
        "rule pick: if x.a then x.n else x.m\n"
    )
    result = policy.evaluate({"x": {"a": False, "n": 1}}, partial=True)
    assert result["both"] is False
    assert [f.path for f in result["either"].needs] == ["$.x.b"]
    assert [f.path for f in result["two"].needs] == ["$.x.b"]
    assert [f.path for f in result["pick"].needs] == ["$.x.m"]  # the branch taken
    decided = policy.evaluate({"x": {"a": True, "n": 1}}, partial=True)
    assert decided["either"] is True and decided["pick"] == 1
    unknown = policy.evaluate({"x": {"b": True, "n": 1}}, partial=True)
    # An undecided condition: its facts and those of both branches.
    assert [f.path for f in unknown["pick"].needs] == ["$.x.a", "$.x.m"]


def test_an_evaluation_error_is_still_an_error() -> None:
    policy = wuxin_rules.loads(
        "policy p\nrecord A\n  : a : bool\n    n : int\ninput x: A\n"
        "criterion c: x.a and 1 / x.n > 0\n"
    )
    result = policy.evaluate({"x": {"n": 0}}, partial=True)
    assert result.verdict("c").error is not None
    assert result.verdict("c").error.code == "division-by-zero"


def test_lists_of_records_with_missing_fields() -> None:
    policy = wuxin_rules.loads(
        'policy p\nrecord I\n  : n : int "件数"\nrecord A\n  : items : list of I\n'
        "input x: A\nrule total: sum of i in x.items : i.n\n"
        "criterion any_big: any of i in x.items : i.n > 5\n"
    )
    result = policy.evaluate({"x": {"items": [{"n": 1}, {}]}}, partial=True)
    assert [(f.path, f.label) for f in result["total"].needs] == [("$.x.items[1].n", "件数")]
    complete = policy.evaluate({"x": {"items": [{"n": 1}, {"n": 7}]}}, partial=True)
    assert complete["total"] == 8 and complete["any_big"] is True


def test_explanations_and_to_pass_need_every_fact() -> None:
    document = _without(_fail(), "unit.drug_labs")
    with pytest.raises(UsageError, match="need every fact"):
        _unit().evaluate(document, partial=True, explain=True)
    result = _unit().evaluate(document, partial=True)
    with pytest.raises(UsageError, match="need every fact"):
        result.explain("drug_free")
    with pytest.raises(UsageError, match="need every fact"):
        result.to_pass("standard_3")


_FIELDS = (
    "drug_labs", "trafficking_groups", "addict_growth_rate", "province_addict_growth_rate",
    "enforcement_rate", "province_enforcement_rate", "fugitive_key_offenders",
    "venue_drug_cases", "uncontrolled_substance_firms", "group_drug_use_incidents",
    "responsibility", "responsibility.duties_assigned", "responsibility.team_in_place",
    "responsibility.infrastructure_complete", "responsibility.work_funded", "kind", "year",
)  # fmt: skip


@functools.cache
def _unit_facts() -> st.SearchStrategy[dict[str, Any]]:
    return strategies.facts(_unit())


def _remove(document: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    unit = dict(document["unit"])
    unit["responsibility"] = dict(unit["responsibility"])
    for path in paths:
        if path.startswith("responsibility.") and "responsibility" in unit:
            unit["responsibility"].pop(path.split(".")[1], None)
        else:
            unit.pop(path, None)
    return {"unit": unit}


def _put_back(partial: dict[str, Any], full: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    unit = dict(partial["unit"])
    for path in paths:
        keys = path.removeprefix("$.unit.").split(".")
        if path == "$.unit":
            return full
        if len(keys) == 1:
            unit[keys[0]] = full["unit"][keys[0]]
        else:
            unit["responsibility"] = {
                **unit["responsibility"],
                keys[1]: full["unit"]["responsibility"][keys[1]],
            }
    return {"unit": unit}


@settings(max_examples=150)
@given(st.data())
def test_supplying_the_needed_facts_decides_and_agrees(data: st.DataObject) -> None:
    """Every decided rule has the value the full document gives; every pending one, given
    the facts it lists (and nothing else), is decided, with that value."""
    full = data.draw(_unit_facts())
    removed = data.draw(st.lists(st.sampled_from(_FIELDS), unique=True, min_size=1, max_size=12))
    document = _remove(full, removed)
    expected = _unit().evaluate(full).values()
    result = _unit().evaluate(document, partial=True)
    for key in result:
        value = result[key]
        if not isinstance(value, wuxin_rules.Pending):
            assert value == expected[key], key
            continue
        assert value.needs
        supplied = _put_back(document, full, [f.path for f in value.needs])
        again = _unit().evaluate(supplied, partial=True, rules=[key])[key]
        assert not isinstance(again, wuxin_rules.Pending), (key, value)
        assert again == expected[key]


def test_cli_partial(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    facts = tmp_path / "some.json"
    facts.write_text(
        json.dumps(
            {"unit": {"id": "x", "name": "某村", "kind": "village", "year": 2017, "drug_labs": 1}}
        ),
        encoding="utf-8",
    )
    args = ["eval", str(UNIT), str(facts), "--partial", "--rule", "drug_free", "--rule",
            "standard_2"]  # fmt: skip
    assert cli.main([*args, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "rules": {"drug_free": False, "standard_2": {"pending": ["$.unit.trafficking_groups"]}}
    }
    assert cli.main([*args, "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "待定：尚缺 贩毒团伙和网络数 ($.unit.trafficking_groups)" in out
    assert cli.main(args) == 0
    assert "pending: needs 贩毒团伙和网络数 ($.unit.trafficking_groups)" in capsys.readouterr().out
    without = cli.main(["eval", str(UNIT), str(facts)])
    assert without != 0
    assert "missing-fact" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--explain", "--to-pass"])
def test_cli_partial_refuses_what_needs_every_fact(
    capsys: pytest.CaptureFixture[str], option: str
) -> None:
    assert cli.main(["eval", str(UNIT), str(FAIL), "--partial", option]) == 2
    captured = capsys.readouterr()
    assert f"`{option}` needs every fact" in captured.err
    assert "Traceback" not in captured.err and captured.out == ""
