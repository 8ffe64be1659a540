"""The flagship scheme (`policies/drug_free/`) clause by clause, at the boundaries of each
clause of RULES.md: S4 (stages, targets, town and district compliance, S4.R remediation),
S3.2 (titles and spot checks), S5 (reports), S3.1 and S6.2 (assessment and grades) and S6.3
(accountability), plus what `wuxin check` proves about the schedule and the bands.

The expected values are written here from RULES.md; `test_flagship_oracle.py` compares the
policies with an independent reading on generated cases.
"""

from __future__ import annotations

import datetime
import random
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import wuxin_rules
from flagship_kit import (
    DRUG_FREE,
    GROUPS,
    KIND_GROUP,
    ROOT,
    module_texts,
    policy,
    probe,
    scores,
    titled,
    town,
    unit,
    units_of,
)
from wuxin_rules import checker

# RULES.md S4, the table of minimum shares, in percent.
TARGETS = {
    2015: (20, 50, 100, 100, 50),
    2016: (35, 65, 100, 100, 70),
    2017: (50, 80, 100, 100, 90),
    2018: (65, 90, 100, 100, 95),
    2019: (80, 95, 100, 100, 100),
    2020: (90, 100, 100, 100, 100),
}
# One kind per group, to build units of a group.
GROUP_KIND = {
    "town_level": "street",
    "village_level": "village",
    "agency": "agency",
    "school": "school",
    "enterprise_level": "enterprise",
}


def values(result: wuxin_rules.Result) -> dict[str, Any]:
    """Every verdict of a result, failed ones as their error code."""
    return {
        key: result[key] if result.verdict(key).ok else f"error[{result.verdict(key).error.code}]"
        for key in result
    }


# ------------------------------------------------------------------------------------------
# The contract: file names, inputs and rule names of issue 3


CONTRACT = {
    "town": ("town", {"rates", "meets_targets", "remediation_listed", "drug_free"}),
    "district": ("district", {"rates", "meets_targets"}),
    "titles": (
        "unit",
        {"awarding_authority", "eligible_for_title", "title_revoked", "title_after",
         "evaluator_accountable"},
    ),
    "spot_check": ("pool", {"sample"}),
    "reporting": ("report", {"due_date", "on_time", "days_late", "complete"}),
    "assessment": ("assessee", {"dimension_scores", "total_score", "grade"}),
    "accountability": ("unit", {"accountability_required", "accountability_reasons"}),
}  # fmt: skip


@pytest.mark.parametrize("module", sorted(CONTRACT))
def test_policy_has_the_contract_input_and_rules(module: str) -> None:
    """Each flagship policy file takes the input and defines the rules issue 3 names."""
    input_name, rules = CONTRACT[module]
    loaded = policy(module)
    assert list(loaded.inputs) == [input_name]
    assert rules <= set(loaded.rules)


def test_every_policy_cites_clauses_and_labels_its_rules() -> None:
    """Every rule the flagship policies evaluate has a Chinese label and cites a clause id."""
    for module in CONTRACT:
        checked = policy(module).checked
        for key in checked.order:
            rule = checked.rules[key]
            assert rule.label and any("\u4e00" <= ch <= "\u9fff" for ch in rule.label), key
            assert rule.cites and all(c.startswith("S") for c in rule.cites), key


# ------------------------------------------------------------------------------------------
# What `wuxin check` proves


