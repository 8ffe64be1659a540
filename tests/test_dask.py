"""`wuxin_rules.dask.evaluate` on a `dask.distributed.LocalCluster` (a worker process)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from wuxin_rules import api
from wuxin_rules.errors import PolicyError

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[1]
UNIT = str(ROOT / "policies" / "drug_free" / "unit.policy")


def frame(copies: int) -> pd.DataFrame:
    text = (ROOT / "examples" / "units.jsonl").read_text(encoding="utf-8")
    rows = []
    for index in range(copies):
        for line in text.splitlines():
            unit = json.loads(line, parse_float=Decimal)["unit"]
            row = {k: v for k, v in unit.items() if k != "responsibility"}
            row.update({f"responsibility.{k}": v for k, v in unit["responsibility"].items()})
            row["id"] = f"{row['id']}-{index}"
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """One worker process with two threads, shared by this module's tests (starting a
    cluster costs seconds)."""
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _worker(name: str) -> Any:
    return getattr(importlib.import_module("wuxin_rules.dask"), name)


def test_a_dask_frame_is_evaluated_on_a_local_cluster_as_in_process(client: Any) -> None:
    from wuxin_rules import dask as wuxin_dask

    units = frame(8)
    units.loc[5, "drug_labs"] = -1  # one bad row: its own errors, the rest evaluated
    rules = ["drug_free", "growth_threshold"]
    ddf = dd.from_pandas(units, npartitions=4)
    result = wuxin_dask.evaluate(ddf, UNIT, rules=rules).compute()
    loaded = client.run(lambda: len(_worker("_POLICIES")))
    expected = api.load(UNIT).evaluate_frame(units, rules=rules)
    assert list(result.index) == list(units.index)
    assert result.astype(object).equals(expected.astype(object))
    assert result["errors"][5] == "drug_labs: `-1` is below the bound `>= 0` of `int >= 0`"
    # The worker process loaded the policy once, for its four partitions and two threads.
    assert list(loaded.values()) == [1]


def test_arrow_backed_partitions_are_evaluated_on_columns_with_the_row_paths_values(
    client: Any,
) -> None:
    from wuxin_rules import dask as wuxin_dask

    pa = pytest.importorskip("pyarrow")
    units = frame(8)
    units.loc[5, "drug_labs"] = -1  # a bad row: the row path's error
    units.loc[9, "province_enforcement_rate"] = Decimal("-0.5")  # below its bound
    # As `dd.read_parquet` gives them: exact decimal128 and Arrow columns.
    arrow = pa.Table.from_pandas(units, preserve_index=False)
    assert pa.types.is_decimal(arrow.schema.field("enforcement_rate").type)
    backed = arrow.to_pandas(types_mapper=pd.ArrowDtype)
    rules = ["drug_free", "growth_threshold", "group"]
    before = sum(client.run(lambda: _worker("COLUMNAR_PARTITIONS")[0]).values())
    result = wuxin_dask.evaluate(dd.from_pandas(backed, npartitions=4), UNIT, rules=rules)
    result = result.compute()
    after = sum(client.run(lambda: _worker("COLUMNAR_PARTITIONS")[0]).values())
    assert after - before == 4  # every partition on columns, none row by row
    expected = api.load(UNIT).evaluate_frame(units, rules=rules)  # the row path
    assert list(result.index) == list(units.index)
    assert result.astype(object).equals(expected.astype(object))
    assert result["errors"][5] == "drug_labs: `-1` is below the bound `>= 0` of `int >= 0`"
    assert result["errors"][9] == expected["errors"][9] is not None


def test_a_broken_policy_fails_on_the_client_before_any_task(tmp_path: Path) -> None:
    from wuxin_rules import dask as wuxin_dask

    broken = tmp_path / "broken.policy"
    broken.write_text("policy broken\nrule r: nope\n", encoding="utf-8")
    with pytest.raises(PolicyError):
        wuxin_dask.evaluate(dd.from_pandas(frame(1), npartitions=1), broken)
