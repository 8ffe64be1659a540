"""Diagnostics an author understands: name warnings, Chinese renderings, the `--lang` option.

Golden files (`pytest --update-golden` rewrites them; review `git diff`):

* `golden/names/NAME.policy` → `NAME.txt`: the warnings (and errors, if any) of checking it.
* `golden/zh/NAME.policy` → `NAME.zh.err`: its syntax or check errors rendered in Chinese.
* `golden/explain/CASE.MODE.zh.txt`: an explanation of `test_explain.CASES` in Chinese.

The full-width punctuation goldens are `golden/parse/bad/full_width*.policy` (test_golden).
"""

from __future__ import annotations

import csv
import errno
import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from conftest import Golden
from test_explain import CASES, evaluation
from wuxin_rules import api, characters, checker, cli, consistency, explain, loader, messages
from wuxin_rules.errors import (
    CODES,
    Diagnostic,
    ParamError,
    PolicyError,
    Severity,
    UsageError,
    os_reason,
)
from wuxin_rules.source import Source

GOLDEN = Path(__file__).parent / "golden"
NAMES = sorted((GOLDEN / "names").glob("*.policy"))
ZH = sorted((GOLDEN / "zh").glob("*.policy"))
ZH_EXPLAIN = [("unit.fails", "full"), ("town.2017", "decisive"), ("score.ok", "failed")]
REPO = Path(__file__).resolve().parents[1]


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as file:
        return file.read()


def _check_report(path: Path, lang: str = "en") -> str:
    """What checking a golden policy reports: its error, or its warnings."""
    try:
        policy = api.loads(_read(path), name=path.name)
    except PolicyError as error:
        return error.render(lang) + "\n"
    from wuxin_rules.errors import render_diagnostics

    return render_diagnostics(policy.warnings, lang) + "\n"


# ------------------------------------------------------------------------------------------
# Golden files


def test_golden_corpora_are_present() -> None:
    """The globs find the files (a glob that finds nothing must not pass silently)."""
    assert len(NAMES) >= 5 and len(ZH) >= 2


@pytest.mark.parametrize("path", NAMES, ids=[p.stem for p in NAMES])
def test_name_warnings_golden(path: Path, golden: Golden) -> None:
    """Each policy of golden/names reports exactly the recorded warnings."""
    golden.check(path.with_suffix(".txt"), _check_report(path))


@pytest.mark.parametrize("path", ZH, ids=[p.stem for p in ZH])
def test_chinese_error_golden(path: Path, golden: Golden) -> None:
    """Each policy of golden/zh fails with exactly the recorded Chinese rendering."""
    golden.check(path.with_suffix(".zh.err"), _check_report(path, "zh"))


@pytest.mark.parametrize(("case", "mode"), ZH_EXPLAIN, ids=[f"{c}.{m}" for c, m in ZH_EXPLAIN])
def test_chinese_explanation_golden(case: str, mode: str, golden: Golden) -> None:
    """An explanation rendered in Chinese matches its golden text."""
    policy_name, inputs, _ = CASES[case]
    text = explain.render_evaluation(evaluation(policy_name, inputs), mode=mode, lang="zh")
    golden.check(GOLDEN / "explain" / f"{case}.{mode}.zh.txt", text + "\n")


def test_chinese_explanation_keeps_labels_and_translates_fixed_words() -> None:
    """Labels and citations come from the policy; margins and counts are in Chinese."""
    policy_name, inputs, _ = CASES["unit.fails"]
    text = explain.render_evaluation(evaluation(policy_name, inputs), mode="full", lang="zh")
    english = explain.render_evaluation(evaluation(policy_name, inputs), mode="full")
    assert '"吸毒人员增幅低于全省平均水平50%"  [S2.3]' in text
    assert "超出 0.0155" in text and "over by" not in text
    assert "4项中2项未满足" in text and "2 of 4 failed" in english
    assert not re.search(r"\b(of|hold|failed|short by|margin)\b", text.replace("of [", ""))


# ------------------------------------------------------------------------------------------
# Full-width screen and name warnings, in detail


def test_every_full_width_mark_is_reported_with_its_half_width_form() -> None:
    """Each mark of the table is an error at its own column, its fix in the help."""
    for mark, (fix, kind) in characters.FULL_WIDTH.items():
        if mark in "“＂＃":
            continue  # open a text or a comment: tested below
        screened = characters.screen(Source("t.policy", f"rule a: x {mark} y"))
        (error,) = screened.errors
        assert error.span is not None and error.span.column == 11, mark
        assert error.message == f"full-width {kind} `{mark}` outside a text"
        assert f"`{fix}`" in (error.help or "")
        assert screened.text == f"rule a: x {fix} y"


