"""Start-up costs of wuxin_rules, each in a fresh interpreter, as medians of several runs.

* `import wuxin_rules`: the cumulative time `python -X importtime` reports for the package
  (the target is < 150 ms), and the wall time of `python -c "import wuxin_rules"` less that of
  `python -c pass` (the same thing seen from outside, without -X importtime's own overhead);
* `wuxin check policies/`: wall time of the whole command (target < 1 s);
* `wuxin check policies/` with the grammar cache off (`WUXIN_RULES_CACHE=off`): what the
  very first run on a machine costs, before Lark's analysis of the grammar is cached;
* `import wuxin_rules.api`: the whole engine (`import wuxin_rules` loads it on first use);
* `wuxin eval policies/drug_free/unit.policy ONE.json`: one document, wall time.

Each row also gives the commands' CPU time (user + system), which a busy shared machine
barely moves, unlike the wall time the targets are judged on.

Run from anywhere (paths are relative to the repository):

    python benchmarks/bench_startup.py                # 7 runs each
    python benchmarks/bench_startup.py --repeat 2     # smoke run
    python benchmarks/bench_startup.py --json

The commands run with the interpreter given by `--python` (default: this one); `wuxin` is the
console script beside it when there is one, else `python -m wuxin_rules`. One untimed run of
each command comes first, so that bytecode caches are written before the clock starts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from unit_facts import generate_units, to_json_line  # the sys.path line above finds it

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
POLICY = POLICIES / "drug_free" / "unit.policy"

IMPORT_TARGET_S = 0.150
CHECK_TARGET_S = 1.0


@dataclass
class Timing:
    """One measured command: its runs (seconds), and whether it worked."""

    name: str
    command: str
    runs_s: list[float] = field(default_factory=list)
    target_s: float | None = None
    cpu_s: list[float] = field(default_factory=list)
    """User + system CPU seconds of each run: what the command costs, whatever else the
    (shared) machine is doing at the time."""
    error: str | None = None

    @property
    def median_s(self) -> float | None:
        return statistics.median(self.runs_s) if self.runs_s else None

    @property
    def cpu_median_s(self) -> float | None:
        return statistics.median(self.cpu_s) if self.cpu_s else None

    @property
    def met(self) -> bool | None:
        if self.target_s is None or self.median_s is None:
            return None
        return self.median_s < self.target_s


def wuxin_command(python: str) -> list[str]:
    """How to run `wuxin` with this interpreter: its console script, else `-m wuxin_rules`."""
    script = Path(python).parent / "wuxin"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [python, "-m", "wuxin_rules"]


def child_env(cache: Path | None) -> dict[str, str]:
    """The environment of measured commands: with `cache`, bytecode is cached there.

    Shells that set PYTHONDONTWRITEBYTECODE make every start compile all of wuxin_rules
    from source, which no user of an installed package (pip writes .pyc files) pays. With
    a cache folder, that variable is dropped and PYTHONPYCACHEPREFIX keeps the .pyc files
    out of the work tree; without one (`--cold`), nothing is cached at all.
    """
    env = dict(os.environ)
    if cache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


_LAST_CPU_S = [0.0]


def _run(command: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    _LAST_CPU_S[0] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, done


def _failure(done: subprocess.CompletedProcess[str]) -> str:
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    return f"exit {done.returncode}: " + " | ".join(tail)


def time_command(
    name: str,
    command: list[str],
    repeat: int,
    env: dict[str, str],
    target_s: float | None = None,
) -> Timing:
    """Wall time of `command` (run from the repository root), `repeat` times after a warm-up."""
    timing = Timing(name, shlex.join(command), target_s=target_s)
    for attempt in range(repeat + 1):
        elapsed, done = _run(command, env)
        if done.returncode != 0:
            timing.error = _failure(done)
            return timing
        if attempt:  # the first run is the warm-up
            timing.runs_s.append(elapsed)
            timing.cpu_s.append(_LAST_CPU_S[0])
    return timing


def _importtime_s(stderr: str, package: str) -> float | None:
    # Lines look like "import time:       123 |      45678 | wuxin_rules"; the package's
    # own line (no indentation before its name) carries the cumulative microseconds.
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line.split("|")
        if len(parts) == 3 and parts[2].rstrip() == f" {package}":
            return int(parts[1]) / 1_000_000
    return None


def time_import(python: str, repeat: int, env: dict[str, str]) -> Timing:
    """`python -X importtime -c "import wuxin_rules"`: the package's cumulative import time."""
    command = [python, "-X", "importtime", "-c", "import wuxin_rules"]
    timing = Timing(
        "import wuxin_rules (-X importtime)", shlex.join(command), target_s=IMPORT_TARGET_S
    )
    for attempt in range(repeat + 1):
        _, done = _run(command, env)
        if done.returncode != 0:
            timing.error = _failure(done)
            return timing
        seconds = _importtime_s(done.stderr, "wuxin_rules")
        if seconds is None:
            timing.error = "no `wuxin_rules` line in the -X importtime output"
            return timing
        if attempt:  # the first run is the warm-up
            timing.runs_s.append(seconds)
    return timing


