"""The flagship policies against an independent reading of RULES.md, on generated cases.

Everything in the "oracle" section below is written from `/work/shared/domain/RULES.md`
alone, in plain Python with exact `Fraction` arithmetic, and shares no code with the engine
or the policies (the oracle of the spot-check draw follows the published encoding of
`wuxin_rules.sampling`'s docstring, with `hashlib`). Seeded generators then build hundreds of
towns, districts, reports, assessments and pools, steered to the boundaries where a reading
goes wrong (rates exactly on a target, totals exactly on a cut-off, reports on the due day,
negative provincial averages), and the policies' verdicts must equal the oracle's. Two
hypothesis tests at the end draw reports and towns too, so that a disagreement is shrunk to
a minimal case.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import math
import random
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flagship_kit import policy

# ------------------------------------------------------------------------------------------
# The oracle (RULES.md, read independently)

GROUP_OF = {
    "park": "town_level", "town": "town_level", "street": "town_level",
    "village": "village_level", "community": "village_level",
    "agency": "agency", "school": "school",
    "enterprise": "enterprise_level", "venue": "enterprise_level",
}  # fmt: skip
KINDS = tuple(GROUP_OF)
GROUPS = ("town_level", "village_level", "agency", "school", "enterprise_level")
TABLE = {  # S4, percent
    2015: (20, 50, 100, 100, 50),
    2016: (35, 65, 100, 100, 70),
    2017: (50, 80, 100, 100, 90),
    2018: (65, 90, 100, 100, 95),
    2019: (80, 95, 100, 100, 100),
    2020: (90, 100, 100, 100, 100),
}
RESPONSIBILITY = ("duties_assigned", "team_in_place", "infrastructure_complete", "work_funded")
INDICATORS = ("case_handling", "drug_prices", "police_calls", "addict_control", "outside_leads",
              "high_risk_persons")  # fmt: skip
DIMENSIONS = ("organization", "crackdown", "industry_management", "addict_control",
              "prevention_education")  # fmt: skip
WEIGHTS = (15, 20, 15, 20, 15, 15)  # the five scored dimensions, then drug_free_rate


def target(year: int, group: str) -> Fraction | None:
    """S4: the minimum share for a year and group; None outside 2015–2020."""
    row = TABLE.get(year)
    return None if row is None else Fraction(row[GROUPS.index(group)], 100)


def is_drug_free(u: dict[str, Any]) -> bool:
    """S2: all six standards, with S2.3 read as 'below/above the average by 50%/20% of its
    magnitude'."""
    f = lambda name: Fraction(u[name])  # noqa: E731
    growth_bar = f("province_addict_growth_rate") - abs(f("province_addict_growth_rate")) / 2
    enforcement_bar = f("province_enforcement_rate") + abs(f("province_enforcement_rate")) / 5
    return (
        u["drug_labs"] == 0
        and u["trafficking_groups"] == 0
        and f("addict_growth_rate") <= growth_bar
        and f("enforcement_rate") >= enforcement_bar
        and u["fugitive_key_offenders"] == 0
        and u["venue_drug_cases"] == 0
        and u["uncontrolled_substance_firms"] == 0
        and u["group_drug_use_incidents"] == 0
        and all(u["responsibility"][name] for name in RESPONSIBILITY)
    )


def compliance(units: list[dict[str, Any]], year: int) -> tuple[list[dict[str, Any]], bool | None]:
    """S4 compliance of a list of units: the rate of each group that has units (in the order
    of the table) and whether every such group reaches its target (None without targets)."""
    rates = []
    for group in GROUPS:
        members = [u for u in units if GROUP_OF[u["kind"]] == group]
        if not members:
            continue  # not applicable
        free = sum(is_drug_free(u) for u in members)
        goal = target(year, group)
        rate = Fraction(free, len(members))
        rates.append({
            "group": group, "units": len(members), "drug_free_units": free, "rate": rate,
            "target": goal, "meets": None if goal is None else rate >= goal,
        })  # fmt: skip
    meets = None if year not in TABLE else all(r["meets"] for r in rates)
    return rates, meets


