"""The compiled fast path (`wuxin_rules.compiler`) against the reference evaluator.

* On every flagship policy, for generated facts, the fast path gives the reference
  evaluator's value for every rule, gives up exactly when the reference reports an error,
  and the explanations (tracing mode, on demand) agree with both.
* Fail closed: errors under `not`, `or`, `any of`, aggregates stay errors, with the very
  diagnostics of the reference.
* The fast facts check accepts what `FactsSchema` accepts and hands everything else to it.
* Generated code cannot be injected into: hostile texts and names come out as data.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wuxin_rules
from codekit import ALLOWED_CALLS, HOSTILE, HOSTILE_TEXT, assert_only_generated_names
from wuxin_rules import compiler, evaluator, strategies
from wuxin_rules.values import fraction_to_decimal

FLAGSHIP = sorted(
    (Path(__file__).resolve().parent.parent / "policies" / "drug_free").glob("*.policy")
)


def _reference(policy: wuxin_rules.Policy, document: Any) -> dict[str, Any]:
    values = policy.validate(document)
    evaluation = evaluator.evaluate(
        policy.checked, values, params=policy._param_values, rules=policy.rules
    )
    return dict(evaluation.verdicts)


_POLICIES: dict[Path, wuxin_rules.Policy] = {}


def _policy(path: Path) -> wuxin_rules.Policy:
    if path not in _POLICIES:
        _POLICIES[path] = wuxin_rules.load(path)
    return _POLICIES[path]


@pytest.mark.parametrize("path", FLAGSHIP, ids=lambda p: p.stem)
def test_every_flagship_policy_compiles(path: Path) -> None:
    policy = _policy(path)
    program = policy._program(policy.rules)
    assert program is not None, f"{path.name} falls back to the reference evaluator"
    assert program.keys == policy.rules


@pytest.mark.parametrize("path", FLAGSHIP, ids=lambda p: p.stem)
def test_fast_path_agrees_with_the_reference_on_generated_facts(path: Path) -> None:
    policy = _policy(path)
    program = policy._program(policy.rules)
    assert program is not None
    seen = {"fast": 0, "gave_up": 0}

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategies.facts(policy))
    def agree(document: Any) -> None:
        policy.fast_path_stats.reset()
        reference = _reference(policy, document)
        values = program.facts(document)
        assert values is not None, "a generated (plain) document left the fast facts check"
        assert compiler.canonical(values) == policy.validate(document)
        outcome = program.run(values)
        failed = [key for key, verdict in reference.items() if verdict.error is not None]
        # Gives up exactly when some rule fails: no error hidden, none invented.
        assert (outcome is None) == bool(failed), failed
        result = policy.evaluate(document)
        if outcome is None:
            seen["gave_up"] += 1
        else:
            seen["fast"] += 1
            for key, value in zip(program.keys, outcome, strict=True):
                assert compiler.canonical(value) == reference[key].value, key
        for key, verdict in reference.items():
            assert result.verdict(key).value == verdict.value, key
            assert result.verdict(key).error == verdict.error, key
        # What users and `wuxin eval --format json` see is the same as from the reference.
        reference_result = policy.evaluate(document, explain=True)
        # Handed to the reference only when a rule fails, once by each compiled path.
        handed = {compiler.EVALUATION_ERROR: 2} if failed else {}
        assert policy.fast_path_stats.as_dict() == handed
        assert result.to_json() == reference_result.to_json()
        assert result.values() == reference_result.values()
        # Explanations on demand: tracing mode gives the same values and errors.
        traced = result._traced().verdicts
        for key, verdict in reference.items():
            assert traced[key].value == verdict.value, key
            assert traced[key].error == verdict.error, key
            assert traced[key].explanation is not None

    agree()
    assert seen["fast"] > 0, "the fast path never ran"


# ------------------------------------------------------------------------------------------
# Fail closed, with the reference's diagnostics

FAIL_CLOSED = """\
policy fc

record Item:
  n: int
  d: int

input a: bool
input d: int
input items: list of Item

