"""Verifying properties with hypothesis: counterexamples found, shrunk, explained, repeated."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

from shopkit import shop_text
from wuxin_rules import examples, suite, suite_checker, verify

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "policies" / "drug_free"
ABS_LINE = "  u.province_addict_growth_rate - growth_margin * abs(u.province_addict_growth_rate)"
NAIVE_LINE = "  growth_margin * u.province_addict_growth_rate"


def _suite(**options: object) -> suite.Suite:
    return suite_checker.suite_from_text(shop_text(**options), "shop.policy")  # type: ignore[arg-type]


def _prop(suite: suite.Suite, title: str) -> suite.Property:
    return next(p for p in suite.properties if p.title == title)


def test_properties_of_a_right_policy_hold() -> None:
    """Both shop properties hold; the report counts the cases checked."""
    suite = _suite()
    reports = verify.verify_suite(suite, max_examples=30, seed=1)
    assert [r.status for r in reports] == ["held", "held"]
    assert all(0 < r.cases <= 30 for r in reports)
    assert verify.render_report(reports[0]).startswith("✓ limit below average")


def test_naive_threshold_is_caught_with_a_negative_average() -> None:
    """`margin × average` puts the limit above a negative average: verify finds such a
    case, shrinks it, and explains it."""
    suite = _suite(naive=True)
    report = verify.verify_property(suite, _prop(suite, "limit below average"), max_examples=50)
    assert report.status == "failed"
    case = report.counterexample
    assert case is not None and case.verdict is not None
    assert case.values["order"]["average"] < 0
    text = verify.render_report(report)
    assert "counterexample after" in text and "shrunk" in text
    assert re.search(r"average:\s+-", text)
    assert "expect limit <= order.average" in text
    assert "as facts for `wuxin eval`:" in text  # `order` is an input: a facts document too
    assert '{"order": {"id": ' in text
    assert re.search(r"limit \"上限\" = -\S+ +50% \* -", text)  # the naive rule at work


def test_counterexample_pastes_into_an_example_that_fails_and_passes_when_fixed() -> None:
    """The printed `example` block parses and checks: it fails on the naive policy and holds
    on the right one."""
    suite = _suite(naive=True)
    prop = _prop(suite, "limit below average")
    report = verify.verify_property(suite, prop, max_examples=50)
    assert report.counterexample is not None
    block = "\n" + verify.counterexample_source(prop, report.counterexample) + "\n"
    naive = suite_checker.suite_from_text(shop_text(naive=True, extra=block), "shop.policy")
    assert not examples.run_example(naive, naive.examples[-1]).passed
    right = suite_checker.suite_from_text(shop_text(extra=block), "shop.policy")
    assert examples.run_example(right, right.examples[-1]).passed


def test_same_seed_same_counterexample() -> None:
    """A run is reproducible: the same seed gives the same cases and counterexample."""
    suite = _suite(naive=True)
    prop = _prop(suite, "limit below average")
    first = verify.verify_property(suite, prop, max_examples=40, seed=7)
    again = verify.verify_property(suite, prop, max_examples=40, seed=7)
    assert first.counterexample is not None and again.counterexample is not None
    assert first.counterexample.values == again.counterexample.values
    assert first.cases == again.cases


def test_relation_between_two_documents_finds_non_monotone_rule() -> None:
    """A property over `rule[input = other]` catches a rule that rewards more overdue days."""
    bad = shop_text().replace(
        "order.overdue_days == 0 and order.amount <= 500",
        "order.overdue_days != 1 and order.amount <= 500",
    )
    suite = suite_checker.suite_from_text(bad, "shop.policy")
    prop = _prop(suite, "more overdue never released more")
    report = verify.verify_property(suite, prop, max_examples=200, seed=0)
    assert report.status == "failed"
    assert report.counterexample is not None
    assert report.counterexample.values["order"]["overdue_days"] == 1


def test_where_condition_never_met_is_reported() -> None:
    """A `where` no drawn case meets leaves the claim unchecked: `unsatisfied`, not held."""
    extra = '\nproperty "never":\n  forall n: int 0 .. 5\n  where n > 5\n  holds n == 0\n'
    suite = suite_checker.suite_from_text(shop_text(extra=extra), "shop.policy")
    report = verify.verify_property(suite, _prop(suite, "never"), max_examples=20)
    assert report.status == "unsatisfied" and not report.ok
    assert "never checked" in verify.render_report(report)


def test_claim_that_cannot_be_evaluated_is_a_counterexample() -> None:
    """A claim whose evaluation fails (division by zero) fails with the error shown."""
    extra = '\nproperty "divides":\n  forall n: int 0 .. 5\n  holds 10 / n > 0\n'
    suite = suite_checker.suite_from_text(shop_text(extra=extra), "shop.policy")
    report = verify.verify_property(suite, _prop(suite, "divides"), max_examples=50)
    assert report.status == "failed"
    assert report.counterexample is not None and report.counterexample.values["n"] == 0
    assert "could not be evaluated" in verify.render_report(report)
    data = verify.report_to_json(report)
    assert data["counterexample"] == {"n": 0} and data["status"] == "failed"


def test_known_records_come_from_fixtures_and_givens() -> None:
    """The search is seeded with the records the fixtures and examples hold."""
    known = verify.known_records(_suite())
    assert {r["id"] for r in known["Order"]} == {"o1"}
    assert len(known["Order"]) == 2  # the fixture and the overdue variant
    assert known["Line"] == [{"sku": "a", "qty": 2}]


def test_progress_is_reported() -> None:
    """The progress callback sees the property and the cases checked so far."""
    seen: list[tuple[str, int, int, bool]] = []
    suite = _suite()
    verify.verify_property(
        suite,
        suite.properties[0],
        max_examples=10,
        progress=verify.throttled(lambda p, d, t, s: seen.append((p.title, d, t, s)), 0),
    )
    assert seen and seen[-1][0] == "limit below average" and seen[-1][2] == 10


def test_naive_flagship_variant_is_caught_by_wuxin_verify(tmp_path: Path) -> None:
    """The flagship with the naive `0.5 × average` growth threshold fails `wuxin verify`,
    and the counterexample has a negative provincial average."""
    folder = tmp_path / "drug_free"
    shutil.copytree(FLAGSHIP, folder)
    unit = folder / "unit.policy"
    text = unit.read_text(encoding="utf-8")
    assert ABS_LINE in text
    unit.write_text(text.replace(ABS_LINE, NAIVE_LINE), encoding="utf-8")
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "wuxin_rules",
            "verify",
            str(unit),
            "--match",
            "增幅上限不高于",
            "--max-examples",
            "40",
            "--seed",
            "3",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert process.returncode == 1, process.stderr
    (line,) = process.stdout.splitlines()
    report = json.loads(line)
    assert report["status"] == "failed"
    rate = Fraction(str(report["counterexample"]["u"]["province_addict_growth_rate"]))
    assert rate < 0
    assert "growth_threshold_of(u) <= u.province_addict_growth_rate" in report["example"]
