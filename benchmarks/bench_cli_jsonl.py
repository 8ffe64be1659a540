"""`wuxin eval` on JSON lines against in-process `evaluate_many` (target: at least 0.4×).

Writes N generated units (`unit_facts.generate_units`, default 200,000) as JSON lines, then
measures, on the same units, in CPU time of this process (the machine may be shared), for
every rule of the policy (as `wuxin eval` evaluates by default) and for `drug_free` alone:

* `evaluate_many`: the documents already in memory (as `json.loads(…, parse_float=Decimal)`
  gives them), timed around `policy.evaluate_many` alone;
* `wuxin eval` in this process (`cli.main`, output to /dev/null), reading the file:
  `--format json` and `--format text` with msgspec (`fastjson`) when it is installed, and
  `--format json` with the standard library's JSON reader; startup (policy load and check)
  is included, about 0.1 s;
* reading alone: every line parsed exactly by `jsonio.parse_line`, by `fastjson.parse_line`
  and by `fastjson.parse_lines` 256 lines at a time (the same documents), nothing evaluated.

    python benchmarks/bench_cli_jsonl.py              # 200,000 units
    python benchmarks/bench_cli_jsonl.py --n 20000    # smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from unit_facts import generate_units, to_json_line  # the sys.path line above finds these

from wuxin_rules import api, cli, fastjson, jsonio

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "policies" / "drug_free" / "unit.policy")


def cpu(work: Callable[[], object]) -> float:
    """CPU seconds `work` takes in this process."""
    start = time.process_time()
    work()
    return time.process_time() - start


def run_cli(path: Path, format: str, rules: list[str]) -> float:
    argv = ["eval", POLICY, str(path), "--format", format]
    for rule in rules:
        argv += ["--rule", rule]
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        start = time.process_time()
        code = cli.main(argv)
        elapsed = time.process_time() - start
    assert code == 0, code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    args = parser.parse_args()
    n = args.n
    have_msgspec = fastjson.available()
    print(f"{n:,} units, python {sys.version.split()[0]}, CPU time, msgspec: {have_msgspec}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "units.jsonl"
        with path.open("w", encoding="utf-8") as stream:
            for document in generate_units(n):
                stream.write(to_json_line(document) + "\n")
        policy = api.load(POLICY)
        for rules in ([], ["drug_free"]):
            documents = [
                json.loads(line, parse_float=Decimal)
                for line in path.read_text(encoding="utf-8").splitlines()
            ]
            chosen = rules or None
            policy.evaluate_many(documents[:1000], rules=chosen)  # compile, warm up
            start = time.process_time()
            policy.evaluate_many(documents, rules=chosen)
            library = n / (time.process_time() - start)
            del documents
            rows = [("evaluate_many (in process, parsed ahead)", library)]
            if have_msgspec:
                for format in ("json", "text"):
                    rate = n / run_cli(path, format, rules)
                    rows.append((f"wuxin eval --format {format}, msgspec", rate))
            fastjson._decoder = None  # the standard library's reader
            rows.append(
                ("wuxin eval --format json, standard library", n / run_cli(path, "json", rules))
            )
            fastjson._decoder = fastjson._UNSET
            print(f"rules: {', '.join(rules) or 'all (the default)'}")
            for name, rate in rows:
                print(f"  {name:45} {rate:>10,.0f} units/s  {rate / library:5.2f}×")
        # Reading alone: each line parsed exactly, nothing evaluated.
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        print("reading only")
        readers = [("jsonio.parse_line (standard library)", jsonio.parse_line)]
        if have_msgspec:
            readers.append(("fastjson.parse_line (msgspec)", fastjson.parse_line))
        for name, parse in readers:
            seconds = cpu(
                lambda parse=parse: [
                    parse(line, file="units.jsonl", line=number)
                    for number, line in enumerate(lines, 1)
                ]
            )
            print(f"  {name:45} {n / seconds:>10,.0f} units/s")
        if have_msgspec:
            chunks = [
                [
                    (line, "units.jsonl", start + i + 1)
                    for i, line in enumerate(lines[start : start + 256])
                ]
                for start in range(0, n, 256)
            ]
            seconds = cpu(lambda: [fastjson.parse_lines(chunk) for chunk in chunks])
            print(f"  {'fastjson.parse_lines, 256 at a time':45} {n / seconds:>10,.0f} units/s")


if __name__ == "__main__":
    main()
