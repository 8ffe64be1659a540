"""`wuxin doc`: readable notation, the document of a policy, Markdown and HTML output, the CLI."""

from __future__ import annotations

import functools
import html.parser
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest

import wuxin_rules
from conftest import Golden
from wuxin_rules import ast
from wuxin_rules.document import WORDS, Code, Group, Table, attached_comments, build_document
from wuxin_rules.document_formats import render, render_html, render_markdown
from wuxin_rules.errors import PolicySyntaxError
from wuxin_rules.notation import EN, SOURCE, ZH, expression_lines, line_text, type_line
from wuxin_rules.parser import parse, parse_expression
from wuxin_rules.schema import INT, ListType, NumberType, NumericBound, OptionalType

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden" / "doc"
SMALL = GOLDEN / "small.policy"
FLAGSHIP = sorted((REPO / "policies" / "drug_free").glob("*.policy"))
RENDERED = REPO / "docs" / "policies"


@functools.cache
def _load(path: Path) -> wuxin_rules.Policy:
    """Each policy is loaded once for the whole module (the flagship imports a lot)."""
    return wuxin_rules.load(path)


def _text(
    expr: str, vocabulary=ZH, width: int = 76, local_names: frozenset[str] = frozenset()
) -> str:
    lines = expression_lines(
        parse_expression(expr), vocabulary, width=width, local_names=local_names
    )
    return "\n".join(line_text(line) for line in lines)


@pytest.fixture(scope="module")
def small() -> wuxin_rules.Policy:
    return _load(SMALL)


# ------------------------------------------------------------------------------------------
# The `illustrative` mark


def test_illustrative_marks_a_param_in_ast_and_model() -> None:
    """`= 20% illustrative` sets the flag on the declaration and on the checked param."""
    policy = wuxin_rules.loads(
        'param a: int = 1 illustrative "A" cites "x"\nparam b: int = 2\nrule r: a + b'
    )
    module = policy.checked.modules[0]
    flags = {
        d.name.name: d.illustrative for d in module.declarations if isinstance(d, ast.ParamDecl)
    }
    assert flags == {"a": True, "b": False}
    assert policy.checked.params["a"].illustrative is True
    assert policy.checked.params["a"].label == "A"
    assert policy.checked.params["b"].illustrative is False


def test_illustrative_is_placed_after_the_value() -> None:
    """Written before the value, `illustrative` is a name (a contextual keyword), so the
    value after it is a syntax error; elsewhere it may name a rule."""
    with pytest.raises(wuxin_rules.WuxinError) as error:
        wuxin_rules.loads("param a: int = illustrative 1")
    assert "<string>:1:28: error[missing-operator]" in str(error.value)
    assert wuxin_rules.loads("rule illustrative: 1").evaluate({}).values()["illustrative"] == 1


def test_flagship_marks_its_illustrative_weights() -> None:
    """The assessment's weights and grade cut-offs carry the structured mark."""
    checked = _load(REPO / "policies/drug_free/assessment.policy").checked
    marked = sorted(key for key, param in checked.params.items() if param.illustrative)
    assert marked == sorted(
        ["excellent_from", "qualified_from"]
        + [f"weight_{d}" for d in ("organization", "crackdown", "industry_management",
                                   "addict_control", "prevention_education", "drug_free_rate")]
    )  # fmt: skip


# ------------------------------------------------------------------------------------------
# Notation


def _repo_expressions() -> list[tuple[str, ast.Expr]]:
    found = []
    files = sorted(REPO.glob("policies/**/*.policy")) + sorted(REPO.glob("examples/**/*.policy"))
    files += [*sorted((REPO / "tests/golden/parse/good").glob("*.policy")), SMALL]
    for file in files:
        try:
            module = parse(file.read_text(encoding="utf-8"), str(file))
        except PolicySyntaxError:
            continue  # a tutorial's deliberate mistake
        for decl in module.declarations:
            exprs: list[ast.Expr] = []
            if isinstance(decl, ast.RuleDecl):
                exprs = [decl.body]
            elif isinstance(decl, ast.ParamDecl):
                exprs = [decl.default]
            elif isinstance(decl, ast.ExampleDecl):
                exprs = [g.value for g in decl.given] + list(decl.expect)
            elif isinstance(decl, ast.PropertyDecl):
                exprs = [decl.claim] + ([decl.condition] if decl.condition else [])
            found += [(f"{file.name}:{e.span.line}", e) for e in exprs]
    return found


