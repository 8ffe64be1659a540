"""The columnar path of `evaluate_frame` (`wuxin_rules.columnar`): on random Arrow tables of
the flagship unit policy and of a small policy using every construct the path computes
(nulls, bound ends, labels, bad cells, divisions by zero, inexact quotients, overflows),
the verdicts and errors equal the row path's, and the values equal `evaluate_many`'s."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wuxin_rules import api, columnar, frames
from wuxin_rules.errors import EvaluationError, FactError
from wuxin_rules.values import format_number

pa = pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from unit_facts import generate_units  # noqa: E402  (a sibling of the benchmarks)

UNIT = str(ROOT / "policies" / "drug_free" / "unit.policy")
UNIT_RULES = [
    "standard_1",
    "standard_2",
    "standard_3",
    "standard_4",
    "standard_5",
    "standard_6",
    "growth_threshold",
    "enforcement_threshold",
    "drug_free",
    "awarding_authority",
    "group",
]

SMALL = """policy columns "every construct the columnar path computes"

enum Size "size"
  : small "小",
    large "大"

record Part "part"
  : ok : bool "ok"

record Thing "thing"
  : size    : Size            "size"
    count   : int >= 0        "count"
    rate    : decimal -1 .. 1 "rate"
    extra   : decimal?        "extra"
    divisor : int             "divisor"
    flag    : bool?           "flag"
    name    : text            "name"
    due     : date?           "due"
    part    : Part            "part"

input thing: Thing "thing"

param margin: percent = 25% "margin"

rule scaled_of(t: Thing) "scaled" -> decimal:
  t.rate * margin + abs(t.rate) - min(t.rate, 0.5) + max(t.count, 2)

rule scaled "scaled": scaled_of(thing)
rule ratio "ratio": thing.rate / thing.divisor
rule whole_ratio "whole ratio": thing.count / 4
rule filled "filled": thing.extra ?? thing.rate
criterion has_extra "has extra": thing.extra is not none
criterion big "big": thing.size == Size.large or thing.count > 3
criterion unflagged "unflagged": not (thing.flag ?? false)
criterion flagged "flagged": if thing.flag is none then false else thing.flag == true
criterion small_one "small": thing.size in [small] and thing.name != "x"
rule chosen "chosen": if thing.count > 2 then thing.extra else thing.rate
rule needs_extra "needs extra": if thing.extra is not none then thing.extra + 1 else none
criterion several "several": at least 2 of [big, has_extra, thing.part.ok]
criterion every "every": all of [thing.part.ok, any of [big, flagged]]
rule negated "negated": -thing.count
criterion early "early":
  if thing.due is none then thing.count / thing.divisor > 1 else thing.due < 2020-01-01
criterion extra_big "extra big": (thing.extra ?? 0) > thing.rate * 2
criterion rate_equal "rate equal":
  (thing.extra ?? thing.rate) == thing.rate and thing.due is none
