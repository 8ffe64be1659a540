"""The `wuxin` command line.

The only module that reads argv, prints or exits. Every failure a user can cause ends as a
rendered diagnostic on stderr and a non-zero exit code, never a traceback. Imported by
nothing but `__main__`.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import enum
import io
import os
import sys
from collections.abc import Generator, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

from wuxin_rules import explain as explaining
from wuxin_rules import jsonio, lint, loader, messages
from wuxin_rules.errors import (
    Diagnostic,
    FactError,
    Severity,
    UsageError,
    WuxinError,
    os_reason,
    render_diagnostics,
    suggest,
)
from wuxin_rules.messages import LANGUAGES, english
from wuxin_rules.parser import collection_paused
from wuxin_rules.source import decode_policy, read_policy

if TYPE_CHECKING:
    from wuxin_rules import api, batch

# `api`, `batch`, `notice`, `fastjson` and the document modules are imported by the commands
# that use them: `wuxin check` of a large policy should not pay for their import (it needs
# `lint`: the loader, the checker and the consistency checks).

__all__ = ["ExitCode", "main"]


def _lines(text: str) -> list[str]:
    """`text` split after each `\\n` only: a carriage return inside a text stays in its line."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


class ExitCode(enum.IntEnum):
    """What `wuxin` exits with."""

    OK = 0
    """Success, whatever the verdicts."""
    PROBLEMS = 1
    """Problems in the input: policy, facts, params or evaluation errors."""
    USAGE = 2
    """The command line itself is wrong."""
    INTERNAL = 3
    """A bug in wuxin_rules: please report it."""


COMMANDS = ("check", "eval", "test", "verify", "fmt", "doc", "lsp", "template", "schema")

_EPILOG_MAIN = """\
commands:
  check     parse and check policies; report every problem with file:line:column
  eval      evaluate a policy on facts and print the verdicts (and why, with --explain)
  test      run the `example` blocks of policies
  verify    search for counterexamples to the `property` blocks of policies (hypothesis)
  fmt       rewrite policies in the canonical layout (--check for CI, --diff to preview)
  doc       render policies as documents to print and sign off (Markdown or HTML)
  lsp       the language server for editors (docs/editors.md)
  template  write a blank facts table (Excel, CSV) or JSON document to fill in
  schema    print the JSON Schema (2020-12) of a policy's facts

examples:
  wuxin check policies/
  wuxin eval policies/loans/eligibility.policy applicant.json --explain
  wuxin eval policies/loans/eligibility.policy applicants.jsonl --format json
  wuxin COMMAND --help

exit codes: 0 success, 1 problems in the input, 2 usage error, 3 internal error
"""

_EPILOG_CHECK = """\
Each file is loaded as the root of a policy: its imports are resolved against the policy
root (the folder its `policy a.b` header implies). A folder is searched for *.policy files.

Then the consistency checks, as warnings: unused declarations, params, inputs, imports and
rule parameters; criteria that are always true or never true within the declared types;
`if` branches that are never taken; rules whose explanation would cite nothing. Warnings do
not change the exit code unless --strict is given (docs/language.md, "Consistency checks").
Names that mix scripts or look like another name are warnings: shown, but not a failure.
Every diagnostic code is explained, with an example and the fix, in docs/errors.md.

examples:
  wuxin check policies/loans/eligibility.policy
  wuxin check policies/ --format json
  wuxin check --strict policies/
  wuxin check policies/ --lang zh
"""

_EPILOG_EVAL = """\
FACTS is a .json file holding one facts document, a .jsonl file with one document per line,
or - to read JSON lines from standard input. A facts document is a JSON object with one key
per input the policy declares, e.g. {"applicant": {...}}. JSON numbers are read exactly.

Without --rule, every rule and criterion that takes no parameters is evaluated.

--format json prints one JSON object per document, one per line:
  {"rules": {NAME: VALUE, ...}}  (+ "errors" for rules that failed,
                                   + "explanations" with --explain,
                                   + "to_pass" with --to-pass,
                                   + "pending" with --partial)
Decimals are exact JSON numbers; a ratio with no finite decimal form is a string "1/3";
dates are "YYYY-MM-DD"; enum members are their names.

--format html and md print a decision notice per document, ready to print on A4: the
decision, each standard with its citations and margins, what must change, the policy's
version (SHA-256 of its text) and date, a sign-off block; a batch starts with a summary.

examples:
  wuxin eval policies/loans/eligibility.policy applicant.json --explain
  wuxin eval policies/loans/eligibility.policy applicants.jsonl --rule eligible --format json
  wuxin eval policies/loans/eligibility.policy applicant.json --param max_ratio=40%
  wuxin eval policies/loans/eligibility.policy applicant.json --to-pass --lang zh
  wuxin eval policies/loans/eligibility.policy incomplete.json --partial --format json
  cat applicants.jsonl | wuxin eval policies/loans/eligibility.policy - --format json
  wuxin eval policies/loans/eligibility.policy applicants.jsonl --format json --jobs 4
  wuxin eval policies/loans/eligibility.policy applicants.xlsx --format xlsx -o verdicts.xlsx

A table (.csv, .tsv, .xlsx, and a .json array) holds one document per row. A header is a
field's dotted path (`applicant.income`; the input's name may be left out when the policy
has one input, or when --input names it) or its label (`月收入`; the record's label
before a field's, `住址.城市`, where a label alone is ambiguous).
Every bad cell is reported, located like `applicants.xlsx: 申请人!D7 (月收入)`; the other rows
are still evaluated. `wuxin template POLICY` writes a blank table to fill in.

JSON lines are read one at a time (memory stays constant however large the file);
--jobs N evaluates chunks of them in N processes and still prints the results in input
order. A line that cannot be read (not JSON, not UTF-8), bad facts, or a bug met on one
document is that document's error (on stderr, and its own line with --format json); the
other documents are evaluated. Exit 1 when some document had problems, 3 after a bug.
"""


class _Parser(argparse.ArgumentParser):
    """argparse with our diagnostic style and did-you-mean for subcommands; its fixed words
    in `lang` (the `--lang` of the command line, read before the line is parsed)."""

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang

    def error(self, message: str) -> NoReturn:
        hint = None
        invalid = _argparse_text(self.lang, "invalid choice: %(value)r (choose from %(choices)s)")
        if invalid.partition("%")[0] in message and "'" in message:
            word = message.split("'")[1]
            hint = suggest(word, COMMANDS)
        diagnostic = Diagnostic(
            "usage",
            message,
            help=hint or english("usage-options.help", prog=self.prog),
        )
        sys.stderr.write(diagnostic.render(self.lang) + "\n")
        raise SystemExit(ExitCode.USAGE)