def test_screen_leaves_texts_comments_and_names_alone() -> None:
    """Full-width marks in a text, a comment, or digits inside a name are not errors."""
    text = 'rule 第１项: "（满分１００分，即：６０％）" # 注释：（，）\n'
    assert characters.screen(Source("t", text)).errors == ()


def test_full_width_quotes_are_reported_and_their_text_is_not() -> None:
    """`“甲，乙”`: both quotes are errors, the comma inside is not; the text is repaired."""
    screened = characters.screen(Source("t", "rule a: “甲，乙”"))
    assert [e.span.column for e in screened.errors if e.span] == [9, 13]
    assert screened.text == 'rule a: "甲，乙"'


def test_full_width_errors_come_with_the_syntax_errors_that_remain() -> None:
    """After the screen, parsing goes on: a real syntax error is still reported."""
    with pytest.raises(PolicyError) as raised:
        api.loads("rule a：1 +\nrule b: （2")
    assert raised.value.codes == (
        "full-width-character",
        "missing-expression",
        "full-width-character",
        "unclosed-bracket",
    )


def test_repaired_policy_would_check() -> None:
    """The half-width text the screen gives is the policy the author meant."""
    source = Source("t", "param 目标: percent = ８０％\nrule 合格: max（1，２） >= 1")
    screened = characters.screen(source)
    assert len(screened.errors) == 6
    checker.check_text(screened.text)


def test_skeleton_maps_full_width_and_lookalikes_to_latin() -> None:
    """Confusable names have one skeleton; distinct names keep theirs."""
    assert characters.skeleton("ｉｎｃｏｍｅ") == characters.skeleton("іncome") == "income"
    assert characters.skeleton("Αge") == "Age"
    assert characters.skeleton("得分") == "得分"
    assert characters.scripts("tоtal") == ["Latin", "Cyrillic"]
    assert characters.scripts("村_rate2") == ["Han", "Latin"]


def test_no_policy_of_the_repository_draws_a_warning() -> None:
    """Real policies (Chinese, English and mixed names) give no false warning."""
    files = [p for p in (REPO / "policies").rglob("*.policy")]
    files += (
        [p for p in (REPO / "examples").rglob("*.policy")] if (REPO / "examples").exists() else []
    )
    # The tutorial's `mistakes/` policies hold the slips it teaches to read, on purpose.
    files = [p for p in files if "mistakes" not in p.parts]
    assert files
    for path in files:
        source = Source(str(path), _read(path))
        assert characters.name_warnings(source) == [], path
        assert characters.screen(source).errors == (), path


def test_warnings_do_not_stop_a_policy() -> None:
    """A policy with warnings loads and evaluates; the warnings are on `Policy.warnings`."""
    policy = api.loads("input ｘ: int\nrule y: ｘ + 1")
    assert [w.code for w in policy.warnings] == ["full-width-name"]
    assert policy.warnings[0].severity is Severity.WARNING
    assert policy.evaluate({"ｘ": 1})["y"] == 2


# ------------------------------------------------------------------------------------------
# The catalogue


def test_english_rendering_is_unchanged_by_the_catalogue() -> None:
    """`lang="en"` returns every text as the stage wrote it."""
    for english_text, _ in messages.PHRASES.values():
        assert messages.translate(english_text, "en") == english_text


def test_every_phrase_renders_its_own_template() -> None:
    """Each phrase, filled with sample values, comes out in Chinese with the values kept."""
    for key, (english_text, chinese) in messages.CATALOGUE.items():
        names = re.findall(r"\{(\w+)\}", english_text)
        fields = {name: f"v{index}" for index, name in enumerate(names)}
        message = messages.Message(key, **fields)
        assert message == english_text.format(**fields), key
        assert message.render("zh") == chinese.format(**fields), key


def test_fields_that_are_messages_are_rendered_in_turn() -> None:
    """A field that is itself a message (a term, a list) is rendered in the same language;
    a field that is the policy's text is not; a plain text is never translated."""
    expected = messages.listing(
        [messages.english("a name"), messages.english("a whole number"), "`)`"], "or"
    )
    message = messages.english(
        "expected-found", expected=expected, found=messages.english("the end of the file")
    )
    assert message == "expected a name, a whole number or `)`, found the end of the file"
    assert message.render("zh") == "应为名称、整数或`)`，实际是文件结尾"
    # The same English, written as a plain text, is not matched to a phrase any more.
    assert messages.render(str(message), "zh") == str(message)
    assert messages.render("an unknown sentence", "zh") == "an unknown sentence"


