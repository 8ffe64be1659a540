#!/usr/bin/env python3
"""Run the whole drug-free creation scheme over the synthetic district, year by year.

    python examples/district/run.py                          # every year, 2015–2020, as text
    python examples/district/run.py --lang zh                # the same in Chinese
    python examples/district/run.py district.xlsx --format html -o report.html   # the report
    python examples/district/run.py district.xlsx --format xlsx -o findings.xlsx # for filing
    python examples/district/run.py --year 2017 --explain    # one year, each finding explained

The facts are `district.json` or the office's workbook `district.xlsx` beside this script
(both written by `generate.py`; the workbook is read by the policies' labels, `workbook.py`).
First the table of the five target groups by year against their targets (S4); then, each
year, each town's compliance and the towns listed for key remediation (S4.R), the spot-check
draws (S3.2.3), the titles revoked and why (S3.2), the late, missing and incomplete reports
(S5), the towns' assessments (S3.1, S6.2) and who is held accountable (S6.3); then a summary.
Each finding names its clause; `--sources` adds the rule and policy line that decided it,
`--explain` the rule's explanation tree.

Every number and verdict comes from evaluating the policies (`findings.py`); this script only
lays them out. Uses the public `wuxin_rules` API: `load`, `Policy.evaluate`/`evaluate_many`,
and each `Result` (values, verdicts with their labels, clauses and source lines, explanations).
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from findings import Finding, GroupRate, Revoked, Year, collect, decimal_text, percent
from scheme import HERE, REPO, load_policies
from workbook import WorkbookError, read_workbook

import wuxin_rules

# The fixed words of the text output; every label comes from the policies.
WORDS = {
    "zh": {
        "title": "无毒创建 2015—2020 年度情况", "facts": "数据", "groups": "各分组无毒单位达标率（S4）",
        "group": "分组", "meets": "达标", "short": "未达标", "no target": "无目标",
        "district": "全区", "district meets": "全区达到年度目标", "district short": "全区未达到年度目标：{groups}",
        "towns": "园区、镇(街道)（S4、S4.R）", "listed": "挂牌重点整治：{name}（挂牌单位：{by}）",
        "not listed": "未达标，本年度不挂牌：{name}", "draws": "抽查（S3.2.3）",
        "draw": "{authority} 抽签种子 “{seed}”：{candidates} 个称号单位中抽取 {size} 个：{sample}",
        "as recorded": "与抽查记录一致", "but recorded": "但抽查记录为 {recorded}",
        "titles": "称号（S3.2）", "held": "年初持有称号 {held} 个，新达到授予条件 {eligible} 个",
        "revoked": "取消称号：{name}：{why}", "why spot": "抽查不合格，倒查问责 {authority}",
        "why standards": "复评未达标 {standards}",
        "mismatch": "注意：下一年度的称号记录与评定结果不一致：{ids}",
        "reports": "毒情评估报告（S5）", "late": "逾期 {what}：截止 {due}，{submitted} 报送，逾期 {days}",
        "not received": "未报送 {what}，截止 {due}", "due day": "截止日当天报送 {what}：{submitted}，按时",
        "incomplete": "报告不完整 {what}：缺少 {missing}", "all reports": "{n} 份报告均按时、完整",
        "quarter": "第{q}季度", "assessments": "工作考核（S3.1、S6.2）",
        "assessment": "{name}：总分 {total}，达标率得分 {score}，{grade}",
        "accountability": "督导问责（S6.3、S3.2.3）", "nobody": "无", "none": "无",
        "summary": "汇总", "sum listed": "挂牌重点整治（S4.R）", "sum revoked": "取消称号（S3.2）",
        "sum late": "逾期报告（S5）", "sum accountable": "问责（S6.3、S3.2.3）",
        "sum late item": "{year} {what}：逾期 {days}", "year": "{year} 年（{stage}）",
        "sep": "、", "colon": "：", "day": "{n} 天", "days": "{n} 天", "paren": "（{x}）",
    },
    "en": {
        "title": "Drug-free creation 2015–2020, year by year", "facts": "facts",
        "groups": "drug-free rate of each target group (S4)", "group": "group",
        "meets": "met", "short": "SHORT", "no target": "no target", "district": "district",
        "district meets": "the district meets its targets",
        "district short": "the district is short in {groups}",
        "towns": "parks, towns and streets (S4, S4.R)",
        "listed": "LISTED for key remediation: {name} (by {by})",
        "not listed": "short, not listed this year: {name}", "draws": "spot checks (S3.2.3)",
        "draw": "{authority} seed “{seed}”: {size} of {candidates} titled units drawn: {sample}",
        "as recorded": "as recorded", "but recorded": "BUT the facts record {recorded}",
        "titles": "titles (S3.2)", "held": "{held} held at the start of the year, {eligible} newly eligible",
        "revoked": "REVOKED {name}: {why}",
        "why spot": "failed spot check, evaluator accountable: {authority}",
        "why standards": "failed re-evaluation: {standards}",
        "mismatch": "NOTE: next year's facts disagree with the title after this year for {ids}",
        "reports": "reports (S5)", "late": "LATE {what}: due {due}, submitted {submitted}, {days} late",
        "not received": "NOT RECEIVED {what}, due {due}", "due day": "on the due day {what}: {submitted}, on time",
        "incomplete": "INCOMPLETE {what}: missing {missing}", "all reports": "all {n} reports on time and complete",
        "quarter": "Q{q}", "assessments": "assessments (S3.1, S6.2)",
        "assessment": "{name}: total {total}, drug-free rate score {score}, {grade}",
        "accountability": "accountability (S6.3, S3.2.3)", "nobody": "nobody", "none": "none",
        "summary": "summary", "sum listed": "listed for key remediation (S4.R)",
        "sum revoked": "titles revoked (S3.2)", "sum late": "late reports (S5)",
        "sum accountable": "held accountable (S6.3, S3.2.3)",
        "sum late item": "{year} {what}: {days} late", "year": "{year} ({stage})",
        "sep": ", ", "colon": ": ", "day": "{n} day", "days": "{n} days", "paren": " ({x})",
    },
}  # fmt: skip


def width(text: str) -> int:
    """Columns a text takes in a terminal (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def group_cell(rate: GroupRate, w: dict[str, str]) -> str:
    """`66.67% ≥65% met`: the rate, the target and whether it is met, as the policy says."""
    if rate.target is None:
        return f"{percent(rate.rate)} {w['no target']}"
    mark = w["meets"] if rate.meets else w["short"]
    return f"{percent(rate.rate)} ≥{percent(rate.target)} {mark}"


def group_table(years: Sequence[Year], w: dict[str, str]) -> list[str]:
    """The five target groups by year: units meeting / units, rate, target, met or short."""
    if not years:
        return []
    groups = [(r.group, r.label) for r in years[0].rates]
    head = [w["group"], *(str(y.year) for y in years)]
    rows = []
    for group, label in groups:
        cells = [label]
        for y in years:
            rate = next(r for r in y.rates if r.group == group)
            cells.append(f"{rate.drug_free}/{rate.units} {group_cell(rate, w)}")
        rows.append(cells)
    widths = [max(width(row[i]) for row in [head, *rows]) for i in range(len(head))]
    return ["  ".join(pad(c, widths[i]) for i, c in enumerate(row)).rstrip()
            for row in [head, *rows]]  # fmt: skip


def days(n: int | None, w: dict[str, str]) -> str:
    return w["day" if n == 1 else "days"].format(n=n)


def why_revoked(revoked: Revoked, w: dict[str, str]) -> str:
    if revoked.failed_spot_check:
        return w["why spot"].format(authority=revoked.accountable_authority)
    standards = w["sep"].join(clause for clause, _ in revoked.failed_standards)
    return w["why standards"].format(standards=standards)


class Printer:
    """Prints findings with their clause; the rule and line with `--sources`, the explanation
    with `--explain`."""

    def __init__(self, lang: str, sources: bool, explain: bool, mode: str) -> None:
        self.w = WORDS[lang]
        self.lang = lang
        self.sources = sources or explain
        self.explain = explain
        self.mode = mode

    def line(self, text: str, finding: Finding | None = None, indent: int = 1) -> None:
        where = ""
        if finding is not None:
            ref = finding.ref
            where = f"  [{ref.rule} @ {ref.where}]" if self.sources else ""
        print("  " * indent + text + where)
        if self.explain and finding is not None:
            explanation = finding.result.explain(finding.ref.rule, mode=self.mode, lang=self.lang)
            for row in explanation.splitlines():
                print("  " * (indent + 2) + "│ " + row.replace(str(REPO) + "/", ""))


def print_year(y: Year, out: Printer) -> None:
    w = out.w
    print("\n== " + w["year"].format(year=y.year, stage=y.stage or "—") + " ==")
    print(w["district"] + (":" if out.lang == "en" else "："))
    for rate in y.rates:
        out.line(f"{rate.label} {rate.drug_free}/{rate.units} {group_cell(rate, w)}")
    verdict = (w["district meets"] if y.meets_targets
               else w["district short"].format(groups=w["sep"].join(y.groups_short)))  # fmt: skip
    out.line(verdict, y.district)

    print(w["towns"] + (":" if out.lang == "en" else "："))
    for town in y.towns:
        rates = w["sep"].join(
            f"{r.label} {r.drug_free}/{r.units}" + ("" if r.meets is not False else f" < {percent(r.target)}")
            for r in town.rates
        )  # fmt: skip
        status = w["meets"] if town.meets else w["short"]
        out.line(f"{town.name} {status}{w['colon']}{rates}", town.finding)
        if town.listed:
            out.line(w["listed"].format(name=town.name, by=w["sep"].join(town.listed_by)),
                     town.listing, indent=2)  # fmt: skip
        elif town.meets is False:
            out.line(w["not listed"].format(name=town.name), town.listing, indent=2)

    print(w["draws"] + (":" if out.lang == "en" else "："))
    for draw in y.draws:
        sample = w["sep"].join(name + w["paren"].format(x=uid)
                               for uid, name in draw.sample) or "—"  # fmt: skip
        agreement = (w["as recorded"] if draw.as_recorded
                     else w["but recorded"].format(recorded=", ".join(draw.recorded)))  # fmt: skip
        text = w["draw"].format(authority=draw.authority, seed=draw.seed, size=draw.size,
                                candidates=draw.candidates, sample=sample)  # fmt: skip
        out.line(text + w["paren"].format(x=agreement), draw.finding)

    print(w["titles"] + (":" if out.lang == "en" else "："))
    out.line(w["held"].format(held=y.titles_held, eligible=y.titles_eligible))
    for revoked in y.revoked:
        name = revoked.name + w["paren"].format(x=revoked.id)
        out.line(w["revoked"].format(name=name, why=why_revoked(revoked, w)), revoked.finding)
    if y.title_mismatches:
        out.line(w["mismatch"].format(ids=", ".join(y.title_mismatches)))

    print(w["reports"] + (":" if out.lang == "en" else "："))
    for report in y.reports:
        what = f"{report.reporter} {w['quarter'].format(q=report.quarter)}"
        if report.days_late is None:
            out.line(w["not received"].format(what=what, due=report.due), report.finding)
        elif report.days_late > 0:
            out.line(w["late"].format(what=what, due=report.due, submitted=report.submitted,
                                      days=days(report.days_late, w)), report.finding)  # fmt: skip
        elif report.on_due_day:
            out.line(w["due day"].format(what=what, submitted=report.submitted), report.finding)
        if report.missing:
            out.line(w["incomplete"].format(what=what, missing=w["sep"].join(report.missing)),
                     report.completeness)  # fmt: skip
    if not (y.late or y.not_received or y.incomplete):
        out.line(w["all reports"].format(n=y.report_count))

    print(w["assessments"] + (":" if out.lang == "en" else "："))
    for a in y.assessments:
        total = (
            "—" if a.total is None else f"{Decimal(a.total.numerator) / a.total.denominator:.2f}"
        )
        score = "—" if a.rate_score is None else decimal_text(a.rate_score)
        out.line(w["assessment"].format(name=a.name, total=total, score=score,
                                        grade=a.grade or "—"), a.finding)  # fmt: skip

    print(w["accountability"] + (":" if out.lang == "en" else "："))
    for person in y.accountable:
        out.line(person.name + w["paren"].format(x=person.id) + w["colon"].rstrip(), person.finding)
        for reason in person.reasons:
            out.line("- " + reason, indent=2)
    if not y.accountable:
        out.line(w["nobody"])


def print_text(years: Sequence[Year], facts: str, out: Printer) -> None:
    w = out.w
    print(f"{w['title']}\n{w['facts']}{w['colon']}{facts}")
    print(f"\n== {w['groups']} ==")
    for row in group_table(years, w):
        print("  " + row)
    for y in years:
        print_year(y, out)
    print(f"\n== {w['summary']} ==")
    sections = (
        ("sum listed", [f"{y.year} {t.name}" for y in years for t in y.listed]),
        ("sum revoked", [
            f"{y.year} {r.name}{w['paren'].format(x=r.id)}{w['colon']}{why_revoked(r, w)}"
            for y in years for r in y.revoked
        ]),
        ("sum late", [
            w["sum late item"].format(year=y.year, days=days(r.days_late, w),
                                      what=f"{r.reporter} {w['quarter'].format(q=r.quarter)}")
            for y in years for r in y.late
        ]),
        ("sum accountable", [
            f"{y.year} {p.name}{w['colon']}{reason.split(':')[0]}" for y in years for p in y.accountable
            for reason in p.reasons
        ]),
    )  # fmt: skip
    for key, items in sections:
        print(w[key] + w["colon"].rstrip() if out.lang == "en" else w[key] + "：")
        for item in items or [w["none"]]:
            print(f"  {item}")


def read_facts(path: Path, policies: dict[str, wuxin_rules.Policy]) -> dict[str, object]:
    """The district's facts from district.json or the office's workbook."""
    if path.suffix.lower() == ".xlsx":
        return read_workbook(path, policies)
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    return data


def main(argv: list[str] | None = None) -> int:
    """Run the scheme over the district's facts; 0 on success, 1 on bad facts or policies."""
    parser = argparse.ArgumentParser(
        description="Run the drug-free creation scheme (policies/drug_free/) over the synthetic "
        "district of examples/district/, year by year.",
    )
    parser.add_argument("facts", nargs="?", type=Path, default=None,
                        help="district.json or district.xlsx (default: district.json beside this script)")  # fmt: skip
    parser.add_argument("--facts", dest="facts_option", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--format", choices=("text", "html", "xlsx"), default="text",
                        help="text on the terminal (default), an A4 HTML report, or the findings as a workbook")  # fmt: skip
    parser.add_argument("-o", "--output", type=Path, help="where to write html or xlsx (text: standard output)")  # fmt: skip
    parser.add_argument("--lang", choices=("zh", "en"), default=None,
                        help="language of the fixed words (default: en for text, zh for html and xlsx)")  # fmt: skip
    parser.add_argument("--year", type=int, action="append", metavar="YEAR",
                        help="only this year (repeatable; default: 2015–2020)")  # fmt: skip
    parser.add_argument("--sources", action="store_true",
                        help="end each finding with the rule and policy line that decided it")  # fmt: skip
    parser.add_argument("--explain", action="store_true", help="print each finding's explanation")
    parser.add_argument("--mode", choices=("decisive", "failed", "full"), default="decisive",
                        help="which parts of each explanation to print (default: decisive)")  # fmt: skip
    args = parser.parse_args(argv)
    facts = args.facts or args.facts_option or HERE / "district.json"
    lang = args.lang or ("en" if args.format == "text" else "zh")
    if args.format != "text" and args.output is None:
        parser.error(f"--format {args.format} needs -o FILE")
    try:
        policies = load_policies()
        data = read_facts(facts, policies)
        years = collect(data, policies, args.year)
    except wuxin_rules.WuxinError as error:
        print(error, file=sys.stderr)
        return 1
    except (OSError, json.JSONDecodeError) as error:
        print(f"error: cannot read the facts: {error}", file=sys.stderr)
        return 1
    except WorkbookError as error:  # every bad cell of the workbook at once
        print(error, file=sys.stderr)
        return 1
    shown = str(facts.resolve()).replace(str(REPO) + "/", "")
    if args.format == "text":
        print_text(years, shown, Printer(lang, args.sources, args.explain, args.mode))
        return 0
    import report

    if args.format == "html":
        args.output.write_text(report.html(years, policies, shown, lang), encoding="utf-8")
    else:
        report.write_findings(years, args.output, lang)
    print(f"{args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
