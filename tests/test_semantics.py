"""The table of semantics: every entry typed, evaluated, compiled and highlighted the same way.

Nothing here names a builtin: each test walks `semantics.OPERATIONS`, so a new entry is held
to all of it as soon as it is written. For every operator and builtin and every
argument type list it accepts (`Operation.samples`, or its `Signature`), a one-rule policy is
checked and evaluated on drawn facts — with values that make it fail among them — by the
reference evaluator (untraced and traced), the compiled fast path and the compiled tracer:
values, errors and explanations must be the same, the compiled code must decide every
document on which the rule does not fail, and a failure must be one the entry declares
(`failures`) on a node its `can_fail` says may fail.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wuxin_rules
from wuxin_rules import errors, evaluator, model, semantics, typing_rules
from wuxin_rules import strategies as policy_strategies
from wuxin_rules.api import Result
from wuxin_rules.schema import Type
from wuxin_rules.typing_rules import describe_type
from wuxin_rules.values import Duration

_ENUM = (
    'enum Colour "colour": red "Red", green "Green", blue\n'
    'record Pair "pair":\n  k: int "k"\n  v: text "v"\n'
    # Records linked by key, for `ancestors` (`up`) and `reachable` (`next`).
    'record Node "node":\n  k: int 0 .. 9 "k"\n  up: int? "up"\n  next: list of int "next"\n'
)


def _spelled(type_: Type) -> str:
    return describe_type(type_)


def _argument_types(entry: semantics.Operation) -> tuple[tuple[str, ...], ...]:
    if entry.samples:
        return entry.samples
    assert isinstance(entry.typing, semantics.Signature), entry.name
    return (tuple(_spelled(param) for param in entry.typing.params),)


CASES = [
    pytest.param(entry, types, id=f"{entry.name}({', '.join(types)})")
    for entry in semantics.OPERATIONS.values()
    for types in _argument_types(entry)
]


def _written(sample: str) -> bool:
    return sample[0] in '"=' or sample.isdigit()


def _policy_text(entry: semantics.Operation, types: tuple[str, ...]) -> str:
    # A sample written as a literal (`"k"`, a field to order by; `2`) is passed as it is, and
    # one written `=word` as the word (a rounding mode).
    inputs = "".join(
        f'input a{i}: {type_} "a{i}"\n' for i, type_ in enumerate(types) if not _written(type_)
    )
    args = [
        type_.removeprefix("=") if _written(type_) else f"a{i}" for i, type_ in enumerate(types)
    ]
    if entry.kind in ("arith", "compare"):
        call = f"{args[0]} {entry.name} {args[1]}"
    elif entry.kind == "negate":
        call = f"-{args[0]}"
    elif entry.component:
        call = f"{args[0]}.{entry.field or entry.name}"
    else:
        call = f"{entry.name}({', '.join(args)})"
    return f'policy t "t"\n{_ENUM}{inputs}rule r "r": {call}\n'


_FAILING_INTS = (0, 1, 4, 5, 12, 13, 29, 31, 32, -1, 100, 101, -101, 3_000_000, 10**7)
_FAILING_DATES = (datetime.date(1, 1, 1), datetime.date(9999, 12, 31), datetime.date(2024, 1, 31))
_FAILING_DURATIONS = (
    Duration(0, 3600),  # part of a day: no date moves by it
    Duration(1, 0),
    Duration(120_000, 0),  # ten thousand years: beyond the calendar
    Duration(0, 86_400),
)
_FAILING_DATETIMES = (
    datetime.datetime(1, 1, 1, 0, 30, tzinfo=datetime.UTC),
    datetime.datetime(9999, 12, 31, 23, 30, tzinfo=datetime.UTC),
)
_FAILING_TIMES = (datetime.time(0, 0), datetime.time(23, 30), datetime.time(23, 59, 59))
_FAILING_NUMBERS = (Decimal("1.5"), Decimal("-0.25"), Decimal("0.5"), Decimal("2.5"))
_FAILING_TEXTS = ("", "a", "(a", "a*", "[a-z]+", "家庭", " a,b ")


def _bias(types: tuple[str, ...]) -> dict[str, tuple[Any, ...]]:
    """Values near where operations fail (month 13, day 32, the calendar's ends, a rate
    above 100%, a pattern refused, a short text), so that drawn facts make every entry fail as well as succeed."""
    bias: dict[str, tuple[Any, ...]] = {}
    for index, type_ in enumerate(types):
        if type_ == "int":
            bias[f"a{index}"] = _FAILING_INTS
        elif type_ == "date":
            bias[f"a{index}"] = _FAILING_DATES
        elif type_ == "datetime":
            bias[f"a{index}"] = _FAILING_DATETIMES
        elif type_ == "time":
            bias[f"a{index}"] = _FAILING_TIMES
        elif type_ == "duration":
            bias[f"a{index}"] = _FAILING_DURATIONS
        elif type_ in ("decimal", "percent", "money"):
            bias[f"a{index}"] = _FAILING_NUMBERS
        elif type_ == "text":
            bias[f"a{index}"] = _FAILING_TEXTS
    return bias


def _load(entry: semantics.Operation, types: tuple[str, ...]) -> wuxin_rules.Policy:
    return wuxin_rules.loads(_policy_text(entry, types), name="t.policy")


def _call(policy: wuxin_rules.Policy) -> model.CExpr:
    return policy.checked.rules["r"].body


def _reference(policy: wuxin_rules.Policy, document: Any, trace: bool) -> Result:
    values = policy.validate(document)
    evaluation = evaluator.evaluate(
        policy.checked, values, params=policy._param_values, rules=policy.rules, trace=trace
    )
    return Result(policy, values, policy.rules, evaluation)


def _errors_seen(
    entry: semantics.Operation, policy: wuxin_rules.Policy, document: Any
) -> str | None:
    """Check one document on every path; the reference's error code (None when it succeeds)."""
    policy.fast_path_stats.reset()
    reference = _reference(policy, document, trace=False)
    traced = _reference(policy, document, trace=True)
    fast = policy.evaluate(document)
    explained = policy.evaluate(document, explain=True)
    assert traced.values() == reference.values()
    assert fast.values() == reference.values()
    assert json.dumps(fast.to_json()) == json.dumps(reference.to_json())
    assert json.dumps(explained.to_json(explain=True)) == json.dumps(traced.to_json(explain=True))
    error = reference.verdict("r").error
    if error is None:
        # Decided by the compiled program and the compiled tracer, not by the reference.
        assert policy.fast_path_stats.as_dict() == {}
        return None
    # A failure is one the entry declares, on a node it says may fail.
    call = _call(policy)
    assert entry.can_fail(model.children(call)), (entry.name, error.code)
    assert error.code in (*entry.failures, "unexpected-none"), (entry.name, error.code)
    assert traced.verdict("r").error == error
    return error.code


