"""Diagnostics and the exceptions that carry them.

Owns the one shape every problem takes (`Diagnostic`: where, what, why, how to fix), its text
and JSON renderings, the exception hierarchy rooted at `WuxinError`, `suggest()` for
did-you-mean hints, `os_reason()` for why the system refused a file, and the registry of
diagnostic codes (`CODES`, each explained in `docs/errors.md`). May import `source` and
`messages`.

Message style (after Cedar's style guide): lowercase start, no final period, user text in
backticks, the language's own terms (`a number`, `text`), never Python's. Extra detail goes
into `help` and `notes`.
"""

from __future__ import annotations

import difflib
import enum
import errno
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

import attrs

from wuxin_rules import messages
from wuxin_rules.messages import english
from wuxin_rules.source import Span, render_snippet

__all__ = [
    "CODES",
    "STAGES",
    "Diagnostic",
    "EvaluationError",
    "FactError",
    "InternalError",
    "Label",
    "ParamError",
    "PolicyCheckError",
    "PolicyError",
    "PolicySyntaxError",
    "Severity",
    "UsageError",
    "WuxinError",
    "os_reason",
    "render_diagnostics",
    "suggest",
]


STAGES = (
    "syntax", "names", "modules", "check", "consistency", "tests", "facts", "params",
    "evaluation", "usage", "internal",
)  # fmt: skip
"""Where a diagnostic arises, in pipeline order: the sections of `docs/errors.md`."""

