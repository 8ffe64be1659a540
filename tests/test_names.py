"""Names in any script (Unicode UAX #31), read in NFC, and never passed to generated code.

A name starts with a letter of any script or `_` and goes on with letters, combining marks,
digits and connectors; the parser refuses every other character at its place. A decomposed
`é` and the precomposed `é` are one name (NFC). Compatibility letters (`Ｒ`, `ﬁle`, `ℌ`) are
names of their own (not NFKC), and no path of the engine may read them as identifiers of
generated Python code, which Python would fold through NFKC.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

import wuxin_rules
from wuxin_rules import characters, formatter, parser
from wuxin_rules.document import build_document
from wuxin_rules.document_formats import render
from wuxin_rules.errors import PolicySyntaxError

ROOT = Path(__file__).resolve().parents[1]

# Every kind of name written with compatibility letters: a full-width record and field, a
# ligature enum and member, a black-letter input, rules and a param.
COMPATIBILITY = """\
policy compat "compatibility letters"
enum ﬁle "file kind": ａ "a", ℌb "hb"
record Ｒ "a record":
  ﬁeld : int  "field"
  kind : ﬁle  "kind"
  memo : text? "memo"
record ℌolder "holder":
  ｒ : Ｒ "r"
  ℌs : list of Ｒ "rs"
