"""From policy text to the surface AST.

Owns loading the grammar (shipped inside the package, loaded once through
`importlib.resources`), the Lark configuration (LALR(1), contextual lexer, propagated
positions), the transformer from Lark's concrete tree to `wuxin_rules.ast`, the limits that
keep later recursive passes safe (`MAX_NESTING`), and the translation of Lark's errors into
`PolicySyntaxError` diagnostics an author can act on: what was expected in the language's
words, a fix for the common slips (a table of labelled example errors matched with Lark's
`match_examples`, and a few predicates), and several errors per file by resynchronising at
the next line that starts a declaration. The only module that imports lark. May import
`source`, `errors` and `ast`.
"""

from __future__ import annotations

import contextvars
import datetime
import difflib
import functools
import importlib.resources
import re
import unicodedata
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any, NamedTuple, NoReturn, TypeVar

import attrs
from lark import Lark, Token, Tree
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)
from lark.parsers.lalr_analysis import Shift
from lark.visitors import Transformer_NonRecursive

from wuxin_rules import ast, characters
from wuxin_rules.errors import Diagnostic, Label, PolicySyntaxError, Severity, suggest
from wuxin_rules.source import Source, Span
from wuxin_rules.wording import Wording

# `KEYWORDS` is computed from the grammar on first use (module `__getattr__`), so that importing
# the parser does not build it.
__all__ = [  # noqa: F822
    "KEYWORDS", "MAX_NESTING", "grammar_text", "parse", "parse_expression", "parse_with_comments",
]  # fmt: skip

MAX_NESTING = 100
"""Deepest expression nesting accepted. Deeper input gets a `too-deep` error instead of
exhausting Python's stack in the recursive passes that follow parsing."""

MAX_SOURCE_CHARS = 5_000_000
"""Largest policy text accepted (a policy is written by people; 5 MB is far beyond that)."""

MAX_SYNTAX_ERRORS = 20
"""Syntax errors reported for one text before giving up (the rest are likely knock-on)."""

MAX_NUMBER_DIGITS = 1000
"""Longest number literal accepted, in digits (Python refuses to convert much longer ones)."""


@functools.cache
def grammar_text() -> str:
    """The grammar of the language, as shipped inside the package."""
    return (importlib.resources.files("wuxin_rules") / "wuxin.lark").read_text(encoding="utf-8")


@functools.cache
def _lark() -> Lark:
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


_comment_sink: contextvars.ContextVar[list[Token] | None] = contextvars.ContextVar(
    "wuxin_comment_sink", default=None
)
"""Where the lexer puts the comments it skips, while `parse_with_comments` runs."""


def _collect_comment(token: Token) -> Token:
    sink = _comment_sink.get()
    if sink is not None:
        sink.append(token)
    return token


def _normal_name(token: Token) -> Token:
    """A name in Unicode normal form C: a decomposed `é` (`e` and a combining accent) and the
    precomposed `é` are one name, whichever the author's keyboard typed. Not NFKC: `ﬁle` and
    `file` stay two names (the checker warns that they look alike)."""
    if token.isascii():
        return token
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
def _keyword_types() -> dict[str, str]:
    """Terminal name → word, for every keyword of the language (`RULE` → `rule`)."""
    words = {}
    for terminal in _lark().terminals:
        pattern = terminal.pattern
        if pattern.type == "str" and pattern.value.isidentifier():
            words[terminal.name] = pattern.value
    return words


@functools.cache
def _keywords() -> frozenset[str]:
    return frozenset(_keyword_types().values())


def __getattr__(name: str) -> Any:
    if name == "KEYWORDS":
        return _keywords()
    raise AttributeError(name)


# ------------------------------------------------------------------------------------------
# Public entry points


def parse(text: str, name: str = "<string>") -> ast.Module:
    """Parse the text of one `.policy` file.

    Raises `PolicySyntaxError` with located diagnostics when the text does not follow the
    grammar (every syntax error found, up to `MAX_SYNTAX_ERRORS`) or nests expressions deeper
    than `MAX_NESTING`.
    """
    if len(text) <= _CACHED_TEXT_CHARS:
        return _parse_cached(text, name)
    return _parse(Source(name, text), "start")  # type: ignore[no-any-return]


_CACHED_TEXT_CHARS = 200_000
"""Texts up to this size are parsed once per process (`wuxin check policies/` loads every
file as a root, and each again as an import of the others); the AST is immutable, so the
modules can be shared."""


@functools.lru_cache(maxsize=256)
def _parse_cached(text: str, name: str) -> ast.Module:
    return _parse(Source(name, text), "start")  # type: ignore[no-any-return]


def parse_with_comments(text: str, name: str = "<string>") -> tuple[ast.Module, tuple[Span, ...]]:
    """Parse like `parse`, and also return the span of every comment, in order.

    The AST has no place for comments (they mean nothing to the engine); the formatter
    needs them to keep each where its author put it.
    """
    source = Source(name, text)
    sink: list[Token] = []
    reset = _comment_sink.set(sink)
    try:
        module = _parse(source, "start")
    finally:
        _comment_sink.reset(reset)
    starts = sorted({token.start_pos or 0: token for token in sink}.items())
    comments = tuple(Span(source, start, start + len(token)) for start, token in starts)
    return module, comments


def parse_expression(text: str, name: str = "<expression>") -> ast.Expr:
    """Parse a single expression (used for `--param` values and tests)."""
    source = Source(name, text)
    return _parse(source, "expr")  # type: ignore[no-any-return]


def _parse(source: Source, start: str) -> Any:
    if len(source.text) > MAX_SOURCE_CHARS:
        raise PolicySyntaxError(
            Diagnostic(
                "too-large",
                f"policy text is {len(source.text):,} characters long, more than the "
                f"{MAX_SOURCE_CHARS:,} accepted",
                span=Span(source, 0, 0),
                help="split the policy into modules and `import` them",
            )
        )
    tree, diagnostics = _parse_tree(source, start)
    if diagnostics:
        # Names that look wrong often explain the syntax error beside them: show both.
        raise PolicySyntaxError(_in_order([*diagnostics, *characters.name_warnings(source)]))
    builder = _AstBuilder(source)
    try:
        result = builder.transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, PolicySyntaxError):
            raise PolicySyntaxError((*builder.diagnostics, *error.orig_exc.diagnostics)) from None
        raise
    if builder.diagnostics:
        raise PolicySyntaxError(builder.diagnostics)
    return result


# ------------------------------------------------------------------------------------------
# Running Lark, and resynchronising after an error
#
# The parser is driven token by token (Lark's interactive parser), so that when it stops we
# know the state it was in *before* the offending token (Lark has already reduced on it by
# the time it complains), the tokens before it, and the unfinished constructs on its stack.
# After an error, parsing starts again at the next line that begins with a declaration
# keyword: the text before it is replaced by spaces, so offsets do not move.

_DECLARATION_WORDS = (
    "import", "enum", "record", "input", "param", "criterion", "rule",
    "schedule", "bands", "example", "property", "fixture",
)  # fmt: skip
_DECLARATION_SET = frozenset(_DECLARATION_WORDS)
_DECLARATION_TYPES = frozenset(word.upper() for word in _DECLARATION_WORDS)
# A line that starts a declaration: a declaration keyword, or a word followed by a name that
# looks like a misspelt keyword (`rul a: 1`), so that a misspelling does not hide the rest.
_RESYNC = re.compile(r"^[ \t\f\u3000]*(\w+)([ \t\u3000]+\w)?", re.MULTILINE)
_BLANK = " \t\r\n\f\u3000"


class _Site(NamedTuple):
    """Where and how parsing stopped: the material every syntax diagnostic is made from."""

    text: str
    start: str  # the grammar's start rule: `start` (a file) or `expr`
    token: Token | None  # the offending token; None when no token could be read at all
    offset: int  # where it happened
    stack: tuple[int, ...]  # LR states before the offending token
    values: tuple[Any, ...]  # the parser's value stack: tokens of unfinished constructs
    previous: Token | None  # the last token the parser accepted


def _starts_line(text: str, offset: int) -> bool:
    line_start = text.rfind("\n", 0, offset) + 1
    return not text[line_start:offset].strip(_BLANK)


def _is_declaration_line(token: Token, text: str) -> bool:
    """A declaration keyword at the start of its line, whether lexed as a keyword or a name."""
    return (
        str(token) in _DECLARATION_WORDS
        and token.start_pos is not None
        and _starts_line(text, token.start_pos)
    )


