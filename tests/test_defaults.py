"""Exceptions to a rule (default logic) and declared failures (`fail`), on every path.

Exceptions are lowered into `if` chains and `fail` (`wuxin_rules.defaults`), so each case is
checked on the reference evaluator (untraced and traced), the compiled fast path and the
compiled tracer, which must agree on values, errors and explanations.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import wuxin_rules
from wuxin_rules import (
    cli,
    compiler,
    consistency,
    document,
    document_formats,
    evaluator,
    formatter,
    parser,
)
from wuxin_rules.api import Result
from wuxin_rules.errors import PolicyCheckError
from wuxin_rules.symbols import Workspace

ROOT = Path(__file__).resolve().parent.parent
CATALA = ROOT / "examples" / "catala" / "income_tax.policy"

TAX = """policy tax "tax"
input income: int "income"
input children: int "children"
rule rate "tax rate" cites "Art. 1" -> percent:
  20%
  exception kids "Two children" cites "Art. 2" when children >= 2 then 15%
  exception rich to kids cites "Art. 3" when income > 100000 then 30%
  exception poor cites "Art. 4" when income < 10000 then 0%
  exception tiny cites "Art. 5" when income < 1000 then 0%
rule tax "tax": income * rate
"""


def _load(text: str) -> wuxin_rules.Policy:
    return wuxin_rules.loads(text, name="tax.policy")


def _on_every_path(policy: wuxin_rules.Policy, document: dict[str, Any]) -> Result:
    """The result of `document`, after checking that every path gives the same one."""
    values = policy.validate(document)
    reference, traced = (
        Result(
            policy,
            values,
            policy.rules,
            evaluator.evaluate(
                policy.checked, values, params=policy._param_values, rules=policy.rules, trace=t
            ),
        )
        for t in (False, True)
    )
    fast = policy.evaluate(document)
    explained = policy.evaluate(document, explain=True)
    assert fast.values() == reference.values() == traced.values()
    assert json.dumps(fast.to_json()) == json.dumps(reference.to_json())
    assert json.dumps(explained.to_json(explain=True)) == json.dumps(traced.to_json(explain=True))
    return explained


@pytest.mark.parametrize(
    ("income", "children", "rate"),
    [
        (50000, 0, "20%"),  # no exception: the body
        (50000, 3, "15%"),  # one exception
        (500000, 3, "30%"),  # an exception to an exception overrides it
        (500000, 0, "30%"),  # and applies where its parent's condition does not hold
        (5000, 0, "0%"),
        (500, 0, "0%"),  # two exemptions written alike: no conflict
    ],
)
def test_the_value_is_the_one_exception_that_applies(income: int, children: int, rate: str) -> None:
    policy = _load(TAX)
    result = _on_every_path(policy, {"income": income, "children": children})
    assert result.verdict("rate").error is None
    assert result.values()["rate"] == Fraction(rate.rstrip("%")) / 100


def test_two_exceptions_that_apply_without_priority_are_an_error_naming_both() -> None:
    policy = _load(TAX)
    result = _on_every_path(policy, {"income": 5000, "children": 3})
    error = result.verdict("rate").error
    assert error is not None and error.code == "exception-conflict"
    assert '`kids` ("Art. 2", line 6)' in error.message
    assert '`poor` ("Art. 4", line 8)' in error.message
    assert error.span is not None and error.span.text.startswith("exception poor")
    # Every rule that needs it fails with it; the Chinese reads as Chinese.
    assert result.verdict("tax").error is not None
    assert "同时适用" in error.render("zh") and "`kids`" in error.render("zh")
    # Exemptions written alike are no conflict between themselves, but each is one with
    # another exception that applies.
    both = _on_every_path(policy, {"income": 500, "children": 2}).verdict("rate").error
    assert both is not None and "`kids`" in both.message and "`poor`" in both.message


def test_the_explanation_names_the_exception_that_applied_with_its_citation() -> None:
    policy = _load(TAX)
    text = _on_every_path(policy, {"income": 500000, "children": 0}).explain()
    assert 'exception rich to kids cites "Art. 3"' in text
    assert "30%" in text


def test_exceptions_of_a_rule_with_parameters_and_a_failing_body() -> None:
    text = """policy tax "tax"