input ℌ: ℌolder "holder"
param ｌimit: int = 3 "limit"
rule ｔotal "total": ℌ.ｒ.ﬁeld + (sum of x in ℌ.ℌs: x.ﬁeld)
rule ﬁrst_kind "first kind": ℌ.ｒ.kind
criterion ｏk "ok": ｔotal > ｌimit and ﬁrst_kind == ａ
"""

FACTS = {
    "ℌ": {
        "ｒ": {"ﬁeld": 2, "kind": "ａ"},
        "ℌs": [{"ﬁeld": 1, "kind": "ℌb", "memo": "n"}, {"ﬁeld": 4, "kind": "ａ"}],
    }
}


def _expected(result: wuxin_rules.Result) -> None:
    assert result.values() == {"ｔotal": 7, "ﬁrst_kind": "ａ", "ｏk": True}


def test_compatibility_letters_check_load_and_evaluate_on_every_path() -> None:
    """Regression: `loads` raised a KeyError from the code cattrs generated for `Ｒ`
    (`structure_R_Ｒ_0` is read by Python as `structure_R_R_0`)."""
    policy = wuxin_rules.loads(COMPATIBILITY, name="compat.policy")
    assert {d.code for d in policy.warnings} >= {"full-width-name"}
    _expected(policy.evaluate(FACTS))
    explained = policy.evaluate(FACTS, explain=True)
    _expected(explained)
    assert "total 7 > limit 3" in explained.explain("ｏk")  # the labels of ｔotal and ｌimit
    many = policy.evaluate_many([FACTS, FACTS])
    for result in many:
        _expected(result)
    for result in policy.evaluate_many([FACTS], explain=True):
        _expected(result)
        assert "ℌ" in result.explain("ｔotal")
    assert next(iter(policy.iter_evaluate([FACTS]))).values()["ｔotal"] == 7
    # A compatibility name is matched as written: the NFKC form of a key is another key.
    with pytest.raises(wuxin_rules.FactError) as caught:
        policy.evaluate({"H": FACTS["ℌ"]})
    assert {d.code for d in caught.value.diagnostics} >= {"missing-fact", "unknown-fact"}
    with pytest.raises(wuxin_rules.FactError):
        policy.evaluate({"ℌ": {**FACTS["ℌ"], "ｒ": {"field": 2, "kind": "ａ"}}})


def test_compatibility_letters_in_the_document_and_the_formatter() -> None:
    policy = wuxin_rules.loads(COMPATIBILITY, name="compat.policy")
    for format_ in ("md", "html"):
        shown = render([build_document(policy.checked, "en")], format_)
        assert "ｔotal" in shown and "ﬁeld" in shown
    formatted = formatter.format_text(COMPATIBILITY, "compat.policy")
    assert "record Ｒ" in formatted and "ℌ.ｒ.ﬁeld" in formatted
    assert formatter.format_text(formatted, "compat.policy") == formatted


def test_compatibility_letters_through_the_cli(tmp_path: Path) -> None:
    from wuxin_rules import cli

    policy = tmp_path / "compat.policy"
    policy.write_text(formatter.format_text(COMPATIBILITY, "compat.policy"), encoding="utf-8")
    facts = tmp_path / "facts.json"
    facts.write_text(wuxin_rules.jsonio.dumps(FACTS), encoding="utf-8")
    assert cli.main(["check", str(policy)]) == 0
    assert cli.main(["eval", str(policy), str(facts), "--explain"]) == 0
    assert cli.main(["doc", str(policy)]) == 0
    assert cli.main(["fmt", "--check", str(policy)]) == 0


# ------------------------------------------------------------------------------------------
# Combining marks (UAX #31: XID_Continue)

MARKS = """\
policy marks "marks"
input नाम: int "Devanagari, with a vowel sign (Mc)"
input ชื่อ: int "Thai, with vowel and tone marks (Mn)"
rule cafe\u0301 "a decomposed é": नाम + ชื่อ
rule total "total": caf\u00e9 * 2
"""


def test_names_with_combining_marks_are_names() -> None:
    """Regression: `नाम`, `ชื่อ` and a decomposed `é` were refused as unexpected-character."""
    policy = wuxin_rules.loads(MARKS, name="marks.policy")
    result = policy.evaluate({"नाम": 1, "ชื่อ": 2})
    # The decomposed and the precomposed `é` are one name, kept in NFC.
    assert result.values() == {"caf\u00e9": 3, "total": 6}
    assert [r.values() for r in policy.evaluate_many([{"नाम": 1, "ชื่อ": 2}], explain=True)] == [
        {"caf\u00e9": 3, "total": 6}
    ]
    assert not any(d.code == "confusable-names" for d in policy.warnings)


def test_names_are_read_in_nfc() -> None:
    module = parser.parse(MARKS, "marks.policy")
    names = [d.name.name for d in module.declarations if hasattr(d, "name")]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    assert "caf\u00e9" in names and "cafe\u0301" not in names


def test_formatter_keeps_names_with_marks() -> None:
    formatted = formatter.format_text(MARKS, "marks.policy")
    assert "नाम" in formatted and "ชื่อ" in formatted and "caf\u00e9" in formatted


@pytest.mark.parametrize(
    ("text", "char", "help_part"),
    [
        ("rule a: x\u22645", "`\u2264`", "cannot be part of a name"),
        ("rule a: x\u00b2 + 1", "`\u00b2`", "cannot be part of a name"),
        ("rule a: x\u2460 + 1", "`\u2460`", "cannot be part of a name"),
        ("rule a: x\u200b+ 1", "U+200B (zero width space)", "remove the invisible character"),
    ],
)
def test_characters_that_cannot_be_part_of_a_name(text: str, char: str, help_part: str) -> None:
    with pytest.raises(PolicySyntaxError) as caught:
        parser.parse(text)
    first = caught.value.diagnostics[0]
    assert first.code == "unexpected-character"
    assert first.message == f"unexpected character {char}"
    assert first.span is not None and first.span.column == 10
    assert first.help is not None and help_part in first.help
    # One error: the rest of the line is not reported again.
    assert len(caught.value.diagnostics) == 1


def test_name_pattern_is_the_grammars() -> None:
    grammar = (ROOT / "grammar" / "wuxin.lark").read_text(encoding="utf-8")
    line = next(x for x in grammar.splitlines() if x.startswith("NAME:"))
    assert line == f"NAME: /{characters.NAME.pattern}/"


@pytest.mark.parametrize(
    "char", ["\u0301", "\u0947", "\u0e37", "\u00b7", "\u203f", "_", "\u0663", "\u00e9"]
)
def test_continue_characters(char: str) -> None:
    """UAX #31 continue characters (marks, middle dot, connector, other digits) in a name."""
    text = f"input x{char}y: int\nrule a: x{char}y"
    module = parser.parse(text)
    assert module.declarations[0].name.name == unicodedata.normalize("NFC", f"x{char}y")
