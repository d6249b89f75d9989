"""预算执行 — budget execution: quotas against the spending charged to them.

Per quota, and grouped by unit / stream / function / economic code: 年初预算数,
调整 (adjustments, 追加/调减/划转 quotas), 调整后预算, spent and the execution rate;
spending month by month; quotas whose execution lags the calendar (at risk of
lapsing at year end).  The quota series come from ``analysis.usage`` — the same
numbers the Q001 rule checks — and :func:`quota_rows` is also the data of the Fava
extension and the province export (:func:`quota_execution`: the same as a DataFrame);
keep its columns stable.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from sandao.ledger import Analysis
from sandao.ledger.glossary import BALANCE, INITIAL_BUDGET
from sandao.ledger.model import Quota
from sandao.ledger.vocabulary import INITIAL_KIND
from sandao.reports import model
from sandao.reports.base import Period, ReportKind, report_year, spending, unit_name, year_period
from sandao.reports.codes import economic_name, function_name
from sandao.reports.model import MONEY, NUMBER, RATE, ZERO, Column, Report, Table, dsum, rate

QUOTA_COLUMNS: tuple[str, ...] = (
    "quota",
    "name",
    "unit",
    "stream",
    "function",
    "economic",
    "initial",
    "adjustments",
    "adjusted",
    "spent",
    "rate",
)

#: A quota is at risk of lapsing when its rate trails the share of the year gone by this much.
LAG = Decimal("0.25")

EXECUTION = ReportKind("execution.html", False, "预算执行", "财政、单位财务人员使用")


def is_initial(quota: Quota) -> bool:
    """Whether a quota is part of the 年初预算 (kind 年初, or no kind given)."""
    return quota.kind in (None, INITIAL_KIND)


def initial_amount(quota: Quota) -> Decimal:
    return quota.amount if is_initial(quota) else ZERO


def quota_execution(
    analysis: Analysis,
    year: int | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> pd.DataFrame:
    """:func:`quota_rows` as a DataFrame of :data:`QUOTA_COLUMNS`."""
    return model.object_frame(quota_rows(analysis, year, start, end), QUOTA_COLUMNS)


def quota_rows(
    analysis: Analysis,
    year: int | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> list[dict[str, Any]]:
    """One row per quota of the budget year: budget, adjustments, spent, rate.

    ``year`` defaults to the as-of year when no ``start``/``end`` is given; with only
    ``start``/``end`` the quotas whose budget year overlaps the range are listed.
    ``initial`` is the 年初 amount (quotas of kind 年初 or none), ``adjusted`` the
    amount plus adjustments dated up to ``end``, ``adjustments = adjusted − initial``;
    ``spent`` is spending charged to the quota dated in ``[start, end]`` (default: the
    budget year up to the as-of date); ``rate = spent / adjusted`` (None when 0).
    """
    if year is None and start is None and end is None:
        year = analysis.as_of.year
    if year is not None:
        start = start or datetime.date(year, 1, 1)
        end = end or datetime.date(year, 12, 31)
    end = min(end, analysis.as_of) if end is not None else analysis.as_of
    rows = []
    for quota_id in sorted(analysis.declarations.quotas):
        quota = analysis.declarations.quotas[quota_id]
        if year is not None and quota.year != year:
            continue
        if year is None and (
            (start is not None and quota.year < start.year) or quota.year > end.year
        ):
            continue
        initial = initial_amount(quota)
        adjusted = quota.adjusted_at(end)
        spent = analysis.usage.quota_spent(quota_id, start, end)
        rows.append(
            {
                "quota": quota_id,
                "name": quota.name,
                "unit": quota.unit,
                "stream": quota.stream,
                "function": quota.function,
                "economic": quota.economic or "",
                "initial": initial,
                "adjustments": adjusted - initial,
                "adjusted": adjusted,
                "spent": spent,
                "rate": rate(spent, adjusted),
            }
        )
    return rows


def _group(records: list[dict[str, Any]], key: str) -> list[dict]:
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])
    for rec in records:
        acc = sums[rec[key] or ""]
        acc[0] += rec["initial"]
        acc[1] += rec["adjustments"]
        acc[2] += rec["adjusted"]
        acc[3] += rec["spent"]
    out = []
    for code in sorted(sums):
        initial, adjustments, adjusted, spent = sums[code]
        out.append(
            {
                key: code,
                "initial": initial,
                "adjustments": adjustments,
                "adjusted": adjusted,
                "spent": spent,
                "balance": adjusted - spent,
                "rate": rate(spent, adjusted),
            }
        )
    return out


MONEY_COLUMNS = [
    *Column.many(MONEY, initial=INITIAL_BUDGET, adjustments="调整数", adjusted="调整后预算数"),
    *Column.many(MONEY, spent="已支出", balance=BALANCE),
    Column("rate", "执行率", RATE),
]


def _totals(rows: list[dict[str, Any]], label_key: str) -> dict:
    total: dict[str, Any] = {label_key: "合计"}
    for key in ("initial", "adjustments", "adjusted", "spent", "balance"):
        total[key] = dsum(row.get(key) for row in rows)
    total["rate"] = rate(total["spent"], total["adjusted"])
    return total


def elapsed_share(period: Period, as_of: datetime.date) -> Decimal:
    """Share of the period gone by at ``as_of`` (0–1)."""
    if as_of >= period.end:
        return Decimal(1)
    if as_of < period.start:
        return ZERO
    days = (period.end - period.start).days + 1
    return Decimal((as_of - period.start).days + 1) / Decimal(days)


def execution_report(
    analysis: Analysis,
    year: int | None = None,
    unit: str | None = None,
    end: datetime.date | None = None,
) -> Report:
    """The budget execution report of a year (optionally one unit, up to ``end``)."""
    year = report_year(analysis, year)
    period = year_period(year)
    stop = min(end or period.end, analysis.as_of)
    records = [
        rec
        for rec in quota_rows(analysis, year, period.start, stop)
        if unit is None or rec["unit"] == unit
    ]
    quotas = analysis.declarations.quotas
    for rec in records:
        rec["balance"] = rec["adjusted"] - rec["spent"]
        rec["unit_name"] = unit_name(analysis, rec["unit"])
        rec["fund_type"] = quotas[rec["quota"]].fund_type
    quota_cols = [
        *Column.many(quota="指标编号", name="指标名称", unit_name="单位"),
        *Column.many(
            stream="资金渠道", function="功能科目", economic="经济科目", fund_type="资金性质"
        ),
        *MONEY_COLUMNS,
    ]
    tables = [
        Table(
            "quotas",
            "指标执行明细",
            quota_cols,
            records,
            total=_totals(records, "quota"),
            notes=["执行率 = 已支出 ÷ 调整后预算数；仅统计挂指标（quota）的支出。金额单位：元。"],
            public=False,
        )
    ]
    dims = [
        ("unit", "按单位", "单位", lambda c: unit_name(analysis, c)),
        ("stream", "按资金渠道", "资金渠道", lambda c: c),
        ("function", "按功能分类", "功能科目", lambda c: f"{c} {function_name(c)}".strip()),
        (
            "economic",
            "按经济分类（指标口径）",
            "经济科目",
            lambda c: f"{c} {economic_name(c)}".strip(),
        ),
    ]
    for key, title, label, name in dims:
        grouped = _group(records, key)
        for rec in grouped:
            rec["label"] = name(rec[key])
        cols = [Column("label", label), *MONEY_COLUMNS]
        tables.append(
            Table(
                f"by_{key}",
                f"预算执行{title}",
                cols,
                grouped,
                total=_totals(grouped, "label"),
                public=False,
            )
        )
    tables.append(_monthly(analysis, records, period, stop))
    tables.append(_at_risk(records, period, analysis.as_of))
    tables.append(_unassigned(analysis, period, stop, unit))
    chart_rows = [
        {"label": r["label"], "budget": r["adjusted"], "actual": r["spent"]}
        for r in tables[1].records()
    ]
    suffix = f"-{unit}" if unit else ""
    context = {"year": year, "chart": chart_rows, "elapsed": elapsed_share(period, stop)}
    key, title = f"execution-{year}{suffix}", f"{year}年预算执行情况"
    return EXECUTION.report(key, title, analysis.as_of, tables, context)


def _monthly(
    analysis: Analysis, records: list[dict[str, Any]], period: Period, stop: datetime.date
) -> Table:
    """Spending charged to the listed quotas, per unit and month."""
    wanted = {rec["quota"] for rec in records}
    by_unit: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * 12)
    for row in spending(analysis, Period(period.start, stop, period.label)):
        if row.quota in wanted:
            by_unit[row.unit or ""][row.date.month - 1] += row.amount
    months = [Column(f"m{m:02d}", f"{m}月", MONEY) for m in range(1, 13)]
    cols = [Column("label", "单位"), *months, Column("total", "合计", MONEY)]
    rows = []
    for code in sorted(by_unit):
        values = by_unit[code]
        row = {"label": unit_name(analysis, code)}
        row.update({f"m{m:02d}": values[m - 1] for m in range(1, 13)})
        row["total"] = dsum(values)
        rows.append(row)
    total = {"label": "合计"}
    for col in cols[1:]:
        total[col.key] = dsum(row[col.key] for row in rows)
    return Table("monthly", "逐月支出（挂指标支出）", cols, rows, total=total, public=False)


def _at_risk(records: list[dict], period: Period, as_of: datetime.date) -> Table:
    """Quotas whose execution rate trails the share of the year gone by."""
    share = elapsed_share(period, as_of)
    cols = [
        *Column.many(quota="指标编号", name="指标名称", unit_name="单位"),
        *Column.many(MONEY, adjusted="调整后预算数", spent="已支出", balance=BALANCE),
        *Column.many(RATE, rate="执行率", elapsed="时间进度"),
    ]
    risky = []
    for rec in records:
        if rec["adjusted"] <= 0 or rec["balance"] <= 0:
            continue
        if (rec["rate"] or ZERO) < share - LAG:
            risky.append({**rec, "elapsed": share})
    total = {
        "quota": "合计",
        **{k: dsum(r[k] for r in risky) for k in ("adjusted", "spent", "balance")},
    }
    return Table(
        "at_risk",
        "执行滞后、年底可能结转或收回的指标",
        cols,
        risky,
        total=total if risky else None,
        notes=[f"执行率低于时间进度 {int(LAG * 100)} 个百分点以上且仍有余额的指标。"],
        public=False,
    )


def _unassigned(analysis: Analysis, period: Period, stop: datetime.date, unit: str | None) -> Table:
    """Spending in the period not charged to any quota, per unit and stream."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in spending(analysis, Period(period.start, stop, period.label)):
        if row.quota is None and (unit is None or row.unit == unit):
            key = (row.unit or "", row.stream or "")
            sums[key] += row.amount
            counts[key] += 1
    cols = [
        Column("label", "单位"),
        Column("stream", "资金渠道"),
        Column("count", "笔数", NUMBER),
        Column("spent", "支出", MONEY),
    ]
    rows = [
        {
            "label": unit_name(analysis, u),
            "stream": s,
            "count": counts[(u, s)],
            "spent": sums[(u, s)],
        }
        for u, s in sorted(sums)
    ]
    total = {
        "label": "合计",
        "count": sum(r["count"] for r in rows),
        "spent": dsum(r["spent"] for r in rows),
    }
    return Table(
        "unassigned",
        "未挂指标的支出（职能任务、建设项目及其他）",
        cols,
        rows,
        total=total if rows else None,
        public=False,
    )
