"""The ledger language's disclosure facts (contracts, disclosure notes) and rule S002."""

from __future__ import annotations

from decimal import Decimal

import pytest
from testbooks import codes, run

TASK_2026 = """
2026-01-15 custom "task" "T2026-001" "平安示范社区建设" 50000.00 CNY
  department: "D05"
  unit: "C101"
  due: {due}
  end: {end}
"""


@pytest.mark.parametrize(
    ("due", "end", "found", "guess"),
    [
        ("2025-01-31", "2026-12-31", ["S002"], "是否为 2026-01-31？"),  # the January typo
        ("2026-01-31", "2025-12-31", ["S001"], None),  # end before due stays S001
        ("2026-01-10", "2026-12-31", ["S002"], "是否为 2027-01-10？"),
        ("2026-01-31", "2026-12-31", [], None),  # near miss: all after the declaration
    ],
)
def test_s002_a_date_before_its_declaration(due, end, found, guess) -> None:
    analysis = run(TASK_2026.format(due=due, end=end), as_of=None)
    got = [c for c in codes(analysis) if c.startswith("S")]
    assert got == found
    if guess:
        (finding,) = [f for f in analysis.findings if f.code == "S002"]
        assert guess in finding.message and "年份写错" in finding.message
        assert finding.severity == "error"


def test_contract_and_note_are_read() -> None:
    analysis = run(
        """
        2024-03-01 custom "contract" "HT2024-003" "社区服务大厅维修改造" 1600000.00 CNY
          unit: "C101"
          supplier: "县建筑维修工程队"
          procurement: "工程"
          sme: TRUE
          reserved: "中小企业"
          reserved_budget: 1800000.00 CNY
        2025-02-20 custom "disclosure-note" "C101" "三公" "承接市级现场会 2 批次"
          year: 2024
          about: "上年"
        """
    )
    assert "S001" not in codes(analysis)
    contract = analysis.declarations.contracts["HT2024-003"]
    assert (contract.amount, contract.procurement, contract.sme, contract.small) == (
        Decimal("1600000.00"),
        "工程",
        True,
        False,
    )
    assert (contract.reserved, contract.reserved_budget) == ("中小企业", Decimal("1800000.00"))
    (note,) = analysis.declarations.notes
    assert (note.unit, note.key, note.year, note.about) == ("C101", "三公", 2024, "上年")


@pytest.mark.parametrize(
    "bad",
    [
        'procurement: "设备"',  # not 货物 / 工程 / 服务
        'sme: "是"',  # a flag is TRUE/FALSE
    ],
)
def test_malformed_contract_is_s001(bad: str) -> None:
    analysis = run(
        f"""
        2024-03-01 custom "contract" "HT2024-009" "设备采购" 118000.00 CNY
          unit: "C101"
          {bad}
        """
    )
    assert "S001" in codes(analysis)
    assert "HT2024-009" not in analysis.declarations.contracts
