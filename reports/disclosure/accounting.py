"""The three 预算会计 statements of 政府会计制度, for the finance office (not public).

预算收入支出表, 预算结转结余变动表 and 财政拨款预算收入支出表 come from the same exact
figures as the 决算 (:mod:`sources`), in yuan.  结余 is the unspent money of tasks and
projects that ended (``end``) or were closed (``task-close``) by the year's end — in the
财政拨款 buckets when a quota was transferred for the task, else 非财政拨款; 结转 is the
rest.  The rows a county's books never touch (债务, 投资, 归集调入 …) are printed as 0.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sandao.reports.disclosure.document import Context, Scope
from sandao.reports.disclosure.sources import (
    BASIC,
    BUCKETS,
    FISCAL,
    FUND_TYPES,
    NON_FISCAL,
    PROJECT,
    Flows,
)
from sandao.reports.model import MONEY, Column, Report, Table

ZERO = Decimal(0)
PERSONNEL = ("301", "303")


def surplus(ctx: Context, unit: str, year: int) -> dict[str, Decimal]:
    """结余 by bucket at the end of ``year``: balances of tasks and projects that ended."""
    decl = ctx.analysis.declarations
    end = datetime.date(year, 12, 31)
    transferred = {q.task: q.fund_type for q in decl.quotas.values() if q.task}
    received: dict[str, Decimal] = defaultdict(Decimal)
    spent: dict[str, Decimal] = defaultdict(Decimal)
    for (u, y), flows in ctx.books.flows.items():
        if u != unit or y > year:
            continue
        for ref, value in flows.ref_income.items():
            received[ref] += value
        for key, value in flows.spend.items():
            if key.ref:
                spent[key.ref] += value
    out = {b: ZERO for b in BUCKETS}
    for ref in received.keys() | spent.keys():
        task, project = decl.tasks.get(ref), decl.projects.get(ref)
        if task is not None and task.unit == unit:
            ended = (task.close_date or task.end) <= end
            bucket = transferred.get(ref, NON_FISCAL) if ref in transferred else NON_FISCAL
        elif project is not None and project.unit == unit and project.end is not None:
            ended, bucket = project.end <= end, FUND_TYPES[0]
        else:
            continue
        left = received[ref] - spent[ref]
        if ended and left > 0:
            out[bucket if bucket in BUCKETS else FUND_TYPES[0]] += left
    return out


def _rows(items: list[tuple[str, Decimal, Decimal]]) -> list[dict]:
    return [{"item": label, "current": now, "previous": before} for label, now, before in items]


def _columns() -> list[Column]:
    return [
        Column("item", "项目"),
        Column("current", "本年数", MONEY),
        Column("previous", "上年数", MONEY),
    ]


def _income_by_source(flows: Flows) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for (bucket, source, _), value in flows.income.items():
        out[source] += value
        if source == FISCAL and bucket == "政府性基金":
            out["政府性基金收入"] += value
    return out


def _balances(ctx: Context, scope: Scope, year: int) -> dict[str, Decimal]:
    """年初 / 年末 结转结余, 结余 and flows by 财政拨款 / 其他资金, exact yuan."""
    opening = ctx.books.opening_before(scope.units, year)
    flows = ctx.books.total(scope.units, year)
    fiscal_in = sum((v for k, v in flows.income.items() if k[0] != NON_FISCAL), ZERO)
    other_in = sum((v for k, v in flows.income.items() if k[0] == NON_FISCAL), ZERO)
    fiscal_out = sum((v for k, v in flows.spend.items() if k.bucket != NON_FISCAL), ZERO)
    other_out = sum((v for k, v in flows.spend.items() if k.bucket == NON_FISCAL), ZERO)
    fiscal_open = sum((opening[b] for b in FUND_TYPES), ZERO)
    other_open = opening[NON_FISCAL]
    left: dict[str, Decimal] = defaultdict(Decimal)
    for unit in scope.units:
        for bucket, value in surplus(ctx, unit, year).items():
            left[bucket] += value
    fiscal_end = fiscal_open + fiscal_in - fiscal_out
    other_end = other_open + other_in - other_out
    fiscal_surplus = min(sum((left[b] for b in FUND_TYPES), ZERO), max(fiscal_end, ZERO))
    other_surplus = min(left[NON_FISCAL], max(other_end, ZERO))
    return {
        "fiscal_open": fiscal_open,
        "other_open": other_open,
        "fiscal_change": fiscal_in - fiscal_out,
        "other_change": other_in - other_out,
        "fiscal_carry": fiscal_end - fiscal_surplus,
        "fiscal_surplus": fiscal_surplus,
        "other_carry": other_end - other_surplus,
        "other_surplus": other_surplus,
        "fiscal_end": fiscal_end,
        "other_end": other_end,
    }


def income_expense(ctx: Context, scope: Scope, year: int) -> Table:
    """预算收入支出表."""
    now, before = ctx.books.total(scope.units, year), ctx.books.total(scope.units, year - 1)
    inc_now, inc_before = _income_by_source(now), _income_by_source(before)
    admin = all(
        (ctx.analysis.declarations.units[u].kind or "") == "行政单位"
        for u in scope.units
        if u in ctx.analysis.declarations.units
    )
    sources = [
        ("财政拨款预算收入", FISCAL),
        ("　其中：政府性基金收入", "政府性基金收入"),
        ("事业预算收入", "事业收入"),
        ("上级补助预算收入", "上级补助收入"),
        ("附属单位上缴预算收入", "附属单位上缴收入"),
        ("经营预算收入", "经营收入"),
        ("债务预算收入", "-"),
        ("非同级财政拨款预算收入", "非同级财政拨款收入"),
        ("投资预算收益", "-"),
        ("其他预算收入", "其他收入"),
    ]
    total_now = sum(now.income.values(), ZERO)
    total_before = sum(before.income.values(), ZERO)
    spent_now = sum(now.spend.values(), ZERO)
    spent_before = sum(before.spend.values(), ZERO)
    items = [("一、本年预算收入", total_now, total_before)]
    items += [
        (f"　{label}", inc_now.get(key, ZERO), inc_before.get(key, ZERO)) for label, key in sources
    ]
    items.append(("二、本年预算支出", spent_now, spent_before))
    spend_rows = [
        "行政支出",
        "事业支出",
        "经营支出",
        "上缴上级支出",
        "对附属单位补助支出",
        "投资支出",
        "债务还本支出",
        "其他支出",
    ]
    main = "行政支出" if admin else "事业支出"
    for label in spend_rows:
        items.append(
            (
                f"　{label}",
                spent_now if label == main else ZERO,
                spent_before if label == main else ZERO,
            )
        )
    items.append(("三、本年预算收支差额", total_now - spent_now, total_before - spent_before))
    columns = _columns()
    return Table(
        "a1",
        "预算收入支出表",
        columns,
        _rows(items),
        notes=["会计年度收支（预算会计，收付实现制）。"],
    )


def carry_over(ctx: Context, scope: Scope, year: int) -> Table:
    """预算结转结余变动表."""
    b, p = _balances(ctx, scope, year), _balances(ctx, scope, year - 1)
    items = [
        (
            "一、年初预算结转结余",
            b["fiscal_open"] + b["other_open"],
            p["fiscal_open"] + p["other_open"],
        ),
        ("　（一）财政拨款结转结余", b["fiscal_open"], p["fiscal_open"]),
        ("　（二）其他资金结转结余", b["other_open"], p["other_open"]),
        ("二、年初余额调整", ZERO, ZERO),
        (
            "三、本年变动金额",
            b["fiscal_change"] + b["other_change"],
            p["fiscal_change"] + p["other_change"],
        ),
        ("　（一）财政拨款结转结余", b["fiscal_change"], p["fiscal_change"]),
        ("　（二）其他资金结转结余", b["other_change"], p["other_change"]),
        (
            "四、年末预算结转结余",
            b["fiscal_end"] + b["other_end"],
            p["fiscal_end"] + p["other_end"],
        ),
        ("　（一）财政拨款结转结余", b["fiscal_end"], p["fiscal_end"]),
        ("　　1. 财政拨款结转", b["fiscal_carry"], p["fiscal_carry"]),
        ("　　2. 财政拨款结余", b["fiscal_surplus"], p["fiscal_surplus"]),
        ("　（二）其他资金结转结余", b["other_end"], p["other_end"]),
        ("　　1. 非财政拨款结转", b["other_carry"], p["other_carry"]),
        ("　　2. 非财政拨款结余", b["other_surplus"], p["other_surplus"]),
        ("　　3. 专用结余", ZERO, ZERO),
        ("　　4. 经营结余", ZERO, ZERO),
    ]
    columns = _columns()
    return Table("a2", "预算结转结余变动表", columns, _rows(items))


#: 财政拨款预算收入支出表's columns.
FISCAL_COLUMNS = [
    Column("item", "项目"),
    Column("open_carry", "年初财政拨款结转结余／结转", MONEY),
    Column("open_surplus", "年初财政拨款结转结余／结余", MONEY),
    Column("adjust", "调整年初财政拨款结转结余", MONEY),
    Column("in", "本年归集调入", MONEY),
    Column("out", "本年归集上缴或调出", MONEY),
    Column("internal", "单位内部调剂", MONEY),
    Column("income", "本年财政拨款收入", MONEY),
    Column("spend", "本年财政拨款支出", MONEY),
    Column("end_carry", "年末财政拨款结转结余／结转", MONEY),
    Column("end_surplus", "年末财政拨款结转结余／结余", MONEY),
]
_ZEROS = {"adjust": ZERO, "in": ZERO, "out": ZERO, "internal": ZERO}


def _fund_spending(flows: Any, fund: str) -> dict[str, Decimal]:
    """A fund type's spending: 人员经费 and 日常公用经费 of 基本支出, and 项目支出."""
    out = {"personnel": ZERO, "public": ZERO, "project": ZERO}
    for k, v in flows.spend.items():
        if k.bucket != fund:
            continue
        if k.cls == BASIC:
            out["personnel" if k.economic[:3] in PERSONNEL else "public"] += v
        elif k.cls == PROJECT:
            out["project"] += v
    return out