def _asked_lang(argv: Sequence[str]) -> str:
    """The language a command line asks for with `--lang` (`en` when none or not known)."""
    for index, item in enumerate(argv):
        if item == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif item.startswith("--lang="):
            value = item.partition("=")[2]
        else:
            continue
        return value if value in LANGUAGES else "en"
    return "en"


_ARGPARSE_KEYS = (
    "argparse.usage",
    "argparse.positionals",
    "argparse.options",
    "argparse.help",
    "argparse.argument",
    "argparse.required",
    "argparse.one-required",
    "argparse.unrecognized",
    "argparse.invalid-choice",
    "argparse.invalid-value",
    "argparse.unknown-parser",
    "argparse.expected-one",
    "argparse.expected-at-most-one",
    "argparse.expected-at-least-one",
    "argparse.expected-n",
    "argparse.not-allowed-with",
    "argparse.ignored-explicit",
    "argparse.ambiguous",
    "argparse.unexpected-option",
)
"""The catalogue's keys of argparse's own words; each one's English is argparse's msgid."""

_ARGPARSE_MSGIDS = {messages.CATALOGUE[key][0]: key for key in _ARGPARSE_KEYS}

_READING_LANG: ContextVar[str] = ContextVar("reading_lang", default="en")
"""The language of the command line being read (`_argparse_words`), for the messages of
our own argument types."""


def _argparse_text(lang: str, msgid: str) -> str:
    """argparse's `msgid` in `lang`: the catalogue's phrase of that English, else itself."""
    key = _ARGPARSE_MSGIDS.get(msgid)
    return msgid if key is None or lang == "en" else english(key).render(lang)


@contextlib.contextmanager
def _argparse_words(lang: str) -> Iterator[None]:
    """argparse's own words (`the following arguments are required: …`, `invalid choice`,
    `usage:`) in `lang` while the parser is built and the command line read.

    argparse looks each up through gettext, as its module's `_` and `ngettext`; for a
    language other than English those two are lookups in the catalogue for the while, and
    are put back after (also when argparse exits on `--help` or an error)."""
    token = _READING_LANG.set(lang)
    if lang == "en":
        try:
            yield
        finally:
            _READING_LANG.reset(token)
        return
    module = vars(argparse)
    saved = module["_"], module["ngettext"]

    def gettext(msgid: str) -> str:
        return _argparse_text(lang, msgid)

    def ngettext(singular: str, plural: str, n: int) -> str:
        if singular in _ARGPARSE_MSGIDS:
            return _argparse_text(lang, singular)
        return singular if n == 1 else plural

    module["_"], module["ngettext"] = gettext, ngettext
    try:
        yield
    finally:
        module["_"], module["ngettext"] = saved
        _READING_LANG.reset(token)


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """The argument parser of `wuxin` (public for documentation tools and tests); its usage
    errors in `lang`."""
    parser = _Parser(
        lang=lang,
        prog="wuxin",
        description="Check and evaluate .policy files; explain every verdict.",
        epilog=_EPILOG_MAIN,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    check = commands.add_parser(
        "check",
        help="parse and check policies",
        description="Parse and check .policy files: names, types, imports, rule cycles, "
        "schedules (monotonicity) and bands (no gap, no overlap).",
        epilog=_EPILOG_CHECK,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("paths", nargs="+", metavar="POLICY", help="a .policy file or a folder")
    check.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="diagnostics as text or JSON lines",
    )
    check.add_argument(
        "--strict", action="store_true", help="treat warnings as errors (exit 1 when there are any)"
    )
    check.add_argument(
        "--notes",
        action="store_true",
        help="also list what was proved (monotone schedules, gap-free bands) and the criteria "
        "the consistency checks could not decide",
    )
    _add_lang(check)

    evaluate = commands.add_parser(
        "eval",
        help="evaluate a policy on facts",
        description="Evaluate a policy on facts documents and print the verdicts.",
        epilog=_EPILOG_EVAL,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    evaluate.add_argument("policy", metavar="POLICY", help="the .policy file to evaluate")
    evaluate.add_argument(
        "facts",
        metavar="FACTS",
        help="a .json (one document or an array) or .jsonl file, a .csv, .tsv or .xlsx table "
        "(one document per row), or - for JSON lines on stdin",
    )
    evaluate.add_argument(
        "--rule",
        action="append",
        dest="rules",
        metavar="NAME",
        help="evaluate this rule (repeatable; default: every rule without parameters)",
    )
    evaluate.add_argument(
        "--param",
        action="append",
        dest="params",
        default=[],
        metavar="NAME=VALUE",
        help="override a param, e.g. max_ratio=40%% (repeatable)",
    )
    evaluate.add_argument(
        "--format",
        choices=("text", "json", "html", "md", "csv", "xlsx"),
        default="text",
        help="output format (default text); html and md: a printable decision notice per "
        "document, a batch with a summary first; csv and xlsx: one row per document",
    )
    _add_table_options(evaluate)
    evaluate.add_argument(
        "--explain", action="store_true", help="show why: explanation trees (text) or JSON"
    )
    evaluate.add_argument(
        "--mode",
        choices=explaining.MODES,
        default="decisive",
        help="how much of the explanation to show (default decisive)",
    )
    evaluate.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (default: when printing to a terminal)",
    )
    evaluate.add_argument("--root", metavar="DIR", help="the policy root imports resolve against")
    evaluate.add_argument(
        "--to-pass",
        action="store_true",
        help="for each true/false rule that is false: the fewest fact changes that make it true",
    )
    evaluate.add_argument(
        "--partial",
        action="store_true",
        help="accept documents with facts missing: rules they leave open are pending, "
        "with the facts they still need",
    )
    _add_test_parser(commands)
    _add_verify_parser(commands)
    _add_lang(evaluate)
    _add_fmt_parser(commands)
    _add_doc_parser(commands)
    _add_lsp_parser(commands)
    _add_template_parsers(commands)
    evaluate.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="evaluate JSON lines in N processes; the output keeps the input order (default 1)",
    )
    for command in commands.choices.values():
        command.lang = lang
    return parser


def _add_lang(command: argparse.ArgumentParser) -> None:
    # The default is English whatever the locale, so that what scripts read does not change
    # with the environment; JSON output is the same in every language.
    command.add_argument(
        "--lang",
        choices=LANGUAGES,
        default="en",
        help="language of the fixed words of diagnostics and explanations: en (default) or "
        "zh; names, labels and citations are always the policy's own",
    )


