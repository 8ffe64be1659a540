"""The guides cannot go stale: every code block of docs/tutorial.md and docs/embedding.md is run.

Each fenced block is checked according to its language and the HTML comment on the line
just before it (invisible when the page is rendered):

* ```policy with `<!-- file: PATH -->` must be the whole file PATH; with
  `<!-- excerpt: PATH -->` its lines must appear, consecutively and verbatim, in PATH; with
  `<!-- invalid: CODE -->` it must fail to load with the diagnostic CODE; with no comment it
  must load and check on its own.
* ```json with `<!-- file: PATH -->` must be the file PATH; otherwise it must parse.
* ```console is a shell session: each `$ COMMAND` is run with bash from the repository root
  (one shell per block, stderr merged into stdout, `wuxin` meaning this checkout) and what
  it prints must be the lines shown under it.
* ```python blocks of one page run in order in one namespace, from the repository root; an
  ```output block right after one must be exactly what it printed.
* ```signature lines (`Policy.evaluate(facts, *, rules=None) -> Result`) must be the
  parameters, defaults and return annotation of that function of `wuxin_rules`.
* ```sh blocks (installation) are not run and must say so: `<!-- not-run -->`.

When a change to the engine changes what a command prints, run
`python -m pytest tests/test_docs.py --update-golden` to rewrite the shown outputs in
place, then read the diff: the prose around them may need changing too.
"""

from __future__ import annotations

import contextlib
import difflib
import inspect
import io
import json
import os
import re
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pytest

import wuxin_rules
from conftest import updating_golden
from wuxin_rules import examples, suite_checker

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("docs/tutorial.md", "docs/embedding.md")
LANGUAGES = {"policy", "json", "console", "python", "output", "signature", "sh"}
_MARKER = re.compile(r"<!--\s*([a-z-]+)(?::\s*(.*?))?\s*-->")


@attrs.frozen
class Block:
    """One fenced code block: its page, language, marker and body lines (1-based)."""

    page: str
    language: str
    marker: str | None
    argument: str | None
    text: str
    first_line: int  # the line of the opening fence
    last_line: int  # the line of the closing fence

    @property
    def where(self) -> str:
        return f"{self.page}:{self.first_line}"


def blocks(page: str) -> list[Block]:
    """Every fenced block of a page, with the marker comment just above it."""
    lines = (ROOT / page).read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("```"):
            index += 1
            continue
        language = line[3:].strip()
        start = index
        index += 1
        while index < len(lines) and lines[index] != "```":
            index += 1
        if index == len(lines):
            raise AssertionError(f"{page}:{start + 1}: unclosed code block")
        marker = argument = None
        above = lines[start - 1].strip() if start > 0 else ""
        match = _MARKER.fullmatch(above)
        if match:
            marker, argument = match.group(1), match.group(2)
        body = "\n".join(lines[start + 1 : index])
        found.append(Block(page, language, marker, argument, body, start + 1, index + 1))
        index += 1
    return found


ALL_BLOCKS = [block for page in PAGES for block in blocks(page)]


def of(language: str) -> list[Any]:
    return [pytest.param(b, id=b.where) for b in ALL_BLOCKS if b.language == language]


# ------------------------------------------------------------------------------------------
# Rewriting shown outputs (pytest --update-golden, the suite's one update switch)

_REWRITES: dict[str, list[tuple[Block, str]]] = {}
_UPDATING: list[bool] = [False]  # set from the run's options by the module fixture below


def _expect(block: Block, shown: str, actual: str, what: str) -> None:
    """Assert that `shown` (text of the page) is `actual`; in update mode, record the fix."""
    if _normalise(shown) == _normalise(actual):
        return
    if _UPDATING[0]:
        _REWRITES.setdefault(block.page, []).append((block, actual))
        return
    diff = "\n".join(
        difflib.unified_diff(
            _normalise(shown).splitlines(),
            _normalise(actual).splitlines(),
            "shown in " + block.where,
            "actual",
            lineterm="",
        )
    )
    pytest.fail(
        f"{what} no longer matches {block.where} (pytest --update-golden rewrites it):\n{diff}"
    )


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