def test_wuxin_check_is_clean_on_the_flagship() -> None:
    """`wuxin check policies/` reports no problem (so the schedule and bands proofs passed)."""
    done = subprocess.run(
        [sys.executable, "-m", "wuxin_rules", "check", str(ROOT / "policies")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("no problems")


def test_target_schedule_is_declared_and_proven_nondecreasing() -> None:
    """The checked `target` schedule carries its `monotone nondecreasing` claim and the
    table of RULES.md, which is nondecreasing per group."""
    schedule = policy("town").checked.schedules["drug_free.targets.target"]
    assert schedule.monotone == ("nondecreasing",)
    assert schedule.period_name == "year"
    assert [s.name for s in schedule.stages] == [
        "deployment", "launch", "deepening", "full_compliance",
    ]  # fmt: skip
    cells = {key: value for key, value in schedule.cells.items() if value is not None}
    assert cells == {
        (year, group): Fraction(percent, 100)
        for year, row in TARGETS.items()
        for group, percent in zip(GROUPS, row, strict=True)
    }


def _targets_with(old: str, new: str) -> str:
    text = module_texts()["drug_free.targets"]
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_check_names_the_cells_that_break_monotonicity() -> None:
    """With 2019's village target lowered below 2018's, the check fails naming both cells."""
    broken = _targets_with(
        "2019: town_level 80%, village_level 95%", "2019: town_level 80%, village_level 85%"
    )
    with pytest.raises(wuxin_rules.PolicyCheckError) as caught:
        probe("import drug_free.targets (target)\n", targets=broken)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "schedule-not-monotone"
    assert "`village_level`: 90% in 2018, then 85% in 2019" in diagnostic.message
    assert diagnostic.span.text == "village_level 85%"
    assert diagnostic.labels[0].span.text == "village_level 90%"


def test_check_refuses_a_gap_in_the_grade_bands() -> None:
    """Bands that leave 50 ..< 60 uncovered fail the check with `band-gap`, naming the gap."""
    text = re.sub(
        r"0 \.\.< qualified_from( +)unqualified",
        "0 ..< 50 unqualified",
        module_texts()["drug_free.assessment"],
    )
    with pytest.raises(wuxin_rules.PolicyCheckError) as caught:
        wuxin_rules.loads(text, name="assessment.policy", files=module_texts())
    codes = caught.value.codes
    assert codes == ("band-gap",)
    assert "`50 ..< 60`" in caught.value.diagnostics[0].message


def test_check_refuses_overlapping_grade_bands() -> None:
    """A `qualified` band running to 95 overlaps `excellent`: `band-overlap`."""
    text = module_texts()["drug_free.assessment"].replace(
        "qualified_from ..< excellent_from qualified", "qualified_from ..< 95             qualified"
    )
    with pytest.raises(wuxin_rules.PolicyCheckError) as caught:
        wuxin_rules.loads(text, name="assessment.policy", files=module_texts())
    assert caught.value.codes == ("band-overlap",)


def test_bands_are_proven_again_for_overridden_cut_offs() -> None:
    """Cut-offs overridden at load time are checked: qualified from 95 > excellent from 90
    is refused, 50/85 is accepted and proven."""
    with pytest.raises(wuxin_rules.ParamError) as caught:
        wuxin_rules.load(DRUG_FREE / "assessment.policy", params={"qualified_from": "95"})
    assert "empty-band" in caught.value.codes
    relaxed = wuxin_rules.load(
        DRUG_FREE / "assessment.policy", params={"qualified_from": "50", "excellent_from": "85"}
    )
    (bands,) = relaxed.checked.bands.values()
    assert checker.check_bands(bands, relaxed._param_values) == []


def _check_copy(
    tmp_path: Path, module: str, old: str, new: str
) -> subprocess.CompletedProcess[str]:
    """`wuxin check` on a copy of the flagship in which `module` has `old` replaced by `new`."""
    copy = tmp_path / "drug_free"
    shutil.copytree(DRUG_FREE, copy)
    path = copy / f"{module}.policy"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "wuxin_rules", "check", str(path)],
        capture_output=True, text=True, encoding="utf-8", check=False, cwd=tmp_path,
    )  # fmt: skip


def test_wuxin_check_output_names_a_broken_monotone_cell(tmp_path: Path) -> None:
    """The command line reports the cell that breaks `monotone nondecreasing`, located, and
    exits 1."""
    done = _check_copy(tmp_path, "targets", "enterprise_level 95%", "enterprise_level 85%")
    assert done.returncode == 1
    line = next(n for n, text in enumerate(
        (DRUG_FREE / "targets.policy").read_text(encoding="utf-8").splitlines(), 1
    ) if text.startswith("    2018:"))  # fmt: skip
    assert f"targets.policy:{line}:" in done.stdout + done.stderr
    assert "error[schedule-not-monotone]" in done.stdout + done.stderr
    assert "`enterprise_level`: 90% in 2017, then 85% in 2018" in done.stdout + done.stderr


def test_wuxin_check_output_names_a_gap_in_the_bands(tmp_path: Path) -> None:
    """The command line reports the uncovered totals of the grade bands and exits 1."""
    done = _check_copy(
        tmp_path, "assessment", "qualified_from ..< excellent_from qualified",
        "qualified_from ..< 80             qualified",
    )  # fmt: skip
    assert done.returncode == 1
    assert "error[band-gap]" in done.stdout + done.stderr
    assert "`80 ..< 90`" in done.stdout + done.stderr


def test_default_bands_cover_0_to_100_exactly_once() -> None:
    """The check's proof for the default cut-offs: no problem; and every half point of 0–100
    falls in exactly one band (checked directly against the band definitions)."""
    checked = policy("assessment").checked
    (bands,) = checked.bands.values()
    defaults = {key: p.default for key, p in checked.params.items()}
    assert checker.check_bands(bands, defaults) == []
    bounds = {b.name: (defaults.get(getattr(b.low, "key", None), getattr(b.low, "value", None)),
                       defaults.get(getattr(b.high, "key", None), getattr(b.high, "value", None)),
                       b.high_inclusive) for b in bands.bands}  # fmt: skip
    for n in range(201):
        x = Fraction(n, 2)
        holding = [
            name for name, (low, high, inclusive) in bounds.items()
            if low <= x and (x <= high if inclusive else x < high)
        ]  # fmt: skip
        assert len(holding) == 1, (x, holding)


# ------------------------------------------------------------------------------------------
# S4: stages and targets

TARGET_PROBE = """
import drug_free.targets (target, stage_on, stage_of_year, has_targets, mobilisation_on_time)
record Probe "探针"
  : year : int 1 .. 9999 "年度"
    day  : date          "日期"
input probe: Probe "探针"
rule town_level_target -> percent?: target(probe.year, town_level)
rule village_level_target -> percent?: target(probe.year, village_level)
rule agency_target -> percent?: target(probe.year, agency)
rule school_target -> percent?: target(probe.year, school)
rule enterprise_level_target -> percent?: target(probe.year, enterprise_level)
rule stage_by_day: stage_on(probe.day)
rule stage_by_year: stage_of_year(probe.year)
criterion year_has_targets: has_targets(probe.year)
criterion mobilised_in_time: mobilisation_on_time(probe.day)
"""


@pytest.fixture(scope="module")
def targets_probe() -> wuxin_rules.Policy:
    """A probe policy calling the functions of `drug_free.targets`."""
    return probe(TARGET_PROBE)


