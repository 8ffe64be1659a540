"""Messages as data: the one catalogue, the code that names its keys, and `Message` itself.

A diagnostic or an explanation detail is a key and its fields (`wuxin_rules.messages`); it
is rendered in a language when it is shown. These tests hold the catalogue and the code
together: every key has both languages with the same fields, every key the code names exists,
every key is named somewhere, and nothing the checker reports is a plain English text.
"""

from __future__ import annotations

import ast as pyast
import pickle
import re
import string
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import pytest

from wuxin_rules import api, consistency, explain, messages
from wuxin_rules.errors import Diagnostic, WuxinError, render_diagnostics
from wuxin_rules.messages import CATALOGUE, Message, english

SRC = Path(__file__).resolve().parents[1] / "src" / "wuxin_rules"
MAKERS = {"english", "Message"}  # the calls that name a key


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_has_english_and_chinese_with_the_same_fields(key: str) -> None:
    english_text, chinese = CATALOGUE[key]
    assert english_text and chinese, key
    assert _fields(english_text) == _fields(chinese), key


def _calls() -> list[tuple[str, int, pyast.expr]]:
    """The first argument of every `english(…)` / `Message(…)` call in the package."""
    found = []
    for path in sorted(SRC.glob("*.py")):
        tree = pyast.parse(path.read_text(encoding="utf-8"))
        for node in pyast.walk(tree):
            if not isinstance(node, pyast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, pyast.Name) else getattr(func, "attr", None)
            if name in MAKERS:
                found.append((path.name, node.lineno, node.args[0]))
    return found


def _literal_keys(node: pyast.expr) -> list[str] | None:
    """The keys a key expression can be: a constant, or either constant of a conditional;
    None for a key computed at run time (a term of a closed table, a slip's key)."""
    if isinstance(node, pyast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, pyast.IfExp):
        body, orelse = _literal_keys(node.body), _literal_keys(node.orelse)
        if body is not None and orelse is not None:
            return body + orelse
    return None


def test_every_key_the_code_names_exists() -> None:
    """A static scan of src/: `english("key", …)` and `Message("key", …)` name catalogue keys."""
    calls = _calls()
    assert len(calls) > 400
    unknown = [
        (file, line, key)
        for file, line, node in calls
        for key in _literal_keys(node) or []
        if key not in CATALOGUE
    ]
    assert unknown == []


def _string_constants() -> set[str]:
    """Every text constant of the package's code (in messages.py, of its functions only:
    the catalogue's own entries do not count as uses)."""
    constants = set()
    for path in SRC.glob("*.py"):
        tree = pyast.parse(path.read_text(encoding="utf-8"))
        roots: list[pyast.AST] = [tree]
        if path.name == "messages.py":
            roots = [node for node in tree.body if isinstance(node, pyast.FunctionDef)]
        for root in roots:
            for node in pyast.walk(root):
                if isinstance(node, pyast.Constant) and isinstance(node.value, str):
                    constants.add(node.value)
    return constants


def test_every_key_is_used_by_some_code() -> None:
    """No dead key: each key of the catalogue is written somewhere in the package (as the
    key of a call, or in a table of keys such as the common slips or the kinds of full-width
    characters). The catalogue's own frame words (`WORDS`) are checked by their users."""
    constants = _string_constants()
    dead = sorted(key for key in CATALOGUE if key not in constants)
    assert dead == []


def test_a_message_is_its_english_text_and_carries_its_key() -> None:
    message = english("unknown-name", name="score")
    assert isinstance(message, str)
    assert message == "unknown name `score`"
    assert message.key == "unknown-name"
    assert dict(message.fields) == {"name": "score"}
    assert message.render("en") == "unknown name `score`"
    assert message.render("zh") == "未知的名称 `score`"
    assert message.to_json() == {"key": "unknown-name", "fields": {"name": "score"}}


