"""Enums whose members carry data (sum types) and `match`: the declaration, facts in the
tagged form, the checks of `match` (exhaustive, no unreachable arm), every evaluation path,
the JSON Schema, the formatter and the notation of documents."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings

import wuxin_rules
from wuxin_rules import evaluator, formatter, json_schema, notation, parser, strategies, tabular
from wuxin_rules.errors import FactError, PolicyCheckError, UsageError
from wuxin_rules.facts import facts_schema
from wuxin_rules.schema import SUM_TAG, SumType

PAYMENT = """\
enum Payment "Payment"
  : cash "Cash" {amount: decimal >= 0 "Amount"},
    card "Card" {number: text "Card number", amount: decimal >= 0 "Amount"},
    waived "Waived"
"""

POLICY = (
    PAYMENT
    + """
input payment: Payment
input payments: list of Payment

rule due "Amount due":
  match payment:
    case cash(a) => a
    case card(n, a) => a + 1
    case waived => 0

rule card_number: match payment: case card(n, a) => n case _ => "-"
rule by_card: payment is card
rule plain: payment.kind in [cash, waived]
rule nothing_due: payment == waived
rule total: sum of p in payments : (match p: case cash(a) => a case card(n, a) => a case _ => 0)
rule back -> Payment: match payment: case card(n, a) => {kind: cash, amount: a} case _ => waived
"""
)


def _problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(PolicyCheckError) as caught:
        wuxin_rules.loads(text)
    return [(d.code, d.message) for d in caught.value.diagnostics]


def _evaluate(facts: dict[str, Any]) -> dict[str, Any]:
    """The values of every rule on the fast path, held equal to the reference's."""
    policy = wuxin_rules.loads(POLICY)
    fast = policy.evaluate(facts).values()
    assert policy.fast_path_stats.total == 0  # the compiled code decided it
    checked = policy.checked
    values = facts_schema(checked).validate(facts)
    reference = evaluator.evaluate(checked, values, rules=tuple(checked.rules))
    assert {k: v.value for k, v in reference.verdicts.items()} == fast
    return fast


def test_match_binds_the_fields_of_the_member_found() -> None:
    facts = {
        "payment": {"kind": "card", "number": "4111", "amount": Decimal("10.5")},
        "payments": [
            {"kind": "cash", "amount": 3},
            "waived",
            {"kind": "card", "number": "x", "amount": Decimal("0.25")},
        ],
    }
    values = _evaluate(facts)
    assert values["due"] == Fraction(23, 2)
    assert values["card_number"] == "4111"
    assert values["by_card"] is True
    assert values["plain"] is False
    assert values["nothing_due"] is False
    assert values["total"] == Fraction(13, 4)
    assert values["back"] == {SUM_TAG: "cash", "amount": Fraction(21, 2)}


def test_a_member_that_carries_nothing_is_its_name_or_an_object() -> None:
    for written in ("waived", {"kind": "waived"}):
        values = _evaluate({"payment": written, "payments": []})
        assert values["due"] == 0
        assert values["nothing_due"] is True
        assert values["card_number"] == "-"
        assert values["back"] == {SUM_TAG: "waived"}


def test_output_json_is_the_tagged_form() -> None:
    policy = wuxin_rules.loads(POLICY)
    result = policy.evaluate(
        {"payment": {"kind": "card", "number": "9", "amount": 2}, "payments": []}
    )
    shown = json.loads(json.dumps(result.to_json()))
    assert shown["rules"]["back"] == {"kind": "cash", "amount": 2}


def test_explanation_shows_the_member_tests_and_the_arm_taken() -> None:
    policy = wuxin_rules.loads(POLICY)
    result = policy.evaluate(
        {"payment": {"kind": "card", "number": "9", "amount": 2}, "payments": []},
        rules=["due"],
        explain=True,
    )
    text = str(result.explain())
    assert "case card(n, a) => a + 1" in text  # the arm tried, by its text
    assert "== card = true" in text
    assert "2 + 1" in text  # the bound field's value