def town_oracle(t: dict[str, Any]) -> dict[str, Any]:
    """town.policy's verdicts by RULES.md (S2 for the town itself, S4, S4.R)."""
    rates, meets = compliance(t["units"], t["year"])
    listed = (
        t["kind"] in ("park", "town", "street") and t["year"] in (2017, 2018, 2019, 2020)
        and meets is False
    )  # fmt: skip
    return {"rates": rates, "meets_targets": meets, "remediation_listed": listed,
            "drug_free": is_drug_free(t)}  # fmt: skip


def report_oracle(r: dict[str, Any], inclusive: bool = True) -> dict[str, Any]:
    """S5: due on the 25th of the quarter's last month; 'by the 25th' inclusive (or not)."""
    due = datetime.date(r["year"], 3 * r["quarter"], 25)
    last = due if inclusive else due - datetime.timedelta(days=1)
    submitted = r["submitted_on"] and datetime.date.fromisoformat(r["submitted_on"])
    return {
        "due_date": due,
        "on_time": bool(submitted) and submitted <= last,
        "days_late": None if not submitted else max(0, (submitted - last).days),
        "complete": set(INDICATORS) <= set(r["covers"]),
    }


def assessment_oracle(a: dict[str, Any]) -> dict[str, Any]:
    """S3.1 and S6.2: 达标率 from the unit's own S4 compliance, the weighted mean, the grade."""
    rates, meets = compliance(a["units"], a["year"])
    if meets is None:
        return {"drug_free_rate_score": None, "total_score": None, "grade": None}
    meeting = sum(r["meets"] for r in rates)
    rate_score = Fraction(100) if meeting == len(rates) else Fraction(100 * meeting, len(rates))
    scored = [Fraction(a["scores"][d]) for d in DIMENSIONS] + [rate_score]
    total = sum(w * s for w, s in zip(WEIGHTS, scored, strict=True)) / sum(WEIGHTS)
    grade = "excellent" if total >= 90 else "qualified" if total >= 60 else "unqualified"
    return {"drug_free_rate_score": rate_score, "total_score": total, "grade": grade,
            "scores": scored}  # fmt: skip


def _field(value: str) -> bytes:
    body = value.encode("utf-8")
    return b"t:" + str(len(body)).encode("ascii") + b":" + body


def sample_oracle(ids: list[str], rate: Fraction, seed: str) -> list[str]:
    """S3.2.3 with the published draw: ceil(rate × n) ids with the lowest SHA-256 ranks of
    `wuxin-sample/1 NUL field(seed) field(id)`, returned in id order."""
    ranked = sorted(
        ids,
        key=lambda i: (
            hashlib.sha256(b"wuxin-sample/1\x00" + _field(seed) + _field(i)).hexdigest(),
            i,
        ),
    )
    size = math.ceil(rate * len(ids))
    return sorted(ranked[:size])


# ------------------------------------------------------------------------------------------
# Generators (seeded: the same cases on every run)


def _rate(rng: random.Random, low: int, high: int, places: int = 3) -> Decimal:
    return Decimal(rng.randint(low, high)).scaleb(-places)


