"""The two documents: 部门决算 (closed years) and 部门预算 (budget years), per unit and county.

A document covers a set of units (one unit, or every unit for the county-wide
document, which is the sum of its units without eliminations).  Each unit's year is
rounded on its own (:mod:`rounding`), the units' rounded atoms are added, and every
table and sentence is read from that sum — so the county's cells are sums of the
units' cells and every identity of disclosure-standard.md holds after rounding.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandao.ledger import Analysis
from sandao.reports.disclosure import budget as plan
from sandao.reports.disclosure import tables as t
from sandao.reports.disclosure.rounding import (
    Rounded,
    cell_value,
    exact,
    half_up,
    round_flows,
)
from sandao.reports.disclosure.sources import (
    BASIC,
    DEFAULT_FUND,
    FUND_TYPES,
    PROCUREMENT_KINDS,
    Books,
    Flows,
)
from sandao.reports.disclosure.tableset import NUMERALS, TableSet
from sandao.reports.disclosure.text import (
    GLOSSARY,
    Quotes,
    change,
    movement,
    pct,
    ratio,
    share_list,
    wan,
)
from sandao.reports.model import Report, Table

ZERO = Decimal(0)
ADMINISTRATIVE_KINDS = ("行政单位", "参公事业单位")


@dataclass(frozen=True)
class Scope:
    """Who a document is about: its units, its name, and whether it is the county's."""

    units: tuple[str, ...]
    name: str
    county: bool = False
    #: the 本级 of a 部门决算 (``[disclosure] department``): listed first in 单位构成
    own_unit: str | None = None
    #: a sum of units that no 部门 publishes: an internal summary (内部汇总), not public
    internal: bool = False

    @property
    def key(self) -> str:
        """How report keys and file names name the scope: ``county`` or the unit's code."""
        return "county" if self.county else self.units[0]


@dataclass
class Context:
    """What every document of a run shares: the books' flows, the table set, the config."""

    analysis: Analysis
    books: Books
    tables: TableSet
    county: Any = None  # CountyInfo of the county config, or None

    def rounded(self, scope: Scope, year: int) -> Rounded:
        """The scope's year in 万元: each unit rounded on its own, then added."""
        out = Rounded()
        for unit in scope.units:
            out.add(self._unit(unit, year))
        return out

    def _unit(self, unit: str, year: int) -> Rounded:
        cache = self.__dict__.setdefault("_cache", {})
        key = ("final", unit, year)
        if key not in cache:
            years = self.books.years(unit)
            pinned = None
            if years and years[0] < year and self.tables.rounding != "cell":
                pinned = self._unit(unit, year - 1).closing
            flows = self.books.get(unit, year)
            opening = self.books.opening_before([unit], year)
            if self.tables.rounding == "cell":
                cache[key] = exact(flows, opening)
            else:
                cache[key] = round_flows(flows, opening, pinned)
        return cache[key]

    def budget_rounded(self, scope: Scope, year: int) -> Rounded:
        cache = self.__dict__.setdefault("_cache", {})
        out = Rounded()
        for unit in scope.units:
            key = ("budget", unit, year)
            if key not in cache:
                flows = plan.budget_flows(
                    self.analysis.declarations, self.books, unit, year, self.tables
                )
                if self.tables.rounding == "cell":
                    cache[key] = exact(flows, dict(flows.opening))
                else:
                    cache[key] = round_flows(flows, dict(flows.opening))
            out.add(cache[key])
        return out

    def flows(self, scope: Scope, year: int) -> Flows:
        return self.books.total(scope.units, year)

    def has_year(self, scope: Scope, year: int) -> bool:
        return any((u, year) in self.books.flows for u in scope.units)


def _describe(analysis: Analysis):
    decl = analysis.declarations

    def describe(ref: str) -> tuple[str, str]:
        if ref in decl.projects:
            return decl.projects[ref].name, "建设项目"
        if ref in decl.tasks:
            return decl.tasks[ref].name, "职能任务（费随事转）"
        if ref in decl.quotas:
            return decl.quotas[ref].name, "项目类指标"
        return ref, ""

    return describe


def final_tables(
    ctx: Context, scope: Scope, r: Rounded, year: int, final: bool = True
) -> dict[str, Table]:
    """Every table of the document by key — also those the county's order leaves out,
    since the 情况说明 reads them; :func:`printed` picks and numbers the printed ones."""
    ts = ctx.tables
    words = t.Words(final)
    units = set(scope.units)
    # Tables 1 and 4–10 are built alike in both documents; 2 and 3 differ.
    keys = [f"{'t' if final else 'b'}{i}" for i in range(11)]  # keys[4]: "t4" (决算) or "b4" (预算)
    built = {keys[1]: t.summary(r, ts, words, keys[1])}
    if final:
        built["t2"] = t.income_table(r, ts, words, "t2")
        built["t3"] = t.spending_table(r, ts, words, "t3")
    else:
        built["b2"] = _budget_income(r, ts, words)
        built["b3"] = t.general_table(r, ts, words, "b3", None)
    built[keys[4]] = t.fiscal_summary(r, ts, words, keys[4])
    built[keys[5]] = t.general_table(r, ts, words, keys[5])
    built[keys[6]] = t.basic_table(r, ts, words, keys[6])
    built[keys[7]] = t.three_table(
        r, ts, words, keys[7], _three_budget(ctx, scope, year), scope.name
    )
    built[keys[8]] = t.fund_table(r, ts, words, keys[8], "政府性基金", scope.name)
    built[keys[9]] = t.fund_table(r, ts, words, keys[9], "国有资本经营", scope.name)
    built[keys[10]] = t.project_table(r, ts, words, keys[10], _describe(ctx.analysis))
    if not final:
        built["b11"] = _targets_table(ctx, units, year, ts)
    if ts.rounding == "cell":
        for table in built.values():
            t.round_cells(table)
    return built