class _VersionAction(argparse.Action):
    """`--version`, which looks the installed version up only when asked: reading the
    installed packages' metadata cost every command about 0.015 s of start-up."""

    def __init__(self, option_strings: Sequence[str], dest: str, **_: Any) -> None:
        super().__init__(
            option_strings,
            dest=argparse.SUPPRESS,
            default=argparse.SUPPRESS,
            nargs=0,
            help="show program's version number and exit",
        )

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        sys.stdout.write(f"wuxin {_version()}\n")
        parser.exit()


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("wuxin_rules")
    except Exception:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Run `wuxin` with `argv` (default `sys.argv[1:]`); returns the exit code."""
    lang = _asked_lang(sys.argv[1:] if argv is None else argv)
    try:
        with _argparse_words(lang):
            args = build_parser(lang).parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "test":
            return _test(args)
        if args.command == "verify":
            return _verify(args)
        if args.command == "fmt":
            return _fmt(args)
        if args.command == "doc":
            return _doc(args)
        if args.command == "lsp":
            return _lsp(args)
        if args.command in ("template", "schema"):
            return _template(args)
        return _eval(args)
    except WuxinError as error:
        sys.stderr.write(error.render(getattr(args, "lang", "en")) + "\n")
        return ExitCode.USAGE if isinstance(error, UsageError) else ExitCode.PROBLEMS
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`wuxin eval … | head`): stop quietly.
        _silence_stdout()
        return ExitCode.OK
    except Exception as error:
        import traceback

        text = english("cli.internal-error")
        sys.stderr.write(messages.render(text, getattr(args, "lang", "en")) + "\n")
        sys.stderr.write("".join(traceback.format_exception(error)))
        return ExitCode.INTERNAL


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


# ------------------------------------------------------------------------------------------
# wuxin check


def _check(args: argparse.Namespace) -> int:
    # A large policy is millions of objects without cycles, alive until the command ends: the
    # collector stays paused until the findings are printed, or it would walk them all again
    # (the first collection after a pause walks every object made during it).
    with collection_paused():
        return _check_paused(args)


def _check_paused(args: argparse.Namespace) -> int:
    results = lint.lint_policy_paths(args.paths, undecided=args.notes)
    if not results:
        raise UsageError(
            Diagnostic(
                "no-policies",
                english("cli.no-policies", paths=", ".join(f"`{p}`" for p in args.paths)),
                help=english("give-policy-or-folder-cli"),
            )
        )

    def warned(findings: Sequence[Diagnostic]) -> bool:
        return any(d.severity is Severity.WARNING for d in findings)

    failed = [
        path for path, error, findings in results if error or (args.strict and warned(findings))
    ]
    if args.format == "json":
        for path, error, findings in results:
            diagnostics = [d.to_json() for d in (*(error.diagnostics if error else ()), *findings)]
            print(
                jsonio.dumps({"file": path, "ok": path not in failed, "diagnostics": diagnostics})
            )
    else:
        lang = args.lang
        seen: set[str] = set()
        warnings = 0
        for _, error, findings in results:
            # A module imported by several checked files reports its problems once.
            shown = (*(error.diagnostics if error else ()), *findings)
            # Rendering is most of the cost of thousands of warnings: once each here.
            rendered = [d.render() for d in shown]
            kept = [(d, text) for d, text in zip(shown, rendered, strict=True) if text not in seen]
            fresh = [d for d, _ in kept]
            seen.update(text for text in rendered if text not in seen)
            warnings += sum(1 for d in fresh if d.severity is Severity.WARNING)
            if fresh:
                texts = [text for _, text in kept] if lang == "en" else None
                sys.stderr.write(render_diagnostics(fresh, lang, texts) + "\n\n")
        count = len(results)
        noun = "policy" if count == 1 else "policies"
        if failed:
            sys.stderr.write(
                messages.word(
                    "check.problems",
                    lang,
                    failed=len(failed),
                    count=count,
                    noun=noun,
                    verb="has" if len(failed) == 1 else "have",
                )
                + (messages.word("check.strict", lang) if args.strict and warnings else "")
                + "\n"
            )
        elif warnings:
            counted = messages.count(warnings, "warning", lang)
            print(messages.word("check.warnings", lang, count=count, noun=noun, warnings=counted))
        else:
            print(messages.word("check.ok", lang, count=count, noun=noun))
    return ExitCode.PROBLEMS if failed else ExitCode.OK


# ------------------------------------------------------------------------------------------
# wuxin eval


def _parse_params(raw: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    problems = []
    for item in raw:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            problems.append(
                Diagnostic(
                    "bad-param-syntax",
                    english("param-form", item=item),
                    help=english("param-form.help"),
                )
            )
            continue
        params[name.strip()] = value.strip()
    if problems:
        raise UsageError(problems)
    return params


def read_records(
    facts: str, policy: api.Policy, *, input: str | None = None
) -> Iterator[batch.Record]:
    """The records FACTS names, read lazily: a `.json` file is one document (or, holding an
    array, one per element), a `.jsonl` file or `-` (standard input) one per non-blank line,
    a `.csv`, `.tsv` or `.xlsx` table one per row (read by `policy`'s inputs: `input` names
    the one its rows are). Each record is a document (or its unparsed JSON text) or the
    located error that stopped reading it, so that every input record has its outcome; an
    unreadable file raises `UsageError`."""
    from wuxin_rules import batch
    from wuxin_rules.tabular import TABLE_SUFFIXES

    suffix = Path(facts).suffix.lower()
    if facts == "-":
        yield from _stdin_records()
    elif suffix == ".jsonl":
        yield from batch.read_json_lines(facts)
    elif suffix in TABLE_SUFFIXES:
        yield from _table_records(facts, policy, input)
    else:
        for record in batch.read_json_file(facts):
            if isinstance(record.document, list) and record.error is None:
                for index, document in enumerate(record.document):
                    yield batch.Record(
                        f"{facts}: $[{index}]", document, file=facts, path=f"$[{index}]"
                    )
            else:
                yield record


def _table_records(facts: str, policy: api.Policy, input: str | None) -> Iterator[batch.Record]:
    from wuxin_rules import batch, tabular

    rows = tabular.read_documents(Path(facts), policy.checked.inputs, input=input, shown=facts)
    for row in rows:
        if row.problems:
            yield batch.Record(row.where, error=FactError(list(row.problems)))
        else:
            yield batch.Record(row.where, row.document)


def _stdin_records() -> Iterator[batch.Record]:
    # Bytes, so that a line that is not UTF-8 is that line's error (a text stream put in
    # place of standard input, by tests or embedders, is read as it is).
    from wuxin_rules import batch

    stream = getattr(sys.stdin, "buffer", sys.stdin)
    yield from batch.read_json_lines(stream, name="<stdin>")


class _Render:
    """How a worker renders one result for `wuxin eval` (picklable: it crosses to workers)."""

    def __init__(self, args: argparse.Namespace, color: bool) -> None:
        self.format: str = args.format
        self.explain: bool = args.explain
        self.mode: str = args.mode
        self.lang: str = args.lang
        self.to_pass: bool = args.to_pass
        self.partial: bool = args.partial
        self.color = color
        # The lines the batch may write straight from the compiled program's values (they
        # are this render's own lines for a result without errors: `Policy.evaluate_lines`).
        plain = not (self.explain or self.to_pass or self.partial)
        self.line_format = self.format if plain and self.format in ("json", "text") else None

    def __call__(self, result: api.Result) -> str:
        if self.format == "json":
            return jsonio.dumps(result.to_json(explain=self.explain, to_pass=self.to_pass))
        return _text_result(result, self, self.color)


def _eval(args: argparse.Namespace) -> int:
    from wuxin_rules import api, batch, fastjson, notice

    color = args.color == "always" or (
        args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    )
    if args.partial and (args.explain or args.to_pass):
        option = "--explain" if args.explain else "--to-pass"
        raise UsageError(
            Diagnostic(
                "usage",
                english("needs-every-fact", option=option),
                help=english("partial-then.help"),
            )
        )
    # Policy and param problems are reported before any facts are read.
    policy = api.load(args.policy, params=_parse_params(args.params), root=args.root)
    if args.format in notice.FORMATS:
        return _eval_notice(args, policy)
    if args.format in ("csv", "xlsx"):
        return _eval_table(args, policy)
    if args.jobs < 1:
        raise UsageError(
            Diagnostic("usage", english("jobs-at-least", jobs=args.jobs), help=english("jobs.help"))
        )
    out: IO[str] = sys.stdout
    # Interactive or piped input: show each result as soon as it is known.
    eager = args.facts == "-" or out.isatty()
    status: int = ExitCode.OK
    count = bugs = 0
    render = _Render(args, color)
    outcomes: Generator[batch.Outcome[str] | batch.DecidedLines, None, None]
    if (
        args.facts != "-"
        and Path(args.facts).suffix.lower() == ".jsonl"
        and args.jobs == 1
        and not eager
        and render.line_format is not None
        and fastjson.available()
    ):
        # The common command: a file's plain lines decoded a chunk at a time from its bytes
        # (with msgspec; the standard library's reader takes texts, one line at a time).
        outcomes = batch.evaluate_json_lines_file(
            policy, args.facts, rules=args.rules, render=render
        )
    else:
        outcomes = batch.evaluate_batch(
            policy,
            read_records(args.facts, policy, input=args.input),
            jobs=args.jobs,
            rules=args.rules,
            explain=args.explain,
            partial=args.partial,
            render=render,
            chunk_size=1 if eager and args.jobs == 1 else batch.CHUNK_SIZE,
        )
    text_format = args.format == "text"
    try:
        lines: list[str] = []  # written a chunk at a time: one system call, not one a line
        for outcome in outcomes:
            if type(outcome) is batch.DecidedLines:
                count += len(outcome.lines)
                if text_format:
                    lines.extend(
                        f"# {outcome.file}:{number}\n{text}\n"
                        if text
                        else f"# {outcome.file}:{number}\n"
                        for number, text in zip(outcome.numbers, outcome.lines, strict=True)
                    )
                else:
                    lines.append("\n".join(outcome.lines) + "\n")
                if len(lines) >= batch.CHUNK_SIZE or not text_format:
                    out.write("".join(lines))
                    lines.clear()
                continue
            assert isinstance(outcome, batch.Outcome)
            count += 1
            if outcome.error is not None:
                sys.stderr.write(outcome.error.render(args.lang) + "\n")
                if args.format == "json":
                    # One output line per input document, so outputs line up with inputs.
                    diagnostics = [d.to_json() for d in outcome.error.diagnostics]
                    lines.append(jsonio.dumps({"errors": diagnostics}) + "\n")
                bugs += outcome.internal
                status = max(status, ExitCode.INTERNAL if outcome.internal else ExitCode.PROBLEMS)
            else:
                text = outcome.value or ""
                if text_format:
                    where = messages.render(outcome.where, args.lang)
                    text = f"# {where}\n{text}" if text else f"# {where}"
                lines.append(text + "\n")
                if outcome.failed:
                    status = max(status, ExitCode.PROBLEMS)
            if eager or len(lines) >= batch.CHUNK_SIZE:
                out.write("".join(lines))
                lines.clear()
                if eager:
                    out.flush()
        out.write("".join(lines))
    finally:
        outcomes.close()
    if status == ExitCode.INTERNAL:
        text = english("documents-bug", count=bugs, total=count)
        sys.stderr.write(messages.render(text, args.lang) + "\n")
    if count == 0 and status == ExitCode.OK:
        _no_documents(args)
    return status


def _eval_notice(args: argparse.Namespace, policy: api.Policy) -> int:
    """`wuxin eval --format html|md`: the decision notices (docs/embedding.md, section 15)."""
    from wuxin_rules import notice

    keys = policy.resolve_rules(args.rules)
    top = notice.conclusions(policy.checked, keys)
    items: list[notice.NoticeItem] = []
    status = ExitCode.OK

    def rejected(where: str, error: WuxinError) -> None:
        nonlocal status
        sys.stderr.write(error.render(args.lang) + "\n")
        items.append(notice.NoticeItem(where, None))
        status = ExitCode.PROBLEMS

    def documents() -> Iterator[tuple[str, Any]]:
        for record in read_records(args.facts, policy, input=args.input):
            if record.error is not None:
                rejected(record.where, record.error)
                continue
            if record.json_text is None:
                yield record.where, record.document
                continue
            file = record.file or record.where
            try:
                yield record.where, jsonio.parse_line(record.json_text, file=file, line=record.line)
            except FactError as error:
                rejected(record.where, error)

    for where, document in documents():
        try:
            result = policy.evaluate(
                document, rules=keys, explain=not args.partial, file=where, partial=args.partial
            )
        except FactError as error:
            rejected(where, error)
            continue
        verdicts = result.verdicts if args.partial else result._traced().verdicts
        to_pass = {
            key: result.to_pass(key)
            for key in top
            if not args.partial and verdicts[key].ok and verdicts[key].value is False
        }
        if result.errors:
            status = ExitCode.PROBLEMS
        items.append(notice.NoticeItem(where, verdicts, to_pass, _subject(document)))
    if not items:
        _no_documents(args)
        return ExitCode.PROBLEMS
    pages = notice.build(policy.checked, keys, items, lang=args.lang)
    sys.stdout.write(notice.render(pages, args.format))
    return status


def _no_documents(args: argparse.Namespace) -> None:
    """The warning of `wuxin eval` on a facts file with no document in it."""
    text = english("no-facts-document", facts=args.facts)
    warning = messages.word("warning", args.lang)
    sys.stderr.write(f"{warning}: {messages.render(text, args.lang)}\n")


def _subject(document: Any) -> str | None:
    """The name a facts document gives its subject (a `name` text of its one input), if any."""
    if isinstance(document, dict) and len(document) == 1:
        (value,) = document.values()
        if isinstance(value, dict) and isinstance(value.get("name"), str):
            return str(value["name"])
    return None


def _text_result(result: api.Result, args: Any, color: bool) -> str:
    lines: list[str] = []
    if args.explain:
        lines.append(result.explain(mode=args.mode, color=color, lang=args.lang))
    else:
        from wuxin_rules.partial import Pending
        from wuxin_rules.values import format_value

        width = max((len(k) for k in result), default=0)
        for key, verdict in result.verdicts.items():
            label = f' "{verdict.label}"' if verdict.label else ""
            if verdict.error is not None:
                error_word = messages.word("error", args.lang)
                message = messages.render(verdict.error.message, args.lang)
                text = f"{error_word}[{verdict.error.code}]: {message}"
            elif isinstance(verdict.value, Pending):
                text = verdict.value.describe(args.lang)
            else:
                text = format_value(verdict.value, verdict.type)
            lines.append(f"{key.ljust(width)} = {text}{label}")
    if args.to_pass:
        lines += [sentence for sentence in result.to_pass_sentences(args.lang)]
    if result.errors:
        lines.append(render_diagnostics(result.errors, args.lang))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------
# wuxin test and wuxin verify (docs/verification.md)

_EPILOG_TEST = """\
Runs every `example` block of every policy file given (folders are searched recursively
for *.policy files). Each expectation that does not hold is reported with its location, the
value expected, the value found and the explanation of that value; then one summary line.

