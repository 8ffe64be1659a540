"""What the scheme decides about the district, year by year: every verdict asked of the
policies, kept with the rule that decided it, for the text, HTML and workbook reports.

Nothing here decides anything: each number and word comes from a policy's result (rates,
targets, whether a target is met, who is listed, drawn, revoked, late, graded, accountable);
this module only picks the results out, with the labels the policies give their values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from scheme import REPO

import wuxin_rules
from wuxin_rules.schema import EnumType, ListType, OptionalType, RecordType, Type

UNIT_FIELDS = (
    "id", "name", "kind", "year", "drug_labs", "trafficking_groups", "addict_growth_rate",
    "province_addict_growth_rate", "enforcement_rate", "province_enforcement_rate",
    "fugitive_key_offenders", "venue_drug_cases", "uncontrolled_substance_firms",
    "group_drug_use_incidents", "responsibility",
)  # fmt: skip
FLAGS = ("falsification", "severe_group_incident", "media_exposed_major_case", "capped")


# ------------------------------------------------------------------------------------------
# Where a finding comes from


@dataclass(frozen=True)
class Ref:
    """The rule that decided a finding: its policy, name, label, clauses and line."""

    policy: str
    rule: str
    label: str
    cites: tuple[str, ...]
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def ref(policy: str, result: wuxin_rules.Result, rule: str) -> Ref:
    verdict = result.verdict(rule)
    span = verdict.span
    file = str(span.source.name).replace(str(REPO) + "/", "") if span is not None else "?"
    return Ref(policy, rule, verdict.label or rule, tuple(verdict.cites), file,
               span.line if span is not None else 0)  # fmt: skip


@dataclass(frozen=True)
class Finding:
    """A finding's rule and the result it was read from (for `--explain`)."""

    ref: Ref
    result: wuxin_rules.Result = field(compare=False, repr=False)


def found(policy: str, result: wuxin_rules.Result, rule: str) -> Finding:
    return Finding(ref(policy, result, rule), result)


# ------------------------------------------------------------------------------------------
# Labels of values, from the types the policies declare


def _strip(type_: Type) -> Type:
    while isinstance(type_, OptionalType | ListType):
        type_ = type_.inner if isinstance(type_, OptionalType) else type_.element
    return type_


def member_label(type_: Type, value: str) -> str:
    """The label the policy gives an enum member (its name when it has none)."""
    enum = _strip(type_)
    if isinstance(enum, EnumType):
        member = enum.member(value)
        if member is not None and member.label:
            return member.label
    return value


def field_type(type_: Type, name: str) -> Type:
    record = _strip(type_)
    assert isinstance(record, RecordType)
    info = record.field(name)
    assert info is not None
    return info.type


def field_label(type_: Type, name: str) -> str:
    record = _strip(type_)
    assert isinstance(record, RecordType)
    info = record.field(name)
    return info.label if info is not None and info.label else name


def labels(result: wuxin_rules.Result, rule: str) -> list[str]:
    """The labels of an enum-valued rule's value (a list, or one member)."""
    value = result[rule]
    type_ = result.verdict(rule).type
    if value is None:
        return []
    values = value if isinstance(value, list | tuple) else [value]
    return [member_label(type_, v) for v in values]


def percent(value: Any) -> str:
    """An exact share shown as a percentage (display only: the verdicts stay exact)."""
    share = Fraction(value) * 100
    if share.denominator == 1:
        return f"{share}%"
    return f"{decimal_text(share, '0.01')}%"


def decimal_text(value: Any, places: str = "0.01") -> str:
    """An exact number rounded for display, trailing zeros dropped."""
    number = Fraction(value)
    rounded = (Decimal(number.numerator) / number.denominator).quantize(
        Decimal(places), ROUND_HALF_UP
    )
    text = f"{rounded}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ------------------------------------------------------------------------------------------
# The findings


@dataclass(frozen=True)
class GroupRate:
    """One target group: units meeting the standards of all units, the rate and the target."""

    group: str
    label: str
    drug_free: int
    units: int
    rate: Fraction
    target: Fraction | None
    meets: bool | None


@dataclass(frozen=True)
class Town:
    id: str
    name: str
    meets: bool | None
    rates: tuple[GroupRate, ...]
    listed: bool
    listed_by: tuple[str, ...]
    finding: Finding
    listing: Finding


@dataclass(frozen=True)
class Draw:
    authority: str
    seed: str
    size: int
    candidates: int
    sample: tuple[tuple[str, str], ...]  # (id, name)
    recorded: tuple[str, ...]
    finding: Finding

    @property
    def as_recorded(self) -> bool:
        return tuple(uid for uid, _ in self.sample) == self.recorded


