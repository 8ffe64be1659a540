"""Shared helpers for the flagship tests (`tests/test_flagship_*.py`): the policies, loaded
once per test run, and builders of fact records in the shape of RULES.md "Fact records".

The builders only assemble JSON-shaped data; they know nothing of the rules. A unit is made
drug-free or not by choosing its facts (a unit built with `drug_free=False` has one drug lab,
which fails S2.1 and nothing else).
"""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

import wuxin_rules

ROOT = Path(__file__).resolve().parents[1]
POLICY_ROOT = ROOT / "policies"
DRUG_FREE = POLICY_ROOT / "drug_free"

MODULES = (
    "units",
    "unit",
    "targets",
    "town",
    "district",
    "titles",
    "spot_check",
    "reporting",
    "assessment",
    "accountability",
)
GROUPS = ("town_level", "village_level", "agency", "school", "enterprise_level")
KIND_GROUP = {
    "park": "town_level",
    "town": "town_level",
    "street": "town_level",
    "village": "village_level",
    "community": "village_level",
    "agency": "agency",
    "school": "school",
    "enterprise": "enterprise_level",
    "venue": "enterprise_level",
}
TOWN_KINDS = ("park", "town", "street")
RESPONSIBILITIES = ("duties_assigned", "team_in_place", "infrastructure_complete", "work_funded")


@functools.cache
def policy(module: str) -> wuxin_rules.Policy:
    """`policies/drug_free/<module>.policy`, loaded and checked once per test run."""
    return wuxin_rules.load(DRUG_FREE / f"{module}.policy")


@functools.cache
def module_texts() -> dict[str, str]:
    """Every flagship module's text by dotted name (for `wuxin_rules.loads(files=…)`)."""
    return {
        f"drug_free.{name}": (DRUG_FREE / f"{name}.policy").read_text(encoding="utf-8")
        for name in MODULES
    }


def probe(text: str, **texts: str) -> wuxin_rules.Policy:
    """A small policy written in a test that imports the flagship modules (some of which may
    be replaced by `texts`, module short name → text)."""
    files = dict(module_texts())
    files.update({f"drug_free.{name}": body for name, body in texts.items()})
    return wuxin_rules.loads(text, name="probe.policy", files=files)


def unit(
    id: str = "u",
    kind: str = "village",
    *,
    year: int = 2017,
    drug_free: bool = True,
    **overrides: Any,
) -> dict[str, Any]:
    """A unit record (RULES.md's sample village, renamed), drug-free unless told otherwise."""
    record: dict[str, Any] = {
        "id": id,
        "name": f"单位{id}",
        "kind": kind,
        "year": year,
        "drug_labs": 0 if drug_free else 1,
        "trafficking_groups": 0,
        "addict_growth_rate": Decimal("0.012"),
        "province_addict_growth_rate": Decimal("0.031"),
        "enforcement_rate": Decimal("0.95"),
        "province_enforcement_rate": Decimal("0.70"),
        "fugitive_key_offenders": 0,
        "venue_drug_cases": 0,
        "uncontrolled_substance_firms": 0,
        "group_drug_use_incidents": 0,
        "responsibility": {name: True for name in RESPONSIBILITIES},
    }
    record.update(overrides)
    return record


def units_of(
    kind: str, total: int, drug_free: int, *, year: int = 2017, prefix: str = ""
) -> list[dict[str, Any]]:
    """`total` units of one kind, the first `drug_free` of them drug-free."""
    return [
        unit(f"{prefix}{kind}-{n:03d}", kind, year=year, drug_free=n < drug_free)
        for n in range(total)
    ]


def town(
    units: list[dict[str, Any]],
    *,
    year: int = 2017,
    kind: str = "town",
    id: str = "t01",
    drug_free: bool = True,
    **overrides: Any,
) -> dict[str, Any]:
    """A park/town/street record with its subordinate units."""
    return {**unit(id, kind, year=year, drug_free=drug_free, **overrides), "units": units}


def titled(
    kind: str = "village",
    *,
    drug_free: bool = True,
    title_held: bool = True,
    spot_checked: bool = False,
    spot_check_passed: bool | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A unit record with the title facts of S3.2."""
    return {
        **unit("tu", kind, drug_free=drug_free, **overrides),
        "title_held": title_held,
        "spot_checked": spot_checked,
        "spot_check_passed": spot_check_passed,
    }


def scores(value: int | str | Decimal = 80, **overrides: Any) -> dict[str, Any]:
    """The five assessors' scores of S3.1, all `value` unless overridden."""
    names = (
        "organization",
        "crackdown",
        "industry_management",
        "addict_control",
        "prevention_education",
    )
    record: dict[str, Any] = {name: Decimal(value) for name in names}
    record.update({name: Decimal(v) for name, v in overrides.items()})
    return record
