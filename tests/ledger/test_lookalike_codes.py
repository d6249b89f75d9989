"""Look-alike unit codes (red team 8): an account whose unit component only *looks* like a
declared unit — a zero-width joiner inside, Cyrillic or Greek letters, full-width
characters, the letter O for the digit 0 — was outside the fund: spending from C101's
1011 under its quota gave no finding and every report stayed the same.  Such a component
is shaped like a unit code, so it is the fund's account and D002 names the real code.
"""

from __future__ import annotations

import pytest
from testbooks import run

from sandao.ledger.accounts import lookalike_unit

LOOKALIKES = {
    "zero-width joiner": "C\u200d101",
    "Cyrillic Es": "\u0421101",
    "full-width C": "\uff23101",
    "Greek lunate sigma": "\u03f9101",
    "letter O for zero": "C1O1",
    "bidi override": "\u202eC101",
}


@pytest.mark.parametrize("code", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_lookalike_unit_component_is_d002_naming_the_real_code(code: str) -> None:
    assert lookalike_unit(code) == "C101"
    account = f"Expenses:{code}-城东社区服务中心:30201-办公费"
    books = f"""\
2024-01-01 open {account}
2025-04-02 * "县宏达商行" "办公用品"
  quota: "ZB25-0101"
  {account}  88888.00 CNY
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度
"""
    analysis = run(books)
    d002 = [f for f in analysis.findings if f.code == "D002"]
    assert d002, [f.code for f in analysis.findings]
    assert "C101" in d002[0].message and "形似" in d002[0].message
    assert d002[0].hint == "是否为 C101？"


@pytest.mark.parametrize("code", ["US", "Food", "CIO", "Cash", "C3PO", "C101A"])
def test_plain_components_are_not_lookalikes(code: str) -> None:
    assert lookalike_unit(code) is None


def test_foreign_accounts_stay_outside() -> None:
    books = """\
2024-01-01 open Assets:US:BofA:Checking
2024-01-01 open Expenses:Food:Restaurant
2025-04-02 * "Cafe" "lunch"
  Expenses:Food:Restaurant  12.00 CNY
  Assets:US:BofA:Checking
"""
    assert not [f for f in run(books).findings if "US" in f.message or "Food" in f.message]
