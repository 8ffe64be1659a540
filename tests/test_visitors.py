"""Every visitor covers every node kind it can meet (docs/internals.md, "Adding a node kind").

A visitor is a subclass of `visitor.Visitor` anywhere in the package. It declares the
families of nodes it meets (`node_kinds`: `model.EXPRESSIONS`, `ast.EXPRESSIONS`,
`ast.DECLARATIONS`, whole) and handles each kind with a `@visits` method, or lists the kind in
`not_visited` with the reason it can never meet it. Adding a node kind to a family therefore
fails this test until each visitor of that family handles it.
"""

from __future__ import annotations

import ast as pyast
import importlib
import pkgutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, get_args

import attrs
import pytest

import wuxin_rules
from wuxin_rules import ast, checker, compiler, evaluator, model, trace_compiler
from wuxin_rules.errors import InternalError
from wuxin_rules.visitor import Visitor, visits

FAMILIES: dict[str, tuple[type, ...]] = {
    "model.EXPRESSIONS": model.EXPRESSIONS,
    "ast.EXPRESSIONS": ast.EXPRESSIONS,
    "ast.DECLARATIONS": ast.DECLARATIONS,
}

# The visitors of the package today; the walk below must find at least these (so that a
# broken walk cannot make the coverage test pass by checking nothing).
KNOWN = {
    "wuxin_rules.checker._NameWalker",
    "wuxin_rules.columnar._Run",
    "wuxin_rules.compiler.EvalCode",
    "wuxin_rules.compiler._Fallibility",
    "wuxin_rules.consistency._Values",
    "wuxin_rules.counterfactual._Reader",
    "wuxin_rules.evaluator.Run",
    "wuxin_rules.formatter._Formatter",
    "wuxin_rules.notation._Printer",
    "wuxin_rules.partial._Walker",
    "wuxin_rules.strategies._Thresholds",
    "wuxin_rules.symbols._Resolver",
    "wuxin_rules.trace_compiler._Builder",
    "wuxin_rules.trace_compiler._TraceCode",
    "wuxin_rules.typing_rules.ExprTyper",
}


def _package_visitors() -> list[type[Visitor[Any]]]:
    for info in pkgutil.walk_packages(wuxin_rules.__path__, "wuxin_rules."):
        if info.name != "wuxin_rules.__main__":
            importlib.import_module(info.name)
    found: list[type[Visitor[Any]]] = []
    pending: list[type[Visitor[Any]]] = list(Visitor.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("wuxin_rules.") and cls.node_kinds:
            found.append(cls)
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _coverage_problems(cls: type[Visitor[Any]]) -> list[str]:
    """What is wrong with `cls`'s coverage of its node kinds, as sentences (none when right)."""
    problems: list[str] = []
    kinds = set(cls.node_kinds)
    handled = cls.handled_kinds()
    for name, family in FAMILIES.items():
        met = kinds & set(family)
        if met and met != set(family):
            left_out = sorted(k.__name__ for k in set(family) - met)
            problems.append(f"meets part of {name} only (left out: {', '.join(left_out)})")
    for kind in sorted(kinds - handled - set(cls.not_visited), key=lambda k: k.__name__):
        problems.append(f"handles no `{kind.__name__}` and does not say why it never meets one")
    for kind, reason in cls.not_visited.items():
        if kind not in kinds:
            problems.append(
                f"lists `{kind.__name__}` as not visited, but it is not a kind it meets"
            )
        if kind in handled:
            problems.append(f"lists `{kind.__name__}` as not visited, yet handles it")
        if not reason.strip():
            problems.append(f"gives no reason for never meeting `{kind.__name__}`")
    return problems


VISITORS = _package_visitors()


def test_the_walk_finds_every_known_visitor() -> None:
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in VISITORS}
    assert names >= KNOWN, KNOWN - names


def test_every_family_has_a_visitor() -> None:
    used = {name for name, family in FAMILIES.items() for cls in VISITORS
            if set(family) <= set(cls.node_kinds)}  # fmt: skip
    assert used == set(FAMILIES)


