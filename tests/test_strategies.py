"""Public hypothesis strategies built from a policy's declared types."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wuxin_rules
from shopkit import shop_text
from wuxin_rules import strategies
from wuxin_rules.errors import UsageError
from wuxin_rules.schema import BUILTIN_TYPES

POLICY = wuxin_rules.loads(shop_text(), name="shop.policy")


def _draws(strategy: st.SearchStrategy[Any], n: int = 300) -> list[Any]:
    """`n` values of a strategy (through hypothesis, reproducibly)."""
    found: list[Any] = []

    @settings(max_examples=n, database=None, derandomize=True)
    @given(strategy)
    def collect(value: Any) -> None:
        found.append(value)

    collect()
    return found


@settings(max_examples=40)
@given(strategies.facts(POLICY))
def test_every_drawn_document_is_valid_facts(facts: dict[str, Any]) -> None:
    """Documents drawn by `facts` pass the facts check and evaluate without error."""
    result = POLICY.evaluate(facts)
    assert not result.errors
    assert set(facts) == {"order"}


def test_bounds_enums_optionals_lists_and_nested_records() -> None:
    """Every drawn value respects its declared type: bounds, enum members, none, records."""
    orders = [d["order"] for d in _draws(strategies.facts(POLICY))]
    assert all(o["overdue_days"] >= 0 for o in orders)
    assert all(Decimal(0) <= o["amount"] <= Decimal(1000) for o in orders)
    assert all(isinstance(o["amount"], Decimal | int) for o in orders)
    assert not any(isinstance(o["amount"], float) for o in orders)
    assert {o["kind"] for o in orders} == {"retail", "wholesale"}
    assert any(o["coupon"] is None for o in orders) and any(o["coupon"] is not None for o in orders)
    assert all(isinstance(o["placed"], datetime.date) for o in orders)
    lines = [line for o in orders for line in o["lines"]]
    assert lines and all(set(line) == {"sku", "qty"} and 1 <= line["qty"] <= 99 for line in lines)
    assert all(len(o["lines"]) <= 4 for o in orders)


def test_fixed_fields_keep_their_value() -> None:
    """`fixed` pins a field (by value or strategy), inside lists too."""
    strategy = strategies.facts(
        POLICY,
        fixed={"order.kind": "wholesale", "order.lines[].qty": st.just(7), "order.id": "x"},
    )
    orders = [d["order"] for d in _draws(strategy, 60)]
    assert {o["kind"] for o in orders} == {"wholesale"}
    assert {o["id"] for o in orders} == {"x"}
    assert {line["qty"] for o in orders for line in o["lines"]} <= {7}


def test_values_of_one_type_and_of_a_type_expression() -> None:
    """`values` draws a named record, an enum, or a bounded type written as text."""
    assert {v for v in _draws(strategies.values(POLICY, "Kind"), 40)} == {"retail", "wholesale"}
    small = _draws(strategies.values(POLICY, "int 3 .. 5"), 40)
    assert set(small) == {3, 4, 5}
    line = _draws(strategies.values(POLICY, "Line", fixed={"sku": "s"}), 20)
    assert all(v["sku"] == "s" and 1 <= v["qty"] <= 99 for v in line)


def test_thresholds_are_the_constants_the_policy_compares_with() -> None:
    """`thresholds` lists, by field, the constants of the policy's comparisons."""
    found = strategies.thresholds(POLICY)
    assert 0 in found["Order.overdue_days"]
    assert 500 in found["Order.amount"]


def test_threshold_bias_draws_at_and_next_to_the_constants() -> None:
    """With the bias, `amount` is drawn at 500 and one step either side, often; without it,
    rarely (hypothesis itself favours constants it finds in the code it has loaded, so
    "rarely" depends on what else the run imported: the bias must at least triple it)."""
    near = {Decimal("499.9999"), Decimal(500), Decimal("500.0001")}
    biased = [d["order"]["amount"] for d in _draws(strategies.facts(POLICY), 300)]
    assert near <= set(biased)
    biased_near = sum(a in near for a in biased)
    assert biased_near >= 15
    plain = [d["order"]["amount"] for d in _draws(strategies.facts(POLICY, thresholds=False), 300)]
    assert sum(a in near for a in plain) * 3 <= biased_near


def test_bias_adds_boundary_values_of_your_own() -> None:
    """`bias` makes values of one's own frequent for a path."""
    strategy = strategies.facts(POLICY, bias={"order.average": [Decimal("-42.5")]})
    drawn = [d["order"]["average"] for d in _draws(strategy, 200)]
    assert Decimal("-42.5") in drawn


def test_like_draws_near_known_records() -> None:
    """`like` often draws a known record as it is, or with a few fields changed."""
    known = {
        "id": "k",
        "kind": "wholesale",
        "overdue_days": 3,
        "amount": Decimal(7),
        "average": Decimal(1),
        "coupon": None,
        "placed": datetime.date(2021, 5, 6),
        "lines": [],
    }
    strategy = strategies.facts(POLICY, like={"Order": [known]})
    drawn = [d["order"] for d in _draws(strategy, 200)]
    assert sum(o == known for o in drawn) >= 5
    one_change = [o for o in drawn if sum(o[k] != known[k] for k in known) == 1]
    assert len(one_change) >= 5
    plain = [d["order"] for d in _draws(strategies.facts(POLICY), 200)]
    assert not any(o == known for o in plain)
    with pytest.raises(UsageError):
        strategies.facts(POLICY, like={"Kind": ["retail"]})


def test_unknown_paths_and_types_are_usage_errors() -> None:
    """A path or type that names nothing is a `UsageError` with a suggestion."""
    with pytest.raises(UsageError) as error:
        strategies.facts(POLICY, fixed={"order.knd": "retail"})
    assert error.value.codes == ("unknown-path",)
    assert "order.kind" in str(error.value)
    with pytest.raises(UsageError) as error:
        strategies.values(POLICY, "Ordr")
    assert error.value.codes == ("unknown-type",)
    with pytest.raises(UsageError):
        strategies.facts(object())


def test_decimals_are_exact_and_fractions_never_floats() -> None:
    """Drawn decimals have at most `PLACES` places and convert exactly."""
    for document in _draws(strategies.facts(POLICY), 100):
        amount = document["order"]["amount"]
        assert Fraction(amount) * 10**strategies.PLACES == int(
            Fraction(amount) * 10**strategies.PLACES
        )


@pytest.mark.parametrize("name", sorted(BUILTIN_TYPES))
@settings(max_examples=5)
@given(data=st.data())
def test_every_builtin_type_name_draws_values(name: str, data: st.DataObject) -> None:
    """The names a policy knows without declaring them are the names `values` knows too
    (`datetime`, `time` and `duration` were refused as unknown types)."""
    assert data.draw(strategies.values(POLICY, name)) is not None
    assert isinstance(data.draw(strategies.values(POLICY, f"list of {name}")), list | tuple)