def _probe(p: wuxin_rules.Policy, year: int, day: str = "2017-06-30") -> dict[str, Any]:
    return values(p.evaluate({"probe": {"year": year, "day": day}}))


@pytest.mark.parametrize("year", sorted(TARGETS))
def test_target_of_every_year_and_group(targets_probe: wuxin_rules.Policy, year: int) -> None:
    """`target(year, group)` is exactly the share RULES.md prints for 2015–2020."""
    got = _probe(targets_probe, year)
    for group, percent in zip(GROUPS, TARGETS[year], strict=True):
        assert got[f"{group}_target"] == Fraction(percent, 100)
    assert got["year_has_targets"] is True


@pytest.mark.parametrize("year", [1, 2013, 2014, 2021, 2030, 9999])
def test_year_outside_the_campaign_has_no_target(
    targets_probe: wuxin_rules.Policy, year: int
) -> None:
    """A year outside 2015–2020 gives an explicit `none`, never a default."""
    got = _probe(targets_probe, year)
    assert [got[f"{g}_target"] for g in GROUPS] == [None] * 5
    assert got["year_has_targets"] is False
    assert got["stage_by_year"] is None


def test_a_target_used_without_handling_none_is_a_check_error() -> None:
    """Using `target(year, g)` as a number without handling `none` is refused by the check."""
    with pytest.raises(wuxin_rules.PolicyCheckError) as caught:
        probe(
            "import drug_free.targets (target)\n"
            'rule t(y: int) "目标" -> percent: target(y, school)\n'
        )
    assert caught.value.codes == ("possibly-none",)


@pytest.mark.parametrize(
    ("day", "stage"),
    [
        ("2014-12-31", None),
        ("2015-01-01", "deployment"),
        ("2015-03-31", "deployment"),
        ("2015-04-01", "launch"),
        ("2015-12-31", "launch"),
        ("2016-01-01", "deepening"),
        ("2017-12-31", "deepening"),
        ("2018-01-01", "full_compliance"),
        ("2020-12-31", "full_compliance"),
        ("2021-01-01", None),
    ],
)
def test_stage_of_each_day_at_the_stage_boundaries(
    targets_probe: wuxin_rules.Policy, day: str, stage: str | None
) -> None:
    """S4.1–S4.4: each stage runs over its dates, both ends included."""
    assert _probe(targets_probe, 2017, day)["stage_by_day"] == stage


@pytest.mark.parametrize(
    ("year", "stage"),
    [(2015, "launch"), (2016, "deepening"), (2017, "deepening"), (2018, "full_compliance"),
     (2020, "full_compliance")],
)  # fmt: skip
def test_stage_of_each_year(targets_probe: wuxin_rules.Policy, year: int, stage: str) -> None:
    """A year's stage is the stage its targets are printed under (2015 → 全面启动)."""
    assert _probe(targets_probe, year)["stage_by_year"] == stage


def test_mobilisation_meeting_due_by_march_31_inclusive(targets_probe: wuxin_rules.Policy) -> None:
    """S4.1: the mobilisation meeting on 2015-03-31 is in time, on 2015-04-01 it is not."""
    assert _probe(targets_probe, 2015, "2015-03-31")["mobilised_in_time"] is True
    assert _probe(targets_probe, 2015, "2015-04-01")["mobilised_in_time"] is False


# ------------------------------------------------------------------------------------------
# S4: a park, town or street


def evaluate_town(record: dict[str, Any]) -> dict[str, Any]:
    """Every verdict of town.policy for one town record."""
    return values(policy("town").evaluate({"town": record}))


def test_nine_of_ten_villages_meets_a_90_percent_target() -> None:
    """9 drug-free villages of 10 is exactly 90%: it meets 2018's 90% village target."""
    got = evaluate_town(town(units_of("village", 10, 9, year=2018), year=2018))
    (rate,) = got["rates"]
    assert rate == {
        "group": "village_level", "units": 10, "drug_free_units": 9,
        "rate": Fraction(9, 10), "target": Fraction(9, 10), "meets": True,
    }  # fmt: skip
    assert got["meets_targets"] is True
    assert got["remediation_listed"] is False


def test_eight_of_nine_villages_misses_a_90_percent_target() -> None:
    """8 of 9 is 88.9% (exactly 8/9): it misses 90%, and the town is listed in 2018."""
    got = evaluate_town(town(units_of("village", 9, 8, year=2018), year=2018))
    (rate,) = got["rates"]
    assert rate["rate"] == Fraction(8, 9) and rate["meets"] is False
    assert got["meets_targets"] is False
    assert got["groups_short"] == ["village_level"]
    assert got["remediation_listed"] is True
    assert got["listed_by"] == ["city_commission", "district_commission"]


@pytest.mark.parametrize("year", sorted(TARGETS))
@pytest.mark.parametrize("group", GROUPS)
def test_each_target_is_met_on_the_dot_and_missed_one_unit_below(year: int, group: str) -> None:
    """For each year and group, 20 units with exactly target × 20 drug-free meet the target
    ("达到…以上" is ≥), and one fewer does not."""
    percent = TARGETS[year][GROUPS.index(group)]
    exact = percent * 20 // 100
    kind = GROUP_KIND[group]
    on = evaluate_town(town(units_of(kind, 20, exact, year=year), year=year))
    assert on["rates"][0]["rate"] == Fraction(percent, 100)
    assert on["meets_targets"] is True
    below = evaluate_town(town(units_of(kind, 20, exact - 1, year=year), year=year))
    assert below["meets_targets"] is False
    assert below["groups_short"] == [group]


