"""Every rule code: a ledger that triggers it and a near-miss that does not."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from testbooks import BASE, FUND_TASK, codes, run


def only(analysis, code):
    return [f for f in analysis.findings if f.code == code]


def test_base_books_are_clean_when_task_funded_in_time():
    assert codes(run(FUND_TASK)) == []


# --- T001 -------------------------------------------------------------------------


def test_t001_unfunded_task_names_department_and_shortfall():
    a = run(
        '2025-04-30 * "x" "y"\n  Assets:C101-城东社区服务中心:1002-银行存款  0 CNY\n  Equity:C101-城东社区服务中心:3001-累计盈余\n'
    )
    (f,) = only(a, "T001")
    assert f.task == "T2025-007" and f.department == "D05" and f.severity == "error"
    assert "50,000.00" in f.message and "县委政法委" in f.message
    assert f.date == datetime.date(2025, 3, 31)
    assert "仍未拨足" in f.message


def test_t001_late_money_keeps_finding_and_says_when_it_arrived():
    late = FUND_TASK.replace("2025-03-20", "2025-04-15")
    (f,) = only(run(late), "T001")
    assert "2025-04-15 才到位" in f.message


def test_t001_near_miss_due_date_after_as_of():
    a = run("", as_of=datetime.date(2025, 3, 30))
    assert only(a, "T001") == []


def test_t001_money_received_on_the_due_date_counts():
    on_time = FUND_TASK.replace("2025-03-20", "2025-03-31")
    assert only(run(on_time), "T001") == []


def test_t001_each_amendment_falls_due_on_its_own_date():
    amend = FUND_TASK + (
        '2025-06-01 custom "task-amend" "T2025-007" 60000.00 CNY\n  due: 2025-06-30\n'
        '2025-07-05 * "x" "y"\n  Assets:C101-城东社区服务中心:1002-银行存款  0 CNY\n'
        "  Equity:C101-城东社区服务中心:3001-累计盈余\n"
    )
    (f,) = only(run(amend), "T001")
    assert f.date == datetime.date(2025, 6, 30) and "10,000.00" in f.message
    paid = amend + (
        '2025-06-25 * "县委政法委" "追加" ^T2025-007\n'
        "  Assets:C101-城东社区服务中心:1002-银行存款  10000.00 CNY\n"
        "  Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委\n"
    )
    assert only(run(paid), "T001") == []


# --- T002 / P002 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "expected"), [("T2025-999", ["T002"]), ("invoice-42", [])], ids=["task id", "other"]
)
def test_t002_unknown_task_link_and_near_miss(link, expected):
    a = run(
        FUND_TASK
        + f'2025-04-01 * "x" "y" ^{link}\n  stream: "运转"\n  function: "2120101"\n  Expenses:C101-城东社区服务中心:30201-办公费  10 CNY\n  Assets:C101-城东社区服务中心:1002-银行存款\n'
    )
    assert codes(a) == expected
    assert [f.task for f in only(a, "T002")] == ([link] if expected else [])


def test_p002_unknown_project_link_and_near_miss():
    txn = '2025-04-01 * "x" "y" ^{link}\n  function: "2120101"\n  Assets:C101-城东社区服务中心:1613-在建工程  10 CNY\n  Assets:C101-城东社区服务中心:1002-银行存款\n'
    a = run(FUND_TASK + txn.format(link="P2024-09"))
    assert [f.project for f in only(a, "P002")] == ["P2024-09"]
    declared = '2024-02-01 custom "project" "P2024-09" "综合楼" 100.00 CNY\n  unit: "C101"\n'
    assert codes(run(FUND_TASK + declared + txn.format(link="P2024-09"))) == []


# --- T003 -------------------------------------------------------------------------

SPEND = '{date} * "某公司" "巡防服务" ^T2025-007\n  Expenses:C101-城东社区服务中心:30227-委托业务费  {amount} CNY\n  Assets:C101-城东社区服务中心:1002-银行存款\n'


def test_t003_overspent_task():
    a = run(FUND_TASK + SPEND.format(date="2025-04-01", amount="50000.01"))
    (f,) = only(a, "T003")
    assert f.date == datetime.date(2025, 4, 1) and "50,000.01" in f.message


def test_t003_same_day_money_nets_first():
    early = FUND_TASK.replace("2025-03-20", "2025-03-25")
    a = run(SPEND.format(date="2025-03-25", amount="50000.00") + early)
    assert only(a, "T003") == []


# --- T004 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("income", "expected"),
    [("4609-其他收入:D05-县委政法委", ["T004"]), ("4001-财政拨款收入:YZ-运转经费", [])],
    ids=["职能", "运转"],
)
def test_t004_functional_income_without_task_and_near_miss(income, expected):
    a = run(
        FUND_TASK
        + f'2025-04-01 * "县财政局" "经费"\n  Assets:C101-城东社区服务中心:1002-银行存款  100 CNY\n  Income:C101-城东社区服务中心:{income}\n'
    )
    assert codes(a) == expected


# --- T005 -------------------------------------------------------------------------


def test_t005_spending_after_task_end():
    a = run(FUND_TASK + SPEND.format(date="2026-01-05", amount="100.00"))
    (f,) = only(a, "T005")
    assert f.date == datetime.date(2026, 1, 5)


def test_t005_near_miss_spending_on_last_day():
    assert only(run(FUND_TASK + SPEND.format(date="2025-12-31", amount="100.00")), "T005") == []


# --- T006 / T007 --------------------------------------------------------------------


def test_t006_task_money_received_by_other_unit():
    a = run(
        FUND_TASK
        + '2025-03-21 * "县委政法委" "误拨" ^T2025-007\n  Assets:C102-城西社区服务中心:1011-零余额账户用款额度  100 CNY\n  Income:C102-城西社区服务中心:4001-财政拨款收入:D05-县委政法委\n'
    )
    (f,) = only(a, "T006")
    assert f.unit == "C102"


def test_t007_task_money_from_other_department():
    wrong = FUND_TASK.replace("D05-县委政法委", "D07-县人社局")
    a = run(wrong)
    (f,) = only(a, "T007")
    assert f.department == "D07"
    assert only(run(FUND_TASK), "T007") == []


# --- T008 / T009 ------------------------------------------------------------------


def test_t008_task_ended_with_balance_and_no_close():
    later = '2026-04-15 * "x" "y"\n  Assets:C101-城东社区服务中心:1002-银行存款  0 CNY\n  Equity:C101-城东社区服务中心:3001-累计盈余\n'
    a = run(FUND_TASK + later)
    (f,) = only(a, "T008")
    assert f.severity == "warning" and "50,000.00" in f.message
    closed = FUND_TASK + '2025-12-31 custom "task-close" "T2025-007" "carry-forward"\n' + later
    assert only(run(closed), "T008") == []
    within_grace = later.replace("2026-04-15", "2026-03-30")
    assert only(run(FUND_TASK + within_grace), "T008") == []


def test_t009_over_funded_and_near_miss():
    over = FUND_TASK.replace("50000.00 CNY", "50000.01 CNY")
    (f,) = only(run(over), "T009")
    assert f.severity == "warning"
    assert only(run(FUND_TASK), "T009") == []


# --- P001 -------------------------------------------------------------------------

PROJECT = '2024-02-01 custom "project" "P2024-01" "城江社区综合服务楼" 1000.00 CNY\n  unit: "C101"\n  community: "SQ01"\n'
BUILD = '2025-04-01 * "建筑公司" "工程款" ^P2024-01\n  function: "2120399"\n  Assets:C101-城东社区服务中心:1613-在建工程  {amount} CNY\n  Assets:C101-城东社区服务中心:1002-银行存款\n'


def test_p001_project_overspent_and_near_miss():
    (f,) = only(run(FUND_TASK + PROJECT + BUILD.format(amount="1000.01")), "P001")
    assert f.project == "P2024-01" and f.severity == "warning"
    assert codes(run(FUND_TASK + PROJECT + BUILD.format(amount="1000.00"))) == []


# --- Q001 – Q004 ------------------------------------------------------------------

QSPEND = '{date} * "文具店" "办公用品"\n  quota: "{quota}"\n  Expenses:C101-城东社区服务中心:{account}  {amount} CNY\n  Assets:C101-城东社区服务中心:1011-零余额账户用款额度\n'


def qspend(amount, quota="ZB25-0101", date="2025-02-01", account="30201-办公费"):
    return QSPEND.format(amount=amount, quota=quota, date=date, account=account)


def test_q001_quota_exceeded_and_near_miss():
    (f,) = only(run(FUND_TASK + qspend("100000.01")), "Q001")
    assert f.quota == "ZB25-0101" and f.severity == "error"
    assert only(run(FUND_TASK + qspend("100000.00")), "Q001") == []


def test_q001_adjustment_applies_from_its_own_date():
    adjust = '2025-03-01 custom "quota-adjust" "ZB25-0101" 20000.00 CNY\n'
    a = run(FUND_TASK + adjust + qspend("110000.00", date="2025-02-01"))
    assert [f.date for f in only(a, "Q001")] == [datetime.date(2025, 2, 1)]
    b = run(FUND_TASK + adjust + qspend("110000.00", date="2025-03-01"))
    assert only(b, "Q001") == []


def test_q001_reduction_can_push_spending_over():
    cut = '2025-05-01 custom "quota-adjust" "ZB25-0101" -50000.00 CNY\n'
    (f,) = only(run(FUND_TASK + cut + qspend("60000.00")), "Q001")
    assert f.date == datetime.date(2025, 5, 1)


def test_q001_warn_control_is_a_warning():
    warn_base = BASE.replace('  economic: "302"\n', '  economic: "302"\n  control: "warn"\n')
    (f,) = only(run(FUND_TASK + qspend("100000.01"), base=warn_base), "Q001")
    assert f.severity == "warning"


def test_q002_unknown_quota_and_near_miss():
    (f,) = only(run(FUND_TASK + qspend("10.00", quota="ZB25-9999")), "Q002")
    assert f.quota == "ZB25-9999"
    assert codes(run(FUND_TASK + qspend("10.00"))) == []


def test_q003_economic_outside_quota_and_near_miss():
    assert codes(run(FUND_TASK + qspend("10.00", account="30227-委托业务费"))) == []
    capital = QSPEND.replace(
        "Expenses:C101-城东社区服务中心:{account}", "Assets:C101-城东社区服务中心:1613-在建工程"
    )
    a = run(FUND_TASK + capital.format(amount="10.00", quota="ZB25-0101", date="2025-02-01"))
    (g,) = only(a, "Q003")
    assert "31001" in g.message


def test_q004_zero_balance_spending_without_quota_and_near_miss():
    no_quota = '2025-02-01 * "x" "y"\n  stream: "运转"\n  function: "2120101"\n  Expenses:C101-城东社区服务中心:30201-办公费  10 CNY\n  Assets:C101-城东社区服务中心:{account}\n'
    (f,) = only(run(FUND_TASK + no_quota.format(account="1011-零余额账户用款额度")), "Q004")
    assert f.severity == "warning"
    assert codes(run(FUND_TASK + no_quota.format(account="1002-银行存款"))) == []


# --- D001 / D002 / S001 -----------------------------------------------------------


def test_d001_spending_without_stream_or_function():
    a = run(
        FUND_TASK
        + '2025-02-01 * "x" "y"\n  Expenses:C101-城东社区服务中心:30201-办公费  10 CNY\n  Assets:C101-城东社区服务中心:1002-银行存款\n'
    )
    (f,) = only(a, "D001")
    assert "资金渠道" in f.message and "功能分类" in f.message
    ok = run(
        FUND_TASK
        + '2025-02-01 * "x" "y"\n  stream: "运转"\n  function: 2120101\n  Expenses:C101-城东社区服务中心:30201-办公费  10 CNY\n  Assets:C101-城东社区服务中心:1002-银行存款\n'
    )
    assert codes(ok) == []


def test_d002_undeclared_community_and_bad_function_code():
    a = run(
        FUND_TASK
        + '2025-02-01 * "x" "y"\n  stream: "运转"\n  function: "21201"\n  community: "SQ09"\n  Expenses:C101-城东社区服务中心:30201-办公费  10 CNY\n  Assets:C101-城东社区服务中心:1002-银行存款\n'
    )
    messages = sorted(f.message for f in only(a, "D002"))
    assert len(messages) == 2
    assert any("SQ09" in m for m in messages) and any("21201" in m for m in messages)


@pytest.mark.parametrize(
    "code, text, words, fields",
    [
        pytest.param(
            "Q003",
            '2025-02-01 * "x" "y"\n  quota: "ZB25-0101"\n  Expenses:C102-城西社区服务中心:30227-委托业务费  10 CNY\n  Assets:C102-城西社区服务中心:1011-零余额账户用款额度\n',
            ("C102",),
            {},
            id="q003-unit-mismatch",
        ),
        pytest.param(
            "D002",
            '2025-03-01 custom "task" "T2025-008" "x" 10.00 CNY\n  department: "D99"\n  unit: "C101"\n  due: 2025-12-31\n  end: 2025-12-31\n',
            ("D99",),
            {"task": "T2025-008"},
            id="d002-task-names-undeclared-department",
        ),
        pytest.param(
            "S001",
            '2025-03-01 custom "task" "T2025-008" "x" 10.00 CNY\n  department: "D05"\n  unit: "C101"\n  due: "2025-03-31"\n',
            ("due",),
            {},
            id="s001-wrong-type",
        ),
        pytest.param(
            "S001",
            '2025-01-10 custom "quota" "ZB25-0102" "x" 10.00 CNY\n  unit: "C101"\n  function: "2120101"\n',
            ("stream",),
            {},
            id="s001-missing-key",
        ),
    ],
)
def test_one_finding_names_its_cause(code, text, words, fields):
    (f,) = only(run(FUND_TASK + text), code)
    assert all(word in f.message for word in words), f.message
    assert {name: getattr(f, name) for name in fields} == fields


def test_s001_near_miss_function_as_number_is_accepted():
    a = run(
        FUND_TASK
        + '2025-01-10 custom "quota" "ZB25-0102" "x" 10.00 CNY\n  unit: "C101"\n  stream: "运转"\n  function: 2120101\n'
    )
    assert codes(a) == []
    assert a.declarations.quotas["ZB25-0102"].function == "2120101"


def test_task_quota_spending_is_task_spending():
    text = (
        FUND_TASK
        + '2025-03-01 custom "quota" "ZB25-0330" "平安建设" 10.00 CNY\n  unit: "C101"\n  stream: "职能"\n  function: "2040199"\n  task: "T2025-007"\n'
        + '2025-04-01 * "某公司" "巡防"\n  quota: "ZB25-0330"\n  Expenses:C101-城东社区服务中心:30227-委托业务费  10.00 CNY\n  Assets:C101-城东社区服务中心:1011-零余额账户用款额度\n'
    )
    a = run(text)
    assert a.funding["T2025-007"].spent == Decimal("10.00")
    assert codes(a) == []
