"""The cost of dispatching on a node's kind: `visitor.Visitor` against the ways it replaces.

Every core expression of every rule of the flagship policies (`policies/drug_free`) is walked
recursively, the walk doing nothing but dispatch and recursion, in four ways (the first two
are how the evaluation paths dispatched before they adopted the base, kept for comparison):

* `module dict`: `handler = _HANDLERS.get(type(expr)); handler(self, expr)` (the reference
  evaluator and the compiled tracer's builder);
* `getattr name`: `getattr(self, "_" + type(expr).__name__)(expr)` (the compiler's code
  generator and the interval analysis of `consistency`);
* `Visitor.visit`: `self.visit(expr)`, the one visitor base;
* `dispatch_table`: `handler = self.dispatch_table.get(type(expr)); handler(self, expr)`, how
  the evaluation paths' recursive walks now dispatch (each keeps its own entry point: the
  evaluator's holds its depth guard).

Then the stages that adopted the base end to end: checking every flagship module (the name
walk and the expression typer) and formatting it (the formatter). Run from the repository root:

    python benchmarks/bench_visitor.py            # median of 7 rounds, CPU time
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wuxin_rules import model
from wuxin_rules.checker import check_path
from wuxin_rules.formatter import format_text
from wuxin_rules.visitor import Visitor, visits

ROOT = Path(__file__).resolve().parent.parent

# Each node's children, listed once before timing, so that the walks time dispatch and
# recursion, not `model.children`.
_KIDS: dict[int, list[Any]] = {}
POLICIES = sorted((ROOT / "policies" / "drug_free").glob("*.policy"))


class _Counting(Visitor[int]):
    """Recursion through `visit`, the one entry point of the base."""

    node_kinds = model.EXPRESSIONS

    @visits(*model.EXPRESSIONS)
    def _node(self, expr: Any) -> int:
        return 1 + sum(self.visit(child) for child in _KIDS[id(expr)])


class _CountingTable(Visitor[int]):
    """The evaluation paths' walks (`Run._eval`, `EvalCode.expr`, …): the class's table read
    directly."""

    node_kinds = model.EXPRESSIONS

    def count(self, expr: Any) -> int:
        handler = self.dispatch_table.get(type(expr))
        if handler is None:
            raise AssertionError(type(expr).__name__)
        result: int = handler(self, expr)
        return result

    @visits(*model.EXPRESSIONS)
    def _node(self, expr: Any) -> int:
        return 1 + sum(self.count(child) for child in _KIDS[id(expr)])


class _CountingDict:
    """The reference evaluator's `_eval` before the base: a module dictionary of handlers."""

    def count(self, expr: Any) -> int:
        handler = _HANDLERS.get(type(expr))
        if handler is None:
            raise AssertionError(type(expr).__name__)
        return handler(self, expr)

    def _node(self, expr: Any) -> int:
        return 1 + sum(self.count(child) for child in _KIDS[id(expr)])


_HANDLERS: dict[type, Callable[[_CountingDict, Any], int]] = {
    kind: _CountingDict._node for kind in model.EXPRESSIONS
}


class _CountingGetattr:
    """The compiler's code generator before the base: a method looked up by a name built per
    node."""

    def count(self, expr: Any) -> int:
        handler = getattr(self, "_" + type(expr).__name__, None)
        if handler is None:
            raise AssertionError(type(expr).__name__)
        result: int = handler(expr)
        return result

    def _node(self, expr: Any) -> int:
        return 1 + sum(self.count(child) for child in _KIDS[id(expr)])


for _kind in model.EXPRESSIONS:
    setattr(_CountingGetattr, "_" + _kind.__name__, _CountingGetattr._node)


def _median(run: Callable[[], Any], rounds: int) -> float:
    # CPU time of this process: the machine may be busy with others.
    times = []
    for _ in range(rounds):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=200, help="walks of the bodies per round")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    bodies = []
    for path in POLICIES:
        bodies.extend(rule.body for rule in check_path(path).rules.values())
    nodes = 0
    for body in bodies:
        for node in model.walk(body):
            _KIDS[id(node)] = model.children(node)
            nodes += 1

    walkers: dict[str, Callable[[Any], int]] = {
        "module dict": _CountingDict().count,
        "getattr name": _CountingGetattr().count,
        "Visitor.visit": _Counting().visit,
        "dispatch_table": _CountingTable().count,
    }
    samples: dict[str, list[float]] = {name: [] for name in walkers}
    for name, walk in walkers.items():
        assert sum(walk(body) for body in bodies) == nodes, name
    # The ways interleaved round by round, so that a busy spell hits them alike.
    for _ in range(args.rounds):
        for name, walk in walkers.items():

            def run(walk: Callable[[Any], int] = walk) -> None:
                for _ in range(args.repeat):
                    for body in bodies:
                        walk(body)

            samples[name].append(_median(run, 1) / (args.repeat * nodes) * 1e9)
    results = {name: statistics.median(times) for name, times in samples.items()}

    texts = [path.read_text(encoding="utf-8") for path in POLICIES]
    check_ms = _median(lambda: [check_path(path) for path in POLICIES], args.rounds) * 1e3
    format_ms = _median(lambda: [format_text(text) for text in texts], args.rounds) * 1e3

    if args.json:
        report = {"nodes": nodes, "ns_per_node": results, "check_ms": check_ms}
        print(json.dumps({**report, "format_ms": format_ms}, indent=2))
        return 0
    print(f"{nodes} core expression nodes in {len(bodies)} rule bodies of {len(POLICIES)} modules")
    base = results["module dict"]
    for name, ns in results.items():
        print(f"  {name:<15} {ns:7.1f} ns per node  ({ns / base:.2f}x the module dict)")
    print(f"check every module: {check_ms:.1f} ms; format every module: {format_ms:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
