"""`wuxin fmt`: the canonical layout, its self-check, and the command.

* Golden files: `golden/fmt/NAME.policy` formatted must equal `golden/fmt/NAME.formatted`
  (`pytest --update-golden` rewrites them; review the diff).
* Every `.policy` file in the repository that parses: formatting keeps its AST and its
  comments, and formatting the result again changes nothing.
* Generated policies (hypothesis, built as ASTs so that every construct and every
  precedence level comes up): the formatted text parses back to the same AST and is a fixed
  point of the formatter.
* Texts generated from the grammar (`from_lark`, with white space and comments between any
  two tokens): formatting keeps the AST and the comments and reaches a fixed point at once.
* Comments inserted anywhere a line breaks survive, in order, and stay put on a second run;
  any white space between the tokens of a repository policy formats to the same policy.
* The command: `--check`, `--diff`, rewriting in place, standard input, errors.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import LarkStrategy
from lark import Lark

from conftest import Golden
from wuxin_rules import ast, cli, formatter
from wuxin_rules.errors import InternalError, PolicySyntaxError
from wuxin_rules.parser import KEYWORDS, grammar_text, parse, parse_with_comments
from wuxin_rules.source import Source, Span, display_width

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden" / "fmt"
INPUTS = sorted(GOLDEN.glob("*.policy"))
REPO_POLICIES = sorted(
    p for p in ROOT.rglob("*.policy") if ".venv" not in p.parts and "build" not in p.parts
)


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as file:
        return file.read()


def _repo_policies_that_parse() -> list[Path]:
    paths = []
    for path in REPO_POLICIES:
        try:
            parse(_read(path), str(path))
        except PolicySyntaxError:
            continue  # the corpus of syntax errors
        paths.append(path)
    return paths


PARSING = _repo_policies_that_parse()


# ------------------------------------------------------------------------------------------
# Golden files


def test_golden_corpus_is_present() -> None:
    assert len(INPUTS) >= 5


@pytest.mark.parametrize("path", INPUTS, ids=[p.stem for p in INPUTS])
def test_golden_layout(path: Path, golden: Golden) -> None:
    """Each input is laid out exactly as its `.formatted` file says."""
    golden.check(path.with_suffix(".formatted"), formatter.format_text(_read(path), path.name))


@pytest.mark.parametrize("path", INPUTS, ids=[p.stem for p in INPUTS])
def test_golden_outputs_are_fixed_points(path: Path) -> None:
    expected = _read(path.with_suffix(".formatted"))
    assert formatter.format_text(expected, path.name) == expected


# ------------------------------------------------------------------------------------------
# Every policy of the repository


def test_the_repository_has_policies_to_format() -> None:
    names = {p.name for p in PARSING}
    assert {"unit.policy", "units.policy", "library.policy"} <= names
    assert len(PARSING) >= 20


@pytest.mark.parametrize("path", PARSING, ids=[str(p.relative_to(ROOT)) for p in PARSING])
def test_repository_policy_keeps_ast_and_comments_and_is_idempotent(path: Path) -> None:
    text = _read(path)
    module, comments = parse_with_comments(text, str(path))
    once = formatter.format_text(text, str(path))
    again_module, again_comments = parse_with_comments(once, str(path))
    assert again_module == module
    assert [c.text.rstrip() for c in again_comments] == [c.text.rstrip() for c in comments]
    assert formatter.format_text(once, str(path)) == once
    assert once.endswith("\n") and not once.endswith("\n\n")
    assert all(line == line.rstrip() for line in once.splitlines())


def test_repository_policies_are_kept_formatted() -> None:
    """Every policy under policies/ and examples/ is in the canonical layout, as
    `wuxin fmt --check policies examples` (run by CI too) requires: run `wuxin fmt` on a file
    this names."""
    files = sorted((ROOT / "policies").rglob("*.policy")) + sorted(
        (ROOT / "examples").rglob("*.policy")
    )
    assert len(files) >= 10
    unformatted = [
        str(path.relative_to(ROOT))
        for path in files
        if formatter.format_text(_read(path), str(path)) != _read(path)
    ]
    assert unformatted == []


# ------------------------------------------------------------------------------------------
# Layout rules


def _fmt(text: str) -> str:
    return formatter.format_text(text)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("rule a: (a + b) * c", "(a + b) * c"),
        ("rule a: a - (b - c)", "a - (b - c)"),
        ("rule a: (a - b) - c", "a - b - c"),
        ("rule a: a / (b * c)", "a / (b * c)"),
        ("rule a: -(a + b)", "-(a + b)"),
        ("rule a: (-5).x", "(-5).x"),
        ("rule a: - -x", "--x"),
        ("rule a: not (a == b)", "not (a == b)"),
        ("rule a: not a == b", "not (a == b)"),
        ("rule a: not not a", "not not a"),
        ("rule a: not (x ?? true)", "not (x ?? true)"),
        ("rule a: (x ?? 0%) >= t", "(x ?? 0%) >= t"),
        ("rule a: x ?? (0 + 1)", "x ?? (0 + 1)"),
        ("rule a: (a == b) == c", "(a == b) == c"),
        ("rule a: a and (b or c)", "a and (b or c)"),
        ("rule a: a or b and c", "a or (b and c)"),
        ("rule a: a and (b and c)", "a and (b and c)"),
        ("rule a: (count of x in l) == 0", "(count of x in l) == 0"),
        ("rule a: (sum of x in l : x) / 2", "(sum of x in l : x) / 2"),
        (
            "rule a: count of x in l where (count of y in x) > 0",
            "count of x in l where (count of y in x) > 0",
        ),
        ("rule a: if (if a then b else c) then d else e", "if (if a then b else c) then d else e"),
        ("rule a: f(x)(y).z[a = 1]", "f(x)(y).z[a = 1]"),
        ("rule a: {...(a ?? b), c: 1}", "{...(a ?? b), c: 1}"),
        ("rule a: at least n of [a, b,]", "at least n of [a, b]"),
        ('rule a: "引号\\"与\\\\反斜杠\\n"', '"引号\\"与\\\\反斜杠\\n"'),
        ("rule a: 0.50 + 12.5% + 007", "0.50 + 12.5% + 7"),
        ("rule a: 2015 - 03 - 31", "2015 - 3 - 31"),
        ("rule a: x is not none and y not in z", "x is not none and y not in z"),
    ],
)
def test_expression_layout(source: str, expected: str) -> None:
    """Parentheses where the grammar needs them, and where a reader would misread without."""
    assert _fmt(source) == f"rule a:\n  {expected}\n"


def test_bounds_keep_their_numbers_as_written() -> None:
    text = "input x: percent 0% .. 100%\ninput y: decimal >= -0.50\ninput z: int ..< 3"
    with pytest.raises(PolicySyntaxError):
        _fmt(text)  # `..< 3` alone is not a bound
    text = "input x: percent 0% .. 100%\ninput y: decimal >= -0.50\ninput z: int 0 ..< 3?\n"
    assert _fmt(text) == text


def test_record_fields_align_by_display_width() -> None:
    """A CJK character takes two columns: the citations after Chinese labels line up on
    screen, which they would not if characters were counted."""
    text = (
        "record R:\n"
        '  a: int "甲" cites "S1"\n'
        '  longer_name: text? "乙丙丁" cites "S2"\n'
        '  c: bool "ab" cites "S3"\n'
    )
    lines = _fmt(text).splitlines()[1:]
    columns = {display_width(line[: line.index("cites")]) for line in lines}
    assert len(columns) == 1
    assert len({line.index("cites") for line in lines}) == 3  # characters differ, columns agree
    assert lines[0].startswith('  : a           : int   "甲"')


def test_enum_members_align() -> None:
    out = _fmt('enum K "类": short "短", much_longer "长", bare')
    assert out == 'enum K "类"\n  : short       "短",\n    much_longer "长",\n    bare\n'


def test_long_lists_are_wrapped_one_item_per_line() -> None:
    items = ", ".join(f"item_number_{n}" for n in range(12))
    out = _fmt(f"rule a: [{items}]")
    lines = out.splitlines()
    assert lines[1] == "  ["
    assert lines[2:14] == [f"    item_number_{n}," for n in range(12)]
    assert lines[14] == "  ]"
    assert max(display_width(line) for line in lines) <= formatter.WIDTH


def test_rows_the_author_wrote_are_kept() -> None:
    text = "rule a:\n  {\n    a: 1, b: 2,\n    c: 3,\n  }\n"
    assert _fmt(text) == text
    assert _fmt("rule a: {a: 1, b: 2, c: 3}") == "rule a:\n  {a: 1, b: 2, c: 3}\n"


def test_blank_lines_between_declarations_are_kept_up_to_two() -> None:
    text = "input a: int\n\n\n\n\ninput b: int\ninput c: int\n\ninput d: int\n"
    assert _fmt(text) == "input a: int\n\n\ninput b: int\ninput c: int\n\ninput d: int\n"


def test_empty_and_comment_only_files() -> None:
    assert _fmt("") == ""
    assert _fmt("  \n\n") == ""
    assert _fmt("# only a comment   \n\n\n") == "# only a comment\n"


def test_syntax_errors_are_reported_not_formatted() -> None:
    with pytest.raises(PolicySyntaxError):
        _fmt("rule a: 1 +")


def test_refuses_when_the_formatted_text_would_mean_something_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The self-check: the output is parsed again and must give the input's AST."""
    monkeypatch.setattr(formatter, "format_module", lambda module, comments: "rule a:\n  2\n")
    with pytest.raises(InternalError) as caught:
        formatter.format_text("rule a: 1", "x.policy")
    assert caught.value.codes == ("format-changed-policy",)
    assert "the declaration on line 1" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        # Found by the grammar-generated test: the comment before the label ended up after
        # the `{`, then moved to a line of its own on the second formatting.
        'enum a "甲"  cites "甲"  : a # 注释\n"甲"  { a : a      # 注释\n}   , a   ,    ',
        'policy p "p"\ninput xs: list of int "xs"\ncriterion c "c": 1 in [  # one\n  1, 2,\n  3]\n',
    ],
)
def test_a_comment_after_an_opening_bracket_stays_on_its_line(text: str) -> None:
    once = formatter.format_text(text)
    assert formatter.format_text(once) == once
    line = next(line for line in once.splitlines() if "#" in line)
    assert line.rstrip().endswith(("{  # 注释", "[  # one"))