def test_source_notation_parses_back_to_the_same_expression() -> None:
    """Every expression of the repository, laid out wide and narrow, re-parses to itself:
    the parentheses the printer puts back are exactly those the precedence needs."""
    expressions = _repo_expressions()
    assert len(expressions) > 150
    for where, expr in expressions:
        for width in (76, 24):
            text = "\n".join(
                line_text(line) for line in expression_lines(expr, SOURCE, width=width)
            )
            assert parse_expression(text) == expr, f"{where} at width {width}:\n{text}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("(a + b) * c", "(a + b) * c"),
        ("a - (b - c)", "a - (b - c)"),
        ("a - b - c", "a - b - c"),
        ("a / (b * c)", "a / (b * c)"),
        ("not (a and b)", "not (a and b)"),
        ("not a == b", "not a == b"),
        ("(a or b) and c", "(a or b) and c"),
        ("a or (b and c)", "a or b and c"),
        ("(x ?? 0) + 1", "(x ?? 0) + 1"),
        ("x ?? (0 + 1)", "x ?? 0 + 1"),
        ("(x ?? y) ?? z", "x ?? y ?? z"),
        ("x ?? (y ?? z)", "x ?? (y ?? z)"),
        ("-(a + b)", "-(a + b)"),
        ("(count of l in ls where l.late) == 0", "(count of l in ls where l.late) == 0"),
        ("(if a then 1 else 2) + 3", "(if a then 1 else 2) + 3"),
        ("f(if a then 1 else 2)", "f(if a then 1 else 2)"),
        ("(a.b)(c).d", "a.b(c).d"),
        ("(a + b).c", "(a + b).c"),
        ("at least n of [a, b]", "at least n of [a, b]"),
        ("{...base, x: 1}", "{...base, x: 1}"),
        ("released[order = b]", "released[order = b]"),
        ("x in [p, q] and y not in [r]", "x in [p, q] and y not in [r]"),
        ("v is not none or w is none", "v is not none or w is none"),
    ],
)
def test_source_notation_parenthesises_by_precedence(source: str, expected: str) -> None:
    """Parentheses appear where the precedence needs them and nowhere else."""
    assert _text(source, SOURCE) == expected


@pytest.mark.parametrize(
    ("source", "zh", "en"),
    [
        ("a <= b and not c", "a ≤ b 且 并非 c", "a ≤ b and not c"),
        ("a >= b or a != c", "a ≥ b 或 a ≠ c", "a ≥ b or a ≠ c"),
        ("x == 1", "x = 1", "x = 1"),
        ("a * b / c - d", "a × b ÷ c − d", "a × b ÷ c − d"),
        ("if p then true else false", "如果 p 则 是 否则 否", "if p then true else false"),
        ("k in [a, b]", "k 属于 [a, b]", "k in [a, b]"),
        ("x is none", "x 无值", "x is none"),
        ("all of [a, b]", "全部成立 [a, b]", "all of [a, b]"),
        ("at least 2 of [a, b, c]", "至少 2 项成立 [a, b, c]", "at least 2 of [a, b, c]"),
        ("count of u in us where ok(u)", "计数 u ∈ us 满足 ok(u)", "count of u in us where ok(u)"),
        ("rate of u in us : ok(u)", "比例 u ∈ us：ok(u)", "rate of u in us : ok(u)"),
        ("none", "无值", "none"),
    ],
)
def test_readable_notation_in_each_language(source: str, zh: str, en: str) -> None:
    """Operators become mathematical signs; the words follow the language."""
    assert _text(source, ZH) == zh
    assert _text(source, EN) == en


