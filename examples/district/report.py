"""The district's year at a glance: the findings as a printable A4 HTML report in Chinese (with
one chart per target group), and as a workbook for the office to file.

    html(years, policies, facts, lang) -> str        # self-contained: styles and charts inline
    write_findings(years, path, lang)                 # one sheet per kind of finding

The charts are drawn by matplotlib as SVG with their text kept as text, so that Chinese is set
in the reader's own fonts. Each finding is marked with a footnote: the clause it applies, with
the clause's wording as the policy records it (the rule's label and the interpretation written
beside it, taken from the policy's document, `wuxin doc`), and the policy line that decided it.
Needs matplotlib and openpyxl (`pip install 'wuxin_rules[report]'`).
"""

from __future__ import annotations

import html as markup
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from findings import Finding, GroupRate, Ref, Year, decimal_text, percent

import wuxin_rules
from wuxin_rules.document import Code, Group, Paragraph, build_document

WORDS = {
    "zh": {
        "title": "无毒创建工作年度情况报告（{first}—{last}年）", "source": "依据", "facts": "数据",
        "policies": "政策", "rates": "各分组无毒单位达标率", "charts": "各分组达标率与年度目标",
        "year": "年度", "stage": "阶段", "group": "创建目标分组", "count": "无毒单位数/单位数",
        "rate": "达标率", "target": "目标", "result": "是否达标", "met": "达标", "short": "未达标",
        "no target": "无目标", "district": "全区",
        "listed": "挂牌重点整治的园区、镇(街道)", "town": "园区、镇(街道)", "short groups": "未达标的分组",
        "by": "挂牌单位", "none": "无",
        "draws": "抽查抽签", "authority": "抽查单位", "seed": "抽签种子(事先公布)",
        "drawn": "抽取", "of": "{size} / {candidates}", "units drawn": "抽查对象",
        "recorded": "与抽查记录一致", "not recorded": "与抽查记录不一致：{ids}",
        "revoked": "取消“无毒单位”称号", "unit": "单位", "why": "原因",
        "spot failed": "抽查不合格，对{authority}倒查问责", "reeval failed": "复评未达标：",
        "reports": "逾期、未报送或不完整的毒情评估报告", "reporter": "报告单位", "quarter": "季度",
        "due": "截止日期", "submitted": "报送日期", "late": "逾期天数", "missing": "缺少的指标",
        "quarter n": "第{q}季度", "days": "{n} 天", "not received": "未报送",
        "assessment": "园区、镇(街道)工作考核总分与等级", "total": "总分", "grade": "等级",
        "accountability": "督导问责", "reasons": "问责事由",
        "notes": "条款与政策依据", "rule": "规则", "decided": "由 {file} 第 {line} 行 {rule} 判定",
        "generated": "本报告由 examples/district/run.py 根据政策计算生成；每项结论的依据见脚注，结论以政策文件为准。",
        "signoff": "审核人", "approved": "批准人", "date": "日期", "chart alt": "{group}：{first}—{last}年达标率与目标",
        "chart rate": "达标率", "chart target": "目标", "sep": "、",
    },
    "en": {
        "title": "Drug-free creation, the year at a glance ({first}–{last})", "source": "Source",
        "facts": "Facts", "policies": "Policies", "rates": "Drug-free rate of each target group",
        "charts": "Each group's rate against its target", "year": "Year", "stage": "Stage",
        "group": "Target group", "count": "Drug-free / units", "rate": "Rate", "target": "Target",
        "result": "Result", "met": "met", "short": "short", "no target": "no target",
        "district": "District", "listed": "Listed for key remediation", "town": "Park, town or street",
        "short groups": "Groups short", "by": "Listed by", "none": "none",
        "draws": "Spot-check draws", "authority": "Checking authority", "seed": "Published seed",
        "drawn": "Drawn", "of": "{size} of {candidates}", "units drawn": "Units drawn",
        "recorded": "as recorded", "not recorded": "the facts record {ids}",
        "revoked": "Titles revoked", "unit": "Unit", "why": "Why",
        "spot failed": "failed spot check; {authority} accountable", "reeval failed": "failed re-evaluation: ",
        "reports": "Late, missing or incomplete reports", "reporter": "Reporter", "quarter": "Quarter",
        "due": "Due", "submitted": "Submitted", "late": "Days late", "missing": "Missing indicators",
        "quarter n": "Q{q}", "days": "{n}", "not received": "not received",
        "assessment": "Assessment totals and grades", "total": "Total", "grade": "Grade",
        "accountability": "Accountability", "reasons": "Grounds",
        "notes": "Clauses and policy lines", "rule": "Rule", "decided": "decided by {rule}, {file}:{line}",
        "generated": "Computed by examples/district/run.py from the policies; each finding's basis is in its footnote, and the policy files are authoritative.",
        "signoff": "Reviewed by", "approved": "Approved by", "date": "Date", "chart alt": "{group}: rate against target, {first}–{last}",
        "chart rate": "rate", "chart target": "target", "sep": ", ",
    },
}  # fmt: skip


