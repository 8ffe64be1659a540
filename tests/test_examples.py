"""Checking `example`, `fixture` and `property` blocks, and running examples."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from shopkit import shop_text, write_shop
from wuxin_rules import examples, suite_checker
from wuxin_rules.errors import PolicyCheckError, UsageError


def test_suite_holds_fixtures_examples_and_properties() -> None:
    """A checked suite has the fixtures' values, the examples' givens and the properties."""
    suite = suite_checker.suite_from_text(shop_text(), "shop.policy")
    assert [f.name for f in suite.fixtures] == ["base"]
    assert suite.fixtures[0].value["amount"] == 100
    assert [e.title for e in suite.examples] == ["on time is released", "overdue is held"]
    assert suite.examples[1].inputs["order"]["overdue_days"] == 1
    assert [p.title for p in suite.properties] == [
        "limit below average",
        "more overdue never released more",
    ]


def test_passing_examples_pass() -> None:
    """Every example of the shop policy holds."""
    suite = suite_checker.suite_from_text(shop_text(), "shop.policy")
    assert all(examples.run_example(suite, e).passed for e in suite.examples)


WRONG = """
example "a wrong expectation":
  given order = {...base, amount: 600}
  expect released
  expect limit == 3
"""


def test_wrong_example_is_caught_and_located() -> None:
    """A wrong expectation fails with its location, the expected and the actual value, and
    the explanation of the value."""
    suite = suite_checker.suite_from_text(shop_text(extra=WRONG), "shop.policy")
    result = examples.run_example(suite, suite.examples[-1])
    assert not result.passed
    first, second = result.failures
    assert (first.subject, first.expected, first.actual) == ("released", "true", "false")
    assert (second.subject, second.expected, second.actual) == ("limit", "3", "2")
    text = examples.render_example_result(result)
    lines = shop_text(extra=WRONG).splitlines()
    line = len(lines) - lines[::-1].index("  expect released")
    assert f"shop.policy:{line}:10: expect released" in text
    assert "expected: 3" in text and "actual:   2" in text
    assert "✗ order.amount 600, should be at most 500" in text and "over by 100" in text


def test_expectation_that_cannot_be_evaluated_is_a_failure() -> None:
    """An expectation whose evaluation fails reports the error, not a crash."""
    extra = """
example "division by zero":
  given order = base
  given zero: int = 0
  expect limit / zero == 1
"""
    suite = suite_checker.suite_from_text(shop_text(extra=extra), "shop.policy")
    result = examples.run_example(suite, suite.examples[-1])
    (failure,) = result.failures
    assert failure.error is not None
    assert "error[" in examples.render_example_result(result)


def test_relation_to_other_facts_with_target_brackets() -> None:
    """`rule[input = value]` computes a rule on other facts, inside examples and properties."""
    extra = """
example "a later order is held":
  given order = base
  expect released
  expect not released[order = {...order, overdue_days: 2}]
  expect limit[order = {...base, average: -4}] == -6
"""
    suite = suite_checker.suite_from_text(shop_text(extra=extra), "shop.policy")
    assert examples.run_example(suite, suite.examples[-1]).passed


def test_equality_with_a_possibly_none_value_in_a_check() -> None:
    """In a check, `==` may compare a value that may be none: false when it is none."""
    extra = """
example "coupon none":
  given order = base
  expect order.coupon == none or true
"""
    with pytest.raises(PolicyCheckError):  # `== none` stays an error: write `is none`
        suite_checker.suite_from_text(shop_text(extra=extra), "shop.policy")
    extra = """
example "coupon":
  given order = {...base, coupon: 5}
  expect order.coupon == 5
  expect order.coupon != 6
"""
    suite = suite_checker.suite_from_text(shop_text(extra=extra), "shop.policy")
    assert examples.run_example(suite, suite.examples[-1]).passed


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ('example "x":\n  given ordr = base\n  expect released\n', "unknown-input"),
        (
            'example "x":\n  given order = {...base, overdue_days: -1}\n  expect released\n',
            "bad-given",
        ),
        ('example "x":\n  given order = base\n  expect limit\n', "type-mismatch"),
        ('example "x":\n  given order = base\n  expect released[ordr = base]\n', "unknown-input"),
        ('property "x":\n  forall n: int\n  holds released\n', "missing-given"),
        ("fixture f: Order = {...f}\n", "fixture-cycle"),
        (
            'fixture a: Order = {...base, amount: nothing}\nfixture b: Order = {...a, id: "b"}\n'
            'example "x":\n  given order = b\n  expect released\n',
            "unknown-name",
        ),
    ],
)
def test_bad_tests_are_located_diagnostics(extra: str, code: str) -> None:
    """Mistakes in examples, properties and fixtures are check errors with codes and spans."""
    with pytest.raises(PolicyCheckError) as error:
        suite_checker.suite_from_text(shop_text(extra="\n" + extra), "shop.policy")
    assert code in error.value.codes
    assert all(d.span is not None for d in error.value.diagnostics)


def test_format_source_writes_values_the_language_reads_back() -> None:
    """A value written by `format_source` is read back as the same value in a `given`."""
    suite = suite_checker.suite_from_text(shop_text(), "shop.policy")
    value = {**suite.fixtures[0].value, "amount": Fraction(1, 3), "average": Fraction(-5, 4)}
    written = examples.format_source(value, suite.types["order"], 2)
    extra = f'\nexample "round trip":\n  given order = {written}\n  expect released\n'
    again = suite_checker.suite_from_text(shop_text(extra=extra), "shop.policy")
    assert again.examples[-1].inputs["order"] == value


def test_load_suites_reports_each_file(tmp_path: Path) -> None:
    """`load_suites` checks every .policy file under a folder; a bad one carries its error."""
    write_shop(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.policy").write_text("rule x: y\n", encoding="utf-8")
    results = suite_checker.load_suites([tmp_path])
    assert [(Path(p).name, s is not None, e is not None) for p, s, e in results] == [
        ("order.policy", True, False),
        ("bad.policy", False, True),
    ]
    with pytest.raises(UsageError):
        suite_checker.load_suites([tmp_path / "missing"])
