"""The 预算 side: a budget year's quotas (年初 amounts) and tasks as the same atoms as a 决算.

Budget figures are the quotas' 年初 amounts (quotas of kind 年初 or none; adjustments
are 决算 matters) by fund type, class, function and economic code, plus the tasks a
department declared for the year and pays in cash (其他收入, 项目支出).  Quotas and
opening entries marked ``carried: TRUE`` are 上年结转.  The result is a
:class:`~sandao.reports.disclosure.sources.Flows`, so the 预算 tables, their rounding and
their identities are the 决算's.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sandao.ledger.model import Declarations, Quota
from sandao.ledger.vocabulary import INITIAL_KIND
from sandao.reports.disclosure.sources import (
    DEFAULT_FUND,
    FISCAL,
    FUND_TYPES,
    NON_FISCAL,
    OTHER_SOURCE,
    PROJECT,
    THREE_PUBLIC_CODES,
    Books,
    Flows,
    SpendKey,
    quota_class,
    three_public_of,
)
from sandao.reports.disclosure.tableset import TableSet

ZERO = Decimal(0)
INITIAL_KINDS = (None, "", INITIAL_KIND)


def is_initial(quota: Quota) -> bool:
    return (quota.kind or "") in INITIAL_KINDS


def _carried(quota: Quota) -> bool:
    value = quota.meta.get("carried")
    return value is True or str(value).strip().upper() == "TRUE"


def quota_three(quota: Quota) -> str:
    """The “三公” category of a quota: its ``three_public`` tag, else its economic code."""
    return three_public_of(quota.meta.get("three_public")) or THREE_PUBLIC_CODES.get(
        quota.economic or "", ""
    )


def declared_ref(record: object) -> tuple[str, str, object, object]:
    """A declaration where a 决算 figure keeps a posting row: its id and place."""
    meta = getattr(record, "meta", {}) or {}
    return ("declaration", getattr(record, "id", ""), meta.get("filename"), meta.get("lineno"))


def _declared(
    out: Flows, trace: bool, kind: str, key: object, record: object, amount: Decimal
) -> None:
    """Keep the declaration behind a budget figure (``--edition audit``)."""
    if trace:
        out.refs.setdefault((kind, key), []).append((declared_ref(record), amount))


def budget_flows(
    decl: Declarations, books: Books, unit: str, year: int, tables: TableSet, trace: bool = False
) -> Flows:
    """One unit's 预算 for ``year`` as flows (income = spending unless carried money)."""
    out = Flows()
    for quota in decl.quotas.values():
        if quota.unit != unit or quota.year != year or not is_initial(quota):
            continue
        fund = quota.fund_type if quota.fund_type in FUND_TYPES else DEFAULT_FUND
        cls = quota_class(quota)
        ref = quota.id if cls == PROJECT else ""
        key = SpendKey(fund, cls, quota.function, quota.economic or "", ref, quota_three(quota))
        out.spend[key] += quota.amount
        _declared(out, trace, "spend", key, quota, quota.amount)
        if _carried(quota):
            out.opening[fund] += quota.amount
            _declared(out, trace, "opening", fund, quota, quota.amount)
        else:
            out.income[(fund, FISCAL, quota.function)] += quota.amount
            _declared(out, trace, "income", (fund, FISCAL, quota.function), quota, quota.amount)
    transferred = {q.task for q in decl.quotas.values() if q.task}
    for task in decl.tasks.values():
        if task.unit != unit or task.start.year != year or task.id in transferred:
            continue
        function = task.function or tables.default_function("职能")
        income_key = (NON_FISCAL, OTHER_SOURCE, function)
        spend_key = SpendKey(NON_FISCAL, PROJECT, function, "", task.id, "")
        out.income[income_key] += task.amount
        out.spend[spend_key] += task.amount
        _declared(out, trace, "income", income_key, task, task.amount)
        _declared(out, trace, "spend", spend_key, task, task.amount)
    for bucket, value in books.get(unit, year).carried.items():
        out.opening[bucket] += value
    return out


def initial_by_function(decl: Declarations, units: set[str], year: int) -> dict[str, Decimal]:
    """一般公共预算 年初预算 by 项 (for the 情况说明 of 表五)."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for q in decl.quotas.values():
        if (
            q.unit in units
            and q.year == year
            and is_initial(q)
            and q.fund_type in (DEFAULT_FUND, "")
        ):
            out[q.function] += q.amount
    return out


def adjusted_by_function(decl: Declarations, units: set[str], year: int) -> dict[str, Decimal]:
    """一般公共预算 调整预算 (every quota of the year with its adjustments) by 项."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for q in decl.quotas.values():
        if q.unit in units and q.year == year and q.fund_type in (DEFAULT_FUND, ""):
            out[q.function] += q.adjusted_amount()
    return out


def three_budget(
    decl: Declarations, units: set[str], year: int, refs: dict[str, list] | None = None
) -> dict[str, Decimal]:
    """“三公”经费 年初预算 by category (exact yuan); ``refs`` collects the quotas behind
    each category (the auditor's edition)."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for q in decl.quotas.values():
        if q.unit in units and q.year == year and is_initial(q):
            category = quota_three(q)
            if category:
                out[category] += q.amount
                if refs is not None:
                    refs.setdefault(category, []).append((declared_ref(q), q.amount))
    return out