@dataclass(frozen=True)
class Revoked:
    id: str
    name: str
    failed_spot_check: bool
    accountable_authority: str | None
    failed_standards: tuple[tuple[str, str], ...]  # (clause, the standard's label)
    finding: Finding


@dataclass(frozen=True)
class Report:
    reporter: str
    quarter: int
    due: str
    submitted: str | None
    days_late: int | None
    on_due_day: bool
    missing: tuple[str, ...]
    finding: Finding  # days_late, or on_time when not received
    completeness: Finding


@dataclass(frozen=True)
class Assessment:
    id: str
    name: str
    total: Fraction | None
    rate_score: Fraction | None
    grade: str | None
    finding: Finding


@dataclass(frozen=True)
class Accountable:
    id: str
    name: str
    reasons: tuple[str, ...]
    finding: Finding


@dataclass(frozen=True)
class Year:
    year: int
    stage: str | None
    rates: tuple[GroupRate, ...]
    meets_targets: bool | None
    groups_short: tuple[str, ...]
    district: Finding
    towns: tuple[Town, ...]
    draws: tuple[Draw, ...]
    titles_held: int
    titles_eligible: int
    revoked: tuple[Revoked, ...]
    title_mismatches: tuple[str, ...]
    reports: tuple[Report, ...]
    report_count: int
    assessments: tuple[Assessment, ...]
    accountable: tuple[Accountable, ...]
    headers: Mapping[str, str]
    """Labels of the rate table's columns (from the policies' GroupRate record)."""

    @property
    def late(self) -> tuple[Report, ...]:
        return tuple(r for r in self.reports if r.days_late is not None and r.days_late > 0)

    @property
    def not_received(self) -> tuple[Report, ...]:
        return tuple(r for r in self.reports if r.days_late is None)

    @property
    def incomplete(self) -> tuple[Report, ...]:
        return tuple(r for r in self.reports if r.missing)

    @property
    def listed(self) -> tuple[Town, ...]:
        return tuple(t for t in self.towns if t.listed)


def _rates(result: wuxin_rules.Result) -> tuple[GroupRate, ...]:
    type_ = result.verdict("rates").type
    group_type = field_type(type_, "group")
    return tuple(
        GroupRate(
            r["group"], member_label(group_type, r["group"]), r["drug_free_units"], r["units"],
            Fraction(r["rate"]), None if r["target"] is None else Fraction(r["target"]), r["meets"],
        )
        for r in result["rates"]
    )  # fmt: skip


def rate_headers(result: wuxin_rules.Result) -> dict[str, str]:
    type_ = result.verdict("rates").type
    return {name: field_label(type_, name)
            for name in ("group", "units", "drug_free_units", "rate", "target", "meets")}  # fmt: skip


def unit_of(record: Mapping[str, Any]) -> dict[str, Any]:
    """The `Unit` fields of a record (a town's own facts without its `units`)."""
    return {name: record[name] for name in UNIT_FIELDS}


