"""The flagship policy `drug_free.unit` against the specification (RULES.md, S2 and S3.2).

The verdicts of the policy are compared with an *independent oracle*: a plain Python
function written from RULES.md with `Decimal` arithmetic, sharing no code with the engine.
Hundreds of generated units probe the places where a rules engine goes wrong: negative
provincial averages (where the naive `50% × average` threshold inverts the clause), values
exactly on each threshold, and decimals that binary floats round the wrong way.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator, Mapping
from decimal import Decimal, Inexact, Rounded, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wuxin_rules
from wuxin_rules.parser import parse

ROOT = Path(__file__).resolve().parents[1]
UNIT_POLICY = ROOT / "policies" / "drug_free" / "unit.policy"
UNITS_POLICY = ROOT / "policies" / "drug_free" / "units.policy"
EXAMPLES = ROOT / "examples"
LIBRARY_POLICY = EXAMPLES / "other" / "library.policy"

VERDICT_RULES = ["drug_free", "failed_standards", "awarding_authority"]


# ------------------------------------------------------------------------------------------
# The oracle, written from RULES.md alone.

KINDS = (
    "park",
    "town",
    "street",
    "village",
    "community",
    "agency",
    "school",
    "enterprise",
    "venue",
)
CLAUSES = ("S2.1", "S2.2", "S2.3", "S2.4", "S2.5", "S2.6")
RESPONSIBILITIES = ("duties_assigned", "team_in_place", "infrastructure_complete", "work_funded")
COUNTS = (
    "drug_labs",
    "trafficking_groups",
    "fugitive_key_offenders",
    "venue_drug_cases",
    "uncontrolled_substance_firms",
    "group_drug_use_incidents",
)
GROWTH_MARGIN = Decimal("0.5")
ENFORCEMENT_MARGIN = Decimal("0.2")


class Expected(NamedTuple):
    """What RULES.md says about one unit."""

    drug_free: bool
    failed_standards: list[str]
    awarding_authority: str


def growth_threshold(province: Decimal, margin: Decimal = GROWTH_MARGIN) -> Decimal:
    """S2.3, growth: below the provincial average by `margin` of its magnitude."""
    with localcontext() as context:
        context.prec = 60
        context.traps[Inexact] = context.traps[Rounded] = True
        return province - margin * abs(province)


def enforcement_threshold(province: Decimal, margin: Decimal = ENFORCEMENT_MARGIN) -> Decimal:
    """S2.3, enforcement: above the provincial average by `margin` of its magnitude."""
    with localcontext() as context:
        context.prec = 60
        context.traps[Inexact] = context.traps[Rounded] = True
        return province + margin * abs(province)


def oracle(
    unit: Mapping[str, Any],
    growth_margin: Decimal = GROWTH_MARGIN,
    enforcement_margin: Decimal = ENFORCEMENT_MARGIN,
) -> Expected:
    """The verdict RULES.md gives for one unit record."""
    responsibility = unit["responsibility"]
    met = {
        "S2.1": unit["drug_labs"] == 0,
        "S2.2": unit["trafficking_groups"] == 0,
        "S2.3": (
            unit["addict_growth_rate"]
            <= growth_threshold(unit["province_addict_growth_rate"], growth_margin)
        )
        and (
            unit["enforcement_rate"]
            >= enforcement_threshold(unit["province_enforcement_rate"], enforcement_margin)
        ),
        "S2.4": unit["fugitive_key_offenders"] == 0,
        "S2.5": unit["venue_drug_cases"] == 0
        and unit["uncontrolled_substance_firms"] == 0
        and unit["group_drug_use_incidents"] == 0,
        "S2.6": all(responsibility[name] for name in RESPONSIBILITIES),
    }
    failed = [clause for clause in CLAUSES if not met[clause]]
    authority = (
        "city_commission" if unit["kind"] in ("park", "town", "street") else "district_commission"
    )
    return Expected(not failed, failed, authority)


def float_s23(unit: Mapping[str, Any]) -> bool:
    """S2.3 as a careless implementation computes it, through binary floats (for coverage)."""
    province = float(unit["province_addict_growth_rate"])
    growth_ok = float(unit["addict_growth_rate"]) <= province - 0.5 * abs(province)
    province = float(unit["province_enforcement_rate"])
    enforcement_ok = float(unit["enforcement_rate"]) >= province + 0.2 * abs(province)
    return growth_ok and enforcement_ok


def naive_growth_ok(unit: Mapping[str, Any]) -> bool:
    """The naive reading `growth <= 50% × average`, wrong for a negative average."""
    return unit["addict_growth_rate"] <= GROWTH_MARGIN * unit["province_addict_growth_rate"]


# ------------------------------------------------------------------------------------------
# Generated units


def _decimal(rng: random.Random, low: str, high: str, places: int) -> Decimal:
    scale = 10**places
    return Decimal(rng.randint(int(Decimal(low) * scale), int(Decimal(high) * scale))).scaleb(
        -places
    )


def _step(places: int) -> Decimal:
    """A nudge smaller than any digit of a rate with `places` decimals."""
    return Decimal(1).scaleb(-(places + 2))


def _growth_pair(rng: random.Random) -> tuple[Decimal, Decimal, str]:
    places = rng.randint(1, 4)
    mode = rng.choice(("random", "on", "above", "below", "negative", "negative-on", "zero"))
    province = _decimal(rng, "-0.6", "0.6", places)
    if mode.startswith("negative"):
        province = -abs(province) or Decimal("-0.04")
    elif mode == "zero":
        province = Decimal(0)
    threshold = growth_threshold(province)
    growth = {
        "on": threshold,
        "negative-on": threshold,
        "zero": rng.choice((Decimal(0), _step(places), -_step(places))),
        "above": threshold + _step(places),
        "below": threshold - _step(places),
    }.get(mode)
    if growth is None:
        # Between the naive bar and the abs() bar when the average is negative: the cases
        # where the two readings disagree.
        growth = (
            _decimal(rng, "-0.6", "0.6", places)
            if province >= 0 or rng.random() < 0.5
            else (threshold + GROWTH_MARGIN * province) / 2
        )
    return growth, province, mode


def _enforcement_pair(rng: random.Random) -> tuple[Decimal, Decimal, str]:
    places = rng.randint(1, 4)
    mode = rng.choice(("random", "on", "above", "below", "zero"))
    province = Decimal(0) if mode == "zero" else _decimal(rng, "0", "1.5", places)
    threshold = enforcement_threshold(province)
    enforcement = {
        "on": threshold,
        "zero": _decimal(rng, "0", "0.01", places),
        "above": threshold + _step(places),
        "below": max(Decimal(0), threshold - _step(places)),
    }.get(mode)
    if enforcement is None:
        enforcement = _decimal(rng, "0", "2", places)
    return enforcement, province, mode


def generate_unit(rng: random.Random, index: int) -> dict[str, Any]:
    """One random unit record, valid against the `Unit` record of the policy."""
    growth, province_growth, growth_mode = _growth_pair(rng)
    enforcement, province_enforcement, enforcement_mode = _enforcement_pair(rng)
    unit: dict[str, Any] = {
        "id": f"gen-{index:04d}/{growth_mode}/{enforcement_mode}",
        "name": f"生成单位{index}",
        "kind": rng.choice(KINDS),
        "year": rng.randint(2015, 2020),
        "addict_growth_rate": growth,
        "province_addict_growth_rate": province_growth,
        "enforcement_rate": enforcement,
        "province_enforcement_rate": province_enforcement,
        "responsibility": {name: rng.random() < 0.95 for name in RESPONSIBILITIES},
    }
    for name in COUNTS:
        unit[name] = 0 if rng.random() < 0.92 else rng.randint(1, 3)
    return unit


def generate_units(seed: int, count: int) -> list[dict[str, Any]]:
    """`count` units from a seeded generator (the same units on every run)."""
    rng = random.Random(seed)
    return [generate_unit(rng, index) for index in range(count)]


GENERATED = generate_units(seed=20150330, count=600)


# ------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture(scope="module")
def policy() -> wuxin_rules.Policy:
    """The flagship policy with its default margins."""
    return wuxin_rules.load(UNIT_POLICY)


def read_json(path: Path) -> Any:
    """A JSON file with its numbers read exactly."""
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def read_jsonl(path: Path) -> Iterator[Any]:
    """The documents of a JSON-lines file, numbers read exactly."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield json.loads(line, parse_float=Decimal)


