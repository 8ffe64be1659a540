"""From policy text to the surface AST.

Owns the public entry points (`parse`, `parse_with_comments`, `parse_expression`) and the
size limit of a text. Most texts are read by the direct reader (`direct_parser`); the others
by Lark's parser and the transformer of its trees (`tree_builder`, imported with Lark only
when a text needs it). The grammar, its Lark instance and the language's limits
(`MAX_NESTING`) live in `grammar`; when the text does not parse, `syntax_errors` finds every
error and says how to fix it.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Iterator
from typing import Any

from wuxin_rules import ast, direct_parser
from wuxin_rules.errors import Diagnostic, PolicySyntaxError
from wuxin_rules.grammar import (
    CACHE_VARIABLE,
    COLLECT_AGGREGATORS,
    HIT_POLICIES,
    MAX_NESTING,
    MAX_NUMBER_DIGITS,
    MAX_SYNTAX_ERRORS,
    comment_sink,
    grammar_cache_path,
    grammar_text,
    keywords,
    refused_name,
)
from wuxin_rules.messages import english
from wuxin_rules.source import Source, Span

# `KEYWORDS` is computed from the grammar on first use (module `__getattr__`), so that importing
# the parser does not build it.
# `CACHE_VARIABLE`, `grammar_cache_path`, `grammar_text`, `refused_name` and the limits are
# re-exported from `grammar`, where they are defined.
__all__ = [  # noqa: F822
    "CACHE_VARIABLE", "COLLECT_AGGREGATORS", "HIT_POLICIES", "KEYWORDS", "MAX_NESTING",
    "MAX_NUMBER_DIGITS", "MAX_SOURCE_CHARS", "MAX_SYNTAX_ERRORS", "collection_paused",
    "grammar_cache_path", "grammar_text", "parse", "parse_expression", "parse_with_comments",
    "parse_with_lark", "refused_name",
]  # fmt: skip

MAX_SOURCE_CHARS = 5_000_000
"""Largest policy text accepted (a policy is written by people; 5 MB is far beyond that)."""


def __getattr__(name: str) -> Any:
    if name == "KEYWORDS":
        return keywords()
    raise AttributeError(name)


# ------------------------------------------------------------------------------------------
# Public entry points


def parse(text: str, name: str = "<string>") -> ast.Module:
    """Parse the text of one `.policy` file.

    Raises `PolicySyntaxError` with located diagnostics when the text does not follow the
    grammar (every syntax error found, up to `MAX_SYNTAX_ERRORS`) or nests expressions deeper
    than `MAX_NESTING`.
    """
    if len(text) <= _CACHED_TEXT_CHARS:
        return _parse_cached(text, name)
    return _parse(Source(name, text), "start")  # type: ignore[no-any-return]


_CACHED_TEXT_CHARS = 200_000
"""Texts up to this size are parsed once per process (`wuxin check policies/` loads every
file as a root, and each again as an import of the others); the AST is immutable, so the
modules can be shared."""


@functools.lru_cache(maxsize=256)
def _parse_cached(text: str, name: str) -> ast.Module:
    return _parse(Source(name, text), "start")  # type: ignore[no-any-return]


def parse_with_comments(text: str, name: str = "<string>") -> tuple[ast.Module, tuple[Span, ...]]:
    """Parse like `parse`, and also return the span of every comment, in order.

    The AST has no place for comments (they mean nothing to the engine); the formatter
    needs them to keep each where its author put it.
    """
    source = Source(name, text)
    sink: list[Any] = []  # the lexer's comment tokens
    reset = comment_sink.set(sink)
    try:
        module = _parse(source, "start")
    finally:
        comment_sink.reset(reset)
    starts = sorted({token.start_pos or 0: token for token in sink}.items())
    comments = tuple(Span(source, start, start + len(token)) for start, token in starts)
    return module, comments


def parse_expression(text: str, name: str = "<expression>") -> ast.Expr:
    """Parse a single expression (used for `--param` values and tests)."""
    source = Source(name, text)
    return _parse(source, "expr")  # type: ignore[no-any-return]


def _parse(source: Source, start: str) -> Any:
    if len(source.text) > MAX_SOURCE_CHARS:
        raise PolicySyntaxError(
            Diagnostic(
                "too-large",
                english(
                    "parser.too-large",
                    length=format(len(source.text), ","),
                    limit=format(MAX_SOURCE_CHARS, ","),
                ),
                span=Span(source, 0, 0),
                help=english("parser.split-policy-into-modules.help"),
            )
        )
    # Most texts parse: the direct reader builds their AST an order of magnitude faster than
    # Lark; it gives up on anything it is unsure of, and Lark reads that (with diagnostics).
    with collection_paused():
        direct = direct_parser.parse(source, start)
        if direct is not None:
            return direct
        return parse_with_lark(source, start)


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cycle collector paused while a large structure is built, then resumed.

    Building an AST or a checked model allocates millions of objects and frees none: the
    collector, triggered every few hundred allocations, walks them again and again for no
    cycle (half the time of parsing a 100,000-term expression). Cycles made meanwhile are
    collected once it resumes; a caller that had paused it keeps it paused.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def parse_with_lark(source: Source, start: str = "start") -> Any:
    """Parse with the grammar's Lark parser and the tree transformer, never the direct
    reader: the reference the direct reader is tested against, and the path that diagnoses
    every text that does not parse (`start` is `"start"` or `"expr"`)."""
    from wuxin_rules import tree_builder  # with Lark: only for the texts that need it

    return tree_builder.parse_with_lark(source, start)
