#!/usr/bin/env python3
"""Run the whole drug-free creation scheme over the synthetic district, year by year.

    python examples/district/run.py                 # every year, 2015–2020
    python examples/district/run.py --year 2017     # one year
    python examples/district/run.py --explain       # with the explanation of each finding
    python examples/district/run.py --explain --mode full --year 2018   # every step

For each year it prints the district's rate in each target group against its target (S4),
each town's compliance and the towns listed for key remediation (S4.R), the spot-check draws
(S3.2.3), the titles revoked and why (S3.2), the late, missing and incomplete reports (S5),
the towns' assessment grades (S3.1, S6.2) and who is held accountable (S6.3). Every finding
ends with the rule that decided it and where that rule is written (`[rule @ file:line]`);
`--explain` adds the rule's explanation tree.

Uses the public `wuxin_rules` API only: `load`, `Policy.evaluate`/`evaluate_many`, and the
`Result` of each evaluation (values, verdicts with their source spans, explanations). The
facts are `district.json` beside this script (written by `generate.py`).
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import wuxin_rules

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
POLICIES = REPO / "policies" / "drug_free"
UNIT_FIELDS = (
    "id", "name", "kind", "year", "drug_labs", "trafficking_groups", "addict_growth_rate",
    "province_addict_growth_rate", "enforcement_rate", "province_enforcement_rate",
    "fugitive_key_offenders", "venue_drug_cases", "uncontrolled_substance_firms",
    "group_drug_use_incidents", "responsibility",
)  # fmt: skip
FLAGS = ("falsification", "severe_group_incident", "media_exposed_major_case", "capped")
GROUP_LABELS = {
    "town_level": "无毒镇(街道、园区)", "village_level": "无毒村(社区)", "agency": "无毒机关单位",
    "school": "无毒学校", "enterprise_level": "无毒企业、场所",
}  # fmt: skip


class Printer:
    """Prints findings, each with the rule that decided it, and its explanation on demand."""

    def __init__(self, explain: bool, mode: str = "decisive") -> None:
        self.explain = explain
        self.mode = mode

    def line(self, text: str, result: wuxin_rules.Result | None = None, rule: str | None = None,
             indent: int = 1) -> None:  # fmt: skip
        """One finding; `result` and `rule` name where it comes from."""
        where = ""
        if result is not None and rule is not None:
            verdict = result.verdict(rule)
            span = verdict.span
            location = f"{_relative(span.source.name)}:{span.line}" if span is not None else "?"
            where = f"  [{rule} @ {location}]"
        print("  " * indent + text + where)
        if self.explain and result is not None and rule is not None:
            for row in result.explain(rule, mode=self.mode).splitlines():
                print("  " * (indent + 2) + "│ " + _relative(row))


def _relative(text: str) -> str:
    """Policy paths relative to the repository, so the output is the same on every machine."""
    return text.replace(str(REPO) + "/", "")


def percent(value: Any) -> str:
    """An exact share shown as a percentage (display only: the verdicts stay exact)."""
    share = Fraction(value) * 100
    if share.denominator == 1:
        return f"{share}%"
    rounded = (Decimal(share.numerator) / share.denominator).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    return f"{rounded}".rstrip("0").rstrip(".") + "%"


def unit_of(record: dict[str, Any]) -> dict[str, Any]:
    """The `Unit` fields of a record (a town's own facts without its `units`)."""
    return {field: record[field] for field in UNIT_FIELDS}


def load_policies() -> dict[str, wuxin_rules.Policy]:
    """The flagship policies, loaded and checked once."""
    names = (
        "town",
        "district",
        "titles",
        "spot_check",
        "reporting",
        "assessment",
        "accountability",
    )
    return {name: wuxin_rules.load(POLICIES / f"{name}.policy") for name in names}


def run_year(year: dict[str, Any], policies: dict[str, wuxin_rules.Policy], out: Printer,
             summary: dict[str, list[str]], next_year: dict[str, Any] | None) -> None:  # fmt: skip
    """Every verdict of the scheme for one year of the district."""
    y = year["year"]
    towns = year["towns"]
    everyone = [unit_of(t) for t in towns] + [u for t in towns for u in t["units"]]
    everyone += year["district_units"]
    names = {u["id"]: u["name"] for u in everyone}

    # S4: the district.
    district = policies["district"].evaluate({"district": {"year": y, "units": everyone}})
    stage = district["campaign_stage"]
    print(f"\n== {y} ({stage}) ==")
    print("district compliance (S4):")
    for rate in district["rates"]:
        mark = "meets" if rate["meets"] else "SHORT"
        out.line(
            f"{rate['group']:<17} {rate['drug_free_units']:>3}/{rate['units']:<3} = "
            f"{percent(rate['rate']):>7}  target {percent(rate['target']):>4}  {mark}",
        )
    verdict = (
        "meets its targets"
        if district["meets_targets"]
        else ("short in " + ", ".join(district["groups_short"]))
    )
    out.line(f"district {verdict}", district, "meets_targets")

    # S4 and S4.R: each park, town and street.
    print("towns (S4, S4.R):")
    results = policies["town"].evaluate_many([{"town": t} for t in towns])
    for town, result in zip(towns, results, strict=True):
        rates = ", ".join(
            f"{r['group']} {r['drug_free_units']}/{r['units']}"
            + ("" if r["meets"] else f" < {percent(r['target'])}")
            for r in result["rates"]
        )
        status = "meets" if result["meets_targets"] else "SHORT"
        out.line(f"{town['name']} ({town['id']}) {status}: {rates}", result, "meets_targets")
        if result["remediation_listed"]:
            by = "、".join({"city_commission": "市禁毒委", "district_commission": "区禁毒委"}[a]
                          for a in result["listed_by"])  # fmt: skip
            out.line(f"LISTED for key remediation by {by}: {town['name']}", result,
                     "remediation_listed", indent=2)  # fmt: skip
            summary["listed"].append(f"{y} {town['name']}")
        elif not result["meets_targets"]:
            out.line(f"not listed ({y} is not a listing year): {town['name']}", result,
                     "remediation_listed", indent=2)  # fmt: skip

    # S3.2: titles, re-evaluation and spot checks.
    titles = year["titles"]
    documents = [{"unit": {**u, **titles[u["id"]]}} for u in everyone]
    title_results = dict(zip(
        (u["id"] for u in everyone), policies["titles"].evaluate_many(documents), strict=True
    ))  # fmt: skip
    print("spot checks (S3.2.3):")
    for check in year["spot_checks"]:
        pool_units = [
            {"id": uid, "title_held": titles[uid]["title_held"],
             "awarded_by": title_results[uid]["awarding_authority"]}
            for uid in sorted(title_results)
        ]  # fmt: skip
        pool = {
            "authority": check["authority"],
            "year": y,
            "seed": check["seed"],
            "units": pool_units,
        }
        drawn = policies["spot_check"].evaluate({"pool": pool})
        recorded = sorted(uid for uid in title_results
                          if titles[uid]["spot_checked"] and
                          title_results[uid]["awarding_authority"] == check["authority"])  # fmt: skip
        agreement = (
            "as recorded" if drawn["sample"] == recorded else f"BUT the facts record {recorded}"
        )
        out.line(
            f"{check['authority']} seed {check['seed']!r}: {drawn['sample_size']} of "
            f"{len(drawn['candidates'])} titled units drawn: {', '.join(drawn['sample']) or '-'} "
            f"({agreement})",
            drawn,
            "sample",
        )
    print("titles (S3.2):")
    awarded = sum(r["eligible_for_title"] for r in title_results.values())
    held = sum(titles[uid]["title_held"] for uid in titles)
    out.line(f"{held} held at the start of the year, {awarded} newly eligible")
    for uid, result in title_results.items():
        if result["title_revoked"]:
            why = ("failed spot check, evaluator accountable: " + result["accountable_authority"]
                   if result["failed_spot_check"] else
                   "failed re-evaluation: " + ", ".join(result["failed_standards"]))  # fmt: skip
            out.line(f"REVOKED {names[uid]} ({uid}): {why}", result, "title_revoked")
            summary["revoked"].append(f"{y} {names[uid]} ({uid}): {why}")
    if next_year is not None:
        carried = [uid for uid, r in title_results.items()
                   if r["title_after"] != next_year["titles"][uid]["title_held"]]  # fmt: skip
        if carried:
            out.line(f"NOTE: next year's facts disagree with title_after for {carried}")

    # S5: the quarterly reports.
    print("reports (S5):")
    reports = year["reports"]
    report_results = policies["reporting"].evaluate_many([{"report": r} for r in reports])
    quiet = True
    for report, result in zip(reports, report_results, strict=True):
        what = f"{report['reporter']} Q{report['quarter']}"
        if result["days_late"] is None:
            out.line(f"NOT RECEIVED {what}, due {result['due_date']}", result, "on_time")
            quiet = False
        elif result["days_late"] > 0:
            day = "day" if result["days_late"] == 1 else "days"
            out.line(f"LATE {what}: due {result['due_date']}, submitted {report['submitted_on']}, "
                     f"{result['days_late']} {day} late", result, "days_late")  # fmt: skip
            summary["late"].append(f"{y} {what}: {result['days_late']} {day} late")
            quiet = False
        elif report["submitted_on"] == str(result["due_date"]):
            out.line(f"on the due day {what}: {report['submitted_on']}, on time", result, "on_time")
        if not result["complete"]:
            out.line(f"INCOMPLETE {what}: missing {', '.join(result['missing_indicators'])}",
                     result, "complete")  # fmt: skip
            quiet = False
    if quiet:
        out.line(f"all {len(reports)} reports on time and complete")

    # S3.1 and S6.2: the towns' assessments.
    print("assessments (S3.1, S6.2):")
    documents = [{"assessee": {**t, "scores": year["scores"][t["id"]]}} for t in towns]
    for town, result in zip(towns, policies["assessment"].evaluate_many(documents), strict=True):
        total = Decimal(result["total_score"].numerator) / result["total_score"].denominator \
            if isinstance(result["total_score"], Fraction) else result["total_score"]  # fmt: skip
        out.line(f"{town['name']}: total {total:.2f}, 达标率 score "
                 f"{percent(Fraction(result['drug_free_rate_score']) / 100)}, {result['grade']}",
                 result, "grade")  # fmt: skip

    # S6.3 and S3.2.3: accountability.
    print("accountability (S6.3, S3.2.3):")
    flagged = [
        u for u in everyone if u["id"] in year["incidents"] or titles[u["id"]]["spot_checked"]
    ]
    documents = [
        {"unit": {**u, **titles[u["id"]],
                  **{f: year["incidents"].get(u["id"], {}).get(f, False) for f in FLAGS}}}
        for u in flagged
    ]  # fmt: skip
    anyone = False
    for u, result in zip(flagged, policies["accountability"].evaluate_many(documents), strict=True):
        if result["accountability_required"]:
            anyone = True
            out.line(f"{u['name']} ({u['id']}):", result, "accountability_required")
            for reason in result["accountability_reasons"]:
                out.line("- " + reason, indent=2)
                summary["accountable"].append(f"{y} {u['name']}: {reason.split(':')[0]}")
    if not anyone:
        out.line("nobody")


def main(argv: list[str] | None = None) -> int:
    """Run the scheme over the district's facts; 0 on success, 1 on bad facts or policies."""
    parser = argparse.ArgumentParser(
        description="Run the drug-free creation scheme (policies/drug_free/) over the synthetic "
        "district of examples/district/, year by year.",
        epilog="Each finding ends with [rule @ policy-file:line]; --explain prints the "
        "explanation tree of each.",
    )
    parser.add_argument(
        "--year",
        type=int,
        action="append",
        metavar="YEAR",
        help="only this year (repeatable; default: 2015–2020)",
    )
    parser.add_argument("--explain", action="store_true", help="print each finding's explanation")
    parser.add_argument(
        "--mode",
        choices=("decisive", "failed", "full"),
        default="decisive",
        help="which parts of each explanation to print (default: decisive)",
    )
    parser.add_argument(
        "--facts",
        type=Path,
        default=HERE / "district.json",
        help="the district's facts (default: district.json beside this script)",
    )
    args = parser.parse_args(argv)
    try:
        data = json.loads(args.facts.read_text(encoding="utf-8"), parse_float=Decimal)
        policies = load_policies()
    except wuxin_rules.WuxinError as error:
        print(error, file=sys.stderr)
        return 1
    except (OSError, json.JSONDecodeError) as error:
        print(f"error: cannot read the facts: {error}", file=sys.stderr)
        return 1
    out = Printer(args.explain, args.mode)
    summary: dict[str, list[str]] = {"listed": [], "revoked": [], "late": [], "accountable": []}
    years = data["years"]
    print(f"{data['about']}\nfacts: {_relative(str(args.facts.resolve()))}")
    try:
        for index, year in enumerate(years):
            if args.year and year["year"] not in args.year:
                continue
            following = years[index + 1] if index + 1 < len(years) else None
            run_year(year, policies, out, summary, following)
    except wuxin_rules.WuxinError as error:
        print(error, file=sys.stderr)
        return 1
    print("\n== summary ==")
    for title, key in (("listed for key remediation (S4.R)", "listed"),
                       ("titles revoked (S3.2)", "revoked"),
                       ("late reports (S5)", "late"),
                       ("held accountable (S6.3, S3.2.3)", "accountable")):  # fmt: skip
        print(f"{title}:")
        for item in summary[key] or ["none"]:
            print(f"  {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
