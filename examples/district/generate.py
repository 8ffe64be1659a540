#!/usr/bin/env python3
"""Generate a synthetic district's facts for every year 2015–2020, twice: as `district.json`
and as the office's workbook `district.xlsx` (the same facts).

    python examples/district/generate.py            # rewrite district.json and district.xlsx
    python examples/district/generate.py -o OTHER.json --workbook OTHER.xlsx   # elsewhere

Deterministic: every "random" choice is a SHA-256 hash of the seed and a label (not `random`,
whose algorithms may change between Python versions), the JSON is written by hand, and the
workbook's times are fixed, so the same script gives the same bytes everywhere (the test
compares). The facts need the standard library only; the workbook's column headers are the
policies' labels (`workbook.py` reads them from the checked policies), and writing it needs
openpyxl (`pip install 'wuxin_rules[report]'`; `--no-workbook` skips it).

The district is invented (names, numbers and events); it follows the facts contract of
RULES.md so that the flagship policies can be run over it (`examples/district/run.py`).
This script decides what happens (which units are drug-free, who holds a title, what the
inspectors found, when reports came in); it does not judge anything: `run.py` asks the
policies for every verdict.

The story it tells, besides the noise of units improving and relapsing:

* 南沙镇 misses its village target in 2016 (not listed: S4.R starts in 2017) and again in
  2017 (listed for key remediation), and recovers in 2018;
* 北岗镇 has a school that is not drug-free in 2016, so it and the district miss the 100%
  school target; in 2018 a village of 北岗镇 has a severe group drug-use incident;
* in 2018 the district commission's spot check draws a village that fails it: its title is
  revoked, it had falsified its returns, and the district commission is accountable (every
  other unit drawn in any year passes: the inspectors' finding records what the yearly
  re-evaluation missed, and a unit failing the standards loses its title there anyway);
* in 2018 a village of 东湖街道 relapses just short of the S2.3 bar under a negative
  provincial average (a naive `50% × average` reading would have passed it);
* 西岭街道's third-quarter report of 2017 comes in three days late, 高新科技园's first of
  2019 one day late, 中和镇's last of 2016 on the due day itself, and the district public
  security branch's second of 2016 leaves out an indicator.
"""

from __future__ import annotations

import argparse
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

SEED = "zhongkai-synthetic-district/1"
YEARS = tuple(range(2015, 2021))
HERE = Path(__file__).resolve().parent

# S4's table (percent), which the story aims near: the policies, not this script, judge.
TARGETS = {
    2015: {"village_level": 50, "agency": 100, "school": 100, "enterprise_level": 50},
    2016: {"village_level": 65, "agency": 100, "school": 100, "enterprise_level": 70},
    2017: {"village_level": 80, "agency": 100, "school": 100, "enterprise_level": 90},
    2018: {"village_level": 90, "agency": 100, "school": 100, "enterprise_level": 95},
    2019: {"village_level": 95, "agency": 100, "school": 100, "enterprise_level": 100},
    2020: {"village_level": 100, "agency": 100, "school": 100, "enterprise_level": 100},
}
GROUP_OF = {
    "village": "village_level",
    "community": "village_level",
    "agency": "agency",
    "school": "school",
    "enterprise": "enterprise_level",
    "venue": "enterprise_level",
}

# id, name, kind, villages, communities, agencies, schools, enterprises, venues
TOWNS = (
    ("zk-dh", "东湖街道", "street", 9, 8, 1, 2, 4, 2),
    ("zk-xl", "西岭街道", "street", 8, 9, 1, 2, 3, 2),
    ("zk-ns", "南沙镇", "town", 18, 2, 1, 2, 3, 1),
    ("zk-bg", "北岗镇", "town", 15, 1, 1, 1, 3, 1),
    ("zk-zh", "中和镇", "town", 16, 3, 1, 2, 4, 2),
    ("zk-gx", "高新科技园", "park", 0, 8, 1, 1, 8, 1),
)
# The share of the towns themselves that are drug-free, year by year (the district's
# town-level group; targets 20%, 35%, 50%, 65%, 80%, 90%).
TOWNS_FREE = {2015: 2, 2016: 3, 2017: 3, 2018: 4, 2019: 5, 2020: 6}
DISTRICT_AGENCIES = (
    ("zk-gaj", "区公安分局"),
    ("zk-jyj", "区教育局"),
    ("zk-wjj", "区卫生健康局"),
    ("zk-scj", "区市场监督管理局"),
)
# Province-wide averages by year: addict growth falls below zero from 2018, so S2.3's bar
# is read on the average's magnitude.
PROVINCE = {
    2015: ("0.052", "0.62"),
    2016: ("0.031", "0.66"),
    2017: ("0.008", "0.70"),
    2018: ("-0.012", "0.73"),
    2019: ("-0.035", "0.75"),
    2020: ("-0.041", "0.78"),
}
INDICATORS = (
    "case_handling",
    "drug_prices",
    "police_calls",
    "addict_control",
    "outside_leads",
    "high_risk_persons",
)
RESPONSIBILITY = ("duties_assigned", "team_in_place", "infrastructure_complete", "work_funded")
SHORTCOMINGS = (
    "drug_labs",
    "trafficking_groups",
    "growth",
    "enforcement",
    "venue_drug_cases",
    "responsibility",
)
KIND_NAMES = {
    "village": "村",
    "community": "社区",
    "agency": "办事处",
    "school": "学校",
    "enterprise": "企业",
    "venue": "娱乐场所",
}
ID_LETTERS = {
    "village": "v",
    "community": "c",
    "agency": "a",
    "school": "s",
    "enterprise": "e",
    "venue": "k",
}
SYLLABLES = (
    "安宝长春大德东丰福富光广和河鸿华惠吉佳金锦康乐联龙茂美明南平庆仁瑞山上盛石顺泰新兴秀阳永裕"
)