def test_a_group_with_no_units_is_not_applicable() -> None:
    """A town with villages and schools only has two rates; the groups it lacks are left out,
    and do not make it miss its targets."""
    units = units_of("village", 5, 5) + units_of("school", 2, 2)
    got = evaluate_town(town(units, year=2020))
    assert [r["group"] for r in got["rates"]] == ["village_level", "school"]
    assert got["meets_targets"] is True


def test_a_town_without_subordinate_units_has_no_applicable_group() -> None:
    """No units: no rates, nothing to miss (meets), not listed."""
    got = evaluate_town(town([], year=2019))
    assert got["rates"] == []
    assert got["meets_targets"] is True
    assert got["remediation_listed"] is False


def test_kinds_count_in_their_groups() -> None:
    """Villages and communities count together, as do enterprises and venues, and parks,
    towns and streets (a town's subordinate park is town-level)."""
    units = (
        units_of("village", 3, 3) + units_of("community", 2, 0)
        + units_of("enterprise", 1, 1) + units_of("venue", 1, 0)
        + units_of("park", 1, 1) + units_of("street", 1, 0)
    )  # fmt: skip
    rates = {r["group"]: r for r in evaluate_town(town(units, year=2015))["rates"]}
    assert {g: (r["drug_free_units"], r["units"]) for g, r in rates.items()} == {
        "town_level": (1, 2), "village_level": (3, 5), "enterprise_level": (1, 2),
    }  # fmt: skip
    assert [r["group"] for r in evaluate_town(town(units, year=2015))["rates"]] == [
        "town_level", "village_level", "enterprise_level",
    ]  # fmt: skip


def test_one_agency_short_of_100_percent_misses_the_targets() -> None:
    """Agencies and schools must all be drug-free: 4 of 5 agencies misses, however good the
    villages are."""
    units = units_of("village", 10, 10) + units_of("agency", 5, 4)
    got = evaluate_town(town(units, year=2016))
    assert got["groups_short"] == ["agency"]
    assert got["meets_targets"] is False


@pytest.mark.parametrize(
    ("year", "listed"), [(2015, False), (2016, False), (2017, True), (2018, True), (2019, True),
                         (2020, True), (2021, False)],
)  # fmt: skip
def test_remediation_listing_only_from_2017_to_2020(year: int, listed: bool) -> None:
    """S4.R: a town short of its targets is listed in 2017–2020, not in 2015 or 2016, and a
    year outside the campaign (no targets) lists nobody."""
    got = evaluate_town(town(units_of("village", 10, 0, year=year), year=year))
    assert got["remediation_listed"] is listed
    assert got["meets_targets"] is (None if year == 2021 else False)


def test_a_town_meeting_its_targets_is_not_listed() -> None:
    """S4.R lists only the towns that miss."""
    got = evaluate_town(town(units_of("village", 10, 10), year=2017))
    assert (got["meets_targets"], got["remediation_listed"], got["listed_by"]) == (True, False, [])


@pytest.mark.parametrize(("kind", "listed"), [("park", True), ("street", True), ("village", False)])
def test_only_parks_towns_and_streets_are_listed(kind: str, listed: bool) -> None:
    """S4.R names parks, towns and streets; a village record given as the town is not listed."""
    got = evaluate_town(town(units_of("community", 4, 1), year=2018, kind=kind))
    assert got["remediation_listed"] is listed


def test_town_own_standards_are_judged_on_its_own_facts() -> None:
    """The town's `drug_free` is its own S2 verdict, independent of its units' rates."""
    good_units_bad_town = town(units_of("village", 4, 4), year=2018, drug_free=False)
    got = evaluate_town(good_units_bad_town)
    assert (got["drug_free"], got["failed_standards"], got["meets_targets"]) == (
        False,
        ["S2.1"],
        True,
    )
    bad_units_good_town = evaluate_town(town(units_of("village", 4, 0), year=2018))
    assert (bad_units_good_town["drug_free"], bad_units_good_town["meets_targets"]) == (True, False)


def test_explanation_of_a_listing_cites_the_clauses() -> None:
    """The explanation of a listing shows the rule, its clause and the failing rate."""
    result = policy("town").evaluate(
        {"town": town(units_of("village", 9, 8, year=2018), year=2018)}
    )
    text = result.explain("remediation_listed", mode="full")
    assert "由市、区禁毒委挂牌,实行重点整治" in text and "S4.R" in text
    lines = (DRUG_FREE / "town.policy").read_text(encoding="utf-8").splitlines()
    declared = next(
        i for i, line in enumerate(lines, 1) if line.startswith("criterion remediation_listed")
    )
    assert f"town.policy:{declared}:1" in text
    assert "无毒单位达标率达到年度目标" in text and "1 of 1 failed" in text
    assert "挂牌重点整治的年度 = [2017, 2018, 2019, 2020]" in text  # by its label


# ------------------------------------------------------------------------------------------
# S4: the district


def evaluate_district(year: int, units: list[dict[str, Any]]) -> dict[str, Any]:
    """Every verdict of district.policy."""
    return values(policy("district").evaluate({"district": {"year": year, "units": units}}))


