"""Hand-built checked policies for the evaluator and explanation tests.

`Kit` wraps a policy text and builds `model` nodes whose spans point into it, so that
explanations show real source text without depending on the checker. Spans are found by
searching the text from the current anchor (`Kit.at`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from wuxin_rules import model
from wuxin_rules.schema import (
    BOOL,
    DATE,
    DECIMAL,
    INT,
    PERCENT,
    TEXT,
    EnumMemberInfo,
    EnumType,
    FieldInfo,
    ListType,
    OptionalType,
    RecordType,
    Type,
)
from wuxin_rules.source import Source, Span

__all__ = [
    "BOOL",
    "DATE",
    "DECIMAL",
    "INT",
    "PERCENT",
    "TEXT",
    "Kit",
    "ListType",
    "OptionalType",
    "enum",
    "record",
]


def record(
    name: str, fields: Iterable[tuple[str, Type] | tuple[str, Type, str]], label: str | None = None
) -> RecordType:
    """A record type with (name, type[, label]) fields."""
    infos = tuple(
        FieldInfo(item[0], item[1], item[2] if len(item) > 2 else None)  # type: ignore[misc]
        for item in fields
    )
    return RecordType(name, f"demo.{name}", infos, label)


def enum(name: str, *members: str | tuple[str, str]) -> EnumType:
    """An enum type with members given as names or (name, label) pairs."""
    infos = tuple(
        EnumMemberInfo(m) if isinstance(m, str) else EnumMemberInfo(m[0], m[1]) for m in members
    )
    return EnumType(name, f"demo.{name}", infos)


class Kit:
    """Builds model nodes with spans into one policy text."""

    def __init__(self, text: str, name: str = "demo.policy") -> None:
        self.source = Source(name, text)
        self.cursor = 0

    # -- spans -----------------------------------------------------------------------------

    def at(self, anchor: str) -> Kit:
        """Search later spans from the first occurrence of `anchor` on."""
        self.cursor = self.source.text.index(anchor)
        return self

    def span(self, text: str, nth: int = 1, *, anywhere: bool = False) -> Span:
        """The `nth` occurrence of `text` at or after the anchor (or the start of the text)."""
        # Whole words only: `m` is not found inside `member`.
        pattern = re.escape(text)
        if text[:1].isalnum() or text[:1] == "_":
            pattern = r"(?<!\w)" + pattern
        if text[-1:].isalnum() or text[-1:] == "_":
            pattern += r"(?!\w)"
        position = 0 if anywhere else self.cursor
        for _ in range(nth):
            found = re.compile(pattern).search(self.source.text, position)
            if found is None:
                raise ValueError(f"`{text}` not found")
            position = found.start() + 1
        return Span(self.source, found.start(), found.end())

    # -- expressions -----------------------------------------------------------------------

    def const(self, text: str, value: Any, type_: Type, nth: int = 1) -> model.Const:
        return model.Const(value, type_, self.span(text, nth))

    def input(self, name: str, type_: Type, nth: int = 1) -> model.InputRef:
        return model.InputRef(name, type_, self.span(name, nth))

    def param(self, key: str, type_: Type, text: str | None = None, nth: int = 1) -> model.ParamRef:
        return model.ParamRef(key, type_, self.span(text or key, nth))

    def ref(self, key: str, type_: Type, text: str | None = None, nth: int = 1) -> model.RuleRef:
        return model.RuleRef(key, type_, self.span(text or key, nth))

    def local(self, name: str, type_: Type, nth: int = 1) -> model.LocalRef:
        return model.LocalRef(name, type_, self.span(name, nth))

    def field(self, target: model.CExpr, name: str, type_: Type) -> model.GetField:
        span = Span(self.source, target.span.start, target.span.end + 1 + len(name))
        assert span.text.endswith("." + name), span.text
        return model.GetField(target, name, type_, span)

    def path(self, base: model.CExpr, dotted: str, types: Sequence[Type]) -> model.CExpr:
        """`base.a.b` with the types of each step."""
        node: model.CExpr = base
        for name, type_ in zip(dotted.split("."), types, strict=True):
            node = self.field(node, name, type_)
        return node

    def call(
        self, key: str, args: Sequence[model.CExpr], type_: Type, text: str, nth: int = 1
    ) -> model.CallRule:
        return model.CallRule(key, tuple(args), type_, self.span(text, nth))

    def builtin(
        self, name: str, args: Sequence[model.CExpr], type_: Type, text: str, nth: int = 1
    ) -> model.BuiltinCall:
        return model.BuiltinCall(name, tuple(args), type_, self.span(text, nth))

    def schedule(
        self, key: str, args: Sequence[model.CExpr], type_: Type, text: str
    ) -> model.ScheduleLookup:
        return model.ScheduleLookup(key, tuple(args), type_, self.span(text))

    def bands(self, key: str, arg: model.CExpr, type_: Type, text: str) -> model.BandsLookup:
        return model.BandsLookup(key, arg, type_, self.span(text))

    def neg(self, operand: model.CExpr, type_: Type, text: str) -> model.Negate:
        return model.Negate(operand, type_, self.span(text))

    def arith(
        self, op: str, left: model.CExpr, right: model.CExpr, type_: Type, text: str | None = None
    ) -> model.Arith:
        span = self.span(text) if text else left.span.to(right.span)
        return model.Arith(op, left, right, type_, span)

    def cmp(
        self, op: str, left: model.CExpr, right: model.CExpr, text: str | None = None
    ) -> model.Compare:
        span = self.span(text) if text else left.span.to(right.span)
        return model.Compare(op, left, right, BOOL, span)

    def in_(self, item: model.CExpr, collection: model.CExpr, negated: bool = False) -> model.In:
        return model.In(item, collection, negated, BOOL, item.span.to(collection.span))

    def is_none(self, operand: model.CExpr, negated: bool, text: str) -> model.IsNone:
        return model.IsNone(operand, negated, BOOL, self.span(text))

    def coalesce(self, value: model.CExpr, fallback: model.CExpr, type_: Type) -> model.Coalesce:
        return model.Coalesce(value, fallback, type_, value.span.to(fallback.span))

    def not_(self, operand: model.CExpr, text: str) -> model.Not:
        return model.Not(operand, BOOL, self.span(text))

    def and_(self, *operands: model.CExpr) -> model.And:
        return model.And(tuple(operands), BOOL, operands[0].span.to(operands[-1].span))

    def or_(self, *operands: model.CExpr) -> model.Or:
        return model.Or(tuple(operands), BOOL, operands[0].span.to(operands[-1].span))

    def if_(
        self,
        condition: model.CExpr,
        then: model.CExpr,
        otherwise: model.CExpr,
        type_: Type,
        text: str,
    ) -> model.If:
        return model.If(condition, then, otherwise, type_, self.span(text))

    def compose(
        self, kind: str, items: Sequence[model.CExpr], text: str, count: model.CExpr | None = None
    ) -> model.Compose:
        return model.Compose(kind, tuple(items), count, BOOL, self.span(text))

    def agg(
        self,
        kind: str,
        var: str,
        collection: model.CExpr,
        type_: Type,
        text: str,
        filter: model.CExpr | None = None,
        body: model.CExpr | None = None,
    ) -> model.Aggregate:
        return model.Aggregate(kind, var, collection, filter, body, type_, self.span(text))

    def list_(self, items: Sequence[model.CExpr], type_: Type, text: str) -> model.MakeList:
        return model.MakeList(tuple(items), type_, self.span(text))

    def record(
        self,
        spreads: Sequence[model.CExpr],
        fields: Sequence[tuple[str, model.CExpr]],
        type_: Type,
        text: str,
    ) -> model.MakeRecord:
        return model.MakeRecord(tuple(spreads), tuple(fields), type_, self.span(text))

    # -- declarations ----------------------------------------------------------------------

    def rule(
        self,
        key: str,
        body: model.CExpr,
        type_: Type = BOOL,
        *,
        kind: str | None = None,
        label: str | None = None,
        cites: Sequence[str] = (),
        params: Sequence[tuple[str, Type]] | None = None,
        decl: str | None = None,
    ) -> model.RuleDef:
        kind = kind or ("criterion" if type_ == BOOL else "rule")
        anchor = decl or f"{kind} {key}"
        start = self.source.text.index(anchor)
        span = Span(self.source, start + len(kind) + 1, start + len(anchor))
        return model.RuleDef(
            key=key,
            name=key.rsplit(".", 1)[-1],
            module="demo",
            kind=kind,
            params=tuple(params) if params is not None else None,
            type=type_,
            body=body,
            label=label,
            cites=tuple(cites),
            note=None,
            span=span,
        )

    def param_def(
        self,
        key: str,
        type_: Type,
        default: Any,
        label: str | None = None,
        cites: Sequence[str] = (),
    ) -> model.ParamDef:
        return model.ParamDef(
            key=key,
            name=key,
            module="demo",
            type=type_,
            default=default,
            label=label,
            cites=tuple(cites),
            note=None,
            span=self.span(f"param {key}", anywhere=True),
        )

    def policy(
        self,
        rules: Sequence[model.RuleDef],
        *,
        params: Sequence[model.ParamDef] = (),
        inputs: Sequence[tuple[str, Type] | tuple[str, Type, str]] = (),
        schedules: Sequence[model.ScheduleDef] = (),
        bands: Sequence[model.BandsDef] = (),
        order: Sequence[str] | None = None,
    ) -> model.CheckedPolicy:
        return model.CheckedPolicy(
            name="demo",
            source_name=self.source.name,
            inputs=tuple(
                model.InputDef(
                    i[0],
                    i[1],
                    i[2] if len(i) > 2 else None,
                    self.span(f"input {i[0]}", anywhere=True),
                )  # type: ignore[misc]
                if f"input {i[0]}" in self.source.text
                else model.InputDef(
                    i[0], i[1], i[2] if len(i) > 2 else None, Span(self.source, 0, 0)
                )  # type: ignore[misc]
                for i in inputs
            ),
            params={p.key: p for p in params},
            param_names={p.name: p.key for p in params},
            rules={r.key: r for r in rules},
            order=tuple(order)
            if order is not None
            else tuple(r.key for r in rules if not r.is_function),
            schedules={s.key: s for s in schedules},
            bands={b.key: b for b in bands},
            enums={},
            records={},
        )


# ------------------------------------------------------------------------------------------
# The golden policies of tests/golden/explain/, built by hand (the checker's output for them)

GOLDEN = __import__("pathlib").Path(__file__).parent / "golden" / "explain"


def _kit(name: str) -> Kit:
    return Kit((GOLDEN / f"{name}.policy").read_text(encoding="utf-8"), f"{name}.policy")


RESPONSIBILITY = record(
    "Responsibility",
    [("duties_assigned", BOOL, "辖区禁毒责任落实"), ("team_in_place", BOOL, "队伍机构健全")],
)
UNIT = record(
    "Unit",
    [
        ("drug_labs", INT, "制毒窝点数"),
        ("trafficking_groups", INT, "贩毒团伙数"),
        ("addict_growth_rate", DECIMAL, "吸毒人员增幅"),
        ("province_addict_growth_rate", DECIMAL, "全省吸毒人员平均增幅"),
        ("responsibility", RESPONSIBILITY, "禁毒工作责任"),
    ],
)


def unit_policy() -> model.CheckedPolicy:
    """tests/golden/explain/unit.policy, checked."""
    from fractions import Fraction

    k = _kit("unit")

    def unit(nth: int = 1) -> model.InputRef:
        return k.input("unit", UNIT, nth)

    k.at("criterion no_drug_labs")
    no_labs = k.rule(
        "no_drug_labs",
        k.cmp("==", k.field(unit(), "drug_labs", INT), k.const("0", 0, INT)),
        label="辖区内无制毒窝点",
        cites=["S2.1"],
    )
    k.at("criterion no_trafficking")
    no_trafficking = k.rule(
        "no_trafficking",
        k.cmp("==", k.field(unit(), "trafficking_groups", INT), k.const("0", 0, INT)),
        label="辖区内无贩毒团伙和网络",
        cites=["S2.2"],
    )
    k.at("rule growth_threshold")
    average = k.field(unit(1), "province_addict_growth_rate", DECIMAL)
    magnitude = k.builtin(
        "abs",
        [k.field(unit(2), "province_addict_growth_rate", DECIMAL)],
        DECIMAL,
        "abs(unit.province_addict_growth_rate)",
    )
    margin = k.arith("*", k.param("growth_margin", PERCENT), magnitude, DECIMAL)
    threshold = k.rule(
        "growth_threshold",
        k.arith("-", average, margin, DECIMAL),
        DECIMAL,
        label="吸毒人员增幅上限",
        cites=["S2.3"],
    )
    k.at("criterion growth_below_province")
    below = k.rule(
        "growth_below_province",
        k.cmp(
            "<=",
            k.field(unit(), "addict_growth_rate", DECIMAL),
            k.ref("growth_threshold", DECIMAL),
        ),
        label="吸毒人员增幅低于全省平均水平50%",
        cites=["S2.3"],
    )
    k.at("criterion responsibility_in_place")
    duties = k.path(unit(1), "responsibility.duties_assigned", [RESPONSIBILITY, BOOL])
    team = k.path(unit(2), "responsibility.team_in_place", [RESPONSIBILITY, BOOL])
    responsibility = k.rule(
        "responsibility_in_place",
        k.compose(
            "all",
            [duties, team],
            "all of [\n    unit.responsibility.duties_assigned,  # 责任落实\n"
            "    unit.responsibility.team_in_place,\n  ]",
        ),
        label="辖区禁毒责任落实、队伍机构健全",
        cites=["S2.6"],
    )
    k.at("criterion drug_free")
    names = ["no_drug_labs", "no_trafficking", "growth_below_province", "responsibility_in_place"]
    drug_free = k.rule(
        "drug_free",
        k.compose("all", [k.ref(n, BOOL) for n in names], "all of [" + ", ".join(names) + "]"),
        label="无毒单位",
        cites=["S2"],
    )
    return k.policy(
        [no_labs, no_trafficking, threshold, below, responsibility, drug_free],
        params=[
            k.param_def(
                "growth_margin", PERCENT, Fraction(1, 2), "低于全省平均水平的幅度", ["S2.3"]
            )
        ],
        inputs=[("unit", UNIT, "被评定单位")],
    )


GROUP = enum("Group", ("town_level", "无毒镇(街道、园区)"), ("village_level", "无毒村(社区)"))
MEMBER = record(
    "Member",
    [
        ("name", TEXT, "单位名称"),
        ("group", GROUP, "分组"),
        ("drug_labs", INT, "制毒窝点数"),
        ("cases", INT, "涉毒案件数"),
    ],
)
TOWN = record("Town", [("year", INT, "年度"), ("units", ListType(MEMBER), "下属单位")])


def town_policy() -> model.CheckedPolicy:
    """tests/golden/explain/town.policy, checked."""
    import datetime
    from fractions import Fraction

    k = _kit("town")
    percent_q = OptionalType(PERCENT)

    def town(nth: int = 1) -> model.InputRef:
        return k.input("town", TOWN, nth)

    k.at("schedule target")
    stages = (
        model.StageDef(
            "launch",
            "全面启动",
            datetime.date(2015, 4, 1),
            datetime.date(2015, 12, 31),
            (2015,),
            k.span("stage launch"),
        ),
        model.StageDef(
            "deepen",
            "全面深化",
            datetime.date(2016, 1, 1),
            datetime.date(2017, 12, 31),
            (2016, 2017),
            k.span("stage deepen"),
        ),
    )
    cells = {}
    for year, town_level, village_level in ((2015, 20, 50), (2016, 35, 65), (2017, 50, 80)):
        cells[(year, "town_level")] = Fraction(town_level, 100)
        cells[(year, "village_level")] = Fraction(village_level, 100)
    target = model.ScheduleDef(
        key="target",
        name="target",
        label="无毒单位达标率目标",
        cites=("S4",),
        value_type=PERCENT,
        period_name="year",
        category=GROUP,
        stages=stages,
        cells=cells,
        monotone=("year",),
        span=k.span("target"),
    )

    k.at("criterion member_drug_free")
    m = lambda nth=1: k.local("m", MEMBER, nth)  # noqa: E731
    member_drug_free = k.rule(
        "member_drug_free",
        k.and_(
            k.cmp("==", k.field(m(2), "drug_labs", INT), k.const("0", 0, INT, 1)),
            k.cmp("==", k.field(m(3), "cases", INT), k.const("0", 0, INT, 2)),
        ),
        label="无毒单位",
        cites=["S2"],
        params=[("m", MEMBER)],
    )
    k.at("rule village_rate")
    u = lambda nth=1: k.local("u", MEMBER, nth)  # noqa: E731
    village_rate = k.rule(
        "village_rate",
        k.agg(
            "rate",
            "u",
            k.field(town(), "units", ListType(MEMBER)),
            percent_q,
            "rate of u in town.units where u.group == village_level : member_drug_free(u)",
            filter=k.cmp(
                "==",
                k.field(u(2), "group", GROUP),
                k.const("village_level", "village_level", GROUP),
            ),
            body=k.call("member_drug_free", [u(3)], BOOL, "member_drug_free(u)"),
        ),
        percent_q,
        label="无毒村(社区)达标率",
        cites=["S4"],
    )
    k.at("rule village_target")
    village_target = k.rule(
        "village_target",
        k.schedule(
            "target",
            [k.field(town(), "year", INT), k.const("village_level", "village_level", GROUP)],
            percent_q,
            "target(town.year, village_level)",
        ),
        percent_q,
        label="无毒村(社区)达标率目标",
        cites=["S4"],
    )
    k.at("criterion meets_village_target")
    meets = k.rule(
        "meets_village_target",
        k.cmp(
            ">=",
            k.coalesce(
                k.ref("village_rate", percent_q), k.const("100%", Fraction(1), PERCENT), PERCENT
            ),
            k.coalesce(k.ref("village_target", percent_q), k.const("0%", 0, PERCENT), PERCENT),
        ),
        label="无毒村(社区)达标率达到目标",
        cites=["S4"],
    )
    k.at("criterion no_labs_anywhere")
    no_labs = k.rule(
        "no_labs_anywhere",
        k.agg(
            "all",
            "u",
            k.field(town(), "units", ListType(MEMBER)),
            BOOL,
            "all of u in town.units : u.drug_labs == 0",
            body=k.cmp("==", k.field(u(2), "drug_labs", INT), k.const("0", 0, INT)),
        ),
        label="下属单位均无制毒窝点",
        cites=["S2.1"],
    )
    k.at("rule total_cases")
    total_cases = k.rule(
        "total_cases",
        k.agg(
            "sum",
            "u",
            k.field(town(), "units", ListType(MEMBER)),
            INT,
            "sum of u in town.units : u.cases",
            body=k.field(u(2), "cases", INT),
        ),
        INT,
        label="涉毒案件总数",
    )
    k.at("rule flagged")
    flagged = k.rule(
        "flagged",
        k.agg(
            "list",
            "u",
            k.field(town(), "units", ListType(MEMBER)),
            ListType(TEXT),
            "list of u in town.units where u.cases > 0 : u.name",
            filter=k.cmp(">", k.field(u(2), "cases", INT), k.const("0", 0, INT)),
            body=k.field(u(3), "name", TEXT),
        ),
        ListType(TEXT),
        label="有案件的单位",
    )
    return k.policy(
        [member_drug_free, village_rate, village_target, meets, no_labs, total_cases, flagged],
        inputs=[("town", TOWN, "被考核镇")],
        schedules=[target],
    )


SCORES = record(
    "Scores",
    [
        ("organization", INT, "组织领导"),
        ("crackdown", INT, "打击整治"),
        ("cases", INT, "涉毒案件数"),
        ("solved", INT, "破案数"),
        ("bonus", OptionalType(INT), "加分"),
    ],
)
GRADE = enum("grade", ("excellent", "优秀"), ("qualified", "合格"), ("unqualified", "不合格"))


def score_policy() -> model.CheckedPolicy:
    """tests/golden/explain/score.policy, checked."""
    from fractions import Fraction

    k = _kit("score")

    def scores(nth: int = 1) -> model.InputRef:
        return k.input("scores", SCORES, nth)

    k.at("bands grade")
    excellent_1 = k.param("excellent_from", INT, nth=1)
    excellent_2 = k.param("excellent_from", INT, nth=2)
    grade = model.BandsDef(
        key="grade",
        name="grade",
        label="考核等级",
        cites=("S6.2",),
        type=GRADE,
        low=k.const("0", 0, INT),
        high=k.const("100", 100, INT),
        high_inclusive=True,
        bands=(
            model.BandDef(
                "excellent",
                "优秀",
                excellent_1,
                k.const("100", 100, INT, 2),
                True,
                k.span("excellent_from .. 100"),
            ),
            model.BandDef(
                "qualified",
                "合格",
                k.const("60", 60, INT),
                excellent_2,
                False,
                k.span("60 ..< excellent_from"),
            ),
            model.BandDef(
                "unqualified",
                "不合格",
                k.const("0", 0, INT, 2),
                k.const("60", 60, INT, 2),
                False,
                k.span("0 ..< 60"),
            ),
        ),
        span=k.span("grade"),
    )
    k.at("rule total")
    half = k.arith(
        "/",
        k.arith(
            "+", k.field(scores(1), "organization", INT), k.field(scores(2), "crackdown", INT), INT
        ),
        k.const("2", 2, INT),
        DECIMAL,
        text="(scores.organization + scores.crackdown) / 2",
    )
    bonus = k.coalesce(k.field(scores(3), "bonus", OptionalType(INT)), k.const("0", 0, INT), INT)
    total = k.rule(
        "total",
        k.arith(
            "+",
            half,
            bonus,
            DECIMAL,
            text="(scores.organization + scores.crackdown) / 2 + (scores.bonus ?? 0)",
        ),
        DECIMAL,
        label="总分",
        cites=["S3.1"],
    )
    k.at("rule level")
    level = k.rule(
        "level",
        k.bands("grade", k.ref("total", DECIMAL), GRADE, "grade(total)"),
        GRADE,
        label="考核等级",
        cites=["S6.2"],
    )
    k.at("rule solve_rate")
    solve_rate = k.rule(
        "solve_rate",
        k.arith("/", k.field(scores(1), "solved", INT), k.field(scores(2), "cases", INT), DECIMAL),
        DECIMAL,
        label="破案率",
    )
    k.at("criterion solved_enough")
    solved_enough = k.rule(
        "solved_enough",
        k.cmp(">=", k.ref("solve_rate", DECIMAL), k.const("80%", Fraction(4, 5), PERCENT)),
        label="破案率达标",
    )
    k.at("criterion not_failing")
    not_failing = k.rule(
        "not_failing",
        k.or_(
            k.not_(
                k.cmp("==", k.ref("level", GRADE), k.const("unqualified", "unqualified", GRADE)),
                "not (level == unqualified)",
            ),
            k.ref("solved_enough", BOOL),
        ),
        label="未被评为不合格",
        cites=["S6.2"],
    )
    k.at("criterion two_of_three")
    two = k.rule(
        "two_of_three",
        k.compose(
            "at_least",
            [
                k.cmp(">=", k.ref("total", DECIMAL), k.const("60", 60, INT)),
                k.ref("solved_enough", BOOL),
                k.cmp(">=", k.field(scores(), "crackdown", INT), k.const("70", 70, INT)),
            ],
            "at least 2 of [total >= 60, solved_enough, scores.crackdown >= 70]",
            count=k.const("2", 2, INT),
        ),
        label="三项中至少两项达标",
    )
    return k.policy(
        [total, level, solve_rate, solved_enough, not_failing, two],
        params=[k.param_def("excellent_from", INT, 90, "优秀分数线", ["S6.2"])],
        inputs=[("scores", SCORES, "考核得分")],
        bands=[grade],
    )
