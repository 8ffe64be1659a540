"""Units per second for the S2 "drug_free" verdict: wuxin_rules against peers and plain Python.

Every engine gets the same six standards (RULES.md S2) and the same generated units
(`unit_facts.generate_units`), and must agree with the exact hand-written function on every
unit; disagreements are counted and explained, never hidden. What is timed is the way from a
plain facts document (a dict as `json.loads(..., parse_float=Decimal)` gives it, or that dict
with its decimals in the one number form the engine is fed) to a verdict for each unit.
Compiling the rules and converting the decimals to the engine's number form happen once,
before the clock starts.

Run from the repository root (peers come from the `bench` extra, in a separate venv):

    python benchmarks/bench_units.py                 # 10,000 units, median of 5 runs
    python benchmarks/bench_units.py --n 200 --repeat 1                       # smoke run
    python benchmarks/bench_units.py --only wuxin,rule-engine --json

A peer that is not installed is skipped with a note. The baseline always runs: the ratios
and the agreement checks are against it.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from unit_facts import (  # the sys.path line above makes this sibling module importable
    RESPONSIBILITY_FIELDS,
    generate_units,
    hand_written_drug_free,
    thresholds,
)

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "drug_free" / "unit.policy"

Documents = list[dict[str, Any]]
Runner = Callable[[], list[Any]]


class Unavailable(Exception):
    """An engine cannot run here (not installed, or its setup failed); the message says why."""


# ---------------------------------------------------------------------------------------
# The six standards, once per expression language. Each dict maps a clause to its text; an
# engine's rule is the clauses joined with its `and`. S2.3 is one clause with two halves.

_COUNTS_S25 = ("venue_drug_cases", "uncontrolled_substance_firms", "group_drug_use_incidents")

# rule-engine: Decimal arithmetic throughout; `$abs` is a builtin. The rule matches the unit
# record itself, its fields being the symbols: that is rule-engine's own idiom ("matching
# arbitrary Python objects") and its fastest sane use. Written against the document instead
# (`unit.drug_labs`), it is about 30× slower: rule-engine coerces the whole `unit` mapping at
# every access and computes did-you-mean suggestions on each attribute lookup of a mapping.
RULE_ENGINE = {
    "S2.1": "drug_labs == 0",
    "S2.2": "trafficking_groups == 0",
    "S2.3": "addict_growth_rate <= province_addict_growth_rate"
    " - 0.5 * $abs(province_addict_growth_rate)"
    " and enforcement_rate >= province_enforcement_rate"
    " + 0.2 * $abs(province_enforcement_rate)",
    "S2.4": "fugitive_key_offenders == 0",
    "S2.5": " and ".join(f"{name} == 0" for name in _COUNTS_S25),
    "S2.6": " and ".join(f"responsibility['{name}']" for name in RESPONSIBILITY_FIELDS),
}


def _cel_abs(x: str, zero: str) -> str:
    # CEL has no abs() in its standard library.
    return f"({x} < {zero} ? -{x} : {x})"


# CEL (both implementations): doubles for fractions; `abs` spelled as a conditional.
CEL = {
    "S2.1": "unit.drug_labs == 0",
    "S2.2": "unit.trafficking_groups == 0",
    "S2.3": "unit.addict_growth_rate <= unit.province_addict_growth_rate"
    f" - 0.5 * {_cel_abs('unit.province_addict_growth_rate', '0.0')}"
    " && unit.enforcement_rate >= unit.province_enforcement_rate"
    f" + 0.2 * {_cel_abs('unit.province_enforcement_rate', '0.0')}",
    "S2.4": "unit.fugitive_key_offenders == 0",
    "S2.5": " && ".join(f"unit.{name} == 0" for name in _COUNTS_S25),
    "S2.6": " && ".join(f"unit.responsibility.{name}" for name in RESPONSIBILITY_FIELDS),
}

# CEL on integers: rates in units of 0.0001 (every generated rate has at most 4 places),
# and S2.3 multiplied through by the margins' denominators (50% = 1/2, 20% = 1/5), so that
# int64 arithmetic is exact: g <= p - |p|/2  ⇔  2g <= 2p - |p|.
CEL_INT = {
    **CEL,
    "S2.3": "2 * unit.addict_growth_rate <= 2 * unit.province_addict_growth_rate"
    f" - {_cel_abs('unit.province_addict_growth_rate', '0')}"
    " && 5 * unit.enforcement_rate >= 5 * unit.province_enforcement_rate"
    f" + {_cel_abs('unit.province_enforcement_rate', '0')}",
}

# ZEN expression language (zen-engine): numbers are rust_decimal; `abs` is a builtin.
ZEN = {
    "S2.1": "unit.drug_labs == 0",
    "S2.2": "unit.trafficking_groups == 0",
    "S2.3": "unit.addict_growth_rate <= unit.province_addict_growth_rate"
    " - 0.5 * abs(unit.province_addict_growth_rate)"
    " and unit.enforcement_rate >= unit.province_enforcement_rate"
    " + 0.2 * abs(unit.province_enforcement_rate)",
    "S2.4": "unit.fugitive_key_offenders == 0",
    "S2.5": " and ".join(f"unit.{name} == 0" for name in _COUNTS_S25),
    "S2.6": " and ".join(f"unit.responsibility.{name} == true" for name in RESPONSIBILITY_FIELDS),
}


def _var(name: str) -> dict[str, Any]:
    return {"var": f"unit.{name}"}


def _json_abs(x: dict[str, Any]) -> dict[str, Any]:
    # JsonLogic has no abs: max(x, -x).
    return {"max": [x, {"-": [x]}]}


def _jsonlogic(scaled: bool) -> dict[str, Any]:
    p, q = _var("province_addict_growth_rate"), _var("province_enforcement_rate")
    g, e = _var("addict_growth_rate"), _var("enforcement_rate")
    if scaled:
        growth = {"<=": [{"*": [2, g]}, {"-": [{"*": [2, p]}, _json_abs(p)]}]}
        enforcement = {">=": [{"*": [5, e]}, {"+": [{"*": [5, q]}, _json_abs(q)]}]}
    else:
        growth = {"<=": [g, {"-": [p, {"*": [0.5, _json_abs(p)]}]}]}
        enforcement = {">=": [e, {"+": [q, {"*": [0.2, _json_abs(q)]}]}]}
    standards = {
        "S2.1": [{"==": [_var("drug_labs"), 0]}],
        "S2.2": [{"==": [_var("trafficking_groups"), 0]}],
        "S2.3": [growth, enforcement],
        "S2.4": [{"==": [_var("fugitive_key_offenders"), 0]}],
        "S2.5": [{"==": [_var(name), 0]} for name in _COUNTS_S25],
        "S2.6": [{"!!": [_var(f"responsibility.{name}")]} for name in RESPONSIBILITY_FIELDS],
    }
    return {"and": [test for tests in standards.values() for test in tests]}


def _joined(standards: dict[str, str], conjunction: str) -> str:
    return conjunction.join(f"({text})" for text in standards.values())


# ---------------------------------------------------------------------------------------
# Number forms.

_RATES = (
    "addict_growth_rate",
    "province_addict_growth_rate",
    "enforcement_rate",
    "province_enforcement_rate",
)
_SCALE = Decimal(10_000)


def _map_numbers(documents: Documents, convert: Callable[[Decimal], Any]) -> Documents:
    out = []
    for document in documents:
        unit = dict(document["unit"])
        for name in _RATES:
            unit[name] = convert(unit[name])
        out.append({"unit": unit})
    return out


def as_floats(documents: Documents) -> Documents:
    """The documents with every decimal as the nearest binary float (what JSON parsers give)."""
    return _map_numbers(documents, float)


def as_scaled_ints(documents: Documents) -> Documents:
    """The documents with every rate as an integer number of 0.0001 (exact for 4 places)."""

    def scale(value: Decimal) -> int:
        scaled = value * _SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than 4 decimal places")
        return int(scaled)

    return _map_numbers(documents, scale)


# ---------------------------------------------------------------------------------------
# Engines. `setup(documents)` does the untimed work and returns the timed runner, which
# gives one verdict per document (anything truthy or falsy; compared as bool).


@dataclass(frozen=True)
class Engine:
    """One row of the table."""

    name: str
    numbers: str
    """How the decimals are fed to it."""
    setup: Callable[[Documents], Runner]
    note: str = ""
    """Why it may disagree with the exact baseline, or how it is used."""


def _need(module: str, package: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name != module:
            raise Unavailable(f"`import {module}` failed: {error}") from None
        raise Unavailable(f"`{package}` is not installed; install the `bench` extra") from None
    except Exception as error:  # a package that is there but broken, e.g. mid-rewrite
        raise Unavailable(f"`import {module}` failed: {error!r}") from None


def setup_baseline(documents: Documents) -> Runner:
    def run() -> list[Any]:
        return [hand_written_drug_free(document["unit"]) for document in documents]

    return run


def _setup_wuxin(documents: Documents, *, explain: bool, trees: bool = False) -> Runner:
    wuxin_rules = _need("wuxin_rules", "wuxin_rules")
    try:
        policy = wuxin_rules.load(POLICY)
    except Exception as error:  # any failure here means "not ready", reported as a skip
        raise Unavailable(f"`wuxin_rules.load({str(POLICY)!r})` failed: {error}") from None
    if explain:
        # Make sure the timed runs do explain, not just give verdicts: the first result's
        # tree must be the one the reference evaluator builds, from the record alone.
        (first,) = policy.evaluate_many(documents[:1], rules=["drug_free"], explain=True)
        reference = wuxin_rules.evaluator.evaluate(
            policy.checked,
            wuxin_rules.compiler.canonical(policy.validate(documents[0])),
            rules=["drug_free"],
            trace=True,
        )
        if first.explanation("drug_free") != reference.verdicts["drug_free"].explanation:
            raise RuntimeError("explain=True gave another tree than the reference evaluator")

    if trees:

        def run() -> list[Any]:
            results = policy.evaluate_many(documents, rules=["drug_free"], explain=True)
            return [result.explanation("drug_free").value for result in results]

        return run

    def run() -> list[Any]:
        results = policy.evaluate_many(documents, rules=["drug_free"], explain=explain)
        return [result["drug_free"] for result in results]

    return run


def setup_wuxin(documents: Documents) -> Runner:
    return _setup_wuxin(documents, explain=False)


def setup_wuxin_floats(documents: Documents) -> Runner:
    """The units zen-engine gets (every decimal as the nearest float), read with the opt-in
    `floats="shortest"`: each float as the decimal of its shortest text, in the compiled
    facts check."""
    wuxin_rules = _need("wuxin_rules", "wuxin_rules")
    try:
        policy = wuxin_rules.load(POLICY)
    except Exception as error:
        raise Unavailable(f"`wuxin_rules.load({str(POLICY)!r})` failed: {error}") from None
    floats = as_floats(documents)

    def run() -> list[Any]:
        results = policy.evaluate_many(floats, rules=["drug_free"], floats="shortest")
        return [result["drug_free"] for result in results]

    return run


def setup_wuxin_explain(documents: Documents) -> Runner:
    return _setup_wuxin(documents, explain=True)


def setup_wuxin_explain_trees(documents: Documents) -> Runner:
    return _setup_wuxin(documents, explain=True, trees=True)


def setup_rule_engine(documents: Documents) -> Runner:
    rule_engine = _need("rule_engine", "rule-engine")
    rule = rule_engine.Rule(_joined(RULE_ENGINE, " and "))
    matches = rule.matches

    def run() -> list[Any]:
        return [matches(document["unit"]) for document in documents]

    return run


def _setup_celpy(documents: Documents, runner: str, standards: dict[str, str]) -> Runner:
    celpy = _need("celpy", "cel-python")
    from celpy.adapter import json_to_cel
    from celpy.celparser import CELParser

    # celpy builds one Lark parser per process, with the tree class of the first runner
    # asked for; CompiledRunner needs its own, so start afresh (as celpy's docs allow).
    CELParser.CEL_PARSER = None
    environment = celpy.Environment(runner_class=getattr(celpy, runner))
    program = environment.program(environment.compile(_joined(standards, " && ")))
    evaluate = program.evaluate

    def run() -> list[Any]:
        return [evaluate({"unit": json_to_cel(document["unit"])}) for document in documents]

    return run


def setup_celpy(documents: Documents) -> Runner:
    return _setup_celpy(as_floats(documents), "CompiledRunner", CEL)


def setup_celpy_interpreted(documents: Documents) -> Runner:
    return _setup_celpy(as_floats(documents), "InterpretedRunner", CEL)


def setup_celpy_int(documents: Documents) -> Runner:
    return _setup_celpy(as_scaled_ints(documents), "CompiledRunner", CEL_INT)


def _setup_jsonlogic(documents: Documents, scaled: bool) -> Runner:
    json_logic = _need("json_logic", "panzi-json-logic")
    apply = json_logic.jsonLogic
    logic = _jsonlogic(scaled)

    def run() -> list[Any]:
        return [apply(logic, document) for document in documents]

    return run


def setup_jsonlogic(documents: Documents) -> Runner:
    return _setup_jsonlogic(as_floats(documents), scaled=False)


def setup_jsonlogic_int(documents: Documents) -> Runner:
    return _setup_jsonlogic(as_scaled_ints(documents), scaled=True)


def setup_zen(documents: Documents) -> Runner:
    zen = _need("zen", "zen-engine")
    # A compiled expression evaluated on a dict is the fastest of its APIs here (about 1.6×
    # `zen.evaluate_expression`, 1.6× passing a JSON string); a decision graph adds a
    # per-call JSON result on top.
    expression = zen.compile_expression(_joined(ZEN, " and "))
    evaluate = expression.evaluate
    floats = as_floats(documents)

    def run() -> list[Any]:
        return [evaluate(document) for document in floats]

    return run


def _setup_cel_rust(documents: Documents, standards: dict[str, str]) -> Runner:
    cel = _need("cel", "common-expression-language")
    program = cel.compile(_joined(standards, " && "))
    execute = program.execute

    def run() -> list[Any]:
        return [execute(document) for document in documents]

    return run


def setup_cel_rust(documents: Documents) -> Runner:
    return _setup_cel_rust(as_floats(documents), CEL)


def setup_cel_rust_int(documents: Documents) -> Runner:
    return _setup_cel_rust(as_scaled_ints(documents), CEL_INT)


_FLOAT_NOTE = (
    "binary doubles: the S2.3 bars `average ∓ margin × abs(average)` are rounded, so a unit "
    "exactly on a bar can fall on the wrong side of it"
)

BASELINE = Engine("python", "Decimal", setup_baseline, "hand-written, exact, validates nothing")

ENGINES: tuple[Engine, ...] = (
    BASELINE,
    Engine("wuxin", "Decimal → exact", setup_wuxin, "facts validated; verdict only"),
    Engine(
        "wuxin-floats",
        "float → decimal",
        setup_wuxin_floats,
        'floats="shortest": each float read as its shortest decimal text; facts validated',
    ),
    Engine(
        "wuxin-explain",
        "Decimal → exact",
        setup_wuxin_explain,
        "explain=True: every explanation node's value recorded; trees built when asked for",
    ),
    Engine(
        "wuxin-explain-trees",
        "Decimal → exact",
        setup_wuxin_explain_trees,
        "explain=True, and every unit's explanation tree built (`result.explanation`)",
    ),
    Engine("rule-engine", "Decimal", setup_rule_engine, "Rule.matches(unit); exact Decimal"),
    # CompiledRunner before InterpretedRunner: see the note in _setup_celpy.
    Engine("cel-python", "float", setup_celpy, "CompiledRunner (transpiled); " + _FLOAT_NOTE),
    Engine("cel-python-int", "int × 10⁻⁴", setup_celpy_int, "CompiledRunner; exact int64"),
    Engine(
        "cel-python-interp",
        "float",
        setup_celpy_interpreted,
        "InterpretedRunner (the default); " + _FLOAT_NOTE,
    ),
    Engine("jsonlogic", "float", setup_jsonlogic, "panzi-json-logic; " + _FLOAT_NOTE),
    Engine("jsonlogic-int", "int × 10⁻⁴", setup_jsonlogic_int, "panzi-json-logic; exact ints"),
    Engine(
        "zen",
        "float → decimal",
        setup_zen,
        "compiled expression; zen reads each float by its shortest text into rust_decimal, "
        "exact for ≤ 15 significant digits",
    ),
    Engine("cel-rust", "float", setup_cel_rust, "compiled Program; " + _FLOAT_NOTE),
    Engine("cel-rust-int", "int × 10⁻⁴", setup_cel_rust_int, "compiled Program; exact int64"),
)


# ---------------------------------------------------------------------------------------
# Measuring.


@dataclass
class Measurement:
    """The result of one engine."""

    engine: str
    numbers: str
    note: str
    runs_s: list[float]
    units_per_s: float
    ratio: float | None = None
    disagreements: int = 0
    on_threshold: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)


CLOCKS: dict[str, Callable[[], float]] = {
    "cpu": time.process_time,
    "wall": time.perf_counter,
}
"""`cpu` (the default) counts only this process's own CPU time, which other load on a
shared machine barely moves; `wall` is elapsed time, right on a quiet machine."""

MIN_RUN_S = 0.2
"""A timed run repeats the whole pass over the units until it lasts at least this long, so
that the fastest engines are not timed over a few milliseconds."""


def _time(run: Runner, repeat: int, clock: Callable[[], float], passes: int) -> list[float]:
    """Seconds per pass over all the units, for each of `repeat` runs of `passes` passes."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = clock()
        for _ in range(passes):
            run()
        times.append((clock() - start) / passes)
    return times


