"""Rules of the 决算's budget (cash) basis: D003 and D004, one named function each.

Both protect what the disclosure documents read (disclosure-standard.md):

- D003 — a department's money booked as 4001 财政拨款收入 without a quota.  财政拨款收入 is
  money from the county's finance bureau only; a department's cash for a task is
  ``4609-其他收入:Dxx`` (from the unit's own 主管部门, ``4201-上级补助收入:Dxx``).
- D004 — money moved between a 资金结存 account (1001, 1002, 1011, 1021, 1201) and an
  account that is neither income nor spending (往来: 1218 暂付, 2307 暂收, loans …): it is
  in neither column of the 决算 and the 情况说明 must name it.

Both are decided once per transaction shape (its accounts and dimensions); only the
transactions of shapes with a department's 4001 income, or with both a 资金结存 account and
another balance-sheet account, are laid out and checked.
"""

from __future__ import annotations

from decimal import Decimal

from sandao.ledger.accounts import GOV_ACCOUNTS, gov_code_of
from sandao.ledger.model import Declarations
from sandao.ledger.resolver import INCOME, OTHER, Posting, PostingTable
from sandao.ledger.rules.registry import rule
from sandao.ledger.sink import FindingSink

CASH_CODES = frozenset({"1001", "1002", "1011", "1021", "1201"})
OPENING_CODE = "3001"


def check_cash_basis(table: PostingTable, decl: Declarations, sink: FindingSink) -> None:
    """D003 and D004, decided once per transaction shape from its accounts and dimensions,
    checked on the transactions of the few shapes they may apply to."""
    codes: dict[str, str | None] = {}
    first: dict[str, tuple[int, object]] = {}  # a unit's 3001 account → its first (txn, date)
    chosen = []
    for shape in table.shapes:
        d003, cash, others = [], False, False
        for offset, position in enumerate(shape.slots):
            (*_, quota, department), role = shape.postings[position]
            account = shape.accounts[position]
            if role == INCOME:
                if department and quota is None and _code(codes, account) == "4001":
                    d003.append(offset)
            elif role == OTHER:
                code = _code(codes, account)
                if code in CASH_CODES:
                    cash = True
                elif code is not None:
                    others = True
                    if code == OPENING_CODE:
                        known = first.get(account)
                        if known is None or shape.txns[0] < known[0]:
                            first[account] = (shape.txns[0], shape.dates[0])
        if d003 or (cash and others):
            chosen.append((shape, d003, cash and others))
    if not chosen:
        return
    first_use = {account: date for account, (_, date) in first.items()}
    supervisors = {
        code: str(unit.meta.get("supervisor") or "").strip() for code, unit in decl.units.items()
    }
    for shape, d003, wanglai in chosen:
        for rows in table.shape_rows(shape):
            for offset in d003:
                d003_department_income_without_quota(rows[offset], supervisors, sink)
            if wanglai:
                _d004_transaction(rows, codes, first_use, sink)


def _code(codes: dict[str, str | None], account: str) -> str | None:
    code = codes.get(account)
    if code is None and account not in codes:
        code = codes[account] = gov_code_of(account)
    return code


def _d004_transaction(
    rows: list[Posting],
    codes: dict[str, str | None],
    first_use: dict[str, object],
    sink: FindingSink,
) -> None:
    """D004 on one transaction's rows: cash against a 往来 account, unless it is the
    opening entry (the first on the unit's 累计盈余: 年初结转和结余, not 往来 — even when
    another entry, misdated, comes before it)."""
    cash = others = None
    for row in rows:
        if row.role != OTHER:
            continue
        code = codes.get(row.account)
        if code in CASH_CODES:
            cash = row
        elif code == OPENING_CODE and first_use.get(row.account) == row.date:
            return
        elif code is not None:
            others = row
    if cash is not None and others is not None:
        d004_wanglai(rows, codes, sink)


@rule("D003")
def d003_department_income_without_quota(
    row: Posting, supervisors: dict[str, str], sink: FindingSink
) -> None:
    """D003: a department's money under 4001 财政拨款收入 with no quota — it is 其他收入."""
    parts = row.account.split(":")
    fix_code = "4201" if supervisors.get(row.unit or "") == row.department else "4609"
    department_part = next((p for p in parts[3:] if p.startswith(row.department or "")), "")
    fixed = ":".join([*parts[:2], f"{fix_code}-{GOV_ACCOUNTS[fix_code]}", department_part])
    message = (
        f"部门 {row.department} 的资金记为 4001 财政拨款收入却没有指标：财政拨款收入只指县财政局拨付的资金，"
        f"部门用本部门资金转来的经费应记 {fixed}（现为 {row.account}）"
    )
    sink.add(
        "D003",
        row.source,
        row.date,
        message,
        unit=row.unit,
        department=row.department,
        task=row.task,
    )


@rule("D004")
def d004_wanglai(group: list[Posting], codes: dict[str, str | None], sink: FindingSink) -> None:
    """D004: cash moved to or from a non-income, non-spending account (往来)."""
    cash = [r for r in group if codes.get(r.account) in CASH_CODES]
    budget = [r for r in group if r.role != OTHER]
    # cash that income and spending in the same transaction do not explain
    moved = sum((r.amount for r in cash), Decimal(0)) + sum((r.amount for r in budget), Decimal(0))
    if not moved:
        return  # between 资金结存 accounts, or all of it income / spending
    other = next(
        r
        for r in group
        if r.role == OTHER and codes.get(r.account) not in CASH_CODES and codes.get(r.account)
    )
    direction = "流入" if moved > 0 else "流出"
    message = (
        f"资金结存{direction} {abs(moved):,.2f}元 与往来科目 {other.account} 相对应，不计入决算收入支出，"
        "将在情况说明中列为往来款项"
    )
    first = cash[0]
    sink.add(
        "D004",
        first.source,
        first.date,
        message,
        unit=first.unit,
    )
