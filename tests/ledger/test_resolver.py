"""The resolver's order of precedence, one dimension at a time."""

from __future__ import annotations

from decimal import Decimal

from testbooks import FUND_TASK, run

OPEN = """\
2024-01-01 open Expenses:C101-城东社区服务中心:30213-维修费
  stream: "运转"
  function: "2120199"
  community: "SQ01"
2024-01-01 open Expenses:C101-城东社区服务中心:30213-维修费:X1-楼宇
"""


def spending_rows(analysis, account_part="30213"):
    return [r for r in analysis.postings if r.role == "spending" and account_part in r.account]


def txn(
    txn_meta="", posting_meta="", link="", account="Expenses:C101-城东社区服务中心:30213-维修费"
):
    return (
        f'2025-04-01 * "x" "y" {link}\n{txn_meta}'
        f"  {account}  10.00 CNY\n{posting_meta}"
        "  Assets:C101-城东社区服务中心:1002-银行存款\n"
    )


def test_posting_meta_beats_transaction_meta_beats_open_meta():
    a = run(FUND_TASK + OPEN + txn('  function: "2120102"\n', '    function: "2120103"\n'))
    assert [r.function for r in spending_rows(a)] == ["2120103"]
    b = run(FUND_TASK + OPEN + txn('  function: "2120102"\n'))
    assert [r.function for r in spending_rows(b)] == ["2120102"]
    c = run(FUND_TASK + OPEN + txn())
    assert [r.function for r in spending_rows(c)] == ["2120199"]


def test_link_gives_stream_before_open_meta_but_after_metadata():
    a = run(FUND_TASK + OPEN + txn(link="^T2025-007"))
    (row,) = spending_rows(a)
    assert row.stream == "职能" and row.task == "T2025-007"
    b = run(FUND_TASK + OPEN + txn('  stream: "建设"\n', link="^T2025-007"))
    assert [r.stream for r in spending_rows(b)] == ["建设"]


def test_nearest_ancestor_open_meta_and_account_name():
    a = run(FUND_TASK + OPEN + txn(account="Expenses:C101-城东社区服务中心:30213-维修费:X1-楼宇"))
    (row,) = spending_rows(a)
    assert (row.stream, row.function, row.community) == ("运转", "2120199", "SQ01")
    assert row.unit == "C101"
    # economic comes from the leaf's leading code only when it is one: X1 is not.
    assert row.economic is None


def test_declaration_charged_to_comes_last():
    quota = '2025-01-10 custom "quota" "ZB25-0102" "维修" 100.00 CNY\n  unit: "C101"\n  stream: "运转"\n  function: "2120104"\n'
    a = run(FUND_TASK + OPEN + quota + txn('  quota: "ZB25-0102"\n'))
    assert [r.function for r in spending_rows(a)] == ["2120199"]  # open meta wins over quota
    plain = "2024-01-01 open Expenses:C101-城东社区服务中心:30213-维修费\n"
    b = run(FUND_TASK + plain + quota + txn('  quota: "ZB25-0102"\n'))
    (row,) = spending_rows(b)
    assert (row.stream, row.function, row.economic) == ("运转", "2120104", "30213")


def test_task_gives_function_and_community():
    plain = "2024-01-01 open Expenses:C101-城东社区服务中心:30213-维修费\n"
    a = run(FUND_TASK + plain + txn(link="^T2025-007"))
    (row,) = spending_rows(a)
    assert (row.function, row.community, row.stream) == ("2040199", "SQ01", "职能")


def test_department_from_account_name_on_income():
    a = run(FUND_TASK)
    (row,) = [r for r in a.postings if r.role == "income" and r.task]
    assert row.department == "D05" and row.amount == Decimal("-50000.00")


def test_codes_written_as_numbers_read_as_strings():
    a = run(
        FUND_TASK
        + "2024-01-01 open Expenses:C101-城东社区服务中心:30213-维修费\n"
        + txn('  stream: "运转"\n  function: 2120105\n')
    )
    assert [r.function for r in spending_rows(a)] == ["2120105"]


def test_posting_table_has_one_row_per_posting_with_decimals():
    a = run(FUND_TASK)
    assert len(a.postings) == 4
    assert all(isinstance(r.amount, Decimal) for r in a.postings)
    frame = a.postings.to_frame()
    # The table's leading columns, pinned here on purpose (not imported from the resolver).
    leading = "date unit stream function economic community task project quota department"
    assert list(frame.columns[:12]) == [*leading.split(), "account", "amount"]
    assert frame["amount"].map(type).eq(Decimal).all()
