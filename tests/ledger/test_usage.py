"""``Usage.spent``: one place answers what a task, project or quota spent in a period."""

from __future__ import annotations

import datetime
from decimal import Decimal

from sandao.ledger.funding import DailySeries, Usage


def _series(*days: tuple[str, str]) -> DailySeries:
    series = DailySeries()
    for day, spent in days:
        series.add_all([(datetime.date.fromisoformat(day), Decimal(spent), 0)], 0)
    return series


def test_spent_sums_the_days_inside_the_period_for_any_kind_of_ref() -> None:
    usage = Usage(
        tasks={"T1": _series(("2024-12-31", "5"), ("2025-01-01", "7"), ("2025-06-30", "-2"))},
        quotas={"Q1": _series(("2025-03-01", "11"))},
        projects={"P1": _series(("2024-05-05", "13"))},
    )
    jan1, dec31 = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    assert usage.spent("T1", jan1, dec31) == Decimal(5)  # a refund nets off
    assert usage.spent("T1") == Decimal(10)
    assert usage.spent("Q1", jan1, dec31) == usage.quota_spent("Q1", jan1, dec31) == Decimal(11)
    assert usage.spent("P1", jan1, dec31) == Decimal(0)
    assert usage.spent("P1") == usage.project_spent("P1") == Decimal(13)
    assert usage.spent("nothing") == Decimal(0)
