"""The checker: from parsed modules to a `model.CheckedPolicy`.

Owns the pass table (`PASSES`), name resolution, the rule graph, and the public entry points
`check`, `check_text` and `check_path`. The typing rules of expressions and the builtin
table live in `wuxin_rules.typing_rules`, the checks of schedules and bands in
`wuxin_rules.tables`; `BUILTINS` and `check_bands` are re-exported here.

The passes run in order; each reports every problem it finds, and the checker stops after
the first pass that found any, raising one `PolicyCheckError` with all of them (Catala's
delayed errors, OPA's compiler stages):

0. `check-exceptions` — the exceptions of each rule form a tree (`wuxin_rules.defaults`:
   names given once, `to` naming an exception of the rule, no circle); the rule is checked
   with them lowered into its body.
1. `resolve-names` — declarations, imports, types, record recursion, every name of every
   expression (which declaration, local, enum member or builtin it denotes).
2. `check-types` — params (constant defaults within bounds), rule bodies, inputs.
3. `check-rule-graph` — no rule depends on itself; the evaluation order of the root rules.
4. `check-tables` — schedules (stages, periods, categories, declared monotony) and bands
   (coverage of the range with neither gap nor overlap).
5. `check-translations` — each translation of a label or note (`"…" en "…"`) is in a language
   a reader can ask for, and once.
6. `check-decisions` — decision tables (checked as the rules they stand for, see
   `wuxin_rules.decisions`): the shape of their rows, cells that are constants, and the
   proofs of overlaps, gaps and rows never chosen.

`example` and `property` declarations are left to the tools that run them.

Also checks param values given at load time (`params={...}`, `--param name=value`,
`param_values`), beside the param defaults they replace.

May import `source`, `errors`, `ast`, `schema`, `values`, `model`, `parser`, `loader`,
`typing_rules`, `tables`, `decisions`, `defaults`, `wording`, `characters` and `messages`.
"""

from __future__ import annotations

import datetime
import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from wuxin_rules import ast, characters, decisions, defaults, model, parser
from wuxin_rules.errors import (
    Diagnostic,
    Label,
    ParamError,
    PolicyCheckError,
    Severity,
    WuxinError,
    suggest,
)
from wuxin_rules.loader import LoadedModules, load_modules, load_modules_from_text
from wuxin_rules.messages import english, listing
from wuxin_rules.schema import (
    BOOL,
    SUM_TAG,
    BoolType,
    DateTimeType,
    DateType,
    DurationType,
    EnumMemberInfo,
    EnumType,
    FieldInfo,
    IntType,
    ListType,
    NumberType,
    NumericBound,
    OptionalType,
    RecordType,
    SumMember,
    SumType,
    TextType,
    TimeType,
    Type,
    describe,
    strip_optional,
)
from wuxin_rules.source import Source, Span
from wuxin_rules.tables import build_bands, check_bands, check_schedule
from wuxin_rules.typing_rules import (
    BUILTIN_TYPES,
    BUILTINS,
    INVALID,
    BuiltinName,
    EnumMemberName,
    Env,
    ExprTyper,
    GlobalName,
    LocalName,
    MemberName,
    Resolution,
    Scope,
    StageName,
    Sym,
    SymbolTables,
    beyond_scale,
    describe_bound,
    describe_type,
    doc_parts,
    is_invalid,
    is_percent,
    outside_bound,
    quoted,
    rounding_mode_word,
    snippet,
)
from wuxin_rules.values import format_number, format_value
from wuxin_rules.visitor import Visitor, visits
from wuxin_rules.wording import LANGUAGES

__all__ = [
    "BUILTINS",
    "PASSES",
    "Extension",
    "check",
    "check_bands",
    "check_extended",
    "check_path",
    "check_text",
    "param_value",
    "param_values",
]


# ------------------------------------------------------------------------------------------
# Entry points


def check(loaded: LoadedModules) -> model.CheckedPolicy:
    """Check loaded modules and build the checked policy.

    Raises `PolicyCheckError` carrying every problem of the first pass that found any.
    """
    state = _State(loaded)
    # Names that look wrong are warnings: shown with the errors, kept on a checked policy.
    warnings = _name_warnings(loaded)
    for _name, run in PASSES:
        run(state)
        if state.t.diagnostics:
            state.t.diagnostics.extend(warnings)
            raise PolicyCheckError(state.sorted_diagnostics())
    return attrs.evolve(_build(state), warnings=(*warnings, *state.warnings))


def check_text(
    text: str, name: str = "<string>", *, files: Mapping[str, str] | None = None
) -> model.CheckedPolicy:
    """Parse and check a policy given as text; `files` maps module names to imported texts."""
    return check(load_modules_from_text(text, name, files=files))


def check_path(path: str | os.PathLike[str], *, root: Path | None = None) -> model.CheckedPolicy:
    """Load, parse and check the policy file at `path` and the modules it imports."""
    return check(load_modules(path, root=root))


class Extension:
    """What the checker learnt, for tools that check the declarations it leaves alone.

    `example`, `property` and `fixture` declarations are checked by `wuxin_rules.examples`
    with the checker's own name resolution and typing: `check_extended` hands it this view
    of the symbol tables once every pass has succeeded.
    """

    def __init__(self, state: _State) -> None:
        self._state = state

    @property
    def symbol_tables(self) -> SymbolTables:
        """The symbol tables; `symbol_tables.error(...)` reports a problem."""
        return self._state.t

    @property
    def loaded(self) -> LoadedModules:
        """The modules that were checked, the root first."""
        return self._state.loaded

    def scope(self, module: str) -> Scope:
        """What the module `module` sees."""
        return self._state.t.scopes[module]

    def resolve_type(self, module: str, texpr: ast.TypeExpr) -> Type:
        """The type a type expression written in `module` denotes (`INVALID` when reported)."""
        return _resolve_type(self._state.t, self.scope(module), texpr)

    def resolve_names(self, module: str, node: ast.Expr, local_names: Iterable[str]) -> None:
        """Resolve the names of an expression written in `module`, with `local_names` bound
        (as rule parameters are), before it is typed with an `ExprTyper`."""
        _NameWalker(self._state, self.scope(module), None).walk(
            node, frozenset(local_names), "value"
        )

    def reserved(self, ident: ast.Ident, what: str) -> bool:
        """Report `ident` if it is a reserved word used as a name; True when it is."""
        return _reserved(self._state.t, ident, what)


def check_extended(
    loaded: LoadedModules, extend: Callable[[model.CheckedPolicy, Extension], None]
) -> model.CheckedPolicy:
    """`check`, then `extend(policy, extension)` to check more declarations; the problems
    `extend` reports are raised with the same `PolicyCheckError`."""
    state = _State(loaded)
    warnings = _name_warnings(loaded)
    for _name, run in PASSES:
        run(state)
        if state.t.diagnostics:
            state.t.diagnostics.extend(warnings)
            raise PolicyCheckError(state.sorted_diagnostics())
    policy = attrs.evolve(_build(state), warnings=(*warnings, *state.warnings))
    extend(policy, Extension(state))
    if state.t.diagnostics:
        state.t.diagnostics.extend(warnings)
        raise PolicyCheckError(state.sorted_diagnostics())
    return policy


def _name_warnings(loaded: LoadedModules) -> list[Diagnostic]:
    """Names that look wrong (`wuxin_rules.characters`), in every loaded module."""
    return [w for m in loaded.modules.values() for w in characters.name_warnings(m.span.source)]


# ------------------------------------------------------------------------------------------
# State shared by the passes


class _State:
    """The loaded modules, the symbol tables, and what each pass builds for the next."""

    def __init__(self, loaded: LoadedModules) -> None:
        # Decision tables are checked (and evaluated) as the rules they stand for; the
        # modules as written are kept for the policy and for the table proofs.
        self.written = loaded
        self.loaded = _lowered(loaded)
        self.warnings: list[Diagnostic] = []
        self.decisions: dict[str, DecisionProof] = {}
        self.t = SymbolTables()
        self.edges: dict[str, dict[str, Span]] = {}
        self.reads: dict[str, set[str]] = {}
        self.rule_sccs: list[list[str]] = []
        self.params: dict[str, model.ParamDef] = {}
        self.rules: dict[str, model.RuleDef] = {}
        self.order: tuple[str, ...] = ()
        self.schedules: dict[str, model.ScheduleDef] = {}
        self.bands: dict[str, model.BandsDef] = {}
        self._index: dict[str, int] | None = None
        self.inputs_read: set[str] | None = None  # `_read_inputs`, once the rule graph is known
        # One resolution per declaration, shared by every name that denotes it (an `or` of
        # 100,000 comparisons names its input 100,000 times).
        self.global_names: dict[str, GlobalName] = {}
        self._typers: dict[str, ExprTyper] = {}

    def typer(self, module: str) -> ExprTyper:
        """The expression typer of a module (one per module, reused for every rule)."""
        if module not in self._typers:
            self._typers[module] = ExprTyper(self.t, self.t.scopes[module])
        return self._typers[module]

    @property
    def root(self) -> str:
        return self.loaded.root_name

    def index(self, key: str) -> int:
        """The position of a declaration across the modules (root first), for stable orders."""
        if self._index is None:
            self._index = {key: i for i, key in enumerate(self.t.syms)}
        return self._index.get(key, len(self._index))

    def syms(self, kind: str) -> Iterator[Sym]:
        return (s for s in self.t.syms.values() if s.kind == kind)

    def sorted_diagnostics(self) -> list[Diagnostic]:
        order = {m.span.source: i for i, m in enumerate(self.loaded.modules.values())}

        def key(d: Diagnostic) -> tuple[int, int]:
            if d.span is None:
                return (len(order), 0)
            return (order.get(d.span.source, len(order)), d.span.start)

        return sorted(self.t.diagnostics, key=key)


