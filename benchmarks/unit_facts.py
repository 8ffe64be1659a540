"""Deterministic facts for the benchmarks: unit records for the S2 "drug_free" standards.

`generate_units(n, seed)` yields `n` facts documents shaped as in RULES.md "Fact records"
(`{"unit": {...}}`), the way `json.loads(text, parse_float=Decimal)` would give them: ints,
bools, text and `Decimal` numbers, never a float. The mix is meant to look like real data
and to be hard on number handling:

* about 60% of the units meet all six standards; a failing unit misses one or two of them;
* the provincial addict growth average is negative for about a third of the units (a year
  the count fell), which is where a naive `0.5 * average` would go wrong;
* about a third of the units sit exactly on one of the two S2.3 thresholds (and pass, since
  the comparisons are `<=` / `>=`), and failing S2.3 units often miss by a single 0.0001;
* provincial averages have 3 decimal places, a unit's own rates 4, so every threshold
  (`average ∓ margin × abs(average)` with margins 50% and 20%) is exact at 4 places.

`hand_written_drug_free(unit)` is the exact reference (the benchmark's baseline), and
`thresholds(unit)` gives the two S2.3 bars for reports. This module imports only the
standard library, so every benchmark can use it without wuxin_rules installed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

__all__ = [
    "ENFORCEMENT_MARGIN",
    "GROWTH_MARGIN",
    "KINDS",
    "RESPONSIBILITY_FIELDS",
    "generate_units",
    "hand_written_drug_free",
    "thresholds",
    "to_json_line",
]

GROWTH_MARGIN = Decimal("0.5")
"""S2.3: a unit's addict growth must lie below the provincial average by 50% of its size."""

ENFORCEMENT_MARGIN = Decimal("0.2")
"""S2.3: a unit's enforcement level must lie above the provincial average by 20% of its size."""

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

RESPONSIBILITY_FIELDS = (
    "duties_assigned",
    "team_in_place",
    "infrastructure_complete",
    "work_funded",
)

_STANDARDS = ("S2.1", "S2.2", "S2.3", "S2.4", "S2.5", "S2.6")

_STEP = Decimal("0.0001")


def hand_written_drug_free(unit: dict[str, Any]) -> bool:
    """The six S2 standards written by hand, exactly (Decimal inputs, `abs()` thresholds).

    Validates nothing: this is the fastest correct Python a programmer would write, the
    baseline every engine is compared with.
    """
    p = unit["province_addict_growth_rate"]
    q = unit["province_enforcement_rate"]
    r = unit["responsibility"]
    return (
        unit["drug_labs"] == 0
        and unit["trafficking_groups"] == 0
        and unit["addict_growth_rate"] <= p - GROWTH_MARGIN * abs(p)
        and unit["enforcement_rate"] >= q + ENFORCEMENT_MARGIN * abs(q)
        and unit["fugitive_key_offenders"] == 0
        and unit["venue_drug_cases"] == 0
        and unit["uncontrolled_substance_firms"] == 0
        and unit["group_drug_use_incidents"] == 0
        and r["duties_assigned"]
        and r["team_in_place"]
        and r["infrastructure_complete"]
        and r["work_funded"]
    )


def thresholds(unit: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """The S2.3 bars of a unit: (highest allowed growth, lowest allowed enforcement)."""
    p = unit["province_addict_growth_rate"]
    q = unit["province_enforcement_rate"]
    return p - GROWTH_MARGIN * abs(p), q + ENFORCEMENT_MARGIN * abs(q)


def _places(rng: random.Random, low: int, high: int, places: int) -> Decimal:
    """A random decimal in [low, high] × 10^-places, with exactly `places` places."""
    return Decimal(rng.randint(low, high)).scaleb(-places)


def _unit(rng: random.Random, index: int) -> dict[str, Any]:
    passes = rng.random() < 0.6
    failing: set[str] = set()
    if not passes:
        failing.add(rng.choice(_STANDARDS))
        if rng.random() < 0.3:
            failing.add(rng.choice(_STANDARDS))

    def count(standard: str) -> int:
        return rng.randint(1, 3) if standard in failing else 0

    # Provincial averages: 3 places; growth negative about a third of the time.
    negative = rng.random() < 0.35
    p = _places(rng, -80, -1, 3) if negative else _places(rng, 0, 80, 3)  # −8% … 8%
    q = _places(rng, 300, 900, 3)  # 30% … 90%
    growth_bar = p - GROWTH_MARGIN * abs(p)
    enforcement_bar = q + ENFORCEMENT_MARGIN * abs(q)

    # Own rates: 4 places; on the bar, inside it, or (when failing) just or well outside.
    growth_bad = enforcement_bad = False
    if "S2.3" in failing:
        which = rng.random()
        growth_bad = which < 0.6 or which > 0.85
        enforcement_bad = which >= 0.6
    if growth_bad:
        g = growth_bar + (_STEP if rng.random() < 0.5 else _STEP * rng.randint(2, 400))
    elif rng.random() < 0.18:
        g = growth_bar
    else:
        g = growth_bar - _STEP * rng.randint(1, 600)
    if enforcement_bad:
        e = enforcement_bar - (_STEP if rng.random() < 0.5 else _STEP * rng.randint(2, 1500))
    elif rng.random() < 0.18:
        e = enforcement_bar
    else:
        e = enforcement_bar + _STEP * rng.randint(1, 2000)
    g = max(g, Decimal("-1.0000")).quantize(_STEP)
    e = max(e, Decimal("0.0000")).quantize(_STEP)

    venue, firms, incidents = 0, 0, 0
    if "S2.5" in failing:
        which = rng.randrange(3)
        venue, firms, incidents = (rng.randint(1, 2) if i == which else 0 for i in range(3))

    responsibility = dict.fromkeys(RESPONSIBILITY_FIELDS, True)
    if "S2.6" in failing:
        for name in rng.sample(RESPONSIBILITY_FIELDS, rng.randint(1, 2)):
            responsibility[name] = False

    return {
        "unit": {
            "id": f"bench-{index:07d}",
            "name": f"单位{index:07d}",
            "kind": rng.choice(KINDS),
            "year": rng.randint(2015, 2020),
            "drug_labs": count("S2.1"),
            "trafficking_groups": count("S2.2"),
            "addict_growth_rate": g,
            "province_addict_growth_rate": p,
            "enforcement_rate": e,
            "province_enforcement_rate": q,
            "fugitive_key_offenders": count("S2.4"),
            "venue_drug_cases": venue,
            "uncontrolled_substance_firms": firms,
            "group_drug_use_incidents": incidents,
            "responsibility": responsibility,
        }
    }


def generate_units(n: int, seed: int = 2015) -> Iterator[dict[str, Any]]:
    """Yield `n` facts documents `{"unit": {...}}`, the same ones for the same seed."""
    rng = random.Random(seed)
    for index in range(n):
        yield _unit(rng, index)


_KEYS: dict[str, str] = {}


def _encode(value: Any) -> str:
    # json has no hook for writing a number's own text, so decimals are spliced in; keys are
    # few and repeat on every line, so their encodings are kept.
    kind = type(value)
    if kind is dict:
        items = []
        for key, item in value.items():
            encoded = _KEYS.get(key)
            if encoded is None:
                encoded = _KEYS[key] = json.dumps(key, ensure_ascii=False) + ":"
            items.append(encoded + _encode(item))
        return "{" + ",".join(items) + "}"
    if kind is Decimal:
        return format(value, "f")
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def to_json_line(document: dict[str, Any]) -> str:
    """One document as a line of JSON, decimals written exactly as they are."""
    return _encode(document)