--format json prints one JSON object per example run, one per line: `example` (its title),
`file`, `line`, `column`, `passed`, and `failures`, each with `expect` (the expectation),
its `line` and `column`, and either `subject`, `expected`, `actual` and `explanation` (the
tree as `wuxin eval --explain --format json` gives it) or the `error` that stopped it. The
summary line then goes to stderr.

exit codes: 0 every example passed, 1 an example failed or a policy has problems,
2 usage error

examples:
  wuxin test policies/
  wuxin test policies/loans/eligibility.policy --verbose
  wuxin test policies/ --match overdue --mode full
  wuxin test policies/ --format json
"""

_EPILOG_VERIFY = """\
Checks every `property` block of every policy file given (folders are searched recursively):
hypothesis draws values of the types the property binds (within their bounds, often at the
thresholds the policy compares them with), and looks for a case where the claim is false or
cannot be evaluated. A counterexample is shrunk to a minimal one and printed as an `example`
block, ready to paste into the policy, with the explanation of why the claim fails.

The run is reproducible: the seed is printed, and --seed S repeats it exactly. Without
--seed a fresh seed is drawn. No example database is written. Progress goes to stderr
while a run is long.

exit codes: 0 every property held, 1 a counterexample was found, a `where` condition was
never met or a policy has problems, 2 usage error