def actual(result: wuxin_rules.Result) -> Expected:
    """The three verdicts of a result, in the oracle's shape."""
    return Expected(result["drug_free"], result["failed_standards"], result["awarding_authority"])


def compare_with_oracle(
    policy: wuxin_rules.Policy, units: list[dict[str, Any]], **margins: Decimal
) -> list[str]:
    """Every unit whose verdicts differ from the oracle's, described for the failure message."""
    results = policy.evaluate_many([{"unit": unit} for unit in units], rules=VERDICT_RULES)
    mismatches = []
    for unit, result in zip(units, results, strict=True):
        expected = oracle(unit, **margins)
        got = actual(result)
        if got != expected:
            mismatches.append(f"{unit['id']}: expected {expected}, got {got}\n  unit {unit}")
    return mismatches


# ------------------------------------------------------------------------------------------
# The policy files


@pytest.mark.parametrize("path", [UNITS_POLICY, UNIT_POLICY, LIBRARY_POLICY], ids=lambda p: p.name)
def test_policy_files_parse(path: Path) -> None:
    """Each shipped policy file follows the grammar."""
    module = parse(path.read_text(encoding="utf-8"), str(path))
    assert module.header is not None
    assert module.declarations


@pytest.mark.parametrize("path", [UNITS_POLICY, UNIT_POLICY, LIBRARY_POLICY], ids=lambda p: p.name)
def test_policy_files_check(path: Path) -> None:
    """Each shipped policy file passes every check (names, types, rule graph)."""
    from wuxin_rules import checker

    checked = checker.check_path(path)
    assert checked.name == parse(path.read_text(encoding="utf-8")).header.name.dotted