# ------------------------------------------------------------------------------------------
# Clause texts, from the policies' documents


@dataclass(frozen=True)
class Clause:
    """What a footnote says about the rule behind a finding."""

    ref: Ref
    rule_text: str  # the rule written out, as `wuxin doc` prints it
    notes: tuple[str, ...]  # the interpretations and quotations the policy writes beside it


def _text(inlines: Sequence[Any]) -> str:
    return "".join(segment.text for segment in inlines)


def _chinese(text: str) -> bool:
    """A note worth showing a Chinese reader: mostly in Chinese (a quotation of the source)."""
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    return han >= 4 and han * 3 >= len(re.sub(r"\s", "", text))


def clauses(policies: Mapping[str, wuxin_rules.Policy], refs: Sequence[Ref], lang: str) -> dict[Ref, Clause]:  # fmt: skip
    """The rule text and notes of each rule, from the document `wuxin doc` builds."""
    documents = {}
    out = {}
    for ref in refs:
        if ref.policy not in documents:
            documents[ref.policy] = build_document(policies[ref.policy].checked, lang)
        blocks = [b for b in documents[ref.policy].blocks
                  if isinstance(b, Group) and b.anchor == "d-" + ref.rule]  # fmt: skip
        rule_text, notes = "", []
        for block in blocks[0].blocks if blocks else ():
            if isinstance(block, Code):
                rule_text = "\n".join(_text(line) for line in block.lines)
            elif isinstance(block, Paragraph) and block.style != "meta":
                text = _text(block.inlines).strip()
                if text and (lang == "en" or _chinese(text)):
                    notes.append(text)
        out[ref] = Clause(ref, rule_text, tuple(notes))
    return out


class Notes:
    """Footnotes, one per rule, numbered in order of first use."""

    def __init__(self) -> None:
        self.order: list[Ref] = []

    def mark(self, finding: Finding, hover: Mapping[Ref, str]) -> str:
        ref = finding.ref
        if ref not in self.order:
            self.order.append(ref)
        n = self.order.index(ref) + 1
        title = markup.escape(hover.get(ref, ""), quote=True)
        return f'<sup class="fn"><a href="#fn-{n}" title="{title}">{n}</a></sup>'


# ------------------------------------------------------------------------------------------
# Charts


def chart(group: str, points: Sequence[tuple[int, GroupRate]], w: Mapping[str, str]) -> str:
    """One group's rate against its target, year by year, as inline SVG (text kept as text)."""
    import logging

    import matplotlib

    matplotlib.use("Agg")
    # The fonts are the reader's (text stays text): one missing here is no problem to report.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "svg.fonttype": "none", "svg.hashsalt": "district", "font.size": 8,
        "font.family": ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
                        "PingFang SC", "SimHei", "DejaVu Sans"],
    })  # fmt: skip
    years = [y for y, _ in points]
    rates = [float(r.rate * 100) for _, r in points]  # for drawing only: the table is exact
    targets = [None if r.target is None else float(r.target * 100) for _, r in points]
    figure, axes = plt.subplots(figsize=(3.3, 2.0))
    # The target on top of the rate, so that a rate on its target leaves both visible.
    axes.step(years, targets, where="mid", color="#555555", linestyle="--", linewidth=1,
              label=w["chart target"], zorder=3)  # fmt: skip
    axes.plot(years, rates, color="#1f4e9c", marker="o", markersize=3, linewidth=1.5,
              label=w["chart rate"])  # fmt: skip
    for (year, rate), value in zip(points, rates, strict=True):
        if rate.meets is False:
            axes.plot([year], [value], marker="x", color="#b00020", markersize=7, mew=1.5)
    axes.set_ylim(0, 105)
    axes.set_xticks(years)
    axes.set_yticks([0, 25, 50, 75, 100])
    axes.set_yticklabels(["0", "25%", "50%", "75%", "100%"])
    axes.set_title(group, fontsize=9)
    axes.grid(axis="y", color="#dddddd", linewidth=0.5)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="lower right", fontsize=7, frameon=False)
    figure.tight_layout(pad=0.3)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # inline: no XML declaration or doctype
    label = markup.escape(w["chart alt"].format(group=group, first=years[0], last=years[-1]))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="chart" ', 1)