_RESERVED_HELP = {
    "field": "reserved-name.field.help",
    "type": "reserved-name.type.help",
    "value": "reserved-name.value.help",
}
"""Why a word cannot be a name (`parser.refused_name`) → the help that says so."""


def _reserved(t: SymbolTables, ident: ast.Ident, what: str, role: str = "name") -> bool:
    """Report, at its declaration, a name that a keyword makes impossible; True when it is.

    Most keywords are contextual (names wherever the grammar does not expect them): only the
    words `parser.refused_name` gives for the `role` are reported."""
    why = parser.refused_name(ident.name, role)
    if why is None:
        return False
    t.error(
        "reserved-name",
        english("reserved-and-cannot-name", name=ident.name, what=what),
        ident.span,
        help=english(_RESERVED_HELP[why], name=ident.name, fix=f"{ident.name}_"),
    )
    return True


def _strongly_connected(
    nodes: Sequence[str], edges: Mapping[str, Iterable[str]]
) -> list[list[str]]:
    """Tarjan's strongly connected components, each listed after those it depends on.

    Iterative, so that a long chain of declarations cannot exhaust Python's stack.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[str, Iterator[str]]] = [(root, iter(edges.get(root, ())))]
        while work:
            node, pending = work[-1]
            descended = False
            for target in pending:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(edges.get(target, ()))))
                    descended = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if descended:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result


def _cycle_path(start: str, members: set[str], edges: Callable[[str], Iterable[str]]) -> list[str]:
    """A shortest path from `start` back to itself through `members` (which must hold one)."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in edges(node):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if target in members and target not in previous:
                previous[target] = node
                queue.append(target)
    return [start, start]


# ------------------------------------------------------------------------------------------
# Pass 1: resolve names


_DECLARATION_KINDS: Mapping[type, str] = {
    ast.EnumDecl: "enum",
    ast.RecordDecl: "record",
    ast.InputDecl: "input",
    ast.ParamDecl: "param",
    ast.RuleDecl: "rule",
    ast.ScheduleDecl: "schedule",
    ast.BandsDecl: "bands",
}

_KIND_WORDS = {
    "enum": english("an enum"),
    "record": english("a record type"),
    "input": english("an input"),
    "param": english("a param"),
    "rule": english("a rule"),
    "schedule": english("a schedule"),
    "bands": english("a set of bands"),
    "module": english("a module"),
}

_TYPE_KINDS = ("enum", "record", "bands")


def resolve_names(state: _State) -> None:
    """Declarations, imports, types and the names of every expression (pass 1)."""
    _declare(state)
    _bind_imports(state)
    _build_enums(state)
    _build_records(state)
    _resolve_signatures(state)
    _resolve_expressions(state)


def _declare(state: _State) -> None:
    t = state.t
    for module_name, module in state.loaded.modules.items():
        prefix = "" if module_name == state.root else module_name + "."
        scope = Scope(module_name, module, prefix)
        t.scopes[module_name] = scope
        for decl in module.declarations:
            kind = _DECLARATION_KINDS.get(type(decl))
            if kind is None:
                continue
            ident: ast.Ident = decl.name  # type: ignore[union-attr]
            what = (
                english("a criterion")
                if getattr(decl, "kind", "") == "criterion"
                else _KIND_WORDS[kind]
            )
            if (
                not _reserved(t, ident, what, "type" if kind in _TYPE_KINDS else "name")
                and kind in _TYPE_KINDS
                and ident.name in BUILTIN_TYPES
            ):
                t.error(
                    "reserved-name",
                    english("builtin-type-cannot-name", name=ident.name, what=what),
                    ident.span,
                    help=english("choose-another-name", name=f"{ident.name.capitalize()}Kind"),
                )
            first = scope.own.get(ident.name)
            if first is not None:
                t.duplicate("", ident, first.span)
                continue
            sym = Sym(kind, ident.name, module_name, prefix + ident.name, decl, ident.span)
            scope.own[ident.name] = sym
            scope.names[ident.name] = sym
            scope.spans[ident.name] = ident.span
            t.syms[sym.key] = sym


def _bind(t: SymbolTables, scope: Scope, ident: ast.Ident, sym: Sym) -> None:
    existing = scope.names.get(ident.name)
    if existing is None:
        scope.names[ident.name] = sym
        scope.spans[ident.name] = ident.span
        return
    if existing is sym or (existing.kind == sym.kind == "module" and existing.key == sym.key):
        return
    t.error(
        "duplicate-name",
        english("already-defined", name=ident.name),
        ident.span,
        labels=[Label(scope.spans[ident.name], english("first-defined-here"))],
        help=english("import-as.help"),
    )


def _bind_imports(state: _State) -> None:
    t = state.t
    for scope in t.scopes.values():
        for decl in scope.module.declarations:
            if not isinstance(decl, ast.ImportDecl):
                continue
            target = t.scopes.get(decl.module.dotted)
            if target is None:  # the loader has reported it
                continue
            alias = decl.alias or decl.module.parts[-1]
            if decl.alias is not None:
                _reserved(t, decl.alias, english("a module"))
            _bind(
                t,
                scope,
                alias,
                Sym("module", alias.name, scope.name, target.name, decl, alias.span),
            )
            scope.aliases.setdefault(target.name, alias.name)
            for ident in decl.names:
                sym = target.own.get(ident.name)
                if sym is None:
                    t.error(
                        "unknown-name",
                        english("module-has-no", module=target.name, name=ident.name),
                        ident.span,
                        help=suggest(ident.name, target.own)
                        or (
                            english("module-declares.help", names=quoted(target.own))
                            if target.own
                            else english("module-declares-nothing.help")
                        ),
                    )
                    continue
                _bind(t, scope, ident, sym)


def _build_enums(state: _State) -> None:
    t = state.t
    for sym in t.syms.values():
        if sym.kind == "enum":
            decl: Any = sym.node
            entries = [(m.name, m.label) for m in decl.members]
            what = "member"
        elif sym.kind == "bands":
            decl = sym.node
            # A declared hole (`80 ..< 90 none`) is no grade: not a member of the enum.
            entries = [(b.name, b.label) for b in decl.bands if b.name.name != model.HOLE]
            what = "band"
        else:
            continue
        first: dict[str, Span] = {}
        members = []
        for ident, label in entries:
            _reserved(t, ident, english("an enum member" if what == "member" else "a band"))
            if ident.name in first:
                t.duplicate(english(what), ident, first[ident.name])
                continue
            first[ident.name] = ident.span
            members.append(EnumMemberInfo(ident.name, label.value if label else None))
        label = decl.doc.label.value if decl.doc.label else None
        enum = EnumType(sym.name, sym.key, tuple(members), label, decl.span)
        t.enum_types[sym.key] = enum
        for member in enum.members:
            t.members.setdefault(member.name, []).append(enum)
    for sym in t.syms.values():
        if sym.kind == "schedule":
            _build_stage_enum(t, sym)
    for scope in t.scopes.values():
        for sym in scope.names.values():
            if sym.kind in ("enum", "bands", "schedule"):
                enum = t.stage_enums[sym.key] if sym.kind == "schedule" else t.enum_types[sym.key]
                for member in enum.members:
                    seen = scope.members.setdefault(member.name, [])
                    if enum not in seen:
                        seen.append(enum)


def _build_stage_enum(t: SymbolTables, sym: Sym) -> None:
    """The enum of a schedule's stages, `target.stage` (a stage named twice is reported by
    `check-tables`; here it counts once)."""
    decl: ast.ScheduleDecl = sym.node
    members: dict[str, EnumMemberInfo] = {}
    for stage in decl.stages:
        label = stage.doc.label.value if stage.doc.label else None
        members.setdefault(stage.name.name, EnumMemberInfo(stage.name.name, label))
    label = decl.doc.label.value if decl.doc.label else None
    enum = EnumType(
        f"{sym.name}.stage", f"{sym.key}.stage", tuple(members.values()), label, decl.span
    )
    t.stage_enums[sym.key] = enum
    t.stage_owners[enum.qualified] = sym
    t.enum_types[enum.qualified] = enum
    for member in enum.members:
        t.members.setdefault(member.name, []).append(enum)


