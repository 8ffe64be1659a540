"""`ancestors` and `reachable` grow linearly with the list they follow.

A chain of N records (each linked to the next, the last one the root) and a tree of N
records (each record linked to two children) are followed from their first record, for N
from 1,000 to 100,000, through `Policy.evaluate` (the compiled fast path, which calls the
table of semantics' `value`), and through `links` alone (the walk without facts checking).
The time per record stays flat when the walks are linear: the records are indexed by key
once and each is reached once, whatever the depth (no recursion). Run from the repository
root:

    python benchmarks/bench_links.py            # median of 5 rounds, CPU time
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable
from typing import Any

import wuxin_rules
from wuxin_rules import links

POLICY = """\
policy bench "bench"

record Node "Node"
  : id       : int      "Key"
    parent   : int?     "Parent"
    children : list of int "Children"

input nodes: list of Node "Nodes"

rule depth "Records above the last one" -> int:
  len(ancestors(nodes, last(nodes).id, "id", "parent"))

rule below "Records below the first one" -> int:
  len(reachable(nodes, first(nodes).id, "id", "children"))
"""


def _nodes(size: int) -> list[dict[str, Any]]:
    """Record `i`'s parent is `i - 1` (a chain: all N - 1 others are above the last one)
    and its children `2i + 1` and `2i + 2` (a binary tree: all are below the first)."""
    return [
        {
            "id": i,
            "parent": i - 1 if i else None,
            "children": [c for c in (2 * i + 1, 2 * i + 2) if c < size],
        }
        for i in range(size)
    ]


def _walks(nodes: list[dict[str, Any]]) -> None:
    by_key = links.index(nodes, "id")
    links.chain(by_key, len(nodes) - 1, "id", "parent")
    links.reach(by_key, 0, "id", "children")


def _cpu(run: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    policy = wuxin_rules.loads(POLICY, name="bench.policy")
    print(f"{'N':>8}  {'evaluate ms':>12}  {'µs/record':>10}  {'walks ms':>9}  {'µs/record':>10}")
    for size in (1_000, 10_000, 100_000):
        nodes = _nodes(size)
        document = {"nodes": nodes}
        result = policy.evaluate(document)
        assert result.values() == {"depth": size - 1, "below": size - 1}, result.values()
        whole = _cpu(functools.partial(policy.evaluate, document), args.rounds)
        walked = _cpu(functools.partial(_walks, nodes), args.rounds)
        print(
            f"{size:>8}  {whole * 1e3:>12.1f}  {whole / size * 1e6:>10.2f}"
            f"  {walked * 1e3:>9.1f}  {walked / size * 1e6:>10.2f}"
        )


if __name__ == "__main__":
    main()
