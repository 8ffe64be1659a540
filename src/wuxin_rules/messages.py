"""The fixed words of diagnostics and explanations, in English and Chinese.

Owns the message catalogue: the frame words every rendering uses (`error`/`错误`,
`help`/`帮助`, the closing count), and the phrases the stages write (`short by {amount}`,
`unknown name {name}`, …) with their Chinese form. Imports nothing from the package: every
layer that renders text may use it.

The stages build their texts in English, as data (a `Diagnostic.message`, an
`Explanation.detail`); a rendering asked for in another language looks each text up here with
`translate()`. A phrase is a template whose `{fields}` match any text; the fields are
translated in turn (so `expected {expected}, found {found}` carries `a whole number` into
`整数`), and what the policy wrote (names in backticks, labels, citations, values) is carried
over unchanged. A text no phrase matches is shown as it is, in English: the catalogue may
grow one phrase at a time without breaking a rendering.

New English texts should come from `english(key, **fields)`, so that the code and the
catalogue cannot drift apart.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

__all__ = [
    "LANGUAGES",
    "PHRASES",
    "TERMS",
    "WORDS",
    "count",
    "english",
    "translate",
    "word",
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
    "unknown-stage": ("unknown stage `{stage}` of `{schedule}`", "`{schedule}` 没有阶段 `{stage}`"),
    "members-are": ("its members are {members}", "它的成员有 {members}"),
    "module-has-no": ("module `{module}` has no `{name}`", "模块 `{module}` 中没有 `{name}`"),
    "is-not-a-type": ("`{name}` is {what}, not a type", "`{name}` 是{what}，不是类型"),
    "is-not-a-param": ("`{name}` is {what}, not a param", "`{name}` 是{what}，不是参数"),
    "type-not-value": ("`{name}` is a type, not a value", "`{name}` 是类型，不是值"),
    "takes-no-arguments": ("`{name}` takes no arguments", "`{name}` 不接受参数"),
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
    "reserved-and-cannot-name": (
        "`{name}` is a reserved word and cannot name {what}",
        "`{name}` 是保留字，不能用作{what}的名称",
    ),
    "builtin-type-cannot-name": (
        "`{name}` is a builtin type and cannot name {what}",
        "`{name}` 是内置类型，不能用作{what}的名称",
    ),
    "choose-another-name": ("choose another name, such as `{name}`", "请换一个名称，例如 `{name}`"),
    "reserved-not-name": ("`{name}` is a reserved word, not a name", "`{name}` 是保留字，不是名称"),
    "reserved-not-name.help": (
        "a reserved word cannot name a value: choose another name",
        "保留字不能用作值的名称：请换一个名称",
    ),
    "is-reserved": ("`{name}` is a reserved word", "`{name}` 是保留字"),
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
    "param-no-type": ("the param `{name}` has no type", "参数 `{name}` 没有类型"),
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
    "no-semicolon": ("a declaration needs no `;`: remove it", "声明之后不需要 `;`：请删除"),
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
    "no-element": (
        "`{expr}` has no element to give: the list is empty",
        "`{expr}` 无法取值：列表为空",
    ),
    "no-element.help": (
        "check the list first: `if len({items}) > 0 then … else …`",
        "请先检查列表：`if len({items}) > 0 then … else …`",
    ),
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
        "write a literal (a number, text, date, `true`, `false`, `none`, an enum member, or a list of those); compute derived values in a rule",
        "请写字面量（数、文本、日期、`true`、`false`、`none`、枚举成员，或由它们组成的列表）；派生的值请在规则中计算",
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
    "write-for-example": (
        "write `{fix}`, for example `{example}`",
        "请写成 `{fix}`，例如 `{example}`",
    ),
    "add-with-type": ("add `{fix}`, with a `{type}`", "请加上 `{fix}`，类型为 `{type}`"),
    "rule-named": ("rule `{name}`", "规则 `{name}`"),
    "fixture-named": ("fixture `{name}`", "夹具 `{name}`"),
    "given-named": ("the given `{name}`", "给定值 `{name}`"),
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
    "cites-nothing": (
        "the explanation of {what} would cite nothing",
        "{what}的解释不会引用任何条文",
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
    # -- facts (wuxin_rules.facts) ---------------------------------------------------------
    "missing-input": ("missing input `{name}`", "缺少输入 `{name}`"),
    "supply-in-facts": ("supply `{name}` in the facts document", "请在事实文档中提供 `{name}`"),
    # -- evaluation (wuxin_rules.evaluator): the right-hand notes of explanations ----------
    "margin": ("margin {amount}", "余量 {amount}"),
    "short-by": ("short by {amount}", "差 {amount}"),
    "over-by": ("over by {amount}", "超出 {amount}"),
    "equal-not-greater": ("equal, so not strictly greater", "相等，并非严格大于"),
    "equal-not-less": ("equal, so not strictly less", "相等，并非严格小于"),
    "days": ("{count} days", "{count} 天"),
    "day": ("1 day", "1 天"),
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
    "fallback-used": ("none: fallback used", "无值：使用后备值"),
    "then": ("→ then", "→ then 分支"),
    "else": ("→ else", "→ else 分支"),
    "stage": ("{key} → {value} (stage {stage})", "{key} → {value}（阶段 {stage}）"),
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
}
"""Phrases by key: `(English template, Chinese template)`. Keys ending in `.help`,
`.label` and so on belong to the phrase before them."""

TERMS: Mapping[str, str] = {
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
    "an empty cell": "空单元格",
    "true/false (是/否)": "true/false（是/否）",
    "a decimal number": "小数",
    "a percentage": "百分数",
    "a date (YYYY-MM-DD)": "日期（YYYY-MM-DD）",
    "a value": "值",
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
    "key": "键",
    "1 argument": "1 个参数",
    "2 arguments": "2 个参数",
    "3 arguments": "3 个参数",
    "text": "文本",
    "before the rule's expression": "在规则的表达式之前",
    "before the criterion's expression": "在标准的表达式之前",
    "before the enum's members": "在枚举成员之前",
    "before the record's fields": "在记录字段之前",
    "before the bands": "在分档之前",
    # Parts of a module (`formatting would change the meaning of the header`).
    "the header": "文件头",
    "the list of declarations": "声明列表",
}
"""Whole texts that stand in a field of a phrase (`expected {expected}`), in Chinese."""


def word(key: str, lang: str = "en", **fields: object) -> str:
    """A frame word or sentence of `WORDS` in `lang`, its `{fields}` filled in."""
    english_text, chinese = WORDS[key]
    template = chinese if lang == "zh" else english_text
    return template.format(**fields) if fields else template


def count(number: int, what: str, lang: str = "en") -> str:
    """`3 errors`, `1 warning`; `3 个错误` in Chinese."""
    singular, plural, chinese = _COUNTED[what]
    if lang == "zh":
        return f"{number} {chinese}"
    return f"{number} {singular if number == 1 else plural}"


def english(key: str, **fields: object) -> str:
    """The English text of a phrase of `PHRASES`, its `{fields}` filled in."""
    return PHRASES[key][0].format(**fields)


def translate(text: str, lang: str = "en") -> str:
    """`text` (written by a stage in English) in `lang`: unchanged for English, and for a
    text that no phrase matches; otherwise the phrase's Chinese form with its fields
    translated in turn."""
    if lang != "zh" or not text:
        return text
    return _translate(text, 0)


_FIELD = re.compile(r"\{(\w+)\}")
_DEPTH = 3  # fields of fields: `expected {expected}` inside a note inside a help


def _translate(text: str, depth: int) -> str:
    term = TERMS.get(text)
    if term is not None:
        return term
    if depth >= _DEPTH:
        return text
    for pattern, chinese, verbatim in _compiled():
        match = pattern.fullmatch(text)
        if match is not None:
            fields = {
                name: value if name in verbatim else _translate(value, depth + 1)
                for name, value in match.groupdict().items()
            }
            return chinese.format(**fields)
    return _translate_list(text, depth)


def _translate_list(text: str, depth: int) -> str:
    """`a name, a whole number or a percentage` (the parser's list of what it expected),
    `Latin and Cyrillic`: a list of terms and backticked words."""
    for joiner, chinese in ((" or ", "或"), (" and ", "和")):
        head, sep, last = text.rpartition(joiner)
        if not sep:
            continue
        parts = [*head.split(", "), last]
        if all(part in TERMS or _is_quoted(part) for part in parts):
            shown = [_translate(part, depth + 1) for part in parts]
            return "、".join(shown[:-1]) + chinese + shown[-1]
    return text


def _is_quoted(text: str) -> bool:
    return len(text) >= 2 and text[0] == "`" and text[-1] == "`" and text.count("`") == 2


@functools.cache
def _compiled() -> tuple[tuple[re.Pattern[str], str, frozenset[str]], ...]:
    """Each phrase's English template as a pattern (fields match any text), longest literal
    text first, so that the most specific phrase wins; with the fields written in backticks
    (`` `{type}` ``), which are the policy's words or the language's and stay as they are."""
    compiled = []
    for english_text, chinese in PHRASES.values():
        parts = _FIELD.split(english_text)
        verbatim = frozenset(
            parts[index]
            for index in range(1, len(parts), 2)
            if parts[index - 1].endswith("`") and parts[index + 1].startswith("`")
        )
        # A field in backticks holds no backtick: `write `{fix}`` must not swallow a
        # sentence that merely starts and ends with backticked words.
        regex = "".join(
            re.escape(part)
            if index % 2 == 0
            else f"(?P<{part}>[^`]+?)"
            if part in verbatim
            else f"(?P<{part}>.+?)"
            for index, part in enumerate(parts)
        )
        literal = sum(len(part) for part in parts[::2])
        compiled.append((literal, re.compile(regex, re.DOTALL), chinese, verbatim))
    compiled.sort(key=lambda item: -item[0])
    return tuple((pattern, chinese, verbatim) for _, pattern, chinese, verbatim in compiled)