def _stage_enum(t: SymbolTables, scope: Scope, name: ast.QualifiedName) -> EnumType | None:
    """The stage enum a type name denotes (`target.stage`, `m.target.stage`), or None."""
    parts = [part.name for part in name.parts]
    if len(parts) < 2 or parts[-1] != "stage":
        return None
    sym = scope.names.get(parts[0])
    if len(parts) == 3 and sym is not None and sym.kind == "module":
        sym = t.scopes[sym.key].own.get(parts[1])
    elif len(parts) != 2:
        return None
    if sym is None or sym.kind != "schedule":
        return None
    return t.stage_enums.get(sym.key)


def _type_refs(texpr: ast.TypeExpr) -> Iterator[ast.TypeRef]:
    while not isinstance(texpr, ast.TypeRef):
        texpr = texpr.element if isinstance(texpr, ast.ListTypeExpr) else texpr.inner
    yield texpr


def _lookup_type(
    t: SymbolTables, scope: Scope, name: ast.QualifiedName, report: bool
) -> Sym | None:
    """The declaration a type name denotes (an enum, record or bands), or None."""
    parts = name.parts
    sym: Sym | None = None
    if len(parts) == 1:
        sym = scope.names.get(parts[0].name)
    elif len(parts) == 2:
        head = scope.names.get(parts[0].name)
        if head is not None and head.kind == "module":
            sym = t.scopes[head.key].own.get(parts[1].name)
    if sym is not None and sym.kind in _TYPE_KINDS:
        return sym
    if not report:
        return None
    if sym is not None:
        t.error(
            "not-a-type",
            english("is-not-a-type", name=name.dotted, what=_KIND_WORDS[sym.kind]),
            name.span,
            help=english("type-is"),
        )
        return None
    visible = [*BUILTIN_TYPES, *(n for n, s in scope.names.items() if s.kind in _TYPE_KINDS)]
    for alias, module_sym in scope.names.items():
        if module_sym.kind == "module":
            own = t.scopes[module_sym.key].own
            visible.extend(f"{alias}.{n}" for n, s in own.items() if s.kind in _TYPE_KINDS)
    t.error(
        "unknown-type",
        english("unknown-type", name=name.dotted),
        name.span,
        help=suggest(name.dotted, visible) or english("declare-type.help"),
    )
    return None


def _resolve_type(t: SymbolTables, scope: Scope, texpr: ast.TypeExpr) -> Type:
    """The type a type expression denotes (`INVALID`, reported, when it denotes none)."""
    depth, inner = 0, texpr
    while not isinstance(inner, ast.TypeRef):
        depth += 1
        inner = inner.element if isinstance(inner, ast.ListTypeExpr) else inner.inner
    if depth > parser.MAX_NESTING:
        # Every later stage walks types recursively: keep them as shallow as expressions.
        t.error(
            "too-deep",
            english("type-too-deep", limit=parser.MAX_NESTING),
            Span(texpr.span.source, texpr.span.start, texpr.span.start + 1),
            help=english("declare-inner-record"),
        )
        return INVALID
    return _resolve_type_within(t, scope, texpr)


def _resolve_type_within(t: SymbolTables, scope: Scope, texpr: ast.TypeExpr) -> Type:
    if isinstance(texpr, ast.ListTypeExpr):
        return ListType(_resolve_type_within(t, scope, texpr.element))
    if isinstance(texpr, ast.OptionalTypeExpr):
        return OptionalType(_resolve_type_within(t, scope, texpr.inner))
    parts = texpr.name.parts
    base: Type
    stage = _stage_enum(t, scope, texpr.name)
    if len(parts) == 1 and parts[0].name in BUILTIN_TYPES:
        base = BUILTIN_TYPES[parts[0].name]
    elif stage is not None:
        base = stage
    else:
        sym = _lookup_type(t, scope, texpr.name, report=True)
        if sym is None:
            return INVALID
        if sym.kind == "record":
            # A record not built yet is one of a recursive cycle, reported on its own.
            base = t.record_types.get(sym.key, INVALID)
        elif _carries_data(sym):
            base = t.sum_types.get(sym.key, INVALID)
        else:
            base = t.enum_types[sym.key]
    if texpr.bound is None or is_invalid(base):
        return base
    return _bounded(t, base, texpr.bound)


def _bounded(t: SymbolTables, base: Type, bound: ast.Bound) -> Type:
    if not isinstance(base, IntType | NumberType):
        t.error(
            "bad-bound",
            english("no-numeric-bound", type=describe_type(base)),
            bound.span,
            help=english("bounds-apply"),
        )
        return base
    numeric = NumericBound(bound.low, bound.low_inclusive, bound.high, bound.high_inclusive)
    if bound.low is not None and bound.high is not None:
        closed = bound.low_inclusive and bound.high_inclusive
        if bound.low > bound.high or (bound.low == bound.high and not closed):
            t.error(
                "bad-bound",
                english("bound-admits-none", bound=snippet(bound.span)),
                bound.span,
                help=english("smaller-first"),
            )
    if isinstance(base, IntType):
        return IntType(numeric)
    return NumberType(base.kind, numeric, scale=base.scale)


def _carries_data(sym: Sym) -> bool:
    """Whether `sym` is an enum some of whose members carry fields (a sum type)."""
    return sym.kind == "enum" and any(m.fields for m in sym.node.members)


def _declared_fields(sym: Sym) -> list[ast.FieldDecl]:
    """The fields of a record, or of every member of an enum that carries data."""
    if sym.kind == "record":
        return list(sym.node.fields)
    return [field for member in sym.node.members for field in member.fields]


def _build_records(state: _State) -> None:
    t = state.t
    # Records and enums that carry data, built in the order their fields need them.
    records = [s for s in t.syms.values() if s.kind == "record" or _carries_data(s)]
    refs: dict[str, list[tuple[str, ast.FieldDecl]]] = {}
    for sym in records:
        scope = t.scopes[sym.module]
        found = refs.setdefault(sym.key, [])
        for field in _declared_fields(sym):
            for ref in _type_refs(field.type):
                target = _lookup_type(t, scope, ref.name, report=False)
                if target is not None and (target.kind == "record" or _carries_data(target)):
                    found.append((target.key, field))
    graph = {key: [target for target, _ in found] for key, found in refs.items()}
    for component in _strongly_connected([s.key for s in records], graph):
        component.sort(key=state.index)
        if len(component) > 1 or component[0] in graph[component[0]]:
            _report_recursive_record(state, component, refs)
        for key in component:
            _build_record(t, t.syms[key])


def _report_recursive_record(
    state: _State, component: list[str], refs: dict[str, list[tuple[str, ast.FieldDecl]]]
) -> None:
    t = state.t
    members = set(component)
    path = _cycle_path(component[0], members, lambda key: (target for target, _ in refs[key]))
    labels = []
    for source, target in itertools.pairwise(path):
        field = next(f for tk, f in refs[source] if tk == target)
        labels.append(
            Label(
                field.span,
                english(
                    "contains",
                    field=f"{t.syms[source].name}.{field.name.name}",
                    record=t.syms[target].name,
                ),
            )
        )
    chain = " → ".join(f"`{t.syms[k].name}`" for k in path)
    first = t.syms[component[0]]
    t.error(
        "recursive-record",
        english("recursive-record", chain=chain),
        first.span,
        labels=labels,
        help=english("recursive-record.help"),
    )


def _build_sum(t: SymbolTables, sym: Sym) -> None:
    """The type of an enum whose members carry fields; its plain enum of member names
    (`tags`) is the one `_build_enums` made."""
    decl: ast.EnumDecl = sym.node
    scope = t.scopes[sym.module]
    members = []
    seen: set[str] = set()
    for member in decl.members:
        if member.name.name in seen:
            continue  # reported by `_build_enums`
        seen.add(member.name.name)
        first: dict[str, Span] = {}
        fields = []
        for field in member.fields:
            _reserved(t, field.name, english("a record field"), "field")
            if field.name.name == SUM_TAG:
                t.error(
                    "reserved-name",
                    english("sum.tag-field", name=SUM_TAG),
                    field.name.span,
                    help=english("sum.tag-field.help", name=SUM_TAG),
                )
                continue
            if field.name.name in first:
                t.duplicate(english("field"), field.name, first[field.name.name])
                continue
            first[field.name.name] = field.name.span
            label, cites, _ = doc_parts(field.doc)
            type_ = _resolve_type(t, scope, field.type)
            fields.append(FieldInfo(field.name.name, type_, label, cites, field.span))
        label = member.label.value if member.label else None
        members.append(SumMember(member.name.name, label, tuple(fields)))
    label = decl.doc.label.value if decl.doc.label else None
    tags = t.enum_types[sym.key]
    t.sum_types[sym.key] = SumType(sym.name, sym.key, tags, tuple(members), label, decl.span)