@pytest.fixture(scope="module", autouse=True)
def _rewrite_pages(request: pytest.FixtureRequest) -> Any:
    """In update mode, write the recorded outputs into the pages once every test has run."""
    _UPDATING[0] = updating_golden(request.config)
    yield
    for page, fixes in _REWRITES.items():
        path = ROOT / page
        lines = path.read_text(encoding="utf-8").splitlines()
        # Bottom up, so that the recorded line numbers still hold.
        for block, body in sorted(fixes, key=lambda item: -item[0].first_line):
            lines[block.first_line : block.last_line - 1] = _normalise(body).splitlines()
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _REWRITES.clear()


# ------------------------------------------------------------------------------------------
# Every block is of a known kind


@pytest.mark.parametrize("block", [pytest.param(b, id=b.where) for b in ALL_BLOCKS])
def test_every_block_has_a_known_language(block: Block) -> None:
    """A block in another language would go untested: say what it is."""
    assert block.language in LANGUAGES, f"{block.where}: ```{block.language} is not checked"
    if block.language == "sh":
        assert block.marker == "not-run", f"{block.where}: an ```sh block must be <!-- not-run -->"
    if block.language == "output":
        previous = ALL_BLOCKS[ALL_BLOCKS.index(block) - 1]
        assert previous.page == block.page and previous.language == "python", (
            f"{block.where}: an ```output block must follow a ```python block"
        )


def test_the_pages_have_blocks_of_every_kind() -> None:
    """The parser of this file finds the blocks (an empty list would test nothing)."""
    kinds = {(b.page, b.language) for b in ALL_BLOCKS}
    for wanted in [
        ("docs/tutorial.md", "policy"),
        ("docs/tutorial.md", "console"),
        ("docs/embedding.md", "python"),
        ("docs/embedding.md", "output"),
        ("docs/embedding.md", "console"),
    ]:
        assert wanted in kinds


# ------------------------------------------------------------------------------------------
# Policy and JSON blocks


def _load_unless_a_mistake(path: str) -> None:
    """Load a shown policy file; those under `mistakes/` are refused (tested below)."""
    if "mistakes" not in Path(path).parts:
        wuxin_rules.load(ROOT / path)


@pytest.mark.parametrize("block", of("policy"))
def test_policy_block_is_real(block: Block) -> None:
    """A policy block is a file, an excerpt of one, a mistake with its error, or a policy."""
    if block.marker == "file":
        shown = (ROOT / block.argument).read_text(encoding="utf-8")
        _expect(block, block.text, shown, f"the file {block.argument}")
        _load_unless_a_mistake(block.argument)
    elif block.marker == "excerpt":
        lines = (ROOT / block.argument).read_text(encoding="utf-8").splitlines()
        wanted = block.text.splitlines()
        assert any(
            lines[i : i + len(wanted)] == wanted for i in range(len(lines) - len(wanted) + 1)
        ), f"{block.where}: these lines are not in {block.argument} as shown"
        _load_unless_a_mistake(block.argument)
    elif block.marker == "invalid":
        with pytest.raises(wuxin_rules.PolicyError) as caught:
            wuxin_rules.loads(block.text, name=block.where)
        assert block.argument in caught.value.codes, str(caught.value)
    else:
        assert block.marker is None, f"{block.where}: unknown marker `{block.marker}`"
        wuxin_rules.loads(block.text, name=block.where)


@pytest.mark.parametrize("block", of("json"))
def test_json_block_is_real(block: Block) -> None:
    """A JSON block parses; one that names its file is that file."""
    if block.marker == "file":
        shown = (ROOT / block.argument).read_text(encoding="utf-8")
        _expect(block, block.text, shown, f"the file {block.argument}")
        json.loads(shown)
    else:
        json.loads(block.text)


# ------------------------------------------------------------------------------------------
# Signatures