def test_unit_record_has_exactly_the_contract_fields() -> None:
    """`Unit` declares exactly the field names of RULES.md "Fact records", each labelled."""
    module = parse(UNITS_POLICY.read_text(encoding="utf-8"), str(UNITS_POLICY))
    records = {d.name.name: d for d in module.declarations if hasattr(d, "fields")}
    unit = records["Unit"]
    assert [f.name.name for f in unit.fields] == [
        "id", "name", "kind", "year",
        "drug_labs", "trafficking_groups",
        "addict_growth_rate", "province_addict_growth_rate",
        "enforcement_rate", "province_enforcement_rate",
        "fugitive_key_offenders", "venue_drug_cases",
        "uncontrolled_substance_firms", "group_drug_use_incidents",
        "responsibility",
    ]  # fmt: skip
    assert all(f.doc.label is not None for f in unit.fields)
    assert [f.name.name for f in records["Responsibility"].fields] == list(RESPONSIBILITIES)


def test_every_rule_of_the_flagship_is_labelled_and_cited() -> None:
    """Every rule, criterion and param of `drug_free.unit` has a Chinese label and a clause id."""
    module = parse(UNIT_POLICY.read_text(encoding="utf-8"), str(UNIT_POLICY))
    named = [d for d in module.declarations if type(d).__name__ in ("RuleDecl", "ParamDecl")]
    assert len(named) > 20
    for declaration in named:
        assert declaration.doc.label is not None, declaration.name.name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in declaration.doc.label.value)
        assert declaration.doc.cites, declaration.name.name
        for cite in declaration.doc.cites:
            assert cite.value.startswith("S"), cite.value


# ------------------------------------------------------------------------------------------
# The examples


def _policy_examples(path: Path) -> list[Any]:
    module = parse(path.read_text(encoding="utf-8"), str(path))
    return [d for d in module.declarations if type(d).__name__ == "ExampleDecl"]


@pytest.mark.parametrize(
    "index", range(len(_policy_examples(UNIT_POLICY))), ids=lambda i: f"example-{i + 1}"
)
def test_examples_written_in_the_policy_hold(index: int) -> None:
    """Each `example` of unit.policy holds, run as `wuxin test` runs it."""
    from wuxin_rules import examples, suite_checker

    suite = suite_checker.load_suite(UNIT_POLICY)
    assert len(suite.examples) == len(_policy_examples(UNIT_POLICY))
    result = examples.run_example(suite, suite.examples[index])
    assert result.passed, examples.render_example_result(result)


