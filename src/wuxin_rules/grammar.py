"""The language's grammar, loaded into Lark.

Owns the grammar text (shipped inside the package, loaded once through
`importlib.resources`), the Lark configuration (LALR(1), contextual lexer, propagated
positions, the lexer callbacks that collect comments and normalise names), the on-disk cache
of the analysed grammar, and the keywords read from it. Both the parser (`parser`) and the
diagnosis of syntax errors (`syntax_errors`) run this one Lark instance. Imports no package
module.
"""

from __future__ import annotations

import contextvars
import functools
import importlib.resources
import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lark import Lark, Token

# The language's limits and fixed words, which both readers (`direct_parser`, and Lark's
# through `tree_builder`) and the checker hold a text to.

HIT_POLICIES = ("unique", "any", "priority", "first", "rule order", "output order", "collect")
"""The hit policies of decision tables, as written after `hit`."""

COLLECT_AGGREGATORS = ("sum", "min", "max", "count")
"""What `hit collect` may add up the outputs with."""

MAX_NESTING = 100
"""Deepest expression nesting accepted. Deeper input gets a `too-deep` error instead of
exhausting Python's stack in the recursive passes that follow parsing."""

MAX_NUMBER_DIGITS = 1000
"""Longest number literal accepted, in digits (Python refuses to convert much longer ones)."""

MAX_SYNTAX_ERRORS = 20
"""Syntax errors reported for one text before giving up (the rest are likely knock-on)."""


@functools.cache
def grammar_text() -> str:
    """The grammar of the language, as shipped inside the package."""
    return (importlib.resources.files("wuxin_rules") / "wuxin.lark").read_text(encoding="utf-8")


@functools.cache
def lark_parser() -> Lark:
    """The language's LALR(1) parser, built once (its tables cached on disk, see
    `grammar_cache_path`). Lark is imported here, not with the module: a text the direct
    reader (`direct_parser`) reads never needs it."""
    from lark import Lark

    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        start=["start", "expr"],
        lexer_callbacks={"COMMENT": _collect_comment, "NAME": _normal_name},
        cache=grammar_cache_path() or False,
    )


comment_sink: contextvars.ContextVar[list[Token] | None] = contextvars.ContextVar(
    "wuxincomment_sink", default=None
)
"""Where the lexer puts the comments it skips, while `parse_with_comments` runs."""


def _collect_comment(token: Token) -> Token:
    sink = comment_sink.get()
    if sink is not None:
        sink.append(token)
    return token


def _normal_name(token: Token) -> Token:
    """A name in Unicode normal form C: a decomposed `é` (`e` and a combining accent) and the
    precomposed `é` are one name, whichever the author's keyboard typed. Not NFKC: `ﬁle` and
    `file` stay two names (the checker warns that they look alike)."""
    if token.isascii():
        return token
    from lark import Token

    normal = unicodedata.normalize("NFC", token)
    return token if normal == token else Token.new_borrow_pos("NAME", normal, token)


CACHE_VARIABLE = "WUXIN_RULES_CACHE"
"""Environment variable: the folder for the grammar cache, or `off` to build it every time."""


def grammar_cache_path() -> str | None:
    """Where Lark keeps the analysed grammar between runs (None: no cache).

    Building the LALR tables costs most of a start-up (docs/performance.md); Lark stores the
    result, keyed by a hash of the grammar, the options, Lark's and Python's versions, and
    rebuilds on any mismatch or unreadable file. The file lives in the user's cache folder
    (`$WUXIN_RULES_CACHE`, else `$XDG_CACHE_HOME/wuxin_rules` or `~/.cache/wuxin_rules`,
    `%LOCALAPPDATA%\\wuxin_rules` on Windows), which only the user can write: it is loaded with
    pickle, so it must not live anywhere others can write (such as the shared temp folder
    Lark uses by default).
    """
    import hashlib
    import os
    import sys
    from pathlib import Path

    folder = os.environ.get(CACHE_VARIABLE)
    if folder is not None and folder.strip().lower() in ("", "off", "0", "no", "false"):
        return None
    if not folder:
        if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
            base = Path(os.environ["LOCALAPPDATA"])
        else:
            base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        folder = str(base / "wuxin_rules")
    try:
        Path(folder).mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    from lark import __version__ as lark_version

    key = f"{grammar_text()}\0{lark_version}\0{sys.version_info[:2]}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return str(Path(folder) / f"grammar-{digest}.lark")


