"""`wuxin_rules.dask.evaluate` on a `dask.distributed.LocalCluster` (a worker process)."""

from __future__ import annotations

import importlib
import json
from decimal import Decimal
from pathlib import Path

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


def test_a_dask_frame_is_evaluated_on_a_local_cluster_as_in_process() -> None:
    from wuxin_rules import dask as wuxin_dask

    units = frame(8)
    units.loc[5, "drug_labs"] = -1  # one bad row: its own errors, the rest evaluated
    rules = ["drug_free", "growth_threshold"]
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        ddf = dd.from_pandas(units, npartitions=4)
        result = wuxin_dask.evaluate(ddf, UNIT, rules=rules).compute()
        loaded = client.run(lambda: len(importlib.import_module("wuxin_rules.dask")._POLICIES))
    expected = api.load(UNIT).evaluate_frame(units, rules=rules)
    assert list(result.index) == list(units.index)
    assert result.astype(object).equals(expected.astype(object))
    assert result["errors"][5] == "drug_labs: `-1` is below the bound `>= 0` of `int >= 0`"
    # The worker process loaded the policy once, for its four partitions and two threads.
    assert list(loaded.values()) == [1]


def test_a_broken_policy_fails_on_the_client_before_any_task(tmp_path: Path) -> None:
    from wuxin_rules import dask as wuxin_dask

    broken = tmp_path / "broken.policy"
    broken.write_text("policy broken\nrule r: nope\n", encoding="utf-8")
    with pytest.raises(PolicyError):
        wuxin_dask.evaluate(dd.from_pandas(frame(1), npartitions=1), broken)
