"""The `wuxin` command line.

The only module that reads argv, prints or exits. Every failure a user can cause ends as a
rendered diagnostic on stderr and a non-zero exit code, never a traceback. Imported by
nothing but `__main__`.
"""

from __future__ import annotations

import argparse
import collections
import enum
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from wuxin_rules import api, jsonio
from wuxin_rules import explain as explaining
from wuxin_rules.errors import (
    Diagnostic,
    FactError,
    UsageError,
    WuxinError,
    render_diagnostics,
    suggest,
)

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
  wuxin eval policies/loans/eligibility.policy applicants.jsonl --format json --jobs 4

JSON lines are read a chunk at a time (memory stays constant however large the file);
--jobs N evaluates the chunks in N processes and still prints the results in input order.
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
    evaluate.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="evaluate JSON lines in N processes; the output keeps the input order (default 1)",
    )
    return parser


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("wuxin_rules")
    except Exception:
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
        sys.stderr.write(str(error) + "\n")
        return ExitCode.USAGE if isinstance(error, UsageError) else ExitCode.PROBLEMS
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`wuxin eval … | head`): stop quietly.
        _silence_stdout()
        return ExitCode.OK
    except Exception as error:
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


def _open_lines(facts: str) -> IO[str]:
    """The JSON-lines stream named by FACTS (`-` is standard input)."""
    if facts == "-":
        return sys.stdin
    try:
        return Path(facts).open(encoding="utf-8-sig")
    except OSError as error:
        raise UsageError(
            Diagnostic(
                "unreadable-file",
                f"cannot read `{facts}`: {error.strerror or error}",
                help="check the path and that the file is readable",
            )
        ) from None


class _EvalJob:
    """What evaluating one document needs; built once per process (pickled for workers)."""

    def __init__(self, args: argparse.Namespace, color: bool) -> None:
        self.policy_path: str = args.policy
        self.params = _parse_params(args.params)
        self.root: str | None = args.root
        self.rule_names: list[str] | None = args.rules
        self.format: str = args.format
        self.explain: bool = args.explain
        self.mode: str = args.mode
        self.color = color
        self._policy: api.Policy | None = None
        self._rules: tuple[str, ...] = ()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_policy"] = None  # a worker loads the policy itself (unless forked with it)
        return state

    def load(self) -> api.Policy:
        if self._policy is None:
            self._policy = api.load(self.policy_path, params=self.params, root=self.root)
            self._rules = self._policy.resolve_rules(self.rule_names)
        return self._policy

    def document(self, where: str, document: Any, out: list[str], err: list[str]) -> int:
        """Evaluate one document; its output lines into `out`/`err`; the exit status."""
        policy = self.load()
        try:
            result = policy.evaluate(document, rules=self._rules, explain=self.explain, file=where)
        except FactError as error:
            self.bad_document(error, out, err)
            return ExitCode.PROBLEMS
        if self.format == "json":
            out.append(jsonio.dumps(result.to_json(explain=self.explain)) + "\n")
        else:
            out.append(_text_result(result, where, self, self.color) + "\n")
        return ExitCode.PROBLEMS if result.errors else ExitCode.OK

    def bad_document(self, error: WuxinError, out: list[str], err: list[str]) -> None:
        err.append(str(error) + "\n")
        if self.format == "json":
            # Keep one output line per input document, so outputs line up with inputs.
            out.append(jsonio.dumps({"errors": [d.to_json() for d in error.diagnostics]}) + "\n")

    def chunk(self, name: str, lines: list[tuple[int, str]]) -> tuple[str, str, int, int]:
        """Parse and evaluate some lines of a JSON-lines stream: (stdout, stderr, status, count)."""
        out: list[str] = []
        err: list[str] = []
        status: int = ExitCode.OK
        count = 0
        for number, text in lines:
            try:
                document = jsonio.parse_line(text, file=name, line=number)
            except FactError as error:
                # A malformed line: report it and go on with the next one.
                self.bad_document(error, out, err)
                status = ExitCode.PROBLEMS
                continue
            count += 1
            status = max(status, self.document(f"{name}:{number}", document, out, err))
        return "".join(out), "".join(err), status, count