def _build_record(t: SymbolTables, sym: Sym) -> None:
    if sym.kind == "enum":
        _build_sum(t, sym)
        return
    decl: ast.RecordDecl = sym.node
    scope = t.scopes[sym.module]
    first: dict[str, Span] = {}
    fields = []
    for field in decl.fields:
        _reserved(t, field.name, english("a record field"), "field")
        if field.name.name in first:
            t.duplicate(english("field"), field.name, first[field.name.name])
            continue
        first[field.name.name] = field.name.span
        label, cites, _ = doc_parts(field.doc)
        type_ = _resolve_type(t, scope, field.type)
        fields.append(
            FieldInfo(field.name.name, type_, label, cites, field.span, fixed=field.fixed)
        )
    label = decl.doc.label.value if decl.doc.label else None
    t.record_types[sym.key] = RecordType(sym.name, sym.key, tuple(fields), label, decl.span)


def _resolve_signatures(state: _State) -> None:
    t = state.t
    for sym in t.syms.values():
        scope = t.scopes[sym.module]
        decl: Any = sym.node
        if sym.kind == "input":
            t.input_types[sym.key] = _resolve_type(t, scope, decl.type)
        elif sym.kind == "param":
            t.param_types[sym.key] = _resolve_type(t, scope, decl.type)
        elif sym.kind == "rule":
            t.rule_params[sym.key] = _rule_params(t, scope, decl)
            if decl.returns is not None:
                t.rule_returns[sym.key] = _resolve_type(t, scope, decl.returns)
        elif sym.kind == "schedule":
            value_type = _resolve_type(t, scope, decl.value_type)
            category = None
            if decl.category is not None:
                resolved = _resolve_type(t, scope, decl.category)
                if isinstance(resolved, EnumType):
                    category = resolved
                elif not is_invalid(resolved):
                    t.error(
                        "bad-category",
                        english("categories-enum", type=describe_type(resolved)),
                        decl.category.span,
                        help=english(
                            "categories-enum.help", fix=f"… by {decl.period.name}, ThatEnum"
                        ),
                    )
            t.schedules[sym.key] = (value_type, category)


def _rule_params(
    t: SymbolTables, scope: Scope, decl: ast.RuleDecl
) -> tuple[tuple[str, Type], ...] | None:
    if decl.params is None:
        return None
    first: dict[str, Span] = {}
    params = []
    for param in decl.params:
        _reserved(t, param.name, english("a parameter"))
        if param.name.name in first:
            t.duplicate(english("parameter"), param.name, first[param.name.name])
            continue
        first[param.name.name] = param.name.span
        params.append((param.name.name, _resolve_type(t, scope, param.type)))
    return tuple(params)


def _resolve_expressions(state: _State) -> None:
    t = state.t
    walkers: dict[str, _NameWalker] = {}  # one per module, its owner set for each rule
    for sym in t.syms.values():
        scope = t.scopes[sym.module]
        decl: Any = sym.node
        if sym.kind == "rule":
            state.edges.setdefault(sym.key, {})
            state.reads.setdefault(sym.key, set())
            walker = walkers.get(sym.module)
            if walker is None:
                walker = walkers[sym.module] = _NameWalker(state, scope, None)
            walker.owner = sym.key
            names = frozenset(p.name.name for p in decl.params) if decl.params else _NO_NAMES
            walker.walk(decl.body, names, "value")
        elif sym.kind == "param":
            _NameWalker(state, scope, None).walk(decl.default, frozenset(), "value")
        elif sym.kind == "bands":
            walker = _NameWalker(state, scope, None)
            ranges = [decl.over, *(band.range for band in decl.bands)]
            for bound in (b for r in ranges for b in (r.low, r.high)):
                if isinstance(bound, ast.NameRef):
                    walker.band_bound(bound)
    rules = [s.key for s in t.syms.values() if s.kind == "rule"]
    state.rule_sccs = _strongly_connected(rules, state.edges)


_NO_NAMES: frozenset[str] = frozenset()
"""The local names of a rule without parameters (most rules)."""

_FAILED: Any = object()
"""What `_NameWalker.walk` returns for a name it reported as wrong."""

_CALL_HELP = english("not-callable.help")


