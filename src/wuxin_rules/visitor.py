"""The one way to dispatch on the kind of a node: a visitor base with a per-class table.

A visitor declares the node kinds it can meet (`node_kinds`, whole families such as
`model.EXPRESSIONS` or `ast.EXPRESSIONS`) and marks each handling method with `@visits(Kind, …)`.
When the class is created, a table from node class to method is built once; `visit(node, …)`
is then one dictionary lookup and one call (no method name is built per node). A kind the
visitor meets but handles nowhere raises an `InternalError` naming the visitor and the kind,
and tests/test_visitors.py fails until every visitor handles every kind of its families or
lists it in `not_visited` with the reason it can never meet it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, NoReturn, TypeVar

from wuxin_rules.errors import Diagnostic, InternalError
from wuxin_rules.messages import english

__all__ = ["Visitor", "unhandled_kind", "visits"]

R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])

# The attribute `@visits` leaves on a method: the node classes it handles.
_MARK = "__wuxin_visits__"


def visits(*kinds: type) -> Callable[[F], F]:
    """Mark a visitor method as the handler of nodes of `kinds` (exact classes)."""

    def mark(method: F) -> F:
        setattr(method, _MARK, (*getattr(method, _MARK, ()), *kinds))
        return method

    return mark


def unhandled_kind(visitor: str, kind: str) -> InternalError:
    """The error of a visitor meeting a node kind it has no method for (a bug, not bad input)."""
    return InternalError(
        Diagnostic(
            "internal-error",
            english("visitor.internal-error-visitor-has", visitor=visitor, kind=kind),
            help=english("visitor.this-bug-wuxin-rules.help"),
        )
    )


class Visitor(Generic[R]):
    """Base of every visitor of the checked model or of the syntax tree.

    Subclasses set `node_kinds` (the families of nodes they can meet) and decorate their
    handlers with `@visits`; a subclass inherits its bases' handlers and may replace them by
    overriding the method (by name) or by marking another method for the same kind.
    """

    node_kinds: ClassVar[tuple[type, ...]] = ()
    """The node classes this visitor can meet: a union of whole families (see the tests)."""

    not_visited: ClassVar[Mapping[type, str]] = {}
    """Kinds of `node_kinds` this visitor can never meet, each with the reason why."""

    dispatch_table: ClassVar[Mapping[type, Callable[..., Any]]] = {}
    """Node class → handler (a plain function taking the visitor first), built once per class.
    A hot loop may read it directly (`self.dispatch_table[type(node)](self, node, …)`) to save
    the call of `visit`; every node kind of `node_kinds` has an entry."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names: dict[type, str] = {}
        for klass in reversed(cls.__mro__):
            for name, member in vars(klass).items():
                for kind in getattr(member, _MARK, ()):
                    names[kind] = name
        table: dict[type, Callable[..., Any]] = {
            kind: _unhandled(cls.__name__, kind) for kind in cls.node_kinds
        }
        table.update((kind, getattr(cls, name)) for kind, name in names.items())
        cls.dispatch_table = table
        if "visit" not in vars(cls):
            # `visit` with the table's lookup bound in: faster than reading
            # `self.dispatch_table` on every node (benchmarks/bench_visitor.py).
            cls.visit = _visit_through(table)  # type: ignore[method-assign]

    @classmethod
    def handled_kinds(cls) -> frozenset[type]:
        """The node classes this visitor has a method for."""
        return frozenset(
            kind for kind, method in cls.dispatch_table.items() if not hasattr(method, "unhandled")
        )

    def visit(self, node: Any, /, *args: Any) -> R:
        """The result of the method that handles `type(node)`, called with `node` and `args`."""
        method = self.dispatch_table.get(type(node))
        if method is None:
            raise unhandled_kind(type(self).__name__, type(node).__name__)
        result: R = method(self, node, *args)
        return result


def _visit_through(table: dict[type, Callable[..., Any]]) -> Callable[..., Any]:
    lookup = table.get

    def visit(self: Any, node: Any, /, *args: Any) -> Any:
        method = lookup(type(node))
        if method is None:
            raise unhandled_kind(type(self).__name__, type(node).__name__)
        return method(self, node, *args)

    visit.__doc__ = Visitor.visit.__doc__
    return visit


def _unhandled(visitor: str, kind: type) -> Callable[..., NoReturn]:
    def unhandled(self: Any, node: Any, *args: Any) -> NoReturn:
        raise unhandled_kind(visitor, kind.__name__)

    unhandled.unhandled = True  # type: ignore[attr-defined]
    return unhandled