def test_counts_in_both_languages() -> None:
    """`1 error`, `2 warnings`; `1 个错误`."""
    assert messages.count(1, "error") == "1 error"
    assert messages.count(2, "warning") == "2 warnings"
    assert messages.count(3, "error", "zh") == "3 个错误"


# ------------------------------------------------------------------------------------------
# The command line


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_check_lang_zh_renders_errors_in_chinese() -> None:
    """`wuxin check --lang zh` prints the same diagnostics with Chinese fixed words."""
    path = str(GOLDEN / "zh" / "check_error.policy")
    code, _, err = _run("check", path, "--lang", "zh")
    assert code == 1
    assert "错误[unknown-name]: `单位` 没有字段 `得份`" in err
    assert "= 帮助: " in err
    assert err.rstrip().endswith("1 个策略中有 1 个有问题")
    code, _, english = _run("check", path)
    assert "error[unknown-name]: unknown field `得份` on `单位`" in english


def test_check_reports_warnings_without_failing() -> None:
    """Warnings are printed, and a policy with warnings only still passes `wuxin check`."""
    code, out, err = _run("check", str(GOLDEN / "names" / "full_width_name.policy"))
    assert code == 0
    assert "warning[full-width-name]" in err
    # Two name warnings, and the consistency check's: the rule `合计` cites nothing.
    assert "warning[uncited-rule]" in err
    assert out.strip() == "checked 1 policy: no errors, 3 warnings"
    code, out, _ = _run("check", str(GOLDEN / "names" / "chinese_names.policy"), "--lang", "zh")
    assert (code, out.strip()) == (0, "已检查 1 个策略：没有问题")


def test_eval_lang_zh_explains_in_chinese(tmp_path: Path) -> None:
    """`wuxin eval --explain --lang zh`: the explanation's fixed words are Chinese."""
    policy = tmp_path / "p.policy"
    policy.write_text(
        'input 得分: int "考核得分"\ncriterion 合格 "考核合格": 得分 >= 60\n', encoding="utf-8"
    )
    facts = tmp_path / "f.json"
    facts.write_text('{"得分": 55}', encoding="utf-8")
    code, out, _ = _run("eval", str(policy), str(facts), "--explain", "--lang", "zh")
    assert code == 0
    assert '合格 "考核合格" = false' in out and "差 5" in out
    code, out, _ = _run("eval", str(policy), str(facts), "--explain")
    assert "short by 5" in out


def test_eval_lang_zh_renders_fact_errors_in_chinese(tmp_path: Path) -> None:
    """A bad facts document is reported with Chinese fixed words."""
    policy = tmp_path / "p.policy"
    policy.write_text("input 得分: int\nrule r: 得分 + 1\n", encoding="utf-8")
    facts = tmp_path / "f.json"
    facts.write_text("{}", encoding="utf-8")
    code, _, err = _run("eval", str(policy), str(facts), "--lang", "zh")
    assert code == 1
    assert "错误[missing-fact]" in err


def test_lang_option_is_documented_and_checked() -> None:
    """`--lang` takes only the catalogue's languages."""
    code, _, err = _run("check", "x.policy", "--lang", "fr")
    assert code == 2 and "invalid choice" in err
    for command in ("check", "eval"):
        _, out, _ = _run(command, "--help")
        assert "--lang {en,zh}" in out


# ------------------------------------------------------------------------------------------
# Coverage of the catalogue


def _documented_diagnostics() -> list[tuple[str, Diagnostic]]:
    """The diagnostics of every checked example of docs/errors.md."""
    import json

    from test_errors_doc import _BLOCK, _examples, _sections
    from wuxin_rules import jsonio, suite_checker
    from wuxin_rules.errors import WuxinError

    found: list[tuple[str, Diagnostic]] = []
    sections = _sections()
    for code in _examples():
        blocks = [(info.strip(), text) for info, text in _BLOCK.findall(sections[code])]
        main = next(text for info, text in blocks if info == "policy")
        files = {info.split()[1]: text for info, text in blocks if info.startswith("policy ")}
        params = next((json.loads(text) for info, text in blocks if info == "params"), None)
        facts = next((text for info, text in blocks if info == "facts"), None)
        try:
            suite_checker.suite_from_text(main, "example.policy", files=files)
            policy = api.loads(main, name="example.policy", files=files, params=params)
            if facts is None:
                diagnostics = policy.warnings
                if CODES[code] == "consistency":
                    diagnostics = consistency.analyse(policy.checked, undecided=True)
            else:
                diagnostics = policy.evaluate(jsonio.loads(facts, file="f.json")).errors
        except WuxinError as error:
            diagnostics = error.diagnostics
        found.extend((code, d) for d in diagnostics)
    return found