class _NameWalker(Visitor[Any]):
    """Resolves the names of one expression tree, recording each in `SymbolTables.res`.

    Also records, for the rule graph, which rules the owning rule refers to and where.
    """

    node_kinds = ast.EXPRESSIONS

    def __init__(self, state: _State, scope: Scope, owner: str | None) -> None:
        self.state = state
        self.t = state.t
        self.scope = scope
        self.owner = owner

    def walk(self, node: ast.Expr, names: frozenset[str], position: str) -> Any:
        """Resolve the names under `node`; `position` is `value`, `call` or `target`.

        Returns the resolution of a name or static field access, None for any other value,
        and `_FAILED` when an error was reported.
        """
        return self.visit(node, names, position)

    @visits(ast.Call)
    def _call(self, node: ast.Call, names: frozenset[str], position: str) -> None:
        callee = node.callee
        if isinstance(callee, ast.NameRef | ast.FieldAccess):
            self.walk(callee, names, "call")
        else:
            self.walk(callee, names, "value")
            self._not_callable(callee.span)
        for arg in node.args:
            if rounding_mode_word(self.t.res.get(id(callee)), node, arg):
                continue  # `half_even` in `round(x, 2, half_even)`: a word, not a name
            self.walk(arg, names, "value")

    @visits(ast.Aggregate)
    def _aggregate(self, node: ast.Aggregate, names: frozenset[str], position: str) -> None:
        self.walk(node.collection, names, "value")
        _reserved(self.t, node.var, english("a variable"))
        inner = names | {node.var.name}
        if node.filter is not None:
            self.walk(node.filter, inner, "value")
        if node.body is not None:
            self.walk(node.body, inner, "value")

    @visits(ast.Match)
    def _match(self, node: ast.Match, names: frozenset[str], position: str) -> None:
        # The members are resolved by the typer, against the subject's type.
        self.walk(node.subject, names, "value")
        for case in node.cases:
            for binding in case.bindings:
                _reserved(self.t, binding, english("a variable"))
            self.walk(case.body, names | {b.name for b in case.bindings}, "value")
        if node.otherwise is not None:
            self.walk(node.otherwise, names, "value")

    @visits(ast.IsMember)
    def _is_member(self, node: ast.IsMember, names: frozenset[str], position: str) -> None:
        self.walk(node.operand, names, "value")

    @visits(ast.IntLit, ast.DecimalLit, ast.PercentLit, ast.TextLit, ast.BoolLit, ast.DateLit,
            ast.NoneLit, ast.Negate, ast.Not, ast.Arith, ast.Compare, ast.In, ast.IsNone,
            ast.Coalesce, ast.BoolOp, ast.If, ast.Compose, ast.ListLit, ast.RecordLit,
            ast.WithInputs)  # fmt: skip
    def _sub_expressions(self, node: ast.Expr, names: frozenset[str], position: str) -> None:
        # Names no declaration itself: the names are in its sub-expressions, all values. A
        # leaf is most of a large body (each operand of a 100,000-term `or` is a name and a
        # number): a name goes straight to its handler, a literal has nothing to resolve.
        for child in _children(node):
            if type(child) is ast.NameRef:
                self._name(child, names, "value")
            elif type(child) not in _LITERALS:
                self.visit(child, names, "value")

    def band_bound(self, node: ast.NameRef) -> None:
        """Resolve a band bound written as a name: it must be a param."""
        res = self.resolve(node.name, frozenset(), False, node.span)
        if res is None:
            return
        if isinstance(res, GlobalName) and res.sym.kind == "param":
            self.t.res[id(node)] = res
            return
        what = (
            _KIND_WORDS.get(res.sym.kind, "")
            if isinstance(res, GlobalName)
            else english("an enum member")
        )
        self.t.error(
            "bad-band-bound",
            english("is-not-a-param", name=node.name, what=what),
            node.span,
            help=english("band-bound.help"),
        )

    def resolve(
        self, name: str, names: frozenset[str], call: bool, span: Span
    ) -> Resolution | None:
        """What a bare name denotes (internals.md, "Names and modules"); None when reported."""
        if name == defaults.FAIL:
            return BuiltinName("fail")
        if name in names:
            return LocalName(name)
        sym = self.scope.names.get(name)
        if sym is not None:
            return self._global(sym)
        if name in self.t.members:
            return MemberName(name)
        builtin = BUILTINS.get(name)
        if builtin is not None and call and not builtin.component:
            return BuiltinName(name)
        callables = [n for n, b in BUILTINS.items() if not b.component]
        candidates = [*names, *self.scope.names, *self.scope.members, *(callables if call else ())]
        hint = suggest(name, candidates)
        renamed = [
            (module, alias)
            for module, alias in self.scope.aliases.items()
            if module.rsplit(".", 1)[-1] == name and alias != name
        ]
        if renamed:
            hint = english(
                "checker.module-imported-as-write.help",
                renamed=renamed[0][0],
                renamed2=renamed[0][1],
            )
        if builtin is not None and builtin.component:
            hint = english("checker.date-d-written-d.help", name=name)
        elif builtin is not None:
            hint = english(
                "checker.builtin-function-call-as.help",
                name=name,
                split=builtin.signature.split(" -> ")[0],
            )
        if hint is None:
            hint = english("nothing-called", name=name, fix=f"import module ({name})")
        self.t.error("unknown-name", english("unknown-name", name=name), span, help=hint)
        return None

    def _global(self, sym: Sym) -> GlobalName:
        """The resolution of a declaration, one per declaration (names compare by it)."""
        found = self.state.global_names.get(sym.key)
        if found is None or found.sym is not sym:
            found = self.state.global_names[sym.key] = GlobalName(sym)
        return found

    def _record(self, node: ast.Expr, res: Resolution) -> None:
        self.t.res[id(node)] = res
        if self.owner is not None and isinstance(res, GlobalName):
            if res.sym.kind == "rule":
                self.state.edges[self.owner].setdefault(res.sym.key, node.span)
            elif res.sym.kind == "input":
                self.state.reads[self.owner].add(res.sym.key)

    @visits(ast.NameRef)
    def _name(self, node: ast.NameRef, names: frozenset[str], position: str) -> Any:
        name = node.name
        if position == "value" and name not in names and name != defaults.FAIL:
            # Most names of a large body are an input, a param or a rule used as a value:
            # what `resolve` and `_fits` would find, without their other cases.
            sym = self.scope.names.get(name)
            if sym is not None and (
                sym.kind in _VALUE_KINDS or (sym.kind == "rule" and sym.node.params is None)
            ):
                found = self._global(sym)
                self._record(node, found)
                return found
        res = self.resolve(name, names, position == "call", node.span)
        if res is None or not self._fits(res, node, position):
            return _FAILED
        self._record(node, res)
        return res

    @visits(ast.FieldAccess)
    def _field(self, node: ast.FieldAccess, names: frozenset[str], position: str) -> Any:
        target = node.target
        if isinstance(target, ast.NameRef | ast.FieldAccess):
            base = self.walk(target, names, "target")
        else:
            base = self.walk(target, names, "value")
        if base is _FAILED:
            return _FAILED
        field = node.field.name
        res: Resolution
        if isinstance(base, GlobalName) and base.sym.kind == "module":
            module = self.t.scopes[base.sym.key]
            sym = module.own.get(field)
            if sym is None:
                self.t.error(
                    "unknown-name",
                    english("module-has-no", module=module.name, name=field),
                    node.field.span,
                    help=suggest(field, module.own)
                    or (
                        english("module-declares.help", names=quoted(module.own))
                        if module.own
                        else english("module-declares-nothing.help")
                    ),
                )
                return _FAILED
            res = GlobalName(sym)
        elif isinstance(base, GlobalName) and base.sym.kind in ("enum", "bands"):
            enum = self.t.enum_types[base.sym.key]
            if enum.member(field) is None:
                members = [m.name for m in enum.members]
                self.t.error(
                    "unknown-member",
                    english("unknown-member", member=field, enum=snippet(target.span)),
                    node.field.span,
                    help=suggest(field, members) or english("members-are", members=quoted(members)),
                )
                return _FAILED
            res = EnumMemberName(enum, field)
        elif isinstance(base, GlobalName) and base.sym.kind == "schedule":
            if field != "stage":
                name = snippet(target.span)
                self.t.error(
                    "unknown-name",
                    english("schedule-has-no", name=name, field=field),
                    node.field.span,
                    help=english("schedule-lookup.help", name=name),
                )
                return _FAILED
            res = StageName(base.sym)
        elif isinstance(base, StageName):
            enum = self.t.stage_enums[base.sym.key]
            if enum.member(field) is None:
                members = [m.name for m in enum.members]
                self.t.error(
                    "unknown-member",
                    english("unknown-stage", stage=field, schedule=snippet(target.span)),
                    node.field.span,
                    help=suggest(field, members)
                    or (
                        english("stages-are.help", names=quoted(members))
                        if members
                        else english("no-stages.help")
                    ),
                )
                return _FAILED
            res = EnumMemberName(enum, field)
        else:
            if position == "call":
                self._not_callable(node.span)
                return _FAILED
            return None
        if not self._fits(res, node, position):
            return _FAILED
        self._record(node, res)
        return res

    def _not_callable(self, span: Span) -> None:
        self.t.error(
            "not-callable", english("not-a-function", name=snippet(span)), span, help=_CALL_HELP
        )

    def _fits(self, res: Resolution, node: ast.Expr, position: str) -> bool:
        """Check that what a name denotes may stand where it is written; report if not."""
        # The name as written is for the messages only: most names fit, and an `or` of
        # 100,000 comparisons has 100,000 of them.
        if isinstance(res, StageName):
            if position == "value":
                name = snippet(node.span)
                self.t.error(
                    "not-a-value",
                    english("function-not-value", name=name),
                    node.span,
                    help=english("ask-stage", name=name),
                )
                return False
            return True
        if not isinstance(res, GlobalName):
            if position == "call" and not isinstance(res, BuiltinName):
                self._not_callable(node.span)
                return False
            return True
        sym = res.sym
        decl: Any = sym.node
        if position == "call":
            if sym.kind == "rule" and decl.params is None:
                name = snippet(node.span)
                self.t.error(
                    "not-callable",
                    english("takes-no-arguments", name=name),
                    node.span,
                    help=english("without-parens", name=name),
                )
                return False
            if sym.kind in ("rule", "schedule", "bands"):
                return True
            self._not_callable(node.span)
            return False
        if sym.kind in ("input", "param") or (sym.kind == "rule" and decl.params is None):
            return True
        if position == "target" and sym.kind in ("module", "enum", "bands", "schedule"):
            return True
        name = snippet(node.span)
        if sym.kind == "rule":
            shown = ", ".join(p.name.name for p in decl.params)
            message = english("needs-arguments", name=name)
            help = english("call-it", fix=f"{name}({shown})")
        elif sym.kind == "schedule":
            message = english("checker.schedule-not-value.help", name=name)
            category = ", category" if decl.category is not None else ""
            help = english(
                "checker.look-value-up.help", name=name, name2=decl.period.name, category=category
            )
        elif sym.kind == "bands":
            message = english("checker.set-bands-not-value.help", name=name)
            help = english("checker.find-band-number-value.help", name=name)
        elif sym.kind == "enum":
            message = english("type-not-value", name=name)
            example = decl.members[0].name.name if decl.members else "member"
            help = english("name-a-member", fix=f"{name}.{example}")
        elif sym.kind == "record":
            message = english("type-not-value", name=name)
            help = english("checker.read-fields-value-this.help")
        else:
            message = english("checker.module-not-value.help", name=name)
            help = english("checker.name-one-declarations.help", name=name)
        self.t.error("not-a-value", message, node.span, help=help)
        return False


_VALUE_KINDS = frozenset(("input", "param"))
"""The kinds of declaration a bare name always stands for as a value (a rule does when it
takes no parameters)."""

_LITERALS = frozenset((
    ast.IntLit, ast.DecimalLit, ast.PercentLit, ast.TextLit, ast.BoolLit, ast.DateLit, ast.NoneLit,
))  # fmt: skip
"""The leaves `_NameWalker._sub_expressions` handles: no name under them."""


def _children(node: ast.Expr) -> tuple[ast.Expr, ...]:
    """The sub-expressions of the nodes `_NameWalker._sub_expressions` handles (none for a
    literal)."""
    match node:
        case ast.Negate(operand=operand) | ast.Not(operand=operand) | ast.IsNone(operand=operand):
            return (operand,)
        case ast.Arith(left=left, right=right) | ast.Compare(left=left, right=right):
            return (left, right)
        case ast.In(item=item, collection=collection):
            return (item, collection)
        case ast.Coalesce(value=value, fallback=fallback):
            return (value, fallback)
        case ast.BoolOp(operands=operands) | ast.ListLit(items=operands):
            return operands
        case ast.If(condition=condition, then=then, otherwise=otherwise):
            return (condition, then, otherwise)
        case ast.Compose(items=items, count=count):
            return (*items, count) if count is not None else items
        case ast.RecordLit(items=items):
            return tuple(item.value for item in items)
        case ast.WithInputs(target=target, bindings=bindings):
            return (target, *(binding.value for binding in bindings))
    return ()


