"""`wuxin_rules.dask.evaluate` on generated units, on a `dask.distributed.LocalCluster`.

Each partition's units are generated inside the worker, deterministic per partition, with
NumPy (integers, and rates as exact `decimal128(9, 4)` columns made from whole numbers of
0.0001: never a float), so the client holds none of them and generating costs little
beside evaluating. The mix follows `unit_facts.generate_units` (about 60% drug-free, a third
of the provincial growth averages negative, about a third of the units exactly on an S2.3
bar, failing units often missing it by 0.0001). The partitions are pandas DataFrames of
Arrow-backed columns (`pd.ArrowDtype`), as `dd.read_parquet` gives them, so each one is
evaluated on columns (`frames.evaluate_pandas_on_columns`).

Every verdict (`drug_free`) is checked in the worker against the six standards written by
hand in whole numbers of 0.0001 (exact: the provincial averages have three places, so both
bars are whole numbers of 0.0001), and the first `--sample` units of each partition also
against `unit_facts.hand_written_drug_free` on `Decimal` dicts. Reports the wall time of
the whole job (generating, evaluating, checking, counting) and units per second, and how
many partitions the workers evaluated on columns.

    python benchmarks/bench_dask.py --n 10000000 --partitions 50 --workers 2
    python benchmarks/bench_dask.py --n 200000 --partitions 4   # smoke run
    python benchmarks/bench_dask.py --n 200000 --partitions 4 --rows   # the row path
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

POLICY = str(HERE.parent / "policies" / "drug_free" / "unit.policy")

STANDARDS = 6
RATES = (
    "addict_growth_rate",
    "province_addict_growth_rate",
    "enforcement_rate",
    "province_enforcement_rate",
)


def _decimal_column(pa: Any, np: Any, scaled: Any) -> Any:
    """An exact `decimal128(9, 4)` column from whole numbers of 0.0001 (int64): the 128-bit
    two's complement of each, written into the column's buffer."""
    words = np.empty((len(scaled), 2), dtype=np.int64)
    words[:, 0] = scaled
    words[:, 1] = scaled >> 63  # the sign, extended
    return pa.Array.from_buffers(pa.decimal128(9, 4), len(scaled), [None, pa.py_buffer(words)])


def partition(index: int, size: int, start: int, rows: bool = False) -> Any:
    """The units of partition `index` (units `start` … `start + size - 1`) as a pandas
    DataFrame, the responsibility record as dotted columns."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    sys.path.insert(0, str(HERE))
    from unit_facts import KINDS, RESPONSIBILITY_FIELDS

    rng = np.random.default_rng(2015 + index)
    n = size
    passes = rng.random(n) < 0.6
    first = rng.integers(0, STANDARDS, n)
    second = np.where(rng.random(n) < 0.3, rng.integers(0, STANDARDS, n), first)
    failing = [~passes & ((first == s) | (second == s)) for s in range(STANDARDS)]

    def count(standard: int) -> Any:
        return np.where(failing[standard], rng.integers(1, 4, n), 0)

    negative = rng.random(n) < 0.35
    p = np.where(negative, rng.integers(-80, 0, n), rng.integers(0, 81, n)) * 10  # 0.0001s
    q = rng.integers(300, 901, n) * 10
    growth_bar = p - np.abs(p) // 2  # exact: p is a multiple of 10
    enforcement_bar = q + np.abs(q) // 5
    which = rng.random(n)
    growth_bad = failing[2] & ((which < 0.6) | (which > 0.85))
    enforcement_bad = failing[2] & (which >= 0.6)
    near = rng.random(n) < 0.5
    on_bar = rng.random(n) < 0.18
    g = np.where(
        growth_bad,
        growth_bar + np.where(near, 1, rng.integers(2, 401, n)),
        np.where(on_bar, growth_bar, growth_bar - rng.integers(1, 601, n)),
    )
    near = rng.random(n) < 0.5
    on_bar = rng.random(n) < 0.18
    e = np.where(
        enforcement_bad,
        enforcement_bar - np.where(near, 1, rng.integers(2, 1501, n)),
        np.where(on_bar, enforcement_bar, enforcement_bar + rng.integers(1, 2001, n)),
    )
    g = np.maximum(g, -10000)
    e = np.maximum(e, 0)
    which5 = rng.integers(0, 3, n)
    venue, firms, incidents = (
        np.where(failing[4] & (which5 == i), rng.integers(1, 3, n), 0) for i in range(3)
    )
    off_first = rng.integers(0, 4, n)
    off_second = np.where(rng.random(n) < 0.5, rng.integers(0, 4, n), off_first)
    numbers = np.arange(start, start + n)
    text = pa.array(numbers).cast(pa.string())
    columns = {
        "id": pc.binary_join_element_wise("bench-", text, ""),
        "name": pc.binary_join_element_wise("单位", text, ""),
        "kind": pa.array(KINDS).take(pa.array(rng.integers(0, len(KINDS), n))),
        "year": pa.array(rng.integers(2015, 2021, n)),
        "drug_labs": pa.array(count(0)),
        "trafficking_groups": pa.array(count(1)),
        "addict_growth_rate": _decimal_column(pa, np, g),
        "province_addict_growth_rate": _decimal_column(pa, np, p),
        "enforcement_rate": _decimal_column(pa, np, e),
        "province_enforcement_rate": _decimal_column(pa, np, q),
        "fugitive_key_offenders": pa.array(count(3)),
        "venue_drug_cases": pa.array(venue),
        "uncontrolled_substance_firms": pa.array(firms),
        "group_drug_use_incidents": pa.array(incidents),
    }
    for position, name in enumerate(RESPONSIBILITY_FIELDS):
        off = failing[5] & ((off_first == position) | (off_second == position))
        columns[f"responsibility.{name}"] = pa.array(~off)
    if rows:
        # Decimal text, as Dask makes of a column of `Decimal` objects by default
        # (`dataframe.convert-string`): exact, but only the row path reads it.
        for name in RATES:
            columns[name] = pc.cast(columns[name], pa.string())
    return pa.table(columns).to_pandas(types_mapper=pd.ArrowDtype)


