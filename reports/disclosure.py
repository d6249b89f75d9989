"""部门预算公开 / 部门决算公开 — the nine standard tables per unit, with their text.

Budget figures come from the quotas of the unit's budget year (年初预算数: quotas of
kind 年初 or none; 调整预算数: every quota with its adjustments); actual figures
(决算数) from the unit's spending and income postings in that year.  Classes follow
ledger-language.md: stream 运转 → 基本支出, 建设/职能 → 项目支出; economic 301/303 →
人员经费, 302 (and the rest of 基本支出) → 公用经费.  Published in 万元, rounded by
largest remainder so that every table adds up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandao.ledger import Analysis
from sandao.ledger.accounts import gov_code_of
from sandao.ledger.declarations import Quota
from sandao.reports.base import (
    community_name,
    economic_names,
    income,
    report_year,
    spending,
    unit_name,
    year_period,
)
from sandao.reports.codes import (
    BASIC,
    DEFAULT_FUND_TYPE,
    FUND_TYPES,
    PERSONNEL,
    PROJECT,
    THREE_PUBLIC,
    economic_class,
    function_name,
    stream_class,
)
from sandao.reports.execution import initial_amount
from sandao.reports.model import (
    MONEY,
    NUMBER,
    RATE,
    WAN_NOTE,
    ZERO,
    Column,
    Report,
    Table,
    frame,
    rate,
    wan,
)
from sandao.reports.tables import Shape, flat, hierarchy, two_sided

OTHER_INCOME = "其他收入"
INCOME_ITEMS: tuple[tuple[str, str], ...] = (
    ("一般公共预算", "一般公共预算拨款收入"),
    ("政府性基金", "政府性基金预算拨款收入"),
    ("国有资本经营", "国有资本经营预算拨款收入"),
    (OTHER_INCOME, "其他收入"),
)

GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "财政拨款收入",
        "本级财政当年拨付的资金，含一般公共预算、政府性基金预算和国有资本经营预算拨款。",
    ),
    (
        "基本支出",
        "为保障机构正常运转、完成日常工作任务的支出，包括人员经费和公用经费（本台账中“运转经费”）。",
    ),
    ("项目支出", "为完成特定工作任务和事业发展目标的支出（本台账中“建设资金”和“职能经费”）。"),
    ("人员经费", "工资福利支出和对个人和家庭的补助。"),
    ("公用经费", "商品和服务支出等保障机构运转的支出。"),
    ("“三公”经费", "因公出国（境）费、公务用车购置及运行维护费、公务接待费。"),
    ("费随事转", "部门将工作任务交由社区承担时，同步转移相应工作经费（职能经费）。"),
    ("年初预算数 / 调整预算数", "年初批复的预算；年度中追加、调减、划转后的预算。"),
)


@dataclass
class UnitYear:
    """Every figure of one unit's year, gathered in one pass."""

    quotas: list[Quota] = field(default_factory=list)
    #: (fund type, 基本/项目, function, economic) → spending
    spend: dict[tuple[str, str, str, str], Decimal] = field(
        default_factory=lambda: defaultdict(lambda: ZERO)
    )
    #: (income source, function) → money received
    income: dict[tuple[str, str], Decimal] = field(
        default_factory=lambda: defaultdict(lambda: ZERO)
    )


def collect(analysis: Analysis) -> dict[tuple[str, int], UnitYear]:
    """(unit, year) → figures: quotas by budget year, postings by date."""
    out: dict[tuple[str, int], UnitYear] = defaultdict(UnitYear)
    quotas = analysis.declarations.quotas
    for quota in quotas.values():
        out[(quota.unit, quota.year)].quotas.append(quota)
    for row in spending(analysis):
        quota = quotas.get(row.quota or "")
        fund = quota.fund_type if quota else DEFAULT_FUND_TYPE
        key = (fund, stream_class(row.stream), row.function or "", row.economic or "")
        out[(row.unit or "", row.date.year)].spend[key] += row.amount
    for row in income(analysis):
        quota = quotas.get(row.quota or "")
        if gov_code_of(row.account) == "4001":
            source = quota.fund_type if quota else DEFAULT_FUND_TYPE
        else:
            source = OTHER_INCOME
        out[(row.unit or "", row.date.year)].income[(source, row.function or "")] -= row.amount
    return out