def test_example_village_passes(policy: wuxin_rules.Policy) -> None:
    """The sample village of RULES.md meets all six standards."""
    result = policy.evaluate(read_json(EXAMPLES / "village-pass.json"))
    assert actual(result) == Expected(True, [], "district_commission")
    assert result["growth_threshold"] == Decimal("0.0155")
    assert result["enforcement_threshold"] == Decimal("0.84")
    assert result["group"] == "village_level"


def test_example_village_fails_s21_and_s23(policy: wuxin_rules.Policy) -> None:
    """The failing example fails S2.1 (a lab) and S2.3's growth half, and nothing else."""
    result = policy.evaluate(read_json(EXAMPLES / "village-fail.json"))
    assert actual(result) == Expected(False, ["S2.1", "S2.3"], "district_commission")
    assert result["standard_1"] is False
    assert result["standard_3"] is False
    assert [result[f"standard_{n}"] for n in (2, 4, 5, 6)] == [True] * 4


def test_example_failure_is_explained_with_clause_labels(policy: wuxin_rules.Policy) -> None:
    """The explanation of the failing village names the failed standards in Chinese, cited."""
    result = policy.evaluate(read_json(EXAMPLES / "village-fail.json"))
    text = result.explain("drug_free", mode="full")
    assert "无毒单位" in text
    assert "辖区内无制毒窝点" in text and "S2.1" in text
    assert "辖区内吸毒人员增幅低于全省平均水平50%" in text and "S2.3" in text
    assert "0.045" in text and "0.0155" in text


def test_units_jsonl_verdicts(policy: wuxin_rules.Policy) -> None:
    """Every unit of examples/units.jsonl gets the verdicts written here and the oracle's."""
    expected_failures = {
        "zk-hh-p01": [],
        "zk-cl-t01": ["S2.3"],  # −3% against −4%: the naive bar (−2%) would pass it
        "zk-hh-s01": [],  # −7% is below the −6% bar
        "zk-lx-v01": [],  # growth 0.0155 and enforcement 0.84 exactly on both bars
        "zk-lx-v02": ["S2.2"],
        "zk-cj-c01": ["S2.3"],  # enforcement 0.8399, one ten-thousandth short
        "zk-cj-c02": ["S2.6"],
        "zk-gov-a01": [],
        "zk-edu-s01": ["S2.5"],
        "zk-ent-e01": [],
        "zk-ent-e02": ["S2.5"],
        "zk-ven-k01": ["S2.5"],
        "zk-cl-t02": ["S2.1", "S2.3", "S2.4", "S2.6"],
    }
    documents = list(read_jsonl(EXAMPLES / "units.jsonl"))
    assert len(documents) >= 10
    assert len({d["unit"]["kind"] for d in documents}) == len(KINDS)
    results = policy.evaluate_many(documents, rules=VERDICT_RULES)
    for document, result in zip(documents, results, strict=True):
        unit = document["unit"]
        assert result["failed_standards"] == expected_failures[unit["id"]], unit["id"]
        assert actual(result) == oracle(unit), unit["id"]


@pytest.mark.parametrize(
    ("kind", "group", "authority"),
    [
        ("park", "town_level", "city_commission"),
        ("town", "town_level", "city_commission"),
        ("street", "town_level", "city_commission"),
        ("village", "village_level", "district_commission"),
        ("community", "village_level", "district_commission"),
        ("agency", "agency", "district_commission"),
        ("school", "school", "district_commission"),
        ("enterprise", "enterprise_level", "district_commission"),
        ("venue", "enterprise_level", "district_commission"),
    ],
)
def test_group_and_authority_of_each_kind(
    policy: wuxin_rules.Policy, kind: str, group: str, authority: str
) -> None:
    """Each kind falls in its S4 target group and is awarded by its S3.2 authority."""
    document = read_json(EXAMPLES / "village-pass.json")
    document["unit"]["kind"] = kind
    result = policy.evaluate(document, rules=["group", "awarding_authority"])
    assert (result["group"], result["awarding_authority"]) == (group, authority)