_PROPER_NAMES = re.compile(r"\b(?:JSON|Python|IANA)\b")


def _is_english(text: str) -> bool:
    """Words of English outside backticks (what the policy wrote stays as it is), proper
    names (`JSON`, the `IANA` time-zone database) aside."""
    return bool(re.search(r"[A-Za-z]{3,}", _PROPER_NAMES.sub("", re.sub(r"`[^`]*`", "", text))))


def test_every_documented_diagnostic_reads_in_chinese() -> None:
    """Message, help, notes and labels of every example of docs/errors.md have a Chinese
    form in the catalogue (a new English wording fails here until its phrase is added)."""
    untranslated = []
    found = _documented_diagnostics()
    assert len(found) >= 80
    for code, diagnostic in found:
        texts = [diagnostic.message, diagnostic.help or "", *diagnostic.notes]
        texts += [label.text for label in diagnostic.labels]
        for text in texts:
            if text and _is_english(messages.translate(text, "zh")):
                untranslated.append((code, text))
    assert untranslated == []


def test_full_width_param_value_gets_the_half_width_fix() -> None:
    """`--param share=５０％` says which half-width value was meant."""
    with pytest.raises(ParamError) as raised:
        api.loads("param share: percent = 50%\nrule r: share", params={"share": "５０％"})
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.code == "bad-param"
    assert (
        diagnostic.help == "type the half-width `50%` instead (switch the input method to English)"
    )


def test_check_json_lists_warnings_of_a_policy_that_passes() -> None:
    """`wuxin check --format json`: an ok file carries its warnings, with their severity."""
    code, out, _ = _run("check", str(GOLDEN / "names" / "mixed_script.policy"), "--format", "json")
    assert code == 0
    (line,) = out.splitlines()
    data = json.loads(line)
    assert data["ok"] is True
    assert [(d["code"], d["severity"]) for d in data["diagnostics"]] == [
        ("mixed-script-name", "warning"),
        ("mixed-script-name", "warning"),
        ("uncited-rule", "warning"),  # the consistency check's
    ]


def test_syntax_errors_come_with_name_warnings() -> None:
    """A name typed in the wrong script is shown beside the syntax error it sits in."""
    with pytest.raises(PolicyError) as raised:
        api.loads("input tоtal: int\nrule r: tоtal +")
    assert raised.value.codes == ("mixed-script-name", "missing-expression")
    assert str(raised.value).endswith("1 error and 1 warning")
    assert raised.value.render("zh").endswith("1 个错误，1 个警告")


def test_a_file_typed_in_full_width_stops_after_the_limit() -> None:
    """Hundreds of full-width commas give the first errors and a note, not a flood."""
    from wuxin_rules.parser import MAX_SYNTAX_ERRORS

    text = "rule r: [" + "，".join("1" for _ in range(200)) + "]"
    with pytest.raises(PolicyError) as raised:
        api.loads(text)
    codes = raised.value.codes
    assert codes[-1] == "too-many-errors"
    assert codes[:-1] == ("full-width-character",) * MAX_SYNTAX_ERRORS


# ------------------------------------------------------------------------------------------
# Diagnostics of the commands, documented without a checked example


