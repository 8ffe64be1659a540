"""Finding, reading and parsing a policy's modules: the root file and everything it imports.

A module is one `.policy` file. `policy a.b` in the file `X/a/b.policy` makes `X` the
*policy root*, and `import a.c` then reads `X/a/c.policy` (docs/internals.md, "Names and
modules"). The loader follows imports transitively, once per module, and reports every
problem it meets at once: a module that does not exist (`unknown-module`, with a
did-you-mean over the modules that do), an import cycle (`import-cycle`), a header that does
not match its file (`module-path-mismatch`), a file that cannot be read or is not UTF-8,
and the syntax errors of every module it could read.

Owns `LoadedModules`, `load_modules` and `load_modules_from_text`. May import `source`,
`errors`, `ast` and `parser`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import attrs

from wuxin_rules import ast
from wuxin_rules.errors import (
    Diagnostic,
    Label,
    PolicyCheckError,
    PolicyError,
    PolicySyntaxError,
    UsageError,
    os_reason,
    suggest,
)
from wuxin_rules.messages import english
from wuxin_rules.parser import parse
from wuxin_rules.source import Span, decode_policy

__all__ = [
    "SUFFIX",
    "LoadedModules",
    "load_modules",
    "load_modules_from_text",
    "policy_files",
    "root_identity",
]

SUFFIX = ".policy"
"""The file name ending of a policy module."""

_MAX_LISTED_FILES = 10_000
"""How many files a did-you-mean for a missing module looks at (a bound on huge folders)."""

_DEFAULT_MODULE = "main"
"""The module name of a policy text that has no header and no usable file name."""


@attrs.frozen
class LoadedModules:
    """A root module and every module it imports, transitively, parsed and ready to check.

    `modules` maps dotted module names to their parsed files, the root first and then in the
    order the imports were found; `root_name` is the root's module name; `policy_root` is
    the folder imports resolve against (None for a text with no root folder).
    """

    root: ast.Module
    modules: Mapping[str, ast.Module]
    root_name: str
    policy_root: Path | None


def load_modules(path: str | os.PathLike[str], *, root: Path | None = None) -> LoadedModules:
    """Read and parse the policy file at `path` and, transitively, the modules it imports.

    The policy root is `root` when given, else derived from the file's header (the file's
    folder, less one folder per dot of the module name) or, without a header, the file's
    folder. Raises `UsageError` when `path` is not a readable file, `PolicySyntaxError` when
    some module does not parse, and `PolicyCheckError` for import problems (all at once).
    """
    file = Path(path)
    text = _read_root(file)
    module = parse(text, str(file))
    name, policy_root, problem = root_identity(file, module, root)
    if problem is not None:
        # Without its true root, every import would also look missing: report this alone.
        raise PolicyCheckError(problem)
    return _Loader(policy_root, {}).load(name, module)


def load_modules_from_text(
    text: str,
    name: str = "<string>",
    *,
    root: Path | None = None,
    files: Mapping[str, str] | None = None,
) -> LoadedModules:
    """Parse a policy given as text and the modules it imports.

    `name` is the name diagnostics give the text. Imports are looked up first in `files`
    (dotted module name → text, for tests and for embedding without a file system), then
    under `root` when given. The module is named by its header, else after `name`'s file
    stem (`main` when that is not a name).
    """
    module = parse(text, name)
    module_name = module.header.name.dotted if module.header else _name_from_file(name)
    return _Loader(root, dict(files or {})).load(module_name, module)


# ------------------------------------------------------------------------------------------
# The root file


def _read_root(file: Path) -> str:
    """The text of the root policy file; a missing or unreadable path is a usage error."""
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise UsageError(
            Diagnostic(
                "no-such-file",
                english("no-such-policy-file", file=file),
                help=english("check-path-policy"),
            )
        ) from None
    except IsADirectoryError:
        raise UsageError(
            Diagnostic(
                "not-a-file",
                english("is-a-folder", file=file),
                help=english("give-policy-path"),
            )
        ) from None
    except OSError as error:
        raise UsageError(
            Diagnostic(
                "unreadable-file",
                english("cannot-read-file", file=file, reason=_reason(error)),
                help=english("check-readable"),
            )
        ) from None
    try:
        return decode_policy(data)
    except UnicodeDecodeError as error:
        raise PolicyError(_not_utf8(str(file), error, None)) from None


def _reason(error: OSError) -> str:
    words = error.strerror or type(error).__name__
    return os_reason(error, words[:1].lower() + words[1:])


def _not_utf8(file: str, error: UnicodeDecodeError, span: Span | None) -> Diagnostic:
    return Diagnostic(
        "not-utf8",
        english("not-utf8", file=file),
        span=span,
        file=None if span is not None else file,
        notes=(
            english(
                "byte-not-utf8", byte=format(error.object[error.start], "#04x"), offset=error.start
            ),
        ),
        help=english("save-policy-utf8"),
    )


def root_identity(
    file: Path, module: ast.Module, root: Path | None
) -> tuple[str, Path | None, Diagnostic | None]:
    """The root module's name, the policy root, and a `module-path-mismatch` if any."""
    header = module.header
    if root is not None:
        try:
            relative = Path(os.path.abspath(file)).relative_to(os.path.abspath(root))
        except ValueError:
            relative = None
        expected = _dotted(relative) if relative is not None else None
        if header is None:
            return expected or _name_from_file(str(file)), root, None
        if expected == header.name.dotted:
            return expected, root, None
        return header.name.dotted, root, _mismatch(header, file, root)
    if header is None:
        return _name_from_file(str(file)), file.parent, None
    parts = [part.name for part in header.name.parts]
    absolute = Path(os.path.abspath(file))
    folders = list(absolute.parent.parts)
    if absolute.stem == parts[-1] and folders[len(folders) - (len(parts) - 1) :] == parts[:-1]:
        # Keep the root as the caller wrote the path when it is long enough (shorter names
        # in diagnostics); otherwise go through the absolute path.
        base = file if len(file.parts) >= len(parts) else absolute
        return header.name.dotted, base.parents[len(parts) - 1], None
    return header.name.dotted, file.parent, _mismatch(header, file, None)