examples:
  wuxin verify policies/
  wuxin verify policies/loans/eligibility.policy --max-examples 2000 --seed 7
  wuxin verify policies/ --format json
"""


def _add_test_parser(commands: Any) -> None:
    test = commands.add_parser(
        "test",
        help="run the examples of policies",
        description="Run the `example` blocks of .policy files and report every expectation "
        "that does not hold, with the expected value, the actual value and why.",
        epilog=_EPILOG_TEST,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    test.add_argument("paths", nargs="+", metavar="POLICY", help="a .policy file or a folder")
    test.add_argument(
        "--match", metavar="TEXT", help="run only the examples whose title contains TEXT"
    )
    test.add_argument(
        "-v", "--verbose", action="store_true", help="list every example, not only failures"
    )
    test.add_argument(
        "--format", choices=("text", "json"), default="text", help="output as text or JSON lines"
    )
    _add_explanation_options(test, "a failure")


def _add_verify_parser(commands: Any) -> None:
    verify = commands.add_parser(
        "verify",
        help="check the properties of policies with generated facts",
        description="Check the `property` blocks of .policy files on generated values and "
        "print a minimal counterexample, with its explanation, for each that fails.",
        epilog=_EPILOG_VERIFY,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument("paths", nargs="+", metavar="POLICY", help="a .policy file or a folder")
    verify.add_argument(
        "--max-examples",
        type=_positive_int,
        default=200,
        metavar="N",
        help="cases to try per property (default 200)",
    )
    verify.add_argument(
        "--seed", type=int, metavar="S", help="seed of the run (default: a fresh one, printed)"
    )
    verify.add_argument(
        "--match", metavar="TEXT", help="check only the properties whose title contains TEXT"
    )
    verify.add_argument(
        "--format", choices=("text", "json"), default="text", help="output as text or JSON lines"
    )
    _add_explanation_options(verify, "a counterexample")


def _add_explanation_options(command: argparse.ArgumentParser, what: str) -> None:
    """`--mode`, `--color` and `--lang`: how the explanation of `what` is shown."""
    command.add_argument(
        "--mode",
        choices=explaining.MODES,
        default="decisive",
        help=f"how much of {what}'s explanation to show (default decisive)",
    )
    command.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (default: when printing to a terminal)",
    )
    _add_lang(command)


def _positive_int(text: str) -> int:
    lang = _READING_LANG.get()
    try:
        value = int(text)
    except ValueError:
        wrong = english("cli.whole-number", text=text)
        raise argparse.ArgumentTypeError(wrong.render(lang)) from None
    if value < 1:
        raise argparse.ArgumentTypeError(english("cli.at-least-one", text=text).render(lang))
    return value


def _use_color(choice: str) -> bool:
    return choice == "always" or (
        choice == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    )


def _suites(paths: Sequence[str], lang: str = "en") -> tuple[list[Any], int]:
    """The checked suites under `paths`, and how many files had problems (reported once)."""
    from wuxin_rules import suite_checker

    loaded = suite_checker.load_suites(paths)
    if not loaded:
        raise UsageError(
            Diagnostic(
                "no-policies",
                english("cli.no-policies", paths=", ".join(f"`{p}`" for p in paths)),
                help=english("give-policy-or-folder-cli"),
            )
        )
    seen: set[str] = set()
    broken = 0
    suites = []
    for _, suite, error in loaded:
        if error is None:
            suites.append(suite)
            continue
        broken += 1
        sys.stdout.flush()  # keep stdout and stderr in order when both go to one place
        # A module imported by several files reports its problems once.
        fresh = [d for d in error.diagnostics if d.render() not in seen]
        seen.update(d.render() for d in fresh)
        if fresh:
            sys.stderr.write(render_diagnostics(fresh, lang) + "\n\n")
    return suites, broken


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _test(args: argparse.Namespace) -> int:
    from wuxin_rules import examples

    suites, broken = _suites(args.paths, args.lang)
    color = _use_color(args.color)
    passed = failed = 0
    for suite in suites:
        for example in suite.examples:
            if args.match and args.match not in example.title:
                continue
            result = examples.run_example(suite, example)
            where = example.span.location()
            if result.passed:
                passed += 1
            else:
                failed += 1
            if args.format == "json":
                print(jsonio.dumps(examples.example_result_to_json(result)))
                continue
            if result.passed:
                if args.verbose:
                    print(f"✓ {where}: {example.title}")
                continue
            print(f"✗ {where}: {example.title}")
            print(
                examples.render_example_result(result, mode=args.mode, color=color, lang=args.lang)
            )
            print()
    total = passed + failed
    lang = args.lang
    summary = messages.word(
        "test.summary",
        lang,
        examples=_plural(total, "example"),
        count=total,
        passed=passed,
        failed=failed,
    )
    if broken:
        summary += messages.word(
            "run.broken", lang, policies=_plural(broken, "policy", "policies"), count=broken
        )
    if total == 0 and not broken:
        summary = messages.word("test.none", lang) + (
            messages.word("run.matching", lang, match=args.match) if args.match else ""
        )
    (sys.stderr if args.format == "json" else sys.stdout).write(summary + "\n")
    return ExitCode.PROBLEMS if failed or broken else ExitCode.OK


def _verify(args: argparse.Namespace) -> int:
    try:
        from wuxin_rules import verify
    except ImportError as error:  # hypothesis is not a runtime dependency
        raise UsageError(
            Diagnostic(
                "missing-dependency",
                messages.english("missing-dependency", command="wuxin verify", error=error),
                help=messages.english(
                    "missing-dependency.help", fix="pip install 'wuxin_rules[verify]'"
                ),
            )
        ) from None
    suites, broken = _suites(args.paths, args.lang)
    seed = args.seed if args.seed is not None else verify.new_seed()
    color = _use_color(args.color)
    tty = sys.stderr.isatty()

    def show_progress(prop: Any, done: int, total: int, shrinking: bool) -> None:
        state = (
            f"counterexample found, shrinking it ({done} cases)"
            if shrinking
            else f"{done}/{total} cases"
        )
        line = f"  … {prop.title}: {state}"
        sys.stderr.write(f"\r{line}\x1b[K" if tty else line + "\n")
        sys.stderr.flush()

    progress = verify.throttled(show_progress)
    counts = {"held": 0, "failed": 0, "unsatisfied": 0}
    lang = args.lang
    if args.format == "text":
        print(messages.word("verify.header", lang, seed=seed, cases=args.max_examples))
    for suite in suites:
        chosen = [p for p in suite.properties if not args.match or args.match in p.title]
        if chosen and args.format == "text":
            print(f"{suite.source_name}")
        for prop in chosen:
            report = verify.verify_property(
                suite, prop, max_examples=args.max_examples, seed=seed, progress=progress
            )
            if tty:
                sys.stderr.write("\r\x1b[K")
            counts[report.status] += 1
            if args.format == "json":
                print(jsonio.dumps(verify.report_to_json(report)))
            else:
                print(verify.render_report(report, mode=args.mode, color=color, lang=args.lang))
                if not report.ok:
                    print()
    total = sum(counts.values())
    summary = messages.word(
        "verify.summary",
        lang,
        properties=_plural(total, "property", "properties"),
        count=total,
        held=counts["held"],
        failed=counts["failed"],
    )
    if counts["unsatisfied"]:
        summary += messages.word("verify.unsatisfied", lang, count=counts["unsatisfied"])
    if broken:
        summary += messages.word(
            "run.broken", lang, policies=_plural(broken, "policy", "policies"), count=broken
        )
    summary += messages.word("verify.seed", lang, seed=seed)
    if total == 0 and not broken:
        summary = messages.word("verify.none", lang) + (
            messages.word("run.matching", lang, match=args.match) if args.match else ""
        )
    (sys.stderr if args.format == "json" else sys.stdout).write(summary + "\n")
    return ExitCode.PROBLEMS if counts["failed"] or counts["unsatisfied"] or broken else ExitCode.OK


# wuxin fmt

_EPILOG_FMT = """\
The layout: one declaration after another, with the blank lines between them kept (at most
two, or one inside a declaration); clauses (label, cites, note) on the declaration's line when they fit in 100 columns,
else each on a line of its own; record fields, enum members and bands aligned in columns,
Chinese text counted two columns a character; long expressions broken before `and`, `or`,
`else` and operators, long lists one item per line. Comments stay where they are. A list or
record written over several lines stays so, and a line break before `else`, `and` or `or`
is kept. The result is parsed again and must give the same policy, or nothing is written.