CODES: dict[str, str] = {
    # syntax
    "bad-bound": "syntax", "bad-composition": "syntax", "bad-escape": "syntax",
    "double-equals": "syntax", "expected-declaration": "syntax",
    "full-width-character": "syntax", "invalid-date": "syntax", "unknown-zone": "syntax", "missing-colon": "syntax",
    "missing-comma": "syntax", "missing-equals": "syntax", "missing-expression": "syntax",
    "missing-keyword": "syntax", "missing-operator": "syntax", "missing-type": "syntax",
    "misspelt-keyword": "syntax", "number-too-long": "syntax", "reserved-word": "syntax",
    "single-equals": "syntax", "single-quoted-text": "syntax", "too-deep": "syntax",
    "too-large": "syntax", "too-many-errors": "syntax", "unclosed-bracket": "syntax",
    "unexpected-character": "syntax", "unexpected-end": "syntax", "unexpected-token": "syntax",
    "unmatched-bracket": "syntax", "unparenthesised-aggregate": "syntax",
    "unterminated-text": "syntax", "unknown-hit-policy": "syntax",
    # names
    "confusable-names": "names", "full-width-name": "names", "mixed-script-name": "names",
    # modules
    "import-cycle": "modules", "module-path-mismatch": "modules", "no-such-file": "modules",
    "not-a-file": "modules", "not-utf8": "modules", "unknown-module": "modules",
    "unreadable-file": "modules",
    # check
    "ambiguous-member": "check", "bad-band-bound": "check", "bad-category": "check",
    "bad-monotone": "check", "bad-schedule-type": "check", "band-gap": "check",
    "bad-schedule-period": "check", "dated-out-of-order": "check",
    "band-out-of-range": "check", "band-overlap": "check", "duplicate-cell": "check",
    "duplicate-name": "check", "duplicate-period": "check", "empty-band": "check",
    "empty-list": "check", "empty-stage": "check", "extra-cell": "check",
    "input-conflict": "check", "missing-body": "check", "missing-category": "check",
    "missing-cell": "check", "missing-field": "check", "never-none": "check",
    "non-exhaustive-match": "check", "unreachable-case": "check",
    "none-comparison": "check", "not-a-type": "check", "not-a-value": "check",
    "not-callable": "check", "out-of-bounds": "check", "param-not-constant": "check",
    "period-outside-stage": "check", "possibly-none": "check", "recursive-record": "check",
    "reserved-name": "check", "rule-cycle": "check", "schedule-not-monotone": "check",
    "spread-after-field": "check", "stage-overlap": "check", "type-mismatch": "check",
    "unexpected-body": "check", "unexpected-category": "check", "unknown-member": "check",
    "unknown-name": "check", "unknown-type": "check",
    "unknown-exception": "check", "exception-cycle": "check",
    "unknown-language": "check", "duplicate-translation": "check", "with-outside-test": "check",
    "wrong-arity": "check", "needs-rounding": "check",
    "table-shape": "check", "table-too-long": "check", "table-priority": "check", "table-cell-not-constant": "check",
    "table-overlap": "check", "table-gap": "check",
    "table-row-unreachable": "check", "table-row-shadowed": "check", "table-not-proved": "check",
    # consistency
    "criterion-always-false": "consistency", "criterion-always-true": "consistency",
    "uncited-rule": "consistency", "undecided-criterion": "consistency",
    "proved-monotone": "consistency", "proved-bands": "consistency",
    "unreachable-branch": "consistency", "unused-declaration": "consistency",
    "exceptions-always-conflict": "consistency",
    "unused-import": "consistency", "unused-input": "consistency", "unused-param": "consistency",
    "unused-rule-parameter": "consistency",
    # tests
    "bad-binding": "tests", "bad-fixture": "tests", "bad-given": "tests",
    "fixture-cycle": "tests", "missing-given": "tests", "not-constant": "tests",
    "unknown-input": "tests", "with-uses-local": "tests",
    # facts
    "bad-encoding": "facts", "bad-fact": "facts", "bad-json": "facts", "duplicate-key": "facts",
    "fact-out-of-bounds": "facts", "missing-fact": "facts", "unknown-fact": "facts",
    "ambiguous-column": "facts", "duplicate-column": "facts", "missing-column": "facts",
    "unknown-column": "facts", "unknown-key": "facts", "float-facts": "facts",
    # params
    "bad-param": "params", "unknown-param": "params",
    # evaluation
    "division-by-zero": "evaluation", "duplicate-sample-key": "evaluation",
    "invalid-argument": "evaluation", "incomparable-durations": "evaluation", "invalid-quarter": "evaluation", "invalid-sample-rate": "evaluation",
    "outside-bands": "evaluation", "overlapping-bands": "evaluation",
    "power-too-large": "evaluation", "index-out-of-range": "evaluation",
    "invalid-pattern": "evaluation", "no-element": "evaluation", "before-first-date": "evaluation",
    "cycle": "evaluation", "dangling-link": "evaluation", "duplicate-link-key": "evaluation",
    "assertion-failed": "evaluation", "exception-conflict": "evaluation",
    "unexpected-none": "evaluation",
    # usage
    "ambiguous-type": "usage", "bad-param-syntax": "usage", "missing-dependency": "usage",
    "no-policies": "usage",
    "not-a-policy": "usage", "rule-needs-arguments": "usage", "unknown-mode": "usage",
    "unknown-path": "usage", "unknown-rule": "usage", "unsupported-type": "usage",
    "unwritable-json": "usage", "usage": "usage",
    "unwritable-file": "usage",
    # internal
    "internal-error": "internal", "format-changed-policy": "internal",
}  # fmt: skip
"""Every diagnostic code the package uses, with the stage it belongs to. A code is stable:
tools and `docs/errors.md` (which explains each one with an example) key on it, and
`tests/test_errors_doc.py` checks that this table, the codes written in `src/` and the
documented codes are the same."""


