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

from wuxin_rules import api, jsonio, messages
from wuxin_rules import explain as explaining
from wuxin_rules.errors import Diagnostic, FactError, UsageError, WuxinError, render_diagnostics, suggest
from wuxin_rules.messages import LANGUAGES

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


COMMANDS = ("check", "eval")

_EPILOG_MAIN = """\
commands:
  check   parse and check policies; report every problem with file:line:column
  eval    evaluate a policy on facts and print the verdicts (and why, with --explain)

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

Names that mix scripts or look like another name are warnings: shown, but not a failure.
Every diagnostic code is explained, with an example and the fix, in docs/errors.md.

examples:
  wuxin check policies/loans/eligibility.policy
  wuxin check policies/ --format json
  wuxin check policies/ --lang zh
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
    _add_lang(check)

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
    _add_lang(evaluate)
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
    checked = api.check_policy_files(args.paths)
    results = [(path, error) for path, error, _ in checked]
    warned = {path: warnings for path, _, warnings in checked if warnings}
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
            found = error.diagnostics if error else warned.get(path, ())
            diagnostics = [d.to_json() for d in found]
            print(jsonio.dumps({"file": path, "ok": error is None, "diagnostics": diagnostics}))
    else:
        lang = args.lang
        seen: set[str] = set()
        warnings = 0
        for path, error in results:
            reported = error.diagnostics if error is not None else warned.get(path, ())
            # A module imported by several checked files reports its problems once.
            fresh = [d for d in reported if d.render() not in seen]
            seen.update(d.render() for d in fresh)
            if error is None:
                warnings += len(fresh)
            if fresh:
                sys.stderr.write(render_diagnostics(fresh, lang) + "\n\n")
        count = len(results)
        noun = "policy" if count == 1 else "policies"
        if failed:
            sys.stderr.write(
                messages.word("check.problems", lang, failed=len(failed), count=count, noun=noun)
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
            _report_bad_document(out, args.format, error, args.lang)
            if not args.facts.endswith(".jsonl") and args.facts != "-":
                break
            continue
        where, document = item
        index += 1
        try:
            result = policy.evaluate(document, rules=rules, explain=args.explain, file=where)
        except FactError as error:
            status = ExitCode.PROBLEMS
            _report_bad_document(out, args.format, error, args.lang)
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


def _report_bad_document(out: IO[str], format_: str, error: WuxinError, lang: str = "en") -> None:
    sys.stderr.write(error.render(lang) + "\n")
    if format_ == "json":
        # Keep one output line per input document, so outputs line up with inputs.
        out.write(jsonio.dumps({"errors": [d.to_json() for d in error.diagnostics]}) + "\n")


def _text_result(result: api.Result, where: str, args: argparse.Namespace, color: bool) -> str:
    lines = [f"# {where}"]
    if args.explain:
        lines.append(result.explain(mode=args.mode, color=color, lang=args.lang))
    else:
        from wuxin_rules.values import format_value

        width = max((len(k) for k in result.keys()), default=0)
        for key, verdict in result.verdicts.items():
            label = f' "{verdict.label}"' if verdict.label else ""
            if verdict.error is not None:
                error_word = messages.word("error", args.lang)
                message = messages.translate(verdict.error.message, args.lang)
                text = f"{error_word}[{verdict.error.code}]: {message}"
            else:
                text = format_value(verdict.value, verdict.type)
            lines.append(f"{key.ljust(width)} = {text}{label}")
    if result.errors:
        lines.append(render_diagnostics(result.errors, args.lang))
    return "\n".join(lines)


def run() -> NoReturn:  # pragma: no cover - alias of the console script
    """Entry point of the console script."""
    raise SystemExit(main())