def test_every_field_of_the_catalogue_is_a_plain_name() -> None:
    # A message's English text formats its fields as they are (`Message.__new__`), which is
    # their English rendering only for a plain `{name}`: no format spec, conversion or index.
    fancy = [
        (key, field, spec, conversion)
        for key, pair in CATALOGUE.items()
        for template in pair
        for _, field, spec, conversion in string.Formatter().parse(template)
        if field is not None and (spec or conversion or not field.isidentifier())
    ]
    assert fancy == []


def test_a_message_made_of_messages_and_wordings_is_their_english_rendering() -> None:
    from wuxin_rules.wording import Wording

    label = Wording("Score", [("zh", "分数")])
    inner = english("criterion-named", name=label)
    message = english("cannot-tell", what=inner)
    assert message == messages._fill(CATALOGUE["cannot-tell"][0], {"what": inner}, "en")
    assert message == (
        "the consistency checks cannot tell whether criterion `Score` can both hold and fail"
    )
    assert message.render("zh") == messages._fill(
        CATALOGUE["cannot-tell"][1], {"what": inner}, "zh"
    )
    assert message.render("zh").startswith("一致性检查无法判断标准 `")


def test_a_message_keeps_its_key_through_pickling() -> None:
    """Diagnostics cross process boundaries (`--jobs`): the key and fields come along."""
    message = english("expected-found", expected=english("a whole number"), found="`x`")
    again = pickle.loads(pickle.dumps(message))
    assert again == message
    assert isinstance(again, Message)
    assert again.render("zh") == "应为整数，实际是`x`"


def test_an_unknown_key_fails_where_the_message_is_made() -> None:
    with pytest.raises(KeyError):
        english("no-such-key")


def test_lists_render_in_each_language() -> None:
    items = ["`a`", "`b`", "`c`"]
    assert messages.listing(items) == "`a`, `b` and `c`"
    assert messages.render(messages.listing(items), "zh") == "`a`、`b`和`c`"
    assert messages.render(messages.listing(items[:2], "or"), "zh") == "`a`或`b`"
    assert messages.listing(["`a`"]) == "`a`"
    assert messages.listing([]) == ""


def test_a_term_of_an_open_set_falls_back_to_its_text() -> None:
    assert messages.render(messages.term("Cyrillic"), "zh") == "西里尔"
    assert messages.render(messages.term("Masculine"), "zh") == "Masculine"


# ------------------------------------------------------------------------------------------
# No English fixed word in a Chinese rendering

_POLICY_TEXT = re.compile(
    r"`[^`]*`"  # names, code, values in backticks
    r"|\"[^\"]*\"|“[^”]*”"  # labels and texts in quotes
    r"|\[[^\]]*\]"  # citations and codes: `错误[unknown-name]`, `[S6.2]`
    r"|\S+\.(?:policy|json|csv)\S*"  # file names and locations
)