input months: int "months"
rule capped(n: int) -> int:
  fail("no article applies")
  exception short cites "Art. 1" when n <= 12 then n
  exception long to short when n > 12 then 12 + floor((n - 12) / 2)
rule paid "paid": capped(months)
"""
    policy = _load(text)
    assert _on_every_path(policy, {"months": 10}).values()["paid"] == 10
    assert _on_every_path(policy, {"months": 20}).values()["paid"] == 16


def test_fail_is_typed_by_its_place_and_fails_on_every_path() -> None:
    text = """policy tax "tax"
input months: int "months"
rule benefit "benefit" -> int: if months <= 12 then months * 100 else fail("at most 12 months")
rule either "either": if months > 3 then fail("too long") else months * 2
criterion alone "alone": months > 0 and fail("never decided")
"""
    policy = _load(text)
    assert policy.checked.rules["either"].type == policy.checked.rules["benefit"].type
    assert _on_every_path(policy, {"months": 2}).values()["benefit"] == 200
    result = _on_every_path(policy, {"months": 13})
    error = result.verdict("benefit").error
    assert error is not None and error.code == "assertion-failed"
    assert "at most 12 months" in error.message
    assert error.span is not None and error.span.text == 'fail("at most 12 months")'
    assert "政策在此声明失败" in error.render("zh")
    assert result.verdict("alone").error is not None
    # The fast path knows `fail` fails: what `and` may skip and what it computes eagerly.
    checked = policy.checked
    assert compiler.can_fail(checked, checked.rules["benefit"].body)
    assert compiler.can_fail(checked, checked.rules["alone"].body)


def test_the_message_of_fail_is_the_policys_own_text() -> None:
    with pytest.raises(PolicyCheckError) as caught:
        _load('policy tax "tax"\ninput t: text "t"\nrule r -> int: fail(t)\n')
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "type-mismatch" and diagnostic.span is not None
    assert diagnostic.span.text == "t"


@pytest.mark.parametrize(
    ("exceptions", "code", "at"),
    [
        (
            "  exception a when n > 1 then 2\n  exception a when n > 2 then 3\n",
            "duplicate-name",
            "a",
        ),
        ("  exception a to b when n > 1 then 2\n", "unknown-exception", "b"),
        (
            "  exception a to b when n > 1 then 2\n  exception b to a when n > 2 then 3\n",
            "exception-cycle",
            "exception a to b when n > 1 then 2",
        ),
        ('  exception a when n > 1 then "two"\n', "type-mismatch", '"two"'),
        ("  exception a when n then 2\n", "type-mismatch", "n"),
    ],
)
def test_the_checker_refuses_exceptions_that_are_not_a_well_typed_tree(
    exceptions: str, code: str, at: str
) -> None:
    text = f'policy tax "tax"\ninput n: int "n"\nrule r -> int:\n  1\n{exceptions}'
    with pytest.raises(PolicyCheckError) as caught:
        _load(text)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == code
    assert diagnostic.span is not None and diagnostic.span.text == at


def test_a_declaration_named_fail_does_not_hide_the_conflict() -> None:
    text = """policy tax "tax"
input n: int "n"
rule fail -> int: 1
rule r -> int:
  fail
  exception a when n > 1 then 2
  exception b when n > 2 then 3
"""
    policy = _load(text)
    assert _on_every_path(policy, {"n": 0}).values()["r"] == 1
    error = _on_every_path(policy, {"n": 5}).verdict("r").error
    assert error is not None and error.code == "exception-conflict"


def test_exception_words_stay_names() -> None:
    text = """policy tax "tax"
input exception: int "exception"
input to: int "to"
input when: int "when"
rule r -> int:
  exception + to
  exception when when (when > 1) then when