def _signature_of(name: str) -> str:
    """`name(parameters) -> return` of a function of wuxin_rules, without annotations."""
    target: Any = wuxin_rules
    for part in name.removeprefix("wuxin_rules.").split("."):
        target = getattr(target, part)
    signature = inspect.signature(target)
    parameters = [
        p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()
    ]
    if parameters and parameters[0].name == "self":
        parameters = parameters[1:]
    bare = signature.replace(parameters=parameters, return_annotation=inspect.Signature.empty)
    return f"{name}{bare} -> {signature.return_annotation}"


@pytest.mark.parametrize("block", of("signature"))
def test_signature_block_is_the_real_signature(block: Block) -> None:
    """A documented signature is the function's: same parameters, defaults and result."""
    actual = "\n".join(_signature_of(line.split("(", 1)[0]) for line in block.text.splitlines())
    _expect(block, block.text, actual, "the signatures")


# ------------------------------------------------------------------------------------------
# Console sessions


def _commands(block: Block) -> list[tuple[str, str]]:
    """(command, shown output) pairs of a console block; `\\` continues a command."""
    pairs: list[tuple[list[str], list[str]]] = []
    continued = False
    for line in block.text.splitlines():
        if continued:
            pairs[-1][0].append(line)
            continued = line.endswith("\\")
        elif line.startswith("$ "):
            pairs.append(([line[2:]], []))
            continued = line.endswith("\\")
        else:
            assert pairs, f"{block.where}: output before the first `$ ` command"
            pairs[-1][1].append(line)
    return [("\n".join(command), "\n".join(output)) for command, output in pairs]


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose `wuxin` runs this checkout with this interpreter."""
    folder = tmp_path_factory.mktemp("bin")
    script = folder / "wuxin"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m wuxin_rules "$@"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


_SEPARATOR = "@@wuxin-docs-command@@"


def _run_session(block: Block, shim: Path) -> str:
    """The session as it really goes: each `$ command` followed by what it printed."""
    pairs = _commands(block)
    # The separator is printed between commands; `$?` is kept across it for `echo $?`.
    script = "exec 2>&1\n" + "".join(
        f"__status=$?\nprintf '%s\\n' '{_SEPARATOR}'\n(exit $__status)\n{command}\n"
        for command, _ in pairs
    )
    env = {
        **os.environ,
        "PATH": f"{shim}{os.pathsep}{os.environ.get('PATH', '')}",
        "NO_COLOR": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONIOENCODING": "utf-8",
        "COLUMNS": "100",
    }
    process = subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    outputs = process.stdout.split(_SEPARATOR + "\n")[1:]
    assert len(outputs) == len(pairs), process.stdout
    return "\n".join(
        "\n".join([f"$ {command}", output.rstrip("\n")]).rstrip("\n")
        for (command, _), output in zip(pairs, outputs, strict=True)
    )


@pytest.fixture(scope="module")
def sessions(shim: Path) -> dict[str, str]:
    """Every console session of the pages, run side by side (they only read files), by
    block location: most of their time is interpreter start-up."""
    console = [b for b in ALL_BLOCKS if b.language == "console"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = pool.map(lambda block: _run_session(block, shim), console)
        return {block.where: output for block, output in zip(console, outputs, strict=True)}


@pytest.mark.parametrize("block", of("console"))
def test_console_block_prints_what_it_shows(block: Block, sessions: dict[str, str]) -> None:
    """Run the session's commands; each must print exactly the lines shown under it."""
    _expect(block, block.text, sessions[block.where], "the output of the commands")


@pytest.mark.parametrize("page", PAGES)
def test_locations_quoted_in_the_prose_are_shown(page: str) -> None:
    """A `file.policy:LINE:COL` quoted in the text must appear in an output shown on the page."""
    text = (ROOT / page).read_text(encoding="utf-8")
    shown = "\n".join(
        b.text for b in ALL_BLOCKS if b.page == page and b.language in {"console", "output"}
    )
    for quoted in re.findall(r"`[^`\n]*?([\w.-]+\.policy:\d+:\d+)[^`\n]*`", text):
        assert quoted in shown, f"{page}: `{quoted}` is quoted but no output shows it"


