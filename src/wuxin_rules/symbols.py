"""A policy as an editor sees it: parsed declaration by declaration, checked, and indexed.

Owns `Workspace` (the texts an editor has open, over the files on disk), `Analysis` (one
document's problems and the index of its modules) and `Symbol`/`Loc`, the names declared in
those modules and every place that refers to them. The language server (`wuxin_rules.lsp`)
turns these into protocol messages; nothing here knows the protocol.

Two things an editor needs that `wuxin check` does not:

* **Tolerance.** A text is cut at the lines that start a declaration and each piece is parsed
  on its own (and cached by its text, so a keystroke re-parses one declaration). A piece
  that does not parse is left out and the rest is still indexed and checked; the syntax
  errors shown are those of the whole text, as `wuxin check` reports them.
* **Positions.** Every name declared and every reference to it, with the declaration it
  resolves to, across the modules a policy imports (and, for references and renaming, the
  other files under its policy root). Resolution follows docs/internals.md, "Names and
  modules", closely enough for navigation; the checker stays the judge of what is valid.

May import source, errors, ast, schema, model, parser, loader, checker, consistency, characters.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import attrs

from wuxin_rules import ast, characters, checker, consistency, model, parser
from wuxin_rules.errors import CODES, Diagnostic, PolicyCheckError, PolicyError, Severity

# The loader's reading of a file's place under its policy root, shared so that the editor
# finds the same root (and the same `module-path-mismatch`) as `wuxin check`.
from wuxin_rules.loader import SUFFIX, LoadedModules, load_modules_from_text, root_identity
from wuxin_rules.schema import EnumType, ListType, OptionalType, RecordType, Type
from wuxin_rules.source import Source, Span
from wuxin_rules.visitor import Visitor, visits

__all__ = ["Analysis", "Loc", "ModuleIndex", "Problem", "Symbol", "Workspace"]

DECLARATION_WORDS = (
    "import", "enum", "record", "input", "param", "criterion", "rule",
    "schedule", "bands", "decision", "example", "property", "fixture",
)  # fmt: skip
# A declaration keyword at the start of a line, followed by a name or a text (keywords are
# contextual: `property` may also be a value there, `property + 1`, but then no name follows
# unless an operator word does, `property and x`).
_PIECE_START = re.compile(
    r"^[ \t]*(?:"
    + "|".join(DECLARATION_WORDS)
    + r")(?=[ \t]+(?!(?:and|or|in|is|not|then|else|where|holds|of)\b)[\"\w])(?![^\n]*=>)",
    re.MULTILINE,
)
_DECLARED = re.compile(
    r"^[ \t]*(?:enum|record|input|param|criterion|rule|schedule|bands|decision|fixture)[ \t]+(\w+)"
)
# Check errors that a declaration left out for its syntax error may explain: not shown.
_NAME_CODES = frozenset({"unknown-name", "unknown-type", "unknown-member", "not-callable"})
_NAME_WARNINGS = frozenset({"confusable-names", "mixed-script-name", "full-width-name"})
_DID_YOU_MEAN = re.compile(r"did you mean `([^`]+)`\?")
_FIX_TEXT = re.compile(r"`([^`]+)`")


# ------------------------------------------------------------------------------------------
# Locations, symbols, problems


@attrs.frozen
class Loc:
    """A range of a file's text: character offsets, end exclusive."""

    file: str
    start: int
    end: int

    def contains(self, offset: int) -> bool:
        """True when `offset` is inside the range or touches its end (a cursor after a name)."""
        return self.start <= offset <= self.end


@attrs.frozen(eq=False)
class Symbol:
    """A declared name: where its name is (`loc`), what declaration it is (`extent`, `node`).

    `kind` is one of enum, member, record, field, input, param, rule, criterion, schedule,
    stage, bands, band, fixture, local and module; `container` names the enum, record,
    schedule or bands a member, field, stage or band belongs to. Symbols compare by identity.
    """

    name: str
    kind: str
    module: str
    loc: Loc
    extent: Loc
    node: Any = attrs.field(repr=False)
    container: str | None = None
    type_expr: Any = attrs.field(default=None, repr=False)  # the declared type, if any

    @property
    def qualified(self) -> str:
        """`module.name` (`module.Container.name` for members and fields)."""
        middle = f"{self.container}." if self.container else ""
        return f"{self.module}.{middle}{self.name}"


@attrs.frozen
class Fix:
    """A change that resolves a problem: replace `loc` by `text`."""

    title: str
    loc: Loc
    text: str


@attrs.frozen
class Problem:
    """A diagnostic placed in a file by offsets, with its related places and its fix."""

    diagnostic: Diagnostic
    loc: Loc | None
    related: tuple[tuple[Loc, str], ...] = ()
    fix: Fix | None = None


# ------------------------------------------------------------------------------------------
# Cutting a text into declarations, parsing each once


@attrs.frozen
class _Piece:
    start: int
    text: str


