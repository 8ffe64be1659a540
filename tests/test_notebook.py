"""Results and explanations as HTML in notebooks (issue 14 item 6)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import wuxin_rules
from wuxin_rules.notebook import ExplanationText

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "policies" / "drug_free" / "unit.policy"
FAIL = ROOT / "examples" / "village-fail.json"


def _fail() -> wuxin_rules.Result:
    document = json.loads(FAIL.read_text(encoding="utf-8"), parse_float=Decimal)
    return wuxin_rules.load(UNIT).evaluate(document)


def test_a_result_is_a_table_with_each_explanation_folded() -> None:
    page = _fail()._repr_html_()
    assert '<table class="wuxin-result">' in page
    assert "<caption>无毒单位评定</caption>" in page
    row = page.split("<code>drug_free</code>")[1].split("</tr>")[0]
    assert "无毒单位" in row and '<span class="wuxin-false">✗ false</span>' in row
    assert "<details><summary>why</summary>" in row
    assert "drug_labs" in row  # the explanation reaches the fact that decided
    assert "<script" not in page


def test_explain_is_still_text_and_shows_as_html() -> None:
    result = _fail()
    text = result.explain("drug_free")
    assert isinstance(text, str) and isinstance(text, ExplanationText)
    assert str(text) == text
    page = text._repr_html_()
    assert page.count('<span class="wuxin-false">✗</span>') == text.count("✗")
    assert text.count("✗") > 0


def test_policy_text_is_escaped() -> None:
    policy = wuxin_rules.loads(
        'policy p "<b>标题</b>"\ninput n: int\ncriterion c "a < b & <i>x</i>": n > 1\n'
    )
    page = policy.evaluate({"n": 0})._repr_html_()
    assert "<i>" not in page and "<b>" not in page
    assert "a &lt; b &amp; &lt;i&gt;x&lt;/i&gt;" in page


def test_a_partial_result_shows_what_is_pending() -> None:
    page = wuxin_rules.load(UNIT).evaluate({}, partial=True)._repr_html_()
    assert 'class="wuxin-pending">pending: needs 被评定单位 ($.unit)' in page
    assert "<details>" not in page  # no explanation without the facts
    assert (
        wuxin_rules.load(UNIT)
        .evaluate({}, partial=True)["drug_free"]
        ._repr_html_()
        .startswith("<em>pending")
    )


def test_to_pass_shows_as_a_sentence() -> None:
    page = _fail().to_pass("drug_free")._repr_html_()
    assert page.startswith("<p>If 制毒窝点数 is 0 (now 1)")