def test_check_lang_zh_renders_consistency_warnings_in_chinese(tmp_path: Path) -> None:
    """The consistency warnings of `wuxin check --lang zh` have no English left in them."""
    (tmp_path / "marks.policy").write_text(
        'policy marks\nparam pass_mark: int = 60 cites "§1"\nparam fail_mark: int = 40 cites "§1"\n',
        encoding="utf-8",
    )
    policy = tmp_path / "p.policy"
    policy.write_text(
        "import marks (pass_mark, fail_mark)\n"
        "input score: int 0 .. 100\n"
        "input age: int >= 0\n"
        "record Unused:\n"
        "  x: int\n"
        'rule grade cites "§3": if score > 100 then "over" else "ok"\n'
        'criterion passed cites "§2": score >= pass_mark\n'
        "criterion bare: score >= 50\n",
        encoding="utf-8",
    )
    code, out, err = _run("check", str(policy), "--lang", "zh")
    assert code == 0
    assert "警告[unused-import]: `fail_mark`被导入但从未使用" in err
    assert "= 帮助: 请从导入中删除 `fail_mark`" in err
    assert "警告[unused-input]: 输入 `age` 从未被读取" in err
    assert "警告[unused-declaration]: 记录 `Unused` 从未被使用" in err
    assert "警告[unreachable-branch]: 这个 `then` 分支永远不会执行" in err
    assert "警告[uncited-rule]: 标准 `bare`的解释不会引用任何条文" in err
    assert out.strip() == "已检查 1 个策略：没有错误，5 个警告"
    texts = [
        re.sub(r"^.*?\]: |^   = [^:]*: ", "", line)
        for line in err.splitlines()
        if "]: " in line or line.startswith("   = 注") or line.startswith("   = 帮助")
    ]
    assert len(texts) == 12  # 5 messages, 5 helps, 2 notes
    assert [text for text in texts if _is_english(text)] == []


def test_doc_unwritable_file_reads_in_chinese(tmp_path: Path) -> None:
    """`wuxin doc --output-dir` under a file: `unwritable-file`, in the language asked for."""
    policy = tmp_path / "p.policy"
    policy.write_text('input score: int >= 0\ncriterion passed cites "§1": score >= 60\n')
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    code, _, err = _run("doc", str(policy), "--output-dir", str(blocker / "out"), "--lang", "zh")
    assert code == 2
    assert f"错误[unwritable-file]: 无法写入 `{blocker / 'out'}" in err
    assert "= 帮助: 请检查文件夹是否存在且可写" in err


