"""Why the fast path generates code: one closure per node against generated code.

The S2 `drug_free` verdict (every standard inlined, as `wuxin_rules.compiler` inlines it),
evaluated two ways on the same already-checked documents, with the same exact decimal
arithmetic (Python's operators in `compiler.EXACT_CONTEXT`):

* a tree of closures, one per node, field paths fused and `and` as a loop: about the best a
  closure compiler can do without generating code;
* the very `_main` function `wuxin_rules.compiler` generates for `drug_free`.

Facts checking is left out on both sides: only evaluation is compared. Then it splits the
time of `evaluate_many` plus `result["drug_free"]` into the generated tier-1 function (facts
check and evaluation in one frame), the evaluation alone, the result objects and the loop,
and reading the verdict. Run from the repository root:

    python benchmarks/bench_codegen.py            # 20,000 units, median of 5
"""

from __future__ import annotations

import argparse
import gc
import operator
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from unit_facts import generate_units  # the sys.path line above finds it

ROOT = Path(__file__).resolve().parent.parent

Node = Callable[[dict[str, Any]], Any]


def closure_tree() -> Node:
    """`drug_free` as closures (the shape a closure compiler of the checked model gives);
    its arithmetic is exact in `compiler.EXACT_CONTEXT`, like the generated code's."""

    def unit_field(name: str) -> Node:
        return lambda i: i["unit"][name]

    def responsibility(name: str) -> Node:
        return lambda i: i["unit"]["responsibility"][name]

    def const(value: Any) -> Node:
        return lambda i: value

    def equal(a: Node, b: Node) -> Node:
        return lambda i: a(i) == b(i)

    def at_most(a: Node, b: Node) -> Node:
        return lambda i: a(i) <= b(i)

    def at_least(a: Node, b: Node) -> Node:
        return lambda i: a(i) >= b(i)

    def method(function: Callable[..., Any], *nodes: Node) -> Node:
        if len(nodes) == 1:
            (a,) = nodes
            return lambda i: function(a(i))
        a, b = nodes
        return lambda i: function(a(i), b(i))

    def all_of(*nodes: Node) -> Node:
        return lambda i: all(node(i) for node in nodes)

    zero = const(0)
    p = unit_field("province_addict_growth_rate")
    q = unit_field("province_enforcement_rate")
    growth_bar = method(
        operator.sub, p, method(operator.mul, const(Decimal("0.5")), method(operator.abs, p))
    )
    enforcement_bar = method(
        operator.add, q, method(operator.mul, const(Decimal("0.2")), method(operator.abs, q))
    )
    return all_of(
        equal(unit_field("drug_labs"), zero),
        equal(unit_field("trafficking_groups"), zero),
        all_of(
            at_most(unit_field("addict_growth_rate"), growth_bar),
            at_least(unit_field("enforcement_rate"), enforcement_bar),
        ),
        equal(unit_field("fugitive_key_offenders"), zero),
        all_of(
            equal(unit_field("venue_drug_cases"), zero),
            equal(unit_field("uncontrolled_substance_firms"), zero),
            equal(unit_field("group_drug_use_incidents"), zero),
        ),
        all_of(
            *(
                responsibility(name)
                for name in (
                    "duties_assigned",
                    "team_in_place",
                    "infrastructure_complete",
                    "work_funded",
                )
            )
        ),
    )


def _median_rate(run: Callable[[], Any], n: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()  # each run starts from the same garbage collector state
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return n / statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Closures against generated code, evaluation only."
    )
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from unit_facts import hand_written_drug_free

    import wuxin_rules
    from wuxin_rules import compiler

    policy = wuxin_rules.load(ROOT / "policies" / "drug_free" / "unit.policy")
    program = policy._program(("drug_free",))
    assert program is not None and program.tiered
    raw = list(generate_units(args.n))
    documents = [program.facts(d) for d in raw]
    generated, fused = program.main_function, program.evaluate_function
    tree = closure_tree()
    base = _median_rate(
        lambda: [hand_written_drug_free(d["unit"]) for d in raw], args.n, args.repeat
    )
    with compiler.exact_context():  # the generated code's arithmetic is exact only there
        assert [tree(d) for d in documents] == [generated(d)[0] for d in documents]
        closures = _median_rate(lambda: [tree(d) for d in documents], args.n, args.repeat)
        code = _median_rate(lambda: [generated(d) for d in documents], args.n, args.repeat)
        tier1 = _median_rate(lambda: [fused(d) for d in raw], args.n, args.repeat)
    print(f"{args.n:,} units, median of {args.repeat}, cpu time, evaluation only")
    print(f"closures        {closures:12,.0f} units/s")
    print(f"generated code  {code:12,.0f} units/s   ({code / closures:.1f}× the closures)")

    # Where the time of `evaluate_many` goes, per unit.
    many = _median_rate(lambda: policy.evaluate_many(raw, rules=["drug_free"]), args.n, args.repeat)
    kept = policy.evaluate_many(raw, rules=["drug_free"])
    verdicts = _median_rate(lambda: [r["drug_free"] for r in kept], args.n, args.repeat)
    kept.clear()
    whole = _median_rate(
        lambda: [r["drug_free"] for r in policy.evaluate_many(raw, rules=["drug_free"])],
        args.n,
        args.repeat,
    )

    def ns(rate: float) -> float:
        return 1e9 / rate

    print()
    print(f"per unit, ns (the hand-written function: {ns(base):,.0f} ns, {base:,.0f} units/s):")
    print(f"  tier 1: facts check and evaluation, one generated function  {ns(tier1):6,.0f}")
    print(f"    the generated evaluator alone, on checked values          {ns(code):6,.0f}")
    print(
        f"  result objects and the loop of evaluate_many                {ns(many) - ns(tier1):6,.0f}"
    )
    print(f'  result["drug_free"]                                         {ns(verdicts):6,.0f}')
    print(
        f"  in all                                                      {ns(whole):6,.0f}"
        f"   ({whole / base:.3f}× the hand-written function)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
