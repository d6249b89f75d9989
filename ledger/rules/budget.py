"""Rules over budget money over time: a quota's spending (Q001), a project's (P001)."""

from __future__ import annotations

import datetime
from bisect import bisect_right
from decimal import Decimal

from sandao.ledger.findings import WARNING
from sandao.ledger.funding import DailySeries, Usage
from sandao.ledger.model import Declarations
from sandao.ledger.rules.common import fen
from sandao.ledger.rules.registry import rule
from sandao.ledger.sink import FindingSink

_ZERO = Decimal(0)
_NOTHING = (0, _ZERO)  # a day without spending: a (received, spent) of nothing


@rule("Q001")
def q001_quota_overspent(decl: Declarations, usage: Usage, sink: FindingSink) -> None:
    """Q001: charged spending against the amount in force, day by day (first day over)."""
    for quota_id, series in usage.quotas.items():
        quota = decl.quotas.get(quota_id)
        if quota is None:
            continue
        dates, totals = quota.schedule()  # quota.amount_at(day), without a call a day
        if _never_over(series, dates, totals):
            continue
        days = set(series.days) | {a.date for a in quota.adjustments}
        spent = Decimal(0)
        for day in sorted(days):
            spent += series.days.get(day, _NOTHING)[1]
            index = bisect_right(dates, day)
            limit = totals[index - 1] if index else _ZERO
            if spent > limit:
                severity = WARNING if quota.control == "warn" else None
                sink.add(
                    "Q001",
                    series.meta(day) if day in series.first else quota.meta,
                    day,
                    f"指标 {quota_id}「{quota.name}」于 {day} 累计支出 {fen(spent)} 超过指标 {fen(limit)}，"
                    f"超出 {fen(spent - limit)}",
                    severity=severity,
                    quota=quota_id,
                    unit=quota.unit,
                    task=quota.task,
                )
                break


def _never_over(series: DailySeries, dates: list[datetime.date], totals: list[Decimal]) -> bool:
    """Whether spending can be over the amount in force on no day: none before the
    quota's first date, and all of it, refunds left out, within the smallest amount the
    quota was ever in force for (most quotas: one sum instead of a day-by-day sweep)."""
    if not dates or not series.days or min(series.days) < dates[0]:
        return False
    ceiling = sum((day[1] for day in series.days.values() if day[1] > 0), _ZERO)
    return ceiling <= min(totals)


@rule("P001")
def p001_project_overspent(
    decl: Declarations, series_by_project: dict[str, DailySeries], sink: FindingSink
) -> None:
    """P001: project spending beyond the project's amount (first day over)."""
    for project_id, series in series_by_project.items():
        project = decl.projects.get(project_id)
        if project is None:
            continue
        for day, _, spent in series.cumulative():
            if spent > project.amount:
                sink.add(
                    "P001",
                    series.meta(day),
                    day,
                    f"项目 {project_id}「{project.name}」于 {day} 累计支出 {fen(spent)} 超过项目金额 {fen(project.amount)}",
                    project=project_id,
                    unit=project.unit,
                )
                break
