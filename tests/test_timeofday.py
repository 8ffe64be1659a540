"""Times of day (`08:30`, no date, no zone): their literals in both readers, the clock
arithmetic that wraps past midnight, components, facts, table cells and JSON.

`tests/test_semantics.py` holds every entry to the same values on every path; here are the
meanings (the wrap, the signed difference, the margin in minutes) and the forms outside the
engine.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

import wuxin_rules
from wuxin_rules import cli, direct_parser, formatter, json_schema, parser
from wuxin_rules.errors import FactError, PolicySyntaxError
from wuxin_rules.source import Source
from wuxin_rules.values import Duration, to_json

_HEAD = 'policy t "t"\ninput opens: time "opens"\ninput at: datetime "at"\n'


def _policy(rules: str) -> wuxin_rules.Policy:
    return wuxin_rules.loads(_HEAD + rules, name="t.policy")


def _value(expr: str, **facts: Any) -> Any:
    """The value of `expr` on the fast path and the traced reference (which must agree)."""
    policy = _policy(f'rule r "r": {expr}\n')
    document = {"opens": "23:30", "at": "2025-03-01T08:30:15+08:00", **facts}
    fast = policy.evaluate(document)
    explained = policy.evaluate(document, explain=True)
    verdict, traced = fast.verdict("r"), explained.verdict("r")
    assert (verdict.value, verdict.error) == (traced.value, traced.error)
    return verdict.error.code if verdict.error is not None else verdict.value


def test_adding_wraps_past_midnight_and_whole_days_leave_the_clock() -> None:
    assert _value("opens + hours(1)") == datetime.time(0, 30)
    assert _value("minutes(45) + opens") == datetime.time(0, 15)
    assert _value("00:15 - minutes(30)") == datetime.time(23, 45)
    assert _value("opens + days(3)") == datetime.time(23, 30)
    assert _value("opens - seconds(1)") == datetime.time(23, 29, 59)


def test_months_move_no_clock() -> None:
    assert _value("opens + months(1)") == "invalid-argument"
    policy = _policy('input n: int "n"\nrule r "r": opens + months(n)\n')
    verdict = policy.evaluate({"opens": "08:00", "at": "2025-03-01T08:30Z", "n": 0}).verdict("r")
    assert verdict.value == datetime.time(8, 0)  # no months: the clock stays
    failed = policy.evaluate({"opens": "08:00", "at": "2025-03-01T08:30Z", "n": 2}).verdict("r")
    assert failed.error is not None
    assert "has months" in failed.error.message


def test_the_difference_of_two_times_is_signed_and_does_not_wrap() -> None:
    assert _value("opens - 08:00") == Duration(0, 15 * 3600 + 30 * 60)
    assert _value("08:00 - opens") == Duration(0, -(15 * 3600 + 30 * 60))
    assert _value("opens + (09:00 - opens)") == datetime.time(9, 0)


def test_times_compare_on_the_clock() -> None:
    assert _value("opens > 23:29:59") is True
    assert _value("opens <= 08:30") is False
    assert _value("opens == 23:30:00") is True


def test_components_and_the_clock_of_a_date_time() -> None:
    assert _value("opens.hour * 100 + opens.minute") == 2330
    assert _value("08:30:15.second") == 15
    assert _value("at.time") == datetime.time(8, 30, 15)
    assert _value("at.second") == 15
    assert _value("at.time < opens") is True


def test_a_missing_component_is_refused_with_the_fields_a_time_has() -> None:
    with pytest.raises(wuxin_rules.PolicyError) as caught:
        _policy('rule r "r": opens.day\n')
    assert ".hour" in str(caught.value) and ".second" in str(caught.value)


@pytest.mark.parametrize(
    ("expr", "message", "help"),
    [
        ("opens.hours", "unknown field `hours` on `time`", "did you mean `hour`?"),
        ("at.yeer", "unknown field `yeer` on `datetime`", "did you mean `year`?"),
        ("(at - at).days", "unknown field `days` on `duration`", "`whole_days(d)`"),
    ],
)
def test_an_unknown_field_names_its_type_and_the_nearest_field(
    expr: str, message: str, help: str
) -> None:
    with pytest.raises(wuxin_rules.PolicyError) as caught:
        _policy(f'rule r "r": {expr}\n')
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.message == message
    assert diagnostic.help is not None and help in diagnostic.help


def test_times_and_date_times_are_picked_and_sorted_on_every_path() -> None:
    """`min`, `max`, `sort` and `min_by` order times of day on the clock and date-times by
    their instants, whatever their zones (the fast path and the traced reference agree)."""
    head = (
        'record Shift "shift":\n  starts: datetime "starts"\n  opens: time "opens"\n'
        'input shifts: list of Shift "shifts"\n'
    )
    rules = {
        "earliest": "min of s in shifts: s.opens",
        "latest": "max of s in shifts: s.starts",
        "clock": "sort([opens, 08:15, 23:59])",
        "pair": "max(at, 2025-03-01T00:30:00Z)",
        "first": 'min_by(shifts, "starts").opens',
        "ordered": 'sort_by(shifts, "starts")',
    }
    policy = wuxin_rules.loads(
        _HEAD + head + "".join(f'rule {name} "{name}": {body}\n' for name, body in rules.items()),
        name="t.policy",
    )
    shifts = [
        {"starts": "2025-03-01T08:00:00+08:00", "opens": "09:30"},  # 00:00 UTC
        {"starts": "2025-03-01T00:30:00Z", "opens": "08:15"},
        {"starts": "2025-02-28T23:00:00-02:00", "opens": "23:00"},  # 01:00 UTC, the latest
    ]
    document = {"opens": "12:00", "at": "2025-03-01T08:00:00+08:00", "shifts": shifts}
    fast, traced = policy.evaluate(document), policy.evaluate(document, explain=True)
    for name in rules:
        assert to_json(fast[name]) == to_json(traced[name]), name
    assert to_json(fast["earliest"]) == "08:15:00"
    assert fast["latest"] == datetime.datetime.fromisoformat("2025-02-28T23:00:00-02:00")
    assert [to_json(t) for t in fast["clock"]] == ["08:15:00", "12:00:00", "23:59:00"]
    assert fast["pair"] == datetime.datetime.fromisoformat("2025-03-01T00:30:00+00:00")
    assert to_json(fast["first"]) == "09:30:00"
    assert [to_json(s["opens"]) for s in fast["ordered"]] == ["09:30:00", "08:15:00", "23:00:00"]


def test_a_time_fact_with_fold_set_reads_as_the_facts_check_reads_it_on_every_path() -> None:
    """`fold` means nothing without a zone: `datetime.time(0, 0, fold=1)` is read as
    `datetime.time(0, 0)` by the fast path and the compiled tracer too (they gave it back as
    given, where the reference gave the facts check's)."""
    policy = _policy('rule same "same": opens\nrule first "first": last(sort([opens]))\n')
    document = {"opens": datetime.time(0, 0, fold=1), "at": "2025-03-01T08:30Z"}
    stats = policy.fast_path_stats
    stats.reset()
    fast, explained = policy.evaluate(document), policy.evaluate(document, explain=True)
    assert stats.as_dict() == {}  # decided by the compiled paths
    assert policy.validate(document)["opens"].fold == 0
    for name in ("same", "first"):
        assert repr(fast[name]) == repr(explained[name]) == "datetime.time(0, 0)", name


@pytest.mark.parametrize("body", ["max of w in waits: w", "sort(waits)"])
def test_durations_are_not_picked_or_sorted_and_the_help_says_how(body: str) -> None:
    with pytest.raises(wuxin_rules.PolicyError) as caught:
        _policy(f'input waits: list of duration "waits"\nrule r "r": {body}\n')
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.help is not None and "whole_minutes(w)" in diagnostic.help


def test_the_explanation_gives_the_margin_in_minutes() -> None:
    policy = _policy('rule late "late": opens > 09:00\n')
    result = policy.evaluate({"opens": "10:15", "at": "2025-03-01T08:30Z"}, explain=True)
    assert "margin 75 minutes" in result.explain()
    result = policy.evaluate({"opens": "08:59:30", "at": "2025-03-01T08:30Z"}, explain=True)
    assert "short by PT30S" in result.explain()


@pytest.mark.parametrize("literal", ["08:30", "23:59:59", "00:00"])
def test_literals_read_alike_in_both_readers_and_are_written_back(literal: str) -> None:
    text = f'rule r "r":\n  {literal}\n'
    source = Source("t.policy", text)
    direct = direct_parser.parse(source, "start")
    assert direct is not None  # read by the direct reader, not handed to Lark
    assert direct == parser.parse_with_lark(source, "start")
    assert formatter.format_text(text) == text


@pytest.mark.parametrize("literal", ["24:00", "08:60", "12:30:61"])
def test_a_time_off_the_clock_is_refused_where_it_is_written(literal: str) -> None:
    with pytest.raises(PolicySyntaxError) as caught:
        _policy(f'rule r "r": {literal}\n')
    assert "invalid-date" in str(caught.value)
    assert "not a time of day" in str(caught.value)
    assert "t.policy:4:13" in str(caught.value)


def test_a_record_field_keeps_its_colon_and_three_digits_are_no_time() -> None:
    # `name: 30` starts with a letter; only two digits on each side of `:` are a time.
    assert _value("{hour: 12, at: 12:30}.at") == datetime.time(12, 30)
    assert _value("[12:30, 12:30:45]") == (
        datetime.time(12, 30),
        datetime.time(12, 30, 45),
    )
    with pytest.raises(PolicySyntaxError):
        _policy('rule r "r": 12:345\n')


@pytest.mark.parametrize(
    ("fact", "needle"),
    [
        ("8:30", "is not a time of day in the form"),
        ("24:00", "is not a time of day in the form"),
        ("08:30+08:00", "is not a time of day in the form"),
        ("08:30:00.5", "is not a time of day in the form"),
        (830, "write the time of day as"),
        (datetime.time(8, 30, tzinfo=datetime.UTC), "write the time of day as"),
    ],
)
def test_a_fact_not_a_time_of_day_is_a_located_bad_fact(fact: Any, needle: str) -> None:
    policy = _policy('rule r "r": opens\n')
    with pytest.raises(FactError) as caught:
        policy.validate({"opens": fact, "at": "2025-03-01T08:30Z"})
    assert caught.value.diagnostics[0].code == "bad-fact"
    rendered = str(caught.value)
    assert "$.opens" in rendered
    assert needle in rendered, rendered


def test_facts_as_text_or_python_times_and_json_out_as_iso_text() -> None:
    policy = _policy('rule r "r": opens + minutes(1)\n')
    for fact in ("08:30:15", datetime.time(8, 30, 15)):
        verdict = policy.evaluate({"opens": fact, "at": "2025-03-01T08:30Z"}).verdict("r")
        assert verdict.value == datetime.time(8, 31, 15)
    assert to_json(datetime.time(8, 31, 15)) == "08:31:15"
    schema = json_schema.facts_schema(policy.checked)
    assert schema["properties"]["opens"]["format"] == "time"


def test_table_cells_give_times_and_a_wrong_cell_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "t.policy"
    policy.write_text(_HEAD + 'rule r "r": opens + hours(1)\n', encoding="utf-8")
    table = tmp_path / "t.csv"
    table.write_text("opens,at\n23:30,2025-03-01T08:30Z\n8h,2025-03-01T08:30Z\n", encoding="utf-8")
    code = cli.main(["eval", str(policy), str(table), "--format", "json"])
    captured = capsys.readouterr()
    assert code != 0
    assert '"00:30:00"' in captured.out
    assert "A3 (opens): error[bad-fact]" in captured.err
    assert '"08:30"' in captured.err


def test_excel_time_cells_are_times_of_day(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from wuxin_rules import tabular

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["opens", "at"])
    sheet.append([datetime.time(7, 45), "2025-03-01T08:30Z"])
    book.save(tmp_path / "t.xlsx")
    policy = _policy('rule r "r": opens\n')
    rows = tabular.read_documents(tmp_path / "t.xlsx", policy.checked.inputs, shown="t.xlsx")
    assert rows[0].problems == ()
    assert rows[0].document["opens"] == datetime.time(7, 45)
