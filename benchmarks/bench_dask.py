"""`wuxin_rules.dask.evaluate` on generated units, on a `dask.distributed.LocalCluster`.

Each partition's units are generated inside the worker (`unit_facts.generate_units`,
deterministic per partition, exact `Decimal`s), so the client holds none of them; the
verdicts (`drug_free`) are counted on the workers and checked against the hand-written
exact function on every unit. Reports units per second for the whole run (generation,
evaluation, checking and counting).

    python benchmarks/bench_dask.py --n 10000000 --partitions 200 --workers 2
    python benchmarks/bench_dask.py --n 200000    # smoke run
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

POLICY = str(HERE.parent / "policies" / "drug_free" / "unit.policy")


def partition(index: int, size: int) -> object:
    """The units of one partition as a pandas DataFrame (flattened record columns)."""
    import pandas as pd

    sys.path.insert(0, str(HERE))
    from unit_facts import generate_units

    rows = []
    for document in generate_units(size, seed=2015 + index):
        unit = document["unit"]
        row = {k: v for k, v in unit.items() if k != "responsibility"}
        row.update({f"responsibility.{k}": v for k, v in unit["responsibility"].items()})
        rows.append(row)
    return pd.DataFrame(rows)


def check(frame: object, verdicts: object) -> object:
    """Per partition: (units, drug-free units, disagreements with the hand-written check)."""
    import pandas as pd

    sys.path.insert(0, str(HERE))
    from unit_facts import hand_written_drug_free

    assert isinstance(frame, pd.DataFrame) and isinstance(verdicts, pd.DataFrame)
    wrong = 0
    for row, verdict in zip(frame.to_dict("records"), verdicts["drug_free"], strict=True):
        unit = {k: v for k, v in row.items() if not k.startswith("responsibility.")}
        unit["responsibility"] = {
            k.split(".", 1)[1]: v for k, v in row.items() if k.startswith("responsibility.")
        }
        wrong += hand_written_drug_free(unit) is not verdict
    return pd.DataFrame(
        {"units": [len(frame)], "free": [int(verdicts["drug_free"].sum())], "wrong": [wrong]}
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-check", action="store_true", help="skip the hand-written check")
    args = parser.parse_args()
    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    # Keep `Decimal` columns as objects: dask would turn them into Arrow strings (which
    # evaluate_frame reads exactly too, as decimal text, but the check here wants Decimals).
    dask.config.set({"dataframe.convert-string": False})

    from wuxin_rules import dask as wuxin_dask

    size = -(-args.n // args.partitions)
    sizes = [min(size, args.n - i * size) for i in range(args.partitions)]
    with (
        LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        start = time.perf_counter()
        units = dd.from_map(partition, range(args.partitions), sizes)
        verdicts = wuxin_dask.evaluate(units, POLICY, rules=["drug_free"])
        if args.no_check:
            free = int(verdicts["drug_free"].astype(bool).sum().compute())
            total, wrong = args.n, 0
        else:
            summary = dd.map_partitions(
                check, units, verdicts, meta={"units": "int64", "free": "int64", "wrong": "int64"}
            ).compute()
            total, free, wrong = (int(summary[c].sum()) for c in ("units", "free", "wrong"))
        elapsed = time.perf_counter() - start
    print(
        f"{total:,} units in {args.partitions} partitions on {args.workers} worker processes: "
        f"{elapsed:.1f} s, {total / elapsed:,.0f} units/s; {free:,} drug-free; "
        f"{wrong} disagree with the hand-written check"
    )
    assert wrong == 0 and total == args.n


if __name__ == "__main__":
    main()