def _as_keyword(token: Token) -> Token:
    """`token` with its keyword type (`rule` lexed as a name becomes the keyword `rule`)."""
    return Token(str(token).upper(), str(token), token.start_pos, token.line, token.column,
                 token.end_line, token.end_column, token.end_pos)  # fmt: skip


def _run(text: str, start: str) -> tuple[Any, _Site | None]:
    """Parse `text` from `start`: the tree, or the site of the first error."""
    parser = _lark().parse_interactive(text, start=start)
    state = parser.parser_state
    current: Token | None = None  # the token being fed
    previous: Token | None = None  # the last token accepted
    # A declaration keyword at the start of a line, lexed as a name because the keyword
    # cannot stand there (`rule a:` followed by `rule b: 1`): the unfinished construct
    # before it is the real error, reported at the keyword if parsing fails right after it.
    keyword_site: tuple[Token, tuple[int, ...], Token | None] | None = None
    try:
        for token in parser.iter_parse():  # yields each token before feeding it
            previous, current = current, token
            if (
                token in _DECLARATION_SET
                and token.type == "NAME"
                and _is_declaration_line(token, text)
            ):
                keyword_site = (token, tuple(state.state_stack), previous)
            elif keyword_site is not None and keyword_site[0] is not previous:
                keyword_site = None
        previous, current = current, None
        eof = (
            Token.new_borrow_pos("$END", "", previous)
            if previous is not None
            else Token("$END", "", 0, 1, 1, 1, 1, 0)
        )
        return parser.feed_token(eof), None
    except UnexpectedInput as error:
        failed_token = getattr(error, "token", None)
        if failed_token is not None and (failed_token is current or failed_token.type == "$END"):
            # Lark reduced on the bad token before giving up: the state before it is needed.
            stack = _state_before(text, start, failed_token)
        else:
            previous = current if current is not None else previous
            stack = tuple(state.state_stack)
        bad: Token | None  # the offending token (None: a character no token starts with)
        offset: int
        if isinstance(error, UnexpectedCharacters):
            bad, offset = None, error.pos_in_stream or 0
        else:
            bad = failed_token if isinstance(failed_token, Token) else None
            offset = _token_offset(text, bad, previous)
        if keyword_site is not None and (keyword_site[0] is previous or keyword_site[0] is bad):
            keyword, stack, previous = keyword_site
            bad, offset = _as_keyword(keyword), keyword.start_pos or 0
        elif bad is not None and bad.type == "NAME" and _is_declaration_line(bad, text):
            bad = _as_keyword(bad)
        values = tuple(state.value_stack)
        return None, _Site(text, start, bad, offset, stack, values, previous)


def _state_before(text: str, start: str, failed: Token) -> tuple[int, ...]:
    """The LR states just before `failed` was fed. Parsing again up to it costs nothing on
    valid input, where saving the states at every token would."""
    parser = _lark().parse_interactive(text, start=start)
    state = parser.parser_state
    if failed.type != "$END":
        for token in parser.iter_parse():
            if token.start_pos == failed.start_pos and token.type == failed.type:
                break
    else:
        for _ in parser.iter_parse():
            pass
    return tuple(state.state_stack)


def _token_offset(text: str, token: Token | None, previous: Token | None) -> int:
    if token is None or token.type == "$END":
        # Lark gives the end of input the position of the last token (or none at all): the
        # end of the input is right after the last token, before trailing blanks and comments.
        if previous is not None and previous.end_pos is not None:
            return previous.end_pos
        return len(text.rstrip(_BLANK))
    return token.start_pos if token.start_pos is not None else len(text)


def _parse_tree(source: Source, start: str) -> tuple[Any, list[Diagnostic]]:
    """The concrete tree, or every syntax error found (resynchronising between them)."""
    text = source.text
    if text.startswith("\ufeff"):
        text = " " + text[1:]  # a byte-order mark some editors write: blank, offsets kept
    # Full-width punctuation and digits are reported all at once, then parsed as their
    # half-width forms, so that the errors that remain are found too.
    screened = characters.screen(source, text)
    text = screened.text
    resume = 0
    found = [*screened.errors, *characters.name_errors(source, text)]
    diagnostics: list[Diagnostic] = _in_order(found)[:MAX_SYNTAX_ERRORS]
    seen = {(d.code, d.span.start if d.span else -1, d.message) for d in diagnostics}
    if len(found) >= MAX_SYNTAX_ERRORS:
        # A file typed in full width throughout: its first errors say enough.
        return None, [*diagnostics, _too_many_errors()]
    if not diagnostics:
        # Most texts parse: Lark's own loop is faster than feeding it token by token, which
        # only the diagnosis of an error needs (then the text is parsed again, below).
        try:
            return _lark().parse(text, start=start), diagnostics
        except UnexpectedInput:
            pass
    while True:
        tree, site = _run(text if resume == 0 else " " * resume + text[resume:], start)
        if site is None:
            return tree, diagnostics
        diagnostic = _diagnose(source, site)
        key = (
            diagnostic.code,
            diagnostic.span.start if diagnostic.span else -1,
            diagnostic.message,
        )
        if key not in seen:
            seen.add(key)
            diagnostics.append(diagnostic)
        if len(diagnostics) >= MAX_SYNTAX_ERRORS:
            diagnostics.append(_too_many_errors())
            return None, diagnostics
        next_resume = _resume_offset(site, resume)
        if next_resume is None:
            return None, diagnostics
        resume = next_resume


def _too_many_errors() -> Diagnostic:
    return Diagnostic(
        "too-many-errors",
        f"stopped after {MAX_SYNTAX_ERRORS} syntax errors",
        severity=Severity.NOTE,
        help="fix these and run again to see the rest",
    )


