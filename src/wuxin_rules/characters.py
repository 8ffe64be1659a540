"""Characters an author typed that do not mean what they look like.

Owns two screens of a policy's text, both run before (and independently of) the grammar:

* `screen()`: full-width punctuation and digits typed outside a text (`：，（）％１２`, the
  habit of a Chinese input method left in full-width mode) are errors, every occurrence at
  once, each with its half-width form in the help. The screen also gives the text with each
  of them replaced by its half-width form (offsets unchanged), so that the parser can go on
  and report the problems that remain.
* `name_warnings()`: names that mix scripts (a Cyrillic `о` in a Latin name), names typed in
  full-width letters, and two names of one module that look alike once full-width letters
  and Cyrillic or Greek look-alikes are mapped to Latin (after Cedar's confusable-identifier
  warnings and Unicode TS #39). These are warnings: such a policy works, but reads wrong.

The look-alike table is a small one (the Cyrillic and Greek letters that look like Latin
ones, plus every full-width form through NFKC), not the full `confusables.txt` of TS #39.

May import `source`, `errors` and `messages`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

import attrs

from wuxin_rules.errors import Diagnostic, Label, Severity
from wuxin_rules.messages import english, listing, term
from wuxin_rules.source import Source, Span

__all__ = [
    "FULL_WIDTH",
    "LOOKALIKES",
    "NAME",
    "Screened",
    "full_width_diagnostic",
    "name_errors",
    "name_warnings",
    "screen",
    "scripts",
    "skeleton",
]

# ------------------------------------------------------------------------------------------
# Full-width punctuation and digits

FULL_WIDTH: dict[str, tuple[str, str]] = {
    "：": (":", "colon"),
    "，": (",", "comma"),
    "、": (",", "enumeration comma"),
    "（": ("(", "parenthesis"),
    "）": (")", "parenthesis"),
    "〔": ("(", "parenthesis"),
    "〕": (")", "parenthesis"),
    "％": ("%", "percent sign"),
    "［": ("[", "square bracket"),
    "］": ("]", "square bracket"),
    "【": ("[", "square bracket"),
    "】": ("]", "square bracket"),
    "｛": ("{", "brace"),
    "｝": ("}", "brace"),
    "；": (";", "semicolon"),
    "“": ('"', "quotation mark"),
    "”": ('"', "quotation mark"),
    "＂": ('"', "quotation mark"),
    "。": (".", "full stop"),
    "．": (".", "full stop"),
    "＝": ("=", "equals sign"),
    "＜": ("<", "less-than sign"),
    "＞": (">", "greater-than sign"),
    "《": ("<", "less-than sign"),
    "》": (">", "greater-than sign"),
    "＋": ("+", "plus sign"),
    "－": ("-", "minus sign"),
    "—": ("-", "dash"),
    "＊": ("*", "asterisk"),
    "／": ("/", "slash"),
    "＼": ("\\", "backslash"),
    "？": ("?", "question mark"),
    "！": ("!", "exclamation mark"),
    "＃": ("#", "number sign"),
    "＆": ("&", "ampersand"),
    "｜": ("|", "vertical bar"),
    "＿": ("_", "underscore"),
    "＇": ("'", "apostrophe"),
    "～": ("~", "tilde"),
}
"""Each full-width or ideographic punctuation mark the screen reports: its half-width
form and what it is called (`colon`, translated by `messages.TERMS`). The full-width digits
`０`-`９` are reported as runs (`１２` → `12`)."""

_OPENING_QUOTES = {"“": "”", "＂": "＂"}

# A part of the text the screen does not look into: a comment, a text, a text in single
# quotes (the parser reports those), a text in full-width quotes (whose quotes are reported).
_OPAQUE = re.compile(
    r"""
      (?P<comment>[#＃][^\n]*)
    | (?P<text>"(?:[^"\\\n]|\\.)*"?)
    | (?P<quoted>'[^'\n]*'?|‘[^’\n]*’?)
    | (?P<curly>“[^”\n]*”?|＂[^＂\n]*＂?)
    """,
    re.VERBOSE,
)
NAME = re.compile(r"(?!\d)\w(?:\w|[^\x00-\x7f\s\u2018\u2019])*")
"""What the grammar's `NAME` token matches (the same pattern): a letter of any script or `_`,
then word characters or any other character outside ASCII but a blank or a single curly
quote. The grammar cannot name Unicode categories, so it takes in more than a name may hold
(combining marks, but also `≤` in `x≤5`); `name_errors` then refuses, where it stands, each
character that UAX #31 does not allow in a name."""
_WORD = re.compile(r"\w+")
_CANDIDATE = re.compile(
    "([\uff10-\uff19]+)|["
    + re.escape("".join(FULL_WIDTH))
    + "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff5e]"
)  # full-width digits, or a mark the screen reports (full-width letters belong to names)


def _is_full_width_digit(char: str) -> bool:
    # Digits of other scripts (`٣`) are left to the parser, which names them as such.
    return "\uff10" <= char <= "\uff19"


def _half_width(char: str) -> str:
    if char in FULL_WIDTH:
        return FULL_WIDTH[char][0]
    if char.isdigit():
        return str(unicodedata.digit(char, 0))
    return chr(ord(char) - 0xFEE0)


@attrs.frozen
class Screened:
    """The result of `screen()`: the errors, and the text with the reported characters
    replaced by their half-width forms (same length, so offsets still match)."""

    text: str
    errors: tuple[Diagnostic, ...]


def full_width_diagnostic(span: Span, char: str) -> Diagnostic | None:
    """The error for one full-width character at `span`, or None if it is not one."""
    if char in FULL_WIDTH:
        fix, kind = FULL_WIDTH[char]
        return _full_width_error(span, kind, char, fix)
    if char.isdigit() and any(_is_full_width_digit(c) for c in char):
        fix = "".join(_half_width(c) for c in char)
        return _full_width_error(span, "digit" if len(char) == 1 else "digits", char, fix)
    if len(char) == 1 and "\uff01" <= char <= "\uff5e":
        return _full_width_error(span, "character", char, chr(ord(char) - 0xFEE0))
    return None


def _full_width_error(span: Span, kind: str, char: str, fix: str) -> Diagnostic:
    return Diagnostic(
        "full-width-character",
        english("full-width", kind=english(kind), char=char),
        span=span,
        # A half-width `;` would be wrong too: the language has no use for one.
        help=english("full-width-semicolon.help" if fix == ";" else "full-width.help", fix=fix),
    )


def screen(source: Source, text: str | None = None) -> Screened:
    """Every full-width punctuation mark and digit outside a text, comment or name.

    `text` is the text to screen when it differs from `source.text` only by blanks (a
    byte-order mark replaced by a space); spans always point into `source`.
    """
    text = source.text if text is None else text
    if text.isascii():
        return Screened(text, ())
    errors: list[Diagnostic] = []
    repaired = list(text)

    def flag(start: int, end: int) -> None:
        diagnostic = full_width_diagnostic(Span(source, start, end), text[start:end])
        if diagnostic is None:
            return
        errors.append(diagnostic)
        repaired[start:end] = [_half_width(c) for c in text[start:end]]

    for start, end in _code_parts(text):
        for match in _CANDIDATE.finditer(text, start, end):
            if match.group(1) is None:
                flag(match.start(), match.end())
                continue
            # Digits that start a word are a number typed in full width (with any
            # half-width digits next to them); digits inside a name are part of it.
            first, last = match.start(), match.end()
            while first > start and text[first - 1].isdigit():
                first -= 1
            while last < end and text[last].isdigit():
                last += 1
            if first == start or not _is_name_character(text[first - 1]):
                flag(first, last)
    for match in _OPAQUE.finditer(text):
        if match.lastgroup == "curly":
            _report_quotes(source, match, errors, repaired)
        elif match.lastgroup == "comment" and match.group().startswith("＃"):
            flag(match.start(), match.start() + 1)
    errors.sort(key=lambda d: d.span.start if d.span else 0)
    return Screened("".join(repaired), tuple(errors))


def _report_quotes(
    source: Source, match: re.Match[str], errors: list[Diagnostic], repaired: list[str]
) -> None:
    """A text in full-width quotes: each quote is reported, the text inside is not."""
    quoted = match.group()
    opening = quoted[0]
    closed = len(quoted) > 1 and quoted[-1] == _OPENING_QUOTES[opening]
    inner = quoted[1:-1] if closed else quoted[1:]
    fix = f'"{inner}"' if closed and len(inner) <= 40 else '"…"'
    ends = [match.start(), match.end() - 1] if closed else [match.start()]
    for offset in ends:
        char = source.text[offset] if offset < len(source.text) else quoted[0]
        errors.append(
            Diagnostic(
                "full-width-character",
                english("full-width", kind=english("quotation mark"), char=char),
                span=Span(source, offset, offset + 1),
                help=english("full-width-quotes.help", fix=fix),
            )
        )
        repaired[offset] = '"'


def _code_parts(text: str) -> Iterator[tuple[int, int]]:
    """The `(start, end)` ranges of `text` that are code: not in a comment or a text."""
    position = 0
    for match in _OPAQUE.finditer(text):
        if match.start() > position:
            yield position, match.start()
        position = match.end()
    if position < len(text):
        yield position, len(text)


def _words(text: str) -> Iterator[tuple[int, str]]:
    """`(offset, word)` for every word of code that is a name (does not start with a digit)."""
    for start, end in _code_parts(text):
        for match in NAME.finditer(text, start, end):
            yield match.start(), match.group()


# ------------------------------------------------------------------------------------------
# What a name may be made of (Unicode UAX #31)


def _is_name_character(char: str) -> bool:
    """A character that may continue a name: XID_Continue (letters, combining marks, digits,
    connectors such as `_`), as Python decides it for identifiers."""
    if char.isascii():
        return char.isalnum() or char == "_"
    return ("a" + char).isidentifier()


def name_errors(source: Source, text: str | None = None) -> list[Diagnostic]:
    """Every character inside a name that Unicode's UAX #31 does not allow there.

    A name starts with a letter (XID_Start) or `_` and goes on with letters, combining marks
    (`नाम`, `ชื่อ`, a decomposed `é`), digits and connectors (XID_Continue). The grammar's
    `NAME` admits more (see `NAME`): a symbol typed against a name (`x≤5`), an invisible
    character (a zero-width space), a superscript digit (`x²`) are found here, each at its
    place. `text` is the screened text (same offsets as `source.text`).
    """
    text = source.text if text is None else text
    if text.isascii():
        return []
    errors: list[Diagnostic] = []
    for offset, word in _words(text):
        if word.isascii() or word.isidentifier():
            continue
        for index, char in enumerate(word):
            valid = char.isidentifier() if index == 0 else _is_name_character(char)
            if not valid:
                span = Span(source, offset + index, offset + index + 1)
                errors.append(_name_character_error(span, char))
    return errors


def _name_character_error(span: Span, char: str) -> Diagnostic:
    shown = f"`{char}`" if char.isprintable() and not char.isspace() else _character_name(char)
    if not char.isprintable():
        help_text = english("name-character.invisible.help")
    else:
        help_text = english("name-character.help", char=shown)
    return Diagnostic(
        "unexpected-character",
        english("unexpected-character", char=shown),
        span=span,
        notes=(english("name-character.note"),),
        help=help_text,
    )


def _character_name(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name.lower()})" if name else "")