def make_unit(rng: random.Random, uid: str, kind: str, year: int, free: bool) -> dict[str, Any]:
    """A unit record meant to be drug-free (or not), often exactly on an S2.3 bar."""
    province = _rate(rng, -80, 80)
    bar = province - abs(province) / 2
    growth = bar if rng.random() < 0.3 else bar - _rate(rng, 0, 50)
    p_enf = _rate(rng, 0, 900)
    enforcement = p_enf + p_enf / 5 + (0 if rng.random() < 0.3 else _rate(rng, 0, 100))
    u: dict[str, Any] = {
        "id": uid, "name": f"单位{uid}", "kind": kind, "year": year,
        "drug_labs": 0, "trafficking_groups": 0,
        "addict_growth_rate": growth, "province_addict_growth_rate": province,
        "enforcement_rate": enforcement, "province_enforcement_rate": p_enf,
        "fugitive_key_offenders": 0, "venue_drug_cases": 0,
        "uncontrolled_substance_firms": 0, "group_drug_use_incidents": 0,
        "responsibility": dict.fromkeys(RESPONSIBILITY, True),
    }  # fmt: skip
    if not free:
        broken = rng.choice(("count", "growth", "enforcement", "responsibility"))
        if broken == "count":
            u[rng.choice(("drug_labs", "trafficking_groups", "fugitive_key_offenders",
                          "venue_drug_cases", "uncontrolled_substance_firms",
                          "group_drug_use_incidents"))] = rng.randint(1, 3)  # fmt: skip
        elif broken == "growth":  # just above the bar: the naive reading may let it pass
            u["addict_growth_rate"] = bar + Decimal("0.0005")
        elif broken == "enforcement":
            u["enforcement_rate"] = max(Decimal(0), p_enf + p_enf / 5 - Decimal("0.0005"))
            if u["enforcement_rate"] >= p_enf + p_enf / 5:  # p_enf = 0: no way below
                u["drug_labs"] = 1
        else:
            u["responsibility"][rng.choice(RESPONSIBILITY)] = False
    return u


SIZES = (1, 2, 3, 5, 9, 10, 20)


def make_units(
    rng: random.Random, year: int, prefix: str, sizes: tuple[int, ...] = SIZES
) -> list[dict[str, Any]]:
    """Subordinate units, each group's drug-free count steered on, just below or off its
    target (or the group left out)."""
    units: list[dict[str, Any]] = []
    for group in GROUPS:
        kinds = [k for k, g in GROUP_OF.items() if g == group]
        mode = rng.choice(("absent", "on", "below", "random", "all", "none"))
        if mode == "absent":
            continue
        n = rng.choice(sizes) if sizes else 0
        goal = target(year, group) or Fraction(rng.randint(0, 100), 100)
        free = {
            "on": math.ceil(goal * n), "below": math.ceil(goal * n) - 1,
            "random": rng.randint(0, n), "all": n, "none": 0,
        }[mode]  # fmt: skip
        free = min(n, max(0, free))
        flags = [True] * free + [False] * (n - free)
        rng.shuffle(flags)
        for index, flag in enumerate(flags):
            uid = f"{prefix}-{group}-{index}"
            units.append(make_unit(rng, uid, rng.choice(kinds), year, flag))
    rng.shuffle(units)
    return units


def make_year(rng: random.Random) -> int:
    """Mostly a campaign year, sometimes one outside it."""
    return rng.choice((2013, 2014, 2021, 2022)) if rng.random() < 0.12 else rng.randint(2015, 2020)


def make_towns(seed: int, count: int) -> list[dict[str, Any]]:
    """`count` towns with their units."""
    rng = random.Random(seed)
    towns = []
    for n in range(count):
        year = make_year(rng)
        kind = rng.choice(("park", "town", "street", "town", "village"))
        record = make_unit(rng, f"t{n}", kind, year, rng.random() < 0.7)
        record["units"] = make_units(rng, year, f"t{n}", () if rng.random() < 0.04 else SIZES)
        towns.append(record)
    return towns


TOWNS = make_towns(20150330, 300)


# ------------------------------------------------------------------------------------------
# Towns


def test_generated_towns_reach_the_boundaries() -> None:
    """The generated towns include rates exactly on a target, one unit below it, years
    without targets, towns listed and towns not (so the next test means something)."""
    verdicts = [town_oracle(t) for t in TOWNS]
    rates = [r for v in verdicts for r in v["rates"]]
    assert sum(r["target"] is not None and r["rate"] == r["target"] for r in rates) >= 100
    assert sum(r["meets"] is False for r in rates) >= 100
    assert Counter(v["meets_targets"] for v in verdicts).keys() == {True, False, None}
    assert sum(v["remediation_listed"] for v in verdicts) >= 50
    listed_years = Counter(t["year"] for t, v in zip(TOWNS, verdicts, strict=True)
                           if v["meets_targets"] is False and not v["remediation_listed"])  # fmt: skip
    assert listed_years[2015] and listed_years[2016]
    assert sum(len(t["units"]) for t in TOWNS) >= 3000
    assert any(not t["units"] for t in TOWNS)


