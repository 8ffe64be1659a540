"""`docs/flagship.md` stays true: every clause of RULES.md is in its table, every policy
reference (`town.policy:59 remediation_listed`) names the declaration on that line, and every
test it cites exists."""

from __future__ import annotations

import re

from flagship_kit import DRUG_FREE, ROOT

DOC = ROOT / "docs" / "flagship.md"
TEST_FILES = (
    "test_flagship_unit",
    "test_flagship_scheme",
    "test_flagship_oracle",
    "test_flagship_district",
)
CLAUSES = (
    "S2", "S2.1", "S2.2", "S2.3", "S2.4", "S2.5", "S2.6", "S3.1", "S3.2", "S3.2.1", "S3.2.2",
    "S3.2.3", "S4", "S4.1", "S4.2", "S4.3", "S4.4", "S4.R", "S5", "S6.2", "S6.3",
)  # fmt: skip


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_rules_clause_has_a_row() -> None:
    """Each clause id of RULES.md starts a row of the clause table."""
    rows = {line.split("|")[1].strip() for line in _doc().splitlines() if line.startswith("| S")}
    assert set(CLAUSES) <= {row.split(" ")[0] for row in rows}


def test_every_cited_clause_is_documented() -> None:
    """Every clause id a flagship policy cites is in the table."""
    cited = set()
    for path in DRUG_FREE.glob("*.policy"):
        cited |= set(re.findall(r'"(S\d[\w.]*)"', path.read_text(encoding="utf-8")))
    assert cited <= set(CLAUSES), cited - set(CLAUSES)


def test_every_policy_reference_names_its_declaration() -> None:
    """`file:line name` points at the line declaring `name` (so line numbers stay right)."""
    references = re.findall(r"(\w+\.policy):(\d+) `(\w+)`", _doc())
    assert len(references) >= 80
    wrong = []
    for file, line, name in references:
        lines = (DRUG_FREE / file).read_text(encoding="utf-8").splitlines()
        if not re.match(rf"\s*(\w+ )?{name}\b", lines[int(line) - 1]):
            declared = [n for n, text in enumerate(lines, 1)
                        if re.match(rf"\s*(rule|criterion|param|schedule|bands|record|enum|input|stage) {name}\b", text)]  # fmt: skip
            wrong.append(f"{file}:{line} `{name}` is declared on line {declared}")
    assert not wrong, "docs/flagship.md is out of date:\n" + "\n".join(wrong)


def test_every_cited_test_exists() -> None:
    """Each test the page names is a test function in one of the flagship test files."""
    defined = set()
    for name in TEST_FILES:
        defined |= set(
            re.findall(
                r"^def (test_\w+)",
                (ROOT / "tests" / f"{name}.py").read_text(encoding="utf-8"),
                re.M,
            )
        )
    cited = set(re.findall(r"`(test_\w+)`", _doc()))
    assert len(cited) >= 60
    assert cited <= defined, cited - defined