# ------------------------------------------------------------------------------------------
# Scripts and look-alikes

LOOKALIKES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l",
    "ь": "b", "г": "r", "п": "n", "т": "t", "к": "k", "м": "m", "н": "h",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D",
    # Greek
    "α": "a", "ο": "o", "ν": "v", "ρ": "p", "ι": "i", "κ": "k", "υ": "u", "τ": "t",
    "ϲ": "c", "ε": "e", "η": "n", "μ": "u", "χ": "x", "γ": "y", "ω": "w",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}  # fmt: skip
"""Cyrillic and Greek letters that look like a Latin letter in common fonts, and the letter.
Full-width letters and digits need no entry: NFKC maps them to ASCII."""

# Scripts that may share a name (TS #39 "highly restrictive"): Chinese, Japanese and Korean
# names mix Han with Latin and their own scripts; any other mix is suspect.
_ALLOWED_MIXES = (
    frozenset({"Latin", "Han", "Bopomofo"}),
    frozenset({"Latin", "Han", "Hiragana", "Katakana"}),
    frozenset({"Latin", "Han", "Hangul"}),
)
_SCRIPT_PREFIXES = (
    ("CJK ", "Han"), ("FULLWIDTH LATIN", "Latin"), ("HALFWIDTH KATAKANA", "Katakana"),
    ("HALFWIDTH HANGUL", "Hangul"), ("LATIN", "Latin"), ("CYRILLIC", "Cyrillic"),
    ("GREEK", "Greek"), ("HIRAGANA", "Hiragana"), ("KATAKANA", "Katakana"),
    ("HANGUL", "Hangul"), ("BOPOMOFO", "Bopomofo"), ("ARMENIAN", "Armenian"),
    ("HEBREW", "Hebrew"), ("ARABIC", "Arabic"), ("IDEOGRAPHIC", "Han"),
)  # fmt: skip