def test_generated_towns_match_the_oracle() -> None:
    """300 towns (several thousand units): rates, meets_targets, remediation_listed and the
    town's own drug_free equal the independent reading."""
    rules = ["rates", "meets_targets", "remediation_listed", "drug_free"]
    results = policy("town").evaluate_many([{"town": t} for t in TOWNS], rules=rules)
    mismatches = []
    for t, result in zip(TOWNS, results, strict=True):
        got = {rule: result[rule] for rule in rules}
        if got != town_oracle(t):
            mismatches.append(f"{t['id']} ({t['year']}): got {got}\nexpected {town_oracle(t)}")
    assert not mismatches, f"{len(mismatches)} mismatches, first:\n" + "\n".join(mismatches[:2])


def test_generated_districts_match_the_oracle() -> None:
    """100 districts (their towns among their units): the same compliance as the oracle."""
    rng = random.Random(2020)
    districts = []
    for n in range(100):
        year = make_year(rng)
        units = make_units(rng, year, f"d{n}", (1, 3, 10, 20))
        districts.append({"district": {"year": year, "units": units}})
    results = policy("district").evaluate_many(districts, rules=["rates", "meets_targets"])
    for document, result in zip(districts, results, strict=True):
        district = document["district"]
        rates, meets = compliance(district["units"], district["year"])
        assert (result["rates"], result["meets_targets"]) == (rates, meets)


# ------------------------------------------------------------------------------------------
# Reports


def make_reports(seed: int, count: int) -> list[dict[str, Any]]:
    """Reports submitted around their due day (or not at all), covering random indicators."""
    rng = random.Random(seed)
    reports = []
    for _ in range(count):
        year, quarter = rng.randint(2014, 2021), rng.randint(1, 4)
        due = datetime.date(year, 3 * quarter, 25)
        offset = rng.choice((-1, 0, 1, rng.randint(-95, 120)))
        submitted = None if rng.random() < 0.08 else (due + datetime.timedelta(offset)).isoformat()
        covers = [i for i in INDICATORS if rng.random() < 0.9] + rng.sample(INDICATORS, 2)
        rng.shuffle(covers)
        reports.append({"reporter": "区公安分局", "year": year, "quarter": quarter,
                        "submitted_on": submitted, "covers": covers})  # fmt: skip
    return reports


REPORTS = make_reports(25, 500)


@pytest.mark.parametrize("inclusive", [True, False], ids=["by-the-25th", "before-the-25th"])
def test_generated_reports_match_the_oracle(inclusive: bool) -> None:
    """500 reports, under both readings of "25日前": due_date, on_time, days_late, complete."""
    loaded = policy("reporting")
    if not inclusive:
        loaded = loaded.with_params({"due_day_included": "false"})
    rules = ["due_date", "on_time", "days_late", "complete"]
    results = loaded.evaluate_many([{"report": r} for r in REPORTS], rules=rules)
    outcomes = Counter()
    for report, result in zip(REPORTS, results, strict=True):
        expected = report_oracle(report, inclusive)
        assert {rule: result[rule] for rule in rules} == expected, report
        outcomes[expected["days_late"]] += 1
        outcomes[("complete", expected["complete"])] += 1
    assert outcomes[0] >= 150 and outcomes[1] >= 40 and outcomes[None] >= 20
    assert outcomes[("complete", True)] >= 100 and outcomes[("complete", False)] >= 100


# ------------------------------------------------------------------------------------------
# Assessments