class Severity(enum.Enum):
    """How serious a diagnostic is."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@attrs.frozen
class Label:
    """A secondary span with a short text, shown under the main one ("defined here")."""

    span: Span
    text: str


@attrs.frozen
class Diagnostic:
    """One problem, located either in a policy (`span`) or in a facts document (`path`).

    `code` is a stable kebab-case identifier (`unknown-name`, `type-mismatch`, `bad-fact`, …)
    that tools and `docs/errors.md` key on. `path` is a JSON path such as
    `$.applicant.address.postcode`, with `file` naming the facts file when there is one.
    """

    code: str
    message: str
    span: Span | None = None
    severity: Severity = Severity.ERROR
    help: str | None = None
    notes: tuple[str, ...] = ()
    labels: tuple[Label, ...] = ()
    path: str | None = None
    file: str | None = None

    def location(self, lang: str = "en") -> str:
        """Where the problem is: `file:line:col`, `file: $.json.path`, or an empty string;
        a place written in words (a table's `row 7`) in `lang`."""
        if self.span is not None:
            return self.span.location()
        file = messages.render(self.file, lang) if self.file else ""
        if self.path is not None:
            path = messages.render(self.path, lang)
            return f"{file}: {path}" if file else path
        return file

    def render(self, lang: str = "en") -> str:
        """The diagnostic as text: header, snippet with caret, labels, notes and help.

        `lang="zh"` gives the fixed words (`错误`, `帮助`) and the phrases the catalogue
        knows (`wuxin_rules.messages`) in Chinese; what the policy wrote stays as written.
        """
        # In English a text is its own rendering (a message's text is its English): the
        # plain `str` of it, without asking `messages.render` of each (thousands of warnings).
        say: Callable[[str], str] = (
            str.__str__ if lang == "en" else partial(messages.render, lang=lang)
        )
        frame = _FRAME_WORDS[lang] if lang in _FRAME_WORDS else _frame_words(lang)
        header = f"{frame[self.severity]}[{self.code}]: {say(self.message)}"
        if self.span is not None:
            # `location()`, with the line and column the snippet needs too (found once).
            at = self.span.source.line_col(self.span.start)
            lines = [f"{self.span.source.name}:{at[0]}:{at[1]}: {header}"]
            lines.extend(render_snippet(self.span, at=at))
        else:
            where = self.location(lang)
            lines = [f"{where}: {header}" if where else header]
        for label in self.labels:
            lines.append(f"   = {say(label.text)}: {label.span.location()}")
            lines.extend("  " + line for line in render_snippet(label.span, "-"))
        for note in self.notes:
            lines.append(f"   = {frame['note']}: {say(note)}")
        if self.help:
            lines.append(f"   = {frame['help']}: {say(self.help)}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The diagnostic as a JSON-ready dict (the fields of `--format json`)."""
        data: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
        }
        if isinstance(self.message, messages.Message):
            # The phrase and its fields, for a reader that renders it in its own language.
            data.update(self.message.to_json())
        if self.span is not None:
            line, column = self.span.source.line_col(self.span.start)
            end_line, end_column = self.span.source.line_col(self.span.end)
            data["file"] = self.span.source.name
            data["line"] = line
            data["column"] = column
            data["end_line"] = end_line
            data["end_column"] = end_column
        if self.path is not None:
            data["path"] = self.path
        if self.file is not None and self.span is None:
            data["file"] = self.file
        if self.help:
            data["help"] = self.help
        if self.notes:
            data["notes"] = list(self.notes)
        return data


_FRAME_WORDS: dict[str, dict[Any, str]] = {}
"""The words that frame a rendered diagnostic (its severity, `note`, `help`), by language:
looked up once, not once for each of thousands of warnings."""


def _frame_words(lang: str) -> dict[Any, str]:
    words: dict[Any, str] = {key: messages.word(key, lang) for key in ("note", "help")}
    words.update((severity, messages.word(severity.value, lang)) for severity in Severity)
    _FRAME_WORDS[lang] = words
    return words


def render_diagnostics(
    diagnostics: Iterable[Diagnostic], lang: str = "en", rendered: Sequence[str] | None = None
) -> str:
    """Several diagnostics as text, separated by blank lines, with a closing count
    (`lang` as for `Diagnostic.render`). `rendered` is each diagnostic's `render(lang)` when
    the caller has it already (thousands of warnings: rendering is most of their cost)."""
    items = list(diagnostics)
    body = "\n\n".join(rendered if rendered is not None else [d.render(lang) for d in items])
    errors = sum(1 for d in items if d.severity is Severity.ERROR)
    warnings = sum(1 for d in items if d.severity is Severity.WARNING)
    counts = []
    if errors:
        counts.append(messages.count(errors, "error", lang))
    if warnings:
        counts.append(messages.count(warnings, "warning", lang))
    if counts and len(items) > 1:
        if len(counts) == 2:
            counts = [messages.word("count.and", lang, first=counts[0], second=counts[1])]
        body += "\n\n" + counts[0]
    return body


class WuxinError(Exception):
    """Base of every error the library raises on bad input; `str()` is the rendered text.

    Every instance carries `diagnostics`, so several problems travel in one exception.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic] | Diagnostic) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = (diagnostics,)
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(render_diagnostics(self.diagnostics))

    def __reduce__(self) -> tuple[Any, ...]:
        # `Exception` pickles its `args`, here the rendered text, and unpickling would pass
        # that text back as the diagnostics: rebuild from the diagnostics themselves, so that
        # an error crosses a process boundary (`wuxin_rules.batch`, `wuxin eval --jobs`)
        # intact, whatever the subclass.
        return (type(self), (self.diagnostics,), self.__dict__ or None)

    def render(self, lang: str = "en") -> str:
        """The diagnostics as text in `lang` (`str()` is the English text)."""
        return render_diagnostics(self.diagnostics, lang)

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of the diagnostics, in order (handy in tests and tools)."""
        return tuple(d.code for d in self.diagnostics)


class PolicyError(WuxinError):
    """A policy could not be loaded: it does not parse or does not check."""


class PolicySyntaxError(PolicyError):
    """A policy text does not follow the grammar."""


class PolicyCheckError(PolicyError):
    """A policy parses but names, types, imports or tables are wrong."""


class FactError(WuxinError):
    """A facts document does not match the declared input types (diagnostics carry JSON paths)."""


class ParamError(WuxinError):
    """A parameter override names no parameter or has a value of the wrong type."""


class EvaluationError(WuxinError):
    """Evaluation reached a located runtime fault: division by zero, a `none` used as a value."""


class UsageError(WuxinError):
    """The library or the command line was called the wrong way (a bad path, option or rule name)."""


class InternalError(WuxinError):
    """A bug in wuxin_rules itself: please report it with the input that caused it."""


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `word`, as a did-you-mean hint text, or None.

    >>> suggest("incme", ["income", "kind"])
    'did you mean `income`?'
    """
    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return english("did-you-mean", name=matches[0]) if matches else None


_OS_REASONS: Mapping[int, tuple[str, str]] = {
    errno.ENOENT: ("os.ENOENT", "os.ENOENT.capital"),
    errno.EACCES: ("os.EACCES", "os.EACCES.capital"),
    errno.EPERM: ("os.EPERM", "os.EPERM.capital"),
    errno.EISDIR: ("os.EISDIR", "os.EISDIR.capital"),
    errno.ENOTDIR: ("os.ENOTDIR", "os.ENOTDIR.capital"),
    errno.ENOSPC: ("os.ENOSPC", "os.ENOSPC.capital"),
    errno.EROFS: ("os.EROFS", "os.EROFS.capital"),
    errno.ENAMETOOLONG: ("os.ENAMETOOLONG", "os.ENAMETOOLONG.capital"),
    errno.ELOOP: ("os.ELOOP", "os.ELOOP.capital"),
    errno.EMFILE: ("os.EMFILE", "os.EMFILE.capital"),
    errno.ENFILE: ("os.ENFILE", "os.ENFILE.capital"),
    errno.EIO: ("os.EIO", "os.EIO.capital"),
    errno.EEXIST: ("os.EEXIST", "os.EEXIST.capital"),
    errno.EFBIG: ("os.EFBIG", "os.EFBIG.capital"),
}
"""The catalogue's phrases for the common errno values: lower-cased, capitalised."""


def os_reason(error: BaseException, shown: str) -> str:
    """Why the system refused to open, read or write a file, as a message.

    `shown` is the English the caller gives as the reason: the system's words
    (`error.strerror`) lower-cased (`cannot read `x`: no such file or directory`) or as the
    system writes them (`No such file or directory`). A common errno is the catalogue's
    phrase, in the same case as `shown`; any other error keeps `shown` (the system's or a
    reader library's own words) as a field of a keyed frame, so its English is unchanged.
    """
    keys = _OS_REASONS.get(getattr(error, "errno", None) or 0)
    if keys is not None:
        return english(keys[1] if shown[:1].isupper() else keys[0])
    return english("os.other" if isinstance(error, OSError) else "read.other", reason=shown)
