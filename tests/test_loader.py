"""The module loader: policy roots, imports, cycles, missing and unreadable modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from wuxin_rules import loader
from wuxin_rules.errors import (
    PolicyCheckError,
    PolicyError,
    PolicySyntaxError,
    UsageError,
)


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_header_gives_the_policy_root(tmp_path: Path) -> None:
    """`policy shop.main` in `X/shop/main.policy` has root `X`; imports resolve under it."""
    write(tmp_path, "shop/types.policy", "policy shop.types\nrecord Basket: total: int\n")
    main = write(tmp_path, "shop/main.policy", "policy shop.main\nimport shop.types\nrule r: 1\n")
    loaded = loader.load_modules(main)
    assert loaded.root_name == "shop.main"
    assert loaded.policy_root == tmp_path
    assert list(loaded.modules) == ["shop.main", "shop.types"]
    assert loaded.modules["shop.main"] is loaded.root
    assert loaded.modules["shop.types"].span.source.name == str(tmp_path / "shop" / "types.policy")


def test_file_without_header_is_named_after_its_stem(tmp_path: Path) -> None:
    """Without a header the module is the file stem and the root is its folder."""
    write(tmp_path, "helpers.policy", "rule one: 1\n")
    main = write(tmp_path, "library.policy", "import helpers\nrule r: helpers.one\n")
    loaded = loader.load_modules(main)
    assert loaded.root_name == "library"
    assert loaded.policy_root == tmp_path
    assert set(loaded.modules) == {"library", "helpers"}


def test_relative_path_keeps_a_relative_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative path to a file deeper than its module path gives a relative root."""
    write(tmp_path, "pol/a/b.policy", "policy a.b\nimport a.c\nrule r: 1\n")
    write(tmp_path, "pol/a/c.policy", "policy a.c\nrule s: 2\n")
    monkeypatch.chdir(tmp_path)
    loaded = loader.load_modules("pol/a/b.policy")
    assert loaded.policy_root == Path("pol")
    assert loaded.modules["a.c"].span.source.name == str(Path("pol/a/c.policy"))


def test_path_shorter_than_module_path_still_finds_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`b.policy` given from inside `a/` still has the root two folders up."""
    write(tmp_path, "a/b.policy", "policy a.b\nimport a.c\nrule r: 1\n")
    write(tmp_path, "a/c.policy", "policy a.c\nrule s: 2\n")
    monkeypatch.chdir(tmp_path / "a")
    loaded = loader.load_modules("b.policy")
    assert loaded.policy_root == tmp_path
    assert set(loaded.modules) == {"a.b", "a.c"}


def test_explicit_root_names_headerless_files_by_their_path(tmp_path: Path) -> None:
    """With `root=`, a file without a header is named by its path under the root."""
    main = write(tmp_path, "a/b.policy", "import a.c\nrule r: 1\n")
    write(tmp_path, "a/c.policy", "rule s: 2\n")
    loaded = loader.load_modules(main, root=tmp_path)
    assert loaded.root_name == "a.b"
    assert set(loaded.modules) == {"a.b", "a.c"}


def test_header_not_matching_the_path_is_an_error(tmp_path: Path) -> None:
    """A header that does not match the file's place is `module-path-mismatch`, with a fix."""
    main = write(tmp_path, "misc/x.policy", "policy shop.main\nrule r: 1\n")
    with pytest.raises(PolicyCheckError) as caught:
        loader.load_modules(main)
    assert str(caught.value) == (
        f"{main}:1:8: error[module-path-mismatch]: the header names module `shop.main`, which "
        "must be in a file `shop/main.policy` under the policy root\n"
        "  |\n"
        "1 | policy shop.main\n"
        "  |        ^^^^^^^^^\n"
        f"   = note: this file is `{main}`\n"
        "   = help: move the file to `shop/main.policy` under the policy root, or change the "
        "header to `policy x`"
    )


def test_header_not_matching_an_explicit_root_is_an_error(tmp_path: Path) -> None:
    """With `root=`, the header must match the file's path under that root."""
    main = write(tmp_path, "a/b.policy", "policy a.x\nrule r: 1\n")
    with pytest.raises(PolicyCheckError) as caught:
        loader.load_modules(main, root=tmp_path)
    assert caught.value.codes == ("module-path-mismatch",)
    assert str(tmp_path / "a" / "x.policy") in str(caught.value)


def test_imported_module_with_a_wrong_header(tmp_path: Path) -> None:
    """An imported file whose header names another module is an error at its header."""
    write(tmp_path, "lib.policy", "policy other\nrule s: 1\n")
    main = write(tmp_path, "main.policy", "import lib\nrule r: 1\n")
    with pytest.raises(PolicyCheckError) as caught:
        loader.load_modules(main)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "module-path-mismatch"
    assert diagnostic.message.endswith("declares module `other`, but it is imported as `lib`")
    assert diagnostic.help == "change the header to `policy lib`"
    assert diagnostic.labels[0].text == "imported here"