def make_assessments(seed: int, count: int) -> list[dict[str, Any]]:
    """Towns with scores, a third of them solved to land exactly on a cut-off."""
    rng = random.Random(seed)
    assessments = []
    for n in range(count):
        year = make_year(rng)
        record = make_unit(rng, f"a{n}", rng.choice(("park", "town", "street")), year, True)
        record["units"] = make_units(
            rng, year, f"a{n}", () if rng.random() < 0.05 else (1, 2, 3, 5)
        )
        goal = rng.choice((None, None, 60, 90))
        low = {None: 0, 60: 4000, 90: 8500}[goal]
        scores = {d: Decimal(rng.randint(low, 10000)).scaleb(-2) for d in DIMENSIONS}
        record["scores"] = scores
        expected = assessment_oracle(record)
        if expected["total_score"] is not None and goal is not None:
            # Solve the crackdown score (weight 20) for a total of exactly 60 or 90.
            rest = expected["total_score"] * 100 - 20 * Fraction(scores["crackdown"])
            crackdown = (goal * 100 - rest) / 20
            if 0 <= crackdown <= 100:
                scores["crackdown"] = Decimal(crackdown.numerator) / Decimal(crackdown.denominator)
                assert Fraction(scores["crackdown"]) == crackdown
        assessments.append({"assessee": record})
    return assessments


ASSESSMENTS = make_assessments(62, 300)


def test_generated_assessments_match_the_oracle() -> None:
    """300 assessments: 达标率 score, every dimension score, the exact total and the grade."""
    rules = ["drug_free_rate_score", "dimension_scores", "total_score", "grade"]
    results = policy("assessment").evaluate_many(ASSESSMENTS, rules=rules)
    on_cut_off = Counter()
    for document, result in zip(ASSESSMENTS, results, strict=True):
        expected = assessment_oracle(document["assessee"])
        assert result["drug_free_rate_score"] == expected["drug_free_rate_score"]
        assert result["total_score"] == expected["total_score"]
        assert result["grade"] == expected["grade"]
        if expected["total_score"] is None:
            assert result["dimension_scores"] is None
        else:
            assert [d["score"] for d in result["dimension_scores"]] == expected["scores"]
            assert [d["weight"] for d in result["dimension_scores"]] == list(WEIGHTS)
            on_cut_off[expected["total_score"]] += expected["total_score"] in (60, 90)
        on_cut_off[expected["grade"]] += 1
    assert on_cut_off[60] >= 20 and on_cut_off[90] >= 20
    assert min(on_cut_off[g] for g in ("excellent", "qualified", "unqualified", None)) >= 10


# ------------------------------------------------------------------------------------------
# Spot-check draws


def make_pools(seed: int, count: int) -> list[dict[str, Any]]:
    """Pools of up to 60 units (ids with CJK and punctuation), mixed titles and authorities."""
    rng = random.Random(seed)
    pools = []
    for n in range(count):
        authority = rng.choice(("city_commission", "district_commission"))
        units = [
            {"id": f"{rng.choice(('zk', '仲恺', 'v-'))}{n}-{i}",
             "title_held": rng.random() < 0.85,
             "awarded_by": authority if rng.random() < 0.8 else
             ("city_commission" if authority == "district_commission" else "district_commission")}
            for i in range(rng.choice((0, 1, 5, 9, 10, 11, 25, 40, rng.randint(0, 60))))
        ]  # fmt: skip
        pools.append({"authority": authority, "year": rng.randint(2015, 2020),
                      "seed": f"{rng.randint(0, 10**9)}", "units": units})  # fmt: skip
    return pools


POOLS = make_pools(3232, 300)


def test_generated_draws_match_the_published_algorithm() -> None:
    """300 pools: the sample is the oracle's ceil(10% × titled units) lowest SHA-256 ranks,
    and shuffling the units does not change it."""
    loaded = policy("spot_check")
    results = loaded.evaluate_many([{"pool": p} for p in POOLS], rules=["sample"])
    shuffled = []
    rng = random.Random(1)
    for p in POOLS:
        units = list(p["units"])
        rng.shuffle(units)
        shuffled.append({"pool": {**p, "units": units}})
    again = loaded.evaluate_many(shuffled, rules=["sample"])
    sizes = Counter()
    for p, result, other in zip(POOLS, results, again, strict=True):
        ids = [u["id"] for u in p["units"] if u["title_held"] and u["awarded_by"] == p["authority"]]
        expected = sample_oracle(ids, Fraction(1, 10), p["seed"])
        assert result["sample"] == expected == other["sample"]
        sizes[len(expected)] += 1
    assert sizes[0] >= 10 and sizes[1] >= 50 and sum(sizes[k] for k in sizes if k >= 2) >= 50