def _in_order(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """By position in the text; those without a place (`too-many-errors`) last."""
    return sorted(diagnostics, key=lambda d: (d.span is None, d.span.start if d.span else 0))


def _resume_offset(site: _Site, resume: int) -> int | None:
    """Where to start parsing again after an error: the next declaration line after the
    start of the declaration that failed. Always past `resume`, so the loop ends."""
    if site.start != "start" or (site.token is not None and site.token.type == "$END"):
        return None
    failed_at = site.offset
    for value in reversed(site.values):
        if isinstance(value, Token) and (
            value.type in _DECLARATION_TYPES or value.type == "POLICY"
        ):
            failed_at = value.start_pos if value.start_pos is not None else failed_at
            break
    failed_at = max(failed_at, resume)
    token = site.token
    if token is not None and token.type != "$END" and _starts_line(site.text, site.offset):
        line_start = site.text.rfind("\n", 0, site.offset) + 1
        if token.type in _DECLARATION_TYPES and line_start > resume:
            return line_start  # a declaration starts here, after an unfinished one
        # The error is the first word of its line: a new declaration was expected there.
        failed_at = max(failed_at, site.offset)
    for match in _RESYNC.finditer(site.text, failed_at + 1):
        if match.start() > failed_at and _starts_declaration(match):
            return match.start()
    return None


def _starts_declaration(match: re.Match[str]) -> bool:
    word = match.group(1)
    if word in _DECLARATION_WORDS:
        return True
    return match.group(2) is not None and any(
        difflib.SequenceMatcher(None, word.lower(), keyword).ratio() >= 0.8
        for keyword in _DECLARATION_WORDS
    )


# ------------------------------------------------------------------------------------------
# Describing what the parser expected, in the author's words


def _accepts(stack: tuple[int, ...]) -> frozenset[str]:
    """The terminals the parser would accept in the state `stack`.

    Unlike the terminals of the state's action table (which an LALR parser may list and then
    reject after reducing), only those that reach a shift or the end. Works on the states
    alone, never copying parse trees.
    """
    conf = _lark().parser.parser.parser.parse_table
    states, end_states = conf.states, conf.end_states
    accepted = set()
    for terminal in states[stack[-1]]:
        if not terminal.isupper():
            continue
        simulated = list(stack)
        for _ in range(10_000):  # reductions are bounded by the stack; this is a safety net
            action = states[simulated[-1]].get(terminal)
            if action is None:
                break
            kind, argument = action
            if kind is Shift:
                accepted.add(terminal)
                break
            size = len(argument.expansion)
            if size:
                del simulated[-size:]
            goto = states[simulated[-1]].get(argument.origin.name)
            if goto is None:
                break
            simulated.append(goto[1])
            if terminal == "$END" and simulated[-1] in end_states.values():
                accepted.add(terminal)
                break
    return frozenset(accepted)


_EXPRESSION_STARTS = frozenset({
    "NAME", "INT", "DECIMAL", "PERCENT", "STRING", "DATE", "TRUE", "FALSE", "NONE",
    "LPAR", "LSQB", "LBRACE", "MINUS", "NOT", "IF", "COUNT", "SUM", "MIN", "MAX",
    "ALL", "ANY", "RATE", "LIST", "AT",
})  # fmt: skip
_OPERATOR_TEXTS = ("+", "-", "*", "/", "and", "or", "is", "in", "not", "??", ".", "(", "[")


@functools.cache
def _operators() -> frozenset[str]:
    """The terminals that can follow a complete operand (by text: Lark numbers anonymous
    terminals such as `??` in the order it meets them)."""
    names = {
        t.name
        for t in _lark().terminals
        if t.pattern.type == "str" and t.pattern.value in _OPERATOR_TEXTS
    }
    return frozenset(names | {"COMPARE_OP"})


_PHRASES = {
    "NAME": "a name",
    "STRING": 'a text ("…")',
    "INT": "a whole number",
    "DECIMAL": "a decimal number",
    "PERCENT": "a percentage",
    "DATE": "a date (YYYY-MM-DD)",
    "COMPARE_OP": "a comparison (`==`, `<`, …)",
    "MONOTONE_DIRECTION": "`nondecreasing` or `nonincreasing`",
}
_BRACKETS = {"LPAR": ("(", ")", "RPAR"), "LSQB": ("[", "]", "RSQB"), "LBRACE": ("{", "}", "RBRACE")}
_CLOSERS = {"RPAR": ")", "RSQB": "]", "RBRACE": "}"}


def _is_expression_group(accepts: Iterable[str]) -> bool:
    return {"NAME", "INT", "LPAR"} <= set(accepts)


def _is_operator_group(accepts: Iterable[str]) -> bool:
    return {"PLUS", "STAR"} <= set(accepts)


def _is_declaration_group(accepts: Iterable[str]) -> bool:
    return {"RULE", "PARAM", "INPUT"} <= set(accepts)


def _expected_words(accepts: Iterable[str], start: str) -> str:
    """`a`, `a or b`, `a, b or c`: what the parser accepted, grouped into the language's terms."""
    # A translation (`en "…"`) is never what a writer forgot: leave it out of the list.
    names = set(accepts) - {"LANG_TAG"}
    phrases = []
    if _is_expression_group(names):
        names -= _EXPRESSION_STARTS
        phrases.append("an expression")
    if _is_operator_group(names):
        names -= _operators()
        phrases.append("an operator")
    if {"COMPARE_OP", "INT", "DECIMAL", "PERCENT"} <= names and not _is_expression_group(names):
        names -= {"COMPARE_OP", "INT", "DECIMAL", "PERCENT", "MINUS"}
        phrases.append("a bound (`>= 0`, `0 .. 10`)")
    if {"LIST", "NAME"} <= names and not _is_expression_group(names):
        names -= {"LIST", "NAME"}
        phrases.append("a type")
    if _is_declaration_group(names):
        names -= _DECLARATION_TYPES | {"POLICY", "$END"}
        phrases.append("a declaration")
    literal = []
    for name in sorted(names):
        if name in _PHRASES:
            phrases.append(_PHRASES[name])
        elif name == "$END":
            phrases.append(_end_words(start))
        else:
            literal.append(_terminal_text(name))
    # Punctuation first, then keywords, then the phrases.
    literal.sort(key=lambda text: (text.isidentifier(), text))
    words = [f"`{text}`" for text in literal] + phrases
    if not words:
        return "nothing more"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


@functools.cache
def _terminal_text(name: str) -> str:
    try:
        terminal = _lark().get_terminal(name)
    except KeyError:
        return name.lower()
    if terminal.pattern.type == "str":
        return str(terminal.pattern.value)
    return name.lower()


def _end_words(start: str) -> str:
    return "the end of the file" if start == "start" else "the end of the expression"


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _found(site: _Site) -> str:
    token = site.token
    if token is None:
        return "nothing"
    if token.type == "$END":
        return _end_words(site.start)
    if str(token) in _keywords():
        return f"the keyword `{token}`"
    return f"`{_shorten(str(token))}`"


# ------------------------------------------------------------------------------------------
# Common slips, recognised by the parser state they leave behind
#
# Each entry is matched with Lark's `UnexpectedInput.match_examples`: an error matches an
# entry when parsing one of its examples stops in the same LR state (and, to choose between
# entries of the same state, with a token of the same type). States are compared by number
# only, so an example matches wherever the construct appears in a file. `tests/test_parser.py`
# checks every example. Message and help are templates: `{prev}` is the last good token,
# `{found}` the offending one, `{want}` the one keyword the parser accepted, `{body}` where
# the colon of the declaration being parsed goes, `{construct}` what a reserved word starts.
# Because LALR states are shared between constructs, a matched slip is used only when its
# premise holds (`_slip_applies`), and its text is worded from the context.


class _Slip(NamedTuple):
    """One entry of the table: a diagnostic and the malformed examples that identify it."""

    code: str
    message: str
    help: str
    examples: tuple[str, ...]
    requires: str = ""  # a terminal the parser must accept for the slip to apply
    point: str = "gap"  # the gap after the last good token (where the fix goes), or the
    # offending `token`, or the `previous` token
    any_token: bool = False  # applies whatever the offending token (else: one of the
    # examples must stop on a token of the same type)


_AGGREGATE_KINDS = ("count", "sum", "all", "any", "rate", "list")
_HEADERS = (
    "rule a", 'rule a "x"', 'rule a cites "c"', 'rule a cites "c", "d"', 'rule a note "n"',
    "rule a(x: int)", "rule a -> int?", 'rule a "x" -> list of int?',
    "criterion a", 'criterion a "x"', 'criterion a cites "c"', 'criterion a note "n"',
    "criterion a(x: int)",
)  # fmt: skip
_BODIES = ("1", "x", "[x]", "not x", "-x", "if x then 1 else 2", "true", "{a: 1}", "2.5")

SLIPS: tuple[_Slip, ...] = (
    _Slip(
        "reserved-word",
        "`{prev}` is a reserved word",
        "`{prev}` starts {construct}; a value cannot be named `{prev}`: rename it",
        (*(f"rule a: {kind} + 1" for kind in _AGGREGATE_KINDS), "rule a: at + 1"),
        point="previous",
        any_token=True,
    ),
    _Slip(
        "missing-keyword",
        "missing `{want}` after `{prev}`",
        "write `{prev} {want} …`",
        (
            *(f"rule a: {kind} u in xs" for kind in _AGGREGATE_KINDS),
            *(f"rule a: {kind} [x]" for kind in ("all", "any")),
            "rule a: at 2 of [x]",
        ),
    ),
    _Slip(
        "unparenthesised-aggregate",
        "an aggregate inside a larger expression needs parentheses",
        "put the whole aggregate in parentheses, as in `x <= (count of u in list where …)`",
        ("rule a: 1 + count of u in xs", "rule a: x <= sum of u in xs: u",
         "rule a: not all of u in xs: u"),
        requires="LSQB",
        point="token",
    ),
    _Slip(
        "missing-colon",
        "expected `:` {body}, found `=`",
        "write `:` instead of `=`",
        (*(f"{header} = 1" for header in _HEADERS), "enum K = a", 'record R "x" = a: int'),
        requires="COLON",
        point="token",
    ),
    _Slip(
        "missing-colon",
        "missing `:` {body}",
        "add `:` after `{prev}`",
        (
            *(f"{header} {body}" for header in _HEADERS for body in _BODIES),
            *(f"{kind} K{clause} a" for kind in ("enum", "record")
              for clause in ("", ' "x"', ' cites "c"', ' note "n"')),
            "bands g over 0 .. 100\n  0 .. 100 ok", "bands g over 0 ..< 100\n  0 .. 100 ok",
        ),
        requires="COLON",
    ),
    _Slip(
        "missing-colon",
        "missing `:` between `{prev}` and its type",
        "write `{prev}: type`",
        (
            "input x int", "param p int = 1", "record R:\n  a int", "record R:\n  a: int\n  b int",
            "rule f(x int): 1", "rule f(x: int, y int): 1",
            'property "p": forall x int holds true', "input x list of int",
        ),
        requires="COLON",
    ),
    _Slip(
        "missing-colon",
        "missing `:` after the field name `{prev}`",
        "write `{prev}: value`",
        (*(f"rule r: {{a {body}}}" for body in _BODIES), *(f"rule r: {{a: 1, b {body}}}" for body in _BODIES)),
        requires="COLON",
    ),
    _Slip(
        "missing-type",
        "the param `{prev}` has no type",
        "write `param {prev}: type = value`, for example `param {prev}: int = 1`",
        ("param p = 1",),
        requires="COLON",
        point="token",
    ),
    _Slip(
        "missing-equals",
        "missing `=` after `given {prev}`",
        "write `given {prev} = value`",
        tuple(f'example "e":\n  given x {body}\n  expect x' for body in _BODIES),
        requires="EQUAL",
    ),
)  # fmt: skip
"""The table of common slips (see above); `tests/test_parser.py` checks every example."""

_COLON_PLACES = {
    "rule": "before the rule's expression",
    "criterion": "before the criterion's expression",
    "enum": "before the enum's members",
    "record": "before the record's fields",
    "bands": "before the bands",
}
"""Where the `:` of a declaration's header goes, by the declaration's keyword. Declarations
with several colons (schedules, examples, properties) say `after …` instead."""

_CONSTRUCTS = {
    "count": "an aggregate (`count of x in list where …`)",
    "sum": "an aggregate (`sum of x in list: …`)",
    "rate": "an aggregate (`rate of x in list: …`)",
    "list": "an aggregate (`list of x in list: …`) or a type (`list of T`)",
    "all": "a composition (`all of [...]`) or an aggregate (`all of x in list: …`)",
    "any": "a composition (`any of [...]`) or an aggregate (`any of x in list: …`)",
    "at": "a composition (`at least N of [...]`)",
}


@functools.cache
def _example_site(text: str) -> _Site | None:
    return _run(text, "start")[1]


def _raise_example_error(text: str) -> NoReturn:
    """The parse function given to `match_examples`: the example's error, state by number."""
    site = _example_site(text)
    if site is None or site.token is None:
        raise AssertionError(f"the slip example {text!r} does not stop at a token")
    raise _state_error(site)


def _state_error(site: _Site) -> UnexpectedToken:
    # `match_examples` compares `state`; Lark's own state object also compares the depth of
    # the stack, which would tie an example to its nesting. The state number alone does not.
    assert site.token is not None
    return UnexpectedToken(site.token, set(), state=site.stack[-1])  # type: ignore[no-untyped-call]


def _match_slip(site: _Site) -> _Slip | None:
    if site.token is None:
        return None
    label: _Slip | None = _state_error(site).match_examples(
        _raise_example_error,
        [(slip, slip.examples) for slip in SLIPS],
        token_type_match_fallback=True,
        use_accepts=False,
    )
    return label


# ------------------------------------------------------------------------------------------
# From a site to a diagnostic

_FULL_WIDTH = {
    "“": '"', "”": '"', "、": ",", "。": ".", "【": "[", "】": "]", "〔": "(", "〕": ")",
    "《": "<", "》": ">", "—": "-",
}  # fmt: skip
_CHARACTER_HELP = {
    "&": "write `and` to combine two conditions",
    "|": "write `or` for either of two conditions",
    "!": "write `not` to negate a condition, or `!=` to compare",
    ";": "a declaration needs no `;`: remove it",
    "%": "write the percent sign right after the number, as in `50%`",
    "'": 'texts are written in double quotes: `"…"`',
    "\\": "a backslash can only appear inside a text",
}


def _full_width_fix(char: str) -> str | None:
    if "\uff01" <= char <= "\uff5e":
        return chr(ord(char) - 0xFEE0)
    return _FULL_WIDTH.get(char)


def _diagnose(source: Source, site: _Site) -> Diagnostic:
    if site.token is None:
        return _diagnose_character(source, site)
    return _diagnose_token(source, site)


def _diagnose_character(source: Source, site: _Site) -> Diagnostic:
    text, offset = source.text, site.offset
    char = text[offset] if offset < len(text) else ""
    span = Span(source, offset, offset + 1)
    full_width = characters.full_width_diagnostic(span, char)
    if full_width is not None:
        return full_width
    fix = _full_width_fix(char)
    if fix is not None:
        return Diagnostic(
            "full-width-character",
            f"full-width `{char}` outside a text",
            span=span,
            help=f"type the half-width `{fix}` instead (switch the input method to English)",
        )
    if "０" <= char <= "９" or (char.isdigit() and not char.isascii()):
        return Diagnostic(
            "full-width-character",
            f"`{char}` is not an ASCII digit",
            span=span,
            help=f"numbers are written with the digits 0-9: type `{unicodedata.digit(char, '0')}`",
        )
    if char in "'‘’":
        line_end = text.find("\n", offset)
        line_end = len(text) if line_end < 0 else line_end
        closing = next((i for i in range(offset + 1, line_end) if text[i] in "'‘’"), None)
        end = closing + 1 if closing is not None else offset + 1
        return Diagnostic(
            "single-quoted-text",
            "texts are written in double quotes",
            span=Span(source, offset, end),
            help=f'write `"{text[offset + 1 : closing]}"`'
            if closing is not None and closing - offset <= 40
            else "write `\"…\"` instead of `'…'`",
        )
    if char == '"':
        return _diagnose_text(source, offset)
    expected = _expected_words(_accepts(site.stack), site.start)
    shown = f"`{char}`" if char.isprintable() and not char.isspace() else _character_name(char)
    help_text = _CHARACTER_HELP.get(char)
    if help_text is None and unicodedata.category(char) in ("Zs",):
        help_text = "replace it with an ordinary space"
    elif help_text is None and not char.isprintable():
        help_text = "remove the invisible character"
    return Diagnostic(
        "unexpected-character",
        f"unexpected character {shown}",
        span=span,
        notes=(f"expected {expected}",),
        help=help_text,
    )


def _character_name(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name.lower()})" if name else "")


