"""The compiled tracer (`wuxin_rules.trace_compiler`) against the reference evaluator.

* On every flagship policy and on a policy written to use every construct, for generated
  facts: the trees built from the record are the reference's trees (kinds, texts, values,
  details, labels, citations, spans, elements listed and omitted), and the tracer gives up
  exactly when the reference reports an error.
* What users see through `evaluate(..., explain=True)`, `evaluate_many` and `iter_evaluate`
  (texts, JSON) is the reference's.
* A rule referred to twice is one shared subtree, as in the reference.
* The generated code cannot be injected into: every name in it is one the compiler made.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wuxin_rules
from codekit import HOSTILE as HOSTILE_RECORD
from codekit import assert_only_generated_names
from treekit import assert_same_evaluation
from wuxin_rules import compiler, evaluator, strategies, trace_compiler
from wuxin_rules.trace import Evaluation

FLAGSHIP = sorted(
    (Path(__file__).resolve().parent.parent / "policies" / "drug_free").glob("*.policy")
)

_POLICIES: dict[str, wuxin_rules.Policy] = {}


def _policy(path: Path) -> wuxin_rules.Policy:
    if str(path) not in _POLICIES:
        _POLICIES[str(path)] = wuxin_rules.load(path)
    return _POLICIES[str(path)]


def _reference(policy: wuxin_rules.Policy, document: Any) -> Evaluation:
    values = policy.validate(document)
    return evaluator.evaluate(
        policy.checked, values, params=policy._param_values, rules=policy.rules, trace=True
    )


def _check_agreement(
    policy: wuxin_rules.Policy, tracer: trace_compiler.Tracer, document: Any, seen: dict[str, int]
) -> None:
    reference = _reference(policy, document)
    failed = [key for key, verdict in reference.verdicts.items() if verdict.error is not None]
    stats = compiler.FastPathStats()
    traced = tracer.evaluate(document, stats)
    # Handed to the reference only when a rule fails, and then counted.
    assert stats.as_dict() == ({compiler.EVALUATION_ERROR: 1} if failed else {})
    if traced is None:
        # Gives up only when the reference reports an error: none hidden, none invented.
        assert failed, "the tracer gave up on a document the reference evaluates without error"
        seen["gave_up"] += 1
        return
    assert not failed, failed
    record = traced
    seen["traced"] += 1
    for key in tracer.keys:
        assert compiler.canonical(record[tracer.positions[key]]) == reference.verdicts[key].value, (
            key
        )
    assert_same_evaluation(tracer.evaluation(record), reference)


@pytest.mark.parametrize("path", FLAGSHIP, ids=lambda p: p.stem)
def test_trees_from_the_record_are_the_reference_trees_on_every_flagship_policy(path: Path) -> None:
    policy = _policy(path)
    tracer = policy._tracer(policy.rules)
    assert tracer is not None, f"{path.name} has no compiled tracer"
    seen = {"traced": 0, "gave_up": 0}

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategies.facts(policy))
    def agree(document: Any) -> None:
        _check_agreement(policy, tracer, document, seen)

    agree()
    assert seen["traced"] > 0, "the tracer never ran"


# ------------------------------------------------------------------------------------------
# Every construct, including those the flagship does not use

CONSTRUCTS = """\
policy constructs

enum Kind: small "小", large "大"

record Item "物品":
  n: int >= 0 "数量"
  d: int "除数"
  w: decimal "权重"
  ok: bool
  kind: Kind
  memo: text?

input items: list of Item "物品清单"
input x: decimal "数值"
input k: int
input flag: bool?
input when: date

param margin: decimal = 0.25 "余量" cites "P1"
param cut: int = 60

schedule goal "目标": percent by year, Kind
  cites "G":
  stage early "前期" 2015-01-01 .. 2016-12-31:
    2015: small 50%, large 60%
    2016: small 55%, large 65%
  stage late "后期" 2017-01-01 .. 2018-12-31:
    2017: small 70%, large 80%
    2018: small 75%, large 85%

bands grade "等级" over 0 .. 100 cites "B":
  0 ..< 40 low "低"
  40 ..< cut mid
  cut .. 100 high "高"

