"""The engine fuzzed with facts: arbitrary JSON and near-valid documents against every flagship
policy give a verdict or a `FactError`, never another exception; and every value an
explanation records is the value the evaluation returned."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import wuxin_rules
from fuzzing import FLAGSHIP, fuzz_settings, only_wuxin_errors
from wuxin_rules import jsonio, strategies
from wuxin_rules.errors import FactError, WuxinError
from wuxin_rules.trace import Explanation

POLICIES = {
    path.stem: wuxin_rules.load(path)
    for path in sorted(FLAGSHIP.glob("*.policy"))
    if wuxin_rules.load(path).inputs
}
"""Every flagship policy that takes facts, by file stem."""


# ------------------------------------------------------------------------------------------
# The oracle


def same(a: Any, b: Any) -> bool:
    """Equal values of the same runtime kinds (`True` is not `1`, a date is not text). An exact
    number may be held as `int` or `Fraction` (docs/internals.md, "Runtime values"): the two
    evaluators may differ there, and `Result` returns both by the declared type."""
    numbers = (int, Fraction)
    if type(a) in numbers and type(b) in numbers:
        return bool(a == b)
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


def safe_repr(value: Any) -> str:
    """`repr`, with whole numbers too long for Python's `str` shortened."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 10_000:
        return f"<int of {len(format(Decimal(value), 'f'))} digits>"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{safe_repr(k)}: {safe_repr(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(safe_repr(v) for v in value) + "]"
    return repr(value)


def check_explanations(policy: wuxin_rules.Policy, facts: Mapping[str, Any]) -> int:
    """Evaluate `facts` traced and untraced; assert that every verdict's explanation records
    the verdict's value, every reference to a nullary rule the rule's value, every param node
    the param's value and every input node the validated input. Returns the nodes checked
    (0 when the facts are refused with a `FactError`)."""
    result = only_wuxin_errors(lambda: policy.evaluate(facts, explain=True), safe_repr(facts))
    if isinstance(result, WuxinError):
        assert isinstance(result, FactError), f"{type(result).__name__} for facts:\n{result}"
        assert all(d.path for d in result.diagnostics), "a fact error without a JSON path"
        return 0
    plain = policy.evaluate(facts)
    inputs = policy.validate(facts)
    params = policy._param_values
    verdicts = result.verdicts
    checked = 0
    for key, verdict in verdicts.items():
        untraced = plain.verdicts[key]
        assert (verdict.error is None) == (untraced.error is None), key
        assert same(verdict.value, untraced.value), (key, verdict.value, untraced.value)
        explanation = verdict.explanation
        assert explanation is not None, key
        if verdict.error is None:
            assert explanation.error is None, key
            assert same(explanation.value, verdict.value), (key, explanation.value, verdict.value)
        for node in explanation.walk_unique():
            checked += 1
            _check_node(node, verdicts, inputs, params)
    # The renderings of the same evaluation: text and JSON.
    assert isinstance(result.explain(mode="full"), str)
    jsonio.dumps(result.to_json(explain=True))
    return checked


def _check_node(
    node: Explanation, verdicts: Mapping[str, Any], inputs: Mapping[str, Any], params: Any
) -> None:
    if node.error is not None:
        return
    if node.kind in ("rule", "criterion") and node.name in verdicts:
        other = verdicts[node.name]
        if other.error is None and node.children:
            assert same(node.value, other.value), (node.name, node.value, other.value)
    elif node.kind == "param" and node.name in params:
        assert same(node.value, params[node.name]), (node.name, node.value)
    elif node.kind == "input" and node.name in inputs:
        assert same(node.value, inputs[node.name]), (node.name, node.value)


# ------------------------------------------------------------------------------------------
# Facts


class Power(int):
    """A whole number near and past the 4300 digits Python's `str` writes, with a `repr`
    that hypothesis can print (`repr` of the plain int raises `ValueError`)."""

    def __repr__(self) -> str:
        return f"<int of {len(format(Decimal(self), 'f'))} digits>"


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**40), 10**40),
    st.builds(lambda e, d: Power(10**e + d), st.integers(4000, 4400), st.integers(-9, 9)),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(),
    st.fractions(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "0.5",
            "50%",
            "1/3",
            "1/0",
            "-0",
            "2015-02-30",
            "2017-03-31",
            "village",
            "town_level",
            "",
            "null",
            "true",
            "NaN",
            "1e999999",
        ]
    ),
    st.dates(),
)
"""Values a facts document may hold from Python or JSON, and some it must refuse (floats,
NaN, impossible dates, texts where numbers belong)."""

JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def arbitrary_documents(policy: wuxin_rules.Policy) -> st.SearchStrategy[Any]:
    """Anything at all, often under the right input keys."""
    keys = st.sampled_from(list(policy.inputs)) | st.text(max_size=6)
    return JSON_VALUES | st.dictionaries(keys, JSON_VALUES, max_size=3)