# ------------------------------------------------------------------------------------------
# Pass 2: check types


def check_types(state: _State) -> None:
    """Params, rule bodies (in dependency order) and inputs (pass 2)."""
    for sym in state.syms("param"):
        state.params[sym.key] = _check_param(state, sym)
    for component in state.rule_sccs:
        # (Most components are one rule: nothing to order.)
        ordered = component if len(component) == 1 else sorted(component, key=state.index)
        for key in ordered:
            state.rules[key] = _check_rule(state, state.t.syms[key])
    _check_inputs(state)


_NOT_CONSTANT: Any = object()


def _constant(value: model.CExpr) -> Any:
    if isinstance(value, model.Const):
        return value.value
    if isinstance(value, model.MakeList):
        items = [_constant(item) for item in value.items]
        return _NOT_CONSTANT if any(i is _NOT_CONSTANT for i in items) else tuple(items)
    if (
        isinstance(value, model.BuiltinCall)
        and isinstance(value.type, DurationType)
        and len(value.args) == 1
        and isinstance(value.args[0], model.Const)
        and type(value.args[0].value) is int
    ):
        # `days(3)`, `months(1)`: a duration is written with its unit (it has no literal).
        return BUILTINS[value.name].value(value, [value.args[0].value])
    return _NOT_CONSTANT