rule weight_of(i: Item) "权重": i.w * (1 + margin)
rule big(i: Item): i.n > cut / 20 or i.kind == large
rule total: sum of i in items : weight_of(i)
rule whole: sum of i in items where i.ok : i.n
rule smallest: min of i in items where i.d != 0 : i.n / i.d
rule largest: max of i in items : i.w
rule share "份额" cites "S": rate of i in items where i.d != 0 : big(i)
rule busy: count of i in items where big(i)
rule names: list of i in items where i.memo is not none : i.memo ?? "-"
rule kinds: list of i in items : label(i.kind)
criterion every: all of i in items : i.n >= 0
criterion some: any of i in items : big(i) and i.ok
criterion two "两项" cites "T": at least 2 of [x > 0, k > cut / 20, flag ?? false, every]
criterion needed: at least k of [x > 0, every, some]
rule negated: -x + abs(x - margin)
rule picked: if x > margin then total else -total
rule fallback: flag ?? (k > 0)
rule score: if k < 0 then 0 else if k > 100 then 100 else k
rule graded: grade(score)
rule target: goal(2015 + k, large)
rule per: x / k
rule phase: goal.stage(when)
rule phase_of_year: goal.stage(2016)
rule member: k in [1, 2, 3] and not (x < 0)
rule shape: {count: busy, first: smallest, kinds: kinds}
rule again: picked + picked
"""


@pytest.fixture(scope="module")
def constructs() -> wuxin_rules.Policy:
    return wuxin_rules.loads(CONSTRUCTS, name="constructs.policy")


def test_every_construct_compiles_to_a_tracer(constructs: wuxin_rules.Policy) -> None:
    tracer = constructs._tracer(constructs.rules)
    assert tracer is not None
    assert "_traced" in tracer.source


def test_every_construct_agrees_with_the_reference(constructs: wuxin_rules.Policy) -> None:
    tracer = constructs._tracer(constructs.rules)
    assert tracer is not None
    seen = {"traced": 0, "gave_up": 0}

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategies.facts(constructs))
    def agree(document: Any) -> None:
        _check_agreement(constructs, tracer, document, seen)

    agree()
    assert seen["traced"] > 0 and seen["gave_up"] > 0, seen


def _item(
    n: int, d: int, w: str, ok: bool = True, kind: str = "small", note: str | None = None
) -> dict[str, Any]:
    return {"n": n, "d": d, "w": Decimal(w), "ok": ok, "kind": kind, "memo": note}


def _document(items: list[dict[str, Any]], **facts: Any) -> dict[str, Any]:
    base = {"items": items, "x": Decimal("0.5"), "k": 2, "flag": None, "when": "2017-06-30"}
    base.update(facts)
    return base


def test_many_elements_are_listed_up_to_the_limit_and_counted(
    constructs: wuxin_rules.Policy,
) -> None:
    items = [
        _item(n % 7, 1 + n % 3, "0.1", ok=n % 2 == 0, kind="large" if n % 5 == 0 else "small")
        for n in range(45)
    ]
    document = _document(items)
    result = constructs.evaluate(document, explain=True)
    assert result._trace is not None, "the compiled tracer did not run"
    assert_same_evaluation(result._traced(), _reference(constructs, document))
    share = result.explanation("share").children[0]
    assert share.kind == "aggregate" and share.omitted == 45 - evaluator.MAX_LISTED_ELEMENTS


def _long_items(count: int) -> list[dict[str, Any]]:
    return [
        _item(n % 7, 1 + n % 3, str(n % 11), ok=n % 2 == 0, kind="large" if n % 5 == 0 else "small")
        for n in range(count)
    ]


def _node_count(evaluation: Evaluation) -> int:
    seen: set[int] = set()
    for verdict in evaluation.verdicts.values():
        assert verdict.explanation is not None
        seen.update(id(node) for node in verdict.explanation.walk_unique())
    return len(seen)


def test_a_long_list_is_explained_in_bounded_size(constructs: wuxin_rules.Policy) -> None:
    """Issue 10 item 8: the explanation of an aggregate lists the elements that decided it,
    then counts the rest, so its size does not grow with the list; both paths agree."""
    sizes = []
    for count in (200, 2000):
        document = _document(_long_items(count))
        result = constructs.evaluate(document, explain=True)
        assert result._trace is not None, "the compiled tracer did not run"
        traced = result._traced()
        reference = _reference(constructs, document)
        assert_same_evaluation(traced, reference)
        sizes.append((_node_count(traced), _node_count(reference)))
        share = traced.verdicts["share"].explanation.children[0]  # type: ignore[union-attr]
        listed = len(share.children) - 1
        assert listed == evaluator.MAX_LISTED_ELEMENTS
        assert share.omitted == count - listed
        held, failed = share.omitted_detail.split(", ")  # type: ignore[union-attr]
        assert held.endswith(" held") and failed.endswith(" failed")
        assert int(held.split()[0]) + int(failed.split()[0]) == share.omitted
        # `rate of`: the failed elements first, they decided it.
        assert [e.value for e in share.children[1:]] == [False] * listed
        text = result.explain("share")
        assert f"… and {share.omitted} more: {share.omitted_detail}" in text
    assert sizes[0] == sizes[1]


def test_the_tracer_builds_nodes_only_for_the_elements_it_lists(
    constructs: wuxin_rules.Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the trees of a long list makes about as many nodes as a short one: the values
    of the rest are read from the record, never turned into nodes and dropped (10⁶ elements
    took 89 s and 3.1 GB)."""
    made: list[int] = []
    real = trace_compiler.Explanation

    def counting(*args: Any, **fields: Any) -> trace_compiler.Explanation:
        made.append(1)
        return real(*args, **fields)

    monkeypatch.setattr(trace_compiler, "Explanation", counting)
    counts = []
    for count in (200, 2000):
        result = constructs.evaluate(_document(_long_items(count)), explain=True)
        made.clear()
        result._traced()
        counts.append(len(made))
    # (Not exactly equal: the listed elements differ, and with them the nodes they take.)
    assert counts[0] > 0 and counts[1] < counts[0] * 1.1


