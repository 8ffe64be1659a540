"""The editor's view of a policy (`wuxin_rules.symbols`): parsed declaration by declaration,
the same syntax errors as `wuxin check`, tolerant of half-typed text, names resolved."""

from __future__ import annotations

from pathlib import Path

import pytest

from wuxin_rules import parser
from wuxin_rules.errors import CODES, PolicyError
from wuxin_rules.symbols import Workspace, pieces

REPO = Path(__file__).parent.parent
POLICIES = sorted(
    p for folder in ("tests/golden", "docs", "examples") for p in (REPO / folder).rglob("*.policy")
)


def _syntax(diagnostics: list[tuple[str, int | None, str]]) -> set[tuple[str, int | None, str]]:
    return {d for d in diagnostics if CODES.get(d[0]) == "syntax"}


def test_pieces_start_at_declaration_lines() -> None:
    text = "policy a\n# note\nrule r: 1\n  + 2\ninput x: int\n"
    cut = pieces(text)
    assert [p.text for p in cut] == ["policy a\n# note\n", "rule r: 1\n  + 2\n", "input x: int\n"]
    assert [p.start for p in cut] == [0, 16, 32]


def test_a_declaration_word_used_as_a_value_starts_no_piece() -> None:
    """Keywords are contextual: a rule named `property` may start a continuation line."""
    text = 'rule property: 1\nrule r:\n  1 +\n  property\nproperty "p": forall x: int holds true\n'
    assert [p.text for p in pieces(text)] == [
        "rule property: 1\n",
        "rule r:\n  1 +\n  property\n",
        'property "p": forall x: int holds true\n',
    ]


def test_syntax_errors_are_those_of_the_whole_text() -> None:
    """On every policy of the repository that has syntax errors, the pieces parsed apart
    report exactly what parsing the whole file reports."""
    compared = 0
    for path in POLICIES:
        text = path.read_text(encoding="utf-8")
        try:
            parser.parse(text, str(path))
            continue
        except PolicyError as error:
            whole = _syntax(
                [(d.code, d.span.start if d.span else None, d.message) for d in error.diagnostics]
            )
        analysis = Workspace().analyse(str(path.resolve()), text, lint=False)
        found = _syntax(
            [
                (p.diagnostic.code, p.loc.start if p.loc else None, p.diagnostic.message)
                for p in analysis.problems
            ]
        )
        assert found == whole, path
        compared += 1
    assert compared >= 20


TEXT = """\
enum Kind: retail "零售", bulk "批发"
record Order:
  amount: decimal
  kind: Kind
input order: Order
param limit: decimal = 10
rule total: order.amount * 2
rule broken: (order.amount
rule uses_total: total > limt
criterion is_bulk: order.kind == bulk
"""


def test_a_syntax_error_does_not_hide_the_rest(tmp_path: Path) -> None:
    file = str(tmp_path / "t.policy")
    analysis = Workspace().analyse(file, TEXT, lint=False)
    codes = [p.diagnostic.code for p in analysis.problems]
    # The unclosed bracket, and the unknown name of a later rule, are both reported.
    assert "unclosed-bracket" in codes and "unknown-name" in codes
    unknown = next(p for p in analysis.problems if p.diagnostic.code == "unknown-name")
    assert TEXT[unknown.loc.start : unknown.loc.end] == "limt"
    assert unknown.fix is not None and unknown.fix.text == "limit"
    module = analysis.index.modules[analysis.module_name]
    assert {"total", "uses_total", "is_bulk", "Kind", "Order"} <= set(module.top)
    assert "broken" not in module.top


def test_names_a_broken_declaration_declares_are_not_reported_unknown(tmp_path: Path) -> None:
    text = "rule a: b + 1\nrule b: (2\n"
    analysis = Workspace().analyse(str(tmp_path / "t.policy"), text, lint=False)
    assert [p.diagnostic.code for p in analysis.problems] == ["unclosed-bracket"]


def test_references_resolve_fields_members_and_locals(tmp_path: Path) -> None:
    text = TEXT.replace("rule broken: (order.amount\n", "rule double(o: Order): o.amount * 2\n")
    file = str(tmp_path / "t.policy")
    analysis = Workspace().analyse(file, text, lint=False)
    index = analysis.index

    def at(needle: str, shift: int = 0) -> tuple[str, str | None]:
        symbol = index.symbol_at(file, text.index(needle) + shift)
        assert symbol is not None, needle
        return symbol.kind, symbol.container

    assert at("amount * 2", 0) == ("field", "Order")
    assert at("o.amount", 0) == ("local", None)
    assert at("o.amount", 2) == ("field", "Order")
    assert at("== bulk", 3) == ("member", "Kind")
    assert index.symbol_at(file, text.index("limt")) is None  # unknown: no symbol
    field = index.symbol_at(file, text.index("amount: decimal"))
    assert field is not None
    uses = index.references(field)
    assert [text[u.start : u.end] for u in uses] == ["amount", "amount"]


@pytest.mark.parametrize(
    ("text", "code", "replacement"),
    [
        ("input x int\n", "missing-colon", ":"),
        ("rule r = 1\n", "missing-colon", ":"),
        ("rule r：1\n", "full-width-character", ":"),
    ],
)
def test_fixes_from_the_diagnostics(tmp_path: Path, text: str, code: str, replacement: str) -> None:
    analysis = Workspace().analyse(str(tmp_path / "t.policy"), text, lint=False)
    problem = next(p for p in analysis.problems if p.diagnostic.code == code)
    assert problem.fix is not None and problem.fix.text == replacement
    fixed = text[: problem.fix.loc.start] + replacement + text[problem.fix.loc.end :]
    parser.parse(fixed)  # the fix makes the text parse


def test_problems_are_those_of_wuxin_check_on_every_policy_that_parses() -> None:
    """Errors and warnings (consistency checks included) are the same as `wuxin check`'s on
    each policy of the repository that parses; with syntax errors the editor shows more (the
    rest of the file is still checked), so those are compared above."""
    from wuxin_rules import api

    compared = 0
    for path in sorted(
        p for folder in ("policies", "examples", "docs") for p in (REPO / folder).rglob("*.policy")
    ):
        file = str(path.resolve())
        text = path.read_text(encoding="utf-8")
        try:
            parser.parse(text, file)
        except PolicyError:
            continue
        workspace = Workspace()
        workspace.open[file] = text
        analysis = workspace.analyse(file, text)
        mine = sorted(
            (p.diagnostic.code, p.loc.start if p.loc else -1, p.diagnostic.message)
            for p in analysis.problems
        )
        [(_, error, findings)] = api.lint_policy_paths([path])
        theirs = sorted(
            (d.code, d.span.start if d.span else -1, d.message)
            for d in (*(error.diagnostics if error else ()), *findings)
        )
        assert mine == theirs, path
        compared += 1
    assert compared >= 15


def test_an_unsaved_document_has_no_policy_root() -> None:
    """`untitled:` texts are checked and indexed, but import nothing (no folder to read)."""
    workspace = Workspace()
    analysis = workspace.analyse("untitled:Untitled-1", "import a.b\ninput x: int\nrule r: x\n")
    [problem] = [p for p in analysis.problems if p.diagnostic.code == "unknown-module"]
    assert "without a policy root" in problem.diagnostic.notes[0]
    symbol = analysis.index.symbol_at("untitled:Untitled-1", analysis.text.index("x\n"))
    assert symbol is not None and symbol.kind == "input"
    assert workspace.project(analysis) is analysis.index
