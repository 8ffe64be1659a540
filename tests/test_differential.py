"""The evaluation paths against each other, on random well-typed policies (`tests/policygen.py`).

For each drawn policy, the rules asked for (all of them, or a drawn subset) and a few drawn
facts documents (optional fields left out, keys reordered, numbers written as text):

* the reference evaluator, untraced and traced, gives the same values and errors;
* `evaluate` (the compiled fast path) gives the reference's values, errors, Python values and
  JSON (key order included), and hands the document to the reference only when a rule fails
  (or the facts are not plain), as `Policy.fast_path_stats` shows;
* `evaluate(explain=True)` (the compiled tracer) gives the reference's trees, node by node,
  and its JSON with explanations;
* `evaluate_many` with and without explanations gives the same as one by one.

The drawn policies hold decision tables of every hit policy (`policygen.decision_text`).

A fault of the generated code is an `InternalError` under test (tests/conftest.py), so it
fails here too. The default budget keeps this test to about 20 s; `WUXIN_SLOW_TESTS=1` draws
20 times as many policies, randomised (a long bug hunt), and
`WUXIN_DIFFERENTIAL_EXAMPLES=N` draws exactly N (docs/verification.md).
"""

from __future__ import annotations

import json
import os
import typing
from typing import Any

from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

import policygen
import wuxin_rules
from fuzzing import SLOW, SLOW_FACTOR
from treekit import assert_same_evaluation
from wuxin_rules import compiler, evaluator, model, schema, semantics
from wuxin_rules.api import Result

EXAMPLES = int(os.environ.get("WUXIN_DIFFERENTIAL_EXAMPLES") or 0) or (
    200 * SLOW_FACTOR if SLOW else 200
)
"""Policies drawn (each with up to three documents)."""


def _constructs(policy: wuxin_rules.Policy) -> set[str]:
    """The constructs the rules of `policy` use: expression kinds, builtins, aggregate and
    composition kinds (`all of []` apart)."""
    found: set[str] = set()
    stack: list[Any] = [rule.body for rule in policy.checked.rules.values()]
    while stack:
        expr = stack.pop()
        found.add(type(expr).__name__)
        if isinstance(expr, model.BuiltinCall):
            found.add(f"builtin {expr.name}")
            if expr.name in _ORDERING:
                found.add(f"builtin {expr.name} of {_ordered_type(expr)}")
        elif isinstance(expr, model.Aggregate):
            found.add(f"{expr.kind} of")
            if expr.kind in ("min", "max"):
                found.add(f"{expr.kind} of {_describe(expr.type)}")
            if expr.filter is not None:
                found.add("where")
        elif isinstance(expr, model.Compose):
            found.add(f"{expr.kind} of [{'' if expr.items else 'empty'}]")
        elif isinstance(expr, model.Arith):
            found.add(f"arith {expr.op}")
        stack.extend(model.children(expr))
    return found


_ORDERING = ("min", "max", "sort", "sort_by", "min_by", "max_by")
"""The builtins that order values, told apart by the type of what they order."""
_CLOCK = ("datetime", "time")
"""The types of the clock those builtins and `min of`/`max of` must be drawn over."""


def _describe(type_: Any) -> str:
    """The name of a type, without its `?` or `list of`: `datetime`, `time`, `int`, …"""
    while isinstance(type_, schema.OptionalType | schema.ListType):
        type_ = type_.inner if isinstance(type_, schema.OptionalType) else type_.element
    return type(type_).__name__.removesuffix("Type").lower()


def _ordered_type(expr: model.BuiltinCall) -> str:
    """The type of the values an ordering builtin compares: its result's, or for `sort_by`,
    `min_by` and `max_by` that of the field it orders by."""
    if expr.name in ("sort_by", "min_by", "max_by"):
        listed, key = expr.args[0].type, expr.args[1]
        assert isinstance(listed, schema.ListType)
        assert isinstance(listed.element, schema.RecordType) and isinstance(key, model.Const)
        field = listed.element.field(key.value)
        assert field is not None
        return _describe(field.type)
    return _describe(expr.type)