def test_refuses_when_a_comment_would_be_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formatter, "format_module", lambda module, comments: "rule a:\n  1\n")
    with pytest.raises(InternalError, match="lose or reorder a comment"):
        formatter.format_text("rule a: 1 # why", "x.policy")


# ------------------------------------------------------------------------------------------
# Generated policies: built as ASTs, printed, parsed back

_SOURCE = Source("<generated>", "")
_SPAN = Span(_SOURCE, 0, 0)

_names = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True),
    st.sampled_from(["单位", "甲", "乙", "名称"]),
).filter(lambda name: name not in KEYWORDS)
_idents = _names.map(lambda name: ast.Ident(name, _SPAN))
_texts = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"], include_characters='"\\\n\t'),
    max_size=8,
)


@st.composite
def _decimal_texts(draw: st.DrawFn) -> str:
    whole = draw(st.integers(0, 999))
    digits = draw(st.from_regex(r"[0-9]{1,3}", fullmatch=True))
    sign = draw(st.sampled_from(["", "-"]))
    return f"{sign}{whole}.{digits}"


_int_lits = st.integers(-(10**6), 10**6).map(lambda n: ast.IntLit(n, _SPAN))
_decimal_lits = _decimal_texts().map(lambda t: ast.DecimalLit(Fraction(t), t, _SPAN))
_percent_lits = st.one_of(_decimal_texts(), st.integers(-100, 1000).map(str)).map(
    lambda t: ast.PercentLit(Fraction(t) / 100, t + "%", _SPAN)
)
_numbers = st.one_of(_int_lits, _decimal_lits, _percent_lits)
_leaves = st.one_of(
    _numbers,
    _texts.map(lambda t: ast.TextLit(t, _SPAN)),
    st.booleans().map(lambda b: ast.BoolLit(b, _SPAN)),
    st.dates(min_value=datetime.date(1000, 1, 1)).map(lambda d: ast.DateLit(d, _SPAN)),
    st.just(ast.NoneLit(_SPAN)),
    st.one_of(_names, st.sampled_from(["min", "max"])).map(lambda n: ast.NameRef(n, _SPAN)),
)
_AGGREGATES = ["count", "sum", "min", "max", "all", "any", "rate", "list"]


