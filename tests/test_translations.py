"""A policy's own words in the reader's language: labels and notes with translations
(`"…" en "…"`), comment paragraphs with translations (`# en: …`), and the documents,
explanations and hovers that pick the reader's language (falling back to the text as written).
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

import wuxin_rules
from wuxin_rules import ast, checker, formatter, wording
from wuxin_rules.document import Code, Group, Heading, Items, Paragraph, Table, build_document
from wuxin_rules.document_formats import render_html, render_markdown
from wuxin_rules.errors import PolicyCheckError, PolicySyntaxError
from wuxin_rules.parser import parse
from wuxin_rules.wording import Wording

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = sorted((ROOT / "policies" / "drug_free").glob("*.policy"))

POLICY = """\
# 一个演示政策。
# en: A demo policy.

policy demo "演示" en "Demo" note "政策的备注" en "the policy's note"

record Household "家庭" en "household":
  en: int "英文字段" en "a field named en"
  size: int "家庭人数" note "户籍登记的人数"

input household: Household "申请家庭" en "applicant household"

param cap: int = 4 "人数上限" en "size cap"
  note "示例值" en "illustrative"

criterion small "小家庭" en "small household" cites "A1":
  household.size <= cap
"""


def _checked(text: str = POLICY) -> wuxin_rules.Policy:
    return wuxin_rules.loads(text)


# ------------------------------------------------------------------------------------------
# Syntax and the checked model


def test_a_label_and_a_note_carry_their_translations() -> None:
    module = parse(POLICY, "demo.policy")
    assert module.header is not None
    label = module.header.doc.label
    assert label is not None and label.value == "演示"
    assert [(t.lang.name, t.text.value) for t in label.translations] == [("en", "Demo")]
    param = next(d for d in module.declarations if isinstance(d, ast.ParamDecl))
    assert param.doc.note is not None
    assert [(t.lang.name, t.text.value) for t in param.doc.note.translations] == [
        ("en", "illustrative")
    ]
    # The tag's span is where it is written (for the checker's located errors).
    tag = param.doc.note.translations[0].lang
    assert POLICY[tag.span.start : tag.span.end] == "en"


def test_a_field_named_like_a_language_is_still_a_field() -> None:
    module = parse(POLICY, "demo.policy")
    record = next(d for d in module.declarations if isinstance(d, ast.RecordDecl))
    assert [f.name.name for f in record.fields] == ["en", "size"]


def test_a_text_without_translation_means_what_it_meant() -> None:
    module = parse('input a: int "甲" note "乙"\n', "t.policy")
    decl = module.declarations[0]
    assert isinstance(decl, ast.InputDecl)
    assert decl.doc.label is not None and decl.doc.label.translations == ()
    assert decl.doc.note is not None and decl.doc.note.translations == ()
    assert type(decl.doc.label.value) is str and type(decl.doc.note.value) is str


def test_a_misspelt_clause_keyword_is_still_a_syntax_error() -> None:
    with pytest.raises(PolicySyntaxError) as raised:
        parse('rule a "x" cite "S1": 1', "t.policy")
    diagnostic = raised.value.diagnostics[0]
    assert diagnostic.code == "misspelt-keyword"
    assert diagnostic.help == "did you mean `cites`?"
    assert "lang_tag" not in diagnostic.message.lower()


def test_the_checked_model_carries_the_forms() -> None:
    checked = _checked().checked
    rule = checked.rules["small"]
    assert rule.label == "小家庭"
    assert wording.in_language(rule.label, "en") == "small household"
    assert wording.in_language(rule.label, "zh") == "小家庭"
    note = checked.params[next(iter(checked.params))].note
    assert wording.in_language(note, "en") == "illustrative"
    field = checked.records["Household"].field("size")
    assert field is not None
    # Untranslated: the text as written, in every language.
    assert wording.in_language(field.label, "en") == "家庭人数"


def test_a_wording_is_its_text_and_keeps_its_forms_through_pickling() -> None:
    text = Wording("家庭人数", [("en", "household size")])
    assert text == "家庭人数" and hash(text) == hash("家庭人数")
    assert text.in_language("en") == "household size"
    assert text.in_language("zh") == "家庭人数"
    assert text.text == "家庭人数" and type(text.text) is str
    copy = pickle.loads(pickle.dumps(text))
    assert isinstance(copy, Wording) and copy.in_language("en") == "household size"
    assert wording.in_language(None, "en") is None
    assert wording.in_language("plain", "en") == "plain"


@pytest.mark.parametrize(
    ("text", "message", "column", "help_text"),
    [
        (
            'input a: int "甲" fr "A"\n',
            "unknown language `fr` for a translation",
            18,
            "a label or note may be translated into `en` or `zh`",
        ),
        (
            'input a: int "甲" not "注"\n',
            "unknown language `not` for a translation",
            18,
            "did you mean `note`?",
        ),
        (
            'input a: int "甲" eng "A"\n',
            "unknown language `eng` for a translation",
            18,
            "did you mean `en`?",
        ),
    ],
)
def test_the_checker_refuses_an_unknown_language_with_a_located_error(
    text: str, message: str, column: int, help_text: str
) -> None:
    with pytest.raises(PolicyCheckError) as raised:
        checker.check_text(text)
    diagnostic = raised.value.diagnostics[0]
    assert diagnostic.code == "unknown-language"
    assert diagnostic.message == message
    assert diagnostic.span is not None
    assert diagnostic.span.start == column - 1  # one line: the offset is the column
    assert diagnostic.help == help_text


def test_the_checker_refuses_a_language_given_twice() -> None:
    with pytest.raises(PolicyCheckError) as raised:
        checker.check_text('input a: int "甲" en "A" en "B"\n')
    diagnostic = raised.value.diagnostics[0]
    assert diagnostic.code == "duplicate-translation"
    assert diagnostic.labels and diagnostic.labels[0].text == "first translation"


def test_a_tag_in_an_imported_module_is_checked_too(tmp_path: Path) -> None:
    (tmp_path / "lib.policy").write_text('policy lib\ninput a: int "甲" de "A"\n', "utf-8")
    (tmp_path / "main.policy").write_text("policy main\nimport lib\nrule r: lib.a\n", "utf-8")
    with pytest.raises(wuxin_rules.WuxinError) as raised:
        wuxin_rules.load(tmp_path / "main.policy")
    assert "unknown-language" in str(raised.value) and "lib.policy:2:" in str(raised.value)


# ------------------------------------------------------------------------------------------
# Formatting


def test_formatting_keeps_translations_and_is_stable() -> None:
    messy = (
        'input a: int "甲"    en   "A"\n'
        'param p: int = 1 "参数" en "param" cites "A1" note "这是一条相当长的中文注释，说明该参数的'
        '解释方法和适用范围" en "a rather long English note that explains how the param is read":\n'
    ).replace(":\n", "\n")
    once = formatter.format_text(messy)
    assert 'input a: int "甲" en "A"\n' in once
    assert '  note "这是一条相当长的中文注释，说明该参数的解释方法和适用范围"\n' in once
    assert '    en "a rather long English note that explains how the param is read"\n' in once
    assert formatter.format_text(once) == once


# ------------------------------------------------------------------------------------------
# Documents


def _md(text: str, lang: str) -> str:
    return render_markdown(build_document(_checked(text).checked, lang))


def test_a_document_shows_labels_and_notes_in_its_language() -> None:
    zh, en = _md(POLICY, "zh"), _md(POLICY, "en")
    assert "# 演示" in zh and "政策的备注" in zh and "the policy's note" not in zh
    assert "# Demo" in en and "the policy's note" in en and "政策的备注" not in en
    assert "| 申请家庭 |" in zh and "| applicant household |" in en
    assert "| size cap |" in en and "illustrative" in en
    # No English form: the text as written, in an English document too.
    assert "户籍登记的人数" in en and "| 家庭人数 |" in en


COMMENTS = """\
# 第一段。
# en: The first paragraph.
#
#     x = 1
#
# 第二段，没有译文。
#
# - 甲项
# - 乙项
#   续行
# en: - item A
# en: - item B,
#   continued