# ------------------------------------------------------------------------------------------
# The S2.3 interpretation


def test_negative_average_uses_its_magnitude(policy: wuxin_rules.Policy) -> None:
    """For a −4% provincial average the bar is −6%, not the naive −2% above the average."""
    document = read_json(EXAMPLES / "village-pass.json")
    unit = document["unit"]
    unit["province_addict_growth_rate"] = Decimal("-0.04")
    unit["addict_growth_rate"] = Decimal("-0.03")
    assert naive_growth_ok(unit)  # the reading the policy must not use would pass this unit
    result = policy.evaluate(document)
    assert result["growth_threshold"] == Decimal("-0.06")
    assert result["failed_standards"] == ["S2.3"]
    unit["addict_growth_rate"] = Decimal("-0.06")
    assert policy.evaluate(document)["drug_free"] is True


def test_thresholds_are_exact_where_floats_are_not(policy: wuxin_rules.Policy) -> None:
    """0.1 + 20% × 0.1 is exactly 0.12: a unit at 0.12 meets the bar (floats say it misses)."""
    document = read_json(EXAMPLES / "village-pass.json")
    unit = document["unit"]
    unit["province_enforcement_rate"] = Decimal("0.1")
    unit["enforcement_rate"] = Decimal("0.12")
    assert not (0.12 >= 0.1 + 0.2 * 0.1)  # the float trap this case is about
    result = policy.evaluate(document)
    assert result["enforcement_threshold"] == Decimal("0.12")
    assert result["drug_free"] is True
    unit["enforcement_rate"] = Decimal("0.1199")
    assert policy.evaluate(document)["failed_standards"] == ["S2.3"]


def test_margins_are_overridable(policy: wuxin_rules.Policy) -> None:
    """The 50% and 20% margins are params: a stricter margin fails the passing village."""
    document = read_json(EXAMPLES / "village-pass.json")
    strict = wuxin_rules.load(UNIT_POLICY, params={"growth_margin": "70%"})
    assert strict.evaluate(document)["growth_threshold"] == Decimal("0.0093")
    assert strict.evaluate(document)["failed_standards"] == ["S2.3"]
    assert policy.evaluate(document)["drug_free"] is True


# ------------------------------------------------------------------------------------------
# Generated units against the oracle


def test_generated_units_cover_the_hard_cases() -> None:
    """The generated units include every hard case in numbers (so the next test means something)."""
    modes = Counter(mode for unit in GENERATED for mode in unit["id"].split("/")[1:])
    verdicts = [oracle(unit) for unit in GENERATED]
    assert (
        modes["on"] + modes["negative-on"] >= 100
        and modes["negative"] >= 50
        and modes["zero"] >= 50
    )
    assert sum(v.drug_free for v in verdicts) >= 50
    failed = Counter(clause for v in verdicts for clause in v.failed_standards)
    assert all(failed[clause] >= 20 for clause in CLAUSES), failed
    float_wrong = [
        u for u in GENERATED if float_s23(u) != ("S2.3" not in oracle(u).failed_standards)
    ]
    assert len(float_wrong) >= 15
    naive_wrong = [
        u
        for u in GENERATED
        if u["province_addict_growth_rate"] < 0
        and naive_growth_ok(u)
        != (u["addict_growth_rate"] <= growth_threshold(u["province_addict_growth_rate"]))
    ]
    assert len(naive_wrong) >= 20
    assert {unit["kind"] for unit in GENERATED} == set(KINDS)


def test_generated_units_match_the_oracle(policy: wuxin_rules.Policy) -> None:
    """600 generated units get exactly the oracle's drug_free, failed_standards and authority."""
    mismatches = compare_with_oracle(policy, GENERATED)
    assert not mismatches, f"{len(mismatches)} mismatches, first:\n" + "\n".join(mismatches[:3])


