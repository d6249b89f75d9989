"""Periods, names and posting filters every builder shares.

Builders read the resolved posting table (``analysis.postings``) and the
declarations; this module holds the few lookups they all need — the report year and
quarter, the Chinese names of units, departments and communities, economic names
from the books' own account names — so each builder stays a plain group-by.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from sandao.ledger import Analysis
from sandao.ledger.resolver import INCOME, SPENDING, Posting
from sandao.reports.codes import ECONOMIC_NAMES


@dataclass(frozen=True)
class Period:
    """A closed date range with a Chinese label (2025年, 2025年第2季度)."""

    start: datetime.date
    end: datetime.date
    label: str

    def __contains__(self, date: datetime.date) -> bool:
        return self.start <= date <= self.end


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


def economic_names(analysis: Analysis) -> dict[str, str]:
    """Economic code → name, from the books' ``Expenses`` leaf names, then the built-ins."""
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


def spending(analysis: Analysis, period: Period | None = None) -> Iterator[Posting]:
    """Spending postings (net of refunds), optionally inside a period."""
    for row in analysis.postings.rows:
        if row.role == SPENDING and (period is None or row.date in period):
            yield row


def income(analysis: Analysis, period: Period | None = None) -> Iterator[Posting]:
    """Income postings, optionally inside a period (amounts are negative in the books)."""
    for row in analysis.postings.rows:
        if row.role == INCOME and (period is None or row.date in period):
            yield row


def received(row: Posting) -> Decimal:
    """Money received by an Income posting, as a positive figure."""
    return -row.amount