Without --check or --diff, files are rewritten in place. POLICY - reads standard input and
writes the formatted text to standard output.

exit codes: 0 formatted (or, with --check, nothing to change); 1 a file would change (with
--check) or does not parse; 2 usage error; 3 the formatter would have changed a policy's
meaning (a bug: the file is left as it is)

examples:
  wuxin fmt policies/
  wuxin fmt --check policies examples
  wuxin fmt --diff policies/loans/eligibility.policy
"""


def _add_fmt_parser(commands: Any) -> None:
    fmt = commands.add_parser(
        "fmt",
        help="rewrite policies in the canonical layout",
        description="Rewrite .policy files in one canonical layout, keeping every comment.",
        epilog=_EPILOG_FMT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fmt.add_argument("paths", nargs="+", metavar="POLICY", help="a .policy file, a folder or -")
    fmt.add_argument(
        "--check",
        action="store_true",
        help="write nothing; name the files that would change and exit 1 if any would",
    )
    fmt.add_argument(
        "--diff", action="store_true", help="write nothing; show the changes as a unified diff"
    )


def _fmt(args: argparse.Namespace) -> int:
    import difflib

    from wuxin_rules import formatter
    from wuxin_rules.errors import InternalError

    if args.paths == ["-"]:
        try:
            # Bytes, decoded as every command decodes a policy file (no newline translation).
            text = decode_policy(sys.stdin.buffer.read())
        except UnicodeDecodeError:
            raise UsageError(
                Diagnostic(
                    "unreadable-file",
                    english("stdin-not-utf8"),
                    help=english("give-utf8"),
                )
            ) from None
        sys.stdout.write(formatter.format_text(text, "<stdin>"))
        return ExitCode.OK
    files = loader.policy_files(args.paths)
    if not files:
        raise UsageError(
            Diagnostic(
                "no-policies",
                english("cli.no-policies", paths=", ".join(f"`{p}`" for p in args.paths)),
                help=english("give-policy-or-folder-cli"),
            )
        )
    status = ExitCode.OK
    changed = 0
    for file in files:
        try:
            text = read_policy(file)
        except (OSError, UnicodeDecodeError) as error:
            reason = (
                os_reason(error, str(error.strerror or error))
                if isinstance(error, OSError)
                else english("not-utf8-text")
            )
            sys.stderr.write(
                Diagnostic(
                    "unreadable-file",
                    english("cannot-read-file", file=file, reason=reason),
                    help=english("check-path-utf8"),
                ).render()
                + "\n"
            )
            status = max(status, ExitCode.PROBLEMS)
            continue
        try:
            formatted = formatter.format_text(text, str(file))
        except InternalError as error:
            sys.stderr.write(str(error) + "\n")
            status = max(status, ExitCode.INTERNAL)
            continue
        except WuxinError as error:
            sys.stderr.write(str(error) + "\n")
            status = max(status, ExitCode.PROBLEMS)
            continue
        if formatted == text:
            continue
        changed += 1
        if args.diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    _lines(text),
                    _lines(formatted),
                    fromfile=f"{file} (as written)",
                    tofile=f"{file} (formatted)",
                )
            )
        if args.check:
            sys.stderr.write(f"would reformat {file}\n")
            status = max(status, ExitCode.PROBLEMS)
        elif not args.diff:
            file.write_text(formatted, encoding="utf-8", newline="\n")
            print(f"reformatted {file}")
    noun = "policy" if len(files) == 1 else "policies"
    verb = "would change" if args.check or args.diff else "reformatted"
    if changed:
        sys.stderr.write(f"{verb}: {changed} of {len(files)} {noun}\n")
    elif status == ExitCode.OK:
        sys.stderr.write(f"{len(files)} {noun} already formatted\n")
    return status


# ------------------------------------------------------------------------------------------
# wuxin doc

_EPILOG_DOC = """\
The document shows the policy's title and source; its inputs with every field (label, type,
bounds, clauses); its enums; its params with their values and clauses, illustrative values
marked; its schedules as tables by stage; its bands; every criterion and rule with its label,
clauses and its rule written out (what it refers to listed with their labels); the notes and
comments that interpret it; its examples and properties; a sign-off block. Fixed words
follow --lang; labels, clauses and notes are the policy's own, in --lang where the policy
translates them (`"…" en "…"`, comment paragraphs `# en: …`), else as written.

