"""The one catalogue of fixed words, phrases and terms, in English and Chinese.

Owns the message catalogue: the frame words every rendering uses (`error`/`错误`,
`help`/`帮助`, the closing count), the phrases the stages write (`short by {amount}`,
`unknown name {name}`, …) and the terms that fill their fields (`a whole number`), each with
its Chinese form. Imports nothing from the package: every module may use it.

A message is data: a key and its fields. A stage writes `english(key, **fields)`, a `Message`:
a `str` whose text is the English rendering and which carries `.key` and `.fields`. A
renderer calls `render(text, lang)`: a `Message` is rendered from its key in `CATALOGUE`, its
fields in turn when they are messages (a term, a `listing()`), as they are when they are the
policy's words (names, labels, citations, values). Any other text is shown as it is: nothing
is translated by matching English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "CATALOGUE",
    "DOCUMENT_WORDS",
    "LANGUAGES",
    "PHRASES",
    "TERMS",
    "WORDS",
    "Message",
    "count",
    "english",
    "listing",
    "render",
    "term",
    "translate",
    "word",
    "words_in",
]

LANGUAGES = ("en", "zh")
"""The languages of the fixed words: English (the default) and Chinese."""

WORDS: Mapping[str, tuple[str, str]] = {
    # Diagnostic frames.
    "error": ("error", "错误"),
    "warning": ("warning", "警告"),
    "note": ("note", "注"),
    "help": ("help", "帮助"),
    "count.and": ("{first} and {second}", "{first}，{second}"),
    # `wuxin check`.
    "check.problems": (
        "{failed} of {count} {noun} {verb} problems",
        "{count} 个策略中有 {failed} 个有问题",
    ),
    "check.strict": (" (warnings are errors with --strict)", "（--strict 下警告按错误处理）"),
    "check.ok": ("checked {count} {noun}: no problems", "已检查 {count} 个策略：没有问题"),
    "check.warnings": (
        "checked {count} {noun}: no errors, {warnings}",
        "已检查 {count} 个策略：没有错误，{warnings}",
    ),
    # `wuxin test` and `wuxin verify`.
    "test.summary": (
        "{examples}: {passed} passed, {failed} failed",
        "{count} 个示例：{passed} 个通过，{failed} 个未通过",
    ),
    "test.none": ("no examples found", "没有找到示例"),
    "run.broken": ("; {policies} could not be loaded", "；{count} 个策略无法加载"),
    "run.matching": (" matching `{match}`", "（匹配 `{match}`）"),
    "verify.header": (
        "verifying with seed {seed}, up to {cases} cases per property",
        "以种子 {seed} 验证，每条性质最多 {cases} 个用例",
    ),
    "verify.summary": (
        "{properties}: {held} held, {failed} failed",
        "{count} 条性质：{held} 条成立，{failed} 条不成立",
    ),
    "verify.unsatisfied": (", {count} never met their condition", "，{count} 条的条件从未满足"),
    "verify.seed": (
        " (seed {seed}; repeat with --seed {seed})",
        "（种子 {seed}；用 --seed {seed} 可重现）",
    ),
    "verify.none": ("no properties found", "没有找到性质"),
    # Explanations.
    "explain.more": ("… and {count} more", "…… 另有 {count} 项"),
    "explain.comma": (", ", "，"),
    "explain.should-be": ("should be", "应为"),
    "explain.should-not-be": ("should not be", "不应为"),
    "explain.should-be-below": ("should be below", "应低于"),
    "explain.should-be-at-most": ("should be at most", "应不高于"),
    "explain.should-be-above": ("should be above", "应高于"),
    "explain.should-be-at-least": ("should be at least", "应不低于"),
    "explain.more-counted": ("… and {count} more: {detail}", "…… 另有 {count} 项：{detail}"),
    "explain.drawn": ("drawn", "抽中"),
    # Results in a notebook (`Result._repr_html_`).
    "notebook.rule": ("rule", "规则"),
    "notebook.label": ("label", "名称"),
    "notebook.value": ("value", "结果"),
    "notebook.cites": ("cites", "依据"),
    "notebook.why": ("why", "理由"),
    # What is still missing (`Policy.evaluate(…, partial=True)`, `wuxin eval --partial`).
    "partial.pending": ("pending: needs {facts}", "待定：尚缺 {facts}"),
    # What must change (`Result.to_pass`, `wuxin eval --to-pass`).
    "to_pass.==": ("is {value}", "为 {value}"),
    "to_pass.!=": ("is not {value}", "不为 {value}"),
    "to_pass.<": ("is below {value}", "低于 {value}"),
    "to_pass.<=": ("is at most {value}", "不高于 {value}"),
    "to_pass.>": ("is above {value}", "高于 {value}"),
    "to_pass.>=": ("is at least {value}", "不低于 {value}"),
    "to_pass.in": ("is one of {value}", "为 {value} 之一"),
    "to_pass.not in": ("is none of {value}", "不为 {value} 中的任何一个"),
    "to_pass.date<": ("is before {value}", "早于 {value}"),
    "to_pass.date<=": ("is on or before {value}", "不晚于 {value}"),
    "to_pass.date>": ("is after {value}", "晚于 {value}"),
    "to_pass.date>=": ("is on or after {value}", "不早于 {value}"),
    "to_pass.true": ("true", "是"),
    "to_pass.false": ("false", "否"),
    "to_pass.nothing": ("none", "空"),
    "to_pass.change": ("{fact} {condition} (now {now})", "{fact} {condition}（现为 {now}）"),
    "to_pass.both": (" and ", "且"),
    "to_pass.and": (", and ", "，且 "),
    "to_pass.if": ("If {changes}, ", "若 {changes}，"),
    "to_pass.then_true": ("{rule} would be true.", "则可评为{rule}"),
    "to_pass.then_false": ("{rule} would be false.", "则不再评为{rule}"),
    "to_pass.or": ("Or: {sentence}", "或者：{sentence}"),
    "to_pass.already_true": ("{rule} is already true.", "“{rule}”已经成立"),
    "to_pass.already_false": ("{rule} is already false.", "“{rule}”已经不成立"),
    "to_pass.none_true": (
        "No change of the facts was found that makes {rule} true (facts marked fixed are not "
        "changed).",
        "没有找到能使“{rule}”成立的事实改动（标为 fixed 的事实不改动）",
    ),
    "to_pass.none_false": (
        "No change of the facts was found that makes {rule} false (facts marked fixed are not "
        "changed).",
        "没有找到能使“{rule}”不成立的事实改动（标为 fixed 的事实不改动）",
    ),
    # Tables of facts and results (`wuxin eval --format csv|xlsx`, `wuxin template`).
    "failed-criteria": ("failed criteria", "未满足的条件"),
    "reason": ("reason", "原因"),
    "fails": ("fails:", "未满足："),
    "template.notes": ("# notes", "# 说明"),
}
"""Frame words by key: `(English, Chinese)`; `{fields}` are filled in by `word()`."""

# Words of documents and notices (`wuxin doc`, `wuxin eval --format html|md`) and of the
# notation their rule texts are written in: `doc.*`, `notice.*`, `notation.*`.
DOCUMENT_WORDS: Mapping[str, tuple[str, str]] = {
    "doc.module": ("Module", "模块"),
    "doc.source": ("Source", "依据"),
    "doc.cites": ("Clauses", "条款"),
    "doc.file": ("File", "文件"),
    "doc.about": ("About", "说明"),
    "doc.inputs": ("Inputs", "输入"),
    "doc.records": ("Records", "数据结构"),
    "doc.enums": ("Enumerations", "枚举"),
    "doc.params": ("Parameters", "参数"),
    "doc.schedules": ("Schedules", "时间表"),
    "doc.bands": ("Bands", "等级划分"),
    "doc.rules": ("Criteria and rules", "标准与规则"),
    "doc.examples": ("Examples", "示例"),
    "doc.properties": ("Properties", "性质"),
    "doc.notation": ("Notation", "记号说明"),
    "doc.signoff": ("Sign-off", "审定"),
    "doc.name": ("Name", "名称"),
    "doc.label": ("Meaning", "含义"),
    "doc.type": ("Type", "类型"),
    "doc.value": ("Value", "取值"),
    "doc.note": ("Note", "备注"),
    "doc.field": ("Field", "字段"),
    "doc.member": ("Member", "成员"),
    "doc.fields": ("Fields", "字段"),
    "doc.stage": ("Stage", "阶段"),
    "doc.dates": ("Dates", "起止日期"),
    "doc.grade": ("Grade", "等级"),
    "doc.range": ("Range", "范围"),
    "doc.over": ("Domain", "适用范围"),
    "doc.criterion": ("Criterion", "标准"),
    "doc.rule": ("Rule", "规则"),
    "doc.result": ("Result", "结果类型"),
    "doc.uses": ("Uses", "引用"),
    "doc.exception": ("Exception", "例外"),
    "doc.overrides": ("Overrides", "优先于"),
    "doc.exception-when": ("Applies when", "适用条件"),
    "doc.exception-then": ("Value", "取值"),
    "doc.interpretation": ("Interpretation", "解释"),
    "doc.monotone": ("Monotone", "单调性"),
    "doc.nondecreasing": ("every column is nondecreasing in {p}", "各列随 {p} 不减"),
    "doc.nonincreasing": ("every column is nonincreasing in {p}", "各列随 {p} 不增"),
    "doc.illustrative": ("illustrative", "示例值"),
    "doc.illustrative legend": (
        "Values marked “illustrative” are examples, not figures given by the source; they can be replaced when the policy is loaded (`--param NAME=VALUE`) without editing the file.",
        "标有“示例值”的参数不是依据文件给出的数值，而是示例；可在加载政策时替换（`--param 名称=值`），无须修改政策文件。",
    ),
    "doc.given": ("Given", "给定"),
    "doc.expect": ("Expected", "预期"),
    "doc.fixture": ("Fixture", "共用数据"),
    "doc.forall": ("for all", "对任意"),
    "doc.where": ("where", "若"),
    "doc.holds": ("holds", "则成立"),
    "doc.until": ("until", "至"),
    "doc.from to": ("{a} to {b}", "{a} 至 {b}"),
    "doc.from on": ("from {a}", "{a} 起"),
    "doc.in force": ("In force", "生效日期"),
    "doc.no rows": ("(no values in this stage)", "（本阶段无数值）"),
    "doc.input of": ("input {n}", "输入 {n}"),
    "doc.none cell": ("—", "—"),
    "doc.reviewed by": ("Reviewed by", "审核人"),
    "doc.approved by": ("Approved by", "批准人"),
    "doc.date": ("Date", "日期"),
    "doc.generated": (
        "Generated by wuxin doc from {f}; the policy file is authoritative.",
        "本文件由 wuxin doc 根据 {f} 生成；规则的内容以政策文件为准。",
    ),
    "doc.imported": ("from {m}", "来自 {m}"),
    "doc.spread": ("the other fields as in {b}", "其余字段同 {b}"),
    "doc.colon": (": ", "："),
    "doc.paren": (" ({x})", "（{x}）"),
    "doc.bullet": ("• ", "・"),
    "doc.hole": ("no grade (none)", "不定等级（结果为 none）"),
    "doc.decisions": ("Decision tables", "决策表"),
    "doc.hit": ("Hit policy", "命中策略"),
    "doc.row": ("Row", "行"),
    "doc.else row": ("otherwise", "其他情况"),
    "notice.notice": ("Decision notice", "评定决定书"),
    "notice.report": ("Report", "评定汇总"),
    "notice.facts": ("Facts", "事实文件"),
    "notice.policy": ("Policy", "评定依据"),
    "notice.version": ("version", "版本"),
    "notice.date": ("Date", "日期"),
    "notice.decision": ("Decision", "评定结论"),
    "notice.standards": ("Standards", "各项标准"),
    "notice.margins": ("Margins", "差距"),
    "notice.to pass": ("What must change", "如何才能达到"),
    "notice.other": ("Other results", "其他结果"),
    "notice.signoff": ("Sign-off", "签发"),
    "notice.rule": ("Rule", "规则"),
    "notice.label": ("Label", "名称"),
    "notice.value": ("Value", "结果"),
    "notice.cites": ("Cites", "依据"),
    "notice.count": ("Count", "数量"),
    "notice.met": ("met", "达到"),
    "notice.not met": ("not met", "未达到"),
    "notice.error": ("not decided", "无法评定"),
    "notice.assessed by": ("Assessed by", "评定人"),
    "notice.approved by": ("Approved by", "审批人"),
    "notice.seal": (" (seal)", "（盖章）"),
    "notice.now": (" (now {value})", "（现为 {value}）"),
    "notice.documents": ("{n} documents", "共 {n} 份"),
    "notice.rejected": ("facts rejected, not assessed", "事实不合要求，未评定"),
    "notice.pending": ("pending", "待定"),
    "notice.summary": ("Results", "结果统计"),
    "notice.generated": (
        "Generated by wuxin from {f}; every result can be checked with wuxin eval --explain.",
        "本决定书由 wuxin 根据 {f} 生成，各项结果可由 wuxin eval --explain 复核。",
    ),
    "notation.and": ("and", "且"),
    "notation.or": ("or", "或"),
    "notation.not": ("not", "并非"),
    "notation.if": ("if", "如果"),
    "notation.then": ("then", "则"),
    "notation.else": ("else", "否则"),
    "notation.in": ("in", "属于"),
    "notation.not in": ("not in", "不属于"),
    "notation.is none": ("is none", "无值"),
    "notation.is not none": ("is not none", "有值"),
    "notation.match": ("match", "按"),
    "notation.case": ("case", "为"),
    "notation.arm": ("=>", "时取"),
    "notation.is member": ("is", "是"),
    "notation.is not member": ("is not", "不是"),
    "notation.true": ("true", "是"),
    "notation.false": ("false", "否"),
    "notation.none": ("none", "无值"),
    "notation.all of": ("all of", "全部成立"),
    "notation.any of": ("any of", "任一成立"),
    "notation.at least": ("at least {n} of", "至少 {n} 项成立"),
    "notation.count": ("count of", "计数"),
    "notation.sum": ("sum of", "求和"),
    "notation.min": ("min of", "最小值"),
    "notation.max": ("max of", "最大值"),
    "notation.all": ("all of", "全部满足"),
    "notation.any": ("any of", "任一满足"),
    "notation.rate": ("rate of", "比例"),
    "notation.list": ("list of", "列出"),
    "notation.agg in": ("in", "∈"),
    "notation.where": ("where", "满足"),
    "notation.body": (":", "："),
    "notation.int": ("whole number", "整数"),
    "notation.decimal": ("number", "数值"),
    "notation.percent": ("percentage", "百分比"),
    "notation.money": ("amount (2 places)", "金额（两位小数）"),
    "notation.scaled": ("number ({n} places)", "数值（{n} 位小数）"),
    "notation.bool": ("yes/no", "是/否"),
    "notation.text": ("text", "文本"),
    "notation.date": ("date", "日期"),
    "notation.duration": ("duration", "时长"),
    "notation.datetime": ("date-time", "日期时间"),
    "notation.time": ("time of day", "时刻"),
    "notation.list of": ("list of {t}", "{t}的列表"),
    "notation.optional": ("{t} (may be absent)", "{t}（可为空）"),
    "notation.at least n": ("≥ {n}", "≥ {n}"),
    "notation.more than n": ("> {n}", "> {n}"),
    "notation.at most n": ("≤ {n}", "≤ {n}"),
    "notation.less than n": ("< {n}", "< {n}"),
    "notation.range": ("{a} to {b}", "{a} 至 {b}"),
    "notation.range open": ("{a} to {b} ({b} excluded)", "{a} 至 {b}（不含 {b}）"),
    "notation.bounded": ("{t}, {b}", "{t}，{b}"),
    "notation.call ancestors": (
        "(the records of {items} above {start} by {link}, key {key})",
        "（{items} 中 {start} 沿 {link} 向上的各级，键 {key}）",
    ),
    "notation.call reachable": (
        "(the records of {items} reached from {start} by {link}, key {key})",
        "（{items} 中从 {start} 经 {link} 可到达的全部，键 {key}）",
    ),
    "doc.notation.0.sign": ("= ≠ < ≤ > ≥", "= ≠ < ≤ > ≥"),
    "doc.notation.0.meaning": (
        "equal, not equal, less than, at most, more than, at least",
        "等于、不等于、小于、不大于、大于、不小于",
    ),
    "doc.notation.1.sign": ("+ − × ÷", "+ − × ÷"),
    "doc.notation.1.meaning": (
        "add, subtract, multiply, divide (exact, never rounded)",
        "加、减、乘、除（精确计算，不舍入）",
    ),
    "doc.notation.2.sign": ("and / or / not", "且 / 或 / 并非"),
    "doc.notation.2.meaning": (
        "both hold / at least one holds / does not hold",
        "两者都成立 / 至少一个成立 / 不成立",
    ),
    "doc.notation.3.sign": (
        "all of [...] / any of [...] / at least N of [...]",
        "全部成立 [...] / 任一成立 [...] / 至少 N 项成立 [...]",
    ),
    "doc.notation.3.meaning": (
        "every / one / N or more of the listed conditions hold",
        "列出的条件全部 / 至少一个 / 至少 N 个成立",
    ),
    "doc.notation.4.sign": ("if A then B else C", "如果 A 则 B 否则 C"),
    "doc.notation.4.meaning": ("B when A holds, otherwise C", "A 成立时取 B，否则取 C"),
    "doc.notation.5.sign": ("x in [...]", "x 属于 [...]"),
    "doc.notation.5.meaning": ("x is one of the listed values", "x 是所列值之一"),
    "doc.notation.6.sign": ("x is none / x is not none", "x 无值 / x 有值"),
    "doc.notation.6.meaning": ("x is absent / x is present", "x 缺失（为空） / x 不缺失"),
    "doc.notation.7.sign": ("a ?? b", "a ?? b"),
    "doc.notation.7.meaning": ("a when it is present, otherwise b", "a 有值时取 a，无值时取 b"),
    "doc.notation.8.sign": (
        "count / sum / min / max / rate / list of x in L where F : B",
        "计数 / 求和 / 最小值 / 最大值 / 比例 / 列出 x ∈ L 满足 F：B",
    ),
    "doc.notation.8.meaning": (
        "over each x of the list L for which F holds: how many / the total of B / the least or greatest B / the share for which B holds / the list of B",
        "对列表 L 中满足条件 F 的每个 x：计数 / 对 B 求和 / 取 B 的最小值 / 最大值 / B 成立的比例 / 列出 B",
    ),
    "doc.notation.9.sign": ("all of / any of x in L : B", "全部满足 / 任一满足 x ∈ L：B"),
    "doc.notation.9.meaning": (
        "B holds for every / some x of L",
        "L 中每个 / 至少一个 x 使 B 成立",
    ),
    "doc.notation.10.sign": ("f(x)", "f(x)"),
    "doc.notation.10.meaning": (
        "the rule f applied to x (see “Uses”)",
        "以 x 代入规则 f（见“引用”）",
    ),
    "doc.notation.11.sign": ("r[x = y]", "r[x = y]"),
    "doc.notation.11.meaning": (
        "the value of r when the input x is y (in examples)",
        "以 y 代替输入 x 时 r 的值（用于示例）",
    ),
}
"""The words of documents, notices and their notation by key: `(English, Chinese)`; kept as
templates (`{n}` is filled in where they are used)."""
DOCUMENT_NOTATION_ROWS = 12
"""How many `doc.notation.N.sign` / `.meaning` rows the notation legend of a document has."""


_COUNTED = {
    "error": ("error", "errors", "个错误"),
    "warning": ("warning", "warnings", "个警告"),
}

PHRASES: Mapping[str, tuple[str, str]] = {
    # -- characters an input method typed (wuxin_rules.characters) -------------------------
    "full-width": ("full-width {kind} `{char}` outside a text", "文本之外出现全角{kind} `{char}`"),
    "full-width.help": (
        "type the half-width `{fix}` instead (switch the input method to English)",
        "请改用半角的 `{fix}`（把输入法切换到英文）",
    ),
    "full-width-semicolon.help": (
        "a declaration needs no `;`: remove it",
        "声明之后不需要 `;`：请删除",
    ),
    "full-width-quotes.help": (
        "write the text in half-width double quotes: `{fix}`",
        "文本请用半角双引号：`{fix}`",
    ),
    "full-width-name": (
        "name `{name}` is written with full-width letters or digits",
        "名称 `{name}` 含有全角字母或数字",
    ),
    "full-width-name.help": (
        "type it in half-width characters: `{fix}`",
        "请用半角字符输入：`{fix}`",
    ),
    "mixed-script-name": (
        "name `{name}` mixes {scripts} letters",
        "名称 `{name}` 混用了{scripts}字母",
    ),
    "mixed-script-name.help": (
        "{looks}; retype the name in one script",
        "{looks}；请用同一种文字重新输入这个名称",
    ),
    "mixed-script-name.help.plain": (
        "retype the name in one script",
        "请用同一种文字重新输入这个名称",
    ),
    "looks-like": (
        "the {script} `{char}` looks like the {other} `{like}`",
        "{script} `{char}` 与{other} `{like}` 形似",
    ),
    "confusable-names": (
        "`{name}` and `{other}` look alike but are different names",
        "`{name}` 与 `{other}` 看起来相同，却是两个不同的名称",
    ),
    "confusable-names.label": ("`{other}` is here", "`{other}` 在这里"),
    "confusable-names.help": (
        "use one spelling for one thing; if they are meant to differ, rename one of them",
        "同一事物请用同一写法；如果确实是两个名称，请把其中一个改名",
    ),
    # -- syntax (wuxin_rules.parser) -------------------------------------------------------
    "unexpected-character": ("unexpected character {char}", "意外的字符 {char}"),
    "name-character.note": (
        "a name is made of letters of any script, combining marks, digits and `_` "
        "(Unicode UAX #31)",
        "名称由任意文字的字母、组合符号、数字和 `_` 组成（Unicode UAX #31）",
    ),
    "name-character.help": (
        "{char} cannot be part of a name: remove it, or put a space between it and the name",
        "{char} 不能出现在名称中：请删除它，或在它与名称之间加一个空格",
    ),
    "name-character.invisible.help": ("remove the invisible character", "请删除这个不可见字符"),
    "expected": ("expected {expected}", "应为{expected}"),
    "expected-found": ("expected {expected}, found {found}", "应为{expected}，实际是{found}"),
    # -- table cells (wuxin_rules.tabular) ---------------------------------------------------
    "cell.at-least": ("{what} ≥ {bound}", "不小于 {bound} 的{what}"),
    "cell.at-most": ("{what} ≤ {bound}", "不大于 {bound} 的{what}"),
    "cell.in": ("{what} in the range {bound}", "在 {bound} 范围内的{what}"),
    "cell.bounded": ("{what} {bound}", "{what}（{bound}）"),
    "cell.empty-optional": (
        "only an optional field may be left empty",
        "只有可选字段可以留空",
    ),
    "cell.no-column": ("no column for the field `{field}`", "没有字段 `{field}` 的列"),
    "cell.unknown-column": ("no field is called `{name}`", "没有名为 `{name}` 的字段"),
    "expected-after-found": (
        "expected {expected} after `{prev}`, found {found}",
        "`{prev}` 之后应为{expected}，实际是{found}",
    ),
    "missing-after": ("missing `{mark}` after `{prev}`", "`{prev}` 之后缺少 `{mark}`"),
    "add-after": ("add `{mark}` after `{prev}`", "在 `{prev}` 之后加上 `{mark}`"),
    "missing-colon-body": ("missing `:` {body}", "{body}缺少 `:`"),
    "missing-colon-type": (
        "missing `:` between `{prev}` and its type",
        "`{prev}` 与其类型之间缺少 `:`",
    ),
    "missing-comma": ("missing `,` before {found}", "{found}之前缺少 `,`"),
    "missing-comma.help": ("separate the items with `,`", "各项之间用 `,` 分隔"),
    "missing-operator": (
        "missing operator between `{prev}` and {found}",
        "`{prev}` 与{found}之间缺少运算符",
    ),
    "missing-operator.help": (
        "join them with an operator such as `and`, `or`, `==` or `+`",
        "用 `and`、`or`、`==` 或 `+` 等运算符把它们连接起来",
    ),
    "not-closed": ("`{open}` is not closed", "`{open}` 没有闭合"),
    "close-where": (
        "add `{close}` where the bracketed part ends",
        "在括起部分的末尾加上 `{close}`",
    ),
    "close-here": (
        "expected `{close}` here, before {found}",
        "应在这里（{found}之前）加上 `{close}`",
    ),
    "the-keyword": ("the keyword `{word}`", "关键字 `{word}`"),
    "no-match": ("`{close}` has no matching `{open}`", "`{close}` 没有与之配对的 `{open}`"),
    "single-equals": ("`=` is not a comparison", "`=` 不是比较运算"),
    "single-equals.help": (
        "write `==` to test whether two values are equal",
        "判断两个值是否相等请写 `==`",
    ),
    "text-not-closed": ("text is not closed", "文本没有闭合"),
    "text-not-closed.help": (
        'close the text with `"` on the same line (a text cannot span lines)',
        '请在同一行用 `"` 结束文本（文本不能跨行）',
    ),
    "single-quoted": ("texts are written in double quotes", "文本要用双引号"),
    "expected-declaration": ("expected a declaration, found {found}", "应为声明，实际是{found}"),
    "did-you-mean": ("did you mean `{name}`?", "是不是 `{name}`？"),
    "stopped-after": ("stopped after {count} syntax errors", "已发现 {count} 个语法错误，停止检查"),
    "stopped-after.help": (
        "fix these and run again to see the rest",
        "修正这些错误后再运行，可看到其余错误",
    ),
    # -- checking (wuxin_rules.checker, typing_rules, tables) -------------------------------
    "unknown-name": ("unknown name `{name}`", "未知的名称 `{name}`"),
    "unknown-field": ("unknown field `{field}` on `{type}`", "`{type}` 没有字段 `{field}`"),
    "fields-are": ("the fields of `{type}` are {fields}", "`{type}` 的字段有 {fields}"),
    "cannot-join": (
        "`{op}` cannot join `{left}` and `{right}`",
        "`{op}` 不能连接 `{left}` 和 `{right}`",
    ),
    "joins-texts": (
        "`+` joins two texts: write the other value as text, `{fix}`",
        "`+` 只能连接两个文本：请把另一个值写成文本，`{fix}`",
    ),
    "declared-twice": ("`{name}` is declared twice", "`{name}` 声明了两次"),
    "rename-one": (
        "rename one of them: a name stands for one thing",
        "请把其中一个改名：一个名称只代表一样东西",
    ),
    "first-declared-here": ("first declared here", "首次声明于此"),
    "first-here": ("first here", "首次出现于此"),
    "declared-here": ("declared here", "声明于此"),
    "imported-here": ("imported here", "导入于此"),
    "may-be-none": ("`{expr}` may be `none`", "`{expr}` 可能为 `none`"),
    "none-help": (
        "handle `none` with `?? default`, `is none`, or `if … is none then … else …`",
        "请处理 `none`：用 `?? 默认值`、`is none`，或 `if … is none then … else …`",
    ),
    "never-none": ("`{expr}` is never `none`", "`{expr}` 不可能为 `none`"),
    "not-optional": ("its type `{type}` is not optional", "它的类型 `{type}` 不是可选类型"),
    "none-comparison": ("`{op}` cannot test for `none`", "`{op}` 不能用来判断 `none`"),
    "write": ("write `{fix}`", "请写成 `{fix}`"),
    "unknown-type": ("unknown type `{name}`", "未知的类型 `{name}`"),
    "unknown-language": (
        "unknown language `{tag}` for a translation",
        "译文的语言 `{tag}` 未知",
    ),
    "translate-into": (
        "a label or note may be translated into {languages}",
        "标签或备注可译为 {languages}",
    ),
    "translation-follows": (
        'a translation follows the text it translates: `"…" en "…"`',
        '译文紧跟在原文之后：`"…" en "…"`',
    ),
    "translated-twice": (
        "the text is translated into `{tag}` twice",
        "该文本有两个 `{tag}` 译文",
    ),
    "first-translation": ("first translation", "第一个译文"),
    "one-translation": ("keep one translation per language", "每种语言只保留一个译文"),
    "unknown-member": ("unknown member `{member}` of `{enum}`", "`{enum}` 没有成员 `{member}`"),
    # Enums that carry data (sum types) and `match`.
    "sum.tag-field": (
        "a field of an enum's member cannot be named `{name}`: the facts name the member there",
        "枚举成员的字段不能叫 `{name}`：事实数据在这个键下写成员名",
    ),
    "sum.tag-field.help": (
        "rename the field; `{name}` holds the member's name",
        "请给字段改名；`{name}` 存放成员名",
    ),
    "sum.fields-through-match": (
        "a field of `{type}` belongs to one member: read it in `match` (`case {pattern} => …`); `.{tag}` is the member",
        "`{type}` 的字段属于某一个成员：请在 `match` 中读取（`case {pattern} => …`）；`.{tag}` 是成员名",
    ),
    "sum.member-needs-fields": (
        "`{member}` carries fields: a value of `{type}` that is `{member}` gives them",
        "`{member}` 携带字段：`{type}` 中为 `{member}` 的值须给出这些字段",
    ),
    "sum.member-needs-fields.help": ("write `{example}`", "请写成 `{example}`"),
    "sum.write-object": (
        "write an object with the member's name under `{tag}` and its fields (members: {members})",
        "请写成一个对象：`{tag}` 下写成员名，再加上该成员的字段（成员有 {members}）",
    ),
    "sum.missing-tag": (
        "missing `{tag}`: which member the value is",
        "缺少 `{tag}`：该值是哪个成员",
    ),
    "sum.no-table-cell": (
        "`{field}` is of an enum that carries data (`{type}`): a table cell cannot hold it",
        "`{field}` 的类型是携带数据的枚举（`{type}`）：表格的单元格放不下它",
    ),
    "sum.no-table-cell.help": (
        "give these facts as JSON",
        "请用 JSON 提供这些事实",
    ),
    "match.not-enum": (
        "`match` and `is` take a value of an enum, found `{found}`",
        "`match` 和 `is` 需要枚举值，这里是 `{found}`",
    ),
    "match.not-enum.help": (
        "match a value whose type is an enum",
        "请对枚举类型的值使用 `match`",
    ),
    "match.bindings": (
        "`{member}` carries {count} field(s), the arm names {found}",
        "`{member}` 携带 {count} 个字段，这个分支写了 {found} 个名字",
    ),
    "match.bindings.help": (
        "name each field, in order: `case {pattern} => …`",
        "请按顺序给每个字段起名：`case {pattern} => …`",
    ),
    "match.duplicate": (
        "`{member}` has an arm already: this one is never taken",
        "`{member}` 已有分支：这个分支永远不会执行",
    ),
    "match.remove-case.help": ("remove this arm", "请删除这个分支"),
    "match.first-arm": ("the arm taken", "实际执行的分支"),
    "match.unreachable-else": (
        "the `case _` arm is never taken: every member has an arm",
        "`case _` 分支永远不会执行：每个成员都有分支",
    ),
    "match.missing": (
        "`match` has no arm for {members}",
        "`match` 缺少 {members} 的分支",
    ),
    "match.missing.help": (
        "add `case` arms for {members}, or a `case _ => …` arm for the rest",
        "请为 {members} 添加 `case` 分支，或添加 `case _ => …` 分支处理其余成员",
    ),
    "match.hides-subject": (
        "the variable `{name}` hides the `{name}` this `match` reads its fields from",
        "变量 `{name}` 遮住了这个 `match` 读取字段的 `{name}`",
    ),
    "unknown-stage": ("unknown stage `{stage}` of `{schedule}`", "`{schedule}` 没有阶段 `{stage}`"),
    "members-are": ("its members are {members}", "它的成员有 {members}"),
    "module-has-no": ("module `{module}` has no `{name}`", "模块 `{module}` 中没有 `{name}`"),
    "is-not-a-type": ("`{name}` is {what}, not a type", "`{name}` 是{what}，不是类型"),
    "is-not-a-param": ("`{name}` is {what}, not a param", "`{name}` 是{what}，不是参数"),
    "type-not-value": ("`{name}` is a type, not a value", "`{name}` 是类型，不是值"),
    "takes-no-arguments": ("`{name}` takes no arguments", "`{name}` 不接受参数"),
    "needs-arguments": ("`{name}` takes parameters", "`{name}` 带参数"),
    "call-it": ("call it: `{fix}`", "请调用它：`{fix}`"),
    "without-parens": ("write `{name}` without `(…)`", "请去掉 `{name}` 后面的 `(…)`"),
    "not-a-function": ("`{name}` is not a function", "`{name}` 不是函数"),
    "takes-found": (
        "`{name}` takes {wanted}, found {count}",
        "`{name}` 需要{wanted}，实际有 {count} 个",
    ),
    "call-as": ("call it as `{signature}`", "请这样调用：`{signature}`"),
    "ambiguous-member": (
        "`{name}` is a member of several enums: {enums}",
        "`{name}` 同时是多个枚举的成员：{enums}",
    ),
    "name-the-enum": ("name the enum: {choices}", "请写明枚举：{choices}"),
    "rule-cycle": ("rule cycle: {chain}", "规则循环依赖：{chain}"),
    "uses-here": ("`{rule}` uses `{other}` here", "`{rule}` 在这里用到 `{other}`"),
    "rule-cycle.help": (
        "a rule cannot depend on itself, even through other rules or calls: compute the shared part in a rule of its own",
        "规则不能依赖自身（经由其他规则或调用也不行）：请把共用的部分写成单独的规则",
    ),
    "import-cycle": ("import cycle: {chain}", "导入循环：{chain}"),
    "imports": ("`{module}` imports `{other}`", "`{module}` 导入了 `{other}`"),
    "no-module": ("no module `{name}`", "没有模块 `{name}`"),
    "recursive-record": ("recursive record: {chain}", "记录递归包含自身：{chain}"),
    "contains": ("`{field}` contains `{record}`", "`{field}` 包含 `{record}`"),
    "reserved-word.begins-value.help": (
        "`{word}` begins a value wherever a value may stand: choose another name, such as `{word}_`",
        "`{word}` 在任何可以出现值的地方都表示一个值：请另取名称，例如 `{word}_`",
    ),
    "reserved-word.field.help": (
        "after a field, `{prev}` begins a clause or a declaration: choose another name, such as "
        "`{prev}_`",
        "在字段之后，`{prev}` 表示一个子句或声明的开始：请另取名称，例如 `{prev}_`",
    ),
    "missing-of-after": ("missing `of` after `{composed}`", "`{composed}` 之后缺少 `of`"),
    "write-composed-of.help": ("write `{composed} of …`", "请写 `{composed} of …`"),
    "reserved-and-cannot-name": (
        "`{name}` is a reserved word and cannot name {what}",
        "`{name}` 是保留字，不能用作{what}的名称",
    ),
    "builtin-type-cannot-name": (
        "`{name}` is a builtin type and cannot name {what}",
        "`{name}` 是内置类型，不能用作{what}的名称",
    ),
    "choose-another-name": ("choose another name, such as `{name}`", "请换一个名称，例如 `{name}`"),
    "reserved-name.value.help": (
        "`{name}` begins a value wherever a value may stand: choose another name, such as `{fix}`",
        "凡是可以写值的地方，`{name}` 都开始一个值：请换一个名称，例如 `{fix}`",
    ),
    "reserved-name.type.help": (
        "where a type stands, `{name}` begins a list type: choose another name, such as `{fix}`",
        "在类型位置上，`{name}` 开始一个列表类型：请换一个名称，例如 `{fix}`",
    ),
    "reserved-name.field.help": (
        "after a field, `{name}` begins a clause or a declaration: choose another name, such "
        "as `{fix}`",
        "在字段之后，`{name}` 开始一个子句或声明：请换一个名称，例如 `{fix}`",
    ),
    "reserved-not-name": ("`{name}` is a reserved word, not a name", "`{name}` 是保留字，不是名称"),
    "reserved-not-name.help": (
        "a reserved word cannot name a value: choose another name",
        "保留字不能用作值的名称：请换一个名称",
    ),
    "missing-field": ("missing field `{field}` of `{record}`", "`{record}` 缺少字段 `{field}`"),
    "missing-fields": ("missing fields {fields} of `{record}`", "`{record}` 缺少字段 {fields}"),
    "add": ("add `{fix}`", "请加上 `{fix}`"),
    "param-not-constant": (
        "the default of param `{name}` must be a constant",
        "参数 `{name}` 的默认值必须是常量",
    ),
    "outside-param-bound": (
        "`{value}` is outside the bound `{bound}` of param `{name}`",
        "`{value}` 超出了参数 `{name}` 的界限 `{bound}`",
    ),
    "outside-values-bound": (
        "`{value}` is outside the bound `{bound}` of the values of `{name}`",
        "`{value}` 超出了 `{name}` 的取值界限 `{bound}`",
    ),
    "change-default": (
        "change the default, or the bound in the param's type",
        "请修改默认值，或修改参数类型中的界限",
    ),
    "empty-list": ("cannot tell the type of an empty list here", "无法确定这里空列表的类型"),
    "input-conflict": (
        "input `{name}` is `{mine}` here but `{theirs}` in module `{module}`",
        "输入 `{name}` 在这里是 `{mine}`，在模块 `{module}` 中却是 `{theirs}`",
    ),
    "not-composition": ("`{kind} of [...]` is not a composition", "`{kind} of [...]` 不是组合"),
    "cannot-bound": ("`{op}` cannot bound a type", "`{op}` 不能作为类型的界限"),
    "not-an-escape": (
        "`{escape}` is not an escape a text can contain",
        "`{escape}` 不是文本中可用的转义",
    ),
    "not-a-date": ("`{date}` is not a date of the calendar", "`{date}` 不是日历上的日期"),
    "check-the-month": (
        "check the month (1-12) and the day of that month",
        "请检查月份（1-12）和该月的日期",
    ),
    "param-no-type": ("the param `{prev}` has no type", "参数 `{prev}` 没有类型"),
    "aggregate-needs-parentheses": (
        "an aggregate inside a larger expression needs parentheses",
        "在更大的表达式中使用聚合时需要加括号",
    ),
    "double-equals": ("expected `=`, found `==`", "应为 `=`，实际是 `==`"),
    "double-equals.help": (
        "write a single `=` here (`==` compares two values)",
        "这里请写单个 `=`（`==` 用于比较两个值）",
    ),
    "write-and": ("write `and` to combine two conditions", "组合两个条件请写 `and`"),
    "write-or": ("write `or` for either of two conditions", "两个条件满足其一请写 `or`"),
    "remove-or-add": (
        "remove it, or add the `{open}` it closes",
        "请删除它，或补上与之配对的 `{open}`",
    ),
    "gap": (
        "`{bands}` has a gap: no band holds {values}",
        "`{bands}` 有空缺：没有任何档包含 {values}",
    ),
    "ends-here": ("`{band}` ends here", "`{band}` 在这里结束"),
    "overlap": (
        "bands `{first}` and `{second}` of `{bands}` overlap: both hold {values}",
        "`{bands}` 的档 `{first}` 与 `{second}` 重叠：两者都包含 {values}",
    ),
    "band-outside": (
        "band `{band}` reaches outside the range `{range}` of `{bands}`",
        "档 `{band}` 超出了 `{bands}` 的范围 `{range}`",
    ),
    "band-empty": (
        "band `{band}` holds no value: `{range}`",
        "档 `{band}` 不包含任何值：`{range}`",
    ),
    "range-empty": (
        "the range `{range}` of `{bands}` holds no value",
        "`{bands}` 的范围 `{range}` 不包含任何值",
    ),
    "appears-twice-in-period": (
        "`{member}` appears twice in period `{period}`",
        "`{member}` 在期间 `{period}` 中出现了两次",
    ),
    "dated-needs-by-date": (
        "schedule `{schedule}` gives values from dates (`from …`) but is by `{period}`",
        "计划表 `{schedule}` 按日期给值（`from …`），却写作按 `{period}`",
    ),
    "dated-needs-by-date.help": (
        "write `by date`, or give yearly stages (`stage … :` with rows `2024: …`)",
        "写成 `by date`，或者给出按年的阶段（`stage … :` 加上 `2024: …` 这样的行）",
    ),
    "dated-out-of-order": (
        "`from {start}` in schedule `{schedule}` does not come after `from {previous}`",
        "计划表 `{schedule}` 中的 `from {start}` 没有排在 `from {previous}` 之后",
    ),
    "dated-out-of-order.help": (
        "write the dates in increasing order, each once: a value is in force from its date "
        "until the next one",
        "按日期从早到晚书写，每个日期一次：一个值从它的日期起生效，直到下一个日期",
    ),
    "dated-previous": ("the date before it", "它前面的日期"),
    "dated-none.help": (
        "declare the values optional (`{type}?`) for a date with no value, or give a number",
        "若某个日期起没有值，把值声明为可选（`{type}?`）；否则给出一个数",
    ),
    "type.dated-has-no-stages": (
        "schedule `{schedule}` is by date: its values have no named stages",
        "计划表 `{schedule}` 按日期给值：这些值没有命名的阶段",
    ),
    "type.dated-has-no-stages.help": (
        "look the value up with `{schedule}(date)`; name stages in a yearly schedule",
        "用 `{schedule}(日期)` 查值；需要命名阶段时使用按年的计划表",
    ),
    "before-first-date": (
        "`{schedule}` has no value on {day}: its first value is in force from {first}",
        "`{schedule}` 在 {day} 没有值：它的第一个值从 {first} 起生效",
    ),
    "before-first-date.help": (
        "check the date, or declare the values optional (`{type}?`) so that a date before "
        "the first gives `none`",
        "检查日期；或者把值声明为可选（`{type}?`），使早于第一个日期的日期得到 `none`",
    ),
    "dated-cell": (
        "{key} → {value} (in force from {start}{label})",
        "{key} → {value}（自 {start} 起生效{label}）",
    ),
    "period-twice": (
        "period `{period}` appears twice in schedule `{schedule}`",
        "期间 `{period}` 在计划表 `{schedule}` 中出现了两次",
    ),
    "period-outside-stage": (
        "period `{period}` lies outside stage `{stage}`",
        "期间 `{period}` 不在阶段 `{stage}` 之内",
    ),
    "stage-ends-before": ("stage `{stage}` ends before it starts", "阶段 `{stage}` 的结束早于开始"),
    "stages-overlap": (
        "stages `{first}` and `{second}` of schedule `{schedule}` overlap",
        "计划表 `{schedule}` 的阶段 `{first}` 与 `{second}` 重叠",
    ),
    "no-value-for": (
        "period `{period}` of schedule `{schedule}` gives no value for {members}",
        "计划表 `{schedule}` 的期间 `{period}` 没有给出 {members} 的值",
    ),
    "names-no-category": (
        "this cell of schedule `{schedule}` names no category",
        "计划表 `{schedule}` 的这一格没有写类别",
    ),
    "has-no-categories": (
        "schedule `{schedule}` has no categories",
        "计划表 `{schedule}` 没有类别",
    ),
    "not-monotone": (
        "schedule `{schedule}` is not {direction} in `{period}`: {first} in {p1}, then {second} in {p2}",
        "计划表 `{schedule}` 在 `{period}` 上不是{direction}：{p1} 为 {first}，{p2} 却为 {second}",
    ),
    "nondecreasing": ("nondecreasing", "非递减"),
    "nonincreasing": ("nonincreasing", "非递增"),
    "spread-after-field": (
        "the field `{field}` is given before `{spread}`, which also has it",
        "字段 `{field}` 写在了同样含有它的 `{spread}` 之前",
    ),
    "count-no-body": ("`count` takes no `: body`", "`count` 不接受 `: 主体`"),
    "rate-needs-condition": (
        "`rate` needs a condition after `:`",
        "`rate` 需要在 `:` 之后给出条件",
    ),
    "with-outside-test": (
        "`{expr}` computes a value on other facts, which only examples and properties may do",
        "`{expr}` 在另一组事实上计算值，只有示例和性质可以这样做",
    ),
    "fixture-cycle": (
        "fixture `{name}` is defined in terms of itself",
        "夹具 `{name}` 的定义用到了它自己",
    ),
    "example-missing-given": (
        "the example does not give the input `{name}`",
        "这个示例没有给出输入 `{name}`",
    ),
    "reads-it": ("`{expr}` reads it", "`{expr}` 用到了它"),
    "not-an-input": ("`{name}` is not an input", "`{name}` 不是输入"),
    "not-a-constant": (
        "{what} must be a constant, but it reads {names}",
        "{what}必须是常量，但它用到了 {names}",
    ),
    "does-not-fit": (
        "{what} `{name}` does not fit its type: {problem}",
        "{what} `{name}` 不符合其类型：{problem}",
    ),
    "below-bound": (
        "`{value}` is below the bound `{bound}` of `{type}`",
        "`{value}` 低于 `{type}` 的界限 `{bound}`",
    ),
    "above-bound": (
        "`{value}` is above the bound `{bound}` of `{type}`",
        "`{value}` 高于 `{type}` 的界限 `{bound}`",
    ),
    "within-bound": ("give a number within `{bound}`", "请给出 `{bound}` 之内的数"),
    "unknown-named-of": (
        "unknown {what} `{name}` of `{record}`",
        "`{record}` 没有{what} `{name}`",
    ),
    "outside-bound": (
        "`{value}` is outside the bound `{bound}` of `{type}`",
        "`{value}` 超出了 `{type}` 的界限 `{bound}`",
    ),
    "unknown-named": ("unknown {what} `{name}`", "未知的{what} `{name}`"),
    "missing-named": ("missing {what} `{name}`", "缺少{what} `{name}`"),
    "missing-named-of": ("missing {what} `{name}` of `{record}`", "`{record}` 缺少{what} `{name}`"),
    "add-with": ("add `{key}` with {what}", "请加上 `{key}`，值为{what}"),
    "without-quotes": ("write the number without quotes", "数字不要加引号"),
    "has-no-param": ("`{policy}` has no param `{name}`", "`{policy}` 没有参数 `{name}`"),
    "has-no-rule": ("`{policy}` has no rule `{name}`", "`{policy}` 没有规则 `{name}`"),
    "param-expects": (
        "param `{name}` expects `{type}`, found {found}",
        "参数 `{name}` 应为 `{type}`，实际是{found}",
    ),
    "outside-every-band": (
        "`{expr}` is {value}, outside every band of `{bands}`",
        "`{expr}` 为 {value}，不在 `{bands}` 的任何一档之内",
    ),
    "division-by-zero-is": ("division by zero: `{expr}` is 0", "除以零：`{expr}` 为 0"),
    "check-divisor": ("check the divisor first: `{fix}`", "请先检查除数：`{fix}`"),
    "negative-exponent": (
        "`{expr}` raises to the negative power {exponent}",
        "`{expr}` 的指数 {exponent} 为负数",
    ),
    "negative-exponent.help": (
        "`**` takes a whole exponent of 0 or more: write `1 / a ** n` for a negative one",
        "`**` 的指数须为不小于 0 的整数：负指数请写成 `1 / a ** n`",
    ),
    "substring-out-of-range": (
        "`{expr}` takes the code points from {start} to {end} of a text of {length}",
        "`{expr}` 取第 {start} 到第 {end} 个字符，但文本只有 {length} 个字符",
    ),
    "substring-out-of-range.help": (
        "`substring(t, start, end)` needs `0 <= start <= end <= length(t)`: check "
        "`length(t)` first",
        "`substring(t, start, end)` 要求 `0 <= start <= end <= length(t)`：请先检查 `length(t)`",
    ),
    "no-zone-database": (
        "the time zone `{name}` cannot be looked up: this system has no time-zone database",
        "无法查找时区 `{name}`：本系统没有时区数据库",
    ),
    "unknown-zone": (
        "`{name}` is not a time zone of the IANA database",
        "`{name}` 不是 IANA 时区数据库中的时区",
    ),
    "unknown-zone.help": (
        "name a zone as the IANA database does, such as `Asia/Shanghai`, `Europe/Paris` or "
        "`UTC`, or give the offset (`+08:00`)",
        "请按 IANA 数据库的写法命名时区，例如 `Asia/Shanghai`、`Europe/Paris` 或 `UTC`，或写出"
        "时差（`+08:00`）",
    ),
    "zone-constant": (
        'the zone of `in_zone` must be written as a text, such as `"Europe/Paris"`',
        '`in_zone` 的时区必须直接写成文本，例如 `"Europe/Paris"`',
    ),
    "not-datetime-form": (
        "`{value}` is not a date-time in the form `YYYY-MM-DDTHH:MM[:SS]` with an offset or a zone",
        "`{value}` 不是 `YYYY-MM-DDTHH:MM[:SS]` 格式并带时差或时区的日期时间",
    ),
    "datetime-fact.help": (
        'give the offset or the zone: `"2025-03-01T08:30:00+08:00"` or '
        '`"2025-03-01T08:30[Asia/Shanghai]"` (whole seconds)',
        '请写出时差或时区：`"2025-03-01T08:30:00+08:00"` 或 `"2025-03-01T08:30[Asia/Shanghai]"`'
        "（秒为整数）",
    ),
    "cannot-apply": (
        "`{op}` does not apply to `{left}` and `{right}`",
        "`{op}` 不能用于 `{left}` 和 `{right}`",
    ),
    "duration-arithmetic.help": (
        "a date plus or minus a duration is a date (`d + days(3)`, `d - months(1)`), two dates "
        "subtracted are a duration, durations add and subtract, and a duration times an int "
        "is a duration (`days(1) * n`)",
        "日期加减时长得到日期（`d + days(3)`、`d - months(1)`），两个日期相减得到时长，时长之间可"
        "加减，时长乘以整数仍是时长（`days(1) * n`）",
    ),
    "durations-never-compare": (
        "`{op}` compares a duration in months with one in days or seconds: a month has no "
        "fixed number of days",
        "`{op}` 比较的一个时长以月计、另一个以天或秒计：一个月没有固定的天数",
    ),
    "incomparable-durations": (
        "`{expr}` compares `{left}` with `{right}`: a month has no fixed number of days, so "
        "durations are ordered only when their months or their days and seconds are equal",
        "`{expr}` 比较 `{left}` 与 `{right}`：一个月没有固定的天数，只有月数相同或天数与秒数相同"
        "的时长才能比较大小",
    ),
    "incomparable-durations.help": (
        "compare durations of one kind (`months(…)` with `months(…)`, `days(…)` with "
        "`hours(…)`), or compare the dates they lead to (`start + months(1) < end`)",
        "请比较同一类的时长（`months(…)` 与 `months(…)`，`days(…)` 与 `hours(…)`），或比较它们"
        "得到的日期（`start + months(1) < end`）",
    ),
    "part-of-a-day": (
        "`{expr}` moves a date by `{duration}`, which is not a whole number of days",
        "`{expr}` 把日期移动 `{duration}`，这不是整数天",
    ),
    "part-of-a-day.help": (
        "a date moves by months and whole days; hours and minutes move a date-time",
        "日期只能按月和整天移动；小时和分钟用于日期时间",
    ),
    "whole-of-months": (
        "`{expr}`: `{duration}` has months, which have no fixed number of {unit}",
        "`{expr}`：`{duration}` 含有月，而一个月没有固定的{unit}数",
    ),
    "whole-of-months.help": (
        "take the months apart with `whole_months(d)`, or measure between two dates "
        "(`whole_days(end - start)`)",
        "请用 `whole_months(d)` 单独取月数，或度量两个日期之间的时长（`whole_days(end - start)`）",
    ),
    "whole-months-of-seconds": (
        "`{expr}`: `{duration}` has days or seconds, which are no whole number of months",
        "`{expr}`：`{duration}` 含有天或秒，不是整月数",
    ),
    "whole-months-of-seconds.help": (
        "`whole_months` reads a duration made of months and years only",
        "`whole_months` 只读取由月和年组成的时长",
    ),
    "invalid-pattern": (
        "the pattern `{expr}` is refused: {reason} (at character {position})",
        "模式 `{expr}` 无法使用：{reason}（第 {position} 个字符处）",
    ),
    "invalid-pattern.help": (
        "patterns take literal characters, `.`, classes `[a-z]`, `\\d \\w \\s`, groups, `|` "
        "and the repetitions `* + ?` and counted ones; they always match the whole text",
        "模式可用普通字符、`.`、字符类 `[a-z]`、`\\d \\w \\s`、分组、`|` 以及重复 "
        "`* + ?` 及计数重复；模式总是匹配整段文本",
    ),
    "fail-message-text": (
        "the message of `fail` must be a text written here",
        "`fail` 的消息必须是在此写出的文本",
    ),
    "fail-message-text.help": (
        'write the failure in the policy\'s words: `fail("at most 12 months")`',
        '请用政策的话写出失败原因：`fail("最多 12 个月")`',
    ),
    "assertion-failed": (
        "the policy states a failure here: {message}",
        "政策在此声明失败：{message}",
    ),
    "assertion-failed.help": (
        "`{expr}` has no value, as the policy says; the facts are outside what it decides",
        "`{expr}` 按政策规定没有值；这些事实超出政策所能判定的范围",
    ),
    "exception-conflict": (
        "exceptions {first} and {second} to `{rule}` both apply, and the policy puts "
        "neither before the other",
        "`{rule}` 的例外 {first} 和 {second} 同时适用，而政策未规定二者的先后",
    ),
    "exception-conflict.help": (
        "say which one wins: write the stronger one as an exception to the other "
        "(`exception b to a …`)",
        "请说明哪一个优先：把优先的一个写成另一个的例外（`exception b to a …`）",
    ),
    "exception-named-twice": (
        "rule `{rule}` has two exceptions named `{name}`",
        "规则 `{rule}` 有两个名为 `{name}` 的例外",
    ),
    "exception-named-twice.help": (
        "give each exception of a rule its own name (`to` refers to it by that name)",
        "请给规则的每个例外一个不同的名字（`to` 按名字引用它）",
    ),
    "unknown-exception": (
        "`{name}` is not an exception of rule `{rule}`",
        "`{name}` 不是规则 `{rule}` 的例外",
    ),
    "unknown-exception.help": (
        "`to` names another exception of the same rule: {names}",
        "`to` 须指明同一规则的另一个例外：{names}",
    ),
    "exception-cycle": (
        "the exceptions of rule `{rule}` override each other in a circle: {chain}",
        "规则 `{rule}` 的例外互相优先，成了循环：{chain}",
    ),
    "exception-cycle.help": (
        "one of them must be the exception to the others: remove one `to`",
        "其中必须有一个是另一个的例外：请去掉一个 `to`",
    ),
    "exception-over-here": ("overrides the next one here", "在此优先于下一个"),
    "exceptions-always-conflict": (
        "exceptions {first} and {second} apply together wherever the first applies: the "
        "rule has no value there",
        "例外 {first} 适用时 {second} 总是同时适用：此时规则没有值",
    ),
    "exception-named": (
        "`{name}` ({cites}, line {line})",
        "`{name}`（{cites}，第 {line} 行）",
    ),
    "exception-named-uncited": (
        "`{name}` (line {line})",
        "`{name}`（第 {line} 行）",
    ),
    "no-element": (
        "`{expr}` has no element to give: the list is empty",
        "`{expr}` 无法取值：列表为空",
    ),
    "no-element.help": (
        "check the list first: `if len({items}) > 0 then … else …`",
        "请先检查列表：`if len({items}) > 0 then … else …`",
    ),
    "link-duplicate": (
        "`{expr}` cannot follow links: two records of `{items}` have the key {key}",
        "`{expr}` 无法沿链接查找：`{items}` 中有两条记录的键都是 {key}",
    ),
    "link-duplicate.help": (
        "each record needs its own key: correct the facts",
        "每条记录须有自己的键：请更正事实数据",
    ),
    "link-dangling-start": (
        "`{expr}` starts from the key {key}, which no record of `{items}` has",
        "`{expr}` 的起点键 {key} 不属于 `{items}` 中的任何记录",
    ),
    "link-dangling": (
        "`{expr}`: the record {source} links to the key {key}, which no record of `{items}` has",
        "`{expr}`：记录 {source} 链接到键 {key}，但 `{items}` 中没有这条记录",
    ),
    "link-dangling.help": (
        "add the record or correct the link; a chain ends at a record whose link is `none`",
        "请补上这条记录或更正链接；链在链接为 `none` 的记录处结束",
    ),
    "link-cycle": (
        "`{expr}` comes back to a record it has passed: the links go round {keys}",
        "`{expr}` 回到了已经经过的记录：链接构成环 {keys}",
    ),
    "link-cycle.help": (
        "links must not lead back to a record on the way to it: correct the facts",
        "链接不能回到途中已经过的记录：请更正事实数据",
    ),
    "link-keys-cut": (
        "{head}{joiner}… {count} more …{joiner}{tail}",
        "{head}{joiner}……另有 {count} 个……{joiner}{tail}",
    ),
    "ancestors.detail": ("followed {keys}", "沿链接 {keys}"),
    "reachable.detail": (
        "from {start}, depth first: {keys} ({count} reached)",
        "从 {start} 深度优先：{keys}（共到达 {count} 个）",
    ),
    "reachable.none": ("from {start}: none reached", "从 {start}：未到达任何记录"),
    "nth-out-of-range": (
        "`{expr}` asks for element {n} of a list of {length}",
        "`{expr}` 要取第 {n} 个元素，但列表只有 {length} 个",
    ),
    "nth-out-of-range.help": (
        "elements are counted from 1 to `len({items})`: check the length first",
        "元素从 1 数到 `len({items})`：请先检查长度",
    ),
    "power-too-large": (
        "`{expr}` is too large to compute (exponent {exponent})",
        "`{expr}` 太大，无法计算（指数为 {exponent}）",
    ),
    "power-too-large.help": (
        "a power may have at most {bits} bits: check the base and the exponent",
        "乘方的结果最多 {bits} 位二进制：请检查底数和指数",
    ),
    "declares-module": (
        "`{file}` declares module `{module}`, but it is imported as `{target}`",
        "`{file}` 声明的模块是 `{module}`，导入时却写作 `{target}`",
    ),
    "change-header": ("change the header to `{header}`", "请把文件头改为 `{header}`"),
    "no-such-file": ("no such file or directory `{path}`", "没有文件或目录 `{path}`"),
    "not-utf8": ("`{file}` is not UTF-8 text", "`{file}` 不是 UTF-8 文本"),
    "bound-help": (
        "use `>=`, `>`, `<=`, `<` or a range `low .. high`",
        "请用 `>=`、`>`、`<=`、`<` 或范围 `low .. high`",
    ),
    "declaration-help": (
        "a declaration starts with a keyword such as `rule`, `criterion`, `param` or `input`",
        "声明以关键字开头，例如 `rule`、`criterion`、`param` 或 `input`",
    ),
    "declaration-help.continues": (
        "a declaration starts with a keyword such as `rule`, `criterion`, `param` or `input`; "
        "if this line continues the expression above, join them with an operator such as `and`",
        "声明以关键字开头，例如 `rule`、`criterion`、`param` 或 `input`；"
        "如果这一行是上一行表达式的延续，请用 `and` 等运算符连接",
    ),
    "if-reads": (
        "an `if` reads `if condition then value else other`",
        "`if` 的写法是 `if 条件 then 值 else 另一个值`",
    ),
    "aggregate-reads": (
        "an aggregate reads `kind of x in list where … : …`",
        "聚合的写法是 `kind of x in list where … : …`",
    ),
    "parenthesise-aggregate": (
        "put the whole aggregate in parentheses, as in `x <= (count of u in list where …)`",
        "请把整个聚合放进括号，例如 `x <= (count of u in list where …)`",
    ),
    "import-cycle.help": (
        "modules cannot import each other in a circle: move what they share into a module that both import",
        "模块之间不能循环导入：请把共用的部分移到一个两者都导入的模块中",
    ),
    "unknown-module.help": (
        "check the module name: `import a.b` reads `a/b.policy` under the policy root",
        "请检查模块名：`import a.b` 读取策略根目录下的 `a/b.policy`",
    ),
    "text-cannot-import": (
        "a policy given as text, without a policy root, cannot import modules",
        "以文本形式给出、没有策略根目录的策略不能导入模块",
    ),
    "band-bound.help": (
        "a band bound is a number or the name of a numeric param",
        "分档的界限是一个数，或一个数值参数的名称",
    ),
    "categories-enum": (
        "the categories of a schedule must be an enum, found `{type}`",
        "计划表的类别必须是枚举，实际是 `{type}`",
    ),
    "categories-enum.help": (
        "declare an enum of the categories and write `{fix}`",
        "请为类别声明一个枚举，并写成 `{fix}`",
    ),
    "not-the-period": (
        "`{name}` is not the period of schedule `{schedule}`",
        "`{name}` 不是计划表 `{schedule}` 的期间",
    ),
    "schedule-values": (
        "schedule values are numbers, and `{type}` is not a number type",
        "计划表的值必须是数，而 `{type}` 不是数值类型",
    ),
    "declare-number-values": (
        "declare the values `int`, `decimal` or `percent`",
        "请把值声明为 `int`、`decimal` 或 `percent`",
    ),
    "gap.help": (
        "extend a neighbouring band to cover the gap, or add a band for it",
        "请扩展相邻的档以覆盖空缺，或为它增加一档",
    ),
    "keep-within": ("keep every band within `{range}`", "请让每一档都在 `{range}` 之内"),
    "overlap.help": (
        "make each band end where the next begins: `a ..< b` then `b .. c`",
        "让每一档在下一档开始处结束：先 `a ..< b`，再 `b .. c`",
    ),
    "one-value-per-period": (
        "give each category one value per period",
        "每个期间每个类别只给一个值",
    ),
    "one-row-per-period": ("give each period one row", "每个期间只写一行"),
    "empty-band.help": (
        "write the smaller bound first, or `..` to include the high bound",
        "请先写较小的界限，或用 `..` 以包含上界",
    ),
    "empty-list.help": (
        "use it where a list type is expected, e.g. in a rule declared `-> list of T`",
        "请在需要列表类型的地方使用它，例如声明为 `-> list of T` 的规则中",
    ),
    "earlier-first": ("write the earlier date first", "请先写较早的日期"),
    "extra-cell": (
        "period `{period}` of schedule `{schedule}` has {count} values, but a schedule without categories has one per period",
        "计划表 `{schedule}` 的期间 `{period}` 有 {count} 个值，但没有类别的计划表每个期间只有一个值",
    ),
    "extra-cell.help": (
        "keep one value, or give the schedule categories: `{fix}` and name each cell's category",
        "请只保留一个值，或为计划表加上类别：`{fix}`，并为每一格写明类别",
    ),
    "value-of-period": ("the value of the period", "该期间的值"),
    "input-conflict.help": (
        "an input is one key of the facts document: give it the same type in every module",
        "一个输入就是事实文档中的一个键：请在每个模块中给它相同的类型",
    ),
    "rate-help": (
        "write `{fix}`: the share of the filtered elements for which the condition holds",
        "请写成 `{fix}`：即筛选后满足条件的元素所占的比例",
    ),
    "category-first": (
        "write the category before the value: `{fix}`",
        "请把类别写在值的前面：`{fix}`",
    ),
    "add-or-none": (
        "add {cells}, or `{none}` where the table has no value",
        "请加上 {cells}；表中没有值时写 `{none}`",
    ),
    "every-member": (
        "every row lists each member of `{enum}`",
        "每一行都要列出 `{enum}` 的每个成员",
    ),
    "remove-never-none": (
        "remove `{what}`: only a value of an optional type (`T?`) can be `none`",
        "请删除 `{what}`：只有可选类型（`T?`）的值才可能为 `none`",
    ),
    "type-is": (
        "a type is `int`, `decimal`, `percent`, `bool`, `text`, `date`, an enum, a record or a set of bands, or `list of T` or `T?` of those",
        "类型是 `int`、`decimal`、`percent`、`bool`、`text`、`date`、枚举、记录或分档，或者由它们构成的 `list of T` 或 `T?`",
    ),
    "name-a-member": ("name one of its members: `{fix}`", "请写出它的一个成员：`{fix}`"),
    "write-a-literal": (
        "write a literal (a number, text, date, date-time, time of day, `true`, `false`, `none`, "
        "an enum member, a duration of one unit such as `days(3)`, or a list of those); compute "
        "derived values in a rule",
        "请写字面量（数、文本、日期、日期时间、时刻、`true`、`false`、`none`、枚举成员、单一单位的时长如 "
        "`days(3)`，或由它们组成的列表）；派生的值请在规则中计算",
    ),
    "move-row": (
        "move the row into the stage whose dates cover it, or correct the stage's dates",
        "请把这一行移到日期覆盖它的阶段中，或更正阶段的日期",
    ),
    "stage-runs": ("stage `{stage}` runs `{range}`", "阶段 `{stage}` 的时间为 `{range}`"),
    "stages-run": (
        "`{first}` runs `{first_range}`, `{second}` runs `{second_range}`",
        "`{first}` 的时间为 `{first_range}`，`{second}` 的时间为 `{second_range}`",
    ),
    "recursive-record.help": (
        "a record cannot contain itself, even through lists, optionals or other records: refer to the other record by an identifying field (such as `id: text`) instead",
        "记录不能包含自身（经由列表、可选类型或其他记录也不行）：请改用标识字段（例如 `id: text`）来引用另一条记录",
    ),
    "correct-or-remove-monotone": (
        "correct one of the two values, or remove `{clause}` if the table is not meant to be {direction}",
        "请更正这两个值中的一个；如果这张表本来就不是{direction}的，请删除 `{clause}`",
    ),
    "spread-first": (
        "write the spread first: fields written after a spread replace the copied ones",
        "请先写展开：写在展开之后的字段会替换复制来的字段",
    ),
    "also-gives": ("this also gives `{field}`", "这里也给出了 `{field}`"),
    "stage-after": (
        "start each stage after the one before it ends",
        "每个阶段请在前一阶段结束之后开始",
    ),
    "count-help": (
        "`count` counts the elements that pass `where`: move the condition there",
        "`count` 统计通过 `where` 的元素：请把条件移到那里",
    ),
    "remove-or-declare-categories": (
        "remove `{category}`, or declare the categories: `{fix}`",
        "请删除 `{category}`，或声明类别：`{fix}`",
    ),
    "with-outside-test.help": (
        "in a rule, pass the value to a rule with parameters instead: `f(value)`",
        "在规则中，请改为把值传给带参数的规则：`f(value)`",
    ),
    "fixture-cycle.help": (
        "a fixture may build on fixtures declared without it: break the cycle",
        "夹具只能基于不依赖它的夹具来定义：请打破循环",
    ),
    "nothing-called": (
        "nothing here is called `{name}`: declare it, or import it from another module with `{fix}`",
        "这里没有叫 `{name}` 的东西：请声明它，或用 `{fix}` 从其他模块导入",
    ),
    "build-from-literals": (
        "build the value from literals, fixtures and params; rules and inputs are computed from it, not the other way round",
        "请用字面量、夹具和参数构造这个值；规则和输入是由它计算出来的，而不是反过来",
    ),
    "uses-bound-by-aggregate": (
        "`{expr}` uses `{name}`, which an aggregate binds",
        "`{expr}` 用到了聚合绑定的 `{name}`",
    ),
    "with-uses-local.help": (
        "`…[name = value]` may use the names the example or property binds, fixtures, params and constants: move it out of the aggregate",
        "`…[name = value]` 可以使用示例或性质绑定的名称、夹具、参数和常量：请把它移到聚合之外",
    ),
    "write-whole-number": (
        "write a whole number such as `{example}`",
        "请写一个整数，例如 `{example}`",
    ),
    "this-is-zero": ("this is 0", "这里为 0"),
    "pattern.repeat-again": (
        "a repetition cannot repeat again (lazy and possessive forms are not supported): "
        "put the first one in a group",
        "重复不能再次重复（不支持惰性和占有形式）：请把前一个重复放进分组",
    ),
    "pattern.count-unclosed": ("`{{` opens a count that is not closed", "`{{` 开始的计数没有闭合"),
    "pattern.count-form": (
        "a count is `{{m}}`, `{{m,}}` or `{{m,n}}` with whole numbers",
        "计数写作 `{{m}}`、`{{m,}}` 或 `{{m,n}}`，其中为整数",
    ),
    "pattern.count-max": ("a count may be at most {max}", "计数最多为 {max}"),
    "pattern.count-backwards": (
        "in `{{m,n}}`, `n` may not be less than `m`",
        "在 `{{m,n}}` 中，`n` 不能小于 `m`",
    ),
    "pattern.ends-early": ("the pattern ends too early", "模式过早结束"),
    "pattern.group-flags": (
        "`(?` (named groups, look-arounds, flags) is not supported",
        "不支持 `(?`（命名分组、环视、标志）",
    ),
    "pattern.group-unclosed": ("`(` is not closed", "`(` 没有闭合"),
    "pattern.nothing-to-repeat": (
        "`{char}` has nothing before it to repeat",
        "`{char}` 前面没有可重复的内容",
    ),
    "pattern.anchor": (
        "`{char}` is not supported: a pattern always matches the whole text (write `.*` "
        "around it to find it anywhere)",
        "不支持 `{char}`：模式总是匹配整段文本（在两侧写上 `.*` 可在任意位置查找）",
    ),
    "pattern.not-opened": ("`{char}` is not opened", "`{char}` 没有对应的开始符号"),
    "pattern.trailing-backslash": ("`\\` ends the pattern", "模式以 `\\` 结尾"),
    "pattern.unknown-escape": (
        "`\\{letter}` is not supported (the escapes are `\\d \\w \\s \\D \\W \\S` and "
        "`\\` before punctuation)",
        "不支持 `\\{letter}`（可用的转义为 `\\d \\w \\s \\D \\W \\S` 以及标点前的 `\\`）",
    ),
    "pattern.class-unclosed": ("`[` is not closed", "`[` 没有闭合"),
    "pattern.range-end": ("a range ends with a plain character", "范围须以普通字符结尾"),
    "pattern.range-backwards": (
        "the range `{low}-{high}` runs backwards",
        "范围 `{low}-{high}` 的顺序颠倒",
    ),
    "pattern.too-long": (
        "a pattern may be at most {max} characters long",
        "模式最多 {max} 个字符",
    ),
    "pattern.too-large": (
        "the pattern is too large once its counts are written out (more than {states} states)",
        "计数展开后模式过大（超过 {states} 个状态）",
    ),
    "exponent-whole": (
        "the exponent of `**` is a whole number, found `{type}`",
        "`**` 的指数须为整数，实际为 `{type}`",
    ),
    "exponent-whole.help": (
        "`a ** n` multiplies `a` by itself `n` times: make the exponent whole first, "
        "`a ** floor(n)`",
        "`a ** n` 是把 `a` 自乘 `n` 次：请先把指数变为整数，`a ** floor(n)`",
    ),
    "expected-list": ("expected a list, found `{type}`", "应为列表，实际为 `{type}`"),
    "expected-list.help": (
        "`{name}` takes a list: put a single value in one, `[x]`",
        "`{name}` 接受列表：单个值请放进列表，`[x]`",
    ),
    "sort-orders": (
        "`sort` orders numbers, texts, dates, date-times or times of day, not `{type}`",
        "`sort` 只能排序数字、文本、日期、日期时间或时刻，不能排序 `{type}`",
    ),
    "sort-orders.help": (
        'sort records by a field with `sort_by(xs, "field")`; decide `none` elements first',
        '请用 `sort_by(xs, "field")` 按字段排序记录；请先处理 `none` 元素',
    ),
    "expected-records": (
        "expected a list of records, found `{type}`",
        "应为记录列表，实际为 `{type}`",
    ),
    "expected-records.help": (
        "`sort_by`, `min_by` and `max_by` order records by a field; `sort`, `min` and `max` "
        "order plain values",
        "`sort_by`、`min_by` 和 `max_by` 按字段排序记录；`sort`、`min` 和 `max` 排序普通值",
    ),
    "facts.fixed-number": (
        "a number of at most {places} decimal places",
        "最多 {places} 位小数的数",
    ),
    "facts.too-many-places": (
        "`{found}` has more than {places} decimal places",
        "`{found}` 的小数位数超过 {places} 位",
    ),
    "facts.too-many-places.help": (
        "give the amount exactly, with at most {places} places (`12.30`): facts are read "
        "exactly, never rounded; the policy rounds where its rules say",
        "请给出精确金额，最多 {places} 位小数（`12.30`）：事实按原值精确读取，从不舍入；"
        "舍入由策略的规则在规定之处进行",
    ),
    "scale-constant.help": (
        "write the amount with at most {places} decimal places (`12.30`), as the source states "
        "it: a constant is never rounded",
        "请按依据原文写出金额，最多 {places} 位小数（`12.30`）：常量从不舍入",
    ),
    "scale-unbounded": (
        "`{expr}` may have any number of decimal places, but `{type}` holds a fixed number",
        "`{expr}` 的小数位数不定，而 `{type}` 的小数位数是固定的",
    ),
    "scale-too-many": (
        "`{expr}` may have {places} decimal places, more than `{type}` holds",
        "`{expr}` 可能有 {places} 位小数，超过 `{type}` 能容纳的位数",
    ),
    "scale-round.help": (
        "round it where the rule says, with its mode: `{fix}` (or `half_up`, `half_down`, `up`, "
        "`down`, `floor`, `ceiling`)",
        "按规则规定的位置和方式舍入：`{fix}`（或 `half_up`、`half_down`、`up`、`down`、`floor`、"
        "`ceiling`）",
    ),
    "rounding-mode": (
        "`{found}` is not a rounding mode",
        "`{found}` 不是舍入方式",
    ),
    "rounding-mode.help": (
        "write one of {modes} as the third argument of `round`",
        "`round` 的第三个参数请写 {modes} 之一",
    ),
    "order-field-text": (
        'the field to order by is written as a text, such as `"age"`',
        '排序所依据的字段写作文本，例如 `"age"`',
    ),
    "order-field-text.help": (
        "name one of the fields of `{type}`: {fields}",
        "请写出 `{type}` 的一个字段：{fields}",
    ),
    "order-no-field": ("`{type}` has no field `{field}`", "`{type}` 没有字段 `{field}`"),
    "expected-linked-records.help": (
        "`{name}` follows links between records: give it a list of records with a key field "
        "and a link field",
        "`{name}` 沿记录之间的链接查找：请给出含键字段和链接字段的记录列表",
    ),
    "link-field-text": (
        'the key and the link are fields named by a text, such as `"id"`',
        '键和链接是用文本写出的字段名，例如 `"id"`',
    ),
    "link-unfit-field": (
        "`{type}` cannot be followed by its field `{field}` of type `{found}`",
        "`{type}` 不能沿其类型为 `{found}` 的字段 `{field}` 查找",
    ),
    "link-field.help": (
        "the key is a field of whole numbers, texts or enum members; the link of `ancestors` "
        "is an optional field of the key's type (`none` at the root), the links of "
        "`reachable` a list of keys; fields that fit here: {fields}",
        "键须为整数、文本或枚举成员字段；`ancestors` 的链接是与键同类型的可选字段（根上为 "
        "`none`），`reachable` 的链接是键的列表；此处可用的字段：{fields}",
    ),
    "order-unorderable-field": (
        "`{type}` cannot be ordered by its field `{field}`",
        "`{type}` 不能按其字段 `{field}` 排序",
    ),
    "order-field.help": (
        "order by a field that holds a number, a text or a date (not `none`): {fields}",
        "请按存放数字、文本或日期（而非 `none`）的字段排序：{fields}",
    ),
    "bands-are": (
        "the bands are {bands}; keep the value within them or widen the bands",
        "分档为 {bands}；请让值落在其中，或放宽分档",
    ),
    "composition-help": (
        "write `all of [...]`, `any of [...]`, `at least N of [...]`, or an aggregate `{fix}`",
        "请写成 `all of [...]`、`any of [...]`、`at least N of [...]`，或聚合 `{fix}`",
    ),
    "escape-help": (
        'write `\\\\` for a backslash; the escapes are `\\"`, `\\\\`, `\\n` and `\\t`',
        '反斜杠请写成 `\\\\`；可用的转义有 `\\"`、`\\\\`、`\\n` 和 `\\t`',
    ),
    "add-with-type": ("add `{fix}`, with a `{type}`", "请加上 `{fix}`，类型为 `{type}`"),
    "fixture-named": ("fixture `{name}`", "夹具 `{name}`"),
    "criterion-named": ("criterion `{name}`", "标准 `{name}`"),
    "text-value": ("text `{value}`", "文本 `{value}`"),
    "whole-number-value": ("whole number `{value}`", "整数 `{value}`"),
    "decimal-number-value": ("decimal number `{value}`", "小数 `{value}`"),
    "date-value": ("date `{value}`", "日期 `{value}`"),
    "list-value": ("list `{value}`", "列表 `{value}`"),
    "record-value": ("record `{value}`", "记录 `{value}`"),
    # -- consistency (wuxin_rules.consistency) ---------------------------------------------
    "always-true": ("criterion `{name}` is always true", "标准 `{name}` 总是成立"),
    "never-true": ("criterion `{name}` is never true", "标准 `{name}` 从不成立"),
    "check-condition": (
        "check the condition against the declared types and bounds; a condition that cannot "
        "fail (or hold) decides nothing",
        "请对照声明的类型和界限检查这个条件；不可能不成立（或不可能成立）的条件什么也决定不了",
    ),
    "always-holds": (
        "within the declared types and bounds, `{expr}` always holds",
        "在声明的类型和界限之内，`{expr}` 总是成立",
    ),
    "never-holds": (
        "within the declared types and bounds, `{expr}` never holds",
        "在声明的类型和界限之内，`{expr}` 从不成立",
    ),
    "rule-cites-nothing": (
        "the explanation of rule `{name}` would cite nothing",
        "规则 `{name}`的解释不会引用任何条文",
    ),
    "criterion-cites-nothing": (
        "the explanation of criterion `{name}` would cite nothing",
        "标准 `{name}`的解释不会引用任何条文",
    ),
    "add-cites": (
        'add `cites "…"` to `{name}`, naming the clause it encodes',
        '请给 `{name}` 加上 `cites "…"`，写明它所依据的条款',
    ),
    "nothing-cited": (
        "neither it nor the rules, params, fields, schedules and bands it uses have `cites`",
        "它本身以及它用到的规则、参数、字段、计划表和分档都没有 `cites`",
    ),
    "proved-monotone-each": (
        "proved: schedule `{name}` is nondecreasing in `{period}` for every member of `{category}` ({cells} cells)",
        "已证明：计划表 `{name}` 对 `{category}` 的每个成员都随 `{period}` 不减（共 {cells} 格）",
    ),
    "proved-monotone-each-down": (
        "proved: schedule `{name}` is nonincreasing in `{period}` for every member of `{category}` ({cells} cells)",
        "已证明：计划表 `{name}` 对 `{category}` 的每个成员都随 `{period}` 不增（共 {cells} 格）",
    ),
    "proved-monotone": (
        "proved: schedule `{name}` is nondecreasing in `{period}` ({cells} cells)",
        "已证明：计划表 `{name}` 随 `{period}` 不减（共 {cells} 格）",
    ),
    "proved-monotone-down": (
        "proved: schedule `{name}` is nonincreasing in `{period}` ({cells} cells)",
        "已证明：计划表 `{name}` 随 `{period}` 不增（共 {cells} 格）",
    ),
    "proved-bands": (
        "proved: the bands of `{name}` cover `{domain}` with no gap and no overlap",
        "已证明：`{name}` 的分档覆盖 `{domain}`，既无空档也无重叠",
    ),
    "cannot-tell": (
        "the consistency checks cannot tell whether {what} can both hold and fail",
        "一致性检查无法判断{what}是否既可能成立又可能不成立",
    ),
    "not-complete": (
        "the interval reasoning is not complete: it could not decide `{expr}`",
        "区间推理并不完备：它无法判定 `{expr}`",
    ),
    "branch-never-taken": (
        "this `{which}` branch is never taken: `{condition}` {holds}",
        "这个 `{which}` 分支永远不会执行：`{condition}` {holds}",
    ),
    "always holds": ("always holds", "总是成立"),
    "never holds": ("never holds", "从不成立"),
    "remove-branch": ("remove the branch, or correct the condition", "请删除这个分支，或更正条件"),
    "conditions-around": (
        "within the declared types and bounds, and the conditions of the `if`s around it",
        "在声明的类型和界限之内，并考虑外层各个 `if` 的条件",
    ),
    "the-condition": ("the condition", "条件"),
    "never-used": ("{what} `{name}` is never used", "{what} `{name}` 从未被使用"),
    "call-or-remove": (
        "call it from a rule, an example or a property, or remove it",
        "请在规则、示例或性质中调用它，或删除它",
    ),
    "imported-never-used": ("{what} is imported but never used", "{what}被导入但从未使用"),
    "remove-import": ("remove the import", "请删除这个导入"),
    "remove-from-import": ("remove `{name}` from the import", "请从导入中删除 `{name}`"),
    "use-or-remove": ("use it, or remove it", "请使用它，或删除它"),
    "never-read": ("input `{name}` is never read", "输入 `{name}` 从未被读取"),
    "still-give": (
        "every facts document must still give it: read it in a rule, or remove it",
        "每份事实文档仍然必须给出它：请在规则中读取它，或删除它",
    ),
    "use-in-rule": ("use it in a rule, or remove it", "请在规则中使用它，或删除它"),
    "parameter-never-used": (
        "parameter `{name}` of `{rule}` is never used",
        "`{rule}` 的参数 `{name}` 从未被使用",
    ),
    "use-in-body": (
        "use it in the body, or remove it (and the argument of every call)",
        "请在规则体中使用它，或删除它（以及每次调用中对应的实参）",
    ),
    "module-named": ("module `{name}`", "模块 `{name}`"),
    "same-computed-values": (
        "the interval reasoning is not complete: the conditions it combines depend on the same "
        "computed values",
        "区间推理并不完备：它组合的各个条件依赖于相同的计算值",
    ),
    # -- the formatter (wuxin_rules.formatter) and the command line (wuxin_rules.cli) -------
    # (Whole sentences: a `{problem}` field would let the first part swallow the second.)
    "format-changed-meaning": (
        "formatting would change the meaning of {where}; `{name}` was left as it is",
        "格式化会改变{where}的含义；`{name}` 保持原样",
    ),
    "format-changed-comments": (
        "formatting would lose or reorder a comment; `{name}` was left as it is",
        "格式化会丢失注释或改变注释的顺序；`{name}` 保持原样",
    ),
    "format-changed-parse": (
        "the formatted text does not parse ({error}); `{name}` was left as it is",
        "格式化后的文本无法解析（{error}）；`{name}` 保持原样",
    ),
    "format-changed-policy.help": (
        "this is a bug in `wuxin fmt`: please report it with the policy",
        "这是 `wuxin fmt` 的缺陷：请连同策略一起报告",
    ),
    "declaration-on-line": ("the declaration on line {line}", "第 {line} 行的声明"),
    "missing-dependency": (
        "`{command}` needs hypothesis, which cannot be imported: {error}",
        "`{command}` 需要 hypothesis 库，但无法导入：{error}",
    ),
    "missing-dependency.help": ("install it: `{fix}`", "请安装它：`{fix}`"),
    "missing-dependency.library": (
        "`{command}` needs {library}, which cannot be imported: {error}",
        "`{command}` 需要 {library} 库，但无法导入：{error}",
    ),
    "unwritable-file": ("cannot write `{path}`: {reason}", "无法写入 `{path}`：{reason}"),
    "unwritable-file.help": (
        "check that the folder exists and is writable",
        "请检查文件夹是否存在且可写",
    ),
    # Why the system refused to open, read or write a file (`errors.os_reason`): the
    # system's words for each common errno, lower-cased after `cannot read `x`: ` and, as
    # `.capital`, capitalised as the system writes them (where that is what was shown).
    "os.ENOENT": ("no such file or directory", "文件或文件夹不存在"),
    "os.ENOENT.capital": ("No such file or directory", "文件或文件夹不存在"),
    "os.EACCES": ("permission denied", "没有权限"),
    "os.EACCES.capital": ("Permission denied", "没有权限"),
    "os.EPERM": ("operation not permitted", "操作不被允许"),
    "os.EPERM.capital": ("Operation not permitted", "操作不被允许"),
    "os.EISDIR": ("is a directory", "这是一个文件夹"),
    "os.EISDIR.capital": ("Is a directory", "这是一个文件夹"),
    "os.ENOTDIR": ("not a directory", "路径中有一段不是文件夹"),
    "os.ENOTDIR.capital": ("Not a directory", "路径中有一段不是文件夹"),
    "os.ENOSPC": ("no space left on device", "磁盘空间不足"),
    "os.ENOSPC.capital": ("No space left on device", "磁盘空间不足"),
    "os.EROFS": ("read-only file system", "文件系统是只读的"),
    "os.EROFS.capital": ("Read-only file system", "文件系统是只读的"),
    "os.ENAMETOOLONG": ("file name too long", "文件名太长"),
    "os.ENAMETOOLONG.capital": ("File name too long", "文件名太长"),
    "os.ELOOP": ("too many levels of symbolic links", "符号链接的层数太多"),
    "os.ELOOP.capital": ("Too many levels of symbolic links", "符号链接的层数太多"),
    "os.EMFILE": ("too many open files", "打开的文件太多"),
    "os.EMFILE.capital": ("Too many open files", "打开的文件太多"),
    "os.ENFILE": ("too many open files in system", "系统中打开的文件太多"),
    "os.ENFILE.capital": ("Too many open files in system", "系统中打开的文件太多"),
    "os.EIO": ("input/output error", "输入/输出错误"),
    "os.EIO.capital": ("Input/output error", "输入/输出错误"),
    "os.EEXIST": ("file exists", "文件已存在"),
    "os.EEXIST.capital": ("File exists", "文件已存在"),
    "os.EFBIG": ("file too large", "文件太大"),
    "os.EFBIG.capital": ("File too large", "文件太大"),
    "os.other": ("{reason}", "系统报错（{reason}）"),
    "read.other": ("{reason}", "读取时出错（{reason}）"),
    "not-utf8-text": ("it is not UTF-8 text", "它不是 UTF-8 文本"),
    # -- facts (wuxin_rules.facts) ---------------------------------------------------------
    "supply-in-facts": ("supply `{name}` in the facts document", "请在事实文档中提供 `{name}`"),
    # -- evaluation (wuxin_rules.evaluator): the right-hand notes of explanations ----------
    "one-day": ("{count} day", "{count} 天"),
    "n-days": ("{count} days", "{count} 天"),
    "one-minute": ("{count} minute", "{count} 分钟"),
    "n-minutes": ("{count} minutes", "{count} 分钟"),
    "margin": ("margin {amount}", "余量 {amount}"),
    "short-by": ("short by {amount}", "差 {amount}"),
    "over-by": ("over by {amount}", "超出 {amount}"),
    "equal-not-greater": ("equal, so not strictly greater", "相等，并非严格大于"),
    "equal-not-less": ("equal, so not strictly less", "相等，并非严格小于"),
    "all-hold": ("all {total} hold", "{total}项均满足"),
    "k-failed": ("{failed} of {total} failed", "{total}项中{failed}项未满足"),
    "k-hold-needed": (
        "{held} of {total} hold, {needed} needed",
        "{total}项中{held}项满足，需要{needed}项",
    ),
    "k-hold": ("{held} of {total} hold", "{total}项中{held}项满足"),
    "none-hold": ("none of {total} hold", "{total}项均不满足"),
    "k-held-k-failed": ("{held} held, {failed} failed", "{held}项满足，{failed}项未满足"),
    "k-rate": ("{held} of {total} ({rate})", "{total}项中{held}项（{rate}）"),
    "no-element-to-rate": ("no element to rate: none", "没有可计算比率的元素：无"),
    "k-elements": ("{count} of {total} elements", "{total}个元素中的{count}个"),
    "over-k-elements": ("over {count} of {total} elements", "针对{total}个元素中的{count}个"),
    "over-elements": ("over {count} elements", "针对{count}个元素"),
    "k-rows": ("{count} of {total} rows", "{total}行中的{count}行"),
    "over-k-rows": ("{count} of {total} rows hold", "{total}行中{count}行成立"),
    "fallback-used": ("none: fallback used", "无值：使用后备值"),
    "then": ("→ then", "→ then 分支"),
    "else": ("→ else", "→ else 分支"),
    "band-detail": ("{value} in {range} → {band}", "{value} 落在 {range} → {band}"),
    "stage-cell": ("{key} → {value} (stage {stage})", "{key} → {value}（阶段 {stage}）"),
    "no-cell": (
        "{key} → none (no such cell in `{schedule}`)",
        "{key} → 无（`{schedule}` 中没有该格）",
    ),
    "no-stage": (
        "{what} → none (in no stage of `{schedule}`)",
        "{what} → 无（不在 `{schedule}` 的任何阶段）",
    ),
    "value-none": (
        "`{expr}` is none here, but a value is needed",
        "`{expr}` 在这里为无值，但需要一个值",
    ),
    "input-missing": ("input `{name}` is missing from the facts", "事实中缺少输入 `{name}`"),
    "field-missing": (
        "field `{field}` is missing from `{record}`",
        "`{record}` 中缺少字段 `{field}`",
    ),
    "while-evaluating": ("while evaluating {what}", "在计算{what}时"),
    "called-from": ("called from {what}", "由{what}调用"),
    "division-by-zero": ("division by zero in `{expr}`", "`{expr}` 中除以零"),
    # -- sampling (wuxin_rules.sampling) and batches (wuxin_rules.batch, jsonio) ------------
    "cannot-draw": ("cannot draw from `{keys}`: {reason}", "无法从 `{keys}` 中抽样：{reason}"),
    "surrogate-half": (
        "a key or the seed holds {point}, half of a surrogate pair, which is not a character",
        "某个键或种子含有 {point}，它是半个代理对，不是字符",
    ),
    "surrogate-half.help": (
        "sample keys and seeds must be texts of whole characters: check how the escape "
        "`{escape}` got into the facts",
        "抽样的键和种子必须是由完整字符组成的文本：请查明转义 `{escape}` 是怎样进入事实数据的",
    ),
    "line-not-utf8": (
        "the line is not UTF-8 text: its byte {index} is `{byte}`",
        "该行不是 UTF-8 文本：其第 {index} 个字节为 `{byte}`",
    ),
    "line-not-utf8.help": (
        "save the file as UTF-8; the other lines are read on",
        "请把文件存为 UTF-8；其余各行照常读取",
    ),
    "document-bug": (
        "evaluating this document failed unexpectedly: {error}",
        "求值此文档时意外出错：{error}",
    ),
    "document-bug.help": (
        "this is a bug in wuxin_rules: please report it with this document; the other "
        "documents were evaluated",
        "这是 wuxin_rules 的缺陷：请附上此文档报告；其余文档已照常求值",
    ),
    "raised-in": ("raised in {where} ({function})", "出错位置：{where}（{function}）"),
    "batch-arguments": (
        "a batch needs at least one process and one record per chunk, got {found}",
        "批量求值至少需要一个进程、每块至少一条记录，实际为 {found}",
    ),
    "batch-arguments.help": ("pass jobs=1 or more", "请传入 jobs=1 或更大的值"),
    "cli.internal-error": (
        "internal error: wuxin_rules failed unexpectedly; please report this with the input "
        "that caused it.",
        "内部错误：wuxin_rules 意外出错；请连同引起错误的输入一起报告。",
    ),
    "no-facts-document": ("`{facts}` holds no facts document", "`{facts}` 中没有事实文档"),
    "template.separated-by-commas": (", separated by commas", "，以逗号分隔"),
    "template.may-be-empty": (", may be empty", "，可以留空"),
    "template.links-to-main": ("links to the main sheet", "对应主表中的一行"),
    "template.companions": (
        "each list of records has a file of its own beside the main one; give "
        "`--output FILE.csv` to write them too",
        "每个记录列表各有一个文件，放在主文件旁边；请给出 `--output FILE.csv` 以一并写出",
    ),
    "usage-options.help": (
        "run `{prog} --help` for the options",
        "运行 `{prog} --help` 查看可用的选项",
    ),
    "cli.whole-number": ("expected a whole number, found `{text}`", "应为整数，实际是 `{text}`"),
    "cli.at-least-one": ("expected at least 1, found `{text}`", "应不小于 1，实际是 `{text}`"),
    # argparse's own words, looked up by their English (its gettext msgid, `%` fields and
    # all) while `wuxin` reads its command line with --lang zh (`cli._argparse_words`).
    "argparse.usage": ("usage: ", "用法："),
    "argparse.positionals": ("positional arguments", "位置参数"),
    "argparse.options": ("options", "选项"),
    "argparse.help": ("show this help message and exit", "显示本帮助并退出"),
    "argparse.argument": (
        "argument %(argument_name)s: %(message)s",
        "参数 %(argument_name)s：%(message)s",
    ),
    "argparse.required": (
        "the following arguments are required: %s",
        "缺少以下必需的参数：%s",
    ),
    "argparse.one-required": ("one of the arguments %s is required", "参数 %s 中必须给出一个"),
    "argparse.unrecognized": ("unrecognized arguments: %s", "无法识别的参数：%s"),
    "argparse.invalid-choice": (
        "invalid choice: %(value)r (choose from %(choices)s)",
        "无效的选择：%(value)r（可选：%(choices)s）",
    ),
    "argparse.invalid-value": (
        "invalid %(type)s value: %(value)r",
        "无效的 %(type)s 值：%(value)r",
    ),
    "argparse.unknown-parser": (
        "unknown parser %(parser_name)r (choices: %(choices)s)",
        "未知的子命令 %(parser_name)r（可选：%(choices)s）",
    ),
    "argparse.expected-one": ("expected one argument", "需要一个值"),
    "argparse.expected-at-most-one": ("expected at most one argument", "最多需要一个值"),
    "argparse.expected-at-least-one": ("expected at least one argument", "至少需要一个值"),
    "argparse.expected-n": ("expected %s argument", "需要 %s 个值"),
    "argparse.not-allowed-with": ("not allowed with argument %s", "不能与参数 %s 同时使用"),
    "argparse.ignored-explicit": ("ignored explicit argument %r", "多余的值 %r 被忽略"),
    "argparse.ambiguous": (
        "ambiguous option: %(option)s could match %(matches)s",
        "选项有歧义：%(option)s 可能是 %(matches)s",
    ),
    "argparse.unexpected-option": ("unexpected option string: %s", "意外的选项：%s"),
    "documents-bug": (
        "internal error: wuxin_rules failed unexpectedly on {count} of {total} documents "
        "(shown above); please report this with those documents",
        "内部错误：wuxin_rules 在 {total} 个文档中的 {count} 个上意外出错（见上文）；"
        "请附上这些文档报告",
    ),
    # -- decision tables (wuxin_rules.decisions, the parser, the checker) ------------------
    "unknown-hit-policy": ("unknown hit policy `{words}`", "未知的命中策略 `{words}`"),
    "unknown-hit-policy.help": (
        "write one of: `unique`, `any`, `priority`, `first`, `rule order`, `output order`, "
        "`collect`, `collect sum`, `collect min`, `collect max`, `collect count`",
        "请写其中之一：`unique`、`any`、`priority`、`first`、`rule order`、`output order`、"
        "`collect`、`collect sum`、`collect min`、`collect max`、`collect count`",
    ),
    "table-shape.cells": (
        "row {row} has {cells} condition cells, but the table has {columns} input columns",
        "第 {row} 行有 {cells} 个条件格，但表有 {columns} 个输入列",
    ),
    "table-shape.cells.help": (
        "give one cell per input column, `-` where any value will do",
        "每个输入列给一格，任何值都可以时写 `-`",
    ),
    "table-shape.outputs": (
        "row {row} has {cells} outputs, but the table has {columns} output columns",
        "第 {row} 行有 {cells} 个输出，但表有 {columns} 个输出列",
    ),
    "table-shape.outputs.help": (
        "give one output per output column, separated by `|`",
        "每个输出列给一个输出，用 `|` 分隔",
    ),
    "table-shape.else": (
        "the `else` row has {cells} outputs, but the table has {columns} output columns",
        "`else` 行有 {cells} 个输出，但表有 {columns} 个输出列",
    ),
    "table-shape.collect-else": (
        "a table with hit policy `{hit}` cannot have an `else` row",
        "命中策略为 `{hit}` 的表不能有 `else` 行",
    ),
    "table-shape.collect-else.help": (
        "a collecting table gives what the rows that hold give (nothing when none holds); "
        "remove the `else` row",
        "汇集型的表给出成立各行的输出（无行成立时为空）；请删除 `else` 行",
    ),
    "table-shape.aggregate": (
        "hit policy `{hit}` adds up one output, but the table has several output columns",
        "命中策略 `{hit}` 汇总一个输出，但表有多个输出列",
    ),
    "table-shape.aggregate.help": (
        "keep one output column, or collect the rows' records with `hit collect`",
        "只保留一个输出列，或用 `hit collect` 收集各行的记录",
    ),
    "table-too-long": (
        "the table has {rows} rows, more than the {most} a table may have",
        "表有 {rows} 行，超过了一张表最多可有的 {most} 行",
    ),
    "table-too-long.help": (
        "split it: a second table for the rest of the rows, used in the `else` row of the first",
        "请拆分：余下各行写成第二张表，在第一张表的 `else` 行中引用它",
    ),
    "table-priority": (
        "hit policy `{hit}` orders the rows by their output, which must be a member of the "
        "enum the table returns",
        "命中策略 `{hit}` 按输出给行排序，输出必须是表所返回枚举的成员",
    ),
    "table-priority.help": (
        "declare `-> E` with an enum `E` of this module whose members are listed from the "
        "highest priority to the lowest, and give its members as outputs",
        "声明 `-> E`（E 为本模块的枚举，成员按优先级从高到低排列），并以其成员作为输出",
    ),
    "table-cell-not-constant": (
        "a table cell must be a constant, an enum member or a param: `{cell}` is not",
        "表格的格必须是常量、枚举成员或参数：`{cell}` 不是",
    ),
    "table-cell-not-constant.help": (
        "compute the value in an input column, and test it against constants in the cells",
        "请在输入列中计算该值，在格中用常量检验它",
    ),
    "table-overlap": (
        "rows {first} and {second} of the unique table `{table}` both hold for one input",
        "唯一命中表 `{table}` 的第 {first} 行与第 {second} 行对同一输入同时成立",
    ),
    "table-overlap.any": (
        "rows {first} and {second} of the table `{table}` (hit any) both hold for one input "
        "and give different outputs",
        "表 `{table}`（hit any）的第 {first} 行与第 {second} 行对同一输入同时成立，且输出不同",
    ),
    "table-overlap.help": (
        "narrow one of the rows, or choose the hit policy `first` or `priority` to say which "
        "row wins",
        "请收窄其中一行，或改用命中策略 `first` 或 `priority` 说明哪一行优先",
    ),
    "table-case": ("for example {case}", "例如 {case}"),
    "table-gap": (
        "no row of the table `{table}` holds for some inputs",
        "表 `{table}` 对某些输入没有任何行成立",
    ),
    "table-gap.help": (
        "add a row for them, or an `else => …` row for every input no row holds for",
        "请为它们添加一行，或添加 `else => …` 行处理没有行成立的输入",
    ),
    "table-row-unreachable": (
        "row {row} of the table `{table}` holds for no input",
        "表 `{table}` 的第 {row} 行对任何输入都不成立",
    ),
    "table-row-unreachable.help": (
        "a range may be empty, or two cells of the row may contradict the type's bounds; "
        "fix or remove the row",
        "可能是区间为空，或该行的格与类型的界限矛盾；请修改或删除该行",
    ),
    "table-row-shadowed": (
        "row {row} of the table `{table}` is never chosen: with hit policy `{hit}`, a row "
        "before it holds whenever it does",
        "表 `{table}` 的第 {row} 行永远不会被选中：在命中策略 `{hit}` 下，每当它成立时，"
        "它之前总有一行成立",
    ),
    "table-row-shadowed.help": (
        "move the row up, narrow the rows before it, or remove it",
        "请将该行上移、收窄它之前的行，或删除它",
    ),
    "table-not-proved": (
        "the rows of the table `{table}` could not be checked for overlaps and gaps",
        "无法检查表 `{table}` 各行的重叠与空缺",
    ),
    "table-not-proved.help": (
        "the checks cover columns of numbers, dates, texts, true/false and enums, up to "
        "200000 combinations of the cells' values; split the table",
        "检查覆盖数字、日期、文本、真假和枚举类型的列，至多 200000 种格值组合；请拆分此表",
    ),
    "declared-twice.kind": ("{what} `{name}` is declared twice", "{what} `{name}` 声明了两次"),
    "cannot-join-lists": ("cannot join `{left}` and `{right}`", "不能连接 `{left}` 和 `{right}`"),
    "not-monotone.member": (
        "schedule `{schedule}` is not {direction} in `{period}` for `{member}`: {first} in {p1}, "
        "then {second} in {p2}",
        "计划表 `{schedule}` 中 `{member}` 在 `{period}` 上不是{direction}：{p1} 为 {first}，"
        "{p2} 却为 {second}",
    ),
    "value-in": ("{value} in {period}", "{period} 为 {value}"),
    "double-quotes.help": ("write `\"…\"` instead of `'…'`", "请把 `'…'` 改为 `\"…\"`"),
    "text-ends-with-backslash": ("a text cannot end with `\\`", "文本不能以 `\\` 结尾"),
    "write-to-compare": ("write `{op}` to compare", "比较请写 `{op}`"),
    "add-several": ("add {fixes}", "请加上 {fixes}"),
    # -- types (wuxin_rules.typing_rules, checker, tables, parser) ----------------------------
    "optional-written-too": (
        "an optional field is written too: `{fix}`",
        "可选字段也要写出：`{fix}`",
    ),
    "and-or-evaluate-all": (
        "`and` and `or` evaluate every operand, so testing `{expr}` beside this use does not "
        "protect it: use `if … is none then … else …`",
        "`and` 和 `or` 会求值每个操作数，所以在此处旁边检查 `{expr}` 并不能保护它："
        "请用 `if … is none then … else …`",
    ),
    "expression-too-deep": (
        "expression nested more than {limit} levels deep",
        "表达式嵌套超过 {limit} 层",
    ),
    "type-too-deep": ("type nested more than {limit} levels deep", "类型嵌套超过 {limit} 层"),
    "evaluation-too-deep": (
        "evaluation nested more than {limit} levels deep",
        "求值嵌套超过 {limit} 层",
    ),
    "split-into-rules": (
        "split it into named rules; each rule can refer to the others",
        "请拆分成若干具名规则；规则之间可以相互引用",
    ),
    "compares-numbers-or-dates": (
        "`{op}` compares numbers, dates, date-times, times of day or durations, found `{left}` "
        "and `{right}`",
        "`{op}` 只能比较数字、日期、日期时间、时刻或时长，实际是 `{left}` 和 `{right}`",
    ),
    "runs-over-list": (
        "`{kind} of x in …` runs over the elements of a list",
        "`{kind} of x in …` 遍历的是列表的元素",
    ),
    "branches-one-type": (
        "both branches must give values of one type",
        "两个分支必须给出同一类型的值",
    ),
    "compare-the-number": (
        "compare the number to make a condition, e.g. `… > 0`",
        "请比较这个数来构成条件，例如 `… > 0`",
    ),
    "criterion-is-condition": (
        "criterion `{name}` is a condition: its value is `bool`",
        "标准 `{name}` 是条件：它的值是 `bool`",
    ),
    "date-help": (
        "dates are moved with `add_days(d, n)` and `add_months(d, n)`, and measured with "
        "`days_between(a, b)`",
        "日期用 `add_days(d, n)` 和 `add_months(d, n)` 移动，用 `days_between(a, b)` 度量",
    ),
    "list-one-type": ("every item of a list has one type", "列表的各项必须是同一类型"),
    "expected-type-found": (
        "expected `{expected}`, found `{found}`",
        "应为 `{expected}`，实际是 `{found}`",
    ),
    "expected-bool-found": ("expected `bool`, found `{found}`", "应为 `bool`，实际是 `{found}`"),
    "expected-list-found": ("expected a list, found `{found}`", "应为列表，实际是 `{found}`"),
    "expected-number-found": ("expected a number, found `{found}`", "应为数字，实际是 `{found}`"),
    "list-types-differ": (
        "list items have different types: `{first}` and `{second}`",
        "列表各项的类型不同：`{first}` 和 `{second}`",
    ),
    "order-comparison.help": (
        "order comparisons need two numbers or two dates; use `==` or `!=` for other types",
        "大小比较需要两个数字或两个日期；其他类型请用 `==` 或 `!=`",
    ),
    "round-the-number": (
        "round the number with `floor`, `ceil` or `round(n, 0)`",
        "请用 `floor`、`ceil` 或 `round(n, 0)` 取整",
    ),
    "if-branches-differ": (
        "the branches of `if` have different types: `{then}` and `{other}`",
        "`if` 的分支类型不同：`{then}` 和 `{other}`",
    ),
    "first-item-is": ("the first item is `{type}`", "第一项是 `{type}`"),
    "this-branch-is": ("this branch is `{type}`", "这个分支是 `{type}`"),
    "is-member-of": ("`{name}` is a member of {enums}", "`{name}` 是 {enums} 的成员"),
    "the-members-of": ("the members of `{enum}` are {members}", "`{enum}` 的成员有 {members}"),
    "datetime-has-fields": (
        "a date-time has `.date`, `.time`, `.year`, `.month`, `.day`, `.quarter`, `.hour`, "
        "`.minute` and `.second` (on its own clock)",
        "日期时间有 `.date`、`.time`、`.year`、`.month`、`.day`、`.quarter`、`.hour`、`.minute` 和 "
        "`.second`（按其自身时钟）",
    ),
    "time-has-fields": (
        "a time of day has `.hour`, `.minute` and `.second`",
        "时刻有 `.hour`、`.minute` 和 `.second`",
    ),
    "not-a-time": (
        "`{time}` is not a time of day (00:00 to 23:59:59)",
        "`{time}` 不是一天中的时刻（00:00 至 23:59:59）",
    ),
    "check-the-clock": (
        "check the hour (00-23), the minute and the second (00-59)",
        "请检查小时（00-23）、分钟和秒（00-59）",
    ),
    "not-time-form": (
        "`{value}` is not a time of day in the form `HH:MM` or `HH:MM:SS`",
        "`{value}` 不是 `HH:MM` 或 `HH:MM:SS` 格式的时刻",
    ),
    "time-fact.help": (
        'write the time of day as `"08:30"` or `"08:30:15"` (00:00 to 23:59:59, no zone)',
        '请把时刻写成 `"08:30"` 或 `"08:30:15"`（00:00 至 23:59:59，不带时区）',
    ),
    "clock-by-months": (
        "`{expr}` moves a time of day by `{duration}`, which has months",
        "`{expr}` 把时刻移动 `{duration}`，其中含有月",
    ),
    "clock-by-months.help": (
        "a time of day moves by hours, minutes and seconds (and whole days, which leave it "
        "where it is)",
        "时刻只能按小时、分钟和秒移动（整天不改变时刻）",
    ),
    "date-has-fields": (
        "a date has `.year`, `.month`, `.day` and `.quarter`",
        "日期有 `.year`、`.month`、`.day` 和 `.quarter`",
    ),
    "durations-unordered.help": (
        "two durations need not compare (`months(1)` against `days(30)`): count them in whole "
        "units first, as in `{example}`",
        "两个时长不一定能比较（如 `months(1)` 与 `days(30)`）：请先以整数单位计算，如 `{example}`",
    ),
    "duration-has-no-fields": (
        "a duration has no fields: `whole_days(d)`, `whole_hours(d)`, `whole_minutes(d)` and "
        "`whole_months(d)` count its parts",
        "时长没有字段：用 `whole_days(d)`、`whole_hours(d)`、`whole_minutes(d)` 和 "
        "`whole_months(d)` 计算其中的整数部分",
    ),
    "only-records-have-fields": (
        "only records have fields (and dates: `.year`, `.month`, `.day`, `.quarter`)",
        "只有记录有字段（日期也有：`.year`、`.month`、`.day`、`.quarter`）",
    ),
    "unknown-date-field": ("unknown field `{field}` on `date`", "`date` 没有字段 `{field}`"),
    "param-is-type": ("param `{name}` is `{type}`", "参数 `{name}` 是 `{type}`"),
    "param-is-value": ("param `{name}` is {value}", "参数 `{name}` 为 {value}"),
    "use-a-member-of": ("use one of the members of `{enum}`", "请使用 `{enum}` 的成员之一"),
    "give-a-member-of": (
        "give one of the members of `{enum}`: {members}",
        "请给出 `{enum}` 的成员之一：{members}",
    ),
    "json-list-help": (
        "write a JSON list `[…]`; each item is {what}",
        "请写成 JSON 列表 `[…]`；每一项为{what}",
    ),
    "plus-help": (
        "`+` adds two numbers, or joins two texts or two lists: write a value as text with "
        "`text(x)`",
        "`+` 用于两个数相加，或连接两个文本或两个列表：请用 `text(x)` 把值写成文本",
    ),
    "works-on-numbers": ("`{op}` works on numbers", "`{op}` 只能用于数字"),
    "the-value": ("the value `{value}`", "值 `{value}`"),
    "values-above-up-to": (
        "the values above `{low}` up to `{high}`",
        "大于 `{low}` 且不超过 `{high}` 的值",
    ),
    "values-above-below": (
        "the values above `{low}` and below `{high}`",
        "大于 `{low}` 且小于 `{high}` 的值",
    ),
    # -- facts, JSON and policy files (wuxin_rules.facts, jsonio, loader) ---------------------
    "number-too-large": (
        "the number `{value}` is too large or too precise to hold exactly",
        "数字 `{value}` 太大或太精确，无法精确表示",
    ),
    "max-digits": ("numbers may have at most {limit} digits", "数字最多 {limit} 位"),
    "expected-found-code": (
        "expected {expected}, found `{found}`",
        "应为{expected}，实际是 `{found}`",
    ),
    "exact-finite": ("write an exact, finite number", "请写一个精确的有限数"),
    "max-digits-exponent": (
        "numbers may have at most {limit} digits and exponents up to {exponent}",
        "数字最多 {limit} 位，指数最大 {exponent}",
    ),
    "text-in-quotes": ("write text in double quotes", "文本请用双引号"),
    "member-as-text": (
        "write the member's name as text, one of {members}",
        "请把成员名写成文本，取以下之一：{members}",
    ),
    "pass-date": ("pass the `.date()` of it", "请传入它的 `.date()`"),
    "no-facts-type": ("no facts can have the type `{type}`", "事实不能是 `{type}` 类型"),
    "exact-number-example": (
        "write an exact number, for example {forms}",
        "请写精确的数，例如 {forms}",
    ),
    "not-duration-form": (
        "`{value}` is not an ISO 8601 duration in whole units",
        "`{value}` 不是以整数单位写的 ISO 8601 时长",
    ),
    "duration-fact.help": (
        'write a duration as ISO 8601 text, for example `"P1M"` (a month), `"P3W"`, `"P2D"`, '
        '`"PT36H"` or `"P1Y2M3DT4H"`',
        '请把时长写成 ISO 8601 文本，例如 `"P1M"`（一个月）、`"P3W"`、`"P2D"`、`"PT36H"` 或 '
        '`"P1Y2M3DT4H"`',
    ),
    "not-date-form": (
        "`{value}` is not a date in the form `YYYY-MM-DD`",
        "`{value}` 不是 `YYYY-MM-DD` 格式的日期",
    ),
    "not-valid-date": ("`{value}` is not a valid date", "`{value}` 不是有效日期"),
    "facts.date-text.help": (
        'write dates as text `"YYYY-MM-DD"`, for example `"2015-03-31"`',
        '日期请写成文本 `"YYYY-MM-DD"`，例如 `"2015-03-31"`',
    ),
    "facts.year-out-of-range": ("year {year} is out of range", "年份 {year} 超出范围"),
    "facts.month-out-of-range": ("month must be in 1..12", "月份应在 1..12 之间"),
    "facts.day-out-of-range": ("day is out of range for month", "日期超出了该月的天数"),
    "facts-too-deep": ("the facts nest too deep to validate", "事实嵌套太深，无法校验"),
    "record-stop": (
        "a record that contains itself must stop somewhere: check the data",
        "包含自身的记录必须在某处终止：请检查数据",
    ),
    "document-too-large": (
        "the document is too large: {size} {unit}, over the limit of {limit}",
        "文档太大：{size} {unit}，超过上限 {limit}",
    ),
    "split-json-lines": (
        "split the facts into JSON lines, one document per line",
        "请把事实拆成 JSON Lines，每行一个文档",
    ),
    "cannot-read-facts": (
        "cannot read the facts file `{name}`: {reason}",
        "无法读取事实文件 `{name}`：{reason}",
    ),
    "check-path-permissions": ("check the path and the file's permissions", "请检查路径和文件权限"),
    "convert-results": (
        "convert results with `values.to_json` before writing them",
        "写出之前请用 `values.to_json` 转换结果",
    ),
    "facts-not-utf8": (
        "the facts file is not UTF-8 text: byte {index} (line {line}) is `0x{byte}`",
        "事实文件不是 UTF-8 文本：第 {line} 行的字节 {index} 是 `0x{byte}`",
    ),
    "save-utf8": ("save the file as UTF-8", "请把文件存为 UTF-8"),
    "document-too-deep": (
        "the document nests more than {limit} levels deep",
        "文档嵌套超过 {limit} 层",
    ),
    "byte-not-utf8": (
        "byte {byte} at offset {offset} is not valid UTF-8",
        "偏移 {offset} 处的字节 {byte} 不是有效的 UTF-8",
    ),
    "save-policy-utf8": (
        "save the file as UTF-8 (the encoding every policy file uses)",
        "请把文件存为 UTF-8（所有策略文件都用这种编码）",
    ),
    "this-file-is": ("this file is `{file}`", "这个文件是 `{file}`"),
    "no-such-policy-file": ("no such file `{file}`", "没有文件 `{file}`"),
    "check-path-policy": (
        "check the path; policy files end in `.policy`",
        "请检查路径；策略文件以 `.policy` 结尾",
    ),
    "is-a-folder": ("`{file}` is a folder, not a policy file", "`{file}` 是文件夹，不是策略文件"),
    "give-policy-path": ("give the path of a `.policy` file", "请给出 `.policy` 文件的路径"),
    "cannot-read-file": ("cannot read `{file}`: {reason}", "无法读取 `{file}`：{reason}"),
    "check-readable": (
        "check that the file exists and that you may read it",
        "请检查文件是否存在、是否有读取权限",
    ),
    "give-policy-or-folder": (
        "give the path of a `.policy` file or of a folder that holds some",
        "请给出 `.policy` 文件或含有策略文件的文件夹的路径",
    ),
    # -- declarations, bounds, examples and properties (wuxin_rules.checker, suite_checker) --
    "already-defined": ("`{name}` is already defined in this module", "`{name}` 已在本模块中定义"),
    "import-as.help": (
        "import under another name with `import … as name`, or rename the declaration",
        "请用 `import … as name` 换个名称导入，或给声明改名",
    ),
    "first-defined-here": ("first defined here", "首次定义于此"),
    "declare-inner-record": (
        "declare a record for the inner part and use its name",
        "请为内层部分声明一个记录，并使用它的名称",
    ),
    "no-numeric-bound": ("`{type}` cannot have a numeric bound", "`{type}` 不能有数值界限"),
    "bounds-apply": (
        "bounds apply to `int`, `decimal` and `percent`",
        "界限只适用于 `int`、`decimal` 和 `percent`",
    ),
    "bound-admits-none": ("the bound `{bound}` admits no value", "界限 `{bound}` 不容许任何值"),
    "smaller-first": (
        "write the smaller number first: `low .. high`",
        "请先写较小的数：`low .. high`",
    ),
    "criterion-declared": (
        "a criterion is `bool`, but `{name}` is declared `-> {type}`",
        "标准的值是 `bool`，但 `{name}` 声明为 `-> {type}`",
    ),
    "rule-not-criterion": (
        "declare it with `rule` instead of `criterion`, or remove `-> …`",
        "请用 `rule` 代替 `criterion` 声明它，或删除 `-> …`",
    ),
    "function-not-value": ("`{name}` is a function, not a value", "`{name}` 是函数，不是值"),
    "ask-stage": (
        "ask which stage a date or period is in: `{name}(d)`",
        "询问日期或期数所在的阶段：`{name}(d)`",
    ),
    "schedule-has-no": ("schedule `{name}` has no `{field}`", "计划表 `{name}` 没有 `{field}`"),
    "schedule-lookup.help": (
        "look a value up with `{name}(…)`, or ask which stage a date or period is in with "
        "`{name}.stage(…)`",
        "请用 `{name}(…)` 查值，或用 `{name}.stage(…)` 询问日期或期数所在的阶段",
    ),
    "hide-declaration": (
        "choose another name: this one would hide the declaration",
        "请换一个名称：这个名称会遮蔽该声明",
    ),
    "is-a-fixture": ("`{name}` is a fixture", "`{name}` 是夹具"),
    "fixture-not-given": (
        "`{name}` is a fixture, which cannot be given a value",
        "`{name}` 是夹具，不能给它赋值",
    ),
    "hide-fixture": (
        "choose another name: this one would hide the fixture",
        "请换一个名称：这个名称会遮蔽该夹具",
    ),
    "given-twice": ("`{name}` is given twice", "`{name}` 给出了两次"),
    "give-once": ("give each input once", "每个输入只给一次"),
    "binder-type-differs": (
        "`{name}` names an input of type `{known}`, but is bound to `{type}`",
        "`{name}` 是类型为 `{known}` 的输入，却绑定为 `{type}`",
    ),
    "binder-like-input.help": (
        "a binder named like an input gives that input: write `{name}: {type}`, or choose "
        "another name",
        "与输入同名的绑定变量给出的就是该输入：请写 `{name}: {type}`，或换一个名称",
    ),
    "property-reads-input": (
        "the property reads the input `{name}`, which no binder gives",
        "性质读取了输入 `{name}`，但没有绑定变量给出它",
    ),
    "bind-it.help": (
        "bind it: `forall {name}: {type}, …`, or compute on other facts with `…[{name} = value]`",
        "请绑定它：`forall {name}: {type}, …`，或用 `…[{name} = value]` 在其他事实上计算",
    ),
    "defined-here": ("defined here", "定义于此"),
    "the-fixture": ("the fixture", "该夹具"),
    "input-type-not": (
        "`{name}` is an input of type `{type}`, not `{written}`",
        "`{name}` 是类型为 `{type}` 的输入，不是 `{written}`",
    ),
    "remove-type-or-bind.help": (
        "remove the type, or bind a name of the example's own: `given other_name: {type} = …`",
        "请删除类型，或绑定示例自己的名称：`given other_name: {type} = …`",
    ),
    "first-given-here": ("first given here", "首次给出于此"),
    # -- the command line and the library's calls (wuxin_rules.cli, api) ---------------------
    "give-policy-or-folder-cli": (
        "give a .policy file or a folder that holds some",
        "请给出 .policy 文件或含有策略文件的文件夹",
    ),
    "needs-every-fact": (
        "`{option}` needs every fact and cannot be combined with `--partial`",
        "`{option}` 需要全部事实，不能与 `--partial` 同用",
    ),
    "partial-then.help": (
        "evaluate with --partial to see what is missing, then without it",
        "请先用 --partial 求值查看缺少什么，再去掉它求值",
    ),
    "jobs-at-least": ("`--jobs {jobs}` must be at least 1", "`--jobs {jobs}` 至少为 1"),
    "jobs.help": ("use `--jobs 1` or more", "请用 `--jobs 1` 或更大的值"),
    "xlsx-needs-output": (
        "`--format xlsx` writes a binary workbook: give `--output FILE`",
        "`--format xlsx` 写出的是二进制工作簿：请给出 `--output FILE`",
    ),
    "xlsx-output-verdicts": (
        "e.g. `--output verdicts.xlsx`, or redirect the output to a file",
        "例如 `--output verdicts.xlsx`，或把输出重定向到文件",
    ),
    "xlsx-output-facts": (
        "e.g. `--output facts.xlsx`, or redirect the output to a file",
        "例如 `--output facts.xlsx`，或把输出重定向到文件",
    ),
    "param-form": (
        "`--param {item}` is not of the form NAME=VALUE",
        "`--param {item}` 不是 NAME=VALUE 的形式",
    ),
    "param-form.help": ("write e.g. `--param max_ratio=40%`", "例如写成 `--param max_ratio=40%`"),
    "stdin-not-utf8": (
        "cannot read `<stdin>`: it is not UTF-8 text",
        "无法读取 `<stdin>`：它不是 UTF-8 文本",
    ),
    "give-utf8": ("give the policy as UTF-8 text", "请以 UTF-8 文本给出策略"),
    "check-path-utf8": (
        "check the path, and that the file is UTF-8 text",
        "请检查路径，以及文件是否为 UTF-8 文本",
    ),
    "supply-missing.help": (
        "supply the missing facts (each pending rule lists the ones it needs) and evaluate "
        "without `partial`",
        "请补上缺少的事实（每条待定规则都列出了它需要的事实），再不带 `partial` 求值",
    ),
    "unknown-line-format": ("unknown line format `{format}`", "未知的行格式 `{format}`"),
    "use-json-or-text": ("use json or text", "请用 json 或 text"),
    "unknown-floats": ("unknown `floats={value}`", "未知的 `floats={value}`"),
    "floats.help": (
        'use `floats="shortest"` (read each float as its shortest decimal text) or leave it out '
        "(refuse floats)",
        '请用 `floats="shortest"`（把每个浮点数读作其最短的十进制文本），或省略它（拒绝浮点数）',
    ),
    "not-evaluated": ("rule `{name}` was not evaluated", "规则 `{name}` 没有求值"),
    "takes-parameters": (
        "rule `{name}` takes parameters and cannot be evaluated on its own",
        "规则 `{name}` 带有参数，不能单独求值",
    ),
    "call-it.help": (
        "evaluate a rule that calls it, or add a rule without parameters",
        "请对调用它的规则求值，或添加一个不带参数的规则",
    ),
    # -- tables of facts (wuxin_rules.tabular) --------------------------------------------
    # Where a row is (a CSV table has no sheet name to write `Sheet1!7`), and a place with
    # the file it is in or the column's header (the file and the header as they are).
    "tabular.row": ("row {row}", "第 {row} 行"),
    "tabular.file-place": ("{file}: {place}", "{file}: {place}"),
    "tabular.place-header": ("{place} ({header})", "{place} ({header})"),
    "check-path-readable": (
        "check the path and that the file is readable",
        "请检查路径以及文件是否可读",
    ),
    "no-input-named": ("the policy has no input `{input}`", "策略中没有输入 `{input}`"),
    "table-not-utf8": (
        "`{file}` is not UTF-8 text (byte {index})",
        "`{file}` 不是 UTF-8 文本（字节 {index}）",
    ),
    "save-csv-utf8": (
        "save the table as CSV UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)')",
        "请把表格存为 CSV UTF-8（Excel：“CSV UTF-8（逗号分隔）”）",
    ),
    "header-may-name": ("the header `{text}` may name {names}", "表头 `{text}` 可能指 {names}"),
    "label-before-field.help": (
        "write the record's label before the field's, e.g. `{example}`, or the dotted path",
        "请把记录的标签写在字段标签之前，例如 `{example}`，或写点分路径",
    ),
    "names-field-again": (
        "`{text}` names the field `{field}` again",
        "`{text}` 再次指向字段 `{field}`",
    ),
    "already-column": ("it is already column {column}", "它已经是第 {column} 列"),
    "no-link-column": (
        "no column links the rows of `{sheet}` to the rows of `{main}`",
        "没有列把 `{sheet}` 的行与 `{main}` 的行关联起来",
    ),
    "link-column.help": (
        "add a column headed by the full path of a column of the main table, e.g. `{example}`, "
        "holding that column's value",
        "请添加一列，以主表某列的完整路径为表头，例如 `{example}`，填入该列的值",
    ),
    "main-no-column": (
        "the main table has no column `{header}` to link to",
        "主表没有可关联的列 `{header}`",
    ),
    "add-to-main": (
        "add it to the main table, or link by another of its columns",
        "请把它加到主表，或按主表的另一列关联",
    ),
    "no-main-row": (
        "no row of the main table has `{header}` = {value}",
        "主表中没有 `{header}` = {value} 的行",
    ),
    "link-each-row": (
        "link each row to a row of the main table by that column's value",
        "请按该列的值把每一行关联到主表的一行",
    ),
    # -- common slips (wuxin_rules.syntax_errors.SLIPS) ---------------------------------------
    "slip.missing-keyword": ("missing `{want}` after `{prev}`", "`{prev}` 之后缺少 `{want}`"),
    "slip.missing-keyword.help": ("write `{prev} {want} …`", "请写成 `{prev} {want} …`"),
    "slip.equals-for-colon": ("expected `:` {body}, found `=`", "{body}应为 `:`，实际是 `=`"),
    "slip.equals-for-colon.help": ("write `:` instead of `=`", "请把 `=` 改为 `:`"),
    "slip.add-colon.help": ("add `:` after `{prev}`", "在 `{prev}` 之后加上 `:`"),
    "slip.colon-type.help": ("write `{prev}: type`", "请写成 `{prev}: type`"),
    "slip.colon-field": (
        "missing `:` after the field name `{prev}`",
        "字段名 `{prev}` 之后缺少 `:`",
    ),
    "slip.colon-field.help": ("write `{prev}: value`", "请写成 `{prev}: value`"),
    "slip.param-type.help": (
        "write `param {prev}: type = value`, for example `param {prev}: int = 1`",
        "请写成 `param {prev}: type = value`，例如 `param {prev}: int = 1`",
    ),
    "slip.given-equals": ("missing `=` after `given {prev}`", "`given {prev}` 之后缺少 `=`"),
    "slip.given-equals.help": ("write `given {prev} = value`", "请写成 `given {prev} = value`"),
    "after-prev": ("after `{prev}`", "在 `{prev}` 之后"),
    # -- what a value is called (wuxin_rules.facts), what a call takes (typing_rules) ------
    "a-member-of": ("a member of `{enum}`", "`{enum}` 的成员"),
    "a-record-named": ("a record `{name}`", "记录 `{name}`"),
    "or-none": ("{what} or none", "{what}或空值"),
    "rule-described": ("{kind} `{key}`{label}", "{kind} `{key}`{label}"),
    "at-least-arguments": ("at least {count}", "至少 {count}"),
    "arguments-between": ("{low} to {high} arguments", "{low} 到 {high} 个参数"),
    "one-argument": ("1 argument", "1 个参数"),
    "arguments": ("{count} arguments", "{count} 个参数"),
    "cell.one-of": ("one of {members}", "以下之一：{members}"),
    "cell.list-of": ("a list of {type} separated by commas", "以逗号分隔的 {type} 列表"),
    # -- lists (`listing()`): `a, b and c` is `a、b和c` --------------------------------------
    "list.and": ("{head} and {last}", "{head}和{last}"),
    "list.or": ("{head} or {last}", "{head}或{last}"),
    "list.comma": ("{head}, {next}", "{head}、{next}"),
    "sample.detail": (
        "n = {n}, ceil({rate} × {n}) = {size}, seed {seed}",
        "n = {n}，ceil({rate} × {n}) = {size}，种子 {seed}",
    ),
    "sample.rank": ("rank {rank}…", "排序值 {rank}…"),
    "sample.reproduce": (
        'to reproduce: rank every key k by SHA-256("{version}\\0" + f({seed}) + f(k)), where f(v) = "t" for a text or "i" for an int, then ":", the byte length of v, ":" and v in UTF-8; the {size} lowest ranks are drawn (ties by key)',
        '复现方法：按 SHA-256("{version}\\0" + f({seed}) + f(k)) 为每个键 k 排序，其中 f(v) 为：文本取 "t"、整数取 "i"，接 ":"、v 的字节长度、":" 和 v 的 UTF-8 编码；排序值最低的 {size} 个被抽中（相同时按键排序）',
    ),
    "loader.modules.help": ("modules: {names}", "模块：{names}"),
    "loader.text-imports-only": (
        "a policy given as text imports only the modules given with it",
        "以文本给出的策略只能导入随它一起给出的模块",
    ),
    "eval.invalid-date": ("`{text}` {reason}", "`{text}` {reason}"),
    "eval.not-a-valid-date": (
        "is not a valid date (year {year}, month {month}, day {day})",
        "不是有效的日期（年 {year}，月 {month}，日 {day}）",
    ),
    "eval.beyond-the-calendar": (
        "goes beyond the dates the calendar can hold",
        "超出了历法所能表示的日期范围",
    ),
    "checker.one-of.help": ("one of: {names}", "取值之一：{names}"),
    "checker.write-value-type.help": (
        "write a value of type `{type_}`",
        "请写类型为 `{type_}` 的值",
    ),
    "checker.write-number-such-as.help": (
        "write a number such as `0.5` or a percentage such as `50%`",
        "请写数（如 `0.5`）或百分比（如 `50%`）",
    ),
    "checker.write-true-or-false.help": ("write `true` or `false`", "请写 `true` 或 `false`"),
    "checker.write-date-as-yyyy.help": ("write a date as `YYYY-MM-DD`", "日期请写成 `YYYY-MM-DD`"),
    "checker.write-duration.help": (
        "write a duration in ISO 8601 whole units, such as `P3D`, `P1M` or `PT2H`",
        "时长请用 ISO 8601 整数单位书写，如 `P3D`、`P1M` 或 `PT2H`",
    ),
    "checker.write-datetime.help": (
        "write a date-time with its zone, such as `2025-03-01T08:30:00+08:00`",
        "日期时间请带时区书写，如 `2025-03-01T08:30:00+08:00`",
    ),
    "checker.write-time.help": (
        "write a time of day as `HH:MM` or `HH:MM:SS`",
        "时刻请写成 `HH:MM` 或 `HH:MM:SS`",
    ),
    "checker.module-imported-as-write.help": (
        "module `{renamed}` is imported as `{renamed2}`: write `{renamed2}.…`",
        "模块 `{renamed}` 以 `{renamed2}` 的名称导入：请写 `{renamed2}.…`",
    ),
    "checker.date-d-written-d.help": (
        "the {name} of a date `d` is written `d.{name}`",
        "日期 `d` 的 {name} 写作 `d.{name}`",
    ),
    "checker.builtin-function-call-as.help": (
        "`{name}` is a builtin function: call it as `{split}`",
        "`{name}` 是内置函数：请以 `{split}` 的形式调用",
    ),
    "checker.schedule-not-value.help": (
        "`{name}` is a schedule, not a value",
        "`{name}` 是时间表，不是值",
    ),
    "checker.look-value-up.help": (
        "look a value up: `{name}({name2}{category})`",
        "请查表取值：`{name}({name2}{category})`",
    ),
    "checker.set-bands-not-value.help": (
        "`{name}` is a set of bands, not a value",
        "`{name}` 是等级划分，不是值",
    ),
    "checker.find-band-number-value.help": (
        "find the band of a number: `{name}(value)`",
        "查找数所在的等级：`{name}(value)`",
    ),
    "checker.read-fields-value-this.help": (
        "read the fields of a value of this type, such as an input or a rule parameter",
        "请读取该类型的值（例如输入或规则参数）的字段",
    ),
    "checker.module-not-value.help": (
        "`{name}` is a module, not a value",
        "`{name}` 是模块，不是值",
    ),
    "checker.name-one-declarations.help": (
        "name one of its declarations: `{name}.…`",
        "请指明其中的一个声明：`{name}.…`",
    ),
    "facts.python": ("a Python `{type_name}`", "Python 的 `{type_name}`"),
    "facts.none": ("none", "none"),
    "facts.binary-floating-point-number": (
        "the binary floating-point number `{value}`",
        "二进制浮点数 `{value}`",
    ),
    "facts.date-and-time": ("a date and time `{isoformat}`", "日期时间 `{isoformat}`"),
    "facts.only-optional-type-admits.help": (
        "only an optional type (`{type_}?`) admits `null`",
        "只有可选类型（`{type_}?`）才接受 `null`",
    ),
    "facts.binary-floats-are-not.help": (
        'binary floats are not exact: pass `Decimal("{exact}")` or the text `"{exact}"`',
        '二进制浮点数不精确：请传入 `Decimal("{exact}")` 或文本 `"{exact}"`',
    ),
    "facts.binary-floats-are-not.help-2": (
        "binary floats are not exact: pass a Python `int`",
        "二进制浮点数不精确：请传入 Python 的 `int`",
    ),
    "facts.write-true-or-false.help": (
        "write `true` or `false`, without quotes",
        "请写 `true` 或 `false`，不加引号",
    ),
    "facts.inputs-are.help": ("the inputs are {names}", "输入有 {names}"),
    "facts.has.help": ("`{name}` has {names}", "`{name}` 有 {names}"),
    "facts.remove.help": ("remove it", "请删除它"),
    "facts.write-true-or-false.help-2": (
        "write `true` or `false`, not a number",
        "请写 `true` 或 `false`，而不是数",
    ),
    "facts.facts-document-json-object.help": (
        "a facts document is a JSON object with one key per input: {names}",
        "事实文档是一个 JSON 对象，每个输入一个键：{names}",
    ),
    "facts.write-json-object-with.help": (
        "write a JSON object with the fields {names}",
        "请写一个含字段 {names} 的 JSON 对象",
    ),
    "facts.did-you-mean-instead.help": (
        "did you mean `{name}` instead of `{misspelt}`?",
        "是否应为 `{name}` 而不是 `{misspelt}`？",
    ),
    "facts.write-whole-number-without.help": (
        "write a whole number, without a decimal point or exponent",
        "请写整数，不带小数点或指数",
    ),
    "jsonio.document-ends-too-early.help": (
        "the document ends too early: close every `[` and `{brace}`",
        "文档过早结束：请闭合每个 `[` 和 `{brace}`",
    ),
    "jsonio.remove-trailing-comma.help": ("remove the trailing comma", "请删除末尾的逗号"),
    "jsonio.expected-value": ("a JSON value", "一个 JSON 值"),
    "jsonio.expected-value.help": (
        "a value is a number, text in double quotes, `true`, `false`, `null`, a list `[…]` "
        "or an object `{{…}}`",
        "值可以是数字、双引号中的文本、`true`、`false`、`null`、列表 `[…]` 或对象 `{{…}}`",
    ),
    "jsonio.expected-comma": (
        "`,` or the end of the list or object",
        "`,` 或列表、对象的结尾",
    ),
    "jsonio.expected-comma.help": (
        "check for a missing comma or an unclosed bracket before this point",
        "请检查此处之前是否缺少逗号，或有没有闭合的括号",
    ),
    "jsonio.expected-colon": ("`:` after the key", "键后面的 `:`"),
    "jsonio.expected-colon.help": (
        'write each key and its value as `"key": value`',
        '请把每个键和它的值写成 `"key": value`',
    ),
    "jsonio.expected-key": ("a key in double quotes", "双引号中的键"),
    "jsonio.expected-key.help": (
        'write each key in double quotes: `"key": value`',
        '请把每个键写在双引号中：`"key": value`',
    ),
    "jsonio.unterminated-text": ("unterminated text `{preview}`", "文本 `{preview}` 没有结束"),
    "jsonio.unterminated-text.help": (
        'close the text with a double quote `"`',
        '请用双引号 `"` 结束这段文本',
    ),
    "jsonio.control-character": (
        "unescaped control character in text",
        "文本中有未转义的控制字符",
    ),
    "jsonio.control-character.help": (
        "write line breaks and tabs inside text as `\\n` and `\\t`",
        "文本中的换行和制表符请写成 `\\n` 和 `\\t`",
    ),
    "jsonio.invalid-escape": ("invalid escape in text", "文本中的转义无效"),
    "jsonio.problem-found": ("{problem}, found {found}", "{problem}：{found}"),
    "jsonio.invalid-escape.help": (
        'the escapes are `\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t` and `\\uXXXX`',
        '可用的转义有 `\\"`、`\\\\`、`\\/`、`\\b`、`\\f`、`\\n`、`\\r`、`\\t` 和 `\\uXXXX`',
    ),
    "jsonio.invalid-u-escape.help": (
        "write `\\u` followed by exactly four hexadecimal digits",
        "`\\u` 后面请恰好写四个十六进制数字",
    ),
    "jsonio.expected-end": ("the end of the document", "文档的结尾"),
    "jsonio.expected-end.help": (
        "a facts document holds one JSON value; write several documents as JSON lines, "
        "one per line",
        "一个事实文档只含一个 JSON 值；多个文档请写成 JSON Lines（`.jsonl`），每行一个",
    ),
    "jsonio.end-of-input": ("the end of the input", "输入的结尾"),
    "jsonio.empty-document.help": (
        "the document is empty: write a JSON object",
        "文档是空的：请写一个 JSON 对象",
    ),
    "jsonio.check-syntax.help": ("check the JSON syntax", "请检查 JSON 语法"),
    "jsonio.json-says": ("{detail}, found {found}", "JSON 语法错误（{detail}），实际是{found}"),
    "jsonio.json-writes-text-and.help": (
        "JSON writes text and keys in double quotes, not single quotes",
        "JSON 的文本和键用双引号，不用单引号",
    ),
    "jsonio.write-true-false-and.help": (
        "write `true`, `false` and `null` in lowercase",
        "`true`、`false` 和 `null` 请用小写",
    ),
    "syntax_errors.write-all-at-least.help": (
        "write `all of [...]`, `at least N of [...]` or `count of x in list`",
        "请写 `all of [...]`、`at least N of [...]` 或 `count of x in list`",
    ),
    "syntax_errors.property-reads-forall-x.help": (
        "a property reads `forall x: T where … holds claim`",
        "性质的写法是 `forall x: T where … holds claim`",
    ),
    "syntax_errors.replace-with-ordinary-space.help": (
        "replace it with an ordinary space",
        "请换成普通空格",
    ),
    "type.give-value-type-here.help": (
        "give a value of type `{wanted}` here, or change the type it must fit",
        "请在此给出类型为 `{wanted}` 的值，或修改它须符合的类型",
    ),
    "type.reduce-list-with-aggregate.help": (
        "reduce the list with an aggregate such as `count of x in …` or `sum of x in … : …`",
        "请用聚合把列表归约为一个值，例如 `count of x in …` 或 `sum of x in … : …`",
    ),
    "type.give-value-that-type.help": (
        "give a `{name}`: a value of that type, or a record literal with its fields",
        "请给出 `{name}`：该类型的值，或写出其字段的记录字面量",
    ),
    "type.reach-elements-with-aggregate.help": (
        "reach the elements with an aggregate: `list of x in {snippet} : x.{name}`",
        "请用聚合访问元素：`list of x in {snippet} : x.{name}`",
    ),
    "type.joins-two-lists-one.help": (
        "`+` joins two lists of one type: put a single value in a list, `xs + [x]`",
        "`+` 连接两个同类型的列表：单个值请放进列表，`xs + [x]`",
    ),
    "the-binary-float": ("the binary float `{value}`", "二进制浮点数 `{value}`"),
    "the-value-of": ("the value of `{name}`", "`{name}` 的值"),
    "loader.under-root": ("{file} under the policy root", "策略根目录下的 {file}"),
    "loader.move-or-rename.help": (
        "move the file to {where}, or change the header to `policy {stem}`",
        "请把文件移到 {where}，或把文件头改为 `policy {stem}`",
    ),
    "loader.move-or-remove.help": (
        "move the file to {where} (`{file}` is not a module name: use only letters, digits and `_`), or remove the header",
        "请把文件移到 {where}（`{file}` 不是模块名：只能用字母、数字和 `_`），或删除文件头",
    ),
    "tabular.no-sheet": ("no sheet for the list `{field}`", "列表 `{field}` 没有对应的工作表"),
    "tabular.no-sheet-labelled": (
        "no sheet for the list `{field}` ({label})",
        "列表 `{field}`（{label}）没有对应的工作表",
    ),
    "tabular.add-sheet.help": (
        "add {what}, with a column linking each row to its row here, headed by the full path of a column here (e.g. `{example}`)",
        "请添加{what}，其中一列以此处某列的完整路径为表头（例如 `{example}`），把每行链接到此处对应的行",
    ),
    "tabular.sheet-named": ("a sheet named `{name}`", "名为 `{name}` 的工作表"),
    "tabular.sheet-named-labelled": (
        "a sheet named `{name}` or `{label}`",
        "名为 `{name}` 或 `{label}` 的工作表",
    ),
    "tabular.the-file": ("the file `{file}`", "文件 `{file}`"),
    "cli.no-policies": (
        "no `.policy` files found in {paths}",
        "在 {paths} 中没有找到 `.policy` 文件",
    ),
    "at-path": ("at `{path}`", "位于 `{path}`"),
    "facts.percent-within.help": (
        'give a percentage within `{bound}`: a ratio such as `0.5`, or a text such as `"50%"`',
        '请给出 `{bound}` 之内的百分比：比值如 `0.5`，或文本如 `"50%"`',
    ),
    "frames.column-names-several": (
        "the column `{name}` names more than one field",
        "列 `{name}` 对应不止一个字段",
    ),
    "frames.column-names-none": (
        "the column `{name}` names no field",
        "列 `{name}` 不对应任何字段",
    ),
    "parser.too-large": (
        "policy text is {length} characters long, more than the {limit} accepted",
        "策略文本长 {length} 个字符，超过了允许的 {limit} 个",
    ),
    "parser.number-too-long": (
        "number has {digits} digits, more than the {limit} accepted",
        "数有 {digits} 位，超过了允许的 {limit} 位",
    ),
    "missing-mark": ("missing `{mark}`", "缺少 `{mark}`"),
    "tabular.write-number.help": (
        "write the number with digits and a decimal point, e.g. 0.045",
        "请用数字和小数点书写该数，例如 0.045",
    ),
    "tabular.write-percent.help": (
        "write the number with digits and a decimal point, e.g. 0.045 or 4.5%",
        "请用数字和小数点书写该数，例如 0.045 或 4.5%",
    ),
    "cell.no-column-labelled": (
        "no column for the field `{field}` ({label})",
        "没有字段 `{field}`（{label}）的列",
    ),
    "tabular.add-column.help": ("add a column headed `{field}`", "请添加表头为 `{field}` 的列"),
    "tabular.add-column-labelled.help": (
        "add a column headed `{field}` or `{label}`",
        "请添加表头为 `{field}` 或 `{label}` 的列",
    ),
    "type.member-not-imported.help": (
        "`{name}` is a member of {enums}, which this module does not import by name: write {spellings}",
        "`{name}` 是 {enums} 的成员，本模块没有按名称导入它：请写 {spellings}",
    ),
    "type.tests-condition.help": (
        "`{kind}` tests a condition on each element",
        "`{kind}` 对每个元素检验一个条件",
    ),
    "type.tests-condition-add.help": (
        "`{kind}` tests a condition on each element: add one, `{kind} of x in … : condition`",
        "`{kind}` 对每个元素检验一个条件：请添加条件，`{kind} of x in … : condition`",
    ),
    "type.sum-adds.help": ("`sum` adds numbers", "`sum` 对数求和"),
    "type.sum-adds-add.help": (
        "`sum` adds numbers: add the number to add, `sum of x in … : x.amount`",
        "`sum` 对数求和：请添加要相加的数，`sum of x in … : x.amount`",
    ),
    "type.picks-among.help": (
        "`{kind}` picks among numbers, dates, date-times or times of day",
        "`{kind}` 在数、日期、日期时间或时刻中选取",
    ),
    "type.picks-among-add.help": (
        "`{kind}` picks among numbers, dates, date-times or times of day: add the value to "
        "compare, `{kind} of x in … : x.amount`",
        "`{kind}` 在数、日期、日期时间或时刻中选取：请添加要比较的值，`{kind} of x in … : x.amount`",
    ),
    "type.sample-key.help": (
        "keys and seeds are texts or whole numbers, so that a draw can be redone from them",
        "键和种子是文本或整数，以便据此重现抽样",
    ),
    "type.sample-key-list.help": (
        "keys and seeds are texts or whole numbers, so that a draw can be redone from them: sample identifiers, `list of u in units : u.id`",
        "键和种子是文本或整数，以便据此重现抽样：请对标识符抽样，`list of u in units : u.id`",
    ),
    "type.list-of": ("list of {type}", "{type} 列表"),
    "api.need-every-fact-this": (
        "{what} need every fact: this result was evaluated with facts missing",
        "{what} 需要全部事实：此结果是在缺少事实的情况下求值的",
    ),
    "batch.evaluate-json-lines-file": (
        "`evaluate_json_lines_file` needs a render with a `line_format`",
        "`evaluate_json_lines_file` 需要带有 `line_format` 的渲染方式",
    ),
    "batch.use-evaluate-batch-with.help": (
        "use `evaluate_batch` with `read_json_lines`",
        "请将 `evaluate_batch` 与 `read_json_lines` 配合使用",
    ),
    "checker.pass-exact-value-decimal.help": (
        'pass an exact value: Decimal("{raw}") or the text "{raw}"',
        '请传入精确值：Decimal("{raw}") 或文本 "{raw}"',
    ),
    "checker.value-must-be.help": ("the value must be {bound}", "该值必须是{bound}"),
    "compiler.internal-error": (
        "internal error in {where}: {type_name}: {error}",
        "{where} 内部错误：{type_name}：{error}",
    ),
    "compiler.this-bug-wuxin-rules.help": (
        "this is a bug in wuxin_rules; please report it with the policy and facts",
        "这是 wuxin_rules 的缺陷；请连同策略和事实一起报告",
    ),
    "counterfactual.not-true-or-false": (
        "`{name}` is not true or false: there is nothing to pass",
        "`{name}` 不是真假值：无所谓使其成立",
    ),
    "counterfactual.ask-what-must-change.help": (
        "ask what must change for a criterion or another rule of type bool",
        "请对标准或其他 bool 类型的规则询问需要改变什么",
    ),
    "counterfactual.has-no-value-for": (
        "`{name}` has no value for these facts, so nothing can be changed to pass it",
        "`{name}` 在这些事实下没有值，因此无法通过改动使其成立",
    ),
    "eval.internal-error-evaluator": (
        "internal error in the evaluator: {message}",
        "求值器内部错误：{message}",
    ),
    "eval.internal-error-evaluator-2": (
        "internal error in the evaluator: {type_name}: {error}",
        "求值器内部错误：{type_name}：{error}",
    ),
    "eval.reference-unknown-rule": (
        "reference to unknown rule `{key}`",
        "引用了未知的规则 `{key}`",
    ),
    "eval.rule-takes-parameters-but": (
        "rule `{key}` takes parameters but is referenced without",
        "规则 `{key}` 有参数，但引用时没有给出参数",
    ),
    "eval.rule-depends-on-itself": ("rule `{key}` depends on itself", "规则 `{key}` 依赖其自身"),
    "eval.unbound-local": ("unbound local `{name}`", "未绑定的局部名称 `{name}`"),
    "eval.field-access-on-value": (
        "field access `{text}` on a value that is not a record",
        "字段访问 `{text}` 作用于非记录的值",
    ),
    "eval.call-not-rule-with": (
        "call of `{key}`, which is not a rule with parameters",
        "调用了 `{key}`，但它不是带参数的规则",
    ),
    "eval.called-with-arguments": (
        "`{key}` called with {count} arguments",
        "`{key}` 被以 {count} 个实参调用",
    ),
    "eval.unknown-builtin": ("unknown builtin `{name}`", "未知的内置函数 `{name}`"),
    "eval.link-fields-not-constant": (
        "the fields `{name}` follows are not texts the checker resolved",
        "`{name}` 所沿的字段不是检查器已解析的文本",
    ),
    "eval.sample-refused-arguments-without": (
        "`sample` refused its arguments without an error",
        "`sample` 拒绝了其参数却未给出错误",
    ),
    "eval.reference-unknown-schedule": (
        "reference to unknown schedule `{key}`",
        "引用了未知的时间表 `{key}`",
    ),
    "eval.reference-unknown-bands": (
        "reference to unknown bands `{key}`",
        "引用了未知的等级划分 `{key}`",
    ),
    "eval.lies-bands": (
        "`{text}` is {shown}, which lies in bands {names} of `{name}`",
        "`{text}` 为 {shown}，落在 `{name}` 的等级 {names} 中",
    ),
    "eval.band-bounds-overlap-param.help": (
        "the band bounds overlap (a param override?); make each value fall in one band",
        "等级的界限相互重叠（是否覆盖了参数？）；请使每个值只落在一个等级中",
    ),
    "eval.unknown-arithmetic-operator": (
        "unknown arithmetic operator `{op}`",
        "未知的算术运算符 `{op}`",
    ),
    "eval.unknown-comparison": ("unknown comparison `{op}`", "未知的比较运算 `{op}`"),
    "eval.unknown-aggregate": ("unknown aggregate `{kind}`", "未知的聚合 `{kind}`"),
    "eval.rules-with-parameters-call.help": (
        "rules with parameters call each other too deeply here; shorten the chain",
        "带参数的规则在此处相互调用过深；请缩短调用链",
    ),
    "eval.reference-unknown-param": (
        "reference to unknown param `{key}`",
        "引用了未知的参数 `{key}`",
    ),
    "eval.at-least-without-count": ("`at least` without a count", "`at least` 缺少个数"),
    "eval.spread-not-record": (
        "spread of `{text}`, which is not a record",
        "展开的 `{text}` 不是记录",
    ),
    "eval.param-binary-float": (
        "param `{name}` is the binary float `{value}`",
        "参数 `{name}` 是二进制浮点数 `{value}`",
    ),
    "eval.pass-exact-value-int.help": (
        "pass an exact value: an int, a Fraction or a Decimal",
        "请传入精确值：int、Fraction 或 Decimal",
    ),
    "eval.evaluating-nests-too-deeply": (
        "evaluating `{key}` nests too deeply for the Python stack",
        "求值 `{key}` 嵌套过深，超出 Python 栈的限制",
    ),
    "eval.evaluate-from-shallower-call.help": (
        "evaluate from a shallower call stack, or shorten chains of rule calls",
        "请在较浅的调用栈中求值，或缩短规则调用链",
    ),
    "eval.unknown-composition": ("unknown composition `{kind}`", "未知的组合 `{kind}`"),
    "examples.value-given-does-not": (
        "the value given to `{name}` does not fit its type: {message}",
        "给 `{name}` 的值不符合其类型：{message}",
    ),
    "examples.only-valid-facts-can.help": (
        "only valid facts can be given: keep the value within the type's bounds",
        "只能给出有效的事实：请使值保持在类型的范围之内",
    ),
    "explain.unknown-explanation-mode": (
        "unknown explanation mode `{mode}`",
        "未知的解释模式 `{mode}`",
    ),
    "facts.unexpected-while-validating-facts": (
        "unexpected `{type_name}` while validating facts: {exc}",
        "校验事实时出现意外的 `{type_name}`：{exc}",
    ),
    "frames.evaluate-frame-takes-pandas": (
        "`evaluate_frame` takes a pandas DataFrame or a pyarrow Table, not a `{module}.{name}`",
        "`evaluate_frame` 接受 pandas DataFrame 或 pyarrow Table，而不是 `{module}.{name}`",
    ),
    "frames.for-python-dicts-use.help": (
        "for Python dicts use `evaluate_many`",
        "Python 字典请使用 `evaluate_many`",
    ),
    "frames.evaluate-pandas-on-columns": (
        "`evaluate_pandas_on_columns` takes a pandas DataFrame",
        "`evaluate_pandas_on_columns` 接受 pandas DataFrame",
    ),
    "frames.use-evaluate-frame-for.help": (
        "use `evaluate_frame` for pyarrow Tables",
        "pyarrow Table 请使用 `evaluate_frame`",
    ),
    "frames.needs-cannot-be-imported": (
        "{what} needs {module}, which cannot be imported: {error}",
        "{what} 需要 {module}，但无法导入：{error}",
    ),
    "frames.install-pip-install-wuxin.help": (
        "install it: `pip install 'wuxin_rules[{extra}]'`",
        "请安装：`pip install 'wuxin_rules[{extra}]'`",
    ),
    "frames.name-by-field-s.help": (
        "name it by the field's dotted path or label",
        "请用字段的点分路径或名称命名该列",
    ),
    "frames.no-column-for-list": ("no column for the list `{join}`", "列表 `{join}` 没有对应的列"),
    "frames.add-column-lists-records.help": (
        "add a column of lists of records (Arrow list<struct>, or lists of dicts in pandas)",
        "请添加一列记录列表（Arrow list<struct>，或 pandas 中的字典列表）",
    ),
    "frames.add-column.help": ("add a column `{title}`", "请添加列 `{title}`"),
    "frames.names-field-again": (
        "`{name}` names the field `{name2}` again",
        "`{name}` 再次指向字段 `{name2}`",
    ),
    "frames.already-column.help": ("it is already the column `{seen}`", "它已经是列 `{seen}`"),
    "frames.column-holds-binary-floats": (
        "the column `{name}` holds binary floats, which are not exact",
        "列 `{name}` 含有二进制浮点数，不是精确值",
    ),
    "frames.hold-as-decimals-decimal.help": (
        'hold it as decimals (Decimal objects, Arrow decimal128), or pass `floats="shortest"` to read each float as its shortest decimal text',
        '请以十进制数保存（Decimal 对象、Arrow decimal128），或传入 `floats="shortest"`，把每个浮点数读作其最短的十进制文本',
    ),
    "jsonio.facts-nest-records-and.help": (
        "facts nest records and lists a few levels deep; check for runaway brackets",
        "事实中的记录和列表只嵌套几层；请检查是否有失控的括号",
    ),
    "jsonio.data-nests-too-deep": (
        "the data nests too deep (or refers to itself)",
        "数据嵌套过深（或引用了自身）",
    ),
    "jsonio.not-json-number": ("`{value}` is not a JSON number", "`{value}` 不是 JSON 数字"),
    "jsonio.duplicate-key": ("duplicate key `{key_text}`", "重复的键 `{key_text}`"),
    "jsonio.object-may-name-each.help": (
        "an object may name each key once: remove one of them",
        "一个对象中每个键只能出现一次：请删除其中一个",
    ),
    "jsonio.write-exact-number-or.help": (
        "write an exact number, or `null` for a missing optional value",
        "请写精确的数，缺少的可选值写 `null`",
    ),
    "jsonio.number-with-digits-too": (
        "a number with {count} digits is too long",
        "{count} 位的数太长",
    ),
    "jsonio.whole-numbers-may-have.help": (
        "whole numbers may have at most 4300 digits",
        "整数最多 4300 位",
    ),
    "jsonio.key-not-text": ("the key `{key}` is not text", "键 `{key}` 不是文本"),
    "jsonio.binary-float-reached-json": (
        "the binary float `{value}` reached the JSON writer",
        "二进制浮点数 `{value}` 到达了 JSON 写出器",
    ),
    "jsonio.cannot-write-value-python": (
        "cannot write a value of Python type `{type_name}` as JSON",
        "无法把 Python 类型 `{type_name}` 的值写成 JSON",
    ),
    "loader.header-names-module-must": (
        "the header names module `{dotted}`, which must be in a file {where}",
        "文件头指明模块 `{dotted}`，它必须位于文件 {where} 中",
    ),
    "parser.split-policy-into-modules.help": (
        "split the policy into modules and `import` them",
        "请把策略拆分为若干模块并用 `import` 导入",
    ),
    "parser.write-shorter-number-or.help": (
        "write a shorter number, or compute it with arithmetic",
        "请写较短的数，或用算术计算它",
    ),
    "sample.sampling-rate-must-lie": (
        "the sampling rate must lie between 0 and 1, found {rate}",
        "抽样比例必须在 0 与 1 之间，实际是 {rate}",
    ),
    "sample.write-rate-as-share.help": (
        "write the rate as a share of the keys, from 0% to 100%",
        "请把比例写成键中所占的份额，从 0% 到 100%",
    ),
    "sample.key-appears-more-than": (
        "the key {current} appears more than once",
        "键 {current} 出现了不止一次",
    ),
    "sample.sample-distinct-keys-such.help": (
        "sample distinct keys, such as identifiers: a key given twice would make the draw depend on how the list was built",
        "请对互不相同的键（例如标识符）抽样：重复的键会使抽样结果依赖于列表的构造方式",
    ),
    "eval.dates-run-from-0001.help": (
        "dates run from 0001-01-01 to 9999-12-31 and months have 28 to 31 days",
        "日期范围为 0001-01-01 至 9999-12-31，每月有 28 至 31 天",
    ),
    "eval.rounds-digits": ("`{text}` rounds to {digits} digits", "`{text}` 舍入到 {digits} 位"),
    "eval.round-between-100-and.help": (
        "round to between -100 and 100 digits",
        "请舍入到 -100 至 100 位之间",
    ),
    "eval.needs-quarter-from-1": (
        "`{text}` needs a quarter from 1 to 4, got {quarter}",
        "`{text}` 需要 1 至 4 的季度，实际是 {quarter}",
    ),
    "eval.quarters-are-numbered-1.help": ("quarters are numbered 1 to 4", "季度编号为 1 至 4"),
    "eval.sampling-rate-outside-0": (
        "the sampling rate `{text}` is {rate_text}, outside 0% to 100%",
        "抽样比例 `{text}` 为 {rate_text}，超出 0% 至 100%",
    ),
    "eval.give-share-keys-draw.help": (
        "give the share of the keys to draw, from 0% to 100%",
        "请给出要抽取的键所占的份额，从 0% 到 100%",
    ),
    "eval.meets-none-element": ("`{text}` meets a none element", "`{text}` 遇到了 none 元素"),
    "eval.internal-error-evaluator-label": (
        "internal error in the evaluator: `label` of `{values}`, which is not a member of its enum",
        "求值器内部错误：`{values}` 的 `label`，它不是其枚举的成员",
    ),
    "strategies.expected-policy-found": (
        "expected a policy, found `{type_name}`",
        "应为策略，实际是 `{type_name}`",
    ),
    "strategies.pass-what-wuxin-rules.help": (
        "pass what `wuxin_rules.load(...)` returns",
        "请传入 `wuxin_rules.load(...)` 的返回值",
    ),
    "strategies.cannot-draw-values": ("cannot draw values of `{type_}`", "无法生成 `{type_}` 的值"),
    "strategies.names-several-types": (
        "`{name}` names several types: {names}",
        "`{name}` 指向多个类型：{names}",
    ),
    "strategies.write-qualified-name.help": ("write the qualified name", "请写限定名称"),
    "strategies.names-no-value-drawn": (
        "`{path}` names no value of the drawn documents",
        "`{path}` 不指向所生成文档中的任何值",
    ),
    "suite_checker.expectation-condition-compare-value.help": (
        "an expectation is a condition: compare the value with what you expect, `… == value`",
        "预期是一个条件：请把值与预期的值比较，`… == 值`",
    ),
    "syntax_errors.full-width-outside-text": (
        "full-width `{char}` outside a text",
        "文本之外出现全角 `{char}`",
    ),
    "syntax_errors.not-ascii-digit": ("`{char}` is not an ASCII digit", "`{char}` 不是 ASCII 数字"),
    "syntax_errors.numbers-are-written-with.help": (
        "numbers are written with the digits 0-9: type `{digit}`",
        "数字用 0-9 书写：请输入 `{digit}`",
    ),
    "tables.param-not-number": (
        "param `{name}` is `{type_}`, not a number",
        "参数 `{name}` 是 `{type_}`，不是数",
    ),
    "tables.band-bound-number-or.help": (
        "a band bound is a number or a numeric param (`int`, `decimal` or `percent`, not optional)",
        "等级界限是数或数值参数（`int`、`decimal` 或 `percent`，不可为可选）",
    ),
    "tables.write-smaller-bound-first.help": ("write the smaller bound first", "请先写较小的界限"),
    "tables.extend-last-band-end.help": (
        "extend the last band to the end of the range, or add a band for the gap",
        "请把最后一个等级延伸到范围的末端，或为空缺添加一个等级",
    ),
    "tables.round-number-or-declare.help": (
        "round the number, or declare the schedule's values `decimal`",
        "请对该数取整，或把时间表的值声明为 `decimal`",
    ),
    "tables.correct-value-or-bound.help": (
        "correct the value, or the bound in the schedule's type",
        "请更正该值，或更正时间表类型中的界限",
    ),
    "tables.no-value-for-param": ("no value for param `{key}`", "参数 `{key}` 没有值"),
    "tables.pass-value-every-param.help": (
        "pass the value of every param the bands use",
        "请传入等级划分所用的每个参数的值",
    ),
    "tabular.expected-found-empty-cell": (
        "expected {expected}, found an empty cell",
        "应为{expected}，实际是空单元格",
    ),
    "tabular.field-declared.help": (
        "the field is declared `{type_} {bound}`",
        "该字段声明为 `{type_} {bound}`",
    ),
    "tabular.write-true-or-false.help": (
        "write true or false (是 or 否)",
        "请填写 是 或 否（true 或 false）",
    ),
    "tabular.write-date-as-2017.help": (
        "write the date as 2017-12-31",
        "日期请写成 2017-12-31 的形式",
    ),
    "tabular.needs-openpyxl-cannot-be": (
        "{what} needs openpyxl, which cannot be imported: {error}",
        "{what} 需要 openpyxl，但无法导入：{error}",
    ),
    "tabular.install-pip-install-wuxin.help": (
        "install it: `pip install 'wuxin_rules[excel]'`",
        "请安装：`pip install 'wuxin_rules[excel]'`",
    ),
    "tabular.date-without-time-day.help": ("a date without a time of day", "只写日期，不带时刻"),
    "type.expected-found": ("expected {what}, found `{found}`", "应为{what}，实际是 `{found}`"),
    "type.rate-share-keys-draw.help": (
        "the rate is the share of keys to draw, such as `10%`",
        "比例是要抽取的键所占的份额，例如 `10%`",
    ),
    "type.expected-number-or-date": (
        "expected a number, a date, a date-time or a time of day, found `{value}`",
        "应为数、日期、日期时间或时刻，实际是 `{value}`",
    ),
    "type.len-counts-elements-list.help": (
        "`len` counts the elements of a list",
        "`len` 计算列表的元素个数",
    ),
    "type.expected-enum-member-found": (
        "expected an enum member, found `{type}`",
        "应为枚举成员，实际是 `{type}`",
    ),
    "type.label-gives-label-enum.help": (
        "`label` gives the label of an enum member; `text(x)` writes any value as text",
        "`label` 给出枚举成员的名称；`text(x)` 把任何值写成文本",
    ),
    "type.expected-date-or-int": (
        "expected a `date` or an `int` period, found `{type}`",
        "应为 `date` 或 `int` 期数，实际是 `{type}`",
    ),
    "type.d-gives-stage-whose.help": (
        "`{written}(d)` gives the stage whose dates hold the date `d`, `{written}({name})` the stage whose rows hold that period",
        "`{written}(d)` 给出其日期包含 `d` 的阶段，`{written}({name})` 给出其行包含该期数的阶段",
    ),
    "type.joins-two-lists-same.help": (
        "`+` joins two lists of the same element type",
        "`+` 连接两个元素类型相同的列表",
    ),
    "type.looks-for-value-list.help": (
        "`in` looks for a value in a list: `x in [a, b]`",
        "`in` 在列表中查找值：`x in [a, b]`",
    ),
    "type.combines-conditions-compare-value.help": (
        "`{op}` combines conditions; compare the value to make one",
        "`{op}` 组合条件；请比较该值以构成条件",
    ),
    "type.composition-combines-conditions-compare.help": (
        "a composition combines conditions; compare the value to make one",
        "组合用于组合条件；请比较该值以构成条件",
    ),
    "type.where-keeps-elements-for.help": (
        "`where` keeps the elements for which a condition holds",
        "`where` 保留满足条件的元素",
    ),
    "type.min-and-max-pick.help": (
        "`min` and `max` pick among numbers, or among dates, date-times or times of day",
        "`min` 和 `max` 在数中选取，或在日期、日期时间或时刻中选取",
    ),
    "type.expected-list-texts-or": (
        "expected a list of texts or of `int`s, found `{type_}`",
        "应为文本或 `int` 的列表，实际是 `{type_}`",
    ),
    "type.sample-identifiers-what-drawn.help": (
        "sample the identifiers of what is drawn: `list of u in units : u.id`",
        "请对所抽取对象的标识符抽样：`list of u in units : u.id`",
    ),
    "type.parameter": (
        "parameter `{params}` of `{name}` is `{declared}`",
        "`{name}` 的参数 `{params}` 是 `{declared}`",
    ),
    "type.cannot-compare-with": (
        "cannot compare `{type}` with `{type2}`",
        "无法将 `{type}` 与 `{type2}` 比较",
    ),
    "type.both-sides-and-must.help": (
        "both sides of `==` and `!=` must have the same type (numbers of any kind compare with each other)",
        "`==` 和 `!=` 两边的类型必须相同（各种数之间可以相互比较）",
    ),
    "type.cannot-look-for": (
        "cannot look for `{type}` in `{type2}`",
        "无法在 `{type2}` 中查找 `{type}`",
    ),
    "type.value-and-list-s.help": (
        "the value and the list's elements must have the same type",
        "值与列表的元素类型必须相同",
    ),
    "type.at-least-n-needs.help": (
        "`at least N of [...]` needs a whole number `N`",
        "`at least N of [...]` 需要整数 `N`",
    ),
    "type.elements-may-be-none": (
        "the elements of `{snippet}` may be `none`",
        "`{snippet}` 的元素可能为 `none`",
    ),
    "type.add-body-that-handles.help": (
        "add a body that handles `none`: `{kind} of {name} in … : {name} ?? …`",
        "请添加处理 `none` 的主体：`{kind} of {name} in … : {name} ?? …`",
    ),
    "type.field-given-twice": ("field `{name}` is given twice", "字段 `{name}` 给出了两次"),
    "type.give-each-field-once.help": ("give each field once", "每个字段只给一次"),
    "type.brings-field": (
        "`{snippet}` brings the field `{name}`",
        "`{snippet}` 带来了字段 `{name}`",
    ),
    "type.spread-value-type-or.help": (
        "spread a value of type `{name}`, or give the fields one by one",
        "请展开类型为 `{name}` 的值，或逐个给出字段",
    ),
    "type.field-this-spread-brings": (
        "the field `{name}` this spread brings is `{type_}`",
        "此展开带来的字段 `{name}` 是 `{type_}`",
    ),
    "type.field.help": (
        "the field `{name}` of `{name2}` is `{type}`",
        "`{name2}` 的字段 `{name}` 是 `{type}`",
    ),
    "type.expected-record-found": (
        "expected a record, found `{type}`",
        "应为记录，实际是 `{type}`",
    ),
    "type.x-copies-fields-record.help": (
        "`...x` copies the fields of a record `x`",
        "`...x` 复制记录 `x` 的字段",
    ),
    "verify.strategies-drew-facts-that": (
        "the strategies drew facts that the facts check refuses",
        "生成策略产生了事实检查拒绝的事实",
    ),
    "visitor.internal-error-visitor-has": (
        "internal error: the visitor `{visitor}` has no case for `{kind}` nodes",
        "内部错误：访问器 `{visitor}` 没有处理 `{kind}` 节点的分支",
    ),
    "visitor.this-bug-wuxin-rules.help": (
        "this is a bug in wuxin_rules (a node kind was added without teaching every visitor about it); please report it with the policy",
        "这是 wuxin_rules 的缺陷（新增了一种节点却没有让每个访问器都处理它）；请连同策略一起报告",
    ),
    # -- what there is, when no name is close to the one written ---------------------------
    "not-callable.help": (
        "only rules with parameters, schedules, bands and builtin functions can be called",
        "只有带参数的规则、计划表、分档和内置函数可以调用",
    ),
    "evaluated-are.help": ("evaluated: {names}", "已求值的规则：{names}"),
    "rules-are.help": ("rules: {names}", "规则有 {names}"),
    "params-are.help": ("params: {names}", "参数有 {names}"),
    "no-params.help": ("this policy declares no params", "此策略没有声明参数"),
    "modes-are.help": ("modes: {names}", "解释方式有 {names}"),
    "module-declares.help": ("it declares {names}", "它声明了 {names}"),
    "module-declares-nothing.help": ("it declares nothing", "它没有声明任何内容"),
    "stages-are.help": ("its stages are {names}", "它的阶段有 {names}"),
    "no-stages.help": ("it has no stages", "它没有阶段"),
    "declare-type.help": (
        "declare it with `enum` or `record`, or import it: `import module (Name)`",
        "请用 `enum` 或 `record` 声明它，或导入它：`import module (Name)`",
    ),
    "give-type.help": (
        "give a record or enum of the policy, or a type such as `int >= 0`",
        "请给出策略中的记录或枚举，或 `int >= 0` 这样的类型",
    ),
    "paths-like.help": (
        "paths are like `order.kind` or `shop.orders[].kind`",
        "路径形如 `order.kind` 或 `shop.orders[].kind`",
    ),
    "give-one-input.help": ("give one of {names}", "请给出 {names} 之一"),
    "no-inputs-to-give.help": (
        "this policy has no inputs to give",
        "此策略没有可以给出的输入",
    ),
    "bind-own-name.help": (
        "to bind a name of the example's own, give its type: `given {name}: Type = …`",
        "要绑定示例自己的名称，请写出它的类型：`given {name}: Type = …`",
    ),
    "inputs-then-bind-own-name.help": (
        "the inputs are {names}; to bind a name of the example's own, give its type: "
        "`given {name}: Type = …`",
        "输入有 {names}；要绑定示例自己的名称，请写出它的类型：`given {name}: Type = …`",
    ),
    "cell.write-one-of": ("write one of {members}", "请写以下之一：{members}"),
    "cell.header-is.help": (
        "a header is a field's dotted path (`{example}`) or its label",
        "表头是字段的点分路径（`{example}`）或字段的名称",
    ),
}
"""Phrases by key: `(English template, Chinese template)`. Keys ending in `.help`,
`.label` and so on belong to the phrase before them."""

TERMS: Mapping[str, str] = {
    "a record field": "记录字段",
    # The units `whole_days` and its kin count.
    "days": "天",
    "hours": "小时",
    "minutes": "分钟",
    "a parameter": "参数",
    "a variable": "变量",
    "a given": "给定值",
    "a binder": "绑定名",
    "what must change": "需要改变什么",
    "explanations": "解释",
    "reading Excel files": "读取 Excel 文件",
    "a list of texts or of `int`s": "文本或 `int` 的列表",
    "a text or an `int`": "文本或 `int`",
    # Kinds of full-width characters.
    "colon": "冒号",
    "comma": "逗号",
    "enumeration comma": "顿号",
    "parenthesis": "括号",
    "percent sign": "百分号",
    "digit": "数字",
    "digits": "数字",
    "square bracket": "方括号",
    "brace": "花括号",
    "semicolon": "分号",
    "quotation mark": "引号",
    "full stop": "句号",
    "equals sign": "等号",
    "less-than sign": "小于号",
    "greater-than sign": "大于号",
    "plus sign": "加号",
    "minus sign": "减号",
    "dash": "破折号",
    "asterisk": "星号",
    "slash": "斜杠",
    "backslash": "反斜杠",
    "question mark": "问号",
    "exclamation mark": "感叹号",
    "number sign": "井号",
    "ampersand": "和号",
    "vertical bar": "竖线",
    "underscore": "下划线",
    "apostrophe": "撇号",
    "tilde": "波浪号",
    "character": "字符",
    # Scripts.
    "Latin": "拉丁",
    "Cyrillic": "西里尔",
    "Greek": "希腊",
    "Han": "汉字",
    "Hiragana": "平假名",
    "Katakana": "片假名",
    "Hangul": "韩文",
    "Arabic": "阿拉伯",
    "Hebrew": "希伯来",
    "Armenian": "亚美尼亚",
    # What the parser expected or found.
    "a name": "名称",
    'a text ("…")': '文本（"…"）',
    "a whole number": "整数",
    "true/false (是/否)": "true/false（是/否）",
    "a decimal number": "小数",
    "a percentage": "百分数",
    "a date (YYYY-MM-DD)": "日期（YYYY-MM-DD）",
    "a date-time (2025-03-01T08:30+08:00)": "日期时间（2025-03-01T08:30+08:00）",
    "a time of day (08:30)": "时刻（08:30）",
    "a duration (ISO 8601, such as P1M or P3D)": "时长（ISO 8601，例如 P1M 或 P3D）",
    "a type": "类型",
    "an operator": "运算符",
    "a declaration": "声明",
    "an expression": "表达式",
    "the end of the file": "文件结尾",
    "the end of the expression": "表达式结尾",
    "nothing": "无",
    "nothing more": "无更多内容",
    "true/false": "真/假",
    "an input": "输入",
    "a rule": "规则",
    "a criterion": "标准",
    "a param": "参数",
    "an enum": "枚举",
    "a record": "记录",
    "a schedule": "计划表",
    "a set of bands": "分档",
    "a module": "模块",
    "a fixture": "夹具",
    "rule": "规则",
    "record": "记录",
    "enum": "枚举",
    "schedule": "计划表",
    "bands": "分档",
    "param": "参数",
    "fixture": "夹具",
    "the given": "给定值",
    "input": "输入",
    "field": "字段",
    "text": "文本",
    "before the rule's expression": "在规则的表达式之前",
    "before the criterion's expression": "在标准的表达式之前",
    "before the enum's members": "在枚举成员之前",
    "before the record's fields": "在记录字段之前",
    "before the bands": "在分档之前",
    "before the table's `hit` and `input` lines": "在表的 `hit` 行与 `input` 行之前",
    "a record type": "记录类型",
    "an enum member": "枚举成员",
    "a band": "档",
    "member": "成员",
    "band": "档",
    "parameter": "参数",
    "stage": "阶段",
    "a bound (`>= 0`, `0 .. 10`)": "界限（`>= 0`、`0 .. 10`）",
    "a comparison (`==`, `<`, …)": "比较运算（`==`、`<`、…）",
    "a date": "日期",
    "a duration": "时长",
    "a date-time": "日期时间",
    "a time of day": "时刻",
    "a record of inputs": "输入记录",
    "a list": "列表",
    "none": "空值",
    "criterion": "标准",
    # Parts of a module (`formatting would change the meaning of the header`).
    "the header": "文件头",
    "the list of declarations": "声明列表",
}
"""Whole texts that stand in a field of a phrase (`expected {expected}`), in Chinese."""

CATALOGUE: Mapping[str, tuple[str, str]] = {
    **PHRASES,
    **{text: (text, chinese) for text, chinese in TERMS.items()},
}
"""The one catalogue: every phrase and term by key, `(English, Chinese)`. A term's key is its
English text (as a gettext msgid is), so `english("a whole number")` names it."""


def word(key: str, lang: str = "en", **fields: object) -> str:
    """A frame word or sentence of `WORDS` in `lang`, its `{fields}` filled in."""
    english_text, chinese = WORDS[key]
    template = chinese if lang == "zh" else english_text
    return template.format(**fields) if fields else template


def words_in(prefix: str, lang: str = "en") -> dict[str, str]:
    """The words of `DOCUMENT_WORDS` under `prefix` (`doc.`, `notice.`, `notation.`), by the
    rest of their key, as templates in `lang`."""
    index = 1 if lang == "zh" else 0
    return {
        key[len(prefix) :]: pair[index]
        for key, pair in DOCUMENT_WORDS.items()
        if key.startswith(prefix)
    }


def count(number: int, what: str, lang: str = "en") -> str:
    """`3 errors`, `1 warning`; `3 个错误` in Chinese."""
    singular, plural, chinese = _COUNTED[what]
    if lang == "zh":
        return f"{number} {chinese}"
    return f"{number} {singular if number == 1 else plural}"


class Message(str):
    """A phrase of the catalogue and its fields, rendered in a language when it is shown.

    A `str` whose text is the English rendering (so `Diagnostic.message`, a note, a help or a
    label stays a `str` for embedders, and English output is the text itself), which also
    carries the phrase's `key` and its `fields`. A field is either a `Message` (rendered in
    the same language in turn) or the policy's own words - a name, a label, a citation, a
    value - shown as they are. `render(lang)` looks the key up in the one catalogue: no
    English text is ever matched to find its translation.
    """

    key: str
    fields: Mapping[str, object]

    def __new__(cls, key: str, /, **fields: object) -> Message:
        # `_fill(…, "en")` without rendering each field first: `format_map` formats a field
        # as `render(field, "en")` does (a message's text is its English rendering), and the
        # catalogue's fields are plain `{name}`s (tests/test_messages.py). Thousands of
        # warnings make tens of thousands of messages.
        message = str.__new__(cls, CATALOGUE[key][0].format_map(fields))
        message.__dict__ = {"key": key, "fields": fields}  # one dict, not two stores
        return message

    def render(self, lang: str = "en") -> str:
        """The message in `lang` (`en` or `zh`); its fields that are messages in turn."""
        if lang != "zh":
            return str.__str__(self)
        return _fill(CATALOGUE[self.key][1], self.fields, lang)

    def to_json(self) -> dict[str, Any]:
        """`{"key": …, "fields": {…}}`: a field that is a message as such a dict in turn, any
        other field as its text."""
        return {
            "key": self.key,
            "fields": {
                name: value.to_json() if isinstance(value, Message) else format(value, "")
                for name, value in self.fields.items()
            },
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # A message crosses process boundaries (`--jobs`) as its key and fields.
        return (_message, (self.key, dict(self.fields)))

    # (`str(message)` is `str.__str__`, inherited: the English text as a plain `str`.)


english = Message
"""`english(key, **fields)`: the phrase `key` of the catalogue with its fields, a `Message`
whose text is English (the class itself: no call in between for tens of thousands)."""


def term(text: str) -> str:
    """A term of an open set (a script's Unicode name, `Latin`): its message when the
    catalogue has it, else the text as it is (a proper name, shown unchanged)."""
    return Message(text) if text in TERMS else text


def listing(items: Sequence[object], joiner: str = "and") -> str:
    """`a, b and c` (`joiner` is `and` or `or`) as a message: `a、b和c` in Chinese. The items
    are messages or the policy's words; one item is itself, none is an empty text."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0] if isinstance(items[0], str) else format(items[0], "")
    head: object = items[0]
    for item in items[1:-1]:
        head = Message("list.comma", head=head, next=item)
    return Message("list.or" if joiner == "or" else "list.and", head=head, last=items[-1])


def _message(key: str, fields: dict[str, object]) -> Message:
    return Message(key, **fields)


def _fill(template: str, fields: Mapping[str, object], lang: str) -> str:
    return template.format_map({name: render(value, lang) for name, value in fields.items()})


def render(text: object, lang: str = "en") -> str:
    """`text` in `lang`: a `Message` rendered from its key and fields; any other text (what
    the policy wrote, a value) as it is."""
    if isinstance(text, Message):
        return text.render(lang)
    return format(text, "")


def translate(text: str, lang: str = "en") -> str:
    """`render(text, lang)`, under the name embedders used before messages were data."""
    return render(text, lang)
