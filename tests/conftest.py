"""Shared test configuration: hypothesis profiles and the `--update-golden` option.

Hypothesis profiles (choose with the environment variable `WUXIN_HYPOTHESIS_PROFILE`):

* `ci` (the default): a moderate number of examples, no deadline (CI machines are shared and
  slow), derandomised so that a run is reproducible;
* `dev`: many more examples, for hunting bugs locally;
* `fast`: a handful of examples, for a quick edit-test loop.

`WUXIN_STRICT_FAST_PATH=1` is set for the whole run (unless already set): a bug in the code the
fast path generates raises `InternalError` instead of falling back to the reference evaluator.

`pytest --update-golden` makes the golden-file tests rewrite their expected files from the
current output instead of comparing with them; review `git diff` before committing.
"""

from __future__ import annotations

import os

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


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files (`pytest --update-golden`)."""
    return bool(request.config.getoption("--update-golden"))