_WORKER_JOB: _EvalJob | None = None
"""The job of a `--jobs` worker process (inherited when forked, else set by `_start_worker`)."""


def _start_worker(job: _EvalJob) -> None:
    global _WORKER_JOB
    if _WORKER_JOB is None:
        _WORKER_JOB = job
    _WORKER_JOB.load()


def _work(name: str, lines: list[tuple[int, str]]) -> tuple[str, str, int, int]:
    assert _WORKER_JOB is not None
    return _WORKER_JOB.chunk(name, lines)


_LINES_PER_CHUNK = 256


def _chunks(stream: IO[str], name: str) -> Iterator[list[tuple[int, str]] | FactError]:
    """Lines in chunks (never more than one chunk in memory), and over-long lines as errors."""
    chunk: list[tuple[int, str]] = []
    for number, text in jsonio.iter_line_texts(stream, file=name):
        if isinstance(text, FactError):
            if chunk:
                yield chunk
                chunk = []
            yield text
            continue
        chunk.append((number, text))
        if len(chunk) >= _LINES_PER_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Done:
    """An already computed chunk result, in the queue of pending ones."""

    def __init__(self, value: tuple[str, str, int, int]) -> None:
        self.value = value

    def get(self) -> tuple[str, str, int, int]:
        return self.value


def _eval(args: argparse.Namespace) -> int:
    color = args.color == "always" or (
        args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    )
    job = _EvalJob(args, color)
    job.load()  # policy and param problems are reported before any facts are read
    if args.jobs < 1:
        raise UsageError(
            Diagnostic("usage", f"`--jobs {args.jobs}` must be at least 1", help="use `--jobs 1` or more")
        )
    out: IO[str] = sys.stdout
    if args.facts != "-" and Path(args.facts).suffix != ".jsonl":
        lines: list[str] = []
        errors: list[str] = []
        status: int
        try:
            document = jsonio.load_path(Path(args.facts))
        except FactError as error:
            job.bad_document(error, lines, errors)
            status = ExitCode.PROBLEMS
        else:
            status = job.document(args.facts, document, lines, errors)
        sys.stderr.write("".join(errors))
        out.write("".join(lines))
        return status
    name = "<stdin>" if args.facts == "-" else args.facts
    # Interactive or piped input: show each chunk's results as soon as they are known.
    eager = args.facts == "-" or out.isatty()
    status = ExitCode.OK
    count = 0
    stream = _open_lines(args.facts)
    try:
        pending: collections.deque[Any] = collections.deque()
        pool = None
        if args.jobs > 1:
            import multiprocessing

            global _WORKER_JOB
            _WORKER_JOB = job
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            pool = multiprocessing.get_context(method).Pool(
                args.jobs, initializer=_start_worker, initargs=(job,)
            )

        def emit(result: tuple[str, str, int, int]) -> None:
            nonlocal status, count
            text, problems, chunk_status, documents = result
            if problems:
                sys.stderr.write(problems)
            out.write(text)
            if eager:
                out.flush()
            status = max(status, chunk_status)
            count += documents

        try:
            for chunk in _chunks(stream, name):
                if isinstance(chunk, FactError):
                    lines, errors = [], []
                    job.bad_document(chunk, lines, errors)
                    pending.append(_Done(("".join(lines), "".join(errors), ExitCode.PROBLEMS, 0)))
                elif pool is None:
                    pending.append(_Done(job.chunk(name, chunk)))
                else:
                    pending.append(pool.apply_async(_work, (name, chunk)))
                # At most a few chunks in flight: memory stays constant, output keeps input order.
                while len(pending) > (2 * args.jobs if pool is not None else 0):
                    emit(pending.popleft().get())
            while pending:
                emit(pending.popleft().get())
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
    finally:
        if stream is not sys.stdin:
            stream.close()
    if count == 0 and status == ExitCode.OK:
        sys.stderr.write(f"warning: `{args.facts}` holds no facts document\n")
    return status


def _text_result(result: api.Result, where: str, args: Any, color: bool) -> str:
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


def run() -> NoReturn:  # pragma: no cover - alias of the console script
    """Entry point of the console script."""
    raise SystemExit(main())
