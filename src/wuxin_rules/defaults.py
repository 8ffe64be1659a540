"""Exceptions to a rule (default logic): lowering them into the rule's body, and their checks.

A rule may end with exceptions, each with its name, label, citations, a condition and a value:

    rule rate -> percent: 20%
      exception children cites "Art. 2" when n >= 2 then 15%
      exception high to children cites "Art. 3" when income > 100000 then 30%

The meaning is Catala's default logic. The exceptions form a tree: one written `to` another
is an exception to that one, the others are exceptions to the body. An exception *applies*
where its condition holds or one of its own exceptions applies. The value of a definition (the
body, or an exception that applies) is: if exactly one of its exceptions applies, that one's
value; if none, its own; if two or more apply, an evaluation error naming both
(`exception-conflict`): never silently the first. Two exceptions without exceptions of their
own whose values are written alike (two exemptions, `then 0`) give the same value wherever
both apply, and are no conflict (Catala tolerates them too).

`lowered` writes this with the constructs every evaluation path already has: an `if` per
exception (carrying the exception's span, so an explanation shows the exception as written,
with its name and citations) and `fail` of a conflict message (`semantics`), so the
reference evaluator, the compiled fast path and the compiled tracer agree by construction,
and the checker checks each value against the rule's type where it stands.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from wuxin_rules import ast
from wuxin_rules.errors import Diagnostic, Label
from wuxin_rules.messages import Message, english

FAIL = "fail#"
"""The name the lowering calls `fail` by for a conflict: not one a policy can write, so a
declaration named `fail` cannot hide the builtin (the checker resolves it to `fail`)."""


# ------------------------------------------------------------------------------------------
# Checks


def structure_errors(decl: ast.RuleDecl) -> list[Diagnostic]:
    """What is wrong with the exceptions of `decl` as a tree: a name given twice, a `to` that
    names no exception of the rule, a chain of `to` that comes back to where it began."""
    found: list[Diagnostic] = []
    seen: dict[str, ast.RuleException] = {}
    for exception in decl.exceptions:
        name = exception.name.name
        if name in seen:
            found.append(
                Diagnostic(
                    "duplicate-name",
                    english("exception-named-twice", name=name, rule=decl.name.name),
                    exception.name.span,
                    labels=(Label(seen[name].name.span, english("first-declared-here")),),
                    help=english("exception-named-twice.help"),
                )
            )
        else:
            seen[name] = exception
    for exception in decl.exceptions:
        parent = exception.parent
        if parent is not None and parent.name not in seen:
            found.append(
                Diagnostic(
                    "unknown-exception",
                    english("unknown-exception", name=parent.name, rule=decl.name.name),
                    parent.span,
                    help=english(
                        "unknown-exception.help",
                        names=", ".join(f"`{n}`" for n in seen) or "—",
                    ),
                )
            )
    if found:
        return found
    reported: set[str] = set()
    for exception in decl.exceptions:
        chain = [exception.name.name]
        current = exception
        while current.parent is not None:
            current = seen[current.parent.name]
            if current.name.name in chain:
                cycle = chain[chain.index(current.name.name) :]
                if not reported & set(cycle):
                    reported.update(cycle)
                    found.append(
                        Diagnostic(
                            "exception-cycle",
                            english(
                                "exception-cycle",
                                chain=" → ".join(f"`{n}`" for n in [*cycle, cycle[0]]),
                                rule=decl.name.name,
                            ),
                            current.span,
                            labels=tuple(
                                Label(parent.span, english("exception-over-here"))
                                for n in cycle
                                if (parent := seen[n].parent) is not None and n != current.name.name
                            ),
                            help=english("exception-cycle.help"),
                        )
                    )
                break
            chain.append(current.name.name)
    return found


# ------------------------------------------------------------------------------------------
# Lowering


def lowered_module(module: ast.Module) -> ast.Module:
    """The module with each rule's exceptions lowered into its body."""
    if not any(isinstance(d, ast.RuleDecl) and d.exceptions for d in module.declarations):
        return module
    declarations = tuple(
        lowered(decl) if isinstance(decl, ast.RuleDecl) and decl.exceptions else decl
        for decl in module.declarations
    )
    return attrs.evolve(module, declarations=declarations)


def lowered(decl: ast.RuleDecl) -> ast.RuleDecl:
    """The rule with its exceptions written into its body (see the module's docstring). A
    rule whose exceptions do not form a tree (`structure_errors`, which the checker reports)
    keeps its body alone."""
    if structure_errors(decl):
        return attrs.evolve(decl, exceptions=())
    return attrs.evolve(decl, body=_Lowering(decl).value(None, decl.body), exceptions=())


class _Lowering:
    def __init__(self, decl: ast.RuleDecl) -> None:
        self.decl = decl
        self.children: dict[str | None, list[ast.RuleException]] = {}
        for exception in decl.exceptions:
            parent = exception.parent.name if exception.parent is not None else None
            self.children.setdefault(parent, []).append(exception)

    def applies(self, exception: ast.RuleException) -> ast.Expr:
        """Where `exception` applies: its condition, or one of its exceptions applies."""
        kids = self.children.get(exception.name.name, [])
        if not kids:
            return exception.condition
        operands = (exception.condition, *(self.applies(kid) for kid in kids))
        return ast.BoolOp("or", operands, exception.span)

    def value(self, name: str | None, own: ast.Expr) -> ast.Expr:
        """The value of the definition `name` (None: the body) where it applies: the value of
        the one exception to it that applies, a conflict if more do, else `own`."""
        kids = self.children.get(name, [])
        tail = own
        for index in range(len(kids) - 1, -1, -1):
            kid = kids[index]
            chosen = self.value(kid.name.name, kid.value)
            for other in reversed(kids[index + 1 :]):
                if self.same_value(kid, other):
                    continue
                chosen = ast.If(self.applies(other), self.conflict(kid, other), chosen, other.span)
            tail = ast.If(self.applies(kid), chosen, tail, kid.span)
        return tail

    def same_value(self, first: ast.RuleException, second: ast.RuleException) -> bool:
        """Whether two exceptions give the same value wherever both apply: neither has
        exceptions of its own and their values are written alike (Catala's "cumulative
        exceptions": two exemptions that both apply are no conflict)."""
        if first.name.name in self.children or second.name.name in self.children:
            return False
        return _written(first.value) == _written(second.value)

    def conflict(self, first: ast.RuleException, second: ast.RuleException) -> ast.Expr:
        message = english(
            "exception-conflict",
            first=named(first),
            second=named(second),
            rule=self.decl.name.name,
        )
        span = second.span
        text = ast.TextLit(message, span)
        return ast.Call(ast.NameRef(FAIL, span), (text,), span)


def named(exception: ast.RuleException) -> Message:
    """An exception as a conflict names it: its name, citations and line."""
    line = exception.span.line
    cites = _cites(exception.doc.cites)
    if cites:
        return english("exception-named", name=exception.name.name, cites=cites, line=line)
    return english("exception-named-uncited", name=exception.name.name, line=line)


def _written(expr: ast.Expr) -> str:
    return " ".join(expr.span.text.split())


def _cites(cites: Sequence[ast.Text]) -> str:
    return ", ".join(f'"{c.value}"' for c in cites)