def _hits(text: str) -> set[str]:
    """The hit policies of the decision tables of a policy's text (`hit first`, …), and
    whether it has exceptions (`exception`, `exception to`), and the forms of `match` (lowered
    to `if`s, so not kinds of the model) it uses."""
    found = {line.strip() for line in text.splitlines() if line.startswith("  hit ")}
    for line in text.splitlines():
        if line.startswith("  exception "):
            found.add("exception to" if " to " in line.split(" when ")[0] else "exception")
    forms = {
        "match": ("(match ",),
        "case _": ("case _ =>",),
        "is member": (" is cash", " is card", " is waived"),
        "is not member": (" is not cash", " is not card", " is not waived"),
    }
    return found | {
        form for form, writings in forms.items() if any(written in text for written in writings)
    }


EVERY_CONSTRUCT = (
    {cls.__name__ for cls in typing.get_args(model.CExpr)}
    | {f"builtin {name}" for name in semantics.BUILTINS}
    | {f"{kind} of" for kind in ("count", "sum", "min", "max", "all", "any", "rate", "list")}
    | {"where"}
    | {f"{kind} of [{empty}]" for kind in ("all", "any") for empty in ("", "empty")}
    | {"at_least of []"}
    | {f"arith {op}" for op in "+-*/"}
    | {f"hit {hit}" for hit in policygen.HIT_POLICIES}
    | {"exception", "exception to"}
    | {"match", "case _", "is member", "is not member"}
    | {f"builtin {name} of {type_}" for name in _ORDERING for type_ in _CLOCK}
    | {f"{kind} of {type_}" for kind in ("min", "max") for type_ in _CLOCK}
)
"""What the drawn policies must use, between them (a new construct or builtin must be drawn
too: extend `tests/policygen.py`)."""


def _reference_result(
    policy: wuxin_rules.Policy, values: dict[str, Any], keys: tuple[str, ...], trace: bool
) -> Result:
    evaluation = evaluator.evaluate(
        policy.checked, values, params=policy._param_values, rules=keys, trace=trace
    )
    return Result(policy, values, keys, evaluation)


def _shown(result: Result, explain: bool = False) -> str:
    """Everything a result shows as data, as one text (the key order and a Decimal's
    exponent count): its JSON and the reprs of its Python values."""
    return json.dumps(result.to_json(explain=explain)) + repr(result.values())


def _expected_count(plain: bool, failed: bool) -> dict[str, int]:
    """What `fast_path_stats` counts for one document taken by one compiled path."""
    if not plain:
        return {compiler.NOT_PLAIN: 1}
    return {compiler.EVALUATION_ERROR: 1} if failed else {}


def _compare(
    policy: wuxin_rules.Policy,
    keys: tuple[str, ...],
    documents: list[tuple[dict[str, Any], bool]],
    seen: dict[str, int],
) -> None:
    why_not: list[str] = []
    assert compiler.compile_program(policy.checked, policy._param_values, keys, why_not), why_not
    stats = policy.fast_path_stats
    # The tracer leaves some rule sets to the reference (a rule that can fail used only under
    # a condition): every document is then counted as not compiled, never as an error.
    traceable = policy._tracer(keys) is not None
    seen["not traced"] += not traceable
    shown = []
    for document, plain in documents:
        values = policy.validate(document)  # drawn facts are valid
        reference = _reference_result(policy, values, keys, trace=False)
        traced = _reference_result(policy, values, keys, trace=True)
        # The reference agrees with itself, tracing or not.
        for key, verdict in reference.verdicts.items():
            assert traced.verdicts[key].value == verdict.value, key
            assert traced.verdicts[key].error == verdict.error, key
        failed = bool(reference.errors)
        seen["failed" if failed else "succeeded"] += 1
        seen["plain" if plain else "not plain"] += 1
        expected = _shown(reference)
        expected_explained = _shown(traced, explain=True)

        # The compiled fast path.
        stats.reset()
        fast = policy.evaluate(document, rules=keys)
        assert stats.as_dict() == _expected_count(plain, failed)
        for key, verdict in reference.verdicts.items():
            assert fast.verdict(key).value == verdict.value, key
            assert fast.verdict(key).error == verdict.error, key
        assert fast.errors == reference.errors
        assert _shown(fast) == expected

        # The compiled tracer.
        stats.reset()
        explained = policy.evaluate(document, rules=keys, explain=True)
        expected_count = _expected_count(plain, failed) if traceable else {compiler.NOT_COMPILED: 1}
        assert stats.as_dict() == expected_count
        assert_same_evaluation(explained._traced(), traced._evaluated())
        assert _shown(explained, explain=True) == expected_explained
        shown.append((expected, expected_explained))

    # Batches, as one by one.
    batch = [document for document, _ in documents]
    many = policy.evaluate_many(batch, rules=keys)
    assert [_shown(result) for result in many] == [plain for plain, _ in shown]
    many = policy.evaluate_many(iter(batch), rules=keys, explain=True)
    assert [_shown(result, explain=True) for result in many] == [e for _, e in shown]


