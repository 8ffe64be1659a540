"""Following links between records: `ancestors` and `reachable` (issue 12, bounded recursion).

`tests/test_semantics.py` holds both entries to the same values, errors and explanations on
every path on drawn facts; here are the walks themselves against naive oracles (order, each
record once, cycles named in order, linear structures of any depth), what the checker
refuses, the errors and explanations as a user sees them, and every path on drawn trees and
graphs whose start is one of their keys.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wuxin_rules
from wuxin_rules import (
    checker,
    evaluator,
    examples,
    links,
    messages,
    notation,
    strategies,
    suite_checker,
)
from wuxin_rules.api import Result
from wuxin_rules.errors import PolicyCheckError
from wuxin_rules.parser import parse_expression

# ------------------------------------------------------------------------------------------
# The walks


def _records(links_by_key: dict[Any, Any], field: str = "up") -> list[dict[str, Any]]:
    return [{"id": key, field: link} for key, link in links_by_key.items()]


def _chain(records: list[dict[str, Any]], start: Any) -> list[Any]:
    reached = links.chain(links.index(records, "id"), start, "id", "up")
    return [record["id"] for record in reached]


def _reach(records: list[dict[str, Any]], start: Any) -> list[Any]:
    reached = links.reach(links.index(records, "id"), start, "id", "next")
    return [record["id"] for record in reached]


def _problem(walk: Any, records: list[dict[str, Any]], start: Any) -> tuple[Any, ...]:
    with pytest.raises(links.LinkError) as caught:
        walk(records, start)
    return (caught.value.problem, caught.value.keys, caught.value.source)


def test_a_chain_runs_from_the_nearest_to_the_root_without_the_start() -> None:
    units = _records({"team": "dept", "dept": "org", "org": None, "other": "org"})
    assert _chain(units, "team") == ["dept", "org"]
    assert _chain(units, "org") == []


def test_a_chain_names_its_cycle_in_order_and_its_dangling_link() -> None:
    assert _problem(_chain, _records({"a": "b", "b": "c", "c": "b"}), "a") == (
        "cycle",
        ("b", "c", "b"),
        None,
    )
    assert _problem(_chain, _records({"a": "a"}), "a") == ("cycle", ("a", "a"), None)
    assert _problem(_chain, _records({"a": "b", "b": "gone"}), "a") == (
        "dangling",
        ("gone",),
        "b",
    )
    assert _problem(_chain, _records({"a": None}), "z") == ("dangling", ("z",), None)
    twice = [{"id": "a", "up": None}, {"id": "a", "up": None}]
    assert _problem(_chain, twice, "a") == ("duplicate", ("a",), None)


def test_reachable_is_depth_first_in_the_order_listed_each_record_once() -> None:
    groups = _records(
        {"all": ["ops", "dev"], "ops": ["oncall"], "dev": ["oncall", "web"], "oncall": [],
         "web": []},
        "next",
    )  # fmt: skip
    # `oncall` is reached through `ops` and `dev` (a diamond, not a cycle): given once.
    assert _reach(groups, "all") == ["ops", "oncall", "dev", "web"]
    assert _reach(groups, "web") == []


def test_reachable_names_its_cycle_in_order() -> None:
    groups = _records({"a": ["b"], "b": ["c", "d"], "c": [], "d": ["b"]}, "next")
    assert _problem(_reach, groups, "a") == ("cycle", ("b", "d", "b"), None)
    assert _problem(_reach, _records({"a": ["a"]}, "next"), "a") == ("cycle", ("a", "a"), None)
    assert _problem(_reach, _records({"a": ["b"], "b": ["x"]}, "next"), "a") == (
        "dangling",
        ("x",),
        "b",
    )


def test_walks_of_any_depth_need_no_recursion() -> None:
    depth = 20_000  # far deeper than Python's recursion limit
    chain = _records({n: (n + 1 if n < depth else None) for n in range(depth + 1)})
    assert _chain(chain, 0) == list(range(1, depth + 1))
    graph = _records({n: ([n + 1] if n < depth else []) for n in range(depth + 1)}, "next")
    assert _reach(graph, 0) == list(range(1, depth + 1))


def _naive_chain(links_by_key: dict[int, int | None], start: int) -> Any:
    """The chain by repeated steps, stopping after as many steps as records (then a cycle)."""
    if start not in links_by_key:
        return "dangling"
    path, key = [], start
    for _ in range(len(links_by_key) + 1):
        target = links_by_key[key]
        if target is None:
            return path
        if target not in links_by_key:
            return "dangling"
        if target == start or target in path:
            return "cycle"
        path.append(target)
        key = target
    raise AssertionError("unreachable")


def _naive_reach(graph: dict[int, list[int]], start: int) -> Any:
    """Recursive depth-first search, as a textbook writes it."""
    if start not in graph:
        return "dangling"
    order: list[int] = []
    problem: list[str] = []

    def visit(key: int, on_path: list[int]) -> None:
        for target in graph[key]:
            if problem:
                return
            if target in on_path:
                problem.append("cycle")
            elif target not in graph:
                problem.append("dangling")
            elif target not in order:
                order.append(target)
                visit(target, [*on_path, target])

    visit(start, [start])
    return problem[0] if problem else order


_SIZES = st.integers(0, 6)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(data=st.data(), size=_SIZES)
def test_chains_agree_with_the_naive_walk(data: st.DataObject, size: int) -> None:
    keys = st.integers(0, size)  # `size` itself is the key of no record
    links_by_key = {n: data.draw(st.none() | keys) for n in range(size)}
    start = data.draw(keys)
    expected = _naive_chain(links_by_key, start)
    try:
        found: Any = _chain(_records(links_by_key), start)
    except links.LinkError as error:
        found = error.problem
        if error.problem == "cycle":  # the cycle is closed and lies on the walk
            assert error.keys[0] == error.keys[-1]
            for here, there in zip(error.keys, error.keys[1:], strict=False):
                assert links_by_key[here] == there
    assert found == expected


@settings(max_examples=150, deadline=None, derandomize=True)
@given(data=st.data(), size=_SIZES)
def test_reachable_agrees_with_the_naive_search(data: st.DataObject, size: int) -> None:
    keys = st.integers(0, size)
    graph = {n: data.draw(st.lists(keys, max_size=3)) for n in range(size)}
    start = data.draw(keys)
    expected = _naive_reach(graph, start)
    try:
        found: Any = _reach(_records(graph, "next"), start)
    except links.LinkError as error:
        found = error.problem
        if error.problem == "cycle":
            assert error.keys[0] == error.keys[-1]
            for here, there in zip(error.keys, error.keys[1:], strict=False):
                assert there in graph[here]
    assert found == expected


# ------------------------------------------------------------------------------------------
# In policies

_UNITS = (
    'policy t "t"\n'
    'record Unit "unit":\n  id: text "id"\n  parent: text? "parent"\n  flagged: bool "f"\n'
    '  subs: list of text "subs"\n  size: decimal "size"\n  top: text "top"\n'
    'input units: list of Unit "units"\ninput start: text "start"\n'
    'input n: int "n"\n'
)
_RULES = (
    'rule up "up": list of u in ancestors(units, start, "id", "parent") : u.id\n'
    'criterion flagged_above "flagged above": any of u in ancestors(units, start, "id", '
    '"parent") : u.flagged\n'
    'rule down "down": list of u in reachable(units, start, "id", "subs") : u.id\n'
    'rule chain "chain": ancestors(units, start, "id", "parent")\n'
)


def _unit(key: str, parent: str | None, subs: tuple[str, ...] = (), flagged: bool = False) -> Any:
    return {"id": key, "parent": parent, "flagged": flagged, "subs": list(subs), "size": "1",
            "top": "x"}  # fmt: skip


def _reference(policy: wuxin_rules.Policy, document: Any) -> Result:
    values = policy.validate(document)
    evaluation = evaluator.evaluate(
        policy.checked, values, params=policy._param_values, rules=policy.rules, trace=True
    )
    return Result(policy, values, policy.rules, evaluation)


def _every_path(policy: wuxin_rules.Policy, document: Any) -> Result:
    """The compiled fast path and the compiled tracer agree with the traced reference."""
    reference = _reference(policy, document)
    fast = policy.evaluate(document)
    explained = policy.evaluate(document, explain=True)
    assert json.dumps(fast.to_json()) == json.dumps(reference.to_json())
    assert json.dumps(explained.to_json(explain=True)) == json.dumps(
        reference.to_json(explain=True)
    )
    return explained


_TREE = [
    _unit("org", None, ("north", "south")),
    _unit("north", "org", ("team",), flagged=True),
    _unit("team", "north"),
    _unit("south", "org"),
]


def test_a_criterion_holds_when_any_ancestor_is_flagged() -> None:
    policy = wuxin_rules.loads(_UNITS + _RULES, name="t.policy")
    result = _every_path(policy, {"units": _TREE, "start": "team", "n": 0})
    assert result.values()["up"] == ["north", "org"]
    assert result.values()["flagged_above"] is True
    assert result.values()["down"] == []
    south = _every_path(policy, {"units": _TREE, "start": "south", "n": 0})
    assert south.values()["flagged_above"] is False
    org = _every_path(policy, {"units": _TREE, "start": "org", "n": 0})
    assert org.values()["down"] == ["north", "team", "south"]


def test_errors_name_the_cycle_the_link_and_the_key() -> None:
    policy = wuxin_rules.loads(_UNITS + _RULES, name="t.policy")
    looped = [_unit("a", "b", ("b",)), _unit("b", "c"), _unit("c", "a", ("a",))]
    result = _every_path(policy, {"units": looped, "start": "a", "n": 0})
    error = result.verdict("up").error
    assert error is not None and error.code == "cycle"
    assert '"a" → "b" → "c" → "a"' in error.message
    dangling = _every_path(policy, {"units": [_unit("a", "gone")], "start": "a", "n": 0})
    error = dangling.verdict("up").error
    assert error is not None and error.code == "dangling-link"
    assert 'the record "a" links to the key "gone"' in error.message
    twice = _every_path(policy, {"units": [_unit("a", None)] * 2, "start": "a", "n": 0})
    error = twice.verdict("down").error
    assert error is not None and error.code == "duplicate-link-key"
    assert "两条记录的键都是" in error.render("zh")


def _call_node(result: Result) -> Any:
    rule = result.verdict("chain").explanation
    assert rule is not None
    (call,) = rule.children
    assert call.kind == "builtin" and call.name == "ancestors"
    return call


def test_the_explanation_names_the_keys_followed_bounded_for_long_chains() -> None:
    policy = wuxin_rules.loads(_UNITS + _RULES, name="t.policy")
    result = _every_path(policy, {"units": _TREE, "start": "team", "n": 0})
    node = _call_node(result)
    assert node.detail == 'followed "team" → "north" → "org"'
    long = [_unit(f"u{i}", f"u{i + 1}" if i < 99 else None) for i in range(100)]
    result = _every_path(policy, {"units": long, "start": "u0", "n": 0})
    node = _call_node(result)
    assert node.detail is not None
    assert node.detail.startswith('followed "u0" → "u1"') and node.detail.endswith('"u99"')
    assert "… 89 more …" in node.detail and len(node.detail) < 200
    assert "……另有 89 个……" in messages.render(node.detail, "zh")


def test_enum_members_are_keys_too() -> None:
    policy = wuxin_rules.loads(
        'policy t "t"\nenum Level "level": county, town, village\n'
        'record Tier "tier":\n  level: Level "l"\n  above: Level? "a"\n'
        'input tiers: list of Tier "tiers"\n'
        'rule up "up": list of t in ancestors(tiers, village, "level", "above") : t.level\n',
        name="t.policy",
    )
    tiers = [
        {"level": "county", "above": None},
        {"level": "town", "above": "county"},
        {"level": "village", "above": "town"},
    ]
    assert _every_path(policy, {"tiers": tiers}).values()["up"] == ["town", "county"]
    tiers[0]["above"] = "village"
    error = _every_path(policy, {"tiers": tiers}).verdict("up").error
    assert error is not None and "village → town → county → village" in error.message


@st.composite
def _linked_units(draw: st.DrawFn) -> dict[str, Any]:
    """Units keyed `u0`…, linked to one another (or to `gone`, or none), a start among them."""
    size = draw(st.integers(1, 6))
    keys = [f"u{i}" for i in range(size)]
    targets = st.sampled_from([*keys, "gone"]) if draw(st.booleans()) else st.sampled_from(keys)
    units = [
        _unit(
            key,
            draw(st.none() | targets),
            tuple(draw(st.lists(targets, max_size=3))),
            draw(st.booleans()),
        )
        for key in keys
    ]
    return {"units": units, "start": draw(st.sampled_from(keys)), "n": 0}


@settings(max_examples=40, deadline=None, derandomize=True)
@given(document=_linked_units())
def test_every_path_agrees_on_drawn_trees_and_graphs(document: dict[str, Any]) -> None:
    policy = _POLICY
    result = _every_path(policy, document)
    up = result.verdict("up")
    if up.error is None:
        assert len(up.value) < len(document["units"])  # bounded by the list, start left out


_POLICY = wuxin_rules.loads(_UNITS + _RULES, name="t.policy")


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ('ancestors(n, start, "id", "parent")', "expected a list"),
        ('ancestors([1], start, "id", "parent")', "expected a list of records"),
        ('ancestors(units, start, start, "parent")', "are fields named by a text"),
        ('ancestors(units, start, "name", "parent")', "has no field `name`"),
        ('ancestors(units, start, "size", "parent")', "by its field `size` of type `decimal`"),
        ('ancestors(units, start, "id", "top")', "by its field `top` of type `text`"),
        ('ancestors(units, start, "id", "subs")', "by its field `subs`"),
        ('reachable(units, start, "id", "parent")', "by its field `parent`"),
        ('ancestors(units, n, "id", "parent")', "expected `text`, found `int`"),
        ('ancestors(units, "a", "id")', "wrong-arity"),
    ],
)
def test_the_checker_refuses_what_cannot_be_followed(call: str, expected: str) -> None:
    with pytest.raises(PolicyCheckError) as caught:
        checker.check_text(_UNITS + f'rule r "r": {call}\n', "t.policy")
    assert expected in str(caught.value)


# ------------------------------------------------------------------------------------------
# The example policy

_EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "operations"


def test_the_example_policy_passes_its_examples() -> None:
    suite = suite_checker.suite_from_text(
        (_EXAMPLES / "hierarchy.policy").read_text(encoding="utf-8"), "hierarchy.policy"
    )
    assert len(suite.examples) == 5
    assert all(examples.run_example(suite, example).passed for example in suite.examples)


def test_the_example_loop_is_reported_by_the_cli_without_a_traceback() -> None:
    process = subprocess.run(
        [sys.executable, "-m", "wuxin_rules", "eval", "examples/operations/hierarchy.policy",
         "examples/operations/hierarchy-cycle.json", "--lang", "zh"],
        capture_output=True, text=True, encoding="utf-8", timeout=120, cwd=_EXAMPLES.parents[1],
    )  # fmt: skip
    assert process.returncode != 0
    assert "Traceback" not in process.stdout + process.stderr
    output = process.stdout + process.stderr
    assert "错误[cycle]" in output
    assert '"team" → "north" → "east" → "team"' in output
    assert '"staff" → "ops" → "staff"' in output


# ------------------------------------------------------------------------------------------
# How documents say it


def _said(expr: str, vocabulary: Any, **names: frozenset[str]) -> str:
    lines = notation.expression_lines(parse_expression(expr), vocabulary, width=100, **names)
    return "\n".join(notation.line_text(line) for line in lines)


def test_wuxin_doc_says_the_walks_in_words_and_the_source_notation_keeps_the_call() -> None:
    up = 'any of u in ancestors(units, unit.id, "id", "parent") : u.flagged'
    assert (
        _said(up, notation.ZH)
        == "任一满足 u ∈ （units 中 unit.id 沿 parent 向上的各级，键 id）：u.flagged"
    )
    assert _said(up, notation.EN) == (
        "any of u in (the records of units above unit.id by parent, key id) : u.flagged"
    )
    assert _said(up, notation.SOURCE) == up
    down = 'reachable(groups, "staff", "name", "subgroups")'
    assert _said(down, notation.ZH) == '（groups 中从 "staff" 经 subgroups 可到达的全部，键 name）'
    # A rule of the policy named like the builtin hides it: its call is written as a call.
    assert _said(down, notation.ZH, declared=frozenset({"reachable"})) == (
        'reachable(groups, "staff", "name", "subgroups")'
    )


# ------------------------------------------------------------------------------------------
# Drawn facts


def test_the_strategies_draw_records_that_link_to_one_another() -> None:
    """Facts drawn for a policy that follows links hold chains and cycles, not only links to
    keys no record has (which is all independent draws would give)."""
    seen: set[str] = set()

    @settings(max_examples=60, deadline=None, derandomize=True, database=None)
    @given(strategies.facts(_POLICY))
    def run(document: dict[str, Any]) -> None:
        result = _POLICY.evaluate(document)
        up = result.verdict("up")
        down = result.verdict("down")
        for verdict in (up, down):
            if verdict.error is not None:
                seen.add(verdict.error.code)
            elif verdict.value:
                seen.add("reached")
        keys = {unit["id"] for unit in document["units"]}
        if any(unit["parent"] in keys for unit in document["units"]):
            seen.add("linked")

    run()
    assert {"linked", "reached", "cycle", "dangling-link"} <= seen, seen