def printed(ts: TableSet, built: dict[str, Table], final: bool) -> list[Table]:
    """The tables of the county's order, numbered (一、…) by their place in it."""
    out = []
    for key in ts.final if final else ts.budget:
        table = built[key]
        table.title = f"{ts.number(key)}、{table.title}"
        out.append(table)
    return out


def _three_budget(ctx: Context, scope: Scope, year: int) -> dict[str, Decimal]:
    """“三公” 年初预算 by category in 万元: each unit rounded, then added."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for unit in scope.units:
        for category, value in plan.three_budget(ctx.analysis.declarations, {unit}, year).items():
            out[category] += half_up(value)
    return out


def _budget_income(r: Rounded, ts: TableSet, words: t.Words) -> Table:
    """预算 表二 部门收入总表: 合计, 上年结转, the three 拨款收入, 事业, 事业单位经营, 其他."""
    from sandao.reports.model import MONEY, Column

    leaves: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (bucket, source, function), value in r.income.items():
        key = (
            {
                "一般公共预算": "general",
                "政府性基金": "fund",
                "国有资本经营": "capital",
            }.get(bucket)
            if source == "财政拨款"
            else {"事业收入": "business", "经营收入": "operating"}.get(source, "other")
        )
        leaves[function][key] += value
        leaves[function]["total"] += value
    keys = ["total", "carried", "general", "fund", "capital", "business", "operating", "other"]
    rows, total = t.hierarchy_rows(leaves, keys, ts)
    carried = sum(r.opening.values(), ZERO)
    total["carried"] = carried
    total["total"] += carried
    labels = [
        "合计",
        "上年结转",
        "一般公共预算拨款收入",
        "政府性基金预算拨款收入",
        "国有资本经营预算拨款收入",
        "事业收入",
        "事业单位经营收入",
        "其他收入",
    ]
    columns = [
        *t.CODE_COLUMNS,
        *(Column(k, label, MONEY) for k, label in zip(keys, labels, strict=True)),
    ]
    return t._table("b2", ts, columns, rows, total, level="level")


def _targets_table(ctx: Context, units: set[str], year: int, ts: TableSet) -> Table:
    """预算 表十一 项目支出绩效目标表: project, 预算金额, indicators by level."""
    from sandao.reports.model import MONEY, NUMBER, Column

    decl = ctx.analysis.declarations
    describe = _describe(ctx.analysis)
    amounts = _project_amounts(ctx, units, year)
    rows = []
    for m in sorted(decl.targets, key=lambda m: (m.ref, m.name)):
        if m.ref not in amounts:
            continue
        name, _ = describe(m.ref)
        rows.append(
            {
                "ref": m.ref,
                "name": name,
                "amount": half_up(amounts[m.ref]),
                "level": str(m.meta.get("level") or "产出"),
                "indicator": m.name,
                "target": m.value,
                "measure_unit": m.measure_unit or "",
            }
        )
    columns = [
        Column("ref", "项目编号"),
        Column("name", "项目名称"),
        Column("amount", "预算金额", MONEY),
        Column("level", "指标类别"),
        Column("indicator", "绩效指标"),
        Column("target", "目标值", NUMBER),
        Column("measure_unit", "计量单位"),
    ]
    return Table("b11", ts.title("b11"), columns, rows, notes=[ts.note("b11")], scale="万元")


def _project_amounts(ctx: Context, units: set[str], year: int) -> dict[str, Decimal]:
    """Budget of the year's projects, tasks and 项目 quotas (exact yuan) by id."""
    decl = ctx.analysis.declarations
    out: dict[str, Decimal] = {}
    for task in decl.tasks.values():
        if task.unit in units and task.start.year == year:
            out[task.id] = task.amount
    for project in decl.projects.values():
        if (
            project.unit in units
            and project.start.year <= year
            and (project.end is None or project.end.year >= year)
        ):
            out[project.id] = project.amount
    for quota in decl.quotas.values():
        if quota.unit in units and quota.year == year and plan.is_initial(quota):
            from sandao.reports.disclosure.sources import PROJECT, quota_class

            if quota_class(quota) == PROJECT and not quota.task:
                out[quota.id] = quota.amount
    return out


# -- the 情况说明 ----------------------------------------------------------------------


