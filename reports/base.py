"""Periods, names, posting filters, per-head figures and report kinds every builder shares.

Builders read the resolved posting table (``analysis.postings``) and the
declarations; this module holds the few lookups they all need — the report year and
quarter, the Chinese names of units, departments and communities, economic names
from the books' own account names — so each builder stays a plain group-by.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from sandao.ledger import Analysis
from sandao.ledger.resolver import INCOME, SPENDING, Posting
from sandao.reports.codes import ECONOMIC_NAMES
from sandao.reports.model import FEN, Report, Table
from sandao.reports.provenance import derived


@dataclass(frozen=True)
class Period:
    """A closed date range with a Chinese label (2025年, 2025年第2季度)."""

    start: datetime.date
    end: datetime.date
    label: str

    def __contains__(self, date: datetime.date) -> bool:
        return self.start <= date <= self.end


class ReportKind(NamedTuple):
    """What every report of one builder shares: its template, audience and index heading."""

    template: str
    public: bool
    group: str
    subtitle: str

    def report(
        self,
        key: str,
        title: str,
        as_of: datetime.date,
        tables: list[Table],
        context: dict[str, Any],
        subtitle: str | None = None,
    ) -> Report:
        """One report of this kind (``subtitle``: this report's own, e.g. a community's)."""
        return Report(
            key,
            self.template,
            title,
            self.public,
            as_of,
            tables,
            context,
            self.group,
            self.subtitle if subtitle is None else subtitle,
        )


def report_year(analysis: Analysis, year: int | None) -> int:
    """The year asked for, else the year of the books' as-of date."""
    return year if year is not None else analysis.as_of.year


def year_period(year: int) -> Period:
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year}年")


def quarter_period(year: int, quarter: int) -> Period:
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"季度应为 1–4，实际为 {quarter}")
    start = datetime.date(year, 3 * quarter - 2, 1)
    end_month = 3 * quarter
    end = (
        datetime.date(year, 12, 31)
        if end_month == 12
        else datetime.date(year, end_month + 1, 1) - datetime.timedelta(days=1)
    )
    return Period(start, end, f"{year}年第{quarter}季度")


def quarters_to_date(analysis: Analysis, year: int) -> list[int]:
    """Quarters of ``year`` that had begun by the books' as-of date (at least the first)."""
    if analysis.as_of.year > year:
        return [1, 2, 3, 4]
    if analysis.as_of.year < year:
        return [1]
    return list(range(1, (analysis.as_of.month - 1) // 3 + 2))


def unit_name(analysis: Analysis, code: str | None) -> str:
    unit = analysis.declarations.units.get(code or "")
    return unit.name if unit else (code or "")


def department_name(analysis: Analysis, code: str | None) -> str:
    dept = analysis.declarations.departments.get(code or "")
    return dept.name if dept else (code or "")


def community_name(analysis: Analysis, code: str | None) -> str:
    community = analysis.declarations.communities.get(code or "")
    return community.name if community else (code or "")


# Per-analysis lookups built once and shared by every report of a run.  Keyed by
# the analysis's identity (it is mutable, so not hashable) and checked against it.
_MEMO: dict[tuple[int, str], tuple[Analysis, Any]] = {}
_MEMO_MAX = 64


def _memo(analysis: Analysis, name: str, build: Callable[[], Any]) -> Any:
    key = (id(analysis), name)
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is analysis:
        return hit[1]
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.clear()
    value = build()
    _MEMO[key] = (analysis, value)
    return value


def rows_by(analysis: Analysis, field: str) -> dict[Any, list[Posting]]:
    """The posting table grouped by one column (e.g. ``community``), built once per analysis."""

    def build() -> dict[Any, list[Posting]]:
        column = Posting._fields.index(field)
        groups: dict[Any, list[Posting]] = defaultdict(list)
        for row in analysis.postings.rows:
            groups[row[column]].append(row)
        return dict(groups)

    return _memo(analysis, f"rows_by:{field}", build)


def economic_names(analysis: Analysis) -> dict[str, str]:
    """Economic code → name, from the books' ``Expenses`` leaf names, then the built-ins."""
    return _memo(analysis, "economic_names", lambda: _economic_names(analysis))


def _economic_names(analysis: Analysis) -> dict[str, str]:
    names = dict(ECONOMIC_NAMES)
    seen: set[str] = set()
    for row in analysis.postings.rows:
        if row.role != SPENDING or row.account in seen:
            continue
        seen.add(row.account)
        leaf = row.account.rsplit(":", 1)[-1]
        code, _, name = leaf.partition("-")
        if name and code == row.economic:
            names.setdefault(code, name)
            names[code] = name
    return names


def _rows(analysis: Analysis, community: str | None) -> list[Posting]:
    if community is None:
        return analysis.postings.rows
    return rows_by(analysis, "community").get(community, [])


def _of_role(
    role: str, analysis: Analysis, period: Period | None, community: str | None
) -> Iterator[Posting]:
    for row in _rows(analysis, community):
        if row.role == role and (period is None or row.date in period):
            yield row


def spending(
    analysis: Analysis, period: Period | None = None, community: str | None = None
) -> Iterator[Posting]:
    """Spending postings (net of refunds), optionally inside a period or of one community."""
    return _of_role(SPENDING, analysis, period, community)


def income(
    analysis: Analysis, period: Period | None = None, community: str | None = None
) -> Iterator[Posting]:
    """Income postings, optionally inside a period or of one community (negative amounts)."""
    return _of_role(INCOME, analysis, period, community)


def per(amount: Decimal, count: Decimal | int | None) -> Decimal | None:
    """``amount`` per household, per m² or per output, to the fen; None without a count."""
    if not count:
        return None
    return derived((amount / count).quantize(FEN), "÷", amount, count)


def received(row: Posting) -> Decimal:
    """Money received by an Income posting, as a positive figure."""
    return -row.amount