def test_every_path_agrees_on_random_policies() -> None:
    seen = dict.fromkeys(
        ["policies", "failed", "succeeded", "plain", "not plain", "not traced", "tables"], 0
    )

    used: set[str] = set()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not SLOW,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def agree(data: st.DataObject) -> None:
        text = data.draw(policygen.policies(), label="policy")
        params = data.draw(policygen.params(), label="params")
        policy = wuxin_rules.loads(text, name="gen.policy", params=params)
        rules = policy.rules
        if data.draw(st.booleans(), label="a subset of the rules"):
            rules = tuple(
                data.draw(
                    st.lists(st.sampled_from(rules), min_size=1, max_size=3, unique=True),
                    label="rules",
                )
            )
        documents = data.draw(
            st.lists(policygen.documents(policy), min_size=1, max_size=3), label="documents"
        )
        seen["policies"] += 1
        seen["tables"] += text.count("\ndecision ")
        used.update(_hits(text))
        used.update(_constructs(policy))
        _compare(policy, rules, documents, seen)

    agree()
    # The drawn cases reach every way through: the fast path deciding, the reference taking
    # over a failing rule, and facts that are not plain.
    assert seen["succeeded"] > EXAMPLES // 4, seen
    assert seen["failed"] > EXAMPLES // 10, seen
    assert seen["not plain"] > 0, seen
    assert seen["not traced"] < seen["policies"] // 10, seen
    # Decision tables are drawn (each hit policy is one of the constructs below).
    assert seen["tables"] > EXAMPLES // 2, seen
    # Which constructs a run draws depends on hypothesis's own choices (which also lean on
    # constants of whatever code the run has loaded): a construct the run missed is sought
    # out and compared too, so that every construct is held to the reference every time.
    for construct in sorted(EVERY_CONSTRUCT - used):
        _compare_one_using(construct, seen, used)
    never = sorted(EVERY_CONSTRUCT - used)
    assert not never, f"never drawn: {never}"


_FIRST_FOUND = settings(
    max_examples=2000,
    database=None,
    derandomize=True,
    deadline=None,
    phases=(Phase.generate,),
)
"""`find` as a search, not a shrink: the first example drawn that fits. (Shrinking the
documents found took minutes a construct: hundreds of draws of whole facts documents, each
traced line by line, since `find` runs as a failing test and hypothesis explains failures.)"""


def _compare_one_using(construct: str, seen: dict[str, int], used: set[str]) -> None:
    """Find a generated policy that uses `construct` and compare every path on it."""

    def uses(text: str) -> bool:
        try:
            policy = wuxin_rules.loads(text, name="gen.policy")
        except wuxin_rules.WuxinError:
            return False
        return construct in _constructs(policy) | _hits(text)

    try:
        text = find(policygen.policies(), uses, settings=_FIRST_FOUND)
    except NoSuchExample:
        return  # reported by the caller as never drawn
    policy = wuxin_rules.loads(text, name="gen.policy")
    documents = find(
        st.lists(policygen.documents(policy), min_size=2, max_size=2),
        lambda _: True,
        settings=_FIRST_FOUND,
    )
    used.update(_constructs(policy) | _hits(text))
    _compare(policy, policy.rules, documents, seen)
