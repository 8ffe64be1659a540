"""Date-times with a zone: their literals in both readers, facts, the wall-clock arithmetic
across daylight-saving changes, components and `in_zone`.

`tests/test_semantics.py` holds every entry to the same values on every path; here are the
meanings (instants, the wall clock, the zone written) and the forms outside the engine.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

import wuxin_rules
from wuxin_rules import cli, direct_parser, formatter, json_schema, parser, zones
from wuxin_rules.errors import FactError, PolicyCheckError, PolicySyntaxError
from wuxin_rules.source import Source
from wuxin_rules.values import Duration

PARIS = zones.zone("Europe/Paris")


def _policy(rules: str) -> wuxin_rules.Policy:
    text = 'policy t "t"\ninput at: datetime "at"\ninput wait: duration "wait"\n' + rules
    return wuxin_rules.loads(text, name="t.policy")


def _value(expr: str, **facts: Any) -> Any:
    """The value of `expr` on the fast path and the traced reference (which must agree)."""
    policy = _policy(f'rule r "r": {expr}\n')
    document = {"at": "2024-03-30T02:30[Europe/Paris]", "wait": "P1D", **facts}
    fast = policy.evaluate(document)
    explained = policy.evaluate(document, explain=True)
    verdict, traced = fast.verdict("r"), explained.verdict("r")
    assert (verdict.value, verdict.error) == (traced.value, traced.error)
    return verdict.error.code if verdict.error is not None else verdict.value


def _paris(*parts: int) -> datetime.datetime:
    return zones.resolve(datetime.datetime(*parts), PARIS)  # type: ignore[misc]


def test_a_day_later_keeps_the_wall_clock_and_a_skipped_time_moves_forward() -> None:
    # 02:30 on 31 March 2024 does not exist in Paris: it is 03:30, summer time.
    moved = _value("at + wait")
    assert moved == _paris(2024, 3, 31, 3, 30)
    assert moved.utcoffset() == datetime.timedelta(hours=2)
    assert _value("at + days(1) - at") == Duration(0, 24 * 3600)  # moved forward by the gap
    night = "2024-03-31T00:00[Europe/Paris]"
    assert _value(f"{night} + days(1) - {night}") == Duration(0, 23 * 3600)  # elapsed
    assert _value("at + hours(24)") == _paris(2024, 3, 31, 3, 30)


def test_a_repeated_time_is_the_first_of_the_two() -> None:
    moved = _value("at + months(7) - days(3)")  # 2024-10-27 02:30, repeated
    assert moved.utcoffset() == datetime.timedelta(hours=2)  # summer time: the first


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("at == 2024-03-30T01:30Z", True),  # the same instant, another zone
        ("at < 2024-03-30T08:30+08:00", False),  # 00:30 UTC
        ("at.hour", 2),
        ("at.minute", 30),
        ("at.date", datetime.date(2024, 3, 30)),
        ('in_zone(at, "Asia/Shanghai").hour', 9),
        ('in_zone(at, "Asia/Shanghai") == at', True),
        ("at.year * 100 + at.month", 202403),
        ("at - 2024-03-30T00:00Z", Duration(0, 5400)),
    ],
)
def test_instants_components_and_zones(expr: str, expected: Any) -> None:
    assert _value(expr) == expected


def test_results_leave_as_iso_8601_with_the_zone_and_a_margin_in_hours() -> None:
    policy = _policy(
        'rule r "r": at + hours(1)\nrule late "late": at > 2024-03-30T05:00[Europe/Paris]\n'
    )
    result = policy.evaluate({"at": "2024-03-30T02:30[Europe/Paris]", "wait": "P1D"}, explain=True)
    assert json.loads(json.dumps(result.to_json()))["rules"]["r"] == (
        "2024-03-30T03:30:00+01:00[Europe/Paris]"
    )
    assert "short by PT2H30M" in result.explain()
    assert json_schema.facts_schema(policy.checked)["properties"]["at"]["format"] == "date-time"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("2025-03-01T08:30:00", "give the offset or the zone"),
        ("2025-03-01", "give the offset or the zone"),
        ("2025-03-01T08:30:00.5+08:00", "give the offset or the zone"),
        ("2025-03-01T08:30[Asia/Shangai]", "not a time zone"),
        ("2025-02-30T08:30Z", "give the offset or the zone"),
    ],
)
def test_a_datetime_fact_without_a_zone_is_a_located_bad_fact(text: str, needle: str) -> None:
    policy = _policy('rule r "r": at\n')
    with pytest.raises(FactError) as caught:
        policy.validate({"at": text, "wait": "P1D"})
    assert caught.value.diagnostics[0].code == "bad-fact"
    assert "$.at" in str(caught.value)
    rendered = str(caught.value)
    assert needle in rendered, rendered


def test_a_naive_python_datetime_is_refused_and_an_aware_one_taken() -> None:
    policy = _policy('rule r "r": at.hour\n')
    with pytest.raises(FactError):
        policy.validate({"at": datetime.datetime(2025, 3, 1, 8, 30), "wait": "P1D"})
    aware = datetime.datetime(2025, 3, 1, 8, 30, tzinfo=PARIS)
    assert policy.evaluate({"at": aware, "wait": "P1D"}).verdict("r").value == 8


@pytest.mark.parametrize(
    "literal",
    ["2025-03-01T08:30[Asia/Shanghai]", "2025-03-01T08:30:15+08:00", "2025-03-01T08:30-03:30"],
)
def test_literals_read_alike_in_both_readers_and_are_written_back(literal: str) -> None:
    text = f'rule r "r":\n  {literal}\n'
    source = Source("t.policy", text)
    direct = direct_parser.parse(source, "start")
    assert direct is not None  # read by the direct reader, not handed to Lark
    assert direct == parser.parse_with_lark(source, "start")
    rule = direct.declarations[0]
    assert rule.body.value == parser.parse_with_lark(source, "start").declarations[0].body.value
    assert formatter.format_text(text) == text


def test_an_unknown_zone_is_refused_where_it_is_written() -> None:
    with pytest.raises(PolicySyntaxError) as caught:
        _policy('rule r "r": 2025-03-01T08:30[Mars/Olympus]\n')
    assert "unknown-zone" in str(caught.value)
    with pytest.raises(PolicyCheckError) as checked:
        _policy('rule r "r": in_zone(at, "Mars/Olympus")\n')
    assert "unknown-zone" in str(checked.value)


def test_table_cells_give_date_times_and_durations_and_a_cell_without_zone_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "t.policy"
    policy.write_text(
        'policy t "t"\ninput at: datetime "at"\ninput wait: duration "wait"\n'
        'rule r "r": at + wait\n',
        encoding="utf-8",
    )
    table = tmp_path / "t.csv"
    table.write_text(
        "at,wait\n2024-03-30T02:30[Europe/Paris],P1D\n2024-03-30T02:30,P1D\n"
        "2024-03-30T02:30Z,1 day\n",
        encoding="utf-8",
    )
    code = cli.main(["eval", str(policy), str(table)])
    captured = capsys.readouterr()
    assert code != 0
    assert "r = 2024-03-31T03:30[Europe/Paris]" in captured.out
    assert "A3 (at): error[bad-fact]" in captured.err
    assert "give the offset or the zone" in captured.err
    assert "B4 (wait): error[bad-fact]" in captured.err