def test_district_towns_form_the_town_level_group() -> None:
    """The district's parks, towns and streets, judged on their own facts, are its town-level
    group: 13 of 20 is exactly 2018's 65%; 12 of 20 is not."""
    others = units_of("village", 10, 9) + units_of("agency", 3, 3) + units_of("school", 2, 2)
    others += units_of("enterprise", 20, 19)
    towns = [unit(f"t{n}", ("park", "town", "street")[n % 3], drug_free=n < 13) for n in range(20)]
    got = evaluate_district(2018, towns + others)
    rates = {r["group"]: r for r in got["rates"]}
    assert [r["group"] for r in got["rates"]] == list(GROUPS)
    assert rates["town_level"]["rate"] == Fraction(13, 20)
    assert got["meets_targets"] is True
    assert got["campaign_stage"] == "full_compliance"
    towns[12] = unit("t12", "park", drug_free=False)
    got = evaluate_district(2018, towns + others)
    assert got["meets_targets"] is False
    assert got["groups_short"] == ["town_level"]


def test_district_outside_the_campaign_is_neither_met_nor_missed() -> None:
    """In 2021 the district has rates but no targets: `meets_targets` is none."""
    got = evaluate_district(2021, units_of("school", 2, 1))
    assert got["meets_targets"] is None
    assert got["rates"][0]["target"] is None and got["rates"][0]["meets"] is None
    assert got["groups_short"] == []


def test_district_group_short_by_one_school() -> None:
    """One school of 40 not drug-free misses the 100% school target in every year."""
    for year in TARGETS:
        got = evaluate_district(year, units_of("school", 40, 39, year=year))
        assert (got["meets_targets"], got["groups_short"]) == (False, ["school"])


# ------------------------------------------------------------------------------------------
# S3.2: titles


def evaluate_titles(record: dict[str, Any]) -> dict[str, Any]:
    """Every verdict of titles.policy."""
    return values(policy("titles").evaluate({"unit": record}))


@pytest.mark.parametrize("kind", sorted(KIND_GROUP))
def test_awarding_authority_of_each_kind(kind: str) -> None:
    """S3.2.1: parks, towns and streets by the city commission; S3.2.2: the rest by the
    district commission."""
    expected = "city_commission" if KIND_GROUP[kind] == "town_level" else "district_commission"
    assert evaluate_titles(titled(kind))["awarding_authority"] == expected


@pytest.mark.parametrize(
    ("held", "drug_free", "checked", "passed", "eligible", "revoked", "after", "accountable"),
    [
        # no title: eligible iff it meets the standards; nothing to revoke
        (False, True, False, None, True, False, True, False),
        (False, False, False, None, False, False, False, False),
        # title kept on re-evaluation, or lost (复评未达标的取消其称号)
        (True, True, False, None, False, False, True, False),
        (True, False, False, None, False, True, False, False),
        # spot-checked: passed keeps it; failed loses it and makes the evaluator accountable
        (True, True, True, True, False, False, True, False),
        (True, True, True, False, False, True, False, True),
        (True, False, True, False, False, True, False, True),
        # a finding without a title (outside the scope of the spot check) changes nothing
        (False, True, True, False, True, False, True, False),
        # checked, but no finding recorded: not a failed check (reading, see docs/flagship.md)
        (True, True, True, None, False, False, True, False),
    ],
)
def test_title_decisions(
    held: bool, drug_free: bool, checked: bool, passed: bool | None,
    eligible: bool, revoked: bool, after: bool, accountable: bool,
) -> None:  # fmt: skip
    """S3.2: eligibility, revocation (failed re-evaluation or failed spot check), the title
    after the year, and the evaluator's accountability (S3.2.3)."""
    got = evaluate_titles(
        titled(drug_free=drug_free, title_held=held, spot_checked=checked, spot_check_passed=passed)
    )
    assert (
        got["eligible_for_title"],
        got["title_revoked"],
        got["title_after"],
        got["evaluator_accountable"],
    ) == (eligible, revoked, after, accountable)
    assert got["failed_reevaluation"] is (held and not drug_free)
    assert got["accountable_authority"] == ("district_commission" if accountable else None)


def test_failed_spot_check_of_a_town_makes_the_city_commission_accountable() -> None:
    """A town's title is the city commission's: its failed spot check points at the city."""
    got = evaluate_titles(titled("street", spot_checked=True, spot_check_passed=False))
    assert (got["title_revoked"], got["accountable_authority"]) == (True, "city_commission")


# ------------------------------------------------------------------------------------------
# S3.2.3: the spot-check draw


