"""The test books every test directory shares, built from named fragments.

A fragment is a few lines of a county's books (a unit, an account group, a task, a
quota with its arrival); the small counties the rule, Fava and report tests load are
joins of fragments, so a change to, say, the task T2025-007 is made once.  Helpers
load a text and return the same :class:`~sandao.ledger.Analysis` the plugin computes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from beancount import loader

from sandao.ledger import Analysis, analysis_for

C101 = "C101-城东社区服务中心"
C102 = "C102-城西社区服务中心"

PLUGIN = 'plugin "sandao.ledger" "{\'warnings\': True}"\n'
CURRENCY = 'option "operating_currency" "CNY"\n'
TITLE = 'option "title" "城关县社区资金台账"\n'

UNIT_C101 = '2024-01-01 custom "unit" "C101" "城东社区服务中心"\n'
UNIT_C102 = '2024-01-01 custom "unit" "C102" "城西社区服务中心"\n'
UNITS = UNIT_C101 + UNIT_C102
COMMUNITY_SQ01 = '2024-01-01 custom "community" "SQ01" "城江社区"\n  unit: "C101"\n'
DEPARTMENTS = (
    '2024-01-01 custom "department" "D05" "县委政法委"\n'
    '2024-01-01 custom "department" "D07" "县人社局"\n'
)


def open_account(account: str, *meta: str) -> str:
    """``2024-01-01 open ACCOUNT`` with metadata lines (``key: "value"``)."""
    return f"2024-01-01 open {account}\n" + "".join(f"  {m}\n" for m in meta)


ZERO_BALANCE_C101 = open_account(f"Assets:{C101}:1011-零余额账户用款额度")
BANK_C101 = open_account(f"Assets:{C101}:1002-银行存款")
BANK_C102 = open_account(f"Assets:{C102}:1002-银行存款")
WORKS_C101 = open_account(f"Assets:{C101}:1613-在建工程", 'economic: "31001"')
ZERO_BALANCE_C102 = open_account(f"Assets:{C102}:1011-零余额账户用款额度")
RUNNING_INCOME_C101 = open_account(f"Income:{C101}:4001-财政拨款收入:YZ-运转经费", 'stream: "运转"')
BUILDING_INCOME_C101 = open_account(
    f"Income:{C101}:4001-财政拨款收入:JS-建设资金", 'stream: "建设"'
)
D05_INCOME_C101 = open_account(f"Income:{C101}:4001-财政拨款收入:D05-县委政法委", 'stream: "职能"')
D07_INCOME_C101 = open_account(f"Income:{C101}:4001-财政拨款收入:D07-县人社局", 'stream: "职能"')
D05_INCOME_C102 = open_account(f"Income:{C102}:4001-财政拨款收入:D05-县委政法委", 'stream: "职能"')
#: A department's own cash for a task is 4609 其他收入 (4001 without a quota is D003).
D05_CASH_C101 = open_account(f"Income:{C101}:4609-其他收入:D05-县委政法委", 'stream: "职能"')
RUNNING_INCOME_C102 = open_account(f"Income:{C102}:4001-财政拨款收入:YZ-运转经费", 'stream: "运转"')
EXPENSES = (
    open_account(f"Expenses:{C101}:30227-委托业务费")
    + open_account(f"Expenses:{C101}:30201-办公费")
    + open_account(f"Expenses:{C102}:30227-委托业务费")
)
EQUITY_C101 = open_account(f"Equity:{C101}:3001-累计盈余")
#: The cash, works and income accounts the rule and report counties share.
CORE_ACCOUNTS = (
    ZERO_BALANCE_C101
    + BANK_C101
    + WORKS_C101
    + ZERO_BALANCE_C102
    + RUNNING_INCOME_C101
    + BUILDING_INCOME_C101
    + D05_INCOME_C101
    + D05_CASH_C101
)

TASK_T2025_007 = """\
2025-03-01 custom "task" "T2025-007" "平安示范社区建设" 50000.00 CNY
  department: "D05"
  unit: "C101"
  community: "SQ01"
  due: 2025-03-31
  end: 2025-12-31
  function: "2040199"
  document: "X政法发〔2025〕12号"
"""
#: The running-cost quota of C101 and its arrival.
QUOTA_ZB25_0101 = """\
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
#: The department's transfer that funds T2025-007 in full, on time.
FUND_TASK = """\
2025-03-20 * "县委政法委" "平安示范社区建设经费" ^T2025-007
  Assets:C101-城东社区服务中心:1002-银行存款  50000.00 CNY
  Income:C101-城东社区服务中心:4609-其他收入:D05-县委政法委
"""