def pieces(text: str) -> list[_Piece]:
    """The text cut before every line that starts a declaration (the first piece holds the
    header and anything before the first declaration)."""
    starts = [m.start() for m in _PIECE_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    bounds = [*starts, len(text)]
    return [_Piece(a, text[a:b]) for a, b in itertools.pairwise(bounds)]


class _PieceCache:
    """Parsed pieces by (name, text): a keystroke re-parses the piece it changed."""

    def __init__(self) -> None:
        self.parsed: dict[tuple[str, str], tuple[ast.Module | None, bool]] = {}

    def parse(self, name: str, text: str) -> tuple[ast.Module | None, bool]:
        """The piece's module (None if it does not parse), and whether it has errors."""
        key = (name, text)
        if key not in self.parsed:
            self.parsed[key] = self._parse(name, text)
        return self.parsed[key]

    @staticmethod
    def _parse(name: str, text: str) -> tuple[ast.Module | None, bool]:
        try:
            return parser.parse(text, name), False
        except PolicyError:
            pass
        # Full-width punctuation is reported as an error, but its meaning is clear: index
        # the piece as if it were typed in half width.
        screened = characters.screen(Source(name, text)).text
        if screened == text:
            return None, True
        try:
            return parser.parse(screened, name), True
        except PolicyError:
            return None, True

    def keep_only(self, keys: set[tuple[str, str]]) -> None:
        if len(self.parsed) > 4 * max(len(keys), 64):
            self.parsed = {k: v for k, v in self.parsed.items() if k in keys}


# ------------------------------------------------------------------------------------------
# The index of one module


class ModuleIndex:
    """The names one module declares and every reference in it, with what it resolves to."""

    def __init__(self, name: str, file: str, text: str, module: ast.Module, where: Any) -> None:
        self.name = name
        self.file = file
        self.text = text
        self.module = module
        self._where = where  # Span -> Loc
        self.symbols: list[Symbol] = []
        self.top: dict[str, Symbol] = {}
        self.members: dict[tuple[str, str], Symbol] = {}
        self.refs: list[tuple[Loc, Symbol]] = []
        self.aliases: dict[str, str] = {}  # alias -> module name
        self.unqualified: dict[str, Symbol] = {}
        self.import_decls: list[ast.ImportDecl] = []
        self._declare()

    def loc(self, span: Span) -> Loc:
        result: Loc = self._where(span)
        return result

    def _add(self, name: str, kind: str, ident: Any, node: Any, **extra: Any) -> Symbol:
        symbol = Symbol(
            name, kind, self.name, self.loc(ident.span), self.loc(node.span), node, **extra
        )
        self.symbols.append(symbol)
        return symbol

    def _declare(self) -> None:
        for decl in self.module.declarations:
            match decl:
                case ast.ImportDecl():
                    self.import_decls.append(decl)
                case ast.EnumDecl():
                    self.top[decl.name.name] = self._add(decl.name.name, "enum", decl.name, decl)
                    for member in decl.members:
                        self.members[(decl.name.name, member.name.name)] = self._add(
                            member.name.name, "member", member.name, member,
                            container=decl.name.name,
                        )  # fmt: skip
                case ast.RecordDecl():
                    self.top[decl.name.name] = self._add(decl.name.name, "record", decl.name, decl)
                    for field in decl.fields:
                        self.members[(decl.name.name, field.name.name)] = self._add(
                            field.name.name, "field", field.name, field,
                            container=decl.name.name, type_expr=field.type,
                        )  # fmt: skip
                case ast.InputDecl() | ast.ParamDecl() | ast.FixtureDecl():
                    kind = {ast.InputDecl: "input", ast.ParamDecl: "param"}.get(
                        type(decl), "fixture"
                    )
                    self.top[decl.name.name] = self._add(
                        decl.name.name, kind, decl.name, decl, type_expr=decl.type
                    )
                case ast.RuleDecl():
                    self.top[decl.name.name] = self._add(
                        decl.name.name, decl.kind, decl.name, decl, type_expr=decl.returns
                    )
                    # Its exceptions: under the rule in the outline, and what `to` names.
                    for exception in decl.exceptions:
                        self.members[(decl.name.name, exception.name.name)] = self._add(
                            exception.name.name, "exception", exception.name, exception,
                            container=decl.name.name,
                        )  # fmt: skip
                case ast.ScheduleDecl():
                    self.top[decl.name.name] = self._add(
                        decl.name.name, "schedule", decl.name, decl, type_expr=decl.value_type
                    )
                    for stage in decl.stages:
                        self.members[(decl.name.name, stage.name.name)] = self._add(
                            stage.name.name, "stage", stage.name, stage, container=decl.name.name
                        )
                case ast.DecisionDecl():
                    # A decision table is a rule as far as references and the outline go.
                    self.top[decl.name.name] = self._add(
                        decl.name.name, "rule", decl.name, decl, type_expr=decl.returns
                    )
                case ast.BandsDecl():
                    self.top[decl.name.name] = self._add(decl.name.name, "bands", decl.name, decl)
                    for band in decl.bands:
                        self.members[(decl.name.name, band.name.name)] = self._add(
                            band.name.name, "band", band.name, band, container=decl.name.name
                        )
                case _:
                    pass

    def enums(self) -> Iterator[Symbol]:
        """The enums (and bands, whose names are an enum's members) this module can see."""
        seen = {*self.top.values(), *self.unqualified.values()}
        return (s for s in seen if s.kind in ("enum", "bands"))


# ------------------------------------------------------------------------------------------
# A set of indexed modules, and name resolution across them


class Index:
    """Indexed modules by name, references resolved across them."""

    def __init__(self, modules: Mapping[str, ModuleIndex], policy: model.CheckedPolicy | None):
        self.modules = dict(modules)
        self.root_name = next(iter(self.modules), "")
        self.policy = policy
        for index in self.modules.values():
            self._bind_imports(index)
        for index in self.modules.values():
            _Resolver(self, index).run()

    def _bind_imports(self, index: ModuleIndex) -> None:
        for decl in index.import_decls:
            target = decl.module.dotted
            other = self.modules.get(target)
            index.aliases[(decl.alias or decl.module.parts[-1]).name] = target
            if other is not None and other.module.header is not None:
                header = other.module.header
                module_symbol = Symbol(
                    target, "module", target, other.loc(header.name.span),
                    other.loc(other.module.span), header,
                )  # fmt: skip
                index.refs.append((index.loc(decl.module.span), module_symbol))
            for ident in decl.names:
                found = other.top.get(ident.name) if other is not None else None
                if found is not None:
                    index.unqualified[ident.name] = found
                    index.refs.append((index.loc(ident.span), found))

    def symbol_at(self, file: str, offset: int) -> Symbol | None:
        """The symbol declared or referred to at `offset` of `file`."""
        for index in self.modules.values():
            if index.file != file:
                continue
            for loc, symbol in index.refs:
                if loc.contains(offset):
                    return symbol
            for symbol in index.symbols:
                if symbol.loc.contains(offset):
                    return symbol
        return None

    def references(self, symbol: Symbol) -> list[Loc]:
        """Every place that refers to `symbol` (its declaration not included)."""
        found = []
        for index in self.modules.values():
            for loc, target in index.refs:
                if target is symbol or (target.loc == symbol.loc and target.name == symbol.name):
                    found.append(loc)
        return sorted(set(found), key=lambda loc: (loc.file, loc.start))

    def by_qualified(self, qualified: str) -> Symbol | None:
        module, _, name = qualified.rpartition(".")
        index = self.modules.get(module)
        return index.top.get(name) if index is not None else None

    # --- types, as far as navigation and completion need them --------------------------

    def type_of_symbol(self, symbol: Symbol, index: ModuleIndex | None = None) -> Any:
        """A symbol's type: ("sym", record/enum Symbol), ("list", T), ("date",) or None."""
        owner = self.modules.get(symbol.module) if index is None else index
        if symbol.kind == "member":
            return ("sym", owner.top.get(symbol.container or "")) if owner else None
        if symbol.kind == "band":
            return ("sym", owner.top.get(symbol.container or "")) if owner else None
        if symbol.kind == "local" and isinstance(symbol.node, ast.Aggregate):
            # `symbol.type_expr` holds the resolver of the collection's type.
            collection = symbol.type_expr() if callable(symbol.type_expr) else None
            return collection[1] if collection and collection[0] == "list" else None
        if symbol.type_expr is not None and owner is not None:
            return self.resolve_type(symbol.type_expr, owner)
        if symbol.kind in ("rule", "criterion") and self.policy is not None:
            key = symbol.name if symbol.module == self.policy.name else symbol.qualified
            rule = self.policy.rules.get(key)
            return self.from_schema(rule.type) if rule is not None else None
        return None

    def resolve_type(self, texpr: Any, index: ModuleIndex) -> Any:
        match texpr:
            case ast.OptionalTypeExpr():
                return self.resolve_type(texpr.inner, index)
            case ast.ListTypeExpr():
                inner = self.resolve_type(texpr.element, index)
                return ("list", inner)
            case ast.TypeRef():
                parts = [p.name for p in texpr.name.parts]
                if parts == ["date"]:
                    return ("date",)
                found = self.lookup_type(parts, index)
                return ("sym", found) if found is not None else None
        return None

    def lookup_type(self, parts: list[str], index: ModuleIndex) -> Symbol | None:
        if len(parts) == 1:
            return index.top.get(parts[0]) or index.unqualified.get(parts[0])
        target = index.aliases.get(parts[0])
        other = self.modules.get(target) if target else None
        return other.top.get(parts[1]) if other is not None and len(parts) == 2 else None

    def from_schema(self, type_: Type) -> Any:
        match type_:
            case OptionalType():
                return self.from_schema(type_.inner)
            case ListType():
                return ("list", self.from_schema(type_.element))
            case RecordType() | EnumType():
                found = self.by_qualified(type_.qualified)
                return ("sym", found) if found is not None else None
        if type(type_).__name__ == "DateType":
            return ("date",)
        return None


class _Resolver(Visitor[None]):
    """Walks one module's declarations, recording what every name refers to."""

    node_kinds = (*ast.DECLARATIONS, *ast.EXPRESSIONS)

    def __init__(self, index: Index, module: ModuleIndex) -> None:
        self.index = index
        self.m = module

    def run(self) -> None:
        for decl in self.m.module.declarations:
            self.declaration(decl)

    def ref(self, span: Span, symbol: Symbol | None) -> None:
        if symbol is not None:
            self.m.refs.append((self.m.loc(span), symbol))

    def local(self, ident: ast.Ident, node: Any, type_expr: Any) -> Symbol:
        symbol = Symbol(
            ident.name, "local", self.m.name, self.m.loc(ident.span), self.m.loc(node.span),
            node, type_expr=type_expr,
        )  # fmt: skip
        self.m.symbols.append(symbol)
        return symbol

    def type_expr(self, texpr: Any) -> None:
        match texpr:
            case ast.OptionalTypeExpr():
                self.type_expr(texpr.inner)
            case ast.ListTypeExpr():
                self.type_expr(texpr.element)
            case ast.TypeRef():
                parts = texpr.name.parts
                found = self.index.lookup_type([p.name for p in parts], self.m)
                self.ref(parts[-1].span, found)

    def declaration(self, decl: Any) -> None:
        self.visit(decl)

    @visits(ast.ImportDecl, ast.EnumDecl)
    def _decl_nothing(self, decl: ast.ImportDecl | ast.EnumDecl) -> None:
        # Imports are indexed by `ModuleIndex` itself; an enum's members refer to nothing.
        return None

    @visits(ast.RecordDecl)
    def _decl_record_decl(self, decl: ast.RecordDecl) -> None:
        for field in decl.fields:
            self.type_expr(field.type)

    @visits(ast.InputDecl)
    def _decl_input_decl(self, decl: ast.InputDecl) -> None:
        self.type_expr(decl.type)

    @visits(ast.ParamDecl)
    def _decl_param_decl(self, decl: ast.ParamDecl) -> None:
        self.type_expr(decl.type)
        self.expr(decl.default, {}, self.index.resolve_type(decl.type, self.m))

    @visits(ast.FixtureDecl)
    def _decl_fixture_decl(self, decl: ast.FixtureDecl) -> None:
        self.type_expr(decl.type)
        self.expr(decl.value, {}, self.index.resolve_type(decl.type, self.m))

    @visits(ast.RuleDecl)
    def _decl_rule_decl(self, decl: ast.RuleDecl) -> None:
        scope: dict[str, Symbol] = {}
        for param in decl.params or ():
            self.type_expr(param.type)
            scope[param.name.name] = self.local(param.name, param, param.type)
        if decl.returns is not None:
            self.type_expr(decl.returns)
        self.expr(decl.body, scope)
        for exception in decl.exceptions:
            if exception.parent is not None:
                parent = self.m.members.get((decl.name.name, exception.parent.name))
                self.ref(exception.parent.span, parent)
            self.expr(exception.condition, scope)
            self.expr(exception.value, scope)

    @visits(ast.ScheduleDecl)
    def _decl_schedule_decl(self, decl: ast.ScheduleDecl) -> None:
        self.type_expr(decl.value_type)
        if decl.category is not None:
            self.type_expr(decl.category)
            category = self.index.resolve_type(decl.category, self.m)
            enum = category[1] if category and category[0] == "sym" else None
            rows = [row.cells for stage in decl.stages for row in stage.rows]
            rows += [value.cells for value in decl.dated]
            for cells in rows:
                for cell in cells:
                    if cell.category is not None and enum is not None:
                        self.ref(cell.category.span, self._member(enum, cell.category.name))

    @visits(ast.BandsDecl)
    def _decl_bands_decl(self, decl: ast.BandsDecl) -> None:
        for bound in (decl.over.low, decl.over.high):
            self.expr(bound, {})
        for band in decl.bands:
            self.expr(band.range.low, {})
            self.expr(band.range.high, {})

    @visits(ast.ExampleDecl)
    def _decl_example_decl(self, decl: ast.ExampleDecl) -> None:
        scope = {}
        for given in decl.given:
            if given.type is not None:
                self.type_expr(given.type)
                scope[given.name.name] = self.local(given.name, given, given.type)
                self.expr(given.value, scope, self.index.resolve_type(given.type, self.m))
            else:
                target = self.lookup(given.name.name, {})
                self.ref(given.name.span, target)
                expected = self.index.type_of_symbol(target) if target else None
                self.expr(given.value, scope, expected)
        for expect in decl.expect:
            self.expr(expect, scope)

    @visits(ast.PropertyDecl)
    def _decl_property_decl(self, decl: ast.PropertyDecl) -> None:
        scope = {}
        for binder in decl.binders:
            self.type_expr(binder.type)
            scope[binder.name.name] = self.local(binder.name, binder, binder.type)
        if decl.condition is not None:
            self.expr(decl.condition, scope)
        self.expr(decl.claim, scope)

    @visits(ast.DecisionDecl)
    def _decl_decision_decl(self, decl: ast.DecisionDecl) -> None:
        scope: dict[str, Symbol] = {}
        for param in decl.params or ():
            self.type_expr(param.type)
            scope[param.name.name] = self.local(param.name, param, param.type)
        if decl.returns is not None:
            self.type_expr(decl.returns)
        for column in decl.inputs:
            self.expr(column, scope)
        for table_row in decl.rows:
            for table_cell in table_row.cells:
                for test in table_cell.tests:
                    self.expr(test.value, {})
                    if test.high is not None:
                        self.expr(test.high, {})
            for value in table_row.outputs:
                self.expr(value, {})
        for value in decl.default or ():
            self.expr(value, {})

    def _member(self, enum: Symbol | None, name: str) -> Symbol | None:
        if enum is None:
            return None
        owner = self.index.modules.get(enum.module)
        return owner.members.get((enum.name, name)) if owner is not None else None

    def lookup(self, name: str, scope: Mapping[str, Symbol], expected: Any = None) -> Symbol | None:
        if name in scope:
            return scope[name]
        found = self.m.top.get(name) or self.m.unqualified.get(name)
        if found is not None:
            return found
        if expected and expected[0] == "sym":
            member = self._member(expected[1], name)
            if member is not None:
                return member
        members = [m for e in self.m.enums() if (m := self._member(e, name)) is not None]
        return members[0] if len(members) == 1 else None

    def type_of(self, expr: Any, scope: Mapping[str, Symbol]) -> Any:
        match expr:
            case ast.NameRef():
                found = self.lookup(expr.name, scope)
                return self.index.type_of_symbol(found) if found is not None else None
            case ast.FieldAccess():
                target = self.qualified_target(expr)
                if target is not None:
                    return self.index.type_of_symbol(target)
                inner = self.type_of(expr.target, scope)
                field = self.field_of(inner, expr.field.name)
                return self.index.type_of_symbol(field) if field is not None else None
            case ast.Call():
                if isinstance(expr.callee, ast.NameRef | ast.FieldAccess):
                    return self.type_of(expr.callee, scope)
            case ast.If():
                return self.type_of(expr.then, scope)
            case ast.Coalesce():
                return self.type_of(expr.value, scope)
        return None

    def field_of(self, type_: Any, name: str) -> Symbol | None:
        if type_ and type_[0] == "sym" and type_[1] is not None and type_[1].kind == "record":
            return self._member(type_[1], name)
        return None

    def qualified_target(self, expr: ast.FieldAccess) -> Symbol | None:
        """`alias.Name` of an imported module, or `Enum.member`."""
        if not isinstance(expr.target, ast.NameRef):
            return None
        head = expr.target.name
        target = self.m.aliases.get(head)
        if target is not None and head not in self.m.top:
            other = self.index.modules.get(target)
            return other.top.get(expr.field.name) if other is not None else None
        found = self.m.top.get(head) or self.m.unqualified.get(head)
        if found is not None and found.kind in ("enum", "bands"):
            return self._member(found, expr.field.name)
        return None

    def expr(self, expr: Any, scope: dict[str, Symbol], expected: Any = None) -> None:
        self.visit(expr, scope, expected)

    @visits(ast.NameRef)
    def _expr_name_ref(self, expr: ast.NameRef, scope: dict[str, Symbol], expected: Any) -> None:
        self.ref(expr.span, self.lookup(expr.name, scope, expected))

    @visits(ast.FieldAccess)
    def _expr_field_access(
        self, expr: ast.FieldAccess, scope: dict[str, Symbol], expected: Any
    ) -> None:
        qualified = self.qualified_target(expr)
        if qualified is not None:
            head = expr.target
            if isinstance(head, ast.NameRef) and head.name in self.m.top:
                self.ref(head.span, self.m.top[head.name])
            self.ref(expr.field.span, qualified)
            return
        self.expr(expr.target, scope)
        field = self.field_of(self.type_of(expr.target, scope), expr.field.name)
        self.ref(expr.field.span, field)

    @visits(ast.Compare)
    def _expr_compare(self, expr: ast.Compare, scope: dict[str, Symbol], expected: Any) -> None:
        left, right = self.type_of(expr.left, scope), self.type_of(expr.right, scope)
        self.expr(expr.left, scope, right)
        self.expr(expr.right, scope, left)

    @visits(ast.In)
    def _expr_in(self, expr: ast.In, scope: dict[str, Symbol], expected: Any) -> None:
        collection = self.type_of(expr.collection, scope)
        element = collection[1] if collection and collection[0] == "list" else None
        item = self.type_of(expr.item, scope)
        self.expr(expr.item, scope, element)
        self.expr(expr.collection, scope, ("list", item) if item else None)

    @visits(ast.Aggregate)
    def _expr_aggregate(self, expr: ast.Aggregate, scope: dict[str, Symbol], expected: Any) -> None:
        self.expr(expr.collection, scope)
        collection = self.type_of(expr.collection, scope)
        inner = dict(scope)
        # The variable's type is the collection's element type, found when asked.
        inner[expr.var.name] = self.local(expr.var, expr, lambda: collection)
        for part in (expr.filter, expr.body):
            if part is not None:
                self.expr(part, inner)

    @visits(ast.Match)
    def _expr_match(self, expr: ast.Match, scope: dict[str, Symbol], expected: Any) -> None:
        self.expr(expr.subject, scope)
        for case in expr.cases:
            inner = dict(scope)
            for binding in case.bindings:
                # A field of the member: its type is the typer's business.
                inner[binding.name] = self.local(binding, case, None)
            self.expr(case.body, inner, expected)
        if expr.otherwise is not None:
            self.expr(expr.otherwise, scope, expected)

    @visits(ast.IsMember)
    def _expr_is_member(self, expr: ast.IsMember, scope: dict[str, Symbol], expected: Any) -> None:
        self.expr(expr.operand, scope)

    @visits(ast.RecordLit)
    def _expr_record_lit(
        self, expr: ast.RecordLit, scope: dict[str, Symbol], expected: Any
    ) -> None:
        record = expected[1] if expected and expected[0] == "sym" else None
        for item in expr.items:
            if isinstance(item, ast.RecordField):
                field = self._member(record, item.name.name) if record else None
                self.ref(item.name.span, field)
                expected_field = self.index.type_of_symbol(field) if field else None
                self.expr(item.value, scope, expected_field)
            else:
                self.expr(item.value, scope)

    @visits(ast.ListLit)
    def _expr_list_lit(self, expr: ast.ListLit, scope: dict[str, Symbol], expected: Any) -> None:
        element = expected[1] if expected and expected[0] == "list" else None
        for item in expr.items:
            self.expr(item, scope, element)

    @visits(ast.WithInputs)
    def _expr_with_inputs(
        self, expr: ast.WithInputs, scope: dict[str, Symbol], expected: Any
    ) -> None:
        self.expr(expr.target, scope)
        for binding in expr.bindings:
            target = self.lookup(binding.name.name, scope)
            self.ref(binding.name.span, target)
            expected_value = self.index.type_of_symbol(target) if target else None
            self.expr(binding.value, scope, expected_value)

    @visits(ast.Call)
    def _expr_call(self, expr: ast.Call, scope: dict[str, Symbol], expected: Any) -> None:
        self.expr(expr.callee, scope)
        for arg in expr.args:
            self.expr(arg, scope)

    @visits(ast.IntLit, ast.DecimalLit, ast.PercentLit, ast.TextLit, ast.BoolLit, ast.DateLit,
            ast.NoneLit, ast.Negate, ast.Not, ast.Arith, ast.IsNone, ast.Coalesce, ast.BoolOp,
            ast.If, ast.Compose)  # fmt: skip
    def _expr_children(self, expr: Any, scope: dict[str, Symbol], expected: Any) -> None:
        # No name of its own: the names are in its sub-expressions (an `if` passes on what
        # its branches are expected to be).
        for child in _children(expr):
            self.expr(child, scope, expected if isinstance(expr, ast.If) else None)


def _children(node: Any) -> Iterator[Any]:
    for field in attrs.fields(type(node)):
        value = getattr(node, field.name)
        if isinstance(value, tuple):
            yield from (v for v in value if attrs.has(type(v)) and not isinstance(v, Span))
        elif attrs.has(type(value)) and not isinstance(value, Span | ast.Ident):
            yield value


# ------------------------------------------------------------------------------------------
# One document analysed: problems, index, checked policy


@attrs.frozen(eq=False, slots=False)
class Analysis:
    """What the editor shows for one document: its problems, and the index of its modules
    (built when first asked for: publishing the problems of a change does not need it)."""

    file: str
    text: str
    module_name: str
    problems: tuple[Problem, ...]
    modules: Mapping[str, ast.Module] = attrs.field(repr=False)
    where: Any = attrs.field(repr=False)  # Span -> Loc
    policy: model.CheckedPolicy | None
    broken: tuple[Loc, ...]  # declarations left out for their syntax errors
    syntax_errors: bool = False

    @cached_property
    def index(self) -> Index:
        """The names declared in the document and its imports, and every reference."""
        return _index(self, self.modules)


def _index(analysis: Analysis, modules: Mapping[str, ast.Module]) -> Index:
    indexes = {
        name: ModuleIndex(
            name,
            analysis.file if name == analysis.module_name else module.span.source.name,
            analysis.text if name == analysis.module_name else module.span.source.text,
            module,
            analysis.where,
        )
        for name, module in modules.items()
    }
    return Index(indexes, analysis.policy)


class Workspace:
    """The documents an editor has open (by absolute path), over the files on disk."""

    def __init__(self) -> None:
        self.open: dict[str, str] = {}
        self._pieces = _PieceCache()
        self._files: dict[str, tuple[float, str]] = {}
        self._imported: dict[tuple[str, str], tuple[Any, ...]] = {}
        self._syntax: dict[tuple[str, str], tuple[Diagnostic, ...]] = {}

    def text_of(self, file: str) -> str | None:
        """An open document's text, else the file's text on disk (None if unreadable)."""
        if file in self.open:
            return self.open[file]
        try:
            mtime = os.stat(file).st_mtime
            cached = self._files.get(file)
            if cached is not None and cached[0] == mtime:
                return cached[1]
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        self._files[file] = (mtime, text)
        return text

    # --- the root module, piece by piece -----------------------------------------------

    def _root(
        self, file: str, text: str
    ) -> tuple[ast.Module, dict[Source, int], list[Loc], list[str], list[tuple[_Piece, str]]]:
        source = Source(file, text)
        header = None
        declarations: list[Any] = []
        bases: dict[Source, int] = {}
        broken: list[Loc] = []
        names_broken: list[str] = []
        seen: dict[str, int] = {}
        keys = set()
        faulty: list[tuple[_Piece, str]] = []  # pieces with errors, and what follows them
        cut = pieces(text)
        for at, piece in enumerate(cut):
            count = seen.get(piece.text, 0)
            seen[piece.text] = count + 1
            # Two equal pieces get distinct names, so that their sources stay apart.
            name = file if count == 0 else f"{file}#{count}"
            keys.add((name, piece.text))
            module, errors = self._pieces.parse(name, piece.text)
            if errors:
                after = cut[at + 1].text.split("\n", 1)[0] if at + 1 < len(cut) else ""
                faulty.append((piece, after))
            if module is None:
                broken.append(Loc(file, piece.start, piece.start + len(piece.text)))
                declared = _DECLARED.match(piece.text)
                if declared:
                    names_broken.append(declared.group(1))
                continue
            bases[module.span.source] = piece.start
            header = header or module.header
            declarations.extend(module.declarations)
        self._pieces.keep_only(keys)
        root = ast.Module(header, tuple(declarations), Span(source, 0, len(text)))
        bases[source] = 0
        return root, bases, broken, names_broken, faulty

    def _load_import(self, target: str, policy_root: Path) -> tuple[Any, ...]:
        """The modules `target` brings (itself and its imports), or the error loading it."""
        path = policy_root.joinpath(*target.split(".")).with_suffix(SUFFIX)
        text = self.text_of(str(path))
        if text is None:
            return (None, None)
        key = (str(path), text)
        cached = self._imported.get(key)
        if cached is not None and cached[0] is not None and self._current(cached[0]):
            return cached
        files = {}
        for open_path, open_text in self.open.items():
            open_name = self._module_name_of(open_path, policy_root)
            if open_name is not None:
                files[open_name] = open_text
        try:
            loaded = load_modules_from_text(text, str(path), root=policy_root, files=files)
            result: tuple[Any, ...] = (loaded, None)
        except PolicyError as error:
            result = (None, error)
        if len(self._imported) > 256:
            self._imported.clear()
        self._imported[key] = result
        return result

    def _current(self, loaded: LoadedModules) -> bool:
        """True when no module of `loaded` has changed (on disk or in the editor) since."""
        return all(
            self.text_of(m.span.source.name) == m.span.source.text for m in loaded.modules.values()
        )

    @staticmethod
    def _module_name_of(path: str, policy_root: Path) -> str | None:
        try:
            relative = Path(path).relative_to(policy_root)
        except ValueError:
            return None
        parts = [*relative.parent.parts, relative.stem]
        return ".".join(parts) if all(p.isidentifier() for p in parts) else None

    def analyse(self, file: str, text: str | None = None, *, lint: bool = True) -> Analysis:
        """Parse, check and index the document `file` (its open text, or `text`).

        With `lint`, the consistency warnings of `wuxin check` are included (they cost more
        than the check itself on large policies: the server computes them after the errors).
        """
        text = self.open.get(file, "") if text is None else text
        root, bases, broken, names_broken, faulty = self._root(file, text)
        path = Path(file)
        # As `wuxin check` finds the policy root; a header that does not match the file's
        # place is reported alone (every import would look missing too).
        policy_root: Path | None = None
        if os.path.isabs(file):
            module_name, found_root, misplaced = root_identity(path, root, None)
            policy_root = found_root or path.parent
        else:  # a text the editor has not saved (`untitled:`): no folder to import from
            module_name, misplaced = root.header.name.dotted if root.header else "main", None

        def where(span: Span) -> Loc:
            base = bases.get(span.source)
            if base is None:
                return Loc(span.source.name, span.start, span.end)
            return Loc(file, base + span.start, base + span.end)

        problems: list[Problem] = []
        modules: dict[str, ast.Module] = {module_name: root}
        import_errors: list[tuple[ast.ImportDecl, PolicyError]] = []
        for decl in root.declarations:
            if not isinstance(decl, ast.ImportDecl) or decl.module.dotted in modules:
                continue
            if policy_root is not None and misplaced is None:
                loaded, error = self._load_import(decl.module.dotted, policy_root)
                if loaded is not None and module_name not in loaded.modules:
                    for name, module in loaded.modules.items():
                        modules.setdefault(name, module)
                elif error is not None:
                    import_errors.append((decl, error))
        policy = None
        if faulty:
            problems.extend(self._syntax_problems(file, text, faulty))
        try:
            if misplaced is not None:
                raise PolicyCheckError(misplaced)
            loaded_all = LoadedModules(root, modules, module_name, policy_root)
            if import_errors or any(
                isinstance(d, ast.ImportDecl) and d.module.dotted not in modules
                for d in root.declarations
            ):
                # An import that cannot be loaded (or a cycle): the loader says why, reading
                # the text without the declarations that do not parse.
                readable = _without(text, broken)
                loaded_all = load_modules_from_text(readable, file, root=policy_root)
            policy = checker.check(loaded_all)
        except PolicyError as error:
            for diagnostic in error.diagnostics:
                if (
                    broken
                    and diagnostic.code in _NAME_CODES
                    and any(f"`{n}`" in diagnostic.message for n in names_broken)
                ):
                    continue
                if broken and diagnostic.code not in checker_codes():
                    continue  # syntax errors already come from the whole text
                problems.append(self._problem(diagnostic, where, file, text))
        if policy is not None:
            problems.extend(self._problem(w, where, file, text) for w in policy.warnings)
            if lint and not faulty:
                universe = self._universe(policy_root, modules)
                findings = consistency.analyse(policy, universe=universe)
                problems.extend(self._problem(d, where, file, text) for d in findings)
        unique = _unique_problems(problems)
        return Analysis(
            file, text, module_name, unique, modules, where, policy, tuple(broken), bool(faulty)
        )

    def _universe(
        self, policy_root: Path | None, modules: Mapping[str, ast.Module]
    ) -> list[ast.Module]:
        """Every module under the policy root, as `wuxin check` counts uses (the editor's
        texts standing for the files it has open): what `unused-*` is judged against."""
        if policy_root is None:
            return []
        parsed = {m.span.source.name: m for m in modules.values()}
        for path, text in self.open.items():
            if path not in parsed and path.startswith(str(policy_root)):
                try:
                    parsed[path] = parser.parse(text, path)
                except PolicyError:
                    continue
        return consistency.modules_under(policy_root, parsed)

    def _syntax_problems(
        self, file: str, text: str, faulty: list[tuple[_Piece, str]]
    ) -> list[Problem]:
        """The syntax errors of the pieces that have some, as `wuxin check` reports them:
        each piece is parsed with the first line of the next (what the parser sees after
        an unfinished declaration), and the errors inside the piece are kept."""
        found = []
        for piece, after in faulty:
            sample = piece.text + after
            key = (file, sample)
            if key not in self._syntax:
                try:
                    parser.parse(sample, file)
                    self._syntax[key] = ()
                except PolicyError as error:
                    self._syntax[key] = error.diagnostics
            end = len(piece.text)

            def where(span: Span, base: int = piece.start) -> Loc:
                return Loc(file, base + span.start, base + span.end)

            for diagnostic in self._syntax[key]:
                if diagnostic.span is not None and diagnostic.span.start > end:
                    continue  # an error of the next declaration: reported with it
                if diagnostic.code in _NAME_WARNINGS:
                    continue  # names are judged on the whole text, by the checker
                found.append(self._problem(diagnostic, where, file, text))
        if len(self._syntax) > 512:
            self._syntax.clear()
        return found

    def _problem(self, diagnostic: Diagnostic, where: Any, file: str, text: str) -> Problem:
        loc = where(diagnostic.span) if diagnostic.span is not None else None
        related = tuple((where(label.span), label.text) for label in diagnostic.labels)
        return Problem(
            diagnostic,
            loc,
            related,
            _fix(diagnostic, loc, text if loc is not None and loc.file == file else ""),
        )

    # --- the whole policy root, for references and renaming ----------------------------

    def project(self, analysis: Analysis) -> Index:
        """The analysis's modules and every other module under the policy root that parses:
        where references across files are looked for."""
        if not os.path.isabs(analysis.file):
            return analysis.index
        file = Path(analysis.file)
        policy_root = root_identity(file, analysis.modules[analysis.module_name], None)[1]
        policy_root = policy_root or file.parent
        modules = dict(analysis.modules)
        for path in sorted(policy_root.rglob("*" + SUFFIX))[:2000]:
            name = self._module_name_of(str(path), policy_root)
            if name is None or name in modules:
                continue
            text = self.text_of(str(path))
            if text is None:
                continue
            try:
                modules[name] = parser.parse(text, str(path))
            except PolicyError:
                continue
        return _index(analysis, modules)


def _without(text: str, broken: list[Loc]) -> str:
    """`text` with the given ranges blanked (line breaks kept, so offsets do not move), and
    full-width punctuation in half width."""
    chars = list(characters.screen(Source("", text)).text)
    for loc in broken:
        for at in range(loc.start, loc.end):
            if chars[at] != "\n":
                chars[at] = " "
    return "".join(chars)


_CHECK_STAGES = frozenset({"names", "modules", "check"})


def checker_codes() -> frozenset[str]:
    """The codes the loader and checker give (not the parser's)."""
    return frozenset(code for code, stage in CODES.items() if stage in _CHECK_STAGES)


def _unique_problems(problems: list[Problem]) -> tuple[Problem, ...]:
    seen = set()
    result = []
    for problem in problems:
        d = problem.diagnostic
        key = (d.code, d.message, problem.loc)
        if key not in seen:
            seen.add(key)
            result.append(problem)
    return tuple(sorted(result, key=lambda p: (p.loc is None, p.loc.start if p.loc else 0)))


def _fix(diagnostic: Diagnostic, loc: Loc | None, text: str) -> Fix | None:
    """The change a diagnostic's help describes, when it is one edit: a did-you-mean name,
    a half-width character for a full-width one, a missing or mistyped colon."""
    if loc is None or diagnostic.severity is Severity.NOTE:
        return None
    help_text = diagnostic.help or ""
    code = diagnostic.code
    if code == "full-width-character":
        found = _FIX_TEXT.search(help_text)
        if found is not None:
            return Fix(f"Replace with `{found.group(1)}`", loc, found.group(1))
        if "`;`" in help_text:
            return Fix("Remove `;`", loc, "")
    if code == "missing-colon":
        if text[loc.start : loc.end] == "=":
            return Fix("Write `:` instead of `=`", loc, ":")
        # Right after the last word before the problem: `input x int` → `input x: int`.
        at = loc.start
        while at > 0 and text[at - 1] in " \t\r\n":
            at -= 1
        return Fix("Add `:`", Loc(loc.file, at, at), ":")
    suggestion = _DID_YOU_MEAN.search(help_text)
    if suggestion is not None and loc.end > loc.start:
        return Fix(f"Change to `{suggestion.group(1)}`", loc, suggestion.group(1))
    return None


__all__ += ["DECLARATION_WORDS", "Fix", "Index", "pieces"]
