"""`wuxin eval` on JSON lines against in-process `evaluate_many` (target: at least 0.4×).

Writes N generated units (`unit_facts.generate_units`, default 200,000) as JSON lines, then
measures, on the same units and the same rule (`drug_free`, `--format json`):

* `evaluate_many`: the documents already in memory (as `json.loads(…, parse_float=Decimal)`
  gives them), timed around `policy.evaluate_many` alone;
* `wuxin eval` in this process (`cli.main`, output to /dev/null), reading the file: once
  with the standard library's JSON reader and once with msgspec (`fastjson`), when it is
  installed; startup (policy load and check) is included, about 0.1 s;
* reading alone: every line parsed exactly by `jsonio.parse_line` and by
  `fastjson.parse_line` (the same documents), nothing evaluated.

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
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from unit_facts import generate_units, to_json_line  # the sys.path line above finds these

from wuxin_rules import api, cli, fastjson, jsonio

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "policies" / "drug_free" / "unit.policy")


def run_cli(path: Path) -> float:
    start = time.perf_counter()
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        code = cli.main(["eval", POLICY, str(path), "--format", "json", "--rule", "drug_free"])
    elapsed = time.perf_counter() - start
    assert code == 0, code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "units.jsonl"
        with path.open("w", encoding="utf-8") as stream:
            for document in generate_units(args.n):
                stream.write(to_json_line(document) + "\n")
        documents = [
            json.loads(line, parse_float=Decimal)
            for line in path.read_text(encoding="utf-8").splitlines()
        ]
        policy = api.load(POLICY)
        policy.evaluate_many(documents[:1000], rules=["drug_free"])  # compile, warm up
        start = time.perf_counter()
        policy.evaluate_many(documents, rules=["drug_free"])
        library = args.n / (time.perf_counter() - start)
        del documents
        rows = [("evaluate_many (in process, parsed ahead)", library)]
        have_msgspec = fastjson.available()
        fastjson._decoder = None  # the standard library's reader
        rows.append(("wuxin eval, standard library JSON", args.n / run_cli(path)))
        if have_msgspec:
            fastjson._decoder = fastjson._UNSET
            rows.append(("wuxin eval, msgspec (fast extra)", args.n / run_cli(path)))
        # Reading alone: each line parsed exactly, nothing evaluated.
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        readers = [("reading only: jsonio (standard library)", jsonio.parse_line)]
        if have_msgspec:
            readers.append(("reading only: fastjson (msgspec)", fastjson.parse_line))
        for name, parse in readers:
            start = time.perf_counter()
            for number, line in enumerate(lines, 1):
                parse(line, file="units.jsonl", line=number)
            rows.append((name, args.n / (time.perf_counter() - start)))
        print(f"{args.n:,} units, rule drug_free, python {sys.version.split()[0]}")
        for name, rate in rows:
            print(f"  {name:45} {rate:>10,.0f} units/s  {rate / library:5.2f}×")


if __name__ == "__main__":
    main()