def carry_in(figures: dict[tuple[str, int], UnitYear], unit: str, year: int) -> dict[bool, Decimal]:
    """年初结转和结余 of a unit: received less spent in the years before ``year``.

    Keyed by ``fiscal_only``: ``True`` counts 财政拨款 income only (四、财政拨款收支总表),
    ``False`` every income (一、收支总表).
    """
    out = {True: ZERO, False: ZERO}
    for (code, when), f in figures.items():
        if code != unit or when >= year:
            continue
        spent = sum(f.spend.values(), ZERO)
        for fiscal in (True, False):
            got = sum(
                (v for (src, _), v in f.income.items() if not fiscal or src != OTHER_INCOME),
                ZERO,
            )
            out[fiscal] += got - spent
    return out


def _quota_values(quota: Quota, final: bool) -> dict[str, Decimal]:
    if final:
        return {"initial": initial_amount(quota), "adjusted": quota.adjusted_amount()}
    return {"budget": initial_amount(quota)}


def _add(into: dict[str, dict[str, Decimal]], key: str, values: dict[str, Decimal]) -> None:
    slot = into.setdefault(key, {})
    for k, v in values.items():
        slot[k] = slot.get(k, ZERO) + v


def _money(keys: list[tuple[str, str]]) -> list[Column]:
    return [Column(k, label, MONEY) for k, label in keys]


CODE_COLUMNS = [Column("code", "科目编码"), Column("name", "科目名称")]


