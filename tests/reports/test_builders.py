"""Each report builder on small books, with the exact figures worked out by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from testbooks import county

from sandao.reports.community import community_notice
from sandao.reports.execution import execution_report, quota_execution
from sandao.reports.model import largest_remainder, to_wan
from sandao.reports.performance import performance_report
from sandao.reports.tasks import TASK_COLUMNS, task_ledger_report, task_table


def tables(report):
    return {t.key: t for t in report.tables}


def test_task_table_contract_and_figures():
    df = task_table(county())
    assert tuple(df.columns) == TASK_COLUMNS
    row = df.iloc[0].to_dict()
    assert row["task"] == "T2025-007"
    assert row["department_name"] == "县委政法委"
    assert (row["amount"], row["received"], row["spent"], row["balance"]) == (
        D("50000.00"),
        D("50000.00"),
        D("25000.00"),
        D("25000.00"),
    )
    assert row["status"] == "逾期后拨付"  # funded after its due date (T001 stays)
    assert row["late"] is True
    assert row["findings"] == "T001"


def test_task_table_as_of_an_earlier_date():
    df = task_table(county(), end=datetime.date(2025, 4, 1))
    row = df.iloc[0].to_dict()
    assert row["received"] == 0
    assert row["status"] == "逾期未拨付"


def test_task_ledger_totals_by_department():
    report = task_ledger_report(county(), 2025)
    depts = tables(report)["departments"]
    assert depts.total["amount"] == D("50000.00")
    assert depts.total["spent"] == D("25000.00")
    assert depts.total["late"] == 1
    assert tables(report)["tasks"].records()[0]["transfers"] == [
        (datetime.date(2025, 4, 15), D("50000.00"))
    ]


def test_quota_execution_contract_and_figures():
    df = quota_execution(county(), 2025)
    contract = "quota name unit stream function economic initial adjustments adjusted spent rate"
    assert list(df.columns) == contract.split()
    rows = {r["quota"]: r for r in df.to_dict("records")}
    q = rows["ZB25-0101"]
    assert (q["initial"], q["adjustments"], q["adjusted"], q["spent"]) == (
        D("100000.00"),
        D("-20000.00"),
        D("80000.00"),
        D("13845.67"),
    )
    assert q["rate"] == D("13845.67") / D("80000.00")
    extra = rows["ZB25-0103"]
    assert (extra["initial"], extra["adjustments"]) == (0, D("30000.00"))
    assert "ZB24-0101" not in rows


def test_quota_execution_up_to_a_date():
    rows = {
        r["quota"]: r
        for r in quota_execution(county(), 2025, end=datetime.date(2025, 3, 31)).to_dict("records")
    }
    assert rows["ZB25-0101"]["adjusted"] == D("100000.00")  # the 07-01 cut is later
    assert rows["ZB25-0101"]["spent"] == D("12345.67")


def test_execution_report_groups_and_monthly():
    t = tables(execution_report(county(), 2025))
    assert t["by_unit"].total["spent"] == D("141845.67")
    assert t["by_unit"].total["adjusted"] == D("360000.00")
    assert t["monthly"].total["m02"] == D("132345.67")
    assert t["monthly"].total["total"] == D("141845.67")
    assert t["unassigned"].total["spent"] == D("25000.00")


def _doc(build, year):
    from sandao.reports.disclosure import Scope, context

    return build(context(county()), Scope(("C101",), "城东社区服务中心"), year)


def test_budget_disclosure_in_wan():
    from sandao.reports.disclosure import budget_document

    t = tables(_doc(budget_document, 2025))
    assert t["b3"].scale == "万元"
    assert t["b5"].total["total"] == D("30.00")  # 年初 quotas 100,000 + 200,000
    assert t["b5"].total["basic"] == D("30.00")
    assert t["b3"].total["project"] == D("5.00")  # the task the department pays in cash
    assert t["b1"].total["in_amount"] == D("35.00")
    assert t["b6"].total["l_amount"] == D("20.00")
    assert t["b6"].total["r_amount"] == D("10.00")
    assert t["b8"].total["spent"] == t["b9"].total["spent"] == D("0")


def test_final_disclosure_figures():
    from sandao.reports.disclosure import final_document

    report = _doc(final_document, 2025)
    t = tables(report)
    assert t["t3"].total["total"] == D("15.88")  # 158,845.67
    assert t["t3"].total["basic"] + t["t3"].total["project"] == D("15.88")
    assert t["t2"].total["total"] == D("35.00")
    row = t["t7"].records()[0]
    assert row["reception_actual"] == D("0.15") and row["total_actual"] == D("0.15")
    assert row["reception_budget"] == D("0")


def test_final_summary_balances_with_carry_over():
    from sandao.reports.disclosure import final_document

    t1 = tables(_doc(final_document, 2025))["t1"]
    rows = {r["in_item"]: r["in_amount"] for r in t1.records() if r["in_item"]}
    out = {r["out_item"]: r["out_amount"] for r in t1.records() if r["out_item"]}
    assert rows["年初结转和结余"] == D("0.00")  # no money moved in 2024
    assert out["年末结转和结余"] == D("19.12")  # 350,000.00 - 158,845.67 in 万元
    assert t1.total["in_amount"] == t1.total["out_amount"] == D("35.00")


def test_community_notice_masks_and_figures():
    report = community_notice(county(), "SQ01", 2025, 2)
    t = tables(report)
    assert t["money"].total["received"] == D("50000.00")
    assert t["money"].total["closing"] == D("25000.00")
    assert t["spent"].total["quarter"] == D("25000.00")
    payments = t["payments"].records()
    assert [p["amount"] for p in payments] == [D("12000.00"), D("10000.00")]
    assert payments[0]["payee"] == "张**"
    assert "13812345678" not in payments[0]["purpose"]
    assert "6222021234567890123" not in payments[0]["purpose"]
    task = t["tasks"].records()[0]
    assert (task["amount"], task["received"], task["spent"]) == (
        D("50000.00"),
        D("50000.00"),
        D("25000.00"),
    )
    assert report.context["per_household"] == D("9.62")


def test_performance_cost_per_output():
    t = tables(performance_report(county(), 2025))
    row = t["targets"].records()[0]
    assert row["cost"] == D("200.00")
    households = {r["community"]: r for r in t["households"].records()}
    assert households["城江社区"]["per_household"] == D("9.62")


def test_largest_remainder_adds_up():
    values = [D("33333.33"), D("33333.33"), D("33333.34")]
    assert sum(to_wan(values)) == D("10.00")
    assert largest_remainder([D("0.4"), D("0.4"), D("0.2")], D(1)) == [D(1), D(0), D(0)]