HTML output is one file with its styles inside: it fetches nothing (no script, font or
image) and prints on A4. Several policies go into one file one after the other, or, with
--output-dir, each into its own file named MODULE.LANG.md or MODULE.LANG.html.

examples:
  wuxin doc policies/loans/eligibility.policy
  wuxin doc policies/loans/eligibility.policy --format html -o eligibility.html
  wuxin doc policies/loans --format html --lang en --output-dir out/
"""


def _add_doc_parser(commands: Any) -> None:
    doc = commands.add_parser(
        "doc",
        help="render policies as documents",
        description="Render checked policies as documents an official can print and sign off.",
        epilog=_EPILOG_DOC,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    doc.add_argument("paths", nargs="+", metavar="POLICY", help="a .policy file or a folder")
    doc.add_argument(
        "--format", choices=("md", "html"), default="md", help="Markdown (default) or HTML"
    )
    doc.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="zh",
        help="language of the fixed words, and of the labels, notes and comments the policy "
        "translates (default zh)",
    )
    where = doc.add_mutually_exclusive_group()
    where.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    where.add_argument("--output-dir", metavar="DIR", help="write one file per policy into DIR")


def _doc(args: argparse.Namespace) -> int:
    from wuxin_rules import api
    from wuxin_rules.document import build_document
    from wuxin_rules.document_formats import render as render_document

    files = loader.policy_files(args.paths)
    if not files:
        raise UsageError(
            Diagnostic(
                "no-policies",
                english("cli.no-policies", paths=", ".join(f"`{p}`" for p in args.paths)),
                help=english("give-policy-or-folder-cli"),
            )
        )
    documents = []
    problems: dict[str, Diagnostic] = {}
    for file in files:
        try:
            documents.append(build_document(api.load(file).checked, args.lang))
        except WuxinError as error:
            # A module imported by several policies reports its problems once.
            problems.update((d.render(), d) for d in error.diagnostics)
    if problems:
        # Nothing is written while any policy has problems: a document must match its policy.
        sys.stderr.write(render_diagnostics(problems.values(), args.lang) + "\n")
        return ExitCode.PROBLEMS
    outputs: list[tuple[Path | None, str]]
    if args.output_dir:
        outputs = [
            (
                Path(args.output_dir) / f"{d.module}.{args.lang}.{args.format}",
                render_document([d], args.format),
            )
            for d in documents
        ]
    else:
        outputs = [
            (Path(args.output) if args.output else None, render_document(documents, args.format))
        ]
    for path, text in outputs:
        if path is None:
            sys.stdout.write(text)
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise _unwritable(path, error) from None
    return ExitCode.OK


# ------------------------------------------------------------------------------------------
# wuxin lsp


def _add_lsp_parser(commands: Any) -> None:
    commands.add_parser(
        "lsp",
        help="run the language server (for editors) on stdin and stdout",
        description="Run a Language Server Protocol server on stdin and stdout: errors as you "
        "type, hover, go to definition, references, completion, formatting and rename for "
        ".policy files. Editors start it; see docs/editors.md. Needs the `lsp` extra.",
    )


def _lsp(args: argparse.Namespace) -> int:
    try:
        from wuxin_rules import lsp
    except ImportError as error:  # pygls is not a runtime dependency
        raise UsageError(
            Diagnostic(
                "missing-dependency",
                messages.english(
                    "missing-dependency.library",
                    command="wuxin lsp",
                    library="pygls",
                    error=error,
                ),
                help=messages.english(
                    "missing-dependency.help", fix="pip install 'wuxin_rules[lsp]'"
                ),
            )
        ) from None
    return lsp.serve()


def _unwritable(path: object, error: OSError) -> UsageError:
    """The `unwritable-file` error of any command that writes a file."""
    return UsageError(
        Diagnostic(
            "unwritable-file",
            english(
                "unwritable-file", path=path, reason=os_reason(error, str(error.strerror or error))
            ),
            help=english("unwritable-file.help"),
        )
    )


def run() -> NoReturn:  # pragma: no cover - alias of the console script
    """Entry point of the console script."""
    raise SystemExit(main())


# ------------------------------------------------------------------------------------------
# wuxin eval on tables (docs/embedding.md, "Tables"): CSV, TSV, Excel and JSON arrays in;
# CSV and Excel out.


def _add_table_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--input",
        metavar="NAME",
        help="the input a table's rows are (when the policy has more than one)",
    )
    command.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the results to FILE (needed for --format xlsx on a terminal)",
    )


def _eval_table(args: argparse.Namespace, policy: api.Policy) -> int:
    """`wuxin eval --format csv|xlsx`: one row per document, written when all are read."""
    from wuxin_rules.result_tables import ResultTable

    if args.format == "xlsx" and args.output is None and sys.stdout.isatty():
        raise UsageError(
            Diagnostic(
                "usage",
                english("xlsx-needs-output"),
                help=english("xlsx-output-verdicts"),
            )
        )
    keys = policy.resolve_rules(args.rules)
    table = ResultTable(policy, keys, args.lang)
    rows: list[list[Any]] = []
    status: int = ExitCode.OK
    for record in read_records(args.facts, policy, input=args.input):
        document, error = record.document, record.error
        if error is None and record.json_text is not None:
            try:
                document = jsonio.parse_line(
                    record.json_text, file=record.file or record.where, line=record.line
                )
            except FactError as bad:
                error = bad
        if error is None:
            try:
                result = policy.evaluate(document, rules=keys, file=record.where)
            except FactError as bad:
                error = bad
            else:
                if result.errors:
                    status = ExitCode.PROBLEMS
                    sys.stderr.write(render_diagnostics(result.errors, args.lang) + "\n")
                rows.append(table.row(result, document))
                continue
        status = ExitCode.PROBLEMS
        sys.stderr.write(error.render(args.lang) + "\n")
        rows.append(table.bad_row(document, error.diagnostics))
    _write_table(args, table.headers, rows)
    if not rows:
        _no_documents(args)
    return status


def _write_table(args: argparse.Namespace, headers: Sequence[str], rows: list[list[Any]]) -> None:
    from wuxin_rules import tabular

    if args.output is None:
        if args.format == "csv":
            tabular.write_rows(headers, rows, "csv", sys.stdout)
        else:
            sys.stdout.flush()
            tabular.write_rows(headers, rows, "xlsx", sys.stdout.buffer)
        return
    try:
        if args.format == "csv":
            with open(args.output, "w", encoding="utf-8-sig", newline="") as stream:
                tabular.write_rows(headers, rows, "csv", stream)
        else:
            with open(args.output, "wb") as binary:
                tabular.write_rows(headers, rows, "xlsx", binary)
    except OSError as error:
        raise _unwritable(args.output, error) from None


# ------------------------------------------------------------------------------------------
# wuxin template and wuxin schema

_EPILOG_TEMPLATE = """\
Writes a blank facts template for POLICY: the headers `wuxin eval` reads (dotted field
paths, or with --lang zh the policy's labels), then a notes row starting with `#` (skipped
when the table is read) with each field's type, bounds and citations. The Excel template
has drop-down lists for enums and booleans, and one sheet per list of records (its first
column links each row to a row of the first sheet). --format json writes a document with
every field present and null.