def _disagreements(
    documents: Documents, expected: Sequence[bool], got: Sequence[Any]
) -> tuple[int, int, list[dict[str, Any]]]:
    count = on_threshold = 0
    examples = []
    for document, want, have in zip(documents, expected, got, strict=True):
        if bool(have) == want:
            continue
        count += 1
        unit = document["unit"]
        growth_bar, enforcement_bar = thresholds(unit)
        on = unit["addict_growth_rate"] == growth_bar or unit["enforcement_rate"] == enforcement_bar
        on_threshold += on
        if len(examples) < 3:
            examples.append(
                {
                    "id": unit["id"],
                    "exact": want,
                    "engine": have if isinstance(have, bool | int | str) else repr(have),
                    "addict_growth_rate": str(unit["addict_growth_rate"]),
                    "growth_bar": str(growth_bar),
                    "enforcement_rate": str(unit["enforcement_rate"]),
                    "enforcement_bar": str(enforcement_bar),
                }
            )
    return count, on_threshold, examples


def measure(
    engines: Sequence[Engine], documents: Documents, repeat: int, clock: str = "cpu"
) -> tuple[list[Measurement], list[dict[str, str]]]:
    """Time every engine; check each against the baseline. Returns (results, skipped)."""
    expected = [bool(v) for v in setup_baseline(documents)()]
    results: list[Measurement] = []
    skipped: list[dict[str, str]] = []
    n = len(documents)
    for engine in engines:
        try:
            run = engine.setup(documents)
            start = CLOCKS[clock]()
            verdicts = run()  # untimed: the check, and a warm-up
            first_s = CLOCKS[clock]() - start
        except Unavailable as why:
            skipped.append({"engine": engine.name, "reason": str(why)})
            continue
        except Exception as error:  # a peer failing on our rules is a finding, not a crash
            skipped.append({"engine": engine.name, "reason": f"failed: {error!r}"})
            continue
        count, on, examples = _disagreements(documents, expected, verdicts)
        passes = max(1, math.ceil(MIN_RUN_S / first_s)) if first_s > 0 else 100
        times = _time(run, repeat, CLOCKS[clock], passes)
        median = statistics.median(times)
        results.append(
            Measurement(
                engine.name,
                engine.numbers,
                engine.note,
                times,
                n / median if median > 0 else float("inf"),
                disagreements=count,
                on_threshold=on,
                examples=examples,
            )
        )
    base = next((r for r in results if r.engine == BASELINE.name), None)
    if base is not None:
        for result in results:
            result.ratio = result.units_per_s / base.units_per_s
    return results, skipped


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


