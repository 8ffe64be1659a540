"""No silent fallbacks: the compiled fast path counts every document it hands to the reference.

* `Policy.fast_path_stats` counts by reason: `not-compiled`, `not-plain`, `evaluation-error`,
  `too-deep`, `internal-error`; a document the compiled code decides is not counted.
* Where no rule fails and the facts are plain, the count stays zero (on every path).
* A fault of the generated code (a bug) is an `InternalError` when `WUXIN_STRICT_FAST_PATH`
  is set, as the test suite sets it (tests/conftest.py); in production it is counted as
  `internal-error`, with its detail, and the reference gives the right result.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import wuxin_rules
from wuxin_rules import compiler, trace_compiler
from wuxin_rules.errors import InternalError

POLICY = """\
policy f

input n: int
input d: int
input share: decimal

rule ratio: n / d
criterion big: share > 0.5
"""

GOOD = {"n": 1, "d": 2, "share": Decimal("0.75")}


@pytest.fixture
def policy() -> wuxin_rules.Policy:
    return wuxin_rules.loads(POLICY, name="f.policy")


def _every_path(policy: wuxin_rules.Policy, documents: list[Any]) -> list[Any]:
    results: list[Any] = []
    for explain in (False, True):
        results.extend(policy.evaluate(document, explain=explain) for document in documents)
        results.extend(policy.evaluate_many(documents, explain=explain))
        results.extend(policy.iter_evaluate(iter(documents), explain=explain))
        results.extend(policy.evaluate_many(iter(documents), explain=explain))
    return results


def test_the_switch_is_on_under_test() -> None:
    assert compiler.strict()


def test_nothing_is_counted_where_no_rule_fails(policy: wuxin_rules.Policy) -> None:
    results = _every_path(policy, [GOOD, {**GOOD, "d": 3}])
    assert all(result["big"] is True for result in results)
    assert policy.fast_path_stats.total == 0
    assert policy.fast_path_stats.as_dict() == {}
    assert repr(policy.fast_path_stats) == "<FastPathStats no fallbacks>"


def test_an_evaluation_error_is_counted_once_per_document(policy: wuxin_rules.Policy) -> None:
    results = _every_path(policy, [GOOD, {**GOOD, "d": 0}])
    assert sum(1 for result in results if result.errors) == 8
    assert policy.fast_path_stats.as_dict() == {compiler.EVALUATION_ERROR: 8}
    assert policy.fast_path_stats[compiler.EVALUATION_ERROR] == 8
    assert policy.fast_path_stats[compiler.NOT_PLAIN] == 0


def test_facts_in_an_unusual_form_are_counted_as_not_plain(policy: wuxin_rules.Policy) -> None:
    text = {**GOOD, "share": "3/4"}  # exact text: the full facts check converts it
    results = _every_path(policy, [text])
    assert all(result["big"] is True for result in results)
    assert policy.fast_path_stats.as_dict() == {compiler.NOT_PLAIN: 8}
    policy.fast_path_stats.reset()
    assert policy.fast_path_stats.total == 0


def test_rules_that_do_not_compile_count_every_document_with_the_reason() -> None:
    # 2000 rules with parameters calling each other: too deep for the tracer to inline.
    n = 2000
    lines = ["policy calls", "rule f0(x: int) -> int: x + 1"]
    lines += [f"rule f{i}(x: int) -> int: f{i - 1}(x) + 1" for i in range(1, n)]
    lines.append("rule r: f1(0)")
    calls = wuxin_rules.loads("\n".join(lines) + "\n", name="calls.policy")
    assert calls.evaluate({}, rules=["r"])["r"] == 2
    assert calls.fast_path_stats.total == 0  # the fast path compiles it
    deep = "\n".join(lines[:-1]) + f"\nrule r: f{n - 1}(0)\n"
    calls = wuxin_rules.loads(deep, name="calls.policy")
    assert calls._tracer(("r",)) is None
    calls.evaluate({}, rules=["r"], explain=True)
    calls.evaluate_many([{}, {}], rules=["r"], explain=True)
    stats = calls.fast_path_stats
    assert stats.as_dict() == {compiler.NOT_COMPILED: 3}
    assert "deeply" in stats.details[compiler.NOT_COMPILED]


def test_stats_belong_to_one_policy(policy: wuxin_rules.Policy) -> None:
    other = policy.with_params({})
    policy.evaluate({**GOOD, "d": 0})
    assert policy.fast_path_stats.total == 1
    assert other.fast_path_stats.total == 0


# ------------------------------------------------------------------------------------------
# A bug in the generated code


class _Bug(Exception):
    pass


def _buggy(document: Any) -> Any:
    raise _Bug("a bug in the generated code")


def _plant_bug(policy: wuxin_rules.Policy, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the compiled program and the compiled tracer raise what generated code never
    should (as a fault of code generation would)."""
    program = policy._program(policy.rules)
    tracer = policy._tracer(policy.rules)
    assert program is not None and tracer is not None
    monkeypatch.setattr(program, "_evaluate", _buggy)
    monkeypatch.setattr(tracer, "document_function", _buggy)


