"""Facts at the limits (issue 10, item 5): numbers past Python's 4300-digit `str` limit and
texts that are not whole characters are located errors on every evaluation path, never an
internal error; the facts check refuses whole numbers of more than 4300 digits from Python."""

from __future__ import annotations

from typing import Any

import pytest

import wuxin_rules
from wuxin_rules.errors import FactError

POLICY = """\
policy limits "limits"
input x: int "x"
input seed: text "seed"
input keys: list of text "keys"
rule day "day": date(x * 10, 1, 1)
rule last "last": quarter_last_month(x * 10)
rule rounded "rounded": round(1.5, x * 10)
rule by_number "by number": sample([x * 10, 1], 50%, x * 10)
rule by_text "by text": sample(keys, 50%, seed)
rule twice "twice": sample([x * 10, x * 10], 50%, 1)
"""

BIG = int("9" * 4300)  # the most digits a fact may have; ten times it has 4301


def _paths(policy: wuxin_rules.Policy, facts: dict[str, Any]) -> dict[str, wuxin_rules.Result]:
    """The result on every evaluation path: reference, compiled program, compiled tracer."""
    return {
        "evaluate": policy.evaluate(facts),
        "evaluate_many": policy.evaluate_many([facts])[0],
        "explain": policy.evaluate(facts, explain=True),
        "evaluate_many explain": policy.evaluate_many([facts], explain=True)[0],
    }


def _codes(result: wuxin_rules.Result) -> dict[str, str]:
    return {key: v.error.code for key, v in result.verdicts.items() if v.error is not None}


@pytest.fixture(scope="module")
def policy() -> wuxin_rules.Policy:
    return wuxin_rules.loads(POLICY)


def test_numbers_past_4300_digits_are_located_errors(policy: wuxin_rules.Policy) -> None:
    for path, result in _paths(policy, {"x": BIG, "seed": "s", "keys": ["a"]}).items():
        assert _codes(result) == {
            "day": "invalid-date",
            "last": "invalid-quarter",
            "rounded": "invalid-argument",
            "twice": "duplicate-sample-key",
        }, path
        assert len(result["by_number"]) == 1  # a 4301-digit seed and key draw as any other
        message = result.verdict("day").error.message  # type: ignore[union-attr]
        assert "year 9999" in message and "0, month 1, day 1" in message
        assert result.explain()  # and the explanations render
        assert result.to_json(explain=True)["errors"]


@pytest.mark.parametrize("where", ["seed", "keys"])
def test_a_lone_surrogate_in_a_sample_is_a_located_error(
    policy: wuxin_rules.Policy, where: str
) -> None:
    facts: dict[str, Any] = {"x": 1, "seed": "s", "keys": ["a", "b"]}
    facts[where] = "\ud800" if where == "seed" else ["a", "\udfff"]
    for path, result in _paths(policy, facts).items():
        error = result.verdict("by_text").error
        assert error is not None and error.code == "invalid-argument", path
        assert "half of a surrogate pair" in error.message
        assert error.span is not None and error.span.location().endswith(":9:25")
        # The message holds no surrogate itself: it can be printed and written as UTF-8.
        error.message.encode("utf-8")


def test_the_facts_check_refuses_more_than_4300_digits_from_python(
    policy: wuxin_rules.Policy,
) -> None:
    for value in (10**4300, -(10**4300), 2**14285 - 1):
        with pytest.raises(FactError) as caught:
            policy.evaluate({"x": value, "seed": "s", "keys": []})
        assert caught.value.codes == ("bad-fact",)
        assert caught.value.diagnostics[0].path == "$.x"
        with pytest.raises(FactError):
            policy.evaluate_many([{"x": value, "seed": "s", "keys": []}])
    assert policy.evaluate({"x": BIG, "seed": "s", "keys": []})["by_number"] is not None