class Builder:
    """Builds one unit's nine tables for a year, as 预算 (budget) or 决算 (final)."""

    def __init__(
        self,
        analysis: Analysis,
        figures: UnitYear,
        unit: str,
        year: int,
        final: bool,
        carry: dict[bool, Decimal] | None = None,
    ) -> None:
        self.analysis = analysis
        self.f = figures
        self.unit = unit
        self.year = year
        self.final = final
        #: 年初结转和结余 (money received less money spent in earlier years), keyed by
        #: fiscal_only: with or without 其他收入.
        self.carry = carry or {}
        self.econ_names = economic_names(analysis)

    # -- helpers --------------------------------------------------------------
    def _table(
        self,
        key: str,
        title: str,
        columns: list[Column],
        rows: list[dict],
        total: dict | None,
        exact: dict | None,
        level: str | None = None,
        notes: list[str] | None = None,
    ) -> Table:
        extra = (level,) if level else ()
        return Table(
            key,
            title,
            columns,
            frame(rows, columns, extra),
            total=total,
            notes=[WAN_NOTE, *(notes or [])],
            scale="万元",
            level=level,
            exact=exact,
        )

    def _econ_name(self, code: str) -> str:
        return self.econ_names.get(code, "") if code else "未细化"

    def _function_leaves(
        self, fund: str | None, columns: dict[str, Any]
    ) -> dict[str, dict[str, Decimal]]:
        """Function → values; ``columns`` maps value key → (source, selector)."""
        leaves: dict[str, dict[str, Decimal]] = {}
        for key, (source, pick) in columns.items():
            if source == "quota":
                for quota in self.f.quotas:
                    if fund and quota.fund_type != fund:
                        continue
                    value = pick(quota)
                    if value is not None:
                        _add(leaves, quota.function, {key: value})
            else:
                for (f_type, cls, function, _econ), amount in self.f.spend.items():
                    if fund and f_type != fund:
                        continue
                    if pick(cls):
                        _add(leaves, function, {key: amount})
        return leaves

    # -- the tables -----------------------------------------------------------
    def summary(self, fiscal_only: bool) -> Table:
        """一、部门收支总表 / 四、财政拨款收支总表 (收入 | 支出 by function 类)."""
        keys = self._value_keys(actual_only=not fiscal_only)
        left = []
        for source, label in INCOME_ITEMS:
            if fiscal_only and source == OTHER_INCOME:
                continue
            values = self._budget_by(lambda q, s=source: q.fund_type == s)
            if self.final:
                values["actual"] = sum(
                    (v for (src, _), v in self.f.income.items() if src == source), ZERO
                )
            left.append((label, {k: values.get(k, ZERO) for k in keys}))
        classes: dict[str, dict[str, Decimal]] = {}
        for quota in self.f.quotas:
            _add(classes, quota.function[:3], self._quota_pick(quota, keys))
        if self.final:
            for (_, _, function, _), amount in self.f.spend.items():
                _add(classes, function[:3], {"actual": amount})
        right = [
            (f"{function_name(c) or c}", {k: classes[c].get(k, ZERO) for k in keys})
            for c in sorted(classes)
        ]
        spent = sum((v.get("actual", ZERO) for _, v in right), ZERO)
        if self.final:
            # 决算 balances: 年初结转和结余 + 收入 = 支出 + 年末结转和结余.
            carry_in = self.carry.get(fiscal_only, ZERO)
            received = sum((v.get("actual", ZERO) for _, v in left), ZERO)
            left.append(("年初结转和结余", {k: carry_in if k == "actual" else ZERO for k in keys}))
            carry_out = carry_in + received - spent
            right.append(
                ("年末结转和结余", {k: carry_out if k == "actual" else ZERO for k in keys})
            )
        shape = Shape(keys, rates={"rate": ("actual", "adjusted")} if "adjusted" in keys else {})
        rows, total, exact = two_sided(left, right, shape, True)
        if self.final:
            exact["spending_actual"] = spent
        labels = self._labels(keys)
        columns = [Column("in_item", "收入项目")]
        columns += [Column(f"in_{k}", f"收入{lab}", MONEY) for k, lab in labels]
        columns += [Column("out_item", "支出项目")]
        columns += [Column(f"out_{k}", f"支出{lab}", MONEY) for k, lab in labels]
        if fiscal_only:
            number, title = "四", "财政拨款收支总表"
            if self.final:
                title = "财政拨款收入支出决算总表"
        else:
            number, title = "一", "部门收支总表"
            if self.final:
                title = "收入支出决算总表"
        key = "t4_fiscal_summary" if fiscal_only else "t1_summary"
        return self._table(key, f"{number}、{title}", columns, rows, total, exact)

    def _value_keys(self, actual_only: bool = False) -> list[str]:
        if not self.final:
            return ["budget"]
        return ["actual"] if actual_only else ["initial", "adjusted", "actual"]

    def _labels(self, keys: list[str]) -> list[tuple[str, str]]:
        names = {
            "budget": "预算数",
            "initial": "年初预算数",
            "adjusted": "调整预算数",
            "actual": "决算数",
        }
        return [(k, names[k]) for k in keys]

    def _quota_pick(self, quota: Quota, keys: list[str]) -> dict[str, Decimal]:
        values = _quota_values(quota, self.final)
        return {k: v for k, v in values.items() if k in keys}

    def _budget_by(self, predicate: Any) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for quota in self.f.quotas:
            if predicate(quota):
                for k, v in _quota_values(quota, self.final).items():
                    out[k] = out.get(k, ZERO) + v
        return out

    def income_table(self) -> Table:
        """二、部门收入总表 by function, one column per source."""
        sources = [s for s, _ in INCOME_ITEMS]
        keys = [f"src{i}" for i in range(len(sources))]
        leaves: dict[str, dict[str, Decimal]] = {}
        if self.final:
            for (source, function), amount in self.f.income.items():
                _add(leaves, function, {keys[sources.index(source)]: amount})
        else:
            for quota in self.f.quotas:
                index = sources.index(quota.fund_type) if quota.fund_type in sources else 0
                _add(leaves, quota.function, {keys[index]: initial_amount(quota)})
        shape = Shape(keys, sums={"total": keys})
        rows, total, exact = hierarchy(leaves, shape, (3, 5, 7), function_name, True)
        columns = [*CODE_COLUMNS, Column("total", "合计", MONEY)]
        columns += [
            Column(k, label, MONEY) for k, (_, label) in zip(keys, INCOME_ITEMS, strict=True)
        ]
        title = "二、收入决算表" if self.final else "二、部门收入总表"
        return self._table("t2_income", title, columns, rows, total, exact, "level")

    def spending_table(self, key: str, title: str, fund: str | None) -> Table:
        """三/五/八/九: spending by function, 基本 / 项目 columns (决算: with budget and rate)."""
        if self.final:
            leaves = self._function_leaves(
                fund,
                {
                    "initial": ("quota", initial_amount),
                    "adjusted": ("quota", lambda q: q.adjusted_amount()),
                    "basic": ("spend", lambda c: c == BASIC),
                    "project": ("spend", lambda c: c == PROJECT),
                },
            )
            shape = Shape(
                ["initial", "adjusted", "basic", "project"],
                sums={"actual": ["basic", "project"]},
                rates={"rate": ("actual", "adjusted")},
            )
            money = _money(
                [
                    ("initial", "年初预算数"),
                    ("adjusted", "调整预算数"),
                    ("actual", "决算数合计"),
                    ("basic", "基本支出"),
                    ("project", "项目支出"),
                ]
            )
            money.append(Column("rate", "执行率", RATE))
        else:
            leaves = self._function_leaves(
                fund,
                {
                    "basic": ("quota", lambda q: initial_amount(q) if q.stream == "运转" else None),
                    "project": (
                        "quota",
                        lambda q: initial_amount(q) if q.stream != "运转" else None,
                    ),
                },
            )
            shape = Shape(["basic", "project"], sums={"total": ["basic", "project"]})
            money = _money([("total", "合计"), ("basic", "基本支出"), ("project", "项目支出")])
        rows, total, exact = hierarchy(leaves, shape, (3, 5, 7), function_name, True)
        return self._table(key, title, [*CODE_COLUMNS, *money], rows, total, exact, "level")

    def basic_table(self) -> Table:
        """六、基本支出 by economic code: 人员经费 / 公用经费."""
        leaves: dict[str, dict[str, Decimal]] = {}

        def side(code: str) -> str:
            return "personnel" if economic_class(code) == PERSONNEL else "public"

        for quota in self.f.quotas:
            if quota.fund_type != DEFAULT_FUND_TYPE or quota.stream != "运转":
                continue
            code = quota.economic or ""
            if self.final:
                _add(leaves, code, {"budget": quota.adjusted_amount()})
            else:
                _add(leaves, code, {side(code): initial_amount(quota)})
        if self.final:
            for (fund, cls, _function, econ), amount in self.f.spend.items():
                if fund == DEFAULT_FUND_TYPE and cls == BASIC:
                    _add(leaves, econ, {side(econ): amount})
            shape = Shape(
                ["budget", "personnel", "public"],
                sums={"total": ["personnel", "public"]},
                rates={"rate": ("total", "budget")},
            )
            money = _money(
                [
                    ("budget", "调整预算数"),
                    ("total", "决算数合计"),
                    ("personnel", "人员经费"),
                    ("public", "公用经费"),
                ]
            )
            money.append(Column("rate", "执行率", RATE))
            title = "六、一般公共预算财政拨款基本支出决算表"
        else:
            shape = Shape(["personnel", "public"], sums={"total": ["personnel", "public"]})
            money = _money([("total", "合计"), ("personnel", "人员经费"), ("public", "公用经费")])
            title = "六、一般公共预算基本支出表"
        rows, total, exact = hierarchy(leaves, shape, (3, 5), self._econ_name, True)
        return self._table("t6_basic", title, [*CODE_COLUMNS, *money], rows, total, exact, "level")

    def three_public(self) -> Table:
        """七、“三公”经费 (一般公共预算): 出国, 公车购置, 公车运行, 接待."""
        items = []
        for label, codes in THREE_PUBLIC:

            def match(code: str | None, codes: tuple[str, ...] = codes) -> bool:
                return bool(code) and any(code.startswith(c) for c in codes)

            values: dict[str, Decimal] = {}
            for quota in self.f.quotas:
                if quota.fund_type == DEFAULT_FUND_TYPE and match(quota.economic):
                    for k, v in _quota_values(quota, self.final).items():
                        values[k] = values.get(k, ZERO) + v
            if self.final:
                values["actual"] = sum(
                    (
                        v
                        for (fund, _, _, econ), v in self.f.spend.items()
                        if fund == DEFAULT_FUND_TYPE and match(econ)
                    ),
                    ZERO,
                )
            items.append((label, values))
        keys = self._value_keys()
        shape = Shape(keys, rates={"rate": ("actual", "adjusted")} if self.final else {})
        rows, total, exact = flat(items, shape, True, "item")
        money = [Column(k, lab, MONEY) for k, lab in self._labels(keys)]
        if self.final:
            money.append(Column("rate", "执行率", RATE))
        title = (
            "七、一般公共预算财政拨款“三公”经费支出决算表"
            if self.final
            else "七、一般公共预算“三公”经费支出表"
        )
        return self._table(
            "t7_three_public",
            title,
            [Column("item", "项目"), *money],
            rows,
            total,
            exact,
            notes=["公务用车购置及运行费 = 公务用车购置费 + 公务用车运行维护费。"],
        )

    def projects(self) -> Table:
        """项目支出表: the unit's 建设/职能 quotas of the year."""
        quotas = sorted((q for q in self.f.quotas if q.stream != "运转"), key=lambda q: q.id)
        spent: dict[str, Decimal] = defaultdict(lambda: ZERO)
        if self.final:
            series = self.analysis.usage.quotas
            for q in quotas:
                s = series.get(q.id)
                if s:
                    spent[q.id] = sum(
                        (v[1] for d, v in s.days.items() if d.year == self.year), ZERO
                    )
        items = []
        for q in quotas:
            values = _quota_values(q, self.final)
            if self.final:
                values["actual"] = spent[q.id]
            items.append((q.id, values))
        keys = self._value_keys()
        shape = Shape(keys, rates={"rate": ("actual", "adjusted")} if self.final else {})
        rows, total, exact = flat(items, shape, True, "quota")
        for row, q in zip(rows, quotas, strict=True):
            row.update(
                name=q.name,
                stream=q.stream,
                function=q.function,
                fund_type=q.fund_type,
            )
        columns = [
            Column("quota", "指标编号"),
            Column("name", "项目名称"),
            Column("stream", "资金类别"),
            Column("function", "功能科目"),
            Column("fund_type", "资金性质"),
            *[Column(k, lab, MONEY) for k, lab in self._labels(keys)],
        ]
        if self.final:
            columns.append(Column("rate", "执行率", RATE))
        return self._table("t10_projects", "十、项目支出表", columns, rows, total, exact)

    def performance(self) -> Table:
        """项目支出绩效目标表 (决算: 绩效自评 with outputs)."""
        decl = self.analysis.declarations
        refs: dict[str, str] = {}
        for t in decl.tasks.values():
            if t.unit == self.unit and t.start.year <= self.year <= t.end.year:
                refs[t.id] = t.name
        for p in decl.projects.values():
            if (
                p.unit == self.unit
                and p.start.year <= self.year
                and (p.end is None or p.end.year >= self.year)
            ):
                refs[p.id] = p.name
        for q in self.f.quotas:
            refs[q.id] = q.name
        outputs: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        for m in decl.outputs:
            if m.ref in refs and m.date.year == self.year:
                outputs[(m.ref, m.name)] += m.value
        rows = []
        for m in sorted(decl.targets, key=lambda m: (m.ref, m.name)):
            if m.ref not in refs or m.date.year > self.year:
                continue
            row = {
                "ref": m.ref,
                "ref_name": refs[m.ref],
                "indicator": m.name,
                "target": m.value,
                "measure_unit": m.measure_unit or "",
            }
            if self.final:
                done = outputs.get((m.ref, m.name))
                row["output"] = done
                row["completion"] = rate(done, m.value)
            rows.append(row)
        columns = [
            Column("ref", "项目/任务编号"),
            Column("ref_name", "项目/任务名称"),
            Column("indicator", "绩效指标"),
            Column("target", "目标值", NUMBER),
            Column("measure_unit", "计量单位"),
        ]
        if self.final:
            columns += [Column("output", "完成值", NUMBER), Column("completion", "完成率", RATE)]
        title = "十一、项目支出绩效自评表" if self.final else "十一、项目支出绩效目标表"
        return Table("t11_performance", title, columns, frame(rows, columns))

    def tables(self) -> list[Table]:
        final = self.final
        tables = [
            self.summary(fiscal_only=False),
            self.income_table(),
            self.spending_table(
                "t3_spending", "三、支出决算表" if final else "三、部门支出总表", None
            ),
            self.summary(fiscal_only=True),
            self.spending_table(
                "t5_general",
                "五、一般公共预算财政拨款支出决算表" if final else "五、一般公共预算支出表",
                "一般公共预算",
            ),
            self.basic_table(),
            self.three_public(),
            self.spending_table(
                "t8_fund",
                "八、政府性基金预算财政拨款收入支出决算表" if final else "八、政府性基金预算支出表",
                "政府性基金",
            ),
            self.spending_table(
                "t9_state_capital",
                "九、国有资本经营预算财政拨款支出决算表" if final else "九、国有资本经营预算支出表",
                "国有资本经营",
            ),
            self.projects(),
            self.performance(),
        ]
        return tables