def _fund_rows(fund: str, income: Decimal, spend: dict[str, Decimal], start: Decimal,
               left: Decimal, left_before: Decimal) -> list[dict[str, Any]]:  # fmt: skip
    """A fund type's row (结转 and 结余 at both ends) and its spending lines under it."""
    total_spend = sum(spend.values(), ZERO)
    end = start + income - total_spend
    start_surplus = min(left_before, max(start, ZERO))
    end_surplus = min(left, max(end, ZERO))
    rows: list[dict[str, Any]] = [
        {
            "item": f"{fund}财政拨款",
            "open_carry": start - start_surplus,
            "open_surplus": start_surplus,
            **_ZEROS,
            "income": income,
            "spend": total_spend,
            "end_carry": end - end_surplus,
            "end_surplus": end_surplus,
        }
    ]
    for label, value in (
        ("　基本支出", spend["personnel"] + spend["public"]),
        ("　　人员经费", spend["personnel"]),
        ("　　日常公用经费", spend["public"]),
        ("　项目支出", spend["project"]),
    ):
        blank = dict.fromkeys(c.key for c in FISCAL_COLUMNS[1:])
        rows.append({**blank, "item": label, "spend": value})
    return rows


def fiscal_statement(ctx: Context, scope: Scope, year: int) -> Table:
    """财政拨款预算收入支出表: by fund type; 基本支出 (人员 / 日常公用) and 项目支出."""
    flows = ctx.books.total(scope.units, year)
    opening = ctx.books.opening_before(scope.units, year)
    left: dict[str, Decimal] = defaultdict(Decimal)
    left_before: dict[str, Decimal] = defaultdict(Decimal)
    for unit in scope.units:
        for bucket, value in surplus(ctx, unit, year).items():
            left[bucket] += value
        for bucket, value in surplus(ctx, unit, year - 1).items():
            left_before[bucket] += value
    rows = []
    for fund in FUND_TYPES:
        income = sum((v for k, v in flows.income.items() if k[0] == fund), ZERO)
        spend = _fund_spending(flows, fund)
        rows += _fund_rows(fund, income, spend, opening[fund], left[fund], left_before[fund])
    fund_rows = [r for r in rows if not r["item"].startswith("　")]
    total = {"item": "总计"}
    for c in FISCAL_COLUMNS[1:]:
        total[c.key] = sum((r[c.key] or ZERO for r in fund_rows), ZERO)
    return Table("a3", "财政拨款预算收入支出表", list(FISCAL_COLUMNS), rows, total=total)


def accounting_report(ctx: Context, scope: Scope, year: int) -> Report:
    """The three statements of one unit (or the county) for a year, in yuan."""
    return Report(
        key=f"accounting-{year}-{scope.key}",
        template="accounting.html",
        title=f"{scope.name}{year}年度预算会计报表",
        public=False,
        as_of=ctx.analysis.as_of,
        tables=[
            income_expense(ctx, scope, year),
            carry_over(ctx, scope, year),
            fiscal_statement(ctx, scope, year),
        ],
        context={"year": year, "name": scope.name},
        group="预算会计报表",
        subtitle=scope.name,
    )