def _scaled(column: Any) -> Any:
    """A `decimal128(9, 4)` column's values as whole numbers of 0.0001 (its buffer's low
    words: every value here fits in 64 bits)."""
    import numpy as np
    import pyarrow as pa

    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    words = np.frombuffer(array.buffers()[1], dtype=np.int64)
    return words[2 * array.offset : 2 * (array.offset + len(array)) : 2]


def check(frame: Any, verdicts: Any, sample: int) -> Any:
    """Per partition: units, drug-free units, disagreements with the hand-written checks."""
    from decimal import Decimal

    import numpy as np
    import pandas as pd
    import pyarrow as pa

    sys.path.insert(0, str(HERE))
    from unit_facts import RESPONSIBILITY_FIELDS, hand_written_drug_free

    def ints(name: str) -> Any:
        return np.asarray(frame[name].to_numpy(dtype=np.int64))

    def scaled(name: str) -> Any:
        column = frame[name].array._pa_array
        if pa.types.is_decimal(column.type):
            return _scaled(column)
        return np.array([int(Decimal(v).scaleb(4)) for v in frame[name]], dtype=np.int64)

    p = scaled("province_addict_growth_rate")
    q = scaled("province_enforcement_rate")
    # S2.3's bars in 0.0001s: exact, since both averages are whole numbers of 0.001.
    assert not (p % 2).any() and not (q % 5).any()
    expected = (
        (ints("drug_labs") == 0)
        & (ints("trafficking_groups") == 0)
        & (scaled("addict_growth_rate") <= p - np.abs(p) // 2)
        & (scaled("enforcement_rate") >= q + np.abs(q) // 5)
        & (ints("fugitive_key_offenders") == 0)
        & (ints("venue_drug_cases") == 0)
        & (ints("uncontrolled_substance_firms") == 0)
        & (ints("group_drug_use_incidents") == 0)
    )
    for name in RESPONSIBILITY_FIELDS:
        expected &= frame[f"responsibility.{name}"].to_numpy(dtype=bool)
    got = verdicts["drug_free"].to_numpy() == True  # noqa: E712 (None, were there any, is not)
    wrong = int((got != expected).sum())
    head = pa.Table.from_pandas(frame.head(sample), preserve_index=False).to_pylist()
    for row, verdict in zip(head, got, strict=False):
        unit = {k: v for k, v in row.items() if not k.startswith("responsibility.")}
        unit.update({k: Decimal(unit[k]) for k in RATES if isinstance(unit[k], str)})
        unit["responsibility"] = {
            k.split(".", 1)[1]: v for k, v in row.items() if k.startswith("responsibility.")
        }
        assert all(type(unit[k]) is Decimal for k in ("enforcement_rate", "addict_growth_rate"))
        wrong += hand_written_drug_free(unit) is not bool(verdict)
    return pd.DataFrame({"units": [len(frame)], "free": [int(got.sum())], "wrong": [wrong]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--sample", type=int, default=1000, help="units per partition also checked on dicts"
    )
    parser.add_argument(
        "--rows", action="store_true", help="rates as decimal text: the row path, to compare"
    )
    args = parser.parse_args()
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from wuxin_rules import dask as wuxin_dask

    size = -(-args.n // args.partitions)
    sizes = [min(size, args.n - i * size) for i in range(args.partitions)]
    starts = [i * size for i in range(args.partitions)]
    meta = partition(0, 1, 0, args.rows).iloc[:0]
    with (
        LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        start = time.perf_counter()
        units = dd.from_map(
            partition,
            range(args.partitions),
            sizes,
            starts,
            [args.rows] * args.partitions,
            meta=meta,
            enforce_metadata=False,
        )
        verdicts = wuxin_dask.evaluate(units, POLICY, rules=["drug_free"])
        summary = dd.map_partitions(
            check,
            units,
            verdicts,
            args.sample,
            meta={"units": "int64", "free": "int64", "wrong": "int64"},
            align_dataframes=False,
        ).compute()
        elapsed = time.perf_counter() - start
        on_columns = sum(
            client.run(lambda: __import__("wuxin_rules.dask").dask.COLUMNAR_PARTITIONS[0]).values()
        )
    total, free, wrong = (int(summary[c].sum()) for c in ("units", "free", "wrong"))
    print(
        f"{total:,} units in {args.partitions} partitions on {args.workers} worker processes: "
        f"{elapsed:.1f} s, {total / elapsed:,.0f} units/s; {free:,} drug-free; "
        f"{wrong} disagree with the hand-written checks; "
        f"{on_columns} of {args.partitions} partitions evaluated on columns"
    )
    assert wrong == 0 and total == args.n


if __name__ == "__main__":
    main()
