"""The district example's spreadsheet and report (`examples/district/`): the office's workbook
holds the same facts as district.json under the policies' labels; bad cells are named the way a
spreadsheet user finds them; the terminal summary in Chinese starts with the group × year
table; the HTML report is self-contained, Chinese, with one chart per target group whose text
is text, each finding footnoted with its clause and policy line; and it renders in headless
Chromium with its charts."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from flagship_kit import DRUG_FREE, ROOT

EXAMPLE = ROOT / "examples" / "district"
BOOK = EXAMPLE / "district.xlsx"
GROUP_LABELS = ("无毒镇(街道、园区)", "无毒村(社区)", "无毒机关单位", "无毒学校", "无毒企业、场所")


@pytest.fixture(scope="module")
def example() -> Iterator[dict[str, ModuleType]]:
    """The example's own modules, imported as run.py imports them (from its folder)."""
    sys.path.insert(0, str(EXAMPLE))
    try:
        yield {name: importlib.import_module(name) for name in ("scheme", "workbook", "findings")}
    finally:
        sys.path.remove(str(EXAMPLE))


@pytest.fixture(scope="module")
def policies(example: dict[str, ModuleType]) -> Any:
    return example["scheme"].load_policies()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """`python examples/district/run.py ARGS` from the repository root."""
    return subprocess.run(
        [sys.executable, str(EXAMPLE / "run.py"), *args],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documented command: the report from the office's workbook."""
    target = tmp_path_factory.mktemp("report") / "report.html"
    done = run(str(BOOK), "--format", "html", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return target


# ------------------------------------------------------------------------------------------
# The workbook


def test_the_workbook_reads_back_to_the_facts_of_district_json(
    example: dict[str, ModuleType], policies: Any
) -> None:
    """Every year's towns, units, titles, draws, reports, scores and incidents, value for value
    (decimals exactly: 0.020 in the JSON is the cell 0.02, the same number)."""
    read = example["workbook"].read_workbook(BOOK, policies)
    facts = json.loads((EXAMPLE / "district.json").read_text(encoding="utf-8"),
                       parse_float=Decimal)  # fmt: skip
    assert [y["year"] for y in read["years"]] == list(range(2015, 2021))
    for mine, theirs in zip(read["years"], facts["years"], strict=True):
        for key in theirs:
            assert mine[key] == theirs[key], (theirs["year"], key)
    assert read["years"] == facts["years"]
    rates = [u["addict_growth_rate"] for y in read["years"] for t in y["towns"] for u in t["units"]]
    assert all(isinstance(r, Decimal) for r in rates)


def test_headers_are_the_policies_labels_and_enums_their_members_labels(
    example: dict[str, ModuleType], policies: Any
) -> None:
    """The unit sheet's columns are the Unit record's labels (taken from the checked policy),
    kinds are written 村/社区/…, yes/no as 是/否."""
    import openpyxl

    town = next(i.type for i in policies["town"].checked.inputs if i.name == "town")
    unit = town.field("units").type.element
    labels = [f.label for f in unit.fields if f.name != "responsibility"]
    labels += [f.label for f in unit.field("responsibility").type.fields]
    book = openpyxl.load_workbook(BOOK, read_only=True)
    try:
        assert book.sheetnames == ["单位", "季度报告", "考核评分", "抽签", "抽查结果", "督导问责"]
        rows = list(book["单位"].iter_rows(values_only=True))
    finally:
        book.close()
    headers = rows[0]
    assert headers[:5] == ("单位编号", "单位名称", "单位类型", "所属镇街", "评定年度")
    assert set(labels) <= set(headers)
    assert headers[-1] == '年初持有"无毒单位"称号'
    kinds = {row[2] for row in rows[1:]}
    assert kinds == {"园区", "镇", "街道", "村", "社区", "机关单位", "学校", "企业", "场所"}
    assert {row[headers.index("队伍机构健全")] for row in rows[1:]} <= {"是", "否"}
    # A village row names its town; a town's own row names itself.
    village = next(r for r in rows[1:] if r[2] == "村")
    assert village[3] in {r[1] for r in rows[1:] if r[2] in ("镇", "街道", "园区")}


def test_bad_cells_are_named_by_sheet_cell_and_label_all_at_once(tmp_path: Path) -> None:
    """Two bad cells and a missing column: one error line each, exit 1, no traceback."""
    import openpyxl

    book = openpyxl.load_workbook(BOOK)
    units = book["单位"]
    headers = [c.value for c in units[1]]
    labs = headers.index("制毒窝点数") + 1
    units.cell(row=7, column=labs, value="一")
    units.cell(row=9, column=headers.index("单位类型") + 1, value="乡")
    scores = book["考核评分"]
    scores.delete_cols([c.value for c in scores[1]].index("打击整治") + 1)
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    done = run(str(bad))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    letter = openpyxl.utils.get_column_letter(labs)
    assert (
        f"error: bad.xlsx: 单位!{letter}7 (制毒窝点数): expected a whole number, found '一'"
        in done.stderr
    )
    assert "error: bad.xlsx: 考核评分!1: no column '打击整治'" in done.stderr
    done = run(str(tmp_path / "missing.xlsx"))
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_the_same_findings_from_the_workbook_and_from_the_json() -> None:
    """The terminal output does not depend on which of the two the facts come from."""
    from_json, from_book = run("--lang", "zh"), run(str(BOOK), "--lang", "zh")
    assert from_json.returncode == from_book.returncode == 0, from_book.stderr
    body = [line for line in from_json.stdout.splitlines() if not line.startswith("数据")]
    assert body == [line for line in from_book.stdout.splitlines() if not line.startswith("数据")]


# ------------------------------------------------------------------------------------------
# The terminal summary


def test_the_chinese_summary_starts_with_the_group_by_year_table() -> None:
    done = run("--lang", "zh")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "无毒创建 2015—2020 年度情况"
    assert lines[3] == "== 各分组无毒单位达标率（S4） =="
    assert lines[4].split() == ["分组", "2015", "2016", "2017", "2018", "2019", "2020"]
    assert [line.split()[0] for line in lines[5:10]] == list(GROUP_LABELS)
    assert lines[10] == "" and lines[11].startswith("== 2015 年（全面启动）")
    school = lines[8].split()
    assert school[1:5] == ["10/10", "100%", "≥100%", "达标"]
    assert school[5:9] == ["9/10", "90%", "≥100%", "未达标"]
    assert "取消称号：石新村（zk-bg-v09）：抽查不合格，倒查问责 区禁毒委" in done.stdout
    assert "逾期 西岭街道禁毒委 第3季度：截止 2017-09-25，2017-09-28 报送，逾期 3 天" in done.stdout
    assert "报告不完整 区公安分局 第2季度：缺少 外地线索指向" in done.stdout


def test_the_english_text_shows_labels_not_identifiers() -> None:
    done = run("--year", "2018")
    assert done.returncode == 0, done.stderr
    assert "village_level" not in done.stdout and "无毒村(社区)" in done.stdout
    assert " 合格" in done.stdout and "qualified" not in done.stdout


# ------------------------------------------------------------------------------------------
# The HTML report


def test_the_report_is_self_contained_chinese_a4(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in text
    assert "size: A4" in text
    assert not re.search(r"""(src|href)=["'](https?:|//|file:)""", text)
    assert "<script" not in text and "<link" not in text


def test_each_year_has_the_table_of_the_five_groups(report: Path) -> None:
    """Rows of units meeting / units, rate, target, and met or short as a word (colour is a
    class; the word and ✓/✗ survive black-and-white printing)."""
    text = report.read_text(encoding="utf-8")
    tables = re.findall(r'<table class="rates" data-year="(\d+)">(.*?)</table>', text, re.S)
    assert [year for year, _ in tables] == [str(y) for y in range(2015, 2021)]
    for _, body in tables:
        assert re.findall(r"<tr data-group=\"\w+\"><td>([^<]+)</td>", body) == list(GROUP_LABELS)
    school_2016 = re.search(r'data-group="school">(.*?)</tr>', dict(tables)["2016"]).group(1)
    assert (
        '<td class="num">9/10</td><td class="num">90%</td><td class="num">100%</td>' in school_2016
    )
    assert '<td class="short">未达标</td>' in school_2016
    assert text.count('<td class="met">达标</td>') == 29
    assert '.short::before { content: "✗ "; }' in text


def test_one_chart_per_group_with_text_kept_as_text(report: Path) -> None:
    """matplotlib's SVG, inline, its words as <text> (svg.fonttype none), not glyph paths."""
    text = report.read_text(encoding="utf-8")
    charts = re.findall(r'<svg role="img" aria-label="([^"]+)" class="chart" .*?</svg>', text, re.S)
    assert charts == [f"{g}：2015—2020年达标率与目标" for g in GROUP_LABELS]
    for group in GROUP_LABELS:
        assert re.search(rf"<text [^>]*>{re.escape(group)}</text>", text), group
    assert re.search(r"<text [^>]*>2015</text>", text)
    assert 'id="DejaVuSans' not in text  # no embedded glyphs


def test_the_findings_are_listed_with_names_seeds_and_reasons(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert re.search(r"<td>2017</td><td>南沙镇<sup", text)  # listed for remediation
    assert "无毒村(社区) 14/20（70% &lt; 80%）" in text
    assert "<code>2018-district_commission-公开抽签</code>" in text
    assert "石新村、永永村、光山社区" in text  # the draw, by name
    assert "抽查不合格，对区禁毒委倒查问责" in text
    assert "复评未达标：S2.3 辖区内吸毒人员增幅低于全省平均水平50%" in text
    assert "<td>西岭街道禁毒委</td><td>第3季度</td><td>2017-09-25</td><td>2017-09-28</td>" in text
    assert re.search(r'<td class="num">3 天<sup', text)
    assert re.search(r'<td class="num">72\.42 合格<sup', text)  # 南沙镇 2017
    assert "S3.2.3 抽查不合格:取消其&quot;无毒单位&quot;称号" in text


def test_each_finding_links_to_its_clause_and_policy_line(report: Path) -> None:
    """A footnote per rule: the clauses, the label, the policy's own quotation of the source,
    the rule written out, and the file and line; the same text on hover."""
    text = report.read_text(encoding="utf-8")
    notes = dict(re.findall(r'<li id="fn-(\d+)">(.*?)</li>', text, re.S))
    marks = set(re.findall(r'<a href="#fn-(\d+)" title="[^"]+">', text))
    assert marks == set(notes)
    line = next(n for n, t in enumerate((DRUG_FREE / "town.policy").read_text(
        encoding="utf-8").splitlines(), 1) if t.startswith("criterion remediation_listed"))  # fmt: skip
    listing = next(body for body in notes.values() if "remediation_listed" in body)
    assert "<strong>S4.R</strong> 由市、区禁毒委挂牌,实行重点整治" in listing
    assert f"由 policies/drug_free/town.policy 第 {line} 行 remediation_listed 判定" in listing
    assert "全部成立 [is_town_level, listing_year, below_targets]" in listing
    revoked = next(body for body in notes.values() if "title_revoked" in body)
    assert "复评未达标的取消其称号; 抽查不合格的取消其&quot;无毒单位&quot;称号." in revoked
    assert re.search(r'title="S4\.R 由市、区禁毒委挂牌,实行重点整治 [^"]*town\.policy', text)


def test_findings_as_a_workbook(tmp_path: Path) -> None:
    import openpyxl

    target = tmp_path / "findings.xlsx"
    done = run(str(BOOK), "--format", "xlsx", "-o", str(target))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(target, read_only=True)
    try:
        assert book.sheetnames[0] == "各分组无毒单位达标率"
        rows = {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    finally:
        book.close()
    rates = rows["各分组无毒单位达标率"]
    assert len(rates) == 1 + 6 * 5
    assert rates[1 + 5 + 3][:8] == (2016, "无毒学校", 9, 10, "90%", "100%", "未达标", "S4")
    assert any(r[1] == "南沙镇" and r[0] == 2017 for r in rows["挂牌重点整治的园区、镇(街道)"][1:])


def test_html_needs_an_output_file() -> None:
    done = run("--format", "html")
    assert done.returncode == 2 and "needs -o FILE" in done.stderr


# ------------------------------------------------------------------------------------------
# In a browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")
def test_the_report_renders_in_headless_chromium_with_its_charts(
    report: Path, tmp_path: Path
) -> None:
    """Chromium parses the page with its five charts, and the first page's picture shows the
    charts' rate lines (their blue) and a short target's red."""
    assert CHROMIUM is not None
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", report.as_uri()],
                         capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count('class="chart"') == 5
    assert "无毒创建工作年度情况报告（2015—2020年）" in dom.stdout
    picture = tmp_path / "page.png"
    shot = subprocess.run([CHROMIUM, *flags, f"--screenshot={picture}", "--window-size=820,1160",
                           report.as_uri()], capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip
    assert shot.returncode == 0 and picture.exists(), shot.stderr[-2000:]
    from PIL import Image

    colours = Image.open(picture).convert("RGB").getcolors(maxcolors=1 << 24) or []
    blue = sum(
        n for n, (r, g, b) in colours if abs(r - 0x1F) < 40 and abs(g - 0x4E) < 40 and b > 120
    )
    red = sum(n for n, (r, g, b) in colours if r > 150 and g < 60 and b < 60)
    assert blue > 300, blue  # the rate lines of the charts on the first page
    assert red > 20, red  # 2016's school target, short
