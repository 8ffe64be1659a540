"""The embedding API: load, loads, Policy.evaluate / evaluate_many, Result, param overrides."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import wuxin_rules
from wuxin_rules import EvaluationError, FactError, ParamError, PolicyError, UsageError

LOANS = """\
policy loans "贷款资格"

enum Tenure "住房": owner "自有", renter "租住"

record Applicant "申请人":
  name: text "姓名"
  income: decimal >= 0 "月收入"
  debt: decimal >= 0 "月还款"
  tenure: Tenure
  born: date
  dependants: int >= 0

input applicant: Applicant

param max_ratio: percent = 40% "负债收入比上限" cites "§2"
param min_income: int = 3000 cites "§1"

rule ratio "负债收入比": applicant.debt / applicant.income

criterion affordable "负担得起" cites "§2": ratio <= max_ratio
criterion earns_enough "收入达标" cites "§1": applicant.income >= min_income

rule eligible "符合资格": all of [affordable, earns_enough]

rule summary: if eligible then "approve" else "refer"
"""

GOOD = {
    "applicant": {
        "name": "王芳",
        "income": Decimal("5000"),
        "debt": Decimal("2000"),
        "tenure": "renter",
        "born": "1990-05-01",
        "dependants": 2,
    }
}


@pytest.fixture(scope="module")
def loans() -> wuxin_rules.Policy:
    return wuxin_rules.loads(LOANS, name="loans.policy")


def test_evaluate_returns_python_values(loans: wuxin_rules.Policy) -> None:
    """Values come back as Python data: bool, Decimal for exact decimals, str."""
    result = loans.evaluate(GOOD)
    assert result["eligible"] is True
    assert result["ratio"] == Decimal("0.4")
    assert isinstance(result["ratio"], Decimal)
    assert result["summary"] == "approve"


def test_exact_threshold_is_met(loans: wuxin_rules.Policy) -> None:
    """2000/5000 is exactly 40%: the `<=` threshold holds, with no float rounding."""
    assert loans.evaluate(GOOD)["affordable"] is True
    over = {"applicant": {**GOOD["applicant"], "debt": Decimal("2000.01")}}
    assert loans.evaluate(over)["affordable"] is False


def test_default_rules_are_every_nullary_rule(loans: wuxin_rules.Policy) -> None:
    """Without `rules`, every rule and criterion without parameters is evaluated."""
    assert set(loans.rules) == {"ratio", "affordable", "earns_enough", "eligible", "summary"}
    assert set(loans.evaluate(GOOD).keys()) == set(loans.rules)


def test_rules_argument_limits_the_verdicts(loans: wuxin_rules.Policy) -> None:
    """`rules=[...]` evaluates only the named rules."""
    result = loans.evaluate(GOOD, rules=["eligible"])
    assert list(result.keys()) == ["eligible"]


def test_unknown_rule_suggests_a_name(loans: wuxin_rules.Policy) -> None:
    """A misspelt rule name is a UsageError with a did-you-mean."""
    with pytest.raises(UsageError) as caught:
        loans.evaluate(GOOD, rules=["eligble"])
    assert "did you mean `eligible`?" in str(caught.value)


def test_params_override_at_load_time() -> None:
    """Params are overridden without editing the file, from text or exact Python values."""
    strict = wuxin_rules.loads(LOANS, params={"max_ratio": "30%"})
    assert strict.evaluate(GOOD)["affordable"] is False
    assert strict.params["max_ratio"] == Decimal("0.3")
    lenient = strict.with_params({"max_ratio": Fraction(1, 2), "min_income": 100})
    assert lenient.evaluate(GOOD)["eligible"] is True


def test_bad_params_are_reported_together() -> None:
    """An unknown param and a badly typed one are both reported, with hints."""
    with pytest.raises(ParamError) as caught:
        wuxin_rules.loads(LOANS, params={"max_raito": "1", "min_income": "lots"})
    text = str(caught.value)
    assert "did you mean `max_ratio`?" in text
    assert "param `min_income` expects `int`" in text
    assert len(caught.value.diagnostics) == 2


def test_float_params_are_refused() -> None:
    """A binary float never enters the engine, even as a param."""
    with pytest.raises(ParamError) as caught:
        wuxin_rules.loads(LOANS, params={"max_ratio": 0.4})
    assert "Decimal" in str(caught.value)


def test_bad_facts_report_json_paths(loans: wuxin_rules.Policy) -> None:
    """Every bad fact is reported at once with its JSON path."""
    bad = {"applicant": {**GOOD["applicant"], "income": "lots", "dependants": -1}}
    with pytest.raises(FactError) as caught:
        loans.evaluate(bad)
    paths = {d.path for d in caught.value.diagnostics}
    assert paths == {"$.applicant.income", "$.applicant.dependants"}


def test_evaluation_error_is_kept_per_rule(loans: wuxin_rules.Policy) -> None:
    """Division by zero fails the rules that depend on it, located, and the others still run."""
    broke = {"applicant": {**GOOD["applicant"], "income": 0}}
    result = loans.evaluate(broke)
    assert result["earns_enough"] is False
    with pytest.raises(EvaluationError) as caught:
        _ = result["eligible"]
    assert caught.value.diagnostics[0].code == "division-by-zero"
    assert caught.value.diagnostics[0].span is not None
    assert {d.code for d in result.errors} == {"division-by-zero"}


def test_explain_names_labels_and_citations(loans: wuxin_rules.Policy) -> None:
    """The explanation text carries the policy's labels, citations and values."""
    over = {"applicant": {**GOOD["applicant"], "debt": Decimal("2500")}}
    text = loans.evaluate(over).explain("eligible")
    assert "符合资格" in text
    assert "负担得起" in text
    assert "§2" in text
    assert "50%" in text or "0.5" in text