def collect_year(year: Mapping[str, Any], policies: Mapping[str, wuxin_rules.Policy],
                 next_year: Mapping[str, Any] | None) -> Year:  # fmt: skip
    """Every verdict of the scheme for one year of the district."""
    y = year["year"]
    towns = year["towns"]
    everyone = [unit_of(t) for t in towns] + [u for t in towns for u in t["units"]]
    everyone += year["district_units"]
    names = {u["id"]: u["name"] for u in everyone}

    # S4: the district.
    district = policies["district"].evaluate({"district": {"year": y, "units": everyone}})
    stage = labels(district, "campaign_stage")

    # S4 and S4.R: each park, town and street.
    town_rows = []
    for town, result in zip(towns, policies["town"].evaluate_many([{"town": t} for t in towns]),
                            strict=True):  # fmt: skip
        town_rows.append(Town(
            town["id"], town["name"], result["meets_targets"], _rates(result),
            bool(result["remediation_listed"]), tuple(labels(result, "listed_by")),
            found("town", result, "meets_targets"), found("town", result, "remediation_listed"),
        ))  # fmt: skip

    # S3.2: titles, re-evaluation and spot checks.
    titles = year["titles"]
    documents = [{"unit": {**u, **titles[u["id"]]}} for u in everyone]
    title_results = dict(zip(
        (u["id"] for u in everyone), policies["titles"].evaluate_many(documents), strict=True
    ))  # fmt: skip
    draws = []
    for check in year["spot_checks"]:
        pool_units = [
            {"id": uid, "title_held": titles[uid]["title_held"],
             "awarded_by": title_results[uid]["awarding_authority"]}
            for uid in sorted(title_results)
        ]  # fmt: skip
        pool = {"authority": check["authority"], "year": y, "seed": check["seed"],
                "units": pool_units}  # fmt: skip
        drawn = policies["spot_check"].evaluate({"pool": pool})
        recorded = tuple(sorted(
            uid for uid in title_results
            if titles[uid]["spot_checked"]
            and title_results[uid]["awarding_authority"] == check["authority"]
        ))  # fmt: skip
        authority_type = policies["spot_check"].checked.inputs[0].type
        draws.append(Draw(
            member_label(field_type(authority_type, "authority"), check["authority"]),
            check["seed"], drawn["sample_size"], len(drawn["candidates"]),
            tuple((uid, names[uid]) for uid in drawn["sample"]), recorded,
            found("spot_check", drawn, "sample"),
        ))  # fmt: skip
    standard_labels = _standard_labels(policies)
    revoked = []
    for uid, result in title_results.items():
        if result["title_revoked"]:
            accountable = labels(result, "accountable_authority")
            revoked.append(Revoked(
                uid, names[uid], bool(result["failed_spot_check"]),
                accountable[0] if accountable else None,
                tuple((c, standard_labels.get(c, c)) for c in result["failed_standards"]),
                found("titles", result, "title_revoked"),
            ))  # fmt: skip
    mismatches: tuple[str, ...] = ()
    if next_year is not None:
        mismatches = tuple(uid for uid, r in title_results.items()
                           if r["title_after"] != next_year["titles"][uid]["title_held"])  # fmt: skip

    # S5: the quarterly reports.
    reports = []
    results = policies["reporting"].evaluate_many([{"report": r} for r in year["reports"]])
    for report, result in zip(year["reports"], results, strict=True):
        late = result["days_late"]
        missing = tuple(labels(result, "missing_indicators"))
        on_due_day = report["submitted_on"] == str(result["due_date"]) and late == 0
        if late is None or late > 0 or missing or on_due_day:
            reports.append(Report(
                report["reporter"], report["quarter"], str(result["due_date"]),
                report["submitted_on"], late, on_due_day, missing,
                found("reporting", result, "on_time" if late is None else "days_late"),
                found("reporting", result, "complete"),
            ))  # fmt: skip

    # S3.1 and S6.2: the towns' assessments.
    documents = [{"assessee": {**t, "scores": year["scores"][t["id"]]}} for t in towns]
    assessments = []
    for town, result in zip(towns, policies["assessment"].evaluate_many(documents), strict=True):
        grade = labels(result, "grade")
        total, score = result["total_score"], result["drug_free_rate_score"]
        assessments.append(Assessment(
            town["id"], town["name"], None if total is None else Fraction(total),
            None if score is None else Fraction(score), grade[0] if grade else None,
            found("assessment", result, "grade"),
        ))  # fmt: skip

    # S6.3 and S3.2.3: accountability.
    flagged = [u for u in everyone
               if u["id"] in year["incidents"] or titles[u["id"]]["spot_checked"]]  # fmt: skip
    documents = [
        {"unit": {**u, **titles[u["id"]],
                  **{f: year["incidents"].get(u["id"], {}).get(f, False) for f in FLAGS}}}
        for u in flagged
    ]  # fmt: skip
    accountable_rows = [
        Accountable(u["id"], u["name"], tuple(result["accountability_reasons"]),
                    found("accountability", result, "accountability_required"))
        for u, result in zip(flagged, policies["accountability"].evaluate_many(documents),
                             strict=True)
        if result["accountability_required"]
    ]  # fmt: skip

    return Year(
        y, stage[0] if stage else None, _rates(district), district["meets_targets"],
        tuple(labels(district, "groups_short")), found("district", district, "meets_targets"),
        tuple(town_rows), tuple(draws),
        sum(bool(titles[uid]["title_held"]) for uid in titles),
        sum(bool(r["eligible_for_title"]) for r in title_results.values()),
        tuple(revoked), mismatches, tuple(reports), len(year["reports"]),
        tuple(assessments), tuple(accountable_rows), rate_headers(district),
    )  # fmt: skip


def _standard_labels(policies: Mapping[str, wuxin_rules.Policy]) -> dict[str, str]:
    """Each of the six standards' clause → its label, from the criteria of `drug_free.unit`
    that cite exactly one S2 clause (`standard_1` … `standard_6`)."""
    out: dict[str, str] = {}
    for rule in policies["titles"].checked.rules.values():
        if (
            rule.module == "drug_free.unit"
            and re.fullmatch(r"standard_\d+", rule.name)
            and rule.label
        ):
            out.setdefault(rule.cites[0], rule.label)
    return out


def collect(data: Mapping[str, Any], policies: Mapping[str, wuxin_rules.Policy],
            only: Sequence[int] | None = None) -> list[Year]:  # fmt: skip
    """Every year's findings (or the years in `only`)."""
    years = data["years"]
    out = []
    for index, year in enumerate(years):
        if only and year["year"] not in only:
            continue
        following = years[index + 1] if index + 1 < len(years) else None
        out.append(collect_year(year, policies, following))
    return out
