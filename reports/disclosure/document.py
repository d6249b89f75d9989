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
from decimal import Decimal
from typing import Any

from sandao.reports.disclosure import budget as plan
from sandao.reports.disclosure import tables as t
from sandao.reports.disclosure.context import (
    Context,
    Scope,
    admin_units,
    describe_refs,
    document_kind,
    project_amounts,
)
from sandao.reports.disclosure.narrative import SPENDING_PARTS, Missing, narrate, with_parts
from sandao.reports.disclosure.rounding import Rounded, half_up
from sandao.reports.disclosure.tableset import NUMERALS, TableSet
from sandao.reports.disclosure.text import (
    GLOSSARY,
    Quotes,
    change,
    derived_figures,
    share_list,
    wan,
)
from sandao.reports.model import Report, Table
from sandao.reports.provenance import Traced

__all__ = ["Context", "Missing", "Scope", "budget_document", "final_document", "final_tables"]

ZERO = Decimal(0)


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
    built[keys[10]] = t.project_table(r, ts, words, keys[10], describe_refs(ctx.analysis))
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
        refs: dict[str, list] = {}
        budget = plan.three_budget(ctx.analysis.declarations, {unit}, year, refs)
        for category, value in budget.items():
            shown = half_up(value)
            out[category] += Traced(shown, refs[category]) if ctx.trace else shown
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


def _declared_amount(ctx: Context, ref: str, yuan: Decimal) -> Decimal:
    """A declared budget in 万元; in the auditor's edition it keeps its declaration."""
    shown = half_up(yuan)
    if not ctx.trace:
        return shown
    decl = ctx.analysis.declarations
    record = decl.projects.get(ref) or decl.tasks.get(ref) or decl.quotas.get(ref)
    return Traced(shown, [(plan.declared_ref(record), yuan)])


def _targets_table(ctx: Context, units: set[str], year: int, ts: TableSet) -> Table:
    """预算 表十一 项目支出绩效目标表: project, 预算金额, indicators by level."""
    from sandao.reports.model import MONEY, NUMBER, Column

    decl = ctx.analysis.declarations
    describe = describe_refs(ctx.analysis)
    amounts = project_amounts(ctx, units, year)
    rows = []
    for m in sorted(decl.targets, key=lambda m: (m.ref, m.name)):
        if m.ref not in amounts:
            continue
        name, _ = describe(m.ref)
        rows.append(
            {
                "ref": m.ref,
                "name": name,
                "amount": _declared_amount(ctx, m.ref, amounts[m.ref]),
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
    if not single and not scope.internal:
        kinds = "、".join(
            dict.fromkeys(u["kind"] for u in units if u["code"] != scope.own_unit and u["kind"])
        )
        below = f"下属{kinds or '单位'}{word}"
        if scope.own_unit:
            composition = (
                f"从预算单位构成看，{scope.name}{word}包括：{scope.name}本级{word}、{below}。"
            )
        else:
            composition = (
                f"从预算单位构成看，{scope.name}{word}包括：{below}；"
                f"{scope.name}本级的收支不在本账簿中，未纳入本{word}。"
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


def final_document(ctx: Context, scope: Scope, year: int, draft: bool = False) -> Report:
    """One 部门决算 (a closed year, or a draft of an open one)."""
    r = ctx.rounded(scope, year)
    by_key = final_tables(ctx, scope, r, year)
    with derived_figures() as derived:
        sections, quoted, missing = narrate(ctx, scope, year, by_key, r, draft)
    chart = _chart(ctx, scope, year, by_key["t5"])
    tails = _tail_notes(r)
    if tails:
        by_key["t1"].notes.append(tails)
    landscape = {"t2", "t3", "t4", "t6", "t7", "t8", "t9", "t10"}
    tables = printed(ctx.tables, by_key, final=True)
    report = _document(ctx, scope, year, "final", tables, sections, quoted, chart, landscape, draft)
    report.context["missing"] = [m.line() for m in missing]
    if ctx.trace:  # the auditor's edition: the text's shares and changes name their cells
        report.context["derived"] = derived
    return report


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
    with derived_figures() as derived:
        sections = _budget_sections(ctx, scope, year, by_key)
    landscape = {"b2", "b4", "b6", "b7", "b10", "b11"}
    tables = printed(ctx.tables, by_key, final=False)
    report = _document(ctx, scope, year, "budget", tables, sections, [], [], landscape)
    if ctx.trace:
        report.context["derived"] = derived
    return report


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
    kind = document_kind(scope)
    what = f"{kind}{'决算' if doc == 'final' else '预算'}"
    if scope.internal:
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
            "kind": kind,
            "profile": _profile(ctx, scope, "决算" if doc == "final" else "预算"),
            "sections": sections,
            "quoted": quoted,
            "chart": chart,
            "glossary": GLOSSARY,
            "footer": _footer(ctx),
            "numerals": NUMERALS,
            "landscape": landscape,
            # whose books it adds: the auditor's edition traces a county cell to theirs
            "units": list(scope.units),
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
    """The 预算情况说明: totals (一–四), spending (五–八), other matters (九)."""
    q = Quotes(tables)
    return [
        *_budget_totals(ctx, scope, year, q),
        *_budget_spending(scope, year, tables, q),
        _budget_other(ctx, scope, year),
    ]


def _budget_totals(ctx: Context, scope: Scope, year: int, q: Quotes) -> list[dict[str, Any]]:
    prev_r = ctx.budget_rounded(scope, year - 1)
    prev_total = sum(prev_r.income.values(), ZERO) + sum(prev_r.opening.values(), ZERO)
    total = q.value("b1", "收入总计", "in_amount")
    before = prev_total if prev_total else None
    out = [
        {
            "title": "一、部门收支总体情况",
            "paragraphs": [
                f"{scope.name}{year}年度收入预算总计{q('b1', '收入总计', 'in_amount')}万元。"
                + (change(total, before, "收入预算总计", year) if before is not None else "")
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
    income = with_parts(q, f"收入预算合计{q('b2', '合计', 'total')}万元", "b2", sources)
    out.append({"title": "二、收入预算情况", "paragraphs": [income]})
    spending = with_parts(
        q, f"支出预算合计{q('b3', '合计', 'total')}万元", "b3", SPENDING_PARTS[:2]
    )
    out.append({"title": "三、支出预算情况", "paragraphs": [spending]})
    out.append(
        {
            "title": "四、财政拨款收支预算情况",
            "paragraphs": [f"财政拨款收支预算总计{q('b4', '总计', 'in_amount')}万元。"],
        }
    )
    return out


def _budget_spending(
    scope: Scope, year: int, tables: dict[str, Table], q: Quotes
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
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
    return out


def _budget_other(ctx: Context, scope: Scope, year: int) -> dict[str, Any]:
    running = admin_units(ctx, scope)
    return {
        "title": "九、其他重要事项",
        "paragraphs": [
            "（一）机关运行经费："
            + (
                "见一般公共预算基本支出表公用经费。"
                if running
                else f"{scope.name}不涉及机关运行经费预算。"
            ),
            "（二）政府采购预算：" + f"{scope.name}{year}年度的政府采购预算未在账簿中登记。",
            "（三）国有资产：" + f"详见{document_kind(scope)}决算国有资产占有使用情况。",
            *_standards_paragraph(ctx, scope, year),
        ],
    }


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