def _diagnose_text(source: Source, offset: int) -> Diagnostic:
    """A `"` that does not start a valid text: unclosed on its line, or a bad escape."""
    text = source.text
    line_end = text.find("\n", offset)
    line_end = len(text) if line_end < 0 else line_end
    index = offset + 1
    while index < line_end:
        char = text[index]
        if char == '"':
            break
        if char == "\\":
            escaped = text[index + 1] if index + 1 < line_end else ""
            if escaped not in ('"', "\\", "n", "t"):
                return Diagnostic(
                    "bad-escape",
                    f"`\\{escaped}` is not an escape a text can contain"
                    if escaped
                    else "a text cannot end with `\\`",
                    span=Span(source, index, min(index + 2, line_end)),
                    help='write `\\\\` for a backslash; the escapes are `\\"`, `\\\\`, `\\n` and `\\t`',
                )
            index += 2
            continue
        index += 1
    return Diagnostic(
        "unterminated-text",
        "text is not closed",
        span=Span(source, offset, line_end),
        help='close the text with `"` on the same line (a text cannot span lines)',
    )


def _token_span(source: Source, site: _Site) -> Span:
    token = site.token
    if token is None or token.type == "$END" or token.end_pos is None:
        return Span(source, site.offset, site.offset)
    return Span(source, site.offset, token.end_pos)


def _gap_span(source: Source, site: _Site) -> Span:
    """The empty span right after the last good token: where a missing `:` or `,` goes."""
    previous = site.previous
    if previous is None or previous.end_pos is None:
        return _token_span(source, site)
    return Span(source, previous.end_pos, previous.end_pos)


def _previous_span(source: Source, site: _Site) -> Span:
    previous = site.previous
    if previous is None or previous.start_pos is None or previous.end_pos is None:
        return _token_span(source, site)
    return Span(source, previous.start_pos, previous.end_pos)


def _double_equals(site: _Site) -> Token | None:
    """The `==` written where a single `=` belongs (`param p: int == 3`, `given x == 1`).

    After a type, `== 3` reads as a bound of the type, so the error surfaces only at the end;
    after `given x`, `==` is read as `=` twice.
    """
    token, previous = site.token, site.previous
    if (
        token is not None and token.type == "EQUAL" and previous is not None
        and previous.type == "EQUAL" and previous.end_pos == token.start_pos
    ):  # fmt: skip
        return previous
    for value in reversed(site.values):
        if isinstance(value, Token) and value.type in _DECLARATION_TYPES:
            return None
        tokens = [value] if isinstance(value, Token) else (
            list(value.scan_values(lambda v: isinstance(v, Token))) if isinstance(value, Tree) else []
        )  # fmt: skip
        for token in reversed(tokens):
            if token.type == "COMPARE_OP" and str(token) == "==":
                found: Token = token
                return found
    return None