def _sections(
    ctx: Context,
    scope: Scope,
    year: int,
    tables: dict[str, Table],
    r: Rounded,
    prev: dict[str, Any] | None,
    prev_r: Rounded | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    q = Quotes(tables)
    ts = ctx.tables
    name = scope.name
    units = set(scope.units)
    decl = ctx.analysis.declarations
    sections: list[dict[str, Any]] = []

    def prev_cell(key: str, label: str, column: str) -> Decimal | None:
        return None if prev is None else prev[key]

    def add(title: str, *paragraphs: str) -> None:
        sections.append({"title": title, "paragraphs": [p for p in paragraphs if p]})

    class_names = {c: f"{t.function_name(c, ts)}（类）" for c, _ in t.class_rows(ts, [])}
    for c in t.spend_by_class(r):
        class_names.setdefault(c, f"{t.function_name(c, ts) or c}（类）")

    # 一
    total = q("t1", "总计", "in_amount")
    before = prev_cell("t1", "总计", "in_amount")
    reason = movement(t.spend_by_class(r), t.spend_by_class(prev_r) if prev_r else {}, class_names)
    add(
        "一、收入支出决算总体情况说明",
        f"{name}{year}年度收入支出总计{total}万元。"
        + change(q.value("t1", "总计", "in_amount"), before, "收入支出总计", year)
        + (f"主要原因：{reason}。" if before is not None and reason else ""),
        _wanglai_text(ctx, scope, year),
    )
    # 二
    sources = [
        ("财政拨款收入", "fiscal"),
        ("上级补助收入", "superior"),
        ("事业收入", "business"),
        ("经营收入", "operating"),
        ("附属单位上缴收入", "affiliated"),
        ("其他收入", "other"),
    ]
    income_total = f"本年收入合计{q('t1', '本年收入合计', 'in_amount')}万元"
    add("二、收入决算情况说明", _with_parts(q, income_total, "t2", sources))
    # 三
    spend_total = f"本年支出合计{q('t1', '本年支出合计', 'out_amount')}万元"
    add("三、支出决算情况说明", _with_parts(q, spend_total, "t3", _SPENDING_PARTS))
    # 四
    fiscal_total = q("t4", "总计", "in_amount")
    before = prev_cell("t4", "总计", "in_amount")
    fiscal_buckets = list(FUND_TYPES)
    reason = movement(
        t.spend_by_class(r, fiscal_buckets),
        t.spend_by_class(prev_r, fiscal_buckets) if prev_r else {},
        class_names,
    )
    add(
        "四、财政拨款收入支出决算总体情况说明",
        f"{name}{year}年度财政拨款收入支出总计{fiscal_total}万元。"
        + change(q.value("t4", "总计", "in_amount"), before, "财政拨款收入支出总计", year)
        + (f"主要原因：{reason}。" if before is not None and reason else ""),
    )
    # 五
    general = q.value("t5", "合计", "total")
    general_text = q("t5", "合计", "total")
    share_of_all = ratio(general, q.value("t1", "本年支出合计", "out_amount"))
    before = prev_cell("t5", "合计", "total")
    p1 = (
        f"一般公共预算财政拨款支出{general_text}万元"
        + (f"，占本年支出合计的{pct(share_of_all)}" if share_of_all is not None else "")
        + "。"
        + change(general, before, "一般公共预算财政拨款支出", year)
    )
    class_rows_ = [row for row in tables["t5"].records() if row.get("level") == 0]
    items = [
        (f"{row['name']}（类）", q("t5", row["code"], "total"), row["total"]) for row in class_rows_
    ]
    p2 = f"一般公共预算财政拨款支出{general_text}万元，主要用于以下方面：" + (
        share_list(items) + "。" if items else "无。"
    )
    initial = plan.initial_by_function(decl, units, year)
    adjusted = plan.adjusted_by_function(decl, units, year)
    initial_wan = {
        f: sum(
            (
                half_up(v)
                for u in scope.units
                for v in [plan.initial_by_function(decl, {u}, year).get(f, ZERO)]
            ),
            ZERO,
        )
        for f in initial
    }
    initial_total = sum(initial_wan.values(), ZERO)
    done = ratio(general, initial_total)
    p3 = (
        f"一般公共预算财政拨款支出年初预算为{wan(initial_total)}万元，支出决算为{general_text}万元"
        + (f"，完成年初预算的{pct(done)}。" if done is not None else "。")
    )
    if general != initial_total:
        p3 += f"决算数{'大于' if general > initial_total else '小于'}预算数的主要原因：{_total_reason(general, initial_total, adjusted, initial)}。"
    p3 += "其中："
    leaves = {row["code"]: row for row in tables["t5"].records() if row.get("level") == 2}
    lines = []
    for i, code in enumerate(sorted(set(leaves) | set(initial_wan)), 1):
        row = leaves.get(code)
        actual = row["total"] if row else ZERO
        budget = initial_wan.get(code, ZERO)
        path = _function_path(code, ts)
        actual_text = q("t5", code, "total") if row else wan(ZERO)
        line = f"{i}、{path}。年初预算为{wan(budget)}万元，支出决算为{actual_text}万元"
        r_done = ratio(actual, budget)
        line += f"，完成年初预算的{pct(r_done)}。" if r_done is not None else "。"
        if actual != budget:
            line += f"决算数{'大于' if actual > budget else '小于'}预算数的主要原因：{_item_reason(ctx, units, year, code, actual, budget, adjusted.get(code, ZERO))}。"
        else:
            line += "预决算持平。"
        lines.append(line)
    add(
        "五、一般公共预算财政拨款支出决算情况说明",
        "（一）一般公共预算财政拨款支出决算总体情况",
        p1,
        "（二）一般公共预算财政拨款支出决算结构情况",
        p2,
        "（三）一般公共预算财政拨款支出决算具体情况",
        p3,
        *lines,
    )
    # 六
    basic = q("t5", "合计", "basic")
    spent = {
        k.economic
        for k, v in ctx.flows(scope, year).spend.items()
        if v and k.bucket == DEFAULT_FUND and k.cls == BASIC
    }

    def named(side: str) -> list[str]:
        # every item the books spent on, even one that prints 0.00 万元
        return [
            row[f"{side}_name"]
            for row in tables["t6"].records()
            if len(row.get(f"{side}_code") or "") == 5 and row[f"{side}_code"] in spent
        ]

    left, right = named("l"), named("r")
    add(
        "六、一般公共预算财政拨款基本支出决算情况说明",
        f"一般公共预算财政拨款基本支出{basic}万元。其中：人员经费{q('t6', '人员经费合计', 'l_amount')}万元"
        + (f"，主要包括：{'、'.join(left)}" if left else "")
        + f"；公用经费{q('t6', '公用经费合计', 'r_amount')}万元"
        + (f"，主要包括：{'、'.join(right)}" if right else "")
        + "。",
    )
    # 七
    add("七、财政拨款“三公”经费支出决算情况说明", *_three_text(q, tables, prev, name, year))
    # 八 / 九
    for number, key, fund in (("八", "t8", "政府性基金"), ("九", "t9", "国有资本经营")):
        tb = tables[key]
        income = q.value(key, "合计", "income")
        spent = q.value(key, "合计", "spent")
        if not (income or spent or tb.total.get("opening") or tb.total.get("closing")):
            text = [f"{name}{year}年度无{fund}预算财政拨款收入和支出。"]
        else:
            text = [
                f"{fund}预算财政拨款收入{q(key, '合计', 'income')}万元，支出{q(key, '合计', 'spent')}万元。"
            ]
        add(f"{number}、{fund}预算财政拨款收入支出决算情况说明", *text)
    # 十
    add("十、预算绩效管理情况", _performance_text(ctx, scope, year))
    # 十一
    add("十一、其他重要事项的情况说明", *_other_matters(ctx, scope, year, bool(prev)))
    return sections, q.quoted


#: 基本支出 and 项目支出: the parts of the year's spending (说明 三 of both documents).
_SPENDING_PARTS = (("基本支出", "basic"), ("项目支出", "project"))


def _with_parts(q: Quotes, lead: str, table: str, parts: Iterable[tuple[str, str]]) -> str:
    """“{lead}，其中：A x万元，占 p%；…。”: a total and the non-zero parts of ``table``'s 合计."""
    items = [
        (label, q(table, "合计", key), q.value(table, "合计", key))
        for label, key in parts
        if q.value(table, "合计", key)
    ]
    return lead + (f"，其中：{share_list(items)}。" if items else "。")


def _wanglai_text(ctx: Context, scope: Scope, year: int) -> str:
    """往来 money (warning D004): named, because it is in neither column."""
    moved = ctx.books.total(scope.units, year).wanglai
    if not moved:
        return ""
    way = "净流入" if moved > 0 else "净流出"
    return (
        f"本年度另有往来款项（暂付、暂收、借款等）{way}{wan(abs(half_up(moved)))}万元，"
        "不计入收入和支出，年末结转和结余已扣除。"
    )


def _function_path(code: str, ts: TableSet) -> str:
    parts = []
    for n, word in ((3, "类"), (5, "款"), (7, "项")):
        if len(code) >= n:
            parts.append(f"{t.function_name(code[:n], ts) or code[:n]}（{word}）")
    return "".join(parts)


def _total_reason(
    actual: Decimal, initial: Decimal, adjusted: dict[str, Decimal], initial_by: dict[str, Decimal]
) -> str:
    adj = sum(adjusted.values(), ZERO) - sum(initial_by.values(), ZERO)
    parts = []
    if adj:
        parts.append(f"年中{'追加' if adj > 0 else '调减'}、划转预算{wan(abs(half_up(adj)))}万元")
    left = half_up(sum(adjusted.values(), ZERO)) - actual
    if left > 0:
        parts.append(f"部分资金{wan(left)}万元未在本年度支出，结转下年使用")
    elif left < 0:
        parts.append(f"使用上年结转资金{wan(-left)}万元")
    return "；".join(parts) or "年中预算调整"


def _item_reason(
    ctx: Context,
    units: set[str],
    year: int,
    code: str,
    actual: Decimal,
    budget: Decimal,
    adjusted: Decimal,
) -> str:
    """Why a 项 differs from its 年初预算: ``reason`` metadata first, else the movements."""
    decl = ctx.analysis.declarations
    reasons: list[str] = []
    for quota in decl.quotas.values():
        if quota.unit in units and quota.year == year and quota.function == code:
            for source in (quota.meta, *(a.meta for a in quota.adjustments)):
                text = str(source.get("reason") or "").strip()
                if text and text not in reasons:
                    reasons.append(text)
    for task in decl.tasks.values():
        if (
            task.unit in units
            and task.function == code
            and task.start.year <= year <= task.end.year
        ):
            text = str(task.meta.get("reason") or "").strip()
            if text and text not in reasons:
                reasons.append(text)
    parts = []
    moved = half_up(adjusted) - budget
    if moved:
        parts.append(f"年中{'追加' if moved > 0 else '调减'}、划转预算{wan(abs(moved))}万元")
    left = half_up(adjusted) - actual
    if left > 0:
        parts.append(f"{wan(left)}万元未在本年度支出，结转下年使用")
    elif left < 0:
        parts.append(f"使用上年结转资金{wan(-left)}万元")
    text = "；".join(parts) or "年中预算调整"
    if reasons:
        text += "（" + "；".join(reasons) + "）"
    return text


def _three_text(
    q: Quotes, tables: dict[str, Table], prev: dict[str, Any] | None, name: str, year: int
) -> list[str]:
    row = tables["t7"].records()[0]
    if not any(row[f"{k}_actual"] or row[f"{k}_budget"] for k in t.THREE_KEYS):
        return [f"{name}{year}年度无“三公”经费财政拨款支出。"]

    def pair(k: str) -> tuple[str, Decimal, Decimal]:
        label = dict(zip(t.THREE_KEYS, t.THREE_LABELS, strict=True))[k]
        return label, row[f"{k}_budget"], row[f"{k}_actual"]

    def done(actual: Decimal, budget: Decimal) -> str:
        r = ratio(actual, budget)
        return f"，完成预算的{pct(r)}" if r is not None else "（未安排预算）"

    first = (
        f"“三公”经费财政拨款支出年初预算为{_q7(q, 'total_budget')}万元，支出决算为{_q7(q, 'total_actual')}万元"
        + done(row["total_actual"], row["total_budget"])
        + f"，其中：因公出国（境）费决算为{_q7(q, 'abroad_actual')}万元"
        + done(row["abroad_actual"], row["abroad_budget"])
        + f"；公务用车购置及运行维护费支出决算为{_q7(q, 'car_actual')}万元"
        + done(row["car_actual"], row["car_budget"])
        + f"；公务接待费支出决算为{_q7(q, 'reception_actual')}万元"
        + done(row["reception_actual"], row["reception_budget"])
        + "。"
    )
    diff = row["total_actual"] - row["total_budget"]
    if diff:
        first += f"{year}年度“三公”经费支出决算数{'大于' if diff > 0 else '小于'}预算数，主要是{'公务活动增加' if diff > 0 else '厉行节约、压减开支'}。"
    else:
        first += f"{year}年度“三公”经费支出决算数与预算数持平。"
    before = prev["t7"] if prev else None
    if before is None:
        second = f"{year - 1}年度无可比数据。"
    else:
        parts = []
        for k, label in (
            ("total", "“三公”经费财政拨款支出决算数"),
            ("abroad", "因公出国（境）费支出决算"),
            ("car", "公务用车购置及运行维护费支出决算"),
            ("reception", "公务接待费支出决算"),
        ):
            d = row[f"{k}_actual"] - before[f"{k}_actual"]
            if not d:
                parts.append(f"{label}持平")
            else:
                rate = ratio(abs(d), before[f"{k}_actual"])
                parts.append(
                    f"{label}{'增加' if d > 0 else '减少'}{wan(abs(d))}万元"
                    + (f"，{'增长' if d > 0 else '下降'}{pct(rate)}" if rate is not None else "")
                )
        second = f"{year}年度与{year - 1}年度相比：" + "；".join(parts) + "。"
    items = [
        (label, _q7(q, f"{k}_actual"), row[f"{k}_actual"])
        for k, label in (
            ("abroad", "因公出国（境）费支出决算"),
            ("car", "公务用车购置及运行维护费支出决算"),
            ("reception", "公务接待费支出决算"),
        )
    ]
    third = "“三公”经费财政拨款支出决算中，" + (
        share_list(items) + "。" if any(i[2] for i in items) else "无支出。"
    )
    third += f"其中公务用车购置支出{_q7(q, 'car_buy_actual')}万元，公务用车运行维护支出{_q7(q, 'car_run_actual')}万元。"
    return [
        "（一）“三公”经费财政拨款支出决算总体情况说明。",
        first,
        second,
        "（二）“三公”经费财政拨款支出决算具体情况说明。",
        third,
    ]


def _q7(q: Quotes, column: str) -> str:
    value = q.tables["t7"].records()[0][column]
    q.quoted.append({"table": "t7", "label": None, "column": column, "value": value})
    return wan(value)


def _grade(score: Decimal) -> str:
    if score >= 90:
        return "优"
    if score >= 80:
        return "良"
    if score >= 60:
        return "合格"
    return "不合格"


def _performance_text(ctx: Context, scope: Scope, year: int) -> str:
    decl = ctx.analysis.declarations
    units = set(scope.units)
    amounts = _project_amounts(ctx, units, year)
    # tasks and projects of earlier years still running count too
    for task in decl.tasks.values():
        if task.unit in units and task.start.year <= year <= task.end.year:
            amounts.setdefault(task.id, task.amount)
    with_targets = {m.ref for m in decl.targets if m.ref in amounts and m.date.year <= year}
    scores: dict[str, Decimal] = {}
    for ref in amounts:
        for source in (
            getattr(decl.tasks.get(ref), "meta", None),
            getattr(decl.projects.get(ref), "meta", None),
            getattr(decl.quotas.get(ref), "meta", None),
        ):
            if source and source.get("score") is not None:
                scores[ref] = Decimal(str(source["score"]))
    for m in sorted(decl.outputs, key=lambda m: m.date):
        if m.ref in amounts and m.date.year == year and m.meta.get("score") is not None:
            scores[m.ref] = Decimal(str(m.meta["score"]))
    money = half_up(sum((amounts[r] for r in with_targets), ZERO))
    text = (
        f"{scope.name}{year}年度预算绩效管理工作开展情况如下：全过程绩效管理实施情况：编报绩效目标的{year}年度项目{len(with_targets)}个，"
        f"涉及预算金额{wan(money)}万元"
    )
    if scores:
        grades = defaultdict(int)
        for value in scores.values():
            grades[_grade(value)] += 1
        average = (sum(scores.values(), ZERO) / len(scores)).quantize(Decimal("0.1"))
        scored = half_up(sum((amounts[r] for r in scores), ZERO))
        text += (
            f"；绩效自评的{year}年度项目{len(scores)}个，涉及预算金额{wan(scored)}万元，平均得分{average}分"
            f"（其中，绩效评级为“优”的项目{grades['优']}个；绩效评级为“良”的项目{grades['良']}个；"
            f"绩效评级为“合格”的项目{grades['合格']}个；绩效评级为“不合格”的项目{grades['不合格']}个）。"
        )
    else:
        text += f"；{year}年度账簿未记录绩效自评得分。"
    return text


def _other_matters(ctx: Context, scope: Scope, year: int, compare: bool) -> list[str]:
    """十一: running costs (against last year when ``compare``), procurement, assets."""
    decl = ctx.analysis.declarations
    name = scope.name
    out = ["（一）机关运行经费支出情况"]
    admin = [
        u
        for u in scope.units
        if (decl.units.get(u) and (decl.units[u].kind or "") in ADMINISTRATIVE_KINDS)
    ]
    if not admin:
        out.append(f"{name}{year}年度无机关运行经费支出。")
    else:
        now = _running_cost(ctx, Scope(tuple(admin), name), year)
        before = _running_cost(ctx, Scope(tuple(admin), name), year - 1) if compare else None
        out.append(
            f"机关运行经费支出{wan(now)}万元，"
            + change(now, before, "机关运行经费支出", year).removeprefix(f"与{year - 1}年度相比，")
        )
    out.append("（二）政府采购支出情况")
    r = ctx.rounded(scope, year)
    kinds = {k: r.procurement.get(k, ZERO) for k in PROCUREMENT_KINDS}
    total = sum(kinds.values(), ZERO)
    if not total:
        out.append(f"{name}{year}年度无政府采购支出。")
    else:
        out.append(
            f"{name}{year}年度政府采购金额（以合同签订为准）为{wan(total)}万元，其中：货物采购金额{wan(kinds['货物'])}万元、"
            f"工程采购金额{wan(kinds['工程'])}万元、服务采购金额{wan(kinds['服务'])}万元。"
        )
    out.append("（三）国有资产占有使用情况说明")
    vehicles: dict[str, Decimal] = defaultdict(Decimal)
    equipment = ZERO
    for (unit, y), flows in ctx.books.flows.items():
        if unit in scope.units and y <= year:
            for use, n in flows.vehicles.items():
                vehicles[use] += n
            equipment += flows.equipment
    count = sum(vehicles.values(), ZERO)
    from sandao.reports.disclosure import is_closed

    end = datetime.date(year, 12, 31)
    day = end if is_closed(ctx.analysis, year, scope.units) else min(end, ctx.analysis.as_of)
    text = f"截至{day.year}年{day.month}月{day.day}日，{name}共有车辆{count}辆"
    if count:
        text += "，其中：" + "、".join(f"{use}{n}辆" for use, n in sorted(vehicles.items()) if n)
    text += f"。单价100万元（含）以上设备（不含车辆）{equipment}台（套）。"
    out.append(text)
    return out


def _running_cost(ctx: Context, scope: Scope, year: int) -> Decimal:
    """机关运行经费: 一般公共预算 basic 公用经费 (not 301/303), in 万元 (units rounded)."""
    r = ctx.rounded(scope, year)
    return sum(
        (
            v
            for k, v in r.spend.items()
            if k.bucket == DEFAULT_FUND and k.cls == BASIC and k.economic[:3] not in ("301", "303")
        ),
        ZERO,
    )


# -- assembling a document --------------------------------------------------------------


def _profile(ctx: Context, scope: Scope, word: str) -> dict[str, Any]:
    """第一部分: duties, staffing, and who is in the document (机构设置 for one unit, else
    单位构成 listing 本级 first and the 所属单位 after it, as published documents do)."""
    decl = ctx.analysis.declarations
    county = ctx.county.name if ctx.county is not None else ""
    units = []
    posts = staff = ZERO
    duties = []
    for i, code in enumerate(scope.units, 1):
        unit = decl.units.get(code)
        meta = unit.meta if unit else {}
        name = _official(ctx, code, county)
        kind = (unit.kind if unit else "") or ""
        remark = ""
        if scope.own_unit:
            remark = "本级" if code == scope.own_unit else f"下属{kind or '单位'}"
        units.append(
            {
                "n": i,
                "code": code,
                "name": name,
                "kind": kind,
                "level": str(meta.get("level") or ""),
                "remark": remark or f"{meta.get('level') or ''}{kind}",
            }
        )
        for key in ("posts", "staff"):
            try:
                value = Decimal(str(meta[key])) if meta.get(key) is not None else ZERO
            except ArithmeticError:
                value = ZERO
            if key == "posts":
                posts += value
            else:
                staff += value
        text = str(meta.get("duties") or "").strip()
        if text:
            duties.append(text if len(scope.units) == 1 else f"{name}：{text}")
    communities = [
        {"name": c.name, "unit": c.unit, "households": c.households}
        for c in sorted(decl.communities.values(), key=lambda c: c.code)
        if c.unit in scope.units
    ]
    single = len(scope.units) == 1
    composition = ""
    if not single and scope.own_unit:
        composition = (
            f"从预算单位构成看，{scope.name}{word}包括：{scope.name}本级{word}、"
            f"下属{'、'.join(dict.fromkeys(u['kind'] for u in units[1:] if u['kind'])) or '单位'}{word}。"
        )
    return {
        "units": units,
        "single": single,
        "heading": "二、机构设置" if single else f"二、部门{word}单位构成",
        "composition": composition,
        "duties": duties,
        "posts": posts,
        "staff": staff,
        "communities": communities,
    }


def _official(ctx: Context, code: str, county: str) -> str:
    from sandao.reports.disclosure import official_name

    return official_name(ctx.analysis, code, county)


def _footer(ctx: Context) -> dict[str, Any]:
    info = ctx.county
    if info is None:
        return {"publish_date": None, "phone": "", "supervision_phone": ""}
    return {
        "publish_date": info.publish_date,
        "phone": info.phone,
        "supervision_phone": info.supervision_phone,
    }


def _previous_cells(r: Rounded) -> dict[str, Any]:
    """The previous year's cells the 情况说明 compares with (as its tables would print them)."""
    fiscal = set(FUND_TYPES)
    three = {k: cell_value(v) for k, v in t.three_values(t.three_spent(r)).items()}
    return {
        key: cell_value(value) if isinstance(value, Decimal) else value
        for key, value in _previous_exact(r, fiscal, three).items()
    }


def _previous_exact(r: Rounded, fiscal: set[str], three: dict[str, Decimal]) -> dict[str, Any]:
    return {
        "t1": sum(r.income.values(), ZERO) + sum(r.opening.values(), ZERO),
        "t4": sum((v for k, v in r.income.items() if k[0] in fiscal), ZERO)
        + sum((v for b, v in r.opening.items() if b in fiscal), ZERO),
        "t5": sum((v for k, v in r.spend.items() if k.bucket == DEFAULT_FUND), ZERO),
        "t7": {f"{k}_actual": v for k, v in three.items()},
    }


def final_document(ctx: Context, scope: Scope, year: int, draft: bool = False) -> Report:
    """One 部门决算 (a closed year, or a draft of an open one)."""
    r = ctx.rounded(scope, year)
    by_key = final_tables(ctx, scope, r, year)
    prev = prev_r = None
    if ctx.has_year(scope, year - 1):
        prev_r = ctx.rounded(scope, year - 1)
        prev = _previous_cells(prev_r)
    sections, quoted = _sections(ctx, scope, year, by_key, r, prev, prev_r)
    chart = _chart(ctx, scope, year, by_key["t5"])
    tails = _tail_notes(r)
    if tails:
        by_key["t1"].notes.append(tails)
    landscape = {"t2", "t3", "t4", "t6", "t7", "t8", "t9", "t10"}
    tables = printed(ctx.tables, by_key, final=True)
    return _document(ctx, scope, year, "final", tables, sections, quoted, chart, landscape, draft)


def _chart(ctx: Context, scope: Scope, year: int, t5: Table) -> list[dict[str, Any]]:
    """一般公共预算财政拨款: 年初预算 vs 决算 by 类 (the bars of section 五)."""
    initial: dict[str, Decimal] = defaultdict(Decimal)
    for unit in scope.units:
        by = plan.initial_by_function(ctx.analysis.declarations, {unit}, year)
        for code, value in by.items():
            initial[code[:3]] += half_up(value)
    actual = {r["code"]: r["total"] for r in t5.records() if r.get("level") == 0}
    return [
        {
            "label": t.function_name(code, ctx.tables) or code,
            "budget": initial.get(code, ZERO),
            "actual": actual.get(code, ZERO),
        }
        for code in sorted(set(initial) | set(actual))
    ]


def _tail_notes(r: Rounded) -> str:
    if not r.tails:
        return ""
    shown = sum((s for s, _ in r.tails.values()), ZERO)
    own = sum((o for _, o in r.tails.values()), ZERO)
    if shown == own:
        return ""
    return f"尾差说明：本年支出合计按各项四舍五入后与收支平衡关系相差{wan(abs(shown - own))}万元，已在支出数中调整。"


def budget_document(ctx: Context, scope: Scope, year: int) -> Report:
    """One 部门预算 of a budget year."""
    r = ctx.budget_rounded(scope, year)
    by_key = final_tables(ctx, scope, r, year, final=False)
    sections = _budget_sections(ctx, scope, year, by_key)
    landscape = {"b2", "b4", "b6", "b7", "b10", "b11"}
    tables = printed(ctx.tables, by_key, final=False)
    return _document(ctx, scope, year, "budget", tables, sections, [], [], landscape)


def _document(
    ctx: Context,
    scope: Scope,
    year: int,
    doc: str,
    tables: list[Table],
    sections: list[dict[str, Any]],
    quoted: list[dict[str, Any]],
    chart: list[dict[str, Any]],
    landscape: set[str],
    draft: bool = False,
) -> Report:
    """A 部门决算 (``doc`` "final") or 部门预算 ("budget") as the disclosure template prints it."""
    what = "部门决算" if doc == "final" else "部门预算"
    if scope.county and not scope.own_unit and scope.internal:
        what = f"{what}（内部汇总）"
    # A closed year's document speaks of 31 December, whatever the books' last entry.
    as_of = ctx.analysis.as_of
    if doc == "final" and not draft:
        as_of = datetime.date(year, 12, 31)
    for table in tables:
        t.relabel(table, ctx.tables)
        if ctx.tables.rounding == "cell":
            t.note_tails(table)
    key = f"{doc}-{year}-{scope.key}" + ("-draft" if draft else "")
    return Report(
        key=key,
        template="disclosure.html",
        title=f"{scope.name}{year}年度{what}" + ("（草稿）" if draft else ""),
        public=True,
        as_of=as_of,
        tables=tables,
        context={
            "doc": doc,
            "year": year,
            "name": scope.name,
            "draft": draft,
            "mark": _mark(scope, as_of, draft),
            "internal": scope.internal,
            "profile": _profile(ctx, scope, "决算" if doc == "final" else "预算"),
            "sections": sections,
            "quoted": quoted,
            "chart": chart,
            "glossary": GLOSSARY,
            "footer": _footer(ctx),
            "numerals": NUMERALS,
            "landscape": landscape,
        },
        group=f"{what}公开",
        subtitle=scope.name,
    )


def _mark(scope: Scope, as_of: datetime.date, draft: bool) -> str:
    """The line on every page of a document that is not for publication as it stands."""
    if draft:
        return f"草稿 — 截至 {as_of.isoformat()}，非正式决算"
    if scope.internal:
        return "内部汇总 — 各单位合计，不是部门决算，不予公开（设置 [disclosure] department 后按部门公开）"
    return ""


def _budget_sections(
    ctx: Context, scope: Scope, year: int, tables: dict[str, Table]
) -> list[dict[str, Any]]:
    q = Quotes(tables)
    prev_r = ctx.budget_rounded(scope, year - 1)
    prev_total = sum(prev_r.income.values(), ZERO) + sum(prev_r.opening.values(), ZERO)
    total = q.value("b1", "收入总计", "in_amount")
    before = prev_total if prev_total else None
    out = [
        {
            "title": "一、部门收支总体情况",
            "paragraphs": [
                f"{scope.name}{year}年度收入预算总计{q('b1', '收入总计', 'in_amount')}万元。"
                + change(total, before, "收入预算总计", year)
            ],
        }
    ]
    sources = (
        ("上年结转", "carried"),
        ("一般公共预算拨款收入", "general"),
        ("政府性基金预算拨款收入", "fund"),
        ("国有资本经营预算拨款收入", "capital"),
        ("其他收入", "other"),
    )
    income = _with_parts(q, f"收入预算合计{q('b2', '合计', 'total')}万元", "b2", sources)
    out.append({"title": "二、收入预算情况", "paragraphs": [income]})
    spending = _with_parts(q, f"支出预算合计{q('b3', '合计', 'total')}万元", "b3", _SPENDING_PARTS)
    out.append({"title": "三、支出预算情况", "paragraphs": [spending]})
    out.append(
        {
            "title": "四、财政拨款收支预算情况",
            "paragraphs": [f"财政拨款收支预算总计{q('b4', '总计', 'in_amount')}万元。"],
        }
    )
    rows = [row for row in tables["b5"].records() if row.get("level") == 0]
    items = [(f"{row['name']}（类）", q("b5", row["code"], "total"), row["total"]) for row in rows]
    out.append(
        {
            "title": "五、一般公共预算支出情况",
            "paragraphs": [
                f"一般公共预算支出{q('b5', '合计', 'total')}万元"
                + (f"，主要用于：{share_list(items)}。" if items else "。")
            ],
        }
    )
    out.append(
        {
            "title": "六、一般公共预算基本支出情况",
            "paragraphs": [
                f"一般公共预算基本支出{q('b5', '合计', 'basic')}万元，其中：人员经费{q('b6', '人员经费合计', 'l_amount')}万元，公用经费{q('b6', '公用经费合计', 'r_amount')}万元。"
            ],
        }
    )
    row = tables["b7"].records()[0]
    three = (
        f"“三公”经费预算{wan(row['total'])}万元，其中：因公出国（境）费{wan(row['abroad'])}万元，公务用车购置及运行维护费{wan(row['car'])}万元，公务接待费{wan(row['reception'])}万元。"
        if row["total"]
        else f"{scope.name}{year}年度无“三公”经费预算。"
    )
    out.append({"title": "七、“三公”经费预算情况", "paragraphs": [three]})
    n = len(tables["b10"].records())
    out.append(
        {
            "title": "八、项目支出及绩效目标情况",
            "paragraphs": [
                f"{year}年度安排项目{n}个，项目支出预算{q('b10', '合计', 'total')}万元；设定绩效目标的指标{len(tables['b11'].records())}项，详见项目支出绩效目标表。"
            ],
        }
    )
    running = [
        u
        for u in scope.units
        if (
            ctx.analysis.declarations.units.get(u)
            and (ctx.analysis.declarations.units[u].kind or "") in ADMINISTRATIVE_KINDS
        )
    ]
    out.append(
        {
            "title": "九、其他重要事项",
            "paragraphs": [
                "（一）机关运行经费："
                + (
                    "见一般公共预算基本支出表公用经费。"
                    if running
                    else f"{scope.name}不涉及机关运行经费预算。"
                ),
                "（二）政府采购预算：" + f"{scope.name}{year}年度未单列政府采购预算。",
                "（三）国有资产：" + "详见部门决算国有资产占有使用情况。",
                *_standards_paragraph(ctx, scope, year),
            ],
        }
    )
    return out


def _standards_paragraph(ctx: Context, scope: Scope, year: int) -> list[str]:
    """（四）保障标准: the standards the year's quotas pay by (quota metadata ``standard`` /
    ``old_standard``, e.g. 社区居委会工作经费 25,000 元/社区/年, 2021 年 8,000 元)."""
    from sandao.reports.community import standards

    found: list[str] = []
    for unit in scope.units:
        for sentence in standards(ctx.analysis, None, unit, year):
            if sentence not in found:
                found.append(sentence)
    return ["（四）保障标准：" + "；".join(found) + "。"] if found else []