def _script(char: str) -> str | None:
    """The script of a letter (`Latin`, `Cyrillic`, `Han`, …); None for digits, `_` and
    marks, which belong to every script."""
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    for prefix, script in _SCRIPT_PREFIXES:
        if name.startswith(prefix):
            return script
    return name.split(" ", 1)[0].title() or None


def scripts(name: str) -> list[str]:
    """The scripts of the letters of `name`, in order of first appearance."""
    found: dict[str, None] = {}
    for char in name:
        script = _script(char)
        if script is not None:
            found.setdefault(script)
    return list(found)


def skeleton(name: str) -> str:
    """What `name` looks like: full-width forms made half-width (NFKC), Cyrillic and Greek
    look-alikes made Latin. Two names with one skeleton are confusable."""
    return "".join(LOOKALIKES.get(char, char) for char in unicodedata.normalize("NFKC", name))


def _has_full_width(name: str) -> bool:
    return any("\uff01" <= char <= "\uff5e" for char in name)


def name_warnings(source: Source) -> list[Diagnostic]:
    """Warnings about the names of one module: full-width letters, mixed scripts, and pairs
    of different names that look alike. Each name is reported once, where it first appears."""
    if source.text.isascii():
        return []
    # Each name once, where it first appears, in the form the parser gives it (NFC: a
    # decomposed `é` is the name `é`), found in the text the parser reads (the screened
    # one: `a：1` is the name `a`, then `:`).
    first: dict[str, Span] = {}
    for offset, word in _words(screen(source).text):
        first.setdefault(
            unicodedata.normalize("NFC", word), Span(source, offset, offset + len(word))
        )
    warnings: list[Diagnostic] = []
    by_skeleton: dict[str, str] = {}
    confused: set[str] = set()
    for word, span in first.items():
        other = by_skeleton.setdefault(skeleton(word), word)
        if other != word:
            confused.update((word, other))
            warnings.append(_confusable(span, word, other, first[other]))
    # A name that looks like another gets that warning only, not one about its letters too.
    for word, span in first.items():
        if word.isascii() or word in confused:
            continue
        mixed = scripts(word)
        if len(mixed) > 1 and not any(set(mixed) <= allowed for allowed in _ALLOWED_MIXES):
            warnings.append(_mixed_script(span, word, mixed))
        elif _has_full_width(word):
            warnings.append(
                Diagnostic(
                    "full-width-name",
                    english("full-width-name", name=word),
                    span=span,
                    severity=Severity.WARNING,
                    help=english("full-width-name.help", fix=unicodedata.normalize("NFKC", word)),
                )
            )
    warnings.sort(key=lambda d: d.span.start if d.span else 0)
    return warnings