@pytest.mark.parametrize("explain", [False, True])
def test_a_bug_in_generated_code_is_an_internal_error_under_test(
    policy: wuxin_rules.Policy, monkeypatch: pytest.MonkeyPatch, explain: bool
) -> None:
    _plant_bug(policy, monkeypatch)
    with pytest.raises(InternalError) as raised:
        policy.evaluate(GOOD, explain=explain)
    assert raised.value.codes == ("internal-error",)
    assert "_Bug: a bug in the generated code" in str(raised.value)
    assert isinstance(raised.value.__cause__, _Bug)
    with pytest.raises(InternalError):
        policy.evaluate_many([GOOD], explain=explain)
    with pytest.raises(InternalError):
        list(policy.iter_evaluate(iter([GOOD]), explain=explain))
    program = policy._program(policy.rules)
    assert program is not None
    monkeypatch.setattr(program, "_facts", _buggy)
    with pytest.raises(InternalError):
        program.facts(GOOD)


@pytest.mark.parametrize("explain", [False, True])
def test_a_bug_in_generated_code_is_a_counted_fallback_in_production(
    policy: wuxin_rules.Policy, monkeypatch: pytest.MonkeyPatch, explain: bool
) -> None:
    monkeypatch.setenv(compiler.STRICT_VARIABLE, "0")
    _plant_bug(policy, monkeypatch)
    bad = {**GOOD, "d": 0}
    results = [
        policy.evaluate(GOOD, explain=explain),
        *policy.evaluate_many([GOOD, bad], explain=explain),
        *policy.iter_evaluate(iter([GOOD]), explain=explain),
    ]
    # The reference gives the right results, errors included...
    assert [result["big"] for result in results] == [True] * 4
    assert [bool(result.errors) for result in results] == [False, False, True, False]
    # ... and every one of them is counted, with what went wrong.
    stats = policy.fast_path_stats
    assert stats.as_dict() == {compiler.INTERNAL_ERROR: 4}
    assert stats.details[compiler.INTERNAL_ERROR] == "_Bug: a bug in the generated code"


def test_a_fault_of_the_tree_builder_is_an_internal_error_under_test(
    policy: wuxin_rules.Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: trace_compiler.Tracer, record: Any) -> Any:
        raise _Bug("a bug in the tree builder")

    monkeypatch.setattr(trace_compiler.Tracer, "evaluation", fail)
    with pytest.raises(InternalError):
        policy.evaluate(GOOD, explain=True).explain()
    monkeypatch.setenv(compiler.STRICT_VARIABLE, "")
    result = policy.evaluate(GOOD, explain=True)
    assert "big" in result.explain()  # explained by the reference
    assert policy.fast_path_stats.as_dict() == {compiler.INTERNAL_ERROR: 1}


def test_a_tree_too_deep_to_build_is_counted(
    policy: wuxin_rules.Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: trace_compiler.Tracer, record: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(trace_compiler.Tracer, "evaluation", fail)
    result = policy.evaluate(GOOD, explain=True)
    assert "big" in result.explain()
    assert policy.fast_path_stats.as_dict() == {compiler.TOO_DEEP: 1}


def test_tier_1_hands_only_layout_faults_to_tier_2() -> None:
    # Tier 1's check catches what a document not laid out as declared raises (a missing key),
    # never a fault in general: the generated `except` names both.
    policy = wuxin_rules.loads(POLICY, name="f.policy")
    program = policy._program(policy.rules)
    assert program is not None and program.tiered
    assert "except _Error:" in program.source
    assert program.evaluate_function.__globals__["_Error"] == (compiler._NotPlain, KeyError)
