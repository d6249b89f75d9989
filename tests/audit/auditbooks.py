"""Small books for the audit tests: two units with the accounts the checks look at."""

from __future__ import annotations

import textwrap

from beancount import loader

from sandao.ledger import analysis_for
from sandao.reports.audit import AuditResult, audit

U1 = "C101-城东社区服务中心"
U2 = "C102-城西社区服务中心"

BASE = f"""\
option "operating_currency" "CNY"
2024-01-01 custom "unit" "C101" "城东社区服务中心"
2024-01-01 custom "unit" "C102" "城西社区服务中心"
2024-01-01 custom "department" "D05" "县委政法委"
2024-01-01 custom "department" "D01" "县财政局"
2024-01-01 open Assets:{U1}:1011-零余额账户用款额度
2024-01-01 open Assets:{U1}:1002-银行存款
2024-01-01 open Assets:{U1}:1214-预付账款
2024-01-01 open Assets:{U1}:1218-其他应收款
2024-01-01 open Liabilities:{U1}:2307-其他应付款
2024-01-01 open Liabilities:{U1}:2307-其他应付款:D05-县委政法委
2024-01-01 open Assets:{U2}:1002-银行存款
2024-01-01 open Income:{U1}:4001-财政拨款收入:YZ-运转经费
  stream: "运转"
2024-01-01 open Income:{U1}:4609-其他收入
  stream: "运转"
  function: "2120101"
2024-01-01 open Equity:{U1}:3001-累计盈余
2024-01-01 open Expenses:{U1}:30101-基本工资
2024-01-01 open Expenses:{U1}:30201-办公费
2024-01-01 open Expenses:{U1}:30205-水费
2024-01-01 open Expenses:{U1}:30206-电费
2024-01-01 open Liabilities:{U1}:2103-应缴财政款
2024-01-01 open Expenses:{U1}:30211-差旅费
2024-01-01 open Expenses:{U1}:30215-会议费
2024-01-01 open Expenses:{U1}:30216-培训费
2024-01-01 open Expenses:{U1}:30217-公务接待费
2024-01-01 open Expenses:{U1}:30226-劳务费
2024-01-01 open Expenses:{U1}:30227-委托业务费
2024-01-01 open Expenses:{U1}:30231-公务用车运行维护费
2024-01-01 open Expenses:{U1}:30299-其他商品和服务支出
2024-01-10 custom "quota" "ZB24-0101" "运转经费" 1000000.00 CNY
  unit: "C101"
  stream: "运转"
  function: "2120101"
2024-01-10 * "县财政局" "下达运转经费指标"
  quota: "ZB24-0101"
  Assets:{U1}:1011-零余额账户用款额度  1000000.00 CNY
  Income:{U1}:4001-财政拨款收入:YZ-运转经费
"""


def pay(
    date: str,
    payee: str,
    narration: str,
    amount: str,
    code: str = "30201",
    extra: str = "",
    quota: str = "ZB24-0101",
    source: str = "1011-零余额账户用款额度",
) -> str:
    """A payment from the zero-balance account charged to a quota."""
    account = {
        "30101": "30101-基本工资",
        "30201": "30201-办公费",
        "30205": "30205-水费",
        "30206": "30206-电费",
        "30211": "30211-差旅费",
        "30215": "30215-会议费",
        "30216": "30216-培训费",
        "30217": "30217-公务接待费",
        "30226": "30226-劳务费",
        "30227": "30227-委托业务费",
        "30231": "30231-公务用车运行维护费",
        "30299": "30299-其他商品和服务支出",
    }[code]
    narration, _, link = narration.partition(" ^")
    link = f" ^{link}" if link else ""
    meta = f'\n  quota: "{quota}"' if quota else ""
    extra = "".join(f"\n  {line}" for line in extra.splitlines() if line.strip())
    return (
        f'{date} * "{payee}" "{narration}"{link}{meta}{extra}\n'
        f"  Expenses:{U1}:{account}  {amount} CNY\n"
        f"  Assets:{U1}:{source}\n"
    )


def run(
    extra: str,
    section: dict | None = None,
    holidays=frozenset(),
    workdays=frozenset(),
    year: int | None = None,
) -> AuditResult:
    text = BASE + textwrap.dedent(extra)
    entries, errors, options_map = loader.load_string(text)
    assert not errors, errors
    analysis = analysis_for(entries, options_map, errors)
    return audit(analysis, section or {}, holidays, workdays, year)


def codes(result: AuditResult, code: str) -> list:
    return [f for f in result.findings if f.code == code]
