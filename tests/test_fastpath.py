"""The tiers of the fast path (`compiler.Program.evaluate`) against each other and the reference.

* Tier 1 (one generated function: check a document laid out as declared, evaluate in the same
  frame), tier 2 (the generated facts check, then the generated evaluator) and the reference
  (`FactsSchema`, then `evaluator.evaluate`) agree on every document: none of the fast tiers
  accepts a document the full check refuses, and what they compute is the reference's value.
* Tier 1 takes keys in any order (unless the policy uses a whole record, where the order
  shows), ints in decimal fields, and leaves missing optional fields, bools for ints, NaN,
  huge and tiny decimals to the others.
* The generated code runs in the exact decimal context; the caller's context is back after
  every call, after an exception too, and is the one the caller's own iterator runs in; a
  low-precision context of the caller's does not change a result.
* `evaluate`, `evaluate_many` and `iter_evaluate` give the same results, explanations
  included, whatever the order of the document's keys.
"""

from __future__ import annotations

import collections
import decimal
import threading
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wuxin_rules
from wuxin_rules import compiler, evaluator
from wuxin_rules.api import Result

TIERS = """\
policy tiers

enum Kind: a, b

record Inner:
  flag: bool
  share: percent 0 .. 1
  remark: text?

record Outer:
  count: int >= 0
  rate: decimal >= -1
  level: decimal > 0
  cap: decimal <= 2
  kind: Kind
  inner: Inner
  extra: int?

input o: Outer
input margin: decimal?

criterion ok: o.count == 0 and o.inner.flag and o.rate <= o.level - 50% * abs(o.level)
rule bar: o.level - 50% * abs(o.level)
rule scaled: -o.rate * 3 + o.cap * o.inner.share
rule extra_or_zero: o.extra ?? 0
rule remark_or_none: o.inner.remark ?? "none"
rule is_a: o.kind == Kind.a
rule third: o.level / 3
"""

WHOLE = TIERS + "rule same: o.inner\n"

_POLICIES: dict[str, wuxin_rules.Policy] = {}


def _load(text: str) -> wuxin_rules.Policy:
    if text not in _POLICIES:
        _POLICIES[text] = wuxin_rules.loads(text, name="tiers.policy")
    return _POLICIES[text]


@pytest.fixture
def tiers() -> wuxin_rules.Policy:
    return _load(TIERS)


def _program(policy: wuxin_rules.Policy) -> compiler.Program:
    program = policy._program(policy.rules)
    assert program is not None and program.tiered
    return program


def _tier1(program: compiler.Program, document: Any) -> tuple[Any, ...] | None:
    """Tier 1 alone: `Program.evaluate` with the fused function's fallback to tier 2 (the
    generated facts check it calls by name) switched off for the call."""
    namespace = program.evaluate_function.__globals__
    name = program.facts_function.__name__
    saved = namespace[name]

    def refuse(document: Any) -> Any:
        raise compiler._NotPlain

    namespace[name] = refuse
    try:
        return program.evaluate(document)
    finally:
        namespace[name] = saved


def _tier2(program: compiler.Program, document: Any) -> tuple[Any, ...] | None:
    values = program.facts(document)
    return None if values is None else program.run(values)


def _reference(policy: wuxin_rules.Policy, document: Any) -> dict[str, Any] | None:
    """The reference verdicts by key, or None when the full check refuses the document."""
    try:
        values = policy.validate(document)
    except wuxin_rules.FactError:
        return None
    evaluation = evaluator.evaluate(
        policy.checked, values, params=policy._param_values, rules=policy.rules
    )
    return dict(evaluation.verdicts)


def _document(**changes: Any) -> dict[str, Any]:
    inner = {"flag": True, "share": Decimal("0.25"), "remark": "n"}
    outer: dict[str, Any] = {
        "count": 0,
        "rate": Decimal("-0.0525"),
        "level": Decimal("0.035"),
        "cap": Decimal("1.5"),
        "kind": "a",
        "inner": inner,
        "extra": 7,
    }
    for key, value in changes.items():
        target = inner if key.startswith("inner_") else outer
        key = key.removeprefix("inner_")
        if value is _ABSENT:
            del target[key]
        else:
            target[key] = value
    return {"o": outer, "margin": None}