@pytest.mark.parametrize(
    ("growth", "enforcement"),
    [("0%", "0%"), ("30%", "35%"), ("100%", "20%"), ("12.5%", "150%")],
)
def test_generated_units_match_the_oracle_with_other_margins(growth: str, enforcement: str) -> None:
    """With the margins overridden, the verdicts still follow the oracle with those margins."""
    policy = wuxin_rules.load(
        UNIT_POLICY, params={"growth_margin": growth, "enforcement_margin": enforcement}
    )
    margins = {
        "growth_margin": Decimal(growth[:-1]) / 100,
        "enforcement_margin": Decimal(enforcement[:-1]) / 100,
    }
    mismatches = compare_with_oracle(policy, GENERATED[:200], **margins)
    assert not mismatches, f"{len(mismatches)} mismatches, first:\n" + "\n".join(mismatches[:3])


_rates = st.integers(-6000, 6000).map(lambda n: Decimal(n).scaleb(-4))
_enforcement_rates = st.integers(0, 15000).map(lambda n: Decimal(n).scaleb(-4))


@st.composite
def _units(draw: st.DrawFn) -> dict[str, Any]:
    province_growth = draw(_rates)
    bar = growth_threshold(province_growth)
    growth = draw(
        st.one_of(_rates, st.sampled_from([bar, bar + Decimal("1e-6"), bar - Decimal("1e-6")]))
    )
    province_enforcement = draw(_enforcement_rates)
    floor = enforcement_threshold(province_enforcement)
    enforcement = draw(
        st.one_of(_enforcement_rates, st.sampled_from([floor, floor + Decimal("1e-6")]))
    )
    unit: dict[str, Any] = {
        "id": "hypothesis",
        "name": draw(st.text(min_size=1, max_size=5)),
        "kind": draw(st.sampled_from(KINDS)),
        "year": draw(st.integers(2015, 2020)),
        "addict_growth_rate": growth,
        "province_addict_growth_rate": province_growth,
        "enforcement_rate": enforcement,
        "province_enforcement_rate": province_enforcement,
        "responsibility": {name: draw(st.booleans()) for name in RESPONSIBILITIES},
    }
    for name in COUNTS:
        unit[name] = draw(st.sampled_from([0, 0, 0, 1, 7]))
    return unit


@settings(max_examples=150, deadline=None)
@given(unit=_units())
def test_hypothesis_units_match_the_oracle(unit: dict[str, Any]) -> None:
    """Units drawn by hypothesis (shrunk on failure) get the oracle's verdicts."""
    result = _default_policy().evaluate({"unit": unit}, rules=VERDICT_RULES)
    assert actual(result) == oracle(unit)


_CACHE: dict[str, wuxin_rules.Policy] = {}


def _default_policy() -> wuxin_rules.Policy:
    if "unit" not in _CACHE:
        _CACHE["unit"] = wuxin_rules.load(UNIT_POLICY)
    return _CACHE["unit"]


# ------------------------------------------------------------------------------------------
# The policy from another field


def test_library_example_patron_may_borrow() -> None:
    """The library policy: 4 of 5 returns on time is exactly the 80% target; borrowing allowed."""
    library = wuxin_rules.load(LIBRARY_POLICY)
    result = library.evaluate(read_json(EXAMPLES / "other" / "patron-ok.json"))
    assert result["on_time_rate"] == Decimal("0.8")
    assert result["unpaid_fines"] == Decimal("0.5")
    assert result["items_out"] == 2
    assert result["may_borrow"] is True


def test_library_example_patron_is_blocked() -> None:
    """The blocked patron owes 3.35 after paying 0.40, returned 2 of 3 on time, has one overdue."""
    library = wuxin_rules.load(LIBRARY_POLICY)
    result = library.evaluate(read_json(EXAMPLES / "other" / "patron-blocked.json"))
    assert result["on_time_rate"] == Fraction(2, 3)
    assert result["unpaid_fines"] == Decimal("3.35")
    assert result["overdue_items"] == 1
    assert result["punctual"] is False
    assert result["may_borrow"] is False
    lenient = library.with_params({"fine_cap": "5", "punctuality_target": "60%"})
    relaxed = lenient.evaluate(read_json(EXAMPLES / "other" / "patron-blocked.json"))
    assert (relaxed["punctual"], relaxed["may_borrow"]) == (True, False)  # still one overdue
