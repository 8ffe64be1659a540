"""`wuxin check` on large policies: the checker must stay near-linear in a policy's size.

Three generated policies, each under the engine's size limits (5,000,000 characters, 100
levels of nesting) and each once slow in one stage:

* `or-chain`: one criterion that is an `or` of 100,000 comparisons (the parser, typing and
  the consistency analysis of a flat operand list);
* `enum-in`: an enum of 50,000 members and a criterion testing a member against a list of
  25,000 of them (member lookup, list typing, the consistency analysis of `in`);
* `many-rules`: 30,000 rules, each using the one before (names, the rule graph, warnings);
* `rule-chain`: 5,000 rules in one chain `r0: r1 + 1`, `r1: r2 + 1`, … (depth, not width);

Each is written to a temporary folder of its own (the consistency checks read every file
under a policy's root) and checked by the `wuxin check` command in a fresh interpreter,
`--repeat` times. Shown for each case: the lowest wall time of the runs, which the target
(2 s) is judged on, and the median wall time and the median CPU time (user + system) next to
it. The lowest is what the command costs; the runs above it are the same work slowed by other
processes (the reading Python's `timeit` documentation recommends, and on a shared machine
the median moves by a quarter between quiet and busy minutes). The runs may write bytecode
(as an installer does), whatever `PYTHONDONTWRITEBYTECODE` says.

    python benchmarks/bench_check_scale.py              # 3 runs each
    python benchmarks/bench_check_scale.py --repeat 1   # smoke run
    python benchmarks/bench_check_scale.py --json

`tests/test_checker_scale.py` checks the same policies (untimed) in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TARGET_S = 2.0


def or_chain(terms: int = 100_000) -> str:
    """One criterion: `x == 0 or x == 1 or …` with `terms` comparisons."""
    body = " or ".join(f"x == {i}" for i in range(terms))
    return f'policy or_chain "or chain"\ninput x: int "x"\ncriterion many "many": {body}\n'


def enum_in(members: int = 50_000, listed: int = 25_000) -> str:
    """An enum of `members` members; a criterion `k in [m0, m2, …]` with `listed` of them."""
    names = ", ".join(f"m{i}" for i in range(members))
    items = ", ".join(f"m{i}" for i in range(0, 2 * listed, 2))
    return (
        'policy enum_in "enum in"\n'
        f'enum Kind "kind": {names}\n'
        'input k: Kind "k"\n'
        f'criterion listed "listed": k in [{items}]\n'
    )


def many_rules(rules: int = 30_000) -> str:
    """`rules` rules, each the one before plus one (every rule is used but the last)."""
    lines = ['policy many_rules "many rules"', 'input x: int "x"', 'rule r0 "r0": x']
    lines += [f'rule r{i} "r{i}": r{i - 1} + 1' for i in range(1, rules)]
    return "\n".join(lines) + "\n"


def rule_chain(rules: int = 5_000) -> str:
    """`rules` rules in one chain, the first at the top: `r0: r1 + 1`, …, `r{n-1}: x`."""
    lines = ['policy rule_chain "rule chain"', 'input x: int "x"']
    lines += [f'rule r{i} "r{i}": r{i + 1} + 1' for i in range(rules - 1)]
    lines.append(f'rule r{rules - 1} "r{rules - 1}": x')
    return "\n".join(lines) + "\n"


CASES: dict[str, Callable[[], str]] = {
    "or-chain": or_chain,
    "enum-in": enum_in,
    "many-rules": many_rules,
    "rule-chain": rule_chain,
}


def _wuxin() -> list[str]:
    script = Path(sys.executable).with_name("wuxin")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wuxin_rules"]


def measure(name: str, text: str, repeat: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        stem = name.replace("-", "_")
        path = Path(folder) / f"{stem}.policy"
        path.write_text(text, encoding="utf-8")
        command = [*_wuxin(), "check", str(path)]
        # Measured as installed: an installer compiles the bytecode once, so a machine that
        # forbids writing it (PYTHONDONTWRITEBYTECODE) would measure Python compiling the
        # engine's source again on every run (about 0.3 s of CPU) instead of checking.
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run(command, capture_output=True, env=env)  # caches, bytecode
        runs = []
        cpu = []
        status = 0
        for _ in range(repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, env=env)
            runs.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            status = done.returncode
    lowest = min(runs)
    return {
        "case": name,
        "characters": len(text),
        "lowest_s": round(lowest, 3),
        "median_s": round(statistics.median(runs), 3),
        "cpu_s": round(statistics.median(cpu), 3),
        "runs_s": [round(r, 3) for r in runs],
        "exit": status,
        "within_target": lowest < TARGET_S and status == 0,
    }


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("--repeat", type=int, default=3)
    arguments.add_argument("--json", action="store_true")
    arguments.add_argument("cases", nargs="*", help=f"some of {', '.join(CASES)} (default: all)")
    options = arguments.parse_args()
    unknown = [name for name in options.cases if name not in CASES]
    if unknown:
        arguments.error(f"unknown case {unknown[0]!r}: choose from {', '.join(CASES)}")
    rows = [measure(name, CASES[name](), options.repeat) for name in options.cases or CASES]
    if options.json:
        print(json.dumps(rows, indent=2))
    else:
        print(
            f"{'case':<12} {'characters':>11} {'lowest':>8} {'median':>8} {'cpu':>8}  exit"
            f"  target {TARGET_S:.0f} s (lowest)"
        )
        for row in rows:
            mark = "ok" if row["within_target"] else "SLOW"
            print(
                f"{row['case']:<12} {row['characters']:>11,} {row['lowest_s']:>7.2f}s"
                f" {row['median_s']:>7.2f}s {row['cpu_s']:>7.2f}s  {row['exit']:>4}  {mark}"
            )
    return 0 if all(row["within_target"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
