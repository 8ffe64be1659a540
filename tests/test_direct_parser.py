"""Tests of `wuxin_rules.direct_parser`: the direct reader gives exactly the Lark path's AST.

The direct reader may give up on any text (the Lark path then reads it); whenever it does
give an AST, that AST must equal the Lark path's, spans included. The corpus is every policy
file of the project and every text the tests write; the benchmark's large policies must be
read directly (not handed to Lark), and a few texts check what Lark's contextual lexer does
that a plain reader would not.
"""

from __future__ import annotations

import ast as pyast
import re
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

from wuxin_rules import ast, direct_parser, parser
from wuxin_rules.errors import WuxinError
from wuxin_rules.source import Source, Span

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_check_scale  # noqa: E402


def _difference(direct: Any, reference: Any, path: str = "ast") -> str | None:
    """Where two parse results differ (type, value or span), or None."""
    if type(direct) is not type(reference):
        return f"{path}: {type(direct).__name__} != {type(reference).__name__}"
    if isinstance(direct, Span):
        mine, theirs = (direct.start, direct.end), (reference.start, reference.end)
        return None if mine == theirs else f"{path}: span {mine} != {theirs}"
    if attrs.has(type(direct)):
        for field in attrs.fields(type(direct)):
            found = _difference(
                getattr(direct, field.name), getattr(reference, field.name), f"{path}.{field.name}"
            )
            if found:
                return found
        return None
    if isinstance(direct, tuple):
        if len(direct) != len(reference):
            return f"{path}: {len(direct)} items != {len(reference)}"
        for index, (mine, theirs) in enumerate(zip(direct, reference, strict=True)):
            found = _difference(mine, theirs, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if direct == reference else f"{path}: {direct!r} != {reference!r}"


def _corpus() -> list[tuple[str, str]]:
    texts = [
        (str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
        for folder in ("policies", "examples", "docs", "tests")
        for path in sorted((ROOT / folder).rglob("*.policy"))
    ]
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in pyast.walk(pyast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, pyast.Constant) and isinstance(node.value, str):
                texts.append((path.name, node.value))
    return texts


def _agrees(text: str, start: str) -> bool:
    """Whether the direct reader read `text` (True) or gave up (False); fails if it read it
    and the Lark path refuses it or reads it differently."""
    source = Source("t.policy", text)
    direct = direct_parser.parse(source, start)
    if direct is None:
        return False
    try:
        reference = parser.parse_with_lark(source, start)
    except WuxinError as error:
        pytest.fail(f"the direct reader accepts what Lark refuses ({error}): {text!r}")
    difference = _difference(direct, reference)
    assert difference is None, f"{difference} in {text!r}"
    return True


def test_every_text_of_the_project_reads_the_same_both_ways() -> None:
    read = {"start": 0, "expr": 0}
    corpus = _corpus()
    for _, text in corpus:
        for start in read:
            read[start] += _agrees(text, start)
    # The comparison must be about something: most policies and many expressions read directly.
    assert read["start"] > 500 and read["expr"] > 5000, read


@pytest.mark.parametrize(
    "text",
    [
        # Parentheses: a node keeps its own span, its parent's takes the brackets in.
        "rule r: (a) + (b)",
        "rule r: ((a or b)) or c and (d)",
        "rule r: -(5) * -x - - 2.5 + -50%",
        "criterion c: (all of [a, (b)]) and at least 2 of [c, d, e,]",
        "rule r: f(x, (y),)[a = 1, b = (2),].g",
        "rule r: {a: 1, ...(base), b: (x)}",
        "rule r: (count of m in (xs) where (m.ok) : (m.n))",
        "rule r: if (a) then (b) else (c)",
        "rule r: (x is not none) ?? (y not in [1])",
        # Keywords where only a name can stand are names (Lark's contextual lexer).
        "record R: count: int\n  sum: int >= 0\ninput r: R\nrule all: r.count + r.sum",
        "rule r: {count: 1, list: [2]}.count",
        "enum E: in, of, policy,\nrule then: 1\ninput true: int",
        # Contextual keywords as values: the aggregate words and `at` where no `of` follows.
        "input rate: decimal\nrule r: rate * count + max(0, at) - sum",
        "rule r(source: int, stage: int, property: int): source + stage * property",
        "rule r: count of rate in rates where rate > list : rate + count",
        "rule r: at least at of [a, b] and any of [all, any]",
        "import a.list as of (count, rule,)",
        # Labels with translations, clauses, bounds, optional and list types.
        'policy p.q "P" en "Pe" source "S" cites "a", "b" note "N" zh "注"',
        'enum E "E" fr "É": a "A" de "Ä", b, c "C",',
        'input x: int >= 0 fixed "X" cites "c"\nparam p: percent -1 .. 100% = 5% illustrative "P"',
        "record R: a: list of decimal? b: percent 0 ..< 1\nrule r(a: R, b: int,) -> int: 1",
        "fixture f: R = {a: none, b: 2024-02-29}",
        # Exceptions after a rule's body; their words are names elsewhere.
        'rule r -> int: 1\n  exception a "A" en "Ae" cites "x" when c then 2\n'
        '  exception b to a note "n" when if p then q else s then fail("no")',
        "criterion c: x\n  exception when when (to > 1) then exception\nrule to: 1",
        # Examples: inputs given, names of the example's own, several expectations.
        'example "E": given x = 1 expect r == 2',
        'example "例" :\n  given u: R = {a: 1, b: [2]}\n  given count = 2\n'
        "  expect r[x = 3] == 4\n  expect not c\nrule r: 1",
        'example "E": given expect = 1 expect expect\nexample "F": given given = 2 expect given',
    ],
)
def test_constructs_read_the_same_both_ways(text: str) -> None:
    assert _agrees(text, "start")


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffrule r: 1",  # a byte-order mark: the screening's business
        "rule r: x + if",  # a reserved word as a value (`reserved-word`)
        "record R: a: int\n  note: text",  # a field named by a keyword that may follow one
        "rule r: 2023-02-30",  # not a date of the calendar
        "rule r: " + "9" * 200,  # a number too long to be sure of
        "rule r: " + "(" * 50 + "x" + ")" * 50,  # deep brackets
        "rule r: " + " + ".join(["x"] * 80),  # deep (left-nested) arithmetic
        "rule r: min of [1]",  # `bad-composition`
        "input x: int == 3",  # `bad-bound`
        'schedule s "S": int by year: stage a "A" ..2020-01-01: 2019: 1',  # read by Lark only
        "rule r: x == 5andy",  # Lark splits the word: `5 and y`
        " imports ",  # Lark splits the word: `import s`
        "rule r: 1 rule",
        'example "E": given x = 1',  # an example expects something (`unexpected-token`)
        'example "E": expect x',  # and gives something
    ],
)
def test_unsure_texts_go_to_lark(text: str) -> None:
    assert direct_parser.parse(Source("t.policy", text), "start") is None
    try:
        expected: Any = parser.parse_with_lark(Source("t.policy", text), "start")
    except WuxinError as error:
        expected = _said(error)
    try:
        found: Any = parser.parse(text, "t.policy")
    except WuxinError as error:
        found = _said(error)
    assert found == expected