def test_missing_module_suggests_an_existing_one(tmp_path: Path) -> None:
    """An import of a module that does not exist is `unknown-module` with a did-you-mean."""
    write(tmp_path, "shop/types.policy", "policy shop.types\nrule t: 1\n")
    main = write(tmp_path, "shop/main.policy", "policy shop.main\nimport shop.typse\nrule r: 1\n")
    with pytest.raises(PolicyCheckError) as caught:
        loader.load_modules(main)
    missing = tmp_path / "shop" / "typse.policy"
    assert str(caught.value) == (
        f"{main}:2:8: error[unknown-module]: no module `shop.typse`\n"
        "  |\n"
        "2 | import shop.typse\n"
        "  |        ^^^^^^^^^^\n"
        f"   = note: there is no file `{missing}`\n"
        "   = help: did you mean `shop.types`?"
    )


def test_text_without_root_cannot_import_files() -> None:
    """A text with no root and no `files` says why its import cannot be found."""
    with pytest.raises(PolicyCheckError) as caught:
        loader.load_modules_from_text("import a\nrule r: 1\n")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "unknown-module"
    assert "without a policy root" in diagnostic.notes[0]


def test_text_imports_from_files_mapping() -> None:
    """`files` supplies imported modules by dotted name, named like files in diagnostics."""
    loaded = loader.load_modules_from_text(
        "import a.b\nrule r: b.s\n", "main.policy", files={"a.b": "rule s: 1\n"}
    )
    assert loaded.root_name == "main"
    assert loaded.modules["a.b"].span.source.name == "a/b.policy"
    assert loaded.policy_root is None


def test_text_module_name_comes_from_header_or_name() -> None:
    """A text is named by its header, else its name's stem, else `main`."""
    assert loader.load_modules_from_text("policy p.q\nrule r: 1").root_name == "p.q"
    assert loader.load_modules_from_text("rule r: 1", "dir/shop.policy").root_name == "shop"
    assert loader.load_modules_from_text("rule r: 1").root_name == "main"


def test_files_mapping_falls_back_to_the_root(tmp_path: Path) -> None:
    """Modules missing from `files` are read from `root` when one is given."""
    write(tmp_path, "disk.policy", "rule d: 1\n")
    loaded = loader.load_modules_from_text(
        "import mem\nimport disk\nrule r: 1", root=tmp_path, files={"mem": "rule m: 1"}
    )
    assert set(loaded.modules) == {"main", "mem", "disk"}


def test_import_cycle_names_every_module() -> None:
    """`a → b → c → a` is one `import-cycle` at the closing import, labels on the others."""
    files = {"b": "import c\nrule y: 1", "c": "import a\nrule z: 1"}
    with pytest.raises(PolicyCheckError) as caught:
        loader.load_modules_from_text("policy a\nimport b\nrule x: 1", "a.policy", files=files)
    assert str(caught.value) == (
        "c.policy:1:8: error[import-cycle]: import cycle: `a` → `b` → `c` → `a`\n"
        "  |\n"
        "1 | import a\n"
        "  |        ^\n"
        "   = `a` imports `b`: a.policy:2:8\n"
        "    |\n"
        "  2 | import b\n"
        "    |        -\n"
        "   = `b` imports `c`: b.policy:1:8\n"
        "    |\n"
        "  1 | import c\n"
        "    |        -\n"
        "   = help: modules cannot import each other in a circle: move what they share into a "
        "module that both import"
    )


def test_module_importing_itself_is_a_cycle() -> None:
    """A module that imports itself is the shortest import cycle."""
    with pytest.raises(PolicyCheckError) as caught:
        loader.load_modules_from_text("policy a\nimport a\nrule x: 1")
    assert caught.value.codes == ("import-cycle",)
    assert caught.value.diagnostics[0].message == "import cycle: `a` → `a`"


def test_diamond_imports_load_each_module_once() -> None:
    """Two modules importing a third: the third is loaded once, no cycle."""
    files = {"b": "import d\nrule b: 1", "c": "import d\nrule c: 1", "d": "rule d: 1"}
    loaded = loader.load_modules_from_text("import b\nimport c\nrule a: 1", files=files)
    assert list(loaded.modules) == ["main", "b", "d", "c"]


def test_long_import_chains_do_not_exhaust_the_stack() -> None:
    """A chain of 1500 imports loads (the walk is iterative)."""
    count = 1500
    files = {f"m{i}": f"import m{i + 1}\nrule r: 1" for i in range(count)}
    files[f"m{count}"] = "rule r: 1"
    loaded = loader.load_modules_from_text("import m0\nrule top: 1", files=files)
    assert len(loaded.modules) == count + 2


