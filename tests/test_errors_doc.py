"""The registry of diagnostic codes, the codes the code uses, and `docs/errors.md` agree.

* Every code written in `src/` (as the code argument of `Diagnostic(...)` or of a helper
  that takes a `code` parameter) is in `errors.CODES`, and every registered code is used.
* `docs/errors.md` has one `### \\`code\\`` section per registered code, in the section of its
  stage.
* Every example of `docs/errors.md` (a `policy` block, with `policy NAME` blocks for the
  modules it imports, a `params` or `facts` JSON block) gives exactly the `text` block shown
  under it, and that text carries the section's code. `pytest --update-golden` rewrites the
  `text` blocks from the current output; review `git diff docs/errors.md`.
"""

from __future__ import annotations

import ast as pyast
import json
import re
from pathlib import Path

import pytest

from conftest import updating_golden
from wuxin_rules import api, consistency, suite_checker
from wuxin_rules.errors import CODES, STAGES, WuxinError, render_diagnostics

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "wuxin_rules"
DOC = ROOT / "docs" / "errors.md"
KEBAB = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


# ------------------------------------------------------------------------------------------
# Codes in the source


def _code_takers(trees: list[pyast.Module]) -> dict[str, int]:
    """Callables that take a diagnostic code, and the position of the code argument:
    `Diagnostic`, every function or method with a parameter named `code`, every class whose
    `__init__` has one and every class with a `code` field (attrs classes, named tuples)."""
    takers = {"Diagnostic": 0}
    for tree in trees:
        for node in pyast.walk(tree):
            if isinstance(node, pyast.ClassDef):
                fields = [
                    s.target.id
                    for s in node.body
                    if isinstance(s, pyast.AnnAssign) and isinstance(s.target, pyast.Name)
                ]
                if "code" in fields:
                    takers[node.name] = fields.index("code")
                for item in node.body:
                    if isinstance(item, pyast.FunctionDef) and item.name == "__init__":
                        names = [a.arg for a in item.args.args][1:]
                        if "code" in names:
                            takers[node.name] = names.index("code")
            elif isinstance(node, pyast.FunctionDef) and node.name != "__init__":
                names = [a.arg for a in node.args.posonlyargs + node.args.args]
                if names and names[0] in ("self", "cls"):
                    names = names[1:]
                if "code" in names:
                    takers[node.name] = names.index("code")
    return takers


def _constants(node: pyast.expr) -> list[str] | None:
    """The codes an argument can be: a literal, either branch of `a if c else b`; None for
    a forwarded name (`code`, `slip.code`), whose caller is scanned instead."""
    if isinstance(node, pyast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, pyast.IfExp):
        body, orelse = _constants(node.body), _constants(node.orelse)
        if body is not None and orelse is not None:
            return body + orelse
    if isinstance(node, pyast.Name | pyast.Attribute):
        return []
    return None


def used_codes() -> tuple[dict[str, set[str]], list[str]]:
    """Every code written in `src/` with the files that write it, and the calls whose code
    argument is neither a literal nor a forwarded name (which this scan cannot follow)."""
    trees = {
        path: pyast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.glob("*.py"))
    }
    takers = _code_takers(list(trees.values()))
    found: dict[str, set[str]] = {}
    opaque: list[str] = []
    for path, tree in trees.items():
        for node in pyast.walk(tree):
            if not isinstance(node, pyast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, pyast.Name) else getattr(func, "attr", None)
            if name not in takers:
                continue
            position = takers[name]
            argument = node.args[position] if position < len(node.args) else None
            argument = next((k.value for k in node.keywords if k.arg == "code"), argument)
            if argument is None or (isinstance(argument, pyast.Starred)):
                continue
            codes = _constants(argument)
            if codes is None:
                opaque.append(f"{path.name}:{node.lineno}: {pyast.unparse(argument)}")
                continue
            for code in codes:
                found.setdefault(code, set()).add(path.name)
    return found, opaque


def test_the_scan_finds_the_codes() -> None:
    """The scan sees the codes of every stage (it must not pass by finding nothing)."""
    found, opaque = used_codes()
    assert len(found) >= 100
    assert {"unexpected-token", "unknown-name", "bad-fact", "division-by-zero", "usage"} <= set(
        found
    )
    assert {"missing-colon", "reserved-word"} <= set(found)  # from the parser's table of slips
    assert opaque == [], "give these calls a literal code, or forward a `code` parameter"


def test_every_code_used_is_registered_and_every_registered_code_is_used() -> None:
    """`errors.CODES` is exactly the set of codes written in `src/`."""
    found, _ = used_codes()
    unregistered = {code: sorted(files) for code, files in found.items() if code not in CODES}
    assert unregistered == {}, "add these codes to errors.CODES and document them in docs/errors.md"
    assert sorted(set(CODES) - set(found)) == []


def test_codes_are_kebab_case_and_stages_known() -> None:
    """A code is lowercase words joined by `-`; its stage is one of `STAGES`."""
    assert [code for code in CODES if not KEBAB.fullmatch(code)] == []
    assert {stage for stage in CODES.values()} <= set(STAGES)