def _confusable(span: Span, word: str, other: str, other_span: Span) -> Diagnostic:
    return Diagnostic(
        "confusable-names",
        english("confusable-names", name=word, other=other),
        span=span,
        severity=Severity.WARNING,
        labels=(Label(other_span, english("confusable-names.label", other=other)),),
        notes=tuple(
            note
            for name in (word, other)
            for note in (
                *([english("full-width-name", name=name)] if _has_full_width(name) else []),
                *_looks(name),
            )
        ),
        help=english("confusable-names.help"),
    )


def _mixed_script(span: Span, word: str, mixed: list[str]) -> Diagnostic:
    listed = listing([term(script) for script in mixed])
    looks = list(_looks(word))
    return Diagnostic(
        "mixed-script-name",
        english("mixed-script-name", name=word, scripts=listed),
        span=span,
        severity=Severity.WARNING,
        help=english("mixed-script-name.help", looks=looks[0])
        if len(looks) == 1
        else english("mixed-script-name.help.plain"),
        notes=tuple(looks) if len(looks) > 1 else (),
    )


def _looks(word: str) -> Iterable[str]:
    """`the Cyrillic `о` looks like the Latin `o``, for each look-alike letter of `word`."""
    seen: set[str] = set()
    for char in word:
        like = LOOKALIKES.get(char)
        if like is None or char in seen:
            continue
        seen.add(char)
        script = _script(char)
        yield english(
            "looks-like",
            script=term(script) if script else "",
            char=char,
            other=english("Latin"),
            like=like,
        )
