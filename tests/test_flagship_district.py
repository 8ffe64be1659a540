"""The district example (`examples/district/`): the generator reproduces its checked-in facts
byte for byte, and the one documented command runs the whole scheme over them and prints the
story the facts tell, each finding traced to the rule (and policy line) that decided it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from flagship_kit import DRUG_FREE, ROOT

EXAMPLE = ROOT / "examples" / "district"
TARGETS = {  # RULES.md S4, as the command prints them
    2015: ("20%", "50%", "100%", "100%", "50%"),
    2016: ("35%", "65%", "100%", "100%", "70%"),
    2017: ("50%", "80%", "100%", "100%", "90%"),
    2018: ("65%", "90%", "100%", "100%", "95%"),
    2019: ("80%", "95%", "100%", "100%", "100%"),
    2020: ("90%", "100%", "100%", "100%", "100%"),
}
GROUPS = (
    "无毒镇(街道、园区)",
    "无毒村(社区)",
    "无毒机关单位",
    "无毒学校",
    "无毒企业、场所",
)  # the policy's labels


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """`python examples/district/run.py ARGS` from the repository root."""
    return subprocess.run(
        [sys.executable, str(EXAMPLE / "run.py"), *args],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def output() -> str:
    """The output of the documented command, every year, each finding with its rule and line."""
    done = run("--sources")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def test_without_sources_no_line_ends_with_a_policy_path_or_identifier() -> None:
    """An official reads clauses and the policy's labels, not paths or identifiers."""
    done = run()
    assert done.returncode == 0, done.stderr
    assert "@ policies/" not in done.stdout
    for identifier in (
        "village_level",
        "town_level",
        "enterprise_level",
        "district_commission",
        "city_commission",
        "qualified",
        "outside_leads",
    ):
        assert identifier not in done.stdout.replace("_commission-公开抽签", ""), identifier


def cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's cell values, row by row."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    finally:
        book.close()


def line_of(policy: str, declaration: str) -> int:
    """The line of `declaration` (e.g. `criterion title_revoked`) in a flagship policy."""
    for number, text in enumerate((DRUG_FREE / policy).read_text(encoding="utf-8").splitlines(), 1):
        if text.startswith(declaration + " ") or text.startswith(declaration + "("):
            return number
    raise AssertionError(f"{declaration} not in {policy}")


