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


COMMANDS = ("check", "eval", "test", "verify")

_EPILOG_MAIN = """\
commands:
  check   parse and check policies; report every problem with file:line:column
  eval    evaluate a policy on facts and print the verdicts (and why, with --explain)
  test    run the `example` blocks of policies
  verify  search for counterexamples to the `property` blocks of policies (hypothesis)

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
    _add_test_parser(commands)
    _add_verify_parser(commands)
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
        if args.command == "test":
            return _test(args)
        if args.command == "verify":
            return _verify(args)
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
# wuxin test and wuxin verify (docs/verification.md)

_EPILOG_TEST = """\
Runs every `example` block of every policy file given (folders are searched recursively
for *.policy files). Each expectation that does not hold is reported with its location, the
value expected, the value found and the explanation of that value; then one summary line.

exit codes: 0 every example passed, 1 an example failed or a policy has problems,
2 usage error

examples:
  wuxin test policies/
  wuxin test policies/loans/eligibility.policy --verbose
  wuxin test policies/ --match overdue --mode full
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
        "--mode",
        choices=explaining.MODES,
        default="decisive",
        help="how much of a failure's explanation to show (default decisive)",
    )
    test.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (default: when printing to a terminal)",
    )


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
    verify.add_argument(
        "--mode",
        choices=explaining.MODES,
        default="decisive",
        help="how much of a counterexample's explanation to show (default decisive)",
    )
    verify.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (default: when printing to a terminal)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found `{text}`") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, found `{text}`")
    return value


def _use_color(choice: str) -> bool:
    return choice == "always" or (
        choice == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    )


def _suites(paths: Sequence[str]) -> tuple[list[Any], int]:
    """The checked suites under `paths`, and how many files had problems (reported once)."""
    from wuxin_rules import examples

    loaded = examples.load_suites(paths)
    if not loaded:
        raise UsageError(
            Diagnostic(
                "no-policies",
                "no `.policy` files found in " + ", ".join(f"`{p}`" for p in paths),
                help="give a .policy file or a folder that holds some",
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
            sys.stderr.write(render_diagnostics(fresh) + "\n\n")
    return suites, broken


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _test(args: argparse.Namespace) -> int:
    from wuxin_rules import examples

    suites, broken = _suites(args.paths)
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
                if args.verbose:
                    print(f"✓ {where}: {example.title}")
                continue
            failed += 1
            print(f"✗ {where}: {example.title}")
            print(examples.render_example_result(result, mode=args.mode, color=color))
            print()
    total = passed + failed
    summary = f"{_plural(total, 'example')}: {passed} passed, {failed} failed"
    if broken:
        summary += f"; {_plural(broken, 'policy', 'policies')} could not be loaded"
    if total == 0 and not broken:
        summary = "no examples found" + (f" matching `{args.match}`" if args.match else "")
    print(summary)
    return ExitCode.PROBLEMS if failed or broken else ExitCode.OK


def _verify(args: argparse.Namespace) -> int:
    try:
        from wuxin_rules import verify
    except ImportError as error:  # hypothesis is not a runtime dependency
        raise UsageError(
            Diagnostic(
                "missing-dependency",
                f"`wuxin verify` needs hypothesis, which cannot be imported: {error}",
                help="install it: `pip install 'wuxin_rules[verify]'`",
            )
        ) from None
    suites, broken = _suites(args.paths)
    seed = args.seed if args.seed is not None else verify.new_seed()
    color = _use_color(args.color)
    tty = sys.stderr.isatty()

    def show_progress(prop: Any, done: int, total: int, shrinking: bool) -> None:
        state = f"counterexample found, shrinking it ({done} cases)" if shrinking else f"{done}/{total} cases"
        line = f"  … {prop.title}: {state}"
        sys.stderr.write(f"\r{line}\x1b[K" if tty else line + "\n")
        sys.stderr.flush()

    progress = verify.throttled(show_progress)
    counts = {"held": 0, "failed": 0, "unsatisfied": 0}
    if args.format == "text":
        print(f"verifying with seed {seed}, up to {args.max_examples} cases per property")
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
                print(verify.render_report(report, mode=args.mode, color=color))
                if not report.ok:
                    print()
    total = sum(counts.values())
    summary = (
        f"{_plural(total, 'property', 'properties')}: {counts['held']} held, "
        f"{counts['failed']} failed"
    )
    if counts["unsatisfied"]:
        summary += f", {counts['unsatisfied']} never met their condition"
    if broken:
        summary += f"; {_plural(broken, 'policy', 'policies')} could not be loaded"
    summary += f" (seed {seed}; repeat with --seed {seed})"
    if total == 0 and not broken:
        summary = "no properties found" + (f" matching `{args.match}`" if args.match else "")
    (sys.stderr if args.format == "json" else sys.stdout).write(summary + "\n")
    return ExitCode.PROBLEMS if counts["failed"] or counts["unsatisfied"] or broken else ExitCode.OK


def run() -> NoReturn:  # pragma: no cover - alias of the console script
    """Entry point of the console script."""
    raise SystemExit(main())
