"""The 费随事转 task ledger places each task right as of the date: a not-yet-due task is not
owed, money the unit returned at closing is not owed, a late-paid task shows its days late,
and departments are ranked by money overdue."""

from __future__ import annotations

import datetime
from decimal import Decimal

from sandao.ledger.vocabulary import NOT_DUE, OVERDUE, PAID_LATE, PARTLY_FUNDED, SETTLED
from sandao.reports.tasks import task_ledger_report, task_table


def ledger(example, year):
    report = task_ledger_report(example, year)
    departments, tasks = report.tables
    return report, departments.records(), {r["task"]: r for r in tasks.records()}


def test_not_yet_due_money_is_never_owed(example):
    report, departments, tasks = ledger(example, 2025)
    assert tasks["T2025-003"]["status"] == NOT_DUE  # 民政局 100,000 due 2025-10-31
    assert tasks["T2025-009"]["status"] == PARTLY_FUNDED  # half paid, due 2025-11-30
    assert tasks["T2025-002"]["status"] == OVERDUE
    overdue = {r["task"]: r["overdue"] for r in task_table(example).to_dict("records")}
    assert overdue["T2025-002"] == Decimal("60000.00")
    assert overdue["T2025-003"] == overdue["T2025-009"] == 0
    first = departments[0]
    assert (first["department_name"], first["shortfall"]) == ("退役军人事务局", Decimal("60000.00"))
    civil = next(d for d in departments if d["department_name"] == "民政局")
    assert civil["shortfall"] == 0 and civil["pending"] == Decimal("100000.00")
    assert report.context["overdue"] == 1 and report.context["overdue_money"] == Decimal("60000")


def test_returned_balance_is_not_owed(example):
    _, departments, tasks = ledger(example, 2024)
    returned = tasks["T2024-009"]  # 60,000 received, 3,390 returned at closing
    assert returned["status"] == SETTLED
    assert returned["amount"] == returned["received"] == Decimal("56610.00")
    culture = next(d for d in departments if d["department_name"] == "文体广电局")
    assert culture["shortfall"] == 0 and culture["pending"] == 0
    # and before the closing, the returned money was simply paid
    position = example.funding["T2024-009"].position(datetime.date(2024, 12, 1))
    assert position.status == "已拨付" and position.overdue == 0


def test_late_paid_task_shows_its_days_late(example):
    report, departments, tasks = ledger(example, 2024)
    late = tasks["T2024-004"]  # due 2024-06-30, paid 2024-08-15
    assert (late["status"], late["days_late"], late["flag"]) == (PAID_LATE, 46, "是")
    first = departments[0]
    assert first["department_name"] == "退役军人事务局"
    assert (first["shortfall"], first["late"], first["days_late"]) == (0, 1, 46)
    assert report.context["paid_late"] == 1 and report.context["overdue"] == 0
    # while it was still unpaid it was overdue, with the days counted to that date
    before = example.funding["T2024-004"].position(datetime.date(2024, 7, 31))
    assert (before.status, before.days_late, before.overdue) == (OVERDUE, 31, Decimal("60000.00"))


def test_task_table_as_of_an_earlier_date(example):
    rows = {
        r["task"]: r for r in task_table(example, end=datetime.date(2025, 3, 1)).to_dict("records")
    }
    assert rows["T2025-002"]["status"] == OVERDUE  # due 02-28
    assert rows["T2025-005"]["status"] == NOT_DUE  # due 03-15, paid 03-12


def test_closed_with_a_balance_carried_forward_is_carried_not_settled(example):
    """T2024-013 closed 2025-01-15 with 2,820.00 left, carried forward: 已结转 (reports.md);
    T2024-009 closed with its balance returned: 已结清."""
    from sandao.ledger.vocabulary import CARRIED

    carried = example.funding["T2024-013"]
    assert carried.status == CARRIED == "已结转"
    assert carried.received - carried.spent == Decimal("2820.00")
    assert carried.position(datetime.date(2024, 12, 31)).status != CARRIED  # not yet closed
    assert example.funding["T2024-009"].status == SETTLED


def test_task_board_lists_the_most_money_overdue_first(example):
    from sandao.reports.web.fava.pages import PageFilter, task_board

    rows = task_board(example, PageFilter())["rows"]
    assert rows[0]["task"] == "T2025-002" and rows[0]["overdue"] == Decimal("60000.00")
    overdue = [r["overdue"] for r in rows]
    assert overdue == sorted(overdue, reverse=True)
    statuses = {r["task"]: r["status"] for r in rows}
    assert statuses.get("T2024-013", "已结转") == "已结转"