def time_import_wall(python: str, repeat: int, env: dict[str, str]) -> Timing:
    """Wall time of `python -c "import wuxin_rules"` less that of `python -c pass`."""
    bare = time_command("python -c pass", [python, "-c", "pass"], repeat, env)
    full = time_command("import", [python, "-c", "import wuxin_rules"], repeat, env)
    timing = Timing(
        "import wuxin_rules (wall, less bare python)",
        shlex.join([python, "-c", "import wuxin_rules"]),
        target_s=IMPORT_TARGET_S,
        error=full.error or bare.error,
    )
    if timing.error is None:
        base = statistics.median(bare.runs_s)
        timing.runs_s = [run - base for run in full.runs_s]
        base_cpu = statistics.median(bare.cpu_s)
        timing.cpu_s = [run - base_cpu for run in full.cpu_s]
    return timing


def _with_prefix(timing: Timing, prefix: str) -> Timing:
    timing.command = prefix + timing.command
    return timing


def measure(python: str, repeat: int, *, cold: bool = False) -> list[Timing]:
    """All start-up measurements (`cold`: no bytecode cache, every module compiled each run)."""
    wuxin = wuxin_command(python)
    with tempfile.TemporaryDirectory(prefix="wuxin-bench-") as folder:
        env = child_env(None if cold else Path(folder) / "pycache")
        facts = Path(folder) / "unit.json"
        facts.write_text(to_json_line(next(generate_units(1))) + "\n", encoding="utf-8")
        return [
            time_import(python, repeat, env),
            time_import_wall(python, repeat, env),
            time_command(
                "wuxin check policies/",
                [*wuxin, "check", "policies/"],
                repeat,
                env,
                CHECK_TARGET_S,
            ),
            _with_prefix(
                time_command(
                    "wuxin check policies/ (grammar cache off)",
                    [*wuxin, "check", "policies/"],
                    repeat,
                    {**env, "WUXIN_RULES_CACHE": "off"},
                ),
                "WUXIN_RULES_CACHE=off ",
            ),
            time_command(
                "import wuxin_rules.api (the whole engine)",
                [python, "-c", "import wuxin_rules.api"],
                repeat,
                env,
            ),
            time_command(
                "wuxin eval (one document)",
                [*wuxin, "eval", str(POLICY.relative_to(ROOT)), str(facts)],
                repeat,
                env,
            ),
        ]


def render(timings: list[Timing], repeat: int, python: str, cold: bool) -> str:
    """A plain-text table of the timings."""
    cache = "no bytecode cache (--cold)" if cold else "bytecode cached"
    lines = [
        f"median of {repeat} run(s), {python}, {os.cpu_count()} cores, {cache}",
        "",
        f"{'measurement':<44} {'median':>9} {'min':>9} {'max':>9} {'cpu':>9} {'target':>8}  met",
        f"{'-' * 44} {'-' * 9} {'-' * 9} {'-' * 9} {'-' * 9} {'-' * 8}  ---",
    ]
    for t in timings:
        if t.error is not None:
            lines.append(f"{t.name:<44} FAILED: {t.error}")
            continue
        target = f"< {t.target_s * 1000:.0f} ms" if t.target_s is not None else "-"
        met = {True: "yes", False: "NO", None: "-"}[t.met]
        lines.append(
            f"{t.name:<44} {_ms(t.median_s)} {_ms(min(t.runs_s))} {_ms(max(t.runs_s))} "
            f"{_ms(t.cpu_median_s)} {target:>8}  {met}"
        )
    lines += [
        "",
        "median/min/max: wall time; cpu: median user + system CPU time of the command (for",
        "`import`, both less a bare `python -c pass`); `met` judges the wall-time median.",
        "",
        "commands:",
    ] + [f"  {t.command}" for t in timings]
    return "\n".join(lines)


def _ms(seconds: float | None) -> str:
    return f"{seconds * 1000:>6.1f} ms" if seconds is not None else f"{'-':>9}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start-up costs of wuxin_rules.")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each command (7)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to measure")
    parser.add_argument(
        "--cold", action="store_true", help="write no bytecode: compile every module every run"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    timings = measure(args.python, args.repeat, cold=args.cold)
    if args.json:
        report: list[dict[str, Any]] = [
            {**t.__dict__, "median_s": t.median_s, "cpu_median_s": t.cpu_median_s, "met": t.met}
            for t in timings
        ]
        summary = {"repeat": args.repeat, "python": args.python, "cold": args.cold}
        print(json.dumps({**summary, "results": report}, indent=2))
    else:
        print(render(timings, args.repeat, args.python, args.cold))
    return 1 if any(t.error for t in timings) else 0


if __name__ == "__main__":
    raise SystemExit(main())
