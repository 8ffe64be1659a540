"""`Policy.evaluate_frame` on pandas DataFrames and pyarrow Tables, and the documented float
opt-in (`floats="shortest"`) for frames and dicts alike."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wuxin_rules import api
from wuxin_rules.errors import FactError, UsageError

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parents[1]
UNIT = str(ROOT / "policies" / "drug_free" / "unit.policy")
RULES = ["drug_free", "growth_threshold", "failed_standards", "group"]


@pytest.fixture(scope="module")
def policy() -> api.Policy:
    return api.load(UNIT)


def units(parse_float: Any = Decimal) -> list[dict[str, Any]]:
    text = (ROOT / "examples" / "units.jsonl").read_text(encoding="utf-8")
    return [json.loads(line, parse_float=parse_float)["unit"] for line in text.splitlines()]


def flat(unit: dict[str, Any]) -> dict[str, Any]:
    row = {key: value for key, value in unit.items() if key != "responsibility"}
    row.update({f"responsibility.{k}": v for k, v in unit["responsibility"].items()})
    return row


def expected(policy: api.Policy) -> list[dict[str, Any]]:
    results = policy.evaluate_many([{"unit": u} for u in units()], rules=RULES)
    return [{key: result[key] for key in RULES} for result in results]


def test_an_arrow_table_of_decimals_gives_the_verdicts_of_evaluate_many(
    policy: api.Policy,
) -> None:
    table = pa.Table.from_pylist(units())  # decimal128 columns, a struct column
    assert pa.types.is_decimal(table.schema.field("enforcement_rate").type)
    out = policy.evaluate_frame(table, rules=RULES)
    assert isinstance(out, pa.Table)
    assert out.column_names == [*RULES, "errors"]
    rows = out.to_pylist()
    assert [{k: row[k] for k in RULES} for row in rows] == expected(policy)
    assert all(row["errors"] is None for row in rows)


def test_a_float_column_is_refused_by_name_unless_floats_are_read_as_shortest_text(
    policy: api.Policy,
) -> None:
    rows = [flat(u) for u in units(parse_float=float)]
    frame = pd.DataFrame(rows, index=[10 + 2 * i for i in range(len(rows))])
    with pytest.raises(FactError) as caught:
        policy.evaluate_frame(frame, rules=RULES)
    refused = {d.path for d in caught.value.diagnostics if d.code == "float-facts"}
    assert refused == {
        "addict_growth_rate",
        "province_addict_growth_rate",
        "enforcement_rate",
        "province_enforcement_rate",
    }
    out = policy.evaluate_frame(frame, rules=RULES, floats="shortest")
    assert list(out.index) == list(frame.index)
    got = [{k: row[k] for k in RULES} for row in out.to_dict("records")]
    assert got == expected(policy)


def test_a_bad_row_gets_its_errors_and_the_other_rows_their_verdicts(policy: api.Policy) -> None:
    rows = [flat(u) for u in units()]
    rows[1]["drug_labs"] = -3
    rows[2]["kind"] = "村"  # a member by its label
    out = policy.evaluate_frame(pd.DataFrame(rows), rules=["drug_free", "group"])
    assert out["errors"][1] == "drug_labs: `-3` is below the bound `>= 0` of `int >= 0`"
    assert out["drug_free"][1] is None
    assert out["group"][2] == "village_level"
    assert out["errors"].isna().sum() == len(rows) - 1


def test_unknown_columns_are_named(policy: api.Policy) -> None:
    frame = pd.DataFrame([{**flat(u), "drug_lab": 0} for u in units()])
    with pytest.raises(FactError) as caught:
        policy.evaluate_frame(frame)
    assert [(d.code, d.path) for d in caught.value.diagnostics] == [("unknown-column", "drug_lab")]


def test_floats_in_dicts_are_refused_unless_read_as_shortest_text(policy: api.Policy) -> None:
    document = {"unit": units(parse_float=float)[0]}
    with pytest.raises(FactError):
        policy.evaluate(document)
    exact = policy.evaluate({"unit": units()[0]}, rules=RULES).values()
    assert policy.evaluate(document, rules=RULES, floats="shortest").values() == exact
    [many] = policy.evaluate_many([document], rules=RULES, floats="shortest")
    assert many.values() == exact
    # Documents with floats stay on the compiled fast path (no reference evaluation).
    assert many._fast_values is not None
    assert policy.evaluate(document, rules=RULES, floats="shortest")._fast_values is not None
    # 0.1 is read as the decimal 0.1, not as 0.1000000000000000055511151231257827…
    tenth = api.loads("policy p\ninput x: decimal\nrule r: x * 10 == 1\n", name="p.policy")
    assert tenth.evaluate({"x": 0.1}, floats="shortest")["r"] is True
    with pytest.raises(UsageError):
        tenth.evaluate({"x": 0.1}, floats="round")


def test_a_frame_of_another_kind_is_refused(policy: api.Policy) -> None:
    with pytest.raises(UsageError) as caught:
        policy.evaluate_frame([{"unit": units()[0]}])
    assert caught.value.diagnostics[0].code == "unsupported-type"


def test_missing_pandas_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from wuxin_rules import frames

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(UsageError) as caught:
        frames.require("pyarrow", "frames", "`evaluate_frame`")
    assert "wuxin_rules[frames]" in (caught.value.diagnostics[0].help or "")


FLOATS_POLICY = """policy floats
record Item:
  price : decimal >= 0
  count : int >= 1
