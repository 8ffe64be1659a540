"""Wrong answers the compiled paths once gave (issue 10), pinned on every path a user has.

* `all of []` is true and `any of []` false on the fast path and the tracer, as in the
  reference (they gave `[]`, which spread through `and`).
* A record whose optional field is left out of the facts keeps its declared field order on
  the fast path and the tracer (the field came last: `text(record)` differed, a criterion
  flipped, `to_json` had another key order).
* Every value the engine returns is made in the engine's own decimal context: a caller's
  context with clamping, tiny exponent limits or traps changes nothing.

Each case is checked through `evaluate`, `evaluate(explain=True)`, `evaluate_many`,
`iter_evaluate` (with and without explanations) and `wuxin eval --format json`, against the
reference evaluator, and the fast path must have decided every document itself.
"""

from __future__ import annotations

import datetime
import decimal
import json
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import wuxin_rules
from wuxin_rules import evaluator
from wuxin_rules import explain as explaining
from wuxin_rules.api import Result

ROOT = Path(__file__).resolve().parents[1]


def _reference(policy: wuxin_rules.Policy, document: Any, explain: bool) -> Result:
    values = policy.validate(document)
    evaluation = evaluator.evaluate(
        policy.checked, values, params=policy._param_values, rules=policy.rules, trace=explain
    )
    return Result(policy, values, policy.rules, evaluation)


def _every_path(policy: wuxin_rules.Policy, document: Any) -> Iterator[tuple[str, Result]]:
    yield "evaluate", policy.evaluate(document)
    yield "evaluate explain", policy.evaluate(document, explain=True)
    (many,) = policy.evaluate_many([document])
    yield "evaluate_many", many
    (many,) = policy.evaluate_many([document], explain=True)
    yield "evaluate_many explain", many
    (streamed,) = policy.iter_evaluate(iter([document]))
    yield "iter_evaluate", streamed
    (streamed,) = policy.iter_evaluate(iter([document]), explain=True)
    yield "iter_evaluate explain", streamed


def _assert_every_path_is_the_reference(
    policy: wuxin_rules.Policy, document: Any, expected: dict[str, Any]
) -> None:
    """Every path gives the reference's values, JSON (key order included) and explanations,
    the expected values among them, and the compiled code decided every document."""
    getattr(policy, "fast_path_stats", None) and policy.fast_path_stats.reset()
    reference = _reference(policy, document, explain=False)
    traced = _reference(policy, document, explain=True)
    assert {name: reference[name] for name in expected} == expected
    wanted_json = json.dumps(reference.to_json())  # a text: the key order counts
    wanted_explained = json.dumps(traced.to_json(explain=True))
    wanted_text = explaining.render_evaluation(traced._evaluated(), mode="decisive")
    for path, result in _every_path(policy, document):
        assert {name: result[name] for name in expected} == expected, path
        assert result.values() == reference.values(), path
        assert json.dumps(result.to_json()) == wanted_json, path
        assert json.dumps(result.to_json(explain=True)) == wanted_explained, path
        assert result.explain() == wanted_text, path
    # Decided by the compiled program and the compiled tracer, not handed to the reference.
    assert not hasattr(policy, "fast_path_stats") or policy.fast_path_stats.as_dict() == {}


def _cli_json(tmp_path: Path, policy_text: str, document: Any, *options: str) -> Any:
    module = policy_text.split()[1]  # the header's module name: the file must be named so
    policy_file = tmp_path / f"{module}.policy"
    policy_file.write_text(policy_text, encoding="utf-8")
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(document), encoding="utf-8")
    command = [sys.executable, "-m", "wuxin_rules", "eval", str(policy_file), str(facts)]
    process = subprocess.run(
        [*command, "--format", "json", *options],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        cwd=ROOT,
    )
    assert process.returncode == 0, process.stderr
    return json.loads(process.stdout)


# ------------------------------------------------------------------------------------------
# Empty compositions

EMPTY = """\
policy e "empty compositions"
input q: bool "q"
criterion all_empty "all of []": all of []
criterion any_empty "any of []": any of []
criterion q_and_all "q and all of []": q and all of []
criterion q_or_any "q or any of []": q or any of []
criterion not_any "not any of []": not (any of [])
criterion none_needed "at least 0 of []": at least 0 of []
criterion one_needed "at least 1 of []": at least 1 of []
rule count_all "count": if all of [] then 1 else 2
"""

EMPTY_VALUES = {
    "all_empty": True,
    "any_empty": False,
    "q_and_all": True,
    "q_or_any": True,
    "not_any": True,
    "none_needed": True,
    "one_needed": False,
    "count_all": 1,
}


@pytest.mark.parametrize("q", [True, False])
def test_empty_compositions_are_true_and_false_on_every_path(q: bool) -> None:
    policy = wuxin_rules.loads(EMPTY, name="e.policy")
    expected = {**EMPTY_VALUES, "q_and_all": q, "q_or_any": q}
    _assert_every_path_is_the_reference(policy, {"q": q}, expected)