def test_verify_without_hypothesis_says_so_in_both_languages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`wuxin verify` where hypothesis cannot be imported: `missing-dependency`, a usage error."""
    import sys

    import wuxin_rules

    monkeypatch.setitem(sys.modules, "wuxin_rules.verify", None)
    monkeypatch.delattr(wuxin_rules, "verify", raising=False)
    policy = tmp_path / "p.policy"
    policy.write_text('input score: int >= 0\ncriterion passed cites "§1": score >= 60\n')
    code, _, err = _run("verify", str(policy))
    assert code == 2
    header, help_line = err.strip().splitlines()
    assert header.startswith("error[missing-dependency]: `wuxin verify` needs hypothesis")
    assert help_line == "   = help: install it: `pip install 'wuxin_rules[verify]'`"
    reason = header.split("imported: ", 1)[1]
    code, _, err = _run("verify", "--lang", "zh", str(policy))
    assert code == 2
    header, help_line = err.strip().splitlines()
    assert (
        header
        == f"错误[missing-dependency]: `wuxin verify` 需要 hypothesis 库，但无法导入：{reason}"
    )
    assert help_line == "   = 帮助: 请安装它：`pip install 'wuxin_rules[verify]'`"


def test_format_changed_policy_reads_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """The formatter's own check failing (forced here) gives `format-changed-policy`, whose
    message and help the catalogue translates."""
    from wuxin_rules import formatter
    from wuxin_rules.errors import InternalError

    monkeypatch.setattr(formatter, "_same_tree", lambda left, right: False)
    with pytest.raises(InternalError) as raised:
        formatter.format_text("rule r: 1\n", "p.policy")
    assert raised.value.codes == ("format-changed-policy",)
    chinese = raised.value.render("zh")
    assert chinese.startswith("错误[format-changed-policy]: 格式化会改变")
    assert "的含义；`p.policy` 保持原样" in chinese
    assert chinese.endswith("= 帮助: 这是 `wuxin fmt` 的缺陷：请连同策略一起报告")
    assert not _is_english(chinese.replace("format-changed-policy", ""))


_TWO_PARAMS = (
    "input score: int >= 0\nparam pass_mark: int = 60\nparam top: int = 90\n"
    'criterion passed cites "§1": score >= pass_mark\n'
)


def test_unknown_param_and_rule_list_what_there_is_in_chinese(tmp_path: Path) -> None:
    """`--param` and `--rule` naming nothing close: the help lists the params or the rules,
    with Chinese fixed words (it was `params: …` and `rules: …` in Chinese output)."""
    policy = tmp_path / "p.policy"
    policy.write_text(_TWO_PARAMS)
    facts = tmp_path / "f.json"
    facts.write_text('{"score": 70}')
    code, _, err = _run("eval", str(policy), str(facts), "--param", "zzz=1", "--lang", "zh")
    assert code == 1
    assert "= 帮助: 参数有 `pass_mark`, `top`" in err
    assert not _is_english(err.replace("unknown-param", ""))
    code, _, err = _run("eval", str(policy), str(facts), "--rule", "zzz", "--lang", "zh")
    assert "= 帮助: 规则有 `passed`" in err
    assert not _is_english(err.replace("unknown-rule", ""))
    _, _, err = _run("eval", str(policy), str(facts), "--param", "zzz=1")
    assert "= help: params: `pass_mark`, `top`" in err


def test_unknown_verdict_and_mode_list_what_there_is_in_chinese() -> None:
    """`Result.verdict` of a rule not evaluated and an unknown explanation mode: the help
    lists what there is, with Chinese fixed words."""
    from wuxin_rules.errors import UsageError

    result = api.loads(_TWO_PARAMS, name="p.policy").evaluate({"score": 70})
    with pytest.raises(UsageError) as raised:
        result.verdict("zzz")
    assert raised.value.diagnostics[0].help == "evaluated: `passed`"
    assert "= 帮助: 已求值的规则：`passed`" in raised.value.render("zh")
    with pytest.raises(UsageError) as raised:
        result.explain(mode="zzz")
    assert raised.value.diagnostics[0].help == "modes: `decisive`, `full`, `failed`"
    assert not _is_english(raised.value.render("zh").replace("unknown-mode", ""))


def test_usage_errors_help_in_the_language_asked_for(tmp_path: Path) -> None:
    """A command line argparse refuses: the help that points to `--help` follows `--lang`,
    given before or after the error, as `--lang zh` or `--lang=zh`."""
    policy = tmp_path / "p.policy"
    policy.write_text(_TWO_PARAMS)
    for argv in (["--lang", "zh"], ["--lang=zh"]):
        code, _, err = _run("eval", *argv, str(policy))
        assert code == 2
        assert err.startswith("错误[usage]: ")
        assert "= 帮助: 运行 `wuxin eval --help` 查看可用的选项" in err
    code, _, err = _run("eval", str(policy))
    assert err.startswith("error[usage]: ")
    assert "= help: run `wuxin eval --help` for the options" in err


def test_a_facts_file_without_documents_warns_in_chinese(tmp_path: Path) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text(_TWO_PARAMS)
    facts = tmp_path / "empty.jsonl"
    facts.write_text("")
    for extra in ([], ["--format", "csv"], ["--format", "md"]):
        _, _, err = _run("eval", str(policy), str(facts), *extra, "--lang", "zh")
        assert err == f"警告: `{facts}` 中没有事实文档\n"
        _, _, err = _run("eval", str(policy), str(facts), *extra)
        assert err == f"warning: `{facts}` holds no facts document\n"


def test_an_internal_error_is_announced_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "_check", broken)
    code, _, err = _run("check", "x.policy", "--lang", "zh")
    assert code == 3
    assert err.startswith("内部错误：wuxin_rules 意外出错；请连同引起错误的输入一起报告。\n")
    code, _, err = _run("check", "x.policy")
    assert err.startswith(
        "internal error: wuxin_rules failed unexpectedly; please report this with the input "
        "that caused it.\n"
    )


@pytest.mark.parametrize(
    ("value", "english", "chinese"),
    [
        ("2015-02-30", "day is out of range for month", "日期超出了该月的天数"),
        ("2015-13-01", "month must be in 1..12", "月份应在 1..12 之间"),
        ("0000-01-01", "year 0 is out of range", "年份 0 超出范围"),
        ("2015/03/31", 'write dates as text `"YYYY-MM-DD"`, for example `"2015-03-31"`', ""),
    ],
)
def test_a_date_off_the_calendar_says_why_in_chinese(
    value: str, english: str, chinese: str
) -> None:
    """The help of `invalid-date` is the catalogue's (it was Python's own English)."""
    from wuxin_rules.errors import FactError

    policy = api.loads("input d: date\nrule r: d\n", name="p.policy")
    with pytest.raises(FactError) as raised:
        policy.evaluate({"d": value})
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.help == english
    rendered = raised.value.render("zh")
    assert chinese in rendered
    assert not _is_english(rendered.replace("invalid-date", ""))


def test_calling_what_is_not_a_function_helps_in_chinese() -> None:
    with pytest.raises(PolicyError) as raised:
        api.loads("input a: int\nrule r: a(1)\n", name="p.policy")
    assert raised.value.render("zh").endswith(
        "= 帮助: 只有带参数的规则、计划表、分档和内置函数可以调用"
    )


# ------------------------------------------------------------------------------------------
# Why the system refused a file: the catalogue's words for the common errno values


def _policy(tmp_path: Path) -> Path:
    policy = tmp_path / "p.policy"
    policy.write_text('input score: int >= 0\ncriterion passed cites "§1": score >= 60\n')
    return policy


def test_a_missing_facts_file_says_why_in_chinese(tmp_path: Path) -> None:
    """`wuxin eval P nosuch.json --lang zh`: the system's reason from the catalogue (it was
    the system's English); in English it is the system's words, lower-cased, as before."""
    policy, facts = _policy(tmp_path), tmp_path / "nosuch.json"
    code, _, err = _run("eval", str(policy), str(facts), "--lang", "zh")
    assert code == 2
    assert f"无法读取事实文件 `{facts}`：文件或文件夹不存在" in err
    assert not _is_english(err.splitlines()[0].partition("]: ")[2])
    code, _, err = _run("eval", str(policy), str(facts))
    assert f"cannot read the facts file `{facts}`: no such file or directory" in err


def test_a_missing_table_says_why_in_chinese(tmp_path: Path) -> None:
    """A table of facts that cannot be read: capitalised in English as the system writes
    it (as before), Chinese under `--lang zh`."""
    policy, facts = _policy(tmp_path), tmp_path / "nosuch.csv"
    code, _, err = _run("eval", str(policy), str(facts), "--lang", "zh")
    assert code == 2
    assert f"无法读取 `{facts}`：文件或文件夹不存在" in err
    _, _, err = _run("eval", str(policy), str(facts))
    assert f"cannot read `{facts}`: No such file or directory" in err


def test_an_unwritable_output_says_why_in_chinese(tmp_path: Path) -> None:
    """`wuxin doc --output-dir` under a file: `Not a directory` (as the system writes it)
    in English, the catalogue's Chinese under `--lang zh`."""
    policy = _policy(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    out = blocker / "out"
    _, _, err = _run("doc", str(policy), "--output-dir", str(out), "--lang", "zh")
    assert f"无法写入 `{out / 'p.zh.md'}`：路径中有一段不是文件夹" in err
    _, _, err = _run("doc", str(policy), "--output-dir", str(out), "--lang", "en")
    assert f"cannot write `{out / 'p.en.md'}`: Not a directory" in err


def test_an_unreadable_policy_file_says_why_in_chinese(tmp_path: Path) -> None:
    """A policy path under a file (`main.policy/x.policy`): `not a directory`."""
    main = _policy(tmp_path)
    with pytest.raises(UsageError) as caught:
        loader.load_modules(main / "x.policy")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.message == f"cannot read `{main / 'x.policy'}`: not a directory"
    assert f"无法读取 `{main / 'x.policy'}`：路径中有一段不是文件夹" in diagnostic.render("zh")


@pytest.mark.parametrize(
    ("error", "shown", "en", "zh"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "permission denied",
         "permission denied", "没有权限"),
        (PermissionError(errno.EACCES, "Permission denied"), "Permission denied",
         "Permission denied", "没有权限"),
        (OSError(errno.ENOSPC, "No space left on device"), "No space left on device",
         "No space left on device", "磁盘空间不足"),
        (IsADirectoryError(errno.EISDIR, "Is a directory"), "is a directory",
         "is a directory", "这是一个文件夹"),
        (OSError(errno.ESTALE, "Stale file handle"), "stale file handle",
         "stale file handle", "系统报错（stale file handle）"),
        (csv.Error("line contains NUL"), "line contains NUL",
         "line contains NUL", "读取时出错（line contains NUL）"),
    ],
)  # fmt: skip
def test_os_reason_keys_common_errno_values(
    error: BaseException, shown: str, en: str, zh: str
) -> None:
    """A common errno is the catalogue's phrase, in the case the caller shows; any other
    error keeps the words it was given inside a keyed frame (English unchanged)."""
    reason = os_reason(error, shown)
    assert isinstance(reason, messages.Message)
    assert reason == en
    assert messages.render(reason, "zh") == zh


