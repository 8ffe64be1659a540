"""What every test of generated code checks: no policy or facts text is code in it.

`assert_only_generated_names(source, own)` walks the Python that `compiler` or
`trace_compiler` generated: every name is one of the compiler's runtime names, one it made
(`_` + letters + a number), a short local of the facts check, a safe builtin or one of `own`;
every attribute is one of a short list of value methods; every function is the compiler's;
nothing imports or rebinds globals. `HOSTILE` is a policy whose names and texts try to be
code (the test modules evaluate it through both generators).
"""

from __future__ import annotations

import ast as pyast
import re

import pytest

from wuxin_rules import compiler, semantics, trace_compiler

HOSTILE_TEXT = '\'; __import__(\\"os\\").system(\\"echo pwned\\") #\\"\\"\\" \\\\n ]}) '

HOSTILE = f"""\
policy hostile

enum Kind: __import__, exec, eval
record R:
  __class__: text
  __dict__: int
  _i: int
  _m: int
  _k1: decimal >= -1

input __builtins__: R
input k: Kind

rule _main: "{HOSTILE_TEXT}"
rule exec: __builtins__.__class__ == "{HOSTILE_TEXT}"
rule _r_0: __builtins__.__dict__ + __builtins__._i * __builtins__._m
rule eval: if k == Kind.exec then "{HOSTILE_TEXT}" else "x"
rule _p2: __builtins__._k1 - 0.5 * abs(__builtins__._k1)
"""

ALLOWED_CALLS = frozenset(
    {"type", "tuple", "len", "all", "any", "sum", "min", "max", "abs", "dict"}
)
"""The builtins generated code calls (with `int`, `bool`, `str`, `list` as names)."""

_TEMPLATE_METHODS = frozenset(
    name
    for entry in (*semantics.BUILTINS.values(), *semantics.OPERATIONS.values())
    if entry.emit.template is not None
    for name in re.findall(r"\.([A-Za-z_]+)", entry.emit.template)
)
"""The methods the table of semantics' inline templates call (`{0}.upper()`, `{0}.time()`):
fixed texts of the engine, never a policy's."""

_ALLOWED_ATTRIBUTES = _TEMPLATE_METHODS | frozenset(
    {
        "get",
        "is_finite",
        "__sizeof__",
        "adjusted",
        "is_signed",
        "as_tuple",
        "exponent",
        "count",
        "days",
        "year",
        "month",
        "day",
        "append",
    }  # (`append` on `out`, the list a list check builds; `as_tuple().exponent` checks a
    # fixed scale)
)
_RUNTIME = {*compiler._RUNTIME, *trace_compiler._TRACE_RUNTIME}


def assert_only_generated_names(source: str, own: frozenset[str] = frozenset()) -> None:
    """Every name in the generated `source` was made by the compiler; user text is only data.
    `own` adds the entry points' names (`_main`, `_traced`)."""
    tree = pyast.parse(source)
    for node in pyast.walk(tree):
        if isinstance(node, pyast.Name):
            # The compiler's own names: its helpers, `_` + letters + a number (fresh names), the
            # short locals of the facts check (`a`, `v`, `f0`, `r1`, `out`), or a builtin.
            assert (
                node.id in _RUNTIME
                or node.id in own | {"_i", "_m"}
                or re.fullmatch(r"_[A-Za-z]+[0-9]+|_r_[0-9]+", node.id)
                or re.fullmatch(r"[a-z][0-9]*|out", node.id)
                or node.id in ALLOWED_CALLS | {"int", "bool", "str", "list"}
            ), node.id
            assert node.id not in {"__import__", "exec", "eval", "__builtins__", "__class__"}
        elif isinstance(node, pyast.Attribute):
            assert node.attr in _ALLOWED_ATTRIBUTES, node.attr
        elif isinstance(node, pyast.FunctionDef):
            assert re.fullmatch(r"_[A-Z][0-9]+", node.name) or node.name in own, node.name
        elif isinstance(node, pyast.Import | pyast.ImportFrom | pyast.Global | pyast.Nonlocal):
            pytest.fail("generated code imports or rebinds globals")