def test_explanation_value_matches_result(loans: wuxin_rules.Policy) -> None:
    """The explanation's recorded value is the value returned."""
    result = loans.evaluate(GOOD)
    assert result.explanation("eligible").value is True
    assert result.explanation("ratio").value == Fraction(2, 5)


def test_to_json_is_exact(loans: wuxin_rules.Policy) -> None:
    """`to_json` gives exact decimals and enum names, and explanations on request."""
    from wuxin_rules import jsonio

    data = loans.evaluate(GOOD).to_json(explain=True)
    text = jsonio.dumps(data)
    assert '"ratio": 0.4' in text
    assert set(data) == {"rules", "explanations", "explanation_values"}


def test_evaluate_many_gives_the_same_results(loans: wuxin_rules.Policy) -> None:
    """`evaluate_many` agrees with `evaluate` on every document, in order."""
    documents = [
        {"applicant": {**GOOD["applicant"], "debt": Decimal(debt)}}
        for debt in ("0", "1999", "2001")
    ]
    many = loans.evaluate_many(documents, rules=["eligible"])
    assert [r["eligible"] for r in many] == [
        loans.evaluate(d, rules=["eligible"])["eligible"] for d in documents
    ]
    assert [r["eligible"] for r in many] == [True, True, False]


def test_date_facts_accept_python_dates(loans: wuxin_rules.Policy) -> None:
    """Python callers may pass `datetime.date` for date fields."""
    document = {"applicant": {**GOOD["applicant"], "born": datetime.date(1990, 5, 1)}}
    assert loans.evaluate(document)["eligible"] is True


def test_load_from_file_resolves_imports(tmp_path: Path) -> None:
    """`load` resolves imports against the policy root implied by the header."""
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "types.policy").write_text(
        "policy shop.types\nrecord Basket: total: decimal >= 0\n", encoding="utf-8"
    )
    (tmp_path / "shop" / "discount.policy").write_text(
        "policy shop.discount\nimport shop.types (Basket)\ninput basket: Basket\n"
        "rule discount: if basket.total >= 100 then 10% else 0%\n",
        encoding="utf-8",
    )
    policy = wuxin_rules.load(tmp_path / "shop" / "discount.policy")
    assert policy.evaluate({"basket": {"total": 120}})["discount"] == Decimal("0.1")


def test_bad_policy_raises_policy_error() -> None:
    """A policy with an unknown name does not load; the error is located."""
    with pytest.raises(PolicyError) as caught:
        wuxin_rules.loads("rule a: b + 1", name="bad.policy")
    assert caught.value.diagnostics[0].span is not None
    assert str(caught.value).startswith("bad.policy:1:9: error[")


def test_flagship_village_fails_with_standards() -> None:
    """The flagship example village fails S2.1 and S2.3, as the README promises."""
    import json

    root = Path(__file__).resolve().parents[1]
    policy = wuxin_rules.load(root / "policies" / "drug_free" / "unit.policy")
    facts = json.loads(
        (root / "examples" / "village-fail.json").read_text(encoding="utf-8"), parse_float=Decimal
    )
    result = policy.evaluate(facts)
    assert result["drug_free"] is False
    assert result["failed_standards"] == ["S2.1", "S2.3"]
    assert result["awarding_authority"] == "district_commission"


def test_percent_param_bound_is_shown_in_percent() -> None:
    """A bad percent override names the bound as written: `0% .. 100%`, not `0 .. 1`."""
    with pytest.raises(ParamError) as caught:
        wuxin_rules.loads("param p: percent 0% .. 100% = 50%\nrule a: p", params={"p": "120%"})
    assert caught.value.diagnostics[0].help == "the value must be 0% .. 100%"


def test_param_override_bound_is_checked_in_a_list_like_a_default() -> None:
    """The bound of a list's element type holds for an override as for a default (the
    checker reports `param p: list of int >= 0 = [-1]`): `[-1]` is refused, naming `-1`."""
    text = "param p: list of int >= 0 = [1]\nrule a: p"
    for given in ("[2, -1]", [2, -1]):
        with pytest.raises(ParamError) as caught:
            wuxin_rules.loads(text, params={"p": given})
        (diagnostic,) = caught.value.diagnostics
        assert diagnostic.code == "bad-param"
        assert diagnostic.message == "param `p` expects `list of int`, found `-1`"
        assert diagnostic.help == "the value must be >= 0"
    assert wuxin_rules.loads(text, params={"p": "[0, 3]"}).params["p"] == [0, 3]


def test_a_whole_decimal_comes_back_as_decimal_on_both_paths() -> None:
    """The Python type of a value follows the rule's declared type, not how it was computed:
    a decimal that happens to be whole is a `Decimal`, with or without explanations."""
    policy = wuxin_rules.loads(
        "record R: x: decimal\ninput r: R\n"
        "rule half -> decimal: r.x / 2\nrule whole -> decimal: r.x - r.x\n"
        "rule items -> list of decimal: [r.x - r.x, r.x]\n"
    )
    facts = {"r": {"x": Decimal("4")}}
    for result in (policy.evaluate(facts), policy.evaluate(facts, explain=True)):
        assert type(result["whole"]) is Decimal and result["whole"] == 0
        assert type(result["half"]) is Decimal and result["half"] == 2
        assert [type(v) for v in result["items"]] == [Decimal, Decimal]
        assert all(type(v) is Decimal for v in result.values().values() if not isinstance(v, list))