# ------------------------------------------------------------------------------------------
# Titles and accountability, exhaustively

BASE = {
    "name": "单位", "year": 2018, "drug_labs": 0, "trafficking_groups": 0,
    "addict_growth_rate": Decimal("-0.07"), "province_addict_growth_rate": Decimal("-0.04"),
    "enforcement_rate": Decimal("0.84"), "province_enforcement_rate": Decimal("0.7"),
    "fugitive_key_offenders": 0, "venue_drug_cases": 0, "uncontrolled_substance_firms": 0,
    "group_drug_use_incidents": 0, "responsibility": dict.fromkeys(RESPONSIBILITY, True),
}  # fmt: skip
TITLE_CASES = [
    {**BASE, "id": f"c{n}", "kind": kind, "trafficking_groups": 0 if free else 2,
     "title_held": held, "spot_checked": checked, "spot_check_passed": passed}
    for n, (kind, free, held, checked, passed) in enumerate(
        itertools.product(KINDS, (True, False), (True, False), (True, False), (True, False, None))
    )
]  # fmt: skip


def title_oracle(u: dict[str, Any]) -> dict[str, Any]:
    """S3.2: the authority by kind; a title lost on failed re-evaluation (S2) or a failed
    spot check (S3.2.3), which makes the evaluator accountable; award when eligible."""
    free = is_drug_free(u)
    authority = (
        "city_commission" if u["kind"] in ("park", "town", "street") else "district_commission"
    )
    spot_failed = u["title_held"] and u["spot_checked"] and u["spot_check_passed"] is False
    revoked = u["title_held"] and (not free or spot_failed)
    eligible = not u["title_held"] and free
    return {
        "awarding_authority": authority,
        "eligible_for_title": eligible,
        "title_revoked": revoked,
        "title_after": (u["title_held"] and not revoked) or eligible,
        "evaluator_accountable": spot_failed,
    }


def test_every_title_case_matches_the_oracle() -> None:
    """All 216 combinations of kind, standards, title and spot-check facts."""
    rules = list(title_oracle(TITLE_CASES[0]))
    results = policy("titles").evaluate_many([{"unit": u} for u in TITLE_CASES], rules=rules)
    for u, result in zip(TITLE_CASES, results, strict=True):
        assert {rule: result[rule] for rule in rules} == title_oracle(u), u


FLAGS = ("falsification", "severe_group_incident", "media_exposed_major_case", "capped")


def accountability_oracle(u: dict[str, Any]) -> list[tuple[str, str]]:
    """S6.3 and S3.2.3: (clause, who is accountable) for each ground that holds, in the
    document's order."""
    authority = "市禁毒委" if u["kind"] in ("park", "town", "street") else "区禁毒委"
    grounds = [
        (u["falsification"], "S6.3", f"单位({u['name']})及主要领导"),
        (u["severe_group_incident"], "S6.3", "相关各园区,各镇(街道)和职能部门"),
        (u["media_exposed_major_case"], "S6.3", "相关各园区,各镇(街道)和职能部门"),
        (u["capped"], "S6.3", "相关各园区,各镇(街道)和职能部门"),
        (u["title_held"] and u["spot_checked"] and u["spot_check_passed"] is False,
         "S3.2.3", f"施评单位({authority})主要领导和责任人"),
    ]  # fmt: skip
    return [(clause, who) for holds, clause, who in grounds if holds]