def _is_number(expr: ast.Expr) -> bool:
    return isinstance(expr, ast.IntLit | ast.DecimalLit | ast.PercentLit)


def _compound(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    small = st.lists(children, max_size=3).map(tuple)
    bool_op = st.builds(
        lambda op, operands: ast.BoolOp(op, tuple(operands), _SPAN),
        st.sampled_from(["and", "or"]),
        st.lists(children, min_size=2, max_size=3),
    ).filter(lambda b: not (isinstance(b.operands[0], ast.BoolOp) and b.operands[0].op == b.op))
    record_items = st.lists(
        st.one_of(
            st.builds(lambda n, v: ast.RecordField(n, v, _SPAN), _idents, children),
            children.map(lambda v: ast.RecordSpread(v, _SPAN)),
        ),
        max_size=3,
    )
    return st.one_of(
        st.builds(lambda t, f: ast.FieldAccess(t, f, _SPAN), children, _idents),
        st.builds(lambda c, a: ast.Call(c, a, _SPAN), children, small),
        children.filter(lambda e: not _is_number(e)).map(lambda e: ast.Negate(e, _SPAN)),
        children.map(lambda e: ast.Not(e, _SPAN)),
        st.builds(
            lambda op, a, b: ast.Arith(op, a, b, _SPAN), st.sampled_from("+-*/"), children, children
        ),
        st.builds(
            lambda op, a, b: ast.Compare(op, a, b, _SPAN),
            st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
            children,
            children,
        ),
        st.builds(lambda a, b, n: ast.In(a, b, n, _SPAN), children, children, st.booleans()),
        st.builds(lambda a, n: ast.IsNone(a, n, _SPAN), children, st.booleans()),
        st.builds(lambda a, b: ast.Coalesce(a, b, _SPAN), children, children),
        bool_op,
        st.builds(lambda c, t, o: ast.If(c, t, o, _SPAN), children, children, children),
        st.builds(
            lambda k, items: ast.Compose(k, items, None, _SPAN),
            st.sampled_from(["all", "any"]),
            small,
        ),
        st.builds(
            lambda count, items: ast.Compose("at_least", items, count, _SPAN),
            st.one_of(
                st.integers(0, 9).map(lambda n: ast.IntLit(n, _SPAN)),
                _names.map(lambda n: ast.NameRef(n, _SPAN)),
            ),
            small,
        ),
        st.builds(
            lambda k, v, c, f, b: ast.Aggregate(k, v, c, f, b, _SPAN),
            st.sampled_from(_AGGREGATES),
            _idents,
            children,
            st.none() | children,
            st.none() | children,
        ),
        small.map(lambda items: ast.ListLit(items, _SPAN)),
        record_items.map(lambda items: ast.RecordLit(tuple(items), _SPAN)),
        st.builds(
            lambda t, bs: ast.WithInputs(t, tuple(bs), _SPAN),
            children,
            st.lists(
                st.builds(lambda n, v: ast.InputBinding(n, v, _SPAN), _idents, children),
                min_size=1,
                max_size=2,
            ),
        ),
    )


_exprs = st.recursive(_leaves, _compound, max_leaves=12)


def _qualified(parts: int = 2) -> st.SearchStrategy[ast.QualifiedName]:
    return st.lists(_idents, min_size=1, max_size=parts).map(
        lambda ids: ast.QualifiedName(tuple(ids), _SPAN)
    )


@st.composite
def _bounds(draw: st.DrawFn) -> ast.Bound | None:
    kind = draw(st.sampled_from([None, ">=", ">", "<=", "<", "..", "..<"]))
    if kind is None:
        return None
    values = st.one_of(st.integers(-1000, 1000), _decimal_texts()).map(Fraction)
    low, high = draw(values), draw(values)
    if kind in (">=", ">"):
        return ast.Bound(low, kind == ">=", None, True, _SPAN)
    if kind in ("<=", "<"):
        return ast.Bound(None, True, high, kind == "<=", _SPAN)
    return ast.Bound(low, True, high, kind == "..", _SPAN)


_plain_types = st.recursive(
    st.builds(lambda n, b: ast.TypeRef(n, b, _SPAN), _qualified(), _bounds()),
    lambda inner: inner.map(lambda t: ast.ListTypeExpr(t, _SPAN)),
    max_leaves=3,
)
_types = st.one_of(_plain_types, _plain_types.map(lambda t: ast.OptionalTypeExpr(t, _SPAN)))
_text_nodes = _texts.map(lambda t: ast.Text(t, _SPAN))
_docs = st.builds(
    ast.Doc,
    st.none() | _text_nodes,
    st.lists(_text_nodes, max_size=2).map(tuple),
    st.none() | _text_nodes,
)
_signed = st.one_of(_numbers, _names.map(lambda n: ast.NameRef(n, _SPAN)))
_band_ranges = st.builds(
    lambda a, b, i: ast.BandRange(a, b, i, _SPAN), _signed, _signed, st.booleans()
)
_dates = st.dates(min_value=datetime.date(1000, 1, 1)).map(lambda d: ast.DateLit(d, _SPAN))


def _tuples(strategy: st.SearchStrategy[object], min_size: int = 1) -> st.SearchStrategy[tuple]:  # type: ignore[type-arg]
    return st.lists(strategy, min_size=min_size, max_size=3).map(tuple)


_rule_params = _tuples(st.builds(lambda n, t: ast.RuleParam(n, t, _SPAN), _idents, _types))
_cells = st.builds(
    lambda c, v: ast.ScheduleCell(c, v, _SPAN),
    st.none() | _idents,
    st.one_of(_numbers, st.just(ast.NoneLit(_SPAN))),
)
_rows = st.builds(
    lambda p, cells: ast.ScheduleRow(ast.IntLit(p, _SPAN), cells, _SPAN),
    st.integers(0, 3000),
    _tuples(_cells),
)
_stages = st.builds(
    lambda n, d, s, e, rows: ast.Stage(n, d, s, e, rows, _SPAN),
    _idents,
    _docs,
    st.none() | _dates,
    _dates,
    _tuples(_rows, 0),
)
_declarations = st.one_of(
    st.builds(
        lambda m, a, ns: ast.ImportDecl(m, a, ns, _SPAN),
        _qualified(3),
        st.none() | _idents,
        _tuples(_idents, 0),
    ),
    st.builds(
        lambda n, d, ms: ast.EnumDecl(n, d, ms, _SPAN),
        _idents,
        _docs,
        _tuples(
            st.builds(
                lambda n, lab: ast.EnumMember(n, lab, _SPAN), _idents, st.none() | _text_nodes
            )
        ),
    ),
    st.builds(
        lambda n, d, fs: ast.RecordDecl(n, d, fs, _SPAN),
        _idents,
        _docs,
        _tuples(st.builds(lambda n, t, d: ast.FieldDecl(n, t, d, _SPAN), _idents, _types, _docs)),
    ),
    st.builds(lambda n, t, d: ast.InputDecl(n, t, d, _SPAN), _idents, _types, _docs),
    st.builds(lambda n, t, v, d: ast.ParamDecl(n, t, v, d, _SPAN), _idents, _types, _exprs, _docs),
    st.builds(
        # A criterion is boolean: it declares no result type.
        lambda k, n, ps, d, r, b: ast.RuleDecl(k, n, ps, d, r if k == "rule" else None, b, _SPAN),
        st.sampled_from(["rule", "criterion"]),
        _idents,
        st.none() | _rule_params,
        _docs,
        st.none() | _types,
        _exprs,
    ),
    st.builds(
        lambda n, d, vt, p, c, m, s: ast.ScheduleDecl(n, d, vt, p, c, m, s, _SPAN),
        _idents,
        _docs,
        _types,
        _idents,
        st.none() | _types,
        _tuples(
            st.builds(
                lambda d, n: ast.Monotone(d, n, _SPAN),
                st.sampled_from(["nondecreasing", "nonincreasing"]),
                _idents,
            ),
            0,
        ),
        _tuples(_stages),
    ),
    st.builds(
        lambda n, d, o, bs: ast.BandsDecl(n, d, o, bs, _SPAN),
        _idents,
        _docs,
        _band_ranges,
        _tuples(
            st.builds(
                lambda r, n, lab: ast.Band(r, n, lab, _SPAN),
                _band_ranges,
                _idents,
                st.none() | _text_nodes,
            )
        ),
    ),
    st.builds(
        lambda t, g, e: ast.ExampleDecl(t, g, e, _SPAN),
        _text_nodes,
        _tuples(
            st.builds(
                lambda n, v, t: ast.ExampleGiven(n, v, _SPAN, type=t),
                _idents,
                _exprs,
                st.none() | _types,
            )
        ),
        _tuples(_exprs),
    ),
    st.builds(
        lambda t, bs, c, claim: ast.PropertyDecl(t, bs, c, claim, _SPAN),
        _text_nodes,
        _tuples(st.builds(lambda n, t: ast.Binder(n, t, _SPAN), _idents, _types)),
        st.none() | _exprs,
        _exprs,
    ),
    st.builds(lambda n, t, v: ast.FixtureDecl(n, t, v, _SPAN), _idents, _types, _exprs),
)
_headers = st.builds(
    lambda n, d, s: ast.Header(n, d, s, _SPAN), _qualified(3), _docs, st.none() | _text_nodes
)
_modules = st.builds(
    lambda h, ds: ast.Module(h, tuple(ds), _SPAN),
    st.none() | _headers,
    st.lists(_declarations, max_size=4),
)


@given(_modules)
@settings(max_examples=100)
def test_generated_policies_round_trip(module: ast.Module) -> None:
    """Printing any AST gives text that parses back to it, and that the formatter leaves be."""
    text = formatter.format_module(module)
    assert parse(text, "<formatted>") == module
    assert formatter.format_text(text) == text


@given(_exprs)
@settings(max_examples=200)
def test_generated_expressions_round_trip(expr: ast.Expr) -> None:
    module = ast.Module(
        None,
        (ast.RuleDecl("rule", ast.Ident("r", _SPAN), None, ast.Doc(), None, expr, _SPAN),),
        _SPAN,
    )
    text = formatter.format_module(module)
    assert parse(text, "<formatted>") == module
    assert formatter.format_text(text) == text


# ------------------------------------------------------------------------------------------
# Comments anywhere


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "  exception a\n    when x <= 10000  # c\n    then 0\n",
            "  exception a\n    when x <= 10000  # c\n    then 0\n",
        ),
        (
            "  exception a  # h\n    # w\n    when x <= 1\n    # t\n    then 0  # v\n",
            "  exception a  # h\n    # w\n    when x <= 1\n    # t\n    then 0  # v\n",
        ),
        (
            "  exception a when  # odd\n    x <= 1 then  # odder\n    0\n",
            "  exception a  # odd\n    when x <= 1  # odder\n    then 0\n",
        ),
    ],
)
def test_a_comment_in_an_exception_stays_before_its_keyword(text: str, expected: str) -> None:
    """A comment that ends the condition's line stays there (it moved after `then 0`, and
    a second run then joined the exception on one line); the keywords keep their lines."""
    head = 'policy t "t"\ninput x: int "x"\nrule r "r" cites "A" -> decimal:\n  1\n'
    once = formatter.format_text(head + text, "t.policy")
    assert once == head + expected
    assert formatter.format_text(once, "t.policy") == once