rule ratio: 10 / d
criterion negated: not (ratio > 1)
criterion either: a or ratio > 1
criterion some: any of [a, ratio > 1]
criterion each: all of x in items : x.n / x.d > 1
criterion guarded: if d == 0 then true else ratio > 1
rule share: rate of x in items where x.d != 0 : x.n / x.d > 1
"""


@pytest.fixture(scope="module")
def fail_closed() -> wuxin_rules.Policy:
    return wuxin_rules.loads(FAIL_CLOSED, name="fc.policy")


def test_errors_under_not_or_any_and_aggregates_stay_errors(
    fail_closed: wuxin_rules.Policy,
) -> None:
    document = {"a": True, "d": 0, "items": [{"n": 1, "d": 0}, {"n": 3, "d": 1}]}
    result = fail_closed.evaluate(document)
    reference = _reference(fail_closed, document)
    for key in ("ratio", "negated", "either", "some", "each"):
        assert result.verdict(key).error is not None, key
        assert result.verdict(key).error == reference[key].error
        assert result.verdict(key).error.code == "division-by-zero"
    # `if` evaluates only the branch it needs, and `where` guards the body.
    assert result["guarded"] is True
    assert result["share"] == Decimal(1)
    assert result.errors == tuple(dict.fromkeys(v.error for v in reference.values() if v.error))


def test_the_same_policy_is_fast_when_nothing_fails(fail_closed: wuxin_rules.Policy) -> None:
    document = {"a": False, "d": 5, "items": [{"n": 4, "d": 3}]}
    result = fail_closed.evaluate(document)
    assert result._evaluation is None  # decided by the compiled program
    assert result["ratio"] == Decimal(2)
    assert result["either"] is True
    assert result["share"] == Decimal(1)
    assert result.to_json() == fail_closed.evaluate(document, explain=True).to_json()


def test_rate_of_thirds_is_exact(fail_closed: wuxin_rules.Policy) -> None:
    items = [{"n": 3, "d": 1}, {"n": 1, "d": 1}, {"n": 1, "d": 1}]
    result = fail_closed.evaluate({"a": True, "d": 1, "items": items})
    assert result._evaluation is None
    assert result["share"] == Fraction(1, 3)
    assert result.verdict("share").value == Fraction(1, 3)


EXACT = """\
policy exact

input g: decimal
input p: decimal
param margin: percent = 50%

criterion below: g <= p - margin * abs(p)
rule scaled: p / 3 * 2 + g
rule bar: p - margin * abs(p)
"""


def test_decimal_arithmetic_is_exact_on_the_fast_path() -> None:
    policy = wuxin_rules.loads(EXACT, name="exact.policy")
    long = Decimal("0." + "3" * 60)  # beyond the default decimal context's 28 digits
    below = Fraction(long) / 2 - Fraction(1, 10**60)
    g = fraction_to_decimal(below)
    assert g is not None and Fraction(g) == below
    result = policy.evaluate({"g": g, "p": long})
    assert result._evaluation is None
    exact_p = Fraction(long)
    assert result.verdict("bar").value == exact_p - exact_p / 2
    assert result["below"] is True
    assert result.verdict("scaled").value == exact_p / 3 * 2 + below
    on_the_bar = {"g": fraction_to_decimal(Fraction(long) / 2), "p": long}
    reference = _reference(policy, on_the_bar)
    assert policy.evaluate(on_the_bar)["below"] is reference["below"].value is True
    over = {"g": fraction_to_decimal(Fraction(long) / 2 + Fraction(1, 10**61)), "p": long}
    assert policy.evaluate(over)["below"] is _reference(policy, over)["below"].value is False


def test_floats_and_unusual_forms_go_to_the_full_facts_check() -> None:
    policy = wuxin_rules.loads(EXACT, name="exact.policy")
    program = policy._program(policy.rules)
    assert program is not None
    assert program.facts({"g": 0.5, "p": Decimal(1)}) is None
    assert program.facts({"g": "1/3", "p": Decimal(1)}) is None
    assert program.facts({"g": Decimal("NaN"), "p": Decimal(1)}) is None
    assert program.facts({"g": Decimal(1), "p": Decimal(1), "extra": 1}) is None
    with pytest.raises(wuxin_rules.FactError) as error:
        policy.evaluate({"g": 0.5, "p": Decimal(1)})
    assert "binary float" in str(error.value)
    # Text numbers are accepted by the full check, and evaluated by the reference.
    assert policy.evaluate({"g": "1/3", "p": 1}).verdict("scaled").value == Fraction(1)


def test_records_come_out_in_declared_order_whatever_the_document_order() -> None:
    text = """\
policy order
record R:
  a: int
  b: date
  c: int?
