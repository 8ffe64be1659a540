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
    # Explanations.
    "explain.more": ("… and {count} more", "…… 另有 {count} 项"),
    "explain.drawn": ("drawn", "抽中"),
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
    "expected": ("expected {expected}", "应为{expected}"),
    "expected-found": ("expected {expected}, found {found}", "应为{expected}，实际是{found}"),
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
    "duplicate-name": ("`{name}` is defined twice", "`{name}` 重复定义"),
    "cannot-join": (
        "`{op}` cannot join `{left}` and `{right}`",
        "`{op}` 不能连接 `{left}` 和 `{right}`",
    ),
    "joins-texts": (
        "`+` joins two texts: write the other value as text, `{fix}`",
        "`+` 只能连接两个文本：请把另一个值写成文本，`{fix}`",
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
    "text": "文本",
    "before the rule's expression": "在规则的表达式之前",
    "before the criterion's expression": "在标准的表达式之前",
    "before the enum's members": "在枚举成员之前",
    "before the record's fields": "在记录字段之前",
    "before the bands": "在分档之前",
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
        regex = "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
            for index, part in enumerate(parts)
        )
        verbatim = frozenset(
            parts[index]
            for index in range(1, len(parts), 2)
            if parts[index - 1].endswith("`") and parts[index + 1].startswith("`")
        )
        literal = sum(len(part) for part in parts[::2])
        compiled.append((literal, re.compile(regex, re.DOTALL), chinese, verbatim))
    compiled.sort(key=lambda item: -item[0])
    return tuple((pattern, chinese, verbatim) for _, pattern, chinese, verbatim in compiled)