@given(st.data())
@settings(max_examples=25)
def test_comments_inserted_anywhere_survive(data: st.DataObject) -> None:
    """A comment may stand on any line boundary or end any line. Formatting keeps every one,
    in order (the self-check would refuse otherwise), and a second run changes nothing."""
    path = data.draw(st.sampled_from(PARSING), label="policy")
    lines = formatter.format_text(_read(path), str(path)).splitlines()
    count = data.draw(st.integers(1, 6), label="comments")
    for number in range(count):
        index = data.draw(st.integers(0, len(lines)), label="line")
        comment = f"# 注释 {number}"
        if index < len(lines) and "#" not in lines[index] and data.draw(st.booleans()):
            lines[index] += "  " + comment
        else:
            indent = data.draw(st.sampled_from(["", "  ", "    "]), label="indent")
            lines.insert(index, indent + comment)
    text = "\n".join(lines) + "\n"
    once = formatter.format_text(text, str(path))
    _, comments = parse_with_comments(once)
    assert sum(c.text.startswith("# 注释") for c in comments) == count
    assert formatter.format_text(once, str(path)) == once


# ------------------------------------------------------------------------------------------
# The command


def _wuxin(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wuxin_rules", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        check=False,
    )


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "messy.policy").write_text('rule a   "甲":1+2 # why\n', encoding="utf-8")
    (folder / "tidy.policy").write_text('rule b "乙":\n  1 + 2\n', encoding="utf-8")
    return folder


