"""A pytest plugin: the `example` and `property` blocks of `.policy` files as test items.

Registered through the `pytest11` entry point, so that once `wuxin_rules` is installed

```
pytest policies/
```

collects one item per `example` (run as `wuxin test` runs it) and one per `property`
(verified as `wuxin verify` verifies it) of every `.policy` file under the given paths that
declares any, and reports a failure with the expectation's location, the expected and
actual values and the explanation, or with the shrunk counterexample written as an
`example` block. A policy that does not load is one failing item showing its diagnostics.

Options: `--wuxin-max-examples N` (cases per property, default 100) and `--wuxin-seed S`
(default 0, so that a run is reproducible). Policy files that declare no example and no
property are not collected; `--wuxin-no-collect` turns collection off altogether.

Hypothesis is imported only when a property item runs (through `wuxin_rules.verify`), so
that installing `wuxin_rules` without hypothesis leaves other pytest runs unaffected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wuxin_rules import examples, suite, suite_checker
from wuxin_rules.errors import WuxinError
from wuxin_rules.source import read_policy

__all__ = ["ExampleItem", "PolicyFile", "PolicyLoadItem", "PropertyItem"]

_DECLARES_TESTS = re.compile(r"^(?:example|property)\s*\"", re.MULTILINE)
"""A file is collected when a line starts an `example` or `property` block."""

DEFAULT_MAX_EXAMPLES = 100


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the plugin's command-line options."""
    group = parser.getgroup("wuxin", "wuxin_rules policy examples and properties")
    group.addoption(
        "--wuxin-max-examples",
        type=int,
        default=DEFAULT_MAX_EXAMPLES,
        metavar="N",
        help=f"cases to try per `property` of a .policy file (default {DEFAULT_MAX_EXAMPLES})",
    )
    group.addoption(
        "--wuxin-seed",
        type=int,
        default=0,
        metavar="S",
        help="seed for verifying `property` blocks (default 0: reproducible)",
    )
    group.addoption(
        "--wuxin-no-collect",
        action="store_true",
        default=False,
        help="do not collect .policy files as tests",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> PolicyFile | None:
    """Collect a `.policy` file that declares at least one example or property."""
    if file_path.suffix != ".policy" or parent.config.getoption("--wuxin-no-collect"):
        return None
    try:
        text = read_policy(file_path)
    except (OSError, UnicodeDecodeError):
        text = 'example "?"'  # let loading report why the file cannot be read
    if not _DECLARES_TESTS.search(text):
        return None
    collected: PolicyFile = PolicyFile.from_parent(parent, path=file_path)
    return collected


class PolicyFile(pytest.File):
    """A `.policy` file: its examples, then its properties."""

    def collect(self) -> Iterator[pytest.Item]:
        """Load and check the policy with its tests; one item per example and property."""
        try:
            suite = suite_checker.load_suite(self.path)
        except WuxinError as error:
            yield PolicyLoadItem.from_parent(self, name="<load>", error=error)
            return
        for example in suite.examples:
            yield ExampleItem.from_parent(
                self, name=f"example: {example.title}", suite=suite, example=example
            )
        for prop in suite.properties:
            yield PropertyItem.from_parent(
                self, name=f"property: {prop.title}", suite=suite, prop=prop
            )


class PolicyTestFailure(Exception):
    """A failed example, property or load, carrying the report to show."""

    def __init__(self, report: str) -> None:
        super().__init__(report)
        self.report = report


class _PolicyItem(pytest.Item):
    """What the items share: the text report of a failure, and the location."""

    line = 0

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The rendered report of our own failures; pytest's for anything else (a bug)."""
        if isinstance(excinfo.value, PolicyTestFailure):
            return excinfo.value.report
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int, str]:
        """The file and line of the block, for `pytest -v` and the failure header."""
        return self.path, self.line, self.name


class PolicyLoadItem(_PolicyItem):
    """Stands for a policy that does not load: fails with its diagnostics."""

    def __init__(self, *, error: WuxinError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        """Fail with every problem of the policy."""
        raise PolicyTestFailure(str(self.error))


class ExampleItem(_PolicyItem):
    """One `example` block."""

    def __init__(self, *, suite: suite.Suite, example: suite.Example, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite
        self.example = example
        self.line = example.span.source.line_col(example.span.start)[0] - 1

    def runtest(self) -> None:
        """Evaluate every expectation; fail with the report of those that do not hold."""
        result = examples.run_example(self.suite, self.example)
        if not result.passed:
            raise PolicyTestFailure(
                f'example "{self.example.title}" failed:\n' + examples.render_example_result(result)
            )


class PropertyItem(_PolicyItem):
    """One `property` block, verified with hypothesis."""

    def __init__(self, *, suite: suite.Suite, prop: suite.Property, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite
        self.prop = prop
        self.line = prop.span.source.line_col(prop.span.start)[0] - 1

    def runtest(self) -> None:
        """Search for a counterexample; fail with it, shrunk and explained."""
        from wuxin_rules import verify

        config = self.config
        report = verify.verify_property(
            self.suite,
            self.prop,
            max_examples=config.getoption("--wuxin-max-examples"),
            seed=config.getoption("--wuxin-seed"),
        )
        if not report.ok:
            raise PolicyTestFailure(verify.render_report(report))