def test_consistency_codes_are_the_consistency_stage() -> None:
    """The codes `consistency` lists are the ones registered under its stage."""
    registered = {code for code, stage in CODES.items() if stage == "consistency"}
    assert set(consistency.CODES) == registered


def test_golden_files_use_registered_codes() -> None:
    """Every `[code]` in the golden outputs of the test corpus is registered."""
    golden = Path(__file__).parent / "golden"
    seen: set[str] = set()
    for path in golden.rglob("*"):
        if path.suffix in (".err", ".txt"):
            seen.update(
                re.findall(
                    r"(?:error|warning|note|错误|警告|注)\[([a-z0-9-]+)\]",
                    path.read_text(encoding="utf-8"),
                )
            )
    assert seen and seen <= set(CODES)


# ------------------------------------------------------------------------------------------
# docs/errors.md

_SECTION = re.compile(r"^### `([a-z0-9-]+)`\n(.*?)(?=^### |^## |\Z)", re.MULTILINE | re.DOTALL)
_STAGE = re.compile(r"^## .*\(`(\w+)`\)$", re.MULTILINE)
_BLOCK = re.compile(r"^```([^\n]*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _sections() -> dict[str, str]:
    return {match.group(1): match.group(2) for match in _SECTION.finditer(_doc())}


def test_every_registered_code_is_documented_once() -> None:
    """One section per code: none missing, none extra, none twice."""
    headings = re.findall(r"^### `([a-z0-9-]+)`", _doc(), re.MULTILINE)
    assert sorted(h for h in set(headings) if headings.count(h) > 1) == []
    assert sorted(set(CODES) - set(headings)) == [], "document these codes in docs/errors.md"
    assert sorted(set(headings) - set(CODES)) == [], "these documented codes are not used"


def test_codes_are_documented_under_their_stage() -> None:
    """Each code's section sits under the `## … (\\`stage\\`)` heading of its stage."""
    text = _doc()
    stages = [(m.start(), m.group(1)) for m in _STAGE.finditer(text)]
    assert [stage for _, stage in stages] == list(STAGES)
    for match in _SECTION.finditer(text):
        stage = [name for start, name in stages if start < match.start()][-1]
        assert stage == CODES[match.group(1)], match.group(1)


def test_every_section_says_how_to_fix_it() -> None:
    """Each section has an explanation and a **Fix** paragraph."""
    missing = [code for code, body in _sections().items() if "**Fix:**" not in body]
    assert missing == []


def _examples() -> list[str]:
    return [code for code, body in _sections().items() if "```policy\n" in body]


def _code_of(body: str) -> str:
    return next(code for code, text in _sections().items() if text == body)


def _render(body: str) -> str:
    """What the example of a section reports."""
    blocks = [(info.strip(), text) for info, text in _BLOCK.findall(body)]
    main = next(text for info, text in blocks if info == "policy")
    files = {info.split()[1]: text for info, text in blocks if info.startswith("policy ")}
    params = next((json.loads(text) for info, text in blocks if info == "params"), None)
    facts = next((text for info, text in blocks if info == "facts"), None)
    try:
        suite_checker.suite_from_text(main, "example.policy", files=files)
        policy = api.loads(main, name="example.policy", files=files, params=params)
        if facts is None:
            findings = []
            if CODES.get(_code_of(body)) == "consistency":
                findings = consistency.analyse(policy.checked, undecided=True)
            return render_diagnostics([*policy.warnings, *findings])
        from wuxin_rules import jsonio

        result = policy.evaluate(jsonio.loads(facts, file="facts.json"), file="facts.json")
        return render_diagnostics(result.errors)
    except WuxinError as error:
        return str(error)


@pytest.mark.parametrize("code", _examples())
def test_documented_example_gives_the_documented_text(
    code: str, request: pytest.FixtureRequest
) -> None:
    """The example of the section reports the section's code, exactly as shown."""
    body = _sections()[code]
    rendered = _render(body)
    assert f"[{code}]" in rendered, rendered
    shown = re.search(r"^```text\n(.*?)^```\n", body, re.MULTILINE | re.DOTALL)
    if updating_golden(request.config):
        text = _doc()
        section = re.search(
            rf"^### `{re.escape(code)}`\n.*?(?=^### |^## |\Z)", text, re.MULTILINE | re.DOTALL
        )
        assert section is not None
        old = section.group()
        block = f"```text\n{rendered}\n```\n"
        if shown is not None:
            new = old.replace(shown.group(), block, 1)
        else:
            new = re.sub(
                r"^\*\*Fix:\*\*", lambda _: block + "\n**Fix:**", old, count=1, flags=re.MULTILINE
            )
        DOC.write_text(text.replace(old, new, 1), encoding="utf-8")
        return
    assert shown is not None, f"`{code}` has no ```text block: run pytest --update-golden"
    assert shown.group(1) == rendered + "\n"


def test_most_codes_have_a_checked_example() -> None:
    """The examples cover the codes an author can meet in a policy or its facts."""
    assert len(_examples()) >= 80
