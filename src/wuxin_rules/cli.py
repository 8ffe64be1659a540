"""The `wuxin` command line.

The only module that reads argv, prints or exits. Every failure a user can cause ends as a
rendered diagnostic on stderr and a non-zero exit code, never a traceback. Imported by
nothing but `__main__`.
"""

from __future__ import annotations

import argparse
import enum
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from wuxin_rules import api, jsonio
from wuxin_rules import explain as explaining
from wuxin_rules.errors import Diagnostic, FactError, UsageError, WuxinError, render_diagnostics, suggest

__all__ = ["ExitCode", "main"]


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


COMMANDS = ("check", "eval", "fmt")

_EPILOG_MAIN = """\
commands:
  check   parse and check policies; report every problem with file:line:column
  eval    evaluate a policy on facts and print the verdicts (and why, with --explain)
  fmt     rewrite policies in the canonical layout (--check for CI, --diff to preview)

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

examples:
  wuxin check policies/loans/eligibility.policy
  wuxin check policies/ --format json
"""

_EPILOG_EVAL = """\
FACTS is a .json file holding one facts document, a .jsonl file with one document per line,
or - to read JSON lines from standard input. A facts document is a JSON object with one key
per input the policy declares, e.g. {"applicant": {...}}. JSON numbers are read exactly.

Without --rule, every rule and criterion that takes no parameters is evaluated.

--format json prints one JSON object per document, one per line:
  {"rules": {NAME: VALUE, ...}}  (+ "errors" for rules that failed,
                                   + "explanations" with --explain)
Decimals are exact JSON numbers; a ratio with no finite decimal form is a string "1/3";
dates are "YYYY-MM-DD"; enum members are their names.

examples:
  wuxin eval policies/loans/eligibility.policy applicant.json --explain
  wuxin eval policies/loans/eligibility.policy applicants.jsonl --rule eligible --format json
  wuxin eval policies/loans/eligibility.policy applicant.json --param max_ratio=40%
  cat applicants.jsonl | wuxin eval policies/loans/eligibility.policy - --format json
"""