@pytest.mark.parametrize(("entry", "types"), CASES)
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_operation_means_the_same_on_every_path(
    entry: semantics.Operation, types: tuple[str, ...], data: st.DataObject
) -> None:
    policy = _load(entry, types)
    document = data.draw(policy_strategies.facts(policy, bias=_bias(types)))
    _errors_seen(entry, policy, document)


def _own_failures(entry: semantics.Operation) -> set[str]:
    """The failures of an entry apart from meeting `none` (which checked calls of the
    builtins do not: the checker wants plain values)."""
    return set(entry.failures) - {"unexpected-none"}


def _may_fail(entry: semantics.Operation, types: tuple[str, ...]) -> bool:
    """Whether the entry declares failures and may fail on these arguments: not on
    constants it cannot fail on (`round(x, 2, up)`; that it then never fails is held by
    `_errors_seen` on every case)."""
    if not _own_failures(entry):
        return False
    return entry.can_fail(model.children(_call(_load(entry, types))))


FAILING = [case for case in CASES if _may_fail(*case.values)]  # type: ignore[arg-type]


@pytest.mark.parametrize(("entry", "types"), FAILING)
def test_every_declared_failure_is_met_and_agreed_on(
    entry: semantics.Operation, types: tuple[str, ...]
) -> None:
    """An entry that declares failures fails on some biased facts, and every path agrees."""
    policy = _load(entry, types)
    seen: set[str] = set()

    @settings(max_examples=150, deadline=None, derandomize=True, database=None)
    @given(policy_strategies.facts(policy, bias=_bias(types)))
    def run(document: Any) -> None:
        code = _errors_seen(entry, policy, document)
        if code is not None:
            seen.add(code)

    run()
    assert seen & _own_failures(entry), f"{entry.name} never failed on {types}"


@pytest.mark.parametrize("entry", list(semantics.OPERATIONS.values()), ids=lambda e: e.name)
def test_every_entry_is_complete(entry: semantics.Operation) -> None:
    """Typed (the checker has its rule), its error codes registered, its code emittable."""
    if entry.kind == "builtin":
        assert typing_rules.typed(entry), entry.name
        assert typing_rules.BUILTINS[entry.name] is entry
        assert entry.signature and entry.summary
        assert entry.min_args >= 1
    else:
        assert entry.typing in typing_rules.OPERATOR_TYPING
    for code in entry.failures:
        assert code in errors.CODES, code
    assert entry.emit.template is not None or entry.emit.fast is not None or entry.kind == "builtin"


def test_the_highlighter_shows_every_callable_builtin_as_one() -> None:
    pytest.importorskip("pygments")
    from pygments.token import Name

    from wuxin_rules import highlight

    callable_names = {
        name
        for name, entry in semantics.BUILTINS.items()
        if not entry.component and name not in highlight.KEYWORDS
    }
    assert callable_names == set(highlight.BUILTIN_NAMES)
    assert "abs" in callable_names and "year" not in callable_names
    lexer = highlight.PolicyLexer()
    for name in callable_names:
        tokens = [(kind, text) for kind, text in lexer.get_tokens(f"{name}(x)\n")]
        assert tokens[0] == (Name.Builtin, name), tokens[0]


def test_a_divisor_that_is_a_nonzero_constant_cannot_fail() -> None:
    """`/` may fail unless its divisor is a constant other than 0 (the compiler then need
    not evaluate the other operands of `and`/`or` first)."""
    policy = wuxin_rules.loads(
        'policy d "d"\ninput x: int "x"\n'
        'rule by_two "x / 2": x / 2\nrule by_zero "x / 0": x / 0\nrule by_x "x / x": x / x\n',
        name="d.policy",
    )
    divide = semantics.OPERATIONS["arith", "/"]
    fails = {
        key: divide.can_fail(model.children(rule.body))
        for key, rule in policy.checked.rules.items()
    }
    assert fails == {"by_two": False, "by_zero": True, "by_x": True}