def test_long_expressions_break_at_their_structure() -> None:
    """A condition too wide for a line puts each operand, item or branch on its own line."""
    text = _text(
        "all of [no_labs(u), no_trafficking(u), situation_better(u), no_fugitives(u), responsible(u)]",
        ZH, width=40, local_names=frozenset({"u"}),
    )  # fmt: skip
    assert text.splitlines() == [
        "全部成立 [",
        "  no_labs(u),",
        "  no_trafficking(u),",
        "  situation_better(u),",
        "  no_fugitives(u),",
        "  responsible(u),",
        "]",
    ]
    text = _text(
        "if a_long_condition then first_value else if other then second else third", EN, width=30
    )
    assert text.splitlines() == [
        "if a_long_condition then",
        "  first_value",
        "else if other then second",
        "else third",
    ]
    text = _text("first_condition_is_long and second_condition_is_long", ZH, width=30)
    assert text.splitlines() == ["first_condition_is_long", "  且 second_condition_is_long"]


def test_names_and_locals_are_marked_for_renderers() -> None:
    """Declared names carry a ref (for links); rule parameters and aggregate variables are local."""
    lines = expression_lines(
        parse_expression("count of x in units.all_units(u) where ok(x)"), ZH,
        local_names=frozenset({"u"}), modules=frozenset({"units"}),
    )  # fmt: skip
    roles = [(s.text, s.role, s.ref) for s in lines[0] if s.role in ("name", "local")]
    assert roles == [
        ("x", "local", None), ("units.all_units", "name", "units.all_units"), ("u", "local", None),
        ("ok", "name", "ok"), ("x", "local", None),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("type_", "zh", "en"),
    [
        (INT, "整数", "whole number"),
        (type(INT)(NumericBound(low=0)), "整数，≥ 0", "whole number, ≥ 0"),
        (NumberType("decimal", NumericBound(low=-1)), "数值，≥ -1", "number, ≥ -1"),
        (
            NumberType("percent", NumericBound(0, True, 1, True)),
            "百分比，0% 至 100%",
            "percentage, 0% to 100%",
        ),
        (
            NumberType("decimal", NumericBound(0, True, 1, False)),
            "数值，0 至 1（不含 1）",
            "number, 0 to 1 (1 excluded)",
        ),
        (
            OptionalType(ListType(INT)),
            "整数的列表（可为空）",
            "list of whole number (may be absent)",
        ),
    ],
)
def test_types_are_written_readably_with_their_bounds(type_, zh: str, en: str) -> None:
    """Types name their kind in words and their bound with signs."""
    assert line_text(type_line(type_, ZH)) == zh
    assert line_text(type_line(type_, EN)) == en


# ------------------------------------------------------------------------------------------
# Comments


def test_comments_attach_to_the_declaration_below_them() -> None:
    """Comment lines above a declaration are its interpretation; the first block, the intro."""
    module = parse(
        '# Intro line one\n# continues here.\n#\n#   wuxin doc x.policy\n\npolicy p "P"\n\n'
        "# `a` is read as\n# 半数 以上.\nrule a: 1 # trailing, ignored\n\n"
        '# ----------\n# * first item\n#   continued\n# * second\nrule b: "# not a comment"\n'
    )
    intro, attached = attached_comments(module)
    assert [(p.style, "".join(s.text for s in p.inlines)) for p in intro] == [
        ("note", "Intro line one continues here."),
        ("verbatim", "wuxin doc x.policy"),
    ]
    a, b = module.declarations
    notes = attached[a.span.start]
    assert [(s.text, s.role) for s in notes[0].inlines] == [
        ("a", "code"),
        (" is read as 半数 以上.", "text"),
    ]
    assert [(p.style, "".join(s.text for s in p.inlines)) for p in attached[b.span.start]] == [
        ("bullet", "first item continued"),
        ("bullet", "second"),
    ]
    assert not any(p.lead for p in notes)
    assert all(p.lead for p in attached[b.span.start])  # opened by `# ----`: a section