def render_table(
    results: list[Measurement],
    skipped: list[dict[str, str]],
    n: int,
    repeat: int,
    clock: str = "cpu",
) -> str:
    """The results as a plain-text table, with notes on disagreements and skips."""
    info = machine()
    lines = [
        f"{n:,} units, median of {repeat} run(s), {clock} time; {info['cpu']}, "
        f"{info['cores']} cores, {info['implementation']} {info['python']}",
        "",
        f"{'engine':<18} {'numbers':<16} {'units/s':>12} {'× baseline':>11}  agreement",
        f"{'-' * 18} {'-' * 16} {'-' * 12} {'-' * 11}  {'-' * 24}",
    ]
    for r in results:
        ratio = f"{r.ratio:.3f}" if r.ratio is not None else "-"
        if r.engine == BASELINE.name:
            agreement = "baseline"
        elif r.disagreements == 0:
            agreement = f"all {n:,} agree"
        else:
            agreement = f"{r.disagreements:,} DISAGREE ({r.on_threshold:,} on a bar)"
        lines.append(
            f"{r.engine:<18} {r.numbers:<16} {r.units_per_s:>12,.0f} {ratio:>11}  {agreement}"
        )
    notes = [r for r in results if r.disagreements]
    if notes:
        lines += ["", "disagreements with the exact baseline:"]
        for r in notes:
            lines.append(f"  {r.engine}: {r.note}")
            for example in r.examples:
                lines.append(
                    f"    {example['id']}: exact {example['exact']}, engine {example['engine']}; "
                    f"growth {example['addict_growth_rate']} vs bar {example['growth_bar']}, "
                    f"enforcement {example['enforcement_rate']} vs bar {example['enforcement_bar']}"
                )
    if skipped:
        lines += ["", "skipped:"]
        lines += [f"  {s['engine']}: {s['reason']}" for s in skipped]
    return "\n".join(lines)


