"""`Policy.evaluate_frame` on pandas DataFrames and pyarrow Tables, and the documented float
opt-in (`floats="shortest"`) for frames and dicts alike."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

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
