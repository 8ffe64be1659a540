"""Shared test configuration: hypothesis profiles and the `--update-golden` option.

Hypothesis profiles (choose with the environment variable `WUXIN_HYPOTHESIS_PROFILE`):

* `ci` (the default): a moderate number of examples, no deadline (CI machines are shared and
  slow), derandomised so that a run is reproducible;
* `dev`: many more examples, for hunting bugs locally;
* `fast`: a handful of examples, for a quick edit-test loop.

`WUXIN_STRICT_FAST_PATH=1` is set for the whole run (unless already set): a bug in the code the
fast path generates raises `InternalError` instead of falling back to the reference evaluator.

Golden files: every test that compares output with an expected file does it through the one
`golden` fixture. A golden file that is missing fails the test; `pytest --update-golden` (the one
update switch) rewrites the expected files from the current output instead, including the
output shown in docs/ pages. Review `git diff` before committing.
"""

from __future__ import annotations

import argparse
import difflib
import os
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, settings

# The golden corpus holds .policy files written to test the parser and checker, not to be
# run: keep the wuxin_rules pytest plugin from collecting their examples and properties.
collect_ignore_glob = ["golden/*.policy"]

# A fault of the compiled fast path's generated code is an internal error under test, not a
# silent (counted) fallback to the reference evaluator as in production. Read by
# `wuxin_rules.compiler.strict` when a fault happens; inherited by the `wuxin` subprocesses.
os.environ.setdefault("WUXIN_STRICT_FAST_PATH", "1")

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=1000, deadline=None)
settings.register_profile("fast", max_examples=10, deadline=None)
settings.load_profile(os.environ.get("WUXIN_HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register `--update-golden`."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the expected files of golden tests from the current output",
    )


def updating_golden(config: pytest.Config) -> bool:
    """True when the run was asked to rewrite golden files (`pytest --update-golden`)."""
    return bool(config.getoption("--update-golden"))


@attrs.frozen
class Golden:
    """Compares a test's output with its expected file, byte for byte (newlines included)."""

    update: bool

    def check(self, path: Path, actual: str) -> None:
        """Assert that `path` holds exactly `actual`; with `--update-golden`, write it instead.

        A missing file fails: a golden test must never pass by writing its own expectation.
        """
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as file:
                file.write(actual)
            return
        if not path.exists():
            pytest.fail(f"golden file {path.name} is missing: run `pytest --update-golden`")
        with path.open(encoding="utf-8", newline="") as file:
            expected = file.read()
        if actual != expected:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    actual.splitlines(keepends=True),
                    f"{path.name} (expected)",
                    f"{path.name} (actual)",
                )
            )
            pytest.fail(f"{path.name} differs (`pytest --update-golden` to accept):\n{diff}")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """The one golden-file comparison (see the module's docstring)."""
    return Golden(updating_golden(request.config))


@pytest.fixture(autouse=True)
def _argparse_words_put_back() -> Iterator[None]:
    """`cli.main([…], --lang zh)` swaps argparse's gettext lookups for the catalogue's while
    it reads the command line: every test leaves them as it found them."""
    module = vars(argparse)
    before = module["_"], module["ngettext"]
    yield
    assert (module["_"], module["ngettext"]) == before, "argparse's words were not put back"