def test_cli_check_names_the_files_that_would_change(messy: Path) -> None:
    result = _wuxin("fmt", "--check", str(messy))
    assert result.returncode == 1
    assert f"would reformat {messy / 'messy.policy'}" in result.stderr
    assert "tidy.policy" not in result.stderr
    assert (messy / "messy.policy").read_text(encoding="utf-8") == 'rule a   "甲":1+2 # why\n'
    assert cli.main(["fmt", "--check", str(messy / "tidy.policy")]) == 0


def test_cli_diff_shows_the_change_and_writes_nothing(messy: Path) -> None:
    result = _wuxin("fmt", "--diff", str(messy))
    assert result.returncode == 0
    assert '-rule a   "甲":1+2 # why' in result.stdout
    assert '+rule a "甲":' in result.stdout
    assert "+  1 + 2  # why" in result.stdout
    assert (messy / "messy.policy").read_text(encoding="utf-8").startswith("rule a   ")
    assert cli.main(["fmt", "--check", "--diff", str(messy)]) == 1


# The rest runs the command in-process (a subprocess costs seconds on a loaded machine).


def test_cli_rewrites_in_place(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fmt", str(messy)]) == 0
    assert f"reformatted {messy / 'messy.policy'}" in capsys.readouterr().out
    assert (messy / "messy.policy").read_text(encoding="utf-8") == 'rule a "甲":\n  1 + 2  # why\n'
    assert cli.main(["fmt", "--check", str(messy)]) == 0
    assert "2 policies already formatted" in capsys.readouterr().err


def test_cli_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"input  x :int"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert cli.main(["fmt", "-"]) == 0
    assert capsys.readouterr().out == "input x: int\n"


# A raw carriage return inside a text is one character of it. `check` and `eval` read the
# bytes as written; `fmt` once read in text mode, which made it a line break, and refused the
# file as `unterminated-text`.
_RAW_CR_POLICY = 'policy cr "cr"\ninput q: bool "q"\nrule t "t":  if q then "a\rb" else "c"\n'


def test_cli_formats_a_raw_carriage_return_inside_a_text_as_check_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "cr.policy"
    file.write_bytes(_RAW_CR_POLICY.encode())
    assert cli.main(["check", str(file)]) == 0
    capsys.readouterr()
    assert cli.main(["fmt", str(file)]) == 0
    assert "unterminated-text" not in capsys.readouterr().err
    formatted = file.read_bytes().decode()
    assert '"a\rb"' in formatted and formatted.count("\n") == 4
    assert cli.main(["fmt", "--check", str(file)]) == 0
    assert cli.main(["check", str(file)]) == 0


def test_cli_formats_a_raw_carriage_return_from_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(_RAW_CR_POLICY.encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert cli.main(["fmt", "-"]) == 0
    assert '"a\rb"' in capsys.readouterr().out


def test_cli_refuses_standard_input_that_is_not_utf8(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"rule a: \xff"), "utf-8"))
    assert cli.main(["fmt", "-"]) == 2
    assert "unreadable-file" in capsys.readouterr().err


