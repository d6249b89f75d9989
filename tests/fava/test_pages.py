"""Fava's filters as the fund pages read them."""

from __future__ import annotations

import datetime

from sandao.reports.web.fava.pages import finding_codes, page_filter

ACCOUNTS = [
    "Assets:C101-城东社区服务中心:1002-银行存款",
    "Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委",
    "Assets:C102-城西社区服务中心:1002-银行存款",
    "Expenses:C102-城西社区服务中心:30227-委托业务费",
]


def test_time_filter_becomes_inclusive_dates() -> None:
    flt = page_filter({"time": "2025-Q1"}, ACCOUNTS)
    assert (flt.start, flt.end) == (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
    assert flt.year == 2025 and flt.units is None
    assert page_filter({"time": "2024 - 2025"}, ACCOUNTS).year is None
    assert page_filter({}, ACCOUNTS).key == (None, None, None)


def test_bad_time_filter_is_reported_not_raised() -> None:
    flt = page_filter({"time": "不是日期"}, ACCOUNTS)
    assert flt.start is None and flt.problem and "不是日期" in flt.problem


def test_account_filter_selects_units_as_fava_matches() -> None:
    assert page_filter({"account": "Assets:C102-城西社区服务中心"}, ACCOUNTS).units == {"C102"}
    assert page_filter({"account": "Expenses"}, ACCOUNTS).units == {"C102"}
    assert page_filter({"account": "县委政法委"}, ACCOUNTS).units == {"C101"}
    assert page_filter({"account": "c10[12]"}, ACCOUNTS).units == {"C101", "C102"}
    assert page_filter({"account": "Liabilities"}, ACCOUNTS).units == frozenset()


def test_finding_codes() -> None:
    assert finding_codes("T001, T003") == ["T001", "T003"]
    assert finding_codes("") == []
    assert finding_codes(None) == []
    assert finding_codes(["Q001"]) == ["Q001"]