def test_min_and_max_list_the_elements_equal_to_the_result_first(
    constructs: wuxin_rules.Policy,
) -> None:
    result = constructs.evaluate(_document(_long_items(100)), explain=True)
    largest = result.explanation("largest").children[0]
    assert largest.kind == "aggregate" and largest.name == "max"
    first = largest.children[1]
    assert first.value == 10 and first.detail == "#11"
    assert "… and 80 more" in result.explain("largest", mode="full")
    assert largest.omitted_detail is None  # a number, not a condition: only counted


def test_a_long_list_is_bounded_in_the_reference_when_an_element_fails(
    constructs: wuxin_rules.Policy,
) -> None:
    """Faulted elements too: at most the limit of them are listed, with their errors."""
    items = [_item(1, 0, "1") for _ in range(100)]
    document = _document(items, k=0)
    reference = _reference(constructs, document)
    assert reference.verdicts["per"].error is not None
    assert _node_count(reference) < 2000


def test_a_rule_used_twice_is_one_shared_subtree(constructs: wuxin_rules.Policy) -> None:
    result = constructs.evaluate(_document([_item(1, 1, "2")]), explain=True)
    again = result.explanation("again").children[0]
    left, right = again.children
    assert left.kind == right.kind == "rule"
    assert left.children[0] is right.children[0]


def test_an_error_leaves_the_tree_to_the_reference(constructs: wuxin_rules.Policy) -> None:
    document = _document([_item(1, 0, "1")], k=0)  # `per: x / k` divides by zero
    reference = _reference(constructs, document)
    assert reference.verdicts["per"].error is not None
    tracer = constructs._tracer(constructs.rules)
    assert tracer is not None
    assert tracer.evaluate(document) is None
    result = constructs.evaluate(document, explain=True)
    assert result._trace is None
    assert result.verdicts == reference.verdicts
    assert result.to_json(explain=True) == constructs.evaluate(document).to_json(explain=True)


# ------------------------------------------------------------------------------------------
# Through the API: what users see


@pytest.mark.parametrize("name", ["unit", "town", "spot_check", "assessment"])
def test_explained_results_read_as_the_reference_ones(name: str) -> None:
    policy = _policy(FLAGSHIP[0].parent / f"{name}.policy")

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(strategies.facts(policy), min_size=1, max_size=4))
    def agree(documents: list[Any]) -> None:
        batch = policy.evaluate_many(documents, explain=True)
        streamed = list(policy.iter_evaluate(documents, explain=True))
        for document, result, other in zip(documents, batch, streamed, strict=True):
            reference = evaluator.evaluate(
                policy.checked,
                policy.validate(document),
                params=policy._param_values,
                rules=policy.rules,
                trace=True,
            )
            single = policy.evaluate(document, explain=True)
            for candidate in (result, other, single):
                assert candidate.errors == reference.distinct_errors
                assert candidate.verdicts == reference.verdicts
                for lang in ("en", "zh"):
                    expected = wuxin_rules.explain.render_evaluation(
                        reference, mode="decisive", lang=lang
                    )
                    assert candidate.explain(lang=lang) == expected
            assert result.to_json(explain=True) == single.to_json(explain=True)

    agree()