def test_section_comments_come_before_their_declaration(small: wuxin_rules.Policy) -> None:
    """A comment opened by a `# ----` line introduces what follows; one right above a
    declaration interprets it and comes after its rule text."""
    policy = wuxin_rules.loads(
        'policy p "P"\n\n# ----\n# Part one: the limits.\n#\n# Read them together.\n\n# Why five.\nrule a "A": 5\n'
    )
    md = render_markdown(build_document(policy.checked, "en"))
    part = md.index("**Part one: the limits.**")
    assert md.index("---\n\n**Part one") < part < md.index("> Read them together.")
    assert md.index("> Read them together.") < md.index("### A `a`") < md.index("> Why five.")
    page = render_html([build_document(policy.checked, "en")])
    assert '<p class="section">Part one: the limits.</p>' in page


# ------------------------------------------------------------------------------------------
# The document, construct by construct


def _md(policy: wuxin_rules.Policy, lang: str) -> str:
    return render_markdown(build_document(policy.checked, lang))


def _html(policy: wuxin_rules.Policy, lang: str) -> str:
    return render_html([build_document(policy.checked, lang)])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_section_has_its_heading_in_the_language(
    small: wuxin_rules.Policy, lang: str
) -> None:
    """Fixed words follow `lang`; the policy's own title stays as written."""
    words = WORDS[lang]
    md = _md(small, lang)
    page = _html(small, lang)
    assert md.startswith("# 借阅规则\n")
    for key in ("about", "inputs", "records", "enums", "params", "schedules", "bands", "rules",
                "examples", "properties", "notation", "signoff"):  # fmt: skip
        assert f"\n## {words[key]}\n" in md, key
        assert f">{words[key]}</h2>" in page, key
    other = WORDS["en" if lang == "zh" else "zh"]
    assert f"## {other['params']}\n" not in md


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_title_source_and_clauses(small: wuxin_rules.Policy, lang: str) -> None:
    """The header's label, source, clauses and note come first."""
    w = WORDS[lang]
    md = _md(small, lang)
    assert f"**{w['source']}{w['colon'].strip()}**" in md and "某图书馆借阅办法" in md
    assert "R1、R2" in md if lang == "zh" else "R1, R2" in md
    # The note and the introduction in the reader's language, the other one left out.
    english = ("an example policy for the document renderer", "Lending rules of a small library")
    chinese = ("文档渲染器的示例政策", "一个小图书馆的借阅规则")
    shown, hidden = (chinese, english) if lang == "zh" else (english, chinese)
    assert all(text in md for text in shown), md
    assert not any(text in md for text in hidden), md
    assert "<title>借阅规则</title>" in _html(small, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_inputs_and_record_fields_with_labels_types_and_bounds(
    small: wuxin_rules.Policy, lang: str
) -> None:
    """Each input and each field of the records it holds: label, readable type, bound, note."""
    md = _md(small, lang)
    if lang == "zh":
        assert "| `patron` | 借书读者 | 读者（Patron） |" in md
        assert "| `items_out` | 在借册数 | 整数，≥ 0 |" in md
        assert "| `late_rate` | 逾期率 | 百分比，0% 至 100% |  | 逾期归还的借阅所占比例 |" in md
        assert "| `joined` | 入馆日期 | 日期（可为空） |" in md
        assert "| `fines` | 罚款 | 数值的列表 |" in md
    else:
        assert "| `items_out` | 在借册数 | whole number, ≥ 0 |" in md
        assert "| `joined` | 入馆日期 | date (may be absent) |" in md
        assert "|  | share of loans returned late |" in md
    page = _html(small, lang)
    assert '<a href="#d-Patron" title="读者">' in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_params_show_values_clauses_and_the_illustrative_mark(
    small: wuxin_rules.Policy, lang: str
) -> None:
    """Values and clauses are listed; only the illustrative param carries the mark."""
    mark = WORDS[lang]["illustrative"]
    md = _md(small, lang)
    rows = [
        line
        for line in md.splitlines()
        if line.startswith("| `student_limit`") or line.startswith("| `late_ceiling`")
    ]
    assert len(rows) == 2
    assert "| 8 |" in rows[0] and mark not in rows[0] and "| R1 |" in rows[0]
    assert f"| 20% **〔{mark}〕** |" in rows[1] and "| R2 |" in rows[1]
    note = (
        "借阅办法把它留给馆员决定" if lang == "zh" else "the rule book leaves it to the librarian"
    )
    assert note in rows[1]
    assert WORDS[lang]["illustrative legend"] in md
    page = _html(small, lang)
    assert "20%</td>" not in page and f'<span class="mark">{mark}</span>' in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_schedules_are_tables_grouped_by_stage(small: wuxin_rules.Policy, lang: str) -> None:
    """One row per period under its stage (spanning rows in HTML); a stage without rows says so."""
    w = WORDS[lang]
    md = _md(small, lang)
    assert f"| {w['stage']} | {w['dates']} | year | 学生 | 教职工 |" in md
    assert f"| 筹备 `planning` | {w['until']} 2019-12-31 | {w['no rows']} |" in md
    assert (
        f"| 运行 `running` | {w['from to'].format(a='2020-01-01', b='2021-12-31')} | 2020 | 100 | 50 |"
        in md
    )
    assert "|  |  | 2021 | 120 | 60 |" in md
    assert w["nondecreasing"].format(p="year") in md
    assert "no purchases yet" in md and "R3.1" in md
    page = _html(small, lang)
    assert '<td rowspan="2">运行 <code>running</code></td>' in page
    assert '<td class="num">2021</td><td class="num">120</td>' in page


def test_schedule_without_categories_has_one_value_column() -> None:
    """A schedule by year alone: one column of values, titled as such."""
    policy = wuxin_rules.loads(
        'schedule cap "上限": int by year:\n  stage one "一期" 2020-01-01 .. 2021-12-31:\n'
        "    2020: 3\n    2021: 4\nrule r: cap(2020) ?? 0\n"
    )
    md = render_markdown(build_document(policy.checked, "en"))
    assert "| Stage | Dates | year | Value |" in md
    assert "| 一期 `one` | 2020-01-01 to 2021-12-31 | 2020 | 3 |" in md
    assert "|  |  | 2021 | 4 |" in md


def test_deeply_nested_rules_render() -> None:
    """The deepest nesting the parser accepts renders in both formats (no RecursionError)."""
    expr = "1"
    for _ in range(49):
        expr = f"abs({expr} + 1)"
    policy = wuxin_rules.loads(f"rule r: {expr}")
    document = build_document(policy.checked, "zh")
    assert render([document], "md").count("abs(") == 49
    # Tags stripped: with Pygments installed, the names and brackets are in coloured spans.
    assert re.sub(r"<[^>]+>", "", render([document], "html")).count("abs(") == 49


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bands_are_tables(small: wuxin_rules.Policy, lang: str) -> None:
    """Each band: its label, name and range; the domain above."""
    md = _md(small, lang)
    assert "| 良好 | `good` | 80 ≤ x ≤ 100 |" in md
    assert "| 较差 | `poor` | 0 ≤ x \\< 80 |" in md
    assert "0 ≤ x ≤ 100" in md and "R4" in md


def test_band_bounds_that_are_params_show_name_and_value() -> None:
    """`excellent_from .. 100` shows the param and its value."""
    md = render_markdown(
        build_document(_load(REPO / "policies/drug_free/assessment.policy").checked, "zh")
    )
    assert "| 优秀 | `excellent` | `excellent_from`（90） ≤ x ≤ 100 |" in md


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rules_with_label_clauses_text_uses_and_interpretation(
    small: wuxin_rules.Policy, lang: str
) -> None:
    """Every criterion and rule: label heading, kind, clauses, rule text, labelled uses, comment."""
    w = WORDS[lang]
    md = _md(small, lang)
    section = md[md.index("### 可以续借 `may_borrow`") : md.index("### 最高罚款")]
    assert f"**{w['criterion']}**" in section and "R1" in section
    if lang == "zh":
        assert "patron.items_out < limit\n  且 punctual(patron)\n" in section
    else:
        assert "patron.items_out < limit\n  and punctual(patron)\n" in section
    assert "- `limit` 可借册数上限" in section
    # A label translated (`"按时归还" en "returned on time"`) is shown in the reader's language.
    punctual_label = "按时归还" if lang == "zh" else "returned on time"
    assert f"- `punctual` {punctual_label}" in section
    punctual = md[md.index(f"### {punctual_label} `punctual`") : md.index("### 可以续借")]
    assert "p.late_rate ≤ late_ceiling" in punctual
    assert "`late_ceiling` 逾期率上限" in punctual and f"〔{w['illustrative']}〕" in punctual
    assert "equal to the ceiling still passes" in punctual
    assert (
        len(
            re.findall(
                r"^### ", md[md.index(f"## {w['rules']}") : md.index(f"## {w['examples']}")], re.M
            )
        )
        == 6
    )


def test_rule_texts_in_html_link_to_what_they_use(small: wuxin_rules.Policy) -> None:
    """Names of declarations in a rule text link to them, with their label as a tooltip."""
    page = _html(small, "zh")
    assert '<a href="#d-limit" title="可借册数上限">limit</a>' in page
    assert '<a href="#d-standing" title="信用等级">standing</a>' in page
    assert '<section class="decl" id="d-may_borrow">' in page
    assert '<span class="kw">且</span>' in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_examples_and_properties(small: wuxin_rules.Policy, lang: str) -> None:
    """An example's facts as a table of labelled fields, then its expectations; properties."""
    w = WORDS[lang]
    md = _md(small, lang)
    assert "### 1. 学生按时归还" in md
    assert "| `items_out` | 在借册数 | `3` |" in md
    assert "| `late_rate` | 逾期率 | `10%` |" in md
    assert "```\nmay_borrow\nlimit = 8\n```" in md
    assert "### 1. 上限不小于5" in md
    assert f"{w['forall']} patron: 读者" in md and f"{w['holds']} limit ≥ 5" in md


def test_fixtures_and_spreads_in_examples(small: wuxin_rules.Policy) -> None:
    """A fixture of a record type is a field table; `...base` in facts names its base."""
    md = _md(small, "zh")
    fixture = md[md.index("### 共用数据 `base`") : md.index("### 1.")]
    assert "| `joined` | 入馆日期 | `2019-05-01` |" in fixture
    second = md[md.index("### 2. 教职工按一般上限") : md.index("## 性质")]
    assert "| `...base` | 其余字段同 `base` |  |" in second
    assert "| `items_out` | 在借册数 | `12` |" in second
    assert "**给定** `other`" in second and "| `kind` | 读者类别 | `student` |" in second
    assert "may_borrow[patron = other]" in second


def test_the_small_policys_examples_hold() -> None:
    """The golden policy documents examples that are true (so the document shows real cases)."""
    from wuxin_rules import examples, suite_checker

    suite = suite_checker.load_suite(SMALL)
    assert len(suite.examples) == 2
    assert all(examples.run_example(suite, e).failures == () for e in suite.examples)


def test_flagship_example_flattens_nested_records() -> None:
    """A nested record in an example's facts becomes `a.b` rows with both labels."""
    md = render_markdown(
        build_document(_load(REPO / "policies/drug_free/unit.policy").checked, "zh")
    )
    assert "| `responsibility.team_in_place` | 禁毒工作责任落实情况 · 队伍机构健全 | `是` |" in md


def test_imported_names_are_labelled_with_their_module() -> None:
    """A rule's uses name the module of what it imports."""
    md = render_markdown(
        build_document(_load(REPO / "policies/drug_free/assessment.policy").checked, "en")
    )
    assert "- `group_rates` 各分组达标情况 (S4) *— from drug\\_free.targets*" in md


def test_document_blocks_group_each_declaration(small: wuxin_rules.Policy) -> None:
    """Each rule is one group (kept on one page) holding its rule text."""
    document = build_document(small.checked, "zh")
    groups = [b for b in document.blocks if isinstance(b, Group) and b.anchor == "d-limit"]
    assert len(groups) == 1
    assert any(isinstance(b, Code) for b in groups[0].blocks)
    assert any(isinstance(b, Table) for b in document.blocks)


def test_unknown_language_or_format_is_refused(small: wuxin_rules.Policy) -> None:
    """Only zh/en and md/html exist."""
    with pytest.raises(ValueError, match="language"):
        build_document(small.checked, "fr")
    with pytest.raises(ValueError, match="format"):
        render([build_document(small.checked, "zh")], "pdf")


# ------------------------------------------------------------------------------------------
# HTML: self-contained and well formed


class _Balance(html.parser.HTMLParser):
    VOID: ClassVar[frozenset[str]] = frozenset({"meta", "br", "img", "hr", "link", "input", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unexpected </{tag}> with {self.stack[-3:]}")
        else:
            self.stack.pop()


_EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(|<script|<link|@font-face""", re.I
)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_fetches_nothing_and_is_well_formed(small: wuxin_rules.Policy, lang: str) -> None:
    """Every flagship document and the small one: no external reference, tags balanced."""
    pages = [_html(_load(p), lang) for p in FLAGSHIP] + [_html(small, lang)]
    assert len(pages) == len(FLAGSHIP) + 1 >= 10
    for page in pages:
        assert not _EXTERNAL.search(page), _EXTERNAL.search(page)
        assert "http://" not in page and "https://" not in page
        balance = _Balance()
        balance.feed(page)
        assert balance.problems == [] and balance.stack == []
        assert "@page { size: A4;" in page and "thead { display: table-header-group; }" in page


@pytest.mark.parametrize("path", [*FLAGSHIP, SMALL], ids=lambda p: p.stem)
def test_html_links_lead_somewhere(path: Path) -> None:
    """Every in-page link points at an element of the page, and ids are unique."""
    page = _html(_load(path), "zh")
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    targets = set(re.findall(r' href="#([^"]+)"', page))
    assert targets, "no links at all"
    assert targets <= set(ids), sorted(targets - set(ids))


def test_html_escapes_policy_text() -> None:
    """Labels are text, never markup: `<b>` in a label comes out escaped."""
    policy = wuxin_rules.loads('policy p "<b>x</b> & y"\nrule r "<script>alert(1)</script>": 1')
    page = render_html([build_document(policy.checked, "en")])
    style = page[page.index("<style>") + len("<style>") : page.index("</style>")]
    assert "<" not in style and '"\\3c b\\3e x' in style  # the running title, escaped for CSS
    assert page.count("</style>") == 1
    assert (
        "<script>" not in page
        and "&lt;script&gt;" in page
        and "&lt;b&gt;x&lt;/b&gt; &amp; y" in page
    )


def test_several_documents_share_one_html_file_with_unique_anchors(
    small: wuxin_rules.Policy,
) -> None:
    """Two documents in one file: two articles, anchors of the second prefixed."""
    document = build_document(small.checked, "zh")
    page = render_html([document, document])
    assert page.count("<article>") == 2
    assert page.count('id="d-limit"') == 1 and page.count('id="p1-d-limit"') == 1
    assert 'href="#p1-d-limit"' in page


# ------------------------------------------------------------------------------------------
# Golden files and the checked-in flagship documents


@pytest.mark.parametrize(("lang", "format_"), [("zh", "md"), ("en", "md"), ("zh", "html")])
def test_golden_document(
    small: wuxin_rules.Policy, golden: Golden, lang: str, format_: str
) -> None:
    """The small policy's document equals its golden file (`pytest --update-golden` rewrites it)."""
    actual = render([build_document(small.checked, lang)], format_)
    golden.check(GOLDEN / f"small.{lang}.{format_}", actual)


@pytest.mark.parametrize("path", FLAGSHIP, ids=lambda p: p.stem)
def test_checked_in_flagship_documents_are_current(path: Path) -> None:
    """docs/policies holds each flagship policy's current documents (zh, md and html).

    When this fails, run `sh docs/policies/regenerate.sh` and commit the result.
    """
    document = build_document(_load(path).checked, "zh")
    # The HTML is rendered with Pygments' colours (the `test` extra installs it).
    for format_ in ("md", "html"):
        rendered = RENDERED / f"{document.module}.zh.{format_}"
        assert rendered.exists(), f"missing {rendered}: run sh docs/policies/regenerate.sh"
        assert rendered.read_text(encoding="utf-8") == render([document], format_), (
            f"{rendered.name} is stale: run sh docs/policies/regenerate.sh"
        )


def test_no_stray_rendered_documents() -> None:
    """Every file in docs/policies belongs to a flagship policy (or is the script)."""
    modules = {f"drug_free.{p.stem}" for p in FLAGSHIP}
    for file in RENDERED.iterdir():
        if file.name in ("regenerate.sh", "README.md"):
            continue
        assert file.name.rsplit(".", 2)[0] in modules, file.name


# ------------------------------------------------------------------------------------------
# The command line


def _wuxin(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "wuxin_rules", *args], capture_output=True, text=True, cwd=cwd,
        env=env, check=False, encoding="utf-8",
    )  # fmt: skip


def test_cli_doc_writes_markdown_to_stdout() -> None:
    """`wuxin doc POLICY` prints the Chinese Markdown document."""
    result = _wuxin("doc", str(SMALL))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (GOLDEN / "small.zh.md").read_text(encoding="utf-8")


def test_cli_doc_html_to_a_file_and_one_file_per_policy(tmp_path: Path) -> None:
    """`-o FILE` writes one file; `--output-dir` one per policy, named MODULE.LANG.FORMAT."""
    out = tmp_path / "small.html"
    result = _wuxin("doc", str(SMALL), "--format", "html", "--lang", "en", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith('<!DOCTYPE html>\n<html lang="en">')
    result = _wuxin(
        "doc", "policies/drug_free", "--format", "html", "--output-dir", str(tmp_path / "d")
    )
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "d").iterdir())
    assert names == sorted(f"drug_free.{p.stem}.zh.html" for p in FLAGSHIP)


def test_cli_doc_bad_policy_is_a_located_error_and_writes_nothing(tmp_path: Path) -> None:
    """A policy with problems: every diagnostic with file:line:column, exit 1, no file written."""
    bad = tmp_path / "bad.policy"
    bad.write_text('rule a "A": b + 1\nrule c: d\n', encoding="utf-8")
    out = tmp_path / "out.md"
    result = _wuxin("doc", str(bad), str(SMALL), "-o", str(out), "--lang", "en")
    assert result.returncode == 1
    assert f"{bad}:1:13: error[unknown-name]: unknown name `b`" in result.stderr
    assert f"{bad}:2:9: error[unknown-name]" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    # The diagnostics follow --lang like the document's fixed words (zh by default).
    result = _wuxin("doc", str(bad))
    assert result.returncode == 1 and f"{bad}:1:13: " in result.stderr
    assert "[unknown-name]" in result.stderr and "error[" not in result.stderr


def test_cli_doc_usage_errors() -> None:
    """A missing file, or an unknown format, is a usage error (exit 2) without a traceback."""
    result = _wuxin("doc", "no/such.policy")
    assert result.returncode == 2 and "no-such-file" in result.stderr
    result = _wuxin("doc", str(SMALL), "--format", "pdf")
    assert result.returncode == 2 and "invalid choice" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_doc_help_explains_the_command() -> None:
    """`wuxin doc --help` says what the document holds and how to write HTML."""
    result = _wuxin("doc", "--help")
    assert result.returncode == 0
    for words in (
        "--format {md,html}",
        "--lang {zh,en}",
        "-o FILE",
        "--output-dir DIR",
        "A4",
        "fetches nothing",
    ):
        assert words in result.stdout
    assert "doc       render policies" in _wuxin("--help").stdout
