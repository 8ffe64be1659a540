"""Checking policy files as `wuxin check` does: each file loaded as the root of a policy,
checked, and given the consistency checks, every file's problems reported.

A module of its own, below `api`, so that the command imports the loader, the checker and
the consistency checks without the evaluators, explanations and fact readers `api` brings
(a check of a large policy should not pay for their import).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from wuxin_rules import ast, checker, consistency, loader
from wuxin_rules.errors import Diagnostic, WuxinError
from wuxin_rules.model import CheckedPolicy

__all__ = ["check_policy_files", "check_policy_paths", "lint_policy_paths"]


def check_policy_paths(
    paths: Sequence[str | os.PathLike[str]],
) -> list[tuple[str, WuxinError | None]]:
    """Load and check each `.policy` file (directories are searched recursively).

    Returns `(path, error or None)` per file, so a tool can report every file's problems.
    """
    return [(path, error) for path, error, _ in check_policy_files(paths)]


def check_policy_files(
    paths: Sequence[str | os.PathLike[str]],
) -> list[tuple[str, WuxinError | None, tuple[Diagnostic, ...]]]:
    """As `check_policy_paths`, with the warnings of each file that checked
    (`(path, None, warnings)`); a failed file's warnings are among its error's diagnostics."""
    results: list[tuple[str, WuxinError | None, tuple[Diagnostic, ...]]] = []
    for file in loader.policy_files(paths):
        try:
            checked = checker.check(loader.load_modules(file))
        except WuxinError as error:
            results.append((str(file), error, ()))
        else:
            results.append((str(file), None, checked.warnings))
    return results


def lint_policy_paths(
    paths: Sequence[str | os.PathLike[str]], *, undecided: bool = False
) -> list[tuple[str, WuxinError | None, tuple[Diagnostic, ...]]]:
    """`check_policy_paths` with the consistency checks (`wuxin_rules.consistency`) of each
    file that checks: `(path, error or None, warnings)` per file.

    Uses count across every `.policy` file under each file's policy root, so a declaration
    only another file uses is not reported unused. With `undecided`, criteria the reasoning
    cannot decide come as notes too.
    """
    checked: list[tuple[str, WuxinError | CheckedPolicy, Path | None]] = []
    parsed: dict[str, ast.Module] = {}  # by file name: the modules already read
    for file in loader.policy_files(paths):
        try:
            loaded = loader.load_modules(file)
            checked.append((str(file), checker.check(loaded), loaded.policy_root))
        except WuxinError as error:
            checked.append((str(file), error, None))
            continue
        parsed.update((m.span.source.name, m) for m in loaded.modules.values())
    universes: dict[Path | None, list[ast.Module]] = {}
    results: list[tuple[str, WuxinError | None, tuple[Diagnostic, ...]]] = []
    for name, outcome, root in checked:
        if isinstance(outcome, WuxinError):
            results.append((name, outcome, ()))
            continue
        if root not in universes:
            universes[root] = consistency.modules_under(root, parsed)
        findings = consistency.analyse(outcome, universe=universes[root], undecided=undecided)
        results.append((name, None, (*outcome.warnings, *findings)))
    return results