policy demo

# ---------------------------------
# S1：第一节
# en: S1: the first section

input a: int
"""


@pytest.mark.parametrize(
    ("lang", "shown", "hidden"),
    [
        (
            "zh",
            ["第一段。", "第二段，没有译文。", "甲项", "乙项续行", "S1：第一节"],
            ["first paragraph", "item A", "first section"],
        ),
        (
            "en",
            [
                "The first paragraph.",
                "第二段，没有译文。",
                "item A",
                "item B, continued",
                "S1: the first section",
            ],
            ["第一段", "甲项", "乙项", "第一节"],
        ),
    ],
)
def test_comment_paragraphs_in_the_reader_s_language(
    lang: str, shown: list[str], hidden: list[str]
) -> None:
    md = _md(COMMENTS, lang)
    for text in shown:
        assert text in md, (text, md)
    for text in hidden:
        assert text not in md, (text, md)
    assert "    x = 1" in md  # a verbatim line is the same in every language
    # A translation takes the place of what it translates, with its style (a section title).
    assert ("**S1：第一节**" if lang == "zh" else "**S1: the first section**") in md


def test_a_translation_replaces_its_paragraph_in_place() -> None:
    md = _md(COMMENTS, "en")
    order = [md.index(t) for t in ("The first paragraph.", "x = 1", "第二段", "item A", "item B")]
    assert order == sorted(order)


def _prose(blocks: object) -> list[str]:
    """The running text of a document: every text segment outside code, names and verbatim
    lines (identifiers, rule texts and commands are the policy's own in every language)."""
    out: list[str] = []
    for block in blocks:  # type: ignore[attr-defined]
        if isinstance(block, Group):
            out += _prose(block.blocks)
            continue
        if isinstance(block, Code) or (isinstance(block, Paragraph) and block.style == "verbatim"):
            continue
        lines: list = []
        if isinstance(block, Heading | Paragraph):
            lines = [block.inlines]
        elif isinstance(block, Items):
            lines = list(block.items)
        elif isinstance(block, Table):
            lines = [c.inlines for row in block.rows for c in row if c is not None]
        for line in lines:
            out.append(
                "".join(s.text for s in line if s.role not in ("code", "name", "local", "field"))
            )
    return out


# Three Latin words in a row: an English phrase (a citation `S2.3`, `RULES.md`, `SHA-256`, a
# function name such as `abs()` or `ceil(…)` alone is not, nor an identifier: `town_level`).
_WORD = r"(?<![\w.])[A-Za-z]{2,}(?![\w.])"
_ENGLISH = re.compile(rf"{_WORD}(?:[\s,;:'’()-]+{_WORD}){{2,}}")


@pytest.mark.parametrize("path", FLAGSHIP, ids=[p.stem for p in FLAGSHIP])
def test_a_chinese_flagship_document_has_no_english_paragraph(path: Path) -> None:
    document = build_document(wuxin_rules.load(path).checked, "zh")
    english = [text for text in _prose(document.blocks) if _ENGLISH.search(text)]
    assert not english, english


def test_the_scan_finds_an_english_paragraph() -> None:
    """The scan above can fail: an untranslated English comment is found."""
    text = "# Every standard is written as a function of a unit.\npolicy demo\ninput a: int\n"
    document = build_document(_checked(text).checked, "zh")
    assert any(_ENGLISH.search(t) for t in _prose(document.blocks))


def test_the_english_flagship_document_keeps_the_english() -> None:
    unit = ROOT / "policies" / "drug_free" / "unit.policy"
    en = render_markdown(build_document(wuxin_rules.load(unit).checked, "en"))
    assert "Every standard is written as a function of a `Unit`" in en
    assert "the unit's growth must lie below the provincial average" in en
    assert "每项标准都写成" not in en
    zh = render_markdown(build_document(wuxin_rules.load(unit).checked, "zh"))
    assert "每项标准都写成 `Unit` 的函数" in zh


def test_identifiers_break_only_after_an_underscore_or_a_dot() -> None:
    page = render_html(
        [build_document(_checked(POLICY.replace("size", "household_size")).checked, "zh")]
    )
    assert "<code>household_<wbr>size</code>" in page
    assert "overflow-wrap: anywhere" not in page
    assert re.search(r"code \{[^}]*word-break: keep-all", page)
    # Nowhere else: a `<wbr>` follows only `_` or `.`.
    assert all(page[m.start() - 1] in "_." for m in re.finditer("<wbr>", page))


# ------------------------------------------------------------------------------------------
# Explanations


def test_an_explanation_shows_a_label_in_the_reader_s_language() -> None:
    result = _checked().evaluate({"household": {"en": 0, "size": 3}})
    assert result["small"] is True
    assert '"small household"' in result.explain("small", lang="en")
    zh = result.explain("small", lang="zh")
    assert '"小家庭"' in zh and "small household" not in zh