# ------------------------------------------------------------------------------------------
# The HTML report

STYLE = """
@page { size: A4; margin: 14mm 13mm 16mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
       "SimHei", sans-serif; font-size: 9.5pt; line-height: 1.45; color: #111; margin: 0 auto;
       max-width: 184mm; }
h1 { font-size: 15pt; margin: 0 0 2mm; text-align: center; }
h2 { font-size: 11.5pt; border-bottom: 1.5px solid #333; padding-bottom: 1mm; margin: 6mm 0 2mm;
     break-after: avoid; }
h3 { font-size: 10pt; margin: 2mm 0 1mm; }
p.meta { text-align: center; margin: 0 0 3mm; color: #333; }
table { border-collapse: collapse; width: 100%; margin: 0 0 2mm; break-inside: avoid; }
th, td { border: 0.6pt solid #777; padding: 0.6mm 1.5mm; vertical-align: top; text-align: left; }
th { background: #eef1f6; font-weight: 600; }
td.nw, th, td.met, td.short { white-space: nowrap; }
code { font-size: 8pt; word-break: break-all; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.met { color: #0b6b2b; font-weight: 600; }
.short { color: #b00020; font-weight: 700; background: #fde8ea; }
.met::before { content: "✓ "; } .short::before { content: "✗ "; }
.years { display: grid; grid-template-columns: 1fr 1fr; gap: 1mm 4mm; }
.years table { font-size: 8.5pt; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 2mm 4mm; break-inside: avoid; }
svg.chart { width: 100%; height: auto; }
sup.fn { font-size: 7pt; margin-left: 0.5mm; }
sup.fn a { color: #1f4e9c; text-decoration: none; }
ol.notes { font-size: 8pt; padding-left: 6mm; }
ol.notes li { margin-bottom: 1.5mm; break-inside: avoid; }
pre { font-family: inherit; white-space: pre-wrap; margin: 0.5mm 0; color: #333; }
.signoff { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 8mm; margin-top: 10mm;
           break-inside: avoid; }
.signoff div { border-top: 0.6pt solid #333; padding-top: 1mm; }
footer { font-size: 8pt; color: #444; margin-top: 4mm; }
@media print { a { color: inherit; } .short { background: none; } }
"""


def _e(text: Any) -> str:
    return markup.escape(str(text))


def _result(rate: GroupRate, w: Mapping[str, str]) -> str:
    if rate.meets is None:
        return f"<td>{_e(w['no target'])}</td>"
    word, css = (w["met"], "met") if rate.meets else (w["short"], "short")
    return f'<td class="{css}">{_e(word)}</td>'


def _total(value: Fraction | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value.numerator) / Decimal(value.denominator):.2f}"


