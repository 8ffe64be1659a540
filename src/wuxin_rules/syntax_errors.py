"""Syntax errors: from where Lark stopped to diagnostics an author can act on.

Translates Lark's errors into `Diagnostic`s: what was expected in the language's words, a
fix for the common slips (a table of labelled example errors matched with Lark's
`match_examples`, and a few predicates), and several errors per file by resynchronising at
the next line that starts a declaration. Reads Lark's interactive parser and parse tables
(the states, what each accepts), so it imports lark; the grammar comes from `grammar`.
`parser` calls `parse_tree` and builds the AST from the tree it returns.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, NamedTuple, NoReturn

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.parsers.lalr_analysis import Shift

from wuxin_rules import characters, grammar
from wuxin_rules.errors import Diagnostic, Label, Severity, suggest
from wuxin_rules.grammar import MAX_SYNTAX_ERRORS
from wuxin_rules.messages import english, listing, term
from wuxin_rules.source import Source, Span

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
    "schedule", "bands", "decision", "example", "property", "fixture",
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
    parser = grammar.lark_parser().parse_interactive(text, start=start)
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
    parser = grammar.lark_parser().parse_interactive(text, start=start)
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


def parse_tree(source: Source, start: str) -> tuple[Any, list[Diagnostic]]:
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
    diagnostics: list[Diagnostic] = in_order(found)[:MAX_SYNTAX_ERRORS]
    seen = {(d.code, d.span.start if d.span else -1, d.message) for d in diagnostics}
    if len(found) >= MAX_SYNTAX_ERRORS:
        # A file typed in full width throughout: its first errors say enough.
        return None, [*diagnostics, _too_many_errors()]
    if not diagnostics:
        # Most texts parse: Lark's own loop is faster than feeding it token by token, which
        # only the diagnosis of an error needs (then the text is parsed again, below).
        try:
            return grammar.lark_parser().parse(text, start=start), diagnostics
        except UnexpectedInput:
            pass
    # A word that can never be a name, declared as one (`input if: int`), makes its uses
    # syntax errors: the fix is at the declaration, so the error is there too.
    for diagnostic in _reserved_declarations(source, text):
        seen.add((diagnostic.code, diagnostic.span.start if diagnostic.span else -1, ""))
        diagnostics.append(diagnostic)
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


_DECLARED_AS = {
    "ENUM": "an enum", "RECORD": "a record type", "INPUT": "an input", "PARAM": "a param",
    "RULE": "a rule", "CRITERION": "a criterion", "SCHEDULE": "a schedule",
    "BANDS": "a set of bands", "FIXTURE": "a fixture", "LPAR": "a parameter", "COMMA": "a parameter",
}  # fmt: skip
"""What a name declared right after a token of this type names (`rule if`, `(if: int`)."""


def _reserved_declarations(source: Source, text: str) -> list[Diagnostic]:
    """Where a word of `grammar.RESERVED_NAMES` is declared as a name: after a declaration
    keyword (`input if: int`), or as a rule parameter (`(true: bool`)."""
    found: list[Diagnostic] = []
    tokens: list[Token] = []
    with contextlib.suppress(UnexpectedInput):  # the diagnosis reports where lexing stops
        tokens.extend(grammar.lark_parser().lex(text))
    followers: list[Token | None] = [*tokens[2:], None]
    for previous, token, following in zip(tokens, tokens[1:], followers, strict=False):
        word = str(token)
        what = _DECLARED_AS.get(previous.type)
        if previous.type in ("LPAR", "COMMA") and (following is None or following.type != "COLON"):
            what = None  # `f(true, x)`, `[true, false]`: values, not parameters
        if what is not None and word in grammar.RESERVED_NAMES and token.start_pos is not None:
            found.append(
                Diagnostic(
                    "reserved-word",
                    english("reserved-and-cannot-name", name=word, what=term(what)),
                    span=Span(source, token.start_pos, token.start_pos + len(word)),
                    help=english("reserved-word.begins-value.help", word=word),
                )
            )
    return found


def _too_many_errors() -> Diagnostic:
    return Diagnostic(
        "too-many-errors",
        english("stopped-after", count=MAX_SYNTAX_ERRORS),
        severity=Severity.NOTE,
        help=english("stopped-after.help"),
    )


def in_order(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
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
    conf = grammar.lark_parser().parser.parser.parser.parse_table
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
    "NAME", "INT", "DECIMAL", "PERCENT", "STRING", "DATE", "DATETIME", "TIME", "TRUE", "FALSE", "NONE",
    "LPAR", "LSQB", "LBRACE", "MINUS", "NOT", "IF", "MATCH", "COUNT", "SUM", "MIN", "MAX",
    "ALL", "ANY", "RATE", "LIST", "AT",
})  # fmt: skip
_OPERATOR_TEXTS = (
    "+",
    "-",
    "*",
    "/",
    "**",
    "mod",
    "and",
    "or",
    "is",
    "in",
    "not",
    "??",
    ".",
    "(",
    "[",
)


@functools.cache
def _operators() -> frozenset[str]:
    """The terminals that can follow a complete operand (by text: Lark numbers anonymous
    terminals such as `??` in the order it meets them)."""
    names = {
        t.name
        for t in grammar.lark_parser().terminals
        if t.pattern.type == "str" and t.pattern.value in _OPERATOR_TEXTS
    }
    return frozenset(names | {"COMPARE_OP"})


_PHRASES = {
    "NAME": english("a name"),
    "STRING": english('a text ("…")'),
    "INT": english("a whole number"),
    "DECIMAL": english("a decimal number"),
    "PERCENT": english("a percentage"),
    "DATE": english("a date (YYYY-MM-DD)"),
    "DATETIME": english("a date-time (2025-03-01T08:30+08:00)"),
    "TIME": english("a time of day (08:30)"),
    "COMPARE_OP": english("a comparison (`==`, `<`, …)"),
    "MONOTONE_DIRECTION": listing(["`nondecreasing`", "`nonincreasing`"], "or"),
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
    phrases: list[str] = []
    if _is_expression_group(names):
        names -= _EXPRESSION_STARTS
        phrases.append(english("an expression"))
    if _is_operator_group(names):
        names -= _operators()
        phrases.append(english("an operator"))
    if {"COMPARE_OP", "INT", "DECIMAL", "PERCENT"} <= names and not _is_expression_group(names):
        names -= {"COMPARE_OP", "INT", "DECIMAL", "PERCENT", "MINUS"}
        phrases.append(english("a bound (`>= 0`, `0 .. 10`)"))
    if {"LIST", "NAME"} <= names and not _is_expression_group(names):
        names -= {"LIST", "NAME"}
        phrases.append(english("a type"))
    if _is_declaration_group(names):
        names -= _DECLARATION_TYPES | {"POLICY", "$END"}
        phrases.append(english("a declaration"))
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
        return english("nothing more")
    return listing(words, "or")


@functools.cache
def _terminal_text(name: str) -> str:
    try:
        terminal = grammar.lark_parser().get_terminal(name)
    except KeyError:
        return name.lower()
    if terminal.pattern.type == "str":
        return str(terminal.pattern.value)
    return name.lower()


def _end_words(start: str) -> str:
    return english("the end of the file" if start == "start" else "the end of the expression")


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _found(site: _Site) -> str:
    token = site.token
    if token is None:
        return english("nothing")
    if token.type == "$END":
        return _end_words(site.start)
    if str(token) in grammar.keywords():
        return english("the-keyword", word=token)
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
# the colon of the declaration being parsed goes.
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
        "missing-keyword",
        "slip.missing-keyword",
        "slip.missing-keyword.help",
        (
            *(f"rule a: {kind} u in xs" for kind in _AGGREGATE_KINDS),
            "rule a: at 2 of [x]",
        ),
    ),
    _Slip(
        "unparenthesised-aggregate",
        "aggregate-needs-parentheses",
        "parenthesise-aggregate",
        ("rule a: 1 + count of u in xs", "rule a: x <= sum of u in xs: u",
         "rule a: not all of u in xs: u"),
        requires="LSQB",
        point="token",
    ),
    _Slip(
        "missing-colon",
        "slip.equals-for-colon",
        "slip.equals-for-colon.help",
        (*(f"{header} = 1" for header in _HEADERS), "enum K = a", 'record R "x" = a: int'),
        requires="COLON",
        point="token",
    ),
    _Slip(
        "missing-colon",
        "missing-colon-body",
        "slip.add-colon.help",
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
        "missing-colon-type",
        "slip.colon-type.help",
        (
            "input x int", "param p int = 1", "record R:\n  a int", "record R:\n  a: int\n  b int",
            "rule f(x int): 1", "rule f(x: int, y int): 1",
            'property "p": forall x int holds true', "input x list of int",
        ),
        requires="COLON",
    ),
    _Slip(
        "missing-colon",
        "slip.colon-field",
        "slip.colon-field.help",
        (*(f"rule r: {{a {body}}}" for body in _BODIES), *(f"rule r: {{a: 1, b {body}}}" for body in _BODIES)),
        requires="COLON",
    ),
    _Slip(
        "missing-type",
        "param-no-type",
        "slip.param-type.help",
        ("param p = 1",),
        requires="COLON",
        point="token",
    ),
    _Slip(
        "missing-equals",
        "slip.given-equals",
        "slip.given-equals.help",
        tuple(f'example "e":\n  given x {body}\n  expect x' for body in _BODIES),
        requires="EQUAL",
    ),
)  # fmt: skip
"""The table of common slips (see above); `tests/test_parser.py` checks every example."""

_COLON_PLACES = {
    "rule": english("before the rule's expression"),
    "criterion": english("before the criterion's expression"),
    "enum": english("before the enum's members"),
    "record": english("before the record's fields"),
    "bands": english("before the bands"),
    "decision": english("before the table's `hit` and `input` lines"),
}
"""Where the `:` of a declaration's header goes, by the declaration's keyword. Declarations
with several colons (schedules, examples, properties) say `after …` instead."""


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
    "&": english("write-and"),
    "|": english("write-or"),
    "!": "write `not` to negate a condition, or `!=` to compare",
    ";": english("full-width-semicolon.help"),
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
            english("syntax_errors.full-width-outside-text", char=char),
            span=span,
            help=english("full-width.help", fix=fix),
        )
    if "０" <= char <= "９" or (char.isdigit() and not char.isascii()):
        return Diagnostic(
            "full-width-character",
            english("syntax_errors.not-ascii-digit", char=char),
            span=span,
            help=english(
                "syntax_errors.numbers-are-written-with.help", digit=unicodedata.digit(char, "0")
            ),
        )
    if char in "'‘’":
        line_end = text.find("\n", offset)
        line_end = len(text) if line_end < 0 else line_end
        closing = next((i for i in range(offset + 1, line_end) if text[i] in "'‘’"), None)
        end = closing + 1 if closing is not None else offset + 1
        return Diagnostic(
            "single-quoted-text",
            english("single-quoted"),
            span=Span(source, offset, end),
            help=english("write", fix=f'"{text[offset + 1 : closing]}"')
            if closing is not None and closing - offset <= 40
            else english("double-quotes.help"),
        )
    if char == '"':
        return _diagnose_text(source, offset)
    expected = _expected_words(_accepts(site.stack), site.start)
    shown = f"`{char}`" if char.isprintable() and not char.isspace() else _character_name(char)
    help_text = _CHARACTER_HELP.get(char)
    if help_text is None and unicodedata.category(char) in ("Zs",):
        help_text = english("syntax_errors.replace-with-ordinary-space.help")
    elif help_text is None and not char.isprintable():
        help_text = english("name-character.invisible.help")
    return Diagnostic(
        "unexpected-character",
        english("unexpected-character", char=shown),
        span=span,
        notes=(english("expected", expected=expected),),
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
                    english("not-an-escape", escape=f"\\{escaped}")
                    if escaped
                    else english("text-ends-with-backslash"),
                    span=Span(source, index, min(index + 2, line_end)),
                    help=english("escape-help"),
                )
            index += 2
            continue
        index += 1
    return Diagnostic(
        "unterminated-text",
        english("text-not-closed"),
        span=Span(source, offset, line_end),
        help=english("text-not-closed.help"),
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


def _composition_without_of(site: _Site) -> Token | None:
    """The word of `all [a, b]` (`any`, …: a composition missing its `of`), which reads as
    the name `all` given inputs in brackets until the parse fails inside them."""
    values = site.values
    for index in range(len(values) - 1, 0, -1):
        value = values[index]
        if isinstance(value, Token) and value.type == "LSQB":
            inside = values[index + 1 :]
            if any(isinstance(v, Token) and v.type == "EQUAL" for v in inside):
                return None  # `all[x = …]`: inputs given to a value named `all`
            before = values[index - 1]
            if isinstance(before, Tree) and before.data == "kind_name" and before.children:
                word = before.children[0]
                while isinstance(word, Tree) and word.children:
                    word = word.children[0]
                return word if isinstance(word, Token) else None
            return None
    return None


def _gap_after(source: Source, site: _Site, token: Token) -> Span:
    end = token.end_pos or 0
    return Span(source, end, end)


def _field_named_by_keyword(site: _Site) -> bool:
    """Whether the error is a record's field named by a keyword that may follow a field
    (`note: text`, `property: bool` after another field): the lexer read the keyword there,
    so the parse stops at the `:`; the error belongs to the field's name."""
    previous, token = site.previous, site.token
    if (
        token is None
        or token.type != "COLON"
        or previous is None
        or previous.type == "NAME"
        or str(previous) not in grammar.AFTER_FIELD
        or previous.start_pos is None
        or not _starts_line(site.text, previous.start_pos)
    ):
        return False
    for value in reversed(site.values):
        if value is previous:
            continue
        if isinstance(value, Tree):
            while value.data.startswith("__") and value.children:  # `_declaration*` so far
                value = value.children[-1]
            if value.data == "record_decl":
                return True
            if str(value.data).endswith("_decl") and value.data != "field_decl":
                return False
        elif isinstance(value, Token) and value.type in _DECLARATION_TYPES:
            return str(value) == "record"
    return False


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
    keywords = {word for name, word in grammar.keyword_types().items() if name in accepts}

    opener = _open_bracket(site)
    if opener is not None:
        open_text, close_text, close_type = _BRACKETS[opener.type]
        other_closer = token.type in _CLOSERS and token.type != close_type
        if close_type in accepts and (token.type == "$END" or at_declaration or other_closer):
            start = opener.start_pos or 0
            label = (
                Label(span, english("expected-type-found", expected=close_text, found=token))
                if other_closer
                else Label(gap, english("close-here", close=close_text, found=found))
            )
            return Diagnostic(
                "unclosed-bracket",
                english("not-closed", open=open_text),
                span=Span(source, start, start + 1),
                labels=(label,),
                help=english("close-where", close=close_text),
            )
    if token.type in _CLOSERS and opener is None and not _is_expression_group(accepts):
        closer = _CLOSERS[token.type]
        opening = next(o for o, c, _ in _BRACKETS.values() if c == closer)
        return Diagnostic(
            "unmatched-bracket",
            english("no-match", close=closer, open=opening),
            span=span,
            notes=(english("expected", expected=expected),),
            help=english("remove-or-add", open=opening),
        )

    if token.type == "EQUAL" and "COMPARE_OP" in accepts:
        after = text[site.offset + 1 : site.offset + 2]
        return Diagnostic(
            "single-equals",
            english("single-equals"),
            span=span,
            help=english("write-to-compare", op=f"{after}=")
            if after in ("<", ">")
            else english("single-equals.help"),
        )
    doubled = _double_equals(site) if "EQUAL" in accepts or token.type == "EQUAL" else None
    if token.type == "COMPARE_OP" and str(token) == "==" and "EQUAL" in accepts:
        doubled = token
    if doubled is not None and ("EQUAL" in accepts or doubled is previous):
        start = doubled.start_pos or 0
        return Diagnostic(
            "double-equals",
            english("double-equals"),
            span=Span(source, start, start + 2),
            help=english("double-equals.help"),
        )

    if token.type == "NAME" and len(str(token)) >= 2 and str(token) not in grammar.keywords():
        hint = suggest(str(token), keywords)
        if hint:
            if _starts_line(text, site.offset) and any(
                hint == f"did you mean `{word}`?" for word in _DECLARATION_WORDS
            ):
                expected = english("a declaration")  # the line was meant to start one
            return Diagnostic(
                "misspelt-keyword",
                english("expected-found", expected=expected, found=found),
                span=span,
                help=hint,
            )

    composed = _composition_without_of(site)
    if composed is not None:
        return Diagnostic(
            "missing-keyword",
            english("missing-of-after", composed=composed),
            span=_gap_after(source, site, composed),
            help=english("write-composed-of.help", composed=composed),
        )

    if previous is not None and _field_named_by_keyword(site):
        return Diagnostic(
            "reserved-word",
            english("reserved-and-cannot-name", name=prev, what=english("a record field")),
            span=_previous_span(source, site),
            help=english("reserved-word.field.help", prev=prev),
        )

    slip = _match_slip(site)
    if slip is not None and _slip_applies(slip, site, prev, accepts, keywords):
        fields = {
            "prev": prev,
            "found": found,
            "want": _wanted(prev, keywords) or "",
            "body": _COLON_PLACES.get(_declaration_word(site)) or english("after-prev", prev=prev),
        }
        spans = {"gap": gap, "token": span, "previous": _previous_span(source, site)}
        return Diagnostic(
            slip.code,
            english(slip.message, **fields),
            span=spans[slip.point],
            help=english(slip.help, **fields),
        )

    for punctuation, code in (("COLON", "missing-colon"), ("EQUAL", "missing-equals")):
        if punctuation in accepts and not _is_operator_group(accepts) and prev:
            mark = _terminal_text(punctuation)
            return Diagnostic(
                code,
                english("missing-after", mark=mark, prev=prev),
                span=gap,
                notes=(english("expected-found", expected=expected, found=found),),
                help=english("add-after", mark=mark, prev=prev),
            )
    operators = _is_operator_group(accepts)
    specific = {
        w
        for n, w in grammar.keyword_types().items()
        if n in accepts and not (operators and n in _operators())
    }
    if len(specific) == 1 and accepts - _keyword_names() <= _operators():
        want = next(iter(specific))
        return Diagnostic(
            "missing-keyword",
            english("missing-after", mark=want, prev=prev)
            if prev
            else english("missing-mark", mark=want),
            span=gap,
            notes=(english("expected-found", expected=expected, found=found),),
            help=_keyword_help(want),
        )
    starts_item = token.type in _EXPRESSION_STARTS and not at_declaration
    if "COMMA" in accepts and starts_item:
        return Diagnostic(
            "missing-comma",
            english("missing-comma", found=found),
            span=gap,
            help=english("missing-comma.help"),
        )
    if _is_operator_group(accepts) and starts_item and _same_line(text, previous, token):
        return Diagnostic(
            "missing-operator",
            english("missing-operator", prev=prev, found=found),
            span=gap,
            help=english("missing-operator.help"),
        )
    if _is_declaration_group(accepts) and token.type != "$END" and _starts_line(text, site.offset):
        return Diagnostic(
            "expected-declaration",
            english("expected-declaration", found=found),
            span=span,
            help=english(
                "declaration-help.continues" if _is_operator_group(accepts) else "declaration-help"
            ),
        )
    if _is_expression_group(accepts) and token.type not in _EXPRESSION_STARTS:
        return Diagnostic(
            "missing-expression",
            english("expected-after-found", expected=expected, prev=prev, found=found)
            if prev
            else english("expected-found", expected=expected, found=found),
            span=gap if token.type == "$END" or at_declaration else span,
        )
    return Diagnostic(
        "unexpected-end" if token.type == "$END" else "unexpected-token",
        english("expected-found", expected=expected, found=found),
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
    if "{want}" in slip.message:
        return _wanted(prev, keywords) is not None
    return True


def _wanted(prev: str, keywords: set[str]) -> str | None:
    """The one keyword the parser wants after `prev`: the only one it accepts, or the word
    that makes a contextual keyword a keyword (`of` after `count`, `least` after `at`, where
    `count` and `at` may also be names, so that the operators are accepted too)."""
    if len(keywords) == 1:
        return min(keywords)
    if prev in (*_AGGREGATE_KINDS, "min", "max") and "of" in keywords:
        return "of"
    if prev == "at" and "least" in keywords:
        return "least"
    return None


@functools.cache
def _keyword_names() -> frozenset[str]:
    return frozenset(grammar.keyword_types())


def _keyword_help(word: str) -> str | None:
    if word in ("then", "else"):
        return english("if-reads")
    if word == "in":
        return english("aggregate-reads")
    if word == "of":
        return english("syntax_errors.write-all-at-least.help")
    if word == "holds":
        return english("syntax_errors.property-reads-forall-x.help")
    return None
