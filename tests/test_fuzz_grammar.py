"""The engine fuzzed with its own grammar: sentences of `grammar/wuxin.lark` parse, and
parsing, checking, the consistency checks and evaluating them raise nothing but `WuxinError`."""

from __future__ import annotations

from collections import Counter

from hypothesis import given

from fuzzing import fuzz_settings, only_wuxin_errors, sentences
from wuxin_rules import api, checker, consistency, loader, parser
from wuxin_rules.errors import WuxinError

PARSE_SHARE = 0.99
"""The share of generated sentences that must parse (issue 4: at least 99%)."""


def test_at_least_99_percent_of_generated_sentences_parse() -> None:
    """With white space after every symbol, the grammar's sentences are the parser's: at
    least 99% parse (the rest, if any, are limits the grammar cannot say, such as nesting)."""
    outcomes: Counter[str] = Counter()
    failures: list[tuple[str, str]] = []

    @fuzz_settings(300)
    @given(sentences())
    def parse_one(text: str) -> None:
        result = only_wuxin_errors(lambda: parser.parse(text, "generated.policy"), text)
        if isinstance(result, WuxinError):
            outcomes["rejected"] += 1
            failures.append((result.codes[0], text))
        else:
            outcomes["parsed"] += 1

    parse_one()
    total = sum(outcomes.values())
    share = outcomes["parsed"] / total
    print(f"\ngrammar sentences: {outcomes['parsed']} of {total} parse ({share:.1%})")
    assert share >= PARSE_SHARE, (
        f"only {share:.1%} of {total} generated sentences parse; first rejected: "
        f"{Counter(code for code, _ in failures).most_common(3)}\n{failures[0][1]!r}"
    )


def test_generated_policies_check_and_evaluate_or_raise_wuxin_errors() -> None:
    """Checking a generated policy, its consistency checks, and evaluating it (when it has
    no inputs) give a result or a `WuxinError`, never another exception."""
    stages: Counter[str] = Counter()

    @fuzz_settings(300)
    @given(sentences())
    def run(text: str) -> None:
        stages["generated"] += 1
        loaded = only_wuxin_errors(
            lambda: loader.load_modules_from_text(text, "generated.policy"), text
        )
        if isinstance(loaded, WuxinError):
            return
        checked = only_wuxin_errors(lambda: checker.check(loaded), text)
        if isinstance(checked, WuxinError):
            return
        stages["checked"] += 1
        only_wuxin_errors(lambda: consistency.analyse(checked, undecided=True), text)
        if not checked.inputs:
            stages["evaluated"] += 1
            only_wuxin_errors(lambda: api.Policy(checked).evaluate({}, explain=True), text)

    run()
    print(f"\ngenerated policies: {dict(stages)}")
    assert stages["checked"] > 0, "no generated policy got past the checker"
