"""Shared pieces of the fuzz tests (`tests/test_fuzz_*.py`): the grammar's sentence strategy,
the flagship texts, example counts, and the one place that says which exceptions are allowed.

`WUXIN_SLOW_TESTS=1` multiplies every fuzz test's number of examples by `SLOW_FACTOR` (and
randomises the runs) for a longer bug hunt; the default keeps the fuzz tests to well under a
minute in CI.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import lark
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import LarkStrategy
from lark.grammar import NonTerminal, Terminal

from wuxin_rules import parser
from wuxin_rules.errors import WuxinError

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "policies" / "drug_free"

SLOW = bool(os.environ.get("WUXIN_SLOW_TESTS"))
SLOW_FACTOR = 20

F = TypeVar("F", bound=Callable[..., Any])


def fuzz_settings(examples: int) -> Callable[[F], F]:
    """Hypothesis settings of a fuzz test: `examples` cases (× SLOW_FACTOR when slow)."""
    return settings(  # type: ignore[no-any-return]
        max_examples=examples * SLOW_FACTOR if SLOW else examples,
        deadline=None,
        derandomize=not SLOW,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


def flagship_texts() -> dict[str, str]:
    """Dotted module name → text, for every flagship file."""
    return {
        f"drug_free.{path.stem}": path.read_text(encoding="utf-8")
        for path in sorted(FLAGSHIP.glob("*.policy"))
    }


class RaisedOtherThanWuxinError(AssertionError):
    """A fuzz case made the engine raise something a user must never see."""


def only_wuxin_errors(action: Callable[[], Any], case: str) -> Any:
    """Run `action`; a `WuxinError` is an answer (returned), anything else fails the test."""
    try:
        return action()
    except WuxinError as error:
        return error
    except Exception as error:
        raise RaisedOtherThanWuxinError(
            f"{type(error).__name__}: {error}\n--- case:\n{case}"
        ) from error


# ------------------------------------------------------------------------------------------
# Sentences of the grammar


class SpacedLarkStrategy(LarkStrategy):  # type: ignore[misc]
    """`from_lark` for the wuxin grammar, drawing sentences that tokenize as drawn.

    Out of the box, `LarkStrategy.gen_ignore` inserts ignored text (white space or a comment)
    after a symbol only one time in four, so neighbouring keywords and names fuse (`rulex`)
    and most samples do not even tokenize; and an ignored comment, which runs to the end of
    the line, swallows whatever follows it. Here every symbol is followed by white space: a
    space mostly, sometimes a line break, a full-width space, or a comment closed by a line
    break. A type bound is drawn with an ordering operator (the grammar's `COMPARE_OP` also
    has `==` and `!=`, which the parser rejects in a bound with `bad-bound`).
    """

    _SEPARATORS = (" ", " ", " ", " ", "\n", "\u3000", "  # 注释\n", "\t")
    _BOUND_OPERATORS = ("<", "<=", ">", ">=")

    def __init__(self, grammar: lark.Lark, *args: Any, **kwargs: Any) -> None:
        super().__init__(grammar, *args, **kwargs)
        self._parents: list[str] = []
        # Keywords and punctuation are fixed strings: emit them without a regex draw (the
        # regex strategies of `from_lark` make up most of its drawing time).
        self._literals = {
            t.name: t.pattern.value for t in grammar.terminals if t.pattern.type == "str"
        }

    def gen_ignore(self, data: Any, draw_state: list[str]) -> None:
        draw_state.append(self._SEPARATORS[data.draw_integer(0, len(self._SEPARATORS) - 1)])

    def draw_symbol(self, data: Any, symbol: Any, draw_state: list[str]) -> None:
        if isinstance(symbol, Terminal) and symbol.name in self._literals:
            draw_state.append(self._literals[symbol.name])
            return
        if (
            isinstance(symbol, Terminal)
            and symbol.name == "COMPARE_OP"
            and self._parents
            and self._parents[-1] == "type_bound"
        ):
            operators = self._BOUND_OPERATORS
            draw_state.append(operators[data.draw_integer(0, len(operators) - 1)])
            return
        if isinstance(symbol, NonTerminal):
            self._parents.append(symbol.name)
            try:
                super().draw_symbol(data, symbol, draw_state)
            finally:
                self._parents.pop()
            return
        super().draw_symbol(data, symbol, draw_state)


NAME_POOL = ("a", "b", "x", "n", "total", "unit", "Kind", "Unit", "名称")
"""Names drawn most of the time, so that generated declarations often refer to each other
(and some generated policies get past name resolution into typing and evaluation)."""


def names() -> st.SearchStrategy[str]:
    """Names that are not keywords: mostly from a small pool, sometimes fresh."""
    fresh = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True)
    return st.one_of(st.sampled_from(NAME_POOL), fresh).filter(
        lambda name: name not in parser.KEYWORDS
    )


@functools.cache
def sentences(start: str = "start") -> st.SearchStrategy[str]:
    """Sentences of `grammar/wuxin.lark` (from `start`) that the parser should accept."""
    grammar = lark.Lark(parser.grammar_text(), parser="lalr", lexer="contextual", start=start)
    explicit = {
        "NAME": names(),
        # The grammar's DATE is any four-two-two digits; the parser rejects `2015-02-30`.
        "DATE": st.dates().map(lambda d: d.isoformat()).filter(lambda s: len(s) == 10),
    }
    return SpacedLarkStrategy(grammar, start, explicit, st.characters(codec="utf-8"))
