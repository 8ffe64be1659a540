"""The Pygments lexer: found by its entry point, no error token on any policy of the
repository, and the colours of `wuxin doc` HTML (which also works without Pygments)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygments")

from pygments.lexers import find_lexer_class_for_filename, get_lexer_by_name
from pygments.token import Error, Keyword, Name, Number, Operator, String

import wuxin_rules
from wuxin_rules import document_formats, parser
from wuxin_rules.document import build_document
from wuxin_rules.errors import PolicyError
from wuxin_rules.highlight import KEYWORDS, PolicyLexer, token_classes

REPO = Path(__file__).parent.parent
POLICY_FILES = sorted(
    p
    for folder in ("policies", "examples", "docs", "tests", "benchmarks")
    for p in (REPO / folder).rglob("*.policy")
)
MARKDOWN = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])
POLICY_BLOCK = re.compile(r"^```policy\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _parses(text: str) -> bool:
    try:
        parser.parse(text)
    except PolicyError:
        return False
    return True


def _errors(text: str) -> list[str]:
    lexer = PolicyLexer()
    return [value for _, token, value in lexer.get_tokens_unprocessed(text) if token in Error]


def test_the_entry_point_makes_the_lexer_known_to_pygments() -> None:
    assert isinstance(get_lexer_by_name("policy"), PolicyLexer)
    assert find_lexer_class_for_filename("rules/unit.policy") is PolicyLexer


def test_the_keywords_are_the_grammars() -> None:
    assert set(KEYWORDS) == set(parser.KEYWORDS)


def test_no_error_token_in_any_policy_that_parses() -> None:
    """Every `.policy` file of the repository that parses lexes without an error token; the
    ones written to show syntax errors do have some (so the check can fail)."""
    checked = bad = 0
    for path in POLICY_FILES:
        text = path.read_text(encoding="utf-8")
        if _parses(text):
            assert _errors(text) == [], path
            checked += 1
        elif _errors(text):
            bad += 1
    assert checked >= 30 and bad >= 3


def test_no_error_token_in_the_policy_blocks_of_the_docs() -> None:
    blocks = [
        block
        for path in MARKDOWN
        for block in POLICY_BLOCK.findall(path.read_text(encoding="utf-8"))
    ]
    assert len(blocks) >= 50
    for block in blocks:
        if _parses(block):
            assert _errors(block) == [], block


def test_tokens_of_a_small_policy() -> None:
    text = 'import a.b (K)\nparam cap: percent = 12.5% "上限"\nrule r(x: K) -> bool: x.n >= 3 and date(2020, 1, 1) < 2021-01-01\n'
    tokens = [(t, v) for _, t, v in PolicyLexer().get_tokens_unprocessed(text) if v.strip()]
    assert (Keyword.Namespace, "import") in tokens and (Name.Namespace, "a.b") in tokens
    assert (Name.Variable, "cap") in tokens and (Keyword.Type, "percent") in tokens
    assert (Number, "12.5%") in tokens and (String.Double, '"上限"') in tokens
    assert (Name.Function, "r") in tokens and (Operator, ">=") in tokens
    assert (Keyword, "and") in tokens and (Name.Builtin, "date") in tokens
    assert (Number.Other, "2021-01-01") in tokens


def test_token_classes_follow_the_characters() -> None:
    classes = token_classes("a + 1")
    assert classes == ["", "", "o", "", "mi"]


SMALL = Path(__file__).parent / "golden" / "doc" / "small.policy"


def test_doc_html_is_coloured_and_still_whole_without_pygments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document = build_document(wuxin_rules.load(SMALL).checked, "en")
    coloured = document_formats.render_html([document])
    assert "pre.rule .o {" in coloured and '<span class="o">' in coloured
    monkeypatch.setattr(document_formats, "highlight", None)
    plain = document_formats.render_html([document])
    assert '<span class="o">' not in plain and "pre.rule .o" not in plain

    def text(page: str) -> str:
        body = page[page.index("<body>") :]
        return re.sub(r"<[^>]+>", "", body)

    # The same words either way: only the colours differ.
    assert text(plain) == text(coloured)


def test_a_contextual_keyword_used_as_a_name_is_not_coloured_as_a_keyword() -> None:
    """`rate`, `count`, `source`, `property` as names are names; before `of` (or a text, for
    the clause words) they are keywords."""
    text = (
        "record A:\n  property: bool\n  source: text\n"
        'rule r "R" source "S": rate * count + max(a.source, 1)\n'
        "rule s: count of m in ms : m.rate\n"
    )
    tokens = [(token, value) for _, token, value in PolicyLexer().get_tokens_unprocessed(text)]
    kinds: dict[str, set[Any]] = {}
    for token, value in tokens:
        kinds.setdefault(value, set()).add(token)
    assert kinds["property"] == {Name}
    assert kinds["rate"] == {Name}
    assert kinds["count"] == {Name, Keyword}  # `rate * count`, then `count of`
    assert kinds["source"] == {Name, Keyword}  # the field, then `source "S"`
    assert kinds["max"] == {Name.Builtin}