@pytest.mark.parametrize(
    ("payment", "path", "code"),
    [
        ({"kind": "cardd", "number": "1", "amount": 1}, "$.payment.kind", "unknown-member"),
        ({"number": "1", "amount": 1}, "$.payment", "missing-fact"),
        ({"kind": "card", "amount": 1}, "$.payment.number", "missing-fact"),
        ({"kind": "cash", "amount": 1, "number": "1"}, "$.payment.number", "unknown-fact"),
        ({"kind": "cash", "amount": "x"}, "$.payment.amount", "bad-fact"),
        ({"kind": "cash", "amount": -1}, "$.payment.amount", "fact-out-of-bounds"),
        ("cash", "$.payment", "bad-fact"),
        (5, "$.payment", "bad-fact"),
    ],
)
def test_bad_facts_are_located(payment: Any, path: str, code: str) -> None:
    policy = wuxin_rules.loads(POLICY)
    with pytest.raises(FactError) as caught:
        policy.evaluate({"payment": payment, "payments": []})
    assert [(d.code, d.path) for d in caught.value.diagnostics] == [(code, path)]


def test_a_match_missing_members_names_them() -> None:
    found = _problems(PAYMENT + "input p: Payment\nrule r: match p: case cash(a) => a\n")
    assert found == [("non-exhaustive-match", "`match` has no arm for `card` and `waived`")]


@pytest.mark.parametrize(
    ("arms", "code"),
    [
        ("case cash(a) => a case cash(b) => b case _ => 0", "unreachable-case"),
        ("case cash(a) => a case card(n, a) => a case waived => 0 case _ => 1", "unreachable-case"),
        ("case cash => 0 case _ => 1", "wrong-arity"),
        ("case cash(a, b) => 0 case _ => 1", "wrong-arity"),
        ("case cahs(a) => a case _ => 0", "unknown-member"),
        ('case cash(a) => a case _ => "x"', "type-mismatch"),
    ],
)
def test_arms_are_checked(arms: str, code: str) -> None:
    found = _problems(PAYMENT + f"input p: Payment\nrule r: match p: {arms}\n")
    assert [c for c, _ in found] == [code]


def test_fields_are_read_only_in_match_and_kind_is_reserved() -> None:
    found = _problems(PAYMENT + "input p: Payment\nrule r: p.amount\n")
    assert found[0][0] == "unknown-name"
    assert _problems("enum E: a {kind: text}, b\n")[0][0] == "reserved-name"
    assert _problems(PAYMENT + "input p: Payment\nrule r: p == card\n")[0][0] == "type-mismatch"
    assert _problems("input x: int\nrule r: match x: case _ => 1\n")[0][0] == "type-mismatch"


def test_an_aggregate_in_an_arm_may_not_hide_the_subject() -> None:
    text = PAYMENT + (
        "input ps: list of Payment\ninput xs: list of int\n"
        "rule r: sum of p in ps : (match p: case cash(a) => (sum of p in xs : a) case _ => 0)\n"
    )
    assert [c for c, _ in _problems(text)] == ["duplicate-name"]


def test_a_plain_enum_can_be_matched_and_tested() -> None:
    policy = wuxin_rules.loads(
        "enum Size: small, large\ninput s: Size\n"
        "rule r: match s: case small => 1 case large => 2\nrule t: s is large\n"
    )
    assert policy.evaluate({"s": "large"}).values() == {"r": 2, "t": True}