def _select(only: list[str] | None) -> list[Engine]:
    if not only:
        return list(ENGINES)
    names = {engine.name: engine for engine in ENGINES}
    wanted = [name.strip() for item in only for name in item.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in names]
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, names, n=1)
            hints.append(f"`{name}`" + (f" (did you mean `{close[0]}`?)" if close else ""))
        raise SystemExit(
            f"bench_units: unknown engine {', '.join(hints)}; engines: {', '.join(names)}"
        )
    chosen = [BASELINE] + [names[name] for name in wanted if name != BASELINE.name]
    # Keep the table's order (and celpy's CompiledRunner-first requirement).
    return [engine for engine in ENGINES if engine in chosen]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Units/second of the S2 drug_free verdict: wuxin_rules, peers, plain Python."
    )
    parser.add_argument("--n", type=int, default=10_000, help="units to generate (10,000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per engine (5)")
    parser.add_argument("--seed", type=int, default=2015, help="generator seed (2015)")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only these engines (repeatable or comma-separated; the baseline always runs): "
        + ", ".join(engine.name for engine in ENGINES),
    )
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="cpu",
        help="cpu: this process's CPU time (default; steady on a shared machine); wall: elapsed",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeat < 1:
        parser.error("--n and --repeat must be at least 1")

    engines = _select(args.only)
    documents = list(generate_units(args.n, args.seed))
    results, skipped = measure(engines, documents, args.repeat, args.clock)
    if args.json:
        report = {
            "n": args.n,
            "repeat": args.repeat,
            "clock": args.clock,
            "seed": args.seed,
            "machine": machine(),
            "results": [r.__dict__ for r in results],
            "skipped": skipped,
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(render_table(results, skipped, args.n, args.repeat, args.clock))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