def test_empty_compositions_in_the_cli_json(tmp_path: Path) -> None:
    output = _cli_json(tmp_path, EMPTY, {"q": True})
    assert output["rules"] == EMPTY_VALUES
    explained = _cli_json(tmp_path, EMPTY, {"q": True}, "--explain")
    assert explained["rules"] == EMPTY_VALUES
    # An explanation's values are indices into the document's table of values.
    index = explained["explanations"]["all_empty"]["value"]
    assert explained["explanation_values"][index] is True


# ------------------------------------------------------------------------------------------
# Optional fields left out of the facts

RECORD_ORDER = """\
policy r "record order"
record Loan "Loan":
  id          : text  "id"
  returned_on : date? "returned on"
  fee         : int   "fee"
input loan: Loan "loan"
input loans: list of Loan "loans"
rule shown "shown": text(loan)
criterion matches "matches": text(loan) == "{id: \\"L1\\", returned_on: none, fee: 3}"
rule same "same": loan
rule all_shown "all shown": text(loans)
rule fees "fees": list of l in loans : text(l)
"""


def test_a_left_out_optional_field_keeps_its_declared_place_on_every_path() -> None:
    policy = wuxin_rules.loads(RECORD_ORDER, name="r.policy")
    document = {
        "loan": {"id": "L1", "fee": 3},
        "loans": [{"fee": 1, "id": "a"}, {"id": "b", "returned_on": "2020-01-02", "fee": 2}],
    }
    expected = {
        "shown": '{id: "L1", returned_on: none, fee: 3}',
        "matches": True,
        "same": {"id": "L1", "returned_on": None, "fee": 3},
        "all_shown": '[{id: "a", returned_on: none, fee: 1}, '
        '{id: "b", returned_on: 2020-01-02, fee: 2}]',
        "fees": [
            '{id: "a", returned_on: none, fee: 1}',
            '{id: "b", returned_on: 2020-01-02, fee: 2}',
        ],
    }
    _assert_every_path_is_the_reference(policy, document, expected)
    for path, result in _every_path(policy, document):
        assert list(result["same"]) == ["id", "returned_on", "fee"], path
        assert list(result.to_json()["rules"]["same"]) == ["id", "returned_on", "fee"], path


def test_a_left_out_optional_field_in_the_cli_json(tmp_path: Path) -> None:
    document = {"loan": {"id": "L1", "fee": 3}, "loans": []}
    for options in [(), ("--explain",)]:
        output = _cli_json(tmp_path, RECORD_ORDER, document, *options)
        assert output["rules"]["matches"] is True
        assert output["rules"]["shown"] == '{id: "L1", returned_on: none, fee: 3}'
        assert list(output["rules"]["same"]) == ["id", "returned_on", "fee"]


# ------------------------------------------------------------------------------------------
# The caller's decimal context

NUMBERS = """\
policy n "numbers"
record Line:
  amount: decimal
  share: percent
input lines: list of Line
input q: int
input big: decimal
rule half: q / 2
rule third: q / 7
rule scaled: big * 1000
rule tiny: big / 10000000000
rule shares: list of l in lines : l.share
rule total: sum of l in lines : l.amount
rule line: {amount: big / 4, share: 50%}
rule whole: q * 1.0
"""

_ALL_SIGNALS = [
    decimal.Clamped,
    decimal.DivisionByZero,
    decimal.Inexact,
    decimal.InvalidOperation,
    decimal.Overflow,
    decimal.Rounded,
    decimal.Subnormal,
    decimal.Underflow,
]

HOSTILE_CONTEXTS = [
    decimal.Context(clamp=1, Emax=3),
    decimal.Context(clamp=1, Emax=3, traps=[decimal.Overflow]),
    decimal.Context(prec=1, Emax=1, Emin=-1, clamp=1, traps=_ALL_SIGNALS),
    decimal.Context(prec=2, rounding=decimal.ROUND_FLOOR, traps=[]),
    decimal.Context(prec=50, Emin=-2, traps=[decimal.Underflow, decimal.Subnormal]),
]


def _returned(policy: wuxin_rules.Policy, document: Any) -> list[tuple[str, Any]]:
    """Everything a caller gets back, on every path: values (with their reprs, which show a
    Decimal's exponent), JSON and explanation texts."""
    seen: list[tuple[str, Any]] = []
    for path, result in _every_path(policy, document):
        for name in policy.rules:
            value = result[name]
            seen.append((f"{path} {name}", (value, repr(value))))
        seen.append((f"{path} values", repr(result.values())))
        seen.append((f"{path} json", json.dumps(result.to_json(explain=True))))
        seen.append((f"{path} text", result.explain(mode="full")))
        seen.append((f"{path} verdicts", repr(result.verdicts)))
    return seen


