"""Peak memory and time of `wuxin eval` on a large JSON-lines file (target: < 300 MB peak RSS).

Writes N generated units (default 1,000,000; `unit_facts.generate_units`) as JSON lines to a
temporary folder, streaming, then runs

    wuxin eval policies/drug_free/unit.policy FILE --format json --rule drug_free > /dev/null

and reports the command's peak resident set size (from `os.wait4`, the kernel's `ru_maxrss`
of that one child; with `--jobs N` its worker processes are reported by `ru_maxrss` only when
one of them peaks higher than the parent) and its elapsed wall time. "300 MB" is taken as 300 × 10⁶ bytes.

    python benchmarks/bench_memory.py                 # 1,000,000 units (file ≈ 470 MB)
    python benchmarks/bench_memory.py --n 2000        # smoke run
    python benchmarks/bench_memory.py --dir /tmp --keep --json
    python benchmarks/bench_memory.py --jobs 2        # `wuxin eval --jobs 2`

`--python` chooses the interpreter (default: this one); `wuxin` is the console script beside
it when there is one, else `python -m wuxin_rules`.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_startup import child_env, wuxin_command  # the sys.path line above finds these
from unit_facts import generate_units, to_json_line

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "drug_free" / "unit.policy"
PEAK_RSS_TARGET_BYTES = 300 * 10**6


def write_units(path: Path, n: int, seed: int) -> None:
    """Write `n` generated documents to `path`, one JSON object a line, without holding them."""
    with path.open("w", encoding="utf-8") as out:
        batch: list[str] = []
        for document in generate_units(n, seed):
            batch.append(to_json_line(document))
            if len(batch) == 10_000:
                out.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            out.write("\n".join(batch) + "\n")


def run_eval(command: list[str], stderr_path: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run `command` with stdout to /dev/null; its exit code, peak RSS (bytes) and seconds."""
    with open(os.devnull, "wb") as devnull, stderr_path.open("wb") as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=devnull, stderr=errors, cwd=ROOT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4 already
    return {
        "exit_code": process.returncode,
        "peak_rss_bytes": usage.ru_maxrss * 1024,  # Linux reports KiB
        "elapsed_s": elapsed,
        "user_s": usage.ru_utime,
        "system_s": usage.ru_stime,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Peak RSS and time of `wuxin eval` on JSONL.")
    parser.add_argument("--n", type=int, default=1_000_000, help="units (1,000,000)")
    parser.add_argument("--seed", type=int, default=2015, help="generator seed (2015)")
    parser.add_argument("--dir", help="folder for the JSONL file (default: a new temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the JSONL file")
    parser.add_argument("--python", default=sys.executable, help="interpreter to run wuxin with")
    parser.add_argument(
        "--jobs", type=int, default=1, help="run `wuxin eval --jobs N` (default 1: one process)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")

    folder = Path(tempfile.mkdtemp(prefix="wuxin-bench-", dir=args.dir))
    facts = folder / f"units-{args.n}.jsonl"
    errors = folder / "stderr.txt"
    try:
        start = time.perf_counter()
        write_units(facts, args.n, args.seed)
        generated_s = time.perf_counter() - start
        command = [
            *wuxin_command(args.python),
            "eval",
            str(POLICY.relative_to(ROOT)),
            str(facts),
            "--format",
            "json",
            "--rule",
            "drug_free",
            *(["--jobs", str(args.jobs)] if args.jobs != 1 else []),
        ]
        # Bytecode cached as in an installed package (see bench_startup.child_env), and
        # written by an untimed import first, so that compiling is not counted.
        env = child_env(folder / "pycache")
        subprocess.run([args.python, "-c", "import wuxin_rules"], env=env, check=False)
        result = run_eval(command, errors, env)
        error_tail = errors.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        report = {
            "n": args.n,
            "file_bytes": facts.stat().st_size,
            "generate_s": generated_s,
            "command": shlex.join(command) + " > /dev/null",
            **result,
            "units_per_s": args.n / result["elapsed_s"],
            "target_bytes": PEAK_RSS_TARGET_BYTES,
            "met": result["exit_code"] == 0 and result["peak_rss_bytes"] < PEAK_RSS_TARGET_BYTES,
            "stderr_tail": error_tail,
        }
    finally:
        if args.keep:
            print(f"kept {facts}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)

    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        mib = 1024 * 1024
        print(f"units            {report['n']:,} ({report['file_bytes'] / mib:,.1f} MiB of JSONL)")
        print(f"command          {report['command']}")
        print(f"exit code        {report['exit_code']}")
        print(
            f"peak RSS         {report['peak_rss_bytes'] / 10**6:,.1f} MB "
            f"({report['peak_rss_bytes'] / mib:,.1f} MiB); target < 300 MB: "
            + ("met" if report["met"] else "NOT met")
            + ("" if report["exit_code"] == 0 else " (the command FAILED: see stderr)")
        )
        print(
            f"elapsed          {report['elapsed_s']:,.1f} s ({report['units_per_s']:,.0f} units/s; "
            f"user {report['user_s']:,.1f} s, system {report['system_s']:,.1f} s)"
        )
        print(f"(file written in {report['generate_s']:,.1f} s, not counted)")
        if report["stderr_tail"]:
            print("stderr (last lines):")
            for line in report["stderr_tail"]:
                print(f"  {line}")
    return 0 if report["exit_code"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