input x: decimal
input n: int >= 0
input o: decimal?
input items: list of Item
rule total -> decimal: sum of i in items : i.price * i.count
rule scaled -> decimal: x * 10 + n
rule extra -> decimal: o ?? 0
"""


def test_floats_are_read_in_the_compiled_facts_check_not_by_a_pass_over_the_document(
    policy: api.Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The opt-in reads each float where the field is read (`compiler._FactsCode`): no walk
    # over the document first (`without_floats`), and no document to the reference.
    documents = [{"unit": unit} for unit in units(parse_float=float)]
    reordered = [{"unit": dict(reversed(list(d["unit"].items())))} for d in documents]
    exact = [r.values() for r in policy.evaluate_many([{"unit": u} for u in units()], rules=RULES)]

    def walked(value: Any) -> Any:
        raise AssertionError("the document was walked before the compiled code ran")

    monkeypatch.setattr(api, "without_floats", walked)
    policy.fast_path_stats.reset()
    for batch in (documents, reordered):  # tier 1 (as declared) and tier 2 (keys reordered)
        results = policy.evaluate_many(batch, rules=RULES, floats="shortest")
        assert [r.values() for r in results] == exact
        assert all(r._fast_values is not None for r in results)
        assert [policy.evaluate(d, rules=RULES, floats="shortest").values() for d in batch] == exact
    assert policy.fast_path_stats.total == 0


def test_a_fast_result_of_floats_explains_and_says_what_must_change(policy: api.Policy) -> None:
    document = {"unit": units(parse_float=float)[1]}
    [result] = policy.evaluate_many([document], rules=["drug_free"], floats="shortest")
    assert result._fast_values is not None
    reference = policy.evaluate({"unit": units()[1]}, rules=["drug_free"])
    assert result.explain("drug_free") == reference.explain("drug_free")
    assert result.to_pass("drug_free") == reference.to_pass("drug_free")


@pytest.mark.parametrize(
    "document",
    [
        {"x": 0.1, "n": 3.0, "o": None, "items": [{"price": 0.3, "count": 2.0}]},
        {"x": 0.30000000000000004, "n": 2, "o": 1e-7, "items": []},
        {"x": 1e22, "n": 0, "items": [{"price": 2.5, "count": 1}, {"count": 3, "price": 0.1}]},
        {"items": [{"price": 0.1, "count": 1}], "o": 2.25, "n": 1, "x": -0.0},
    ],
)
def test_floats_give_the_values_of_their_shortest_decimal_texts(document: dict[str, Any]) -> None:
    from wuxin_rules.facts import without_floats

    floats = api.loads(FLOATS_POLICY, name="floats.policy")
    exact = without_floats(document)
    assert floats.evaluate(document, floats="shortest").values() == floats.evaluate(exact).values()
    [many] = floats.evaluate_many([document], floats="shortest")
    assert many._fast_values is not None
    assert many.values() == floats.evaluate(exact).values()


@pytest.mark.parametrize(
    "document",
    [
        {"x": float("nan"), "n": 1, "o": None, "items": []},
        {"x": 1.5, "n": 2.5, "o": None, "items": []},
        {"x": 1.5, "n": -1.0, "o": None, "items": []},
        {"x": float("inf"), "n": 1, "o": None, "items": [{"price": -0.5, "count": 0.5}]},
    ],
)
def test_bad_floats_get_the_errors_of_the_full_check(document: dict[str, Any]) -> None:
    floats = api.loads(FLOATS_POLICY, name="floats.policy")
    with pytest.raises(FactError) as one:
        floats.evaluate(document, floats="shortest")
    with pytest.raises(FactError) as many:
        floats.evaluate_many([document], floats="shortest")
    expected = floats._facts_schema("shortest")
    with pytest.raises(FactError) as full:
        expected.validate(document)
    messages = [d.message for d in full.value.diagnostics]
    assert [d.message for d in one.value.diagnostics] == messages
    assert [d.message for d in many.value.diagnostics] == messages


def test_a_pandas_frame_on_columns_gives_the_row_paths_values_or_none(policy: api.Policy) -> None:
    from wuxin_rules import frames

    rows = [flat(u) for u in units()]
    rows[1]["drug_labs"] = -3
    rows[3]["kind"] = "村"  # a label: the kernels send the row to the row path
    index = [7 * i for i in range(len(rows))]
    plain = pd.DataFrame(rows, index=index)  # Decimal objects: decimal128 in Arrow
    backed = pa.Table.from_pandas(plain, preserve_index=False).to_pandas(types_mapper=pd.ArrowDtype)
    backed.index = plain.index
    rules = ["drug_free", "growth_threshold", "group"]
    expected = policy.evaluate_frame(plain, rules=rules).astype(object)
    for frame in (plain, backed):
        got = frames.evaluate_pandas_on_columns(policy, frame, rules=rules)
        assert got is not None
        assert list(got.index) == index
        assert got.astype(object).equals(expected)
    # Not on columns: a list rule, floats read as decimals, mixed cells.
    assert frames.evaluate_pandas_on_columns(policy, plain, rules=["failed_standards"]) is None
    floats = pd.DataFrame([flat(u) for u in units(parse_float=float)])
    assert frames.evaluate_pandas_on_columns(policy, floats, floats="shortest") is None
    mixed = plain.astype({"enforcement_rate": object})
    mixed.loc[index[0], "enforcement_rate"] = "0.5"
    assert frames.evaluate_pandas_on_columns(policy, mixed, rules=rules) is None
    # Bad columns raise as `evaluate_frame` raises.
    with pytest.raises(FactError):
        frames.evaluate_pandas_on_columns(policy, plain.drop(columns=["drug_labs"]))


_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=1000),
)


@settings(max_examples=150, deadline=None)
@given(
    x=_NUMBERS,
    n=_NUMBERS,
    o=st.none() | _NUMBERS,
    items=st.lists(st.fixed_dictionaries({"price": _NUMBERS, "count": _NUMBERS}), max_size=3),
)
def test_any_floats_give_what_their_shortest_decimals_give(
    x: Any, n: Any, o: Any, items: list[dict[str, Any]]
) -> None:
    # The compiled facts check reading floats against the full check on the document with
    # every float replaced by `shortest_decimal` beforehand: the same values, or the same
    # errors.
    from wuxin_rules.facts import without_floats

    floats = _floats_policy()
    document = {"x": x, "n": n, "o": o, "items": items}
    try:
        expected: Any = floats.evaluate(without_floats(document)).values()
    except FactError as error:
        expected = [d.message for d in error.diagnostics]
    try:
        [many] = floats.evaluate_many([document], floats="shortest")
        got: Any = many.values()
    except FactError as error:
        got = [d.message for d in error.diagnostics]
    assert got == expected


_FLOATS: list[api.Policy] = []


def _floats_policy() -> api.Policy:
    if not _FLOATS:
        _FLOATS.append(api.loads(FLOATS_POLICY, name="floats.policy"))
    return _FLOATS[0]