# ------------------------------------------------------------------------------------------
# A row of a CSV table: `row 2`, `第 2 行`


def test_a_csv_row_is_named_in_chinese(tmp_path: Path) -> None:
    """A CSV table has no sheet name, so a row is `row N` (it was a plain English text):
    `第 N 行` under `--lang zh`, for a header problem and for a document's heading."""
    policy = _policy(tmp_path)
    facts = tmp_path / "facts.csv"
    facts.write_text("other\n1\n", encoding="utf-8")
    code, _, err = _run("eval", str(policy), str(facts), "--lang", "zh")
    assert code == 1
    assert f"{facts}: 第 1 行: 错误[missing-column]" in err
    _, _, err = _run("eval", str(policy), str(facts))
    assert f"{facts}: row 1: error[missing-column]" in err
    facts.write_text("score\n70\n", encoding="utf-8")
    code, out, _ = _run("eval", str(policy), str(facts), "--lang", "zh")
    assert code == 0
    assert out.startswith(f"# {facts}: 第 2 行\n")
    _, out, _ = _run("eval", str(policy), str(facts))
    assert out.startswith(f"# {facts}: row 2\n")


# ------------------------------------------------------------------------------------------
# argparse's own words: usage errors under --lang zh


@pytest.mark.parametrize(
    ("argv", "chinese", "english_text"),
    [
        (["eval"], "缺少以下必需的参数：POLICY, FACTS",
         "the following arguments are required: POLICY, FACTS"),
        (["eval", "p.policy"], "缺少以下必需的参数：FACTS",
         "the following arguments are required: FACTS"),
        (["eval", "p", "f", "--format", "foo"], "参数 --format：无效的选择：'foo'（可选：'text'",
         "argument --format: invalid choice: 'foo' (choose from 'text'"),
        (["eval", "p", "f", "--bogus"], "无法识别的参数：--bogus",
         "unrecognized arguments: --bogus"),
        (["eval", "p", "f", "--rule"], "参数 --rule：需要一个值",
         "argument --rule: expected one argument"),
        (["eval", "p", "f", "--jobs", "y"], "参数 --jobs：无效的 int 值：'y'",
         "argument --jobs: invalid int value: 'y'"),
        (["verify", "p", "--max-examples", "0"], "参数 --max-examples：应不小于 1，实际是 `0`",
         "argument --max-examples: expected at least 1, found `0`"),
        (["verify", "p", "--max-examples", "x"], "参数 --max-examples：应为整数，实际是 `x`",
         "argument --max-examples: expected a whole number, found `x`"),
    ],
)  # fmt: skip
def test_usage_errors_read_in_chinese(argv: list[str], chinese: str, english_text: str) -> None:
    """argparse's own messages (looked up through gettext) come from the catalogue under
    `--lang zh`; without it they are argparse's English, unchanged."""
    code, _, err = _run(*argv, "--lang", "zh")
    assert code == 2
    assert err.startswith(f"错误[usage]: {chinese}")
    code, _, err = _run(*argv)
    assert code == 2
    assert err.startswith(f"error[usage]: {english_text}")