@pytest.mark.parametrize("cls", VISITORS, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_every_visitor_covers_every_kind_it_meets(cls: type[Visitor[Any]]) -> None:
    assert _coverage_problems(cls) == []


def test_the_families_are_the_node_unions() -> None:
    assert get_args(model.CExpr) == model.EXPRESSIONS
    assert get_args(ast.Expr) == ast.EXPRESSIONS
    assert get_args(ast.Declaration) == ast.DECLARATIONS
    # Every core expression lists its sub-expressions for `children` / `map_children` …
    assert set(model.CHILD_FIELDS) == set(model.EXPRESSIONS)
    # … and every node class of the model is a core expression or a declaration.
    classes = {
        value
        for value in vars(model).values()
        if isinstance(value, type) and attrs.has(value) and value.__module__ == model.__name__
    }
    declarations = {c for c in classes if c.__name__.endswith("Def")} | {model.CheckedPolicy}
    assert classes - declarations == set(model.EXPRESSIONS)


def test_a_new_node_kind_is_reported_until_handled() -> None:
    class NewKind:
        pass

    class Partial(Visitor[str]):
        node_kinds = (*model.EXPRESSIONS, NewKind)

        @visits(*model.EXPRESSIONS)
        def known(self, node: Any) -> str:
            return "known"

    assert _coverage_problems(Partial) == [
        "handles no `NewKind` and does not say why it never meets one"
    ]

    class Declined(Partial):
        not_visited: ClassVar[Mapping[type, str]] = {NewKind: ""}

    assert _coverage_problems(Declined) == ["gives no reason for never meeting `NewKind`"]

    class Complete(Partial):
        @visits(NewKind)
        def new(self, node: NewKind) -> str:
            return "new"

    assert _coverage_problems(Complete) == []
    assert Complete().visit(NewKind()) == "new"


def test_a_visitor_meeting_part_of_a_family_is_reported() -> None:
    class Half(Visitor[None]):
        node_kinds = ast.EXPRESSIONS[:1]

        @visits(*ast.EXPRESSIONS[:1])
        def first(self, node: Any) -> None:
            return None

    [problem] = _coverage_problems(Half)
    assert problem.startswith("meets part of ast.EXPRESSIONS only (left out: ")


def test_an_unhandled_kind_is_an_internal_error_naming_visitor_and_kind() -> None:
    class OnlyConstants(Visitor[object]):
        node_kinds = model.EXPRESSIONS

        @visits(model.Const)
        def const(self, node: model.Const) -> object:
            return node.value

    visitor = OnlyConstants()
    span: Any = None
    assert visitor.visit(model.Const(3, None, span)) == 3  # type: ignore[arg-type]
    with pytest.raises(InternalError) as raised:
        visitor.visit(model.InputRef("age", None, span))  # type: ignore[arg-type]
    assert raised.value.codes == ("internal-error",)
    assert "`OnlyConstants` has no case for `InputRef` nodes" in str(raised.value)
    # Something that is no node at all is the same internal error, not a KeyError.
    with pytest.raises(InternalError, match="no case for `str` nodes"):
        visitor.visit("text")


def test_handlers_are_inherited_and_overridden_by_name() -> None:
    class Base(Visitor[str]):
        node_kinds = (int, str)

        @visits(int)
        def number(self, node: int) -> str:
            return "base number"

        @visits(str)
        def text(self, node: str) -> str:
            return "base text"

    class Derived(Base):
        def number(self, node: int) -> str:
            return "derived number"

    assert Derived().visit(1) == "derived number"
    assert Derived().visit("a") == "base text"
    assert Base().visit(1) == "base number"


def test_precedence_is_declared_only_in_ast() -> None:
    # One table of how tightly expressions bind: the formatter and the notation read
    # `ast.Precedence` / `ast.precedence` and keep no levels of their own.
    package = Path(wuxin_rules.__file__).parent
    declared: list[str] = []
    for path in sorted(package.glob("*.py")):
        for node in pyast.walk(pyast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "name", None)
            if isinstance(node, pyast.Assign):
                name = " ".join(t.id for t in node.targets if isinstance(t, pyast.Name))
            if isinstance(node, pyast.ClassDef | pyast.FunctionDef | pyast.Assign) and (
                "precedence" in (name or "").lower()
            ):
                declared.append(f"{path.stem}.{name}")
    assert declared == ["ast.Precedence", "ast.precedence"]


def test_the_compiled_tracer_overrides_the_generators_handlers_through_the_table() -> None:
    # The tracer's generator gives the lazy forms the reference's order of evaluation by
    # overriding `EvalCode`'s handlers; the table of each class holds its own.
    generator, tracer = compiler.EvalCode, trace_compiler._TraceCode
    overridden = {model.RuleRef, model.CallRule, model.If, model.Coalesce, model.Aggregate}
    for kind in model.EXPRESSIONS:
        base, derived = generator.dispatch_table[kind], tracer.dispatch_table[kind]
        assert base.__qualname__.startswith("EvalCode.")
        if kind in overridden:
            assert derived.__qualname__.startswith("_TraceCode."), kind
        else:
            assert derived is base, kind


def test_the_evaluator_meeting_something_that_is_no_node_is_an_internal_error() -> None:
    policy = checker.check_text("input age: int\n\ncriterion adult: age >= 18\n")
    run = evaluator.Run(policy, {"age": 20}, {}, False)
    assert run.value_of(policy.rules["adult"].body, {}) is True
    with pytest.raises(InternalError, match="`Run` has no case for `str` nodes"):
        run.value_of("age", {})  # type: ignore[arg-type]


def test_evaluation_paths_dispatch_through_the_visitor_base() -> None:
    # No method looked up by a name built from the node's class, no module table from node
    # class to function: a new node kind then fails `test_every_visitor_covers_every_kind_it_meets`
    # instead of slipping through a default.
    package = Path(wuxin_rules.__file__).parent
    found: list[str] = []
    for path in sorted(package.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.stem != "visitor" and "dict[type, Callable" in text:
            found.append(f"{path.stem}: a table from node class to function")
        if '"_" + type(' in text:
            found.append(f"{path.stem}: a method named after the node's class")
    assert found == []