def pool(n: int, *, seed: str = "2018-区禁毒委", authority: str = "district_commission",
         order: list[int] | None = None, extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:  # fmt: skip
    """A pool of `n` titled units awarded by `authority` (ids `v000`…), in the given order."""
    ids = order if order is not None else list(range(n))
    units = [{"id": f"v{i:03d}", "title_held": True, "awarded_by": authority} for i in ids]
    return {
        "pool": {"authority": authority, "year": 2018, "seed": seed, "units": units + (extra or [])}
    }


def draw(document: dict[str, Any], **params: str) -> dict[str, Any]:
    """Every verdict of spot_check.policy."""
    loaded = policy("spot_check").with_params(params) if params else policy("spot_check")
    return values(loaded.evaluate(document))


@pytest.mark.parametrize(
    ("n", "size"), [(0, 0), (1, 1), (9, 1), (10, 1), (11, 2), (20, 2), (21, 3), (99, 10), (100, 10), (101, 11)]
)  # fmt: skip
def test_sample_size_is_ceil_of_ten_percent(n: int, size: int) -> None:
    """ceil(10% × n): at least one when any unit holds a title, none of an empty pool."""
    got = draw(pool(n))
    assert got["sample_size"] == size
    assert len(got["sample"]) == size
    assert set(got["sample"]) <= set(got["candidates"])
    assert got["sample"] == sorted(got["sample"])


def test_only_titled_units_under_the_authority_are_drawn() -> None:
    """上述范围内"无毒单位": units without a title, or awarded by the other commission, are
    not candidates."""
    extra = [
        {"id": "x-untitled", "title_held": False, "awarded_by": "district_commission"},
        {"id": "x-city", "title_held": True, "awarded_by": "city_commission"},
    ]
    got = draw(pool(12, extra=extra))
    assert got["candidates"] == [f"v{i:03d}" for i in range(12)]
    assert got["sample_size"] == 2


def test_same_seed_same_draw_whatever_the_order() -> None:
    """The draw depends on the seed and the ids only: any order of the units draws the same."""
    first = draw(pool(37))["sample"]
    rng = random.Random(3)
    for _ in range(5):
        order = list(range(37))
        rng.shuffle(order)
        assert draw(pool(37, order=order))["sample"] == first


def test_the_draw_changes_with_the_seed() -> None:
    """Different seeds draw different samples (and each seed its own, again and again)."""
    samples = {seed: tuple(draw(pool(50, seed=seed))["sample"]) for seed in ("a", "b", "c", "2019")}
    assert len(set(samples.values())) == 4
    assert tuple(draw(pool(50, seed="a"))["sample"]) == samples["a"]


def test_the_draw_is_pinned() -> None:
    """The draw for a known seed is fixed across runs, machines and Python versions (this
    value was computed once; a change means the documented algorithm changed)."""
    assert draw(pool(23, seed="2017-zk"))["sample"] == ["v007", "v008", "v009"]


def test_the_rate_is_a_parameter() -> None:
    """Overriding `spot_check_rate` to 25% draws ceil(25% × 10) = 3."""
    assert draw(pool(10), spot_check_rate="25%")["sample_size"] == 3


def test_duplicate_ids_are_an_evaluation_error() -> None:
    """Two units with one id make the draw ambiguous: a located error, not a silent draw."""
    extra = [{"id": "v000", "title_held": True, "awarded_by": "district_commission"}]
    assert draw(pool(5, extra=extra))["sample"] == "error[duplicate-sample-key]"


def test_the_explanation_says_how_to_redo_the_draw() -> None:
    """The explanation lists each drawn id with its rank and the recipe to reproduce it."""
    text = policy("spot_check").evaluate(pool(23, seed="2017-zk")).explain("sample")
    assert "ceil(10% × 23) = 3" in text
    assert 'drawn #1 "v008"' in text and "rank 0723ebe27f64ad22" in text
    assert "to reproduce" in text and "SHA-256" in text


# ------------------------------------------------------------------------------------------
# S5: quarterly reports


def report(year: int = 2016, quarter: int = 2, submitted_on: str | None = "2016-06-20",
           covers: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    """A report document, covering all six indicators unless told otherwise."""
    return {
        "report": {
            "reporter": "陈江街道禁毒委",
            "year": year,
            "quarter": quarter,
            "submitted_on": submitted_on,
            "covers": INDICATORS if covers is None else covers,
        }
    }


INDICATORS = [
    "case_handling", "drug_prices", "police_calls", "addict_control", "outside_leads",
    "high_risk_persons",
]  # fmt: skip


def evaluate_report(document: dict[str, Any], **params: str) -> dict[str, Any]:
    """Every verdict of reporting.policy."""
    loaded = policy("reporting").with_params(params) if params else policy("reporting")
    return values(loaded.evaluate(document))


@pytest.mark.parametrize(
    ("quarter", "due"), [(1, "03-25"), (2, "06-25"), (3, "09-25"), (4, "12-25")]
)
def test_each_quarter_is_due_on_the_25th_of_its_last_month(quarter: int, due: str) -> None:
    """Due by Mar 25, Jun 25, Sep 25, Dec 25: on the 25th on time, the 26th one day late."""
    due_date = datetime.date.fromisoformat(f"2017-{due}")
    on = evaluate_report(report(2017, quarter, due_date.isoformat()))
    assert on["due_date"] == due_date
    assert (on["on_time"], on["days_late"]) == (True, 0)
    late = evaluate_report(report(2017, quarter, (due_date + datetime.timedelta(1)).isoformat()))
    assert (late["on_time"], late["days_late"]) == (False, 1)
    early = evaluate_report(report(2017, quarter, (due_date - datetime.timedelta(1)).isoformat()))
    assert (early["on_time"], early["days_late"]) == (True, 0)


def test_days_late_are_counted_across_month_and_year_ends() -> None:
    """Q4 2016 in on 2017-01-05 is 11 days late; Q1 2016 (a leap year) in on 2016-04-01 is 7."""
    assert evaluate_report(report(2016, 4, "2017-01-05"))["days_late"] == 11
    assert evaluate_report(report(2016, 1, "2016-04-01"))["days_late"] == 7


def test_a_report_not_yet_in() -> None:
    """Not submitted: not on time, and days late unknown (`none`), not 0."""
    got = evaluate_report(report(submitted_on=None))
    assert (got["submitted"], got["on_time"], got["days_late"]) == (False, False, None)


def test_the_inclusive_reading_is_one_parameter() -> None:
    """With `due_day_included` false ("before the 25th"), the 25th is one day late."""
    got = evaluate_report(report(2017, 3, "2017-09-25"), due_day_included="false")
    assert (got["due_date"], got["last_on_time_day"]) == (
        datetime.date(2017, 9, 25),
        datetime.date(2017, 9, 24),
    )
    assert (got["on_time"], got["days_late"]) == (False, 1)


def test_complete_needs_all_six_indicators() -> None:
    """All six in any order make it complete; each one left out makes it incomplete, named."""
    assert evaluate_report(report(covers=list(reversed(INDICATORS))))["complete"] is True
    for missing in INDICATORS:
        got = evaluate_report(report(covers=[i for i in INDICATORS if i != missing]))
        assert (got["complete"], got["missing_indicators"]) == (False, [missing])
    assert evaluate_report(report(covers=[]))["missing_indicators"] == INDICATORS


def test_reports_are_required_from_2015() -> None:
    """自2015年起: a 2014 quarter needs no report, a 2015 one does."""
    assert evaluate_report(report(2014, 4, "2014-12-01"))["report_required"] is False
    assert evaluate_report(report(2015, 1, "2015-03-25"))["report_required"] is True


def test_an_invalid_submission_date_is_a_located_fact_error() -> None:
    """`2016-02-30` is refused, naming the JSON path of the bad fact."""
    with pytest.raises(wuxin_rules.FactError) as caught:
        policy("reporting").evaluate(report(2016, 1, "2016-02-30"))
    assert "$.report.submitted_on" in str(caught.value)


def test_an_unknown_indicator_is_a_fact_error() -> None:
    """An indicator outside the six is bad facts, not silently ignored."""
    with pytest.raises(wuxin_rules.FactError):
        policy("reporting").evaluate(report(covers=["drug_prices", "weather"]))


# ------------------------------------------------------------------------------------------
# S3.1 and S6.2: assessment and grades

WEIGHTS = {
    "organization": 15, "crackdown": 20, "industry_management": 15, "addict_control": 20,
    "prevention_education": 15, "drug_free_rate": 15,
}  # fmt: skip


def assessee(
    units: list[dict[str, Any]] | None = None, *, year: int = 2018, **given: Any
) -> dict[str, Any]:
    """An assessment document: a town (all of whose units meet their targets by default)."""
    record = town(units if units is not None else units_of("village", 10, 10), year=year)
    return {"assessee": {**record, "scores": scores(**given) if given else scores()}}


def assess(document: dict[str, Any], **params: str) -> dict[str, Any]:
    """Every verdict of assessment.policy."""
    loaded = policy("assessment").with_params(params) if params else policy("assessment")
    return values(loaded.evaluate(document))


def test_weights_are_the_illustrative_ones_and_sum_to_100() -> None:
    """15, 20, 15, 20, 15, 15 in the order of S3.1."""
    got = assess(assessee())
    assert {d["dimension"]: d["weight"] for d in got["dimension_scores"]} == WEIGHTS
    assert [d["dimension"] for d in got["dimension_scores"]] == list(WEIGHTS)
    assert sum(WEIGHTS.values()) == 100


def test_total_is_the_exact_weighted_mean() -> None:
    """(15·81 + 20·72.5 + 15·93 + 20·60 + 15·77 + 15·100) / 100 = 79.15, exactly."""
    got = assess(assessee(organization=81, crackdown="72.5", industry_management=93,
                          addict_control=60, prevention_education=77))  # fmt: skip
    assert got["total_score"] == Decimal("79.15")
    assert got["grade"] == "qualified"


@pytest.mark.parametrize(
    ("high", "low", "total", "grade"),
    [
        ("100", "75", 90, "excellent"),  # exactly on 90
        ("100", "74.99", Fraction(89996, 1000), "qualified"),
        ("60", "45", 60, "qualified"),  # exactly on 60
        ("60", "44.99", Fraction(59996, 1000), "unqualified"),
        ("100", "100", 100, "excellent"),
    ],
)
def test_totals_exactly_on_a_cut_off_get_the_higher_grade(
    high: str, low: str, total: Fraction, grade: str
) -> None:
    """S6.2: a total of exactly 90 is excellent and exactly 60 qualified; a hair below is not.
    (Organization, industry and prevention score `high`, crackdown and addict control `low`,
    达标率 100.)"""
    got = assess(assessee(organization=high, industry_management=high, prevention_education=high,
                          crackdown=low, addict_control=low))  # fmt: skip
    assert got["total_score"] == total
    assert got["grade"] == grade


def test_a_total_of_zero_is_unqualified() -> None:
    """The lowest total, with every group missing its target (达标率 0)."""
    got = assess(
        assessee(units_of("village", 4, 0), **dict.fromkeys(WEIGHTS.keys() - {"drug_free_rate"}, 0))
    )
    assert (got["drug_free_rate_score"], got["total_score"], got["grade"]) == (0, 0, "unqualified")


def test_drug_free_rate_scores_the_groups_meeting_their_targets() -> None:
    """达标率 is 100 when every applicable group meets, else 100 × meeting / applicable:
    village meets, agency misses → 50; of three groups one meets → 100/3, exactly."""
    two = units_of("village", 10, 10) + units_of("agency", 2, 1)
    assert assess(assessee(two))["drug_free_rate_score"] == 50
    three = units_of("village", 10, 10) + units_of("agency", 2, 1) + units_of("school", 1, 0)
    got = assess(assessee(three))
    assert got["drug_free_rate_score"] == Fraction(100, 3)
    rate = {d["dimension"]: d["score"] for d in got["dimension_scores"]}["drug_free_rate"]
    assert rate == Fraction(100, 3)
    assert got["total_score"] == (80 * 85 + 15 * Fraction(100, 3)) / 100


def test_drug_free_rate_with_no_applicable_group_is_100() -> None:
    """A unit with no subordinate units has nothing to miss."""
    assert assess(assessee([]))["drug_free_rate_score"] == 100


def test_assessment_outside_the_campaign_has_no_score() -> None:
    """In 2021 there are no targets to score 达标率 against: no total, no grade (`none`)."""
    got = assess(assessee(year=2021))
    assert (got["drug_free_rate_score"], got["total_score"], got["grade"]) == (None, None, None)


def test_weights_and_cut_offs_are_parameters() -> None:
    """Illustrative values can be replaced: crackdown weighted 0, excellent from 80."""
    document = assessee(crackdown=0)
    assert assess(document)["grade"] == "qualified"
    got = assess(document, weight_crackdown="0", excellent_from="80")
    assert got["total_score"] == Fraction(80 * 65 + 1500, 80)  # 83.75
    assert got["grade"] == "excellent"


def test_grade_explanation_names_the_band() -> None:
    """The explanation of a grade shows the total and the band it falls in, cited S6.2."""
    result = policy("assessment").evaluate(assessee())
    text = result.explain("grade", mode="full")
    assert "S6.2" in text and "考核等级" in text


# ------------------------------------------------------------------------------------------
# S6.3: accountability

FLAGS = ("falsification", "severe_group_incident", "media_exposed_major_case", "capped")


def accountable(kind: str = "town", *, title: bool = False, checked: bool = False,
                passed: bool | None = None, **flags: bool) -> dict[str, Any]:  # fmt: skip
    """Every verdict of accountability.policy for one unit."""
    record = {
        **titled(kind, title_held=title, spot_checked=checked, spot_check_passed=passed),
        **{flag: flags.get(flag, False) for flag in FLAGS},
    }
    record["name"] = "示例镇"
    return values(policy("accountability").evaluate({"unit": record}))


def test_nothing_happened_nobody_is_accountable() -> None:
    """No ground: no accountability, no reasons."""
    got = accountable()
    assert (got["accountability_required"], got["accountability_reasons"]) == (False, [])


@pytest.mark.parametrize(
    ("flag", "clause", "who"),
    [
        (
            "falsification",
            'S6.3 在"无毒创建"工作中敷衍了事、弄虚作假',
            "严肃追究单位(示例镇)及主要领导相应的责任",
        ),
        (
            "severe_group_incident",
            "S6.3 发生影响恶劣的群体性吸毒事件",
            "严肃追究相关各园区,各镇(街道)和职能部门的责任",
        ),
        (
            "media_exposed_major_case",
            "S6.3 被中央、省媒体曝光",
            "严肃追究相关各园区,各镇(街道)和职能部门的责任",
        ),
        (
            "capped",
            'S6.3 被国家、省、市"戴帽"重点整治',
            "严肃追究相关各园区,各镇(街道)和职能部门的责任",
        ),
    ],
)
def test_each_ground_of_s63_alone(flag: str, clause: str, who: str) -> None:
    """Each S6.3 ground alone requires accountability, with one reason naming the clause and
    who is accountable."""
    got = accountable(**{flag: True})
    assert got["accountability_required"] is True
    (reason,) = got["accountability_reasons"]
    assert reason.startswith(clause) and reason.endswith(who)


@pytest.mark.parametrize(("kind", "authority"), [("town", "市禁毒委"), ("school", "区禁毒委")])
def test_a_failed_spot_check_holds_the_evaluating_authority_accountable(
    kind: str, authority: str
) -> None:
    """S3.2.3 倒查问责: the leaders of the authority that awarded the title."""
    got = accountable(kind, title=True, checked=True, passed=False)
    assert got["accountability_required"] is True
    assert got["accountability_reasons"] == [
        f'S3.2.3 抽查不合格:取消其"无毒单位"称号,同时对施评单位({authority})主要领导和责任人进行倒查问责'
    ]


def test_a_passed_or_absent_spot_check_is_no_ground() -> None:
    """A passed check, an unchecked unit, or a finding on a unit without a title: no ground."""
    assert accountable(title=True, checked=True, passed=True)["accountability_required"] is False
    assert accountable(title=True)["accountability_required"] is False
    assert accountable(title=False, checked=True, passed=False)["accountability_required"] is False


def test_all_grounds_give_all_reasons_in_the_document_order() -> None:
    """Every ground at once: five reasons, S6.3's four in the order of the text, then S3.2.3."""
    got = accountable(title=True, checked=True, passed=False, **dict.fromkeys(FLAGS, True))
    reasons = got["accountability_reasons"]
    assert [r.split(" ")[0] for r in reasons] == ["S6.3"] * 4 + ["S3.2.3"]
    assert "敷衍了事" in reasons[0] and "群体性" in reasons[1] and "媒体" in reasons[2]
    assert "戴帽" in reasons[3]