def test_a_mistyped_command_is_suggested_in_chinese() -> None:
    """`wuxin evl --lang zh`: the invalid choice in Chinese, and still `did you mean`."""
    _, _, err = _run("evl", "--lang", "zh")
    assert err.startswith("错误[usage]: 参数 COMMAND：无效的选择：'evl'")
    assert "= 帮助: 是不是 `eval`？" in err


def test_help_says_usage_in_chinese() -> None:
    """`--help --lang zh`: argparse's headings (`usage:`, `options`) from the catalogue."""
    code, out, _ = _run("eval", "--help", "--lang", "zh")
    assert code == 0
    assert out.startswith("用法：wuxin eval")
    assert "\n选项:\n" in out
    _, out, _ = _run("eval", "--help")
    assert out.startswith("usage: wuxin eval")


def test_argparse_words_are_put_back_after_each_run() -> None:
    """The Chinese lookups are installed only while `cli.main` reads its command line: after
    a usage error, `--help` or a run, argparse speaks English again (no leak between calls
    in one process)."""
    import argparse
    import gettext

    for argv in (["eval", "--lang", "zh"], ["eval", "--help", "--lang", "zh"]):
        _run(*argv)
        assert vars(argparse)["_"] is gettext.gettext
        assert vars(argparse)["ngettext"] is gettext.ngettext
        assert cli._READING_LANG.get() == "en"
    parser = argparse.ArgumentParser(prog="x", exit_on_error=False)
    parser.add_argument("n", type=int)
    with pytest.raises(argparse.ArgumentError, match="invalid int value"):
        parser.parse_args(["y"])