@functools.cache
def keyword_types() -> dict[str, str]:
    """Terminal name → word, for every keyword of the language (`RULE` → `rule`)."""
    words = {}
    for terminal in lark_parser().terminals:
        pattern = terminal.pattern
        if pattern.type == "str" and pattern.value.isidentifier():
            words[terminal.name] = pattern.value
    return words


@functools.cache
def keywords() -> frozenset[str]:
    """Every keyword of the language: the words of `keyword_types`, read from the grammar's
    text without Lark (the direct reader needs them for every text, and loading Lark's
    parser, even from its cache, costs more than reading most policies)."""
    return keywords_in(grammar_text())


_GRAMMAR_PIECE = re.compile(
    r"""
    (?P<head>^[?!]?(?P<name>[A-Za-z_]\w*)(?:\.-?[0-9]+)?[ \t]*:)
  | (?P<directive>^%[^\n]*)
  | (?P<comment>//[^\n]*)
  | (?P<string>"(?P<word>(?:[^"\\\n]|\\.)*)"i?)
  | (?P<regex>/(?:[^/\\\n]|\\.)+/[imslux]*)
  | (?P<other>\S)
    """,
    re.MULTILINE | re.VERBOSE,
)


def keywords_in(grammar: str) -> frozenset[str]:
    """The words Lark makes keyword terminals of in a grammar's text: each string in a rule,
    and a terminal defined as one string alone (`MOD: "mod"`; not `"a" | "b"`, a pattern).
    tests/test_grammar.py holds this to Lark's own terminals of the language's grammar."""
    words: set[str] = set()
    terminal = False
    body: list[re.Match[str]] = []

    def close() -> None:
        strings = [piece["word"] for piece in body if piece.lastgroup == "string"]
        if terminal:
            if len(body) == 1 and strings and strings[0].isidentifier():
                words.add(strings[0])
        else:
            words.update(word for word in strings if word.isidentifier())

    for piece in _GRAMMAR_PIECE.finditer(grammar):
        kind = piece.lastgroup
        if kind == "head" or kind == "directive":
            close()
            name = piece["name"] or ""
            terminal = kind == "head" and name.lstrip("_")[:1].isupper()
            body = []
        elif kind != "comment":
            body.append(piece)
    close()
    return frozenset(words)


RESERVED_NAMES = frozenset(("if", "not", "true", "false", "none", "match"))
"""The keywords that can never be names: each may begin a value wherever a value may stand
(`if … then …`, `match … :`, `not x`, the literals), so a value named so could not be told from it. Every
other keyword is contextual: a name wherever the grammar does not expect that keyword (`rate`,
`count`, `source`, `stage`, `property`, `of`, …); the aggregate words and `at` are names
as values too unless an `of` (`least`) follows."""

DECLARATION_WORDS = frozenset((
    "import", "enum", "record", "input", "param", "criterion", "rule", "schedule", "bands",
    "example", "property", "fixture",
))  # fmt: skip
"""The keywords that start a declaration: where one may come next, they are keywords."""

AFTER_FIELD = DECLARATION_WORDS | {"fixed", "cites", "note"}
"""The keywords that may follow a record's field, where the next field's name may too: a
field cannot be named so (the lexer reads the word as the keyword there)."""


def refused_name(word: str, role: str) -> str | None:
    """Why `word` cannot be declared as a name of `role` (`"name"`, `"type"` for a record or
    an enum, `"field"` for a record's field); None when it can."""
    if word in RESERVED_NAMES:
        return "value"
    if role == "type" and word == "list":
        return "type"
    if role == "field" and word in AFTER_FIELD:
        return "field"
    return None
