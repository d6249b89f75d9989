"""D003 (department money under 4001 without a quota) and D004 (往来 money), with their fixes."""

from __future__ import annotations

from beancount import loader

from sandao.ledger import analysis_for

HEAD = """\
option "operating_currency" "CNY"
2024-01-01 custom "unit" "C101" "城东社区服务中心"
  supervisor: "D02"
2024-01-01 custom "department" "D05" "县委政法委"
2024-01-01 custom "department" "D02" "民政局"
2024-01-01 open Assets:C101-城东社区服务中心:1002-银行存款
2024-01-01 open Assets:C101-城东社区服务中心:1011-零余额账户用款额度
2024-01-01 open Assets:C101-城东社区服务中心:1201-财政应返还额度
2024-01-01 open Assets:C101-城东社区服务中心:1218-其他应收款
2024-01-01 open Equity:C101-城东社区服务中心:3001-累计盈余
2024-01-01 open Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委
  stream: "运转"
  function: "2120101"
2024-01-01 open Income:C101-城东社区服务中心:4001-财政拨款收入:D02-民政局
  stream: "运转"
  function: "2120101"
2024-01-01 open Income:C101-城东社区服务中心:4609-其他收入:D05-县委政法委
  stream: "运转"
  function: "2120101"
2024-01-01 * "期初余额"
  Assets:C101-城东社区服务中心:1002-银行存款  1000.00 CNY
  Equity:C101-城东社区服务中心:3001-累计盈余
"""


def findings(text: str) -> list:
    entries, errors, options = loader.load_string(HEAD + text)
    assert not errors, errors
    return analysis_for(entries, options, errors).findings


def test_d003_names_the_4609_fix_and_4201_for_the_supervisor() -> None:
    found = findings(
        """
2024-03-01 * "县委政法委" "转来经费"
  Assets:C101-城东社区服务中心:1002-银行存款  500.00 CNY
  Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委
2024-03-02 * "民政局" "转来经费"
  Assets:C101-城东社区服务中心:1002-银行存款  300.00 CNY
  Income:C101-城东社区服务中心:4001-财政拨款收入:D02-民政局
"""
    )
    d003 = [f for f in found if f.code == "D003"]
    assert [f.severity for f in d003] == ["warning", "warning"]
    assert "Income:C101-城东社区服务中心:4609-其他收入:D05-县委政法委" in d003[0].message
    assert "Income:C101-城东社区服务中心:4201-上级补助收入:D02-民政局" in d003[1].message


def test_no_d003_for_4609_or_a_quota_transfer() -> None:
    found = findings(
        """
2024-01-10 custom "quota" "ZB24-01" "划转" 500.00 CNY
  unit: "C101"
  stream: "运转"
  function: "2120101"
2024-03-01 * "县委政法委" "转来经费"
  Assets:C101-城东社区服务中心:1002-银行存款  500.00 CNY
  Income:C101-城东社区服务中心:4609-其他收入:D05-县委政法委
2024-03-01 * "县财政局" "指标划转"
  quota: "ZB24-01"
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度  500.00 CNY
  Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委
"""
    )
    assert not [f for f in found if f.code in ("D003", "D004")]


def test_d004_names_wanglai_but_not_transfers_between_cash_accounts() -> None:
    found = findings(
        """
2024-04-01 * "某人" "暂付款"
  Assets:C101-城东社区服务中心:1218-其他应收款  200.00 CNY
  Assets:C101-城东社区服务中心:1002-银行存款
2024-12-31 * "年末" "零余额额度注销转财政应返还额度"
  Assets:C101-城东社区服务中心:1201-财政应返还额度  0.00 CNY
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度
"""
    )
    d004 = [f for f in found if f.code == "D004"]
    assert len(d004) == 1 and d004[0].severity == "warning"
    assert "流出 200.00元" in d004[0].message and "1218-其他应收款" in d004[0].message