def _said(error: WuxinError) -> list[tuple[Any, ...]]:
    return [
        (d.code, d.message, d.help, d.span and (d.span.start, d.span.end))
        for d in error.diagnostics
    ]


@pytest.mark.parametrize("case", ["or-chain", "enum-in", "many-rules", "rule-chain"])
def test_large_policies_are_read_directly(case: str) -> None:
    """The benchmark's policies (benchmarks/bench_check_scale.py) never fall back to Lark,
    which would take ten times as long; one of them is compared with the Lark path too."""
    text = bench_check_scale.CASES[case]()
    module = direct_parser.parse(Source("t.policy", text), "start")
    assert isinstance(module, ast.Module)
    if case == "rule-chain":
        assert _agrees(text, "start")


def test_comments_wanted_go_to_lark() -> None:
    """The formatter needs the comments, which only the Lark lexer collects."""
    module, comments = parser.parse_with_comments("rule r: 1 # one\n# two\n")
    assert [span.text for span in comments] == ["# one", "# two"]
    assert isinstance(module.declarations[0], ast.RuleDecl)


def test_the_collector_is_paused_while_parsing_and_resumed_after() -> None:
    import gc

    seen: list[bool] = []
    with parser.collection_paused():
        seen.append(gc.isenabled())
        with parser.collection_paused():
            seen.append(gc.isenabled())
        seen.append(gc.isenabled())  # the inner pause leaves the outer one paused
    assert seen == [False, False, False]
    assert gc.isenabled()
    with pytest.raises(WuxinError), parser.collection_paused():
        parser.parse("rule r: (", "t.policy")
    assert gc.isenabled()  # resumed after an error too


def test_generated_texts_read_the_same_both_ways() -> None:
    """Texts the tests do not contain: sentences drawn from the grammar file itself, and the
    random well-typed policies of the differential test. A construct whose syntax changes in
    the grammar but not in the direct reader shows up here even if no policy of the project
    uses it yet."""
    import random

    from hypothesis import given

    from fuzzing import fuzz_settings, sentences
    from policygen import policy_text

    read = {"sentences": 0, "policies": 0}

    @fuzz_settings(200)
    @given(sentences())
    def sentence(text: str) -> None:
        read["sentences"] += _agrees(text, "start")

    sentence()
    rng = random.Random(11)
    for _ in range(60):
        # Declaration by declaration: a whole generated policy has schedules and bands, which
        # the direct reader leaves to Lark.
        text = policy_text(rng)
        for declaration in re.split(r"\n(?=\S)", text):
            read["policies"] += _agrees(declaration + "\n", "start")
    # Enough of each is read directly for the comparison to mean something.
    assert read["sentences"] > 20 and read["policies"] > 300, read