def _check_param(state: _State, sym: Sym) -> model.ParamDef:
    t = state.t
    decl: ast.ParamDecl = sym.node
    declared = t.param_types[sym.key]
    typer = state.typer(sym.module)
    value = typer.expr(decl.default, declared, Env())
    fits = typer.accept(
        value,
        declared,
        notes=[english("param-is-type", name=sym.name, type=describe_type(declared))],
    )
    default = _constant(value)
    if default is _NOT_CONSTANT:
        default = None
        if not is_invalid(value.type):
            t.error(
                "param-not-constant",
                english("param-not-constant", name=sym.name),
                decl.default.span,
                help=english("write-a-literal"),
            )
    elif fits:
        outside = outside_bound(default, declared)
        if outside is not None:
            number, bound, inner = outside
            percent = is_percent(inner)
            t.error(
                "out-of-bounds",
                english(
                    "outside-param-bound",
                    value=format_number(number, percent=percent),
                    bound=describe_bound(bound, percent),
                    name=sym.name,
                ),
                decl.default.span,
                help=english("change-default"),
            )
    label, cites, note = doc_parts(decl.doc)
    return model.ParamDef(
        sym.key, sym.name, sym.module, declared, default, label, cites, note, decl.span,
        illustrative=decl.illustrative,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------
# Param values given at load time
#
# `params={...}` and `--param name=value` are checked here, beside the defaults they replace:
# the same literals, the same sentinel for what is not a constant, the same bound check.


def param_values(checked: model.CheckedPolicy, params: Mapping[str, Any]) -> dict[str, Any]:
    """Param values given at load time (`params={...}`, `--param name=value`), by param
    key, each checked against its param's declared type like a default.

    Raises `ParamError` with every unknown name and every value that does not fit.
    """
    converted: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for name, raw in params.items():
        key = checked.param_names.get(name, name)
        definition = checked.params.get(key)
        if definition is None:
            problems.append(
                Diagnostic(
                    "unknown-param",
                    english("has-no-param", policy=checked.name, name=name),
                    help=suggest(name, [*checked.param_names, *checked.params])
                    or (
                        english(
                            "params-are.help",
                            names=", ".join(f"`{n}`" for n in checked.param_names),
                        )
                        if checked.param_names
                        else english("no-params.help")
                    ),
                )
            )
            continue
        try:
            converted[key] = param_value(definition, raw)
        except ParamError as error:
            problems.extend(error.diagnostics)
    if problems:
        raise ParamError(problems)
    return converted


def param_value(definition: model.ParamDef, raw: Any) -> Any:
    """The runtime value of a param override, checked against the param's declared type.

    Text is read as a literal of the language (`"50%"`, `"[1, 2]"`, `"2015-03-31"`) unless
    the param holds text or an enum member; Python values are taken as they are. The bound
    of the type is checked as for a default (`outside_bound`), in lists too."""
    type_ = definition.type

    def fail(found: str, hint: str | None = None) -> ParamError:
        return ParamError(
            Diagnostic(
                "bad-param",
                english("param-expects", name=definition.name, type=describe(type_), found=found),
                help=hint or _param_hint(type_),
                labels=(),
            )
        )

    if isinstance(raw, float):
        raise fail(
            english("the-binary-float", value=repr(raw)),
            english("checker.pass-exact-value-decimal.help", raw=repr(raw)),
        )
    if isinstance(raw, str) and not isinstance(strip_optional(type_), TextType | EnumType):
        try:
            expression = parser.parse_expression(raw, name=f"--param {definition.name}")
        except WuxinError as error:
            raise fail(f"`{raw}`", _full_width_hint(raw, error)) from None
        raw = _literal(expression)
        if raw is _NOT_CONSTANT:
            raise fail(f"`{expression.span.text}`")
    value = _coerce(raw, type_)
    if value is _NOT_CONSTANT:
        raise fail(f"`{raw}`")
    outside = outside_bound(value, type_)
    if outside is not None:
        number, bound, inner = outside
        raise fail(
            f"`{format_value(number, inner)}`",
            english("checker.value-must-be.help", bound=bound.describe(is_percent(inner))),
        )
    too_precise = beyond_scale(value, type_)
    if too_precise is not None:
        number, scale = too_precise
        raise fail(f"`{format_value(number)}`", english("scale-constant.help", places=scale))
    return value


def _full_width_hint(raw: str, error: WuxinError) -> str | None:
    """`type the half-width `50%` instead …` when the value was typed in full width."""
    if "full-width-character" not in error.codes:
        return None
    half_width = characters.screen(Source("--param", raw)).text
    return english("full-width.help", fix=half_width)


def _param_hint(type_: Type) -> str:
    inner = strip_optional(type_)
    if isinstance(inner, NumberType):
        return english("checker.write-number-such-as.help")
    if isinstance(inner, IntType):
        return english("write-whole-number", example="3")
    if isinstance(inner, BoolType):
        return english("checker.write-true-or-false.help")
    if isinstance(inner, DateType):
        return english("checker.write-date-as-yyyy.help")
    if isinstance(inner, DurationType):
        return english("checker.write-duration.help")
    if isinstance(inner, DateTimeType):
        return english("checker.write-datetime.help")
    if isinstance(inner, TimeType):
        return english("checker.write-time.help")
    if isinstance(inner, EnumType):
        return english("checker.one-of.help", names=", ".join(f"`{m.name}`" for m in inner.members))
    return english("checker.write-value-type.help", type_=describe(type_))


def _literal(expression: ast.Expr) -> Any:
    """The value of a literal expression (a member name as its text), or `_NOT_CONSTANT`."""
    match expression:
        case ast.IntLit(value=value) | ast.BoolLit(value=value) | ast.DateLit(value=value):
            return value
        case ast.DecimalLit(value=value) | ast.PercentLit(value=value):
            return value
        case ast.TextLit(value=value):
            return value
        case ast.NoneLit():
            return None
        case ast.NameRef(name=name):
            return name
        case ast.ListLit(items=items):
            values = [_literal(item) for item in items]
            return _NOT_CONSTANT if any(v is _NOT_CONSTANT for v in values) else tuple(values)
    return _NOT_CONSTANT


def _coerce(raw: Any, type_: Type) -> Any:
    """`raw` as a runtime value of `type_`, or `_NOT_CONSTANT` when it is not one."""
    if raw is None:
        return None if isinstance(type_, OptionalType) else _NOT_CONSTANT
    inner = strip_optional(type_)
    if isinstance(inner, BoolType):
        return raw if isinstance(raw, bool) else _NOT_CONSTANT
    if isinstance(raw, bool):
        return _NOT_CONSTANT
    if isinstance(inner, IntType):
        if isinstance(raw, int):
            return raw
        if isinstance(raw, Decimal | Fraction) and Fraction(raw).denominator == 1:
            return int(raw)
        return _NOT_CONSTANT
    if isinstance(inner, NumberType):
        if isinstance(raw, int | Fraction):
            return raw
        if isinstance(raw, Decimal) and raw.is_finite():
            return Fraction(raw)
        return _NOT_CONSTANT
    if isinstance(inner, TextType):
        return raw if isinstance(raw, str) else _NOT_CONSTANT
    if isinstance(inner, DateType):
        if isinstance(raw, datetime.date) and not isinstance(raw, datetime.datetime):
            return raw
        if isinstance(raw, str):
            try:
                return datetime.date.fromisoformat(raw)
            except ValueError:
                return _NOT_CONSTANT
        return _NOT_CONSTANT
    if isinstance(inner, EnumType):
        return raw if isinstance(raw, str) and inner.member(raw) is not None else _NOT_CONSTANT
    if isinstance(inner, DateTimeType | TimeType | DurationType):
        # Read as a fact of the type is (a duration in ISO 8601, `P3D`): the facts' readers,
        # imported only when such a param is given.
        from wuxin_rules import facts

        read = (
            facts.datetime_fact
            if isinstance(inner, DateTimeType)
            else facts.time_fact
            if isinstance(inner, TimeType)
            else facts.duration_fact
        )
        try:
            return read(raw, inner)
        except facts.ValueProblem:
            return _NOT_CONSTANT
    if isinstance(inner, ListType):
        if not isinstance(raw, tuple | list):
            return _NOT_CONSTANT
        items = [_coerce(item, inner.element) for item in raw]
        return _NOT_CONSTANT if any(i is _NOT_CONSTANT for i in items) else tuple(items)
    return _NOT_CONSTANT


_NO_LOCALS = Env()
"""The environment of a rule without parameters (most rules): nothing bound, nothing
narrowed (environments are never changed, only extended into new ones)."""


def _check_rule(state: _State, sym: Sym) -> model.RuleDef:
    t = state.t
    decl: ast.RuleDecl = sym.node
    params = t.rule_params[sym.key]
    declared = t.rule_returns.get(sym.key)
    criterion = decl.kind == "criterion"
    annotated = True
    if criterion and declared is not None and decl.returns is not None:
        # The grammar has no `->` on criteria, but an AST built by a tool may carry one.
        if not (is_invalid(declared) or isinstance(declared, BoolType)):
            t.error(
                "type-mismatch",
                english("criterion-declared", name=sym.name, type=describe_type(declared)),
                decl.returns.span,
                help=english("rule-not-criterion"),
            )
            annotated = False
        declared = BOOL
    typer = state.typer(sym.module)
    expected = declared or (BOOL if criterion else None)
    body = typer.expr(decl.body, expected, Env(dict(params)) if params else _NO_LOCALS)
    if criterion and annotated:
        typer.accept(body, BOOL, notes=[english("criterion-is-condition", name=sym.name)])
    elif not criterion and declared is not None and decl.returns is not None:
        typer.accept(body, declared, labels=[Label(decl.returns.span, english("declared-here"))])
    type_ = declared or (BOOL if criterion else body.type)
    t.rule_types[sym.key] = type_
    label, cites, note = doc_parts(decl.doc)
    return model.RuleDef(
        sym.key, sym.name, sym.module, decl.kind, params, type_, body, label, cites, note, decl.span,
        name_span=decl.name.span,
    )  # fmt: skip


def _check_inputs(state: _State) -> None:
    t = state.t
    first: dict[str, Sym] = {}
    # An imported module's input is a key of the facts document only when a rule the root
    # reaches reads it; an input no such rule reads cannot conflict with anything.
    read = _read_inputs(state)
    for sym in state.syms("input"):
        if sym.module != state.root and sym.key not in read:
            continue
        other = first.setdefault(sym.name, sym)
        if other is sym:
            continue
        mine, theirs = t.input_types[sym.key], t.input_types[other.key]
        if is_invalid(mine) or is_invalid(theirs) or mine == theirs:
            continue
        t.error(
            "input-conflict",
            english(
                "input-conflict",
                name=sym.name,
                mine=describe_type(mine),
                theirs=describe_type(theirs),
                module=other.module,
            ),
            sym.node.type.span,
            labels=[Label(other.node.type.span, english("declared-here"))],
            help=english("input-conflict.help"),
        )


# ------------------------------------------------------------------------------------------
# Pass 3: the rule graph


def check_rule_graph(state: _State) -> None:
    """No rule depends on itself; the root rules' evaluation order (pass 3)."""
    t = state.t
    for component in state.rule_sccs:
        key = component[0]
        if len(component) == 1 and key not in state.edges[key]:
            continue
        members = set(component)
        start = min(component, key=state.index)
        path = _cycle_path(start, members, lambda k: sorted(state.edges[k], key=state.index))
        labels = [
            Label(state.edges[a][b], english("uses-here", rule=a, other=b))
            for a, b in itertools.pairwise(path)
        ]
        t.error(
            "rule-cycle",
            english("rule-cycle", chain=" → ".join(f"`{k}`" for k in path)),
            t.syms[start].span,
            labels=labels,
            help=english("rule-cycle.help"),
        )
    if not t.diagnostics:
        state.order = _evaluation_order(state)


def _evaluation_order(state: _State) -> tuple[str, ...]:
    """The root module's nullary rules, each after the rules it depends on."""
    rules = [s for s in state.syms("rule") if s.module == state.root]
    wanted = {s.key for s in rules if s.node.params is None}
    done: set[str] = set()
    order: list[str] = []
    edges, index = state.edges, state.index

    def uses(key: str) -> Iterator[str]:
        # In declaration order; most rules use one rule or none (nothing to sort).
        used = edges[key]
        return iter(used if len(used) < 2 else sorted(used, key=index))

    for sym in rules:
        if sym.key not in wanted or sym.key in done:
            continue
        done.add(sym.key)
        work = [(sym.key, uses(sym.key))]
        while work:
            key, pending = work[-1]
            for target in pending:
                if target not in done:
                    done.add(target)
                    work.append((target, uses(target)))
                    break
            else:
                work.pop()
                if key in wanted:
                    order.append(key)
    return tuple(order)


# ------------------------------------------------------------------------------------------
# Pass 4: schedules and bands


def check_tables(state: _State) -> None:
    """Schedules and bands: their tables, and the properties they declare or imply (pass 4)."""
    for sym in state.syms("schedule"):
        state.schedules[sym.key] = check_schedule(state.t, sym)
    defaults = {key: p.default for key, p in state.params.items()}
    for sym in state.syms("bands"):
        bands = build_bands(state.t, sym)
        if bands is not None:
            state.bands[sym.key] = bands
            state.t.diagnostics.extend(check_bands(bands, defaults))


# ------------------------------------------------------------------------------------------
# Pass 6: decision tables


def _lowered(loaded: LoadedModules) -> LoadedModules:
    """The modules with each decision table replaced by the rule it stands for."""
    modules = {
        name: defaults.lowered_module(decisions.lowered_module(m))
        for name, m in loaded.modules.items()
    }
    return attrs.evolve(loaded, root=modules[loaded.root_name], modules=modules)


def check_decisions(state: _State) -> None:
    """The shape of each decision table, its cells (constants of their column's type) and
    the proofs: overlaps, gaps, rows never chosen (`wuxin_rules.decisions`)."""
    for module_name, module in state.written.modules.items():
        enums = {d.name.name: d for d in module.declarations if isinstance(d, ast.EnumDecl)}
        for decl in module.declarations:
            if isinstance(decl, ast.DecisionDecl):
                _check_decision(state, module_name, decl, enums)


def _check_decision(
    state: _State,
    module_name: str,
    decl: ast.DecisionDecl,
    enums: Mapping[str, ast.EnumDecl],
) -> None:
    t = state.t
    shape = decisions.shape_errors(decl)
    t.diagnostics.extend(shape)
    hit = decl.hit_policy
    order = list(range(len(decl.rows)))
    if hit.kind in ("priority", "output order"):
        found = decisions.priority_order(decl, enums)
        if found is None:
            t.error(
                "table-priority",
                english("table-priority", hit=hit.kind),
                hit.span,
                help=english("table-priority.help"),
            )
            return
        order = found
    if shape:
        return
    typer = state.typer(module_name)
    # A column only `-` cells test, and the last row's cells of a chain (its `else`), are not
    # in the lowered rule: resolve their names here.
    walker = _NameWalker(state, t.scopes[module_name], None)
    # A table with parameters: its columns are over them (the lowered rule's locals).
    key = t.scopes[module_name].prefix + decl.name.name
    params = dict(t.rule_params.get(key) or ())
    for written in decl.inputs:
        walker.walk(written, frozenset(params), "value")
    if hit.kind in decisions.SINGLE_HIT and decl.default is None:
        for cell in decl.rows[order[-1]].cells:
            for test in cell.tests:
                for value in (test.value, test.high):
                    if value is not None:
                        walker.walk(value, frozenset(), "value")
    if t.diagnostics:
        return
    columns = [typer.expr(written, None, Env(params)) for written in decl.inputs]
    if t.diagnostics:
        return
    names = [" ".join(written.span.text.split()) for written in decl.inputs]
    rows: list[tuple[decisions.Cell, ...]] = []
    for row in decl.rows:
        cells = []
        for column, written, cell in zip(columns, decl.inputs, row.cells, strict=True):
            tests = tuple(
                _cell_test(state, typer, column.type, written, test, Env(params))
                for test in cell.tests
            )
            if any(test is None for test in tests):
                return
            cells.append(decisions.Cell(tuple(t_ for t_ in tests if t_ is not None), cell.negated))
        rows.append(tuple(cells))
    if t.diagnostics:  # a cell of the wrong type (one the lowered rule leaves out)
        return
    table = decisions.Table(
        name=decl.name.name,
        hit=hit.kind,
        types=tuple(column.type for column in columns),
        rows=tuple(rows[i] for i in order),
        outputs=tuple(
            tuple(" ".join(o.span.text.split()) for o in decl.rows[i].outputs) for i in order
        ),
        numbers=tuple(i + 1 for i in order),
        has_default=decl.default is not None,
    )

    proof = DecisionProof(table, decl, tuple(names), tuple(columns))
    state.decisions[state.t.scopes[module_name].prefix + decl.name.name] = proof
    for diagnostic in proof.diagnostics():
        if diagnostic.severity == Severity.ERROR:
            t.diagnostics.append(diagnostic)
        else:
            state.warnings.append(diagnostic)


@attrs.frozen
class DecisionProof:
    """What the proofs of a decision table need, kept on the checked policy (by the table's
    key): when a cell is a param, a param given at load time is proved again with its value
    (`decision_problems`), as bands are."""

    table: decisions.Table
    decl: ast.DecisionDecl
    names: tuple[str, ...]
    columns: tuple[model.CExpr, ...]
    """The input columns, typed (what the boundary bias of `strategies` draws near)."""

    def diagnostics(self, table: decisions.Table | None = None) -> list[Diagnostic]:
        table = table or self.table
        hit = self.decl.hit_policy

        def shown(value: Any, index: int) -> str:
            return format_value(value, table.types[index])

        found = []
        for finding in decisions.analyse(table):
            diagnostic = decisions.finding_diagnostic(finding, self.decl, self.names, shown)
            if finding.kind == "table-not-proved" and (
                hit.kind in ("unique", "any")
                or (hit.kind in decisions.SINGLE_HIT and self.decl.default is None)
            ):
                # Unproved, such a table could overlap or leave a gap unnoticed: refuse it.
                diagnostic = attrs.evolve(diagnostic, severity=Severity.ERROR)
            found.append(diagnostic)
        return found


def decision_problems(checked: model.CheckedPolicy, values: Mapping[str, Any]) -> list[Diagnostic]:
    """The errors of the decision tables whose cells are params, proved again with the param
    values `values` (by key) given at load time."""
    problems: list[Diagnostic] = []
    for proof in checked.decisions.values():
        if not decisions.uses_params(proof.table):
            continue
        table = decisions.with_params(proof.table, values)
        problems += [d for d in proof.diagnostics(table) if d.severity == Severity.ERROR]
    return problems


def _cell_test(
    state: _State,
    typer: ExprTyper,
    column: Type,
    column_expr: ast.Expr,
    test: ast.CellTest,
    env: Env,
) -> decisions.Test | None:
    """A cell test with its constants (None, reported, when a value is not a constant)."""
    if test.op == "none":
        return decisions.Test("none", None)
    values: list[Any] = []
    keys: list[str | None] = []
    for written in (test.value, test.high):
        keys.append(None)
        if written is None:
            values.append(None)
            continue
        # Typed as the comparison it stands for, so that a cell the lowered rule leaves out
        # (the last row of a chain) is held to its column's type too.
        before = len(state.t.diagnostics)
        if isinstance(column, OptionalType):
            # A column that may be none (a cell tests `none`): its other cells test the value.
            column = column.inner
            column_expr = ast.Coalesce(column_expr, written, written.span)
        typer.expr(ast.Compare("==", column_expr, written, written.span), BOOL, env)
        if len(state.t.diagnostics) > before:
            return None
        typed = typer.expr(written, column, Env())
        if isinstance(typed, model.Const):
            values.append(typed.value)
        elif isinstance(typed, model.ParamRef) and typed.key in state.params:
            values.append(state.params[typed.key].default)
            keys[-1] = typed.key
        else:
            state.t.error(
                "table-cell-not-constant",
                english("table-cell-not-constant", cell=" ".join(written.span.text.split())),
                written.span,
                help=english("table-cell-not-constant.help"),
            )
            return None
    return decisions.Test(
        test.op,
        values[0],
        values[1],
        test.low_inclusive,
        test.high_inclusive,
        (keys[0], keys[1]),
    )


# ------------------------------------------------------------------------------------------
# The pass table and the checked policy


def check_translations(state: _State) -> None:
    """Every translation of a label or note names a language a reader can ask for, once."""
    languages = listing([f"`{lang}`" for lang in LANGUAGES], "or")
    for module in state.written.modules.values():
        for text in ast.worded_texts(module):
            seen: dict[str, Span] = {}
            for translation in text.translations:
                tag = translation.lang
                if tag.name not in LANGUAGES:
                    # `not "…"` or `fr "…"`: a misspelt `note` reads as a language tag.
                    close = suggest(tag.name, [*LANGUAGES, "note"])
                    state.t.error(
                        "unknown-language",
                        english("unknown-language", tag=tag.name),
                        tag.span,
                        help=close or english("translate-into", languages=languages),
                        notes=[english("translation-follows")],
                    )
                elif tag.name in seen:
                    state.t.error(
                        "duplicate-translation",
                        english("translated-twice", tag=tag.name),
                        tag.span,
                        labels=[Label(seen[tag.name], english("first-translation"))],
                        help=english("one-translation"),
                    )
                else:
                    seen[tag.name] = tag.span


def check_exceptions(state: _State) -> None:
    """The exceptions of each rule form a tree (`wuxin_rules.defaults`): names given once,
    each `to` naming an exception of the rule, no circle of `to`."""
    for module in state.written.modules.values():
        for decl in module.declarations:
            if isinstance(decl, ast.RuleDecl) and decl.exceptions:
                state.t.diagnostics.extend(defaults.structure_errors(decl))


PASSES: tuple[tuple[str, Callable[[_State], None]], ...] = (
    ("check-exceptions", check_exceptions),  # first: a rule's exceptions lowered need a tree
    ("resolve-names", resolve_names),  # declarations, imports, types, expression names
    ("check-types", check_types),  # after resolve-names: uses every resolution
    ("check-rule-graph", check_rule_graph),  # cycles -> rule-cycle; the evaluation order
    ("check-tables", check_tables),  # after check-types: band bounds use the param defaults
    ("check-translations", check_translations),  # language tags of labels and notes
    ("check-decisions", check_decisions),  # after check-types: cells typed, params known
)
"""The checker's passes, in order; checking stops after the first that reports problems."""


def _read_inputs(state: _State) -> set[str]:
    """The keys of the inputs read by the root module's rules and the rules they reach."""
    if state.inputs_read is not None:  # asked by the input checks, then by the policy
        return state.inputs_read
    reached = {s.key for s in state.syms("rule") if s.module == state.root}
    pending = list(reached)
    while pending:
        for target in state.edges[pending.pop()]:
            if target not in reached:
                reached.add(target)
                pending.append(target)
    state.inputs_read = {name for key in reached for name in state.reads[key]}
    return state.inputs_read


def _inputs(state: _State) -> tuple[model.InputDef, ...]:
    """The root module's inputs, then those of other modules that root rules come to read."""
    read = _read_inputs(state)
    inputs: dict[str, model.InputDef] = {}
    syms = sorted(state.syms("input"), key=lambda s: (s.module != state.root, state.index(s.key)))
    for sym in syms:
        if sym.name in inputs or (sym.module != state.root and sym.key not in read):
            continue
        label = sym.node.doc.label.value if sym.node.doc.label else None
        inputs[sym.name] = model.InputDef(
            sym.name, state.t.input_types[sym.key], label, sym.node.span, fixed=sym.node.fixed
        )
    return tuple(inputs.values())


def _build(state: _State) -> model.CheckedPolicy:
    t = state.t
    short: dict[str, list[str]] = {}
    for key, param in state.params.items():
        short.setdefault(param.name, []).append(key)
    header = state.loaded.root.header
    label = cites = source = None
    if header is not None:
        label, cites, _ = doc_parts(header.doc)
        source = header.source.value if header.source else None
    return model.CheckedPolicy(
        name=state.root,
        source_name=state.loaded.root.span.source.name,
        inputs=_inputs(state),
        params=dict(state.params),
        param_names={name: keys[0] for name, keys in short.items() if len(keys) == 1},
        rules={key: state.rules[key] for key in sorted(state.rules, key=state.index)},
        order=state.order,
        schedules=dict(state.schedules),
        bands=dict(state.bands),
        enums=dict(t.enum_types),
        records=dict(t.record_types),
        sums=dict(t.sum_types),
        label=label,
        source=source,
        cites=cites or (),
        modules=tuple(state.written.modules.values()),
        decisions=dict(state.decisions),
    )