# ------------------------------------------------------------------------------------------
# Determinism: hash rolls instead of `random`


def roll(*labels: object) -> int:
    """A whole number in 0 .. 2**64 − 1 fixed by the seed and the labels."""
    text = "\x1f".join([SEED, *map(str, labels)])
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def pick(options: tuple[Any, ...] | str, *labels: object) -> Any:
    """One of `options`, fixed by the labels."""
    return options[roll(*labels) % len(options)]


def draw(ids: list[str], seed: str) -> list[str]:
    """The spot-check draw as `wuxin_rules.sampling` publishes it: ceil(10% × n) ids with the
    lowest SHA-256 ranks, in id order (redone here so that the inspectors' findings can be
    written for the units actually drawn; `run.py` checks the policy draws the same)."""

    def field(text: str) -> bytes:
        body = text.encode("utf-8")
        return b"t:" + str(len(body)).encode("ascii") + b":" + body

    def rank(key: str) -> tuple[str, str]:
        digest = hashlib.sha256(b"wuxin-sample/1\x00" + field(seed) + field(key)).hexdigest()
        return digest, key

    size = -(-len(ids) // 10)  # ceil(10% × n), in whole numbers
    return sorted(sorted(ids, key=rank)[:size])


# ------------------------------------------------------------------------------------------
# The units


def name_of(uid: str, kind: str, town_name: str) -> str:
    """A made-up name: two syllables and the kind (`…村`, `…社区`, `…学校`)."""
    if kind == "agency":
        return f"{town_name}{'办事处' if town_name.endswith('街道') else '人民政府'}"
    first, second = pick(SYLLABLES, uid, "name", 1), pick(SYLLABLES, uid, "name", 2)
    return f"{first}{second}{KIND_NAMES[kind]}"


def subordinates(town: tuple[Any, ...]) -> list[tuple[str, str, str]]:
    """(id, name, kind) of a town's subordinate units."""
    tid, tname, _, *counts = town
    units = []
    for kind, count in zip(
        ("village", "community", "agency", "school", "enterprise", "venue"), counts, strict=True
    ):
        for n in range(1, count + 1):
            uid = f"{tid}-{ID_LETTERS[kind]}{n:02d}"
            units.append((uid, name_of(uid, kind, tname), kind))
    return units


def free_in_group(tid: str, group: str, year: int, ids: list[str], out: set[str]) -> set[str]:
    """Which of a town's units of one group are drug-free in `year`: the top of a ranking
    that drifts from year to year (so units improve and relapse), as many as the story
    wants (on or above the target, or short of it where the story says so). The units in
    `out` are not drug-free this year, whatever their standing."""
    candidates = [uid for uid in ids if uid not in out]
    n = len(ids)
    target = TARGETS[year][group]
    wanted = min(len(candidates), -(-target * n // 100) + roll(tid, group, year, "margin") % 3)
    if group in ("agency", "school"):
        wanted = len(candidates)
    if (tid, group, year) in (("zk-ns", "village_level", 2016), ("zk-ns", "village_level", 2017)):
        wanted = -(-target * n // 100) - 2  # 南沙镇 misses its village target
    if (tid, group, year) == ("zk-bg", "school", 2016):
        wanted = len(candidates) - 1  # 北岗镇's school
    standing = sorted(
        candidates,
        key=lambda uid: (-(roll(uid, "base") % 1000 + roll(uid, year, "drift") % 400), uid),
    )
    return set(standing[:wanted])


def unit_facts(uid: str, name: str, kind: str, year: int, free: bool) -> dict[str, Any]:
    """A fact record meeting all six standards, or failing one of them."""
    p_growth, p_enforcement = (Decimal(v) for v in PROVINCE[year])
    growth_bar = p_growth - abs(p_growth) / 2
    enforcement_bar = p_enforcement + p_enforcement / 5
    facts: dict[str, Any] = {
        "id": uid,
        "name": name,
        "kind": kind,
        "year": year,
        "drug_labs": 0,
        "trafficking_groups": 0,
        "addict_growth_rate": growth_bar - Decimal(roll(uid, year, "g") % 40) / 1000,
        "province_addict_growth_rate": p_growth,
        "enforcement_rate": enforcement_bar + Decimal(roll(uid, year, "e") % 120) / 1000,
        "province_enforcement_rate": p_enforcement,
        "fugitive_key_offenders": 0,
        "venue_drug_cases": 0,
        "uncontrolled_substance_firms": 0,
        "group_drug_use_incidents": 0,
        "responsibility": dict.fromkeys(RESPONSIBILITY, True),
    }
    if free:
        return facts
    shortcoming = pick(SHORTCOMINGS, uid, year, "shortcoming")
    if shortcoming in ("drug_labs", "trafficking_groups", "venue_drug_cases"):
        facts[shortcoming] = 1
    elif shortcoming == "growth":
        facts["addict_growth_rate"] = growth_bar + Decimal(1 + roll(uid, year, "g+") % 20) / 1000
    elif shortcoming == "enforcement":
        facts["enforcement_rate"] = enforcement_bar - Decimal(1 + roll(uid, year, "e-") % 50) / 1000
    else:
        facts["responsibility"][pick(RESPONSIBILITY, uid, year, "r")] = False
    return facts


# ------------------------------------------------------------------------------------------
# The years


def scores(tid: str, year: int) -> dict[str, Decimal]:
    """The assessors' five scores for a town (S3.1), 60.0–99.9."""
    names = (
        "organization",
        "crackdown",
        "industry_management",
        "addict_control",
        "prevention_education",
    )
    low = 45 if (tid, year) == ("zk-ns", 2017) else 70
    return {n: Decimal(low * 10 + roll(tid, year, n) % ((100 - low) * 10)) / 10 for n in names}


def reports(year: int) -> list[dict[str, Any]]:
    """Four quarterly reports from each town's commission and the public security branch."""
    reporters = [(tid, f"{name}禁毒委") for tid, name, *_ in TOWNS] + [("zk-gaj", "区公安分局")]
    late = {("zk-xl", 2017, 3): 28, ("zk-gx", 2019, 1): 26, ("zk-zh", 2016, 4): 25}
    out = []
    for quarter in (1, 2, 3, 4):
        for rid, reporter in reporters:
            day = late.get((rid, year, quarter), 25 - 1 - roll(rid, year, quarter) % 12)
            covers = list(INDICATORS)
            if (rid, year, quarter) == ("zk-gaj", 2016, 2):
                covers.remove("outside_leads")
            out.append(
                {
                    "reporter": reporter,
                    "year": year,
                    "quarter": quarter,
                    "submitted_on": f"{year}-{3 * quarter:02d}-{day:02d}",
                    "covers": covers,
                }
            )
    return out


def generate() -> dict[str, Any]:
    """The whole district, year by year."""
    held: dict[str, bool] = {}
    free_before: set[str] = set()
    years = []
    for year in YEARS:
        leaders = sorted((t[0] for t in TOWNS), key=lambda tid: (-roll(tid, "lead"), tid))
        free_towns = set(leaders[: TOWNS_FREE[year]])
        # The story's own units this year: id → the facts that make them fall short.
        story: dict[str, dict[str, Any]] = {}
        if year == 2018:
            story["zk-bg-v03"] = {"group_drug_use_incidents": 2}  # the severe incident
            # A village of 东湖街道, drug-free last year, whose addict count falls by 1% while
            # the province's falls by 1.2%: the bar is −1.2% − 0.6% = −1.8%, so it relapses;
            # the naive bar (50% × −1.2% = −0.6%) would have let it pass.
            relapsed = min(uid for uid in free_before if uid.startswith("zk-dh-v"))
            story[relapsed] = {"addict_growth_rate": Decimal("-0.010")}
        towns, everyone = [], []
        free_now: set[str] = set()
        for town in TOWNS:
            tid, tname, kind = town[:3]
            members = subordinates(town)
            free: set[str] = set()
            for group in ("village_level", "agency", "school", "enterprise_level"):
                ids = [uid for uid, _, k in members if GROUP_OF[k] == group]
                free |= free_in_group(tid, group, year, ids, set(story))
            records = []
            for uid, name, k in members:
                record = unit_facts(uid, name, k, year, uid in free or uid in story)
                record.update(story.get(uid, {}))
                records.append(record)
            own = unit_facts(tid, tname, kind, year, tid in free_towns)
            towns.append({**own, "units": records})
            everyone += [own, *records]
            free_now |= free
        agencies = [unit_facts(aid, name, "agency", year, True) for aid, name in DISTRICT_AGENCIES]
        everyone += agencies

        # Titles: held from the year before; each commission draws among its holders, and
        # the inspectors' findings are written for the units drawn.
        titles = {
            u["id"]: {
                "title_held": held.get(u["id"], False),
                "spot_checked": False,
                "spot_check_passed": None,
            }
            for u in everyone
        }
        checks = []
        incidents: dict[str, dict[str, bool]] = {}
        for authority, kinds in (
            ("city_commission", ("park", "town", "street")),
            ("district_commission", tuple(GROUP_OF)),
        ):
            seed = f"{year}-{authority}-公开抽签"
            pool = [
                u["id"] for u in everyone if u["kind"] in kinds and titles[u["id"]]["title_held"]
            ]
            drawn = draw(pool, seed)
            checks.append({"authority": authority, "seed": seed})
            for uid in drawn:
                titles[uid].update(spot_checked=True, spot_check_passed=True)
            if authority == "district_commission" and year == 2018:
                caught = next((uid for uid in drawn if "-v" in uid), drawn[0])
                titles[caught]["spot_check_passed"] = False
                incidents[caught] = {"falsification": True}
        if year == 2017:
            incidents["zk-ns"] = {"capped": True}
        if year == 2018:
            incidents["zk-bg"] = {"severe_group_incident": True}

        # What each unit holds at the start of next year (the scheme's rule, restated).
        by_id = {u["id"]: u for u in everyone}
        for uid, t in titles.items():
            standards_met = _meets_standards(by_id[uid])
            failed_check = t["spot_check_passed"] is False
            held[uid] = standards_met and not failed_check if t["title_held"] else standards_met
        free_before = free_now

        years.append(
            {
                "year": year,
                "towns": towns,
                "district_units": agencies,
                "titles": titles,
                "spot_checks": checks,
                "reports": reports(year),
                "scores": {t[0]: scores(t[0], year) for t in TOWNS},
                "incidents": dict(sorted(incidents.items())),
            }
        )
    return {
        "about": "a synthetic district (names, numbers and events invented) for the flagship "
        "policies; written by examples/district/generate.py, run by run.py",
        "seed": SEED,
        "years": years,
    }


def _meets_standards(u: dict[str, Any]) -> bool:
    """Whether the story made this unit drug-free (to carry its title into next year)."""
    p, e = u["province_addict_growth_rate"], u["province_enforcement_rate"]
    return (
        u["drug_labs"] == u["trafficking_groups"] == u["venue_drug_cases"] == 0
        and u["group_drug_use_incidents"] == 0
        and u["addict_growth_rate"] <= p - abs(p) / 2
        and u["enforcement_rate"] >= e + e / 5
        and all(u["responsibility"].values())
    )


# ------------------------------------------------------------------------------------------
# Writing JSON by hand (exact decimals; one unit per line)


def dump(value: Any, indent: int = 0) -> str:
    """JSON text: containers of containers indented, flat records on one line."""
    pad = "  " * indent
    if isinstance(value, dict) and value and any(_nested(v) for v in value.values()):
        items = [f"{pad}  {_scalar(k)}: {dump(v, indent + 1).lstrip()}" for k, v in value.items()]
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and any(isinstance(v, dict | list) for v in value):
        return pad + "[\n" + ",\n".join(dump(v, indent + 1) for v in value) + "\n" + pad + "]"
    return pad + _flat(value)


def _nested(value: Any) -> bool:
    return (isinstance(value, list) and any(isinstance(v, dict) for v in value)) or (
        isinstance(value, dict)
        and any(isinstance(v, dict | list) for v in value.values())
        and len(value) > 8
    )


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flat(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def main() -> None:
    """Write the district's facts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=HERE / "district.json",
        help="where to write (default: district.json beside this script)",
    )
    parser.add_argument(
        "--workbook",
        type=Path,
        default=HERE / "district.xlsx",
        help="where to write the workbook (default: district.xlsx beside this script)",
    )
    parser.add_argument("--no-workbook", action="store_true", help="write the JSON only")
    args = parser.parse_args()
    data = generate()
    args.output.write_text(dump(data) + "\n", encoding="utf-8")
    if not args.no_workbook:
        from scheme import load_policies
        from workbook import write_workbook

        write_workbook(data, args.workbook, load_policies())


if __name__ == "__main__":
    main()