def _open_bracket(site: _Site) -> Token | None:
    for value in reversed(site.values):
        if isinstance(value, Token) and value.type in _BRACKETS:
            return value
    return None


def _declaration_word(site: _Site) -> str:
    for value in reversed(site.values):
        if isinstance(value, Token) and value.type in _DECLARATION_TYPES:
            return str(value)
    return "declaration"


def _same_line(text: str, previous: Token | None, token: Token) -> bool:
    if previous is None or previous.end_pos is None or token.start_pos is None:
        return False
    return "\n" not in text[previous.end_pos : token.start_pos]


def _diagnose_token(source: Source, site: _Site) -> Diagnostic:
    """The diagnostic for a token the parser could not take, most specific first: brackets,
    `=` for `==` (and back), a misspelt keyword, the table of slips, a missing `:` or `=`,
    a missing keyword, comma or operator, a line that does not start a declaration, a
    missing expression; else what was expected and what was found."""
    token = site.token
    assert token is not None
    text = source.text
    accepts = _accepts(site.stack)
    expected = _expected_words(accepts, site.start)
    found = _found(site)
    previous = site.previous
    prev = _shorten(str(previous)) if previous is not None else ""
    span, gap = _token_span(source, site), _gap_span(source, site)
    at_declaration = token.type in _DECLARATION_TYPES and _starts_line(text, site.offset)
    keywords = {word for name, word in _keyword_types().items() if name in accepts}

    opener = _open_bracket(site)
    if opener is not None:
        open_text, close_text, close_type = _BRACKETS[opener.type]
        other_closer = token.type in _CLOSERS and token.type != close_type
        if close_type in accepts and (token.type == "$END" or at_declaration or other_closer):
            start = opener.start_pos or 0
            label = (
                Label(span, f"expected `{close_text}`, found `{token}`")
                if other_closer
                else Label(gap, f"expected `{close_text}` here, before {found}")
            )
            return Diagnostic(
                "unclosed-bracket",
                f"`{open_text}` is not closed",
                span=Span(source, start, start + 1),
                labels=(label,),
                help=f"add `{close_text}` where the bracketed part ends",
            )
    if token.type in _CLOSERS and opener is None and not _is_expression_group(accepts):
        closer = _CLOSERS[token.type]
        opening = next(o for o, c, _ in _BRACKETS.values() if c == closer)
        return Diagnostic(
            "unmatched-bracket",
            f"`{closer}` has no matching `{opening}`",
            span=span,
            notes=(f"expected {expected}",),
            help=f"remove it, or add the `{opening}` it closes",
        )

    if token.type == "EQUAL" and "COMPARE_OP" in accepts:
        after = text[site.offset + 1 : site.offset + 2]
        return Diagnostic(
            "single-equals",
            "`=` is not a comparison",
            span=span,
            help=f"write `{after}=` to compare"
            if after in ("<", ">")
            else "write `==` to test whether two values are equal",
        )
    doubled = _double_equals(site) if "EQUAL" in accepts or token.type == "EQUAL" else None
    if token.type == "COMPARE_OP" and str(token) == "==" and "EQUAL" in accepts:
        doubled = token
    if doubled is not None and ("EQUAL" in accepts or doubled is previous):
        start = doubled.start_pos or 0
        return Diagnostic(
            "double-equals",
            "expected `=`, found `==`",
            span=Span(source, start, start + 2),
            help="write a single `=` here (`==` compares two values)",
        )

    if token.type == "NAME" and len(str(token)) >= 2 and str(token) not in _keywords():
        hint = suggest(str(token), keywords)
        if hint:
            if _starts_line(text, site.offset) and any(
                hint == f"did you mean `{word}`?" for word in _DECLARATION_WORDS
            ):
                expected = "a declaration"  # the line was meant to start one
            return Diagnostic(
                "misspelt-keyword", f"expected {expected}, found {found}", span=span, help=hint
            )

    slip = _match_slip(site)
    if slip is not None and _slip_applies(slip, site, prev, accepts, keywords):
        fields = {
            "prev": prev,
            "found": found,
            "want": min(keywords) if keywords else "",
            "body": _COLON_PLACES.get(_declaration_word(site), f"after `{prev}`"),
            "construct": _CONSTRUCTS.get(prev, "a construct of the language"),
        }
        spans = {"gap": gap, "token": span, "previous": _previous_span(source, site)}
        return Diagnostic(
            slip.code,
            slip.message.format(**fields),
            span=spans[slip.point],
            help=slip.help.format(**fields),
        )

    for punctuation, code in (("COLON", "missing-colon"), ("EQUAL", "missing-equals")):
        if punctuation in accepts and not _is_operator_group(accepts) and prev:
            mark = _terminal_text(punctuation)
            return Diagnostic(
                code,
                f"missing `{mark}` after `{prev}`",
                span=gap,
                notes=(f"expected {expected}, found {found}",),
                help=f"add `{mark}` after `{prev}`",
            )
    operators = _is_operator_group(accepts)
    specific = {
        w
        for n, w in _keyword_types().items()
        if n in accepts and not (operators and n in _operators())
    }
    if len(specific) == 1 and accepts - _keyword_names() <= _operators():
        want = next(iter(specific))
        return Diagnostic(
            "missing-keyword",
            f"missing `{want}` after `{prev}`" if prev else f"missing `{want}`",
            span=gap,
            notes=(f"expected {expected}, found {found}",),
            help=_keyword_help(want),
        )
    starts_item = token.type in _EXPRESSION_STARTS and not at_declaration
    if "COMMA" in accepts and starts_item:
        return Diagnostic(
            "missing-comma",
            f"missing `,` before {found}",
            span=gap,
            help="separate the items with `,`",
        )
    if _is_operator_group(accepts) and starts_item and _same_line(text, previous, token):
        return Diagnostic(
            "missing-operator",
            f"missing operator between `{prev}` and {found}",
            span=gap,
            help="join them with an operator such as `and`, `or`, `==` or `+`",
        )
    if _is_declaration_group(accepts) and token.type != "$END" and _starts_line(text, site.offset):
        continues = (
            "; if this line continues the expression above, join them with an operator "
            "such as `and`"
            if _is_operator_group(accepts)
            else ""
        )
        return Diagnostic(
            "expected-declaration",
            f"expected a declaration, found {found}",
            span=span,
            help="a declaration starts with a keyword such as `rule`, `criterion`, `param` "
            f"or `input`{continues}",
        )
    if _is_expression_group(accepts) and token.type not in _EXPRESSION_STARTS:
        after = f" after `{prev}`" if prev else ""
        return Diagnostic(
            "missing-expression",
            f"expected {expected}{after}, found {found}",
            span=gap if token.type == "$END" or at_declaration else span,
        )
    return Diagnostic(
        "unexpected-end" if token.type == "$END" else "unexpected-token",
        f"expected {expected}, found {found}",
        span=span,
    )


def _slip_applies(
    slip: _Slip, site: _Site, prev: str, accepts: frozenset[str], keywords: set[str]
) -> bool:
    """Whether a matched slip fits this error: LR states are shared between constructs, so
    a state can match an example from another construct whose fix does not apply here."""
    if slip.requires and slip.requires not in accepts:
        return False
    assert site.token is not None
    if not slip.any_token and not any(
        (example := _example_site(text)) is not None
        and example.token is not None
        and example.stack[-1] == site.stack[-1]
        and example.token.type == site.token.type
        for text in slip.examples
    ):
        return False
    if slip.code == "reserved-word":
        return prev in _CONSTRUCTS
    if "{want}" in slip.message:
        return len(keywords) == 1
    return True


@functools.cache
def _keyword_names() -> frozenset[str]:
    return frozenset(_keyword_types())


def _keyword_help(word: str) -> str | None:
    if word in ("then", "else"):
        return "an `if` reads `if condition then value else other`"
    if word == "in":
        return "an aggregate reads `kind of x in list where … : …`"
    if word == "of":
        return "write `all of [...]`, `at least N of [...]` or `count of x in list`"
    if word == "holds":
        return "a property reads `forall x: T where … holds claim`"
    return None


# ------------------------------------------------------------------------------------------
# Concrete tree -> AST


_Node = TypeVar("_Node")
"""An AST node that `_AstBuilder._expr` hands back as it came."""


