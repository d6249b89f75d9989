"""Small books for report tests: two units, two communities, quotas, a task, a project."""

from __future__ import annotations

import textwrap

from beancount import loader

from sandao.ledger import analysis_for

BASE = """\
option "operating_currency" "CNY"
2024-01-01 custom "unit" "C101" "城东社区服务中心"
  kind: "事业单位"
2024-01-01 custom "unit" "C102" "城西社区服务中心"
2024-01-01 custom "community" "SQ01" "城江社区"
  unit: "C101"
  households: 2600
2024-01-01 custom "community" "SQ02" "群英社区"
  unit: "C102"
  households: 1000
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
2024-01-01 open Income:C102-城西社区服务中心:4001-财政拨款收入:YZ-运转经费
  stream: "运转"
2024-01-01 open Expenses:C101-城东社区服务中心:30101-基本工资
2024-01-01 open Expenses:C101-城东社区服务中心:30201-办公费
2024-01-01 open Expenses:C101-城东社区服务中心:30217-公务接待费
2024-01-01 open Expenses:C101-城东社区服务中心:30227-委托业务费
2024-01-01 open Expenses:C102-城西社区服务中心:30201-办公费
2024-01-01 open Equity:C101-城东社区服务中心:3001-累计盈余
"""

#: The county of the exact-figure tests (2025): see test_builders.py for the sums.
COUNTY = """\
2024-01-10 custom "quota" "ZB24-0101" "城东运转经费" 80000.00 CNY
  unit: "C101"
  stream: "运转"
  function: "2120101"
  economic: "302"
  kind: "年初"
2025-01-10 custom "quota" "ZB25-0101" "城东公用经费" 100000.00 CNY
  unit: "C101"
  stream: "运转"
  function: "2120101"
  economic: "302"
  kind: "年初"
  fund_type: "一般公共预算"
2025-01-10 custom "quota" "ZB25-0102" "城东人员经费" 200000.00 CNY
  unit: "C101"
  stream: "运转"
  function: "2120101"
  economic: "301"
  kind: "年初"
2025-05-10 custom "quota" "ZB25-0103" "城东追加公用经费" 30000.00 CNY
  unit: "C101"
  stream: "运转"
  function: "2120104"
  economic: "302"
  kind: "追加"
2025-07-01 custom "quota-adjust" "ZB25-0101" -20000.00 CNY
  document: "X财预〔2025〕88号"
2025-01-10 custom "quota" "ZB25-0201" "城西公用经费" 50000.00 CNY
  unit: "C102"
  stream: "运转"
  function: "2120101"
  economic: "302"
  kind: "年初"
2025-03-01 custom "task" "T2025-007" "平安示范社区建设" 50000.00 CNY
  department: "D05"
  unit: "C101"
  community: "SQ01"
  due: 2025-03-31
  end: 2025-12-31
  function: "2040199"
  document: "X政法发〔2025〕12号"
2025-03-01 custom "target" "T2025-007" "巡防次数" 100 "次"
2025-12-20 custom "output" "T2025-007" "巡防次数" 125 "次"
2025-01-11 * "县财政局" "运转经费指标到账"
  quota: "ZB25-0101"
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度  100000.00 CNY
  Income:C101-城东社区服务中心:4001-财政拨款收入:YZ-运转经费
2025-01-11 * "县财政局" "人员经费指标到账"
  quota: "ZB25-0102"
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度  200000.00 CNY
  Income:C101-城东社区服务中心:4001-财政拨款收入:YZ-运转经费
2025-01-11 * "县财政局" "城西指标到账"
  quota: "ZB25-0201"
  Assets:C102-城西社区服务中心:1011-零余额账户用款额度  50000.00 CNY
  Income:C102-城西社区服务中心:4001-财政拨款收入:YZ-运转经费
2025-02-15 * "本单位工资专户" "发放工资"
  quota: "ZB25-0102"
  Expenses:C101-城东社区服务中心:30101-基本工资  120000.00 CNY
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度
2025-02-20 * "县文具店" "办公用品"
  quota: "ZB25-0101"
  Expenses:C101-城东社区服务中心:30201-办公费  12345.67 CNY
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度
2025-04-20 * "县宾馆" "公务接待"
  quota: "ZB25-0101"
  Expenses:C101-城东社区服务中心:30217-公务接待费  1500.00 CNY
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度
2025-04-21 * "县文具店" "办公用品"
  quota: "ZB25-0201"
  Expenses:C102-城西社区服务中心:30201-办公费  8000.00 CNY
  Assets:C102-城西社区服务中心:1011-零余额账户用款额度
2025-04-15 * "县委政法委" "平安示范社区建设经费" ^T2025-007
  Assets:C101-城东社区服务中心:1002-银行存款  50000.00 CNY
  Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委
2025-05-06 * "张三丰" "巡防劳务 电话13812345678 卡号6222021234567890123" ^T2025-007
  payee_type: "个人"
  Expenses:C101-城东社区服务中心:30227-委托业务费  12000.00 CNY
  Assets:C101-城东社区服务中心:1002-银行存款
2025-05-07 * "<script>alert(1)</script>" "=HYPERLINK(\\"http://x\\")" ^T2025-007
  Expenses:C101-城东社区服务中心:30227-委托业务费  10000.00 CNY
  Assets:C101-城东社区服务中心:1002-银行存款
2025-06-01 * "@某公司" "+巡防装备" ^T2025-007
  Expenses:C101-城东社区服务中心:30227-委托业务费  3000.00 CNY
  Assets:C101-城东社区服务中心:1002-银行存款
"""


def load_text(text: str, as_of=None):
    """Analysis of books given as text (BASE prepended)."""
    entries, errors, options_map = loader.load_string(BASE + textwrap.dedent(text))
    return analysis_for(entries, options_map, errors, as_of=as_of)


def county():
    return load_text(COUNTY)


def busy_quarter(tasks: int = 12, payments: int = 25) -> str:
    """A community's crowded second quarter: many tasks, many large payments, many uses."""
    lines = []
    leaves = ("30201-办公费", "30217-公务接待费", "30227-委托业务费", "30101-基本工资")
    for i in range(tasks):
        tid = f"T2025-{100 + i:03d}"
        lines += [
            f'2025-03-01 custom "task" "{tid}" "第{i + 1}项社区工作任务（网格化服务）" {50000 + i * 1000}.00 CNY',
            '  department: "D05"\n  unit: "C101"\n  community: "SQ01"',
            "  due: 2025-04-30\n  end: 2025-12-31",
            f'2025-04-{1 + i % 28:02d} * "县委政法委" "拨付工作经费" ^{tid}',
            f"  Assets:C101-城东社区服务中心:1002-银行存款  {50000 + i * 1000}.00 CNY",
            "  Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委",
        ]
    for i in range(payments):
        leaf = leaves[i % len(leaves)]
        lines += [
            f'2025-05-{1 + i % 28:02d} * "县某某建设工程有限公司第{i}分公司" "社区服务设施维修改造工程进度款第{i}期" ^T2025-100',
            f"  Expenses:C101-城东社区服务中心:{leaf}  {10000 + i * 7}.00 CNY",
            "  Assets:C101-城东社区服务中心:1002-银行存款",
        ]
    return "\n".join(lines) + "\n"