input r: R
rule same: r
"""
    policy = wuxin_rules.loads(text, name="order.policy")
    result = policy.evaluate({"r": {"b": "2015-03-31", "a": 1}})
    assert list(result["same"]) == ["a", "b", "c"]
    assert result["same"] == {"a": 1, "b": datetime.date(2015, 3, 31), "c": None}
    assert result.to_json() == policy.evaluate(
        {"r": {"b": "2015-03-31", "a": 1}}, explain=True
    ).to_json(explain=False)


@given(
    st.lists(
        st.fixed_dictionaries({"n": st.integers(-5, 5), "d": st.integers(-2, 2)}),
        max_size=6,
    ),
    st.booleans(),
    st.integers(-2, 2),
)
def test_fail_closed_policy_agrees_with_the_reference(items: list[Any], a: bool, d: int) -> None:
    policy = _fail_closed_policy()
    document = {"a": a, "d": d, "items": items}
    reference = _reference(policy, document)
    result = policy.evaluate(document)
    for key, verdict in reference.items():
        assert result.verdict(key).value == verdict.value, key
        assert result.verdict(key).error == verdict.error, key


def _fail_closed_policy() -> wuxin_rules.Policy:
    if "fc" not in _CACHE:
        _CACHE["fc"] = wuxin_rules.loads(FAIL_CLOSED, name="fc.policy")
    return _CACHE["fc"]


_CACHE: dict[str, wuxin_rules.Policy] = {}


# ------------------------------------------------------------------------------------------
# No code injection


def test_hostile_names_and_texts_stay_data() -> None:
    policy = wuxin_rules.loads(HOSTILE, name="h.policy")
    program = policy._program(policy.rules)
    assert program is not None
    text = _reference(
        policy,
        {"__builtins__": {"__class__": "", "__dict__": 0, "_i": 0, "_m": 0, "_k1": 0}, "k": "exec"},
    )["_main"].value
    assert "__import__" in text and "'" in text and '"' in text
    document = {
        "__builtins__": {
            "__class__": text,
            "__dict__": 2,
            "_i": 3,
            "_m": 4,
            "_k1": Decimal("-0.4"),
        },
        "k": "exec",
    }
    result = policy.evaluate(document)
    assert result._evaluation is None
    assert result["_main"] == text
    assert result["exec"] is True
    assert result["_r_0"] == 14
    assert result["eval"] == text
    assert result["_p2"] == Decimal("-0.6")
    assert program.tiered and "is_signed" in program.source  # tier 1's code is walked too
    assert_only_generated_names(program.source, frozenset({"_main"}))


_NEWER_CONSTRUCTS = f"""\
policy hostile2

enum __import__:
  exec {{__class__: text, eval: money}},
  __builtins__

input _p: __import__
input _t: text
input _w: time
input _d: datetime

rule _k1: "{HOSTILE_TEXT}"
rule _main -> money:
  match _p:
    case exec(__class__, eval) => round(eval * 1.005, 2, half_up)
    case _ => 0.00
  exception __dict__ "{HOSTILE_TEXT}" when _t == _k1 then 1.00
rule exec: matches(_t, ".*__import__[(].*")
rule eval: if _p is not exec then fail("{HOSTILE_TEXT}") else _w > 08:30 and _d < 2025-03-01T08:00:00Z
rule _r_0: max(_d, 2025-03-01T00:00:00Z) - days(1)
"""


def test_hostile_names_and_texts_stay_data_in_the_newer_constructs() -> None:
    """Sum types (members, fields and bindings), exceptions, `fail`, patterns, money rounding
    and the literals of times: names that try to be code stay names, texts stay data."""
    policy = wuxin_rules.loads(_NEWER_CONSTRUCTS, name="hostile2.policy")
    payload = policy.evaluate(
        {"_p": "__builtins__", "_t": "", "_w": "09:00", "_d": "2025-03-01T00:00:00Z"}
    )["_k1"]
    assert "__import__" in payload
    card = {"kind": "exec", "__class__": payload, "eval": "2.00"}
    document = {"_p": card, "_t": payload, "_w": "09:00", "_d": "2025-02-28T00:00:00Z"}
    for explain in (False, True):
        result = policy.evaluate(document, explain=explain)
        assert result["_main"] == Decimal("1.00")  # the exception `__dict__` applied
        assert result["exec"] is True and result["eval"] is True
        assert result["_r_0"] == datetime.datetime(2025, 2, 28, tzinfo=datetime.UTC)
    failed = policy.evaluate({**document, "_p": "__builtins__"}).verdict("eval").error
    assert failed is not None and failed.code == "assertion-failed" and payload in failed.message
    program, tracer = policy._program(policy.rules), policy._tracer(policy.rules)
    assert program is not None and tracer is not None
    assert_only_generated_names(program.source, frozenset({"_main"}))
    assert_only_generated_names(tracer.source, frozenset({"_traced"}))


_REPOSITORY_POLICIES = sorted(
    path
    for folder in ("policies", "examples")
    for path in (Path(__file__).resolve().parent.parent / folder).rglob("*.policy")
)


@pytest.mark.parametrize("path", _REPOSITORY_POLICIES, ids=lambda path: path.name)
def test_every_policy_of_the_repository_compiles_to_code_of_the_compilers_own(path: Path) -> None:
    """The generated code of every policy and example (every construct the language has) holds
    only the compilers' names, the table of semantics' methods and constants."""
    try:
        policy = wuxin_rules.load(path)
    except wuxin_rules.PolicyError:
        pytest.skip("a module of a policy set, not a root")
    for generated, own in (
        (policy._program(policy.rules), "_main"),
        (policy._tracer(policy.rules), "_traced"),
    ):
        assert generated is not None
        assert_only_generated_names(generated.source, frozenset({own}))


def test_generated_code_has_no_builtins_to_reach() -> None:
    policy = _fail_closed_policy()
    program = policy._program(policy.rules)
    assert program is not None
    namespace_builtins = program._main.__globals__["__builtins__"]
    assert set(namespace_builtins) <= ALLOWED_CALLS | {"int", "bool", "str", "list"}
    assert "__import__" not in namespace_builtins and "open" not in namespace_builtins


BOUNDED = """\
policy bounded