def _mismatch(header: ast.Header, file: Path, root: Path | None) -> Diagnostic:
    dotted = header.name.dotted
    wanted = Path(*dotted.split(".")).with_suffix(SUFFIX)
    where = (
        f"`{root / wanted}`"
        if root is not None
        else english("loader.under-root", file=f"`{wanted}`")
    )
    stem = file.name.removesuffix(SUFFIX)
    if stem.isidentifier():
        fix = english("loader.move-or-rename.help", where=where, stem=stem)
    else:  # `wrong-example.policy` matches no header: a module name is letters, digits, `_`
        fix = english("loader.move-or-remove.help", where=where, file=file.name)
    return Diagnostic(
        "module-path-mismatch",
        english("loader.header-names-module-must", dotted=dotted, where=where),
        span=header.name.span,
        notes=(english("this-file-is", file=file),),
        help=fix,
    )


def _dotted(relative: Path) -> str | None:
    parts = [*relative.parent.parts, relative.stem] if relative.suffix == SUFFIX else None
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)


def _name_from_file(name: str) -> str:
    stem = Path(name).name
    if stem.endswith(SUFFIX):
        stem = stem[: -len(SUFFIX)]
    return stem if stem.isidentifier() else _DEFAULT_MODULE


# ------------------------------------------------------------------------------------------
# Following imports


def _imports(module: ast.Module) -> Iterator[ast.ImportDecl]:
    return (d for d in module.declarations if isinstance(d, ast.ImportDecl))


