"""Highlighting `.policy` text with Pygments: the lexer, and classes for `wuxin doc` HTML.

Owns `PolicyLexer`, registered as the Pygments lexer `policy` by the `pygments.lexers` entry
point (so Sphinx, MkDocs and any Pygments user highlight ```` ```policy ```` blocks), and
`token_classes`/`style_css`, with which `wuxin_rules.document_formats` colours the rule
texts of HTML documents. The only module that imports Pygments (the `highlight` extra);
`document_formats` works without it. Imports nothing from the package.
"""

from __future__ import annotations

from pygments.formatters import HtmlFormatter
from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (
    STANDARD_TYPES,
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
    _TokenType,
)

from wuxin_rules import semantics
from wuxin_rules.schema import BUILTIN_TYPES

__all__ = ["BUILTIN_NAMES", "KEYWORDS", "PolicyLexer", "style_css", "token_classes"]

_TYPES = tuple(BUILTIN_TYPES)
_CONSTANTS = ("true", "false", "none")
KEYWORDS = (
    "_", "all", "and", "any", "as", "at", "bands", "by", "case", "cites", "count", "criterion",
    "decision", "else", "enum", "example", "exception", "false", "expect", "fixed", "fixture", "forall", "from",
    "given", "hit", "holds", "if", "illustrative", "import", "in", "input", "is", "least", "list",
    "match", "max", "min", "mod", "monotone", "none", "not", "note", "of", "or", "over", "param", "policy", "property", "rate",
    "record", "row", "rule", "schedule", "source", "stage", "sum", "then", "to", "true", "when", "where",
)  # fmt: skip
_HIT_WORDS = ("unique", "priority", "first", "order", "output", "collect")
"""The words of a decision table's hit policy (names elsewhere: only after `hit`)."""
"""The reserved words of the grammar (tests/test_highlight.py keeps them equal to the
parser's)."""
BUILTIN_NAMES = tuple(
    name
    for name, builtin in semantics.BUILTINS.items()
    if not builtin.component and name not in KEYWORDS
)
"""The builtins called by name (`min` and `max` are keywords too; components follow a dot)."""
_AGGREGATES = ("count", "sum", "min", "max", "all", "any", "rate", "list")
_BEFORE_TEXT = ("source", "note", "cites", "property", "example")
# Keywords are contextual (docs/language.md, "Reserved words"): the aggregate words are
# keywords only before `of` (`at` before `least`), the clause words only before a text;
# elsewhere each is a name (`rate * count`, `x.source`), coloured as one.
_OTHER_WORDS = tuple(
    w
    for w in KEYWORDS
    # `_` (the rest, in `case _`) is part of names elsewhere: left as written.
    if w
    not in (*_CONSTANTS, *_AGGREGATES, *_BEFORE_TEXT, "at", "stage", "policy", "import", "as", "_")
)
_NAME = r"(?!\d)\w+"
_BLANK = r"[ \t\r\n\f\u3000]+"


class PolicyLexer(RegexLexer):  # type: ignore[misc]  # Pygments has no type hints
    """The wuxin policy language (`.policy` files)."""

    name = "wuxin policy"
    aliases = ["policy", "wuxin", "wuxin-policy"]  # noqa: RUF012 - Pygments' own attributes
    filenames = ["*.policy"]  # noqa: RUF012
    mimetypes = ["text/x-wuxin-policy"]  # noqa: RUF012
    url = "https://github.com/wuxin-rules/wuxin_rules"

    tokens = {  # noqa: RUF012
        "root": [
            (_BLANK, Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"([^"\\\n]|\\["\\nt])*"', String.Double),
            (
                rf"(policy|import)({_BLANK})({_NAME}(?:\.{_NAME})*)",
                bygroups(Keyword.Namespace, Whitespace, Name.Namespace),
            ),
            (r"as\b", Keyword.Namespace),
            (
                rf"(rule|criterion|schedule|bands|decision)({_BLANK})({_NAME})",
                bygroups(Keyword.Declaration, Whitespace, Name.Function),
            ),
            (
                rf"(hit)((?:{_BLANK}(?:{'|'.join(_HIT_WORDS)}|any|rule|sum|min|max|count)\b)+)",
                bygroups(Keyword, Keyword.Pseudo),
            ),
            (
                rf"(enum|record)({_BLANK})({_NAME})",
                bygroups(Keyword.Declaration, Whitespace, Name.Class),
            ),
            (
                rf"(input|param|fixture)({_BLANK})({_NAME})",
                bygroups(Keyword.Declaration, Whitespace, Name.Variable),
            ),
            (rf"(stage)({_BLANK})({_NAME})", bygroups(Keyword, Whitespace, Name.Label)),
            (r"\d{4}-\d{2}-\d{2}\b", Number.Other),
            (r"\d+(\.\d+)?%", Number),
            (r"\d+\.\d+", Number.Float),
            (r"\d+", Number.Integer),
            # A name after `.` (a field) or before `:` (a field, a parameter, a binder) is a
            # name, whatever the word.
            (rf"(?<!\.)(\.)({_NAME})", bygroups(Punctuation, Name)),
            (rf"(?!(?:if|not|true|false|none)\b){_NAME}(?=[ \t]*:)", Name),
            (words(_CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (words(_AGGREGATES, suffix=rf"\b(?={_BLANK}of\b)"), Keyword),
            (rf"at\b(?={_BLANK}least\b)", Keyword),
            (words(_BEFORE_TEXT, suffix=r'\b(?=[ \t\r\n\f\u3000]*")'), Keyword),
            (r"(min|max)\b(?=[ \t]*\()", Name.Builtin),
            (words(_TYPES, suffix=r"\b(?!\s*\()"), Keyword.Type),
            (words(_OTHER_WORDS, suffix=r"\b"), Keyword),
            (words(BUILTIN_NAMES, suffix=r"\b"), Name.Builtin),
            (r"\.\.\.|\.\.<|\.\.|\?\?|==|!=|<=|>=|->|=>|\||[<>+\-*/=?]", Operator),
            # The readable notation of `wuxin doc` (≤, ×, ∈ …) in rule texts.
            (r"[≤≥≠×÷−∈]", Operator),
            (r"[()\[\]{},:.]", Punctuation),
            (_NAME, Name),
        ]
    }


def _short_class(token: _TokenType) -> str:
    while token not in STANDARD_TYPES and token.parent is not None:
        token = token.parent
    return str(STANDARD_TYPES.get(token, ""))


_LEXER = PolicyLexer()


def token_classes(text: str) -> list[str]:
    """The Pygments CSS class (`k`, `nb`, `o`, …; `""` for none, and for plain names) of
    every character of `text`, as `PolicyLexer` reads it."""
    classes = [""] * len(text)
    for index, token, value in _LEXER.get_tokens_unprocessed(text):
        if token in (Text, Whitespace, Name):
            continue  # plain names are not coloured: no span
        short = _short_class(token)
        classes[index : index + len(value)] = [short] * len(value)
    return classes


def style_css(selector: str, style: str = "friendly") -> str:
    """The CSS of a Pygments style for tokens inside `selector` (no background)."""
    rules = str(HtmlFormatter(style=style).get_style_defs(selector))
    kept = [
        line for line in rules.splitlines() if " .hll " not in line and "{ background" not in line
    ]
    # `wuxin doc` marks keywords and literals itself (`kw`, `lit`): the same colours.
    for line in list(kept):
        for short, own in ((" .k ", " .kw "), (" .m ", " .lit ")):
            if line.startswith(selector + short):
                kept.append(line.replace(short, own, 1))
    return "\n".join(kept) + "\n"
