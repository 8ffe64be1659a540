"""Tests of the grammar file itself: it is conflict-free, shipped in the package, and every
rule it produces has an AST mapping."""

from __future__ import annotations

import importlib.resources
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lark import Lark

from wuxin_rules import grammar, tree_builder
from wuxin_rules.parser import KEYWORDS, grammar_text

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR = ROOT / "grammar" / "wuxin.lark"


def test_grammar_builds_in_strict_mode() -> None:
    """No shift/reduce conflict and no two terminals that can match the same text
    (Lark's strict mode, which uses `interegular` to compare the regular expressions)."""
    import interegular  # noqa: F401  (the test extra installs it: strict mode needs it)

    Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        start=["start", "expr"],
        strict=True,
    )


def test_grammar_is_loaded_from_the_package() -> None:
    """The parser reads the grammar through `importlib.resources`, from the package."""
    packaged = importlib.resources.files("wuxin_rules").joinpath("wuxin.lark")
    assert grammar_text() == packaged.read_text(encoding="utf-8")


def test_packaged_grammar_is_the_grammar_file() -> None:
    """`src/wuxin_rules/wuxin.lark` is `grammar/wuxin.lark` (one grammar, two paths)."""
    assert (ROOT / "src" / "wuxin_rules" / "wuxin.lark").read_text(
        encoding="utf-8"
    ) == GRAMMAR.read_text(encoding="utf-8")


def test_every_grammar_rule_has_an_ast_mapping() -> None:
    """Each rule or alias that can reach the transformer has a builder method (the
    transformer's `__default__` raises on a rule without one)."""
    missing = set()
    for rule in grammar.lark_parser().rules:
        name = rule.alias or rule.origin.name
        if name.startswith("_") or (rule.options.expand1 and not rule.alias):
            continue  # inlined into its parent: never a tree of its own
        method = getattr(tree_builder._AstBuilder, name, None)
        if method is None or not getattr(method, "_wuxin_node", False):
            missing.add(name)
    assert sorted(missing) == []


def test_keywords_are_the_words_of_the_grammar() -> None:
    """`KEYWORDS` holds the reserved words, and only words."""
    assert {"rule", "criterion", "param", "input", "if", "then", "else", "count", "of"} <= KEYWORDS
    assert all(word.isidentifier() for word in KEYWORDS)
    assert "nondecreasing" not in KEYWORDS  # a pattern, not a reserved word


def test_the_keywords_read_from_the_text_are_larks_keyword_terminals() -> None:
    # `keywords()` reads the grammar's text without Lark; Lark's terminals are the reference.
    assert grammar.keywords() == frozenset(grammar.keyword_types().values())


def test_keywords_in_a_grammar_text_follow_larks_rules() -> None:
    text = """
start: "alpha" NAME? beta  // "comment" is no keyword
beta: "beta" | "=" | MOD | DIRECTION | SIGN
MOD: "mod"
DIRECTION: "up" | "down"
SIGN.2: /"sign"/
NAME: /[a-z]+/
%ignore "skipped"
"""
    assert grammar.keywords_in(text) == {"alpha", "beta", "mod"}


def test_grammar_names_no_domain() -> None:
    """The grammar is general: no word of the flagship domain in it."""
    text = grammar_text().lower()
    assert not any(word in text for word in ("drug", "town", "village"))


def _build_wheel(destination: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--quiet",
        "-w",
        str(destination),
        str(ROOT),
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"cannot run pip to build a wheel: {error}")
    if result.returncode != 0:
        output = result.stdout + result.stderr
        offline = ("No matching distribution", "Could not find a version", "connection", "Network")
        if any(marker in output for marker in offline):
            pytest.skip("the build backend cannot be fetched (offline)")
        pytest.fail(f"pip wheel failed:\n{output}")
    wheels = list(destination.glob("wuxin_rules-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_ships_the_grammar_and_parses_with_it(tmp_path: Path) -> None:
    """A wheel built from the project holds `wuxin_rules/wuxin.lark` (the file, not a link),
    and the package installed from that wheel alone parses a policy."""
    wheel = _build_wheel(tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "wuxin_rules/wuxin.lark" in names
        assert "wuxin_rules/py.typed" in names
        assert archive.read("wuxin_rules/wuxin.lark").decode("utf-8") == GRAMMAR.read_text(
            encoding="utf-8"
        )
        archive.extractall(tmp_path / "site")
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import wuxin_rules.parser as p;"
        "assert p.__file__.startswith(sys.argv[1]), p.__file__;"
        "m = p.parse('rule a: 1 + 2');"
        "print(type(m.declarations[0]).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "site")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "RuleDecl"