def _meta_span(source: Source, meta: Any, children: list[Any]) -> Span:
    if not getattr(meta, "empty", True):
        return Span(source, meta.start_pos, meta.end_pos)
    # An empty meta (a rule that matched no token of its own): take the children's spans.
    spans: list[Span] = [c.span for c in children if hasattr(c, "span")]
    if spans:
        return spans[0].to(spans[-1])
    return Span(source, 0, 0)


def _node(function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a builder method so it receives `(span, children)` and tracks nesting depth."""

    @functools.wraps(function)
    def wrapper(self: _AstBuilder, meta: Any, children: list[Any]) -> Any:
        span = _meta_span(self.source, meta, children)
        return function(self, span, children)

    wrapper._wuxin_node = True  # type: ignore[attr-defined]
    return wrapper


class _AstBuilder(Transformer_NonRecursive):  # type: ignore[type-arg]
    """One method per grammar rule (or alias). Non-recursive, so deep input cannot overflow."""

    def __init__(self, source: Source) -> None:
        super().__init__(visit_tokens=False)
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        """Problems found while building that do not stop it (a bad date, a reserved word)."""
        self._depth: dict[int, int] = {}

    # Lark calls `__default__` for any rule without a method: that is a grammar/AST mismatch.
    def __default__(self, data: str, children: list[Any], meta: Any) -> Any:
        raise AssertionError(f"grammar rule `{data}` has no AST mapping")

    def _call_userfunc(self, tree: Tree[Any], new_children: list[Any] | None = None) -> Any:
        children = new_children if new_children is not None else tree.children
        method = getattr(self, tree.data, None)
        if method is None or not getattr(method, "_wuxin_node", False):
            return self.__default__(tree.data, children, tree.meta)
        return method(tree.meta, children)

    def _tok(self, token: Token) -> Span:
        return Span(self.source, token.start_pos or 0, token.end_pos or 0)

    def _ident(self, token: Token) -> ast.Ident:
        return ast.Ident(str(token), self._tok(token))

    def _text(self, token: Token) -> ast.Text:
        return ast.Text(_unquote(str(token)), self._tok(token))

    def _expr(self, node: _Node, span: Span, *children: Any, depth: int | None = None) -> _Node:
        """Record the nesting depth of an expression node and enforce the limit (`depth`,
        when given, is the node's depth already worked out)."""
        if depth is None:
            depth = 1 + max((self._depth.get(id(c), 0) for c in children), default=0)
        if depth > MAX_NESTING:
            raise PolicySyntaxError(
                Diagnostic(
                    "too-deep",
                    f"expression nested more than {MAX_NESTING} levels deep",
                    span=Span(span.source, span.start, min(span.end, span.start + 1)),
                    help="split it into named rules; each rule can refer to the others",
                )
            )
        self._depth[id(node)] = depth
        self._keep.append(node)
        return node

    @property
    def _keep(self) -> list[Any]:
        # Holding every node alive keeps the ids in `_depth` from being reused.
        keep: list[Any] = self.__dict__.setdefault("_kept", [])
        return keep

    # -- shared pieces ---------------------------------------------------------------------

    @_node
    def qualified_name(self, span: Span, children: list[Any]) -> ast.QualifiedName:
        return ast.QualifiedName(tuple(self._ident(t) for t in children), span)

    @_node
    def label(self, span: Span, children: list[Any]) -> tuple[str, ast.Text]:
        return ("label", self._translated(children))

    def _translated(self, children: list[Any]) -> ast.Text:
        """A text with the translations that follow it (`"…" en "…"`)."""
        text = self._text(children[0])
        if not children[1:]:
            return text
        # The value is a `Wording`: the text as written that knows its translations, so the
        # checked model and every stage after it carry them without a change of type.
        translations: tuple[ast.Translation, ...] = tuple(children[1:])
        forms = [(t.lang.name, t.text.value) for t in translations]
        return attrs.evolve(text, value=Wording(text.value, forms), translations=translations)

    @_node
    def translation(self, span: Span, children: list[Any]) -> ast.Translation:
        return ast.Translation(self._ident(children[0]), self._text(children[1]))

    @_node
    def source_clause(self, span: Span, children: list[Any]) -> tuple[str, ast.Text]:
        return ("source", self._text(children[0]))

    @_node
    def cites(self, span: Span, children: list[Any]) -> tuple[str, tuple[ast.Text, ...]]:
        return ("cites", tuple(self._text(t) for t in children))

    @_node
    def note(self, span: Span, children: list[Any]) -> tuple[str, ast.Text]:
        return ("note", self._translated(children))

    @staticmethod
    def _split(children: list[Any]) -> tuple[list[Any], ast.Doc, dict[str, Any]]:
        """Separate doc clauses (label/cites/note/source) from the other children."""
        rest: list[Any] = []
        clauses: dict[str, Any] = {}
        for child in children:
            if isinstance(child, tuple) and len(child) == 2 and child[0] in (
                "label", "cites", "note", "source", "returns", "params", "illustrative", "fixed",
            ):  # fmt: skip
                clauses[child[0]] = child[1]
            else:
                rest.append(child)
        doc = ast.Doc(clauses.get("label"), clauses.get("cites", ()), clauses.get("note"))
        return rest, doc, clauses

    # -- module and declarations -----------------------------------------------------------

    @_node
    def start(self, span: Span, children: list[Any]) -> ast.Module:
        header = children[0] if children and isinstance(children[0], ast.Header) else None
        declarations = tuple(children[1:] if header else children)
        return ast.Module(header, declarations, Span(self.source, 0, len(self.source.text)))

    @_node
    def header(self, span: Span, children: list[Any]) -> ast.Header:
        rest, doc, clauses = self._split(children)
        return ast.Header(rest[0], doc, clauses.get("source"), span)

    @_node
    def import_decl(self, span: Span, children: list[Any]) -> ast.ImportDecl:
        module = children[0]
        alias = next((c[1] for c in children[1:] if c[0] == "alias"), None)
        names = next((c[1] for c in children[1:] if c[0] == "names"), ())
        return ast.ImportDecl(module, alias, names, span)

    @_node
    def import_alias(self, span: Span, children: list[Any]) -> tuple[str, ast.Ident]:
        return ("alias", self._ident(children[0]))

    @_node
    def import_list(self, span: Span, children: list[Any]) -> tuple[str, tuple[ast.Ident, ...]]:
        return ("names", tuple(self._ident(t) for t in children))

    @_node
    def enum_decl(self, span: Span, children: list[Any]) -> ast.EnumDecl:
        name = self._ident(children[0])
        rest, doc, _ = self._split(children[1:])
        return ast.EnumDecl(name, doc, tuple(rest), span)

    @_node
    def enum_member(self, span: Span, children: list[Any]) -> ast.EnumMember:
        label = children[1][1] if len(children) > 1 else None
        return ast.EnumMember(self._ident(children[0]), label, span)

    @_node
    def record_decl(self, span: Span, children: list[Any]) -> ast.RecordDecl:
        name = self._ident(children[0])
        rest, doc, _ = self._split(children[1:])
        return ast.RecordDecl(name, doc, tuple(rest), span)

    @_node
    def field_decl(self, span: Span, children: list[Any]) -> ast.FieldDecl:
        rest, doc, clauses = self._split(children[1:])
        return ast.FieldDecl(self._ident(children[0]), rest[0], doc, span, fixed="fixed" in clauses)

    @_node
    def input_decl(self, span: Span, children: list[Any]) -> ast.InputDecl:
        rest, doc, clauses = self._split(children[1:])
        return ast.InputDecl(self._ident(children[0]), rest[0], doc, span, fixed="fixed" in clauses)

    @_node
    def param_decl(self, span: Span, children: list[Any]) -> ast.ParamDecl:
        rest, doc, clauses = self._split(children[1:])
        return ast.ParamDecl(
            self._ident(children[0]), rest[0], rest[1], doc, span,
            illustrative="illustrative" in clauses,
        )  # fmt: skip

    @_node
    def illustrative(self, span: Span, children: list[Any]) -> tuple[str, bool]:
        return ("illustrative", True)

    @_node
    def fixed(self, span: Span, children: list[Any]) -> tuple[str, bool]:
        return ("fixed", True)

    def _rule(self, kind: str, span: Span, children: list[Any]) -> ast.RuleDecl:
        name = self._ident(children[0])
        rest, doc, clauses = self._split(children[1:])
        return ast.RuleDecl(
            kind, name, clauses.get("params"), doc, clauses.get("returns"), rest[-1], span
        )

    @_node
    def criterion_decl(self, span: Span, children: list[Any]) -> ast.RuleDecl:
        return self._rule("criterion", span, children)

    @_node
    def rule_decl(self, span: Span, children: list[Any]) -> ast.RuleDecl:
        return self._rule("rule", span, children)

    @_node
    def rule_params(self, span: Span, children: list[Any]) -> tuple[str, tuple[ast.RuleParam, ...]]:
        return ("params", tuple(children))

    @_node
    def rule_param(self, span: Span, children: list[Any]) -> ast.RuleParam:
        return ast.RuleParam(self._ident(children[0]), children[1], span)

    @_node
    def returns(self, span: Span, children: list[Any]) -> tuple[str, ast.TypeExpr]:
        return ("returns", children[0])

    @_node
    def schedule_decl(self, span: Span, children: list[Any]) -> ast.ScheduleDecl:
        name = self._ident(children[0])
        rest, doc, _ = self._split(children[1:])
        value_type = rest[0]
        period = self._ident(rest[1])
        category = None
        index = 2
        if index < len(rest) and isinstance(
            rest[index], ast.TypeRef | ast.ListTypeExpr | ast.OptionalTypeExpr
        ):
            category = rest[index]
            index += 1
        monotone = tuple(c for c in rest[index:] if isinstance(c, ast.Monotone))
        stages = tuple(c for c in rest[index:] if isinstance(c, ast.Stage))
        return ast.ScheduleDecl(name, doc, value_type, period, category, monotone, stages, span)

    @_node
    def monotone(self, span: Span, children: list[Any]) -> ast.Monotone:
        return ast.Monotone(str(children[0]), self._ident(children[1]), span)

    @_node
    def stage(self, span: Span, children: list[Any]) -> ast.Stage:
        name = self._ident(children[0])
        rest, doc, _ = self._split(children[1:])
        start, end = rest[0]
        return ast.Stage(name, doc, start, end, tuple(rest[1:]), span)

    @_node
    def stage_range(
        self, span: Span, children: list[Any]
    ) -> tuple[ast.DateLit | None, ast.DateLit]:
        dates = [self._date(t) for t in children]
        return (dates[0] if len(dates) == 2 else None, dates[-1])

    @_node
    def schedule_row(self, span: Span, children: list[Any]) -> ast.ScheduleRow:
        period = self._number(children[0])
        return ast.ScheduleRow(period, tuple(children[1:]), span)

    @_node
    def schedule_cell(self, span: Span, children: list[Any]) -> ast.ScheduleCell:
        if len(children) == 2:
            return ast.ScheduleCell(self._ident(children[0]), children[1], span)
        return ast.ScheduleCell(None, children[0], span)

    @_node
    def bands_decl(self, span: Span, children: list[Any]) -> ast.BandsDecl:
        name = self._ident(children[0])
        rest, doc, _ = self._split(children[1:])
        return ast.BandsDecl(name, doc, rest[0], tuple(rest[1:]), span)

    @_node
    def band(self, span: Span, children: list[Any]) -> ast.Band:
        label = children[2][1] if len(children) > 2 else None
        return ast.Band(children[0], self._ident(children[1]), label, span)

    @_node
    def band_range(self, span: Span, children: list[Any]) -> ast.BandRange:
        low, op, high = children
        return ast.BandRange(self._bound(low), self._bound(high), op == "..", span)

    def _bound(self, value: Any) -> ast.Expr:
        if isinstance(value, Token):
            return self._name_ref(str(value), self._tok(value))
        return value  # type: ignore[no-any-return]

    def _name_ref(self, name: str, span: Span) -> ast.NameRef:
        """A name used as a value. The lexer reads a keyword as a name wherever the keyword
        itself cannot stand (`x + then`); as a value it can never be right."""
        if name in _keywords():
            self.diagnostics.append(
                Diagnostic(
                    "reserved-word",
                    f"`{name}` is a reserved word, not a name",
                    span=span,
                    help="a reserved word cannot name a value: choose another name",
                )
            )
        return ast.NameRef(name, span)

    @_node
    def range_op(self, span: Span, children: list[Any]) -> str:
        return str(children[0])

    @_node
    def example_decl(self, span: Span, children: list[Any]) -> ast.ExampleDecl:
        title = self._text(children[0])
        given = tuple(c for c in children[1:] if isinstance(c, ast.ExampleGiven))
        expect = tuple(c[1] for c in children[1:] if isinstance(c, tuple))
        return ast.ExampleDecl(title, given, expect, span)

    @_node
    def example_given(self, span: Span, children: list[Any]) -> ast.ExampleGiven:
        type_ = children[1] if len(children) == 3 else None
        return ast.ExampleGiven(self._ident(children[0]), children[-1], span, type=type_)

    @_node
    def fixture_decl(self, span: Span, children: list[Any]) -> ast.FixtureDecl:
        return ast.FixtureDecl(self._ident(children[0]), children[1], children[2], span)

    @_node
    def example_expect(self, span: Span, children: list[Any]) -> tuple[str, ast.Expr]:
        return ("expect", children[0])

    @_node
    def property_decl(self, span: Span, children: list[Any]) -> ast.PropertyDecl:
        title = self._text(children[0])
        binders = tuple(c for c in children[1:] if isinstance(c, ast.Binder))
        others = [c for c in children[1:] if not isinstance(c, ast.Binder)]
        condition = others[0] if len(others) == 2 else None
        return ast.PropertyDecl(title, binders, condition, others[-1], span)

    @_node
    def binder(self, span: Span, children: list[Any]) -> ast.Binder:
        return ast.Binder(self._ident(children[0]), children[1], span)

    # -- types -----------------------------------------------------------------------------

    @_node
    def optional_type(self, span: Span, children: list[Any]) -> ast.OptionalTypeExpr:
        return ast.OptionalTypeExpr(children[0], span)

    @_node
    def list_type(self, span: Span, children: list[Any]) -> ast.ListTypeExpr:
        return ast.ListTypeExpr(children[0], span)

    @_node
    def type_ref(self, span: Span, children: list[Any]) -> ast.TypeRef:
        bound = children[1] if len(children) > 1 else None
        return ast.TypeRef(children[0], bound, span)

    @_node
    def bound_compare(self, span: Span, children: list[Any]) -> ast.Bound:
        op, number = str(children[0]), children[1]
        value = number.value
        if op in (">=", ">"):
            return ast.Bound(value, op == ">=", None, True, span)
        if op in ("<=", "<"):
            return ast.Bound(None, True, value, op == "<=", span)
        self.diagnostics.append(
            Diagnostic(
                "bad-bound",
                f"`{op}` cannot bound a type",
                span=span,
                help="use `>=`, `>`, `<=`, `<` or a range `low .. high`",
            )
        )
        return ast.Bound(value, True, value, True, span)

    @_node
    def bound_range(self, span: Span, children: list[Any]) -> ast.Bound:
        low, op, high = children
        return ast.Bound(low.value, True, high.value, op == "..", span)

    @_node
    def signed_number(self, span: Span, children: list[Any]) -> Any:
        negative = len(children) == 2
        token = children[-1]
        literal = self._number(token)
        if negative:
            literal = _negated(literal, span)
        return literal

    def _number(self, token: Token, span: Span | None = None) -> Any:
        """The literal a number token denotes (exactly: never through a float)."""
        span = span or self._tok(token)
        text = str(token)
        digits = sum(1 for char in text if char.isdigit())
        if digits > MAX_NUMBER_DIGITS:
            self.diagnostics.append(
                Diagnostic(
                    "number-too-long",
                    f"number has {digits:,} digits, more than the {MAX_NUMBER_DIGITS:,} accepted",
                    span=Span(span.source, span.start, min(span.end, span.start + 1)),
                    help="write a shorter number, or compute it with arithmetic",
                )
            )
            text = {"INT": "0", "DECIMAL": "0.0"}.get(token.type, "0%")
        if token.type == "INT":
            return ast.IntLit(int(text), span)
        if token.type == "DECIMAL":
            return ast.DecimalLit(Fraction(text), text, span)
        return ast.PercentLit(Fraction(text[:-1]) / 100, text, span)

    # -- expressions -----------------------------------------------------------------------

    @_node
    def if_expr(self, span: Span, children: list[Any]) -> ast.If:
        return self._expr(ast.If(children[0], children[1], children[2], span), span, *children)

    @_node
    def aggregate(self, span: Span, children: list[Any]) -> ast.Aggregate:
        kind, var, collection = children[0], self._ident(children[1]), children[2]
        where = next((c[1] for c in children[3:] if c[0] == "where"), None)
        body = next((c[1] for c in children[3:] if c[0] == "body"), None)
        node = ast.Aggregate(kind, var, collection, where, body, span)
        return self._expr(node, span, collection, where, body)

    @_node
    def aggregate_kind(self, span: Span, children: list[Any]) -> str:
        return str(children[0])

    @_node
    def where_clause(self, span: Span, children: list[Any]) -> tuple[str, ast.Expr]:
        return ("where", children[0])

    @_node
    def body(self, span: Span, children: list[Any]) -> tuple[str, ast.Expr]:
        return ("body", children[0])

    def _bool_op(self, op: str, span: Span, children: list[Any]) -> ast.BoolOp:
        # `a and b and c` is one node (the grammar gives every operand at once), so that
        # explanations list the operands side by side; `(a and b) and c` is flattened too.
        first, *rest = children
        if isinstance(first, ast.BoolOp) and first.op == op and self._flat.get(id(first)):
            node = ast.BoolOp(op, (*first.operands, *rest), span)
            depth = max(self._depth[id(first)], 1 + max(self._depth.get(id(c), 0) for c in rest))
        else:
            node = ast.BoolOp(op, tuple(children), span)
            depth = None
        self._flat[id(node)] = True
        return self._expr(node, span, *children, depth=depth)

    @property
    def _flat(self) -> dict[int, bool]:
        flat: dict[int, bool] = self.__dict__.setdefault("_flat_ops", {})
        return flat

    @_node
    def or_op(self, span: Span, children: list[Any]) -> ast.BoolOp:
        return self._bool_op("or", span, children)

    @_node
    def and_op(self, span: Span, children: list[Any]) -> ast.BoolOp:
        return self._bool_op("and", span, children)

    @_node
    def not_op(self, span: Span, children: list[Any]) -> ast.Not:
        return self._expr(ast.Not(children[0], span), span, children[0])

    @_node
    def compare(self, span: Span, children: list[Any]) -> ast.Compare:
        left, op, right = children
        return self._expr(ast.Compare(str(op), left, right, span), span, left, right)

    @_node
    def in_op(self, span: Span, children: list[Any]) -> ast.In:
        return self._expr(ast.In(children[0], children[1], False, span), span, *children)

    @_node
    def not_in_op(self, span: Span, children: list[Any]) -> ast.In:
        return self._expr(ast.In(children[0], children[1], True, span), span, *children)

    @_node
    def is_none(self, span: Span, children: list[Any]) -> ast.IsNone:
        return self._expr(ast.IsNone(children[0], False, span), span, children[0])

    @_node
    def is_not_none(self, span: Span, children: list[Any]) -> ast.IsNone:
        return self._expr(ast.IsNone(children[0], True, span), span, children[0])

    @_node
    def coalesce_op(self, span: Span, children: list[Any]) -> ast.Coalesce:
        return self._expr(ast.Coalesce(children[0], children[1], span), span, *children)

    @_node
    def arith(self, span: Span, children: list[Any]) -> ast.Arith:
        left, op, right = children
        return self._expr(ast.Arith(str(op), left, right, span), span, left, right)

    @_node
    def negate(self, span: Span, children: list[Any]) -> ast.Expr:
        operand = children[-1]
        # `-5` and `-50%` are literals, so that bounds and table cells can be negative.
        if isinstance(operand, ast.IntLit | ast.DecimalLit | ast.PercentLit):
            return _negated(operand, span)
        return self._expr(ast.Negate(operand, span), span, operand)

    @_node
    def field_access(self, span: Span, children: list[Any]) -> ast.FieldAccess:
        target, name = children
        return self._expr(ast.FieldAccess(target, self._ident(name), span), span, target)

    @_node
    def call(self, span: Span, children: list[Any]) -> ast.Call:
        callee = children[0]
        args = tuple(children[1]) if len(children) > 1 else ()
        return self._expr(ast.Call(callee, args, span), span, callee, *args)

    @_node
    def arguments(self, span: Span, children: list[Any]) -> list[Any]:
        return list(children)

    @_node
    def with_inputs(self, span: Span, children: list[Any]) -> ast.WithInputs:
        target, *bindings = children
        node = ast.WithInputs(target, tuple(bindings), span)
        return self._expr(node, span, target, *(b.value for b in bindings))

    @_node
    def input_binding(self, span: Span, children: list[Any]) -> ast.InputBinding:
        return ast.InputBinding(self._ident(children[0]), children[1], span)

    @_node
    def name_ref(self, span: Span, children: list[Any]) -> ast.NameRef:
        return self._name_ref(str(children[0]), span)

    @_node
    def min_name(self, span: Span, children: list[Any]) -> ast.NameRef:
        return ast.NameRef("min", span)

    @_node
    def max_name(self, span: Span, children: list[Any]) -> ast.NameRef:
        return ast.NameRef("max", span)

    @_node
    def compose(self, span: Span, children: list[Any]) -> ast.Compose:
        kind, items = children
        if kind not in ("all", "any"):
            self.diagnostics.append(
                Diagnostic(
                    "bad-composition",
                    f"`{kind} of [...]` is not a composition",
                    span=span,
                    help=f"write `all of [...]`, `any of [...]`, `at least N of [...]`, "
                    f"or an aggregate `{kind} of x in list ...`",
                )
            )
        node = ast.Compose(kind, items.items, None, span)
        return self._expr(node, span, *items.items)

    @_node
    def at_least(self, span: Span, children: list[Any]) -> ast.Compose:
        count, items = children
        node = ast.Compose("at_least", items.items, count, span)
        return self._expr(node, span, count, *items.items)

    @_node
    def list_literal(self, span: Span, children: list[Any]) -> ast.ListLit:
        return self._expr(ast.ListLit(tuple(children), span), span, *children)

    @_node
    def record_literal(self, span: Span, children: list[Any]) -> ast.RecordLit:
        values = [c.value for c in children]
        return self._expr(ast.RecordLit(tuple(children), span), span, *values)

    @_node
    def record_field(self, span: Span, children: list[Any]) -> ast.RecordField:
        return ast.RecordField(self._ident(children[0]), children[1], span)

    @_node
    def record_spread(self, span: Span, children: list[Any]) -> ast.RecordSpread:
        return ast.RecordSpread(children[0], span)

    # -- literals --------------------------------------------------------------------------

    @_node
    def int_literal(self, span: Span, children: list[Any]) -> ast.IntLit:
        return self._number(children[0], span)  # type: ignore[no-any-return]

    @_node
    def decimal_literal(self, span: Span, children: list[Any]) -> ast.DecimalLit:
        return self._number(children[0], span)  # type: ignore[no-any-return]

    @_node
    def percent_literal(self, span: Span, children: list[Any]) -> ast.PercentLit:
        return self._number(children[0], span)  # type: ignore[no-any-return]

    @_node
    def text_literal(self, span: Span, children: list[Any]) -> ast.TextLit:
        return ast.TextLit(_unquote(str(children[0])), span)

    @_node
    def date_literal(self, span: Span, children: list[Any]) -> ast.DateLit:
        return self._date(children[0])

    def _date(self, token: Token) -> ast.DateLit:
        span = self._tok(token)
        text = str(token)
        try:
            value = datetime.date.fromisoformat(text)
        except ValueError:
            self.diagnostics.append(
                Diagnostic(
                    "invalid-date",
                    f"`{text}` is not a date of the calendar",
                    span=span,
                    help="check the month (1-12) and the day of that month",
                )
            )
            value = datetime.date.min
        return ast.DateLit(value, span)

    @_node
    def true_literal(self, span: Span, children: list[Any]) -> ast.BoolLit:
        return ast.BoolLit(True, span)

    @_node
    def false_literal(self, span: Span, children: list[Any]) -> ast.BoolLit:
        return ast.BoolLit(False, span)

    @_node
    def none_literal(self, span: Span, children: list[Any]) -> ast.NoneLit:
        return ast.NoneLit(span)


def _negated(literal: ast.IntLit | ast.DecimalLit | ast.PercentLit, span: Span) -> ast.Expr:
    if isinstance(literal, ast.IntLit):
        return ast.IntLit(-literal.value, span)
    if isinstance(literal, ast.DecimalLit):
        return ast.DecimalLit(-literal.value, "-" + literal.text, span)
    return ast.PercentLit(-literal.value, "-" + literal.text, span)


_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


def _unquote(text: str) -> str:
    body = text[1:-1]
    if "\\" not in body:
        return body
    out = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            out.append(_ESCAPES.get(body[index + 1], body[index + 1]))
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)