def test_results_with_a_record_give_values_before_any_tree_is_built() -> None:
    policy = _policy(FLAGSHIP[0].parent / "unit.policy")
    document = _flagship_unit_document()
    (result,) = policy.evaluate_many([document], rules=["drug_free"], explain=True)
    assert result._trace is not None and result._evaluation is None
    assert result["drug_free"] is policy.evaluate(document)["drug_free"]
    assert result._evaluation is None, "reading a value built the trees"
    tree = result.explanation("drug_free")
    assert result._trace is None and tree.kind == "criterion"


def _flagship_unit_document() -> dict[str, Any]:
    import json

    path = Path(__file__).resolve().parent.parent / "examples" / "village-fail.json"
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------------------
# No code injection

HOSTILE = """\
policy h

record __class__:
  __dict__: int
  _i: text
  _s1: int

input __builtins__: list of __class__
input _NE: text

rule exec(_agg: __class__): _agg._i + _NE + "'); __import__('os').system('x"
rule _traced: list of _s1 in __builtins__ where _s1.__dict__ > 0 : exec(_s1)
rule eval: count of x in __builtins__ where x._s1 == 0
"""


def test_hostile_names_and_texts_stay_data() -> None:
    policy = wuxin_rules.loads(HOSTILE, name="h.policy")
    tracer = policy._tracer(policy.rules)
    assert tracer is not None
    payload = "\"); __import__('os').system('y"
    document = {"__builtins__": [{"__dict__": 1, "_i": payload, "_s1": 0}], "_NE": "'\\"}
    result = policy.evaluate(document, explain=True)
    assert result._trace is not None
    assert result["_traced"] == [payload + "'\\" + "'); __import__('os').system('x"]
    assert result["eval"] == 1
    assert_same_evaluation(result._traced(), _reference(policy, document))
    assert_only_generated_names(tracer.source, frozenset({"_traced"}))


def test_hostile_names_and_texts_stay_data_in_tier_1() -> None:
    # The compiler's hostile policy has a record input: the tracer checks it in tier 1.
    policy = wuxin_rules.loads(HOSTILE_RECORD, name="h.policy")
    tracer = policy._tracer(policy.rules)
    assert tracer is not None and "except _Error" in tracer.source
    text = _reference(
        policy,
        {"__builtins__": {"__class__": "", "__dict__": 0, "_i": 0, "_m": 0, "_k1": 0}, "k": "exec"},
    )
    payload = text.verdicts["_main"].value
    document = {
        "__builtins__": {
            "__class__": payload,
            "__dict__": 2,
            "_i": 3,
            "_m": 4,
            "_k1": Decimal("-0.4"),
        },
        "k": "exec",
    }
    result = policy.evaluate(document, explain=True)
    assert result._trace is not None
    assert (result["exec"], result["_r_0"], result["eval"]) == (True, 14, payload)
    assert_same_evaluation(result._traced(), _reference(policy, document))
    assert_only_generated_names(tracer.source, frozenset({"_traced"}))


def test_deep_policies_are_traced_or_left_to_the_reference() -> None:
    # 80 rules, each 60 levels deep around the one before: traced, with the reference's trees.
    depth = 60
    lines = ["policy deep", "input x: int", "rule r0: x"]
    for i in range(1, 80):
        lines.append(f"rule r{i}: " + "(" * depth + f"r{i - 1}" + " + 1)" * depth)
    chain = wuxin_rules.loads("\n".join(lines) + "\n", name="deep.policy")
    result = chain.evaluate({"x": 0}, rules=["r79"], explain=True)
    assert result._trace is not None
    assert result["r79"] == 79 * depth
    reference = evaluator.evaluate(chain.checked, {"x": 0}, rules=["r79"], trace=True)
    tracer, record = result._trace, result._fast_values
    assert_same_evaluation(tracer.evaluation(record), reference)  # built, not left to the reference
    # 2000 rules with parameters calling each other: too deep to inline, so the reference
    # evaluates and reports `too-deep`, as without explanations.
    n = 2000
    lines = ["policy calls", "rule f0(x: int) -> int: x + 1"]
    lines += [f"rule f{i}(x: int) -> int: f{i - 1}(x) + 1" for i in range(1, n)]
    lines.append(f"rule r: f{n - 1}(0)")
    calls = wuxin_rules.loads("\n".join(lines) + "\n", name="calls.policy")
    assert calls._tracer(("r",)) is None
    deep = calls.evaluate({}, rules=["r"], explain=True).verdict("r")
    assert deep.error is not None and deep.error.code == "too-deep"