"""

SMALL_SCHEMA = pa.schema(
    [
        ("size", pa.string()),
        ("count", pa.int64()),
        ("rate", pa.decimal128(10, 4)),
        ("extra", pa.decimal128(14, 4)),
        ("divisor", pa.int64()),
        ("flag", pa.bool_()),
        ("name", pa.string()),
        ("due", pa.date32()),
        ("part.ok", pa.bool_()),
    ]
)


@pytest.fixture(scope="module")
def unit_policy() -> api.Policy:
    return api.load(UNIT)


@pytest.fixture(scope="module")
def small_policy() -> api.Policy:
    return api.loads(SMALL, name="columns.policy")


def row_path(policy: api.Policy, table: Any, rules: list[str] | None) -> Any:
    """The verdicts of `table` with the columnar path switched off."""
    saved = columnar.evaluate_table

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise columnar.Unsupported("switched off by the test")

    columnar.evaluate_table = refuse  # type: ignore[assignment]
    try:
        return policy.evaluate_frame(table, rules=rules)
    finally:
        columnar.evaluate_table = saved  # type: ignore[assignment]


def takes_columns(policy: api.Policy, table: Any, rules: list[str]) -> bool:
    """True when the columnar path evaluates these rules on this table."""
    flat = table
    while any(pa.types.is_struct(field.type) for field in flat.schema):
        flat = flat.flatten()
    keys = policy.resolve_rules(rules)
    layout = frames.layout(policy.checked.inputs, None)
    positions = {name: layout.resolve(name)[0] for name in flat.column_names}
    try:
        columnar.evaluate_table(policy.checked, policy._param_values, flat, keys, layout, positions)
    except columnar.Unsupported:
        return False
    return True


def nested(row: dict[str, Any]) -> dict[str, Any]:
    """A table row (dotted names) as a record."""
    record: dict[str, Any] = {}
    for name, value in row.items():
        *parents, last = name.split(".")
        node = record
        for parent in parents:
            node = node.setdefault(parent, {})
        node[last] = value
    return record


def assert_same(policy: api.Policy, table: Any, rules: list[str], input: str) -> None:
    """Columnar verdicts = the row path's (values and errors) = `evaluate_many`'s values."""
    got = policy.evaluate_frame(table, rules=rules)
    want = row_path(policy, table, rules)
    assert str(got.schema) == str(want.schema)  # decimals in the fewest places, as the row path
    got_rows, want_rows = got.to_pylist(), want.to_pylist()
    assert got_rows == want_rows
    for row, verdicts in zip(table.to_pylist(), got_rows, strict=True):
        try:
            (result,) = policy.evaluate_many([{input: nested(row)}], rules=rules)
        except FactError:
            assert verdicts["errors"] is not None
            assert all(verdicts[key] is None for key in rules)
            continue
        for key in rules:
            try:
                value = result[key]
            except EvaluationError:
                assert verdicts[key] is None
                assert key in verdicts["errors"]
            else:
                assert verdicts[key] == as_in_frame(value, verdicts[key]), key


def as_in_frame(value: Any, shown: Any) -> Any:
    """A value as a frame holds it: a column holding a ratio with no finite decimal form
    holds every value as text (`1/3`, `0.25`)."""
    if isinstance(shown, str) and isinstance(value, Fraction | Decimal):
        return format_number(value) if isinstance(value, Fraction) else str(value)
    return value


# ------------------------------------------------------------------------------------------
# The flagship: generated units, some of them spoilt


_SPOILERS: dict[str, list[Any]] = {
    "drug_labs": [-1, 0, 1, None, 2**40],
    "addict_growth_rate": [Decimal("-1"), Decimal("-1.0001"), Decimal("0.0000"), None],
    "province_addict_growth_rate": [Decimal("-1"), Decimal("-0.0005"), Decimal("5.5")],
    "enforcement_rate": [Decimal("0"), Decimal("-0.0001"), Decimal("9.9999")],
    "kind": ["村", "园区", "castle", None, "village"],
    "year": [0, 1, 9999, 10000],
    "id": [None, ""],
}


@st.composite
def unit_tables(draw: st.DrawFn) -> tuple[Any, bool]:
    seed = draw(st.integers(0, 10**6))
    count = draw(st.integers(1, 25))
    units = [document["unit"] for document in generate_units(count, seed)]
    spoil = draw(
        st.lists(
            st.tuples(
                st.integers(0, count - 1),
                st.sampled_from(sorted(_SPOILERS)).flatmap(
                    lambda name: st.tuples(st.just(name), st.sampled_from(_SPOILERS[name]))
                ),
            ),
            max_size=4,
        )
    )
    for index, (name, value) in spoil:
        units[index][name] = value
    if draw(st.booleans()):
        units[0]["responsibility"]["work_funded"] = draw(st.sampled_from([None, False]))
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("name", pa.string()),
            ("kind", pa.string()),
            ("year", pa.int64()),
            ("drug_labs", pa.int64()),
            ("trafficking_groups", pa.int64()),
            ("addict_growth_rate", pa.decimal128(9, 4)),
            ("province_addict_growth_rate", pa.decimal128(9, 4)),
            ("enforcement_rate", pa.decimal128(9, 4)),
            ("province_enforcement_rate", pa.decimal128(9, 4)),
            ("fugitive_key_offenders", pa.int64()),
            ("venue_drug_cases", pa.int64()),
            ("uncontrolled_substance_firms", pa.int64()),
            ("group_drug_use_incidents", pa.int64()),
            (
                "responsibility",
                pa.struct([(name, pa.bool_()) for name in units[0]["responsibility"]]),
            ),
        ]
    )
    return pa.Table.from_pylist(units, schema=schema), bool(spoil)


@given(unit_tables())
def test_flagship_units_on_columns_equal_the_row_path_and_evaluate_many(
    unit_policy: api.Policy, drawn: tuple[Any, bool]
) -> None:
    table, _ = drawn
    assert takes_columns(unit_policy, table, UNIT_RULES)
    assert_same(unit_policy, table, UNIT_RULES, "unit")


def test_flagship_units_take_the_columnar_path_and_only_bad_rows_fall_back(
    unit_policy: api.Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    units = [document["unit"] for document in generate_units(50, 7)]
    units[3]["drug_labs"] = -1  # outside `int >= 0`: the facts check refuses the row
    units[9]["kind"] = "村"  # a label: the member `village`
    table = pa.Table.from_pylist(units)
    evaluated: list[int] = []
    rows_of = frames._evaluate_rows

    def spy(policy: Any, frame: Any, *args: Any) -> Any:
        evaluated.append(len(frame))
        return rows_of(policy, frame, *args)

    monkeypatch.setattr(frames, "_evaluate_rows", spy)
    verdicts = unit_policy.evaluate_frame(table, rules=["drug_free", "awarding_authority"])
    assert evaluated == [1]  # the one bad row, nothing else
    rows = verdicts.to_pylist()
    assert rows[3]["drug_free"] is None and "drug_labs" in rows[3]["errors"]
    assert rows[9]["awarding_authority"] == "district_commission"
    assert sum(row["errors"] is not None for row in rows) == 1


def test_a_list_rule_sends_the_whole_table_to_the_row_path(unit_policy: api.Policy) -> None:
    table = pa.Table.from_pylist([document["unit"] for document in generate_units(5, 3)])
    assert not takes_columns(unit_policy, table, ["failed_standards"])
    assert takes_columns(unit_policy, table, ["drug_free"])
    verdicts = unit_policy.evaluate_frame(table, rules=["failed_standards", "drug_free"])
    assert (
        verdicts.to_pylist()
        == row_path(unit_policy, table, ["failed_standards", "drug_free"]).to_pylist()
    )


# ------------------------------------------------------------------------------------------
# Every supported construct


_DECIMALS = st.one_of(
    st.sampled_from([Decimal("-1"), Decimal("1"), Decimal("0"), Decimal("0.5"), Decimal("-0.5")]),
    st.integers(-10001, 10001).map(lambda n: Decimal(n).scaleb(-4)),
)


def _things() -> st.SearchStrategy[dict[str, Any]]:
    """Rows mostly of good facts (so that evaluation, not the facts check, decides most of
    them), with bad cells, nulls, labels and bound ends among them."""
    return st.fixed_dictionaries(
        {
            "size": st.sampled_from(["small", "large", "小", "大", "small", "medium", None]),
            "count": st.one_of(st.sampled_from([0, 2, 3, 4, -1, None]), st.integers(0, 10**9)),
            "rate": st.one_of(_DECIMALS, _DECIMALS, _DECIMALS, st.none()),
            "extra": st.one_of(st.none(), _DECIMALS, st.integers(-(10**9), 10**9).map(Decimal)),
            "divisor": st.one_of(
                st.sampled_from([0, 0, 1, 3, -4, 7, 8]),
                st.integers(-50, 50),
                st.sampled_from([0, 2, None]),
            ),
            "flag": st.sampled_from([True, False, None]),
            "name": st.sampled_from(["x", "y", "", "y", None]),
            "due": st.one_of(
                st.none(),
                st.none(),
                st.sampled_from([datetime.date(2019, 12, 31), datetime.date(2020, 1, 1)]),
                st.dates(datetime.date(2018, 1, 1), datetime.date(2022, 1, 1)),
            ),
            "part.ok": st.sampled_from([True, False, True, False, None]),
        }
    )


@given(st.lists(_things(), min_size=1, max_size=30))
def test_every_construct_on_columns_equals_the_row_path_and_evaluate_many(
    small_policy: api.Policy, rows: list[dict[str, Any]]
) -> None:
    table = pa.Table.from_pylist(rows, schema=SMALL_SCHEMA)
    rules = list(small_policy.rules)
    assert takes_columns(small_policy, table, rules)
    assert_same(small_policy, table, rules, "thing")


def _thing(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "size": "small",
        "count": 1,
        "rate": Decimal("0.5"),
        "extra": None,
        "divisor": 2,
        "flag": None,
        "name": "y",
        "due": None,
        "part.ok": True,
    }
    row.update(changes)
    return row


def test_division_by_zero_and_inexact_quotients_are_the_row_paths(
    small_policy: api.Policy,
) -> None:
    rows = [_thing(), _thing(divisor=0), _thing(divisor=3), _thing(rate=Decimal("0.25"))]
    table = pa.Table.from_pylist(rows, schema=SMALL_SCHEMA)
    verdicts = small_policy.evaluate_frame(table, rules=["ratio"]).to_pylist()
    assert verdicts[0] == {"ratio": "0.25", "errors": None}
    assert verdicts[1]["ratio"] is None
    assert "division by zero" in verdicts[1]["errors"]
    assert verdicts[2] == {"ratio": "1/6", "errors": None}  # no finite decimal: the ratio
    assert verdicts[3] == {"ratio": "0.125", "errors": None}
    assert_same(small_policy, table, ["ratio"], "thing")


def test_an_int64_overflow_goes_to_the_row_path_with_the_exact_value() -> None:
    policy = api.loads(
        'policy big "big"\ninput n: int "n"\nrule square "square": n * n\n', name="big.policy"
    )
    table = pa.table({"n": pa.array([3, 2**62], pa.int64())})
    assert not takes_columns(policy, table, ["square"])
    verdicts = policy.evaluate_frame(table).to_pylist()
    assert [row["square"] for row in verdicts] == ["9", str(2**124)]


def _wide(values: list[int]) -> Iterator[Decimal]:
    return (Decimal(value) for value in values)


def test_decimals_past_38_digits_stay_exact_or_fall_back() -> None:
    policy = api.loads(
        'policy wide "wide"\ninput d: decimal "d"\nrule quarter "quarter": d * 25% + d\n',
        name="wide.policy",
    )
    small = pa.table({"d": pa.array(list(_wide([4, 10**30])), pa.decimal256(76, 0))})
    assert takes_columns(policy, small, ["quarter"])  # narrowed to the digits it uses
    assert [row["quarter"] for row in policy.evaluate_frame(small).to_pylist()] == [
        Decimal(5),
        Decimal(125 * 10**28),
    ]
    huge = pa.table({"d": pa.array(list(_wide([4, 10**75])), pa.decimal256(76, 0))})
    assert not takes_columns(policy, huge, ["quarter"])  # 79 digits: the row path
    assert policy.evaluate_frame(huge).to_pylist() == row_path(policy, huge, None).to_pylist()


def test_a_column_of_another_type_takes_the_row_path(unit_policy: api.Policy) -> None:
    units = [document["unit"] for document in generate_units(3, 1)]
    for unit in units:
        unit["drug_labs"] = str(unit["drug_labs"])  # text for an int: cells read one by one
    table = pa.Table.from_pylist(units)
    assert not takes_columns(unit_policy, table, ["drug_free"])
    assert (
        unit_policy.evaluate_frame(table, rules=["drug_free"]).to_pylist()
        == row_path(unit_policy, table, ["drug_free"]).to_pylist()
    )


_SMALL_RULES = [
    "scaled",
    "ratio",
    "whole_ratio",
    "filled",
    "has_extra",
    "big",
    "unflagged",
    "flagged",
    "small_one",
    "chosen",
    "needs_extra",
    "several",
    "every",
    "negated",
    "early",
    "extra_big",
    "rate_equal",
]


@settings(max_examples=200)
@given(st.lists(_things(), min_size=5, max_size=40), st.sampled_from(_SMALL_RULES))
def test_each_construct_alone_on_columns_equals_the_row_path(
    small_policy: api.Policy, rows: list[dict[str, Any]], rule: str
) -> None:
    """One rule at a time: a row another rule sends to the row path hides nothing here."""
    table = pa.Table.from_pylist(rows, schema=SMALL_SCHEMA)
    assert takes_columns(small_policy, table, [rule])
    assert_same(small_policy, table, [rule], "thing")


def test_only_the_branch_a_row_takes_can_fail(small_policy: api.Policy) -> None:
    """`early` divides by the divisor only when there is no date: a zero divisor is an error
    on a row without a date, and nothing on a row with one (as in the reference)."""
    rows = [
        _thing(divisor=0),
        _thing(divisor=0, due=datetime.date(2019, 5, 1)),
        _thing(divisor=0, extra=Decimal("0.5")),
    ]
    table = pa.Table.from_pylist(rows, schema=SMALL_SCHEMA)
    verdicts = small_policy.evaluate_frame(table, rules=["early", "filled"]).to_pylist()
    assert verdicts[0]["early"] is None and "division by zero" in verdicts[0]["errors"]
    assert verdicts[1] == {"early": True, "filled": Decimal("0.5"), "errors": None}
    assert verdicts[2]["errors"] is not None
    assert_same(small_policy, table, ["early", "filled"], "thing")