#: The rule tests' county: two units, a task, a quota (tests add the entries they judge).
BASE = (
    PLUGIN
    + CURRENCY
    + UNITS
    + COMMUNITY_SQ01
    + DEPARTMENTS
    + CORE_ACCOUNTS
    + D07_INCOME_C101
    + D05_INCOME_C102
    + EXPENSES
    + EQUITY_C101
    + TASK_T2025_007
    + QUOTA_ZB25_0101
)

#: The Fava tests' county: three tasks (one unfunded, one of C102), a quota, one finding.
FAVA_BOOKS = (
    TITLE
    + CURRENCY
    + PLUGIN
    + UNITS
    + COMMUNITY_SQ01
    + DEPARTMENTS
    + ZERO_BALANCE_C101
    + BANK_C101
    + BANK_C102
    + RUNNING_INCOME_C101
    + D05_INCOME_C101
    + D05_CASH_C101
    + D07_INCOME_C101
    + D05_INCOME_C102
    + EXPENSES
    + QUOTA_ZB25_0101
    + TASK_T2025_007
    + """\
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
"""
    + FUND_TASK
    + """\
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
)

#: A line Beancount cannot parse, appended to make the bad books.
SYNTAX_ERROR = """\
2025-05-02 * "文具店" "坏行" "多余" oops
  Expenses:C101-城东社区服务中心:30201-办公费  100.00 CNY
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度
"""

#: The report tests' books: unit kinds, communities with households, more expense leaves.
REPORT_BASE = (
    CURRENCY
    + UNIT_C101
    + '  kind: "事业单位"\n'
    + UNIT_C102
    + COMMUNITY_SQ01
    + "  households: 2600\n"
    + '2024-01-01 custom "community" "SQ02" "群英社区"\n  unit: "C102"\n  households: 1000\n'
    + DEPARTMENTS
    + CORE_ACCOUNTS
    + RUNNING_INCOME_C102
    + open_account(f"Expenses:{C101}:30101-基本工资")
    + open_account(f"Expenses:{C101}:30201-办公费")
    + open_account(f"Expenses:{C101}:30217-公务接待费")
    + open_account(f"Expenses:{C101}:30227-委托业务费")
    + open_account(f"Expenses:{C102}:30201-办公费")
    + EQUITY_C101
)

#: The county of the exact-figure tests (2025): see test_builders.py for the sums.
REPORT_COUNTY = (
    """\
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
"""
    + TASK_T2025_007
    + """\
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
  Income:C101-城东社区服务中心:4609-其他收入:D05-县委政法委
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
)


def run(extra: str, as_of=None, base: str = BASE) -> Analysis:
    """Load ``base`` + ``extra`` (dedented) from a string; return the analysis."""
    return load_text(extra, as_of, base)


def load_text(text: str, as_of=None, base: str = REPORT_BASE) -> Analysis:
    """The analysis of ``base`` + ``text`` (dedented), as the plugin computes it."""
    entries, errors, options_map = loader.load_string(base + textwrap.dedent(text))
    return analysis_for(entries, options_map, errors, as_of=as_of)


def codes(analysis: Analysis) -> list[str]:
    """The sorted rule codes of an analysis's findings."""
    return sorted(f.code for f in analysis.findings)


def county() -> Analysis:
    """The report tests' county (2025) with its exact figures."""
    return load_text(REPORT_COUNTY)


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
            "  Income:C101-城东社区服务中心:4609-其他收入:D05-县委政法委",
        ]
    for i in range(payments):
        leaf = leaves[i % len(leaves)]
        lines += [
            f'2025-05-{1 + i % 28:02d} * "县某某建设工程有限公司第{i}分公司" "社区服务设施维修改造工程进度款第{i}期" ^T2025-100',
            f"  Expenses:C101-城东社区服务中心:{leaf}  {10000 + i * 7}.00 CNY",
            "  Assets:C101-城东社区服务中心:1002-银行存款",
        ]
    return "\n".join(lines) + "\n"


def run_sandao(*args: object) -> subprocess.CompletedProcess[str]:
    """``sandao ARGS…`` as the venv's own script (never one from PATH), output captured."""
    sandao = Path(sys.executable).with_name("sandao")
    return subprocess.run([str(sandao), *map(str, args)], capture_output=True, text=True)


def git(folder: Path, *args: str, author: str = "会计") -> str:
    """``git -C FOLDER ARGS…`` committing as AUTHOR (a machine without a git identity runs
    it too); its standard output, stripped."""
    identity = {
        f"GIT_{who}_{what}": value
        for who in ("AUTHOR", "COMMITTER")
        for what, value in (("NAME", author), ("EMAIL", "a@example.org"))
    }
    done = subprocess.run(
        ["git", "-C", str(folder), *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **identity},
    )
    return done.stdout.strip()