def test_syntax_errors_of_every_module_are_reported(tmp_path: Path) -> None:
    """Syntax errors in two imported modules come back together, located in their files."""
    write(tmp_path, "a.policy", "rule a: 1 +\n")
    write(tmp_path, "b.policy", "rule b: (\n")
    main = write(tmp_path, "main.policy", "import a\nimport b\nrule r: 1\n")
    with pytest.raises(PolicySyntaxError) as caught:
        loader.load_modules(main)
    names = [d.span.source.name for d in caught.value.diagnostics if d.span is not None]
    assert names == [str(tmp_path / "a.policy"), str(tmp_path / "b.policy")]


def test_syntax_and_import_errors_travel_together(tmp_path: Path) -> None:
    """A broken module and a missing one are reported in one `PolicyCheckError`."""
    write(tmp_path, "a.policy", "rule a: 1 +\n")
    main = write(tmp_path, "main.policy", "import a\nimport nowhere\nrule r: 1\n")
    with pytest.raises(PolicyCheckError) as caught:
        loader.load_modules(main)
    assert "unknown-module" in caught.value.codes
    assert len(caught.value.codes) == 2


def test_root_syntax_error_is_raised_as_is() -> None:
    """A syntax error in the root module is a `PolicySyntaxError`."""
    with pytest.raises(PolicySyntaxError):
        loader.load_modules_from_text("rule r: 1 +")


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    """A path that does not exist is a `UsageError` naming it."""
    with pytest.raises(UsageError) as caught:
        loader.load_modules(tmp_path / "nope.policy")
    assert caught.value.codes == ("no-such-file",)
    assert "nope.policy" in str(caught.value)


def test_folder_is_a_usage_error(tmp_path: Path) -> None:
    """A folder given as the policy is a `UsageError` with a hint."""
    with pytest.raises(UsageError) as caught:
        loader.load_modules(tmp_path)
    assert caught.value.codes == ("not-a-file",)


def test_root_file_not_utf8_is_a_policy_error(tmp_path: Path) -> None:
    """A policy file that is not UTF-8 gives a clear `not-utf8` error, not a traceback."""
    bad = tmp_path / "gbk.policy"
    bad.write_bytes("rule 达标: 1\n".encode("gbk"))
    with pytest.raises(PolicyError) as caught:
        loader.load_modules(bad)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "not-utf8"
    assert diagnostic.file == str(bad)
    assert diagnostic.help == "save the file as UTF-8 (the encoding every policy file uses)"


def test_imported_file_not_utf8_is_located_at_the_import(tmp_path: Path) -> None:
    """An imported file that is not UTF-8 is reported at the import that reads it."""
    (tmp_path / "lib.policy").write_bytes(b"rule s: \xff\n")
    main = write(tmp_path, "main.policy", "import lib\nrule r: 1\n")
    with pytest.raises(PolicyCheckError) as caught:
        loader.load_modules(main)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "not-utf8"
    assert diagnostic.span is not None and diagnostic.span.text == "lib"


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    """A UTF-8 byte-order mark at the start of a file is not part of the policy."""
    path = tmp_path / "bom.policy"
    path.write_bytes("\ufeffpolicy bom\nrule r: 1\n".encode())
    assert loader.load_modules(path).root_name == "bom"


def test_unreadable_files_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A root file that cannot be read is a usage error; an imported one, located at the import."""
    write(tmp_path, "lib.policy", "rule s: 1\n")
    main = write(tmp_path, "main.policy", "import lib\nrule r: 1\n")
    real = Path.read_bytes

    def deny(path: Path) -> bytes:
        if path.name == "lib.policy" or path == main:
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(UsageError) as caught:
        loader.load_modules(main)
    assert caught.value.diagnostics[0].message == f"cannot read `{main}`: permission denied"
    monkeypatch.setattr(Path, "read_bytes", lambda p: real(p) if p == main else deny(p))
    with pytest.raises(PolicyCheckError) as located:
        loader.load_modules(main)
    diagnostic = located.value.diagnostics[0]
    assert diagnostic.code == "unreadable-file"
    assert diagnostic.span is not None and diagnostic.span.text == "lib"


def test_mismatch_is_reported_alone(tmp_path: Path) -> None:
    """A misplaced file's imports are not followed: they would all look missing."""
    main = write(tmp_path, "x.policy", "policy shop.main\nimport shop.types\nrule r: 1\n")
    with pytest.raises(PolicyCheckError) as caught:
        loader.load_modules(main)
    assert caught.value.codes == ("module-path-mismatch",)


def test_mismatch_hint_for_a_file_name_that_is_no_module_name(tmp_path: Path) -> None:
    """`wrong-example.policy` matches no header: the hint must not offer one (it used to
    suggest `policy main`, which fails the same way)."""
    main = write(tmp_path, "wrong-example.policy", "policy main\nrule r: 1\n")
    with pytest.raises(PolicyCheckError) as caught:
        loader.load_modules(main)
    help_text = caught.value.diagnostics[0].help
    assert help_text is not None
    assert "policy main" not in help_text
    assert "remove the header" in help_text
    write(tmp_path, "wrong-example.policy", "rule r: 1\n")
    assert loader.load_modules(main).root_name == "main"  # what the hint says works