def _finite_number(value: Any) -> bool:
    """A number a mutation can scale or nudge (an earlier mutation may have put a NaN or
    an infinity there)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return False
    return not isinstance(value, Decimal) or value.is_finite()


@st.composite
def near_valid_documents(draw: st.DrawFn, policy: wuxin_rules.Policy) -> dict[str, Any]:
    """A valid document with a few things broken: a value replaced, a key removed or added,
    a list element duplicated, a number pushed past its bound or turned into a float."""
    document = draw(strategies.facts(policy, max_list=3))
    for _ in range(draw(st.integers(0, 3))):
        paths = list(_paths(document))
        if not paths:
            break
        parent, key = draw(st.sampled_from(paths))
        kind = draw(
            st.sampled_from(["replace", "delete", "add", "nudge", "huge", "huge", "float", "text"])
        )
        value = parent[key]
        if kind == "replace":
            parent[key] = draw(JSON_VALUES)
        elif kind == "delete":
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif kind == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=6))] = draw(JSON_VALUES)
        elif kind == "add" and isinstance(parent, list):
            parent.insert(key, value)
        elif kind == "nudge" and _finite_number(value):
            parent[key] = value + draw(st.sampled_from([-1, 1, -(10**30), Decimal("0.001")]))
        elif kind == "huge" and _finite_number(value):
            # Thousands of digits: within the limit, products of it exceed what `str` writes.
            factor = draw(st.sampled_from([10**2000, 10**4000, -(10**4200), 10**4400]))
            parent[key] = Power(int(value) * factor + draw(st.integers(-3, 3)))
        elif kind == "float" and _finite_number(value):
            parent[key] = float(value)
        elif kind == "text":
            parent[key] = str(value)
    return document


def _paths(value: Any, parent: Any = None, key: Any = None) -> Any:
    """(container, key) of every value below the document's top."""
    if parent is not None:
        yield parent, key
    if isinstance(value, dict):
        for k in list(value):
            yield from _paths(value[k], value, k)
    elif isinstance(value, list):
        for i in range(len(value)):
            yield from _paths(value[i], value, i)


# ------------------------------------------------------------------------------------------
# The tests


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_arbitrary_facts_give_a_verdict_or_a_fact_error(name: str) -> None:
    """Any JSON value (and some values JSON cannot hold) is refused or evaluated."""
    policy = POLICIES[name]
    outcomes: Counter[str] = Counter()

    @fuzz_settings(40)
    @given(arbitrary_documents(policy))
    def run(document: Any) -> None:
        outcomes["evaluated" if check_explanations(policy, document) else "refused"] += 1

    run()
    print(f"\n{name}, arbitrary facts: {dict(outcomes)}")


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_near_valid_facts_give_a_verdict_or_a_fact_error(name: str) -> None:
    """Valid documents with a few things broken are refused, with paths, or evaluated; every
    evaluated value is the value its explanation records."""
    policy = POLICIES[name]
    outcomes: Counter[str] = Counter()

    @fuzz_settings(40)
    @given(near_valid_documents(policy))
    def run(document: dict[str, Any]) -> None:
        outcomes["evaluated" if check_explanations(policy, document) else "refused"] += 1

    run()
    print(f"\n{name}, near-valid facts: {dict(outcomes)}")
    assert outcomes["evaluated"] > 0, "no near-valid document was evaluated"


def test_json_texts_are_read_or_refused_with_a_fact_error() -> None:
    """Facts as JSON text: odd numbers, deep nesting, duplicate keys and broken syntax are
    read exactly or refused with a `FactError`, then evaluated or refused again."""
    policy = POLICIES["unit"]
    pieces = st.sampled_from(
        [
            '{"unit": ',
            "}",
            "[",
            "]",
            "{",
            ",",
            ":",
            '"a"',
            '"unit"',
            "1e400",
            "-0",
            "0.1",
            "1" * 400,
            "NaN",
            "Infinity",
            "null",
            "true",
            '"\\ud800"',
            '"\\u0000"',
            " ",
            "\n",
            '{"unit": {"unit": 1}, "unit": 2}',
            "[" * 200,
            "]" * 200,
        ]
    )
    outcomes: Counter[str] = Counter()

    @fuzz_settings(150)
    @given(st.lists(pieces, max_size=12).map("".join))
    def run(text: str) -> None:
        data = only_wuxin_errors(lambda: jsonio.loads(text), text)
        if isinstance(data, WuxinError):
            assert isinstance(data, FactError), type(data)
            outcomes["unreadable"] += 1
            return
        outcomes["evaluated" if check_explanations(policy, data) else "refused"] += 1

    run()
    print(f"\nJSON texts: {dict(outcomes)}")


def test_the_oracle_tells_kinds_apart() -> None:
    """`same` is strict: a bool is not an int, a date only a date; an exact number is equal
    however it is held (`1` and `Fraction(1)`), but not to another number."""
    assert not same(True, 1)
    assert not same(True, Fraction(1))
    assert same(1, Fraction(1))
    assert not same(1, Fraction(1, 2))
    assert same((1, {"a": Fraction(1, 2)}), (1, {"a": Fraction(1, 2)}))
    assert not same(datetime.date(2015, 1, 1), "2015-01-01")