"""
    policy = _load(text)
    values = _on_every_path(policy, {"exception": 1, "to": 2, "when": 3}).values()
    assert values["r"] == 3


LONG = """policy tax "tax"
input income: int "income"
rule rate "rate" -> percent:   20%
  # the second article
  exception kids "Art two" en "Article 2" cites "Art. 2" when income >= 2 then 15%
  exception rich to kids cites "Art. 3", "Art. 3a" note "why" when income > 100000 and income < 20000000000 and income != 5 then 30%
"""


def test_the_formatter_lays_out_exceptions_and_keeps_their_meaning() -> None:
    formatted = formatter.format_text(LONG, "tax.policy")
    assert formatter.format_text(formatted, "tax.policy") == formatted
    assert "\n  20%\n  # the second article\n  exception kids " in formatted
    assert "\n    when income > 100000" in formatted and "\n    then 30%\n" in formatted
    assert parser.parse(formatted) == parser.parse(LONG)


def test_the_document_shows_each_exception_with_its_citation_in_both_languages() -> None:
    policy = _load(TAX)
    english = document_formats.render_markdown(document.build_document(policy.checked, "en"))
    assert "**Exception** Two children `kids`" in english
    assert "**Clauses:** Art. 3 · **Overrides:** `kids`" in english
    chinese = document_formats.render_markdown(document.build_document(policy.checked, "zh"))
    assert "**例外** Two children `kids`" in chinese and "**适用条件**" in chinese


def test_the_editor_resolves_names_inside_exceptions(tmp_path: Path) -> None:
    file = str(tmp_path / "tax.policy")
    analysis = Workspace().analyse(file, TAX, lint=False)
    assert not analysis.problems
    symbol = analysis.index.symbol_at(file, TAX.index("children: int"))
    assert symbol is not None
    uses = analysis.index.references(symbol)
    assert [TAX[u.start : u.end + 5] for u in uses] == ["children >= 2"]
    # `to kids` refers to the exception `kids`, which the rule holds.
    kids = analysis.index.symbol_at(file, TAX.index("to kids") + 3)
    assert kids is not None and (kids.kind, kids.container) == ("exception", "rate")
    assert kids.loc.start == TAX.index("kids ")
    module = analysis.index.modules[analysis.module_name]
    assert [s.name for s in module.symbols if s.container == "rate"] == [
        "kids", "rich", "poor", "tiny"
    ]  # fmt: skip


def test_the_catala_tutorial_passes_its_published_tests(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["test", str(CATALA)]) == 0
    out = capsys.readouterr().out
    assert " 0 failed" in out and "4 passed" in out
    text = CATALA.read_text(encoding="utf-8")
    assert formatter.format_text(text, str(CATALA)) == text
    # The tutorial's Test2: articles 5 and 6 as first written conflict at $4,000.
    policy = wuxin_rules.load(CATALA)
    result = _on_every_path(policy, {"individual": {"income": 4000, "number_of_children": 0}})
    error = result.verdict("new_income_tax").error
    assert error is not None and error.code == "exception-conflict"
    assert "`article_5`" in error.message and "`article_6`" in error.message


def _findings(text: str) -> list[tuple[str, str]]:
    policy = _load(text)
    return [(d.code, d.span.text if d.span else "") for d in consistency.analyse(policy.checked)]


def test_the_consistency_checks_warn_of_exceptions_that_always_conflict_only() -> None:
    head = (
        'policy tax "tax"\ninput income: int "income" cites "S0"\nrule r cites "S1" -> int:\n  1\n'
    )
    # Exceptions that can never both apply: what a policy should be, no finding.
    disjoint = "  exception a when income < 10 then 2\n  exception b when income > 20 then 3\n"
    assert _findings(head + disjoint) == []
    # Wherever `low` applies, `lower` does too: the rule has no value there.
    nested = "  exception low when income < 10 then 2\n  exception lower when income < 20 then 3\n"
    assert _findings(head + nested) == [
        ("exceptions-always-conflict", "exception lower when income < 20 then 3")
    ]
    # Said which wins, no finding.
    ordered = nested.replace("lower when", "lower to low when")
    assert _findings(head + ordered) == []