def test_every_accountability_case_matches_the_oracle() -> None:
    """All combinations of the four S6.3 flags with the spot-check facts, for a town and a
    school: required iff a ground holds, and each reason names its clause and who."""
    cases = [
        {**BASE, "id": f"a{n}", "kind": kind, **dict(zip(FLAGS, flags, strict=True)),
         "title_held": held, "spot_checked": checked, "spot_check_passed": passed}
        for n, (kind, flags, held, checked, passed) in enumerate(
            itertools.product(("town", "school"), itertools.product((False, True), repeat=4),
                              (True, False), (True, False), (True, False, None))
        )
    ]  # fmt: skip
    rules = ["accountability_required", "accountability_reasons"]
    results = policy("accountability").evaluate_many([{"unit": u} for u in cases], rules=rules)
    for u, result in zip(cases, results, strict=True):
        expected = accountability_oracle(u)
        reasons = result["accountability_reasons"]
        assert result["accountability_required"] is bool(expected)
        assert len(reasons) == len(expected), u
        for reason, (clause, who) in zip(reasons, expected, strict=True):
            assert reason.startswith(clause + " ") and who in reason, (reason, clause, who)


def test_the_oracle_disagrees_with_a_wrong_reading() -> None:
    """Sanity of the comparison: the naive S2.3 reading (growth ≤ 50% × average) gives other
    verdicts on some generated units, so the towns test would catch a policy using it."""
    units = [u for t in TOWNS for u in t["units"]]
    naive = [
        u for u in units
        if Fraction(u["province_addict_growth_rate"]) < 0
        and (Fraction(u["addict_growth_rate"]) <= Fraction(u["province_addict_growth_rate"]) / 2)
        != (Fraction(u["addict_growth_rate"])
            <= Fraction(u["province_addict_growth_rate"]) * Fraction(3, 2))
    ]  # fmt: skip
    assert len(naive) >= 100


# ------------------------------------------------------------------------------------------
# The same comparisons driven by hypothesis (shrunk to a minimal case on failure)

_hypothesis_reports = st.builds(
    lambda year, quarter, offset, covers: {
        "reporter": "区公安分局", "year": year, "quarter": quarter,
        "submitted_on": None if offset is None
        else (datetime.date(year, 3 * quarter, 25) + datetime.timedelta(offset)).isoformat(),
        "covers": covers,
    },
    st.integers(2014, 2021), st.integers(1, 4),
    st.one_of(st.none(), st.integers(-3, 3), st.integers(-120, 120)),
    st.lists(st.sampled_from(INDICATORS), max_size=8),
)  # fmt: skip


@given(report=_hypothesis_reports)
def test_hypothesis_reports_match_the_oracle(report: dict[str, Any]) -> None:
    """Reports drawn by hypothesis get the oracle's due date, timeliness and completeness."""
    rules = ["due_date", "on_time", "days_late", "complete"]
    result = policy("reporting").evaluate({"report": report}, rules=rules)
    assert {rule: result[rule] for rule in rules} == report_oracle(report)


@st.composite
def _hypothesis_towns(draw: st.DrawFn) -> dict[str, Any]:
    year = draw(st.integers(2014, 2021))
    seed = draw(st.integers(0, 2**32))
    rng = random.Random(seed)
    kinds = draw(st.lists(st.sampled_from(KINDS), max_size=12))
    units = [
        make_unit(rng, f"h{n}", kind, year, draw(st.booleans())) for n, kind in enumerate(kinds)
    ]
    record = make_unit(rng, "h-town", draw(st.sampled_from(("park", "town", "street", "village"))),
                       year, draw(st.booleans()))  # fmt: skip
    return {**record, "units": units}


@settings(max_examples=40)
@given(town=_hypothesis_towns())
def test_hypothesis_towns_match_the_oracle(town: dict[str, Any]) -> None:
    """Towns drawn by hypothesis (up to 12 units of any kinds) get the oracle's verdicts."""
    rules = ["rates", "meets_targets", "remediation_listed", "drug_free"]
    result = policy("town").evaluate({"town": town}, rules=rules)
    assert {rule: result[rule] for rule in rules} == town_oracle(town)
