"""Did-you-mean: case first, then a small edit distance; nothing for a different name."""

from __future__ import annotations

from sandao.ledger.suggest import closest, closest_account, did_you_mean, distance

TASKS = ["T2025-001", "T2025-002", "T2024-004", "T2025-011"]
EXPENSES = "Expenses:C101-城东社区服务中心:"
ACCOUNTS = [EXPENSES + leaf for leaf in ("30201-办公费", "30205-水费", "30206-电费")]


def test_case_then_edit_distance():
    assert closest("t2025-001", TASKS) == "T2025-001"
    assert closest("T2025-01", TASKS) == "T2025-001"  # ties go to the first in order
    assert closest("T2025-001", TASKS) is None  # already right
    assert closest("T1999-999", TASKS) is None  # a different name, not a typo
    assert did_you_mean("ZB25-010", ["ZB25-0101", "ZB26-0101"]) == "是否为 ZB25-0101？"
    assert did_you_mean("X", ["C101"]) == ""
    assert distance("kitten", "sitting", 5) == 3 and distance("a", "abcdef", 2) == 3


def test_accounts_by_last_component():
    assert closest_account(EXPENSES + "30206-电废", ACCOUNTS) == EXPENSES + "30206-电费"
    assert closest_account(EXPENSES + "3026-电费", ACCOUNTS) == EXPENSES + "30206-电费"
    assert closest_account(EXPENSES + "30299-其他", ACCOUNTS) is None
    assert (
        closest_account("Expenses:C10-城东社区服务中心:30201-办公费", ACCOUNTS)
        == EXPENSES + "30201-办公费"
    )
