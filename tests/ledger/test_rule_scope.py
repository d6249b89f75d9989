"""The rules keep to the fund's accounts (ledger-language.md, "Rules and their codes").

Only accounts whose 2nd component is a declared unit, or shaped like one (``C\\d+``,
plugin config ``unit_pattern``), are looked at; an undeclared unit-shaped code is D002
naming the nearest declared unit.  A component is a department only as ``D\\d+-``.
"""

from __future__ import annotations

from beancount import loader

from sandao.ledger import Config, analyse

BOOKS = """\
option "operating_currency" "CNY"
2024-01-01 custom "unit" "C101" "城东社区服务中心"
2024-01-01 custom "department" "D05" "县委政法委"
2024-01-01 open Assets:C101-城东社区服务中心:1002-银行存款
2024-01-01 open Income:C101-城东社区服务中心:4001-财政拨款收入:YZ-运转经费
  stream: "运转"
2024-01-01 open Expenses:C101-城东社区服务中心:30201-办公费
  stream: "运转"
  function: "2120101"
2024-01-01 open Assets:Bank:Checking
2024-01-01 open Expenses:Daily:Food
2024-01-01 open Expenses:Health:Dental
2024-01-01 open Income:Dividends
2024-01-01 open Expenses:C999-新单位:30201-办公费
  stream: "运转"
  function: "2120101"
2025-01-02 * "县财政局" "运转经费"
  Assets:C101-城东社区服务中心:1002-银行存款  1000.00 CNY
  Income:C101-城东社区服务中心:4001-财政拨款收入:YZ-运转经费
2025-01-03 * "食堂" "午饭"
  Expenses:Daily:Food  20.00 CNY
  Expenses:Health:Dental  30.00 CNY
  Assets:Bank:Checking
2025-01-04 * "股息"
  Assets:Bank:Checking  5.00 CNY
  Income:Dividends
"""

SPEND_C999 = """\
2025-01-05 * "文具店" "办公用品"
  Expenses:C999-新单位:30201-办公费  10.00 CNY
  Assets:C101-城东社区服务中心:1002-银行存款
"""


def _findings(text: str, config: str = ""):
    entries, errors, options = loader.load_string(text)
    assert not errors, errors
    return analyse(entries, options, Config.parse(config))


def test_personal_accounts_are_outside_the_rules() -> None:
    analysis = _findings(BOOKS)
    assert [f.code for f in analysis.findings] == []
    accounts = {row.account for row in analysis.postings}
    assert not any(
        "Daily" in a or "Dental" in a or "Dividends" in a or "Bank" in a for a in accounts
    )
    assert any(a.startswith("Income:C101") for a in accounts)


def test_undeclared_unit_shaped_code_is_d002_with_the_nearest_unit() -> None:
    analysis = _findings(BOOKS + SPEND_C999)
    d002 = [f for f in analysis.findings if f.code == "D002"]
    assert d002 and "C999" in d002[0].message
    assert d002[0].hint and "C101" in d002[0].hint


def test_unit_pattern_is_configurable() -> None:
    books = BOOKS.replace("C999-新单位", "U7-新单位") + SPEND_C999.replace(
        "C999-新单位", "U7-新单位"
    )
    assert not _findings(books).findings  # U7 is not unit-shaped by default: outside
    d002 = [f for f in _findings(books, "{'unit_pattern': 'U\\\\d+'}").findings if f.code == "D002"]
    assert d002 and "U7" in d002[0].message


def test_department_only_as_d_digits_dash() -> None:
    books = BOOKS.replace(
        "2024-01-01 open Income:Dividends",
        "2024-01-01 open Income:C101-城东社区服务中心:4001-财政拨款收入:Daily-日常\n"
        '  stream: "运转"\n'
        "2024-01-01 open Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委\n"
        '  stream: "运转"\n'
        "2024-01-01 open Income:Dividends",
    )
    books += """\
2025-01-06 * "县财政局" "日常"
  Assets:C101-城东社区服务中心:1002-银行存款  7.00 CNY
  Income:C101-城东社区服务中心:4001-财政拨款收入:Daily-日常
2025-01-07 * "县委政法委" "经费"
  Assets:C101-城东社区服务中心:1002-银行存款  8.00 CNY
  Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委
"""
    analysis = _findings(books)
    assert not [f for f in analysis.findings if f.code == "D002"]
    departments = {row.account.rsplit(":", 1)[-1]: row.department for row in analysis.postings}
    assert departments["Daily-日常"] is None and departments["D05-县委政法委"] == "D05"


def test_fund_directives_are_the_readers() -> None:
    from sandao.ledger.acks import BOOKKEEPING_DIRECTIVES
    from sandao.ledger.declarations import _CHANGE, _DECLARE
    from sandao.ledger.plugin import FUND_DIRECTIVES

    assert set(_DECLARE) | set(_CHANGE) | BOOKKEEPING_DIRECTIVES == FUND_DIRECTIVES


def test_books_without_fund_accounts_skip_the_rule_engine(tmp_path) -> None:
    """A personal ledger with the plugin line: the rule engine is not even imported."""
    import subprocess
    import sys

    books = tmp_path / "personal.beancount"
    books.write_text(
        'plugin "sandao.ledger"\noption "operating_currency" "CNY"\n'
        "2024-01-01 open Assets:Bank:Checking\n2024-01-01 open Expenses:Daily:Food\n"
        '2025-01-03 * "食堂" "午饭"\n  Expenses:Daily:Food  20.00 CNY\n  Assets:Bank:Checking\n',
        "utf-8",
    )
    script = (
        "import sys\nfrom beancount import loader\n"
        f"_, errors, _ = loader.load_file({str(books)!r})\n"
        "print(len(errors), 'sandao.ledger.analysis' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.stdout.split() == ["0", "False"], out.stderr