examples:
  wuxin template policies/loans/eligibility.policy --format xlsx --lang zh -o applicants.xlsx
  wuxin template policies/loans/eligibility.policy --format csv > applicants.csv
  wuxin schema policies/loans/eligibility.policy > facts.schema.json
"""


def _add_template_parsers(commands: Any) -> None:
    template = commands.add_parser(
        "template",
        help="write a blank facts template",
        description="Write a blank facts template to fill in (Excel, CSV or JSON).",
        epilog=_EPILOG_TEMPLATE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    template.add_argument("policy", metavar="POLICY", help="the .policy file")
    template.add_argument(
        "--format", choices=("xlsx", "csv", "json"), default="xlsx", help="default xlsx"
    )
    template.add_argument("--root", metavar="DIR", help="the policy root imports resolve against")
    template.add_argument("--input", metavar="NAME", help="the input the rows are")
    template.add_argument("--output", "-o", metavar="FILE", help="write to FILE")
    _add_lang(template)
    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of a policy's facts",
        description="Print the JSON Schema (draft 2020-12) of a facts document of POLICY: "
        "titles are the fields' labels, descriptions their citations, bounds are "
        "minimum/maximum, enums accept names and labels.",
        epilog=_EPILOG_TEMPLATE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    schema.add_argument("policy", metavar="POLICY", help="the .policy file")
    schema.add_argument("--root", metavar="DIR", help="the policy root imports resolve against")
    schema.add_argument("--output", "-o", metavar="FILE", help="write to FILE")
    schema.set_defaults(format="json", input=None, lang="en")


def _template(args: argparse.Namespace) -> int:
    from wuxin_rules import api, json_schema, templates

    policy = api.load(args.policy, root=args.root)
    inputs = policy.checked.inputs
    if args.command == "schema":
        text = jsonio.dumps(json_schema.facts_schema(policy.checked), indent=2) + "\n"
    elif args.format == "json":
        text = jsonio.dumps(templates.json_template(inputs), indent=2) + "\n"
    elif args.format == "csv":
        buffer = io.StringIO()
        templates.write_template(inputs, "csv", buffer, lang=args.lang, input=args.input)
        text = buffer.getvalue()
        companions = templates.csv_companions(inputs, lang=args.lang, input=args.input)
        if companions and args.output is None:
            beside = messages.render(english("template.companions"), args.lang)
            sys.stderr.write(f"{messages.word('note', args.lang)}: {beside}\n")
        elif companions:
            main = Path(args.output)
            for name, rows in companions.items():
                companion = io.StringIO()
                csv.writer(companion, lineterminator="\n").writerows(rows)
                _write_out(
                    str(main.with_name(f"{main.stem}.{name}{main.suffix}")), companion.getvalue()
                )
    else:
        binary = io.BytesIO()
        templates.write_template(inputs, "xlsx", binary, lang=args.lang, input=args.input)
        if args.output is None and sys.stdout.isatty():
            raise UsageError(
                Diagnostic(
                    "usage",
                    english("xlsx-needs-output"),
                    help=english("xlsx-output-facts"),
                )
            )
        _write_out(args.output, binary.getvalue())
        return ExitCode.OK
    _write_out(args.output, text)
    return ExitCode.OK


def _write_out(output: str | None, data: str | bytes) -> None:
    if output is None:
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        return
    try:
        if isinstance(data, bytes):
            Path(output).write_bytes(data)
        else:
            Path(output).write_text(
                data, encoding="utf-8-sig" if output.endswith(".csv") else "utf-8"
            )
    except OSError as error:
        raise _unwritable(output, error) from None