def test_records_in_lists_are_shown_in_declared_order_whatever_the_document_order() -> None:
    policy = _policy(FLAGSHIP[0].parent / "spot_check.policy")
    unit = {"awarded_by": "district_commission", "title_held": True, "id": "u1"}
    document = {
        "pool": {"seed": "s", "units": [unit], "year": 2018, "authority": "district_commission"}
    }
    assert list(policy.validate(document)["pool"]["units"][0]) == ["id", "title_held", "awarded_by"]
    traced = policy.evaluate(document, explain=True)
    assert traced._trace is not None
    reference = _reference(policy, document)
    assert_same_evaluation(traced._traced(), reference)
    assert traced.explain() == wuxin_rules.explain.render_evaluation(reference, mode="decisive")


def test_traced_arithmetic_is_exact_whatever_the_callers_decimal_context() -> None:
    import decimal

    text = "policy exact\n\ninput a: decimal\ninput b: decimal\n\nrule total: a * b + a - b\n"
    policy = wuxin_rules.loads(text, name="exact.policy")
    a, b = Decimal("1234567.891011121314"), Decimal("-0.000000000123456789")
    with decimal.localcontext() as context:
        context.prec = 3
        results = [
            policy.evaluate({"a": a, "b": b}, explain=True),
            *policy.evaluate_many([{"a": a, "b": b}], explain=True),
            *policy.iter_evaluate([{"a": a, "b": b}], explain=True),
        ]
        assert decimal.getcontext().prec == 3, "the caller's context was not given back"
    wide = decimal.Context(prec=100)  # wide enough for every digit of the exact result
    exact = wide.subtract(wide.add(wide.multiply(a, b), a), b)
    assert decimal.Context(prec=3).create_decimal(exact) != exact  # 3 digits would round
    for result in results:
        assert result._trace is not None
        assert result["total"] == exact
        assert result.explanation("total").value == exact


def test_a_tree_that_cannot_be_built_is_explained_by_the_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = _policy(FLAGSHIP[0].parent / "unit.policy")
    document = _flagship_unit_document()
    result = policy.evaluate(document, explain=True)
    assert result._trace is not None

    def fail(self: trace_compiler.Tracer, record: Any) -> Evaluation:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(trace_compiler.Tracer, "evaluation", fail)
    assert result.verdicts == _reference(policy, document).verdicts
    assert result.explain() == wuxin_rules.explain.render_evaluation(
        _reference(policy, document), mode="decisive"
    )


OPEN_BANDS = """\
input x: decimal
param cut: decimal = 80

bands grade over 0 <.. 100:
  0 <.. 60     low
  60 <..< cut  mid
  cut .. 95    high
  95 <.. 100   none

rule g: grade(x)
"""


@pytest.mark.parametrize(
    ("x", "grade", "detail"),
    [
        ("0.001", "low", "0.001 in 0 <.. 60 → low"),
        ("60", "low", "60 in 0 <.. 60 → low"),
        ("60.5", "mid", "60.5 in 60 <..< 80 → mid"),
        ("80", "high", "80 in 80 .. 95 → high"),
        ("95.5", None, "95.5 in 95 <.. 100 → none"),
    ],
)
def test_open_band_ends_agree_on_every_path(x: str, grade: str | None, detail: str) -> None:
    """A band that excludes its low end (`<..`) and a declared hole (`none`): the fast path,
    the compiled tracer and the reference give the same band at the ends (none in the hole),
    and the explanation shows the range."""
    policy = wuxin_rules.loads(OPEN_BANDS, name="open.policy")
    document = {"x": Decimal(x)}
    assert policy.evaluate(document).values()["g"] == grade
    assert not policy.fast_path_stats.counts, "the fast path handed the document over"
    result = policy.evaluate(document, explain=True)
    assert result._trace is not None, "the compiled tracer did not run"
    traced, reference = result._traced(), _reference(policy, document)
    assert_same_evaluation(traced, reference)
    explanation = reference.verdicts["g"].explanation
    assert explanation is not None and explanation.children[0].detail == detail


def test_the_excluded_low_end_of_the_range_is_outside_every_band() -> None:
    """`over 0 <.. 100` does not hold 0: evaluating there is the `outside-bands` error on
    every path."""
    policy = wuxin_rules.loads(OPEN_BANDS, name="open.policy")
    result = policy.evaluate({"x": Decimal(0)})
    assert [d.code for d in result.errors] == ["outside-bands"]
    assert "the bands are low 0 <.. 60, mid 60 <..< 80, high 80 .. 95, none 95 <.. 100" in str(
        result.errors[0]
    )