def english_words(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The runs of ASCII letters of `text` outside what the policy or the user wrote (names
    and code in backticks, quoted labels, bracketed codes and citations, file names), minus
    the `allowed` words (the policy's own names and values)."""
    words = re.findall(r"[A-Za-z]{2,}", _POLICY_TEXT.sub(" ", text))
    return [word for word in words if word not in allowed]


def test_the_scan_finds_an_untranslated_message() -> None:
    """The scan can fail: a plain English text rendered in Chinese is found."""
    untranslated = messages.render("unknown name `score`", "zh")
    assert english_words(untranslated) == ["unknown", "name"]
    assert english_words(english("unknown-name", name="score").render("zh")) == []


GOLDEN = Path(__file__).parent / "golden"
GOLDEN_POLICIES = sorted(
    path
    for folder in ("check/bad", "check/good", "parse/bad", "zh", "names")
    for path in (GOLDEN / folder).glob("*.policy")
)


def _words_of(text: str) -> frozenset[str]:
    """The ASCII words the policy itself wrote (its names, keywords, values and labels) and
    the language's own values."""
    return frozenset(re.findall(r"[A-Za-z]{2,}", text)) | {"true", "false", "none"}


def _diagnostics_of(text: str, name: str) -> list[Diagnostic]:
    try:
        policy = api.loads(text, name=name)
    except WuxinError as error:
        return list(error.diagnostics)
    return [*policy.warnings, *consistency.analyse(policy.checked, undecided=True)]


@pytest.mark.parametrize("path", GOLDEN_POLICIES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_golden_diagnostic_reads_in_chinese(path: Path) -> None:
    """Every diagnostic of the golden policies (parse and check errors, warnings, notes),
    rendered in Chinese, has no English word but the policy's own."""
    text = path.read_text(encoding="utf-8")
    diagnostics = _diagnostics_of(text, path.name)
    rendered = render_diagnostics(diagnostics, "zh")
    found = [
        (line, english_words(line, _words_of(text)))
        for line in rendered.splitlines()
        if not line.lstrip().startswith(("|", "-", "^")) and not re.match(r"\s*\d+ \|", line)
    ]
    assert [item for item in found if item[1]] == []


def _explanation_cases() -> list[tuple[str, str]]:
    from test_explain import CASES

    return [(case, mode) for case, (_, _, modes) in CASES.items() for mode in modes]


@pytest.mark.parametrize(("case", "mode"), _explanation_cases())
def test_every_golden_explanation_reads_in_chinese(case: str, mode: str) -> None:
    """Every golden explanation case, in every mode, rendered in Chinese, has no English
    word but the policy's own."""
    from test_explain import CASES, evaluation

    policy_name, inputs, _ = CASES[case]
    text = explain.render_evaluation(evaluation(policy_name, inputs), mode=mode, lang="zh")
    allowed = _words_of((GOLDEN / "explain" / f"{policy_name}.policy").read_text(encoding="utf-8"))
    found = [(line, english_words(line, allowed)) for line in text.splitlines()]
    assert [item for item in found if item[1]] == []


def test_every_checker_diagnostic_is_keyed() -> None:
    """What the checker reports for the tests' bad policies is a message with a key: its
    text, help, notes and labels (none is a plain English string that no language could
    render)."""
    plain = []
    count = 0
    for path in GOLDEN_POLICIES:
        for diagnostic in _diagnostics_of(path.read_text(encoding="utf-8"), path.name):
            texts = [diagnostic.message, diagnostic.help, *diagnostic.notes]
            texts += [label.text for label in diagnostic.labels]
            for text in texts:
                if text:
                    count += 1
                    if not isinstance(text, Message):
                        plain.append((path.name, diagnostic.code, text))
    assert count > 100
    assert plain == []


# ------------------------------------------------------------------------------------------
# No plain English text where a diagnostic is made: a static scan of src/

TEXT_ARGUMENTS: dict[str, dict[int, str]] = {
    # The diagnostic and its parts.
    "Diagnostic": {1: "message", 4: "help", 5: "notes"},
    "Label": {1: "text"},
    # The errors and problems that become diagnostics.
    "SemanticError": {1: "message", 2: "help_text"},
    "SampleError": {1: "message", 2: "help"},
    "CellProblem": {1: "message", 2: "help"},
    # A command-line argument of the wrong form (argparse puts the text after `argument X: `).
    "ArgumentTypeError": {0: "message"},
    "ValueProblem": {1: "message", 2: "help", 3: "notes"},
    # The stages' helpers that make a diagnostic from a message and a help (after `self`).
    "error": {1: "message"},
    "report": {1: "message", 3: "help"},
    "_warning": {1: "message", 3: "help"},
    "_fault": {2: "message", 3: "help_text"},
    "_diagnostic": {2: "message", 3: "help_text"},
    "_internal_message": {0: "message"},
    "_located": {6: "message", 7: "help_text"},
    "_unwritable": {0: "message"},
    "_changed": {0: "message"},
    "_want_bool": {1: "help"},
    "_want_number": {1: "help"},
    "_wrong": {2: "help"},
    "_pair": {2: "hint"},
    "fail": {0: "found", 1: "hint"},
    "accept": {},
    # Explanation nodes: their `detail` is shown next to the value.
    "Explanation": {},
    "_node": {},
}
"""The calls whose text arguments a user reads, by the position (after `self`) and name of
each: `TEXT_KEYWORDS` of these calls count too, and so does any argument of a function's
parameter named `what` (the kind of thing a message names: `a parameter`, `explanations`)."""

TEXT_KEYWORDS = {"message", "help", "help_text", "hint", "notes", "text", "what", "found", "detail"}
TEXT_PARAMETERS = {"message", "help", "help_text", "hint", "notes"}

NOT_DIAGNOSTIC_TEXT = {
    ("cli.py", "error"): "argparse's own error method: argparse writes the message",
    ("compiler.py", "note"): "a statistic of the fast path (why documents were handed over)",
    ("cli.py", "_add_explanation_options"): "`what` is in a command's `--help` (argparse's)",
    ("messages.py", "count"): "`what` is a key of the counted words (`error`, `warning`)",
}
"""Functions with a text parameter whose text is not a diagnostic's."""

CODE_TEXTS = {"is none", "is not none"}
"""The allow-list: literals that are code of the policy language, shown in backticks by the
message they fill (`remove `is none``), not words to translate."""

_WORD = re.compile(r"[A-Za-z]{2,}")


def _has_words(text: str) -> bool:
    """Whether a fixed text has a word: code in backticks (`a ..< b`, a value shown as it
    is) and punctuation (`: `, ` (`) are not words, so such a text needs no key."""
    return bool(_WORD.search(re.sub(r"`[^`]*`", "", text)))


def _plain_text(node: pyast.expr) -> bool:
    """Whether a text argument is (or holds) an f-string or a literal with English words,
    rather than a message (`english(…)`, `term(…)`) or a variable."""
    if isinstance(node, pyast.Constant):
        text = node.value
        return isinstance(text, str) and text not in CODE_TEXTS and _has_words(text)
    if isinstance(node, pyast.JoinedStr):
        fixed = "".join(
            part.value if isinstance(part, pyast.Constant) else "`…`" for part in node.values
        )
        return _has_words(fixed)
    if isinstance(node, pyast.BinOp):  # `english(…) + " more"` loses the key
        return _plain_text(node.left) or _plain_text(node.right)
    if isinstance(node, pyast.IfExp):
        return _plain_text(node.body) or _plain_text(node.orelse)
    if isinstance(node, pyast.BoolOp):  # `suggest(…) or "the inputs are …"`
        return any(_plain_text(value) for value in node.values)
    if isinstance(node, pyast.Tuple | pyast.List):
        return any(_plain_text(element) for element in node.elts)
    joined = isinstance(node, pyast.Call) and isinstance(node.func, pyast.Attribute)
    if joined and node.func.attr in ("format", "join"):
        return _plain_text(node.func.value) or any(_plain_text(a) for a in node.args)
    return _system_text(node)


def _system_text(node: pyast.expr) -> bool:
    """Whether a text is the system's or Python's own English: an `OSError`'s `strerror`
    (`No such file or directory`, to go through `errors.os_reason`), or `str(exc)` of a
    caught exception (`day is out of range for month`)."""
    if isinstance(node, pyast.Attribute) and node.attr == "strerror":
        return True
    if isinstance(node, pyast.BoolOp | pyast.IfExp):
        parts = node.values if isinstance(node, pyast.BoolOp) else [node.body, node.orelse]
        return any(_system_text(part) for part in parts)
    return _CAUGHT.get() is not None and _exception_text(node, _CAUGHT.get() or set())


_CAUGHT: ContextVar[set[str] | None] = ContextVar("caught", default=None)
"""The names of the exceptions the scanned module catches (`except ValueError as exc`)."""


def _exception_text(node: pyast.expr, caught: set[str]) -> bool:
    return (
        isinstance(node, pyast.Call)
        and isinstance(node.func, pyast.Name)
        and node.func.id == "str"
        and len(node.args) == 1
        and isinstance(node.args[0], pyast.Name)
        and node.args[0].id in caught
    )


def _what_parameters(trees: Mapping[str, pyast.Module]) -> dict[str, set[int]]:
    """The positions of every function's `what` parameter, by the function's name."""
    found: dict[str, set[int]] = {}
    for file, tree in trees.items():
        for node in pyast.walk(tree):
            if isinstance(node, pyast.FunctionDef) and (file, node.name) not in NOT_DIAGNOSTIC_TEXT:
                names = [arg.arg for arg in [*node.args.posonlyargs, *node.args.args]]
                names = names[1:] if names[:1] in (["self"], ["cls"]) else names
                if "what" in names:
                    found.setdefault(node.name, set()).add(names.index("what"))
    return found


def plain_texts(sources: Mapping[str, str]) -> list[tuple[str, int, str]]:
    """Where the code passes a plain English text (an f-string or a literal with words) as
    the message, help, note, label or `what` of a diagnostic: `(file, line, text)`."""
    trees = {name: pyast.parse(text) for name, text in sources.items()}
    whats = _what_parameters(trees)
    found = []
    for name, tree in trees.items():
        caught = {
            node.name
            for node in pyast.walk(tree)
            if isinstance(node, pyast.ExceptHandler) and node.name
        }
        token = _CAUGHT.set(caught)
        found += _module_plain_texts(name, tree, whats)
        _CAUGHT.reset(token)
    return sorted(found)


def _module_plain_texts(
    name: str, tree: pyast.Module, whats: Mapping[str, set[int]]
) -> list[tuple[str, int, str]]:
    found = []
    for node in pyast.walk(tree):
        if not isinstance(node, pyast.Call):
            continue
        func = node.func
        callee = func.id if isinstance(func, pyast.Name) else getattr(func, "attr", "")
        positions = set(TEXT_ARGUMENTS.get(callee, {})) | whats.get(callee, set())
        texts = [arg for index, arg in enumerate(node.args) if index in positions]
        if callee in TEXT_ARGUMENTS or callee in whats:
            texts += [kw.value for kw in node.keywords if kw.arg in TEXT_KEYWORDS]
        for text in texts:
            if _plain_text(text):
                found.append((name, text.lineno, pyast.unparse(text)[:80]))
        if callee in MAKERS:  # a message's field: `english("k", reason=error.strerror)`
            for field in node.keywords:
                if _system_text(field.value):
                    found.append((name, field.value.lineno, pyast.unparse(field.value)[:80]))
    for text in _prepared_texts(tree):
        if _plain_text(text):
            found.append((name, text.lineno, pyast.unparse(text)[:80]))
    return found


TEXT_VARIABLES = {
    "message", "help", "help_text", "hint", "notes", "note", "fix", "fallback", "reason",
}  # fmt: skip
TEXT_FUNCTIONS = re.compile(r"_(hint|help|found|expected|message)$")
TEXT_CONSTANTS = re.compile(r"^_?[A-Z_]*_(HELP|HINT|MESSAGE|NOTE)S?$")
"""A module's constant that holds a text to show (`_DATE_HELP = …`)."""


def _prepared_texts(tree: pyast.Module) -> list[pyast.expr]:
    """Texts made before the call that shows them: a value assigned to a variable named as
    a text (`help = …`, `notes = (…,)`), and what a `…_hint`/`…_help`/`…_found` function
    returns."""
    texts: list[pyast.expr] = []
    for node in pyast.walk(tree):
        if isinstance(node, pyast.Assign):
            if any(
                isinstance(t, pyast.Name) and (t.id in TEXT_VARIABLES or TEXT_CONSTANTS.match(t.id))
                for t in node.targets
            ):
                texts.append(node.value)
            for target in node.targets:  # `message, help = …, …`: each element its own
                if isinstance(target, pyast.Tuple) and isinstance(node.value, pyast.Tuple):
                    texts += [
                        value
                        for name, value in zip(target.elts, node.value.elts, strict=False)
                        if isinstance(name, pyast.Name) and name.id in TEXT_VARIABLES
                    ]
        elif isinstance(node, pyast.FunctionDef) and TEXT_FUNCTIONS.search(node.name):
            texts += [
                each.value
                for each in pyast.walk(node)
                if isinstance(each, pyast.Return) and each.value is not None
            ]
    return texts


def _package_sources() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(SRC.glob("*.py"))}


def test_no_diagnostic_text_is_plain_english() -> None:
    """Every message, help, note and label the package makes is a catalogue message: no
    f-string and no literal with words goes to a user untranslated."""
    assert plain_texts(_package_sources()) == []


def test_the_text_scan_finds_an_untranslated_f_string() -> None:
    """The scan can fail: an f-string message, a literal help, a literal `what`, a keyed
    message with English glued on are found; keyed ones and code in backticks are not."""
    source = (
        "def kind(what): ...\n"
        "Diagnostic('code', f'unknown name `{name}`', help='rename it')\n"
        "self._fault(expr, 'code', english('k'), None, (), labels=(Label(s, 'here'),))\n"
        "kind('a parameter')\n"
        "Diagnostic('code', english('k') + ' more')\n"
        "Diagnostic('code', english('k', name=name), notes=(f'`{a}`: `{b}`',))\n"
        "help = 'write `true`' if flag else english('k')\n"
        "def _param_hint(t):\n    return f'a value of `{t}`'\n"
        "message, help = f'`{name}` takes parameters', english('k')\n"
        "Diagnostic('code', english('k'), help=suggest(n, names) or 'params: ' + listed)\n"
        "_DATE_HELP = 'write dates as text'\n"
        "try:\n    f()\nexcept ValueError as exc:\n    ValueProblem('c', english('k'), str(exc))\n"
        "english('cannot-read', reason=error.strerror or error)\n"
        "reason = error.strerror if flag else 'it is not UTF-8 text'\n"
        "english('cannot-read', reason=os_reason(error, error.strerror))\n"
    )
    found = [(line, text) for _, line, text in plain_texts({"example.py": source})]
    assert found == [
        (2, "'rename it'"),
        (2, "f'unknown name `{name}`'"),
        (3, "'here'"),
        (4, "'a parameter'"),
        (5, "english('k') + ' more'"),
        (7, "'write `true`' if flag else english('k')"),
        (9, "f'a value of `{t}`'"),
        (10, "f'`{name}` takes parameters'"),
        (11, "suggest(n, names) or 'params: ' + listed"),
        (12, "'write dates as text'"),
        (16, "str(exc)"),
        (17, "error.strerror or error"),
        (18, "error.strerror if flag else 'it is not UTF-8 text'"),
    ]


def test_every_helper_with_a_text_parameter_is_scanned() -> None:
    """A new helper that takes a message or a help (as `_fault` does) must be added to
    `TEXT_ARGUMENTS`, or its callers' texts would escape the scan."""
    unscanned = []
    for name, text in _package_sources().items():
        for node in pyast.walk(pyast.parse(text)):
            if isinstance(node, pyast.FunctionDef | pyast.ClassDef):
                init = node
                if isinstance(node, pyast.ClassDef):
                    inits = [f for f in node.body if isinstance(f, pyast.FunctionDef)]
                    inits = [f for f in inits if f.name == "__init__"]
                    if not inits:
                        continue
                    init = inits[0]
                elif node.name == "__init__":
                    continue
                assert isinstance(init, pyast.FunctionDef)
                params = {a.arg for a in [*init.args.args, *init.args.kwonlyargs]}
                scanned = node.name in TEXT_ARGUMENTS or (name, node.name) in NOT_DIAGNOSTIC_TEXT
                if params & TEXT_PARAMETERS and not scanned:
                    unscanned.append((name, node.name))
    assert unscanned == []


# ------------------------------------------------------------------------------------------
# Evaluation and facts errors in Chinese


def _texts_of(diagnostic: Diagnostic) -> list[object]:
    return [
        diagnostic.message,
        diagnostic.help,
        *diagnostic.notes,
        *(label.text for label in diagnostic.labels),
    ]


PROPER_NAMES = frozenset({"JSON", "Python", "IANA"})
"""Names of a format and a language: Chinese writes them as they are."""


def _english_in_chinese(diagnostics: list[Diagnostic], allowed: frozenset[str]) -> list[object]:
    """The texts of `diagnostics` that, rendered in Chinese, still have an English word (a
    JSON path `$.a.b` and a number `1e400` are the document's, not words)."""
    found: list[object] = []
    for diagnostic in diagnostics:
        for text in _texts_of(diagnostic):
            if text:
                rendered = re.sub(r"\$[^\s，：`]*", " ", messages.render(text, "zh"))
                words = english_words(rendered, allowed | PROPER_NAMES)
                if words:
                    found.append((diagnostic.code, rendered, words))
    return found


def _semantics_failures() -> list[tuple[Any, tuple[str, ...]]]:
    from test_semantics import FAILING

    return [tuple(case.values) for case in FAILING]  # type: ignore[misc]


@pytest.mark.parametrize(("entry", "types"), _semantics_failures())
def test_every_evaluation_error_of_the_semantics_table_reads_in_chinese(
    entry: Any, types: tuple[str, ...]
) -> None:
    """The run-time errors of every builtin that can fail (invalid dates, rounding digits,
    quarters, sampling rates, …), met on the semantics tests' biased facts, rendered in
    Chinese, have no English word but the policy's own."""
    from hypothesis import given, settings

    from test_semantics import _bias, _load, _policy_text
    from wuxin_rules import strategies as policy_strategies

    policy = _load(entry, types)
    allowed = _words_of(_policy_text(entry, types))
    errors: list[Diagnostic] = []

    @settings(max_examples=60, deadline=None, derandomize=True, database=None)
    @given(policy_strategies.facts(policy, bias=_bias(types)))
    def run(document: Any) -> None:
        error = policy.evaluate(document).verdict("r").error
        if error is not None:
            errors.append(error)

    run()
    assert errors, f"{entry.name} never failed"
    assert _english_in_chinese(errors, allowed) == []


def _flagship_policies() -> list[str]:
    from test_fuzz_facts import POLICIES

    return sorted(POLICIES)


@pytest.mark.parametrize("name", _flagship_policies())
def test_every_facts_error_of_the_facts_fuzzer_reads_in_chinese(name: str) -> None:
    """The facts errors of near-valid and arbitrary documents (the facts fuzzer's), rendered
    in Chinese, have no English word but the policy's own and the document's."""
    from hypothesis import given, settings

    from fuzzing import FLAGSHIP
    from test_fuzz_facts import POLICIES, arbitrary_documents, near_valid_documents

    policy = POLICIES[name]
    policy_text = "".join(path.read_text(encoding="utf-8") for path in FLAGSHIP.rglob("*.policy"))
    errors: list[tuple[Diagnostic, frozenset[str]]] = []

    @settings(max_examples=60, deadline=None, derandomize=True, database=None)
    @given(near_valid_documents(policy) | arbitrary_documents(policy))
    def run(document: Any) -> None:
        try:
            policy.validate(document)
        except WuxinError as error:
            # The document's own keys and texts are shown as they are.
            written = frozenset(re.findall(r"[A-Za-z]{2,}", repr(document)))
            errors.extend((diagnostic, written) for diagnostic in error.diagnostics)

    run()
    assert len(errors) > 10
    allowed = _words_of(policy_text)
    found = [
        item
        for diagnostic, written in errors
        for item in _english_in_chinese([diagnostic], allowed | written)
    ]
    assert found == []


def test_every_evaluation_error_of_random_policies_reads_in_chinese() -> None:
    """The run-time errors of the differential test's random policies (division by zero,
    none met, bands and schedules missed, dates, …), rendered in Chinese, have no English
    word but the policy's own."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    import policygen
    import wuxin_rules

    found: list[object] = []
    failed = 0

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def run(data: st.DataObject) -> None:
        nonlocal failed
        text = data.draw(policygen.policies(), label="policy")
        policy = wuxin_rules.loads(text, name="gen.policy")
        document, _ = data.draw(policygen.documents(policy), label="document")
        result = policy.evaluate(document)
        errors = [e for e in (result.verdict(r).error for r in policy.rules) if e is not None]
        failed += bool(errors)
        found.extend(_english_in_chinese(errors, _words_of(text)))

    run()
    assert failed > 5
    assert found == []


def test_a_sample_draw_explains_itself_in_chinese() -> None:
    """The audit of a `sample` draw (its sizes and seed, each key's rank, how to reproduce
    it) reads in Chinese, and in English as before."""
    import wuxin_rules

    text = 'policy s "s"\ninput ids: list of text\nrule drawn "drawn": sample(ids, 50%, "2024")\n'
    result = wuxin_rules.loads(text, name="s.policy").evaluate(
        {"ids": ["a1", "b2", "c3", "d4"]}, explain=True
    )
    chinese = result.explain(lang="zh")
    assert '种子 "2024"' in chinese and "排序值 " in chinese and "复现方法：" in chinese
    allowed = _words_of(text) | {"ceil", "SHA", "UTF", "wuxin"}
    lines = [re.sub(r"[0-9a-f]{16}…", " ", line) for line in chinese.splitlines()]  # ranks
    assert [line for line in lines if english_words(line, allowed)] == []
    english_text = result.explain()
    assert 'n = 4, ceil(50% × 4) = 2, seed "2024"' in english_text
    assert 'to reproduce: rank every key k by SHA-256("wuxin-sample/1\\0" + f("2024")' in (
        english_text
    )


def repeated_keys(source: str) -> list[tuple[str, int, int]]:
    """The text keys written twice among the dicts of `source` that hold more than ten
    entries (the catalogue's tables): `(key, first line, repeated line)`."""
    written: dict[str, int] = {}
    repeated = []
    for node in pyast.walk(pyast.parse(source)):
        if not isinstance(node, pyast.Dict) or len(node.keys) <= 10:
            continue
        for key in node.keys:
            if isinstance(key, pyast.Constant) and isinstance(key.value, str):
                if key.value in written:
                    repeated.append((key.value, written[key.value], key.lineno))
                written.setdefault(key.value, key.lineno)
    return repeated


def test_every_key_is_written_once() -> None:
    """A key written twice in the catalogue's source keeps only its last text, silently: the
    first phrase's callers would show the second's words. Each key is written once, and no
    phrase's key is also a term."""
    assert repeated_keys((SRC / "messages.py").read_text(encoding="utf-8")) == []
    assert set(messages.PHRASES) & set(messages.TERMS) == set()


def test_the_written_once_check_can_fail() -> None:
    entries = ", ".join(f'"k{i}": ("a", "b")' for i in range(11))
    source = f'PHRASES = {{{entries}}}\nWORDS = {{{entries.replace("k", "w")}, "k3": ("c", "d")}}'
    assert repeated_keys(source) == [("k3", 1, 2)]
