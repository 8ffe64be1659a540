"""`evaluate_frame` on an Arrow table of flagship units against the hand-written function.

The issue 13 (item 6) target: on a million flagship units held as an Arrow table,
`Policy.evaluate_frame(table, rules=["drug_free"])` (the columnar path, Arrow's compute
kernels on exact `decimal128` columns) gives the verdicts at least as fast as the
hand-written exact-`Decimal` Python function (`unit_facts.hand_written_drug_free`) looping
over the same units as dicts. Both are timed in CPU time (`time.process_time`, best of
`--repeat`), since the machine may be shared; every verdict is checked against the
hand-written one.

The units are generated (`unit_facts.generate_units`, exact `Decimal`s) a chunk at a time;
each chunk's dicts are looped over by the hand-written function (timed), then appended to
the Arrow table (not timed), so that a million dicts are never all in memory.

    python benchmarks/bench_columnar.py                      # 1,000,000 units
    python benchmarks/bench_columnar.py --n 20000 --repeat 1 # smoke run
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from unit_facts import (  # noqa: E402  (the sys.path line above makes this importable)
    RESPONSIBILITY_FIELDS,
    generate_units,
    hand_written_drug_free,
)

POLICY = HERE.parent / "policies" / "drug_free" / "unit.policy"


def schema(pa: Any) -> Any:
    """The table's columns: ints as int64, rates as exact decimal128, records as structs."""
    rate = pa.decimal128(9, 4)
    return pa.schema(
        [
            ("id", pa.string()),
            ("name", pa.string()),
            ("kind", pa.string()),
            ("year", pa.int64()),
            ("drug_labs", pa.int64()),
            ("trafficking_groups", pa.int64()),
            ("addict_growth_rate", rate),
            ("province_addict_growth_rate", rate),
            ("enforcement_rate", rate),
            ("province_enforcement_rate", rate),
            ("fugitive_key_offenders", pa.int64()),
            ("venue_drug_cases", pa.int64()),
            ("uncontrolled_substance_firms", pa.int64()),
            ("group_drug_use_incidents", pa.int64()),
            ("responsibility", pa.struct([(name, pa.bool_()) for name in RESPONSIBILITY_FIELDS])),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="units (default 1,000,000)")
    parser.add_argument("--chunk", type=int, default=100_000, help="units generated at a time")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, best kept")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    import pyarrow as pa

    import wuxin_rules

    policy = wuxin_rules.load(str(POLICY))
    columns = schema(pa)
    tables = []
    expected: list[bool] = []
    hand_cpu = [0.0] * args.repeat
    units = generate_units(args.n)
    made = 0
    while made < args.n:
        chunk = [next(units)["unit"] for _ in range(min(args.chunk, args.n - made))]
        made += len(chunk)
        for run in range(args.repeat):
            start = time.process_time()
            verdicts = [hand_written_drug_free(unit) for unit in chunk]
            hand_cpu[run] += time.process_time() - start
        expected.extend(bool(verdict) for verdict in verdicts)
        tables.append(pa.Table.from_pylist(chunk, schema=columns))
        del chunk
    table = pa.concat_tables(tables).combine_chunks()
    del tables

    frame_cpu = []
    frame_wall = []
    result = None
    for _ in range(args.repeat):
        start, wall = time.process_time(), time.perf_counter()
        result = policy.evaluate_frame(table, rules=["drug_free"])
        frame_cpu.append(time.process_time() - start)
        frame_wall.append(time.perf_counter() - wall)
    assert result is not None
    got = result.column("drug_free").to_pylist()
    disagree = sum(1 for a, b in zip(got, expected, strict=True) if a != b)
    errors = result.column("errors").null_count
    hand, frame = min(hand_cpu), min(frame_cpu)
    figures = {
        "units": args.n,
        "hand_written_cpu_s": round(hand, 3),
        "hand_written_units_per_s": round(args.n / hand),
        "evaluate_frame_cpu_s": round(frame, 3),
        "evaluate_frame_wall_s": round(min(frame_wall), 3),
        "evaluate_frame_units_per_s": round(args.n / frame),
        "speedup": round(hand / frame, 2),
        "drug_free": sum(1 for verdict in got if verdict),
        "disagree": disagree,
        "rows_without_errors": errors,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"{args.n:,} units, rule drug_free, best CPU time of {args.repeat}, "
        f"python {sys.version.split()[0]}, pyarrow {pa.__version__}"
    )
    print(
        f"  hand-written exact Decimal function over dicts  {figures['hand_written_units_per_s']:>12,} "
        f"units/s  ({hand:.3f} s CPU)"
    )
    print(
        f"  evaluate_frame on the Arrow table (columnar)    {figures['evaluate_frame_units_per_s']:>12,} "
        f"units/s  ({frame:.3f} s CPU)  {hand / frame:.1f}× the hand-written function"
    )
    print(
        f"  {figures['drug_free']:,} drug-free; {disagree} disagree with the hand-written function"
    )


if __name__ == "__main__":
    main()