def test_cli_reports_syntax_errors_and_goes_on(
    messy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (messy / "broken.policy").write_text("rule a: 1 +\n", encoding="utf-8")
    assert cli.main(["fmt", "--check", str(messy)]) == 1
    err = capsys.readouterr().err
    assert "broken.policy:1:" in err and "would reformat" in err
    assert cli.main(["fmt", str(messy / "missing.policy")]) == 2
    assert "no-such-file" in capsys.readouterr().err


def test_cli_refuses_to_write_what_would_change_the_policy(
    messy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(formatter, "format_module", lambda module, comments: "rule a:\n  2\n")
    assert cli.main(["fmt", str(messy / "messy.policy")]) == 3
    assert "format-changed-policy" in capsys.readouterr().err
    assert (messy / "messy.policy").read_text(encoding="utf-8") == 'rule a   "甲":1+2 # why\n'


def test_cli_help_explains_the_layout(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fmt", "--help"]) == 0
    out = capsys.readouterr().out
    for words in ("--check", "--diff", "canonical layout", "Comments stay", "exit codes"):
        assert words in out


def test_deep_and_long_input_formats_without_exhausting_the_stack() -> None:
    deep_type = "input a: " + "list of " * 3000 + "int?\n"
    assert _fmt(deep_type) == deep_type
    deep_list = "rule a: " + "[" * 90 + "x" + "]" * 90
    assert parse(_fmt(deep_list)) == parse(deep_list)
    long_list = "rule a: [" + ", ".join(f"x{n}" for n in range(2000)) + "]"
    assert _fmt(long_list).count("\n") == 2003


_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|[ \t\r\n\f\u3000]+|[^"# \t\r\n\f\u3000]+')
_BLANKS = ["", " ", "  ", "\t", "\n", "\n\n", "\n    ", " \u3000", "\n\n\n\n"]


@given(st.data())
@settings(max_examples=15)
def test_any_layout_of_a_policy_formats_to_the_same_policy(data: st.DataObject) -> None:
    """The layout is free: whatever white space separates the tokens of a repository policy,
    formatting gives the same AST and the same comments, and is a fixed point."""
    path = data.draw(st.sampled_from(PARSING), label="policy")
    pieces = _TOKENS.findall(_read(path))
    out = []
    for index, piece in enumerate(pieces):
        after_comment = index > 0 and pieces[index - 1].startswith("#")
        if piece.strip(" \t\r\n\f\u3000") or after_comment:
            out.append(piece)
        else:
            out.append(data.draw(st.sampled_from(_BLANKS[1:])))
    text = "".join(out)
    module, comments = parse_with_comments(text)
    assert module == parse(_read(path))
    once = formatter.format_text(text)
    again, again_comments = parse_with_comments(once)
    assert again == module
    assert [c.text for c in again_comments] == [c.text.rstrip() for c in comments]
    assert formatter.format_text(once) == once


# ------------------------------------------------------------------------------------------
# Generated from the grammar: texts with comments and line breaks between any two tokens


class _SpacedLark(LarkStrategy):  # type: ignore[misc]
    """`from_lark`, with white space or a comment after every token (the grammar ignores
    both, so Hypothesis would otherwise glue `rule` and `a` into the name `rulea`)."""

    def gen_ignore(self, data: Any, draw_state: list[str]) -> None:
        draw_state.append(data.draw(st.sampled_from([" ", "\n", "  ", "\n\n", " # 注释\n", "\t"])))


_from_grammar = _SpacedLark(
    Lark(grammar_text(), parser="lalr", start="start"),
    "start",
    {
        "NAME": st.sampled_from(["a", "b", "单位", "x_1", "Kind"]),
        "STRING": st.sampled_from(['"甲"', '"S2.1"', '"a \\"q\\""', '""']),
        "DATE": st.dates(min_value=datetime.date(1000, 1, 1)).map(str),
        "INT": st.integers(0, 3000).map(str),
        "DECIMAL": st.sampled_from(["0.5", "12.50", "0.031"]),
        "PERCENT": st.sampled_from(["50%", "12.5%", "100%"]),
        "COMMENT": st.just("# c\n"),
    },
    st.characters(),
)


@given(_from_grammar)
@settings(max_examples=100)
def test_texts_generated_from_the_grammar_format_idempotently(text: str) -> None:
    """Any text of the grammar (that parses: a few constructs are rejected after parsing,
    such as `count of [...]`), comments in the oddest places included, formats to the same
    AST and comments (the self-check) and to a fixed point."""
    try:
        parse(text)
    except PolicySyntaxError:
        assume(False)
    once = formatter.format_text(text)
    assert formatter.format_text(once) == once


def test_one_precedence_table_for_the_formatter_and_the_notation() -> None:
    """Both printers read ast.precedence; a negative literal binds as a minus sign in both."""
    from wuxin_rules import notation

    assert formatter._level is ast.precedence
    assert notation._level is ast.precedence
    module = parse("policy p\nrule r: 1 - -5 * (-0.5 + x.y)\n", "p.policy")
    expr = module.declarations[0].body  # type: ignore[union-attr]
    levels = [ast.precedence(node) for node in (expr, expr.right, expr.right.left)]
    assert levels == [ast.Precedence.ADD, ast.Precedence.MUL, ast.Precedence.UNARY]
    assert ast.precedence(expr.right.right.left) is ast.Precedence.UNARY  # -0.5
    assert ast.precedence(expr.right.right.right) is ast.Precedence.POSTFIX  # x.y
    assert formatter.format_text("policy p\nrule r: 1 - -5 * (-0.5 + x.y)\n", "p.policy") == (
        "policy p\nrule r:\n  1 - -5 * (-0.5 + x.y)\n"
    )