def _main_total(table: Table) -> Decimal | None:
    """The figure a 情况说明 paragraph quotes: exact total of the table's main column."""
    if not table.exact:
        return None
    for key in ("spending_actual", "out_budget", "total", "actual", "budget", "adjusted"):
        if key in table.exact:
            return table.exact[key]
    return None


def disclosure_report(
    analysis: Analysis,
    unit: str,
    year: int | None = None,
    final: bool = False,
    figures: dict[tuple[str, int], UnitYear] | None = None,
) -> Report:
    """One unit's 部门预算公开 (``final=False``) or 部门决算公开 (``final=True``)."""
    year = report_year(analysis, year)
    figures = figures if figures is not None else collect(analysis)
    tables = Builder(
        analysis,
        figures.get((unit, year), UnitYear()),
        unit,
        year,
        final,
        carry_in(figures, unit, year),
    ).tables()
    previous = Builder(
        analysis,
        figures.get((unit, year - 1), UnitYear()),
        unit,
        year - 1,
        final,
        carry_in(figures, unit, year - 1),
    ).tables()
    explain = []
    for this, last in zip(tables, previous, strict=True):
        if this.key in ("t11_performance",):
            continue
        now, before = _main_total(this), _main_total(last)
        change = (now - before) if (now is not None and before) else None
        explain.append(
            {
                "title": this.title,
                "empty": this.empty,
                "total": wan(now) if now is not None else None,
                "previous": wan(before) if before else None,
                "direction": "增加" if change is None or change >= 0 else "减少",
                "change": wan(abs(change)) if change is not None else None,
                "change_rate": rate(abs(change), before) if change is not None else None,
            }
        )
    chart = []
    if final:
        for rec in tables[2].records():
            if rec.get("level") == 0:
                chart.append(
                    {"label": rec["name"], "budget": rec["adjusted"], "actual": rec["actual"]}
                )
    decl = analysis.declarations
    unit_decl = decl.units.get(unit)
    communities = [
        {"name": c.name, "households": c.households}
        for c in sorted(decl.communities.values(), key=lambda c: c.code)
        if c.unit == unit
    ]
    meta = unit_decl.meta if unit_decl else {}
    profile = {
        "name": unit_name(analysis, unit),
        "kind": unit_decl.kind if unit_decl else "",
        "duties": str(meta.get("duties") or ""),
        "posts": meta.get("posts"),
        "communities": communities,
        "community_names": "、".join(
            community_name(analysis, c.code) for c in decl.communities.values() if c.unit == unit
        ),
    }
    perf = tables[-1]
    word = "决算" if final else "预算"
    return Report(
        key=f"{'final' if final else 'budget'}-{year}-{unit}",
        template="disclosure.html",
        title=f"{unit_name(analysis, unit)}{year}年部门{word}公开",
        public=True,
        as_of=analysis.as_of,
        tables=tables,
        context={
            "year": year,
            "final": final,
            "word": word,
            "profile": profile,
            "explain": explain,
            "targets": len(perf.frame),
            "glossary": GLOSSARY,
            "unit": unit,
            "fund_types": FUND_TYPES,
            "chart": chart,
        },
        group=f"部门{word}公开",
        subtitle=unit_name(analysis, unit),
    )


def disclosure_units(analysis: Analysis, unit: str | None = None) -> list[str]:
    """Units to publish for: the one asked for, else every declared unit."""
    if unit:
        return [unit]
    return sorted(analysis.declarations.units)


def year_bounds(analysis: Analysis, year: int) -> tuple[Any, Any]:
    period = year_period(year)
    return period.start, min(period.end, analysis.as_of)
