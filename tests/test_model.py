"""The checked model owns its traversal: one table of sub-expression fields, read by every walker."""

from __future__ import annotations

import typing

import attrs

from wuxin_rules import checker, model


def test_every_core_expression_lists_exactly_its_expression_fields() -> None:
    """A new node kind, or a new field holding expressions, must be added to CHILD_FIELDS."""
    kinds = set(typing.get_args(model.CExpr))
    assert set(model.CHILD_FIELDS) == kinds
    for kind in kinds:
        holding = tuple(
            field.name
            for field in attrs.fields(kind)
            if "CExpr" in str(field.type) and field.name not in ("type", "span")
        )
        assert model.CHILD_FIELDS[kind] == holding, kind.__name__


POLICY = """\
policy p
record R:
  n: int
  d: date?
input xs: list of R
input k: int
rule total: sum of x in xs where x.n > k: x.n * 2
rule base -> R: {n: 1, d: none}
rule shown: [{n: k, d: none}, {...base, n: 2}]
criterion ok: all of [total >= 0, any of [k in [1, 2], not (k == 3)], at least 1 of [true]]
rule pick: if k > 0 then (max of x in xs: x.n) ?? 0 else -k
"""


def test_walk_reaches_every_node_once_and_map_children_rebuilds_only_what_changed() -> None:
    policy = checker.check_text(POLICY, "p.policy")
    for rule in policy.rules.values():
        nodes = list(model.walk(rule.body))
        assert nodes[0] is rule.body
        assert len({id(node) for node in nodes}) == len(nodes)
        # The identity map keeps the very same object; a changing map rebuilds the path.
        assert model.map_children(rule.body, lambda child, _: child) is rule.body
    total = policy.rules["total"].body
    assert isinstance(total, model.Aggregate)
    scoped: list[tuple[str, bool]] = []

    def note(child: model.CExpr, is_scoped: bool) -> model.CExpr:
        scoped.append((type(child).__name__, is_scoped))
        return child

    model.map_children(total, note)
    assert [flag for _, flag in scoped] == [False, True, True]  # collection; filter, body
    shown = policy.rules["shown"].body
    assert isinstance(shown, model.MakeList)
    record = shown.items[1]
    assert isinstance(record, model.MakeRecord)
    assert len(model.children(record)) == 2  # the spread and the named field's value
    zero = model.Const(0, record.fields[0][1].type, record.span)
    replaced = model.map_children(record, lambda child, _: zero)
    assert isinstance(replaced, model.MakeRecord)
    assert replaced.fields == (("n", zero),) and replaced.spreads == (zero,)
