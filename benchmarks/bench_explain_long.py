"""Time, peak memory and output size of explaining aggregates over one long list.

One document holds a town with N member units (default 400,000: a JSON file of about 30 MB;
the case reported as 27 s and 1.35 GB when every element had a node of its own). The policy
(written to the temporary folder) has a `rate of`, an `all of`, a `sum of` and a `list of`
over the list, and a comparison that uses the rate. Four runs, each in a fresh process:

    wuxin eval town.policy FILE                                   > /dev/null   (no explanation)
    wuxin eval town.policy FILE --explain                         > out.txt
    wuxin eval town.policy FILE --explain --format json           > out.json
    python -c "policy.evaluate(doc, explain=True); result.explain(); result.to_json(explain=True)"

and reports for each its wall time, CPU time, peak resident set size (`os.wait4`) and the
bytes it wrote. The explanation is bounded (at most 20 elements listed per aggregate, the rest
counted), so the text output stays a few kilobytes whatever N; the JSON output holds the
document's values once in its value table, so it grows with N like the document itself.

    python benchmarks/bench_explain_long.py                 # 400,000 units
    python benchmarks/bench_explain_long.py --n 1000000     # the in-process case of 10^6
    python benchmarks/bench_explain_long.py --n 2000        # smoke run
    python benchmarks/bench_explain_long.py --json

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

ROOT = Path(__file__).resolve().parent.parent

POLICY = """\
policy town "镇无毒单位达标率"
  cites "S4"

enum Group "创建目标分组": town_level "无毒镇(街道、园区)", village_level "无毒村(社区)"

record Member "下属单位":
  name: text "单位名称"
  group: Group "分组"
  drug_labs: int >= 0 "制毒窝点数"
  cases: int >= 0 "涉毒案件数"

record Town "镇":
  year: int "年度"
  units: list of Member "下属单位"

input town: Town "被考核镇"

criterion member_drug_free(m: Member) "无毒单位" cites "S2":
  m.drug_labs == 0 and m.cases == 0

rule village_rate "无毒村(社区)达标率" cites "S4":
  rate of u in town.units where u.group == village_level : member_drug_free(u)

criterion meets_target "无毒村(社区)达标率达到80%" cites "S4":
  village_rate ?? 100% >= 80%

criterion no_labs_anywhere "下属单位均无制毒窝点" cites "S2.1":
  all of u in town.units : u.drug_labs == 0

rule total_cases "涉毒案件总数":
  sum of u in town.units : u.cases

rule flagged "有案件的单位":
  list of u in town.units where u.cases > 0 : u.name
"""

IN_PROCESS = """\
import json, sys, time
from decimal import Decimal
import wuxin_rules
from wuxin_rules import jsonio
policy = wuxin_rules.load(sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as file:
    document = json.load(file, parse_float=Decimal)
start = time.perf_counter()
result = policy.evaluate(document, explain=True)
text = result.explain()
data = jsonio.dumps(result.to_json(explain=True))
print(json.dumps({"explain_s": time.perf_counter() - start, "text_bytes": len(text.encode()),
                  "json_bytes": len(data.encode())}))
"""


def write_town(path: Path, n: int) -> None:
    """A town of `n` units: one in 97 has a drug lab, four in five have cases."""
    units = [
        {
            "name": f"村{index}",
            "group": "village_level" if index % 3 else "town_level",
            "drug_labs": 1 if index % 97 == 5 else 0,
            "cases": index % 5,
        }
        for index in range(n)
    ]
    with path.open("w", encoding="utf-8") as out:
        json.dump({"town": {"year": 2017, "units": units}}, out, ensure_ascii=False)


def run(command: list[str], out_path: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run `command` with stdout to `out_path`; exit code, seconds, peak RSS, bytes written."""
    with out_path.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT, env=env
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    return {
        "command": shlex.join(command),
        "exit_code": os.waitstatus_to_exitcode(status),
        "elapsed_s": elapsed,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_bytes": usage.ru_maxrss * 1024,  # Linux reports KiB
        "output_bytes": out_path.stat().st_size,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Explaining aggregates over one long list.")
    parser.add_argument("--n", type=int, default=400_000, help="list elements (400,000)")
    parser.add_argument("--dir", help="folder for the files (default: a new temp folder)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to run wuxin with")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")

    folder = Path(tempfile.mkdtemp(prefix="wuxin-bench-", dir=args.dir))
    try:
        policy = folder / "town.policy"
        policy.write_text(POLICY, encoding="utf-8")
        facts = folder / f"town-{args.n}.json"
        write_town(facts, args.n)
        env = child_env(folder / "pycache")
        subprocess.run([args.python, "-c", "import wuxin_rules"], env=env, check=False)
        wuxin = [*wuxin_command(args.python), "eval", str(policy), str(facts)]
        runs = {
            "eval": run(wuxin, folder / "plain.out", env),
            "eval --explain": run([*wuxin, "--explain"], folder / "text.out", env),
            "eval --explain --format json": run(
                [*wuxin, "--explain", "--format", "json"], folder / "json.out", env
            ),
            "in process": run(
                [args.python, "-c", IN_PROCESS, str(policy), str(facts)],
                folder / "process.out",
                env,
            ),
        }
        inside = (folder / "process.out").read_text(encoding="utf-8").strip()
        runs["in process"].update(json.loads(inside) if inside else {})
        report = {"n": args.n, "file_bytes": facts.stat().st_size, "runs": runs}
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    mib = 1024 * 1024
    print(f"elements   {report['n']:,} ({report['file_bytes'] / mib:,.1f} MiB of JSON)")
    print(f"{'run':<30} {'wall s':>8} {'cpu s':>8} {'peak MB':>9} {'output':>12}  exit")
    for name, result in runs.items():
        print(
            f"{name:<30} {result['elapsed_s']:>8.2f} {result['cpu_s']:>8.2f} "
            f"{result['peak_rss_bytes'] / 10**6:>9.1f} {result['output_bytes']:>12,}  "
            f"{result['exit_code']}"
        )
    inside_run = runs["in process"]
    if "explain_s" in inside_run:
        print(
            f"in process: evaluate(explain=True) + explain() + to_json(explain=True) "
            f"{inside_run['explain_s']:.2f} s; text {inside_run['text_bytes']:,} bytes, "
            f"JSON {inside_run['json_bytes']:,} bytes"
        )
    return 0 if all(result["exit_code"] == 0 for result in runs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