_ABSENT = object()


def _shuffled(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with the keys of every dict in reverse order."""
    outer = dict(reversed(list(document["o"].items())))
    outer["inner"] = dict(reversed(list(outer["inner"].items())))
    return dict(
        reversed([(key, outer if key == "o" else value) for key, value in document.items()])
    )


def _assert_agree(policy: wuxin_rules.Policy, document: Any) -> dict[str, Any]:
    """Every tier against the reference on `document`; which tiers decided it."""
    program = _program(policy)
    reference = _reference(policy, document)
    tier1 = _tier1(program, document)
    tier2 = _tier2(program, document)
    if reference is None:
        assert tier1 is None, "tier 1 accepted a document the full check refuses"
        assert program.facts(document) is None, "tier 2 accepted a document the full check refuses"
        with pytest.raises(wuxin_rules.FactError):
            policy.evaluate(document)
        with pytest.raises(wuxin_rules.FactError):
            policy.evaluate_many([document])
        return {"tier1": False, "tier2": False}
    failed = [key for key, verdict in reference.items() if verdict.error is not None]
    for outcome in (tier1, tier2):
        if outcome is not None:
            assert not failed, failed
            for key, value in zip(program.keys, outcome, strict=True):
                assert compiler.canonical(value) == reference[key].value, key
    if program.facts(document) is not None:
        assert compiler.canonical(program.facts(document)) == policy.validate(document)
        assert (tier2 is None) == bool(failed)
    expected = policy.evaluate(document, explain=True)
    for result in (
        policy.evaluate(document),
        *policy.evaluate_many([document]),
        *policy.iter_evaluate([document]),
    ):
        assert result.to_json() == expected.to_json()
        assert result.values() == expected.values()
        assert result.errors == expected.errors
        for key, verdict in reference.items():
            assert result.verdict(key).value == verdict.value, key
        assert result.to_json(explain=True) == expected.to_json(explain=True)
    return {"tier1": tier1 is not None, "tier2": tier2 is not None}


# ------------------------------------------------------------------------------------------
# Which tier decides what


def test_a_document_laid_out_as_declared_is_decided_by_tier_1(tiers: wuxin_rules.Policy) -> None:
    decided = _assert_agree(tiers, _document())
    assert decided == {"tier1": True, "tier2": True}
    result = tiers.evaluate(_document())
    assert result._evaluation is None  # no reference evaluation
    assert result["ok"] is True and result["bar"] == Decimal("0.0175")
    assert result["third"] == Fraction(7, 600)


def test_tier_1_takes_keys_in_any_order(tiers: wuxin_rules.Policy) -> None:
    document = _shuffled(_document())
    assert list(document["o"]) != list(_document()["o"])
    assert _assert_agree(tiers, document)["tier1"]


def test_a_whole_record_makes_tier_1_check_the_key_order() -> None:
    policy = _load(WHOLE)
    program = _program(policy)
    assert _assert_agree(policy, _document())["tier1"]
    shuffled = _shuffled(_document())
    decided = _assert_agree(policy, shuffled)
    assert decided == {"tier1": False, "tier2": True}
    result = policy.evaluate_many([shuffled])[0]
    assert list(result["same"]) == ["flag", "share", "remark"]  # declared order, as the reference
    assert compiler.canonical(program.evaluate(shuffled)) == compiler.canonical(
        program.evaluate(_document())
    )


def test_missing_optional_fields_go_to_tier_2(tiers: wuxin_rules.Policy) -> None:
    for document in (_document(extra=_ABSENT), _document(inner_remark=_ABSENT)):
        assert _assert_agree(tiers, document) == {"tier1": False, "tier2": True}
    assert tiers.evaluate(_document(extra=_ABSENT))["extra_or_zero"] == 0
    assert tiers.evaluate(_document(inner_remark=_ABSENT))["remark_or_none"] == "none"
    margin_absent = _document()
    del margin_absent["margin"]
    assert _assert_agree(tiers, margin_absent) == {"tier1": False, "tier2": True}


def test_ints_in_decimal_fields_stay_on_tier_1(tiers: wuxin_rules.Policy) -> None:
    document = _document(rate=-1, level=2, cap=1, inner_share=1)
    assert _assert_agree(tiers, document)["tier1"]
    assert tiers.evaluate(document)["bar"] == Decimal(1)
    # Out of the declared bound, or too large: refused by every fast tier.
    for document in (
        _document(rate=-2),
        _document(level=0),
        _document(cap=3),
        _document(rate=10**5000),
    ):
        assert _assert_agree(tiers, document) == {"tier1": False, "tier2": False}


@pytest.mark.parametrize(
    "changes",
    [
        {"count": True},
        {"count": False},
        {"count": Decimal(0)},
        {"count": -1},
        {"count": 10**4400},
        {"inner_flag": 1},
        {"inner_flag": None},
        {"kind": "c"},
        {"kind": ["a"]},
        {"rate": 0.5},
        {"rate": "0.5"},
        {"rate": Decimal("NaN")},
        {"rate": Decimal("sNaN")},
        {"level": Decimal("Infinity")},
        {"rate": Decimal("-Infinity")},
        {"level": Decimal("1E+5000")},
        {"level": Decimal("1E-5000")},
        {"rate": Decimal("0E-5000")},
        {"level": Decimal("9" * 77)},
        {"level": Decimal("0." + "1" * 80)},
        {"inner_share": Decimal("1.0001")},
        {"extra": True},
        {"unknown": 1},
    ],
    ids=lambda changes: ",".join(
        f"{k}={str(v)[:12] if not isinstance(v, int) else type(v).__name__}"
        for k, v in changes.items()
    ),
)
def test_what_tier_1_leaves_to_the_others(
    tiers: wuxin_rules.Policy, changes: dict[str, Any]
) -> None:
    assert not _assert_agree(tiers, _document(**changes))["tier1"]


def test_negative_zero_where_the_bound_is_zero_goes_to_the_reference() -> None:
    # `is_signed()` decides `>= 0` on tier 1 and tier 2, and refuses -0: the full check takes it.
    policy = wuxin_rules.loads(
        "policy z\ninput x: decimal >= 0\nrule same: x\ncriterion nonnegative: x >= 0\n",
        name="z.policy",
    )
    assert _assert_agree(policy, {"x": Decimal("-0")}) == {"tier1": False, "tier2": False}
    assert policy.evaluate({"x": Decimal("-0")})["nonnegative"] is True
    assert _assert_agree(policy, {"x": Decimal("0")})["tier1"]


_EDGE = [
    "0",
    "-0",
    "1",
    "-1",
    "0.5",
    "2",
    "2.0000",
    "-1.0001",
    "1E+2",
    "1E-4199",
    "1E-4300",
    "1E+4300",
    "9" * 76,
    "9" * 77,
    "NaN",
    "-Infinity",
]
_ODD = st.one_of(
    st.sampled_from(_EDGE).map(Decimal), st.integers(-2, 3), st.just(0.5), st.just("1/2")
)
_ODD_VALUES = {
    "count": st.sampled_from([-1, True, Decimal(0), 10**4400]),
    "inner_flag": st.sampled_from([1, None]),
    "kind": st.sampled_from(["c", 1]),
    "extra": st.sampled_from([_ABSENT, True]),
    "inner_remark": st.sampled_from([_ABSENT, 1]),
    **{name: _ODD for name in ("rate", "level", "cap", "inner_share")},
}


def _places(low: str, high: str) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=4)


@settings(max_examples=150, deadline=None)
@given(
    count=st.integers(0, 1),
    rate=_places("-1", "0.05"),
    level=_places("0.0001", "3"),
    cap=_places("-3", "2"),
    share=_places("0", "1"),
    flag=st.booleans(),
    kind=st.sampled_from(["a", "b"]),
    extra=st.sampled_from([0, 5, None]),
    remark=st.sampled_from(["x", None]),
    # At most one field odd (an edge case, a wrong form, absent): most documents are valid.
    odd=st.sampled_from([None] * 4 + sorted(_ODD_VALUES)).flatmap(
        lambda name: st.tuples(st.just(name), _ODD_VALUES[name] if name else st.none())
    ),
    shuffle=st.booleans(),
    whole=st.booleans(),
)
def test_the_tiers_agree_with_the_reference(
    count: Any,
    rate: Any,
    level: Any,
    cap: Any,
    share: Any,
    flag: Any,
    kind: str,
    extra: Any,
    remark: Any,
    odd: tuple[str | None, Any],
    shuffle: bool,
    whole: bool,
) -> None:
    fields = dict(
        count=count,
        rate=rate,
        level=level,
        cap=cap,
        inner_share=share,
        inner_flag=flag,
        kind=kind,
        extra=extra,
        inner_remark=remark,
    )
    name, value = odd
    if name is not None:
        fields[name] = value
    document = _document(**fields)
    decided = _assert_agree(
        _load(WHOLE if whole else TIERS), _shuffled(document) if shuffle else document
    )
    _SEEN[(decided["tier1"], decided["tier2"])] += 1


_SEEN: collections.Counter[tuple[bool, bool]] = collections.Counter()


def test_the_drawn_documents_reach_every_tier() -> None:
    # The property above records which tiers decided its documents; run on its own, this test
    # draws them itself, so that it never passes without checking.
    if not _SEEN:
        test_the_tiers_agree_with_the_reference()
    assert {(True, True), (False, True), (False, False)} <= set(_SEEN), _SEEN


def test_explanations_of_a_document_with_its_keys_in_another_order(
    tiers: wuxin_rules.Policy,
) -> None:
    document = _shuffled(_document(rate=Decimal("-0.0100")))
    expected = tiers.evaluate(document, explain=True)
    (fast,) = tiers.evaluate_many([document])
    assert fast._evaluation is None
    assert fast.explain() == expected.explain()
    assert fast.explain("ok", mode="full") == expected.explain("ok", mode="full")
    # The explanation's inputs are the full check's values.
    assert fast._inputs == tiers.validate(document)


def test_every_slot_of_a_fast_result_is_set(tiers: wuxin_rules.Policy) -> None:
    # The fast path builds its results without `Result.__init__`: a new slot must be set there too.
    results = [
        *tiers.evaluate_many([_document()]),
        tiers.evaluate(_document()),
        *tiers.iter_evaluate([_document()]),
    ]
    for result in results:
        assert result._fast_values is not None
        for slot in Result.__slots__:
            getattr(result, slot)


def test_the_three_ways_give_the_same_results_on_a_mixed_batch(tiers: wuxin_rules.Policy) -> None:
    documents = [
        _document(),
        _shuffled(_document(count=1)),
        _document(extra=_ABSENT),
        _document(rate=-1, level=1),
        _document(level=Decimal("1E-30"), rate=Decimal("-1")),
        _document(inner_share=Decimal("0.5"), cap=Decimal("-7.25")),
    ]
    many = tiers.evaluate_many(documents)
    streamed = list(tiers.iter_evaluate(iter(documents)))
    from_iterator = tiers.evaluate_many(iter(documents))
    for index, document in enumerate(documents):
        single = tiers.evaluate(document)
        for other in (many[index], streamed[index], from_iterator[index]):
            assert other.to_json() == single.to_json()
            assert other.to_json(explain=True) == single.to_json(explain=True)


def test_a_batch_longer_than_a_chunk_from_an_iterator(tiers: wuxin_rules.Policy) -> None:
    documents = [_document(count=index % 3) for index in range(600)]
    results = tiers.evaluate_many(document for document in documents)
    assert [r["ok"] for r in results] == [index % 3 == 0 for index in range(600)]
    bad = [*documents[:300], _document(count=-1), *documents[300:]]
    with pytest.raises(wuxin_rules.FactError) as error:
        tiers.evaluate_many(iter(bad))
    assert "$[300]" in str(error.value)


# ------------------------------------------------------------------------------------------
# The decimal context


def _context_state() -> tuple[Any, ...]:
    context = decimal.getcontext()
    return (
        id(context),
        context.prec,
        context.rounding,
        dict(context.traps),
        context.Emax,
        context.Emin,
    )


def test_the_callers_context_is_back_after_every_call(tiers: wuxin_rules.Policy) -> None:
    before = _context_state()
    tiers.evaluate(_document())
    tiers.evaluate(_document(extra=_ABSENT))
    tiers.evaluate_many([_document(), _document(extra=_ABSENT), _document(level=Decimal(0))][:2])
    tiers.evaluate_many(iter([_document()]))
    list(tiers.iter_evaluate([_document(), _document(extra=_ABSENT)]))
    stream = tiers.iter_evaluate([_document(), _document()])
    next(stream)
    assert _context_state() == before  # between two results of a stream, too
    stream.close()
    assert _context_state() == before
    assert decimal.getcontext() is not compiler.EXACT_CONTEXT


def test_the_callers_context_is_back_after_an_exception(tiers: wuxin_rules.Policy) -> None:
    before = _context_state()
    with pytest.raises(wuxin_rules.FactError):
        tiers.evaluate_many([_document(), _document(count=-1), _document()])
    assert _context_state() == before
    with pytest.raises(wuxin_rules.FactError):
        tiers.evaluate(_document(count=-1))
    assert _context_state() == before

    def failing() -> Iterator[dict[str, Any]]:
        yield _document()
        raise RuntimeError("the caller's own iterator fails")

    with pytest.raises(RuntimeError):
        tiers.evaluate_many(failing())
    assert _context_state() == before
    with pytest.raises(RuntimeError):
        list(tiers.iter_evaluate(failing()))
    assert _context_state() == before


def test_the_callers_iterator_runs_in_the_callers_context(tiers: wuxin_rules.Policy) -> None:
    seen: list[decimal.Context] = []

    def documents() -> Iterator[dict[str, Any]]:
        for count in range(3):
            seen.append(decimal.getcontext())
            yield _document(count=count)

    with decimal.localcontext() as mine:
        tiers.evaluate_many(documents())
        for _ in tiers.iter_evaluate(documents()):
            seen.append(decimal.getcontext())
    assert len(seen) == 9 and all(context is mine for context in seen)


def test_a_low_precision_context_of_the_callers_does_not_change_results(
    tiers: wuxin_rules.Policy,
) -> None:
    long = Decimal("0." + "3" * 60)  # beyond the default context's 28 digits
    documents = [
        _document(level=long, rate=long / 2),  # not on the bar: `long / 2` is rounded (28 digits)
        _document(level=long, rate=Decimal("0." + "1" * 60) + Decimal("0." + "0" * 59 + "65")),
        _document(level=long, cap=Decimal("1." + "7" * 50), inner_share=Decimal("0." + "9" * 40)),
    ]
    with decimal.localcontext() as context:
        context.prec = 2
        context.traps[decimal.Inexact] = False
        context.traps[decimal.InvalidOperation] = False
        low = [r.to_json() for r in tiers.evaluate_many(documents)]
        low_single = [tiers.evaluate(d).to_json() for d in documents]
        low_stream = [r.to_json() for r in tiers.iter_evaluate(documents)]
        assert decimal.getcontext().prec == 2
    exact = [tiers.evaluate(d, explain=True).to_json() for d in documents]
    assert low == low_single == low_stream == exact
    level = Fraction(long)
    bar = tiers.evaluate(documents[0]).verdict("bar").value
    assert bar == level - level / 2  # 60 digits, exactly
    outer = documents[2]["o"]
    assert tiers.evaluate(documents[2]).verdict("scaled").value == -3 * Fraction(
        outer["rate"]
    ) + Fraction(outer["cap"]) * Fraction(outer["inner"]["share"])


def test_threads_keep_their_own_contexts(tiers: wuxin_rules.Policy) -> None:
    before = _context_state()
    outcomes: list[Any] = []

    def work() -> None:
        decimal.getcontext().prec = 3
        own = _context_state()
        results = tiers.evaluate_many([_document(), _document(level=Decimal("0." + "7" * 40))])
        outcomes.append((own == _context_state(), [r.to_json() for r in results]))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    expected = [
        r.to_json()
        for r in tiers.evaluate_many([_document(), _document(level=Decimal("0." + "7" * 40))])
    ]
    for thread in threads:
        thread.join()
    assert _context_state() == before
    assert outcomes == [(True, expected), (True, expected)]