class _Parser(argparse.ArgumentParser):
    """argparse with our diagnostic style and did-you-mean for subcommands."""

    def error(self, message: str) -> NoReturn:
        hint = None
        if "invalid choice" in message and "'" in message:
            word = message.split("'")[1]
            hint = suggest(word, COMMANDS)
        diagnostic = Diagnostic(
            "usage",
            message,
            help=hint or f"run `{self.prog} --help` for the options",
        )
        sys.stderr.write(diagnostic.render() + "\n")
        raise SystemExit(ExitCode.USAGE)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `wuxin` (public for documentation tools and tests)."""
    parser = _Parser(
        prog="wuxin",
        description="Check and evaluate .policy files; explain every verdict.",
        epilog=_EPILOG_MAIN,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"wuxin {_version()}")
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
        "--format", choices=("text", "json"), default="text", help="diagnostics as text or JSON lines"
    )

    evaluate = commands.add_parser(
        "eval",
        help="evaluate a policy on facts",
        description="Evaluate a policy on facts documents and print the verdicts.",
        epilog=_EPILOG_EVAL,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    evaluate.add_argument("policy", metavar="POLICY", help="the .policy file to evaluate")
    evaluate.add_argument("facts", metavar="FACTS", help="a .json or .jsonl file, or - for stdin")
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
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )
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
    _add_fmt_parser(commands)
    return parser


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("wuxin_rules")
    except Exception:  # noqa: BLE001 - metadata is missing when run from a source tree
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Run `wuxin` with `argv` (default `sys.argv[1:]`); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "fmt":
            return _fmt(args)
        return _eval(args)
    except WuxinError as error:
        sys.stderr.write(str(error) + "\n")
        return ExitCode.USAGE if isinstance(error, UsageError) else ExitCode.PROBLEMS
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`wuxin eval … | head`): stop quietly.
        _silence_stdout()
        return ExitCode.OK
    except Exception as error:  # noqa: BLE001 - the last line of defence, reported as a bug
        import traceback

        sys.stderr.write(
            "internal error: wuxin_rules failed unexpectedly; please report this with the input "
            "that caused it.\n"
        )
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
    results = api.check_policy_paths(args.paths)
    if not results:
        raise UsageError(
            Diagnostic(
                "no-policies",
                "no `.policy` files found in " + ", ".join(f"`{p}`" for p in args.paths),
                help="give a .policy file or a folder that holds some",
            )
        )
    failed = [(path, error) for path, error in results if error is not None]
    if args.format == "json":
        for path, error in results:
            diagnostics = [d.to_json() for d in error.diagnostics] if error else []
            print(jsonio.dumps({"file": path, "ok": error is None, "diagnostics": diagnostics}))
    else:
        seen: set[str] = set()
        for _, error in failed:
            assert error is not None
            # A module imported by several checked files reports its problems once.
            fresh = [d for d in error.diagnostics if d.render() not in seen]
            seen.update(d.render() for d in fresh)
            if fresh:
                sys.stderr.write(render_diagnostics(fresh) + "\n\n")
        count = len(results)
        noun = "policy" if count == 1 else "policies"
        if failed:
            sys.stderr.write(f"{len(failed)} of {count} {noun} have problems\n")
        else:
            print(f"checked {count} {noun}: no problems")
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
                    f"`--param {item}` is not of the form NAME=VALUE",
                    help="write e.g. `--param max_ratio=40%`",
                )
            )
            continue
        params[name.strip()] = value.strip()
    if problems:
        raise UsageError(problems)
    return params


def _documents(facts: str) -> Iterator[tuple[str, Any]]:
    """(where, document) pairs from a .json file, a .jsonl file or stdin (JSON lines)."""
    if facts == "-":
        for line, document in jsonio.iter_json_lines(sys.stdin, file="<stdin>"):
            yield f"<stdin>:{line}", document
        return
    path = Path(facts)
    if path.suffix == ".jsonl":
        try:
            stream = path.open(encoding="utf-8-sig")
        except OSError as error:
            raise UsageError(
                Diagnostic(
                    "unreadable-file",
                    f"cannot read `{facts}`: {error.strerror or error}",
                    help="check the path and that the file is readable",
                )
            ) from None
        with stream:
            for line, document in jsonio.iter_json_lines(stream, file=facts):
                yield f"{facts}:{line}", document
        return
    yield facts, jsonio.load_path(path)


def _eval(args: argparse.Namespace) -> int:
    params = _parse_params(args.params)
    policy = api.load(args.policy, params=params, root=args.root)
    rules = policy.resolve_rules(args.rules)
    color = args.color == "always" or (
        args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    )
    status = ExitCode.OK
    out: IO[str] = sys.stdout
    documents = _documents(args.facts)
    index = 0
    while True:
        try:
            item = next(documents)
        except StopIteration:
            break
        except FactError as error:
            # A malformed line of a JSON-lines stream: report it and go on with the next one.
            status = ExitCode.PROBLEMS
            _report_bad_document(out, args.format, error)
            if not args.facts.endswith(".jsonl") and args.facts != "-":
                break
            continue
        where, document = item
        index += 1
        try:
            result = policy.evaluate(document, rules=rules, explain=args.explain, file=where)
        except FactError as error:
            status = ExitCode.PROBLEMS
            _report_bad_document(out, args.format, error)
            continue
        if result.errors:
            status = ExitCode.PROBLEMS
        if args.format == "json":
            out.write(jsonio.dumps(result.to_json(explain=args.explain)) + "\n")
        else:
            out.write(_text_result(result, where, args, color) + "\n")
        out.flush()
    if index == 0 and status == ExitCode.OK:
        sys.stderr.write(f"warning: `{args.facts}` holds no facts document\n")
    return status


def _report_bad_document(out: IO[str], format_: str, error: WuxinError) -> None:
    sys.stderr.write(str(error) + "\n")
    if format_ == "json":
        # Keep one output line per input document, so outputs line up with inputs.
        out.write(jsonio.dumps({"errors": [d.to_json() for d in error.diagnostics]}) + "\n")


def _text_result(result: api.Result, where: str, args: argparse.Namespace, color: bool) -> str:
    lines = [f"# {where}"]
    if args.explain:
        lines.append(result.explain(mode=args.mode, color=color))
    else:
        from wuxin_rules.values import format_value

        width = max((len(k) for k in result.keys()), default=0)
        for key, verdict in result.verdicts.items():
            label = f' "{verdict.label}"' if verdict.label else ""
            if verdict.error is not None:
                text = f"error[{verdict.error.code}]: {verdict.error.message}"
            else:
                text = format_value(verdict.value, verdict.type)
            lines.append(f"{key.ljust(width)} = {text}{label}")
    if result.errors:
        lines.append(render_diagnostics(result.errors))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------
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
        text = sys.stdin.read()
        sys.stdout.write(formatter.format_text(text, "<stdin>"))
        return ExitCode.OK
    files = api.policy_files(args.paths)
    if not files:
        raise UsageError(
            Diagnostic(
                "no-policies",
                "no `.policy` files found in " + ", ".join(f"`{p}`" for p in args.paths),
                help="give a .policy file or a folder that holds some",
            )
        )
    status = ExitCode.OK
    changed = 0
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
            sys.stderr.write(
                Diagnostic(
                    "unreadable-file",
                    f"cannot read `{file}`: {reason or error}",
                    help="check the path, and that the file is UTF-8 text",
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
                    text.splitlines(keepends=True),
                    formatted.splitlines(keepends=True),
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


def run() -> NoReturn:  # pragma: no cover - alias of the console script
    """Entry point of the console script."""
    raise SystemExit(main())
