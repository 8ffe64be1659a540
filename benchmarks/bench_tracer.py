#!/usr/bin/env python3
"""Does the compiled tracer pay for itself? Explanations as users ask for them, two ways.

Every figure is what a user runs, through the public API only:

* `text`: every unit's explanation as text, as `wuxin eval --explain` prints it;
* `json`: every unit's result as JSON with its explanation, as `wuxin eval --explain
  --format json` writes it;
* `one`: a batch evaluated, then one result's explanation asked for (an embedder who shows
  the reason of the unit a user clicked on).

each measured two ways:

* `tracer`: `explain=True`, so the compiled tracer records every explanation node's value
  while it evaluates, and the trees are built from that record when asked for;
* `on-demand`: `explain=False` (the compiled fast path, verdicts only), and the reference
  evaluator traces a unit again when its explanation is asked for.

Times are CPU seconds of this process (the median of `--repeat` runs), so that a busy machine
does not blur the comparison; the ratio on the right is on-demand / tracer (above 1: the
tracer is faster).

    python benchmarks/bench_tracer.py                  # 2,000 units, 5 runs
    python benchmarks/bench_tracer.py --n 200 --repeat 1   # smoke
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from unit_facts import generate_units  # noqa: E402

import wuxin_rules  # noqa: E402

POLICY = HERE.parent / "policies" / "drug_free" / "unit.policy"
RULE = "drug_free"


def _cpu(run: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def scenarios(policy: wuxin_rules.Policy, documents: list[Any]) -> dict[str, dict[str, Any]]:
    """For each scenario, the two ways of running it (each returns what the user sees)."""
    middle = len(documents) // 2
    return {
        "text": {
            "tracer": lambda: [
                r.explain(RULE) for r in policy.evaluate_many(documents, explain=True)
            ],
            "on-demand": lambda: [r.explain(RULE) for r in policy.evaluate_many(documents)],
        },
        "json": {
            "tracer": lambda: [
                r.to_json(explain=True) for r in policy.evaluate_many(documents, explain=True)
            ],
            "on-demand": lambda: [r.to_json(explain=True) for r in policy.evaluate_many(documents)],
        },
        "one": {
            "tracer": lambda: policy.evaluate_many(documents, explain=True)[middle].explain(RULE),
            "on-demand": lambda: policy.evaluate_many(documents)[middle].explain(RULE),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="units per run (default 2000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    policy = wuxin_rules.load(POLICY)
    documents = list(generate_units(args.n, args.seed))
    rows: dict[str, dict[str, float]] = {}
    for name, ways in scenarios(policy, documents).items():
        # Both ways must show the user the same thing before either is timed.
        tracer, on_demand = ways["tracer"](), ways["on-demand"]()
        if tracer != on_demand:
            print(f"{name}: the two ways disagree", file=sys.stderr)
            return 1
        rows[name] = {way: _cpu(run, args.repeat) for way, run in ways.items()}

    if args.json:
        print(json.dumps({"n": args.n, "repeat": args.repeat, "cpu_seconds": rows}, indent=1))
        return 0
    print(f"{args.n} units, median CPU seconds of {args.repeat} runs")
    print(f"{'scenario':<10}{'tracer':>12}{'on-demand':>12}{'on-demand/tracer':>18}")
    for name, row in rows.items():
        ratio = row["on-demand"] / row["tracer"] if row["tracer"] else float("inf")
        print(f"{name:<10}{row['tracer']:>12.3f}{row['on-demand']:>12.3f}{ratio:>18.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