@pytest.mark.parametrize(
    "context",
    HOSTILE_CONTEXTS,
    ids=["clamped", "clamped-overflow-trap", "prec-1-all-traps", "prec-2-floor", "emin-2-traps"],
)
@pytest.mark.parametrize("facts_form", ["plain", "text"])
def test_results_are_made_in_the_engines_decimal_context(
    context: decimal.Context, facts_form: str
) -> None:
    policy = wuxin_rules.loads(NUMBERS, name="n.policy")
    big: Any = Decimal("123456.789")
    if facts_form == "text":
        big = "123456.789"  # not plain: the full facts check and the reference evaluator
    document = {
        "lines": [
            {"amount": Decimal("1.25"), "share": Decimal("0.125")},
            {"amount": 3, "share": Decimal("1E-7")},
        ],
        "q": 3,
        "big": big,
    }
    expected = _returned(policy, document)
    assert ("evaluate half", (Decimal("1.5"), "Decimal('1.5')")) in expected
    with decimal.localcontext(context):
        assert _returned(policy, document) == expected
        assert decimal.getcontext().Emax == context.Emax  # and the caller's is back
    for name, expected_repr in [
        ("half", "Decimal('1.5')"),
        ("third", "Fraction(3, 7)"),
        ("scaled", "Decimal('123456789')"),
        ("tiny", "Decimal('0.0000123456789')"),
        ("total", "Decimal('4.25')"),
        ("whole", "Decimal('3')"),
    ]:
        with decimal.localcontext(context):
            assert repr(policy.evaluate(document)[name]) == expected_repr, name


def test_a_date_result_is_untouched_by_the_decimal_context() -> None:
    # (Dates carry no Decimal; pinned so that a change of representation keeps the promise.)
    policy = wuxin_rules.loads('policy d "d"\ninput when: date\nrule same: when\n', name="d.policy")
    with decimal.localcontext(HOSTILE_CONTEXTS[2]):
        assert policy.evaluate({"when": "2020-02-29"})["same"] == datetime.date(2020, 2, 29)


# ------------------------------------------------------------------------------------------
# Found by the differential test over random policies (tests/test_differential.py)

NARROWED_FIELD = """\
policy nf
record Inner:
  v: int
record Item:
  n: int
  inner: Inner?
input item: Item
input x: int
rule safe: if item.inner is none then x else item.inner.v
rule again: item.n + (if item.inner is not none then item.inner.v else 0)
"""


@pytest.mark.parametrize("inner", [None, {"v": 4}, "left out"])
def test_a_field_of_an_optional_field_made_safe_by_if_is_read_only_when_there(
    inner: Any,
) -> None:
    # The fast path read `item.inner.v` first thing, as it reads required fields, and met a
    # none: a TypeError, once silently handed to the reference. (Tier 2 only: a left-out
    # field takes it there.)
    policy = wuxin_rules.loads(NARROWED_FIELD, name="nf.policy")
    item = {"n": 1} if inner == "left out" else {"n": 1, "inner": inner}
    document = {"item": item, "x": 7}
    expected = {"safe": 4, "again": 5} if inner else {"safe": 7, "again": 1}
    if inner == "left out":
        expected = {"safe": 7, "again": 1}
    _assert_every_path_is_the_reference(policy, document, expected)


LAZY_RULE = """\
policy lazy
bands grade over 0 .. 100:
  0 ..< 60 low
  60 .. 100 high
input share: decimal
input nums: list of int
rule graded: grade(share * 100) == high
criterion some: any of v in nums where v > 5 : graded
rule picked: if share > 1 then 0 else (if graded then 1 else 2)
"""


@pytest.mark.parametrize("share", ["-0.5", "0.75"])
def test_a_failing_rule_used_only_under_a_condition_is_not_traced_eagerly(share: str) -> None:
    # The compiled tracer computed every rule once at the top, `graded` among them: on a
    # share outside the bands it failed where the reference never evaluates it (no element
    # passes the filter, the branch not taken), and handed the document over as an error.
    policy = wuxin_rules.loads(LAZY_RULE, name="lazy.policy")
    document = {"share": Decimal(share), "nums": [1, 2]}
    rules = ["some"] if share == "-0.5" else ["some", "picked"]
    reference = _reference(policy, document, explain=True)
    assert policy._tracer(tuple(rules)) is None  # left to the reference, and counted so
    result = policy.evaluate(document, rules=rules, explain=True)
    assert result["some"] is False
    assert result.explain() == explaining.render_evaluation(
        evaluator.evaluate(
            policy.checked, policy.validate(document), rules=tuple(rules), trace=True
        ),
        mode="decisive",
    )
    assert reference["some"] is False
    assert policy.fast_path_stats.as_dict() == {"not-compiled": 1}
    assert "can fail" in policy.fast_path_stats.details["not-compiled"]
    # Asked for too, the rule is evaluated by both anyway: traced.
    assert policy._tracer(("some", "graded")) is not None