def test_generator_reproduces_the_checked_in_facts(tmp_path: Path) -> None:
    """`generate.py` is deterministic: it writes exactly the bytes of `district.json`, and the
    office's workbook `district.xlsx` with the same cells in every sheet (the bytes too, its
    times being fixed, as long as openpyxl writes the same XML)."""
    target, book = tmp_path / "district.json", tmp_path / "district.xlsx"
    done = subprocess.run(
        [sys.executable, str(EXAMPLE / "generate.py"), "-o", str(target), "--workbook", str(book)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == (EXAMPLE / "district.json").read_bytes()
    assert cells(book) == cells(EXAMPLE / "district.xlsx")


def test_the_district_is_the_size_the_example_promises() -> None:
    """Six towns, streets and parks, about a hundred villages and communities, every kind of
    unit, and facts for each year 2015–2020."""
    import json

    data = json.loads((EXAMPLE / "district.json").read_text(encoding="utf-8"))
    assert [y["year"] for y in data["years"]] == list(range(2015, 2021))
    first = data["years"][0]
    kinds = {t["kind"] for t in first["towns"]} | {
        u["kind"] for t in first["towns"] for u in t["units"]
    }
    assert kinds == {"park", "town", "street", "village", "community", "agency", "school",
                     "enterprise", "venue"}  # fmt: skip
    villages = [
        u for t in first["towns"] for u in t["units"] if u["kind"] in ("village", "community")
    ]
    assert 90 <= len(villages) <= 110
    assert len(first["towns"]) == 6


def test_every_year_prints_each_group_against_its_target(output: str) -> None:
    """For every year, the district's rate of each group and the year's target, and first of
    all the same as one table of the groups by year."""
    for year, targets in TARGETS.items():
        section = output.split(f"== {year} (")[1].split("\n== ")[0]
        for group, target in zip(GROUPS, targets, strict=True):
            assert re.search(rf"^  {re.escape(group)} \d+/\d+ [\d.]+% ≥{target} (met|SHORT)$",
                             section, re.M), (year, group)  # fmt: skip
    table = output.split("== drug-free rate of each target group (S4) ==\n")[1].split("\n\n")[0]
    rows = table.splitlines()
    assert rows[0].split() == ["group", *map(str, TARGETS)]
    for row, group in zip(rows[1:], GROUPS, strict=True):
        assert row.strip().startswith(group)
        assert [cell for cell in row.split() if cell.startswith("≥")] == [
            f"≥{targets[GROUPS.index(group)]}" for targets in TARGETS.values()
        ]


def test_the_district_misses_the_school_target_in_2016(output: str) -> None:
    """北岗镇's school that is not drug-free makes the district 9 of 10 schools in 2016."""
    assert "  无毒学校 9/10 90% ≥100% SHORT\n" in output
    assert (
        f"the district is short in 无毒学校  [meets_targets @ policies/drug_free/district.policy:{line_of('district.policy', 'rule meets_targets')}]"
        in output
    )


def test_a_town_short_in_2016_is_not_listed_and_in_2017_is(output: str) -> None:
    """S4.R: 南沙镇 misses its village target in both years; only 2017 lists it."""
    line = line_of("town.policy", "criterion remediation_listed")
    assert (
        f"short, not listed this year: 南沙镇  [remediation_listed @ policies/drug_free/town.policy:{line}]"
        in output
    )
    assert (
        f"LISTED for key remediation: 南沙镇 (by 市禁毒委, 区禁毒委)  [remediation_listed @ policies/drug_free/town.policy:{line}]"
        in output
    )
    summary = output.split("== summary ==")[1]
    assert "listed for key remediation (S4.R):\n  2017 南沙镇\ntitles revoked" in summary


def test_a_spot_check_revokes_a_title_and_the_evaluator_is_accountable(output: str) -> None:
    """2018: the district commission's draw finds a village failing; its title goes and the
    district commission is held accountable (倒查问责), the village for falsification."""
    line = line_of("titles.policy", "criterion title_revoked")
    assert (
        "REVOKED 石新村 (zk-bg-v09): failed spot check, evaluator accountable: 区禁毒委"
        f"  [title_revoked @ policies/drug_free/titles.policy:{line}]"
    ) in output
    assert (
        'S3.2.3 抽查不合格:取消其"无毒单位"称号,同时对施评单位(区禁毒委)主要领导和责任人进行倒查问责'
        in output
    )
    assert '2018 石新村: S6.3 在"无毒创建"工作中敷衍了事、弄虚作假' in output


def test_the_draws_agree_with_the_recorded_findings(output: str) -> None:
    """Each year's draws by the policy are the units the facts record as checked, and each
    title the policy leaves a unit with is the title the next year's facts say it holds."""
    assert output.count("(as recorded)") == 12
    assert "BUT the facts record" not in output
    assert "NOTE:" not in output


def test_the_negative_average_relapse_is_caught(output: str) -> None:
    """2018: 龙和村's count fell 1% against the province's 1.2%; the abs() reading fails it."""
    assert "2018 龙和村 (zk-dh-v01): failed re-evaluation: S2.3" in output


def test_late_and_incomplete_reports(output: str) -> None:
    """S5: three days late, one day late, on the due day itself (on time), one indicator left out."""
    line = line_of("reporting.policy", "rule days_late")
    assert (
        "LATE 西岭街道禁毒委 Q3: due 2017-09-25, submitted 2017-09-28, 3 days late"
        f"  [days_late @ policies/drug_free/reporting.policy:{line}]"
    ) in output
    assert "LATE 高新科技园禁毒委 Q1: due 2019-03-25, submitted 2019-03-26, 1 day late" in output
    assert "on the due day 中和镇禁毒委 Q4: 2016-12-25, on time" in output
    assert "INCOMPLETE 区公安分局 Q2: missing 外地线索指向" in output
    summary = output.split("late reports (S5):\n")[1].split("held accountable")[0]
    assert summary.splitlines() == [
        "  2017 西岭街道禁毒委 Q3: 3 days late", "  2019 高新科技园禁毒委 Q1: 1 day late",
    ]  # fmt: skip


def test_assessments_are_graded(output: str) -> None:
    """Every town gets a grade each year; 南沙镇's 达标率 score drops to 75% in its bad years."""
    assert (
        len(re.findall(r"total \d+\.\d\d, drug-free rate score [\d.]+, (优秀|合格|不合格)", output))
        == 36
    )
    assert "南沙镇: total 72.42, drug-free rate score 75, 合格" in output


def test_explain_prints_the_explanation_of_each_finding() -> None:
    """`--explain --year 2017` adds the explanation tree under each finding."""
    done = run("--year", "2017", "--explain")
    assert done.returncode == 0, done.stderr
    assert "== 2016" not in done.stdout and "== 2017 (全面深化) ==" in done.stdout
    listing = done.stdout.split("LISTED for key remediation")[1]
    assert '│ remediation_listed "由市、区禁毒委挂牌,实行重点整治" = true' in listing
    assert "│   ✓ listing_year" in listing
    assert "policies/drug_free/town.policy:" in listing


def test_bad_facts_path_is_a_clear_error(tmp_path: Path) -> None:
    """A missing facts file is reported in one line, exit 1, no traceback."""
    done = run("--facts", str(tmp_path / "missing.json"))
    assert done.returncode == 1
    assert "cannot read the facts" in done.stderr and "Traceback" not in done.stderr