def html(years: Sequence[Year], policies: Mapping[str, wuxin_rules.Policy], facts: str,
         lang: str = "zh") -> str:  # fmt: skip
    """The report: a self-contained A4 HTML document."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise SystemExit(
            "error: the report's charts need matplotlib: pip install 'wuxin_rules[report]'"
        ) from None
    w = WORDS[lang]
    refs = []
    for y in years:
        refs += [y.district.ref, *(t.listing.ref for t in y.towns), *(d.finding.ref for d in y.draws),
                 *(r.finding.ref for r in y.revoked), *(r.finding.ref for r in y.reports),
                 *(r.completeness.ref for r in y.reports), *(a.finding.ref for a in y.assessments),
                 *(p.finding.ref for p in y.accountable)]  # fmt: skip
    texts = clauses(policies, list(dict.fromkeys(refs)), lang)
    hover = {ref: " ".join([f"{'、'.join(ref.cites)} {ref.label}", *c.notes,
                            w["decided"].format(file=ref.file, line=ref.line, rule=ref.rule)])
             for ref, c in texts.items()}  # fmt: skip
    notes = Notes()
    first, last = (years[0].year, years[-1].year) if years else ("", "")
    source = next(iter(policies.values())).checked.source or ""
    out = [f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n'
           f'<meta charset="utf-8">\n<title>{_e(w["title"].format(first=first, last=last))}</title>\n'
           f"<style>{STYLE}</style>\n</head>\n<body>\n"
           f'<h1>{_e(w["title"].format(first=first, last=last))}</h1>\n'
           f'<p class="meta">{_e(w["source"])}：{_e(source)} · {_e(w["facts"])}：{_e(facts)}</p>\n']  # fmt: skip

    # S4: the groups, year by year.
    out.append(f'<h2>{_e(w["rates"])}</h2>\n<div class="years">')
    for y in years:
        out.append(f'<table class="rates" data-year="{y.year}"><caption></caption>'
                   f'<tr><th colspan="5">{y.year} {_e(w["year"])} · {_e(y.stage or "—")}'
                   f'{notes.mark(y.district, hover)}</th></tr>'
                   f'<tr><th>{_e(w["group"])}</th><th>{_e(w["count"])}</th><th>{_e(w["rate"])}</th>'
                   f'<th>{_e(w["target"])}</th><th>{_e(w["result"])}</th></tr>')  # fmt: skip
        for rate in y.rates:
            target = "—" if rate.target is None else percent(rate.target)
            out.append(f'<tr data-group="{_e(rate.group)}"><td>{_e(rate.label)}</td>'
                       f'<td class="num">{rate.drug_free}/{rate.units}</td>'
                       f'<td class="num">{percent(rate.rate)}</td><td class="num">{target}</td>'
                       f"{_result(rate, w)}</tr>")  # fmt: skip
        out.append("</table>")
    out.append("</div>")

    # The charts: one per group over the years.
    out.append(f'<h2>{_e(w["charts"])}</h2>\n<div class="charts">')
    for group in years[0].rates if years else ():
        points = [(y.year, next(r for r in y.rates if r.group == group.group)) for y in years]
        out.append(f'<figure style="margin:0">{chart(group.label, points, w)}</figure>')
    out.append("</div>")

    # S4.R: the towns listed.
    out.append(f"<h2>{_e(w['listed'])}</h2>")
    listed = [(y, t) for y in years for t in y.listed]
    if listed:
        out.append(f"<table><tr><th>{_e(w['year'])}</th><th>{_e(w['town'])}</th>"
                   f"<th>{_e(w['short groups'])}</th><th>{_e(w['by'])}</th></tr>")  # fmt: skip
        for y, t in listed:
            short = w["sep"].join(f"{r.label} {r.drug_free}/{r.units}（{percent(r.rate)} &lt; {percent(r.target)}）"
                                  for r in t.rates if r.meets is False)  # fmt: skip
            out.append(f"<tr><td>{y.year}</td><td>{_e(t.name)}{notes.mark(t.listing, hover)}</td>"
                       f"<td>{short}</td><td>{_e(w['sep'].join(t.listed_by))}</td></tr>")  # fmt: skip
        out.append("</table>")
    else:
        out.append(f"<p>{_e(w['none'])}</p>")

    # S3.2.3: the draws, with unit names and the public seed.
    out.append(f"<h2>{_e(w['draws'])}</h2><table><tr><th>{_e(w['year'])}</th>"
               f"<th>{_e(w['authority'])}</th><th>{_e(w['seed'])}</th><th>{_e(w['drawn'])}</th>"
               f"<th>{_e(w['units drawn'])}</th></tr>")  # fmt: skip
    for y in years:
        for d in y.draws:
            names = w["sep"].join(name for _, name in d.sample) or "—"
            check = (
                ""
                if d.as_recorded
                else f"（{_e(w['not recorded'].format(ids=', '.join(d.recorded)))}）"
            )
            out.append(f"<tr><td>{y.year}</td><td class='nw'>{_e(d.authority)}</td><td><code>{_e(d.seed)}</code></td>"
                       f'<td class="num">{_e(w["of"].format(size=d.size, candidates=d.candidates))}</td>'
                       f"<td>{_e(names)}{check}{notes.mark(d.finding, hover)}</td></tr>")  # fmt: skip
    out.append("</table>")

    # S3.2: titles revoked.
    out.append(f"<h2>{_e(w['revoked'])}</h2>")
    revoked = [(y, r) for y in years for r in y.revoked]
    if revoked:
        out.append(
            f"<table><tr><th>{_e(w['year'])}</th><th>{_e(w['unit'])}</th><th>{_e(w['why'])}</th></tr>"
        )
        for y, r in revoked:
            if r.failed_spot_check:
                why = _e(w["spot failed"].format(authority=r.accountable_authority))
            else:
                why = _e(w["reeval failed"]) + "；".join(
                    f"{_e(c)} {_e(label)}" for c, label in r.failed_standards
                )
            out.append(f"<tr><td>{y.year}</td><td class='nw'>{_e(r.name)}</td>"
                       f"<td>{why}{notes.mark(r.finding, hover)}</td></tr>")  # fmt: skip
        out.append("</table>")
    else:
        out.append(f"<p>{_e(w['none'])}</p>")

    # S5: reports late, missing or incomplete.
    out.append(f"<h2>{_e(w['reports'])}</h2>")
    flagged = [
        (y, r)
        for y in years
        for r in y.reports
        if r.days_late is None or r.days_late > 0 or r.missing
    ]
    if flagged:
        out.append(f"<table><tr><th>{_e(w['year'])}</th><th>{_e(w['reporter'])}</th>"
                   f"<th>{_e(w['quarter'])}</th><th>{_e(w['due'])}</th><th>{_e(w['submitted'])}</th>"
                   f"<th>{_e(w['late'])}</th><th>{_e(w['missing'])}</th></tr>")  # fmt: skip
        for y, r in flagged:
            if r.days_late == 0:
                late_cell = '<td class="num">—</td>'
            else:
                late = (w["not received"] if r.days_late is None
                        else w["days"].format(n=r.days_late))  # fmt: skip
                late_cell = f'<td class="num">{_e(late)}{notes.mark(r.finding, hover)}</td>'
            missing = (f"{_e(w['sep'].join(r.missing))}{notes.mark(r.completeness, hover)}"
                       if r.missing else "—")  # fmt: skip
            out.append(f"<tr><td>{y.year}</td><td>{_e(r.reporter)}</td>"
                       f"<td>{_e(w['quarter n'].format(q=r.quarter))}</td><td>{_e(r.due)}</td>"
                       f"<td>{_e(r.submitted or '—')}</td>{late_cell}<td>{missing}</td></tr>")  # fmt: skip
        out.append("</table>")
    else:
        out.append(f"<p>{_e(w['none'])}</p>")

    # S3.1, S6.2: each town's total and grade, by year.
    out.append(f"<h2>{_e(w['assessment'])}</h2>")
    towns = list(dict.fromkeys((a.id, a.name) for y in years for a in y.assessments))
    out.append(f"<table><tr><th>{_e(w['town'])}</th>"
               + "".join(f"<th>{y.year}</th>" for y in years) + "</tr>")  # fmt: skip
    for tid, name in towns:
        cells = []
        for y in years:
            a = next((a for a in y.assessments if a.id == tid), None)
            cells.append("<td>—</td>" if a is None else
                         f'<td class="num">{_total(a.total)} {_e(a.grade or "—")}{notes.mark(a.finding, hover)}</td>')  # fmt: skip
        out.append(f"<tr><td>{_e(name)}</td>{''.join(cells)}</tr>")
    out.append("</table>")

    # S6.3, S3.2.3: accountability.
    out.append(f"<h2>{_e(w['accountability'])}</h2>")
    people = [(y, p) for y in years for p in y.accountable]
    if people:
        out.append(
            f"<table><tr><th>{_e(w['year'])}</th><th>{_e(w['unit'])}</th><th>{_e(w['reasons'])}</th></tr>"
        )
        for y, p in people:
            reasons = "<br>".join(_e(r) for r in p.reasons)
            out.append(f"<tr><td>{y.year}</td><td class='nw'>{_e(p.name)}{notes.mark(p.finding, hover)}</td>"
                       f"<td>{reasons}</td></tr>")  # fmt: skip
        out.append("</table>")
    else:
        out.append(f"<p>{_e(w['none'])}</p>")

    # The footnotes: each rule once, with its clause and line.
    out.append(f'<h2>{_e(w["notes"])}</h2>\n<ol class="notes">')
    for n, ref in enumerate(notes.order, 1):
        clause = texts[ref]
        body = [f"<strong>{_e('、'.join(ref.cites))}</strong> {_e(ref.label)}"]
        body += [f"<br>{_e(note)}" for note in clause.notes]
        if clause.rule_text:
            body.append(f"<pre>{_e(clause.rule_text)}</pre>")
        body.append(_e(w["decided"].format(file=ref.file, line=ref.line, rule=ref.rule)))
        out.append(f'<li id="fn-{n}">{"".join(body)}</li>')
    out.append("</ol>")
    out.append(f'<div class="signoff"><div>{_e(w["signoff"])}</div><div>{_e(w["approved"])}</div>'
               f'<div>{_e(w["date"])}</div></div>\n<footer>{_e(w["generated"])}</footer>\n'
               "</body>\n</html>\n")  # fmt: skip
    return "\n".join(out)


# ------------------------------------------------------------------------------------------
# The findings as a workbook


def write_findings(years: Sequence[Year], path: Path, lang: str = "zh") -> None:
    """One sheet per kind of finding, one row per finding, with its clause and policy line."""
    from workbook import _openpyxl

    openpyxl = _openpyxl()
    from openpyxl.styles import Font

    w = WORDS[lang]
    basis = "条款" if lang == "zh" else "Clauses"
    line = "政策依据" if lang == "zh" else "Policy line"

    def where(finding: Finding) -> list[str]:
        return [
            "、".join(finding.ref.cites),
            f"{finding.ref.file}:{finding.ref.line} {finding.ref.rule}",
        ]

    sheets: dict[str, tuple[list[str], list[list[Any]]]] = {
        w["rates"][:31]: ([w["year"], w["group"], w["count"].split("/")[0].strip(), "单位数" if lang == "zh" else "Units",
                           w["rate"], w["target"], w["result"], basis, line], [
            [y.year, r.label, r.drug_free, r.units, percent(r.rate),
             "" if r.target is None else percent(r.target),
             w["no target"] if r.meets is None else (w["met"] if r.meets else w["short"]), *where(y.district)]
            for y in years for r in y.rates]),
        w["listed"][:31]: ([w["year"], w["town"], w["by"], basis, line], [
            [y.year, t.name, w["sep"].join(t.listed_by), *where(t.listing)] for y in years for t in y.listed]),
        w["draws"][:31]: ([w["year"], w["authority"], w["seed"], w["drawn"], w["units drawn"], basis, line], [
            [y.year, d.authority, d.seed, d.size, w["sep"].join(n for _, n in d.sample), *where(d.finding)]
            for y in years for d in y.draws]),
        w["revoked"][:31]: ([w["year"], w["unit"], w["why"], basis, line], [
            [y.year, r.name, w["spot failed"].format(authority=r.accountable_authority) if r.failed_spot_check
             else w["reeval failed"] + "；".join(f"{c} {label}" for c, label in r.failed_standards),
             *where(r.finding)] for y in years for r in y.revoked]),
        w["reports"][:31]: ([w["year"], w["reporter"], w["quarter"], w["due"], w["submitted"], w["late"],
                             w["missing"], basis, line], [
            [y.year, r.reporter, r.quarter, r.due, r.submitted or "", r.days_late if r.days_late is not None
             else w["not received"], w["sep"].join(r.missing), *where(r.finding)]
            for y in years for r in y.reports if r.days_late is None or r.days_late > 0 or r.missing]),
        w["assessment"][:31]: ([w["year"], w["town"], w["total"], w["grade"], basis, line], [
            [y.year, a.name, _total(a.total), a.grade or "", *where(a.finding)]
            for y in years for a in y.assessments]),
        w["accountability"][:31]: ([w["year"], w["unit"], w["reasons"], basis, line], [
            [y.year, p.name, "\n".join(p.reasons), *where(p.finding)] for y in years for p in y.accountable]),
    }  # fmt: skip
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (headers, rows) in sheets.items():
        sheet = book.create_sheet(re.sub(r"[\\/*?:\[\]]", "", name)[:31])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
    book.save(path)


__all__ = ["clauses", "decimal_text", "html", "write_findings"]
