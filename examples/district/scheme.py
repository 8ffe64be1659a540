"""The flagship policies the district example runs, loaded and checked once."""

from __future__ import annotations

from pathlib import Path

import wuxin_rules

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
POLICIES = REPO / "policies" / "drug_free"
NAMES = ("town", "district", "titles", "spot_check", "reporting", "assessment", "accountability")


def load_policies() -> dict[str, wuxin_rules.Policy]:
    """Each policy of the scheme the example evaluates, by its file's stem."""
    return {name: wuxin_rules.load(POLICIES / f"{name}.policy") for name in NAMES}