def test_is_not_tests_the_other_members_on_every_path_and_reads_back() -> None:
    text = (
        PAYMENT + "enum Size: small, large\ninput payment: Payment\ninput s: Size\n"
        "rule other: payment is not card and payment is not waived\nrule big: s is not small\n"
    )
    policy = wuxin_rules.loads(text)
    for payment, other in (({"kind": "cash", "amount": "1"}, True), ("waived", False)):
        facts = {"payment": payment, "s": "large"}
        assert policy.evaluate(facts).values() == {"other": other, "big": True}
        assert policy.evaluate(facts, explain=True).values() == {"other": other, "big": True}
    once = formatter.format_text(text)
    assert "payment is not card and payment is not waived" in once
    assert formatter.format_text(once) == once and parser.parse(once) == parser.parse(text)
    assert parser.parse(text) != parser.parse(text.replace("s is not small", "s is small"))
    [line] = notation.expression_lines(parser.parse_expression("p is not a"), notation.ZH)
    assert notation.line_text(line) == "p 不是 a"
    assert _problems(text + "rule bad: s is not medium\n")[0][0] == "unknown-member"


def test_facts_schema_is_one_of_the_members() -> None:
    schema = json_schema.facts_schema(wuxin_rules.loads(POLICY).checked)
    payment = schema["$defs"]["Payment"]
    tags = [c["properties"]["kind"]["const"] for c in payment["oneOf"] if "properties" in c]
    assert tags == ["cash", "card", "waived"]
    card = payment["oneOf"][1]
    assert (
        card["required"] == ["kind", "number", "amount"] and card["additionalProperties"] is False
    )
    assert {"title": "Waived", "const": "waived"} in payment["oneOf"]


def test_tables_refuse_an_enum_that_carries_data() -> None:
    inputs = wuxin_rules.loads(POLICY).checked.inputs
    with pytest.raises(UsageError) as caught:
        tabular.layout(inputs)
    assert caught.value.diagnostics[0].code == "unsupported-type"
    assert "`payment`" in caught.value.diagnostics[0].message


def test_formatter_lays_out_members_and_arms() -> None:
    text = (
        'enum P: a {x: int "X", y: text}, b\ninput p: P\n'
        "rule r: match p: case a(x, y) => (match p: case b => 1 case _ => 2) case b => 3 case _ => 0\n"
    )
    once = formatter.format_text(text)
    assert '  : a {x: int "X", y: text},\n' in once
    assert "    case a(x, y) => (match p: case b => 1 case _ => 2)\n" in once
    assert formatter.format_text(once) == once
    assert parser.parse(once) == parser.parse(text)


def test_notation_writes_match_and_member_tests() -> None:
    expr = parser.parse_expression("match p: case a(x) => x + 1 case _ => 0")
    [line] = notation.expression_lines(expr, notation.SOURCE)
    assert notation.line_text(line) == "match p: case a(x) => x + 1 case _ => 0"
    [line] = notation.expression_lines(parser.parse_expression("p is a"), notation.ZH)
    assert notation.line_text(line) == "p 是 a"


@settings(max_examples=20)
@given(strategies.facts(wuxin_rules.loads(POLICY)))
def test_strategies_draw_valid_facts_of_every_member(facts: dict[str, Any]) -> None:
    policy = wuxin_rules.loads(POLICY)
    values = facts_schema(policy.checked).validate(facts)
    assert values["payment"][SUM_TAG] in {"cash", "card", "waived"}
    assert isinstance(policy.checked.inputs[0].type, SumType)


def test_a_missing_field_of_the_member_given_is_pending() -> None:
    policy = wuxin_rules.loads(POLICY)
    result = policy.evaluate(
        {"payment": {"kind": "card", "number": "1"}, "payments": []}, partial=True
    )
    values = result.values()
    assert values["by_card"] is True  # the member is known
    assert [m.path for m in values["due"].needs] == ["$.payment.amount"]


def test_json_template_writes_the_first_member() -> None:
    from wuxin_rules import templates

    inputs = wuxin_rules.loads(POLICY).checked.inputs
    assert templates.json_template(inputs)["payment"] == {"kind": "cash", "amount": None}


def test_a_field_label_shows_where_the_members_agree() -> None:
    payment = wuxin_rules.loads(POLICY).checked.sums["Payment"]
    assert payment.field("amount") is not None and payment.field("amount").label == "Amount"
    assert payment.field("number") is not None and payment.field("number").label == "Card number"
    assert payment.field("missing") is None
