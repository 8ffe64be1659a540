"""Golden-file tests of the syntax layer, one test per file.

* `golden/parse/good/*.policy` must parse; together they use every kind of AST node.
* `golden/parse/bad/NAME.policy` must fail to parse, and the rendered error text must equal
  `golden/parse/bad/NAME.err` exactly (file name, line and column, snippet, carets, notes,
  help).

`pytest --update-golden` rewrites the `.err` files from the current output; review the
`git diff` before committing.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from conftest import Golden
from wuxin_rules import ast
from wuxin_rules.errors import PolicySyntaxError
from wuxin_rules.parser import parse
from wuxin_rules.source import Source, Span

PARSE = Path(__file__).parent / "golden" / "parse"
GOOD = sorted((PARSE / "good").glob("*.policy"))
BAD = sorted((PARSE / "bad").glob("*.policy"))


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as file:
        return file.read()


def _nodes(root: Any) -> Iterator[Any]:
    """Every attrs node under `root` (iteratively: golden files may nest deeply)."""
    stack = [root]
    while stack:
        value = stack.pop()
        if isinstance(value, Span | Source):
            continue
        if isinstance(value, tuple):
            stack.extend(value)
        elif attrs.has(type(value)):
            yield value
            stack.extend(getattr(value, field.name) for field in attrs.fields(type(value)))


def test_golden_corpus_is_present() -> None:
    """The corpus has good and bad files (a glob that finds nothing must not pass silently)."""
    assert len(GOOD) >= 4
    assert len(BAD) >= 15


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_good_file_parses(path: Path) -> None:
    """Each good file parses to a module with declarations."""
    module = parse(_read(path), path.name)
    assert isinstance(module, ast.Module)
    assert module.declarations


def test_good_files_use_every_node_kind() -> None:
    """Across the good files every AST class appears at least once."""
    seen = {type(node) for path in GOOD for node in _nodes(parse(_read(path), path.name))}
    every = {
        cls
        for _, cls in inspect.getmembers(ast, inspect.isclass)
        if attrs.has(cls) and cls.__module__ == ast.__name__
    }
    assert sorted(cls.__name__ for cls in every - seen) == []


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_file_error_text(path: Path, golden: Golden) -> None:
    """Each bad file fails with exactly the error text recorded beside it."""
    with pytest.raises(PolicySyntaxError) as raised:
        parse(_read(path), path.name)
    golden.check(path.with_suffix(".err"), str(raised.value) + "\n")


def test_every_err_file_has_its_policy() -> None:
    """No `.err` file is left behind after its `.policy` file was renamed or removed."""
    orphans = [
        p.name for p in (PARSE / "bad").glob("*.err") if not p.with_suffix(".policy").exists()
    ]
    assert orphans == []


def test_the_golden_fixture_fails_on_a_missing_or_different_file(tmp_path: Path) -> None:
    """A golden test never passes by writing its own expectation, nor on different bytes."""
    path = tmp_path / "case.txt"
    with pytest.raises(pytest.fail.Exception, match="missing"):
        Golden(update=False).check(path, "text\n")
    assert not path.exists()
    Golden(update=True).check(path, "text\r\n")
    assert path.read_bytes() == b"text\r\n"
    Golden(update=False).check(path, "text\r\n")
    with pytest.raises(pytest.fail.Exception, match="differs"):
        Golden(update=False).check(path, "text\n")