record R:
  share: percent -1 .. 1
  amount: decimal > 0
  count: int >= 0
  when: date?
  tags: list of text

input r: R
input x: decimal?

rule same: r
rule other: x
"""

_EDGE_DECIMALS = [
    "0",
    "-0",
    "1",
    "-1",
    "0.5",
    "1.0000",
    "-1.0000",
    "1.0001",
    "-1.0001",
    "1E+2",
    "1E-4199",
    "1E-4300",
    "1E-5000",
    "1E+4300",
    "9" * 76,
    "9" * 77,
    "0." + "1" * 80,
    "NaN",
    "Infinity",
    "-Infinity",
    "sNaN",
]


@settings(max_examples=150, deadline=None)
@given(
    share=st.one_of(
        st.sampled_from(_EDGE_DECIMALS).map(Decimal), st.decimals(), st.integers(-2, 2)
    ),
    amount=st.one_of(st.sampled_from(_EDGE_DECIMALS).map(Decimal), st.integers(-1, 1), st.floats()),
    count=st.one_of(st.integers(-1, 3), st.booleans(), st.sampled_from([Decimal(1), "1"])),
    when=st.one_of(
        st.none(),
        st.sampled_from(["2015-03-31", "2015-02-30", "15-3-31", datetime.date(2020, 1, 1)]),
    ),
    tags=st.one_of(st.lists(st.text(max_size=3), max_size=3), st.tuples(st.text(max_size=2))),
    extra=st.one_of(
        st.just({}), st.just({"x": None}), st.just({"x": Decimal("0.1")}), st.just({"y": 1})
    ),
    drop=st.sampled_from([None, "when", "count"]),
    shuffle=st.booleans(),
)
def test_fast_facts_check_accepts_exactly_what_the_full_check_accepts(
    share: Any,
    amount: Any,
    count: Any,
    when: Any,
    tags: Any,
    extra: dict[str, Any],
    drop: str | None,
    shuffle: bool,
) -> None:
    policy = _CACHE.get("bounded") or _CACHE.setdefault(
        "bounded", wuxin_rules.loads(BOUNDED, name="b.policy")
    )
    program = policy._program(policy.rules)
    assert program is not None
    record = {"share": share, "amount": amount, "count": count, "when": when, "tags": tags}
    if drop is not None:
        del record[drop]
    if shuffle:
        record = dict(reversed(list(record.items())))
    document = {"r": record, **extra}
    fast = program.facts(document)
    try:
        full = policy.validate(document)
    except wuxin_rules.FactError:
        assert fast is None, "the fast check accepted a document the full check refuses"
        return
    if fast is not None:
        assert compiler.canonical(fast) == full
        assert list(compiler.canonical(fast)["r"]) == list(full["r"])  # declared field order
        result = policy.evaluate(document)
        assert result.verdict("same").value == full["r"]
        assert result.verdict("other").value == full.get("x")
