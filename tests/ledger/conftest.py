"""Small books for rule tests: a base county plus the entries each test adds."""

from __future__ import annotations

import textwrap

import pytest
from beancount import loader

from sandao.ledger import analysis_for

BASE = """\
plugin "sandao.ledger" "{'warnings': True}"
option "operating_currency" "CNY"
2024-01-01 custom "unit" "C101" "城东社区服务中心"
2024-01-01 custom "unit" "C102" "城西社区服务中心"
2024-01-01 custom "community" "SQ01" "城江社区"
  unit: "C101"
2024-01-01 custom "department" "D05" "县委政法委"
2024-01-01 custom "department" "D07" "县人社局"
2024-01-01 open Assets:C101-城东社区服务中心:1011-零余额账户用款额度
2024-01-01 open Assets:C101-城东社区服务中心:1002-银行存款
2024-01-01 open Assets:C101-城东社区服务中心:1613-在建工程
  economic: "31001"
2024-01-01 open Assets:C102-城西社区服务中心:1011-零余额账户用款额度
2024-01-01 open Income:C101-城东社区服务中心:4001-财政拨款收入:YZ-运转经费
  stream: "运转"
2024-01-01 open Income:C101-城东社区服务中心:4001-财政拨款收入:JS-建设资金
  stream: "建设"
2024-01-01 open Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委
  stream: "职能"
2024-01-01 open Income:C101-城东社区服务中心:4001-财政拨款收入:D07-县人社局
  stream: "职能"
2024-01-01 open Income:C102-城西社区服务中心:4001-财政拨款收入:D05-县委政法委
  stream: "职能"
2024-01-01 open Expenses:C101-城东社区服务中心:30227-委托业务费
2024-01-01 open Expenses:C101-城东社区服务中心:30201-办公费
2024-01-01 open Expenses:C102-城西社区服务中心:30227-委托业务费
2024-01-01 open Equity:C101-城东社区服务中心:3001-累计盈余
2025-03-01 custom "task" "T2025-007" "平安示范社区建设" 50000.00 CNY
  department: "D05"
  unit: "C101"
  community: "SQ01"
  due: 2025-03-31
  end: 2025-12-31
  function: "2040199"
  document: "X政法发〔2025〕12号"
2025-01-10 custom "quota" "ZB25-0101" "社区服务中心运转经费" 100000.00 CNY
  unit: "C101"
  stream: "运转"
  function: "2120101"
  economic: "302"
2025-01-10 * "县财政局" "下达运转经费指标"
  quota: "ZB25-0101"
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度  100000.00 CNY
  Income:C101-城东社区服务中心:4001-财政拨款收入:YZ-运转经费
"""

FUND_TASK = """\
2025-03-20 * "县委政法委" "平安示范社区建设经费" ^T2025-007
  Assets:C101-城东社区服务中心:1002-银行存款  50000.00 CNY
  Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委
"""


def run(extra: str, as_of=None, base: str = BASE):
    """Load BASE + extra from a string; return the analysis."""
    text = base + textwrap.dedent(extra)
    entries, errors, options_map = loader.load_string(text)
    return analysis_for(entries, options_map, errors, as_of=as_of)


def codes(analysis) -> list[str]:
    return sorted(f.code for f in analysis.findings)


@pytest.fixture
def books():
    return run