class _Loader:
    """Follows imports depth first, loading each module once, collecting every problem."""

    def __init__(self, root: Path | None, files: dict[str, str]) -> None:
        self.root = root
        self.files = files
        self.problems: list[Diagnostic] = []
        self.syntax: list[Diagnostic] = []
        self.modules: dict[str, ast.Module] = {}
        self.failed: set[str] = set()

    def load(self, root_name: str, root_module: ast.Module) -> LoadedModules:
        self.modules[root_name] = root_module
        # An explicit stack: a long chain of imports must not exhaust Python's stack.
        stack: list[tuple[str, Iterator[ast.ImportDecl]]] = [(root_name, _imports(root_module))]
        via: list[ast.ImportDecl | None] = [None]
        depth: dict[str, int] = {root_name: 0}
        while stack:
            name, pending = stack[-1]
            decl = next(pending, None)
            if decl is None:
                stack.pop()
                via.pop()
                del depth[name]
                continue
            target = decl.module.dotted
            if target in depth:
                self.problems.append(self._cycle(stack, via, depth[target], decl))
                continue
            if target in self.modules or target in self.failed:
                continue
            module = self._fetch(name, target, decl)
            if module is None:
                self.failed.add(target)
                continue
            self.modules[target] = module
            depth[target] = len(stack)
            stack.append((target, _imports(module)))
            via.append(decl)
        if self.problems:
            raise PolicyCheckError([*self.syntax, *self.problems])
        if self.syntax:
            raise PolicySyntaxError(self.syntax)
        return LoadedModules(root_module, self.modules, root_name, self.root)

    def _cycle(
        self,
        stack: list[tuple[str, Iterator[ast.ImportDecl]]],
        via: list[ast.ImportDecl | None],
        start: int,
        closing: ast.ImportDecl,
    ) -> Diagnostic:
        names = [name for name, _ in stack[start:]]
        chain = " → ".join(f"`{n}`" for n in [*names, names[0]])
        labels = []
        for index in range(start + 1, len(stack)):
            decl = via[index]
            if decl is not None:
                labels.append(
                    Label(
                        decl.module.span,
                        english("imports", module=stack[index - 1][0], other=stack[index][0]),
                    )
                )
        return Diagnostic(
            "import-cycle",
            english("import-cycle", chain=chain),
            span=closing.module.span,
            labels=tuple(labels),
            help=english("import-cycle.help"),
        )

    def _fetch(self, importer: str, target: str, decl: ast.ImportDecl) -> ast.Module | None:
        """Read and parse the module `target`, or record why it cannot be loaded."""
        parts = target.split(".")
        relative = Path(*parts).with_suffix(SUFFIX)
        if target in self.files:
            name = str(self.root / relative) if self.root is not None else relative.as_posix()
            text = self.files[target]
        else:
            path = self.root / relative if self.root is not None else None
            if path is None or not path.is_file():
                self.problems.append(self._unknown(importer, target, decl, path))
                return None
            name = str(path)
            try:
                text = decode_policy(path.read_bytes())
            except UnicodeDecodeError as error:
                self.problems.append(_not_utf8(name, error, decl.module.span))
                return None
            except OSError as error:
                self.problems.append(
                    Diagnostic(
                        "unreadable-file",
                        english("cannot-read-file", file=name, reason=_reason(error)),
                        span=decl.module.span,
                        help=english("check-readable"),
                    )
                )
                return None
        try:
            module = parse(text, name)
        except PolicySyntaxError as error:
            self.syntax.extend(error.diagnostics)
            return None
        if module.header is not None and module.header.name.dotted != target:
            self.problems.append(
                Diagnostic(
                    "module-path-mismatch",
                    english(
                        "declares-module",
                        file=name,
                        module=module.header.name.dotted,
                        target=target,
                    ),
                    span=module.header.name.span,
                    labels=(Label(decl.module.span, english("imported-here")),),
                    help=english("change-header", header=f"policy {target}"),
                )
            )
        return module

    def _unknown(
        self, importer: str, target: str, decl: ast.ImportDecl, path: Path | None
    ) -> Diagnostic:
        known = self._known_modules() - {importer}
        if path is not None:
            notes: tuple[str, ...] = (f"there is no file `{path}`",)
        elif self.files:
            notes = (english("loader.text-imports-only"),)
        else:
            notes = (english("text-cannot-import"),)
        hint = suggest(target, known)
        if hint is None and known:
            hint = english(
                "loader.modules.help", names=", ".join(f"`{m}`" for m in sorted(known)[:10])
            )
        return Diagnostic(
            "unknown-module",
            english("no-module", name=target),
            span=decl.module.span,
            notes=notes,
            help=hint or english("unknown-module.help"),
        )

    def _known_modules(self) -> set[str]:
        known = set(self.files) | set(self.modules)
        if self.root is not None and self.root.is_dir():
            for count, file in enumerate(self.root.rglob("*" + SUFFIX)):
                if count >= _MAX_LISTED_FILES:
                    break
                dotted = _dotted(file.relative_to(self.root))
                if dotted is not None:
                    known.add(dotted)
        return known


def policy_files(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The `.policy` files named by `paths`, directories expanded (sorted); a missing path is
    a `UsageError`."""
    files: list[Path] = []
    missing: list[Diagnostic] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(path.rglob("*" + SUFFIX)))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(
                Diagnostic(
                    "no-such-file",
                    english("no-such-file", path=raw),
                    help=english("give-policy-or-folder"),
                )
            )
    if missing:
        raise UsageError(missing)
    return files