# ------------------------------------------------------------------------------------------
# Python sessions


@pytest.mark.parametrize(
    "page", [p for p in PAGES if any(b.page == p and b.language == "python" for b in ALL_BLOCKS)]
)
def test_python_blocks_run_and_print_what_they_show(
    page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run a page's Python blocks in order in one namespace; compare each shown output."""
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    page_blocks = [b for b in ALL_BLOCKS if b.page == page]
    for index, block in enumerate(page_blocks):
        if block.language != "python":
            continue
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured):
            try:
                exec(
                    compile(block.text, block.where, "exec"), namespace
                )  # the page's own example code
            except Exception as error:  # report which block failed
                raise AssertionError(f"{block.where} raised {error!r}") from error
        following = page_blocks[index + 1] if index + 1 < len(page_blocks) else None
        if following is not None and following.language == "output":
            _expect(following, following.text, captured.getvalue(), f"what {block.where} prints")


# ------------------------------------------------------------------------------------------
# The tutorial's own files


TUTORIAL = ROOT / "examples" / "tutorial"


def test_tutorial_examples_hold() -> None:
    """Every `example` of the tutorial policy holds (what `wuxin test` runs)."""
    suite = suite_checker.load_suite(TUTORIAL / "sorting.policy")
    assert len(suite.examples) >= 3
    for example in suite.examples:
        result = examples.run_example(suite, example)
        assert result.passed, examples.render_example_result(result)


def test_tutorial_mistakes_are_mistakes() -> None:
    """The files the tutorial shows as mistakes really are refused, by `wuxin check` or by
    one of their examples (and the other files are clean)."""
    results = dict(wuxin_rules.api.check_policy_paths([TUTORIAL]))
    for path, error in results.items():
        if "mistakes" not in Path(path).parts:
            assert error is None, str(error)
        elif error is None:
            suite = suite_checker.load_suite(path)
            outcomes = [examples.run_example(suite, example) for example in suite.examples]
            assert outcomes and not all(o.passed for o in outcomes), f"{path} has no mistake"


# ------------------------------------------------------------------------------------------
# The language reference against the grammar and the checker


LANGUAGE = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")


def test_reserved_words_listed_are_the_keywords() -> None:
    """docs/language.md lists exactly the grammar's keywords, and the words that are never
    names are the grammar's `RESERVED_NAMES`."""
    from wuxin_rules import grammar, parser

    section = LANGUAGE.split("### Reserved words", 1)[1]
    listed = section.split("The full list of keywords", 1)[1].split("```", 2)[1]
    assert sorted(listed.split()) == sorted(parser.KEYWORDS)
    never = section.split("| anything |", 1)[0].rsplit("\n", 1)[1]
    assert set(re.findall(r"`(\w+)`", never)) == grammar.RESERVED_NAMES


def test_every_builtin_is_in_the_reference() -> None:
    """Each builtin function has a row in section 8 (date components are named as fields)."""
    from wuxin_rules.typing_rules import BUILTINS

    section = LANGUAGE.split("## 8. Builtin functions", 1)[1].split("\n## ", 1)[0]
    for builtin in BUILTINS.values():
        field = builtin.field or builtin.name
        written = f".{field}`" if builtin.component else f"`{builtin.name}("
        assert written in section, f"builtin `{builtin.name}` is missing from section 8"


def test_readme_policy_checks() -> None:
    """The README's abridged flagship policy loads against the real modules it imports."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    text = readme.split("```policy\n", 1)[1].split("\n```", 1)[0]
    root = ROOT / "policies"
    modules = {
        ".".join(path.relative_to(root).with_suffix("").parts): path.read_text(encoding="utf-8")
        for path in root.rglob("*.policy")
    }
    policy = wuxin_rules.loads(text, name="README.md", files=modules)
    assert "addict_growth_below_province" in policy.checked.rules
