"""Small books for the Fava tests: two units, three tasks, a quota, one finding."""

from __future__ import annotations

BOOKS = """\
option "title" "城关县社区资金台账"
option "operating_currency" "CNY"
plugin "sandao.ledger" "{'warnings': True}"
2024-01-01 custom "unit" "C101" "城东社区服务中心"
2024-01-01 custom "unit" "C102" "城西社区服务中心"
2024-01-01 custom "community" "SQ01" "城江社区"
  unit: "C101"
2024-01-01 custom "department" "D05" "县委政法委"
2024-01-01 custom "department" "D07" "县人社局"
2024-01-01 open Assets:C101-城东社区服务中心:1011-零余额账户用款额度
2024-01-01 open Assets:C101-城东社区服务中心:1002-银行存款
2024-01-01 open Assets:C102-城西社区服务中心:1002-银行存款
2024-01-01 open Income:C101-城东社区服务中心:4001-财政拨款收入:YZ-运转经费
  stream: "运转"
2024-01-01 open Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委
  stream: "职能"
2024-01-01 open Income:C101-城东社区服务中心:4001-财政拨款收入:D07-县人社局
  stream: "职能"
2024-01-01 open Income:C102-城西社区服务中心:4001-财政拨款收入:D05-县委政法委
  stream: "职能"
2024-01-01 open Expenses:C101-城东社区服务中心:30227-委托业务费
2024-01-01 open Expenses:C101-城东社区服务中心:30201-办公费
2024-01-01 open Expenses:C102-城西社区服务中心:30227-委托业务费
2025-01-10 custom "quota" "ZB25-0101" "社区服务中心运转经费" 100000.00 CNY
  unit: "C101"
  stream: "运转"
  function: "2120101"
  economic: "302"
2025-01-10 * "县财政局" "下达运转经费指标"
  quota: "ZB25-0101"
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度  100000.00 CNY
  Income:C101-城东社区服务中心:4001-财政拨款收入:YZ-运转经费
2025-03-01 custom "task" "T2025-007" "平安示范社区建设" 50000.00 CNY
  department: "D05"
  unit: "C101"
  community: "SQ01"
  due: 2025-03-31
  end: 2025-12-31
  function: "2040199"
  document: "X政法发〔2025〕12号"
2025-02-01 custom "task" "T2025-008" "移民创业就业培训" 30000.00 CNY
  department: "D07"
  unit: "C101"
  due: 2025-03-31
  end: 2025-12-31
  function: "2080101"
2025-02-01 custom "task" "T2025-009" "双拥示范建设" 20000.00 CNY
  department: "D05"
  unit: "C102"
  due: 2025-06-30
  end: 2025-12-31
  function: "2040199"
2025-03-20 * "县委政法委" "平安示范社区建设经费" ^T2025-007
  Assets:C101-城东社区服务中心:1002-银行存款  50000.00 CNY
  Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委
2025-04-10 * "城关印务" "平安社区宣传品" ^T2025-007
  Expenses:C101-城东社区服务中心:30227-委托业务费  12000.00 CNY
  Assets:C101-城东社区服务中心:1002-银行存款
2025-04-15 * "县委政法委" "双拥示范建设经费" ^T2025-009
  Assets:C102-城西社区服务中心:1002-银行存款  20000.00 CNY
  Income:C102-城西社区服务中心:4001-财政拨款收入:D05-县委政法委
2025-05-01 * "文具店" "购买办公用品"
  quota: "ZB25-0101"
  Expenses:C101-城东社区服务中心:30201-办公费  2500.00 CNY
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度
"""

#: A line Beancount cannot parse, appended to make the bad books.
SYNTAX_ERROR = """\
2025-05-02 * "文具店" "坏行" "多余" oops
  Expenses:C101-城东社区服务中心:30201-办公费  100.00 CNY
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度
"""
