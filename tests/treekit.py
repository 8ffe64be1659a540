"""Comparing explanation trees node by node: the compiled tracer's trees with the reference
evaluator's (`tests/test_trace_compiler.py`, `tests/test_differential.py`)."""

from __future__ import annotations

from typing import Any

import attrs

from wuxin_rules.trace import Evaluation, Explanation


def node_fields(node: Explanation) -> tuple[Any, ...]:
    """What a node shows, without its children: kind, text, value, type, names, detail,
    error, omitted elements, number of children and place in the policy."""
    return (
        node.kind,
        node.expr,
        node.value,
        node.type,
        node.name,
        node.label,
        node.cites,
        node.detail,
        node.error,
        node.omitted,
        node.omitted_detail,
        len(node.children),
        node.span.start if node.span else None,
        node.span.end if node.span else None,
    )


def assert_same_tree(mine: Explanation, theirs: Explanation) -> None:
    # Node by node, without recursion (`==` on trees thousands of levels deep would recurse).
    pairs = [(mine, theirs)]
    while pairs:
        a, b = pairs.pop()
        assert node_fields(a) == node_fields(b)
        pairs.extend(zip(a.children, b.children, strict=True))


def assert_same_evaluation(built: Evaluation, reference: Evaluation) -> None:
    """The same verdicts with the same trees, shared subtrees (a rule used twice) shared in
    both."""
    assert built.traced and reference.traced
    assert list(built.verdicts) == list(reference.verdicts)
    for key, verdict in reference.verdicts.items():
        mine = built.verdicts[key]
        assert mine.explanation is not None and verdict.explanation is not None
        assert attrs.evolve(mine, explanation=None) == attrs.evolve(verdict, explanation=None), key
        assert_same_tree(mine.explanation, verdict.explanation)
        assert sum(1 for _ in mine.explanation.walk_unique()) == sum(
            1 for _ in verdict.explanation.walk_unique()
        ), key
